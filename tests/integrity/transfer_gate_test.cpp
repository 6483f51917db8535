#include "integrity/transfer_gate.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/integrity_run.h"
#include "archive_test_util.h"
#include "integrity/audit_log.h"
#include "integrity/keys.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;
using testing::BuildArchive;
using testing::Eicar;
using testing::PeStub;
using testing::ReadAll;
using testing::WriteAll;

// A gate in a folder of its own: keys, an allow-list the test fills, the audit log, and two
// destinations: crane-control takes firmware, text and data; crane-management also
// executables and archives.
class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir(std::string("gate-") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(GenerateKeyPair((dir_ / "site").string(), false).ok());
    ASSERT_TRUE(GenerateKeyPair((dir_ / "other").string(), false).ok());
    WriteAll(dir_ / "gate.yaml",
             "trusted_key: site.pub\nallow_lists: [allow.json]\naudit_log: audit.jsonl\n"
             "destinations:\n  crane-control: {types: [firmware, text, data]}\n"
             "  crane-management: {types: [executable, archive, firmware, text, data]}\n"
             "limits: {max_members: 50, max_depth: 2}\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `bytes` as `name` and, when `approve`, puts it on the allow-list.
  std::string File(const std::string& name, const std::string& bytes, bool approve) {
    fs::path p = dir_ / "in" / name;
    fs::create_directories(p.parent_path());
    WriteAll(p, bytes);
    if (approve) approved_.push_back(p.string());
    return p.string();
  }
  // Signs the allow-list with `key` and runs the gate over `files`.
  int Run(const std::vector<std::string>& files, const std::string& destination,
          const std::string& key = "site") {
    if (!approved_.empty() || !fs::exists(dir_ / "allow.json")) {
      app::TransferAllowOptions a;
      a.files = approved_;
      if (a.files.empty()) a.digests = {std::string(64, '0')};
      a.secret_key = (dir_ / (key + ".key")).string();
      a.output = (dir_ / "allow.json").string();
      a.note = "CHG-7";
      EXPECT_EQ(app::RunTransferAllow(a), 0);
      approved_.clear();
    }
    app::TransferCheckOptions o;
    o.files = files;
    o.gate = (dir_ / "gate.yaml").string();
    o.destination = destination;
    o.operator_name = "tester";
    return app::RunTransferCheck(o);
  }
  // The audit log's lines as JSON.
  std::vector<nlohmann::json> Audit() {
    std::vector<nlohmann::json> out;
    std::ifstream in(dir_ / "audit.jsonl");
    std::string line;
    while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  std::string Reasons(const nlohmann::json& entry) {
    std::string s;
    for (const auto& r : entry["reasons"]) s += r.get<std::string>() + "\n";
    return s;
  }

  // transfer audit verify with a recorded head, its seq and a least count.
  static int Verify(const std::string& log, const std::string& head, uint64_t seq, uint64_t min) {
    app::AuditVerifyOptions o;
    o.log = log;
    o.head = head;
    o.head_seq = seq;
    o.min_entries = min;
    return app::RunAuditVerify(o);
  }

  fs::path dir_;
  std::vector<std::string> approved_;
};

TEST_F(GateTest, AdmitsAnApprovedCleanFileOfAnAcceptedType) {
  std::string fw = File("s7-1500-fw-v3.1.upd", std::string(4096, '\x5a') + "firmware", true);
  EXPECT_EQ(Run({fw}, "crane-control"), 0);
  auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["decision"], "admit");
  EXPECT_EQ(audit[0]["operator"], "tester");
  EXPECT_EQ(audit[0]["allow_list_entry"]["note"], "CHG-7");
  EXPECT_EQ(audit[0]["sha256"], std::string(core::Sha256(ReadAll(fw)).view()));
}

TEST_F(GateTest, RefusesWhatNoAllowListNames) {
  std::string f = File("patch.bin", "unapproved", false);
  EXPECT_EQ(Run({f}, "crane-control"), 1);
  auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["decision"], "refuse");
  EXPECT_NE(Reasons(audit[0]).find("on no allow-list"), std::string::npos);
}

TEST_F(GateTest, YaraMatchRefusesEvenAnApprovedFile) {
  std::string f = File("notes.txt", Eicar(), true);
  EXPECT_EQ(Run({f}, "crane-control"), 1);
  auto audit = Audit();
  EXPECT_NE(Reasons(audit[0]).find("YARA rule"), std::string::npos) << audit[0].dump();
}

