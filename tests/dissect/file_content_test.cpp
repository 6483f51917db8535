// Tests of FileContent (what a file transfer counts and hashes) and Expectations (flows one
// dissector announces for another).
#include "dissect/file_content.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/digest.h"
#include "dissect/expectations.h"

namespace qw::dissect {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(FileContent, InOrderBytesAreHashedAndComplete) {
  FileContent c(1024);
  c.Append(Bytes("hello "));
  c.Add(6, Bytes("world"));
  FileTransferObservation o;
  c.Finish(11, o);
  EXPECT_EQ(o.bytes, 11u);
  EXPECT_EQ(o.declared_size, 11);
  EXPECT_TRUE(o.complete);
  EXPECT_EQ(o.sha256.view(), core::Sha256("hello world").view());
}

TEST(FileContent, HolesOverlapsAndShortFilesAreIncompleteAndUnhashed) {
  FileTransferObservation o;
  FileContent hole(1024);
  hole.Add(0, Bytes("abc"));
  hole.Add(10, Bytes("xyz"));
  hole.Finish(-1, o);
  EXPECT_FALSE(o.complete);
  EXPECT_TRUE(o.sha256.empty());
  EXPECT_EQ(o.bytes, 6u);

  FileContent overlap(1024);
  overlap.Add(0, Bytes("abcdef"));
  overlap.Add(3, Bytes("def"));
  overlap.Finish(-1, o);
  EXPECT_FALSE(o.complete);

  FileContent gap(1024);
  gap.Append(Bytes("abc"));
  gap.Gap(5);
  gap.Append(Bytes("xyz"));
  EXPECT_EQ(gap.next_offset(), 11u);
  gap.Finish(11, o);
  EXPECT_FALSE(o.complete);

  FileContent short_file(1024);
  short_file.Append(Bytes("abc"));
  short_file.Finish(10, o);  // 10 announced, 3 came
  EXPECT_FALSE(o.complete);
  EXPECT_TRUE(o.sha256.empty());
}

TEST(FileContent, FilesPastTheLimitAreCountedNotHashed) {
  FileTransferObservation o;
  FileContent c(8);
  c.Append(Bytes("12345"));
  c.Append(Bytes("67890"));
  c.Finish(-1, o);
  EXPECT_TRUE(o.complete);
  EXPECT_EQ(o.bytes, 10u);
  EXPECT_TRUE(o.sha256.empty());

  FileContent never(0);
  never.Append(Bytes("x"));
  never.Finish(-1, o);
  EXPECT_TRUE(o.sha256.empty());

  FileContent empty(8);
  empty.Finish(0, o);
  EXPECT_TRUE(o.complete);
  EXPECT_EQ(o.sha256.view(), core::Sha256("").view());
}

// A dissector that does nothing, to be expected.
class Idle final : public Dissector {
 public:
  ParseResult OnData(flow::Direction, std::span<const uint8_t> b, const StreamContext&) override {
    return {Verdict::kConsumed, b.size(), 0};
  }
  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}
  void OnEnd(const StreamContext&) override {}
};

ProbeResult No(flow::Direction, std::span<const uint8_t>) { return ProbeResult::kNo; }
std::unique_ptr<Dissector> None() { return nullptr; }
const StreamDissectorInfo kInfo = {"test-data", 6, {}, &No, &None};

flow::Flow FlowOf(const char* a, uint16_t pa, const char* b, uint16_t pb, int64_t sec) {
  flow::Flow f;
  f.proto = 6;
  f.initiator_ip = *core::IpAddr::Parse(a);
  f.initiator_port = pa;
  f.responder_ip = *core::IpAddr::Parse(b);
  f.responder_port = pb;
  f.first_ts = core::Timestamp{sec * 1'000'000'000};
  return f;
}

TEST(Expectations, MatchEitherWayOnceBeforeTheyExpire) {
  Expectations e;
  core::Anomalies an;
  const core::Timestamp expires{10'000'000'000};
  e.Expect(6, 0, {*core::IpAddr::Parse("10.0.0.1"), 0}, {*core::IpAddr::Parse("10.0.0.2"), 2000},
           expires, 1, kInfo, std::make_unique<Idle>(), an);
  const StreamDissectorInfo* info = nullptr;
  EXPECT_FALSE(e.Take(FlowOf("10.0.0.1", 40000, "10.0.0.2", 2001, 1), info));  // other port
  EXPECT_FALSE(e.Take(FlowOf("10.0.0.3", 40000, "10.0.0.2", 2000, 1), info));  // other host
  flow::Flow routed_copy = FlowOf("10.0.0.1", 40000, "10.0.0.2", 2000, 1);
  routed_copy.vlan = 40;
  EXPECT_FALSE(e.Take(routed_copy, info));  // the same flow routed onto another VLAN
  // The server side opening it matches too (active FTP).
  EXPECT_TRUE(e.Take(FlowOf("10.0.0.2", 2000, "10.0.0.1", 40000, 1), info));
  EXPECT_EQ(info, &kInfo);
  EXPECT_FALSE(e.Take(FlowOf("10.0.0.1", 40000, "10.0.0.2", 2000, 1), info));  // taken

  e.Expect(6, 0, {*core::IpAddr::Parse("10.0.0.1"), 0}, {*core::IpAddr::Parse("10.0.0.2"), 2000},
           expires, 1, kInfo, std::make_unique<Idle>(), an);
  EXPECT_FALSE(e.Take(FlowOf("10.0.0.1", 40000, "10.0.0.2", 2000, 11), info));  // too late
  EXPECT_EQ(e.size(), 0u);
}

TEST(Expectations, AnOwnersNewExpectationReplacesItsOldAndTheTableIsBounded) {
  Expectations e;
  core::Anomalies an;
  const core::Timestamp expires{10'000'000'000};
  auto a = *core::IpAddr::Parse("10.0.0.1");
  auto b = *core::IpAddr::Parse("10.0.0.2");
  e.Expect(6, 0, {a, 0}, {b, 2000}, expires, 7, kInfo, std::make_unique<Idle>(), an);
  e.Expect(6, 0, {a, 0}, {b, 2001}, expires, 7, kInfo, std::make_unique<Idle>(), an);
  EXPECT_EQ(e.size(), 1u);
  const StreamDissectorInfo* info = nullptr;
  EXPECT_FALSE(e.Take(FlowOf("10.0.0.1", 1, "10.0.0.2", 2000, 1), info));
  for (uint64_t owner = 100; owner < 100 + Expectations::kMaxExpectations + 5; ++owner) {
    e.Expect(6, 0, {a, 0}, {b, static_cast<uint16_t>(owner)}, expires, owner, kInfo,
             std::make_unique<Idle>(), an);
  }
  EXPECT_EQ(e.size(), Expectations::kMaxExpectations);
  EXPECT_EQ(an.Count("dissect.expectations_full"), 6u);
}

}  // namespace
}  // namespace qw::dissect
