// Tests of the DHCP and DHCPv6 parsers and dissector: real messages of the shared captures
// (UDP payloads, annotated as tshark 4.0 dissects them; capture and frame named), made-up
// ones for option overload, hostile lengths and relays, every truncated prefix, and the
// probes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissect/dhcp/dhcp_dissector.h"
#include "dissect/dhcp/dhcp_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// The fixed part from ciaddr to the end of chaddr (ciaddr, yiaddr, siaddr, giaddr all 0).
constexpr std::string_view kZeroAddresses = R"(
  00000000 00000000 00000000 00000000)";
// sname (64) and file (128), all zero.
std::string ZeroNames() { return std::string(2 * 192, '0'); }

// dhcp/dhcp.pcap frame 1: a DHCPDISCOVER from 90:b1:1c:99:49:29 asking for 192.168.211.194,
// host name "btest.is.cool".
std::vector<uint8_t> Discover() {
  return Hex(std::string(R"(
    01 01 06 00      # op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
    00 00 07 c0      # xid 0x000007c0
    00 00 00 00      # secs 0, flags 0
  )") + std::string(kZeroAddresses) +
             R"(
    90 b1 1c 99 49 29 00 00 00 00 00 00 00 00 00 00   # chaddr
  )" + ZeroNames() +
             R"(
    63 82 53 63      # magic cookie
    35 01 01         # option 53: DHCPDISCOVER
    32 04 c0 a8 d3 c2   # option 50: requested 192.168.211.194
    0c 0d 62 74 65 73 74 2e 69 73 2e 63 6f 6f 6c   # option 12: btest.is.cool
    ff               # end
  )");
}

// dhcp/dhcp.pcap frame 2: the DHCPOFFER of 172.19.230.7 from server 128.2.6.152, vendor
// class "ArubaAP" (options trimmed to those the parser keeps, and a few it skips).
std::vector<uint8_t> Offer() {
  return Hex(std::string(R"(
    02 01 06 00 00 00 07 c0 00 00 00 00   # BOOTREPLY, xid 0x7c0
    00 00 00 00      # ciaddr
    80 02 06 61      # yiaddr 128.2.6.97
    ac 13 e6 07      # siaddr 172.19.230.7
    00 00 00 00      # giaddr
    90 b1 1c 99 49 29 00 00 00 00 00 00 00 00 00 00
  )") + ZeroNames() +
             R"(
    63 82 53 63
    35 01 02                     # DHCPOFFER
    36 04 80 02 06 98            # option 54: server 128.2.6.152
    33 04 00 00 03 84            # option 51: lease 900 s (skipped)
    3c 07 41 72 75 62 61 41 50   # option 60: ArubaAP
    ff
  )");
}

// profinet/profinet_io_cm_mixed_1.pcap frame 160: a DHCPv6 Solicit from a Windows host.
constexpr std::string_view kSolicit = R"(
  01 31 7d 40                  # Solicit, transaction 0x317d40
  00 08 00 02 00 00            # Elapsed time 0
  00 01 00 0e 00 01 00 01 18 ec ed 2c 00 a0 45 6d d3 44   # Client Identifier: DUID-LLT
  00 03 00 0c 0e 00 a0 45 00 00 00 00 00 00 00 00         # IA_NA, no addresses
  00 27 00 0a 00 08 6b 77 2d 56 4c 49 50 43               # Client FQDN: partial "kw-VLIPC"
  00 10 00 0e 00 00 01 37 00 08 4d 53 46 54 20 35 2e 30   # Vendor Class 311 "MSFT 5.0"
  00 06 00 08 00 18 00 17 00 11 00 27                     # Option Request
)";

const StreamDissectorInfo& Info(const char* name) { return Registered(name); }

TEST(DhcpParser, ReadsADiscover) {
  auto bytes = Discover();
  core::Anomalies an;
  auto m = dhcp::ParseDhcp(bytes, an);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->op, 1);
  EXPECT_EQ(m->message_type, 1);
  EXPECT_EQ(m->xid, 0x7c0u);
  EXPECT_EQ(m->client_mac.ToString(), "90:b1:1c:99:49:29");
  EXPECT_EQ(m->requested_ip.ToString(), "192.168.211.194");
  EXPECT_EQ(m->host_name.view(), "btest.is.cool");
  EXPECT_EQ(m->options, 3);
  EXPECT_TRUE(an.empty());
  EXPECT_STREQ(dhcp::MessageTypeName(m->message_type), "discover");
}

TEST(DhcpParser, ReadsAnOfferAndSkipsOptionsItDoesNotKeep) {
  auto bytes = Offer();
  core::Anomalies an;
  auto m = dhcp::ParseDhcp(bytes, an);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->op, 2);
  EXPECT_EQ(m->message_type, 2);
  EXPECT_EQ(m->yiaddr.ToString(), "128.2.6.97");
  EXPECT_EQ(m->server_id.ToString(), "128.2.6.152");
  EXPECT_EQ(m->vendor_class.view(), "ArubaAP");
  EXPECT_TRUE(an.empty());
}

