// Tests of the FTP parser and dissectors: command and reply lines, PORT/PASV/EPRT/EPSV
// addresses, sizes, a passive RETR and an active STOR whose data connections are found
// through Expectations and hashed, a failed RETR, listings, the probe, every truncated
// prefix of a control line. The control dialogue follows ftp/ftp_retr.pcap's shape; the
// shared captures are compared with tshark in the integration test.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/digest.h"
#include "dissect/expectations.h"
#include "dissect/ftp/ftp_dissector.h"
#include "dissect/ftp/ftp_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::RecordingSink;
using testing::Registered;

std::vector<uint8_t> Bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

core::IpAddr Ip(const char* text) { return *core::IpAddr::Parse(text); }

TEST(FtpParser, CommandsAndReplies) {
  auto c = ftp::ParseCommand("RETR pub/firmware v2.bin\r\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->verb, "RETR");
  EXPECT_EQ(c->argument, "pub/firmware v2.bin");
  c = ftp::ParseCommand("pasv\r\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->verb, "pasv");
  EXPECT_TRUE(c->argument.empty());
  EXPECT_FALSE(ftp::ParseCommand("RE\r\n"));       // too short
  EXPECT_FALSE(ftp::ParseCommand("RETRX a\r\n"));  // too long
  EXPECT_FALSE(ftp::ParseCommand("RE1R a\r\n"));   // not letters
  EXPECT_FALSE(ftp::ParseCommand("RETR\ta\r\n"));  // no space

  auto r = ftp::ParseReply("230-Welcome\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 230);
  EXPECT_TRUE(r->continued);
  EXPECT_EQ(r->text, "Welcome");
  r = ftp::ParseReply("226\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 226);
  EXPECT_FALSE(r->continued);
  EXPECT_FALSE(ftp::ParseReply("626 no\r\n"));  // first digit 1..5
  EXPECT_FALSE(ftp::ParseReply("22 x\r\n"));
  EXPECT_FALSE(ftp::ParseReply("226x\r\n"));
}

TEST(FtpParser, AddressesAndSizes) {
  auto hp = ftp::ParseHostPort("Entering Passive Mode (192,168,1,20,195,80).");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->ip, Ip("192.168.1.20"));
  EXPECT_EQ(hp->port, 195 * 256 + 80);
  hp = ftp::ParseHostPort("10,0,0,1,4,1");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->port, 1025);
  EXPECT_FALSE(ftp::ParseHostPort("Entering Passive Mode (192,168,1,256,1,1)"));
  EXPECT_FALSE(ftp::ParseHostPort("(192,168,1,1,1)"));
  EXPECT_FALSE(ftp::ParseHostPort("(1,2,3,4,0,0)"));  // port 0

  hp = ftp::ParseEprt("|1|132.235.1.2|6275|");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->ip, Ip("132.235.1.2"));
  EXPECT_EQ(hp->port, 6275);
  hp = ftp::ParseEprt("!2!1080::8:800:200C:417A!5282!");
  ASSERT_TRUE(hp);
  EXPECT_FALSE(hp->ip.IsV4());
  EXPECT_FALSE(ftp::ParseEprt("|1|::1|5282|"));  // family 1 with an IPv6 address
  EXPECT_FALSE(ftp::ParseEprt("|3|1.2.3.4|5|"));
  EXPECT_FALSE(ftp::ParseEprt("|1|1.2.3.4|70000|"));

  hp = ftp::ParseEpsv("Entering Extended Passive Mode (|||6446|)");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->port, 6446);
  EXPECT_FALSE(hp->ip.IsSet());
  EXPECT_FALSE(ftp::ParseEpsv("Entering Extended Passive Mode (||6446|)"));

  EXPECT_EQ(ftp::ParseSize("Opening BINARY mode data connection for a.bin (1234 bytes).", false),
            1234u);
  EXPECT_FALSE(ftp::ParseSize("Opening BINARY mode data connection for a.bin", false));
  EXPECT_EQ(ftp::ParseSize("4096", true), 4096u);
  EXPECT_FALSE(ftp::ParseSize("x4096", true));
}

