// Classic pcap: byte orders, stamp resolutions, link-type word, bad and truncated records.
#include "capture/pcap_reader.h"

#include <gtest/gtest.h>

#include "capture/capture_file.h"
#include "capture_test_util.h"

namespace qw::capture {
namespace {

using testing::BuildPcap;
using testing::Drain;
using testing::Hex;
using testing::OpenOk;
using testing::ReadAll;
using testing::Record;

TEST(PcapReader, LittleEndianMicroseconds) {
  const auto bytes = Hex(testing::kPcapLeMicro);
  auto reader = OpenOk(bytes);
  ASSERT_NE(reader, nullptr);
  EXPECT_STREQ(reader->format(), "pcap");
  EXPECT_FALSE(reader->compressed());
  const ReadAll all = Drain(*reader);
  EXPECT_FALSE(all.error);
  ASSERT_EQ(all.frames.size(), 2u);
  EXPECT_EQ(all.frames[0].number, 1u);
  EXPECT_EQ(all.frames[0].ts_ns, 1700000000'123456000);
  EXPECT_EQ(all.frames[0].link_type, kLinkEthernet);
  EXPECT_EQ(all.frames[0].orig_len, 60u);
  EXPECT_EQ(all.frames[0].data, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(all.frames[1].number, 2u);
  EXPECT_EQ(all.frames[1].ts_ns, 1700000001'000000000);
  EXPECT_EQ(all.frames[1].data, (std::vector<uint8_t>{0xaa, 0xbb}));
  EXPECT_EQ(reader->position(), bytes.size());
  EXPECT_EQ(reader->size(), bytes.size());
}

TEST(PcapReader, BigEndianNanoseconds) {
  const auto bytes = Hex(testing::kPcapBeNano);
  auto reader = OpenOk(bytes);
  ASSERT_NE(reader, nullptr);
  const ReadAll all = Drain(*reader);
  EXPECT_FALSE(all.error);
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].ts_ns, 1700000000'123456789);
  EXPECT_EQ(all.frames[0].link_type, kLinkLinuxSll);
  EXPECT_EQ(all.frames[0].data, (std::vector<uint8_t>{0xde, 0xad, 0xbe}));
}

TEST(PcapReader, EveryByteOrderAndResolution) {
  for (bool be : {false, true}) {
    for (bool nano : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "big_endian=" << be << " nano=" << nano);
      const uint32_t frac = nano ? 999'999'999 : 999'999;
      const auto bytes = BuildPcap(be, nano, kLinkRaw, 65535,
                                   {Record{4000000000u, frac, {0x45, 0}, 40}, Record{1, 0, {}, 0}});
      auto reader = OpenOk(bytes);
      ASSERT_NE(reader, nullptr);
      const ReadAll all = Drain(*reader);
      EXPECT_FALSE(all.error);
      ASSERT_EQ(all.frames.size(), 2u);
      // Seconds are unsigned in pcap: 4000000000 is after 2038.
      EXPECT_EQ(all.frames[0].ts_ns,
                int64_t{4000000000} * 1'000'000'000 + (nano ? 999'999'999 : 999'999'000));
      EXPECT_EQ(all.frames[0].orig_len, 40u);
      EXPECT_EQ(all.frames[0].link_type, kLinkRaw);
      EXPECT_EQ(all.frames[1].ts_ns, 1'000'000'000);
      EXPECT_TRUE(all.frames[1].data.empty());
    }
  }
}

TEST(PcapReader, FcsBitsAreMaskedOffTheLinkType) {
  // F bit (0x04000000) set and FCS length 2 (16-bit words) in the top four bits.
  const auto bytes = BuildPcap(false, false, 0x24000001, 65535, {Record{1, 0, {1, 2, 3, 4, 5}}});
  auto reader = OpenOk(bytes);
  ASSERT_NE(reader, nullptr);
  auto* pcap = dynamic_cast<PcapReader*>(reader.get());
  ASSERT_NE(pcap, nullptr);
  EXPECT_EQ(pcap->link_type(), kLinkEthernet);
  EXPECT_EQ(pcap->fcs_len(), 4u);
  const ReadAll all = Drain(*reader);
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].link_type, kLinkEthernet);
}

TEST(PcapReader, TruncatedRecordNamesRecordAndOffset) {
  auto bytes = Hex(testing::kPcapLeMicro);
  bytes.pop_back();  // record 2 (header at 24 + 16 + 6 = 46) loses its last data byte
  auto reader = OpenOk(bytes);
  ASSERT_NE(reader, nullptr);
  const ReadAll all = Drain(*reader);
  ASSERT_EQ(all.frames.size(), 1u);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->record, 2u);
  EXPECT_EQ(all.error->offset, 46u);
  EXPECT_EQ(all.error->ToString(),
            "record 2 at offset 46: captured length 2 runs past the end of the file "
            "(1 bytes left)");
  Frame f;
  EXPECT_FALSE(reader->Next(f)) << "reading stays stopped";
}

TEST(PcapReader, TruncatedRecordHeader) {
  auto bytes = Hex(testing::kPcapLeMicro);
  bytes.resize(24 + 16 + 6 + 10);  // ten bytes of record 2's header
  auto reader = OpenOk(bytes);
  ASSERT_NE(reader, nullptr);
  const ReadAll all = Drain(*reader);
  EXPECT_EQ(all.frames.size(), 1u);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->record, 2u);
  EXPECT_EQ(all.error->offset, 46u);
  EXPECT_EQ(all.error->message, "record header truncated (10 of 16 bytes)");
}

TEST(PcapReader, CapturedLengthAboveLimitIsCorrupt) {
  auto bytes = BuildPcap(false, false, 1, 65535, {Record{1, 0, {1, 2}}});
  // Patch the captured length of record 1 (offset 24 + 8) to 262145 little-endian.
  bytes[32] = 0x01;
  bytes[33] = 0x00;
  bytes[34] = 0x04;
  bytes[35] = 0x00;
  auto reader = OpenOk(bytes);
  ASSERT_NE(reader, nullptr);
  const ReadAll all = Drain(*reader);
  EXPECT_TRUE(all.frames.empty());
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->record, 1u);
  EXPECT_EQ(all.error->offset, 24u);
  EXPECT_EQ(all.error->message, "captured length 262145 exceeds the limit of 262144");
}

