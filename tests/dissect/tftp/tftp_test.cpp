// Tests of the TFTP parser and dissector: requests with options, DATA, ACK, ERROR and OACK
// datagrams (annotated), a read whose blocks come from the server's new port through
// Expectations, a write with tsize, lost blocks, errors, retransmissions, every truncated
// prefix of a request. tftp/tcpdump_tftp.pcap is compared with tshark in the integration
// test.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/digest.h"
#include "dissect/expectations.h"
#include "dissect/tftp/tftp_dissector.h"
#include "dissect/tftp/tftp_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::Hex;
using testing::RecordingSink;
using testing::Registered;

core::IpAddr Ip(const char* text) { return *core::IpAddr::Parse(text); }

// RRQ "cfg.bin" octet, with blksize 8 and tsize 0.
const std::vector<uint8_t> kRrq = Hex(R"(
  00 01                          # opcode 1: RRQ
  63 66 67 2e 62 69 6e 00        # "cfg.bin"
  6f 63 74 65 74 00              # "octet"
  62 6c 6b 73 69 7a 65 00 38 00  # "blksize" "8"
  74 73 69 7a 65 00 30 00        # "tsize" "0"
)");

// DATA block n with `payload`.
std::vector<uint8_t> Data(uint16_t block, std::string_view payload) {
  // Built byte by byte: GCC 12 warns falsely on inserting into a four-byte vector.
  std::vector<uint8_t> d;
  d.reserve(4 + payload.size());
  for (uint8_t b :
       {uint8_t{0}, uint8_t{3}, static_cast<uint8_t>(block >> 8), static_cast<uint8_t>(block)}) {
    d.push_back(b);
  }
  for (char c : payload) d.push_back(static_cast<uint8_t>(c));
  return d;
}

TEST(TftpParser, ReadsEveryOpcode) {
  auto p = tftp::Parse(kRrq);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->opcode, tftp::kRrq);
  EXPECT_EQ(p->file_name, "cfg.bin");
  EXPECT_EQ(p->mode, "octet");
  EXPECT_EQ(p->blksize, 8u);
  EXPECT_EQ(p->tsize, 0);

  p = tftp::Parse(Data(7, "abc"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->opcode, tftp::kData);
  EXPECT_EQ(p->block, 7);
  EXPECT_EQ(p->data.size(), 3u);

  const auto ack = Hex("00 04  00 07  # ACK block 7");
  p = tftp::Parse(ack);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->block, 7);

  const auto error = Hex(R"(
    00 05                                  # opcode 5: ERROR
    00 01                                  # code 1: file not found
    4e 6f 20 73 75 63 68 20 66 69 6c 65 00 # "No such file"
  )");
  p = tftp::Parse(error);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->error_code, 1);
  EXPECT_EQ(p->error_text, "No such file");

  const auto oack = Hex("00 06  74 73 69 7a 65 00 31 30 00  # OACK tsize 10");
  p = tftp::Parse(oack);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->tsize, 10);
}

TEST(TftpParser, RefusesMalformedDatagrams) {
  EXPECT_FALSE(tftp::Parse(Hex("00 07 00 00")));                          // opcode 7
  EXPECT_FALSE(tftp::Parse(Hex("00 01 61 00 62 69 6e 00")));              // mode "bin"
  EXPECT_FALSE(tftp::Parse(Hex("00 01 00 6f 63 74 65 74 00")));           // empty name
  EXPECT_FALSE(tftp::Parse(Hex("00 01 61 0a 00 6f 63 74 65 74 00")));     // control char
  EXPECT_FALSE(tftp::Parse(Hex("00 04 00 01 00")));                       // ACK too long
  EXPECT_FALSE(tftp::Parse(Hex("00 01 61 00 6f 63 74 65 74 00 78 00")));  // option w/o value
  // Every proper prefix of a request is refused (the NUL ends are missing).
  testing::ForEachPrefix(kRrq, [](std::span<const uint8_t> prefix) {
    auto p = tftp::Parse(prefix);
    EXPECT_TRUE(!p || p->opcode == tftp::kRrq);  // prefixes ending after an option pair parse
    if (p) {
      EXPECT_EQ(p->file_name, "cfg.bin");
    }
  });
  // More options than the cap are flagged, not read.
  std::vector<uint8_t> many = {0, 2, 'a', 0, 'o', 'c', 't', 'e', 't', 0};
  for (size_t i = 0; i < tftp::kMaxOptions + 2; ++i) {
    for (uint8_t b : {uint8_t{'x'}, uint8_t{0}, uint8_t{'1'}, uint8_t{0}}) many.push_back(b);
  }
  auto p = tftp::Parse(many);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->too_many_options);
}

