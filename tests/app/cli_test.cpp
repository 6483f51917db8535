// The quaywatch command as a user runs it: exit codes, one-line errors, truncated input,
// several files, and byte-identical outputs for the same input.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "capture/capture_file.h"
#include "capture/pcap_writer.h"
#include "core/anomalies.h"
#include "core/digest.h"
#include "decode/decoder.h"
#include "dissect/cdp/cdp_parser.h"
#include "dissect/lldp/lldp_parser.h"
#include "policy/baseline.h"
#include "simulate/simulate.h"

namespace fs = std::filesystem;

namespace {

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs a shell command; its standard output, and its exit code.
RunResult RunShell(const std::string& cmd) {
  RunResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 65536> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

RunResult RunQw(const std::string& args) {
  return RunShell(std::string(QW_BINARY) + " " + args + " 2>&1");
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliTest : public testing::Test {
 protected:
  void SetUp() override {
    // The process id keeps two builds' test runs (g++ and the sanitizer build, say) apart.
    dir_ = fs::path(testing::TempDir()) /
           ("qw-cli-" + std::to_string(::getpid()) + "-" +
            std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Simulated(uint64_t packets, uint64_t seed = 7) {
    fs::path p = dir_ / ("sim-" + std::to_string(seed) + ".pcap");
    qw::simulate::SimulateOptions o;
    o.packets = packets;
    o.seed = seed;
    EXPECT_TRUE(qw::simulate::Simulate(o, p.string()).ok());
    return p;
  }
  nlohmann::json Summary(const fs::path& out) {
    return nlohmann::json::parse(Slurp(out / "summary.json"));
  }
  fs::path dir_;
};

TEST_F(CliTest, NotACaptureIsExitTwoWithOneLineNamingTheFile) {
  fs::path notes = dir_ / "notes.txt";
  std::ofstream(notes) << "PK\x03\x04 this is a zip, not a capture\n";
  auto r = RunQw("analyze " + notes.string() + " --out " + (dir_ / "out").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(notes.string()), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "out" / "summary.json"));
}

TEST_F(CliTest, MissingFileIsExitTwo) {
  auto r = RunQw("analyze " + (dir_ / "absent.pcap").string() + " --out " + (dir_ / "o").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("absent.pcap"), std::string::npos);
}

TEST_F(CliTest, BadUsageIsExitTwo) {
  EXPECT_EQ(RunQw("analyze").exit_code, 2);
  EXPECT_EQ(RunQw("no-such-command").exit_code, 2);
}

TEST_F(CliTest, TruncatedCaptureIsAnalysedUpToTheBreak) {
  fs::path whole = Simulated(2000);
  std::string bytes = Slurp(whole);
  fs::path cut = dir_ / "cut.pcap";
  // Cut in the middle of a record, well past the start.
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2 + 7);
  fs::path out = dir_ / "out";
  auto r = RunQw("analyze " + cut.string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("cut.pcap: record"), std::string::npos) << r.output;
  auto s = Summary(out);
  const auto& file = s["capture"]["files"][0];
  ASSERT_FALSE(file["error"].is_null());
  uint64_t frames = file["frames"];
  EXPECT_GT(frames, 500u);
  EXPECT_LT(frames, 2000u);
  EXPECT_EQ(file["error"]["record"].get<uint64_t>(), frames + 1);
  EXPECT_TRUE(fs::exists(out / "assets.json"));
  EXPECT_TRUE(fs::exists(out / "quaywatch.sqlite"));
}

// The simulated terminal's planted download of OB1 (three pieces): one file per distinct
// complete block, its bytes hashing to the plc_blocks row, the same with two threads.
TEST_F(CliTest, ExportBlocksWritesTheDownloadedBlock) {
  fs::path cap = Simulated(60000);
  for (const char* threads : {"1", "2"}) {
    const fs::path out = dir_ / (std::string("out") + threads);
    const fs::path blocks = dir_ / (std::string("blocks") + threads);
    auto r = RunQw("analyze " + cap.string() + " --threads " + threads + " --no-report --out " +
                   out.string() + " --export-blocks " + blocks.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("1 PLC block written to " + blocks.string()), std::string::npos)
        << r.output;
    const std::string ob1 = Slurp(blocks / "10.50.1.10" / "OB1.mc7");
    ASSERT_EQ(ob1.size(), 544u);
    EXPECT_EQ(ob1.substr(0, 2), "pp");  // 0x70 0x70: the MC7 block header
    EXPECT_EQ(ob1[5], '\x08');          // block type OB
    // The same block over both VLANs the crane network routes it through: one file.
    EXPECT_FALSE(fs::exists(blocks / "10.50.1.10" / "OB1.2.mc7"));
    sqlite3* db = nullptr;
    ASSERT_EQ(
        sqlite3_open_v2((out / "quaywatch.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
        SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT sha256, size, complete, direction, block, peer_ip "
                                 "FROM plc_blocks ORDER BY id",
                                 -1, &st, nullptr),
              SQLITE_OK);
    size_t rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
      ++rows;
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))),
                qw::core::Sha256(ob1).view());
      EXPECT_EQ(sqlite3_column_int(st, 1), 544);
      EXPECT_EQ(sqlite3_column_int(st, 2), 1);
      EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 3)), "download");
      EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 4)), "OB1");
      EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 5)), "10.10.5.20");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    EXPECT_GE(rows, 1u);
    EXPECT_EQ(Summary(out)["plc_blocks"]["downloads"], rows);
    EXPECT_EQ(Summary(out)["plc_blocks"]["incomplete"], 0);
  }
  EXPECT_EQ(Slurp(dir_ / "out1" / "summary.json"), Slurp(dir_ / "out2" / "summary.json"));
}

