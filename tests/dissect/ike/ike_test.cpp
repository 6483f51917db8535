// Tests of the IKE header parser and dissector: messages built for the test after RFC 7296
// section 3.1 (IKEv2) and RFC 2408 section 3.1 (IKEv1's ISAKMP header), IKEv2's initial and
// authentication exchanges, IKEv1 main and aggressive modes, the UDP encapsulation of RFC
// 3948 on port 4500 (non-ESP marker, ESP, keepalive), the payloads read (vendor IDs, IKEv1's
// identification, the SA payload's proposals and transforms), malformed and truncated
// messages, and the probe. No shared capture holds IKE; tshark 4.0 decodes the fixtures as the
// tests read them (vendor ID names, transforms, identification), apart from the filler that
// stands in for key exchange, nonce and hash data, and the SA payload of the first fixtures.
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

// IKEv1 aggressive mode, first message: a remote user's client offers 3DES with XAUTH and
// AES-256, names its user in clear, and announces XAUTH, DPD, NAT-T, Cisco Unity and one ID
// no table knows. 273 octets.
constexpr std::string_view kAggressiveClient = R"(
  a1 a2 a3 a4 a5 a6 a7 a8 00 00 00 00 00 00 00 00
  01 10 04 00 00 00 00 00 00 00 01 11   # SA first, aggressive mode, length 273
  04 00 00 58               # SA (next: KE), length 88
  00 00 00 01 00 00 00 01   # DOI IPsec, situation identity only
  00 00 00 4c 01 01 00 02   # proposal 1 (last), length 76: ISAKMP, no SPI, 2 transforms
  03 00 00 24 01 01 00 00   # transform 1 (more follow), length 36, KEY_IKE
  80 01 00 05               # encryption 3DES
  80 02 00 02               # hash SHA
  80 03 fd e9               # authentication 65001: XAUTH with pre-shared key
  80 04 00 02               # group 2 (MODP 1024)
  80 0b 00 01               # life type seconds
  00 0c 00 04 00 00 70 80   # life duration 28800 (a variable-length attribute)
  00 00 00 20 02 01 00 00   # transform 2 (last), length 32, KEY_IKE
  80 01 00 07 80 0e 01 00   # AES-CBC, key length 256
  80 02 00 04 80 03 00 01   # SHA2-256, pre-shared key
  80 04 00 0e 80 0b 00 01   # group 14, life type seconds
  0a 00 00 0c 4b 45 4b 45 4b 45 4b 45   # key exchange (next: nonce), filler
  05 00 00 0c 4e 4f 4e 43 4e 4f 4e 43   # nonce (next: ID), filler
  0d 00 00 21 03 11 01 f4   # ID (next: VID), length 33: USER_FQDN, UDP, port 500
  74 65 63 68 40 63 72 61 6e 65 2d 76 65 6e 64 6f 72 2e 65 78 61 6d 70 6c 65
                            # "tech@crane-vendor.example"
  0d 00 00 14 09 00 26 89 df d6 b7 12 80 a2 24 de c3 3b 81 e5   # VID XAUTH
  0d 00 00 14 af ca d7 13 68 a1 f1 c9 6b 86 96 fc 77 57 01 00   # VID DPD
  0d 00 00 14 4a 13 1c 81 07 03 58 45 5c 57 28 f2 0e 95 45 2f   # VID RFC 3947 NAT-T
  0d 00 00 14 12 f5 f2 8c 45 71 68 a9 70 2d 9f e2 74 cc 01 00   # VID Cisco Unity 1.0
  00 00 00 14 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66   # VID no table knows
)";
// Its answer from a NetScreen gateway: the 3DES transform chosen; identified by address.
// 212 octets.
constexpr std::string_view kAggressiveGateway = R"(
  a1 a2 a3 a4 a5 a6 a7 a8 b1 b2 b3 b4 b5 b6 b7 b8
  01 10 04 00 00 00 00 00 00 00 00 d4   # SA first, aggressive mode, length 212
  04 00 00 38 00 00 00 01 00 00 00 01   # SA, length 56, DOI IPsec, identity only
  00 00 00 2c 01 01 00 01   # proposal 1, length 44, one transform
  00 00 00 24 01 01 00 00   # transform 1, length 36
  80 01 00 05 80 02 00 02 80 03 fd e9 80 04 00 02 80 0b 00 01 00 0c 00 04 00 00 70 80
  0a 00 00 0c 4b 45 4b 45 4b 45 4b 45   # key exchange, filler
  05 00 00 0c 4e 4f 4e 43 4e 4f 4e 43   # nonce, filler
  08 00 00 0c 01 11 01 f4 c0 00 02 01   # ID (next: hash): IPV4_ADDR 192.0.2.1
  0d 00 00 18 48 41 53 48 48 41 53 48 48 41 53 48 48 41 53 48 48 41 53 48   # hash, filler
  0d 00 00 18 29 9e e8 28 9f 40 a8 97 3b c7 86 87 e2 e7 22 6b 53 2c 3b 76   # VID NetScreen
  0d 00 00 18 64 40 5f 46 f0 3b 76 60 a2 3b e1 16 a1 97 50 58 e6 9e 83 87   # VID NetScreen
  00 00 00 14 af ca d7 13 68 a1 f1 c9 6b 86 96 fc 77 57 01 00   # VID DPD
)";
// IKEv2 IKE_SA_INIT from strongSwan: two proposals (AES-GCM-16-256 with ECP-256; AES-CBC-128
// with MODP-1024). 168 octets.
constexpr std::string_view kV2Offer = R"(
  11 22 33 44 55 66 77 88 00 00 00 00 00 00 00 00
  21 20 22 08 00 00 00 00 00 00 00 a8   # SA first, IKE_SA_INIT, initiator, length 168
  22 00 00 54               # SA (next: KE), length 84
  02 00 00 24 01 01 00 03   # proposal 1 (more follow), length 36: IKE, no SPI, 3 transforms
  03 00 00 0c 01 00 00 14 80 0e 01 00   # ENCR AES-GCM-16, key length 256
  03 00 00 08 02 00 00 05   # PRF HMAC-SHA2-256
  00 00 00 08 04 00 00 13   # DH group 19 (ECP-256)
  00 00 00 2c 02 01 00 04   # proposal 2 (last), length 44, 4 transforms
  03 00 00 0c 01 00 00 0c 80 0e 00 80   # ENCR AES-CBC, key length 128
  03 00 00 08 03 00 00 02   # INTEG HMAC-SHA1-96
  03 00 00 08 02 00 00 02   # PRF HMAC-SHA1
  00 00 00 08 04 00 00 02   # DH group 2 (MODP-1024)
  28 00 00 10 00 13 00 00 4b 45 4b 45 4b 45 4b 45   # KE (next: nonce), group 19, filler
  2b 00 00 14 4e 4f 4e 43 4e 4f 4e 43 4e 4f 4e 43 4e 4f 4e 43   # nonce (next: V), filler
  00 00 00 14 88 2f e5 6d 6f d2 0d bc 22 51 61 3b 2e be 5b eb   # V strongSwan
)";
// The answer: the first proposal chosen. 124 octets.
constexpr std::string_view kV2Choice = R"(
  11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 01
  21 20 22 20 00 00 00 00 00 00 00 7c   # SA first, IKE_SA_INIT, response, length 124
  22 00 00 28 00 00 00 24 01 01 00 03   # SA, length 40; its one proposal, 3 transforms
  03 00 00 0c 01 00 00 14 80 0e 01 00 03 00 00 08 02 00 00 05 00 00 00 08 04 00 00 13
  28 00 00 10 00 13 00 00 4b 45 4b 45 4b 45 4b 45
  2b 00 00 14 4e 4f 4e 43 4e 4f 4e 43 4e 4f 4e 43 4e 4f 4e 43
  00 00 00 14 88 2f e5 6d 6f d2 0d bc 22 51 61 3b 2e be 5b eb
)";
// A vendor ID payload whose length runs past the message. 36 octets.
constexpr std::string_view kOverrun = R"(
  11 22 33 44 55 66 77 88 00 00 00 00 00 00 00 00
  2b 20 22 08 00 00 00 00 00 00 00 24   # V first, IKE_SA_INIT, length 36
  00 00 00 40 01 02 03 04   # V, length 64: 56 octets more than there are
)";
// IKEv1 main mode, fifth message: encrypted (flag E), so nothing past the header is read.
constexpr std::string_view kEncryptedMainMode = R"(
  a1 a2 a3 a4 a5 a6 a7 a8 b1 b2 b3 b4 b5 b6 b7 b8
  05 10 02 01 00 00 00 00 00 00 00 24   # ID first, main mode, encrypted, length 36
  ff ff ff ff ff ff ff ff   # ciphertext
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
  EXPECT_TRUE(IsVpnTool(h.sink.remote[0].tool));  // the policy judges it as a VPN
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

