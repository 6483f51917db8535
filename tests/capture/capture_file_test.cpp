// Opening capture files: recognition, refusal messages, mapping, link type names, and real
// captures compared frame by frame with tshark.
#include "capture/capture_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "capture_test_util.h"
#include "unprivileged.h"

namespace qw::capture {
namespace {

using testing::Drain;
using testing::Hex;
using testing::ReadAll;
using testing::TempDir;

TEST(CaptureFile, NotACaptureNamesTheFileAndItsFirstBytes) {
  TempDir dir;
  const std::string path = dir.Write("notes.txt", {0x50, 0x4b, 0x03, 0x04, 0x14, 0x00});
  auto reader = OpenCaptureFile(path);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message,
            path + ": not a pcap, pcapng or gzip capture file (starts with 50 4b 03 04)");
}

TEST(CaptureFile, ShorterThanAMagicNumberIsNotACapture) {
  auto reader = OpenCaptureBuffer(std::vector<uint8_t>{0xd4, 0xc3}, "tiny");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message,
            "tiny: not a pcap, pcapng or gzip capture file (starts with d4 c3)");
}

TEST(CaptureFile, MissingFileSaysWhy) {
  TempDir dir;
  const std::string path = dir.path() + "/absent.pcap";
  auto reader = OpenCaptureFile(path);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message, path + ": No such file or directory");
}

// Run without root, which reads files whatever their mode.
TEST(CaptureFile, UnreadableFileSaysWhy) {
  TempDir dir;
  const std::string path = dir.Write("locked.pcap", Hex(testing::kPcapLeMicro));
  ::chmod(dir.path().c_str(), 0755);
  ::chmod(path.c_str(), 0);
  const int outcome = test::RunUnprivileged([&] {
    auto reader = OpenCaptureFile(path);
    if (reader.ok()) return 1;
    return reader.error().message == path + ": Permission denied" ? 0 : 2;
  });
  EXPECT_EQ(outcome, 0) << "1: the file was read; 2: the message is not \"" << path
                        << ": Permission denied\"";
}

TEST(CaptureFile, DirectoryIsRefused) {
  TempDir dir;
  auto reader = OpenCaptureFile(dir.path());
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message, dir.path() + ": not a regular file");
}

TEST(CaptureFile, EmptyFileHasNoFrames) {
  TempDir dir;
  auto reader = OpenCaptureFile(dir.Write("empty.pcap", {}));
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_STREQ((*reader)->format(), "empty");
  const ReadAll all = Drain(**reader);
  EXPECT_TRUE(all.frames.empty());
  EXPECT_FALSE(all.error);
}

TEST(CaptureFile, MappedFileReadsLikeTheBuffer) {
  TempDir dir;
  const auto bytes = Hex(testing::kPcapngTwoSections);
  auto from_file = OpenCaptureFile(dir.Write("two.pcapng", bytes));
  ASSERT_TRUE(from_file.ok()) << from_file.error().message;
  auto from_buffer = testing::OpenOk(bytes);
  ASSERT_NE(from_buffer, nullptr);
  const ReadAll a = Drain(**from_file);
  const ReadAll b = Drain(*from_buffer);
  EXPECT_FALSE(a.error);
  ASSERT_EQ(a.frames.size(), b.frames.size());
  for (size_t i = 0; i < a.frames.size(); ++i) {
    EXPECT_EQ(a.frames[i].number, b.frames[i].number);
    EXPECT_EQ(a.frames[i].ts_ns, b.frames[i].ts_ns);
    EXPECT_EQ(a.frames[i].data, b.frames[i].data);
  }
  EXPECT_EQ((*from_file)->size(), bytes.size());
}

TEST(CaptureFile, TruncatedFileReportsRecordAndOffset) {
  TempDir dir;
  auto bytes = Hex(testing::kPcapLeMicro);
  bytes.resize(bytes.size() - 1);
  auto reader = OpenCaptureFile(dir.Write("cut.pcap", bytes));
  ASSERT_TRUE(reader.ok());
  const ReadAll all = Drain(**reader);
  EXPECT_EQ(all.frames.size(), 1u);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->ToString().substr(0, 24), "record 2 at offset 46: c");
}

