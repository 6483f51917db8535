// Tests of the RDP parser and dissector: the Connection Request and Confirm of
// rdp/rdp-proprietary-encryption.pcap (frames 4 and 5: a cookie, SSL requested and refused)
// and rdp/rdp-no-cookie-mstshash.pcap (frames 7 and 9: no cookie, HYBRID_EX selected; frames
// 11 and 13: the TLS handshake CredSSP opens with, the server's certificate naming it), an MCS
// Connect Initial built for the test with its client core data, every truncated prefix, and
// the probe against an S7 connection request. tshark's view of the shared captures is
// compared in the integration test.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dissect/rdp/rdp_dissector.h"
#include "dissect/rdp/rdp_parser.h"
#include "dissect_harness.h"
#include "tls_handshake_fixtures.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::kCredSspClientHello;
using testing::kCredSspServerFlight;
using testing::Registered;
using testing::StreamHarness;

// rdp-proprietary-encryption.pcap frame 4.
constexpr std::string_view kCookieRequest = R"(
  03 00 00 2f                    # TPKT: version 3, reserved, length 47
  2a e0 00 00 00 00 00           # X.224 CR: LI 42, CR, dst-ref 0, src-ref 0, class 0
  43 6f 6f 6b 69 65 3a 20 6d 73 74 73 68 61 73 68 3d   # "Cookie: mstshash="
  46 54 42 43 4f 5c 41 37 30     # "FTBCO\A70"
  0d 0a                          # CR LF
  01 00 08 00 01 00 00 00        # RDP_NEG_REQ: flags 0, length 8, requested SSL
)";
// Frame 5: the server refuses SSL.
constexpr std::string_view kFailureConfirm = R"(
  03 00 00 13                    # TPKT, length 19
  0e d0 00 00 12 34 00           # X.224 CC: LI 14, CC, dst-ref 0, src-ref 0x1234, class 0
  03 00 08 00 02 00 00 00        # RDP_NEG_FAILURE: length 8, SSL_NOT_ALLOWED_BY_SERVER
)";
// rdp-no-cookie-mstshash.pcap frames 7 and 9.
constexpr std::string_view kPlainRequest = R"(
  03 00 00 13  0e e0 00 00 00 00 00   # TPKT, X.224 CR without a cookie
  01 00 08 00 0b 00 00 00             # RDP_NEG_REQ: SSL, HYBRID, HYBRID_EX
)";
constexpr std::string_view kHybridExConfirm = R"(
  03 00 00 13  0e d0 00 00 12 34 00   # TPKT, X.224 CC
  02 1f 08 00 08 00 00 00             # RDP_NEG_RSP: flags 0x1f, length 8, HYBRID_EX
)";
// A request for standard RDP security with a cookie, and the server's agreement.
constexpr std::string_view kStandardRequest = R"(
  03 00 00 2f  2a e0 00 00 00 00 00   # TPKT length 47, X.224 CR LI 42
  43 6f 6f 6b 69 65 3a 20 6d 73 74 73 68 61 73 68 3d   # "Cookie: mstshash="
  4a 4f 48 4e 2d 50 43 20 20 0d 0a   # "JOHN-PC  " CR LF (mstsc pads the name)
  01 00 08 00 00 00 00 00             # RDP_NEG_REQ: PROTOCOL_RDP
)";
constexpr std::string_view kStandardConfirm = R"(
  03 00 00 13  0e d0 00 00 12 34 00   # TPKT, X.224 CC
  02 00 08 00 00 00 00 00             # RDP_NEG_RSP: PROTOCOL_RDP
)";
// MCS Connect Initial with the smallest parameters BER allows and one client data block.
constexpr std::string_view kConnectInitial = R"(
  03 00 00 68                    # TPKT, length 104
  02 f0 80                       # X.224 DT: LI 2, DT, EOT
  7f 65 5e                       # MCS Connect-Initial, length 94
  04 01 01  04 01 01             # calling and called domain selectors
  01 01 ff                       # upward flag
  30 00  30 00  30 00            # target, minimum and maximum parameters (empty here)
  04 4d                          # userData, 77 octets
  00 05 00 14 7c 00 01           # GCC: key object id t124
  45                             # PER length 69
  00 08 00 10 00 01 c0 00        # Conference Create Request
  44 75 63 61                    # h221 key "Duca"
  38                             # PER length 56
  01 c0 38 00                    # CS_CORE, length 56
  04 00 08 00                    # version 0x00080004 (RDP 5.0 to 8.1)
  00 04 00 03                    # desktop 1024 x 768
  01 ca 03 aa                    # colour depth, SAS sequence
  09 04 00 00                    # keyboard layout 0x409
  28 0a 00 00                    # client build 2600
  4a 00 4f 00 48 00 4e 00 2d 00 50 00 43 00 00 00   # client name "JOHN-PC" (UTF-16LE)
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
)";

