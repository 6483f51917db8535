// libFuzzer target for SNMP. The input is UDP datagrams, each led by two bytes (bit 15:
// from the responder; low 15 bits: length), parsed alone (message, varbinds, OIDs, nested
// values) and fed through the registered dissector behind the real StreamAttacher on a flow
// to port 161. Nothing may crash or read out of bounds, and every observation must stay
// within its bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "core/fixed_text.h"
#include "dissect/dissector.h"
#include "dissect/snmp/snmp_parser.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every message and pair the dissector reports.
struct CheckingSink : ObservationSink {
  void OnSnmp(const SnmpObservation& s) override {
    if (s.version != 0 && s.version != 1 && s.version != 3) std::abort();
    if (s.varbinds > snmp::kMaxVarbinds) std::abort();
    if (!s.community_sha256.empty() && s.community_sha256.size() != 64) std::abort();
    if (s.version == 3 && !s.community_sha256.empty()) std::abort();
    if (s.request_frame == 0 && s.response_frame == 0) std::abort();
    if (s.request_frame != 0 && s.response_frame != 0 && s.response_frame < s.request_frame) {
      std::abort();
    }
  }
  void OnIdentity(const DeviceIdentity& id) override {
    if (id.fields.empty() || id.fields.size() > 6) std::abort();
  }
};

void Parse(std::span<const uint8_t> bytes) {
  qw::core::Anomalies an;
  (void)snmp::LooksLikeSnmp(bytes);
  (void)snmp::WellFormed(bytes, an);
  auto m = snmp::ParseMessage(bytes, an);
  if (!m) return;
  snmp::VarbindReader vr(m->varbinds);
  snmp::Varbind vb;
  while (vr.Next(vb, an)) {
    qw::core::FixedText<127> text;
    (void)snmp::AppendOid(vb.oid, text);
    if (vb.value_tag == snmp::kTagOid) (void)snmp::EnterpriseNumber(vb.value);
    (void)snmp::DecodeInteger(vb.value);
    (void)snmp::DecodeUnsigned(vb.value);
  }
  if (vr.count() > snmp::kMaxVarbinds) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunUdpDatagrams("snmp", 161, std::span<const uint8_t>(data, size), sink, Parse);
  return 0;
}