TEST(DhcpParser, ReadsOptionsOverloadedIntoTheFileField) {
  // Option 52 = 1: the file field holds options too (here a host name and a client id).
  std::string file = "0c 03 61 62 63  3d 07 01 02 00 00 00 00 01  ff";
  std::string hex = "01 01 06 00 00 00 00 01 00 00 00 00" + std::string(kZeroAddresses) +
                    " 02 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00" + std::string(2 * 64, '0') +
                    file + std::string(2 * (128 - 15), '0') + " 63 82 53 63 34 01 01 35 01 03 ff";
  auto bytes = Hex(hex);
  ASSERT_EQ(bytes.size(), 236u + 4 + 7);
  core::Anomalies an;
  auto m = dhcp::ParseDhcp(bytes, an);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->message_type, 3);
  EXPECT_EQ(m->host_name.view(), "abc");
  EXPECT_EQ(m->client_id.view(), "1:020000000001");
}

TEST(DhcpParser, AnOptionRunningPastTheMessageKeepsThoseBefore) {
  auto bytes = Discover();
  bytes.pop_back();                 // no end option
  bytes[bytes.size() - 14] = 0x30;  // the host name's length now 48, past the end
  core::Anomalies an;
  auto m = dhcp::ParseDhcp(bytes, an);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->message_type, 1);
  EXPECT_EQ(m->requested_ip.ToString(), "192.168.211.194");
  EXPECT_TRUE(m->host_name.empty());
  EXPECT_EQ(an.Count("dhcp.bad_option"), 1u);
}

TEST(DhcpParser, ReadsADhcpv6Solicit) {
  auto bytes = Hex(kSolicit);
  core::Anomalies an;
  auto m = dhcp::ParseDhcpv6(bytes, an);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->msg_type, 1);
  EXPECT_EQ(m->inner_type, 1);
  EXPECT_EQ(m->transaction_id, 0x317d40u);
  EXPECT_EQ(m->client_duid.view(), "0001000118eced2c00a0456dd344");
  EXPECT_EQ(m->fqdn.view(), "kw-VLIPC");
  EXPECT_EQ(m->vendor_class.view(), "311 MSFT 5.0");
  EXPECT_FALSE(m->assigned.IsSet());
  EXPECT_TRUE(an.empty());
  EXPECT_TRUE(dhcp::LooksLikeDhcpv6(bytes));
}

TEST(DhcpParser, UnwrapsRelayedDhcpv6AndStopsAtTheHopLimit) {
  auto inner = Hex(kSolicit);
  // Relay-forward: hop count, link address, peer address, then option 9 with the Solicit.
  auto wrap = [](const std::vector<uint8_t>& msg) {
    std::vector<uint8_t> out = {12, 0};
    out.resize(out.size() + 32, 0);
    out.push_back(0);
    out.push_back(9);
    out.push_back(static_cast<uint8_t>(msg.size() >> 8));
    out.push_back(static_cast<uint8_t>(msg.size()));
    out.insert(out.end(), msg.begin(), msg.end());
    return out;
  };
  core::Anomalies an;
  auto once = dhcp::ParseDhcpv6(wrap(inner), an);
  ASSERT_TRUE(once.has_value());
  EXPECT_EQ(once->msg_type, 12);
  EXPECT_EQ(once->inner_type, 1);
  EXPECT_EQ(once->relays, 1);
  EXPECT_EQ(once->fqdn.view(), "kw-VLIPC");
  std::vector<uint8_t> deep = inner;
  for (int i = 0; i < 12; ++i) deep = wrap(deep);
  auto m = dhcp::ParseDhcpv6(deep, an);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->relays, dhcp::kMaxDhcpv6Relays);
  EXPECT_EQ(an.Count("dhcpv6.too_many_relays"), 1u);
}

TEST(DhcpParser, EveryTruncatedPrefixIsSafe) {
  for (const auto& bytes : {Discover(), Offer(), Hex(kSolicit)}) {
    ForEachPrefix(bytes, [&](std::span<const uint8_t> prefix) {
      core::Anomalies an;
      auto m = dhcp::ParseDhcp(prefix, an);
      if (m) {
        EXPECT_LE(m->host_name.size(), m->host_name.capacity());
      }
      auto v6 = dhcp::ParseDhcpv6(prefix, an);
      if (v6) {
        EXPECT_LE(v6->fqdn.size(), v6->fqdn.capacity());
      }
      (void)dhcp::LooksLikeDhcp(prefix);
      (void)dhcp::LooksLikeDhcpv6(prefix);
    });
  }
  // The fixed part is 236 octets: anything shorter is no DHCP message.
  auto d = Discover();
  core::Anomalies an;
  EXPECT_FALSE(dhcp::ParseDhcp(std::span<const uint8_t>(d).first(235), an));
}

