#include "integrity/audit_log.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "archive_test_util.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> Lines(const fs::path& p) {
  std::vector<std::string> out;
  std::istringstream in(testing::ReadAll(p));
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void WriteLines(const fs::path& p, const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  testing::WriteAll(p, text);
}

json Decision(int i) {
  return {{"file", "firmware-" + std::to_string(i) + ".bin"},
          {"sha256", std::string(core::Sha256(std::to_string(i)).view())},
          {"size", 1000 + i},
          {"destination", "crane-control"},
          {"decision", i % 2 == 0 ? "admit" : "refuse"},
          {"reasons", json::array({"not on the allow-list"})}};
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir(
        "audit-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    log_ = dir_ / "audit.jsonl";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Appends `n` decisions at fixed times.
  void Fill(int n) {
    for (int i = 1; i <= n; ++i) {
      auto e = AppendAuditEntry(log_.string(), Decision(i),
                                core::Timestamp{int64_t{1700000000} * 1000000000 + i * 1000});
      ASSERT_TRUE(e.ok()) << e.error().message;
      ASSERT_EQ(e->seq, static_cast<uint64_t>(i));
    }
  }

  AuditVerification Verify(const AuditExpectations& expect = {}) {
    auto v = VerifyAuditLog(log_.string(), expect);
    EXPECT_TRUE(v.ok()) << v.error().message;
    return v.ok() ? *v : AuditVerification{};
  }

  fs::path dir_;
  fs::path log_;
};

TEST_F(AuditLogTest, AppendsAChainThatVerifies) {
  Fill(5);
  std::vector<std::string> lines = Lines(log_);
  ASSERT_EQ(lines.size(), 5u);
  json first = json::parse(lines[0]);
  EXPECT_EQ(first["seq"], 1);
  EXPECT_EQ(first["prev"], std::string(kAuditGenesis));
  EXPECT_EQ(first["time"], "2023-11-14T22:13:20.000001Z");
  EXPECT_EQ(first["decision"], "refuse");
  EXPECT_EQ(first["file"], "firmware-1.bin");
  // The hash covers prev and the canonical line without the hash.
  json without = first;
  without.erase("hash");
  EXPECT_EQ(first["hash"],
            std::string(core::Sha256(std::string(kAuditGenesis) + without.dump()).view()));
  EXPECT_EQ(json::parse(lines[1])["prev"], first["hash"]);

  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.entries, 5u);
  EXPECT_EQ(v.head.view(), json::parse(lines[4])["hash"].get<std::string>());
  EXPECT_EQ(v.bad_line, 0u);
}

TEST_F(AuditLogTest, AnEmptyLogVerifies) {
  testing::WriteAll(log_, "");
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.entries, 0u);
  EXPECT_EQ(v.head.view(), kAuditGenesis);
  auto missing = VerifyAuditLog((dir_ / "absent.jsonl").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("absent.jsonl: cannot open"), std::string::npos);
}

TEST_F(AuditLogTest, FindsAnEditedLine) {
  Fill(4);
  std::vector<std::string> lines = Lines(log_);
  json j = json::parse(lines[2]);
  ASSERT_EQ(j["decision"], "refuse");
  j["decision"] = "admit";  // the forger's wish, the line's old hash kept
  lines[2] = j.dump();
  WriteLines(log_, lines);
  AuditVerification v = Verify();
  EXPECT_EQ(v.problem, AuditProblem::kHashMismatch);
  EXPECT_EQ(v.bad_line, 3u);
  EXPECT_EQ(v.entries, 2u);
  EXPECT_NE(v.detail.find("audit.jsonl: line 3"), std::string::npos) << v.detail;
}

TEST_F(AuditLogTest, FindsAnEditedLineWhoseHashWasRecomputed) {
  Fill(4);
  std::vector<std::string> lines = Lines(log_);
  json j = json::parse(lines[1]);
  j["size"] = 1;
  j.erase("hash");
  j["hash"] = std::string(core::Sha256(j["prev"].get<std::string>() + j.dump()).view());
  lines[1] = j.dump();
  WriteLines(log_, lines);
  AuditVerification v = Verify();
  EXPECT_EQ(v.problem, AuditProblem::kPrevMismatch);
  EXPECT_EQ(v.bad_line, 3u);
}

TEST_F(AuditLogTest, FindsAnEditThatKeepsTheMeaning) {
  Fill(2);
  std::vector<std::string> lines = Lines(log_);
  lines[0].insert(1, " ");  // same JSON, different text
  WriteLines(log_, lines);
  AuditVerification v = Verify();
  EXPECT_EQ(v.problem, AuditProblem::kNotCanonical);
  EXPECT_EQ(v.bad_line, 1u);
}

TEST_F(AuditLogTest, FindsADeletedLine) {
  Fill(5);
  std::vector<std::string> lines = Lines(log_);
  lines.erase(lines.begin() + 2);
  WriteLines(log_, lines);
  AuditVerification v = Verify();
  EXPECT_EQ(v.problem, AuditProblem::kPrevMismatch);
  EXPECT_EQ(v.bad_line, 3u);
  EXPECT_NE(v.detail.find("seq 4 after 2"), std::string::npos) << v.detail;
}

TEST_F(AuditLogTest, FindsTheFirstLineDeleted) {
  Fill(3);
  std::vector<std::string> lines = Lines(log_);
  lines.erase(lines.begin());
  WriteLines(log_, lines);
  AuditVerification v = Verify();
  EXPECT_EQ(v.problem, AuditProblem::kPrevMismatch);
  EXPECT_EQ(v.bad_line, 1u);
}