// A control connection 10.0.0.1:50000 -> 10.0.0.2:21 and the data connections it
// announces, each with its own StreamAttacher sharing one Expectations table.
class FtpSession {
 public:
  FtpSession() {
    control_.proto = 6;
    control_.initiator_ip = Ip("10.0.0.1");
    control_.responder_ip = Ip("10.0.0.2");
    control_.initiator_port = 50000;
    control_.responder_port = 21;
    control_.capture_index = 0;
    control_.first_frame = 1;
    control_attacher_ =
        std::make_unique<StreamAttacher>(control_, Candidates(std::span(&Registered("ftp"), 1)),
                                         sink, anomalies, stats, AttachLimits{}, &expectations);
  }
  void Client(std::string_view line, uint64_t frame) { Send(true, line, frame); }
  void Server(std::string_view line, uint64_t frame) { Send(false, line, frame); }
  // A data connection from `from` to `to` starts at `frame`; nullptr when none was expected.
  StreamAttacher* OpenData(const char* from_ip, uint16_t from_port, const char* to_ip,
                           uint16_t to_port, uint64_t frame) {
    auto f = std::make_unique<flow::Flow>();
    f->proto = 6;
    f->initiator_ip = Ip(from_ip);
    f->initiator_port = from_port;
    f->responder_ip = Ip(to_ip);
    f->responder_port = to_port;
    f->first_frame = frame;
    f->first_ts = core::Timestamp{static_cast<int64_t>(frame) * 1'000'000};
    const StreamDissectorInfo* info = nullptr;
    auto d = expectations.Take(*f, info);
    if (!d) return nullptr;
    data_attachers_.push_back(std::make_unique<StreamAttacher>(
        *f, *info, std::move(d), sink, anomalies, stats, AttachLimits{}, &expectations));
    data_flows_.push_back(std::move(f));
    return data_attachers_.back().get();
  }
  void EndControl() { control_attacher_->OnEnd(flow::EndReason::kEndOfInput); }

  RecordingSink sink;
  core::Anomalies anomalies;
  AttachStats stats;
  Expectations expectations;

 private:
  void Send(bool client, std::string_view line, uint64_t frame) {
    auto bytes = Bytes(line);
    control_attacher_->OnData(
        client ? flow::Direction::kFromInitiator : flow::Direction::kFromResponder, bytes, frame,
        core::Timestamp{static_cast<int64_t>(frame) * 1'000'000});
  }

  flow::Flow control_;
  std::unique_ptr<StreamAttacher> control_attacher_;
  std::vector<std::unique_ptr<flow::Flow>> data_flows_;
  std::vector<std::unique_ptr<StreamAttacher>> data_attachers_;
};

void SendData(StreamAttacher* a, std::string_view content, uint64_t frame) {
  auto bytes = Bytes(content);
  a->OnData(flow::Direction::kFromInitiator, bytes, frame,
            core::Timestamp{static_cast<int64_t>(frame) * 1'000'000});
}

