// Tests of the TLS parser and dissector: real records of the shared captures (TCP
// payloads, capture and frame named, with tshark 4.0's JA3 and JA3S of them), a ClientHello
// built to FoxIO's published JA4 example, a certificate made for this test, every truncated
// prefix, handshake messages across records, SSL 2.0 hellos and the probe.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissect/tls/tls_dissector.h"
#include "dissect/tls/tls_parser.h"
#include "dissect_harness.h"
#include "tls_handshake_fixtures.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Ja4ExampleHello;
using testing::Registered;
using testing::StreamHarness;

// tls/tls1.2.pcap frame 4: a handshake record (TLS 1.0 record version) with a TLS 1.2
// ClientHello offering 80 suites and 5 extensions (ec_point_formats, supported_groups,
// session_ticket, signature_algorithms, heartbeat), no server name. tshark's JA3:
// bd9c99b3a0f752c3ab8b052a79e9de3e.
constexpr std::string_view kClientHelloRecord =
    "160301013d"  // handshake, TLS 1.0, length 317
    "01000139"    // ClientHello, length 313
    "0303"        // client_version TLS 1.2
    "50e731d038d05540f1aa6d49b553450b82a4e09e47f3dd1fee79a65bccd70490"  // random
    "00"                                                                // no session id
    "00a0"  // 160 octets of cipher suites (80)
    "c030c02cc028c024c014c00ac022c02100a3009f006b006a0039003800880087c032c02ec02ac026c00fc005"
    "009d003d00350084c012c008c01cc01b00160013c00dc003000ac02fc02bc027c023c013c009c01fc01e00a2"
    "009e0067004000330032009a009900450044c031c02dc029c025c00ec004009c003c002f009600410007c011"
    "c007c00cc002000500040015001200090014001100080006000300ff"
    "020100"            // compression methods: deflate, null
    "006f"              // 111 octets of extensions
    "000b000403000102"  // ec_point_formats: 0, 1, 2
    "000a00340032000e000d0019000b000c00180009000a00160017000800060007001400150004000500120013"
    "000100020003000f00100011"  // supported_groups: 25 groups
    "00230000"                  // session_ticket, empty
    "000d002200200601060206030501050205030401040204030301030203030201020202030101"
    // signature_algorithms (16 pairs)
    "000f000101";  // heartbeat: peer allowed to send

// tls/tls1.2.pcap frame 5, first record: the ServerHello choosing TLS 1.2 and suite 0x0004,
// with renegotiation_info. tshark's JA3S: c253ec3ad88e42f8da4032682892f9a0.
constexpr std::string_view kServerHelloRecord =
    "1603030051"  // handshake, TLS 1.2, length 81
    "0200004d"    // ServerHello, length 77
    "0303"        // TLS 1.2
    "52c1f4efa702f42726055d7c63834b4eb00e3646be7abb0e79bf0f8570838d58"    // random
    "20fa283db6334ef9973bf89aaa913c784c3d4fd57a954864a5aef82a01aae807cf"  // session id
    "0004"             // TLS_RSA_WITH_RC4_128_MD5
    "00"               // null compression
    "0005ff01000100";  // renegotiation_info, empty

// A self-signed certificate made for this test (openssl req -x509 -newkey ec
// -subj "/C=US/O=Example Port/CN=rcms.terminal.example" -days 365 -outform DER).
constexpr std::string_view kCertificateDer = R"(
  308201dd30820183a00302010202147b7ae542369ff05a7282d45b011c009e70
  66de2b300a06082a8648ce3d0403023044310b30090603550406130255533115
  3013060355040a0c0c4578616d706c6520506f7274311e301c06035504030c15
  72636d732e7465726d696e616c2e6578616d706c65301e170d32363131323630
  37303130365a170d3237313132363037303130365a3044310b30090603550406
  1302555331153013060355040a0c0c4578616d706c6520506f7274311e301c06
  035504030c1572636d732e7465726d696e616c2e6578616d706c653059301306
  072a8648ce3d020106082a8648ce3d03010703420004e12742f9917f944565a3
  37b57364e0dafabbb0d2c67c7cf4fd48a00382f27f0d1fb05cff04626ccf14ce
  523d85137cc58ee55108d4adcad93317ae0d331bf3b7a3533051301d0603551d
  0e0416041413cac5cb86dbe608f308afc3947069c833746828301f0603551d23
  04183016801413cac5cb86dbe608f308afc3947069c833746828300f0603551d
  130101ff040530030101ff300a06082a8648ce3d04030203480030450220446d
  cd6445f1932081f3d9ffa840bc172b6e56506c91ece0686d37639e4f0d490221
  00e01679b031f8f7407811d3810e3acc88f4df2a526c12d64c261cef2ab29a3d
  80
)";