// A request flow 10.0.0.1:50000 -> 10.0.0.2:69 and the flow the server answers from.
struct TftpSession {
  TftpSession() {
    request.proto = 17;
    request.initiator_ip = Ip("10.0.0.1");
    request.responder_ip = Ip("10.0.0.2");
    request.initiator_port = 50000;
    request.responder_port = 69;
    request.first_frame = 1;
    req = std::make_unique<StreamAttacher>(request, Candidates(std::span(&Registered("tftp"), 1)),
                                           sink, anomalies, stats, AttachLimits{}, &expectations);
    answer.proto = 17;
    answer.initiator_ip = Ip("10.0.0.2");  // the server's first datagram opens it
    answer.initiator_port = 40000;
    answer.responder_ip = Ip("10.0.0.1");
    answer.responder_port = 50000;
    answer.first_frame = 2;
  }
  // Attaches the answer flow; false when nothing expected it.
  bool OpenAnswer() {
    const StreamDissectorInfo* info = nullptr;
    auto d = expectations.Take(answer, info);
    if (!d) return false;
    ans = std::make_unique<StreamAttacher>(answer, *info, std::move(d), sink, anomalies, stats,
                                           AttachLimits{}, &expectations);
    return true;
  }
  static void Send(StreamAttacher& a, flow::Direction d, std::span<const uint8_t> b,
                   uint64_t frame) {
    a.OnData(d, b, frame, core::Timestamp{static_cast<int64_t>(frame) * 1'000'000});
  }

  RecordingSink sink;
  core::Anomalies anomalies;
  AttachStats stats;
  Expectations expectations;
  flow::Flow request, answer;
  std::unique_ptr<StreamAttacher> req, ans;
};

TEST(TftpDissector, AReadIsHashedFromTheServersNewPort) {
  TftpSession s;
  TftpSession::Send(*s.req, flow::Direction::kFromInitiator, kRrq, 1);
  EXPECT_STREQ(s.req->Protocol(), "tftp");
  ASSERT_TRUE(s.OpenAnswer());
  const auto oack = Hex("00 06  74 73 69 7a 65 00 31 30 00  62 6c 6b 73 69 7a 65 00 38 00");
  TftpSession::Send(*s.ans, flow::Direction::kFromInitiator, oack, 2);
  TftpSession::Send(*s.ans, flow::Direction::kFromInitiator, Data(1, "01234567"), 3);
  TftpSession::Send(*s.ans, flow::Direction::kFromInitiator, Data(1, "01234567"), 4);  // again
  EXPECT_TRUE(s.sink.transfers.empty());
  TftpSession::Send(*s.ans, flow::Direction::kFromInitiator, Data(2, "89"), 5);
  ASSERT_EQ(s.sink.transfers.size(), 1u);
  const auto& t = s.sink.transfers[0];
  EXPECT_STREQ(t.protocol, "tftp");
  EXPECT_STREQ(t.command, "RRQ");
  EXPECT_FALSE(t.upload);
  EXPECT_EQ(t.file_name.view(), "cfg.bin");
  EXPECT_EQ(t.frame, 1u);
  EXPECT_EQ(t.end_frame, 5u);
  EXPECT_EQ(t.bytes, 10u);
  EXPECT_EQ(t.declared_size, 10);
  EXPECT_TRUE(t.complete);
  EXPECT_EQ(t.sha256.view(), core::Sha256("0123456789").view());
  EXPECT_EQ(t.result.view(), "complete");
  EXPECT_EQ(t.data_flow_id, 2u);
  // The flows' ends report nothing more.
  s.ans->OnEnd(flow::EndReason::kIdle);
  s.req->OnEnd(flow::EndReason::kIdle);
  EXPECT_EQ(s.sink.transfers.size(), 1u);
}

