// Tests of the RFB (VNC) parser and dissector: the handshake of vnc/vnc-scanner.pcap (3.8,
// VNC authentication refused with a reason, the server's types in three segments), the
// Apple Remote Desktop handshake of vnc/vncmac.pcap with its key shortened for the test,
// a 3.3 handshake, VeNCrypt handshakes built for the test (X.509 with a real TLS handshake,
// Plain with its user, a refused version), every truncated prefix, and the probe.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dissect/vnc/vnc_dissector.h"
#include "dissect/vnc/vnc_parser.h"
#include "dissect_harness.h"
#include "tls_handshake_fixtures.h"
#include "vnc/vnc_fixtures.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::kAppleServerInit;
using testing::kCredSspClientHello;
using testing::kCredSspServerFlight;
using testing::Registered;
using testing::StreamHarness;

std::vector<uint8_t> Bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

constexpr std::string_view kVersion38 = "52 46 42 20 30 30 33 2e 30 30 38 0a";  // "RFB 003.008\n"
// vnc-scanner.pcap frames 13 to 15: SecurityResult failed, then the reason.
constexpr std::string_view kFailedResult = R"(
  00 00 00 01                    # status 1: failed
  00 00 00 29                    # reason length 41
  41 75 74 68 65 6e 74 69 63 61 74 69 6f 6e 20 66 61 69 6c 65 64 20   # "Authentication failed "
  66 72 6f 6d 20 20 20 20 31 39 32 2e 31 36 38 2e 30 2e 31             # "from    192.168.0.1"
)";

TEST(VncParser, VersionLines) {
  auto v = vnc::ParseVersion(Hex(kVersion38));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->major, 3);
  EXPECT_EQ(v->minor, 8);
  EXPECT_EQ(v->text.view(), "003.008");
  auto apple = vnc::ParseVersion(Bytes("RFB 003.889\n"));
  ASSERT_TRUE(apple.has_value());
  EXPECT_EQ(apple->minor, 889);
  EXPECT_FALSE(vnc::ParseVersion(Bytes("RFB 003.00a\n")).has_value());
  EXPECT_FALSE(vnc::ParseVersion(Bytes("RFB 003.008\r")).has_value());
  EXPECT_FALSE(vnc::ParseVersion(Bytes("SSH-2.0-abc\n")).has_value());
  auto line = Hex(kVersion38);
  ForEachPrefix(
      line, [&](std::span<const uint8_t> p) { EXPECT_FALSE(vnc::ParseVersion(p).has_value()); });
}

TEST(VncParser, SecurityTypesResultsAndServerInit) {
  auto t = vnc::ReadSecurityTypes(Hex("02 02 10"));  // vnc-scanner frames 6 to 8
  ASSERT_EQ(t.status, vnc::Status::kOk);
  EXPECT_EQ(t.length, 3u);
  EXPECT_EQ(t.count, 2);
  EXPECT_EQ(t.types[0], 2);
  EXPECT_EQ(t.types[1], 16);
  auto part = vnc::ReadSecurityTypes(Hex("02 02"));
  EXPECT_EQ(part.status, vnc::Status::kNeedMore);
  EXPECT_EQ(part.length, 3u);
  auto refused = vnc::ReadSecurityTypes(Hex("00 00 00 00 02 6e 6f"));  // 0 types, "no"
  ASSERT_EQ(refused.status, vnc::Status::kOk);
  EXPECT_EQ(refused.reason.view(), "no");
  EXPECT_EQ(vnc::ReadSecurityTypes(Hex("00 00 01 00 00")).status, vnc::Status::kInvalid);

  auto result = vnc::ReadWord(Hex(kFailedResult), false, true);
  ASSERT_EQ(result.status, vnc::Status::kOk);
  EXPECT_EQ(result.value, 1u);
  EXPECT_EQ(result.reason.view(), "Authentication failed from    192.168.0.1");
  auto failed = Hex(kFailedResult);
  ForEachPrefix(failed, [&](std::span<const uint8_t> p) {
    auto w = vnc::ReadWord(p, false, true);
    EXPECT_EQ(w.status, vnc::Status::kNeedMore);
    EXPECT_GT(w.length, p.size());
  });
  auto ok = vnc::ReadWord(Hex("00 00 00 00"), false, true);
  EXPECT_EQ(ok.status, vnc::Status::kOk);
  EXPECT_EQ(ok.length, 4u);

  auto init = vnc::ReadServerInit(Hex(kAppleServerInit));
  ASSERT_EQ(init.status, vnc::Status::kOk);
  EXPECT_EQ(init.width, 1920);
  EXPECT_EQ(init.height, 1080);
  EXPECT_EQ(init.name.view(), "......................MacMini SSD");
  auto server_init = Hex(kAppleServerInit);
  ForEachPrefix(server_init, [&](std::span<const uint8_t> p) {
    EXPECT_EQ(vnc::ReadServerInit(p).status, vnc::Status::kNeedMore);
  });

  auto ard = vnc::ReadArdParameters(Hex("00 02 00 80"));  // vncmac frame 50: 128-octet keys
  EXPECT_EQ(ard.status, vnc::Status::kNeedMore);
  EXPECT_EQ(ard.length, 4u + 256u);
  auto reason = vnc::ReadReason(Hex("00 00 00 02 6e 6f"));
  ASSERT_EQ(reason.status, vnc::Status::kOk);
  EXPECT_EQ(reason.reason.view(), "no");
  EXPECT_EQ(vnc::ReadReason(Hex("00 00 00 02 6e")).status, vnc::Status::kNeedMore);
  EXPECT_EQ(vnc::ReadArdParameters(Hex("00 02 00 00")).status, vnc::Status::kInvalid);
  EXPECT_STREQ(vnc::SecurityTypeName(2), "VNC authentication");
  EXPECT_STREQ(vnc::SecurityTypeName(200), "");
}