// A Certificate handshake message carrying kCertificateDer alone.
std::vector<uint8_t> CertificateMessage() {
  auto der = Hex(kCertificateDer);
  std::vector<uint8_t> body;
  auto put24 = [&](size_t n) {
    body.push_back(static_cast<uint8_t>(n >> 16));
    body.push_back(static_cast<uint8_t>(n >> 8));
    body.push_back(static_cast<uint8_t>(n));
  };
  put24(der.size() + 3);
  put24(der.size());
  body.insert(body.end(), der.begin(), der.end());
  std::vector<uint8_t> msg = {11};
  const size_t n = body.size();
  msg.push_back(static_cast<uint8_t>(n >> 16));
  msg.push_back(static_cast<uint8_t>(n >> 8));
  msg.push_back(static_cast<uint8_t>(n));
  msg.insert(msg.end(), body.begin(), body.end());
  return msg;
}

// Wraps handshake bytes into records of at most `chunk` octets each.
std::vector<uint8_t> Records(uint8_t type, const std::vector<uint8_t>& payload, size_t chunk) {
  std::vector<uint8_t> out;
  for (size_t at = 0; at < payload.size(); at += chunk) {
    const size_t n = std::min(chunk, payload.size() - at);
    out.insert(out.end(),
               {type, 0x03, 0x03, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
    out.insert(out.end(), payload.begin() + static_cast<std::ptrdiff_t>(at),
               payload.begin() + static_cast<std::ptrdiff_t>(at + n));
  }
  return out;
}

TEST(TlsParser, RecordHeadersAreCheckedForTypeVersionAndLength) {
  EXPECT_TRUE(tls::ParseRecordHeader(Hex("16 03 01 01 3d")).has_value());
  EXPECT_FALSE(tls::ParseRecordHeader(Hex("19 03 01 00 10")).has_value());  // type 25
  EXPECT_FALSE(tls::ParseRecordHeader(Hex("16 02 00 00 10")).has_value());  // not SSL 3+
  EXPECT_FALSE(tls::ParseRecordHeader(Hex("17 03 03 48 01")).has_value());  // too long
  EXPECT_FALSE(tls::ParseRecordHeader(Hex("16 03 03 00")).has_value());
}

TEST(TlsParser, ClientHelloGivesTsharksJa3) {
  auto record = Hex(kClientHelloRecord);
  core::Anomalies an;
  auto hello = tls::ParseClientHello(std::span<const uint8_t>(record).subspan(9), 't', an);
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->legacy_version, 0x0303);
  EXPECT_EQ(hello->highest_version, 0x0303);
  EXPECT_EQ(hello->cipher_count, 80);
  EXPECT_TRUE(hello->sni.empty());
  EXPECT_EQ(hello->ja3.view(), "bd9c99b3a0f752c3ab8b052a79e9de3e");
  EXPECT_EQ(hello->ja4.view().substr(0, 11), "t12i800500_");
  EXPECT_EQ(hello->ciphers.view().substr(0, 14), "c030,c02c,c028");
  EXPECT_TRUE(an.empty());
}

TEST(TlsParser, Ja4FollowsFoxiosExampleAndIgnoresGrease) {
  auto body = Ja4ExampleHello();
  core::Anomalies an;
  auto hello = tls::ParseClientHello(body, 't', an);
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->ja4.view(), "t13d1516h2_8daaf6152771_e5627efa2ab1");
  EXPECT_EQ(hello->sni.view(), "example.org");
  EXPECT_EQ(hello->alpn.view(), "h2,http/1.1");
  EXPECT_EQ(hello->versions.view(), "0x0304,0x0303");
  EXPECT_EQ(hello->highest_version, 0x0304);
  EXPECT_EQ(hello->cipher_count, 15);
  EXPECT_EQ(hello->ja3.size(), 32u);
}

