#include "integrity/backup_catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/integrity_run.h"
#include "core/digest.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

core::Timestamp Day(const char* date) {
  return *core::ParseIso8601(std::string(date) + "T00:00:00Z");
}

// A catalog of one asset in a folder of its own, with one backup file.
class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("qw-backup-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "b");
    std::ofstream(dir_ / "b" / "plc.zap17", std::ios::binary) << "plc program";
    sha_ = std::string(core::Sha256("plc program").view());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Catalog(const std::string& backup_fields,
                      const std::string& required = "[plc-program]") {
    std::string path = (dir_ / "catalog.yaml").string();
    std::ofstream(path)
        << "site: test\nassets:\n  - name: plc-1\n    required: " << required
        << "\n    backups:\n      - kind: plc-program\n        location: b/plc.zap17\n"
        << backup_fields;
    return path;
  }
  std::string Good() {
    return "        sha256: " + sha_ +
           "\n        taken: 2026-11-01\n        offline_copy: true\n        last_restore_test: "
           "2026-10-01\n";
  }
  BackupCheckReport Check(const std::string& path, const char* now = "2026-11-26") {
    auto c = LoadBackupCatalog(path);
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? CheckBackups(*c, Day(now)) : BackupCheckReport{};
  }
  std::string FirstProblem(const BackupCheckReport& r) {
    for (const auto& row : r.rows) {
      if (!row.problems.empty()) return row.problems.front();
    }
    return "";
  }

  fs::path dir_;
  std::string sha_;
};

TEST_F(BackupTest, EverythingInBoundsHolds) {
  auto r = Check(Catalog(Good()));
  EXPECT_TRUE(r.ok) << FirstProblem(r);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(*r.rows[0].age_days, 25.0);
  EXPECT_DOUBLE_EQ(*r.rows[0].restore_test_days, 56.0);
  EXPECT_EQ(r.rows[0].sha256_now, sha_);
}

TEST_F(BackupTest, EachShortfallIsNamed) {
  // Too old.
  EXPECT_NE(FirstProblem(Check(Catalog(Good()), "2027-03-01")).find("days old, more than 90"),
            std::string::npos);
  // Changed since recorded.
  std::ofstream(dir_ / "b" / "plc.zap17", std::ios::binary) << "plc program, edited";
  EXPECT_NE(FirstProblem(Check(Catalog(Good()))).find("hash differs"), std::string::npos);
  // Gone.
  fs::remove(dir_ / "b" / "plc.zap17");
  EXPECT_NE(FirstProblem(Check(Catalog(Good()))).find("missing"), std::string::npos);
  std::ofstream(dir_ / "b" / "plc.zap17", std::ios::binary) << "plc program";
  // Truncated: the hash says so.
  fs::resize_file(dir_ / "b" / "plc.zap17", 3);
  EXPECT_NE(FirstProblem(Check(Catalog(Good()))).find("hash differs"), std::string::npos);
  std::ofstream(dir_ / "b" / "plc.zap17", std::ios::binary) << "plc program";
  // No offline copy.
  std::string no_offline = Good();
  no_offline.replace(no_offline.find("true"), 4, "false");
  EXPECT_EQ(FirstProblem(Check(Catalog(no_offline))), "no offline copy declared");
  // Restore never tested, or too long ago.
  std::string never =
      "        sha256: " + sha_ + "\n        taken: 2026-11-01\n        offline_copy: true\n";
  EXPECT_EQ(FirstProblem(Check(Catalog(never))), "restoring it was never tested");
  std::string stale = Good();
  stale.replace(stale.find("2026-10-01"), 10, "2025-10-01");
  EXPECT_NE(FirstProblem(Check(Catalog(stale))).find("restore last tested 421 days ago"),
            std::string::npos);
  // A required kind with no backup.
  auto missing_kind = Check(Catalog(Good(), "[plc-program, os-image]"));
  EXPECT_FALSE(missing_kind.ok);
  EXPECT_EQ(FirstProblem(missing_kind), "required os-image backup not in the catalog");
}