TEST(VncDissector, RefusedVncAuthentication) {
  StreamHarness h(Registered("vnc"));
  h.Response(Hex(kVersion38), 4);
  h.Request(Hex(kVersion38), 5);
  h.Response(Hex("02"), 6);  // two types, in three segments
  h.Response(Hex("02"), 7);
  h.Response(Hex("10"), 8);
  h.Request(Hex("02"), 10);  // VNC authentication chosen
  h.Response(Hex("43 54 14 aa 57 35 60 3f 71 9e 3b ab 73 fd 2d e5"), 11);  // challenge
  h.Request(Hex("50 e9 31 26 e9 3f 23 ae eb c8 38 32 eb 69 af 52"), 12);   // response
  EXPECT_TRUE(h.sink.remote.empty());
  h.Response(Hex(kFailedResult), 13);
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_STREQ(s.tool, "vnc");
  EXPECT_EQ(s.frame, 4u);
  EXPECT_EQ(s.protocol_version.view(), "003.008");
  EXPECT_EQ(s.client_software.view(), "RFB 003.008");
  EXPECT_EQ(s.server_software.view(), "RFB 003.008");
  EXPECT_EQ(s.security.view(),
            "offered 2,16; chosen 2 (VNC authentication); result failed: Authentication failed "
            "from    192.168.0.1");
  EXPECT_EQ(s.server_port, 5900);
  std::vector<uint32_t> messages;
  for (const auto& p : h.sink.pdus) messages.push_back(p.code);
  EXPECT_EQ(messages, (std::vector<uint32_t>{1, 1, 2, 3, 4, 5, 8}));
  h.End();
  EXPECT_EQ(h.sink.remote.size(), 1u);
}

// The Apple Remote Desktop handshake of vncmac.pcap (stream 2) with 4-octet keys.
std::vector<std::vector<uint8_t>> AppleHandshake() {
  std::vector<uint8_t> client_ard(128, 0x5a);                // credentials
  for (uint8_t b = 1; b <= 4; ++b) client_ard.push_back(b);  // the client's public key
  return {Bytes("RFB 003.889\n"),
          Bytes("RFB 003.889\n"),
          Hex("02 1e 23"),                               // types 30 and 35
          Hex("1e"),                                     // 30 chosen
          Hex("00 02 00 04  ff ff ff fb  00 00 00 07"),  // generator 2, key length 4, prime, key
          client_ard,
          Hex("00 00 00 00"),  // SecurityResult ok
          Hex("c1"),           // ClientInit: shared
          Hex(kAppleServerInit)};
}

