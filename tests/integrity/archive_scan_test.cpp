#include "integrity/archive_scan.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "archive_test_util.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;
using testing::BuildArchive;
using testing::TestMember;

std::span<const uint8_t> Bytes(const std::string& s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// What a walk showed its visitor.
struct Seen {
  std::string path;  // MemberDisplayPath
  int depth = 0;
  MemberKind kind = MemberKind::kFile;
  bool ended = false;
  uint64_t chunk_bytes = 0;
  uint64_t size = 0;
  std::string sha256;
  FileCategory category = FileCategory::kData;
  bool kept_whole = false;
};

class Recorder : public ArchiveVisitor {
 public:
  std::vector<Seen> seen;
  int stop_after_members = -1;

  VisitAction OnMember(const ArchiveMember& m) override {
    Seen s;
    s.path = MemberDisplayPath(m);
    s.depth = m.depth;
    s.kind = m.kind;
    seen.push_back(s);
    if (stop_after_members >= 0 && static_cast<int>(seen.size()) >= stop_after_members) {
      return VisitAction::kStop;
    }
    return VisitAction::kContinue;
  }
  VisitAction OnChunk(const ArchiveMember&, std::span<const uint8_t> b) override {
    EXPECT_LE(b.size(), kArchiveChunkBytes);
    seen.back().chunk_bytes += b.size();
    return VisitAction::kContinue;
  }
  VisitAction OnMemberEnd(const ArchiveMember& m, const MemberContent& c) override {
    EXPECT_EQ(seen.back().path, MemberDisplayPath(m));
    Seen& s = seen.back();
    s.ended = true;
    s.size = c.size;
    s.sha256 = std::string(c.sha256.view());
    s.category = c.type.category;
    s.kept_whole = c.kept_whole;
    return VisitAction::kContinue;
  }

  const Seen* Find(const std::string& path) const {
    for (const Seen& s : seen) {
      if (s.path == path) return &s;
    }
    return nullptr;
  }
};

class ArchiveScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = FileTypeClassifier::Create();
    ASSERT_TRUE(c.ok()) << c.error().message;
    classifier_.emplace(std::move(c).value());
  }
  ArchiveScanResult Scan(const std::string& bytes, Recorder& r, ArchiveLimits limits = {}) {
    ArchiveScanner scanner(*classifier_, limits);
    return scanner.ScanMemory(Bytes(bytes), r);
  }
  std::optional<FileTypeClassifier> classifier_;
};

TEST_F(ArchiveScanTest, WalksMembersWithHashesAndTypes) {
  const std::string big(200000, 'k');  // several chunks
  const std::string tgz = BuildArchive("ustar", "gzip",
                                       {{"docs/", "", 0, true},
                                        {"docs/readme.txt", "Crane maintenance notes\n"},
                                        {"bin/tool.exe", testing::PeStub(false)},
                                        {"data/big.bin", big}});
  Recorder r;
  ArchiveScanResult res = Scan(tgz, r);
  ASSERT_FALSE(res.refusal.has_value()) << res.refusal->reason;
  EXPECT_FALSE(res.stopped);
  EXPECT_EQ(res.members, 4u);
  EXPECT_EQ(res.deepest, 1);
  EXPECT_EQ(res.filters, std::vector<std::string>{"gzip"});
  EXPECT_NE(res.format.find("tar"), std::string::npos) << res.format;
  EXPECT_EQ(res.input_bytes, tgz.size());
  ASSERT_EQ(r.seen.size(), 4u);
  EXPECT_EQ(r.seen[0].kind, MemberKind::kDirectory);
  EXPECT_FALSE(r.seen[0].ended);
  const Seen* readme = r.Find("docs/readme.txt");
  ASSERT_NE(readme, nullptr);
  EXPECT_EQ(readme->category, FileCategory::kText);
  EXPECT_EQ(readme->sha256, core::Sha256("Crane maintenance notes\n").view());
  const Seen* exe = r.Find("bin/tool.exe");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->category, FileCategory::kExecutable);
  const Seen* b = r.Find("data/big.bin");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->size, big.size());
  EXPECT_EQ(b->chunk_bytes, big.size());
  EXPECT_EQ(b->sha256, core::Sha256(big).view());
  EXPECT_TRUE(b->kept_whole);
}

