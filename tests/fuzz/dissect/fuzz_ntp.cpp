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

const StreamDissectorInfo* NtpInfo() {
  for (const auto& d : StreamDissectors()) {
    if (std::string_view(d.name) == "ntp") return &d;
  }
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qw::flow::Flow flow;
  flow.proto = 17;
  flow.initiator_ip = *qw::core::IpAddr::Parse("10.0.0.1");
  flow.responder_ip = *qw::core::IpAddr::Parse("10.0.0.2");
  flow.initiator_port = 50000;
  flow.responder_port = 123;
  CheckingSink sink;
  qw::core::Anomalies anomalies;
  AttachStats stats;
  StreamAttacher attacher(flow, {NtpInfo()}, sink, anomalies, stats);
  qw::fuzz::FeedDatagrams(attacher, std::span<const uint8_t>(data, size), Parse);
  return 0;
}
