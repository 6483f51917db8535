// Tests of the TeamViewer framing parser and dissector: commands in both framings built for
// the test after the layout nDPI and community decoders read (the 37-octet identify with
// 0x17 0x24 0x0a 0x20 is the one libprotoident matches), a UDP datagram, malformed and
// truncated input, and the probes. No shared capture holds TeamViewer.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "dissect/teamviewer/teamviewer_dissector.h"
#include "dissect/teamviewer/teamviewer_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// Short framing: identify with 32 octets of data.
std::vector<uint8_t> Identify() {
  auto b = Hex("17 24 0a 20 00");  // magic, command 10 (identify), length 32
  b.resize(b.size() + 32, 0x5a);   // data (obfuscated on the wire; not read)
  return b;
}

constexpr std::string_view kRequestEncryption = R"(
  11 30                # long framing
  5d                   # command 93: request encryption
  00                   # unknown
  04 00 00 00          # data length 4
  01 00 00 00          # packet id
  02 00 00 00          # request id
  00 00 00 00          # command class
  00 00 00 00          # offset
  de ad be ef          # data
)";
constexpr std::string_view kConfirmEncryption = "17 24 5e 02 00 01 02";  // command 94, 2 octets

TEST(TeamViewerParser, BothFramings) {
  auto id = Identify();
  auto c = teamviewer::ReadCommand(id);
  ASSERT_EQ(c.status, teamviewer::Status::kOk);
  EXPECT_FALSE(c.long_framing);
  EXPECT_EQ(c.code, 10);
  EXPECT_EQ(c.length, 37u);
  auto l = teamviewer::ReadCommand(Hex(kRequestEncryption));
  ASSERT_EQ(l.status, teamviewer::Status::kOk);
  EXPECT_TRUE(l.long_framing);
  EXPECT_EQ(l.code, 93);
  EXPECT_EQ(l.length, 28u);
  EXPECT_STREQ(teamviewer::CommandName(93), "request-encryption");
  ForEachPrefix(id, [&](std::span<const uint8_t> p) {
    auto t = teamviewer::ReadCommand(p);
    EXPECT_EQ(t.status, teamviewer::Status::kNeedMore);
    EXPECT_GT(t.length, p.size());
  });
  EXPECT_EQ(teamviewer::ReadCommand(Hex("17 25 0a 00 00")).status, teamviewer::Status::kInvalid);
  EXPECT_EQ(teamviewer::ReadCommand(Hex("16 03 01 00 05")).status, teamviewer::Status::kInvalid);
  // A length past kMaxCommandBytes.
  EXPECT_EQ(teamviewer::ReadCommand(Hex("11 30 5d 00 00 00 20 00")).status,
            teamviewer::Status::kInvalid);
}

TEST(TeamViewerParser, Datagrams) {
  EXPECT_TRUE(teamviewer::LooksLikeDatagram(Hex("00 01 02 03 04 05 06 07 08 09 0a 17 24 0a")));
  EXPECT_FALSE(teamviewer::LooksLikeDatagram(Hex("01 01 02 03 04 05 06 07 08 09 0a 17 24 0a")));
  EXPECT_FALSE(teamviewer::LooksLikeDatagram(Hex("00 01 02 03 04 05 06 07 08 09 0a 17")));
}

TEST(TeamViewerDissector, EncryptionNegotiationIsTheSecurity) {
  StreamHarness h(Registered("teamviewer"));
  h.Request(Identify(), 3);
  h.Response(Identify(), 4);
  auto req = Hex(kRequestEncryption);
  h.SendInChunks(flow::Direction::kFromInitiator, req, 10, 5);
  h.Response(Hex(kConfirmEncryption), 6);
  EXPECT_TRUE(h.sink.remote.empty());  // reported when the flow ends
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_STREQ(s.tool, "teamviewer");
  EXPECT_EQ(s.frame, 3u);
  EXPECT_EQ(s.protocol_version.view(), "0x1724");
  EXPECT_EQ(s.security.view(), "encryption requested, confirmed");
  EXPECT_EQ(s.server_port, 5938);
  std::vector<uint32_t> codes;
  for (const auto& p : h.sink.pdus) codes.push_back(p.code);
  EXPECT_EQ(codes, (std::vector<uint32_t>{10, 10, 93, 94}));
}

TEST(TeamViewerDissector, UdpFlowsAreSessionsToo) {
  StreamHarness u(Registered("teamviewer", 17));
  u.Request(Hex("00 01 02 03 04 05 06 07 08 09 0a 17 24 0a 00"), 1);
  u.Response(Hex("00 ff ff"), 2);
  u.End();
  ASSERT_EQ(u.sink.remote.size(), 1u);
  EXPECT_EQ(u.sink.remote[0].protocol_version.view(), "udp");
  EXPECT_EQ(u.sink.pdus.size(), 2u);
}

TEST(TeamViewerDissector, EveryTruncatedStreamIsSafe) {
  std::vector<uint8_t> stream = Identify();
  auto req = Hex(kRequestEncryption);
  stream.insert(stream.end(), req.begin(), req.end());
  ForEachPrefix(stream, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("teamviewer"));
    h.Request(p, 1);
    h.End();
    EXPECT_LE(h.sink.remote.size(), 1u);
  });
}

TEST(TeamViewerDissector, ProbesWantTheFraming) {
  const auto d = flow::Direction::kFromInitiator;
  EXPECT_EQ(teamviewer::ProbeTcp(d, Identify()), ProbeResult::kYes);
  EXPECT_EQ(teamviewer::ProbeTcp(d, Hex("17 24 0a 20 00")), ProbeResult::kYes);  // header whole
  EXPECT_EQ(teamviewer::ProbeTcp(d, Hex("17 24")), ProbeResult::kMaybe);
  EXPECT_EQ(teamviewer::ProbeTcp(d, Hex("17 24 05 00 00")), ProbeResult::kNo);  // no command 5
  EXPECT_EQ(teamviewer::ProbeTcp(d, Hex("17 03 03 00 20")), ProbeResult::kNo);  // TLS data
  EXPECT_EQ(teamviewer::ProbeUdp(d, Hex("00 01 02")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
