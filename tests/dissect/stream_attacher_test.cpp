#include "dissect/stream_attacher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dissect/dissector.h"

namespace qw::dissect {
namespace {

// A test protocol of newline-terminated lines that start with "QW ".
struct Seen {
  std::vector<std::string> lines;
  std::vector<std::string> fed;  // "i5 QW a": direction, frame and line, as fed
  uint64_t gaps = 0;
  bool ended = false;
};
Seen* g_seen = nullptr;

class LineDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    std::string_view s(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (s.size() >= 3 && s.substr(0, 3) != "QW ") return {Verdict::kNotThisProtocol, 0, 0};
    auto nl = s.find('\n');
    if (nl == std::string_view::npos) return {Verdict::kNeedMore, 0, 1};
    g_seen->lines.emplace_back(s.substr(0, nl));
    g_seen->fed.push_back((dir == flow::Direction::kFromInitiator ? "i" : "r") +
                          std::to_string(ctx.frame) + " " + std::string(s.substr(0, nl)));
    return {Verdict::kConsumed, nl + 1, 0};
  }
  void OnGap(flow::Direction, uint64_t n, const StreamContext&) override { g_seen->gaps += n; }
  void OnEnd(const StreamContext&) override { g_seen->ended = true; }
};

ProbeResult ProbeLine(flow::Direction, std::span<const uint8_t> b) {
  std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
  if (s.size() < 3)
    return std::string_view("QW ").substr(0, s.size()) == s ? ProbeResult::kMaybe
                                                            : ProbeResult::kNo;
  return s.substr(0, 3) == "QW " ? ProbeResult::kYes : ProbeResult::kNo;
}
std::unique_ptr<Dissector> CreateLine() { return std::make_unique<LineDissector>(); }
constexpr uint16_t kPorts[] = {4242};
const StreamDissectorInfo kLine = {"qwline", 6, kPorts, &ProbeLine, &CreateLine};

// The same protocol, recognised only once a direction holds two whole lines.
ProbeResult ProbeTwoLines(flow::Direction dir, std::span<const uint8_t> b) {
  if (ProbeLine(dir, b) == ProbeResult::kNo) return ProbeResult::kNo;
  return std::count(b.begin(), b.end(), '\n') >= 2 ? ProbeResult::kYes : ProbeResult::kMaybe;
}
const StreamDissectorInfo kTwoLines = {"qwline2", 6, kPorts, &ProbeTwoLines, &CreateLine};

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class StreamAttacherTest : public testing::Test {
 protected:
  void SetUp() override { g_seen = &seen_; }
  void TearDown() override { g_seen = nullptr; }
  StreamAttacher Make(AttachLimits limits = {}, flow::StreamMemory* memory = nullptr) {
    return StreamAttacher(flow_, Candidates(std::span(&kLine, 1)), sink_, anomalies_, stats_,
                          limits, nullptr, memory);
  }
  Seen seen_;
  flow::Flow flow_;
  ObservationSink sink_;
  core::Anomalies anomalies_;
  AttachStats stats_;
};

TEST_F(StreamAttacherTest, ProbesAcrossSegmentsThenFeedsWholeMessages) {
  auto a = Make();
  std::string s1 = "Q", s2 = "W hel", s3 = "lo\nQW two\nQW th", s4 = "ree\n";
  for (auto* s : {&s1, &s2, &s3, &s4}) a.OnData(flow::Direction::kFromInitiator, Bytes(*s), 1, {});
  EXPECT_STREQ(a.Protocol(), "qwline");
  EXPECT_EQ(stats_.attached, 1u);
  EXPECT_EQ(seen_.lines, (std::vector<std::string>{"QW hello", "QW two", "QW three"}));
  a.OnEnd(flow::EndReason::kClosed);
  EXPECT_TRUE(seen_.ended);
}

TEST_F(StreamAttacherTest, SegmentsHeldWhileProbingAreFedAsTheyCameWithTheirFrames) {
  // The probe decides on frame 7; what frames 5 and 6 carried keeps their frames and its
  // place before it, the responder's line between the initiator's two.
  StreamAttacher a(flow_, Candidates(std::span(&kTwoLines, 1)), sink_, anomalies_, stats_);
  a.OnData(flow::Direction::kFromInitiator, Bytes("QW a\n"), 5, {});
  a.OnData(flow::Direction::kFromResponder, Bytes("QW b\n"), 6, {});
  EXPECT_EQ(a.Protocol(), nullptr);
  a.OnData(flow::Direction::kFromInitiator, Bytes("QW c\n"), 7, {});
  EXPECT_STREQ(a.Protocol(), "qwline2");
  a.OnData(flow::Direction::kFromResponder, Bytes("QW d\n"), 8, {});
  EXPECT_EQ(seen_.fed, (std::vector<std::string>{"i5 QW a", "r6 QW b", "i7 QW c", "r8 QW d"}));
}

TEST_F(StreamAttacherTest, AFlowPickedUpMidStreamIsProbedAgainFromItsNextSegments) {
  // The capture began inside a message: its tail refuses every probe, the next segment
  // starts a message.
  flow_.proto = 6;
  flow_.midstream = true;
  auto a = Make();
  a.OnData(flow::Direction::kFromResponder, Bytes("llo\n"), 3, {});
  EXPECT_TRUE(a.WantsData());
  a.OnData(flow::Direction::kFromInitiator, Bytes("QW a\n"), 4, {});
  EXPECT_STREQ(a.Protocol(), "qwline");
  EXPECT_EQ(seen_.fed, (std::vector<std::string>{"i4 QW a"}));

  // Three segments more at most; and a flow seen from its start is not retried at all.
  Seen seen2;
  g_seen = &seen2;
  auto b = Make();
  for (uint64_t f = 1; f <= 4; ++f) b.OnData(flow::Direction::kFromInitiator, Bytes("xx\n"), f, {});
  EXPECT_FALSE(b.WantsData());
  flow_.midstream = false;
  auto c = Make();
  c.OnData(flow::Direction::kFromInitiator, Bytes("xx\n"), 1, {});
  EXPECT_FALSE(c.WantsData());
  EXPECT_EQ(stats_.undetected, 2u);
}

TEST_F(StreamAttacherTest, OtherBytesAreNotThisProtocol) {
  auto a = Make();
  std::string s = "GET / HTTP/1.1\r\n";
  a.OnData(flow::Direction::kFromInitiator, Bytes(s), 1, {});
  EXPECT_EQ(a.Protocol(), nullptr);
  EXPECT_FALSE(a.WantsData());
  EXPECT_EQ(stats_.undetected, 1u);
}

TEST_F(StreamAttacherTest, ViolationDetachesAndIsCounted) {
  auto a = Make();
  std::string ok = "QW fine\n", bad = "XX broken\n";
  a.OnData(flow::Direction::kFromInitiator, Bytes(ok), 1, {});
  a.OnData(flow::Direction::kFromInitiator, Bytes(bad), 2, {});
  EXPECT_FALSE(a.WantsData());
  EXPECT_EQ(stats_.detached, 1u);
  EXPECT_EQ(anomalies_.Count("dissect.protocol_violation"), 1u);
}

TEST_F(StreamAttacherTest, PendingBytesAreBounded) {
  AttachLimits limits;
  limits.max_pending_bytes = 64;
  auto a = Make(limits);
  std::string start = "QW ";
  a.OnData(flow::Direction::kFromInitiator, Bytes(start), 1, {});
  std::string chunk(40, 'x');  // a line that never ends
  for (int i = 0; i < 10; ++i) a.OnData(flow::Direction::kFromInitiator, Bytes(chunk), 2, {});
  EXPECT_GE(anomalies_.Count("dissect.pending_overflow"), 1u);
  EXPECT_GT(seen_.gaps, 0u);
}

TEST_F(StreamAttacherTest, PendingBytesStayWithinTheStreamMemory) {
  flow::StreamMemory memory(256);
  {
    AttachLimits limits;
    limits.max_pending_bytes = 1 << 20;  // the shared memory is what bounds here
    auto a = Make(limits, &memory);
    std::string start = "QW ";
    a.OnData(flow::Direction::kFromInitiator, Bytes(start), 1, {});
    EXPECT_STREQ(a.Protocol(), "qwline");
    std::string chunk(40, 'x');  // a line that never ends
    for (int i = 0; i < 5; ++i) a.OnData(flow::Direction::kFromInitiator, Bytes(chunk), 2, {});
    EXPECT_EQ(anomalies_.Count("dissect.stream_memory_full"), 1u);
    EXPECT_EQ(anomalies_.Count("dissect.pending_overflow"), 0u);
    EXPECT_EQ(seen_.gaps, 3u + 4 * 40 + 40);  // what was held, and the chunk that found no room
    EXPECT_LE(memory.peak(), memory.cap());
    EXPECT_GT(memory.peak(), 0u);
  }
  EXPECT_EQ(memory.held(), 0u);  // an attacher gives its buffers' room back when it goes
}

TEST_F(StreamAttacherTest, ProbeBytesNeedRoomInTheStreamMemory) {
  flow::StreamMemory memory(0);
  auto a = Make({}, &memory);
  std::string s = "Q";  // a probe would want more
  a.OnData(flow::Direction::kFromInitiator, Bytes(s), 1, {});
  EXPECT_FALSE(a.WantsData());
  EXPECT_EQ(stats_.undetected, 1u);
  EXPECT_EQ(anomalies_.Count("dissect.stream_memory_full"), 1u);
  EXPECT_EQ(memory.held(), 0u);
}

TEST_F(StreamAttacherTest, GapIsPassedToTheDissector) {
  auto a = Make();
  std::string s = "QW a\n";
  a.OnData(flow::Direction::kFromInitiator, Bytes(s), 1, {});
  a.OnGap(flow::Direction::kFromInitiator, 100);
  EXPECT_EQ(seen_.gaps, 100u);
}

TEST(Registry, ListsTheLinkLayerDissectors) {
  std::vector<std::string> names;
  for (const auto& d : FrameDissectors()) names.emplace_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"arp", "lldp", "cdp", "pn_dcp"}));
  for (const auto& d : StreamDissectors()) {
    EXPECT_NE(d.probe, nullptr) << d.name;
    EXPECT_NE(d.create, nullptr) << d.name;
  }
}