TEST_F(BackupTest, AgeFromTheFileWhenNotStated) {
  std::string no_taken = "        sha256: " + sha_ +
                         "\n        offline_copy: true\n        last_restore_test: 2026-10-01\n";
  auto c = LoadBackupCatalog(Catalog(no_taken));
  ASSERT_TRUE(c.ok());
  // The file was written just now: a year from now it is too old, today it is not.
  auto now = core::Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count()};
  EXPECT_TRUE(CheckBackups(*c, now).ok);
  core::Timestamp later{now.ns + int64_t{200} * 86400 * 1'000'000'000};
  EXPECT_FALSE(CheckBackups(*c, later).ok);
}

TEST_F(BackupTest, BadCatalogsNameTheirPlace) {
  struct Case {
    std::string text, expect;
  };
  const Case cases[] = {
      {"assets: [", "not valid YAML"},
      {"site: x\nassets:\n  - name: a\n    backups:\n      - kind: tape\n", ":5:"},
      {"site: x\nassets:\n  - name: a\n    colour: red\n", "unknown field 'colour'"},
      {"site: x\nassets:\n  - name: a\n    required: [os-image]\n  - name: a\n    required: "
       "[os-image]\n",
       "listed twice"},
      {"site: x\nassets:\n  - name: a\n    backups:\n      - kind: os-image\n        location: x\n "
       "       sha256: abc\n",
       "64 hex digits"},
      {"site: x\nassets:\n  - name: a\n    backups:\n      - kind: os-image\n        location: x\n "
       "       sha256: " +
           std::string(64, 'a') + "\n        last_restore_test: yesterday\n",
       "not a date"},
      {"site: x\nassets:\n  - name: a\n    backups:\n      - kind: os-image\n        location: x\n "
       "       sha256: " +
           std::string(64, 'a') + "\n        max_age_days: -4\n",
       "is not a whole number"},
      {"site: x\n", "assets: expected a list"},
  };
  for (const Case& c : cases) {
    std::string path = (dir_ / "bad.yaml").string();
    std::ofstream(path) << c.text;
    auto r = LoadBackupCatalog(path);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
  }
  auto none = LoadBackupCatalog((dir_ / "none.yaml").string());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message,
            (dir_ / "none.yaml").string() + ": cannot open: No such file or directory");
  // A folder given for the catalog says so (it was "no such file").
  auto folder = LoadBackupCatalog(dir_.string());
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().message, dir_.string() + ": not a regular file");
}

TEST_F(BackupTest, CommandExitCodesAndJson) {
  std::string json = (dir_ / "out.json").string();
  EXPECT_EQ(app::RunBackupCheck(Catalog(Good()), json, "2026-11-26"), 0);
  EXPECT_EQ(
      app::RunBackupCheck(Catalog(Good(), "[plc-program, switch-config]"), json, "2026-11-26"), 1);
  std::ifstream in(json);
  auto doc = nlohmann::json::parse(in);
  EXPECT_FALSE(doc["ok"].get<bool>());
  ASSERT_EQ(doc["backups"].size(), 2u);
  EXPECT_EQ(doc["backups"][1]["kind"], "switch-config");
  EXPECT_EQ(app::RunBackupCheck((dir_ / "nope.yaml").string(), "", ""), 2);
  EXPECT_EQ(app::RunBackupCheck(Catalog(Good()), "", "26/11/2026"), 2);
}

TEST(BackupExample, ShippedCatalogFallsShortExactlyWhereItSays) {
  auto c = LoadBackupCatalog(std::string(QW_SOURCE_DIR) + "/examples/backup/catalog.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto r = CheckBackups(*c, Day("2026-11-26"));
  ASSERT_EQ(r.rows.size(), 4u);
  std::map<std::string, bool> ok;
  for (const auto& row : r.rows) ok[row.asset] = row.ok;
  EXPECT_TRUE(ok["sts-03-plc"]);
  EXPECT_TRUE(ok["sts-03-switch"]);
  EXPECT_FALSE(ok["sts-03-hoist-drive"]);  // restore test older than a year
  EXPECT_FALSE(ok["sts-03-hmi"]);          // required OS image not catalogued
}

}  // namespace
}  // namespace qw::integrity