TEST(TlsParser, ServerHelloGivesTsharksJa3s) {
  auto record = Hex(kServerHelloRecord);
  core::Anomalies an;
  auto hello = tls::ParseServerHello(std::span<const uint8_t>(record).subspan(9), an);
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->selected_version, 0x0303);
  EXPECT_EQ(hello->cipher, 0x0004);
  EXPECT_EQ(hello->ja3s.view(), "c253ec3ad88e42f8da4032682892f9a0");
}

TEST(TlsParser, CertificateSubjectIssuerAndValidity) {
  auto msg = CertificateMessage();
  core::Anomalies an;
  auto cert = tls::ParseFirstCertificate(std::span<const uint8_t>(msg).subspan(4), an);
  ASSERT_TRUE(cert.has_value());
  EXPECT_EQ(cert->subject.view(), "C=US, O=Example Port, CN=rcms.terminal.example");
  EXPECT_EQ(cert->issuer.view(), "C=US, O=Example Port, CN=rcms.terminal.example");
  EXPECT_EQ(cert->not_before.view(), "2026-11-26T07:01:06Z");
  EXPECT_EQ(cert->not_after.view(), "2027-11-26T07:01:06Z");
  // A certificate cut anywhere is refused, never misread.
  ForEachPrefix(std::span<const uint8_t>(msg).subspan(4), [&](std::span<const uint8_t> p) {
    core::Anomalies a;
    auto c = tls::ParseFirstCertificate(p, a);
    EXPECT_FALSE(c.has_value());
  });
}

TEST(TlsParser, EveryTruncatedHelloIsSafe) {
  auto client = Hex(kClientHelloRecord);
  auto server = Hex(kServerHelloRecord);
  auto ja4 = Ja4ExampleHello();
  for (auto body : {std::span<const uint8_t>(client).subspan(9),
                    std::span<const uint8_t>(server).subspan(9), std::span<const uint8_t>(ja4)}) {
    ForEachPrefix(body, [&](std::span<const uint8_t> p) {
      core::Anomalies an;
      auto c = tls::ParseClientHello(p, 't', an);
      if (c) {
        EXPECT_LE(c->ja4.size(), c->ja4.capacity());
      }
      (void)tls::ParseServerHello(p, an);
    });
  }
}