TEST(LinkType, NamesAndLabels) {
  EXPECT_STREQ(LinkTypeName(kLinkEthernet), "ethernet");
  EXPECT_STREQ(LinkTypeName(kLinkNull), "null");
  EXPECT_STREQ(LinkTypeName(kLinkRaw), "raw");
  EXPECT_STREQ(LinkTypeName(kLinkLoop), "loop");
  EXPECT_STREQ(LinkTypeName(kLinkLinuxSll), "linux-sll");
  EXPECT_STREQ(LinkTypeName(kLinkLinuxSll2), "linux-sll2");
  EXPECT_STREQ(LinkTypeName(kLinkIpv4), "ipv4");
  EXPECT_STREQ(LinkTypeName(kLinkIpv6), "ipv6");
  EXPECT_STREQ(LinkTypeName(4242), "other");
  EXPECT_EQ(LinkTypeLabel(kLinkLinuxSll), "linux-sll");
  EXPECT_EQ(LinkTypeLabel(4242), "linktype-4242");
  EXPECT_NE(LinkTypeLabel(4242), LinkTypeLabel(4243));
}

// ---- Real captures from ../shared/pcaps, compared with tshark run now ----

// The shared directory: $QW_SHARED_DIR, else next to the source tree.
std::string SharedDir() {
  const char* env = std::getenv("QW_SHARED_DIR");
  if (env != nullptr && *env != '\0') return env;
  return std::string(QW_SOURCE_DIR) + "/../shared";
}

// Runs a command and returns what it printed (empty when it could not run).
std::string RunCommand(const std::string& command) {
  std::string out;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

// "number<TAB>epoch<TAB>caplen<TAB>len" for each frame, as tshark prints them.
std::string OurFields(const ReadAll& all) {
  std::ostringstream out;
  for (const auto& f : all.frames) {
    const int64_t sec = f.ts_ns / 1'000'000'000;
    const int64_t ns = f.ts_ns % 1'000'000'000;
    char epoch[40];
    std::snprintf(epoch, sizeof epoch, "%lld.%09lld", static_cast<long long>(sec),
                  static_cast<long long>(ns));
    out << f.number << '\t' << epoch << '\t' << f.data.size() << '\t' << f.orig_len << '\n';
  }
  return out.str();
}

class SharedCaptures : public ::testing::TestWithParam<const char*> {};

TEST_P(SharedCaptures, FramesMatchTshark) {
  const std::string pcaps = SharedDir() + "/pcaps";
  if (!std::filesystem::is_directory(pcaps)) {
    GTEST_SKIP() << "no shared captures at " << pcaps << " (set QW_SHARED_DIR)";
  }
  if (RunCommand("command -v tshark").empty()) GTEST_SKIP() << "tshark is not installed";
  const std::string path = pcaps + "/" + GetParam();
  ASSERT_TRUE(std::filesystem::exists(path)) << path;

  auto reader = OpenCaptureFile(path);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  const ReadAll all = Drain(**reader);
  EXPECT_FALSE(all.error) << all.error->ToString();
  EXPECT_FALSE(all.frames.empty());
  const std::string want =
      RunCommand("tshark -n -r '" + path +
                 "' -T fields -e frame.number -e frame.time_epoch -e frame.cap_len -e frame.len "
                 "2>/dev/null");
  ASSERT_FALSE(want.empty()) << "tshark printed nothing for " << path;
  EXPECT_EQ(OurFields(all), want);
}

INSTANTIATE_TEST_SUITE_P(
    Files, SharedCaptures,
    ::testing::Values("arp/arp-who-has.pcap",                                // pcap, Ethernet
                      "bacnet/BACnet-exception-schedule-property-1.pcapng",  // pcapng
                      "s7comm_plus/icsnpp_s7comm_plus.pcap",                 // pcap, Linux SLL
                      "s7comm_plus/S7-1511_db2_var1_HMI.pcap",               // pcapng named .pcap
                      "s7comm/step7_s300_stop.pcapng",                       // pcap named .pcapng
                      "opcua/open62541_client-server-getEndpoints.pcap",     // pcapng, null
                      "http/http_basic-auth-with-colon.pcap",                // pcap, raw IPv4
                      "dnp3/opendnp3_conformance_6.1.2.pcap",                // pcap, null
                      "iec61850/emre_substation_ABB1_mms.pcap"));            // 1.3 MB pcapng

}  // namespace
}  // namespace qw::capture
