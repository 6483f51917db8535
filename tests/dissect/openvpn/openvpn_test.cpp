// Tests of the OpenVPN packet parser and dissector: packets built for the test after
// OpenVPN's layout (ssl_pkt.h; the same fields Wireshark's dissector reads), a client's hard
// reset in each control-channel protection, the server's answer, control, acknowledgement
// and data packets, over TCP (length-prefixed, cut into segments) and UDP, truncated and
// malformed input, and the probes. No shared capture holds OpenVPN; the dissector's opcode
// counts were checked against tshark 4.0 on public OpenVPN traces over TCP and UDP, with and
// without tls-auth, while it was written.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

#include "dissect/openvpn/openvpn_dissector.h"
#include "dissect/openvpn/openvpn_parser.h"
#include "dissect/tls/tls_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// A client's first packet without tls-auth: 14 octets.
constexpr std::string_view kClientReset = R"(
  38                        # opcode 7 (P_CONTROL_HARD_RESET_CLIENT_V2), key id 0
  11 22 33 44 55 66 77 88   # the client's session id
  00                        # no acknowledgements
  00 00 00 00               # message packet id 0
)";
// The server's answer: it acknowledges packet 0 of the client's session.
constexpr std::string_view kServerReset = R"(
  40                        # opcode 8 (P_CONTROL_HARD_RESET_SERVER_V2), key id 0
  a1 a2 a3 a4 a5 a6 a7 a8   # the server's session id
  01                        # one acknowledgement
  00 00 00 00               # of packet 0
  11 22 33 44 55 66 77 88   # the session it acknowledges
  00 00 00 00               # message packet id 0
)";
// With tls-auth and HMAC-SHA-1: 42 octets.
constexpr std::string_view kClientResetTlsAuth = R"(
  38
  11 22 33 44 55 66 77 88
  5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a   # HMAC-SHA-1 (20 octets)
  00 00 00 01               # tls-auth packet id
  65 00 00 00               # tls-auth time
  00                        # no acknowledgements
  00 00 00 00               # message packet id 0
)";
// An OpenVPN 2.6 client announcing early negotiation flags: 20 octets.
constexpr std::string_view kClientResetEarlyNeg = R"(
  38
  11 22 33 44 55 66 77 88
  00                        # no acknowledgements
  0f 00 00 00               # message packet id EARLY_NEG_START
  00 01 00 02 00 01         # TLV: type 1 (flags), length 2, resend the wrapped key
)";
constexpr std::string_view kControl = R"(
  20                        # opcode 4 (P_CONTROL_V1), key id 0
  11 22 33 44 55 66 77 88
  00                        # no acknowledgements
  00 00 00 01               # message packet id 1
  16 03 01 00 05 01 00 00 01 00   # TLS bytes of the control channel
)";
constexpr std::string_view kAck = R"(
  28                        # opcode 5 (P_ACK_V1), key id 0
  a1 a2 a3 a4 a5 a6 a7 a8
  01 00 00 00 01 11 22 33 44 55 66 77 88
)";
constexpr std::string_view kData = R"(
  48                        # opcode 9 (P_DATA_V2), key id 0
  00 00 05                  # peer id
  c3 c3 c3 c3 c3 c3 c3 c3 c3 c3 c3 c3 c3 c3 c3 c3   # the tunnel, encrypted
)";
constexpr std::string_view kSoftReset = R"(
  19                        # opcode 3 (P_CONTROL_SOFT_RESET_V1), key id 1
  11 22 33 44 55 66 77 88 00 00 00 00 02
)";

// A V3 reset (tls-crypt-v2): session id, packet id, time, tag, encrypted fields, then the
// wrapped client key whose last two octets give its length.
std::vector<uint8_t> ClientResetV3() {
  auto b = Hex("50 11 22 33 44 55 66 77 88 00 00 00 01 65 00 00 00");
  b.resize(b.size() + 32, 0x7a);  // tag
  b.resize(b.size() + 5, 0x6b);   // encrypted acknowledgement count and packet id
  b.resize(b.size() + 98, 0x4c);  // the wrapped key
  b.push_back(0x00);
  b.push_back(100);  // its length, these two octets included
  return b;
}