TEST_F(GateTest, TypeIsToldByContentPerDestination) {
  // A Windows executable named like firmware: crane-control refuses it, management takes it.
  std::string exe = File("update.bin", PeStub(false), true);
  EXPECT_EQ(Run({exe}, "crane-control"), 1);
  EXPECT_NE(Reasons(Audit()[0]).find("type executable"), std::string::npos);
  EXPECT_EQ(Run({exe}, "crane-management"), 0);
}

TEST_F(GateTest, ArchivesAreCheckedMemberByMember) {
  std::string clean =
      BuildArchive("zip", "", {{"fw/a.bin", "firmware part"}, {"readme.txt", "read me"}});
  std::string dirty =
      BuildArchive("zip", "", {{"fw/a.bin", "firmware part"}, {"tools/t.txt", Eicar()}});
  std::string exe_inside = BuildArchive("ustar", "gzip", {{"setup.exe", PeStub(false)}});
  std::string a = File("clean.zip", clean, true);
  std::string b = File("dirty.zip", dirty, true);
  std::string c = File("exe.tar.gz", exe_inside, true);
  EXPECT_EQ(Run({a}, "crane-management"), 0);
  auto audit = Audit();
  EXPECT_EQ(audit.back()["members"], 2);
  EXPECT_EQ(audit.back()["member_list"].size(), 2u);
  EXPECT_EQ(Run({b}, "crane-management"), 1);
  EXPECT_NE(Reasons(Audit().back()).find("member tools/t.txt: YARA rule"), std::string::npos)
      << Audit().back().dump();
  // The archive type itself is not accepted for crane-control, nor is the member inside.
  EXPECT_EQ(Run({c}, "crane-control"), 1);
  std::string why = Reasons(Audit().back());
  EXPECT_NE(why.find("type archive"), std::string::npos) << why;
  EXPECT_NE(why.find("member setup.exe: type executable"), std::string::npos) << why;
}

TEST_F(GateTest, ZipBombIsRefusedNotExpanded) {
  std::string bomb = File("firmware.zip", testing::ZeroZipBomb("zeros.bin", 1024), true);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Run({bomb}, "crane-management"), 1);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 30.0);
  EXPECT_NE(Reasons(Audit().back()).find("archive refused (compression_ratio)"), std::string::npos)
      << Audit().back().dump();
}

TEST_F(GateTest, TruncatedArchiveIsRefused) {
  std::string zip = BuildArchive("zip", "", {{"a.bin", std::string(100000, 'a') + "x"}});
  std::string cut = File("cut.zip", zip.substr(0, zip.size() / 2), true);
  EXPECT_EQ(Run({cut}, "crane-management"), 1);
  EXPECT_NE(Reasons(Audit().back()).find("archive refused"), std::string::npos)
      << Audit().back().dump();
}

TEST_F(GateTest, TamperedOrForeignAllowListStopsTheGate) {
  std::string fw = File("fw.bin", "firmware", true);
  EXPECT_EQ(Run({fw}, "crane-control"), 0);
  // Someone adds their digest to the list by hand.
  auto doc = nlohmann::json::parse(ReadAll(dir_ / "allow.json"));
  doc["entries"].push_back({{"sha256", std::string(64, 'e')}, {"name", "implant"}});
  WriteAll(dir_ / "allow.json", doc.dump(2));
  EXPECT_EQ(Run({fw}, "crane-control"), 2);
  // A list signed by another key is refused as well.
  fs::remove(dir_ / "allow.json");
  approved_ = {fw};
  EXPECT_EQ(Run({fw}, "crane-control", "other"), 2);
  // Adding to a tampered list is refused rather than re-signing the tampering.
  WriteAll(dir_ / "allow.json", doc.dump(2));
  app::TransferAllowOptions a;
  a.files = {fw};
  a.secret_key = (dir_ / "site.key").string();
  a.output = (dir_ / "allow.json").string();
  EXPECT_EQ(app::RunTransferAllow(a), 2);
}

