// libFuzzer target for DHCP and DHCPv6. The first byte picks the protocol (bit 0: DHCPv6);
// the rest is datagrams, each led by two bytes (bit 15: from the server side; low 15 bits:
// length), parsed alone and fed through the registered dissector behind the real
// StreamAttacher. Nothing may crash or read out of bounds, and every observation must stay
// within its bounds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/dhcp/dhcp_parser.h"
#include "dissect/dissector.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every message the dissector reports.
struct CheckingSink : ObservationSink {
  void OnDhcp(const DhcpObservation& m) override {
    const std::string_view p = m.protocol;
    if (p != "dhcp" && p != "dhcpv6") std::abort();
    if (m.host_name.size() > m.host_name.capacity() || m.fqdn.size() > m.fqdn.capacity()) {
      std::abort();
    }
    if (p == "dhcp" && m.message_type != m.inner_type) std::abort();
  }
};

void Parse(std::span<const uint8_t> bytes) {
  qw::core::Anomalies an;
  (void)dhcp::LooksLikeDhcp(bytes);
  (void)dhcp::LooksLikeDhcpv6(bytes);
  if (auto m = dhcp::ParseDhcp(bytes, an); m && m->options > 3 * dhcp::kMaxDhcpOptions) {
    std::abort();
  }
  if (auto m = dhcp::ParseDhcpv6(bytes, an); m && m->relays > dhcp::kMaxDhcpv6Relays) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool v6 = (data[0] & 1) != 0;
  qw::flow::Flow flow;
  flow.proto = 17;
  flow.initiator_ip = *qw::core::IpAddr::Parse(v6 ? "fe80::1" : "0.0.0.0");
  flow.responder_ip = *qw::core::IpAddr::Parse(v6 ? "ff02::1:2" : "255.255.255.255");
  flow.initiator_port = v6 ? 546 : 68;
  flow.responder_port = v6 ? 547 : 67;
  CheckingSink sink;
  qw::core::Anomalies anomalies;
  AttachStats stats;
  StreamAttacher attacher(
      flow, qw::dissect::Candidates(std::span(qw::fuzz::Registered(v6 ? "dhcpv6" : "dhcp", 17), 1)),
      sink, anomalies, stats);
  qw::fuzz::FeedDatagrams(attacher, std::span<const uint8_t>(data + 1, size - 1), Parse);
  return 0;
}
