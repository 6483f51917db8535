// libFuzzer target for the NetBIOS Datagram Service. The input is UDP datagrams, each led by
// two bytes (bit 15: from the responder; low 15 bits: length), parsed alone and fed through
// the registered dissector behind the real StreamAttacher on a flow to port 138. Nothing may
// crash or read out of bounds, and every observation must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "dissect/dissector.h"
#include "dissect/nbds/nbds_parser.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every count and identity the dissector reports.
struct CheckingSink : ObservationSink {
  void OnPdu(const PduObservation& p) override {
    const std::string_view protocol = p.protocol;
    if (protocol == "nbds" && (p.code < 0x10 || p.code > 0x16)) std::abort();
    if (protocol != "nbds" && protocol != "smb") std::abort();
  }
  void OnIdentity(const DeviceIdentity& id) override {
    if (std::string_view(id.protocol) != "browser" || id.fields.size() < 2) std::abort();
    for (const auto& [k, v] : id.fields) {
      if (k.empty() || v.empty() || v.size() > 160) std::abort();
    }
  }
};

void Parse(std::span<const uint8_t> bytes) {
  auto d = nbds::ParseDatagram(bytes);
  if (!d) return;
  if (d->user_data.size() > bytes.size() || d->source.name.size() > 15) std::abort();
  if (auto a = nbds::ParseAnnouncement(d->user_data)) {
    if (a->server_name.size() > 16) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunUdpDatagrams("nbds", 138, std::span<const uint8_t>(data, size), sink, Parse);
  return 0;
}
