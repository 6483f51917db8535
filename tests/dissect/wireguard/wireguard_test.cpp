// Tests of the WireGuard message parser and dissector: the four messages built for the test
// after the WireGuard paper's layout (section 5.4: a type octet, three reserved zero octets,
// little-endian indices and counter, fixed lengths but for transport data), a handshake,
// data and keepalives, a later handshake begun by the other peer, malformed and truncated
// messages, and the probe. No shared capture holds WireGuard.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "dissect/wireguard/wireguard_dissector.h"
#include "dissect/wireguard/wireguard_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// Handshake initiation, 148 octets: type 1, sender index 0x11223344, then the ephemeral key,
// encrypted static key and timestamp, and the two MACs (not read).
std::vector<uint8_t> Initiation(uint8_t sender_low = 0x44) {
  auto b = Hex("01 00 00 00");
  b.push_back(sender_low);
  for (int v : {0x33, 0x22, 0x11}) b.push_back(static_cast<uint8_t>(v));
  b.resize(148, 0xe1);
  return b;
}
// Handshake response, 92 octets: type 2, sender 0xaabbccdd, receiver 0x11223344.
std::vector<uint8_t> Response() {
  auto b = Hex("02 00 00 00 dd cc bb aa 44 33 22 11");
  b.resize(92, 0xe2);
  return b;
}
// Cookie reply, 64 octets: type 3, receiver 0x11223344, nonce and encrypted cookie.
std::vector<uint8_t> CookieReply() {
  auto b = Hex("03 00 00 00 44 33 22 11");
  b.resize(64, 0xe3);
  return b;
}
// Transport data: type 4, receiver, counter, `payload` octets of ciphertext and the tag.
std::vector<uint8_t> Transport(uint64_t counter, size_t payload) {
  auto b = Hex("04 00 00 00 dd cc bb aa");
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(counter >> (8 * i)));
  b.resize(b.size() + payload + 16, 0xe4);
  return b;
}

TEST(WireGuardParser, EachMessage) {
  wireguard::Message m;
  ASSERT_TRUE(wireguard::ParseMessage(Initiation(), m));
  EXPECT_EQ(m.type, wireguard::kHandshakeInitiation);
  EXPECT_EQ(m.sender, 0x11223344u);
  ASSERT_TRUE(wireguard::ParseMessage(Response(), m));
  EXPECT_EQ(m.type, wireguard::kHandshakeResponse);
  EXPECT_EQ(m.sender, 0xaabbccddu);
  EXPECT_EQ(m.receiver, 0x11223344u);
  ASSERT_TRUE(wireguard::ParseMessage(CookieReply(), m));
  EXPECT_EQ(m.receiver, 0x11223344u);
  ASSERT_TRUE(wireguard::ParseMessage(Transport(0x0102030405060708, 0), m));
  EXPECT_TRUE(m.keepalive);
  EXPECT_EQ(m.counter, 0x0102030405060708u);
  ASSERT_TRUE(wireguard::ParseMessage(Transport(9, 64), m));
  EXPECT_FALSE(m.keepalive);
  EXPECT_STREQ(wireguard::TypeName(2), "handshake-response");
  EXPECT_STREQ(wireguard::TypeName(5), "");
}

TEST(WireGuardParser, WhatIsNoWireGuardMessage) {
  wireguard::Message m;
  auto reserved = Initiation();
  reserved[2] = 1;
  EXPECT_FALSE(wireguard::ParseMessage(reserved, m));
  auto longer = Initiation();
  longer.push_back(0);
  EXPECT_FALSE(wireguard::ParseMessage(longer, m));
  auto type5 = CookieReply();
  type5[0] = 5;
  EXPECT_FALSE(wireguard::ParseMessage(type5, m));
  auto unpadded = Transport(1, 16);
  unpadded.pop_back();  // ciphertext is padded to 16 octets
  EXPECT_FALSE(wireguard::ParseMessage(unpadded, m));
  for (const auto& message : {Initiation(), Response(), CookieReply(), Transport(1, 0)}) {
    ForEachPrefix(message, [&](std::span<const uint8_t> p) {
      EXPECT_FALSE(wireguard::ParseMessage(p, m)) << p.size();
    });
  }
}