TEST_F(CliTest, SameInputGivesByteIdenticalOutputs) {
  fs::path cap = Simulated(5000);
  auto a = RunQw("analyze " + cap.string() + " --out " + (dir_ / "a").string());
  auto b = RunQw("analyze " + cap.string() + " --out " + (dir_ / "b").string());
  ASSERT_EQ(a.exit_code, 0) << a.output;
  ASSERT_EQ(b.exit_code, 0) << b.output;
  for (const char* f : {"summary.json", "assets.json", "events.jsonl", "quaywatch.sqlite"}) {
    EXPECT_EQ(Slurp(dir_ / "a" / f), Slurp(dir_ / "b" / f)) << f;
  }
  for (auto& e : fs::directory_iterator(dir_ / "a")) {
    EXPECT_NE(e.path().extension(), ".tmp") << e.path();
  }
}

TEST_F(CliTest, TwoThreadsGiveTheOutputsOfOne) {
  fs::path cap = Simulated(60000);
  fs::path two = Simulated(3000, 9);
  std::string inputs = cap.string() + " " + two.string();
  auto a = RunQw("analyze " + inputs + " --out " + (dir_ / "one").string());
  auto b = RunQw("analyze " + inputs + " --threads 2 --out " + (dir_ / "two").string());
  ASSERT_EQ(a.exit_code, 0) << a.output;
  ASSERT_EQ(b.exit_code, 0) << b.output;
  for (const char* f : {"summary.json", "assets.json", "events.jsonl"}) {
    EXPECT_EQ(Slurp(dir_ / "one" / f), Slurp(dir_ / "two" / f)) << f;
  }
  // The database holds the same rows; its pages may be laid out in another order.
  auto dump = [&](const char* d) {
    return RunShell("sqlite3 " + (dir_ / d / "quaywatch.sqlite").string() + " .dump").output;
  };
  std::string one = dump("one");
  EXPECT_GT(one.size(), 10000u);
  EXPECT_EQ(one, dump("two"));
}

