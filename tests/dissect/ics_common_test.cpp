// Tests of what the industrial dissectors share: the request table, bounded text, and the
// attacher's handling of UDP datagrams as whole messages.
#include "dissect/ics_common.h"

#include <gtest/gtest.h>

#include <string>

#include "core/fixed_text.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

TEST(RequestTable, PairsByKeyAndGivesBackWhatItDisplaces) {
  RequestTable<int, 2> t;
  EXPECT_FALSE(t.Put(1, 10).has_value());
  EXPECT_FALSE(t.Put(2, 20).has_value());
  auto displaced = t.Put(3, 30);  // full: the oldest (key 1) gives way
  ASSERT_TRUE(displaced.has_value());
  EXPECT_EQ(*displaced, 10);
  EXPECT_FALSE(t.Take(1).has_value());
  EXPECT_EQ(t.Take(3).value_or(0), 30);
  auto same = t.Put(2, 21);  // the same key again: the earlier request was never answered
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(*same, 20);
  std::vector<int> drained;
  t.Drain([&](int v) { drained.push_back(v); });
  EXPECT_EQ(drained, std::vector<int>{21});
  EXPECT_EQ(t.size(), 0u);
}

// A table wider than one word of slot bits (the EtherNet/IP one holds 160) finds, frees
// and evicts across words, oldest first.
TEST(RequestTable, SpansSeveralWordsOfSlots) {
  RequestTable<int, 130> t;
  for (int k = 0; k < 130; ++k) EXPECT_FALSE(t.Put(static_cast<uint64_t>(k), k).has_value());
  EXPECT_EQ(t.size(), 130u);
  EXPECT_EQ(t.Take(129).value_or(-1), 129);  // in the third word
  EXPECT_EQ(t.Take(64).value_or(-1), 64);    // first slot of the second word
  EXPECT_EQ(t.size(), 128u);
  EXPECT_FALSE(t.Put(1000, 1000).has_value());  // into a freed slot
  EXPECT_FALSE(t.Put(1001, 1001).has_value());
  auto displaced = t.Put(1002, 1002);  // full again: key 0 is the oldest
  ASSERT_TRUE(displaced.has_value());
  EXPECT_EQ(*displaced, 0);
  EXPECT_EQ(t.Take(1001).value_or(-1), 1001);
  std::vector<int> drained;
  t.Drain([&](int v) { drained.push_back(v); });
  ASSERT_EQ(drained.size(), 129u);
  EXPECT_EQ(drained.front(), 1);  // oldest first
  EXPECT_EQ(drained[62], 63);
  EXPECT_EQ(drained[63], 65);  // 64 was taken
  EXPECT_EQ(drained[126], 128);
  EXPECT_EQ(drained[127], 1000);
  EXPECT_EQ(drained.back(), 1002);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.TakeOldest().has_value());
}

// The room grows by doubling only as more requests wait at once, and what waits keeps its
// place and age across each growth: a poll loop with one request out holds two slots.
TEST(RequestTable, RoomGrowsOnlyAsRequestsWaitAtOnce) {
  RequestTable<std::string, 130> t;
  EXPECT_EQ(t.room(), 0u);
  for (uint64_t k = 0; k < 1000; ++k) {  // one at a time, answered
    EXPECT_FALSE(t.Put(k, "poll " + std::to_string(k)).has_value());
    EXPECT_EQ(t.Take(k).value_or(""), "poll " + std::to_string(k));
  }
  EXPECT_EQ(t.room(), 2u);
  t.Put(5000, "first");
  t.Put(5001, "second");
  EXPECT_EQ(t.room(), 2u);
  t.Put(5002, "third");
  EXPECT_EQ(t.room(), 4u);
  for (uint64_t k = 0; k < 125; ++k) t.Put(6000 + k, "w" + std::to_string(k));
  EXPECT_EQ(t.size(), 128u);
  EXPECT_EQ(t.room(), 128u);
  t.Put(7000, "129th");
  EXPECT_EQ(t.room(), 130u) << "the last doubling stops at the capacity";
  t.Put(7001, "130th");
  auto displaced = t.Put(7002, "131st");  // full: the oldest, put before every growth
  ASSERT_TRUE(displaced.has_value());
  EXPECT_EQ(*displaced, "first");
  EXPECT_EQ(t.room(), 130u);
  EXPECT_EQ(t.Take(5001).value_or(""), "second");
  EXPECT_EQ(t.Take(6064).value_or(""), "w64");
  EXPECT_EQ(t.TakeOldest().value_or(""), "third");
  EXPECT_EQ(t.size(), 127u);
}