// A race probes port matches first, drops who says no, keeps who says maybe, and ends at
// the first yes.
TEST(Candidates, RaceProbesInOrderAndDropsTheNoes) {
  const StreamDissectorInfo table[] = {{"a", 6, {}, nullptr, nullptr},
                                       {"b", 6, {}, nullptr, nullptr},
                                       {"c", 6, {}, nullptr, nullptr}};
  Candidates race(table, /*first=*/0b100, /*rest=*/0b111);
  auto names = [](const std::vector<const StreamDissectorInfo*>& list) {
    std::string out;
    for (const auto* info : list) out += info->name;
    return out;
  };
  EXPECT_EQ(names(race.List()), "cab");
  std::string asked;
  bool any_maybe = false;
  const StreamDissectorInfo* won = race.Race(
      [&](const StreamDissectorInfo& info) {
        asked += info.name;
        return info.name == std::string_view("a") ? ProbeResult::kNo : ProbeResult::kMaybe;
      },
      any_maybe);
  EXPECT_EQ(won, nullptr);
  EXPECT_TRUE(any_maybe);
  EXPECT_EQ(asked, "cab");
  EXPECT_EQ(names(race.List()), "cb");
  asked.clear();
  any_maybe = false;
  won = race.Race(
      [&](const StreamDissectorInfo& info) {
        asked += info.name;
        return info.name == std::string_view("b") ? ProbeResult::kYes : ProbeResult::kMaybe;
      },
      any_maybe);
  EXPECT_EQ(won, &table[1]);
  EXPECT_EQ(asked, "cb");
  EXPECT_TRUE(race.empty());
  EXPECT_TRUE(Candidates(std::span(table, 0)).empty());
  EXPECT_EQ(names(Candidates(table).List()), "abc");
}