TEST(DhcpDissector, ReportsClientAndServerAndCounts) {
  StreamHarness h(Info("dhcp"));
  auto discover = Discover();
  auto offer = Offer();
  h.Request(discover, 1);
  h.Response(offer, 2);
  ASSERT_STREQ(h.Protocol(), "dhcp");
  ASSERT_EQ(h.sink.dhcp.size(), 2u);
  EXPECT_FALSE(h.sink.dhcp[0].from_server);
  EXPECT_EQ(h.sink.dhcp[0].host_name.view(), "btest.is.cool");
  EXPECT_EQ(h.sink.dhcp[0].client_ip.ToString(), "192.168.211.194");
  EXPECT_TRUE(h.sink.dhcp[1].from_server);
  EXPECT_EQ(h.sink.dhcp[1].assigned_ip.ToString(), "128.2.6.97");
  EXPECT_EQ(h.sink.dhcp[1].vendor_class.view(), "ArubaAP");
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kRequest);
  EXPECT_EQ(h.sink.pdus[0].code, 1u);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  EXPECT_STREQ(h.sink.pdus[1].histogram, "message_types");
}

TEST(DhcpDissector, ANakIsAnException) {
  StreamHarness h(Info("dhcp"));
  auto nak = Offer();
  nak[240 + 2] = 6;  // option 53's value: DHCPNAK
  h.Response(nak, 1);
  ASSERT_EQ(h.sink.pdus.size(), 1u);
  EXPECT_TRUE(h.sink.pdus[0].exception);
  EXPECT_EQ(h.sink.pdus[0].code, 6u);
}

TEST(DhcpDissector, Dhcpv6ClientsAreReported) {
  StreamHarness h(Info("dhcpv6"));
  auto solicit = Hex(kSolicit);
  h.Request(solicit, 160);
  ASSERT_EQ(h.sink.dhcp.size(), 1u);
  EXPECT_STREQ(h.sink.dhcp[0].protocol, "dhcpv6");
  EXPECT_EQ(h.sink.dhcp[0].fqdn.view(), "kw-VLIPC");
  EXPECT_EQ(h.sink.dhcp[0].client_id.view(), "0001000118eced2c00a0456dd344");
  EXPECT_FALSE(h.sink.dhcp[0].from_server);
}

TEST(DhcpDissector, EveryTruncatedDatagramIsSafe) {
  StreamHarness h(Info("dhcp"));
  auto bytes = Discover();
  h.Request(bytes, 1);
  ForEachPrefix(bytes, [&](std::span<const uint8_t> prefix) { h.Request(prefix, 2); });
  EXPECT_GE(h.anomalies.Count("dhcp.malformed"), 1u);
  StreamHarness v6(Info("dhcpv6"));
  auto solicit = Hex(kSolicit);
  v6.Request(solicit, 1);
  ForEachPrefix(solicit, [&](std::span<const uint8_t> prefix) { v6.Request(prefix, 2); });
}

TEST(DhcpDissector, ProbesAcceptMessagesAndRefuseOtherBytes) {
  auto d = Discover();
  EXPECT_EQ(dhcp::Probe(flow::Direction::kFromInitiator, d), ProbeResult::kYes);
  EXPECT_EQ(dhcp::Probe(flow::Direction::kFromInitiator, std::span<const uint8_t>(d).first(200)),
            ProbeResult::kNo);
  std::vector<uint8_t> junk(300, 0x41);
  EXPECT_EQ(dhcp::Probe(flow::Direction::kFromInitiator, junk), ProbeResult::kNo);
  auto s = Hex(kSolicit);
  EXPECT_EQ(dhcp::ProbeV6(flow::Direction::kFromInitiator, s), ProbeResult::kYes);
  // Options that do not tile the message, or none that identifies anyone, are not DHCPv6.
  EXPECT_EQ(dhcp::ProbeV6(flow::Direction::kFromInitiator, Hex("01 00 00 01 00 08 00 05 00 00")),
            ProbeResult::kNo);
  EXPECT_EQ(dhcp::ProbeV6(flow::Direction::kFromInitiator, Hex("01 00 00 01 00 08 00 02 00 00")),
            ProbeResult::kNo);
  // A DNS query is neither.
  auto dns = Hex("59 34 01 20 00 01 00 00 00 00 00 00 01 61 00 00 01 00 01");
  EXPECT_EQ(dhcp::Probe(flow::Direction::kFromInitiator, dns), ProbeResult::kNo);
  EXPECT_EQ(dhcp::ProbeV6(flow::Direction::kFromInitiator, dns), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
