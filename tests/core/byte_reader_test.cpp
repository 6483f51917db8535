#include "core/byte_reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace qw::core {
namespace {

TEST(ByteReader, ReadsBigAndLittleEndian) {
  const std::vector<uint8_t> b = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
  ByteReader r(b);
  EXPECT_EQ(r.U8(), 0x01);
  EXPECT_EQ(r.U16Be(), 0x0203);
  EXPECT_EQ(r.U16Le(), 0x0504);
  EXPECT_EQ(r.U32Be(), 0x06070809u);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, ReadPastEndFailsForGoodAndReturnsZero) {
  const std::vector<uint8_t> b = {0xaa, 0xbb, 0xcc};
  ByteReader r(b);
  EXPECT_EQ(r.U32Be(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  // Even a read that would have fitted before the failure now returns zero.
  EXPECT_EQ(r.U8(), 0);
  EXPECT_TRUE(r.Bytes(1).empty());
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, SubReaderIsBoundedByItsLength) {
  const std::vector<uint8_t> b = {0x02, 0x11, 0x22, 0x33};
  ByteReader r(b);
  uint8_t len = r.U8();
  ByteReader sub = r.Sub(len);
  EXPECT_EQ(sub.U16Be(), 0x1122);
  EXPECT_EQ(sub.U8(), 0);  // the length field ended the sub-reader
  EXPECT_FALSE(sub.ok());
  EXPECT_TRUE(r.ok());  // the outer reader is untouched by the sub-reader's failure
  EXPECT_EQ(r.U8(), 0x33);
}

TEST(ByteReader, SubReaderLongerThanBufferFailsBoth) {
  const std::vector<uint8_t> b = {0x10, 0x01};
  ByteReader r(b);
  ByteReader sub = r.Sub(r.U8());
  EXPECT_FALSE(sub.ok());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(sub.remaining(), 0u);
}

TEST(ByteReader, PeeksNeverFail) {
  const std::vector<uint8_t> b = {0x12, 0x34};
  ByteReader r(b);
  EXPECT_EQ(r.PeekU16Be(), 0x1234);
  EXPECT_EQ(r.PeekU16Be(1), 0);
  EXPECT_EQ(r.PeekU8(5), 0);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.position(), 0u);
}

TEST(ByteReader, SkipAndRest) {
  const std::vector<uint8_t> b = {1, 2, 3, 4};
  ByteReader r(b);
  EXPECT_TRUE(r.Skip(1));
  auto rest = r.Rest();
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0], 2);
  EXPECT_FALSE(r.Skip(1));
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, SixtyFourBitBothOrders) {
  const std::vector<uint8_t> b = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  ByteReader r(b);
  EXPECT_EQ(r.U64Be(), 0x0102030405060708ull);
  EXPECT_EQ(r.U64Le(), 0x0807060504030201ull);
}

}  // namespace
}  // namespace qw::core