TEST(FtpDissector, PassiveRetrIsADownloadHashedFromItsDataConnection) {
  FtpSession s;
  s.Server("220 (vsFTPd 3.0.3)\r\n", 4);
  s.Client("USER anonymous\r\n", 6);
  s.Server("331 Please specify the password.\r\n", 8);
  s.Client("SIZE firmware.bin\r\n", 10);
  s.Server("213 11\r\n", 11);
  s.Client("PASV\r\n", 12);
  s.Server("227 Entering Passive Mode (10,0,0,2,195,80).\r\n", 13);
  EXPECT_EQ(s.expectations.size(), 1u);
  // Not the announced port: no match.
  EXPECT_EQ(s.OpenData("10.0.0.1", 40001, "10.0.0.2", 50001, 14), nullptr);
  StreamAttacher* data = s.OpenData("10.0.0.1", 40000, "10.0.0.2", 195 * 256 + 80, 14);
  ASSERT_NE(data, nullptr);
  EXPECT_STREQ(data->Protocol(), "ftp-data");
  s.Client("RETR firmware.bin\r\n", 15);
  s.Server("150 Opening BINARY mode data connection for firmware.bin (11 bytes).\r\n", 16);
  SendData(data, "hello ", 17);
  SendData(data, "world", 18);
  data->OnEnd(flow::EndReason::kClosed);
  EXPECT_TRUE(s.sink.transfers.empty());  // the final reply is still to come
  s.Server("226 Transfer complete.\r\n", 19);
  ASSERT_EQ(s.sink.transfers.size(), 1u);
  const auto& t = s.sink.transfers[0];
  EXPECT_STREQ(t.protocol, "ftp");
  EXPECT_STREQ(t.command, "RETR");
  EXPECT_FALSE(t.upload);
  EXPECT_EQ(t.file_name.view(), "firmware.bin");
  EXPECT_EQ(t.frame, 15u);
  EXPECT_EQ(t.end_frame, 18u);
  EXPECT_EQ(t.bytes, 11u);
  EXPECT_EQ(t.declared_size, 11);
  EXPECT_TRUE(t.complete);
  EXPECT_EQ(t.sha256.view(), core::Sha256("hello world").view());
  EXPECT_EQ(t.result.view(), "226 Transfer complete.");
  EXPECT_EQ(t.client_ip, Ip("10.0.0.1"));
  EXPECT_EQ(t.server_ip, Ip("10.0.0.2"));
  EXPECT_EQ(t.flow_id, (uint64_t{0} << 40) | 1);
  EXPECT_EQ(t.data_flow_id, 14u);
}

TEST(FtpDissector, ActiveStorIsAnUploadWhoseDataConnectionTheServerOpens) {
  FtpSession s;
  s.Server("220 FTP server ready\r\n", 1);
  s.Client("PORT 10,0,0,1,4,1\r\n", 2);
  s.Server("200 PORT command successful.\r\n", 3);
  s.Client("STOR plc_backup.s7p\r\n", 4);
  // The server connects from port 20 to the port the client gave.
  StreamAttacher* data = s.OpenData("10.0.0.2", 20, "10.0.0.1", 1025, 5);
  ASSERT_NE(data, nullptr);
  s.Server("150 Ok to send data.\r\n", 6);
  SendData(data, "project", 7);
  s.Server("226 Transfer complete.\r\n", 8);
  EXPECT_TRUE(s.sink.transfers.empty());  // the data connection has not ended yet
  data->OnEnd(flow::EndReason::kClosed);
  ASSERT_EQ(s.sink.transfers.size(), 1u);
  const auto& t = s.sink.transfers[0];
  EXPECT_STREQ(t.command, "STOR");
  EXPECT_TRUE(t.upload);
  EXPECT_EQ(t.file_name.view(), "plc_backup.s7p");
  EXPECT_TRUE(t.complete);
  EXPECT_EQ(t.declared_size, -1);
  EXPECT_EQ(t.sha256.view(), core::Sha256("project").view());
}

TEST(FtpDissector, FailedAndAbortedTransfersAreNotComplete) {
  FtpSession s;
  s.Server("220 FTP\r\n", 1);
  s.Client("EPSV\r\n", 2);
  s.Server("229 Entering Extended Passive Mode (|||6446|)\r\n", 3);
  s.Client("RETR missing.bin\r\n", 4);
  s.Server("550 Failed to open file.\r\n", 5);
  ASSERT_EQ(s.sink.transfers.size(), 1u);  // no data connection will come
  EXPECT_FALSE(s.sink.transfers[0].complete);
  EXPECT_EQ(s.sink.transfers[0].result.view(), "550 Failed to open file.");

  s.Client("EPSV\r\n", 6);
  s.Server("229 Entering Extended Passive Mode (|||6447|)\r\n", 7);
  StreamAttacher* data = s.OpenData("10.0.0.1", 40000, "10.0.0.2", 6447, 8);
  ASSERT_NE(data, nullptr);
  s.Client("RETR big.bin\r\n", 9);
  SendData(data, "partial", 10);
  data->OnEnd(flow::EndReason::kClosed);
  s.Server("426 Connection closed; transfer aborted.\r\n", 11);
  ASSERT_EQ(s.sink.transfers.size(), 2u);
  EXPECT_FALSE(s.sink.transfers[1].complete);
  EXPECT_TRUE(s.sink.transfers[1].sha256.empty());
  EXPECT_EQ(s.sink.transfers[1].bytes, 7u);
}