// The TPDU of a TPKT fixture (its bytes after the 4-byte TPKT header).
std::vector<uint8_t> Tpdu(std::string_view fixture) {
  auto b = Hex(fixture);
  return std::vector<uint8_t>(b.begin() + 4, b.end());
}

TEST(RdpParser, ConnectionRequestWithCookieAndNegotiation) {
  auto cr = rdp::ParseConnectionRequest(Tpdu(kCookieRequest));
  ASSERT_TRUE(cr.has_value());
  EXPECT_TRUE(cr->has_token);
  EXPECT_EQ(cr->token.view(), "Cookie: mstshash=FTBCO\\A70");
  EXPECT_TRUE(cr->has_user);
  EXPECT_EQ(cr->user.view(), "FTBCO\\A70");
  EXPECT_TRUE(cr->has_neg);
  EXPECT_EQ(cr->requested, rdp::kProtocolSsl);
  auto plain = rdp::ParseConnectionRequest(Tpdu(kPlainRequest));
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->has_token);
  EXPECT_EQ(plain->requested, 0x0bu);
}

TEST(RdpParser, RoutingTokenIsNoUser) {
  auto cr = rdp::ParseConnectionRequest(Hex(R"(
    2a e0 00 00 00 00 00                         # LI 42, CR
    43 6f 6f 6b 69 65 3a 20 6d 73 74 73 3d       # "Cookie: msts="
    33 36 34 30 32 30 35 32 32 38 2e 31 35 36 32 39 2e 30 30 30 30  # "3640205228.15629.0000"
    0d 0a                                        # CR LF
  )"));
  ASSERT_TRUE(cr.has_value());
  EXPECT_TRUE(cr->has_token);
  EXPECT_FALSE(cr->has_user);
  EXPECT_TRUE(cr->user.empty());
  EXPECT_FALSE(cr->has_neg);
}

TEST(RdpParser, MalformedRequestsAreRefused) {
  // An S7 connection request: TSAP parameters where RDP puts its cookie.
  EXPECT_FALSE(
      rdp::ParseConnectionRequest(Hex("11 e0 00 00 00 01 00  c1 02 01 00  c2 02 01 02  c0 01 0a"))
          .has_value());
  // A cookie without CR LF.
  EXPECT_FALSE(rdp::ParseConnectionRequest(Hex("0e e0 00 00 00 00 00  43 6f 6f 6b 69 65 3a 20"))
                   .has_value());
  // RDP_NEG_REQ whose length is not 8.
  EXPECT_FALSE(rdp::ParseConnectionRequest(Hex("0e e0 00 00 00 00 00  01 00 09 00 01 00 00 00"))
                   .has_value());
  // A destination reference (a CR names none yet) and a class above 0.
  EXPECT_FALSE(rdp::ParseConnectionRequest(Hex("06 e0 00 01 00 00 00")).has_value());
  EXPECT_FALSE(rdp::ParseConnectionRequest(Hex("06 e0 00 00 00 00 20")).has_value());
  // LI longer than the TPDU.
  EXPECT_FALSE(rdp::ParseConnectionRequest(Hex("0e e0 00 00 00 00 00")).has_value());
  EXPECT_TRUE(rdp::ParseConnectionRequest(Hex("06 e0 00 00 00 00 00")).has_value());
  auto request = Tpdu(kCookieRequest);
  ForEachPrefix(request, [&](std::span<const uint8_t> p) {
    EXPECT_FALSE(rdp::ParseConnectionRequest(p).has_value());
  });
}

TEST(RdpParser, ConnectionConfirms) {
  auto rsp = rdp::ParseConnectionConfirm(Tpdu(kHybridExConfirm));
  ASSERT_TRUE(rsp.has_value());
  EXPECT_EQ(rsp->neg_type, rdp::kNegResponse);
  EXPECT_EQ(rsp->neg_flags, 0x1f);
  EXPECT_EQ(rsp->selected, rdp::kProtocolHybridEx);
  auto failure = rdp::ParseConnectionConfirm(Tpdu(kFailureConfirm));
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->neg_type, rdp::kNegFailure);
  EXPECT_EQ(failure->failure_code, 2u);
  EXPECT_STREQ(rdp::FailureName(2), "ssl_not_allowed_by_server");
  auto bare = rdp::ParseConnectionConfirm(Hex("06 d0 00 00 12 34 00"));
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->neg_type, 0);
  // A request type in a confirm, and a CR where a CC belongs.
  EXPECT_FALSE(
      rdp::ParseConnectionConfirm(Hex("0e d0 00 00 12 34 00 01 00 08 00 00 00 00 00")).has_value());
  EXPECT_FALSE(rdp::ParseConnectionConfirm(Hex("06 e0 00 00 00 00 00")).has_value());
  auto confirm = Tpdu(kHybridExConfirm);
  ForEachPrefix(confirm, [&](std::span<const uint8_t> p) {
    auto cc = rdp::ParseConnectionConfirm(p);
    EXPECT_FALSE(cc.has_value() && cc->neg_type != 0);
  });
}

