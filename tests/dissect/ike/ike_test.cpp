// Tests of the IKE header parser and dissector: messages built for the test after RFC 7296
// section 3.1 (IKEv2) and RFC 2408 section 3.1 (IKEv1's ISAKMP header), IKEv2's initial and
// authentication exchanges, IKEv1 main and aggressive modes, the UDP encapsulation of RFC
// 3948 on port 4500 (non-ESP marker, ESP, keepalive), malformed and truncated messages, and
// the probe. No shared capture holds IKE; tshark reads the fixtures' headers as the tests do (the
// SA payload's content is filler).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "dissect/ike/ike_dissector.h"
#include "dissect/ike/ike_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// IKEv2 IKE_SA_INIT request with one (opaque) SA payload: 40 octets.
constexpr std::string_view kSaInit = R"(
  11 22 33 44 55 66 77 88   # initiator SPI
  00 00 00 00 00 00 00 00   # responder SPI: not yet known
  21                        # next payload 33: SA
  20                        # version 2.0
  22                        # exchange 34: IKE_SA_INIT
  08                        # flags: initiator
  00 00 00 00               # message id 0
  00 00 00 28               # length 40
  00 00 00 0c 01 02 03 04 05 06 07 08   # the SA payload (not read)
)";
// Its response.
constexpr std::string_view kSaInitResponse = R"(
  11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 01
  21 20 22 20               # SA, version 2.0, IKE_SA_INIT, flags: response
  00 00 00 00 00 00 00 1c   # message id 0, length 28
)";
// IKE_AUTH request: encrypted and authenticated payload (46).
constexpr std::string_view kAuth = R"(
  11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 01
  2e 20 23 08               # SK, version 2.0, IKE_AUTH, initiator
  00 00 00 01 00 00 00 1c   # message id 1, length 28
)";
// IKEv1 aggressive mode, first message: 28 octets, first payload SA (1).
constexpr std::string_view kAggressive = R"(
  a1 a2 a3 a4 a5 a6 a7 a8 00 00 00 00 00 00 00 00
  01 10 04 00               # SA, version 1.0, exchange 4: aggressive, no flags
  00 00 00 00 00 00 00 1c
)";
constexpr std::string_view kAggressiveResponse = R"(
  a1 a2 a3 a4 a5 a6 a7 a8 b1 b2 b3 b4 b5 b6 b7 b8
  01 10 04 00 00 00 00 00 00 00 00 1c
)";
constexpr std::string_view kMainMode = R"(
  a1 a2 a3 a4 a5 a6 a7 a8 00 00 00 00 00 00 00 00
  01 10 02 00 00 00 00 00 00 00 00 1c   # exchange 2: identity protection (main mode)
)";

std::vector<uint8_t> Marked(std::string_view fixture) {
  auto b = Hex("00 00 00 00");  // the non-ESP marker
  auto m = Hex(fixture);
  b.insert(b.end(), m.begin(), m.end());
  return b;
}

constexpr uint16_t kNatTraversal[] = {4500};

TEST(IkeParser, Headers) {
  ike::Header h;
  ASSERT_TRUE(ike::ParseMessage(Hex(kSaInit), h));
  EXPECT_EQ(h.initiator_spi, 0x1122334455667788u);
  EXPECT_EQ(h.responder_spi, 0u);
  EXPECT_EQ(h.major, 2);
  EXPECT_EQ(h.exchange, ike::kIkeSaInit);
  EXPECT_EQ(h.flags, ike::kFlagInitiator);
  EXPECT_EQ(h.length, 40u);
  ASSERT_TRUE(ike::ParseMessage(Hex(kAuth), h));
  EXPECT_EQ(h.message_id, 1u);
  EXPECT_EQ(h.next_payload, 46);
  ASSERT_TRUE(ike::ParseMessage(Hex(kAggressive), h));
  EXPECT_EQ(h.major, 1);
  EXPECT_STREQ(ike::ExchangeName(1, h.exchange), "aggressive-mode");
  EXPECT_STREQ(ike::ExchangeName(2, 35), "IKE_AUTH");
}

TEST(IkeParser, WhatIsNoIkeMessage) {
  ike::Header h;
  auto edit = [](std::string_view fixture, size_t at, uint8_t v) {
    auto b = Hex(fixture);
    b[at] = v;
    return b;
  };
  auto longer = Hex(kSaInitResponse);
  longer.push_back(0);  // the length field no longer says the message's length
  EXPECT_FALSE(ike::ParseMessage(longer, h));
  auto zero_spi = Hex(kSaInitResponse);
  std::fill(zero_spi.begin(), zero_spi.begin() + 8, 0);
  EXPECT_FALSE(ike::ParseMessage(zero_spi, h));
  EXPECT_FALSE(ike::ParseMessage(edit(kSaInitResponse, 17, 0x30), h));  // version 3
  EXPECT_FALSE(ike::ParseMessage(edit(kSaInitResponse, 18, 33), h));    // IKEv1's exchange
  EXPECT_FALSE(ike::ParseMessage(edit(kAggressive, 18, 7), h));         // no exchange 7
  EXPECT_FALSE(ike::ParseMessage(edit(kAggressive, 16, 14), h));        // no payload 14
  EXPECT_FALSE(ike::ParseMessage(edit(kSaInitResponse, 16, 32), h));    // nor IKEv2's 32
  ForEachPrefix(Hex(kSaInit), [&](std::span<const uint8_t> p) {
    EXPECT_FALSE(ike::ParseMessage(p, h)) << p.size();
  });
}

