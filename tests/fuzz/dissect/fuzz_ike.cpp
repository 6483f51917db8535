// libFuzzer target for IKE. The input is UDP datagrams, each led by two bytes (bit 15: from
// the responder; low 15 bits: length), parsed alone (bare and as on port 4500, with the
// payloads of each message read) and fed through the registered dissector behind the real
// StreamAttacher, once on a flow to port 500 and once to 4500. Nothing may crash or read out
// of bounds, and every count, session and payload view must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dissect/dissector.h"
#include "dissect/ike/ike_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every count and session the dissector reports.
struct CheckingSink : ObservationSink {
  void OnPdu(const PduObservation& p) override {
    if (std::string_view(p.protocol) != "ike" || p.code == 0 || p.code > 44) std::abort();
  }
  void OnRemoteAccess(const RemoteAccessObservation& s) override {
    if (std::string_view(s.tool) != "ike" || s.frame == 0) std::abort();
    if (++sessions > 1) std::abort();  // one per flow
    for (char c : s.user.view()) {
      if (c < 0x20 || c > 0x7e) std::abort();  // the identity is written printable
    }
  }
  int sessions = 0;
};

void Parse(std::span<const uint8_t> bytes) {
  for (bool encapsulated : {false, true}) {
    const ike::Datagram d = ike::ReadDatagram(bytes, encapsulated);
    if (d.kind == ike::Kind::kIke) {
      const ike::Header& h = d.header;
      if (h.initiator_spi == 0 || (h.major != 1 && h.major != 2)) std::abort();
      if (h.length + (d.marker ? ike::kMarkerBytes : 0) != bytes.size()) std::abort();
      if (d.message.size() != h.length) std::abort();
      const ike::Payloads p = ike::ReadPayloads(d.message, h);
      if (p.vendor_id_count > ike::kMaxVendorIds) std::abort();
      auto inside = [&](std::span<const uint8_t> v) {
        return v.empty() || (v.data() >= d.message.data() &&
                             v.data() + v.size() <= d.message.data() + d.message.size());
      };
      for (size_t i = 0; i < p.vendor_id_count; ++i) {
        if (!inside(p.vendor_ids[i])) std::abort();
        size_t index = 0;
        if (ike::VendorIdName(p.vendor_ids[i], &index) && index >= ike::VendorIdCount()) {
          std::abort();
        }
      }
      if (!inside(p.id_data) || (p.id_type == 0 && !p.id_data.empty())) std::abort();
      if (p.has_suite != (p.offers > 0)) std::abort();
      (void)ike::SuiteText(h.major, p.suite);
    }
    if (d.marker && !encapsulated) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  CheckingSink bare;
  qw::fuzz::RunUdpDatagrams("ike", 500, input, bare, Parse);
  CheckingSink encapsulated;
  qw::fuzz::RunUdpDatagrams("ike", 4500, input, encapsulated, Parse);
  return 0;
}
