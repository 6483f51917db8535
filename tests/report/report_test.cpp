// The report and the dashboard over a real run: a simulated terminal with a planted
// violation of every finding type, analysed against its site policy. What the report
// loads, the checklist and map it draws, the page it writes, and the JSON API over HTTP on
// loopback, with and without the token.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "app/run.h"
#include "flow/flow.h"
#include "model/communications.h"
#include "report/checklist.h"
#include "report/dashboard.h"
#include "report/html_report.h"
#include "report/live_snapshot.h"
#include "report/report_data.h"
#include "report/zone_map.h"
#include "simulate/simulate.h"

namespace qw::report {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Graphviz writes '-' in ids as "&#45;"; a browser reads them back as '-'.
std::string Decoded(std::string svg) {
  for (size_t at; (at = svg.find("&#45;")) != std::string::npos;) svg.replace(at, 5, "-");
  return svg;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One analysed run of the violations scenario, shared by every test here.
// The map's boxes by name, whatever the order they are drawn in (which follows the order
// devices are read in).
std::map<std::string, Json> BoxesByName(const ZoneMapDrawing& map) {
  std::map<std::string, Json> boxes;
  for (const auto& g : map.groups) boxes[g["name"].get<std::string>()] = g;
  return boxes;
}

class ReportTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Before any thread: the dashboard tests lay maps out while the server's threads run.
    ASSERT_TRUE(StartLayoutWorker().ok());
    // CTest runs each test in a process of its own, several at once: a folder per process.
    dir_ = new fs::path(fs::path(testing::TempDir()) /
                        ("qw-report-test-" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    simulate::SimulateOptions o;
    o.scenario = "violations";
    o.seed = 5;
    o.packets = 60000;
    ASSERT_TRUE(simulate::Simulate(o, (*dir_ / "t.pcap").string(), nullptr).ok());
    auto policy = simulate::ScenarioPolicy("violations");
    ASSERT_TRUE(policy.ok());
    std::ofstream((*dir_ / "site.yaml")) << *policy;
    app::OutputOptions out;
    out.out_dir = dir_->string();
    out.policy_file = (*dir_ / "site.yaml").string();
    ASSERT_EQ(app::RunAnalyze({(*dir_ / "t.pcap").string()}, out), 0);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::vector<Json> Events() {
    std::vector<Json> events;
    std::ifstream in(*dir_ / "events.jsonl");
    for (std::string line; std::getline(in, line);) events.push_back(Json::parse(line));
    return events;
  }
  static ReportData Load() {
    auto d = LoadReportData(dir_->string());
    EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message);
    return d.ok() ? std::move(*d) : ReportData{};
  }
  static fs::path* dir_;
};
fs::path* ReportTest::dir_ = nullptr;

TEST_F(ReportTest, LoadsEverythingTheRunWrote) {
  ReportData d = Load();
  const Json summary = Json::parse(Slurp(*dir_ / "summary.json"));
  const Json assets = Json::parse(Slurp(*dir_ / "assets.json"));
  EXPECT_EQ(d.summary, summary);
  EXPECT_EQ(d.assets.size(), assets.size());
  EXPECT_EQ(d.findings.size(), Events().size());
  EXPECT_EQ(d.zones.size(), summary["policy"]["zones"].get<size_t>());
  EXPECT_EQ(d.conduits.size(), summary["policy"]["conduits"].get<size_t>());
  EXPECT_EQ(d.zones[0]["name"], "business-it");
  EXPECT_EQ(d.zones[0]["subnets"], Json({"10.10.0.0/16"}));
  // Conversations add up to every flow the run ended.
  int64_t flows = 0;
  for (const auto& c : d.conversations) flows += c["flows"].get<int64_t>();
  const Json& f = summary["flows"];
  EXPECT_EQ(flows, f["tcp"].get<int64_t>() + f["udp"].get<int64_t>() + f["other"].get<int64_t>());
  // Program changes come first among the operations, with their zones.
  ASSERT_FALSE(d.operations.empty());
  EXPECT_EQ(d.operations[0]["category"], "program-change");
  EXPECT_EQ(d.operations[0]["initiator_zone"], "business-it");
  EXPECT_FALSE(d.remote_access.empty());
  EXPECT_FALSE(d.file_transfers.empty());
  // The planted OB1 download, rebuilt: its block, ends and zones.
  ASSERT_FALSE(d.plc_blocks.empty());
  EXPECT_EQ(d.plc_blocks[0]["block"], "OB1");
  EXPECT_EQ(d.plc_blocks[0]["direction"], "download");
  EXPECT_EQ(d.plc_blocks[0]["plc"], "10.50.1.10");
  EXPECT_EQ(d.plc_blocks[0]["plc_zone"], "crane-1");
  EXPECT_EQ(d.plc_blocks[0]["sha256"].get<std::string>().size(), 64u);
  ASSERT_EQ(d.captures.size(), 1u);
}

TEST_F(ReportTest, UnreadableOutputsAreOneLineNamingTheFile) {
  auto missing = LoadReportData((*dir_ / "nowhere").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("nowhere/quaywatch.sqlite: no such file"),
            std::string::npos)
      << missing.error().message;
  const fs::path bad = *dir_ / "bad";
  fs::create_directories(bad);
  std::ofstream(bad / "quaywatch.sqlite") << "this is no database, only text\n";
  auto garbage = LoadReportData(bad.string());
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.error().message.find("bad/quaywatch.sqlite"), std::string::npos);
  EXPECT_EQ(garbage.error().message.find('\n'), std::string::npos);
  EXPECT_EQ(app::RunReport(bad.string(), ""), 2);
  EXPECT_FALSE(fs::exists(bad / "report.html"));
}

// Runs `sql` on a copy of the run's database in a folder of its own; returns the folder.
fs::path EditedCopy(const fs::path& dir, const std::string& name, const std::string& sql) {
  const fs::path copy = dir / name;
  fs::create_directories(copy);
  fs::copy_file(dir / "quaywatch.sqlite", copy / "quaywatch.sqlite",
                fs::copy_options::overwrite_existing);
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((copy / "quaywatch.sqlite").c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  return copy;
}

// The conversation groups are those SQL's GROUP BY makes of the flows table, in the same
// order, with the same totals; a limit keeps the first and counts the rest as cut.
TEST_F(ReportTest, ConversationsAreTheGroupsOfTheFlowsTable) {
  const ReportData d = Load();
  sqlite3* db = nullptr;
  ASSERT_EQ(
      sqlite3_open_v2((*dir_ / "quaywatch.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
      SQLITE_OK);
  const char* sql =
      "SELECT json_object('initiator', initiator_ip, 'initiator_zone', initiator_zone, "
      "'responder', responder_ip, 'responder_zone', responder_zone, 'transport', "
      "CASE proto WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp' WHEN 1 THEN 'icmp' WHEN 58 THEN "
      "'icmpv6' ELSE 'ip' END, 'port', responder_port, 'protocol', protocol, 'flows', "
      "count(*), 'packets', sum(packets_from_initiator + packets_from_responder), 'bytes', "
      "sum(bytes_from_initiator + bytes_from_responder), 'first_ts', min(first_ts), "
      "'last_ts', max(last_ts), 'capture', min(id) >> 40, 'frame', min(id) & 1099511627775) "
      "FROM flows GROUP BY initiator_ip, initiator_zone, responder_ip, responder_zone, proto, "
      "responder_port, protocol ORDER BY count(*) DESC, min(id)";
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  Json expected = Json::array();
  while (sqlite3_step(st) == SQLITE_ROW) {
    expected.push_back(Json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  ASSERT_GT(expected.size(), 3u);
  EXPECT_EQ(d.conversations, expected);
  EXPECT_EQ(d.conversations_cut, 0u);
  // Zones came from the policy: some group has them, so NULL and named zones both occur.
  EXPECT_TRUE(std::any_of(expected.begin(), expected.end(),
                          [](const Json& c) { return c["initiator_zone"].is_string(); }));
  ReportLimits limits;
  limits.conversations = 3;
  auto cut = LoadReportData(dir_->string(), limits);
  ASSERT_TRUE(cut.ok()) << cut.error().message;
  ASSERT_EQ(cut->conversations.size(), 3u);
  EXPECT_EQ(cut->conversations[2], expected[2]);
  EXPECT_EQ(cut->conversations_cut, expected.size() - 3);
}

// A database of schema 13 keeps each run's first frame and time only in its JSON, whose
// operations read [id, request_frame, response_frame, ts]; the report reads them from there
// and shows the same operations as from the columns of schema 14 and later.
TEST_F(ReportTest, OperationsOfASchema13DatabaseAreTheSame) {
  ReportData now = Load();
  auto old = LoadReportData(
      EditedCopy(*dir_, "schema13",
                 "UPDATE ics_operation_runs SET operations = (SELECT json_group_array("
                 "json_array(v.id, v.request_frame, v.response_frame, v.ts)) FROM "
                 "(SELECT * FROM ics_operations WHERE run = ics_operation_runs.id "
                 "ORDER BY id) AS v); "
                 "DROP VIEW ics_operations; "
                 "ALTER TABLE ics_operation_runs DROP COLUMN first_frame; "
                 "ALTER TABLE ics_operation_runs DROP COLUMN first_ts; "
                 "PRAGMA user_version = 13")
          .string());
  ASSERT_TRUE(old.ok()) << old.error().message;
  ASSERT_FALSE(now.operations.empty());
  EXPECT_EQ(old->operations, now.operations);
  // Frames and times are there, not left empty by either reading.
  EXPECT_GT(now.operations[0]["frame"].get<int64_t>(), 0);
  EXPECT_EQ(now.operations[0]["first_ts"].get<std::string>().size(), 27u);
}

TEST_F(ReportTest, EditedDatabasesAreRefusedNotCrashedOn) {
  auto not_object = LoadReportData(
      EditedCopy(*dir_, "array", "UPDATE assets SET detail = '[1,2]' WHERE id = 3").string());
  ASSERT_FALSE(not_object.ok());
  EXPECT_NE(not_object.error().message.find("table assets row 3: not a JSON object"),
            std::string::npos)
      << not_object.error().message;
  auto not_json = LoadReportData(
      EditedCopy(*dir_, "text", "UPDATE findings SET detail = 'oops' WHERE id = 2").string());
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.error().message.find("table findings row 2: not JSON"), std::string::npos);
  // Right kind of JSON, wrong shape inside: one line and exit code 2, never a crash.
  const fs::path odd = EditedCopy(
      *dir_, "shape", "UPDATE assets SET detail = json_set(detail, '$.ips', json('[1,{}]'))");
  EXPECT_EQ(app::RunReport(odd.string(), ""), 2);
  auto source = DataSource::FromDir(odd.string());
  ASSERT_TRUE(source.ok());
  DashboardApi api(*source);
  EXPECT_EQ(api.Get("/api/map", {}).status, 500);
  auto old = LoadReportData(EditedCopy(*dir_, "old", "PRAGMA user_version = 9").string());
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.error().message.find("schema version 9"), std::string::npos);
  // Past the limit on devices the choice reads JSON fields in SQL: a row that is not JSON,
  // or of odd shapes, is refused in one line naming the file, or read as it stands.
  ReportLimits few;
  few.assets = 2;
  const fs::path broken =
      EditedCopy(*dir_, "broken", "UPDATE assets SET detail = 'oops' WHERE id = 5");
  auto cut = LoadReportData(broken.string(), few);
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find(broken.string()), std::string::npos) << cut.error().message;
  EXPECT_EQ(cut.error().message.find('\n'), std::string::npos);
  auto shapes = LoadReportData(
      EditedCopy(*dir_, "shapes",
                 "UPDATE assets SET detail = json_set(detail, '$.zones', json('{\"a\":1}'), "
                 "'$.identity', 7, '$.untrusted_supplier', json('[1]')), roles = 'x'")
          .string(),
      few);
  ASSERT_TRUE(shapes.ok()) << shapes.error().message;
  EXPECT_EQ(shapes->assets.size(), 2u);
}

TEST_F(ReportTest, ChecklistMarksWhatTheFindingsViolateAndLeavesTheRestToAttest) {
  ReportData d = Load();
  const Json rows = AdvisoryChecklist(d);
  std::set<std::string> violated_refs;
  for (const auto& f : Events()) {
    if (f["severity"] == "info") continue;
    for (const auto& a : f["advisory"]) violated_refs.insert(a.get<std::string>());
  }
  size_t attest = 0;
  for (const auto& r : rows) {
    const std::string ref = r["ref"];
    if (r["status"] == "attest") {
      ++attest;
      EXPECT_FALSE(r["observable"].get<bool>());
    } else if (violated_refs.count(ref)) {
      EXPECT_EQ(r["status"], "violated") << ref;
      EXPECT_FALSE(r["findings"].empty()) << ref;
    } else {
      EXPECT_TRUE(r["status"] == "supported") << ref << ": " << r["status"];
    }
    EXPECT_EQ(r["cfr"].get<std::string>().rfind("33 CFR 101.650: ", 0), 0u);
  }
  EXPECT_EQ(attest, 4u);
  EXPECT_GE(violated_refs.size(), 8u);
  // Without a policy nothing was judged: no item claims support.
  d.zones = Json::array();
  d.findings = Json::array();
  for (const auto& r : AdvisoryChecklist(d)) {
    EXPECT_TRUE(r["status"] == "not-judged" || r["status"] == "attest") << r["ref"];
  }
}

// Past its limit on devices, the report reads in full only those that matter most (with
// findings, of untrusted suppliers, with roles, with an identity, then the busiest), counts
// the rest, and still places every address in its zone and counts every crane device.
TEST_F(ReportTest, PastTheLimitOnDevicesTheMostTellingAreReadAndTheRestCounted) {
  const ReportData full = Load();
  ASSERT_GT(full.assets.size(), 6u);
  std::set<std::string> named;
  for (const auto& f : full.findings) {
    for (const char* end : {"src", "dst"}) {
      if (!f.contains(end) || !f[end].is_object()) continue;
      for (const char* k : {"ip", "mac"}) {
        if (f[end].contains(k) && f[end][k].is_string()) named.insert(f[end][k]);
      }
    }
  }
  // The expected choice, from the whole objects rather than the columns the loader reads.
  struct Weight {
    bool findings, untrusted, roles, identity;
    int64_t bytes, id;
  };
  std::vector<Weight> w;
  for (const auto& a : full.assets) {
    bool found = a["mac"].is_string() && named.count(a["mac"].get<std::string>());
    for (const auto& ip : a["ips"]) found = found || named.count(ip.get<std::string>());
    w.push_back({found, a["untrusted_supplier"].is_object(), !a["roles"].empty(),
                 !a["identity"].empty(), a["bytes"].get<int64_t>(), a["id"].get<int64_t>()});
  }
  auto key = [](const Weight& x) {
    return std::make_tuple(x.findings, x.untrusted, x.roles, x.identity, x.bytes, -x.id);
  };
  std::sort(w.begin(), w.end(), [&](const Weight& x, const Weight& y) { return key(x) > key(y); });
  // Devices of crane zones, which the checklist counts.
  std::set<std::string> crane_zones;
  for (const auto& z : full.zones) {
    if (z["kind"].get<std::string>().starts_with("crane")) crane_zones.insert(z["name"]);
  }
  auto Crane = [&](const Json& assets) {
    size_t n = 0;
    for (const auto& a : assets) {
      n += std::any_of(a["zones"].begin(), a["zones"].end(),
                       [&](const Json& z) { return crane_zones.count(z.get<std::string>()); });
    }
    return n;
  };
  ASSERT_GT(Crane(full.assets), 1u);
  for (size_t limit : {size_t{1}, size_t{5}, full.assets.size() - 1}) {
    ReportLimits limits;
    limits.assets = limit;
    auto cut = LoadReportData(dir_->string(), limits);
    ASSERT_TRUE(cut.ok()) << cut.error().message;
    std::set<int64_t> expected;
    for (size_t i = 0; i < limit; ++i) expected.insert(w[i].id);
    std::set<int64_t> got;
    int64_t last = 0;
    for (const auto& a : cut->assets) {
      got.insert(a["id"].get<int64_t>());
      EXPECT_LT(last, a["id"].get<int64_t>()) << "in id order";
      last = a["id"].get<int64_t>();
      // Read whole: the same object as without a limit.
      auto same = std::find_if(full.assets.begin(), full.assets.end(),
                               [&](const Json& f) { return f["id"] == a["id"]; });
      ASSERT_NE(same, full.assets.end());
      EXPECT_EQ(a, *same);
    }
    EXPECT_EQ(got, expected) << "limit " << limit;
    EXPECT_EQ(cut->assets_unread, full.assets.size() - limit);
    // What other rows say of zones, and what the checklist counts, do not depend on it.
    EXPECT_EQ(cut->operations, full.operations);
    EXPECT_EQ(cut->remote_access, full.remote_access);
    EXPECT_EQ(cut->file_transfers, full.file_transfers);
    EXPECT_EQ(cut->plc_blocks, full.plc_blocks);
    EXPECT_EQ(AdvisoryChecklist(*cut), AdvisoryChecklist(full)) << "limit " << limit;
    EXPECT_EQ(Crane(cut->assets) + cut->unread_crane_assets, Crane(full.assets));
    // The map's boxes count every device, read or not.
    EXPECT_EQ(BoxesByName(BuildZoneMap(*cut)), BoxesByName(BuildZoneMap(full)))
        << "limit " << limit;
    // Without findings every observable item is supported, saying what it judged.
    ReportData quiet_full = full, quiet_cut = std::move(*cut);
    quiet_full.findings = Json::array();
    quiet_cut.findings = Json::array();
    EXPECT_EQ(AdvisoryChecklist(quiet_cut), AdvisoryChecklist(quiet_full)) << "limit " << limit;
    auto view = ReportView(quiet_cut);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ((*view)["overview"]["devices"], full.assets.size());
    EXPECT_NE((*view)["inventory_note"].get<std::string>().find(
                  fmt::format("{} more devices are in assets.json", full.assets.size() - limit)),
              std::string::npos);
  }
  // The first of the expected order has a finding: the choice above is not vacuous.
  EXPECT_TRUE(w[0].findings);
}

TEST_F(ReportTest, WithoutAPolicyPastTheLimitOnDevicesTheMapStillCountsEveryDevice) {
  const fs::path plain = *dir_ / "no-policy";
  app::OutputOptions out;
  out.out_dir = plain.string();
  ASSERT_EQ(app::RunAnalyze({(*dir_ / "t.pcap").string()}, out), 0);
  auto full = LoadReportData(plain.string());
  ASSERT_TRUE(full.ok()) << full.error().message;
  ASSERT_TRUE(full->zones.empty());
  const auto boxes = BoxesByName(BuildZoneMap(*full));
  // Not vacuous: several subnet boxes, one of them with several devices.
  size_t subnets = 0, most = 0;
  for (const auto& [name, g] : boxes) {
    subnets += g["kind"] == "subnet";
    most = std::max(most, g["assets"].get<size_t>());
  }
  ASSERT_GT(subnets, 1u);
  ASSERT_GT(most, 2u);
  for (size_t limit : {size_t{1}, size_t{5}, full->assets.size() - 1}) {
    ReportLimits limits;
    limits.assets = limit;
    auto cut = LoadReportData(plain.string(), limits);
    ASSERT_TRUE(cut.ok()) << cut.error().message;
    ASSERT_EQ(cut->assets.size(), limit);
    size_t unread = 0;
    for (const auto& [groups, n] : cut->unread_groups) unread += n;
    EXPECT_EQ(unread, cut->assets_unread);
    EXPECT_EQ(BoxesByName(BuildZoneMap(*cut)), boxes) << "limit " << limit;
  }
}

TEST_F(ReportTest, MapDrawsEveryZoneAndEveryViolatingPair) {
  ReportData d = Load();
  ZoneMapDrawing map = BuildZoneMap(d);
  auto rendered = RenderSvg(map.dot);
  ASSERT_TRUE(rendered.ok()) << rendered.error().message;
  const std::string svg = Decoded(*rendered);
  for (const auto& z : d.zones) {
    EXPECT_NE(svg.find("id=\"zone-" + SafeId(z["name"].get<std::string>()) + "\""),
              std::string::npos)
        << z["name"];
  }
  std::set<std::string> violating;
  for (const auto& e : map.edges) {
    if (e["status"] == "violating") violating.insert(e["id"].get<std::string>());
  }
  for (const auto& f : Events()) {
    if (!f.contains("dst") || f["src"]["zone"] == f["dst"]["zone"]) continue;
    const std::string id = "edge-" + SafeId(f["src"]["zone"].get<std::string>()) + "--" +
                           SafeId(f["dst"]["zone"].get<std::string>());
    EXPECT_TRUE(violating.count(id)) << f["type"] << " " << id;
  }
  // Allowed conduits show as allowed: crane management reaches crane 1.
  bool allowed = false;
  for (const auto& e : map.edges)
    allowed |= e["id"] == "edge-rcms--crane-1" && e["status"] == "allowed";
  EXPECT_TRUE(allowed);
}

TEST(ZoneMapTest, NamesFromTheWireCannotBreakOutOfTheMap) {
  ReportData d;
  d.zones = Json::array({{{"name", "ot\"]; evil [label=\"x"},
                          {"kind", "crane-control"},
                          {"subnets", {"10.0.0.0/8"}},
                          {"vlans", {5}}}});
  d.assets = Json::array({{{"id", 1},
                           {"ips", {"10.0.0.1"}},
                           {"zones", {"ot\"]; evil [label=\"x"}},
                           {"roles", {"<script>alert(1)</script>"}},
                           {"vendor", "\\N \\G & <b>"},
                           {"bytes", 10}}});
  ZoneMapDrawing map = BuildZoneMap(d);
  auto svg = RenderSvg(map.dot);
  ASSERT_TRUE(svg.ok()) << svg.error().message << "\n" << map.dot;
  EXPECT_EQ(svg->find("<script"), std::string::npos);
  EXPECT_EQ(svg->find("<b>"), std::string::npos);
  EXPECT_NE(Decoded(*svg).find("zone-ot____evil__label__x"), std::string::npos);
  EXPECT_EQ(map.groups.size(), 1u);
}

// Found by fuzz_zone_map: Graphviz refused the map of a zone without a name (the policy
// refuses such zones; a hand-edited database can still hold one).
TEST(ZoneMapTest, EmptyZoneNamesStillDraw) {
  ReportData d;
  d.zones = Json::array({{{"name", ""}, {"kind", "crane-control"}, {"subnets", {"10.0.0.0/8"}}},
                         {{"name", ""}, {"kind", ""}}});
  d.conduits = Json::array({{{"from", ""}, {"to", ""}}});
  ZoneMapDrawing map = BuildZoneMap(d);
  auto svg = RenderSvg(map.dot);
  ASSERT_TRUE(svg.ok()) << svg.error().message << "\n" << map.dot;
  EXPECT_NE(Decoded(*svg).find("crane-control"), std::string::npos);
}

// Found by fuzz_zone_map: a control character or the noncharacter U+FFFF in a name (which
// XML, and so Graphviz's labels, cannot hold) cost the map; each is shown as '.'. U+FFFF is
// well-formed UTF-8, so text from the wire can carry it past the dissectors.
TEST(ZoneMapTest, ControlCharactersInNamesStillDraw) {
  ReportData d;
  d.zones =
      Json::array({{{"name", "a\x11"}, {"kind", "crane-control"}, {"subnets", {"10.0.0.0/8"}}},
                   {{"name", "b"}, {"kind", "x"}}});
  d.conduits = Json::array({{{"from", "a\x11"}, {"to", "b"}}});
  d.assets = Json::array({{{"id", 1},
                           {"ips", {"10.0.0.1"}},
                           {"zones", {"a\x11"}},
                           {"roles", {"plc\x01"}},
                           {"vendor", "v\x1b[0m"}},
                          {{"id", 2},
                           {"ips", {"10.0.0.2"}},
                           {"zones", {"b"}},
                           {"roles", {"\xef\xbf\xbf"}},
                           {"vendor", "host\xef\xbf\xbe\xef\xbf\xbdx"}}});
  ZoneMapDrawing map = BuildZoneMap(d);
  auto svg = RenderSvg(map.dot);
  ASSERT_TRUE(svg.ok()) << svg.error().message << "\n" << map.dot;
  EXPECT_NE(svg->find("a."), std::string::npos);
  EXPECT_EQ(map.dot.find('\x11'), std::string::npos);
  EXPECT_EQ(map.dot.find('\x1b'), std::string::npos);
  EXPECT_EQ(map.dot.find("\xef\xbf\xbf"), std::string::npos);
  EXPECT_EQ(map.dot.find("\xef\xbf\xbe"), std::string::npos);
  EXPECT_NE(map.dot.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD is text: kept
}

// Found by fuzz_zone_map: Graphviz's label parser refuses text of only ']', which a
// device's vendor (from the wire) can be.
TEST(ZoneMapTest, AVendorOfOnlyClosingBracketsStillDraws) {
  ReportData d;
  d.zones = Json::array({{{"name", "ot"}, {"kind", "crane-control"}, {"subnets", {"10.0.0.0/8"}}}});
  d.assets = Json::array({{{"id", 1}, {"ips", {"10.0.0.1"}}, {"zones", {"ot"}}, {"vendor", "]"}},
                          {{"id", 2}, {"ips", {"10.0.0.2"}}, {"zones", {"ot"}}, {"vendor", "]]"}}});
  ZoneMapDrawing map = BuildZoneMap(d);
  auto svg = RenderSvg(map.dot);
  ASSERT_TRUE(svg.ok()) << svg.error().message << "\n" << map.dot;
  EXPECT_NE(svg->find(">]]<"), std::string::npos);
}

TEST(ZoneMapTest, WithoutAPolicyAddressesGroupBySubnet) {
  EXPECT_EQ(FallbackGroup("192.168.7.20"), "192.168.7.0/24");
  EXPECT_EQ(FallbackGroup("8.8.8.8"), "external");
  EXPECT_EQ(FallbackGroup("fe80::1"), "link-local");
  EXPECT_EQ(FallbackGroup(""), "no address");
  ReportData d;
  d.assets = Json::array({{{"id", 1}, {"ips", {"192.168.7.20"}}},
                          {{"id", 2}, {"ips", {"192.168.8.3"}}},
                          {{"id", 3}, {"ips", Json::array()}, {"mac", "00:11:22:33:44:55"}}});
  d.conversations = Json::array({{{"initiator", "192.168.7.20"},
                                  {"responder", "192.168.8.3"},
                                  {"protocol", "modbus"},
                                  {"flows", 3}}});
  ZoneMapDrawing map = BuildZoneMap(d);
  ASSERT_EQ(map.edges.size(), 1u);
  EXPECT_EQ(map.edges[0]["from"], "192.168.7.0/24");
  EXPECT_EQ(map.edges[0]["status"], "unjudged");
  EXPECT_EQ(map.groups.size(), 3u);
  EXPECT_TRUE(RenderSvg(map.dot).ok());
}

// Found by measuring a capture of 20,000 sources in as many subnets (2.9 MB): with no policy
// each /24 was a box, and Graphviz took five minutes to lay out the map.
TEST(ZoneMapTest, WithoutAPolicyManySubnetsShareABoxPastTheCap) {
  ReportData d;
  constexpr int kSubnets = 300;
  for (int i = 0; i < kSubnets; ++i) {
    const std::string ip = fmt::format("10.{}.{}.7", i / 256, i % 256);
    d.assets.push_back({{"id", i + 1}, {"ips", {ip}}, {"bytes", 100}});
    d.conversations.push_back(
        {{"initiator", ip}, {"responder", "10.200.0.1"}, {"protocol", "modbus"}, {"flows", 1}});
  }
  // The PLC's subnet has four devices; the last source's subnet one device, with a finding.
  for (int i = 0; i < 4; ++i) {
    d.assets.push_back({{"id", 1000 + i}, {"ips", {fmt::format("10.200.0.{}", i + 1)}}});
  }
  const std::string flagged = fmt::format("10.{}.{}.7", (kSubnets - 1) / 256, (kSubnets - 1) % 256);
  d.findings.push_back({{"type", "segmentation.unallowed_flow"}, {"src", {{"ip", flagged}}}});

  ZoneMapDrawing map = BuildZoneMap(d);
  auto boxes = BoxesByName(map);
  EXPECT_EQ(boxes.size(), 40u);  // 39 subnets and the shared box
  ASSERT_TRUE(boxes.count("other subnets"));
  EXPECT_EQ(boxes["other subnets"]["assets"], kSubnets - 38);
  EXPECT_TRUE(boxes.count("10.200.0.0/24")) << "the most devices";
  EXPECT_TRUE(boxes.count(flagged.substr(0, flagged.rfind('.')) + ".0/24")) << "a finding";
  // Conversations of merged subnets are drawn from the shared box: one edge, not 262.
  size_t from_other = 0;
  for (const auto& e : map.edges) from_other += e["from"] == "other subnets";
  EXPECT_EQ(from_other, 1u);
  EXPECT_LE(map.edges.size(), 40u);
  auto svg = RenderSvg(map.dot);
  ASSERT_TRUE(svg.ok()) << svg.error().message;
  EXPECT_NE(Decoded(*svg).find("262 private /24 subnets"), std::string::npos);
}

TEST(ZoneMapTest, DevicesTheReportDidNotReadWeighAndCountInTheirBoxes) {
  ReportData d;
  constexpr int kSubnets = 60;
  for (int i = 0; i < kSubnets; ++i) {
    d.assets.push_back({{"id", i + 1}, {"ips", {fmt::format("10.1.{}.7", i)}}, {"bytes", 100}});
  }
  // Read, 10.1.0.0/24 has one device like every other; unread, 10.9.9.0/24 has fifty and a
  // device with two addresses counts once in each of its boxes.
  d.unread_groups[{"10.9.9.0/24"}] = 50;
  d.unread_groups[{"10.1.5.0/24", "10.9.9.0/24"}] = 1;
  d.unread_groups[{"no address"}] = 2;
  // And a hundred subnets of one unread device each, which must share a box as well.
  for (int i = 0; i < 100; ++i) d.unread_groups[{fmt::format("10.2.{}.0/24", i)}] = 1;
  d.assets_unread = 153;
  auto boxes = BoxesByName(BuildZoneMap(d));
  ASSERT_TRUE(boxes.count("10.9.9.0/24")) << "the most devices, none of them read";
  EXPECT_EQ(boxes["10.9.9.0/24"]["assets"], 51);
  ASSERT_TRUE(boxes.count("10.1.5.0/24")) << "two devices";
  EXPECT_EQ(boxes["10.1.5.0/24"]["assets"], 2);
  EXPECT_EQ(boxes["no address"]["assets"], 2);
  EXPECT_EQ(boxes.size(), 41u);  // 39 subnets, the shared box, and the devices without address
  size_t devices = 0;
  for (const auto& [name, g] : boxes) devices += g["assets"].get<size_t>();
  EXPECT_EQ(devices, kSubnets + 153 + 1);  // the device with two addresses, twice
  auto svg = RenderSvg(BuildZoneMap(d).dot);
  ASSERT_TRUE(svg.ok()) << svg.error().message;
  EXPECT_NE(Decoded(*svg).find("51 devices"), std::string::npos);
  EXPECT_NE(Decoded(*svg).find("and 51 more"), std::string::npos);
}

TEST(ReportPageTest, AVeryLargeInventoryListsWhatMattersAndSaysWhereTheRestIs) {
  ReportData d;
  constexpr int kDevices = 5100;
  for (int i = 1; i <= kDevices; ++i) {
    d.assets.push_back({{"id", i},
                        {"ips", {fmt::format("192.0.2.{}", i % 250)}},
                        {"mac", fmt::format("02:00:00:00:{:02x}:{:02x}", i / 256, i % 256)},
                        {"bytes", i == 77 ? 1 : 1000}});
  }
  // The last device has a finding and a different address from the others.
  d.assets.back()["ips"] = {"198.51.100.9"};
  d.findings.push_back({{"type", "segmentation.unallowed_flow"},
                        {"severity", "high"},
                        {"src", {{"ip", "198.51.100.9"}}}});
  auto html = RenderReportHtml(d);
  ASSERT_TRUE(html.ok()) << html.error().message;
  size_t rows = 0;
  for (size_t at = html->find("<tr id=\"asset-"); at != std::string::npos;
       at = html->find("<tr id=\"asset-", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 5000u);
  EXPECT_NE(html->find("<tr id=\"asset-5100\""), std::string::npos) << "the device with a finding";
  EXPECT_EQ(html->find("<tr id=\"asset-77\""), std::string::npos) << "the quietest is left out";
  EXPECT_NE(html->find("100 more devices are in assets.json and quaywatch.sqlite"),
            std::string::npos);
  auto view = ReportView(d);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ((*view)["asset_count"], 5000);
  EXPECT_EQ((*view)["overview"]["devices"], kDevices) << "the overview counts every device";
}

TEST(ReportPageTest, ManyFindingsOfOneGuidanceListTheMostSevereAndLinkOnlyToThose) {
  ReportData d;
  constexpr int kFindings = 620;
  for (int i = 0; i < kFindings; ++i) {
    d.findings.push_back({{"type", "segmentation.unallowed_flow"},
                          {"severity", i == kFindings - 1 ? "critical" : "medium"},
                          {"title", fmt::format("flow {}", i)},
                          {"src", {{"ip", fmt::format("10.10.{}.{}", i / 250, i % 250 + 1)}}},
                          {"advisory", {"MA-2023-009/segment-crane-networks"}}});
  }
  auto view = ReportView(d);
  ASSERT_TRUE(view.ok()) << view.error().message;
  const Json& groups = (*view)["finding_groups"];
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]["count"], kFindings);
  ASSERT_EQ(groups[0]["findings"].size(), 500u);
  EXPECT_EQ(groups[0]["findings"][0]["severity"], "critical") << "the most severe first";
  EXPECT_EQ(groups[0]["note"],
            "120 more findings of this guidance are in events.jsonl; the report lists the 500 "
            "most severe.");
  std::set<std::string> listed;
  for (const auto& f : groups[0]["findings"]) listed.insert(f["anchor"].get<std::string>());
  bool checked = false;
  for (const auto& item : (*view)["checklist"]) {
    if (item["ref"] != "MA-2023-009/segment-crane-networks") continue;
    checked = true;
    EXPECT_EQ(item["status"], "violated");
    ASSERT_EQ(item["findings"].size(), 100u);
    EXPECT_EQ(item["findings"][0]["severity"], "critical") << "the most severe first";
    for (const auto& f : item["findings"]) {
      EXPECT_TRUE(listed.count(f["anchor"].get<std::string>())) << f["anchor"] << " has no row";
    }
    EXPECT_EQ(item["findings_more"], "and 520 more");
  }
  EXPECT_TRUE(checked);
  auto html = RenderReportHtml(d);
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("and 520 more"), std::string::npos);
  EXPECT_NE(html->find("120 more findings of this guidance"), std::string::npos);
}

TEST_F(ReportTest, PageIsSelfContainedAndEscapesWhatTheWireSaid) {
  ReportData d = Load();
  // A device whose name an adversary chose.
  d.assets.push_back({{"id", 9999},
                      {"ips", {"10.10.9.9"}},
                      {"zones", {"business-it"}},
                      {"names", {"<img src=x onerror=alert(1)>"}},
                      {"bytes", 1}});
  auto html = RenderReportHtml(d);
  ASSERT_TRUE(html.ok()) << html.error().message;
  EXPECT_EQ(html->find("<img src=x"), std::string::npos);
  EXPECT_NE(html->find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_EQ(html->find("{{"), std::string::npos);
  // Nothing fetched: no script, style, image or frame from elsewhere.
  std::regex remote(R"re((src|href)\s*=\s*"(https?:)?//)re", std::regex::icase);
  EXPECT_FALSE(std::regex_search(*html, remote));
  EXPECT_EQ(html->find("<link"), std::string::npos);
  for (const char* section :
       {"id=\"overview\"", "id=\"findings\"", "id=\"map\"", "id=\"inventory\"", "id=\"operations\"",
        "id=\"remote-access\"", "id=\"file-transfers\"", "id=\"plc-blocks\"", "id=\"checklist\""}) {
    EXPECT_NE(html->find(section), std::string::npos) << section;
  }
  for (const auto& f : Events()) {
    EXPECT_NE(html->find("data-type=\"" + f["type"].get<std::string>() + "\""), std::string::npos);
  }
  EXPECT_TRUE(fs::exists(*dir_ / "report.html")) << "analyze writes the report at the end";
}

TEST(FindingFiltersTest, FrameAndConversation) {
  Json f = {{"src", {{"ip", "10.10.5.20"}}},
            {"dst", {{"ip", "10.50.1.10"}, {"port", 102}}},
            {"evidence", {{"capture", "a.pcap"}, {"frame", 20515}}}};
  Json filters = FindingFilters(f);
  EXPECT_EQ(filters["frame"], "frame.number == 20515");
  EXPECT_EQ(
      filters["conversation"],
      "ip.addr == 10.10.5.20 && ip.addr == 10.50.1.10 && (tcp.port == 102 || udp.port == 102)");
  Json device = {{"src", {{"mac", "00:0e:8c:01:02:03"}}}, {"evidence", {{"frame", 7}}}};
  EXPECT_EQ(FindingFilters(device)["conversation"], "eth.addr == 00:0e:8c:01:02:03");
  Json v6 = {{"src", {{"ip", "fd00::1"}}}};
  EXPECT_EQ(FindingFilters(v6)["conversation"], "ipv6.addr == fd00::1");
}

TEST(ServeOptionsTest, ListenAddresses) {
  ServeOptions o;
  EXPECT_TRUE(ParseListen("127.0.0.1:9000", o));
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 9000);
  EXPECT_TRUE(ParseListen("[::1]:0", o));
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 0);
  EXPECT_TRUE(ParseListen("localhost", o));
  EXPECT_EQ(o.port, 0) << "a bare host keeps the port it had";
  for (const char* bad : {"", ":80", "host.example:80", "1.2.3.4:99999", "1.2.3.4:x", "[::1"}) {
    EXPECT_FALSE(ParseListen(bad, o)) << bad;
  }
  EXPECT_TRUE(ParseListen("::1:80", o)) << "an IPv6 address without brackets is all host";
  EXPECT_EQ(o.host, "::1:80");
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.9.9.9"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_EQ(NewToken().size(), 32u);
  EXPECT_NE(NewToken(), NewToken());
}

// A dashboard served on a free port for one test, stopped at its end.
class Served {
 public:
  Served(std::shared_ptr<DataSource> source, const std::string& host) {
    ServeOptions o;
    o.host = host;
    o.port = 0;
    server_ = std::make_unique<DashboardServer>(std::move(source), o);
    EXPECT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { (void)server_->Run(); });
  }
  ~Served() {
    server_->Stop();
    thread_.join();
  }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(20, 0);
    return c;
  }
  const DashboardServer& server() const { return *server_; }