TEST(RdpParser, ConnectInitialClientCore) {
  auto pdu = Hex(kConnectInitial);
  const std::span<const uint8_t> user_data = std::span<const uint8_t>(pdu).subspan(7);
  ASSERT_TRUE(rdp::IsConnectInitial(user_data));
  core::Anomalies an;
  auto core = rdp::ParseConnectInitial(user_data, an);
  ASSERT_TRUE(core.has_value());
  EXPECT_EQ(core->version, 0x00080004u);
  EXPECT_EQ(core->width, 1024);
  EXPECT_EQ(core->height, 768);
  EXPECT_EQ(core->keyboard_layout, 0x409u);
  EXPECT_EQ(core->build, 2600u);
  EXPECT_EQ(core->name.view(), "JOHN-PC");
  EXPECT_STREQ(rdp::VersionName(core->version), "5.0-8.1");
  EXPECT_STREQ(rdp::VersionName(0x00080005), "10.0");
  EXPECT_STREQ(rdp::VersionName(0x00090000), "");
  ForEachPrefix(user_data, [&](std::span<const uint8_t> p) {
    core::Anomalies a;
    EXPECT_FALSE(rdp::ParseConnectInitial(p, a).has_value());
  });
  // The "Duca" key replaced: not a GCC Conference Create Request as RDP sends it.
  auto wrong = pdu;
  wrong[7 + 3 + 18 + 2 + 8 + 8] = 'X';
  core::Anomalies a;
  EXPECT_FALSE(rdp::ParseConnectInitial(std::span<const uint8_t>(wrong).subspan(7), a));
  EXPECT_EQ(a.Count("rdp.bad_connect_initial"), 1u);
}

TEST(RdpParser, FastPathAndProtocolNames) {
  EXPECT_EQ(rdp::FastPathLength(Hex("00 08 01 02 03 04 05 06")), 8u);
  EXPECT_EQ(rdp::FastPathLength(Hex("44 81 00")), 256u);        // two-octet length
  EXPECT_EQ(rdp::FastPathLength(Hex("00 81")), 0u);             // header not complete
  EXPECT_FALSE(rdp::FastPathLength(Hex("00 02")).has_value());  // no room for data
  EXPECT_FALSE(rdp::FastPathLength(Hex("03 00 00 13")).has_value());
  core::FixedText<255> t;
  rdp::AppendProtocols(0x0b, t);
  EXPECT_EQ(t.view(), "ssl,hybrid,hybrid_ex");
  t.Clear();
  rdp::AppendProtocols(0, t);
  EXPECT_EQ(t.view(), "rdp");
  t.Clear();
  rdp::AppendProtocols(0x44, t);
  EXPECT_EQ(t.view(), "rdstls,0x40");
}

