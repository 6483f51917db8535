// gzip-compressed captures: inflated into an unlinked temporary file and mapped.
#define ZLIB_CONST
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <string>

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

// One gzip member holding `bytes`, made with zlib.
std::vector<uint8_t> Gzip(const std::vector<uint8_t>& bytes) {
  z_stream zs{};
  EXPECT_EQ(
      deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::vector<uint8_t> out(deflateBound(&zs, static_cast<uLong>(bytes.size())) + 64);
  zs.next_in = bytes.data();
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A capture of many records with varied bytes, so its compressed form is long.
std::vector<uint8_t> ManyRecords(size_t n) {
  std::vector<Record> records;
  uint32_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    Record r{static_cast<uint32_t>(1000 + i), 0, {}, 0};
    for (int j = 0; j < 60; ++j) {
      x = x * 1103515245u + 12345u;
      r.data.push_back(static_cast<uint8_t>(x >> 24));
    }
    records.push_back(std::move(r));
  }
  return BuildPcap(false, false, 1, 65535, records);
}

TEST(GzipCapture, InflatesToTheSameFrames) {
  const auto plain = Hex(testing::kPcapngTwoSections);
  const auto gz = Gzip(plain);
  auto reader = OpenOk(gz);
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->compressed());
  EXPECT_STREQ(reader->format(), "pcapng");
  EXPECT_EQ(reader->size(), plain.size());
  const ReadAll got = Drain(*reader);
  EXPECT_FALSE(got.error);
  auto plain_reader = OpenOk(plain);
  ASSERT_NE(plain_reader, nullptr);
  const ReadAll want = Drain(*plain_reader);
  ASSERT_EQ(got.frames.size(), want.frames.size());
  for (size_t i = 0; i < want.frames.size(); ++i) {
    EXPECT_EQ(got.frames[i].number, want.frames[i].number);
    EXPECT_EQ(got.frames[i].data, want.frames[i].data);
  }
}

TEST(GzipCapture, ConcatenatedMembers) {
  const auto plain = Hex(testing::kPcapLeMicro);
  // Split inside record 1's data, as `cat a.gz b.gz` of two halves would.
  const std::vector<uint8_t> first(plain.begin(), plain.begin() + 43);
  const std::vector<uint8_t> second(plain.begin() + 43, plain.end());
  const auto gz = testing::Cat({Gzip(first), Gzip(second)});
  auto reader = OpenOk(gz);
  ASSERT_NE(reader, nullptr);
  const ReadAll all = Drain(*reader);
  EXPECT_FALSE(all.error);
  ASSERT_EQ(all.frames.size(), 2u);
  EXPECT_EQ(all.frames[0].data, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(all.frames[1].data, (std::vector<uint8_t>{0xaa, 0xbb}));
}

TEST(GzipCapture, CutShortKeepsWhatInflatedAndSaysWhy) {
  const auto plain = ManyRecords(400);
  auto gz = Gzip(plain);
  gz.resize(gz.size() / 2);
  auto reader = OpenOk(gz);
  ASSERT_NE(reader, nullptr);
  const ReadAll all = Drain(*reader);
  EXPECT_GT(all.frames.size(), 0u);
  EXPECT_LT(all.frames.size(), 400u);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->record, all.frames.size() + 1);
  EXPECT_NE(all.error->message.find("gzip data ends early"), std::string::npos)
      << all.error->message;
}

TEST(GzipCapture, MissingTrailerIsReportedAfterTheLastFrame) {
  const auto plain = Hex(testing::kPcapLeMicro);
  auto gz = Gzip(plain);
  gz.resize(gz.size() - 8);  // CRC-32 and length: every byte inflates, the stream is unfinished
  auto reader = OpenOk(gz);
  ASSERT_NE(reader, nullptr);
  const ReadAll all = Drain(*reader);
  EXPECT_EQ(all.frames.size(), 2u);
  ASSERT_TRUE(all.error) << "nothing else explains the end, so the gzip error is the error";
  EXPECT_EQ(all.error->record, 3u);
  EXPECT_EQ(all.error->offset, plain.size());
  EXPECT_NE(all.error->message.find("gzip data ends early"), std::string::npos);
}

TEST(GzipCapture, CorruptPartwayKeepsWhatInflated) {
  const auto plain = ManyRecords(400);
  auto gz = Gzip(plain);
  for (size_t i = gz.size() / 2; i < gz.size() / 2 + 64; ++i) gz[i] ^= 0xa5;
  auto reader = OpenOk(gz);
  ASSERT_NE(reader, nullptr);
  const ReadAll all = Drain(*reader);
  EXPECT_LT(all.frames.size(), 400u);
  ASSERT_TRUE(all.error);
  EXPECT_NE(all.error->message.find("gzip"), std::string::npos) << all.error->message;
}

TEST(GzipCapture, NothingInflatableIsRefused) {
  const std::vector<uint8_t> junk = {0x1f, 0x8b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  auto reader = OpenCaptureBuffer(junk, "junk.gz");
  ASSERT_FALSE(reader.ok());
  EXPECT_TRUE(reader.error().message.starts_with("junk.gz: corrupt gzip data at compressed offset"))
      << reader.error().message;
}

TEST(GzipCapture, CompressedNonCaptureIsRefused) {
  const std::string text = "hello, world\n";
  auto reader = OpenCaptureBuffer(Gzip(std::vector<uint8_t>(text.begin(), text.end())), "t.gz");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message,
            "t.gz: gzip-compressed, but not a pcap or pcapng capture inside (starts with 68 65 6c "
            "6c)");
}

TEST(GzipCapture, CompressedEmptyFileHasNoFrames) {
  const auto gz = Gzip({});
  auto reader = OpenOk(gz);
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->compressed());
  const ReadAll all = Drain(*reader);
  EXPECT_TRUE(all.frames.empty());
  EXPECT_FALSE(all.error);
}

TEST(GzipCapture, UnusableTemporaryDirectoryIsAnError) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("TMPDIR", "/nonexistent-qw-test-dir", 1);
  auto reader = OpenCaptureBuffer(Gzip(Hex(testing::kPcapLeMicro)), "a.pcap.gz");
  if (old != nullptr) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message,
            "a.pcap.gz: cannot create a temporary file in /nonexistent-qw-test-dir: No such file "
            "or directory");
}

TEST(GzipCapture, FileOnDisk) {
  testing::TempDir dir;
  const std::string path = dir.Write("a.pcap.gz", Gzip(Hex(testing::kPcapBeNano)));
  auto reader = OpenCaptureFile(path);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_TRUE((*reader)->compressed());
  const ReadAll all = Drain(**reader);
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].ts_ns, 1700000000'123456789);
}

TEST(GzipCapture, EveryPrefixIsSafe) {
  testing::CheckEveryPrefix(Gzip(Hex(testing::kPcapLeMicro)));
}

}  // namespace
}  // namespace qw::capture