TEST(IkeParser, PayloadsOfAnIkev1AggressiveOffer) {
  const auto bytes = Hex(kAggressiveClient);
  ike::Header h;
  ASSERT_TRUE(ike::ParseMessage(bytes, h));
  const ike::Payloads p = ike::ReadPayloads(bytes, h);
  EXPECT_FALSE(p.malformed);
  EXPECT_FALSE(p.encrypted);
  ASSERT_EQ(p.vendor_id_count, 5u);
  EXPECT_STREQ(ike::VendorIdName(p.vendor_ids[0]), "XAUTH");
  EXPECT_STREQ(ike::VendorIdName(p.vendor_ids[1]), "DPD");
  EXPECT_STREQ(ike::VendorIdName(p.vendor_ids[2]), "RFC 3947 NAT-T");
  EXPECT_STREQ(ike::VendorIdName(p.vendor_ids[3]), "Cisco Unity");
  EXPECT_EQ(ike::VendorIdName(p.vendor_ids[4]), nullptr);
  EXPECT_EQ(p.id_type, ike::kIdUserFqdn);
  EXPECT_EQ(std::string(p.id_data.begin(), p.id_data.end()), "tech@crane-vendor.example");
  ASSERT_TRUE(p.has_suite);
  EXPECT_EQ(p.offers, 2);
  EXPECT_EQ(p.suite.encryption, 5);
  EXPECT_EQ(p.suite.integrity, 2);
  EXPECT_EQ(p.suite.auth, 65001);
  EXPECT_EQ(p.suite.group, 2);
  EXPECT_EQ(p.suite.key_bits, 0);
  EXPECT_EQ(ike::SuiteText(1, p.suite).view(), "3DES/SHA1/MODP-1024/PSK+XAUTH");
  EXPECT_TRUE(ike::IsWeak(1, p.suite));  // MODP-1024
}