TEST(VncDissector, AppleRemoteDesktopReachesServerInit) {
  StreamHarness h(Registered("vnc"));
  auto msgs = AppleHandshake();
  for (size_t i = 0; i < msgs.size(); ++i) {
    // Server, client, server, client, server, client, server, client, server.
    h.Send(i % 2 == 0 ? flow::Direction::kFromResponder : flow::Direction::kFromInitiator, msgs[i],
           42 + 2 * i);
  }
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_EQ(s.protocol_version.view(), "003.889");
  EXPECT_EQ(s.server_software.view(), "RFB 003.889; desktop ......................MacMini SSD");
  EXPECT_EQ(s.security.view(), "offered 30,35; chosen 30 (Apple Remote Desktop); result ok");
  EXPECT_EQ(h.sink.pdus.back().code, 10u);  // ServerInit
}

TEST(VncDissector, FailureWithoutReasonIsStillAFailure) {
  // vncmac.pcap stream 1: Apple's server answers 1 and closes without a reason.
  StreamHarness h(Registered("vnc"));
  auto msgs = AppleHandshake();
  for (size_t i = 0; i < 6; ++i) {
    h.Send(i % 2 == 0 ? flow::Direction::kFromResponder : flow::Direction::kFromInitiator, msgs[i],
           19 + 2 * i);
  }
  h.Response(Hex("00 00 00 01"), 31);
  EXPECT_TRUE(h.sink.remote.empty());
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].security.view(),
            "offered 30,35; chosen 30 (Apple Remote Desktop); result failed");
}

TEST(VncDissector, Version33ServerDictatesTheType) {
  StreamHarness h(Registered("vnc"));
  h.Response(Bytes("RFB 003.003\n"), 1);
  h.Request(Bytes("RFB 003.003\n"), 2);
  h.Response(Hex("00 00 00 01"), 3);  // None: no SecurityResult in 3.3
  h.Request(Hex("01"), 4);            // ClientInit
  h.Response(Hex("00 10 00 10  20 18 00 01 00 ff 00 ff 00 ff 10 08 00 00 00 00  00 00 00 01 78"),
             5);
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].security.view(), "server chose 1 (none)");
  EXPECT_EQ(h.sink.remote[0].server_software.view(), "RFB 003.003; desktop x");
}

// A VeNCrypt handshake up to the subtype's acceptance: 3.8, type 19 the only one offered,
// VeNCrypt 0.2, subtypes TLSNone and X509Plain offered and `subtype` chosen; the messages
// alternate server, client from the server's version line on.
std::vector<std::vector<uint8_t>> VencryptHandshake(std::string_view subtype) {
  return {Hex(kVersion38),
          Hex(kVersion38),
          Hex("01 13"),                          // one type: 19, VeNCrypt
          Hex("13"),                             // 19 chosen
          Hex("00 02"),                          // VeNCrypt 0.2
          Hex("00 02"),                          // the client's 0.2
          Hex("00 02 00 00 01 01 00 00 01 06"),  // ok; 2 subtypes: 257 TLSNone, 262 X509Plain
          Hex(subtype)};                         // the client's subtype
}