// A routed request seen again on a second VLAN is a flow of its own with the same
// addresses and ports: it must not take the expectation its first copy made for the
// server's answer.
TEST(TftpDissector, TheRequestSeenAgainIsNotTheAnswer) {
  TftpSession s;
  TftpSession::Send(*s.req, flow::Direction::kFromInitiator, kRrq, 1);
  const StreamDissectorInfo* info = nullptr;
  EXPECT_FALSE(s.expectations.Take(s.request, info));
  EXPECT_TRUE(s.OpenAnswer());
}

TEST(TftpDissector, AWriteThatLosesABlockOrMeetsAnErrorIsIncomplete) {
  TftpSession s;
  const auto wrq = Hex("00 02  6e 65 77 2e 62 69 6e 00  6f 63 74 65 74 00  # WRQ new.bin octet");
  TftpSession::Send(*s.req, flow::Direction::kFromInitiator, wrq, 1);
  ASSERT_TRUE(s.OpenAnswer());
  TftpSession::Send(*s.ans, flow::Direction::kFromInitiator, Hex("00 04 00 00"), 2);  // ACK 0
  const std::string block(512, 'x');
  TftpSession::Send(*s.ans, flow::Direction::kFromResponder, Data(1, block), 3);
  TftpSession::Send(*s.ans, flow::Direction::kFromResponder, Data(3, "end"), 4);  // 2 lost
  ASSERT_EQ(s.sink.transfers.size(), 1u);
  EXPECT_TRUE(s.sink.transfers[0].upload);
  EXPECT_FALSE(s.sink.transfers[0].complete);
  EXPECT_TRUE(s.sink.transfers[0].sha256.empty());
  EXPECT_EQ(s.anomalies.Count("tftp.block_gap"), 1u);

  TftpSession e;
  TftpSession::Send(*e.req, flow::Direction::kFromInitiator, kRrq, 1);
  ASSERT_TRUE(e.OpenAnswer());
  const auto error = Hex("00 05 00 01 4e 6f 74 20 66 6f 75 6e 64 00  # ERROR 1 Not found");
  TftpSession::Send(*e.ans, flow::Direction::kFromInitiator, error, 2);
  ASSERT_EQ(e.sink.transfers.size(), 1u);
  EXPECT_EQ(e.sink.transfers[0].result.view(), "error 1 Not found");
  EXPECT_FALSE(e.sink.transfers[0].complete);
}

TEST(TftpDissector, ARequestWhoseEndNeverCameIsReportedIncompleteAtTheFlowsEnd) {
  TftpSession s;
  TftpSession::Send(*s.req, flow::Direction::kFromInitiator, kRrq, 1);
  TftpSession::Send(*s.req, flow::Direction::kFromInitiator, kRrq, 2);  // retransmitted
  s.req->OnEnd(flow::EndReason::kIdle);
  ASSERT_EQ(s.sink.transfers.size(), 1u);
  EXPECT_FALSE(s.sink.transfers[0].complete);
  EXPECT_EQ(s.sink.transfers[0].bytes, 0u);
}

TEST(TftpDissector, ProbeAcceptsOnlyRequests) {
  EXPECT_EQ(tftp::Probe(flow::Direction::kFromInitiator, kRrq), ProbeResult::kYes);
  EXPECT_EQ(tftp::Probe(flow::Direction::kFromInitiator, Data(1, "x")), ProbeResult::kNo);
  const auto dns = Hex("12 34 01 00 00 01 00 00 00 00 00 00");
  EXPECT_EQ(tftp::Probe(flow::Direction::kFromInitiator, dns), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