 private:
  std::unique_ptr<DashboardServer> server_;
  std::thread thread_;
};

Json Body(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no answer";
  return r ? Json::parse(r->body, nullptr, false) : Json();
}

TEST_F(ReportTest, ServingADirectoryPastTheLimitOnDevicesHoldsTheMostTelling) {
  const ReportData full = Load();
  ReportLimits limits;
  limits.assets = 5;
  auto source = DataSource::FromDir(dir_->string(), limits);
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto cut = LoadReportData(dir_->string(), limits);
  ASSERT_TRUE(cut.ok());
  auto check = [&](uint64_t version) {
    DashboardApi api(*source);
    const Json summary = Json::parse(api.Get("/api/summary", {}).body);
    EXPECT_EQ(summary["version"], version);
    EXPECT_EQ(summary["assets"], 5);
    EXPECT_EQ(summary["assets_unread"], full.assets.size() - 5);
    const Json listed = Json::parse(api.Get("/api/assets", {{"limit", "1000"}}).body);
    EXPECT_EQ(listed["items"], cut->assets);
  };
  check(1);
  // A new run in the directory is read within the same limit.
  const fs::path db = *dir_ / "quaywatch.sqlite";
  fs::last_write_time(db, fs::last_write_time(db) + std::chrono::seconds(1));
  check(2);
  // Serving a directory reads at most kMaxAssetsRead devices unless told otherwise.
  auto served = DataSource::FromDir(dir_->string());
  ASSERT_TRUE(served.ok());
  EXPECT_EQ((*served)->Current().first->assets.size(), full.assets.size());
  EXPECT_LT(full.assets.size(), kMaxAssetsRead);
}