TEST_F(GateTest, EveryDecisionIsChainedAndTamperingIsFound) {
  std::string fw = File("fw.bin", "firmware", true);
  std::string bad = File("other.bin", "unapproved", false);
  EXPECT_EQ(Run({fw, bad, fw}, "crane-control"), 1);
  std::string log = (dir_ / "audit.jsonl").string();
  EXPECT_EQ(Verify(log, "", 0, 0), 0);
  auto v = VerifyAuditLog(log);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->entries, 3u);
  std::string head(v->head.view());
  std::string text = ReadAll(log);
  // A refusal edited into an admission.
  std::string edited = text;
  size_t at = edited.find("\"refuse\"");
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, 8, "\"admit\" ");
  WriteAll(log, edited);
  EXPECT_EQ(Verify(log, "", 0, 0), 1);
  // The middle line deleted.
  size_t first_end = text.find('\n') + 1;
  size_t second_end = text.find('\n', first_end) + 1;
  WriteAll(log, text.substr(0, first_end) + text.substr(second_end));
  EXPECT_EQ(Verify(log, "", 0, 0), 1);
  // The last line deleted: the chain alone cannot tell, the recorded head can.
  WriteAll(log, text.substr(0, second_end));
  EXPECT_EQ(Verify(log, "", 0, 0), 0);
  EXPECT_EQ(Verify(log, head, 3, 0), 1);
  EXPECT_EQ(Verify(log, "", 0, 3), 1);
  // Cut mid-line.
  WriteAll(log, text.substr(0, text.size() - 10));
  EXPECT_EQ(Verify(log, "", 0, 0), 1);
  // And the gate refuses to append to a broken log rather than hide the break.
  EXPECT_EQ(Run({fw}, "crane-control"), 2);
  EXPECT_EQ(Verify((dir_ / "none.jsonl").string(), "", 0, 0), 2);
}

TEST_F(GateTest, ASignedAnchorFindsLinesDeletedFromTheEndAndARebuiltChain) {
  std::string fw = File("fw.bin", "firmware", true);
  std::string bad = File("other.bin", "unapproved", false);
  EXPECT_EQ(Run({fw, bad}, "crane-control"), 1);
  std::string log = (dir_ / "audit.jsonl").string();
  std::string anchor = (dir_ / "anchor.json").string();
  ASSERT_EQ(app::RunAuditAnchor(log, (dir_ / "site.key").string(), anchor), 0);
  app::AuditVerifyOptions o;
  o.log = log;
  o.anchor = anchor;
  o.public_key = (dir_ / "site.pub").string();
  EXPECT_EQ(app::RunAuditVerify(o), 0);
  // The log grows: the anchor still holds.
  EXPECT_EQ(Run({fw}, "crane-control"), 0);
  EXPECT_EQ(app::RunAuditVerify(o), 0);
  std::string text = ReadAll(log);
  // The refusal and what came after deleted from the end: a shorter chain, still valid alone.
  WriteAll(log, text.substr(0, text.find('\n') + 1));
  EXPECT_EQ(Verify(log, "", 0, 0), 0);
  EXPECT_EQ(app::RunAuditVerify(o), 1);
  // A chain rebuilt from scratch by someone who can write the file but has no key.
  fs::remove(log);
  ASSERT_TRUE(AppendAuditEntry(log, {{"decision", "admit"}, {"file", "fw.bin"}}).ok());
  ASSERT_TRUE(AppendAuditEntry(log, {{"decision", "admit"}, {"file", "other.bin"}}).ok());
  EXPECT_EQ(Verify(log, "", 0, 0), 0);
  EXPECT_EQ(app::RunAuditVerify(o), 1);
  // An anchor edited to match, or checked against another key, is refused.
  auto doc = nlohmann::json::parse(ReadAll(anchor));
  doc["entries"] = 1;
  WriteAll(anchor, doc.dump());
  EXPECT_EQ(app::RunAuditVerify(o), 2);
  o.public_key = (dir_ / "other.pub").string();
  EXPECT_EQ(app::RunAuditVerify(o), 2);
}

TEST_F(GateTest, NothingIsAdmittedWhenTheDecisionCannotBeRecorded) {
  std::string fw = File("fw.bin", "firmware", true);
  fs::create_directories(dir_ / "audit.jsonl");  // the log's path is a folder: no append
  EXPECT_EQ(Run({fw}, "crane-control"), 2);
}

TEST_F(GateTest, BadConfigurationsAndDestinations) {
  std::string fw = File("fw.bin", "firmware", true);
  EXPECT_EQ(Run({fw}, "crane-office"), 2);  // no such destination
  WriteAll(dir_ / "gate.yaml",
           "trusted_key: site.pub\nallow_lists: [allow.json]\naudit_log: audit.jsonl\n"
           "destinations:\n  crane-control: {types: [firmware, binaries]}\n");
  auto c = LoadGateConfig((dir_ / "gate.yaml").string());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("gate.yaml:5:"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("'binaries'"), std::string::npos);
  EXPECT_EQ(Run({fw}, "crane-control"), 2);
}

TEST_F(GateTest, UnreadableFileIsRefusedAndRecorded) {
  EXPECT_EQ(Run({(dir_ / "in" / "missing.bin").string()}, "crane-control"), 1);
  auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_NE(Reasons(audit[0]).find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace qw::integrity