TEST(IkeParser, NatTraversalDatagrams) {
  auto d = ike::ReadDatagram(Marked(kAuth), true);
  EXPECT_EQ(d.kind, ike::Kind::kIke);
  EXPECT_TRUE(d.marker);
  EXPECT_EQ(d.header.exchange, ike::kIkeAuth);
  EXPECT_EQ(ike::ReadDatagram(Hex("ff"), true).kind, ike::Kind::kKeepalive);
  d = ike::ReadDatagram(Hex("c0 ff ee 01 00 00 00 05 aa bb cc dd"), true);
  EXPECT_EQ(d.kind, ike::Kind::kEsp);
  EXPECT_EQ(d.esp_spi, 0xc0ffee01u);
  EXPECT_EQ(ike::ReadDatagram(Hex("00 00 00 00"), true).kind, ike::Kind::kInvalid);
  EXPECT_EQ(ike::ReadDatagram(Hex("00 00 00 00 01 02"), true).kind, ike::Kind::kInvalid);
  EXPECT_EQ(ike::ReadDatagram(Hex("c0 ff ee"), true).kind, ike::Kind::kInvalid);
  // On port 500 there is no marker: a marked message is none.
  EXPECT_EQ(ike::ReadDatagram(Marked(kAuth), false).kind, ike::Kind::kInvalid);
  EXPECT_EQ(ike::ReadDatagram(Hex(kAuth), false).kind, ike::Kind::kIke);
}

TEST(IkeDissector, AnIkev2TunnelBehindNat) {
  StreamHarness h(Registered("ike"));
  h.Request(Hex(kSaInit), 5);
  EXPECT_STREQ(h.Protocol(), "ike");
  h.Response(Hex(kSaInitResponse), 6);
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_STREQ(h.sink.remote[0].tool, "ike");
  EXPECT_EQ(h.sink.remote[0].frame, 5u);
  EXPECT_EQ(h.sink.remote[0].server_port, 500);
  EXPECT_EQ(h.sink.remote[0].protocol_version.view(), "IKEv2");
  EXPECT_EQ(h.sink.remote[0].security.view(), "answered");
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kRequest);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  EXPECT_STREQ(h.sink.pdus[0].histogram, "exchanges");

  // The same peers move to 4500 once they see the NAT: IKE behind the marker, then ESP.
  StreamDissectorInfo on4500 = Registered("ike");
  on4500.ports = kNatTraversal;
  StreamHarness n(on4500);
  n.Request(Marked(kAuth), 7);
  EXPECT_STREQ(n.Protocol(), "ike");
  n.Request(Hex("ff"), 8);
  n.Request(Hex("c0 ff ee 01 00 00 00 01 aa bb cc dd"), 9);
  n.Response(Hex("00 00 00 00 01"), 10);  // neither IKE nor ESP: an anomaly
  n.End();
  ASSERT_EQ(n.sink.remote.size(), 1u);
  EXPECT_EQ(n.sink.remote[0].server_port, 4500);
  EXPECT_EQ(n.sink.remote[0].security.view(), "unanswered, NAT traversal, ESP");
  EXPECT_EQ(n.sink.pdus.size(), 1u);
  EXPECT_EQ(n.anomalies.Count("ike.bad_message"), 1u);
}

TEST(IkeDissector, Ikev1AggressiveModeIsNamed) {
  StreamHarness h(Registered("ike"));
  h.Request(Hex(kAggressive), 1);
  h.Response(Hex(kAggressiveResponse), 2);
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].protocol_version.view(), "IKEv1");
  EXPECT_EQ(h.sink.remote[0].security.view(), "aggressive mode, answered");
  std::vector<uint32_t> exchanges;
  for (const auto& p : h.sink.pdus) exchanges.push_back(p.code);
  EXPECT_EQ(exchanges, (std::vector<uint32_t>{4, 4}));
  StreamHarness m(Registered("ike"));
  m.Request(Hex(kMainMode), 1);
  m.End();
  ASSERT_EQ(m.sink.remote.size(), 1u);
  EXPECT_EQ(m.sink.remote[0].security.view(), "main mode, unanswered");
}

TEST(IkeDissector, EveryTruncatedDatagramIsSafe) {
  ForEachPrefix(Hex(kSaInit), [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("ike"));
    h.Request(p, 1);
    h.End();
    EXPECT_TRUE(h.sink.remote.empty());  // a cut message is no IKE peer's
  });
}

TEST(IkeDissector, ProbeWantsAWholeMessage) {
  const auto c = flow::Direction::kFromInitiator;
  EXPECT_EQ(ike::Probe(c, Hex(kSaInit)), ProbeResult::kYes);
  EXPECT_EQ(ike::Probe(flow::Direction::kFromResponder, Hex(kSaInitResponse)), ProbeResult::kYes);
  EXPECT_EQ(ike::Probe(c, Marked(kAuth)), ProbeResult::kYes);
  EXPECT_EQ(ike::Probe(c, Hex("c0 ff ee 01 00 00 00 01 aa bb cc dd")), ProbeResult::kNo);
  EXPECT_EQ(ike::Probe(c, Hex("ff")), ProbeResult::kNo);
  EXPECT_EQ(ike::Probe(c, Hex("30 26 02 01 01 04 06 70 75 62 6c 69 63")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