TEST(IkeParser, PayloadsOfAnIkev2Offer) {
  const auto bytes = Hex(kV2Offer);
  ike::Header h;
  ASSERT_TRUE(ike::ParseMessage(bytes, h));
  const ike::Payloads p = ike::ReadPayloads(bytes, h);
  EXPECT_FALSE(p.malformed);
  ASSERT_EQ(p.vendor_id_count, 1u);
  EXPECT_STREQ(ike::VendorIdName(p.vendor_ids[0]), "strongSwan");
  EXPECT_EQ(p.id_type, 0);
  ASSERT_TRUE(p.has_suite);
  EXPECT_EQ(p.offers, 2);
  EXPECT_EQ(ike::SuiteText(2, p.suite).view(), "AES-GCM-16-256/PRF-HMAC-SHA2-256/ECP-256");
  EXPECT_FALSE(ike::IsWeak(2, p.suite));
  // IKE_AUTH's payloads travel encrypted; IKEv1's flag E hides all of them.
  const auto auth = Hex(kAuth);
  ASSERT_TRUE(ike::ParseMessage(auth, h));
  EXPECT_TRUE(ike::ReadPayloads(auth, h).encrypted);
  const auto main5 = Hex(kEncryptedMainMode);
  ASSERT_TRUE(ike::ParseMessage(main5, h));
  const ike::Payloads hidden = ike::ReadPayloads(main5, h);
  EXPECT_TRUE(hidden.encrypted);
  EXPECT_FALSE(hidden.malformed);
  EXPECT_EQ(hidden.id_type, 0);
}