// Industrial operations beyond one writer batch (10,000) group into the same runs whatever
// the threads: all operations of a run come from one flow, in the order it emitted them.
TEST_F(CliTest, OperationRunsAreTheSameWhateverTheThreads) {
  fs::path cap = dir_ / "ics.pcap";
  qw::simulate::SimulateOptions o;
  o.packets = 150'000;
  o.seed = 5;
  o.profile = "ics";
  ASSERT_TRUE(qw::simulate::Simulate(o, cap.string()).ok());
  ASSERT_EQ(RunQw("analyze " + cap.string() + " --out " + (dir_ / "one").string()).exit_code, 0);
  ASSERT_EQ(
      RunQw("analyze " + cap.string() + " --threads 2 --out " + (dir_ / "two").string()).exit_code,
      0);
  auto query = [&](const char* d, const char* sql) {
    return RunShell("sqlite3 " + (dir_ / d / "quaywatch.sqlite").string() + " \"" + sql + "\"")
        .output;
  };
  const char* ops = "SELECT sum(count) FROM ics_operation_runs";
  EXPECT_GT(std::stoll(query("one", ops)), 20'000);
  const char* runs = "SELECT * FROM ics_operation_runs ORDER BY id";
  EXPECT_EQ(query("one", runs), query("two", runs));
}

TEST_F(CliTest, SeveralFilesAreReadInOrderAndCountedApart) {
  fs::path one = Simulated(1000, 1);
  fs::path two = Simulated(1500, 2);
  fs::path out = dir_ / "out";
  auto r = RunQw("analyze " + one.string() + " " + two.string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = Summary(out);
  ASSERT_EQ(s["capture"]["files"].size(), 2u);
  EXPECT_EQ(s["capture"]["files"][0]["path"], one.string());
  EXPECT_EQ(s["capture"]["files"][0]["frames"], 1000);
  EXPECT_EQ(s["capture"]["files"][1]["frames"], 1500);
  EXPECT_EQ(s["capture"]["frames"], 2500);
}

TEST_F(CliTest, GzipCompressedCaptureGivesTheSameCounts) {
  fs::path cap = Simulated(3000);
  if (std::system(("gzip -k -c " + cap.string() + " > " + cap.string() + ".gz").c_str()) != 0) {
    GTEST_SKIP() << "SKIPPED: gzip not available";
  }
  auto a = RunQw("analyze " + cap.string() + " --out " + (dir_ / "plain").string());
  auto b = RunQw("analyze " + cap.string() + ".gz --out " + (dir_ / "gz").string());
  ASSERT_EQ(a.exit_code, 0);
  ASSERT_EQ(b.exit_code, 0) << b.output;
  auto sa = Summary(dir_ / "plain"), sb = Summary(dir_ / "gz");
  EXPECT_EQ(sa["frames"], sb["frames"]);
  EXPECT_EQ(sa["flows"], sb["flows"]);
  EXPECT_EQ(sb["capture"]["files"][0]["compressed"], true);
  EXPECT_EQ(Slurp(dir_ / "plain" / "assets.json"), Slurp(dir_ / "gz" / "assets.json"));
}

TEST_F(CliTest, SimulatedTerminalYieldsAnInventoryOfHundredsOfDevices) {
  fs::path cap = Simulated(100000);
  fs::path out = dir_ / "out";
  auto r = RunQw("analyze " + cap.string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = Summary(out);
  EXPECT_GE(s["assets"].get<int>(), 300);
  EXPECT_GT(s["frames"]["vlan"].get<int>(), 0);
  auto assets = nlohmann::json::parse(Slurp(out / "assets.json"));
  int routers = 0, switches = 0, with_vendor = 0;
  for (const auto& a : assets) {
    for (const auto& role : a["roles"]) {
      routers += role == "router";
      switches += role == "switch";
    }
    with_vendor += !a["vendor"].is_null();
  }
  EXPECT_GE(routers, 1);
  EXPECT_GE(switches, 1);
  EXPECT_GE(with_vendor, 100);
}

// The simulated terminal carries the IT protocols near the crane, and quaywatch finds their
// sessions, files and roles: remote access (SSH, RDP, VNC), a switch's configuration backed
// up over TFTP, a drive parameter backup stored over FTP, files read from the file server
// over SMB, SNMP polls with the default community.
TEST_F(CliTest, SimulatedTerminalCarriesTheItProtocols) {
  fs::path cap = Simulated(100000);
  fs::path out = dir_ / "out";
  auto r = RunQw("analyze " + cap.string() + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = Summary(out);
  for (const char* p : {"dns", "dhcp", "ntp", "http", "tls", "rtsp", "smb2", "ssh", "rdp", "vnc",
                        "ftp", "snmp", "syslog", "tftp"}) {
    EXPECT_GT(s["protocols"].value(p, nlohmann::json::object()).value("pdus", 0), 0) << p;
  }
  EXPECT_GT(s["remote_access"].value("ssh", 0), 0);
  EXPECT_GT(s["remote_access"].value("rdp", 0), 0);
  EXPECT_GT(s["remote_access"].value("vnc", 0), 0);
  EXPECT_GT(s["file_transfers"].value("smb2", 0), 0);
  EXPECT_GT(s["file_transfers"].value("tftp", 0), 0);
  EXPECT_GT(s["file_transfers"].value("ftp", 0), 0);
  EXPECT_GT(s["anomalies"].value("snmp.default_community", 0), 0);
  auto assets = nlohmann::json::parse(Slurp(out / "assets.json"));
  int cameras = 0, file_servers = 0;
  for (const auto& a : assets) {
    for (const auto& role : a["roles"]) cameras += role == "camera";
    const std::string why = a["role_evidence"].value("server", "");
    file_servers += why.find("file transfers") != std::string::npos;
  }
  EXPECT_GE(cameras, 1);
  EXPECT_GE(file_servers, 1);
}

}  // namespace

namespace {

// `policy check`: a sound policy says so and exits 0; a bad one gets every error, each on a
// line of its own naming file, line and column, and exit code 2.
TEST_F(CliTest, PolicyCheckListsEveryErrorWithItsPlace) {
  const std::string example = std::string(QW_SOURCE_DIR) + "/examples/sts-crane-terminal.yaml";
  RunResult ok = RunQw("policy check " + example);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("13 zones, 20 conduits"), std::string::npos) << ok.output;

  const fs::path bad = dir_ / "site.yaml";
  std::ofstream(bad) << "site: x\n"
                        "zones:\n"
                        "  - {name: it, kind: enterprise, subnets: [10.10.0.0/16]}\n"
                        "  - {name: ot, kind: crane-control, subnets: [10.10.1.0/24]}\n"
                        "conduits:\n"
                        "  - {from: it, to: plc, services: [s7comm]}\n"
                        "colour: red\n";
  RunResult r = RunQw("policy check " + bad.string());
  EXPECT_EQ(r.exit_code, 2);
  const std::string b = bad.string();
  EXPECT_NE(r.output.find(b + ":4:5: zones[1].subnets: 10.10.1.0/24 overlaps 10.10.0.0/16"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(b + ":6:20: conduits[0].to: no zone is named 'plc'"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(b + ":7:1: colour: unknown key"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("quaywatch: " + b + ": 3 errors"), std::string::npos) << r.output;

  RunResult missing = RunQw("policy check " + (dir_ / "none.yaml").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("none.yaml: cannot open"), std::string::npos) << missing.output;
  EXPECT_EQ(RunQw("policy").exit_code, 2);
}

}  // namespace

namespace {

// The addresses frame `number` (1-based) of a capture carries: IP source and destination,
// ARP's sender and target, the MACs, and the management addresses of LLDP and CDP.
std::vector<std::string> AddressesOfFrame(const fs::path& capture, uint64_t number) {
  auto reader = qw::capture::OpenCaptureFile(capture.string());
  EXPECT_TRUE(reader.ok());
  if (!reader.ok()) return {};
  qw::capture::Frame frame;
  qw::decode::Decoder decoder;
  qw::decode::Packet pkt;
  qw::core::Anomalies anomalies;
  for (uint64_t n = 1; (*reader)->Next(frame); ++n) {
    if (n != number) continue;
    decoder.Decode(frame.link_type, frame.ts, frame.data, pkt, anomalies, frame.orig_len);
    std::vector<std::string> out;
    for (const auto& ip : {pkt.src_ip, pkt.dst_ip, pkt.arp.sender_ip, pkt.arp.target_ip}) {
      if (ip.IsSet()) out.push_back(ip.ToString());
    }
    for (const auto& mac : {pkt.src_mac, pkt.dst_mac}) {
      if (!mac.IsZero()) out.push_back(mac.ToString());
    }
    // A switch's management address may first show in its LLDP or CDP announcement.
    if (pkt.l3 == qw::decode::L3::kLldp) {
      if (auto lldp = qw::dissect::ParseLldp(pkt.l2_payload, anomalies)) {
        for (const auto& m : lldp->management_addresses) {
          if (m.ip.IsSet()) out.push_back(m.ip.ToString());
        }
      }
    } else if (pkt.l3 == qw::decode::L3::kCdp) {
      if (auto cdp = qw::dissect::ParseCdp(pkt.l2_payload, anomalies)) {
        for (const auto* list : {&cdp->addresses, &cdp->management_addresses}) {
          for (const auto& a : *list) {
            if (a.ip.IsSet()) out.push_back(a.ip.ToString());
          }
        }
      }
    }
    return out;
  }
  return {};
}

// With --policy: assets and flows carry zones; an address no zone holds is a finding in
// events.jsonl, summary.json and the database, whose evidence frame carries that address.
TEST_F(CliTest, PolicyPlacesAssetsAndFlowsAndFindsUnassignedAddresses) {
  const fs::path capture = Simulated(20'000, 3);
  // The shipped terminal policy without its cameras zone: the cameras' 10.60.0.0/24
  // addresses are then held by no zone.
  std::ifstream in(std::string(QW_SOURCE_DIR) + "/examples/sts-crane-terminal.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t from = text.find("  - name: cameras");
  const size_t to = text.find("  # Non-intrusive inspection");
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  text.erase(from, to - from);
  const fs::path policy = dir_ / "site.yaml";
  std::ofstream(policy) << text;

  const fs::path out = dir_ / "out";
  RunResult r = RunQw("analyze " + capture.string() + " --policy " + policy.string() + " --out " +
                      out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;

  auto assets = nlohmann::json::parse(Slurp(out / "assets.json"));
  std::set<std::string> unassigned;
  size_t in_crane_zones = 0;
  for (const auto& a : assets) {
    for (const auto& ip : a["ips"]) {
      const std::string s = ip.get<std::string>();
      if (s.rfind("10.60.0.", 0) == 0) unassigned.insert(s);
    }
    for (const auto& z : a["zones"]) in_crane_zones += z.get<std::string>().rfind("crane-", 0) == 0;
  }
  ASSERT_FALSE(unassigned.empty());
  EXPECT_GT(in_crane_zones, 10u);

  std::istringstream events(Slurp(out / "events.jsonl"));
  std::string line;
  std::set<std::string> found;
  while (std::getline(events, line)) {
    auto e = nlohmann::json::parse(line);
    if (e["type"] != "segmentation.unassigned_address") continue;  // the others: below
    EXPECT_EQ(e["severity"], "medium");
    const std::string address = e["src"]["ip"];
    found.insert(address);
    EXPECT_TRUE(e["src"]["zone"].is_null());
    EXPECT_EQ(e["evidence"]["capture"], capture.string());
    const uint64_t frame = e["evidence"]["frame"];
    auto carried = AddressesOfFrame(capture, frame);
    EXPECT_NE(std::find(carried.begin(), carried.end(), address), carried.end())
        << address << " not in frame " << frame;
    EXPECT_FALSE(e["advisory"].empty());
  }
  EXPECT_EQ(found, unassigned);

  auto summary = nlohmann::json::parse(Slurp(out / "summary.json"));
  EXPECT_GE(summary["findings"]["medium"], unassigned.size());
  EXPECT_EQ(summary["policy"]["zones"], 12);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((out / "quaywatch.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  auto count = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sql;
    int64_t v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  };
  EXPECT_EQ(count("SELECT count(*) FROM findings WHERE type='segmentation.unassigned_address'"),
            static_cast<int64_t>(unassigned.size()));
  EXPECT_GT(count("SELECT count(*) FROM flows WHERE initiator_zone='business-it'"), 0);
  EXPECT_GT(count("SELECT count(*) FROM flows WHERE responder_zone='external'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM flows WHERE initiator_ip LIKE '10.60.0.%' AND "
                  "initiator_zone IS NOT NULL"),
            0);
  sqlite3_close(db);

  // Without a policy: no zones, no findings, and the summary says why.
  const fs::path plain = dir_ / "plain";
  ASSERT_EQ(RunQw("analyze " + capture.string() + " --out " + plain.string()).exit_code, 0);
  EXPECT_EQ(Slurp(plain / "events.jsonl"), "");
  auto plain_summary = nlohmann::json::parse(Slurp(plain / "summary.json"));
  EXPECT_TRUE(plain_summary["findings"].empty());
  EXPECT_TRUE(plain_summary["policy"].is_string());
}

// A bad policy stops analyze before anything is written: one line naming file, line and
// column, and exit code 2.
TEST_F(CliTest, BadPolicyStopsAnalyzeWithOneLine) {
  const fs::path capture = Simulated(2'000, 4);
  const fs::path policy = dir_ / "site.yaml";
  std::ofstream(policy) << "site: x\nzones:\n  - {name: a, kind: office, vlans: [1]}\n"
                           "  - {name: b, kind: dmz, vlans: [99999]}\n";
  const fs::path out = dir_ / "out";
  RunResult r = RunQw("analyze " + capture.string() + " --policy " + policy.string() + " --out " +
                      out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output, "quaywatch: " + policy.string() +
                          ":3:21: zones[0].kind: unknown kind 'office' (one of: enterprise, "
                          "operations, crane-management, crane-control, crane-auxiliary, "
                          "remote-access, secure-transfer, untrusted-supplier, scanning, dmz) "
                          "(and 1 more; 'quaywatch policy check " +
                          policy.string() + "' lists them all)\n");
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace

namespace {

// The simulated terminal judged by the shipped policy: the violations simulate plants (an
// office PC stopping a crane PLC and downloading a block to it, SSH and VNC sessions into
// cranes from the RCMS) are findings whose evidence frames carry their addresses, and --fail-on
// sets the exit code by the worst of them.
TEST_F(CliTest, ShippedPolicyFindsThePlantedViolationsAndFailOnTellsAPipeline) {
  const fs::path capture = Simulated(50'000, 1);
  const std::string policy = std::string(QW_SOURCE_DIR) + "/examples/sts-crane-terminal.yaml";
  const fs::path out = dir_ / "out";
  RunResult high = RunQw("analyze " + capture.string() + " --policy " + policy +
                         " --fail-on high --out " + out.string());
  EXPECT_EQ(high.exit_code, 1) << high.output;
  EXPECT_NE(high.output.find("at or above high (--fail-on)"), std::string::npos);
  std::istringstream events(Slurp(out / "events.jsonl"));
  std::string line;
  std::map<std::string, std::vector<nlohmann::json>> by_type;
  while (std::getline(events, line)) {
    auto e = nlohmann::json::parse(line);
    by_type[e["type"]].push_back(e);
    // The evidence frame shows the finding: it carries the source or the destination (a
    // device finding's device, by address or MAC).
    auto carried = AddressesOfFrame(capture, e["evidence"]["frame"]);
    auto in_frame = [&](const nlohmann::json& v) {
      return v.is_string() && std::find(carried.begin(), carried.end(), v) != carried.end();
    };
    if (e.contains("dst")) {
      if (!e["src"]["ip"].is_string()) continue;
      EXPECT_TRUE(in_frame(e["src"]["ip"]) || in_frame(e["dst"]["ip"])) << line;
    } else if (e["type"].get<std::string>().starts_with("supplier.")) {
      EXPECT_TRUE(in_frame(e["src"]["ip"]) || in_frame(e["src"]["mac"])) << line;
    }
  }
  auto has = [&](const std::string& type, const std::string& src, const std::string& dst,
                 const std::string& words) {
    for (const auto& e : by_type[type]) {
      const std::string title = e["title"];
      if (e["src"]["ip"] == src && e["dst"]["ip"] == dst &&
          title.find(words) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(
      has("ics.program_change", "10.10.5.20", "10.50.1.10", "request-download (block OB1)"));
  EXPECT_TRUE(has("ics.controller_state", "10.10.5.20", "10.50.1.10", "plc-stop"));
  // Remote access from crane management (10.40.0.0/24) into the cranes (10.50.0.0/16): the
  // shipped policy's RCMS is no remote-access zone. Which engineering PC and which crane the
  // simulator drew is its own affair.
  auto from_rcms_into_a_crane = [&](const std::string& words) {
    for (const auto& e : by_type["remote_access.unapproved"]) {
      const std::string src = e["src"]["ip"], dst = e["dst"]["ip"], title = e["title"];
      if (src.starts_with("10.40.0.") && dst.starts_with("10.50.") &&
          title.find(words) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(from_rcms_into_a_crane("ssh session"));
  EXPECT_TRUE(from_rcms_into_a_crane("rdp session"));
  EXPECT_TRUE(from_rcms_into_a_crane("vnc session"));
  EXPECT_TRUE(has("segmentation.unallowed_flow", "10.10.5.20", "10.50.1.10", "s7comm"));
  // The core router's VLAN interfaces forward between zones: not multi-homed hosts.
  EXPECT_TRUE(by_type["segmentation.multi_homed_host"].empty());
  // The cameras come from suppliers the policy names, by their MACs' IEEE vendors; the
  // scanners too, and the one the policy attributes by address. The cameras sit in their
  // untrusted-supplier zone; the scanners in a scanning zone, which is not one.
  size_t cameras = 0, scanners = 0;
  for (const auto& e : by_type["supplier.untrusted_device"]) {
    EXPECT_EQ(e["severity"], "info");
    const std::string zone = e["src"]["zone"];
    cameras += zone == "cameras";
    scanners += zone == "scanners";
  }
  EXPECT_GT(cameras, 5u);
  EXPECT_GT(scanners, 0u);
  for (const auto& e : by_type["supplier.untrusted_not_isolated"]) {
    EXPECT_EQ(e["src"]["zone"], "scanners") << e.dump();
    EXPECT_EQ(e["detail"]["supplier"], "Nuctech");
  }
  EXPECT_FALSE(by_type["supplier.untrusted_not_isolated"].empty());
  auto assets = nlohmann::json::parse(Slurp(out / "assets.json"));
  size_t attributed = 0;
  for (const auto& a : assets) {
    if (a["untrusted_supplier"].is_null()) continue;
    ++attributed;
    const auto& first = a["untrusted_supplier"]["attributions"][0];
    EXPECT_TRUE(first["by"] == "oui" || first["by"] == "policy") << a.dump();
    EXPECT_GT(first["evidence"]["frame"], 0);
  }
  EXPECT_EQ(attributed, cameras + scanners);
  // Business IT browses the web, but no agreement names business-it: no data-sharing lines.
  for (const auto& e : by_type["data_sharing.unlisted"]) {
    EXPECT_NE(e["src"]["zone"], "business-it") << e.dump();
  }
  // What the policy's conduits allow is no finding: the RCMS's own S7 traffic to the cranes.
  for (const auto& e : by_type["segmentation.unallowed_flow"]) {
    EXPECT_FALSE(e["src"]["zone"] == "rcms" && e["protocol"] == "s7comm") << e.dump();
  }
  RunResult critical = RunQw("analyze " + capture.string() + " --policy " + policy +
                             " --fail-on critical --out " + (dir_ / "out2").string());
  EXPECT_EQ(critical.exit_code, 0) << critical.output;
  RunResult no_policy =
      RunQw("analyze " + capture.string() + " --fail-on high --out " + (dir_ / "out3").string());
  EXPECT_EQ(no_policy.exit_code, 2);
  EXPECT_NE(no_policy.output.find("--fail-on needs --policy"), std::string::npos);
}

// learn records a capture; analyze --baseline finds nothing new in that capture, and finds
// exactly the device and the communication taken out of the file, with frames that show them.
TEST_F(CliTest, LearnThenAnalyzeFindsOnlyWhatTheBaselineLacks) {
  const fs::path capture = Simulated(30'000, 1);
  const std::string policy = std::string(QW_SOURCE_DIR) + "/examples/sts-crane-terminal.yaml";
  const fs::path baseline = dir_ / "baseline.json";
  RunResult learn =
      RunQw("learn " + capture.string() + " --policy " + policy + " -o " + baseline.string());
  ASSERT_EQ(learn.exit_code, 0) << learn.output;
  EXPECT_NE(learn.output.find("learnt "), std::string::npos);
  // Two threads learn the same file.
  const fs::path twice = dir_ / "baseline-2.json";
  ASSERT_EQ(RunQw("learn " + capture.string() + " --policy " + policy + " --threads 2 -o " +
                  twice.string())
                .exit_code,
            0);
  EXPECT_EQ(Slurp(twice), Slurp(baseline));

  const fs::path same = dir_ / "same";
  RunResult clean = RunQw("analyze " + capture.string() + " --baseline " + baseline.string() +
                          " --fail-on low --out " + same.string());
  EXPECT_EQ(clean.exit_code, 0) << clean.output;
  EXPECT_EQ(Slurp(same / "events.jsonl"), "");
  auto summary = nlohmann::json::parse(Slurp(same / "summary.json"));
  EXPECT_EQ(summary["baseline"]["file"], baseline.string());
  EXPECT_GT(summary["baseline"]["assets"], 100);

  // Take one device (with a MAC) and one plain communication out of the file.
  std::istringstream in(Slurp(baseline));
  std::string line, edited, removed_mac;
  nlohmann::json removed_comm;
  while (std::getline(in, line)) {
    if (removed_mac.empty() && line.find("{\"mac\":\"") != std::string::npos) {
      std::string entry = line.substr(line.find('{'));
      if (entry.back() == ',') entry.pop_back();
      removed_mac = nlohmann::json::parse(entry)["mac"];
      continue;
    }
    if (removed_comm.is_null() && line.find("\"service\":\"tls\"") != std::string::npos &&
        line.find("\"operations\":[]") != std::string::npos &&
        line.find("external") == std::string::npos) {
      std::string entry = line.substr(line.find('{'));
      if (entry.back() == ',') entry.pop_back();
      removed_comm = nlohmann::json::parse(entry);
      continue;
    }
    edited += line + "\n";
  }
  ASSERT_FALSE(removed_mac.empty());
  ASSERT_FALSE(removed_comm.is_null());
  // The removed lines may have been last in their lists: drop a comma left before "]".
  for (size_t at; (at = edited.find(",\n  ]")) != std::string::npos;) edited.erase(at, 1);
  const fs::path lacking = dir_ / "lacking.json";
  std::ofstream(lacking) << edited;
  const fs::path out = dir_ / "out";
  RunResult found = RunQw("analyze " + capture.string() + " --policy " + policy + " --baseline " +
                          lacking.string() + " --out " + out.string());
  ASSERT_EQ(found.exit_code, 0) << found.output;
  std::istringstream events(Slurp(out / "events.jsonl"));
  std::vector<nlohmann::json> news;
  while (std::getline(events, line)) {
    auto e = nlohmann::json::parse(line);
    if (e["type"].get<std::string>().starts_with("baseline.")) news.push_back(e);
  }
  ASSERT_EQ(news.size(), 2u) << Slurp(out / "events.jsonl");
  for (const auto& e : news) {
    auto carried = AddressesOfFrame(capture, e["evidence"]["frame"]);
    auto in_frame = [&](const nlohmann::json& v) {
      return v.is_string() && std::find(carried.begin(), carried.end(), v) != carried.end();
    };
    if (e["type"] == "baseline.new_asset") {
      EXPECT_EQ(e["src"]["mac"], removed_mac);
      EXPECT_TRUE(in_frame(e["src"]["mac"])) << e.dump();
    } else {
      EXPECT_EQ(e["type"], "baseline.new_communication");
      EXPECT_EQ(e["detail"]["initiator"], removed_comm["initiator"]);
      EXPECT_EQ(e["detail"]["responder"], removed_comm["responder"]);
      EXPECT_EQ(e["detail"]["service"], "tls");
      EXPECT_EQ(e["count"], removed_comm["count"]);
      EXPECT_TRUE(in_frame(e["src"]["ip"]) && in_frame(e["dst"]["ip"])) << e.dump();
    }
    EXPECT_FALSE(e["advisory"].empty());
  }

  // A file that is no baseline stops the run with one line naming it.
  const fs::path bad = dir_ / "bad.json";
  std::ofstream(bad) << "{\"format\": \"quaywatch-baseline\", \"version\": 9}";
  RunResult refused = RunQw("analyze " + capture.string() + " --baseline " + bad.string() +
                            " --out " + (dir_ / "refused").string());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.output, "quaywatch: " + bad.string() +
                                ": version: version 9 is not one this quaywatch reads (1)\n");
  EXPECT_FALSE(fs::exists(dir_ / "refused"));
}

// The scenarios: under the policy `simulate --policy-out` writes, the clean terminal raises
// only inventory lines; the violations scenario raises exactly what each planted violation
// must (type, source, destination and frame, as the simulator reports where it put them);
// a baseline learnt from the clean terminal finds exactly the plants' new devices and
// communications.
TEST_F(CliTest, ScenariosRaiseExactlyWhatIsPlanted) {
  const std::string args = " --packets 60000 --seed 5";
  const fs::path site = dir_ / "site.yaml";
  const fs::path clean = dir_ / "clean.pcap";
  const fs::path violations = dir_ / "violations.pcap";
  RunResult sim = RunQw("simulate --scenario violations -o " + violations.string() + args +
                        " --policy-out " + site.string());
  ASSERT_EQ(sim.exit_code, 0) << sim.output;
  EXPECT_NE(sim.output.find("planted office-plc-program-change"), std::string::npos);
  ASSERT_EQ(RunQw("simulate --scenario clean -o " + clean.string() + args).exit_code, 0);
  // The library reports where the plants landed; its file is the command's, byte for byte.
  qw::simulate::SimulateOptions o;
  o.scenario = "violations";
  o.packets = 60000;
  o.seed = 5;
  qw::simulate::SimulateStats stats;
  ASSERT_TRUE(qw::simulate::Simulate(o, (dir_ / "again.pcap").string(), &stats).ok());
  EXPECT_EQ(Slurp(dir_ / "again.pcap"), Slurp(violations));
  ASSERT_EQ(stats.plants.size(), 11u);

  auto findings = [&](const fs::path& capture, const std::string& extra, const char* out) {
    RunResult r = RunQw("analyze " + capture.string() + " --policy " + site.string() + extra +
                        " --out " + (dir_ / out).string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::vector<nlohmann::json> all;
    std::istringstream in(Slurp(dir_ / out / "events.jsonl"));
    for (std::string line; std::getline(in, line);) all.push_back(nlohmann::json::parse(line));
    return all;
  };
  // The clean terminal: the untrusted suppliers' devices, isolated as the policy wants.
  std::set<std::string> inventory;
  for (const auto& e : findings(clean, "", "clean-out")) {
    EXPECT_EQ(e["type"], "supplier.untrusted_device") << e.dump();
    inventory.insert(e["src"]["ip"].get<std::string>());
  }
  EXPECT_GT(inventory.size(), 20u);  // cameras, NVR, scanners

  // Every expected finding once, and nothing else but the clean terminal's inventory lines.
  using Key = std::tuple<std::string, std::string, std::string, uint64_t>;
  std::map<Key, std::string> expected;  // -> the plant
  for (const auto& plant : stats.plants) {
    EXPECT_GT(plant.first_frame, 0u) << plant.name;
    for (const auto& f : plant.findings) {
      EXPECT_GE(f.frame, plant.first_frame) << plant.name << " " << f.type;
      EXPECT_LE(f.frame, plant.last_frame) << plant.name << " " << f.type;
      EXPECT_TRUE(expected.emplace(Key{f.type, f.src, f.dst, f.frame}, plant.name).second);
    }
  }
  std::set<std::string> types;
  for (const auto& [key, plant] : expected) types.insert(std::get<0>(key));
  EXPECT_EQ(types.size(), 13u);  // every type but the two of the baseline, below
  std::set<std::string> background;
  for (const auto& e : findings(violations, "", "violations-out")) {
    const std::string src = e["src"].contains("ip") ? e["src"]["ip"] : e["src"]["mac"];
    const std::string dst = e.contains("dst") ? e["dst"]["ip"].get<std::string>() : "";
    const Key key{e["type"], src, dst, e["evidence"]["frame"].get<uint64_t>()};
    if (e["type"] == "supplier.untrusted_device" && inventory.count(src)) {
      background.insert(src);
      continue;
    }
    EXPECT_EQ(expected.erase(key), 1u) << "not planted: " << e.dump();
  }
  for (const auto& [key, plant] : expected) {
    ADD_FAILURE() << plant << " did not raise " << std::get<0>(key) << " " << std::get<1>(key)
                  << " -> " << std::get<2>(key) << " at frame " << std::get<3>(key);
  }
  EXPECT_EQ(background, inventory);

  // The baseline of the clean terminal: the plants' devices and conversations are new.
  const fs::path baseline = dir_ / "clean-baseline.json";
  ASSERT_EQ(
      RunQw("learn " + clean.string() + " --policy " + site.string() + " -o " + baseline.string())
          .exit_code,
      0);
  auto learnt = qw::policy::LoadBaseline(baseline.string());
  ASSERT_TRUE(learnt) << learnt.error().message;
  std::set<std::tuple<std::string, std::string, std::string, std::string, uint64_t>> news;
  std::set<std::pair<std::string, uint64_t>> new_devices;
  for (const auto& plant : stats.plants) {
    for (const auto& mac : plant.new_devices) new_devices.emplace(mac, plant.first_frame);
    for (const auto& c : plant.communications) {
      const auto* known = learnt->Find(c.initiator, c.responder, c.service);
      if (!known || (!c.category.empty() && !known->operations.count(c.category))) {
        news.emplace(c.initiator, c.responder, c.service, c.category, c.frame);
      }
    }
  }
  EXPECT_GE(news.size(), 10u);  // most plants talk where the clean terminal never does
  for (const auto& e : findings(violations, " --baseline " + baseline.string(), "news-out")) {
    const uint64_t frame = e["evidence"]["frame"];
    if (e["type"] == "baseline.new_asset") {
      EXPECT_EQ(new_devices.erase({e["src"]["mac"], frame}), 1u) << e.dump();
    } else if (e["type"] == "baseline.new_communication") {
      const auto& d = e["detail"];
      EXPECT_EQ(news.erase({d["initiator"], d["responder"], d["service"],
                            d.value("category", std::string()), frame}),
                1u)
          << e.dump();
    }
  }
  EXPECT_TRUE(new_devices.empty()) << new_devices.size() << " planted devices not found new";
  EXPECT_TRUE(news.empty()) << news.size() << " planted communications not found new";
}

}  // namespace
