// PcapWriter: every variant writes what an independent encoder writes, and reads back.
#include "capture/pcap_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "capture/capture_file.h"
#include "capture_test_util.h"

namespace qw::capture {
namespace {

using testing::BuildPcap;
using testing::Drain;
using testing::ReadAll;
using testing::Record;
using testing::TempDir;

std::vector<uint8_t> Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(PcapWriter, EveryVariantRoundTrips) {
  for (bool be : {false, true}) {
    for (bool nano : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "big_endian=" << be << " nano=" << nano);
      TempDir dir;
      const std::string path = dir.path() + "/out.pcap";
      auto writer = PcapWriter::Create(path, {kLinkLinuxSll, 65535, nano, be});
      ASSERT_TRUE(writer.ok()) << writer.error().message;
      const std::vector<uint8_t> a = {1, 2, 3};
      const std::vector<uint8_t> b = {9};
      ASSERT_TRUE((*writer)->Write(core::Timestamp{1700000000'123456789}, a).ok());
      ASSERT_TRUE((*writer)->Write(core::Timestamp{1700000001'000000000}, b, 64).ok());
      EXPECT_TRUE(std::filesystem::exists(path + ".tmp"));
      EXPECT_FALSE(std::filesystem::exists(path)) << "the final name appears only on Close()";
      ASSERT_TRUE((*writer)->Close().ok());
      EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

      const uint32_t frac = nano ? 123456789 : 123456;
      EXPECT_EQ(Slurp(path),
                BuildPcap(be, nano, kLinkLinuxSll, 65535,
                          {Record{1700000000, frac, a, 0}, Record{1700000001, 0, b, 64}}));
      auto reader = OpenCaptureFile(path);
      ASSERT_TRUE(reader.ok()) << reader.error().message;
      const ReadAll all = Drain(**reader);
      EXPECT_FALSE(all.error);
      ASSERT_EQ(all.frames.size(), 2u);
      EXPECT_EQ(all.frames[0].ts_ns, nano ? 1700000000'123456789 : 1700000000'123456000);
      EXPECT_EQ(all.frames[0].link_type, kLinkLinuxSll);
      EXPECT_EQ(all.frames[0].data, a);
      EXPECT_EQ(all.frames[1].orig_len, 64u);
    }
  }
}

TEST(PcapWriter, SnapLengthCutsFrames) {
  TempDir dir;
  const std::string path = dir.path() + "/snap.pcap";
  auto writer = PcapWriter::Create(path, {kLinkEthernet, 4, false, false});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Write(core::Timestamp{0}, std::vector<uint8_t>{1, 2, 3, 4, 5, 6}).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  auto reader = OpenCaptureFile(path);
  ASSERT_TRUE(reader.ok());
  const ReadAll all = Drain(**reader);
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].data, (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_EQ(all.frames[0].orig_len, 6u);
}

TEST(PcapWriter, AbandonedWriterLeavesNoFile) {
  TempDir dir;
  const std::string path = dir.path() + "/gone.pcap";
  {
    auto writer = PcapWriter::Create(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write(core::Timestamp{1}, std::vector<uint8_t>{1}).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(PcapWriter, UnwritableDirectoryNamesTheFile) {
  auto writer = PcapWriter::Create("/nonexistent-qw-dir/x.pcap");
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().message, "/nonexistent-qw-dir/x.pcap.tmp: No such file or directory");
}

TEST(PcapWriter, TimeBeforeTheEpochKeepsAPositiveFraction) {
  TempDir dir;
  const std::string path = dir.path() + "/old.pcap";
  auto writer = PcapWriter::Create(path, {kLinkEthernet, 65535, true, false});
  ASSERT_TRUE(writer.ok());
  // -0.25 s is second -1 plus 750 ms; pcap seconds are unsigned, so read back as 2^32 - 1.
  ASSERT_TRUE((*writer)->Write(core::Timestamp{-250'000'000}, std::vector<uint8_t>{1}).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_EQ(Slurp(path), BuildPcap(false, true, kLinkEthernet, 65535,
                                   {Record{0xffffffff, 750'000'000, {1}, 0}}));
}

}  // namespace
}  // namespace qw::capture