TEST_F(ReportTest, ApiOverHttpServesFiltersAndPages) {
  auto source = DataSource::FromDir(dir_->string());
  ASSERT_TRUE(source.ok()) << source.error().message;
  Served served(*source, "127.0.0.1");
  EXPECT_TRUE(served.server().token().empty()) << "no token on loopback";
  auto c = served.Client();
  ReportData d = Load();

  auto summary = c.Get("/api/summary");
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->status, 200);
  EXPECT_EQ(summary->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(Body(summary)["assets"], d.assets.size());
  EXPECT_EQ(Body(summary)["summary"], d.summary);
  const Json facets = Body(summary)["facets"];
  EXPECT_NE(facets["zones"].dump().find("\"cameras\""), std::string::npos);
  EXPECT_NE(facets["roles"].dump().find("\"plc\""), std::string::npos);
  EXPECT_GT(facets["vendors"].size(), 5u);

  Json all = Body(c.Get("/api/assets?limit=1000"));
  EXPECT_EQ(all["total"], d.assets.size());
  Json cameras = Body(c.Get("/api/assets?zone=cameras&limit=1000"));
  ASSERT_GT(cameras["total"].get<size_t>(), 0u);
  EXPECT_LT(cameras["total"].get<size_t>(), d.assets.size());
  for (const auto& a : cameras["items"])
    EXPECT_TRUE(a["zones"].dump().find("cameras") != std::string::npos);
  Json untrusted = Body(c.Get("/api/assets?untrusted=1&limit=1000"));
  for (const auto& a : untrusted["items"]) EXPECT_FALSE(a["untrusted_supplier"].is_null());

  Json page = Body(c.Get("/api/assets?offset=10&limit=5"));
  ASSERT_EQ(page["items"].size(), 5u);
  EXPECT_EQ(page["items"][0], all["items"][10]);
  EXPECT_EQ(page["total"], all["total"]);

  Json high = Body(c.Get("/api/findings?severity=high"));
  for (const auto& f : high["items"]) EXPECT_EQ(f["severity"], "high");
  size_t expected_high = 0;
  for (const auto& f : Events()) expected_high += f["severity"] == "high";
  EXPECT_EQ(high["total"], expected_high);

  Json s7 = Body(c.Get("/api/flows?protocol=s7comm&limit=1000"));
  ASSERT_GT(s7["total"].get<size_t>(), 0u);
  for (const auto& r : s7["items"]) EXPECT_EQ(r["protocol"], "s7comm");
  Json changes = Body(c.Get("/api/operations?category=program-change"));
  ASSERT_GT(changes["total"].get<size_t>(), 0u);
  for (const auto& r : changes["items"]) EXPECT_EQ(r["category"], "program-change");
  EXPECT_GT(Body(c.Get("/api/remote_access"))["total"].get<size_t>(), 0u);
  EXPECT_GT(Body(c.Get("/api/file_transfers"))["total"].get<size_t>(), 0u);
  auto blocks = Body(c.Get("/api/plc_blocks?ip=10.50.1.10"));
  ASSERT_GT(blocks["total"].get<size_t>(), 0u);
  EXPECT_EQ(blocks["items"][0]["block"], "OB1");
  EXPECT_EQ(Body(c.Get("/api/plc_blocks?ip=192.0.2.1"))["total"], 0);
  Json map = Body(c.Get("/api/map"));
  EXPECT_EQ(map["svg"].get<std::string>().rfind("<svg", 0), 0u);

  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("quaywatch dashboard"), std::string::npos);
  EXPECT_FALSE(index->get_header_value("Content-Security-Policy").empty());

  EXPECT_EQ(c.Get("/api/assets?limit=5000")->status, 400);
  EXPECT_EQ(c.Get("/api/assets?offset=-1")->status, 400);
  EXPECT_EQ(c.Get("/api/assets?untrusted=maybe")->status, 400);
  EXPECT_EQ(c.Get("/api/nothing")->status, 404);
  EXPECT_EQ(c.Post("/api/summary", "{}", "application/json")->status, 405);
  // A page elsewhere that rebinds its name to 127.0.0.1 is refused.
  EXPECT_EQ(c.Get("/api/summary", {{"Host", "attacker.example"}})->status, 403);
}