// The order the registry's description promises, spelled out the slow way.
std::vector<const StreamDissectorInfo*> ExpectedOrder(uint8_t transport, uint16_t a, uint16_t b) {
  std::vector<const StreamDissectorInfo*> first, rest;
  for (const auto& info : StreamDissectors()) {
    if (info.transport != transport) continue;
    bool listed = false;
    for (uint16_t p : info.ports) listed = listed || p == a || p == b;
    (listed ? first : rest).push_back(&info);
  }
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

TEST(Registry, CandidatesListPortMatchesFirstInRegistryOrder) {
  // Every port any dissector lists, against a port none lists and against each other.
  std::vector<uint16_t> ports = {0, 1, 65535};
  for (const auto& info : StreamDissectors())
    ports.insert(ports.end(), info.ports.begin(), info.ports.end());
  size_t checked = 0;
  for (uint8_t transport : {uint8_t{6}, uint8_t{17}, uint8_t{1}}) {
    for (uint16_t a : ports) {
      for (uint16_t b : {uint16_t{49152}, ports[checked % ports.size()], a}) {
        EXPECT_EQ(OrderCandidates(transport, a, b).List(), ExpectedOrder(transport, a, b))
            << int{transport} << " " << a << " " << b;
        ++checked;
      }
    }
  }
  // On Modbus's port, Modbus is probed first; nothing is offered for a transport not listed.
  const auto tcp = OrderCandidates(6, 502, 49152).List();
  ASSERT_FALSE(tcp.empty());
  EXPECT_STREQ(tcp.front()->name, "modbus");
  EXPECT_TRUE(OrderCandidates(1, 502, 53).empty());
}

}  // namespace
}  // namespace qw::dissect