TEST_F(AuditLogTest, FindsSwappedLines) {
  Fill(5);
  std::vector<std::string> lines = Lines(log_);
  std::swap(lines[1], lines[2]);
  WriteLines(log_, lines);
  AuditVerification v = Verify();
  EXPECT_EQ(v.problem, AuditProblem::kPrevMismatch);
  EXPECT_EQ(v.bad_line, 2u);
}

TEST_F(AuditLogTest, FindsATruncatedLastLine) {
  Fill(3);
  std::string text = testing::ReadAll(log_);
  testing::WriteAll(log_, text.substr(0, text.size() - 20));
  AuditVerification v = Verify();
  EXPECT_EQ(v.problem, AuditProblem::kTruncated);
  EXPECT_EQ(v.bad_line, 3u);
  EXPECT_EQ(v.entries, 2u);
  // And refuses to append after it, naming the line.
  auto e = AppendAuditEntry(log_.string(), Decision(9));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("audit.jsonl: line 3: the last line is cut short"),
            std::string::npos)
      << e.error().message;
  EXPECT_EQ(testing::ReadAll(log_), text.substr(0, text.size() - 20));
}

TEST_F(AuditLogTest, FindsEveryTruncation) {
  Fill(2);
  const std::string text = testing::ReadAll(log_);
  for (size_t n = 0; n < text.size(); ++n) {
    testing::WriteAll(log_, text.substr(0, n));
    AuditVerification v = Verify();
    const bool at_line_end = n == 0 || text[n - 1] == '\n';
    // Cut at a line's end, the log is a shorter valid chain: only a recorded head tells.
    EXPECT_EQ(v.ok(), at_line_end) << n;
  }
}

TEST_F(AuditLogTest, FindsGarbageAppended) {
  Fill(2);
  std::ofstream(log_, std::ios::app) << "hello, auditor\n";
  AuditVerification v = Verify();
  EXPECT_EQ(v.problem, AuditProblem::kNotJson);
  EXPECT_EQ(v.bad_line, 3u);
  auto e = AppendAuditEntry(log_.string(), Decision(9));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("line 3"), std::string::npos) << e.error().message;

  fs::remove(log_);
  Fill(2);
  std::ofstream(log_, std::ios::app) << "{\"seq\":3}\n";
  EXPECT_EQ(Verify().problem, AuditProblem::kBadFields);
  fs::remove(log_);
  Fill(2);
  std::ofstream(log_, std::ios::app) << "{\"seq\":3}";
  EXPECT_EQ(Verify().problem, AuditProblem::kTruncated);
}

TEST_F(AuditLogTest, DeletedTailIsFoundOnlyAgainstARecordedHead) {
  Fill(4);
  const AuditVerification before = Verify();
  std::vector<std::string> lines = Lines(log_);
  lines.pop_back();
  WriteLines(log_, lines);
  EXPECT_TRUE(Verify().ok());  // a shorter valid chain
  AuditExpectations by_count;
  by_count.min_entries = before.entries;
  EXPECT_EQ(Verify(by_count).problem, AuditProblem::kTooFewEntries);
  AuditExpectations by_head;
  by_head.head = std::string(before.head.view());
  EXPECT_EQ(Verify(by_head).problem, AuditProblem::kHeadMismatch);
  by_head.head_seq = 4;
  AuditVerification v = Verify(by_head);
  EXPECT_EQ(v.problem, AuditProblem::kHeadMismatch);
  EXPECT_NE(v.detail.find("no entry 4"), std::string::npos) << v.detail;

  // A log that has grown since the head was recorded still holds it where it was.
  auto e = AppendAuditEntry(log_.string(), Decision(7));
  ASSERT_TRUE(e.ok()) << e.error().message;
  AuditExpectations earlier;
  earlier.head = json::parse(lines[1])["hash"].get<std::string>();
  earlier.head_seq = 2;
  earlier.min_entries = 2;
  EXPECT_TRUE(Verify(earlier).ok());
}

TEST_F(AuditLogTest, RefusesReservedFieldsAndNonObjects) {
  auto reserved = AppendAuditEntry(log_.string(), json{{"hash", "x"}});
  ASSERT_FALSE(reserved.ok());
  EXPECT_NE(reserved.error().message.find("\"hash\""), std::string::npos);
  auto array = AppendAuditEntry(log_.string(), json::array({1, 2}));
  ASSERT_FALSE(array.ok());
  EXPECT_FALSE(fs::exists(log_) && fs::file_size(log_) > 0);
}

TEST_F(AuditLogTest, KeepsTextThatIsNotUtf8Verifiable) {
  auto e = AppendAuditEntry(log_.string(), json{{"file", std::string("caf\xe9.bin")}});
  ASSERT_TRUE(e.ok()) << e.error().message;
  ASSERT_TRUE(AppendAuditEntry(log_.string(), Decision(2)).ok());
  EXPECT_TRUE(Verify().ok()) << Verify().detail;
}

TEST_F(AuditLogTest, ProcessesAppendingAtOnceKeepOneChain) {
  constexpr int kProcesses = 4;
  constexpr int kEach = 40;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < kEach; ++i) {
        json d = Decision(i);
        d["writer"] = p;
        if (!AppendAuditEntry(log_.string(), d).ok()) ::_exit(1);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.entries, static_cast<uint64_t>(kProcesses * kEach));
  std::set<int> writers;
  for (const std::string& l : Lines(log_)) writers.insert(json::parse(l)["writer"].get<int>());
  EXPECT_EQ(writers.size(), static_cast<size_t>(kProcesses));
}

TEST(AuditProblemNames, AreStable) {
  EXPECT_EQ(AuditProblemName(AuditProblem::kHashMismatch), "hash_mismatch");
  EXPECT_EQ(AuditProblemName(AuditProblem::kTruncated), "truncated");
}

}  // namespace
}  // namespace qw::integrity