// The control channel's TLS (TLS 1.2, as OpenVPN 2.4 and older, or a newer one held to 1.2,
// negotiates it): a ClientHello offering two suites, then the server's flight in one
// record: ServerHello choosing ECDHE-ECDSA-AES256-GCM-SHA384 (c02c), the certificate
// below, ServerHelloDone.
constexpr std::string_view kClientHello = R"(
  16 03 01 00 2f            # handshake record, 47 octets
  01 00 00 2b 03 03         # ClientHello, 43 octets, TLS 1.2
  aa aa aa aa aa aa aa aa aa aa aa aa aa aa aa aa
  aa aa aa aa aa aa aa aa aa aa aa aa aa aa aa aa   # random
  00 00 04 c0 2c c0 2b 01 00   # no session id, two suites, null compression
)";
constexpr std::string_view kServerHello = R"(
  02 00 00 26 03 03         # ServerHello, 38 octets, TLS 1.2
  bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb
  bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb   # random
  00 c0 2c 00               # no session id, suite c02c, null compression
)";
// A self-signed certificate made for this test (openssl req -x509 -newkey ec
// -subj "/O=Crane Maker/CN=vpn.cranemaker.example" -outform DER).
constexpr std::string_view kServerCertificate = R"(
  308201c330820169a00302010202147733e8898c3dccf03942f38a79b08bc194
  2cf5d9300a06082a8648ce3d040302303731143012060355040a0c0b4372616e
  65204d616b6572311f301d06035504030c1676706e2e6372616e656d616b6572
  2e6578616d706c65301e170d3236313132373232343134325a170d3237313132
  373232343134325a303731143012060355040a0c0b4372616e65204d616b6572
  311f301d06035504030c1676706e2e6372616e656d616b65722e6578616d706c
  653059301306072a8648ce3d020106082a8648ce3d0301070342000436bfec90
  06ff991a1ca3e7177eafdf7d94a64e97decf8b8a071cfee3d254f00aff50e7f0
  484bdbd8fb9ce10683d7c27832ada629137b58b77c1694afc712e7bea3533051
  301d0603551d0e04160414d010a3aa2204a5f20fc805da0b0efdf8196b106a30
  1f0603551d23041830168014d010a3aa2204a5f20fc805da0b0efdf8196b106a
  300f0603551d130101ff040530030101ff300a06082a8648ce3d040302034800
  304502210092e01954c0a1258aba8f8cc8a2681989b01b1a0761d2bf3f700ba6
  b89057a15d0220012d434803a99edea1815d856612e631500f9a0d4a537af594
  d84d37b0755571
)";

// The server's flight: one handshake record holding ServerHello, Certificate and
// ServerHelloDone.
std::vector<uint8_t> ServerFlight() {
  auto der = Hex(kServerCertificate);
  auto put24 = [](std::vector<uint8_t>& v, size_t n) {
    v.insert(v.end(), {static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 8),
                       static_cast<uint8_t>(n)});
  };
  std::vector<uint8_t> messages = Hex(kServerHello);
  messages.push_back(11);  // Certificate
  put24(messages, der.size() + 6);
  put24(messages, der.size() + 3);
  put24(messages, der.size());
  messages.insert(messages.end(), der.begin(), der.end());
  messages.insert(messages.end(), {14, 0, 0, 0});  // ServerHelloDone
  std::vector<uint8_t> record = {22, 3, 3, static_cast<uint8_t>(messages.size() >> 8),
                                 static_cast<uint8_t>(messages.size())};
  record.insert(record.end(), messages.begin(), messages.end());
  return record;
}