TEST(TlsDissector, AHandshakeBecomesOneObservation) {
  StreamHarness h(Registered("tls"));
  auto client = Hex(kClientHelloRecord);
  h.Request(client, 4);
  // The server's flight: ServerHello, then the certificate split over three records and
  // two segments, then ServerHelloDone; the client's CCS, then application data.
  std::vector<uint8_t> flight = Hex(kServerHelloRecord);
  auto cert = Records(22, CertificateMessage(), 200);
  flight.insert(flight.end(), cert.begin(), cert.end());
  auto done = Records(22, {14, 0, 0, 0}, 16);
  flight.insert(flight.end(), done.begin(), done.end());
  const size_t half = flight.size() / 2;
  h.Response(std::span<const uint8_t>(flight).first(half), 5);
  h.Response(std::span<const uint8_t>(flight).subspan(half), 6);
  EXPECT_TRUE(h.sink.tls.empty());  // not before the handshake ends
  h.Request(Hex("14 03 03 00 01 01"), 7);
  h.Request(Hex("17 03 03 00 04 de ad be ef"), 8);
  ASSERT_EQ(h.sink.tls.size(), 1u);
  const auto& t = h.sink.tls[0];
  EXPECT_EQ(t.client_hello_frame, 4u);
  EXPECT_EQ(t.server_hello_frame, 5u);
  EXPECT_EQ(t.client_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(t.server_port, 443);
  EXPECT_EQ(t.server_version, 0x0303);
  EXPECT_EQ(t.cipher, 0x0004);
  EXPECT_EQ(t.ja3.view(), "bd9c99b3a0f752c3ab8b052a79e9de3e");
  EXPECT_EQ(t.ja3s.view(), "c253ec3ad88e42f8da4032682892f9a0");
  EXPECT_TRUE(t.has_certificate);
  EXPECT_EQ(t.subject.view(), "C=US, O=Example Port, CN=rcms.terminal.example");
  EXPECT_EQ(t.not_after.view(), "2027-11-26T07:01:06Z");
  int certificates = 0;
  for (const auto& d : h.sink.details) certificates += d.code == 11;
  EXPECT_EQ(certificates, 1);  // once, in the record that completed it
  h.End();
  EXPECT_EQ(h.sink.tls.size(), 1u);  // not again at the end
}

TEST(TlsDissector, BulkRecordsPassByAndCountWhenTheirLastOctetComes) {
  StreamHarness h(Registered("tls"));
  h.Request(Hex(kClientHelloRecord), 1);
  h.Response(Hex(kServerHelloRecord), 2);
  // Application data of 3000 octets in three segments; the third also opens an alert.
  std::vector<uint8_t> data = Records(23, std::vector<uint8_t>(3000, 0xab), 3000);
  const std::vector<uint8_t> alert = Hex("15 03 03 00 02 01 00");
  std::vector<uint8_t> third(data.begin() + 2000, data.end());
  third.insert(third.end(), alert.begin(), alert.begin() + 3);
  h.Request(std::span<const uint8_t>(data).first(1000), 3);
  h.Request(std::span<const uint8_t>(data).subspan(1000, 1000), 4);
  auto counted = [&](uint32_t type) {
    std::vector<uint64_t> frames;
    for (const auto& p : h.sink.pdus) {
      if (std::string_view(p.histogram) == "content_types" && p.code == type) {
        frames.push_back(p.frame);
      }
    }
    return frames;
  };
  EXPECT_TRUE(counted(23).empty());  // not before the record is whole
  h.Request(third, 5);
  EXPECT_EQ(counted(23), std::vector<uint64_t>{5});
  h.Request(std::span<const uint8_t>(alert).subspan(3), 6);
  EXPECT_EQ(counted(21), std::vector<uint64_t>{6});  // the framing after it held
  // A hole inside a record in passage: what follows is found again by resynchronising.
  std::vector<uint8_t> more = Records(23, std::vector<uint8_t>(500, 0xcd), 500);
  h.Request(std::span<const uint8_t>(more).first(100), 7);
  h.Gap(flow::Direction::kFromInitiator, 200);
  h.Request(std::span<const uint8_t>(more).subspan(300), 8);
  std::vector<uint8_t> last = Records(23, {1, 2, 3, 4}, 4);
  h.Request(last, 9);
  EXPECT_EQ(counted(23), (std::vector<uint64_t>{5, 9}));
  EXPECT_EQ(h.anomalies.Count("tls.gap"), 1u);
}

TEST(TlsDissector, AFlowThatEndsMidHandshakeStillReports) {
  StreamHarness h(Registered("tls"));
  auto client = Hex(kClientHelloRecord);
  h.Request(client, 1);
  h.End();
  ASSERT_EQ(h.sink.tls.size(), 1u);
  EXPECT_EQ(h.sink.tls[0].server_hello_frame, 0u);
}

TEST(TlsDissector, AnSsl2HelloOpensTheClientSide) {
  StreamHarness h(Registered("tls"));
  // An SSL 2.0 record: length 0x2e; CLIENT-HELLO, version TLS 1.0, 6 octets of cipher
  // specs, no session id, 32 octets of challenge.
  std::string hex = "80 2e 01 03 01 00 06 00 00 00 20  00 00 39 01 00 80";
  for (int i = 0; i < 32; ++i) hex += " 5a";
  auto hello = Hex(hex);
  h.Request(hello, 4);
  h.Response(Hex(kServerHelloRecord), 5);
  h.End();
  ASSERT_EQ(h.sink.tls.size(), 1u);
  EXPECT_EQ(h.sink.tls[0].client_version, 0x0301);
  EXPECT_EQ(h.sink.tls[0].ciphers_offered.view(), "000039,010080");
  EXPECT_TRUE(h.sink.tls[0].ja3.empty());  // JA3 is defined for TLS hellos only
  EXPECT_STREQ(h.sink.pdus[0].histogram, "sslv2_message_types");
}

TEST(TlsDissector, EveryTruncatedRecordIsSafe) {
  auto client = Hex(kClientHelloRecord);
  ForEachPrefix(client, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("tls"));
    h.Request(p, 1);
    h.End();
  });
}