TEST(RdpDissector, ReadsTheTlsHandshakeOfTheSecurityProtocol) {
  StreamHarness h(Registered("rdp"));
  h.Request(Hex(kPlainRequest), 7);
  h.Response(Hex(kHybridExConfirm), 9);
  EXPECT_TRUE(h.sink.remote.empty());  // reported with what the TLS handshake shows
  h.Request(Hex(kCredSspClientHello), 11);
  auto flight = Hex(kCredSspServerFlight);
  h.SendInChunks(flow::Direction::kFromResponder, flight, 300, 13);
  h.End();
  ASSERT_EQ(h.sink.tls.size(), 1u);
  const TlsObservation& t = h.sink.tls[0];
  EXPECT_EQ(t.client_hello_frame, 11u);
  EXPECT_EQ(t.server_version, 0x0303);
  EXPECT_EQ(t.cipher, 0x009d);
  EXPECT_EQ(t.subject.view(), "CN=CLK-456040-D.one.phoenix.gov");
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_STREQ(s.tool, "rdp");
  EXPECT_EQ(s.frame, 7u);
  EXPECT_TRUE(s.user.empty());
  EXPECT_EQ(s.security.view(),
            "requested ssl,hybrid,hybrid_ex; selected hybrid_ex; TLS 1.2, cipher 0x009d");
  EXPECT_EQ(s.server_software.view(), "CN=CLK-456040-D.one.phoenix.gov");
  EXPECT_EQ(s.client_fingerprint.view(), "c12f54a3f91dc7bafd92cb59fe009a35");
  EXPECT_EQ(s.server_fingerprint.view(), "ba1b42efc7dc57bb43bf81de59791c1b");
  EXPECT_EQ(s.client_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(s.server_port, 3389);
  size_t tls_records = 0;
  for (const auto& p : h.sink.pdus) tls_records += std::string_view(p.protocol) == "tls";
  EXPECT_EQ(tls_records, 2u);
  // Cut anywhere in the server's flight, the session is reported once, without a subject.
  ForEachPrefix(flight, [&](std::span<const uint8_t> p) {
    StreamHarness c(Registered("rdp"));
    c.Request(Hex(kPlainRequest), 7);
    c.Response(Hex(kHybridExConfirm), 9);
    c.Request(Hex(kCredSspClientHello), 11);
    c.Response(p, 13);
    c.End();
    ASSERT_EQ(c.sink.remote.size(), 1u);
    EXPECT_TRUE(c.sink.remote[0].server_software.empty());
  });
}

TEST(RdpDissector, ASessionWhoseTlsNeverComesIsStillReported) {
  // The capture ends after the negotiation; or the bytes after it are no TLS.
  StreamHarness h(Registered("rdp"));
  h.Request(Hex(kPlainRequest), 7);
  h.Response(Hex(kHybridExConfirm), 9);
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].security.view(), "requested ssl,hybrid,hybrid_ex; selected hybrid_ex");
  StreamHarness b(Registered("rdp"));
  b.Request(Hex(kPlainRequest), 7);
  b.Response(Hex(kHybridExConfirm), 9);
  b.Request(Hex("30 82 01 00 a0 03 02 01 06"), 11);  // CredSSP's TSRequest without TLS
  ASSERT_EQ(b.sink.remote.size(), 1u);
  EXPECT_EQ(b.sink.remote[0].security.view(), "requested ssl,hybrid,hybrid_ex; selected hybrid_ex");
  b.Request(Hex("16 03 03 00 8e 01 00 00 8a 03 03"), 12);  // no longer read
  b.End();
  EXPECT_EQ(b.sink.remote.size(), 1u);
  EXPECT_TRUE(b.sink.tls.empty());
  // The client's hello, then no TLS from the server: what TLS read reaches the session.
  StreamHarness c(Registered("rdp"));
  c.Request(Hex(kPlainRequest), 7);
  c.Response(Hex(kHybridExConfirm), 9);
  c.Request(Hex(kCredSspClientHello), 11);
  c.Response(Hex("30 82 01 00 a0 03 02 01 06"), 13);
  ASSERT_EQ(c.sink.tls.size(), 1u);
  ASSERT_EQ(c.sink.remote.size(), 1u);
  EXPECT_EQ(c.sink.remote[0].client_fingerprint.view(), "c12f54a3f91dc7bafd92cb59fe009a35");
  c.End();
  EXPECT_EQ(c.sink.tls.size(), 1u);
  EXPECT_EQ(c.sink.remote.size(), 1u);
  // A confirmation choosing TLS after the session was reported (standard security): the
  // session stays as reported and nothing after it is read.
  StreamHarness d(Registered("rdp"));
  d.Request(Hex(kStandardRequest), 6);
  d.Response(Hex(kStandardConfirm), 7);
  d.Request(Hex(kConnectInitial), 8);
  ASSERT_EQ(d.sink.remote.size(), 1u);
  d.Response(Hex(kHybridExConfirm), 9);
  d.Request(Hex(kCredSspClientHello), 10);
  d.End();
  EXPECT_EQ(d.sink.remote.size(), 1u);
  EXPECT_TRUE(d.sink.tls.empty());
}

