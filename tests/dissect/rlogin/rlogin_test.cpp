// Tests of the rlogin parser and dissector: a client's opening as RFC 1282 lays it out, the
// server's zero, malformed openings, every truncated prefix, and the probe against other
// protocols that open with a zero.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "dissect/rlogin/rlogin_dissector.h"
#include "dissect/rlogin/rlogin_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

constexpr std::string_view kOpening = R"(
  00                                   # opening zero
  61 6c 69 63 65 00                    # client user "alice"
  72 6f 6f 74 00                       # server user "root"
  78 74 65 72 6d 2f 33 38 34 30 30 00  # terminal "xterm/38400"
)";

TEST(RloginParser, Opening) {
  auto h = rlogin::ReadClientHello(Hex(kOpening));
  ASSERT_EQ(h.status, rlogin::Status::kOk);
  EXPECT_EQ(h.length, 24u);
  EXPECT_EQ(h.client_user.view(), "alice");
  EXPECT_EQ(h.server_user.view(), "root");
  EXPECT_EQ(h.terminal.view(), "xterm/38400");
  auto opening = Hex(kOpening);
  ForEachPrefix(opening, [&](std::span<const uint8_t> p) {
    EXPECT_EQ(rlogin::ReadClientHello(p).status, rlogin::Status::kNeedMore);
  });
  // No terminal speed, an empty user, a control octet, no opening zero, too long a name.
  EXPECT_EQ(rlogin::ReadClientHello(Hex("00 61 00 62 00 78 00")).status, rlogin::Status::kInvalid);
  EXPECT_EQ(rlogin::ReadClientHello(Hex("00 00 62 00 78 2f 31 00")).status,
            rlogin::Status::kInvalid);
  EXPECT_EQ(rlogin::ReadClientHello(Hex("00 61 01")).status, rlogin::Status::kInvalid);
  EXPECT_EQ(rlogin::ReadClientHello(Hex("01 61 00")).status, rlogin::Status::kInvalid);
  std::vector<uint8_t> long_name = {0};
  long_name.insert(long_name.end(), rlogin::kMaxFieldBytes + 1, 'a');
  EXPECT_EQ(rlogin::ReadClientHello(long_name).status, rlogin::Status::kInvalid);
}

TEST(RloginDissector, OpeningBecomesASession) {
  StreamHarness h(Registered("rlogin"));
  auto opening = Hex(kOpening);
  h.SendInChunks(flow::Direction::kFromInitiator, opening, 5, 4);
  h.Response(Hex("00"), 6);
  h.Response(Hex("50 61 73 73 77 6f 72 64 3a 20"), 7);  // "Password: " is session data
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_STREQ(s.tool, "rlogin");
  EXPECT_EQ(s.frame, 4u);
  EXPECT_EQ(s.user.view(), "root");
  EXPECT_TRUE(s.client_software.empty());
  EXPECT_EQ(s.security.view(), "client user alice; terminal xterm/38400");
  EXPECT_EQ(s.server_port, 513);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[1].code, 2u);
}

TEST(RloginDissector, ProbeWantsAnOpening) {
  const auto c = flow::Direction::kFromInitiator;
  EXPECT_EQ(rlogin::Probe(c, Hex(kOpening)), ProbeResult::kYes);
  EXPECT_EQ(rlogin::Probe(c, Hex("00 61 6c")), ProbeResult::kMaybe);
  EXPECT_EQ(rlogin::Probe(flow::Direction::kFromResponder, Hex(kOpening)), ProbeResult::kNo);
  EXPECT_EQ(rlogin::Probe(c, Hex("00 01 00 00 00 06 01 03")), ProbeResult::kNo);  // Modbus
  EXPECT_EQ(rlogin::Probe(c, Hex("00 00 00 00")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
