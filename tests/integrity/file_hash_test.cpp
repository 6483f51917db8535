#include "integrity/file_hash.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

// A folder of its own per test process (ctest runs tests in parallel).
fs::path TempDir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("qw-hash-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void Write(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

TEST(HashFile, KnownDigests) {
  fs::path d = TempDir("known");
  Write(d / "empty", "");
  Write(d / "abc", "abc");
  auto e = HashFile((d / "empty").string());
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->size, 0u);
  EXPECT_EQ(e->sha256.view(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  auto a = HashFile((d / "abc").string());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->sha256.view(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_GT(a->mtime_ns, 0);
  fs::remove_all(d);
}

TEST(HashFile, SpansSeveralChunks) {
  fs::path d = TempDir("chunks");
  // One million 'a' is FIPS 180-2's third test vector; 3 MiB + 1 crosses chunk edges.
  Write(d / "million", std::string(1000000, 'a'));
  auto m = HashFile((d / "million").string());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->sha256.view(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  std::string big(3 * kHashChunkBytes + 1, 'x');
  Write(d / "big", big);
  auto b = HashFile((d / "big").string());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size, big.size());
  EXPECT_EQ(b->sha256.view(), core::Sha256(big).view());
  fs::remove_all(d);
}

TEST(HashFile, RefusesAFileThatGrowsWhileHashed) {
  fs::path d = TempDir("grow");
  fs::path p = d / "growing.img";
  Write(p, std::string(2 * kHashChunkBytes, 'g'));
  bool appended = false;
  auto r = HashFile(p.string(), [&] {
    if (appended) return;
    appended = true;
    std::ofstream(p, std::ios::binary | std::ios::app) << "more";
  });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("changed while it was hashed"), std::string::npos);
  EXPECT_NE(r.error().message.find("growing.img"), std::string::npos);
  fs::remove_all(d);
}

TEST(HashFile, RefusesAFileRewrittenInPlaceWhileHashed) {
  fs::path d = TempDir("rewrite");
  fs::path p = d / "plc.bin";
  Write(p, std::string(2 * kHashChunkBytes, 'p'));
  bool touched = false;
  auto r = HashFile(p.string(), [&] {
    if (touched) return;
    touched = true;
    // Same size, new bytes: only the times betray it.
    std::fstream f(p, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(0);
    f << 'Q';
  });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("changed while it was hashed"), std::string::npos);
  fs::remove_all(d);
}

TEST(HashFile, SaysWhyItCannotHash) {
  fs::path d = TempDir("errors");
  auto missing = HashFile((d / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("nope: cannot open"), std::string::npos);
  auto dir = HashFile(d.string());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message.find("not a regular file"), std::string::npos);
  fs::remove_all(d);
}

}  // namespace
}  // namespace qw::integrity