// A control packet under tls-auth with HMAC-SHA-1, as kClientResetTlsAuth (or without, as
// kClientReset): the sender's session id (the client's 11..88, the server's a1..a8), HMAC,
// replay id and time, the acknowledgements (of the peer's session), the message id and the
// TLS octets.
std::vector<uint8_t> Control(uint8_t opcode, bool from_server, std::vector<uint32_t> acks,
                             uint32_t message_id, std::span<const uint8_t> tls = {},
                             bool tls_auth = true) {
  const auto client = Hex("11 22 33 44 55 66 77 88");
  const auto server = Hex("a1 a2 a3 a4 a5 a6 a7 a8");
  std::vector<uint8_t> p = {static_cast<uint8_t>(opcode << 3)};
  const auto& own = from_server ? server : client;
  const auto& peer = from_server ? client : server;
  p.insert(p.end(), own.begin(), own.end());
  if (tls_auth) {
    p.resize(p.size() + 20, 0x5a);                   // HMAC-SHA-1
    p.insert(p.end(), {0, 0, 0, 7, 0x65, 0, 0, 0});  // replay id, time
  }
  auto put32 = [&](uint32_t v) {
    p.insert(p.end(), {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                       static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)});
  };
  p.push_back(static_cast<uint8_t>(acks.size()));
  for (uint32_t a : acks) put32(a);
  if (!acks.empty()) p.insert(p.end(), peer.begin(), peer.end());
  if (opcode != openvpn::kAckV1) put32(message_id);
  p.insert(p.end(), tls.begin(), tls.end());
  return p;
}

// `packet` with its TCP length prefix.
std::vector<uint8_t> Framed(std::span<const uint8_t> packet) {
  std::vector<uint8_t> out(2 + packet.size());
  out[0] = static_cast<uint8_t>(packet.size() >> 8);
  out[1] = static_cast<uint8_t>(packet.size());
  std::copy(packet.begin(), packet.end(), out.begin() + 2);
  return out;
}
std::vector<uint8_t> Framed(std::string_view fixture) { return Framed(Hex(fixture)); }

TEST(OpenVpnParser, PacketHeaders) {
  openvpn::Packet p;
  ASSERT_TRUE(openvpn::ParsePacket(Hex(kServerReset), p));
  EXPECT_EQ(p.opcode, openvpn::kHardResetServerV2);
  EXPECT_EQ(p.key_id, 0);
  EXPECT_TRUE(p.has_session_id);
  EXPECT_EQ(p.session_id, 0xa1a2a3a4a5a6a7a8u);
  EXPECT_EQ(p.length, 26u);
  ASSERT_TRUE(openvpn::ParsePacket(Hex(kSoftReset), p));
  EXPECT_EQ(p.opcode, openvpn::kSoftResetV1);
  EXPECT_EQ(p.key_id, 1);
  ASSERT_TRUE(openvpn::ParsePacket(Hex(kData), p));
  EXPECT_EQ(p.opcode, openvpn::kDataV2);
  EXPECT_FALSE(p.has_session_id);  // data packets carry none
  // A control packet too short for its session id is still one, without it.
  ASSERT_TRUE(openvpn::ParsePacket(Hex("20 11 22"), p));
  EXPECT_FALSE(p.has_session_id);
  EXPECT_FALSE(openvpn::ParsePacket(Hex("00 11 22"), p));  // opcode 0
  EXPECT_FALSE(openvpn::ParsePacket(Hex("60 11 22"), p));  // opcode 12
  EXPECT_FALSE(openvpn::ParsePacket({}, p));
  EXPECT_STREQ(openvpn::OpcodeName(7), "P_CONTROL_HARD_RESET_CLIENT_V2");
  EXPECT_STREQ(openvpn::OpcodeName(12), "");
}

