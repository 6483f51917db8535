// libFuzzer target for NTP. The input is UDP datagrams, each led by two bytes (bit 15: from
// the responder; low 15 bits: length), parsed alone and fed through the registered
// dissector behind the real StreamAttacher on a flow to port 123. Nothing may crash or read
// out of bounds, and every observation must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "dissect/dissector.h"
#include "dissect/ntp/ntp_parser.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every count and identity the dissector reports.
struct CheckingSink : ObservationSink {
  void OnPdu(const PduObservation& p) override {
    if (std::string_view(p.protocol) != "ntp" || p.code > 7) std::abort();
  }
  void OnIdentity(const DeviceIdentity& id) override {
    if (++identities > 1 || id.fields.empty()) std::abort();  // once per flow
  }
  int identities = 0;
};

void Parse(std::span<const uint8_t> bytes) {
  auto m = ntp::ParseMessage(bytes);
  if (!m) return;
  if (m->version < 1 || m->version > 4 || m->mode == 0) std::abort();
  if (ntp::ReferenceText(*m).size() > 15) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunUdpDatagrams("ntp", 123, std::span<const uint8_t>(data, size), sink, Parse);
  return 0;
}