TEST_F(ArchiveScanTest, KeepsOnlyTheBoundButHashesEverything) {
  const std::string big(300000, 'q');
  Recorder r;
  ArchiveLimits limits;
  limits.max_kept_bytes = 1000;
  ArchiveScanResult res = Scan(BuildArchive("zip", "", {{"big.bin", big}}), r, limits);
  ASSERT_FALSE(res.refusal.has_value()) << res.refusal->reason;
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_FALSE(r.seen[0].kept_whole);
  EXPECT_EQ(r.seen[0].sha256, core::Sha256(big).view());
}

TEST_F(ArchiveScanTest, WalksNestedArchivesWithinDepth) {
  const std::string inner = BuildArchive("ustar", "gzip", {{"plc/ob1.bin", "OB1 block"}});
  const std::string middle = BuildArchive("zip", "", {{"inner.tar.gz", inner}, {"x.txt", "x"}});
  const std::string outer = BuildArchive("ustar", "", {{"middle.zip", middle}});
  Recorder r;
  ArchiveScanResult res = Scan(outer, r);
  ASSERT_FALSE(res.refusal.has_value()) << res.refusal->reason;
  EXPECT_EQ(res.members, 4u);
  EXPECT_EQ(res.deepest, 3);
  const Seen* deep = r.Find("middle.zip!/inner.tar.gz!/plc/ob1.bin");
  ASSERT_NE(deep, nullptr);
  EXPECT_EQ(deep->depth, 3);
  EXPECT_EQ(deep->sha256, core::Sha256("OB1 block").view());
  ASSERT_NE(r.Find("middle.zip!/x.txt"), nullptr);
}

TEST_F(ArchiveScanTest, RefusesArchivesNestedTooDeep) {
  std::string a = BuildArchive("zip", "", {{"payload.txt", "deep"}});
  for (int i = 0; i < 3; ++i) a = BuildArchive("zip", "", {{"level.zip", a}});
  // Four levels of zip: the fourth's members would lie at depth 4.
  Recorder r;
  ArchiveScanResult res = Scan(a, r);
  ASSERT_TRUE(res.refusal.has_value());
  EXPECT_EQ(res.refusal->kind, RefusalKind::kTooDeep);
  EXPECT_EQ(res.refusal->member, "level.zip!/level.zip!/level.zip");
  EXPECT_EQ(r.Find("level.zip!/level.zip!/level.zip!/payload.txt"), nullptr);
  // The same archive within a larger bound.
  ArchiveLimits limits;
  limits.max_depth = 4;
  Recorder r4;
  EXPECT_FALSE(Scan(a, r4, limits).refusal.has_value());
}

TEST_F(ArchiveScanTest, RefusesANestedArchiveLargerThanItsMemoryBound) {
  const std::string inner = BuildArchive("ustar", "", {{"a.bin", std::string(100000, 'a')}});
  Recorder r;
  ArchiveLimits limits;
  limits.max_kept_bytes = 50000;
  ArchiveScanResult res = Scan(BuildArchive("zip", "", {{"inner.tar", inner}}), r, limits);
  ASSERT_TRUE(res.refusal.has_value());
  EXPECT_EQ(res.refusal->kind, RefusalKind::kNestedTooLarge);
  EXPECT_EQ(res.refusal->member, "inner.tar");
}

