#include "core/whole_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace qw::core {
namespace {

namespace fs = std::filesystem;

// A folder of its own under the system's temporary one, removed afterwards.
class WholeFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("qw-whole-file-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  fs::path dir_;
};

TEST_F(WholeFileTest, ReadsAFileUpToItsBoundAndNotAnOctetMore) {
  const std::string text(1000, 'x');
  auto exact = ReadWholeFile(Write("exact", text), 1000, "thing", FileKinds::kRegularOnly);
  ASSERT_TRUE(exact.ok()) << exact.error().message;
  EXPECT_EQ(*exact, text);
  auto empty = ReadWholeFile(Write("empty", ""), 1000, "thing", FileKinds::kRegularOnly);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
  auto over =
      ReadWholeFile(Write("over", text + "y"), 1000, "site policy", FileKinds::kRegularOnly);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().message, "larger than 1000 octets; not a site policy");
  auto kib =
      ReadWholeFile(Write("kib", std::string(3000, 'k')), 2048, "key", FileKinds::kStreamsToo);
  ASSERT_FALSE(kib.ok());
  EXPECT_EQ(kib.error().message, "larger than 2 KiB; not a key");
  EXPECT_EQ(ReadWholeFile(Write("k", text), 0, "key file", FileKinds::kRegularOnly).error().message,
            "larger than 0 octets; not a key file");
}

TEST_F(WholeFileTest, GivesTheStatusOfTheFileItRead) {
  const std::string path = Write("key", "secret");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  struct stat st {};
  auto text = ReadWholeFile(path, 100, "key", FileKinds::kRegularOnly, &st);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_size, 6);
}

TEST_F(WholeFileTest, SaysWhyAFileCannotBeRead) {
  auto missing = ReadWholeFile((dir_ / "absent").string(), 100, "thing", FileKinds::kStreamsToo);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "cannot open: No such file or directory");
  // A folder is no file, whatever the kinds taken (it used to read as empty, or as huge).
  for (FileKinds kinds : {FileKinds::kRegularOnly, FileKinds::kStreamsToo}) {
    auto folder = ReadWholeFile(dir_.string(), 100, "thing", kinds);
    ASSERT_FALSE(folder.ok());
    EXPECT_EQ(folder.error().message, "not a regular file");
  }
}

TEST_F(WholeFileTest, StreamsAreReadOnlyWhenTakenAndStillBounded) {
  const std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Refused without waiting for a writer.
  auto refused = ReadWholeFile(fifo, 100, "thing", FileKinds::kRegularOnly);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "not a regular file");
  // Taken: with no writer the FIFO reads as empty, at once.
  auto taken = ReadWholeFile(fifo, 100, "thing", FileKinds::kStreamsToo);
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  EXPECT_EQ(*taken, "");
  // An endless stream stops one octet past the bound.
  auto endless = ReadWholeFile("/dev/zero", 70000, "site policy", FileKinds::kStreamsToo);
  ASSERT_FALSE(endless.ok());
  EXPECT_EQ(endless.error().message, "larger than 70000 octets; not a site policy");
  EXPECT_EQ(
      ReadWholeFile("/dev/zero", 4u << 20, "site policy", FileKinds::kStreamsToo).error().message,
      "larger than 4 MiB; not a site policy");
  EXPECT_EQ(ReadWholeFile("/dev/zero", 2048, "key file", FileKinds::kRegularOnly).error().message,
            "not a regular file");
  EXPECT_EQ(*ReadWholeFile("/dev/null", 10, "thing", FileKinds::kStreamsToo), "");
}

}  // namespace
}  // namespace qw::core