TEST(OpenVpnParser, ClientResetsInEachProtection) {
  using P = openvpn::ControlProtection;
  auto protection = [](std::span<const uint8_t> b) {
    P p = P::kUnknown;
    return openvpn::LooksLikeClientReset(b, &p) ? p : P::kUnknown;
  };
  EXPECT_EQ(protection(Hex(kClientReset)), P::kNone);
  EXPECT_EQ(protection(Hex(kClientResetTlsAuth)), P::kTlsAuthSha1);
  EXPECT_EQ(protection(Hex(kClientResetEarlyNeg)), P::kNone);
  EXPECT_EQ(protection(ClientResetV3()), P::kTlsCryptV2);
  auto tls_crypt = Hex("38 11 22 33 44 55 66 77 88");
  tls_crypt.resize(54, 0x99);  // packet id, time, tag and encrypted fields: nothing to check
  EXPECT_EQ(protection(tls_crypt), P::kTlsAuthSha256OrTlsCrypt);
  EXPECT_STREQ(openvpn::ProtectionName(P::kTlsAuthSha1), "tls-auth (SHA-1)");
  // Not a client's first packet: the server's, another key, acknowledgements, a packet id
  // other than 0, a length no layout has, a wrapped key longer than the packet.
  EXPECT_EQ(protection(Hex(kServerReset)), P::kUnknown);
  EXPECT_EQ(protection(Hex("39 11 22 33 44 55 66 77 88 00 00 00 00 00")), P::kUnknown);
  EXPECT_EQ(protection(Hex("38 11 22 33 44 55 66 77 88 01 00 00 00 00")), P::kUnknown);
  EXPECT_EQ(protection(Hex("38 11 22 33 44 55 66 77 88 00 00 00 00 01")), P::kUnknown);
  EXPECT_EQ(protection(Hex("38 11 22 33 44 55 66 77 88 00 00 00 00 00 00")), P::kUnknown);
  auto v3 = ClientResetV3();
  v3[v3.size() - 1] = 0xff;
  EXPECT_EQ(protection(v3), P::kUnknown);
  ForEachPrefix(Hex(kClientResetTlsAuth), [&](std::span<const uint8_t> p) {
    EXPECT_EQ(protection(p), P::kUnknown) << p.size();
  });
}

TEST(OpenVpnParser, TcpFraming) {
  auto f = Framed(kClientReset);
  auto r = openvpn::ReadFramed(f);
  ASSERT_EQ(r.status, openvpn::Status::kOk);
  EXPECT_EQ(r.length, 16u);
  ForEachPrefix(f, [&](std::span<const uint8_t> p) {
    auto t = openvpn::ReadFramed(p);
    EXPECT_EQ(t.status, openvpn::Status::kNeedMore);
    EXPECT_GT(t.length, p.size());
  });
  EXPECT_EQ(openvpn::ReadFramed(Hex("00 00 38")).status, openvpn::Status::kInvalid);
}