TEST(IkeParser, SuitesAsText) {
  ike::Suite s;
  s.encryption = 12;
  s.key_bits = 128;
  s.integrity = 2;
  s.prf = 2;
  s.group = 14;
  EXPECT_EQ(ike::SuiteText(2, s).view(), "AES-CBC-128/HMAC-SHA1-96/PRF-HMAC-SHA1/MODP-2048");
  EXPECT_FALSE(ike::IsWeak(2, s));
  s.prf = 1;  // PRF-HMAC-MD5
  EXPECT_TRUE(ike::IsWeak(2, s));
  ike::Suite v1;
  v1.encryption = 99;
  v1.integrity = 4;
  v1.group = 31;
  v1.auth = 3;
  EXPECT_EQ(ike::SuiteText(1, v1).view(), "encr 99/SHA2-256/Curve25519/RSA-sig");
  EXPECT_FALSE(ike::IsWeak(1, v1));
  v1.encryption = 1;  // DES
  EXPECT_TRUE(ike::IsWeak(1, v1));
  ike::Suite null_cipher;
  null_cipher.encryption = 11;  // IKEv2 NULL; in IKEv1 numbering it is no cipher at all
  EXPECT_TRUE(ike::IsWeak(2, null_cipher));
  EXPECT_FALSE(ike::IsWeak(1, null_cipher));
  EXPECT_EQ(ike::SuiteText(1, ike::Suite{}).view(), "");
}

TEST(IkeParser, VendorIdsMatchWholeOrByTheirFixedStart) {
  // Cisco Unity and Microsoft's ID end in a version; the start is what names them.
  EXPECT_STREQ(ike::VendorIdName(Hex("12f5f28c457168a9702d9fe274cc0200")), "Cisco Unity");
  EXPECT_EQ(ike::VendorIdName(Hex("12f5f28c457168a9702d9fe274")), nullptr);
  EXPECT_STREQ(ike::VendorIdName(Hex("1e2b516905991c7d7c96fcbfb587e46100000009")),
               "Microsoft Windows");
  // The same sixteen octets alone, or with Cisco's four after them, are different IDs.
  EXPECT_STREQ(ike::VendorIdName(Hex("4048b7d56ebce88525e7de7f00d6c2d3")),
               "Microsoft L2TP/IPsec client");
  EXPECT_STREQ(ike::VendorIdName(Hex("4048b7d56ebce88525e7de7f00d6c2d380000000")),
               "Cisco fragmentation");
  EXPECT_EQ(ike::VendorIdName(Hex("4048b7d56ebce88525e7de7f00d6c2d380")), nullptr);
  size_t index = 99;
  EXPECT_STREQ(ike::VendorIdName(Hex("882fe56d6fd20dbc2251613b2ebe5beb"), &index), "strongSwan");
  EXPECT_STREQ(ike::VendorIdNameAt(index), "strongSwan");
  EXPECT_LE(ike::VendorIdCount(), 64u);
  EXPECT_EQ(ike::VendorIdName({}), nullptr);
}

TEST(IkeParser, AnOverrunningPayloadIsMalformed) {
  const auto bytes = Hex(kOverrun);
  ike::Header h;
  ASSERT_TRUE(ike::ParseMessage(bytes, h));
  const ike::Payloads p = ike::ReadPayloads(bytes, h);
  EXPECT_TRUE(p.malformed);
  EXPECT_EQ(p.vendor_id_count, 0u);
  // A proposal longer than its SA payload.
  auto sa = Hex(kV2Offer);
  sa[28 + 7] = 0x60;  // proposal 1's length: 96
  ASSERT_TRUE(ike::ParseMessage(sa, h));
  const ike::Payloads q = ike::ReadPayloads(sa, h);
  EXPECT_TRUE(q.malformed);
  EXPECT_FALSE(q.has_suite);
}