TEST(TlsParser, RemoteAccessToolsByCertificateOrServerName) {
  EXPECT_STREQ(tls::RemoteAccessTool("", "CN=AnyDesk Client"), "anydesk");
  EXPECT_STREQ(tls::RemoteAccessTool("", "O=x, cn=anydesk client"), "anydesk");
  EXPECT_STREQ(tls::RemoteAccessTool("relay-1a2b3c4d.net.AnyDesk.com", ""), "anydesk");
  EXPECT_STREQ(tls::RemoteAccessTool("router7.teamviewer.com", ""), "teamviewer");
  EXPECT_STREQ(tls::RemoteAccessTool("relay.splashtop.com", ""), "splashtop");
  EXPECT_STREQ(tls::RemoteAccessTool("instance-abc-relay.screenconnect.com", ""), "screenconnect");
  EXPECT_STREQ(tls::RemoteAccessTool("secure.logmeinrescue.com", ""), "logmein");
  EXPECT_STREQ(tls::RemoteAccessTool("acme.beyondtrustcloud.com", ""), "beyondtrust");
  EXPECT_STREQ(tls::RemoteAccessTool("rs-ny.rustdesk.com", ""), "rustdesk");
  EXPECT_STREQ(tls::RemoteAccessTool("assist.zoho.eu", ""), "zoho-assist");
  EXPECT_STREQ(tls::RemoteAccessTool("remotedesktop-pa.googleapis.com", ""),
               "chrome-remote-desktop");
  EXPECT_STREQ(tls::RemoteAccessTool("M2WEB.Talk2M.com", ""), "ewon-talk2m");
  EXPECT_STREQ(tls::RemoteAccessTool("gm04.secomea.com", ""), "secomea");
  EXPECT_STREQ(tls::RemoteAccessTool("portal.ixon.cloud", ""), "ixon");
  // The vendors' other names, and names that only end alike, are no platform's sessions.
  EXPECT_EQ(tls::RemoteAccessTool("www.secomea.com", ""), nullptr);
  EXPECT_EQ(tls::RemoteAccessTool("gmx.secomea.com", ""), nullptr);
  EXPECT_EQ(tls::RemoteAccessTool("www.ixon.cloud", ""), nullptr);
  EXPECT_EQ(tls::RemoteAccessTool("mail.zoho.eu", ""), nullptr);
  EXPECT_EQ(tls::RemoteAccessTool("www.googleapis.com", ""), nullptr);
  EXPECT_EQ(tls::RemoteAccessTool("notsplashtop.com", ""), nullptr);
  EXPECT_EQ(tls::RemoteAccessTool("notanydesk.com", ""), nullptr);
  EXPECT_EQ(tls::RemoteAccessTool("", "CN=AnyDesk Client Portal"), nullptr);
  EXPECT_EQ(tls::RemoteAccessTool("example.org", "C=US, O=Example Port, CN=rcms.terminal.example"),
            nullptr);
}

TEST(TlsParser, PlatformsAreTheToolsARelayCarries) {
  for (const char* tool : {"anydesk", "teamviewer", "splashtop", "ewon-talk2m", "secomea", "ixon"})
    EXPECT_TRUE(tls::IsRemoteAccessPlatform(tool)) << tool;
  for (const char* tool : {"rdp", "vnc", "ssh", "telnet", "rlogin", ""})
    EXPECT_FALSE(tls::IsRemoteAccessPlatform(tool)) << tool;
}

// A ClientHello record offering one suite, with only a server name extension.
std::vector<uint8_t> HelloWithServerName(std::string_view name) {
  std::vector<uint8_t> body = {0x03, 0x03};  // legacy version
  body.resize(2 + 32, 0x22);                 // random
  // No session id, one suite (0xc02f), null compression only.
  body.insert(body.end(), {0x00, 0x00, 0x02, 0xc0, 0x2f, 0x01, 0x00});
  const auto n = static_cast<uint8_t>(name.size());
  // server_name extension: type 0, length, list length, host_name (0) and its length.
  const std::vector<uint8_t> sni_head = {
      0x00, 0x00, 0x00, static_cast<uint8_t>(n + 5), 0x00, static_cast<uint8_t>(n + 3),
      0x00, 0x00, n};
  body.push_back(0x00);
  body.push_back(static_cast<uint8_t>(sni_head.size() + n));  // extensions length
  body.insert(body.end(), sni_head.begin(), sni_head.end());
  body.insert(body.end(), name.begin(), name.end());
  std::vector<uint8_t> handshake = {0x01, 0x00, 0x00, static_cast<uint8_t>(body.size())};
  handshake.insert(handshake.end(), body.begin(), body.end());
  return Records(22, handshake, 1000);
}