TEST(PcapReader, LargeSnapLengthRaisesTheLimit) {
  const std::vector<uint8_t> big(300000, 0x5a);
  const auto bytes = BuildPcap(false, false, 1, 1 << 20, {Record{1, 0, big}});
  auto reader = OpenOk(bytes);
  ASSERT_NE(reader, nullptr);
  const ReadAll all = Drain(*reader);
  EXPECT_FALSE(all.error);
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].data.size(), big.size());
}

TEST(PcapReader, HeaderOnlyHasNoFrames) {
  auto bytes = Hex(testing::kPcapLeMicro);
  bytes.resize(24);
  auto reader = OpenOk(bytes);
  ASSERT_NE(reader, nullptr);
  const ReadAll all = Drain(*reader);
  EXPECT_TRUE(all.frames.empty());
  EXPECT_FALSE(all.error);
}

TEST(PcapReader, EmptyBufferHasNoFrames) {
  const std::vector<uint8_t> bytes;
  auto reader = OpenOk(bytes);
  ASSERT_NE(reader, nullptr);
  EXPECT_STREQ(reader->format(), "empty");
  const ReadAll all = Drain(*reader);
  EXPECT_TRUE(all.frames.empty());
  EXPECT_FALSE(all.error);
}

TEST(PcapReader, TruncatedFileHeaderIsRefused) {
  auto bytes = Hex(testing::kPcapBeNano);
  bytes.resize(20);
  auto reader = OpenCaptureBuffer(bytes, "short.pcap");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message, "short.pcap: pcap file header truncated (20 of 24 bytes)");
}

TEST(PcapReader, EveryPrefixIsSafe) {
  testing::CheckEveryPrefix(Hex(testing::kPcapLeMicro));
  testing::CheckEveryPrefix(Hex(testing::kPcapBeNano));
  testing::CheckEveryPrefix(
      BuildPcap(true, true, 1, 100, {Record{1, 2, {1, 2, 3}}, Record{3, 4, {4}}}));
}

}  // namespace
}  // namespace qw::capture