TEST(IkeParser, EveryCutOfAMessageReadsSafely) {
  // ParseMessage refuses a cut message; ReadPayloads given one anyway stays inside it.
  for (auto fixture : {kAggressiveClient, kAggressiveGateway, kV2Offer, kV2Choice}) {
    const auto whole = Hex(fixture);
    ike::Header h;
    ASSERT_TRUE(ike::ParseMessage(whole, h));
    ForEachPrefix(whole, [&](std::span<const uint8_t> p) {
      ike::Header cut;
      EXPECT_FALSE(ike::ParseMessage(p, cut));
      const ike::Payloads read = ike::ReadPayloads(p, h);
      for (size_t i = 0; i < read.vendor_id_count; ++i) {
        EXPECT_GE(read.vendor_ids[i].data(), p.data());
        EXPECT_LE(read.vendor_ids[i].data() + read.vendor_ids[i].size(), p.data() + p.size());
      }
      // Past the header, every cut lands inside a payload or before the next one's header.
      if (p.size() > 28) {
        EXPECT_TRUE(read.malformed) << p.size();
      }
    });
  }
}

TEST(IkeDissector, AnIkev1RemoteUserAndItsGateway) {
  StreamHarness h(Registered("ike"));
  h.Request(Hex(kAggressiveClient), 3);
  h.Response(Hex(kAggressiveGateway), 4);
  h.Request(Hex(kAggressiveClient), 5);  // a retransmission: its vendor IDs count once
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const RemoteAccessObservation& r = h.sink.remote[0];
  EXPECT_EQ(r.user.view(), "tech@crane-vendor.example");
  EXPECT_EQ(r.client_software.view(),
            "Cisco Unity, XAUTH, DPD, RFC 3947 NAT-T, 1 unknown vendor ID");
  EXPECT_EQ(r.server_software.view(), "Juniper NetScreen, DPD");  // two NetScreen IDs: one name
  EXPECT_EQ(r.security.view(),
            "aggressive mode, answered, 3DES/SHA1/MODP-1024/PSK+XAUTH, weak crypto");
  EXPECT_EQ(h.anomalies.Count("ike.bad_payload"), 0u);
}

TEST(IkeDissector, AnIkev2OfferAndTheChoice) {
  StreamHarness h(Registered("ike"));
  h.Request(Hex(kV2Offer), 1);
  h.Response(Hex(kV2Choice), 2);
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].security.view(), "answered, AES-GCM-16-256/PRF-HMAC-SHA2-256/ECP-256");
  EXPECT_EQ(h.sink.remote[0].client_software.view(), "strongSwan");
  EXPECT_EQ(h.sink.remote[0].server_software.view(), "strongSwan");
  EXPECT_TRUE(h.sink.remote[0].user.empty());
  // Unanswered, the initiator's first offer is what there is.
  StreamHarness alone(Registered("ike"));
  alone.Request(Hex(kV2Offer), 1);
  alone.End();
  ASSERT_EQ(alone.sink.remote.size(), 1u);
  EXPECT_EQ(alone.sink.remote[0].security.view(),
            "unanswered, offered AES-GCM-16-256/PRF-HMAC-SHA2-256/ECP-256");
  EXPECT_TRUE(alone.sink.remote[0].server_software.empty());
}

TEST(IkeDissector, AMalformedPayloadIsAnAnomaly) {
  StreamHarness h(Registered("ike"));
  h.Request(Hex(kOverrun), 1);
  h.Request(Hex(kEncryptedMainMode), 2);  // IKEv1 after IKEv2: its header is counted only
  h.End();
  EXPECT_EQ(h.anomalies.Count("ike.bad_payload"), 1u);
  EXPECT_EQ(h.sink.pdus.size(), 2u);
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].security.view(), "main mode, unanswered");
}

TEST(IkeDissector, EveryTruncatedDatagramIsSafe) {
  for (auto fixture : {kSaInit, kAggressiveClient, kV2Offer}) {
    ForEachPrefix(Hex(fixture), [&](std::span<const uint8_t> p) {
      StreamHarness h(Registered("ike"));
      h.Request(p, 1);
      h.End();
      EXPECT_TRUE(h.sink.remote.empty());  // a cut message is no IKE peer's
    });
  }
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