TEST(OpenVpnDissector, TcpSessionOverSegments) {
  StreamHarness h(Registered("openvpn", 6));
  ASSERT_EQ(h.flow().proto, 6);
  auto hello = Framed(kClientResetTlsAuth);
  h.SendInChunks(flow::Direction::kFromInitiator, hello, 5, 4);
  EXPECT_STREQ(h.Protocol(), "openvpn");
  h.Response(Framed(kServerReset), 6);
  // Two packets in one segment, then data both ways.
  auto both = Framed(kAck);
  auto control = Framed(kControl);
  both.insert(both.end(), control.begin(), control.end());
  h.Request(both, 8);
  h.Response(Framed(kData), 9);
  h.Request(Framed(kData), 10);
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_STREQ(s.tool, "openvpn");
  EXPECT_TRUE(IsVpnTool(s.tool));  // the policy judges it as a VPN
  EXPECT_EQ(s.frame, 4u);
  EXPECT_EQ(s.transport, 6);
  EXPECT_EQ(s.server_port, 1194);
  EXPECT_EQ(s.client_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(s.protocol_version.view(), "v2");
  EXPECT_EQ(s.security.view(), "tls-auth (SHA-1), server answered, tunnel data");
  std::map<uint32_t, int> opcodes;
  size_t tls_records = 0;
  for (const auto& p : h.sink.pdus) {
    if (std::string_view(p.protocol) == "tls") {
      ++tls_records;
      continue;
    }
    EXPECT_STREQ(p.protocol, "openvpn");
    EXPECT_STREQ(p.histogram, "opcodes");
    ++opcodes[p.code];
  }
  EXPECT_EQ(opcodes, (std::map<uint32_t, int>{{4, 1}, {5, 1}, {7, 1}, {8, 1}, {9, 2}}));
  // The acknowledgement and control packets leave out the tls-auth fields the client's reset
  // has: the control channel is not read past the first.
  EXPECT_EQ(tls_records, 0u);
  EXPECT_EQ(h.anomalies.Count("openvpn.bad_control"), 1u);
  EXPECT_EQ(h.anomalies.Count("openvpn.bad_opcode"), 0u);
}

TEST(OpenVpnDissector, UdpSessionWithRenegotiation) {
  StreamHarness u(Registered("openvpn", 17));
  u.Request(Hex(kClientReset), 1);
  EXPECT_STREQ(u.Protocol(), "openvpn");
  u.Response(Hex(kServerReset), 2);
  u.Request(Hex(kControl), 3);
  u.Request(Hex(kSoftReset), 4);
  u.Request(Hex("ff 00 01"), 5);  // no OpenVPN packet: an anomaly, nothing counted
  u.End();
  ASSERT_EQ(u.sink.remote.size(), 1u);
  const auto& s = u.sink.remote[0];
  EXPECT_EQ(s.transport, 17);
  EXPECT_EQ(s.security.view(), "no tls-auth, server answered, keys renegotiated");
  EXPECT_EQ(u.sink.pdus.size(), 5u);  // four packets, and the TLS record of the control one
  EXPECT_EQ(u.anomalies.Count("openvpn.bad_opcode"), 1u);
}

TEST(OpenVpnDissector, AGapOrABadLengthStopsThatSide) {
  StreamHarness h(Registered("openvpn"));
  h.Request(Framed(kClientReset), 1);
  h.Gap(flow::Direction::kFromInitiator, 100);
  h.Request(Framed(kControl), 2);  // after the gap: not read
  h.Response(Hex("00 00"), 3);     // a zero length
  h.Response(Framed(kServerReset), 4);
  h.End();
  EXPECT_EQ(h.anomalies.Count("openvpn.gap"), 1u);
  EXPECT_EQ(h.anomalies.Count("openvpn.bad_length"), 1u);
  EXPECT_EQ(h.sink.pdus.size(), 1u);
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].security.view(), "no tls-auth, no server answer");
}

TEST(OpenVpnParser, ControlPackets) {
  openvpn::Control c;
  // Without tls-auth: the server's reset acknowledges the client's message 0.
  const auto server_reset = Hex(kServerReset), control = Hex(kControl), ack = Hex(kAck);
  ASSERT_TRUE(openvpn::ParseControl(server_reset, 0, c));
  EXPECT_EQ(c.opcode, openvpn::kHardResetServerV2);
  EXPECT_EQ(c.acks, 1);
  ASSERT_TRUE(c.has_message_id);
  EXPECT_EQ(c.message_id, 0u);
  EXPECT_TRUE(c.payload.empty());
  ASSERT_TRUE(openvpn::ParseControl(control, 0, c));
  EXPECT_EQ(c.message_id, 1u);
  EXPECT_EQ(c.payload.size(), 10u);
  EXPECT_EQ(c.payload[0], 0x16);
  ASSERT_TRUE(openvpn::ParseControl(ack, 0, c));
  EXPECT_FALSE(c.has_message_id);  // an acknowledgement only
  // tls-auth with SHA-1: 28 octets before the acknowledgements.
  ASSERT_EQ(openvpn::AuthBytes(openvpn::ControlProtection::kTlsAuthSha1), 28u);
  const auto hello = Hex(kClientHello);
  const auto packet = Control(openvpn::kControlV1, true, {1, 2}, 5, hello);
  ASSERT_TRUE(openvpn::ParseControl(packet, 28, c));
  EXPECT_EQ(c.acks, 2);
  EXPECT_EQ(c.message_id, 5u);
  EXPECT_TRUE(std::equal(c.payload.begin(), c.payload.end(), hello.begin(), hello.end()));
  // Encrypted reliability fields cannot be read; an unknown layout neither.
  EXPECT_FALSE(openvpn::AuthBytes(openvpn::ControlProtection::kTlsCryptV2));
  EXPECT_FALSE(openvpn::AuthBytes(openvpn::ControlProtection::kUnknown));
  // Data packets, more than eight acknowledgements, and every cut short are refused.
  EXPECT_FALSE(openvpn::ParseControl(Hex(kData), 0, c));
  EXPECT_FALSE(openvpn::ParseControl(Hex("20 11 22 33 44 55 66 77 88 09"), 0, c));
  ForEachPrefix(std::span(packet).first(packet.size() - hello.size()),
                [&](std::span<const uint8_t> p) {
                  EXPECT_FALSE(openvpn::ParseControl(p, 28, c)) << p.size();
                });
}