TEST_F(ReportTest, AwayFromLoopbackEveryRequestNeedsTheToken) {
  auto source = DataSource::FromDir(dir_->string());
  ASSERT_TRUE(source.ok());
  Served served(*source, "0.0.0.0");
  const std::string token = served.server().token();
  ASSERT_EQ(token.size(), 32u);
  EXPECT_NE(served.server().Url().find("?token=" + token), std::string::npos);
  auto c = served.Client();
  auto none = c.Get("/api/summary");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(c.Get("/")->status, 401);
  EXPECT_EQ(c.Get("/api/summary", {{"Authorization", "Bearer " + std::string(32, '0')}})->status,
            401);
  EXPECT_EQ(c.Get("/api/summary?token=" + token.substr(0, 31))->status, 401);
  EXPECT_EQ(c.Get("/api/summary", {{"Authorization", "Bearer " + token}})->status, 200);
  EXPECT_EQ(c.Get("/api/assets?token=" + token)->status, 200);
  EXPECT_EQ(c.Get("/?token=" + token)->status, 200);
}

// The live dashboard names a conversation's transport as the report from the database does:
// ICMP was "ip" live and "icmp" in report.html.
TEST(LiveSnapshotTest, ConversationsNameTheirTransportAsTheReportDoes) {
  core::Anomalies anomalies;
  model::Communications comms({}, anomalies);
  const std::vector<uint8_t> protos = {6, 17, 1, 58, 47};
  for (uint8_t proto : protos) {
    flow::Flow f;
    f.proto = proto;
    f.initiator_ip = *core::IpAddr::Parse("10.10.0.5");
    f.responder_ip = *core::IpAddr::Parse("10.50.1.10");
    f.first_frame = proto;
    comms.OnFlowEnd(f);
  }
  const ReportData d = LiveSnapshot(model::RunReport{}, nullptr, comms, nullptr);
  std::multiset<std::string> seen;
  for (const auto& c : d.conversations) seen.insert(c["transport"].get<std::string>());
  EXPECT_EQ(seen, (std::multiset<std::string>{"tcp", "udp", "icmp", "icmpv6", "ip"}));
  for (uint8_t proto : protos) {
    EXPECT_EQ(seen.count(ConversationTransport(proto)), 1u) << int{proto};
  }
}

