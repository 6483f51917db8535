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
  for (const auto& p : h.sink.pdus) {
    EXPECT_STREQ(p.protocol, "openvpn");
    EXPECT_STREQ(p.histogram, "opcodes");
    ++opcodes[p.code];
  }
  EXPECT_EQ(opcodes, (std::map<uint32_t, int>{{4, 1}, {5, 1}, {7, 1}, {8, 1}, {9, 2}}));
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
  EXPECT_EQ(u.sink.pdus.size(), 4u);
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