TEST(OpenVpnDissector, ReadsTheControlChannelsTls) {
  using openvpn::kControlV1;
  StreamHarness u(Registered("openvpn", 17));
  u.Request(Hex(kClientResetTlsAuth), 1);
  ASSERT_STREQ(u.Protocol(), "openvpn");
  u.Response(Control(openvpn::kHardResetServerV2, true, {0}, 0), 2);
  u.Request(Control(kControlV1, false, {0}, 1, Hex(kClientHello)), 3);
  // The server's flight in three messages: the third overtakes the second, which comes
  // twice, and the first is sent again.
  const auto flight = ServerFlight();
  const std::span<const uint8_t> f(flight);
  u.Response(Control(kControlV1, true, {1}, 1, f.subspan(0, 100)), 4);
  u.Response(Control(kControlV1, true, {}, 3, f.subspan(300)), 5);
  u.Request(Control(openvpn::kAckV1, false, {1, 3}, 0), 6);
  u.Response(Control(kControlV1, true, {}, 2, f.subspan(100, 200)), 7);
  u.Response(Control(kControlV1, true, {}, 2, f.subspan(100, 200)), 8);
  u.Response(Control(kControlV1, true, {}, 1, f.subspan(0, 100)), 9);
  // ChangeCipherSpec and the encrypted Finished, then OpenVPN's key exchange as
  // application data.
  u.Request(Control(kControlV1, false, {1, 2, 3}, 2,
                    Hex("14 03 03 00 01 01  16 03 03 00 04 c1 c2 c3 c4")),
            10);
  u.Request(Control(kControlV1, false, {}, 3, Hex("17 03 03 00 04 d1 d2 d3 d4")), 11);
  u.Request(Hex(kData), 12);
  u.End();
  ASSERT_EQ(u.sink.tls.size(), 1u);
  const TlsObservation& t = u.sink.tls[0];
  EXPECT_EQ(t.client_hello_frame, 3u);
  EXPECT_EQ(t.server_hello_frame, 7u);  // the frame that completed the flight's record
  EXPECT_EQ(t.server_version, 0x0303);
  EXPECT_EQ(t.cipher, 0xc02c);
  ASSERT_TRUE(t.has_certificate);
  EXPECT_EQ(t.subject.view(), "O=Crane Maker, CN=vpn.cranemaker.example");
  EXPECT_EQ(t.client_ip.ToString(), "10.0.0.1");
  EXPECT_FALSE(t.ja3.empty());
  ASSERT_EQ(u.sink.remote.size(), 1u);
  const RemoteAccessObservation& s = u.sink.remote[0];
  EXPECT_EQ(s.security.view(),
            "tls-auth (SHA-1), server answered, TLS 1.2, cipher 0xc02c, tunnel data");
  EXPECT_EQ(s.server_software.view(), "O=Crane Maker, CN=vpn.cranemaker.example");
  EXPECT_EQ(s.client_fingerprint.view(), t.ja3.view());
  EXPECT_EQ(s.server_fingerprint.view(), t.ja3s.view());
  size_t tls_records = 0;
  for (const auto& p : u.sink.pdus) tls_records += std::string_view(p.protocol) == "tls";
  EXPECT_EQ(tls_records, 5u);  // ClientHello, the flight, CCS, Finished, application data
  EXPECT_EQ(u.anomalies.Count("openvpn.bad_control"), 0u);
  EXPECT_EQ(u.anomalies.Count("tls.bad_record"), 0u);
}