TEST(VncDissector, VencryptX509ReadsTheTlsHandshake) {
  StreamHarness h(Registered("vnc"));
  auto msgs = VencryptHandshake("00 00 01 06");  // 262, X509Plain
  for (size_t i = 0; i < msgs.size(); ++i) {
    h.Send(i % 2 == 0 ? flow::Direction::kFromResponder : flow::Direction::kFromInitiator, msgs[i],
           i + 1);
  }
  h.Response(Hex("01"), 9);  // accepted: TLS follows
  h.Request(Hex(kCredSspClientHello), 10);
  EXPECT_TRUE(h.sink.remote.empty());  // reported with what the TLS handshake shows
  auto flight = Hex(kCredSspServerFlight);
  h.SendInChunks(flow::Direction::kFromResponder, flight, 200, 11);
  h.End();  // TLS 1.2 reports its session when application data flows, or at the end
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_STREQ(s.tool, "vnc");
  EXPECT_EQ(s.security.view(),
            "offered 19; chosen 19 (VeNCrypt); VeNCrypt 0.2 offered 257,262; chosen 262 "
            "(X509Plain); TLS 1.2, cipher 0x009d");
  EXPECT_EQ(s.server_software.view(), "RFB 003.008; certificate CN=CLK-456040-D.one.phoenix.gov");
  EXPECT_EQ(s.client_fingerprint.view(), "c12f54a3f91dc7bafd92cb59fe009a35");
  EXPECT_EQ(s.server_fingerprint.view(), "ba1b42efc7dc57bb43bf81de59791c1b");
  EXPECT_TRUE(s.user.empty());  // X509Plain sends its user inside TLS
  ASSERT_EQ(h.sink.tls.size(), 1u);
  EXPECT_EQ(h.sink.tls[0].client_hello_frame, 10u);
  EXPECT_EQ(h.sink.tls[0].subject.view(), "CN=CLK-456040-D.one.phoenix.gov");
  std::vector<uint32_t> vnc_messages;
  for (const auto& p : h.sink.pdus) {
    if (std::string_view(p.protocol) == "vnc") vnc_messages.push_back(p.code);
  }
  EXPECT_EQ(vnc_messages, (std::vector<uint32_t>{1, 1, 2, 3, 11, 11, 12, 13, 14}));
  // A refused subtype ends the exchange; nothing is taken for TLS.
  StreamHarness r(Registered("vnc"));
  for (size_t i = 0; i < msgs.size(); ++i) {
    r.Send(i % 2 == 0 ? flow::Direction::kFromResponder : flow::Direction::kFromInitiator, msgs[i],
           i + 1);
  }
  r.Response(Hex("00"), 9);
  ASSERT_EQ(r.sink.remote.size(), 1u);
  EXPECT_EQ(r.sink.remote[0].security.view(),
            "offered 19; chosen 19 (VeNCrypt); VeNCrypt 0.2 offered 257,262; chosen 262 "
            "(X509Plain); refused");
  r.End();
  EXPECT_TRUE(r.sink.tls.empty());
}

TEST(VncDissector, VencryptPlainShowsTheUserAndNeverThePassword) {
  StreamHarness h(Registered("vnc"));
  auto msgs = VencryptHandshake("00 00 01 00");  // 256, Plain
  // The client's credentials: user "crane-op", password "hunter2", in clear.
  msgs.push_back(Hex("00 00 00 08 00 00 00 07 63 72 61 6e 65 2d 6f 70 68 75 6e 74 65 72 32"));
  for (size_t i = 0; i < msgs.size(); ++i) {
    // Server, client, ..., then the client's credentials after its subtype.
    const bool server = i % 2 == 0 && i + 1 < msgs.size();
    h.Send(server ? flow::Direction::kFromResponder : flow::Direction::kFromInitiator, msgs[i],
           i + 1);
  }
  h.Response(Hex("00 00 00 00"), 10);  // SecurityResult ok
  h.Request(Hex("01"), 11);            // ClientInit
  h.Response(Hex("04 00 03 00  20 18 00 01 00 ff 00 ff 00 ff 10 08 00 00 00 00"
                 "00 00 00 05 63 72 61 6e 65"),  // 1024 x 768, pixel format, name "crane"
             12);
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_EQ(s.user.view(), "crane-op");
  EXPECT_EQ(s.security.view(),
            "offered 19; chosen 19 (VeNCrypt); VeNCrypt 0.2 offered 257,262; chosen 256 "
            "(Plain); password in clear; result ok");
  EXPECT_EQ(s.server_software.view(), "RFB 003.008; desktop crane");
  for (const auto* text : {&s.security, &s.client_software, &s.server_software}) {
    EXPECT_EQ(text->view().find("hunter2"), std::string_view::npos);
  }
  EXPECT_TRUE(h.sink.tls.empty());
  // Lengths past kMaxTextBytes are refused, not read.
  EXPECT_EQ(vnc::ReadPlainCredentials(Hex("00 00 10 01 00 00 00 00")).status,
            vnc::Status::kInvalid);
  EXPECT_EQ(vnc::ReadPlainCredentials(Hex("00 00 00 01 00 00 10 01")).status,
            vnc::Status::kInvalid);
  auto creds = msgs.back();
  ForEachPrefix(creds, [&](std::span<const uint8_t> p) {
    EXPECT_EQ(vnc::ReadPlainCredentials(p).status, vnc::Status::kNeedMore);
  });
}