TEST_F(ArchiveScanTest, RefusesAZipBombQuickly) {
  const auto start = std::chrono::steady_clock::now();
  const std::string bomb = testing::ZeroZipBomb("zeros.bin", 1024);
  const auto built = std::chrono::steady_clock::now();
  ASSERT_LT(bomb.size(), 4u << 20);
  Recorder r;
  ArchiveScanResult res = Scan(bomb, r);
  const auto done = std::chrono::steady_clock::now();
  ASSERT_TRUE(res.refusal.has_value());
  EXPECT_EQ(res.refusal->kind, RefusalKind::kCompressionRatio) << res.refusal->reason;
  EXPECT_EQ(res.refusal->member, "zeros.bin");
  EXPECT_LT(res.expanded_bytes, uint64_t{64} << 20);
  EXPECT_FALSE(r.seen.at(0).ended);
  std::cout << "bomb of " << bomb.size() << " octets built in "
            << std::chrono::duration<double>(built - start).count() << " s, refused after "
            << res.expanded_bytes << " octets in "
            << std::chrono::duration<double>(done - built).count() << " s\n";
}

TEST_F(ArchiveScanTest, TheBombIsAValidZip) {
  // The bomb's construction, at 32 MiB and without a ratio bound, reads back in full.
  ArchiveLimits limits;
  limits.max_ratio = uint64_t{1} << 40;
  Recorder r;
  ArchiveScanResult res = Scan(testing::ZeroZipBomb("zeros.bin", 32), r, limits);
  ASSERT_FALSE(res.refusal.has_value()) << res.refusal->reason;
  EXPECT_EQ(res.expanded_bytes, uint64_t{32} << 20);
  EXPECT_EQ(r.seen.at(0).sha256, core::Sha256(std::string(32u << 20, '\0')).view());
}

TEST_F(ArchiveScanTest, RefusesTooManyMembers) {
  std::vector<TestMember> many;
  for (int i = 0; i < 100; ++i) many.push_back({"f" + std::to_string(i), "x"});
  ArchiveLimits limits;
  limits.max_members = 50;
  Recorder r;
  ArchiveScanResult res = Scan(BuildArchive("zip", "", many), r, limits);
  ASSERT_TRUE(res.refusal.has_value());
  EXPECT_EQ(res.refusal->kind, RefusalKind::kTooManyMembers);
  EXPECT_EQ(r.seen.size(), 50u);
}

TEST_F(ArchiveScanTest, RefusesMoreThanTheTotalBound) {
  ArchiveLimits limits;
  limits.max_total_bytes = 100000;
  Recorder r;
  ArchiveScanResult res = Scan(
      BuildArchive("ustar", "", {{"a", std::string(60000, 'a')}, {"b", std::string(60000, 'b')}}),
      r, limits);
  ASSERT_TRUE(res.refusal.has_value());
  EXPECT_EQ(res.refusal->kind, RefusalKind::kTooLarge);
  EXPECT_EQ(res.refusal->member, "b");
}

TEST_F(ArchiveScanTest, RefusesTruncatedArchives) {
  std::string noise;
  for (int i = 0; i < 300000; ++i) noise.push_back(static_cast<char>((i * 2654435761u) >> 24));
  for (const auto& [format, filter] : std::vector<std::pair<std::string, std::string>>{
           {"ustar", "gzip"}, {"zip", ""}, {"ustar", ""}, {"ustar", "xz"}, {"7zip", ""}}) {
    const std::string whole = BuildArchive(format, filter, {{"noise.bin", noise}});
    Recorder r;
    ArchiveScanResult res = Scan(whole.substr(0, whole.size() / 2), r);
    ASSERT_TRUE(res.refusal.has_value()) << format << "+" << filter;
    EXPECT_TRUE(res.refusal->kind == RefusalKind::kTruncated ||
                res.refusal->kind == RefusalKind::kCorrupt)
        << format << "+" << filter << ": " << RefusalKindName(res.refusal->kind) << " "
        << res.refusal->reason;
    EXPECT_FALSE(res.refusal->reason.empty());
  }
  // A truncated gzip says so in words.
  const std::string tgz = BuildArchive("ustar", "gzip", {{"noise.bin", noise}});
  Recorder r;
  ArchiveScanResult res = Scan(tgz.substr(0, tgz.size() / 2), r);
  ASSERT_TRUE(res.refusal.has_value());
  EXPECT_EQ(res.refusal->kind, RefusalKind::kTruncated) << res.refusal->reason;
}