TEST(TlsDissector, AnAnyDeskSessionIsRemoteAccess) {
  StreamHarness h(Registered("tls"));
  h.Request(HelloWithServerName("relay-9f8e7d6c.net.anydesk.com"), 3);
  h.Request(Hex("17 03 03 00 04 de ad be ef"), 4);
  ASSERT_EQ(h.sink.tls.size(), 1u);
  EXPECT_EQ(h.sink.tls[0].sni.view(), "relay-9f8e7d6c.net.anydesk.com");
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& r = h.sink.remote[0];
  EXPECT_STREQ(r.tool, "anydesk");
  EXPECT_EQ(r.frame, 3u);
  EXPECT_EQ(r.client_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(r.client_fingerprint.view(), h.sink.tls[0].ja3.view());
  EXPECT_EQ(r.security.view(), "tls, sni relay-9f8e7d6c.net.anydesk.com");
  h.End();
  EXPECT_EQ(h.sink.remote.size(), 1u);
}

TEST(TlsDissector, AnOrdinarySessionIsNotRemoteAccess) {
  StreamHarness h(Registered("tls"));
  h.Request(HelloWithServerName("www.example.org"), 1);
  h.End();
  EXPECT_EQ(h.sink.tls.size(), 1u);
  EXPECT_TRUE(h.sink.remote.empty());
}

TEST(TlsDissector, ProbeAcceptsHellosAndRefusesOtherBytes) {
  auto d = flow::Direction::kFromInitiator;
  EXPECT_EQ(tls::Probe(d, Hex(kClientHelloRecord)), ProbeResult::kYes);
  EXPECT_EQ(tls::Probe(d, Hex(kServerHelloRecord)), ProbeResult::kYes);
  EXPECT_EQ(tls::Probe(d, Hex("16 03")), ProbeResult::kMaybe);
  EXPECT_EQ(tls::Probe(d, Hex("47 45 54 20 2f 20 48 54 54 50")), ProbeResult::kNo);  // "GET / HTTP"
  EXPECT_EQ(tls::Probe(d, Hex("80 2e 01 03 01 00 06")), ProbeResult::kYes);  // SSL 2.0 hello
  // Picked up mid-stream: application data, an alert, a change_cipher_spec, and the record
  // header after the first, when the bytes reach it, must be one too.
  EXPECT_EQ(tls::Probe(d, Hex("17 03 03 00 10 00")), ProbeResult::kYes);
  EXPECT_EQ(tls::Probe(d, Hex("17 03 03 00 02 aa bb 17 03 03 00 01 cc")), ProbeResult::kYes);
  EXPECT_EQ(tls::Probe(d, Hex("15 03 03 00 02 02 28")), ProbeResult::kYes);
  EXPECT_EQ(tls::Probe(d, Hex("14 03 03 00 01 01 16 03 03 00 28")), ProbeResult::kYes);
  EXPECT_EQ(tls::Probe(d, Hex("17 03 03 00 02 aa bb 47 45 54 20 2f")), ProbeResult::kNo);
  EXPECT_EQ(tls::Probe(d, Hex("17 03 03 00 02 aa bb 17 03 01 00 01 cc")), ProbeResult::kNo);
  EXPECT_EQ(tls::Probe(d, Hex("14 03 03 00 02 01 01")), ProbeResult::kNo);  // CCS is one byte
  EXPECT_EQ(tls::Probe(d, Hex("17 03 05 00 10 00")), ProbeResult::kNo);     // no such version
  EXPECT_EQ(tls::Probe(d, Hex("17 03 00 00 10 00")), ProbeResult::kNo);     // SSL 3.0 mid-stream
  EXPECT_EQ(tls::Probe(d, Hex("17 03 03 00 00 17")), ProbeResult::kNo);     // empty record
  EXPECT_EQ(tls::Probe(d, Hex("16 03 03 00 28 14")), ProbeResult::kNo);     // handshake: no hello
}

TEST(TlsDissector, ASessionPickedUpMidStreamCountsItsRecordsAndReportsNoSession) {
  StreamHarness h(Registered("tls"));
  h.Request(Hex("17 03 03 00 03 01 02 03"), 5);
  h.Response(Hex("17 03 03 00 02 04 05 17 03 03 00 01 06"), 6);
  h.End();
  EXPECT_STREQ(h.Protocol(), "tls");
  EXPECT_EQ(h.sink.pdus.size(), 3u);
  EXPECT_TRUE(h.sink.tls.empty());
  EXPECT_TRUE(h.anomalies.empty());
}

}  // namespace
}  // namespace qw::dissect