TEST(VncDissector, VencryptRefusedVersionEndsTheExchange) {
  auto t = vnc::ReadVencryptSubtypes(Hex("ff"));
  EXPECT_EQ(t.status, vnc::Status::kOk);
  EXPECT_EQ(t.ack, 0xff);
  EXPECT_EQ(t.length, 1u);
  auto list = Hex("00 02 00 00 01 01 00 00 01 06");
  auto full = vnc::ReadVencryptSubtypes(list);
  ASSERT_EQ(full.status, vnc::Status::kOk);
  EXPECT_EQ(full.count, 2);
  EXPECT_EQ(full.subtypes[1], 262u);
  ForEachPrefix(list, [&](std::span<const uint8_t> p) {
    EXPECT_EQ(vnc::ReadVencryptSubtypes(p).status, vnc::Status::kNeedMore);
  });
  StreamHarness h(Registered("vnc"));
  auto msgs = VencryptHandshake("00 00 01 06");
  msgs[4] = Hex("00 03");  // VeNCrypt 0.3
  msgs[6] = Hex("01");     // the server refuses the client's version
  msgs.resize(7);
  for (size_t i = 0; i < msgs.size(); ++i) {
    h.Send(i % 2 == 0 ? flow::Direction::kFromResponder : flow::Direction::kFromInitiator, msgs[i],
           i + 1);
  }
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].security.view(),
            "offered 19; chosen 19 (VeNCrypt); VeNCrypt 0.3 refused the client's version");
}

TEST(VncDissector, EveryTruncatedStreamIsSafe) {
  // Each side's bytes of the Apple handshake, cut everywhere.
  std::vector<uint8_t> server, client;
  auto msgs = AppleHandshake();
  for (size_t i = 0; i < msgs.size(); ++i) {
    auto& side = i % 2 == 0 ? server : client;
    side.insert(side.end(), msgs[i].begin(), msgs[i].end());
  }
  ForEachPrefix(server, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("vnc"));
    h.Response(p, 1);
    h.Request(client, 2);
    h.End();
    EXPECT_LE(h.sink.remote.size(), 1u);
  });
  ForEachPrefix(client, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("vnc"));
    h.Request(p, 1);
    h.End();
    EXPECT_LE(h.sink.remote.size(), 1u);
  });
  // The same for a VeNCrypt X.509 handshake with its TLS.
  std::vector<uint8_t> vserver, vclient;
  auto vmsgs = VencryptHandshake("00 00 01 06");
  vmsgs.push_back(Hex("01"));
  vmsgs.push_back(Hex(kCredSspClientHello));
  for (size_t i = 0; i < vmsgs.size(); ++i) {
    auto& side = i % 2 == 0 ? vserver : vclient;
    side.insert(side.end(), vmsgs[i].begin(), vmsgs[i].end());
  }
  auto flight = Hex(kCredSspServerFlight);
  vserver.insert(vserver.end(), flight.begin(), flight.end());
  ForEachPrefix(vserver, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("vnc"));
    h.Request(vclient, 1);
    h.Response(p, 2);
    h.End();
    EXPECT_EQ(h.sink.remote.size(), 1u);  // the client's whole side starts the session
  });
  ForEachPrefix(vclient, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("vnc"));
    h.Response(vserver, 1);
    h.Request(p, 2);
    h.End();
    EXPECT_LE(h.sink.remote.size(), 1u);
  });
}

TEST(VncDissector, ProbeWantsAVersionLine) {
  const auto d = flow::Direction::kFromResponder;
  EXPECT_EQ(vnc::Probe(d, Bytes("RFB 003.008\n")), ProbeResult::kYes);
  EXPECT_EQ(vnc::Probe(d, Bytes("RFB 00")), ProbeResult::kMaybe);
  EXPECT_EQ(vnc::Probe(d, Bytes("RFB x")), ProbeResult::kNo);
  EXPECT_EQ(vnc::Probe(d, Bytes("RFB 003.008 ")), ProbeResult::kNo);
  EXPECT_EQ(vnc::Probe(d, Bytes("GET / HTTP/1.1\r\n")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