// What a gap in one direction loses: only the matching requests go, oldest first; the rest
// keep their places and their ages.
TEST(RequestTable, DrainIfTakesOnlyTheMatchingOnesOldestFirst) {
  RequestTable<int, 70> t;
  for (int k = 0; k < 70; ++k) t.Put(static_cast<uint64_t>(k), k);
  ASSERT_TRUE(t.Take(3).has_value());
  t.Put(3, 1003);  // now the youngest
  std::vector<int> odd;
  t.DrainIf([](int v) { return v % 2 == 1; }, [&](int v) { odd.push_back(v); });
  ASSERT_EQ(odd.size(), 35u);
  EXPECT_EQ(odd.front(), 1);
  EXPECT_EQ(odd[1], 5);
  EXPECT_EQ(odd[33], 69);
  EXPECT_EQ(odd.back(), 1003);
  EXPECT_EQ(t.size(), 35u);
  auto displaced = t.TakeOldest();
  ASSERT_TRUE(displaced.has_value());
  EXPECT_EQ(*displaced, 0);
  t.DrainIf([](int) { return false; }, [](int) { FAIL() << "nothing matches"; });
  EXPECT_EQ(t.size(), 34u);
}

TEST(FixedText, CutsAtCapacityAndSaysSo) {
  core::FixedText<8> t;
  t.Append("DB").AppendUint(12345).Append(".DBX");
  EXPECT_EQ(t.view(), "DB12345.");
  EXPECT_TRUE(t.truncated());
  core::FixedText<16> h;
  h.AppendHex(0x1f, 4).Append(' ').AppendInt(-42);
  EXPECT_EQ(h.view(), "0x001f -42");
  core::FixedText<8> p;
  p.AppendPrintable(std::string("a\x01\xffz", 4));
  EXPECT_EQ(p.view(), "a..z");
}

// A UDP test protocol: datagrams that start with 'U'; each counts as one PDU.
class DatagramDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    if (bytes.empty() || bytes[0] != 'U') return {Verdict::kNotThisProtocol, 0, 0};
    CountPdu(ctx, "udptest", bytes.size() > 1 ? bytes[1] : 0, PduKind::kOther);
    return {Verdict::kConsumed, 1, 0};  // leaves the rest: it must not reach the next call
  }
  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}
  void OnEnd(const StreamContext&) override {}
};
ProbeResult ProbeDatagram(flow::Direction, std::span<const uint8_t> b) {
  return !b.empty() && b[0] == 'U' ? ProbeResult::kYes : ProbeResult::kNo;
}
std::unique_ptr<Dissector> CreateDatagram() { return std::make_unique<DatagramDissector>(); }
constexpr uint16_t kPorts[] = {9999};
const StreamDissectorInfo kDatagram = {"udptest", 17, kPorts, &ProbeDatagram, &CreateDatagram};

TEST(StreamAttacherUdp, EachDatagramIsProbedAndFedAlone) {
  testing::StreamHarness h(kDatagram);
  std::string a = "UA", b = "UB";
  h.Request({reinterpret_cast<const uint8_t*>(a.data()), a.size()}, 1);
  h.Response({reinterpret_cast<const uint8_t*>(b.data()), b.size()}, 2);
  EXPECT_STREQ(h.Protocol(), "udptest");
  // Each datagram: the dissector consumes 'U', then is offered "A" (resp. "B") alone,
  // which violates the protocol; with one violation allowed it is detached after "A".
  ASSERT_GE(h.sink.pdus.size(), 1u);
  EXPECT_EQ(h.sink.pdus[0].code, uint32_t{'A'});
  EXPECT_EQ(h.sink.pdus[0].frame, 1u);
}

TEST(StreamAttacherUdp, ADatagramNoProbeAcceptsEndsProbing) {
  testing::StreamHarness h(kDatagram);
  std::string x = "XX";
  h.Request({reinterpret_cast<const uint8_t*>(x.data()), x.size()}, 1);
  EXPECT_EQ(h.Protocol(), nullptr);
  EXPECT_EQ(h.stats.undetected, 1u);
}

}  // namespace
}  // namespace qw::dissect