// Past its limit on devices a live snapshot parses only those that matter most, in the
// report's order, and counts the rest and the crane devices among them.
TEST(LiveSnapshotTest, PastTheLimitOnDevicesTheMostTellingAreShown) {
  model::RunReport report;
  for (uint64_t i = 1; i <= 12; ++i) {
    model::Asset a;
    a.id = i;
    a.ips = {*core::IpAddr::Parse(fmt::format("10.50.1.{}", i))};
    a.bytes = 100 * i;  // the busiest is the last
    a.zones = {i % 2 ? "crane-1" : "business-it"};
    report.assets.push_back(std::move(a));
  }
  report.assets[2].roles = {{"plc", "serves modbus"}};
  report.assets[3].identity = {{"vendor", "Siemens"}};
  report.assets[4].untrusted_supplier = {{"ZPMC", "policy", "ip", "10.50.1.5", "", {}}};
  policy::PolicyOutcome outcome;
  outcome.zone_list = {{"crane-1", "crane-control", "", "", {}, {}},
                       {"business-it", "it", "", "", {}, {}}};
  policy::Finding f;
  f.type = "segmentation.unallowed_flow";
  f.title = "t";
  f.src.ip = *core::IpAddr::Parse("10.50.1.1");  // the quietest device has a finding
  outcome.findings.push_back(f);
  core::Anomalies anomalies;
  model::Communications comms({}, anomalies);
  ReportLimits limits;
  limits.assets = 5;
  const ReportData d = LiveSnapshot(report, &outcome, comms, nullptr, limits);
  std::vector<int64_t> ids;
  for (const auto& a : d.assets) ids.push_back(a["id"].get<int64_t>());
  // Finding, untrusted supplier, roles, identity, then the busiest of the rest.
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 3, 4, 5, 12}));
  EXPECT_EQ(d.assets_unread, 7u);
  // Unread: 2, 6, 7, 8, 9, 10, 11; odd ones sit in the crane zone.
  EXPECT_EQ(d.unread_crane_assets, 3u);
  limits.assets = 12;
  const ReportData all = LiveSnapshot(report, &outcome, comms, nullptr, limits);
  EXPECT_EQ(all.assets.size(), 12u);
  EXPECT_EQ(all.assets_unread, 0u);
  EXPECT_EQ(AdvisoryChecklist(d), AdvisoryChecklist(all));
  // The map's boxes count the devices left out too, with the policy's zones and without.
  EXPECT_EQ(BoxesByName(BuildZoneMap(d)), BoxesByName(BuildZoneMap(all)));
  limits.assets = 5;
  const ReportData plain = LiveSnapshot(report, nullptr, comms, nullptr, limits);
  ASSERT_TRUE(plain.zones.empty());
  EXPECT_EQ(plain.assets_unread, 7u);
  limits.assets = 12;
  const ZoneMapDrawing plain_map =
      BuildZoneMap(LiveSnapshot(report, nullptr, comms, nullptr, limits));
  ASSERT_EQ(plain_map.groups.size(), 1u);
  EXPECT_EQ(plain_map.groups[0]["assets"], 12);
  EXPECT_EQ(BoxesByName(BuildZoneMap(plain)), BoxesByName(plain_map));
}

TEST(DataSourceTest, LiveSnapshotsBumpTheVersion) {
  auto live = DataSource::Live();
  auto [empty, v0] = live->Current();
  EXPECT_TRUE(empty->live);
  EXPECT_TRUE(empty->assets.empty());
  ReportData snap;
  snap.assets.push_back({{"id", 1}});
  live->Publish(std::move(snap));
  auto [now, v1] = live->Current();
  EXPECT_GT(v1, v0);
  EXPECT_EQ(now->assets.size(), 1u);
  EXPECT_TRUE(now->live);
  DashboardApi api(live);
  EXPECT_EQ(Json::parse(api.Get("/api/summary", {}).body)["live"], true);
}

}  // namespace
}  // namespace qw::report
