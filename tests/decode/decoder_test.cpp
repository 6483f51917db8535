#include "decode/decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../fuzz/fuzz_inputs.h"
#include "capture/frame.h"
#include "core/hex.h"
#include "fixtures.h"

namespace qw::decode {
namespace {

using testing::AllFixtures;
using testing::Fixture;

std::vector<uint8_t> Bytes(const std::string& hex) {
  auto bytes = core::ParseHex(hex);
  EXPECT_TRUE(bytes.has_value()) << hex;
  return bytes.value_or(std::vector<uint8_t>{});
}

const Fixture& Get(std::string_view name) {
  for (const auto& f : AllFixtures()) {
    if (name == f.name) return f;
  }
  ADD_FAILURE() << "no fixture " << name;
  return AllFixtures().front();
}

std::vector<uint8_t> Hex(std::string_view s) { return Bytes(std::string(s)); }

// Decodes one frame with a fresh decoder; keeps the bytes alive for the Packet's views.
struct Decoded {
  std::vector<uint8_t> bytes;
  Packet p;
  core::Anomalies anomalies;
  bool ok = false;

  Decoded(uint32_t link_type, std::vector<uint8_t> frame, DecoderLimits limits = {},
          uint32_t orig_len = 0)
      : bytes(std::move(frame)) {
    Decoder decoder(limits);
    ok = decoder.Decode(link_type, core::Timestamp{1}, bytes, p, anomalies, orig_len);
  }
  explicit Decoded(const Fixture& f, DecoderLimits limits = {})
      : Decoded(f.link_type, Bytes(f.hex), limits) {}
  std::vector<uint8_t> Payload() const { return {p.payload.begin(), p.payload.end()}; }
  std::vector<uint8_t> L2Payload() const { return {p.l2_payload.begin(), p.l2_payload.end()}; }
};

core::IpAddr Ip(std::string_view text) { return core::IpAddr::Parse(text).value(); }

TEST(DecoderTest, EthernetIpv4TcpWithOptions) {
  Decoded d(Get("eth_ipv4_tcp_options"));
  ASSERT_TRUE(d.ok);
  EXPECT_TRUE(d.anomalies.counts().empty());
  EXPECT_TRUE(d.p.has_mac);
  EXPECT_EQ(d.p.src_mac.ToString(), "00:0c:29:aa:bb:cc");
  EXPECT_EQ(d.p.dst_mac.ToString(), "00:1b:1b:00:00:01");
  EXPECT_EQ(d.p.ethertype, 0x0800);
  EXPECT_EQ(d.p.l3, L3::kIpv4);
  EXPECT_EQ(d.p.src_ip, Ip("10.10.5.20"));
  EXPECT_EQ(d.p.dst_ip, Ip("10.50.1.10"));
  EXPECT_EQ(d.p.ttl, 64);
  EXPECT_EQ(d.p.ip_proto, 6);
  EXPECT_EQ(d.p.ip_total_len, 52u);
  EXPECT_EQ(d.p.l4, L4::kTcp);
  EXPECT_EQ(d.p.src_port, 50000);
  EXPECT_EQ(d.p.dst_port, 102);
  EXPECT_EQ(d.p.tcp_seq, 1u);
  EXPECT_EQ(d.p.tcp_ack, 2u);
  EXPECT_EQ(d.p.tcp_flags, kPsh | kAck);
  EXPECT_EQ(d.p.tcp_window, 8192);
  EXPECT_EQ(d.Payload(), Hex("03 00 00 04"));
  EXPECT_EQ(d.p.frame_len, 66u);
  EXPECT_FALSE(d.p.ip_fragment);
}

TEST(DecoderTest, EthernetPaddingStaysOutOfUdpPayload) {
  Decoded d(Get("eth_ipv4_udp_padded"));
  EXPECT_EQ(d.p.l4, L4::kUdp);
  EXPECT_EQ(d.p.src_port, 49152);
  EXPECT_EQ(d.p.dst_port, 161);
  EXPECT_EQ(d.Payload(), Hex("30 00"));
  EXPECT_TRUE(d.anomalies.counts().empty());
}

TEST(DecoderTest, QinQKeepsOuterAndInnerVlan) {
  Decoded d(Get("eth_qinq_88a8_8100"));
  EXPECT_EQ(d.p.vlan_count, 2);
  EXPECT_EQ(d.p.outer_vlan, 100);
  EXPECT_EQ(d.p.inner_vlan, 501);
  EXPECT_EQ(d.p.ethertype, 0x0800);
  EXPECT_EQ(d.p.l4, L4::kUdp);
}

TEST(DecoderTest, TripleTagCountsAllTags) {
  Decoded d(Get("eth_triple_tag_arp"));
  EXPECT_EQ(d.p.vlan_count, 3);
  EXPECT_EQ(d.p.outer_vlan, 100);
  EXPECT_EQ(d.p.inner_vlan, 501);
  EXPECT_EQ(d.p.l3, L3::kArp);
  EXPECT_EQ(d.p.arp.op, 1);
  EXPECT_TRUE(d.anomalies.counts().empty());
}

TEST(DecoderTest, TagsBeyondCapRaiseAnomaly) {
  DecoderLimits limits;
  limits.max_vlan_tags = 2;
  Decoded d(Get("eth_triple_tag_arp"), limits);
  EXPECT_EQ(d.p.vlan_count, 2);
  EXPECT_NE(d.p.l3, L3::kArp);
  EXPECT_EQ(d.anomalies.Count("vlan.too_many_tags"), 1u);
}

TEST(DecoderTest, ArpRequestAndReply) {
  Decoded req(Get("eth_arp_request"));
  EXPECT_EQ(req.p.l3, L3::kArp);
  EXPECT_EQ(req.p.arp.op, 1);
  EXPECT_EQ(req.p.arp.sender_mac.ToString(), "00:0c:29:aa:bb:cc");
  EXPECT_EQ(req.p.arp.sender_ip, Ip("10.10.5.20"));
  EXPECT_TRUE(req.p.arp.target_mac.IsZero());
  EXPECT_EQ(req.p.arp.target_ip, Ip("10.10.5.1"));
  Decoded rep(Get("eth_arp_reply"));
  EXPECT_EQ(rep.p.arp.op, 2);
  EXPECT_EQ(rep.p.arp.sender_mac.ToString(), "00:1b:1b:00:00:09");
  EXPECT_EQ(rep.p.arp.target_ip, Ip("10.10.5.20"));
}

TEST(DecoderTest, ArpOtherFormatLeavesInfoEmpty) {
  Decoded d(capture::kLinkEthernet, Hex(R"(
    ff ff ff ff ff ff 00 0c 29 aa bb cc 08 06
    00 06 08 00 06 04   # hardware type IEEE 802 (6): not Ethernet
    00 01 00 0c 29 aa bb cc 0a 0a 05 14 00 00 00 00 00 00 0a 0a 05 01
  )"));
  EXPECT_EQ(d.p.l3, L3::kArp);
  EXPECT_EQ(d.p.arp.op, 0);
  EXPECT_FALSE(d.p.arp.sender_ip.IsSet());
  EXPECT_EQ(d.anomalies.Count("arp.unsupported_format"), 1u);
}

TEST(DecoderTest, LlcStpPayloadTrimmedToLengthField) {
  Decoded d(Get("eth_llc_stp"));
  EXPECT_EQ(d.p.l3, L3::kStp);
  EXPECT_EQ(d.p.ethertype, 0);
  EXPECT_EQ(d.p.l2_payload.size(), 35u);  // 38 minus the 3-byte LLC header, no padding
  EXPECT_EQ(d.L2Payload().front(), 0x00);
  EXPECT_EQ(d.L2Payload().back(), 0x00);
  EXPECT_TRUE(d.anomalies.counts().empty());
}

TEST(DecoderTest, SnapCdp) {
  Decoded d(Get("eth_snap_cdp"));
  EXPECT_EQ(d.p.l3, L3::kCdp);
  EXPECT_EQ(d.L2Payload(), Hex("02 b4 00 00 00 01 00 0a 53 57 2d 31 61 62"));
}

TEST(DecoderTest, SnapWithEthertypeCarriesIp) {
  Decoded d(capture::kLinkEthernet, Bytes(R"(
    00 1b 1b 00 00 01 00 0c 29 aa bb cc
    00 26               # length 38 = 8 LLC/SNAP + 30 IPv4
    aa aa 03 00 00 00 08 00   # SNAP, RFC 1042 OUI, ethertype IPv4
  )" + testing::kIpv4Udp));
  EXPECT_EQ(d.p.l3, L3::kIpv4);
  EXPECT_EQ(d.p.l4, L4::kUdp);
}

TEST(DecoderTest, Lldp) {
  Decoded d(Get("eth_lldp"));
  EXPECT_EQ(d.p.l3, L3::kLldp);
  EXPECT_EQ(d.p.ethertype, 0x88cc);
  EXPECT_EQ(d.p.l2_payload.size(), 21u);
}

TEST(DecoderTest, OtherEthertypeKeepsBytesForDissectors) {
  Decoded d(capture::kLinkEthernet, Hex(R"(
    01 0e cf 00 00 00 00 0c 29 aa bb cc
    88 92               # PROFINET
    fe fe 05 00         # DCP identify
  )"));
  EXPECT_EQ(d.p.l3, L3::kOther);
  EXPECT_EQ(d.p.ethertype, 0x8892);
  EXPECT_EQ(d.L2Payload(), Hex("fe fe 05 00"));
}

TEST(DecoderTest, Ipv4OptionsWalked) {
  Decoded d(Get("eth_ipv4_router_alert"));
  EXPECT_EQ(d.p.l3, L3::kIpv4);
  EXPECT_EQ(d.p.ip_proto, 2);
  EXPECT_EQ(d.p.l4, L4::kOther);
  EXPECT_EQ(d.p.payload.size(), 8u);
  EXPECT_TRUE(d.anomalies.counts().empty());
}

TEST(DecoderTest, IcmpPortUnreachableQuotesUdp) {
  Decoded d(Get("eth_icmp_port_unreachable_udp"));
  EXPECT_EQ(d.p.l4, L4::kIcmp);
  EXPECT_EQ(d.p.icmp_type, 3);
  EXPECT_EQ(d.p.icmp_code, 3);
  EXPECT_EQ(d.p.icmp_quoted_l4, L4::kUdp);
  EXPECT_EQ(d.p.payload.size(), 28u);
  EXPECT_EQ(d.p.src_port, 0);  // ports belong to the ICMP packet's own transport: none
}

// An ICMP error quoting `udp_bytes` bytes of a UDP header after a full IPv4 header.
std::vector<uint8_t> IcmpQuotingUdp(size_t udp_bytes) {
  auto quoted_udp = Hex("d4 31 00 45 00 11 00 00");  // 54321 -> 69, length 17
  auto frame = Bytes(testing::kEthHeaderIpv4 + R"(
    45 00 00 00 00 02 00 00 40 01 00 00 0a 32 01 0a 0a 0a 05 14   # IPv4 (length 0: capture)
    03 03 00 00 00 00 00 00                                       # port unreachable
    45 00 00 25 00 09 00 00 40 11 00 00 0a 0a 05 14 0a 32 01 0a   # quoted IPv4, UDP
  )");
  frame.insert(frame.end(), quoted_udp.begin(),
               quoted_udp.begin() + static_cast<std::ptrdiff_t>(udp_bytes));
  return frame;
}

TEST(DecoderTest, IcmpQuotedUdpNeedsItsPorts) {
  // tshark 4.0 shows the quoted UDP layer once both ports are there, not before.
  Decoded three(capture::kLinkEthernet, IcmpQuotingUdp(3));
  EXPECT_EQ(three.p.l4, L4::kIcmp);
  EXPECT_EQ(three.p.icmp_quoted_l4, L4::kNone);
  Decoded four(capture::kLinkEthernet, IcmpQuotingUdp(4));
  EXPECT_EQ(four.p.icmp_quoted_l4, L4::kUdp);
}

TEST(DecoderTest, LayersShownOnlyWhenTsharkWouldShowThem) {
  // Measured with tshark 4.0 on crafted frames: UDP needs 4 bytes, ICMP 6, ICMPv6 1.
  auto ipv4 = [](uint8_t proto, std::string_view transport_hex) {
    auto transport = Hex(transport_hex);
    auto frame = Bytes(testing::kEthHeaderIpv4 + "45 00 00 00 00 02 00 00 40 00 00 00" +
                       "0a 32 01 0a 0a 0a 05 14");
    frame[14 + 9] = proto;
    frame.insert(frame.end(), transport.begin(), transport.end());
    return frame;
  };
  EXPECT_EQ(Decoded(capture::kLinkEthernet, ipv4(17, "c0 00 00")).p.l4, L4::kNone);
  EXPECT_EQ(Decoded(capture::kLinkEthernet, ipv4(17, "c0 00 00 a1")).p.l4, L4::kUdp);
  EXPECT_EQ(Decoded(capture::kLinkEthernet, ipv4(6, "c0 00 00")).p.l4, L4::kNone);
  EXPECT_EQ(Decoded(capture::kLinkEthernet, ipv4(6, "c0 00 00 66")).p.l4, L4::kTcp);
  EXPECT_EQ(Decoded(capture::kLinkEthernet, ipv4(1, "08 00 f7 ff 00")).p.l4, L4::kNone);
  EXPECT_EQ(Decoded(capture::kLinkEthernet, ipv4(1, "08 00 f7 ff 00 00")).p.l4, L4::kIcmp);
  Decoded v6(capture::kLinkIpv6, Hex(R"(
    60 00 00 00 00 01 3a 40   # payload 1, ICMPv6
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
    80                        # just the type
  )"));
  EXPECT_EQ(v6.p.l4, L4::kIcmpv6);
  EXPECT_EQ(v6.p.icmp_type, 128);
}

TEST(DecoderTest, Ipv6ExtensionChain) {
  Decoded d(Get("eth_ipv6_ext_chain_udp"));
  EXPECT_EQ(d.p.l3, L3::kIpv6);
  EXPECT_EQ(d.p.src_ip, Ip("fe80::1"));
  EXPECT_EQ(d.p.dst_ip, Ip("ff02::1:2"));
  EXPECT_EQ(d.p.ttl, 1);
  EXPECT_EQ(d.p.ip_proto, 17);
  EXPECT_EQ(d.p.l4, L4::kUdp);
  EXPECT_EQ(d.p.src_port, 546);
  EXPECT_EQ(d.Payload(), Hex("de ad be ef"));
  EXPECT_TRUE(d.anomalies.counts().empty());
}

TEST(DecoderTest, Ipv6ExtensionHeadersBeyondCap) {
  DecoderLimits limits;
  limits.max_ipv6_ext_headers = 2;
  Decoded d(Get("eth_ipv6_ext_chain_udp"), limits);
  EXPECT_EQ(d.p.l3, L3::kIpv6);
  EXPECT_EQ(d.p.l4, L4::kNone);
  EXPECT_EQ(d.anomalies.Count("ipv6.too_many_extension_headers"), 1u);
}

TEST(DecoderTest, Icmpv6EchoAndUnreachableQuotingTcp) {
  Decoded echo(Get("eth_ipv6_icmpv6_echo"));
  EXPECT_EQ(echo.p.l4, L4::kIcmpv6);
  EXPECT_EQ(echo.p.icmp_type, 128);
  EXPECT_EQ(echo.p.icmp_quoted_l4, L4::kNone);
  EXPECT_EQ(echo.Payload(), Hex("61 62 63 64"));
  Decoded unreach(Get("eth_ipv6_icmpv6_unreachable_tcp"));
  EXPECT_EQ(unreach.p.l4, L4::kIcmpv6);
  EXPECT_EQ(unreach.p.icmp_type, 1);
  EXPECT_EQ(unreach.p.icmp_quoted_l4, L4::kTcp);
}

TEST(DecoderTest, SixInFourKeepsOuterAddressesAndInnerTransport) {
  Decoded d(Get("eth_6in4_udp"));
  EXPECT_EQ(d.p.l3, L3::kIpv4);
  EXPECT_EQ(d.p.src_ip, Ip("192.0.2.1"));
  EXPECT_EQ(d.p.ip_proto, 41);
  EXPECT_TRUE(d.p.has_inner_ipv6);
  EXPECT_FALSE(d.p.has_inner_ipv4);
  EXPECT_EQ(d.p.inner_src_ip, Ip("2001:db8::1"));
  EXPECT_EQ(d.p.inner_ip_proto, 17);
  EXPECT_EQ(d.p.l4, L4::kUdp);
  EXPECT_EQ(d.p.dst_port, 1025);
}

TEST(DecoderTest, FourInFourAndGre) {
  Decoded ipip(Get("eth_4in4_tcp"));
  EXPECT_TRUE(ipip.p.has_inner_ipv4);
  EXPECT_EQ(ipip.p.inner_dst_ip, Ip("10.0.0.2"));
  EXPECT_EQ(ipip.p.l4, L4::kTcp);
  EXPECT_EQ(ipip.p.tcp_flags, kSyn);
  Decoded gre(Get("eth_gre_ipv4_udp"));
  EXPECT_EQ(gre.p.ip_proto, 47);
  EXPECT_TRUE(gre.p.has_inner_ipv4);
  EXPECT_EQ(gre.p.inner_src_ip, Ip("10.50.1.10"));
  EXPECT_EQ(gre.p.l4, L4::kUdp);
}

TEST(DecoderTest, LinuxCookedV1AndV2) {
  Decoded v1(Get("sll_ipv4_udp"));
  EXPECT_TRUE(v1.p.has_mac);
  EXPECT_EQ(v1.p.src_mac.ToString(), "00:0c:29:aa:bb:cc");
  EXPECT_TRUE(v1.p.dst_mac.IsZero());
  EXPECT_EQ(v1.p.l4, L4::kUdp);
  Decoded v2(Get("sll2_ipv6_udp"));
  EXPECT_TRUE(v2.p.has_mac);
  EXPECT_EQ(v2.p.l3, L3::kIpv6);
  EXPECT_EQ(v2.p.l4, L4::kUdp);
  Decoded llc(Get("sll_llc_stp"));
  EXPECT_EQ(llc.p.l3, L3::kStp);
  EXPECT_EQ(llc.p.l2_payload.size(), 35u);
}

TEST(DecoderTest, LoopbackAndRawLinkTypes) {
  for (const char* name : {"null_le_ipv4", "null_be_ipv4", "raw_ipv4", "linktype_ipv4"}) {
    Decoded d(Get(name));
    EXPECT_EQ(d.p.l3, L3::kIpv4) << name;
    EXPECT_EQ(d.p.l4, L4::kUdp) << name;
    EXPECT_FALSE(d.p.has_mac) << name;
  }
  for (const char* name : {"null_le_ipv6_darwin", "loop_ipv6", "raw_ipv6", "linktype_ipv6"}) {
    Decoded d(Get(name));
    EXPECT_EQ(d.p.l3, L3::kIpv6) << name;
    EXPECT_EQ(d.p.l4, L4::kUdp) << name;
  }
}

TEST(DecoderTest, NullHeaderHoldingEthertype) {
  Decoded d(capture::kLinkNull,
            Bytes("00 08 00 00  # 0x0800 little-endian: an ethertype, not a family\n" +
                  testing::kIpv4Udp));
  EXPECT_EQ(d.p.l3, L3::kIpv4);
  EXPECT_EQ(d.p.l4, L4::kUdp);
}

TEST(DecoderTest, TagCutAfterTciStillCounts) {
  Decoded d(capture::kLinkEthernet, Hex("ff ff ff ff ff ff 00 0c 29 aa bb cc 81 00 00 05"));
  EXPECT_EQ(d.p.vlan_count, 1);
  EXPECT_EQ(d.p.outer_vlan, 5);
  EXPECT_EQ(d.anomalies.Count("vlan.truncated"), 1u);
}

TEST(DecoderTest, UnknownLinkTypeReturnsFalse) {
  Decoded d(147, Hex("00 01 02 03"));
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.p.l3, L3::kNone);
}

TEST(DecoderTest, DecodeResetsPacket) {
  Decoder decoder;
  core::Anomalies anomalies;
  Packet p;
  auto tcp = Bytes(Get("eth_ipv4_tcp_options").hex);
  auto arp = Bytes(Get("eth_arp_request").hex);
  decoder.Decode(capture::kLinkEthernet, {}, tcp, p, anomalies);
  ASSERT_EQ(p.l4, L4::kTcp);
  decoder.Decode(capture::kLinkEthernet, {}, arp, p, anomalies);
  EXPECT_EQ(p.l4, L4::kNone);
  EXPECT_EQ(p.src_port, 0);
  EXPECT_TRUE(p.payload.empty());
  EXPECT_FALSE(p.src_ip.IsSet());
}

// --- Malformed headers, one per anomaly ---------------------------------------------------

std::vector<uint8_t> EthIpv4(std::string_view ip_hex) {
  return Bytes(testing::kEthHeaderIpv4 + std::string(ip_hex));
}

TEST(DecoderMalformedTest, Ipv4HeaderLengthBelowFive) {
  Decoded d(capture::kLinkEthernet, EthIpv4(R"(
    44 00 00 1e 00 07 00 00 40 11 00 00 0a 32 01 0a 0a 32 01 14   # IHL 4
    c0 00 00 a1 00 0a 00 00 30 00
  )"));
  EXPECT_EQ(d.p.l3, L3::kIpv4);  // tshark still shows the ip layer
  EXPECT_EQ(d.p.l4, L4::kNone);
  EXPECT_EQ(d.anomalies.Count("ipv4.bad_header_length"), 1u);
}

TEST(DecoderMalformedTest, Ipv4BadVersion) {
  Decoded d(capture::kLinkEthernet,
            EthIpv4("55 00 00 14 00 00 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02"));
  EXPECT_EQ(d.p.l3, L3::kIpv4);
  EXPECT_EQ(d.anomalies.Count("ipv4.bad_version"), 1u);
}

TEST(DecoderMalformedTest, Ipv4TotalLengthBelowHeader) {
  Decoded d(capture::kLinkEthernet, EthIpv4(R"(
    45 00 00 10 00 07 00 00 40 11 00 00 0a 32 01 0a 0a 32 01 14   # total length 16 < 20
    c0 00 00 a1 00 0a 00 00 30 00
  )"));
  EXPECT_EQ(d.p.l4, L4::kNone);
  EXPECT_EQ(d.anomalies.Count("ipv4.bad_total_length"), 1u);
}

TEST(DecoderMalformedTest, Ipv4TotalLengthBeyondCapture) {
  const std::string ip = R"(
    45 00 00 40 00 07 00 00 40 11 00 00 0a 32 01 0a 0a 32 01 14   # total length 64 > 30
    c0 00 00 a1 00 0a 00 00 30 00
  )";
  Decoded d(capture::kLinkEthernet, EthIpv4(ip));
  EXPECT_EQ(d.p.l4, L4::kUdp);  // what is there is still decoded
  EXPECT_EQ(d.anomalies.Count("ipv4.total_length_exceeds_capture"), 1u);
  // Cut by the snap length (wire length 78): expected, no anomaly.
  Decoded snapped(capture::kLinkEthernet, EthIpv4(ip), {}, 78);
  EXPECT_EQ(snapped.p.l4, L4::kUdp);
  EXPECT_TRUE(snapped.anomalies.counts().empty());
}

TEST(DecoderMalformedTest, Ipv4TotalLengthZeroTakesCapture) {
  Decoded d(capture::kLinkEthernet, EthIpv4(R"(
    45 00 00 00 00 07 00 00 40 11 00 00 0a 32 01 0a 0a 32 01 14   # total length 0 (offload)
    c0 00 00 a1 00 0a 00 00 30 00
  )"));
  EXPECT_EQ(d.p.l4, L4::kUdp);
  EXPECT_EQ(d.p.ip_total_len, 30u);
  EXPECT_TRUE(d.anomalies.counts().empty());
}

TEST(DecoderMalformedTest, Ipv4OptionLengthOverrunsHeader) {
  Decoded d(capture::kLinkEthernet, EthIpv4(R"(
    46 00 00 22 00 07 00 00 40 11 00 00 0a 32 01 0a 0a 32 01 14   # IHL 6
    44 10 00 00         # timestamp option claiming 16 bytes in a 4-byte option area
    c0 00 00 a1 00 0a 00 00 30 00
  )"));
  EXPECT_EQ(d.anomalies.Count("ipv4.bad_option"), 1u);
  EXPECT_EQ(d.p.l4, L4::kUdp);  // the option area is bounded by IHL; the rest is fine
}

TEST(DecoderMalformedTest, TcpDataOffsetBelowFive) {
  Decoded d(capture::kLinkEthernet, EthIpv4(R"(
    45 00 00 28 00 07 00 00 40 06 00 00 0a 32 01 0a 0a 32 01 14
    00 50 c3 51 00 00 00 05 00 00 00 00 40 02 ff ff 00 00 00 00   # data offset 4
  )"));
  EXPECT_EQ(d.p.l4, L4::kTcp);
  EXPECT_EQ(d.anomalies.Count("tcp.bad_header_length"), 1u);
  EXPECT_TRUE(d.p.payload.empty());
}

TEST(DecoderMalformedTest, TcpDataOffsetBeyondSegment) {
  Decoded d(capture::kLinkEthernet, EthIpv4(R"(
    45 00 00 28 00 07 00 00 40 06 00 00 0a 32 01 0a 0a 32 01 14
    00 50 c3 51 00 00 00 05 00 00 00 00 f0 02 ff ff 00 00 00 00   # data offset 15 (60 bytes)
  )"));
  EXPECT_EQ(d.anomalies.Count("tcp.bad_header_length"), 1u);
}

TEST(DecoderMalformedTest, UdpLengthMismatch) {
  Decoded longer(capture::kLinkEthernet, EthIpv4(R"(
    45 00 00 1e 00 07 00 00 40 11 00 00 0a 32 01 0a 0a 32 01 14
    c0 00 00 a1 00 40 00 00 30 00    # UDP length 64 > 10
  )"));
  EXPECT_EQ(longer.p.l4, L4::kUdp);
  EXPECT_EQ(longer.anomalies.Count("udp.bad_length"), 1u);
  Decoded shorter(capture::kLinkEthernet, EthIpv4(R"(
    45 00 00 1e 00 07 00 00 40 11 00 00 0a 32 01 0a 0a 32 01 14
    c0 00 00 a1 00 04 00 00 30 00    # UDP length 4 < 8
  )"));
  EXPECT_EQ(shorter.anomalies.Count("udp.bad_length"), 1u);
  EXPECT_TRUE(shorter.p.payload.empty());
}

TEST(DecoderMalformedTest, UdpPayloadTrimmedToUdpLength) {
  Decoded d(capture::kLinkEthernet, EthIpv4(R"(
    45 00 00 1e 00 07 00 00 40 11 00 00 0a 32 01 0a 0a 32 01 14
    c0 00 00 a1 00 09 00 00 30 00    # UDP length 9: one payload byte, one stray byte
  )"));
  EXPECT_EQ(d.Payload(), Hex("30"));
}

TEST(DecoderMalformedTest, Ipv6PayloadLengthBeyondCapture) {
  Decoded d(capture::kLinkIpv6, Hex(R"(
    60 00 00 00 00 40 11 40   # payload length 64
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
    02 22 02 23 00 0a 00 00 ab cd
  )"));
  EXPECT_EQ(d.p.l4, L4::kUdp);
  EXPECT_EQ(d.anomalies.Count("ipv6.payload_length_exceeds_capture"), 1u);
}

TEST(DecoderMalformedTest, LengthFieldBeyondFrame) {
  Decoded d(capture::kLinkEthernet, Hex(R"(
    01 80 c2 00 00 00 00 1b 1b 00 00 02
    05 dc               # length 1500, frame far shorter
    42 42 03 00 00 00 00
  )"));
  EXPECT_EQ(d.p.l3, L3::kStp);
  EXPECT_EQ(d.anomalies.Count("eth.length_exceeds_frame"), 1u);
}

TEST(DecoderMalformedTest, TruncatedLlc) {
  Decoded d(capture::kLinkEthernet, Hex("01 80 c2 00 00 00 00 1b 1b 00 00 02 00 02 42 42"));
  EXPECT_EQ(d.p.l3, L3::kOther);
  EXPECT_EQ(d.anomalies.Count("llc.truncated"), 1u);
}

// --- Truncation and replayed crashers -----------------------------------------------------

TEST(DecoderTruncationTest, EveryPrefixOfEveryFixtureIsSafe) {
  Decoder decoder;  // shared, so reassembly state carries across frames as in a capture
  for (const auto& f : AllFixtures()) {
    auto bytes = Bytes(f.hex);
    for (size_t n = 0; n <= bytes.size(); ++n) {
      // A copy of exactly n bytes, so a read past it is a real overflow under ASan.
      std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
      Packet p;
      core::Anomalies anomalies;
      EXPECT_TRUE(decoder.Decode(f.link_type, core::Timestamp{static_cast<int64_t>(n)}, prefix, p,
                                 anomalies))
          << f.name << " prefix " << n;
      EXPECT_EQ(p.frame_len, n);
      // Views never reach outside the frame.
      for (auto view : {p.payload, p.l2_payload}) {
        if (view.empty() || p.ip_reassembled) continue;
        EXPECT_GE(view.data(), prefix.data()) << f.name;
        EXPECT_LE(view.data() + view.size(), prefix.data() + prefix.size()) << f.name;
      }
      // Cut by the snap length at the same point, lengths past the end are expected.
      Packet snapped;
      core::Anomalies snapped_anomalies;
      decoder.Decode(f.link_type, {}, prefix, snapped, snapped_anomalies,
                     static_cast<uint32_t>(bytes.size()));
      EXPECT_EQ(snapped_anomalies.Count("ipv4.total_length_exceeds_capture"), 0u) << f.name;
      EXPECT_EQ(snapped_anomalies.Count("udp.bad_length"), 0u) << f.name;
    }
  }
}

TEST(DecoderTruncationTest, FullFixturesRaiseNoAnomaly) {
  for (const auto& f : AllFixtures()) {
    Decoded d(f);
    EXPECT_TRUE(d.ok) << f.name;
    EXPECT_TRUE(d.anomalies.counts().empty()) << f.name;
    EXPECT_NE(d.p.l3, L3::kNone) << f.name;
  }
}

// Every seed of fuzz_decoder and every input it crashed on, replayed in every build (the
// sanitizer build's fuzz_replay_decoder runs them only there): each decodes without fault.
TEST(DecoderRegressionTest, ReplaysFuzzSeedsAndCrashers) {
  // Same framing as tests/fuzz/fuzz_decoder.cpp: first byte picks the link type.
  static constexpr uint32_t kLinks[] = {
      capture::kLinkEthernet, capture::kLinkNull, capture::kLinkRaw,  capture::kLinkLoop,
      capture::kLinkLinuxSll, capture::kLinkIpv4, capture::kLinkIpv6, capture::kLinkLinuxSll2};
  Decoder decoder;
  size_t replayed = 0;
  for (const fuzz::FuzzInput& input : fuzz::FuzzInputs("decoder")) {
    if (input.bytes.empty()) continue;
    Packet p;
    core::Anomalies anomalies;
    std::span<const uint8_t> frame(input.bytes);
    EXPECT_TRUE(decoder.Decode(kLinks[input.bytes.front() % std::size(kLinks)], {},
                               frame.subspan(1), p, anomalies))
        << input.path;
    ++replayed;
  }
  // The seeds are in the repository: none found means the test looked in the wrong place.
  EXPECT_GT(replayed, 0u);
}

}  // namespace
}  // namespace qw::decode