TEST(WireGuardDissector, AHandshakeAndItsTunnel) {
  StreamHarness h(Registered("wireguard"));
  ASSERT_EQ(h.flow().proto, 17);
  h.Request(Initiation(), 3);
  EXPECT_STREQ(h.Protocol(), "wireguard");
  h.Response(CookieReply(), 4);  // under load: the initiator must retry with a cookie
  h.Request(Initiation(), 5);
  h.Response(Response(), 6);
  h.Request(Transport(0, 0), 7);    // keepalive
  h.Request(Transport(1, 96), 8);   // data
  h.Response(Transport(0, 48), 9);  // data
  h.Request(Hex("01 02"), 10);      // junk: an anomaly, nothing counted
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_STREQ(s.tool, "wireguard");
  EXPECT_TRUE(IsVpnTool(s.tool));  // the policy judges it as a VPN
  EXPECT_EQ(s.frame, 3u);
  EXPECT_EQ(s.transport, 17);
  EXPECT_EQ(s.client_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(s.server_port, 51820);
  EXPECT_EQ(s.security.view(),
            "handshake answered, 2 handshakes, cookie reply (responder under load), tunnel data");
  std::vector<uint32_t> types;
  for (const auto& p : h.sink.pdus) types.push_back(p.code);
  EXPECT_EQ(types, (std::vector<uint32_t>{1, 3, 1, 2, 4, 4, 4}));
  EXPECT_EQ(h.anomalies.Count("wireguard.bad_message"), 1u);
}

TEST(WireGuardDissector, ATunnelPickedUpLateAndAPeerThatBeginsLater) {
  // Only data first: the flow's initiator stands as the client.
  StreamHarness late(Registered("wireguard"));
  late.Response(Transport(7, 32), 1);
  late.Request(Transport(8, 0), 2);
  late.End();
  ASSERT_EQ(late.sink.remote.size(), 1u);
  EXPECT_EQ(late.sink.remote[0].security.view(), "picked up after the handshake, tunnel data");
  // The first handshake begun by the flow's responder: it is the client.
  StreamHarness turned(Registered("wireguard"));
  turned.Request(Transport(1, 0), 1);
  turned.Response(Initiation(), 2);
  turned.Request(Response(), 3);
  turned.End();
  ASSERT_EQ(turned.sink.remote.size(), 1u);
  EXPECT_EQ(turned.sink.remote[0].client_ip.ToString(), "10.0.0.2");
  EXPECT_EQ(turned.sink.remote[0].security.view(), "handshake answered");
}

TEST(WireGuardDissector, EveryTruncatedDatagramIsSafe) {
  ForEachPrefix(Initiation(), [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("wireguard"));
    h.Request(p, 1);
    h.End();
    EXPECT_TRUE(h.sink.remote.empty());  // a cut initiation is no WireGuard peer's
  });
}

TEST(WireGuardDissector, ProbeWantsAnInitiationOrData) {
  const auto c = flow::Direction::kFromInitiator;
  const auto s = flow::Direction::kFromResponder;
  EXPECT_EQ(wireguard::Probe(c, Initiation()), ProbeResult::kYes);
  EXPECT_EQ(wireguard::Probe(s, Initiation()), ProbeResult::kNo);
  EXPECT_EQ(wireguard::Probe(s, Transport(3, 16)), ProbeResult::kYes);
  EXPECT_EQ(wireguard::Probe(c, Response()), ProbeResult::kNo);
  EXPECT_EQ(wireguard::Probe(c, Hex("01 00 00 00 00")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