TEST(OpenVpnDissector, ReadsTheControlChannelsTlsOverTcp) {
  using openvpn::kControlV1;
  StreamHarness h(Registered("openvpn", 6));
  h.Request(Framed(kClientReset), 1);
  ASSERT_STREQ(h.Protocol(), "openvpn");
  h.Response(Framed(kServerReset), 2);
  h.Request(Framed(Control(kControlV1, false, {0}, 1, Hex(kClientHello), false)), 3);
  // The server's flight in two messages, both in one stream cut into 7-octet segments.
  const auto flight = ServerFlight();
  const std::span<const uint8_t> f(flight);
  auto stream = Framed(Control(kControlV1, true, {1}, 1, f.first(260), false));
  const auto second = Framed(Control(kControlV1, true, {}, 2, f.subspan(260), false));
  stream.insert(stream.end(), second.begin(), second.end());
  h.SendInChunks(flow::Direction::kFromResponder, stream, 7, 4);
  h.End();
  ASSERT_EQ(h.sink.tls.size(), 1u);
  EXPECT_EQ(h.sink.tls[0].subject.view(), "O=Crane Maker, CN=vpn.cranemaker.example");
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].security.view(),
            "no tls-auth, server answered, TLS 1.2, cipher 0xc02c");
  EXPECT_EQ(h.sink.remote[0].server_software.view(), "O=Crane Maker, CN=vpn.cranemaker.example");
}

TEST(OpenVpnDissector, EncryptedOrLostControlMessagesAreNotRead) {
  using openvpn::kControlV1;
  // A reset of SHA-256 tls-auth's length whose control packets are tls-crypt's: no TLS
  // record where tls-auth would put one, so nothing is read and nothing raised.
  auto reset = Hex("38 11 22 33 44 55 66 77 88");
  reset.resize(54, 0x99);
  auto wrapped = Hex("20 11 22 33 44 55 66 77 88");
  wrapped.resize(140, 0x3c);
  StreamHarness u(Registered("openvpn", 17));
  u.Request(reset, 1);
  u.Request(wrapped, 2);
  u.End();
  EXPECT_TRUE(u.sink.tls.empty());
  ASSERT_EQ(u.sink.remote.size(), 1u);
  EXPECT_EQ(u.sink.remote[0].security.view(), "tls-auth (SHA-256) or tls-crypt, no server answer");
  EXPECT_EQ(u.anomalies.Count("openvpn.bad_control"), 0u);
  // Under a layout the reset showed, a control packet that does not hold together is one.
  StreamHarness b(Registered("openvpn", 17));
  b.Request(Hex(kClientResetTlsAuth), 1);
  b.Request(Hex("20 11 22 33 44 55 66 77 88 5a 5a"), 2);
  b.End();
  EXPECT_EQ(b.anomalies.Count("openvpn.bad_control"), 1u);
  // Numbered otherwise than after the resets (a reset missed, or numbered as OpenVPN 2.6
  // does for early negotiation): each side's hello starts its count.
  StreamHarness n(Registered("openvpn", 17));
  n.Request(Hex(kClientResetTlsAuth), 1);
  const auto server_flight = ServerFlight();
  const std::span<const uint8_t> sf(server_flight);
  n.Response(Control(kControlV1, true, {}, 0x0f000002, sf.subspan(200)), 2);
  n.Request(Control(kControlV1, false, {}, 0x0f000001, Hex(kClientHello)), 3);
  n.Response(Control(kControlV1, true, {}, 0x0f000001, sf.subspan(0, 200)), 4);
  n.End();
  ASSERT_EQ(n.sink.tls.size(), 1u);
  EXPECT_EQ(n.sink.tls[0].client_hello_frame, 3u);
  EXPECT_EQ(n.sink.tls[0].subject.view(), "O=Crane Maker, CN=vpn.cranemaker.example");
  // A message that never comes: those after it are held up to a bound, then dropped.
  StreamHarness l(Registered("openvpn", 17));
  l.Request(Hex(kClientResetTlsAuth), 1);
  l.Request(Control(kControlV1, false, {}, 1, Hex(kClientHello)), 2);
  const auto flight = ServerFlight();
  for (uint32_t id = 2; id < 40; ++id) {
    l.Response(Control(kControlV1, true, {}, id, std::span(flight).subspan(100, 50)), id + 1);
  }
  // The missing message comes too late: the side is no longer read.
  l.Response(Control(kControlV1, true, {}, 1, std::span(flight).subspan(0, 100)), 50);
  l.End();
  ASSERT_EQ(l.sink.tls.size(), 1u);  // the ClientHello alone
  EXPECT_EQ(l.sink.tls[0].server_hello_frame, 0u);
}