TEST(RdpDissector, StandardSecurityReadsTheClientCoreData) {
  StreamHarness h(Registered("rdp"));
  h.Request(Hex(kStandardRequest), 6);
  h.Response(Hex(kStandardConfirm), 7);
  EXPECT_TRUE(h.sink.remote.empty());
  auto ci = Hex(kConnectInitial);
  h.SendInChunks(flow::Direction::kFromInitiator, ci, 50, 11);
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_EQ(s.user.view(), "JOHN-PC  ");
  EXPECT_EQ(s.security.view(), "requested rdp; selected rdp");
  EXPECT_EQ(s.protocol_version.view(), "5.0-8.1");
  EXPECT_EQ(s.client_software.view(), "RDP client build 2600, name JOHN-PC");
  int crs = 0, ccs = 0, dts = 0;
  for (const auto& p : h.sink.pdus) {
    crs += p.code == 0xe0;
    ccs += p.code == 0xd0;
    dts += p.code == 0xf0;
  }
  EXPECT_EQ(crs, 1);
  EXPECT_EQ(ccs, 1);
  EXPECT_EQ(dts, 1);
  h.Response(Hex("00 08 01 02 03 04 05 06"), 12);  // a fast-path update
  EXPECT_EQ(h.sink.pdus.back().code, 0u);
  h.End();
  EXPECT_EQ(h.sink.remote.size(), 1u);
}

TEST(RdpDissector, RefusalIsReported) {
  StreamHarness h(Registered("rdp"));
  h.Request(Hex(kCookieRequest), 4);
  h.Response(Hex(kFailureConfirm), 5);
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].user.view(), "FTBCO\\A70");
  EXPECT_EQ(h.sink.remote[0].security.view(), "requested ssl; failure 2 ssl_not_allowed_by_server");
  int failures = 0;
  for (const auto& d : h.sink.details) {
    failures += std::string_view(d.histogram) == "failure_codes" && d.code == 2;
  }
  EXPECT_EQ(failures, 1);
}

TEST(RdpDissector, EveryTruncatedStreamIsSafe) {
  std::vector<uint8_t> stream = Hex(kStandardRequest);
  auto ci = Hex(kConnectInitial);
  stream.insert(stream.end(), ci.begin(), ci.end());
  ForEachPrefix(stream, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("rdp"));
    h.Request(p, 1);
    h.End();
    EXPECT_LE(h.sink.remote.size(), 1u);
  });
}

TEST(RdpDissector, ProbeWantsAnRdpConnectionRequest) {
  const auto c = flow::Direction::kFromInitiator;
  EXPECT_EQ(rdp::Probe(c, Hex(kCookieRequest)), ProbeResult::kYes);
  EXPECT_EQ(rdp::Probe(c, Hex(kPlainRequest)), ProbeResult::kYes);
  EXPECT_EQ(rdp::Probe(c, Hex("03 00 00 2f 2a e0")), ProbeResult::kMaybe);
  EXPECT_EQ(rdp::Probe(c, Hex("03 00")), ProbeResult::kMaybe);
  EXPECT_EQ(rdp::Probe(flow::Direction::kFromResponder, Hex(kCookieRequest)), ProbeResult::kNo);
  // S7's connection request (TSAPs), a DT first, TLS.
  EXPECT_EQ(rdp::Probe(c, Hex("03 00 00 16 11 e0 00 00 00 01 00 c1 02 01 00 c2 02 01 02 c0 01 0a")),
            ProbeResult::kNo);
  EXPECT_EQ(rdp::Probe(c, Hex("03 00 00 1f 02 f0 80 32 01")), ProbeResult::kNo);
  EXPECT_EQ(rdp::Probe(c, Hex("16 03 01 00 8e 01")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