TEST(FtpDissector, ListingsUseDataConnectionsButAreNoFileTransfers) {
  FtpSession s;
  s.Server("220 FTP\r\n", 1);
  s.Client("PASV\r\n", 2);
  s.Server("227 Entering Passive Mode (10,0,0,2,10,10)\r\n", 3);
  StreamAttacher* data = s.OpenData("10.0.0.1", 40000, "10.0.0.2", 2570, 4);
  ASSERT_NE(data, nullptr);
  s.Client("LIST\r\n", 5);
  SendData(data, "-rw-r--r-- 1 ftp ftp 11 Jan 01 00:00 firmware.bin\r\n", 6);
  data->OnEnd(flow::EndReason::kClosed);
  s.Server("226 Directory send OK.\r\n", 7);
  s.EndControl();
  EXPECT_TRUE(s.sink.transfers.empty());
}

TEST(FtpDissector, MultiLineRepliesCountOnceAndCommandsCountByWord) {
  FtpSession s;
  s.Server("220-Welcome\r\n220-to the crane FTP\r\n220 ready\r\n", 1);
  s.Client("USER a\r\n", 2);
  s.Client("QUIT\r\n", 3);
  s.Server("221 Goodbye.\r\n", 4);
  // The greeting does not name FTP, so the attacher waits for the client's USER and then
  // offers the client's bytes first: compare what was counted, not its order.
  std::vector<std::pair<uint32_t, bool>> seen;
  for (const auto& p : s.sink.pdus) seen.emplace_back(p.code, p.text_code);
  std::vector<std::pair<uint32_t, bool>> want = {
      {220, false}, {WordCode("USER"), true}, {WordCode("QUIT"), true}, {221, false}};
  std::sort(seen.begin(), seen.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(seen, want);
  EXPECT_EQ(WordOfCode(WordCode("user")), "USER");
}

TEST(FtpDissector, AnUnansweredTransferIsReportedWhenTheControlConnectionEnds) {
  FtpSession s;
  s.Server("220 FTP\r\n", 1);
  s.Client("STOR x.cfg\r\n", 2);  // no PASV or PORT seen: the capture missed it
  EXPECT_TRUE(s.sink.transfers.empty());
  s.EndControl();
  ASSERT_EQ(s.sink.transfers.size(), 1u);
  EXPECT_EQ(s.sink.transfers[0].bytes, 0u);
  EXPECT_FALSE(s.sink.transfers[0].complete);
}

TEST(FtpDissector, ProbeTellsFtpFromSmtp) {
  auto probe = [](flow::Direction d, std::string_view text) {
    auto b = Bytes(text);
    return ftp::Probe(d, b);
  };
  using flow::Direction;
  EXPECT_EQ(probe(Direction::kFromResponder, "220 ProFTPD Server ready.\r\n"), ProbeResult::kYes);
  EXPECT_EQ(probe(Direction::kFromResponder, "220 mail.example.com ESMTP Postfix\r\n"),
            ProbeResult::kNo);
  EXPECT_EQ(probe(Direction::kFromResponder, "220 Welcome\r\n"), ProbeResult::kMaybe);
  EXPECT_EQ(probe(Direction::kFromResponder, "220 Wel"), ProbeResult::kMaybe);
  EXPECT_EQ(probe(Direction::kFromInitiator, "USER anonymous\r\n"), ProbeResult::kYes);
  EXPECT_EQ(probe(Direction::kFromInitiator, "EHLO client\r\n"), ProbeResult::kNo);
  EXPECT_EQ(probe(Direction::kFromInitiator, "GET / HTTP/1.1\r\n"), ProbeResult::kNo);
}

// `hex` as the bytes Client and Server take.
std::string Octets(std::string_view hex) {
  const auto b = testing::Hex(hex);
  return std::string(b.begin(), b.end());
}

// RFC 4217: after AUTH TLS is accepted the control connection is TLS. Its handshake is read
// (here a ClientHello naming the server and a ServerHello choosing TLS 1.2); the encrypted
// commands and replies after it are not taken for lines.
TEST(FtpDissector, AuthTlsTurnsTheControlConnectionToTls) {
  FtpSession s;
  s.Server("220 FTP server ready\r\n", 1);
  s.Client("AUTH TLS\r\n", 2);
  s.Server("234 AUTH TLS OK.\r\n", 3);
  s.Client(Octets(R"(
    16 03 01 00 39 01 00 00 35 03 03          # handshake record; ClientHello, TLS 1.2
    11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11
    11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11   # random
    00 00 02 c0 2f 01 00                      # no session id; one suite; null compression
    00 0a 00 00 00 06 00 04 00 00 01 66       # server_name "f"
  )"),
           4);
  s.Server(Octets(R"(
    16 03 03 00 2a 02 00 00 26 03 03          # handshake record; ServerHello, TLS 1.2
    22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22
    22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22   # random
    00 c0 2f 00                               # no session id; suite c02f; null compression
    14 03 03 00 01 01                         # change_cipher_spec
  )"),
           5);
  s.Client(Octets("17 03 03 00 05 c1 c2 c3 c4 c5"), 6);  // "PASV", encrypted
  s.EndControl();
  ASSERT_EQ(s.sink.tls.size(), 1u);
  const TlsObservation& t = s.sink.tls[0];
  EXPECT_EQ(t.sni.view(), "f");
  EXPECT_EQ(t.cipher, 0xc02f);
  EXPECT_EQ(t.server_port, 21);
  EXPECT_EQ(s.anomalies.Count("ftp.bad_command"), 0u);
  EXPECT_EQ(s.anomalies.Count("ftp.bad_reply"), 0u);
  EXPECT_EQ(s.anomalies.Count("ftp.long_line"), 0u);
  EXPECT_EQ(s.expectations.size(), 0u);
  size_t tls_records = 0, ftp_pdus = 0;
  for (const auto& p : s.sink.pdus) {
    tls_records += std::string_view(p.protocol) == "tls";
    ftp_pdus += std::string_view(p.protocol) == "ftp";
  }
  EXPECT_EQ(tls_records, 4u);
  EXPECT_EQ(ftp_pdus, 3u);  // 220, AUTH, 234
  // Refused, AUTH changes nothing: the next lines are FTP.
  FtpSession r;
  r.Server("220 FTP server ready\r\n", 1);
  r.Client("AUTH TLS\r\n", 2);
  r.Server("534 TLS not available.\r\n", 3);
  r.Client("USER anonymous\r\n", 4);
  r.Server("331 Password?\r\n", 5);
  r.EndControl();
  EXPECT_TRUE(r.sink.tls.empty());
  EXPECT_EQ(r.sink.pdus.size(), 5u);
}

TEST(FtpDissector, TruncatedLinesWaitAndLongLinesAreCut) {
  const auto line = Bytes("227 Entering Passive Mode (10,0,0,2,195,80).\r\n");
  testing::ForEachPrefix(line, [&](std::span<const uint8_t> prefix) {
    FtpSession s;
    s.Server("220 FTP\r\n", 1);
    auto p = std::vector<uint8_t>(prefix.begin(), prefix.end());
    // A prefix has no line end yet: nothing is expected until the rest comes.
    s.Server(std::string_view(reinterpret_cast<const char*>(p.data()), p.size()), 2);
    EXPECT_EQ(s.expectations.size(), 0u);
  });
  FtpSession s;
  s.Server("220 FTP\r\n", 1);
  s.Client(std::string(ftp::kMaxLineBytes + 10, 'A'), 2);
  EXPECT_EQ(s.anomalies.Count("ftp.long_line"), 1u);
}

}  // namespace
}  // namespace qw::dissect