TEST_F(ArchiveScanTest, EveryPrefixAndDamageIsSafe) {
  const std::string zip =
      BuildArchive("zip", "", {{"a.txt", "alpha alpha alpha"}, {"b/c.txt", "charlie"}});
  const std::string tgz = BuildArchive("ustar", "gzip", {{"a.txt", "alpha"}});
  for (const std::string* s : {&zip, &tgz}) {
    for (size_t n = 0; n < s->size(); ++n) {
      Recorder r;
      ArchiveScanResult res = Scan(s->substr(0, n), r);
      // Cut short anywhere, a zip in its central directory too, nothing passes as complete.
      if (n > 0 && n < s->size()) {
        EXPECT_TRUE(res.refusal.has_value()) << (s == &zip ? "zip" : "tar.gz") << " cut at " << n;
      }
    }
    for (size_t i = 0; i < s->size(); ++i) {
      std::string damaged = *s;
      damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
      Recorder r;
      (void)Scan(damaged, r);
    }
  }
}

// Little-endian fields of a zip, read and written in place.
uint64_t Field(const std::string& b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = v << 8 | static_cast<uint8_t>(b[at + i]);
  return v;
}
void SetField(std::string& b, size_t at, size_t n, uint64_t v) {
  for (size_t i = 0; i < n; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// The zip's central directory must be there, whole, and list the members read: a zip cut
// inside its directory, with data after its end, or whose end record counts another number
// of members is refused; the same zip with ZIP64 end records is walked.
TEST_F(ArchiveScanTest, AZipsCentralDirectoryMustHoldTogether) {
  const std::string zip =
      BuildArchive("zip", "", {{"a.txt", "alpha alpha alpha"}, {"b/c.txt", "charlie"}});
  const size_t end = zip.rfind(std::string("PK\x05\x06", 4));
  ASSERT_NE(end, std::string::npos);
  ASSERT_EQ(end + 22, zip.size());  // no comment
  const uint64_t entries = Field(zip, end + 10, 2);
  const uint64_t directory_bytes = Field(zip, end + 12, 4);
  const uint64_t directory_at = Field(zip, end + 16, 4);
  {
    Recorder r;
    ArchiveScanResult res = Scan(zip, r);
    EXPECT_FALSE(res.refusal.has_value()) << res.refusal->reason;
    EXPECT_EQ(res.members, entries);
  }
  {
    Recorder r;
    ArchiveScanResult res = Scan(zip.substr(0, directory_at + directory_bytes / 2), r);
    ASSERT_TRUE(res.refusal.has_value());
    EXPECT_EQ(res.refusal->kind, RefusalKind::kTruncated) << res.refusal->reason;
  }
  {
    Recorder r;
    ArchiveScanResult res = Scan(zip + "appended", r);
    ASSERT_TRUE(res.refusal.has_value());
    EXPECT_EQ(res.refusal->kind, RefusalKind::kTruncated) << res.refusal->reason;
  }
  {
    std::string miscounted = zip;
    SetField(miscounted, end + 8, 2, entries - 1);
    SetField(miscounted, end + 10, 2, entries - 1);
    Recorder r;
    ArchiveScanResult res = Scan(miscounted, r);
    ASSERT_TRUE(res.refusal.has_value());
    EXPECT_EQ(res.refusal->kind, RefusalKind::kCorrupt) << res.refusal->reason;
  }
  {
    // ZIP64: a ZIP64 end record and its locator before the end record, whose fields say
    // to look there (APPNOTE.TXT 4.3.14, 4.3.15).
    std::string rec64(56, '\0'), locator(20, '\0');
    SetField(rec64, 0, 4, 0x06064b50);
    SetField(rec64, 4, 8, 44);
    SetField(rec64, 12, 2, 45);
    SetField(rec64, 14, 2, 45);
    SetField(rec64, 24, 8, entries);
    SetField(rec64, 32, 8, entries);
    SetField(rec64, 40, 8, directory_bytes);
    SetField(rec64, 48, 8, directory_at);
    SetField(locator, 0, 4, 0x07064b50);
    SetField(locator, 8, 8, end);
    SetField(locator, 16, 4, 1);
    std::string end_record = zip.substr(end);
    SetField(end_record, 8, 2, 0xffff);
    SetField(end_record, 10, 2, 0xffff);
    SetField(end_record, 12, 4, 0xffffffff);
    SetField(end_record, 16, 4, 0xffffffff);
    const std::string zip64 = zip.substr(0, end) + rec64 + locator + end_record;
    Recorder r;
    ArchiveScanResult res = Scan(zip64, r);
    EXPECT_FALSE(res.refusal.has_value()) << res.refusal->reason;
    EXPECT_EQ(res.members, entries);
    std::string broken = zip64;
    SetField(broken, end, 4, 0x06064b51);  // the ZIP64 end record's signature
    Recorder r2;
    res = Scan(broken, r2);
    ASSERT_TRUE(res.refusal.has_value());
    EXPECT_EQ(res.refusal->kind, RefusalKind::kCorrupt) << res.refusal->reason;
  }
}

TEST_F(ArchiveScanTest, RefusesEncryptedMembers) {
  const std::string zip = BuildArchive("zip", "", {{"secret.txt", "launch codes"}},
                                       "zip:encryption=zipcrypt", "hunter2");
  if (zip.starts_with("OPTIONS FAILED")) {
    GTEST_SKIP() << "this libarchive cannot write encrypted zips: " << zip;
  }
  Recorder r;
  ArchiveScanResult res = Scan(zip, r);
  ASSERT_TRUE(res.refusal.has_value());
  EXPECT_EQ(res.refusal->kind, RefusalKind::kEncrypted) << res.refusal->reason;
  EXPECT_EQ(res.refusal->member, "secret.txt");
}

TEST_F(ArchiveScanTest, ALoneCompressedStreamIsOneMember) {
  const std::string gz = BuildArchive("raw", "gzip", {{"firmware.bin", "FWIMAGE-0001"}});
  Recorder r;
  ArchiveScanResult res = Scan(gz, r);
  ASSERT_FALSE(res.refusal.has_value()) << res.refusal->reason;
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].sha256, core::Sha256("FWIMAGE-0001").view());
}

