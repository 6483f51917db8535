// Tests of the Telnet scanner and dissector: option negotiation and a terminal-type
// subnegotiation as a BSD telnet client and server exchange them, a login typed one
// character per segment after the server's prompt, the caps, every truncated prefix, and the
// probe.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dissect/telnet/telnet_dissector.h"
#include "dissect/telnet/telnet_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

std::vector<uint8_t> Bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// The server opens with its wishes.
constexpr std::string_view kServerOpening = R"(
  ff fd 18        # IAC DO TERMINAL-TYPE
  ff fd 20        # IAC DO TERMINAL-SPEED
  ff fb 01        # IAC WILL ECHO
)";
// The client agrees and names its terminal.
constexpr std::string_view kClientAnswer = R"(
  ff fb 18                       # IAC WILL TERMINAL-TYPE
  ff fc 20                       # IAC WONT TERMINAL-SPEED
  ff fd 01                       # IAC DO ECHO
  ff fa 18 00 58 54 45 52 4d ff f0   # IAC SB TERMINAL-TYPE IS "XTERM" IAC SE
)";

// Records what the scanner hands back.
struct Recorder : telnet::ScanSink {
  void OnDataByte(uint8_t b) override { data.push_back(static_cast<char>(b)); }
  void OnNegotiation(uint8_t command, uint8_t option) override {
    negotiations.push_back(command * 256 + option);
  }
  void OnSubnegotiation(std::string_view bytes, bool truncated) override {
    subs.emplace_back(bytes);
    cut = cut || truncated;
  }
  void OnCommand(uint8_t command) override { commands.push_back(command); }
  std::string data;
  std::vector<int> negotiations;
  std::vector<std::string> subs;
  std::vector<int> commands;
  bool cut = false;
};

TEST(TelnetParser, CommandsAcrossCalls) {
  Recorder rec;
  telnet::ScanState state;
  auto answer = Hex(kClientAnswer);
  // One octet per call: the state carries every command across.
  for (uint8_t b : answer) telnet::Scan(std::span<const uint8_t>(&b, 1), state, rec);
  EXPECT_EQ(rec.negotiations, (std::vector<int>{251 * 256 + 24, 252 * 256 + 32, 253 * 256 + 1}));
  ASSERT_EQ(rec.subs.size(), 1u);
  EXPECT_EQ(rec.subs[0], std::string("\x18\0XTERM", 7));
  EXPECT_TRUE(rec.data.empty());
  // IAC IAC is a data 0xff; IAC NOP a command; text passes through.
  telnet::Scan(Hex("61 ff ff 62 ff f1 63"), state, rec);
  EXPECT_EQ(rec.data,
            "a\xff"
            "bc");
  EXPECT_EQ(rec.commands, (std::vector<int>{241}));
}

TEST(TelnetParser, LongSubnegotiationIsCut) {
  Recorder rec;
  telnet::ScanState state;
  std::vector<uint8_t> sub = {0xff, 0xfa, 0x18, 0x00};
  sub.insert(sub.end(), 100, 'A');
  sub.push_back(0xff);
  sub.push_back(0xf0);
  telnet::Scan(sub, state, rec);
  ASSERT_EQ(rec.subs.size(), 1u);
  EXPECT_EQ(rec.subs[0].size(), telnet::kMaxSubnegotiationBytes);
  EXPECT_TRUE(rec.cut);
}

TEST(TelnetParser, LoginPrompts) {
  EXPECT_TRUE(telnet::IsLoginPrompt("host login: "));
  EXPECT_TRUE(telnet::IsLoginPrompt("Username:"));
  EXPECT_TRUE(telnet::IsLoginPrompt("LOGIN:"));
  EXPECT_FALSE(telnet::IsLoginPrompt("Password: "));
  EXPECT_FALSE(telnet::IsLoginPrompt("login"));
  EXPECT_FALSE(telnet::IsLoginPrompt(""));
  EXPECT_STREQ(telnet::OptionName(24), "terminal-type");
}

TEST(TelnetDissector, UserTypedAtTheLoginPrompt) {
  StreamHarness h(Registered("telnet"));
  h.Response(Hex(kServerOpening), 4);
  h.Request(Hex(kClientAnswer), 5);
  h.Response(Bytes("\r\nUbuntu 22.04 LTS\r\ncrane7 login: "), 8);
  uint64_t frame = 10;
  for (char c : std::string_view("opera\x7ftor\r")) {  // DEL is an editing key, not a letter
    const uint8_t b = static_cast<uint8_t>(c);
    h.Request(std::span<const uint8_t>(&b, 1), frame++);
    EXPECT_TRUE(c == '\r' || h.sink.remote.empty());
  }
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_STREQ(s.tool, "telnet");
  EXPECT_EQ(s.frame, 4u);
  EXPECT_EQ(s.user.view(), "operator");
  EXPECT_EQ(s.server_port, 23);
  int negotiations = 0, subs = 0;
  for (const auto& p : h.sink.pdus) {
    negotiations += p.code >= 251 && p.code <= 254;
    subs += p.code == 250;
  }
  EXPECT_EQ(negotiations, 6);
  EXPECT_EQ(subs, 1);
  h.Response(Bytes("Password: "), 20);
  h.Request(Bytes("secret\r"), 21);  // never a user
  h.End();
  EXPECT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].user.view(), "operator");
}

TEST(TelnetDissector, NoPromptNoUser) {
  StreamHarness h(Registered("telnet"));
  h.Response(Hex(kServerOpening), 1);
  h.Request(Bytes("ls -l\r\n"), 2);
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_TRUE(h.sink.remote[0].user.empty());
}

TEST(TelnetDissector, LongUserIsCut) {
  StreamHarness h(Registered("telnet"));
  h.Response(Hex(kServerOpening), 1);
  h.Response(Bytes("login: "), 2);
  std::vector<uint8_t> line(200, 'u');
  line.push_back('\r');
  h.Request(line, 3);
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].user.size(), telnet::kMaxUserBytes);
  EXPECT_EQ(h.anomalies.Count("telnet.long_user"), 1u);
}

TEST(TelnetDissector, EveryTruncatedStreamIsSafe) {
  std::vector<uint8_t> server = Hex(kServerOpening);
  auto prompt = Bytes("login: ");
  server.insert(server.end(), prompt.begin(), prompt.end());
  auto client = Hex(kClientAnswer);
  ForEachPrefix(server, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("telnet"));
    h.Response(p, 1);
    h.Request(client, 2);
    h.End();
    EXPECT_LE(h.sink.remote.size(), 1u);
  });
}

TEST(TelnetDissector, ProbeWantsANegotiation) {
  const auto d = flow::Direction::kFromResponder;
  EXPECT_EQ(telnet::Probe(d, Hex(kServerOpening)), ProbeResult::kYes);
  EXPECT_EQ(telnet::Probe(d, Hex("ff fa 18")), ProbeResult::kYes);
  EXPECT_EQ(telnet::Probe(d, Hex("ff fd")), ProbeResult::kMaybe);
  EXPECT_EQ(telnet::Probe(d, Hex("ff")), ProbeResult::kMaybe);
  EXPECT_EQ(telnet::Probe(d, Hex("ff f1 00")), ProbeResult::kNo);  // NOP first: no
  EXPECT_EQ(telnet::Probe(d, Bytes("login: ")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