TEST(OpenVpnDissector, EveryTruncatedStreamIsSafe) {
  std::vector<uint8_t> stream = Framed(kClientReset);
  for (std::string_view p : {kControl, kAck, kData}) {
    auto f = Framed(p);
    stream.insert(stream.end(), f.begin(), f.end());
  }
  ForEachPrefix(stream, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("openvpn"));
    h.Request(p, 1);
    h.End();
    EXPECT_LE(h.sink.remote.size(), 1u);
  });
  ForEachPrefix(Hex(kClientResetTlsAuth), [&](std::span<const uint8_t> p) {
    StreamHarness u(Registered("openvpn", 17));
    u.Request(p, 1);
    u.End();
    EXPECT_TRUE(u.sink.remote.empty());  // a cut reset is no OpenVPN client's
  });
}

TEST(OpenVpnDissector, ProbesWantAClientsReset) {
  const auto c = flow::Direction::kFromInitiator;
  const auto s = flow::Direction::kFromResponder;
  EXPECT_EQ(openvpn::ProbeTcp(c, Framed(kClientReset)), ProbeResult::kYes);
  EXPECT_EQ(openvpn::ProbeTcp(c, Framed(ClientResetV3())), ProbeResult::kYes);
  EXPECT_EQ(openvpn::ProbeTcp(c, Hex("00")), ProbeResult::kMaybe);
  EXPECT_EQ(openvpn::ProbeTcp(c, Hex("00 0e")), ProbeResult::kMaybe);
  EXPECT_EQ(openvpn::ProbeTcp(c, Hex("00 0e 38 11")), ProbeResult::kMaybe);
  EXPECT_EQ(openvpn::ProbeTcp(c, Hex("00 0e 20 11")), ProbeResult::kNo);  // no reset
  EXPECT_EQ(openvpn::ProbeTcp(s, Framed(kClientReset)), ProbeResult::kNo);
  EXPECT_EQ(openvpn::ProbeTcp(c, Framed(kServerReset)), ProbeResult::kNo);
  EXPECT_EQ(openvpn::ProbeTcp(c, Hex("16 03 01 02 00 01")), ProbeResult::kNo);  // TLS
  EXPECT_EQ(openvpn::ProbeUdp(c, Hex(kClientResetEarlyNeg)), ProbeResult::kYes);
  EXPECT_EQ(openvpn::ProbeUdp(s, Hex(kClientReset)), ProbeResult::kNo);
  EXPECT_EQ(openvpn::ProbeUdp(c, Hex(kData)), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