TEST_F(ArchiveScanTest, RefusesWhatIsNoArchive) {
  Recorder r;
  ArchiveScanResult res = Scan("just some text, no archive at all\n", r);
  ASSERT_TRUE(res.refusal.has_value());
  EXPECT_EQ(res.refusal->kind, RefusalKind::kUnsupported) << res.refusal->reason;
}

TEST_F(ArchiveScanTest, VisitorCanStop) {
  Recorder r;
  r.stop_after_members = 1;
  ArchiveScanResult res = Scan(BuildArchive("zip", "", {{"a", "1"}, {"b", "2"}}), r);
  EXPECT_TRUE(res.stopped);
  EXPECT_FALSE(res.refusal.has_value());
  EXPECT_EQ(r.seen.size(), 1u);
}

TEST_F(ArchiveScanTest, ScansFiles) {
  fs::path d = testing::TempDir("scan-file");
  const std::string zip = BuildArchive("zip", "", {{"a.txt", "alpha"}, {"b.txt", "bravo"}});
  testing::WriteAll(d / "t.zip", zip);
  ArchiveScanner scanner(*classifier_);
  Recorder r;
  auto res = scanner.ScanFile((d / "t.zip").string(), r);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_FALSE(res->refusal.has_value());
  EXPECT_EQ(res->members, 2u);
  EXPECT_NE(r.Find("b.txt"), nullptr);
  auto missing = scanner.ScanFile((d / "nope.zip").string(), r);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("nope.zip: cannot open"), std::string::npos);
  fs::remove_all(d);
}

TEST(ArchiveScanNames, KindsHaveNames) {
  EXPECT_EQ(RefusalKindName(RefusalKind::kCompressionRatio), "compression_ratio");
  EXPECT_EQ(RefusalKindName(RefusalKind::kEncrypted), "encrypted");
  EXPECT_EQ(MemberKindName(MemberKind::kSymlink), "symlink");
}

}  // namespace
}  // namespace qw::integrity
