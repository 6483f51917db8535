// The PLC block ledger: order, caps, and shards merging to what one thread keeps.
#include "model/plc_blocks.h"

#include <gtest/gtest.h>

#include <vector>

namespace qw::model {
namespace {

dissect::BlockTransferObservation Transfer(uint64_t first_frame, size_t size,
                                           bool complete = true) {
  dissect::BlockTransferObservation t;
  t.protocol = "s7comm";
  t.direction = "download";
  t.plc_ip = *core::IpAddr::Parse("10.50.1.10");
  t.peer_ip = *core::IpAddr::Parse("10.10.5.20");
  t.block.Append("OB1");
  t.block_type.Append("OB");
  t.block_number = 1;
  t.size = size;
  t.bytes.assign(size, static_cast<uint8_t>(first_frame));
  t.sha256.Append(std::string(64, static_cast<char>('a' + first_frame % 6)));
  t.complete = complete;
  t.first_frame = first_frame;
  t.last_frame = first_frame + 10;
  return t;
}

std::vector<uint64_t> Frames(const PlcBlockLedger& l) {
  std::vector<uint64_t> out;
  for (const auto& b : l.blocks()) out.push_back(b.first_frame);
  return out;
}

TEST(PlcBlockLedger, KeepsBlocksInFrameOrderWithTheirBytes) {
  PlcBlockLedger l;
  l.Add(Transfer(300, 4));
  l.Add(Transfer(100, 2, false));
  ASSERT_EQ(Frames(l), (std::vector<uint64_t>{100, 300}));
  EXPECT_EQ(l.blocks()[0].block, "OB1");
  EXPECT_FALSE(l.blocks()[0].complete);
  ASSERT_TRUE(l.blocks()[1].content);
  EXPECT_EQ(*l.blocks()[1].content, std::vector<uint8_t>(4, static_cast<uint8_t>(300 % 256)));
  EXPECT_EQ(l.dropped(), 0u);
}

TEST(PlcBlockLedger, CapsKeepTheEarliestWhateverTheShards) {
  PlcBlockLimits limits;
  limits.max_blocks = 3;
  limits.max_content_bytes = 25;
  // One thread sees them all; two shards see alternate ones, in another order.
  PlcBlockLedger one(limits), a(limits), b(limits), merged(limits);
  for (uint64_t f : {5, 1, 4, 2, 3}) one.Add(Transfer(f, 10));
  for (uint64_t f : {5, 1, 3}) a.Add(Transfer(f, 10));
  for (uint64_t f : {4, 2}) b.Add(Transfer(f, 10));
  merged.Merge(b);
  merged.Merge(a);
  EXPECT_EQ(Frames(one), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(Frames(merged), Frames(one));
  EXPECT_EQ(one.dropped(), 2u);
  EXPECT_EQ(merged.dropped(), 2u);
  // 10 + 10 bytes fit in 25; the third block's would not: it keeps its hash, not its bytes.
  for (const auto* l : {&one, &merged}) {
    EXPECT_TRUE(l->blocks()[0].content);
    EXPECT_TRUE(l->blocks()[1].content);
    EXPECT_FALSE(l->blocks()[2].content);
    EXPECT_EQ(l->blocks()[2].size, 10u);
    EXPECT_EQ(l->content_dropped(), 1u);
  }
}

}  // namespace
}  // namespace qw::model
