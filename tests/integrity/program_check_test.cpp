#include "integrity/program_check.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/integrity_run.h"
#include "app/run.h"
#include "integrity/keys.h"
#include "simulate/simulate.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

model::PlcBlock Block(const char* plc, const char* block, const std::string& sha, uint64_t frame,
                      bool complete = true, int64_t t_s = 100) {
  model::PlcBlock b;
  b.protocol = "s7comm";
  b.direction = "download";
  b.plc_ip = *core::IpAddr::Parse(plc);
  b.peer_ip = *core::IpAddr::Parse("10.10.5.20");
  b.plc_port = 102;
  b.block = block;
  b.sha256 = sha;
  b.size = 544;
  b.complete = complete;
  b.first_frame = frame;
  b.last_frame = frame + 40;
  b.first_ts = core::Timestamp{t_s * 1'000'000'000};
  b.last_ts = b.first_ts;
  return b;
}

Manifest Known() {
  Manifest m;
  m.asset = "sts-03-plc";
  auto item = [](const char* device, const char* block, char hash) {
    ManifestItem i;
    i.kind = "plc-block";
    i.device = device;
    i.block = block;
    i.sha256 = std::string(64, hash);
    return i;
  };
  m.items = {item("10.50.1.10", "OB1", 'a'), item("10.50.1.10", "OB1", 'b'),
             item("10.50.1.10", "FC1", 'c')};
  return m;
}

TEST(ProgramCheck, KnownGoodVersionsMatch) {
  policy::FindingSet findings;
  auto c = CheckProgramBlocks(Known(), "m.json",
                              {Block("10.50.1.10", "OB1", std::string(64, 'a'), 10),
                               Block("10.50.1.10", "OB1", std::string(64, 'b'), 90, true, 500)},
                              nullptr, findings);
  EXPECT_EQ(findings.size(), 0u);
  EXPECT_EQ(c.compared, 2u);
  EXPECT_EQ(c.matched, 2u);
}

TEST(ProgramCheck, DifferingAndUnknownBlocksAreFindingsWithTheirFrames) {
  policy::FindingSet findings;
  auto c = CheckProgramBlocks(Known(), "m.json",
                              {Block("10.50.1.10", "OB1", std::string(64, 'f'), 10),
                               Block("10.50.1.10", "OB35", std::string(64, 'e'), 200)},
                              nullptr, findings);
  EXPECT_EQ(c.mismatched, 2u);
  auto all = findings.Sorted();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].type, kProgramMismatch);
  EXPECT_EQ(all[0].severity, policy::Severity::kHigh);
  EXPECT_EQ(all[0].frame, 10u);
  EXPECT_EQ(all[0].detail.at("frames"), "10-50");
  EXPECT_EQ(all[0].detail.at("expected_sha256"), std::string(64, 'a') + " " + std::string(64, 'b'));
  EXPECT_EQ(all[0].src.ip->ToString(), "10.10.5.20");
  EXPECT_EQ(all[0].dst->ip->ToString(), "10.50.1.10");
  EXPECT_EQ(all[0].dst->port, 102);
  EXPECT_EQ(all[1].detail.at("block"), "OB35");
  EXPECT_EQ(all[1].detail.at("expected_sha256"), "none: not in the manifest");
}

TEST(ProgramCheck, UncoveredIncompleteAndDuplicateTransfersAreCountedNotJudged) {
  policy::FindingSet findings;
  auto c = CheckProgramBlocks(
      Known(), "m.json",
      {Block("10.50.2.10", "OB1", std::string(64, 'f'), 5),          // a PLC it does not cover
       Block("10.50.1.10", "OB1", std::string(64, 'f'), 10, false),  // not seen whole
       Block("10.50.1.10", "FC1", std::string(64, 'd'), 20),         // differs ...
       Block("10.50.1.10", "FC1", std::string(64, 'd'), 21)},        // ... mirrored on a 2nd VLAN
      nullptr, findings);
  EXPECT_EQ(c.not_covered, 1u);
  EXPECT_EQ(c.incomplete, 1u);
  EXPECT_EQ(c.duplicates, 1u);
  EXPECT_EQ(c.mismatched, 1u);
  EXPECT_EQ(findings.size(), 1u);
}

// The whole path: a simulated download, its block exported, baselined, and compared.
TEST(ProgramCheck, AnalyzeWithIntegrityManifest) {
  fs::path dir = fs::temp_directory_path() / ("qw-progcheck-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string pcap = (dir / "terminal.pcap").string();
  simulate::SimulateOptions sim;
  sim.scenario = "violations";
  sim.packets = 20000;
  ASSERT_TRUE(simulate::Simulate(sim, pcap).ok());
  ASSERT_TRUE(GenerateKeyPair((dir / "site").string(), false).ok());
  app::OutputOptions o;
  o.out_dir = (dir / "out1").string();
  o.write_report = false;
  o.export_blocks_dir = (dir / "blocks").string();
  ASSERT_EQ(app::RunAnalyze({pcap}, o), 0);
  fs::path block = dir / "blocks" / "10.50.1.10" / "OB1.mc7";
  ASSERT_TRUE(fs::exists(block));

  app::BaselineOptions b;
  b.asset = "crane-1-plc";
  b.paths = {(dir / "blocks").string()};
  b.secret_key = (dir / "site.key").string();
  b.output = (dir / "good.json").string();
  ASSERT_EQ(app::RunIntegrityBaseline(b), 0);
  // The same program again: nothing to report, and --fail-on works with --integrity alone.
  app::OutputOptions check;
  check.out_dir = (dir / "out2").string();
  check.write_report = false;
  check.integrity_manifest = b.output;
  check.integrity_pubkey = (dir / "site.pub").string();
  check.fail_on = "high";
  EXPECT_EQ(app::RunAnalyze({pcap}, check), 0);
  std::ifstream s1(dir / "out2" / "summary.json");
  auto summary = nlohmann::json::parse(s1);
  EXPECT_EQ(summary["integrity"]["matched"], 1);
  EXPECT_EQ(summary["integrity"]["mismatched"], 0);

  // A known-good block that is not what was downloaded.
  std::ofstream(block, std::ios::binary | std::ios::app) << "changed";
  b.output = (dir / "other.json").string();
  ASSERT_EQ(app::RunIntegrityBaseline(b), 0);
  check.integrity_manifest = b.output;
  EXPECT_EQ(app::RunAnalyze({pcap}, check), 1);
  std::ifstream events(dir / "out2" / "events.jsonl");
  std::string line, found;
  while (std::getline(events, line)) {
    if (line.find("integrity.program_mismatch") != std::string::npos) found = line;
  }
  ASSERT_FALSE(found.empty());
  auto f = nlohmann::json::parse(found);
  EXPECT_EQ(f["detail"]["block"], "OB1");
  EXPECT_EQ(f["dst"]["ip"], "10.50.1.10");
  EXPECT_GT(f["evidence"]["frame"].get<uint64_t>(), 0u);

  // A manifest signed by another key is refused before anything is analysed.
  ASSERT_TRUE(GenerateKeyPair((dir / "other").string(), false).ok());
  check.integrity_pubkey = (dir / "other.pub").string();
  EXPECT_EQ(app::RunAnalyze({pcap}, check), 2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace qw::integrity
