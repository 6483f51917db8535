#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/digest.h"
#include "dissect/observation.h"
#include "model/protocol_stats.h"
#include "output/atomic_file.h"
#include "output/block_export.h"
#include "output/json_output.h"
#include "output/row_binder.h"
#include "output/sqlite_store.h"

namespace qw::output {
namespace {

namespace fs = std::filesystem;

// A scratch folder of this process (two builds' test runs may share /tmp), removed when the
// tests end.
class ScratchFolders : public testing::Environment {
 public:
  void TearDown() override {
    for (const auto& d : made) fs::remove_all(d);
  }
  std::vector<fs::path> made;
};
ScratchFolders* g_scratch =
    static_cast<ScratchFolders*>(testing::AddGlobalTestEnvironment(new ScratchFolders));

fs::path Scratch(const std::string& name) {
  fs::path d = fs::path(testing::TempDir()) / (name + "-" + std::to_string(::getpid()));
  g_scratch->made.push_back(d);
  return d;
}

// A new database file in a scratch folder of its own, migrated up to schema `version` (the
// state an older quaywatch left); nullptr when it cannot be made.
sqlite3* OldDatabase(const std::string& name, int version) {
  const fs::path dir = Scratch(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  sqlite3* db = nullptr;
  if (sqlite3_open((dir / "old.sqlite").string().c_str(), &db) != SQLITE_OK ||
      !SqliteStore::Migrate(db, version).ok()) {
    sqlite3_close(db);
    return nullptr;
  }
  return db;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

model::RunReport SampleReport() {
  model::RunReport r;
  r.version = "test";
  model::FileReport f;
  f.path = "crane.pcap";
  f.format = "pcap";
  f.frames = 3;
  f.bytes = 300;
  f.first_ts = core::Timestamp{1709287200123456000};
  f.last_ts = core::Timestamp{1709287201000000000};
  f.link_types["ethernet"] = 3;
  f.error = model::FileError{4, 124, "record length 70000 exceeds the file"};
  r.files.push_back(f);
  r.frame_counts.ipv4 = 3;
  r.frame_counts.tcp = 2;
  r.flow_counts.tcp = 1;
  r.anomalies.Raise("ipv4.bad_header_length");
  auto& modbus = r.protocols["modbus"];
  modbus.pdus = 4;
  modbus.requests = 2;
  modbus.responses = 2;
  modbus.exceptions = 1;
  modbus.frames = 4;
  modbus.histograms["functions"] = {{3, 3}, {131, 1}};
  model::Asset a;
  a.id = 1;
  a.mac = core::MacAddr::Parse("00:1b:1b:00:00:01");
  a.vendor = "Siemens AG";
  a.ips = {*core::IpAddr::Parse("10.50.1.10")};
  a.vlans = {{501, 0}};
  a.served[{6, 102}] = 2;
  a.packets = 3;
  a.bytes = 300;
  r.assets.push_back(a);
  return r;
}

TEST(JsonOutput, SummaryFollowsTheDesignContract) {
  auto j = nlohmann::json::parse(SummaryJson(SampleReport()));
  EXPECT_EQ(j["capture"]["frames"], 3);
  EXPECT_EQ(j["capture"]["first_ts"], "2024-03-01T10:00:00.123456Z");
  EXPECT_EQ(j["capture"]["files"][0]["link_types"]["ethernet"], 3);
  EXPECT_EQ(j["capture"]["files"][0]["error"]["record"], 4);
  EXPECT_EQ(j["frames"]["ipv4"], 3);
  EXPECT_EQ(j["flows"]["tcp"], 1);
  EXPECT_EQ(j["anomalies"]["ipv4.bad_header_length"], 1);
  EXPECT_EQ(j["assets"], 1);
  EXPECT_FALSE(j.contains("elapsed_s"));  // wall time only on request
}

TEST(JsonOutput, ProtocolCountsKeyFunctionsByTheirWireCode) {
  auto j = nlohmann::json::parse(SummaryJson(SampleReport()));
  const auto& m = j["protocols"]["modbus"];
  EXPECT_EQ(m["pdus"], 4);
  EXPECT_EQ(m["requests"], 2);
  EXPECT_EQ(m["responses"], 2);
  EXPECT_EQ(m["exceptions"], 1);
  EXPECT_EQ(m["frames"], 4);
  EXPECT_EQ(m["functions"]["3"], 3);
  EXPECT_EQ(m["functions"]["131"], 1);  // the exception reply keeps its 0x80 bit
}

// A text protocol's histogram is keyed by its words; sessions and transfers are counted by
// tool and protocol, and both keys are there even when nothing was seen.
TEST(JsonOutput, TextHistogramsShowWordsAndSessionsAreCounted) {
  model::ProtocolCounter counter;
  core::Anomalies anomalies;
  dissect::PduObservation p;
  p.protocol = "ftp";
  p.histogram = "commands";
  p.code = dissect::WordCode("RETR");
  p.text_code = true;
  counter.OnPdu(p, anomalies);
  p.frame = 2;
  counter.OnPdu(p, anomalies);
  counter.OnSession("remote_access", "rdp");
  counter.OnSession("file_transfers", "ftp");
  counter.OnSession("file_transfers", "ftp");
  model::ProtocolCounter merged;
  merged.Merge(counter);
  auto report = SampleReport();
  for (auto& [name, stats] : merged.Result()) report.protocols[name] = stats;
  for (const auto& [kind, names] : merged.Sessions()) {
    auto& to = kind == "remote_access" ? report.remote_access : report.file_transfers;
    to.insert(names.begin(), names.end());
  }
  auto j = nlohmann::json::parse(SummaryJson(report));
  EXPECT_EQ(j["protocols"]["ftp"]["commands"]["RETR"], 2);
  EXPECT_EQ(j["protocols"]["modbus"]["functions"]["3"], 3);  // numbers stay numbers
  EXPECT_EQ(j["remote_access"]["rdp"], 1);
  EXPECT_EQ(j["file_transfers"]["ftp"], 2);
  auto empty = nlohmann::json::parse(SummaryJson(SampleReport()));
  EXPECT_TRUE(empty["remote_access"].is_object());
  EXPECT_TRUE(empty["file_transfers"].is_object());
}

TEST(JsonOutput, AssetsCarryServicesAndVendor) {
  auto j = nlohmann::json::parse(AssetsJson(SampleReport()));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["mac"], "00:1b:1b:00:00:01");
  EXPECT_EQ(j[0]["vendor"], "Siemens AG");
  EXPECT_EQ(j[0]["ips"][0], "10.50.1.10");
  EXPECT_EQ(j[0]["vlans"][0], 501);
  EXPECT_EQ(j[0]["services"]["served"][0]["transport"], "tcp");
  EXPECT_EQ(j[0]["services"]["served"][0]["port"], 102);
}

TEST(JsonOutput, WritesAllThreeFilesAndNoTemporaries) {
  fs::path dir = Scratch("qw-json");
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_TRUE(WriteJsonOutputs(SampleReport(), dir.string()).ok());
  EXPECT_TRUE(fs::exists(dir / "summary.json"));
  EXPECT_TRUE(fs::exists(dir / "assets.json"));
  EXPECT_TRUE(fs::exists(dir / "events.jsonl"));
  EXPECT_EQ(fs::file_size(dir / "events.jsonl"), 0u);
  for (auto& e : fs::directory_iterator(dir)) {
    EXPECT_NE(e.path().extension(), ".tmp") << e.path();
  }
  // Same report, same bytes.
  std::string first = Slurp(dir / "summary.json");
  ASSERT_TRUE(WriteJsonOutputs(SampleReport(), dir.string()).ok());
  EXPECT_EQ(first, Slurp(dir / "summary.json"));
}

// A report of `n` devices of every shape assets.json writes: empty and nested lists and
// objects, names with quotes, line breaks and non-ASCII text, identities, announcements.
model::RunReport ManyAssets(size_t n) {
  model::RunReport r = SampleReport();
  for (size_t i = 0; i < n; ++i) {
    model::Asset a = r.assets.front();
    a.id = i + 2;
    a.ips.push_back(core::IpAddr::V4(static_cast<uint32_t>(0x0a3c0000 + i)));
    if (i % 3 == 0) a.vlans.push_back({100, 7});
    if (i % 4 == 0) a.names.push_back({"crane-\"" + std::to_string(i) + "\"\nplc", "dns"});
    if (i % 5 == 0) a.identity["firmware"] = "V4.2 \u00e9 \t";
    if (i % 6 == 0) a.ics_served["modbus"] = i;
    if (i % 7 == 0) {
      dissect::NeighborObservation nb;
      nb.protocol = "lldp";
      nb.chassis_id = "00:1b:1b:00:00:02";
      nb.management_addresses = {*core::IpAddr::Parse("10.50.1.1")};
      nb.tlvs.push_back({1, "", "04001b1b000002"});
      a.neighbors.push_back(nb);
    }
    r.assets.push_back(std::move(a));
  }
  return r;
}

// assets.json, which is written a device at a time, reads as the whole array pretty-printed
// at once would: each device's compact text parsed again and the array dumped whole.
TEST(JsonOutput, AssetsWrittenADeviceAtATimeReadAsTheWholeArray) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{60}}) {
    model::RunReport r = ManyAssets(n);
    if (n == 0) r.assets.clear();
    nlohmann::ordered_json whole = nlohmann::ordered_json::array();
    for (const auto& a : r.assets) {
      whole.push_back(nlohmann::ordered_json::parse(AssetJsonText(a)));
    }
    EXPECT_EQ(AssetsJson(r), whole.dump(2) + "\n") << n << " devices";
  }
}

// The file holds exactly what AssetsJson gives, written in pieces past the writer's chunk.
TEST(JsonOutput, AssetsFileOfManyDevicesIsTheWholeText) {
  fs::path dir = Scratch("qw-json-assets");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const model::RunReport r = ManyAssets(5'000);
  const std::string text = AssetsJson(r);
  EXPECT_GT(text.size(), size_t{2} << 20);
  ASSERT_TRUE(WriteAssetsJson(r, (dir / "assets.json").string()).ok());
  EXPECT_EQ(Slurp(dir / "assets.json"), text);
  EXPECT_FALSE(fs::exists(dir / "assets.json.tmp"));
}

// A file written in pieces appears whole at Commit, with every piece in order, however the
// pieces fall against the writer's chunk; one never committed leaves nothing behind.
TEST(AtomicFile, PiecesAppearWholeOnlyAtCommit) {
  fs::path dir = Scratch("qw-atomic-pieces");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "out.bin").string();
  std::string expected;
  {
    auto file = AtomicFileWriter::Create(path);
    ASSERT_TRUE(file.ok()) << file.error().message;
    for (size_t size : {size_t{10}, size_t{1} << 20, size_t{3}, (size_t{1} << 20) - 2,
                        size_t{5} << 20, size_t{0}, size_t{700}}) {
      const std::string piece(size, static_cast<char>('a' + expected.size() % 26));
      expected += piece;
      ASSERT_TRUE((*file)->Append(piece).ok());
    }
    EXPECT_FALSE(fs::exists(path)) << "nothing at the final name before Commit";
    ASSERT_TRUE((*file)->Commit().ok());
  }
  EXPECT_EQ(Slurp(path), expected);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  {
    auto file = AtomicFileWriter::Create((dir / "abandoned.bin").string());
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(std::string(3u << 20, 'x')).ok());
    EXPECT_TRUE(fs::exists(dir / "abandoned.bin.tmp"));
  }
  EXPECT_FALSE(fs::exists(dir / "abandoned.bin"));
  EXPECT_FALSE(fs::exists(dir / "abandoned.bin.tmp"));
  auto nowhere = AtomicFileWriter::Create((dir / "no-such-folder" / "x.json").string());
  ASSERT_FALSE(nowhere.ok());
  EXPECT_NE(nowhere.error().message.find("x.json.tmp"), std::string::npos);
}

TEST(AtomicFile, FailureLeavesTheFinalNameUntouched) {
  fs::path dir = Scratch("qw-atomic");
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_TRUE(WriteFileAtomically((dir / "a.json").string(), "old").ok());
  // A folder where the temporary file should go makes the write fail.
  fs::create_directories(dir / "a.json.tmp");
  auto s = WriteFileAtomically((dir / "a.json").string(), "new");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("a.json.tmp"), std::string::npos);
  EXPECT_EQ(Slurp(dir / "a.json"), "old");
}

int64_t QueryInt(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sql;
  int64_t v = -1;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

// Every index of a database, a "name: sql" line each, in name order.
std::string IndexDefinitions(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db,
                               "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                               "sql IS NOT NULL ORDER BY name",
                               -1, &st, nullptr),
            SQLITE_OK);
  std::string out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    out += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    out += ": ";
    out += reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    out += "\n";
  }
  sqlite3_finalize(st);
  return out;
}

TEST(SqliteStore, HoldsTheDesignTablesAndTheRun) {
  fs::path dir = Scratch("qw-sqlite");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_FALSE(fs::exists(path));  // only the temporary exists until Finish
  // More flows than one batch, out of order.
  for (uint64_t i = 25'000; i > 0; --i) {
    model::FlowRecord f;
    f.id = i;
    f.first_frame = i;
    f.proto = 6;
    f.initiator_ip = "10.40.0.5";
    f.responder_ip = "10.50.1.10";
    f.responder_port = 102;
    f.end_reason = "closed";
    ASSERT_TRUE((*store)->AddFlow(f).ok());
  }
  // Two operations keyed on the same request frame keep their order by sequence.
  for (uint32_t seq : {1u, 0u}) {
    dissect::IcsOperation op;
    op.protocol = "s7comm";
    op.function_code = 0x1a;
    op.function = "request-download";
    op.category = dissect::IcsCategory::kProgramChange;
    op.target.Append("block OB1");
    op.result.Append("ok");
    op.where.requester_ip = *core::IpAddr::Parse("10.10.5.20");
    op.where.requester_port = 50123;
    op.where.device_ip = *core::IpAddr::Parse("10.50.1.10");
    op.where.device_port = 102;
    op.where.vlan = 501;
    op.request_frame = 1234;
    op.response_frame = 1236;
    op.seq = seq;
    ASSERT_TRUE((*store)->AddIcsOperation(op).ok());
  }
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  ASSERT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  for (const char* table :
       {"runs", "assets", "asset_addresses", "flows", "ics_operations", "findings"}) {
    std::string sql = std::string("SELECT count(*) FROM ") + table;
    EXPECT_GE(QueryInt(db, sql.c_str()), 0) << table;
  }
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM flows"), 25'000);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM runs"), 1);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM assets"), 1);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM asset_addresses"), 2);  // MAC and one IP
  EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), SqliteStore::SchemaVersion());
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM ics_operations WHERE category='program-change' AND "
                     "target='block OB1' AND initiator='10.10.5.20:50123' AND "
                     "responder='10.50.1.10:102' AND responder_ip='10.50.1.10' AND vlan=501 "
                     "AND frame=1234 AND request_frame=1234 AND response_frame=1236 AND "
                     "result='ok' AND function='request-download' AND function_code=26"),
            2);
  EXPECT_EQ(QueryInt(db, "SELECT min(id) FROM ics_operations"),
            static_cast<int64_t>(uint64_t{1234} << 12));
  // The secondary indexes, dropped while rows went in, are back as the migrations define
  // them, and hold every row (integrity_check compares each index with its table).
  sqlite3* fresh = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &fresh), SQLITE_OK);
  ASSERT_TRUE(SqliteStore::Migrate(fresh, SqliteStore::SchemaVersion()).ok());
  EXPECT_EQ(IndexDefinitions(db), IndexDefinitions(fresh));
  EXPECT_NE(IndexDefinitions(db).find("flows_by_responder"), std::string::npos);
  sqlite3_close(fresh);
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM flows INDEXED BY flows_by_responder WHERE "
                     "responder_ip='10.50.1.10' AND responder_port=102"),
            25'000);
  sqlite3_stmt* check = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(check, 0)), "ok");
  sqlite3_finalize(check);
  sqlite3_close(db);
}

// A block of the ledger: OB1 of 10.50.1.10, `fill` repeated `size` times.
model::PlcBlock Block(uint64_t first_frame, uint8_t fill, size_t size, bool complete = true) {
  model::PlcBlock b;
  b.protocol = "s7comm";
  b.direction = first_frame % 2 ? "upload" : "download";
  b.plc_ip = *core::IpAddr::Parse("10.50.1.10");
  b.plc_port = 102;
  b.peer_ip = *core::IpAddr::Parse("10.10.5.20");
  b.peer_port = 50123;
  b.vlan = 501;
  b.block = "OB1";
  b.block_type = "OB";
  b.block_number = 1;
  auto bytes = std::make_shared<std::vector<uint8_t>>(size, fill);
  b.size = size;
  core::Sha256Stream h;
  h.Update(*bytes);
  b.sha256 = std::string(h.Finish().view());
  b.content = bytes;
  b.complete = complete;
  b.flow_id = 7;
  b.first_frame = first_frame;
  b.last_frame = first_frame + 9;
  b.first_ts = core::Timestamp{1709287200123456000};
  b.last_ts = core::Timestamp{1709287201000000000};
  return b;
}

TEST(SqliteStore, PlcBlocksAreRowsWithTheirHash) {
  fs::path dir = Scratch("qw-sqlite-blocks");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto report = SampleReport();
  report.plc_blocks = {Block(10, 1, 100), Block(41, 2, 50, false)};
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), SqliteStore::SchemaVersion());
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM plc_blocks"), 2);
  const std::string sql =
      "SELECT count(*) FROM plc_blocks WHERE id=1 AND run_id=1 AND protocol='s7comm' AND "
      "direction='download' AND plc_ip='10.50.1.10' AND plc_port=102 AND "
      "peer_ip='10.10.5.20' AND peer_port=50123 AND vlan=501 AND block='OB1' AND "
      "block_type='OB' AND block_number=1 AND size=100 AND sha256='" +
      report.plc_blocks[0].sha256 +
      "' AND complete=1 AND capture_index=0 AND flow_id=7 AND first_frame=10 AND "
      "last_frame=19 AND first_ts='2024-03-01T10:00:00.123456Z' AND "
      "last_ts='2024-03-01T10:00:01.000000Z'";
  EXPECT_EQ(QueryInt(db, sql.c_str()), 1);
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM plc_blocks WHERE id=2 AND complete=0 AND "
                     "direction='upload' AND size=50"),
            1);
  sqlite3_close(db);
}

// A database of schema 12 (before plc_blocks) gains the table by migration 13.
TEST(SqliteStore, Migration13AddsPlcBlocks) {
  sqlite3* db = OldDatabase("qw-sqlite-m13", 12);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM sqlite_master WHERE name='plc_blocks'"), 0);
  ASSERT_TRUE(SqliteStore::Migrate(db, 13).ok());
  EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), 13);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM sqlite_master WHERE name='plc_blocks'"), 1);
  sqlite3_close(db);
}

TEST(JsonOutput, SummaryCountsPlcBlocksByDirectionAndIncomplete) {
  auto report = SampleReport();
  EXPECT_EQ(nlohmann::json::parse(SummaryJson(report))["plc_blocks"],
            nlohmann::json({{"uploads", 0}, {"downloads", 0}, {"incomplete", 0}}));
  report.plc_blocks = {Block(10, 1, 10), Block(11, 1, 10), Block(13, 1, 10),
                       Block(14, 1, 10, false)};
  EXPECT_EQ(nlohmann::json::parse(SummaryJson(report))["plc_blocks"],
            nlohmann::json({{"uploads", 2}, {"downloads", 1}, {"incomplete", 1}}));
}

TEST(BlockExport, EachDistinctCompleteBlockIsAFile) {
  fs::path dir = Scratch("qw-blocks");
  fs::remove_all(dir);
  auto other_plc = Block(50, 5, 3);
  other_plc.plc_ip = *core::IpAddr::Parse("10.50.2.10");
  other_plc.block = "type 09 5";  // an unknown type, as AppendS7Block writes it
  std::vector<model::PlcBlock> blocks = {Block(10, 1, 4), Block(20, 2, 4),
                                         Block(30, 1, 4),         // OB1 as first seen: once
                                         Block(40, 3, 4, false),  // incomplete: not written
                                         other_plc};
  auto dropped = Block(60, 6, 4);
  dropped.content.reset();  // past the ledger's content cap
  blocks.push_back(dropped);
  size_t written = 0;
  ASSERT_TRUE(ExportBlocks(blocks, dir.string(), written).ok());
  EXPECT_EQ(written, 3u);
  EXPECT_EQ(Slurp(dir / "10.50.1.10" / "OB1.mc7"), std::string(4, '\x01'));
  EXPECT_EQ(Slurp(dir / "10.50.1.10" / "OB1.2.mc7"), std::string(4, '\x02'));
  EXPECT_FALSE(fs::exists(dir / "10.50.1.10" / "OB1.3.mc7"));
  EXPECT_EQ(Slurp(dir / "10.50.2.10" / "type_09_5.mc7"), std::string(3, '\x05'));
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 3u);  // and no temporary left behind
  EXPECT_EQ(BlockFileName("DB100", 1), "DB100.mc7");
  EXPECT_EQ(BlockFileName("DB100", 3), "DB100.3.mc7");
}

TEST(BlockExport, UnwritableFolderSaysWhere) {
  fs::path dir = Scratch("qw-blocks-file");
  fs::create_directories(dir.parent_path());
  std::ofstream(dir) << "not a folder";
  size_t written = 0;
  auto s = ExportBlocks({Block(10, 1, 4)}, dir.string(), written);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir.string()), std::string::npos);
}

TEST(SqliteStore, OperationsNumberedAlikeAreAllKept) {
  fs::path dir = Scratch("qw-sqlite-seq");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  for (const char* target : {"first", "second", "third"}) {
    dissect::IcsOperation op;
    op.protocol = "modbus";
    op.request_frame = 7;  // same frame, same sequence number: a dissector's slip
    op.target.Append(target);
    ASSERT_TRUE((*store)->AddIcsOperation(op).ok());
  }
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM ics_operations"), 3);
  // Emission order is kept: the later ones take the next numbers.
  EXPECT_EQ(QueryInt(db, "SELECT id FROM ics_operations WHERE target='third'"),
            static_cast<int64_t>((uint64_t{7} << 12) + 2));
  sqlite3_close(db);
}

std::string QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sql;
  std::string v = "(no row)";
  if (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    v = t ? reinterpret_cast<const char*>(t) : "(null)";
  }
  sqlite3_finalize(st);
  return v;
}

// A DNS answer is one dns_messages row with its records in dns_records, in order; more than
// one batch of messages all arrive.
TEST(SqliteStore, DnsMessagesKeepTheirHeaderQuestionAndRecords) {
  fs::path dir = Scratch("qw-sqlite-dns");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  dissect::DnsObservation m;
  m.protocol = "dns";
  m.capture_index = 0;
  m.frame = 12;
  m.flow_id = 11;
  m.src_ip = *core::IpAddr::Parse("10.10.0.53");
  m.dst_ip = *core::IpAddr::Parse("10.10.5.20");
  m.src_port = 53;
  m.dst_port = 40000;
  m.id = 0x1234;
  m.flags = 0x8183;  // response, RD, RA, NXDOMAIN
  m.qdcount = 1;
  m.ancount = 2;
  m.has_question = true;
  m.qname.Append("logink.cn");
  m.qtype = 1;
  m.qclass = 1;
  m.query_frame = 11;
  std::vector<dissect::DnsRecordObservation> records(2);
  records[0].type = 5;
  records[0].rclass = 1;
  records[0].ttl = 60;
  records[0].name.Append("logink.cn");
  records[0].data.Append("www.logink.cn");
  records[1].section = 2;
  records[1].type = 65280;
  records[1].rclass = 1;
  records[1].name.Append("logink.cn");
  records[1].data.Append("\\# 1 ff");
  m.records = records;
  ASSERT_TRUE((*store)->AddDns(m).ok());
  // Enough queries for more than one batch, each its own frame.
  m.flags = 0x0100;
  m.records = {};
  m.query_frame = 0;
  for (uint64_t frame = 100; frame < 4100; ++frame) {
    m.frame = frame;
    ASSERT_TRUE((*store)->AddDns(m).ok());
  }
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM dns_messages"), 4001);
  EXPECT_EQ(QueryText(db,
                      "SELECT protocol || ' ' || src_ip || ':' || src_port || ' ' || dns_id || "
                      "' ' || response || ' ' || rcode || ' ' || rcode_name || ' ' || qname || "
                      "' ' || qtype_name || ' ' || query_frame || ' ' || transport FROM "
                      "dns_messages WHERE frame = 12"),
            "dns 10.10.0.53:53 4660 1 3 NXDOMAIN logink.cn A 11 udp");
  EXPECT_EQ(QueryText(db,
                      "SELECT group_concat(position || ' ' || section || ' ' || type || ' ' || "
                      "ifnull(type_name, '-') || ' ' || data, '; ') FROM dns_records"),
            "0 answer 5 CNAME www.logink.cn; 1 authority 65280 - \\# 1 ff");
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM dns_messages WHERE rcode IS NULL"), 4000);
  sqlite3_close(db);
}

// Every row of a query, as quote() shows each column, in id order.
std::vector<std::string> QueryRows(sqlite3* db, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const unsigned char* t = sqlite3_column_text(st, c);
      row += (c ? "|" : "") + (t ? std::string(reinterpret_cast<const char*>(t)) : "NULL");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(st);
  return rows;
}

// A parameter bound to the value it holds already is left alone, whatever it held before:
// a number, NULL, a fixed text, or a row buffer's text (which is bound every time, since the
// same buffer holds another text on the next row).
TEST(RowBinder, EveryRowComesBackAsBoundWhateverTheParameterHeldBefore) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (n INTEGER, a, b, c)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?,?,?,?)", -1, &st, nullptr), SQLITE_OK);
  RowBinder b(st);
  static const char kRed[] = "red";
  static const char kBlue[] = "blue";
  char buffer[8] = {};
  std::vector<std::string> want;
  for (int n = 0; n < 24; ++n) {
    std::snprintf(buffer, sizeof buffer, "row%d", n);  // the same buffer, another text
    b.Row().Int(n);
    std::string a, bb, c;
    switch (n % 6) {  // parameter 2 changes kind from row to row
      case 0:
      case 1:
        b.Int(7);
        a = "7";
        break;
      case 2:
        b.Null();
        a = "NULL";
        break;
      case 3:
        b.Fixed(kRed);
        a = "red";
        break;
      case 4:
        b.Text(buffer);
        a = buffer;
        break;
      default:
        b.IntOrNull(false, 5);
        a = "NULL";
        break;
    }
    b.Fixed(n % 3 ? kRed : kBlue).TextOrEmpty(n % 4 ? std::string_view(buffer) : "");
    bb = n % 3 ? "red" : "blue";
    c = n % 4 ? std::string("'") + buffer + "'" : "''";
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
    want.push_back(std::to_string(n) + "|" + (a == "NULL" || a == "7" ? a : "'" + a + "'") + "|'" +
                   bb + "'|" + c);
  }
  sqlite3_finalize(st);
  EXPECT_EQ(QueryRows(db, "SELECT n, quote(a), quote(b), quote(c) FROM t ORDER BY n"), want);
  sqlite3_close(db);
}

// A BoundStatement prepares, steps and resets, and keeps a row's values for the next step
// but for those bound again; a statement SQLite refuses is reported, and it finalizes so
// that its connection can close.
TEST(BoundStatement, StepsRowsAndKeepsWhatIsNotBoundAgain) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "CREATE TABLE t (n INTEGER PRIMARY KEY, a)", nullptr, nullptr, nullptr),
      SQLITE_OK);
  BoundStatement bad;
  EXPECT_FALSE(bad.Prepare(db, "INSERT INTO nowhere VALUES (?)"));
  BoundStatement insert;
  ASSERT_TRUE(insert.Prepare(db, "INSERT INTO t VALUES (?,?)"));
  insert.Row().Int(1).Fixed("kept");
  EXPECT_EQ(insert.Step(), SQLITE_DONE);
  EXPECT_EQ(insert.Step(), SQLITE_CONSTRAINT);  // the same id again
  insert.Row().Int(2);                          // the id only: the text stays
  EXPECT_EQ(insert.Step(), SQLITE_DONE);
  EXPECT_EQ(QueryRows(db, "SELECT n || ' ' || a FROM t ORDER BY n"),
            (std::vector<std::string>{"1 kept", "2 kept"}));
  insert.Finalize();
  insert.Finalize();  // a second time does nothing
  EXPECT_EQ(sqlite3_close(db), SQLITE_OK);
}

// DNS messages go in sixteen to an INSERT (records thirty-two) where they can, and one by
// one where not: an id that could collide with a stored one, a NOT NULL column left empty.
// However they were grouped, each message and record comes back as it went in, and one that
// cannot be stored (its id taken, no source address) takes nothing else with it.
TEST(SqliteStore, DnsMessagesComeBackExactlyHoweverTheyAreGrouped) {
  fs::path dir = Scratch("qw-sqlite-dns-grouped");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;

  std::vector<std::string> want_messages, want_records;
  auto v4 = [](uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    const std::array<uint8_t, 4> bytes{a, b, c, d};
    return core::IpAddr::V4(bytes);
  };
  // Builds message `k` of frame `frame`, adds it, and notes its rows when `kept`.
  auto add = [&](uint64_t k, uint64_t frame, uint32_t seq, bool kept) {
    dissect::DnsObservation m;
    m.protocol = k % 17 == 3 ? "mdns" : "dns";
    m.capture_index = 0;
    m.frame = frame;
    m.seq = seq;
    m.ts = core::Timestamp{1709287200000000000 + static_cast<int64_t>(k) * 1'000'001'000};
    m.flow_id = k % 3 == 0 ? 0 : 1000 + k;
    m.transport = k % 11 == 0 ? 6 : 17;
    const bool response = k % 2 == 1;
    m.src_ip = v4(10, 10, 0, static_cast<uint8_t>(k % 200));
    m.dst_ip = v4(10, 50, 1, static_cast<uint8_t>(k % 7));
    m.src_port = response ? 53 : static_cast<uint16_t>(40000 + k);
    m.dst_port = response ? static_cast<uint16_t>(40000 + k) : 53;
    if (k % 5 != 0)
      m.src_mac = core::MacAddr{{0x00, 0x1b, 0x1b, 0x00, 0x00, static_cast<uint8_t>(k)}};
    m.id = static_cast<uint16_t>(k * 7);
    const uint8_t rcode = static_cast<uint8_t>(k % 4);
    m.flags = static_cast<uint16_t>((response ? 0x8180 : 0x0100) | (response ? rcode : 0));
    m.has_question = k % 7 != 0;
    m.qdcount = m.has_question ? 1 : 0;
    std::string qname = "host" + std::to_string(k) + ".example";
    if (m.has_question) m.qname.Append(qname);
    static constexpr uint16_t kTypes[] = {1, 28, 12, 65280};
    m.qtype = kTypes[k % 4];
    m.qclass = 1;
    m.query_frame = response ? frame - 1 : 0;
    m.malformed = k % 13 == 0;
    std::vector<dissect::DnsRecordObservation> records(k % 37);  // up to 36, past a statement
    for (size_t n = 0; n < records.size(); ++n) {
      records[n].section = static_cast<uint8_t>(1 + n % 3);
      records[n].type = kTypes[n % 4];
      records[n].rclass = 1;
      records[n].ttl = static_cast<uint32_t>(60 * n);
      if (n % 9 != 4) records[n].name.Append(qname);  // an empty owner is the root
      records[n].data.Append("data " + std::to_string(k) + "." + std::to_string(n));
    }
    m.ancount = static_cast<uint16_t>(records.size());
    m.records = records;
    ASSERT_TRUE((*store)->AddDns(m).ok());
    if (!kept) return;
    static constexpr const char* kRcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN"};
    static constexpr const char* kTypeNames[] = {"A", "AAAA", "PTR", nullptr};
    const uint64_t id = frame << 12 | seq;
    auto text = [](const char* t) { return t ? std::string(t) : std::string("NULL"); };
    std::string mac = "NULL";
    if (k % 5 != 0) mac = m.src_mac.ToString();
    char ts[96];
    const int64_t us = (m.ts.ns / 1000) % 1'000'000;
    const std::time_t secs = m.ts.ns / 1'000'000'000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(us));
    want_messages.push_back(
        std::to_string(id) + "|1|" + m.protocol + "|0|" + std::to_string(frame) + "|" + ts + "|" +
        (m.flow_id ? std::to_string(m.flow_id) : "NULL") + "|" +
        (m.transport == 6 ? "tcp" : "udp") + "|" + m.src_ip.ToString() + "|" +
        std::to_string(m.src_port) + "|" + m.dst_ip.ToString() + "|" + std::to_string(m.dst_port) +
        "|" + mac + "|" + std::to_string(m.id) + "|" + (response ? "1" : "0") + "|0|" +
        (response ? std::to_string(rcode) : "NULL") + "|" + (response ? kRcodes[rcode] : "NULL") +
        "|" + std::to_string(m.flags) + "|" + std::to_string(m.qdcount) + "|" +
        std::to_string(m.ancount) + "|0|0|" + (m.has_question ? qname : "NULL") + "|" +
        (m.has_question ? std::to_string(m.qtype) : "NULL") + "|" +
        (m.has_question ? text(kTypeNames[k % 4]) : "NULL") + "|" +
        (m.has_question ? "1" : "NULL") + "|" +
        (m.query_frame ? std::to_string(m.query_frame) : "NULL") + "|" + (m.malformed ? "1" : "0"));
    static constexpr const char* kSections[] = {"", "answer", "authority", "additional"};
    for (size_t n = 0; n < records.size(); ++n) {
      const auto& r = records[n];
      want_records.push_back(std::to_string(id) + "|" + std::to_string(n) + "|" +
                             kSections[r.section] + "|" + std::string(r.name.view()) + "|" +
                             std::to_string(r.type) + "|" + text(kTypeNames[n % 4]) + "|1|" +
                             std::to_string(r.ttl) + "|" + std::string(r.data.view()));
    }
  };
  // A first batch: a hundred messages of every shape, one frame holding two, a message that
  // takes an id already taken in the same batch, and one without a source address.
  for (uint64_t k = 0; k < 100; ++k) add(k, 10 + k, 0, true);
  add(100, 30, 1, true);   // the second message of frame 30
  add(101, 20, 0, false);  // frame 20's id again: skipped, and its records with it
  {
    dissect::DnsObservation nameless;
    nameless.protocol = "dns";
    nameless.frame = 60;
    nameless.seq = 1;
    nameless.ts = core::Timestamp{1709287200000000000};
    nameless.dst_ip = v4(10, 50, 1, 1);  // no source: a NOT NULL column
    ASSERT_TRUE((*store)->AddDns(nameless).ok());
  }
  // Enough to fill that batch and start another, where a late message comes in below the
  // ids stored already, and another takes a stored id.
  for (uint64_t k = 102; k < 2102; ++k) add(k % 100 == 0 ? 1 : k, 200 + k, 0, true);
  add(2102, 5, 0, true);    // late (a TCP stream's): below every stored id, its own
  add(2103, 15, 0, false);  // frame 15's id, stored in the first batch: skipped
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());

  std::sort(want_messages.begin(), want_messages.end(), [](const auto& a, const auto& b) {
    return std::stoull(a.substr(0, a.find('|'))) < std::stoull(b.substr(0, b.find('|')));
  });
  auto record_key = [](const std::string& r) {
    const size_t bar = r.find('|');
    return std::make_pair(std::stoull(r.substr(0, bar)),
                          std::stoull(r.substr(bar + 1, r.find('|', bar + 1) - bar - 1)));
  };
  std::sort(want_records.begin(), want_records.end(),
            [&](const auto& a, const auto& b) { return record_key(a) < record_key(b); });
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  const auto messages = QueryRows(db, "SELECT * FROM dns_messages ORDER BY id");
  const auto stored_records =
      QueryRows(db, "SELECT * FROM dns_records ORDER BY message_id, position");
  sqlite3_close(db);
  ASSERT_EQ(messages.size(), want_messages.size());
  for (size_t n = 0; n < messages.size(); ++n) EXPECT_EQ(messages[n], want_messages[n]);
  ASSERT_EQ(stored_records.size(), want_records.size());
  for (size_t n = 0; n < stored_records.size(); ++n) {
    EXPECT_EQ(stored_records[n], want_records[n]);
  }
}

// A DHCP message is one dhcp_messages row with what it says about its client.
TEST(SqliteStore, DhcpMessagesKeepWhatTheClientSaid) {
  fs::path dir = Scratch("qw-sqlite-dhcp");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  dissect::DhcpObservation m;
  m.protocol = "dhcp";
  m.frame = 5;
  m.src_ip = *core::IpAddr::Parse("0.0.0.0");
  m.dst_ip = *core::IpAddr::Parse("255.255.255.255");
  m.src_port = 68;
  m.dst_port = 67;
  m.message_type = m.inner_type = 3;
  m.xid = 0x7c0;
  m.client_mac = *core::MacAddr::Parse("90:b1:1c:99:49:29");
  m.client_ip = *core::IpAddr::Parse("192.168.211.194");
  m.host_name.Append("btest.is.cool");
  m.vendor_class.Append("MSFT 5.0");
  m.parameter_list.Append("1,3,6,15");
  ASSERT_TRUE((*store)->AddDhcp(m).ok());
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryText(db,
                      "SELECT frame || ' ' || src_ip || ' ' || message_type_name || ' ' || xid || "
                      "' ' || client_mac || ' ' || client_ip || ' ' || host_name || ' ' || "
                      "vendor_class || ' ' || parameter_list || ' ' || ifnull(assigned_ip, '-') "
                      "FROM dhcp_messages"),
            "5 0.0.0.0 request 1984 90:b1:1c:99:49:29 192.168.211.194 btest.is.cool MSFT 5.0 "
            "1,3,6,15 -");
  sqlite3_close(db);
}

// A TLS handshake is one tls_sessions row keyed by its flow.
TEST(SqliteStore, TlsSessionsKeepOfferChoiceAndCertificate) {
  fs::path dir = Scratch("qw-sqlite-tls");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  dissect::TlsObservation t;
  t.flow_id = 42;
  t.client_ip = *core::IpAddr::Parse("10.10.5.20");
  t.server_ip = *core::IpAddr::Parse("203.0.113.80");
  t.client_port = 50000;
  t.server_port = 443;
  t.client_hello_frame = 4;
  t.server_hello_frame = 5;
  t.client_version = 0x0303;
  t.offered_version = 0x0304;
  t.server_version = 0x0304;
  t.cipher = 0x1301;
  t.sni.Append("www.logink.cn");
  t.ja3.Append("bd9c99b3a0f752c3ab8b052a79e9de3e");
  t.ja4.Append("t13d1516h2_8daaf6152771_e5627efa2ab1");
  ASSERT_TRUE((*store)->AddTls(t).ok());
  // Rows this large come in small batches: more of them than the writer's queue holds
  // batches all arrive.
  dissect::TlsObservation other = t;
  other.sni.Clear();
  for (uint64_t flow = 1000; flow < 6000; ++flow) {
    other.flow_id = flow;
    ASSERT_TRUE((*store)->AddTls(other).ok());
  }
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryText(db,
                      "SELECT id || ' ' || sni || ' ' || client_version || ' ' || offered_version "
                      "|| ' ' || server_version || ' ' || cipher || ' ' || ja4 || ' ' || "
                      "ifnull(cert_subject, '-') FROM tls_sessions WHERE id = 42"),
            "42 www.logink.cn TLS 1.2 TLS 1.3 TLS 1.3 4865 t13d1516h2_8daaf6152771_e5627efa2ab1 -");
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM tls_sessions"), 5001);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM tls_sessions WHERE id >= 1000 AND id < 6000"), 5000);
  sqlite3_close(db);
}

// A remote-access session is one row; the remote_access view adds its flow's time and bytes.
TEST(SqliteStore, RemoteAccessSessionsJoinTheirFlow) {
  fs::path dir = Scratch("qw-sqlite-remote");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  model::FlowRecord flow;
  flow.id = 7;
  flow.proto = 6;
  flow.initiator_ip = "10.10.5.20";
  flow.initiator_port = 50000;
  flow.responder_ip = "10.40.0.5";
  flow.responder_port = 22;
  flow.end_reason = "closed";
  flow.first_ts = core::Timestamp{1'000'000'000};
  flow.last_ts = core::Timestamp{91'000'000'000};
  flow.bytes_from_initiator = 1200;
  flow.bytes_from_responder = 56000;
  ASSERT_TRUE((*store)->AddFlow(flow).ok());
  dissect::RemoteAccessObservation s;
  s.tool = "ssh";
  s.flow_id = 7;
  s.frame = 4;
  s.client_ip = *core::IpAddr::Parse("10.10.5.20");
  s.server_ip = *core::IpAddr::Parse("10.40.0.5");
  s.client_port = 50000;
  s.server_port = 22;
  s.client_software.Append("PuTTY_Release_0.78");
  s.server_software.Append("OpenSSH_8.9p1 Ubuntu-3");
  ASSERT_TRUE((*store)->AddRemoteAccess(s).ok());
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryText(db,
                      "SELECT tool || ' ' || client_software || ' > ' || server_software || ' ' "
                      "|| round(duration_s) || ' ' || bytes_from_client || ' ' || "
                      "bytes_from_server || ' ' || ifnull(user, '-') FROM remote_access"),
            "ssh PuTTY_Release_0.78 > OpenSSH_8.9p1 Ubuntu-3 90.0 1200 56000 -");
  sqlite3_close(db);
}

// File transfers keep who moved what which way, its size and hash; two transfers keyed on
// the same frame both stay; the remote-access view shows the negotiated security.
TEST(SqliteStore, FileTransfersKeepNameSizeHashAndDirection) {
  fs::path dir = Scratch("qw-sqlite-transfers");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  dissect::FileTransferObservation t;
  t.protocol = "ftp";
  t.command = "STOR";
  t.upload = true;
  t.capture_index = 0;
  t.frame = 15;
  t.end_frame = 18;
  t.flow_id = 1;
  t.data_flow_id = 14;
  t.client_ip = *core::IpAddr::Parse("10.10.5.20");
  t.server_ip = *core::IpAddr::Parse("10.40.0.5");
  t.client_port = 50000;
  t.server_port = 21;
  t.file_name.Append("plc_backup.s7p");
  t.bytes = 11;
  t.declared_size = 11;
  t.complete = true;
  t.sha256.Append(core::Sha256("hello world").view());
  t.result.Append("226 Transfer complete.");
  ASSERT_TRUE((*store)->AddFileTransfer(t).ok());
  dissect::FileTransferObservation u = t;  // same frame, next in sequence
  u.seq = 0;                               // ... but numbered alike: the id moves up
  u.command = "RETR";
  u.upload = false;
  u.complete = false;
  u.declared_size = -1;
  u.sha256.Clear();
  ASSERT_TRUE((*store)->AddFileTransfer(u).ok());
  dissect::RemoteAccessObservation r;
  r.tool = "rdp";
  r.flow_id = 9;
  r.frame = 4;
  r.client_ip = t.client_ip;
  r.server_ip = t.server_ip;
  r.security.Append("requested ssl,hybrid; selected hybrid");
  ASSERT_TRUE((*store)->AddRemoteAccess(r).ok());
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryText(db,
                      "SELECT group_concat(command || ' ' || direction || ' ' || file_name || ' "
                      "' || bytes || ' ' || ifnull(declared_size, '-') || ' ' || complete || ' "
                      "' || ifnull(substr(sha256, 1, 8), '-') || ' ' || data_flow_id, '; ') "
                      "FROM (SELECT * FROM file_transfers ORDER BY id)"),
            "STOR upload plc_backup.s7p 11 11 1 b94d27b9 14; RETR download plc_backup.s7p 11 - 0 "
            "- 14");
  EXPECT_EQ(QueryText(db, "SELECT security FROM remote_access"),
            "requested ssl,hybrid; selected hybrid");
  sqlite3_close(db);
}

// HTTP exchanges and SNMP messages keep what the wire said; the community only as its hash.
TEST(SqliteStore, HttpExchangesAndSnmpMessagesKeepTheirFields) {
  fs::path dir = Scratch("qw-sqlite-http-snmp");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  dissect::HttpObservation h;
  h.protocol = "rtsp";
  h.request_frame = 3;
  h.response_frame = 4;
  h.client_ip = *core::IpAddr::Parse("10.30.0.5");
  h.server_ip = *core::IpAddr::Parse("10.30.1.20");
  h.method.Append("DESCRIBE");
  h.uri.Append("rtsp://10.30.1.20/stream1");
  h.status = 200;
  h.server.Append("Hikvision-Webs");
  ASSERT_TRUE((*store)->AddHttp(h).ok());
  dissect::SnmpObservation m;
  m.request_frame = 7;
  m.response_frame = 8;
  m.requester_ip = h.client_ip;
  m.agent_ip = h.server_ip;
  m.version = 1;
  m.has_pdu = true;
  m.pdu_type = 0;
  m.community_sha256.Append(core::Sha256("public").view());
  m.default_community = true;
  m.first_oid.Append("1.3.6.1.2.1.1.1.0");
  m.varbinds = 1;
  ASSERT_TRUE((*store)->AddSnmp(m).ok());
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryText(db,
                      "SELECT protocol || ' ' || method || ' ' || uri || ' ' || status || ' ' || "
                      "server || ' ' || ifnull(host, '-') FROM http_exchanges"),
            "rtsp DESCRIBE rtsp://10.30.1.20/stream1 200 Hikvision-Webs -");
  EXPECT_EQ(QueryText(db,
                      "SELECT version || ' ' || pdu_type_name || ' ' || default_community || ' ' "
                      "|| substr(community_sha256, 1, 8) || ' ' || first_oid FROM snmp_messages"),
            "1 get-request 1 efa1f375 1.3.6.1.2.1.1.1.0");
  EXPECT_EQ(QueryText(db, "SELECT count(*) FROM snmp_messages WHERE community_sha256 = 'public'"),
            "0");
  sqlite3_close(db);
}

// Operations of one flow share its endpoints row, one per direction of asking; link-layer
// operations keep their own; the view shows each operation with its endpoints.
TEST(SqliteStore, OperationsOfAFlowShareAnEndpointsRowPerDirection) {
  fs::path dir = Scratch("qw-sqlite-endpoints");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  const uint64_t flow_id = uint64_t{1} << 40 | 17;  // second capture, first frame 17
  auto op_of = [&](uint64_t frame, bool requester_is_initiator) {
    dissect::IcsOperation op;
    op.protocol = "dnp3";
    op.function_code = 1;
    op.function = "read";
    op.category = dissect::IcsCategory::kRead;
    op.where.capture_index = 1;
    op.where.flow_id = flow_id;
    op.where.requester_is_initiator = requester_is_initiator;
    op.where.vlan = 30;
    auto master = *core::IpAddr::Parse("10.30.0.1");
    auto outstation = *core::IpAddr::Parse("fd00::20");
    op.where.requester_ip = requester_is_initiator ? master : outstation;
    op.where.requester_port = requester_is_initiator ? 40000 : 20000;
    op.where.device_ip = requester_is_initiator ? outstation : master;
    op.where.device_port = requester_is_initiator ? 20000 : 40000;
    op.where.requester_mac = *core::MacAddr::Parse("00:0c:29:00:00:01");
    op.request_frame = frame;
    op.response_frame = frame + 1;
    return op;
  };
  for (uint64_t frame = 20; frame < 30; frame += 2) {
    ASSERT_TRUE((*store)->AddIcsOperation(op_of(frame, true)).ok());
  }
  ASSERT_TRUE((*store)->AddIcsOperation(op_of(40, false)).ok());  // unsolicited, say
  dissect::IcsOperation dcp;
  dcp.protocol = "pn_dcp";
  dcp.category = dissect::IcsCategory::kIdentity;
  dcp.where.vlan = 5;
  dcp.where.requester_mac = *core::MacAddr::Parse("00:0e:8c:00:00:01");
  dcp.where.device_mac = *core::MacAddr::Parse("00:0e:8c:00:00:02");
  dcp.response_frame = 50;
  ASSERT_TRUE((*store)->AddIcsOperation(dcp).ok());
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM ics_operations"), 7);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM ics_endpoints"), 3);
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM ics_operations WHERE initiator='10.30.0.1:40000' "
                     "AND initiator_ip='10.30.0.1' AND initiator_port=40000 AND "
                     "initiator_mac='00:0c:29:00:00:01' AND responder='[fd00::20]:20000' AND "
                     "responder_ip='fd00::20' AND responder_port=20000 AND "
                     "responder_mac IS NULL AND vlan=30 AND capture_index=1 AND run_id=1"),
            5);
  EXPECT_EQ(QueryInt(db, "SELECT min(endpoints) FROM ics_operation_runs WHERE protocol='dnp3'"),
            static_cast<int64_t>(flow_id << 1));
  EXPECT_EQ(QueryText(db, "SELECT initiator FROM ics_operations WHERE frame=40"),
            "[fd00::20]:20000");
  EXPECT_EQ(QueryText(db, "SELECT responder FROM ics_operations WHERE frame=40"),
            "10.30.0.1:40000");
  EXPECT_EQ(QueryText(db,
                      "SELECT initiator || ' ' || responder || ' ' || vlan || ' ' || frame "
                      "|| ' ' || ifnull(request_frame, 'none') FROM ics_operations "
                      "WHERE protocol='pn_dcp'"),
            "00:0e:8c:00:00:01 00:0e:8c:00:00:02 5 50 none");
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM ics_operations WHERE protocol='pn_dcp' AND "
                     "initiator_ip IS NULL AND initiator_port IS NULL"),
            1);
  sqlite3_close(db);
}

// One Modbus poll over the flow `flow` (0: an operation of the link layer, as PROFINET DCP's),
// request at `frame` and response after it.
dissect::IcsOperation Poll(uint64_t flow, uint64_t frame) {
  dissect::IcsOperation op;
  op.protocol = "modbus";
  op.function_code = 3;
  op.function = "read-holding-registers";
  op.category = dissect::IcsCategory::kRead;
  op.target.Append("unit 1 hr 0+10");
  op.result.Append("ok");
  op.where.flow_id = flow;
  op.where.requester_is_initiator = true;
  op.where.requester_ip = *core::IpAddr::Parse("10.50.3.10");
  op.where.requester_port = static_cast<uint16_t>(1024 + flow % 60000);
  op.where.device_ip = *core::IpAddr::Parse("10.50.3.22");
  op.where.device_port = 502;
  op.request_frame = frame;
  op.response_frame = frame + 1;
  op.ts = core::Timestamp{1'700'000'000'000'000'000 + static_cast<int64_t>(frame) * 1'000'000};
  return op;
}

// Repeated operations of a flow (a poll) share one ics_operation_runs row; the view still
// shows each of them with its own id, frames and time, and a different target, result or
// direction starts a run of its own.
TEST(SqliteStore, RepeatedOperationsShareARunAndTheViewShowsEachOne) {
  fs::path dir = Scratch("qw-sqlite-runs");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto poll = [](uint64_t frame, const char* target, const char* result) {
    dissect::IcsOperation op = Poll(99, frame);
    op.where.requester_port = 40000;
    op.target.Clear();
    op.target.Append(target);
    op.result.Clear();
    op.result.Append(result);
    return op;
  };
  for (uint64_t frame = 10; frame < 210; frame += 2) {  // 100 polls of one block
    ASSERT_TRUE((*store)->AddIcsOperation(poll(frame, "unit 1 hr 0+10", "ok")).ok());
  }
  ASSERT_TRUE((*store)->AddIcsOperation(poll(300, "unit 1 hr 50+2", "ok")).ok());
  ASSERT_TRUE((*store)
                  ->AddIcsOperation(poll(302, "unit 1 hr 0+10", "exception 2 illegal-data-address"))
                  .ok());
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM ics_operation_runs"), 3);
  EXPECT_EQ(QueryInt(db,
                     "SELECT count FROM ics_operation_runs WHERE target='unit 1 hr 0+10' "
                     "AND result='ok'"),
            100);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM ics_operations"), 102);
  EXPECT_EQ(QueryInt(db, "SELECT count(DISTINCT id) FROM ics_operations"), 102);
  EXPECT_EQ(QueryInt(db,
                     "SELECT sum(frame) FROM ics_operations WHERE result='ok' AND "
                     "target='unit 1 hr 0+10'"),
            100 * 10 + 2 * (99 * 100 / 2));
  EXPECT_EQ(QueryText(db,
                      "SELECT id || ' ' || request_frame || ' ' || response_frame || ' ' || ts "
                      "|| ' ' || initiator || ' ' || responder FROM ics_operations "
                      "WHERE frame = 150"),
            std::to_string(uint64_t{150} << 12) +
                " 150 151 2023-11-14T22:13:20.150000Z 10.50.3.10:40000 10.50.3.22:502");
  EXPECT_EQ(QueryText(db, "SELECT result FROM ics_operations WHERE frame = 302"),
            "exception 2 illegal-data-address");
  // Each run's first operation's frame and time are columns of the run.
  EXPECT_EQ(QueryText(db,
                      "SELECT group_concat(first_frame || ' ' || first_ts, '; ') FROM "
                      "(SELECT * FROM ics_operation_runs ORDER BY id)"),
            "10 2023-11-14T22:13:20.010000Z; 300 2023-11-14T22:13:20.300000Z; "
            "302 2023-11-14T22:13:20.302000Z");
  sqlite3_close(db);
}

// A flow side that interleaves more distinct operations than the writer keeps at hand, with
// frame numbers and ids of every width, still gets each operation back through the view
// with its own numbers, and a run that fills up (512) is written and a new one begun.
TEST(SqliteStore, InterleavedOperationsOfEveryWidthComeBackExactly) {
  fs::path dir = Scratch("qw-sqlite-interleaved");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  constexpr uint64_t kTargets = 12;  // more than the writer's per-side cache holds
  constexpr uint64_t kRounds = 600;  // past one run's 512 operations
  uint64_t frame = 1;
  uint64_t frame_sum = 0, response_sum = 0;
  uint64_t sample_frame = 0;
  for (uint64_t round = 0; round < kRounds; ++round) {
    for (uint64_t t = 0; t < kTargets; ++t) {
      dissect::IcsOperation op;
      op.protocol = "s7comm";
      op.function_code = 4;
      op.function = "read-var";
      op.category = dissect::IcsCategory::kRead;
      op.target.Append("db").AppendUint(t + 1).Append(" byte 0+4");
      op.result.Append("ok");
      op.where.capture_index = 3;  // ids past 2^44: fourteen digits and more
      op.where.flow_id = 7;
      op.where.requester_ip = *core::IpAddr::Parse("10.50.3.10");
      op.where.device_ip = *core::IpAddr::Parse("10.50.3.13");
      op.where.device_port = 102;
      // Only the response was seen of the last target: no request frame.
      op.request_frame = t + 1 == kTargets ? 0 : frame;
      op.response_frame = frame + 1;
      op.ts = core::Timestamp{1'700'000'000'000'000'000 + static_cast<int64_t>(frame) * 1'000};
      frame_sum += op.Frame();
      response_sum += op.response_frame;
      if (round == 555 && t == 5) sample_frame = frame;
      ASSERT_TRUE((*store)->AddIcsOperation(op).ok());
      // Frame numbers from one digit to nine.
      frame += std::max<uint64_t>(3, frame / 520);
    }
  }
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_GT(frame, 100'000'000u);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM ics_operation_runs"),
            static_cast<int64_t>(2 * kTargets));
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM ics_operation_runs WHERE count = 512"),
            static_cast<int64_t>(kTargets));
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM ics_operations"),
            static_cast<int64_t>(kTargets * kRounds));
  EXPECT_EQ(QueryInt(db, "SELECT count(DISTINCT id) FROM ics_operations"),
            static_cast<int64_t>(kTargets * kRounds));
  EXPECT_EQ(QueryInt(db, "SELECT sum(frame) FROM ics_operations"), static_cast<int64_t>(frame_sum));
  EXPECT_EQ(QueryInt(db, "SELECT sum(response_frame) FROM ics_operations"),
            static_cast<int64_t>(response_sum));
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM ics_operations WHERE request_frame IS NULL"),
            static_cast<int64_t>(kRounds));
  // Each id is the capture, frame and sequence packed; each time has its microseconds.
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM ics_operations WHERE id != "
                     "(3 << 44) + (frame << 12)"),
            0);
  EXPECT_EQ(QueryInt(db, "SELECT count(DISTINCT ts) FROM ics_operations"),
            static_cast<int64_t>(kTargets * kRounds));
  const std::string sample_sql =
      "SELECT id || ' ' || request_frame || ' ' || response_frame || ' ' || ts || ' ' || "
      "target FROM ics_operations WHERE frame = " +
      std::to_string(sample_frame);
  EXPECT_EQ(QueryText(db, sample_sql.c_str()),
            std::to_string(uint64_t{3} << 44 | sample_frame << 12) + " " +
                std::to_string(sample_frame) + " " + std::to_string(sample_frame + 1) + " " +
                core::FormatIso8601(core::Timestamp{1'700'000'000'000'000'000 +
                                                    static_cast<int64_t>(sample_frame) * 1'000}) +
                " db6 byte 0+4");
  sqlite3_close(db);
}

// What a store of polls keeps, run by run and in the view, and the most runs it held open.
struct PollOutcome {
  int64_t runs = -1, operations = -1, ids = -1, frame_sum = -1;
  size_t peak_open_runs = 0;
};

// Stores the operations `add` hands it (`limit`: the open runs' memory, 0 for the default)
// and reads back what became of them.
PollOutcome StorePolls(const char* name, size_t limit,
                       const std::function<void(SqliteStore&)>& add) {
  fs::path dir = Scratch(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  PollOutcome out;
  if (!store.ok()) {
    ADD_FAILURE() << store.error().message;
    return out;
  }
  if (limit) (*store)->SetOpenRunLimit(limit);
  add(**store);
  auto report = SampleReport();
  EXPECT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  out.peak_open_runs = (*store)->PeakOpenRuns();
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  out.runs = QueryInt(db, "SELECT count(*) FROM ics_operation_runs");
  out.operations = QueryInt(db, "SELECT count(*) FROM ics_operations");
  out.ids = QueryInt(db, "SELECT count(DISTINCT id) FROM ics_operations");
  out.frame_sum = QueryInt(db, "SELECT sum(frame) FROM ics_operations");
  sqlite3_close(db);
  return out;
}

// A master that connects for every poll opens a flow, and so a run, per poll. The runs of a
// flow that ended are written then, so that the runs held open stay those of live flows;
// without the end said, every run waits for the end of the capture.
TEST(SqliteStore, RunsOfAnEndedFlowAreWrittenWhenItEnds) {
  constexpr uint64_t kFlows = 3'000, kPolls = 3;
  auto polls = [&](bool say_end) {
    return [=](SqliteStore& store) {
      for (uint64_t flow = 1; flow <= kFlows; ++flow) {
        for (uint64_t p = 0; p < kPolls; ++p) {
          ASSERT_TRUE(store.AddIcsOperation(Poll(flow, flow * 100 + p * 2)).ok());
        }
        if (say_end) {
          ASSERT_TRUE(store.EndFlowOperations(flow).ok());
        }
      }
    };
  };
  const PollOutcome ended = StorePolls("qw-sqlite-flow-end", 0, polls(true));
  const PollOutcome held = StorePolls("qw-sqlite-flow-held", 0, polls(false));
  int64_t frame_sum = 0;
  for (uint64_t flow = 1; flow <= kFlows; ++flow) {
    for (uint64_t p = 0; p < kPolls; ++p) frame_sum += static_cast<int64_t>(flow * 100 + p * 2);
  }
  for (const PollOutcome* o : {&ended, &held}) {
    EXPECT_EQ(o->runs, static_cast<int64_t>(kFlows)) << "a run per flow, all its polls in it";
    EXPECT_EQ(o->operations, static_cast<int64_t>(kFlows * kPolls));
    EXPECT_EQ(o->ids, static_cast<int64_t>(kFlows * kPolls));
    EXPECT_EQ(o->frame_sum, frame_sum);
  }
  EXPECT_EQ(ended.peak_open_runs, 1u);
  EXPECT_EQ(held.peak_open_runs, kFlows);
}

// A flow side with thousands of runs (a run per target it read) has them all written when it
// ends, and later flows gather runs afresh.
TEST(SqliteStore, ManyRunsOfOneFlowAllCloseWhenItEnds) {
  constexpr uint64_t kTargets = 5'000;
  const PollOutcome o = StorePolls("qw-sqlite-many-runs", 0, [](SqliteStore& store) {
    for (uint64_t t = 0; t < kTargets; ++t) {
      dissect::IcsOperation op = Poll(1, 10 + t * 2);
      op.target.Clear();
      op.target.Append("unit 1 hr ").AppendUint(t).Append("+1");
      ASSERT_TRUE(store.AddIcsOperation(op).ok());
    }
    ASSERT_TRUE(store.EndFlowOperations(1).ok());
    ASSERT_TRUE(store.AddIcsOperation(Poll(2, 20'000)).ok());
    ASSERT_TRUE(store.AddIcsOperation(Poll(2, 20'002)).ok());
  });
  EXPECT_EQ(o.runs, static_cast<int64_t>(kTargets + 1));
  EXPECT_EQ(o.operations, static_cast<int64_t>(kTargets + 2));
  EXPECT_EQ(o.ids, static_cast<int64_t>(kTargets + 2));
  EXPECT_EQ(o.peak_open_runs, kTargets);
}

// An end said too early (or an operation a flow's dissector hands on late) costs nothing: the
// later operations gather in a run of their own, and an end said of a flow without
// operations, or twice, is no harm.
TEST(SqliteStore, OperationsAfterTheirFlowsEndStillLand) {
  const PollOutcome o = StorePolls("qw-sqlite-late-ops", 0, [](SqliteStore& store) {
    ASSERT_TRUE(store.EndFlowOperations(5).ok());
    ASSERT_TRUE(store.AddIcsOperation(Poll(5, 10)).ok());
    ASSERT_TRUE(store.AddIcsOperation(Poll(5, 12)).ok());
    ASSERT_TRUE(store.EndFlowOperations(5).ok());
    ASSERT_TRUE(store.EndFlowOperations(5).ok());
    ASSERT_TRUE(store.EndFlowOperations(6).ok());
    ASSERT_TRUE(store.AddIcsOperation(Poll(5, 14)).ok());
  });
  EXPECT_EQ(o.runs, 2);
  EXPECT_EQ(o.operations, 3);
  EXPECT_EQ(o.ids, 3);
  EXPECT_EQ(o.frame_sum, 10 + 12 + 14);
  EXPECT_EQ(o.peak_open_runs, 1u);
}

// An operation without a flow has endpoints of its own, which no other operation shares: its
// run is written at once instead of waiting for the end.
TEST(SqliteStore, OperationsWithoutAFlowAreWrittenAtOnce) {
  constexpr uint64_t kOps = 2'000;
  const PollOutcome o = StorePolls("qw-sqlite-no-flow", 0, [](SqliteStore& store) {
    for (uint64_t i = 1; i <= kOps; ++i) ASSERT_TRUE(store.AddIcsOperation(Poll(0, i * 3)).ok());
  });
  EXPECT_EQ(o.runs, static_cast<int64_t>(kOps));
  EXPECT_EQ(o.operations, static_cast<int64_t>(kOps));
  EXPECT_EQ(o.ids, static_cast<int64_t>(kOps));
  EXPECT_EQ(o.frame_sum, static_cast<int64_t>(3 * kOps * (kOps + 1) / 2));
  EXPECT_EQ(o.peak_open_runs, 1u);
}

// Runs of flows that never say their end are held within the open runs' memory limit, which
// counts what they take (a run of one operation is mostly its own bookkeeping, not its JSON):
// past it they are written as they stand, and every operation is still there.
TEST(SqliteStore, OpenRunsStayWithinTheirMemoryLimit) {
  constexpr uint64_t kFlows = 20'000;
  auto polls = [](SqliteStore& store) {
    for (uint64_t flow = 1; flow <= kFlows; ++flow) {
      ASSERT_TRUE(store.AddIcsOperation(Poll(flow, flow * 10)).ok());
    }
  };
  const PollOutcome capped = StorePolls("qw-sqlite-run-limit", 256 * 1024, polls);
  EXPECT_EQ(capped.runs, static_cast<int64_t>(kFlows));
  EXPECT_EQ(capped.operations, static_cast<int64_t>(kFlows));
  EXPECT_EQ(capped.frame_sum, static_cast<int64_t>(10 * kFlows * (kFlows + 1) / 2));
  // A run of one operation takes several hundred bytes: 256 KiB holds about a thousand, and
  // the limit is looked at after each batch the writer takes, which adds up to one batch.
  EXPECT_LT(capped.peak_open_runs, 4'000u) << "peak " << capped.peak_open_runs;
  const PollOutcome roomy = StorePolls("qw-sqlite-run-roomy", 0, polls);
  EXPECT_EQ(roomy.peak_open_runs, kFlows);
}

// A database of schema version 2 with operations in it comes through migration 3 with the
// same rows in the ics_operations view.
TEST(SqliteStore, MigrationToNarrowOperationsKeepsTheRowsOfVersionTwo) {
  sqlite3* db = OldDatabase("qw-sqlite-migrate", 2);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), 2);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO ics_operations (id, run_id, protocol, function_code, "
                         "function, category, target, initiator, responder, capture_index, "
                         "frame, result, vlan, initiator_ip, initiator_mac, responder_ip, "
                         "responder_mac, responder_port, request_frame, response_frame, ts) "
                         "VALUES (4096, 1, 'modbus', 6, 'write-single-register', 'write', "
                         "'unit 1 register 7', '10.0.0.1:5000', '10.0.0.2:502', 0, 1, 'ok', 0, "
                         "'10.0.0.1', NULL, '10.0.0.2', NULL, 502, 1, 2, "
                         "'2024-03-01T10:00:00.000000Z')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  auto s = SqliteStore::Migrate(db, SqliteStore::SchemaVersion());
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), SqliteStore::SchemaVersion());
  EXPECT_EQ(QueryText(db,
                      "SELECT id || ' ' || protocol || ' ' || function_code || ' ' || "
                      "function || ' ' || category || ' ' || target || ' ' || initiator "
                      "|| ' ' || responder || ' ' || frame || ' ' || result || ' ' || "
                      "responder_port || ' ' || request_frame || ' ' || response_frame "
                      "|| ' ' || ts FROM ics_operations"),
            "4096 modbus 6 write-single-register write unit 1 register 7 10.0.0.1:5000 "
            "10.0.0.2:502 1 ok 502 1 2 2024-03-01T10:00:00.000000Z");
  sqlite3_close(db);
}

// A database of schema 13 with runs in it comes through migration 14 with each run's first
// frame and time as columns, and the same rows in the ics_operations view.
TEST(SqliteStore, Migration14GivesRunsTheirFirstFrameAndTime) {
  sqlite3* db = OldDatabase("qw-sqlite-m14", 13);
  ASSERT_NE(db, nullptr);
  // Two runs: one whose first operation has a request, one answered without one.
  ASSERT_EQ(
      sqlite3_exec(db,
                   "INSERT INTO ics_endpoints (id, vlan, initiator, responder) VALUES "
                   "(198, 0, '10.0.0.1:5000', '10.0.0.2:502');"
                   "INSERT INTO ics_operation_runs (id, capture_index, endpoints, protocol, "
                   "function_code, function, category, target, result, count, operations) "
                   "VALUES (28672, 0, 198, 'modbus', 3, 'read-holding-registers', 'read', "
                   "'unit 1 hr 0+10', 'ok', 2, '[[28672,7,8,\"2024-03-01T10:00:00.000007Z\"],"
                   "[36864,9,10,\"2024-03-01T10:00:00.000009Z\"]]'),"
                   "(45056, 0, 198, 'modbus', 6, 'write-single-register', 'write', "
                   "'unit 1 hr 7', 'ok', 1, '[[45056,null,11,\"2024-03-01T10:00:00.000011Z\"]]')",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  const char* view =
      "SELECT group_concat(id || ' ' || frame || ' ' || coalesce(request_frame, '-') || ' ' || "
      "response_frame || ' ' || ts || ' ' || initiator || ' ' || target, '; ') FROM "
      "(SELECT * FROM ics_operations ORDER BY id)";
  const std::string before = QueryText(db, view);
  auto s = SqliteStore::Migrate(db, 14);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), 14);
  EXPECT_EQ(QueryText(db, view), before);
  EXPECT_EQ(QueryText(db,
                      "SELECT group_concat(id || ' ' || first_frame || ' ' || first_ts || ' ' || "
                      "count, '; ') FROM (SELECT * FROM ics_operation_runs ORDER BY id)"),
            "28672 7 2024-03-01T10:00:00.000007Z 2; 45056 11 2024-03-01T10:00:00.000011Z 1");
  sqlite3_close(db);
}

// A run keeps each operation as [request frame, response frame after it, microseconds after
// the run's first, id only when the frame does not give it]; every odd case (no response,
// no request, a response numbered before its request, a time before the first, two
// operations of one frame) comes back whole through the view.
TEST(SqliteStore, RunsStoreOperationsCompactlyAndTheViewRestoresThem) {
  fs::path dir = Scratch("qw-sqlite-compact");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  auto store = SqliteStore::Create(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  constexpr int64_t kT0 = 1'700'000'000'000'000'000;  // 2023-11-14T22:13:20Z
  auto op = [&](uint64_t request, uint64_t response, int64_t after_ns, uint32_t seq) {
    dissect::IcsOperation o;
    o.protocol = "modbus";
    o.function_code = 3;
    o.function = "read-holding-registers";
    o.category = dissect::IcsCategory::kRead;
    o.target.Append("unit 1 hr 0+10");
    o.result.Append("ok");
    o.where.flow_id = 5;
    o.where.requester_ip = *core::IpAddr::Parse("10.50.3.10");
    o.where.device_ip = *core::IpAddr::Parse("10.50.3.22");
    o.where.device_port = 502;
    o.request_frame = request;
    o.response_frame = response;
    o.ts = core::Timestamp{kT0 + after_ns};
    o.seq = seq;
    return o;
  };
  for (const auto& o : {op(10, 11, 1'500, 0), op(20, 0, 2'000'999, 0), op(0, 31, 3'000'000, 0),
                        op(40, 38, 4'000'000, 0), op(45, 46, 0, 0), op(50, 51, 6'000'000, 0),
                        op(50, 51, 6'000'000, 1)}) {
    ASSERT_TRUE((*store)->AddIcsOperation(o).ok());
  }
  auto report = SampleReport();
  ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  EXPECT_EQ(QueryText(db,
                      "SELECT first_ts || ' ' || count || ' ' || operations FROM "
                      "ics_operation_runs"),
            "2023-11-14T22:13:20.000001Z 7 "
            "[[10,1,0],[20,null,1999],[null,31,2999],[40,-2,3999],[45,1,-1],[50,1,5999],"
            "[50,1,5999,204801]]");
  EXPECT_EQ(QueryText(db,
                      "SELECT group_concat(id || ' ' || frame || ' ' || "
                      "coalesce(request_frame, '-') || ' ' || coalesce(response_frame, '-') || "
                      "' ' || ts, '; ') FROM (SELECT * FROM ics_operations ORDER BY id)"),
            "40960 10 10 11 2023-11-14T22:13:20.000001Z; "
            "81920 20 20 - 2023-11-14T22:13:20.002000Z; "
            "126976 31 - 31 2023-11-14T22:13:20.003000Z; "
            "163840 40 40 38 2023-11-14T22:13:20.004000Z; "
            "184320 45 45 46 2023-11-14T22:13:20.000000Z; "
            "204800 50 50 51 2023-11-14T22:13:20.006000Z; "
            "204801 50 50 51 2023-11-14T22:13:20.006000Z");
  sqlite3_close(db);
}

// A database of schema 14 comes through migration 15 with its runs' operations in the
// compact form and the same rows in the ics_operations view, odd cases included.
TEST(SqliteStore, Migration15CompactsRunsAndKeepsTheView) {
  sqlite3* db = OldDatabase("qw-sqlite-m15", 14);
  ASSERT_NE(db, nullptr);
  // Run 1: a second operation of one frame (its own id), one a second later, one answered
  // by a lower frame before the first's time. Run 2, of capture 2: answered, no request.
  ASSERT_EQ(sqlite3_exec(
                db,
                "INSERT INTO ics_endpoints (id, vlan, initiator, responder) VALUES "
                "(198, 0, '10.0.0.1:5000', '10.0.0.2:502');"
                "INSERT INTO ics_operation_runs (id, capture_index, endpoints, protocol, "
                "function_code, function, category, target, result, count, first_frame, first_ts, "
                "operations) VALUES (28672, 0, 198, 'modbus', 3, 'read-holding-registers', 'read', "
                "'unit 1 hr 0+10', 'ok', 4, 7, '2024-03-01T10:00:00.000007Z', "
                "'[[28672,7,8,\"2024-03-01T10:00:00.000007Z\"],"
                "[28673,7,8,\"2024-03-01T10:00:00.000007Z\"],"
                "[36864,9,10,\"2024-03-01T10:00:01.000009Z\"],"
                "[40960,10,6,\"2024-03-01T09:59:59.999999Z\"]]'),"
                "(35184372133888, 2, 198, 'modbus', 6, 'write-single-register', 'write', "
                "'unit 1 hr 7', 'ok', 1, 11, '2024-03-01T10:00:00.000011Z', "
                "'[[35184372133888,null,11,\"2024-03-01T10:00:00.000011Z\"]]')",
                nullptr, nullptr, nullptr),
            SQLITE_OK);
  const char* view =
      "SELECT group_concat(id || ' ' || capture_index || ' ' || frame || ' ' || "
      "coalesce(request_frame, '-') || ' ' || response_frame || ' ' || ts || ' ' || "
      "initiator || ' ' || target || ' ' || run, '; ') FROM "
      "(SELECT * FROM ics_operations ORDER BY id)";
  const std::string before = QueryText(db, view);
  EXPECT_EQ(before,
            "28672 0 7 7 8 2024-03-01T10:00:00.000007Z 10.0.0.1:5000 unit 1 hr 0+10 28672; "
            "28673 0 7 7 8 2024-03-01T10:00:00.000007Z 10.0.0.1:5000 unit 1 hr 0+10 28672; "
            "36864 0 9 9 10 2024-03-01T10:00:01.000009Z 10.0.0.1:5000 unit 1 hr 0+10 28672; "
            "40960 0 10 10 6 2024-03-01T09:59:59.999999Z 10.0.0.1:5000 unit 1 hr 0+10 28672; "
            "35184372133888 2 11 - 11 2024-03-01T10:00:00.000011Z 10.0.0.1:5000 unit 1 hr 7 "
            "35184372133888");
  auto s = SqliteStore::Migrate(db, 15);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), 15);
  EXPECT_EQ(QueryText(db, view), before);
  EXPECT_EQ(QueryText(db,
                      "SELECT group_concat(operations, '; ') FROM "
                      "(SELECT * FROM ics_operation_runs ORDER BY id)"),
            "[[7,1,0],[7,1,0,28673],[9,1,1000002],[10,-4,-8]]; [[null,11,0]]");
  sqlite3_close(db);
}

TEST(SqliteStore, AbandonedStoreLeavesNothingBehind) {
  fs::path dir = Scratch("qw-sqlite-abandon");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "quaywatch.sqlite").string();
  {
    auto store = SqliteStore::Create(path);
    ASSERT_TRUE(store.ok());
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

// A run into a folder that holds an earlier run's database swaps the files and removes the
// earlier one: while the new store is alive the final name holds a whole file, and once it
// is gone only the new database is left.
TEST(SqliteStore, ALaterRunReplacesTheEarlierDatabaseAndLeavesNothingElse) {
  fs::path dir = Scratch("qw-sqlite-replace");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "quaywatch.sqlite").string();
  auto run = [&](const char* version) {
    auto store = SqliteStore::Create(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto report = SampleReport();
    report.version = version;
    ASSERT_TRUE((*store)->Finish(report, SummaryJson(report)).ok());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    EXPECT_EQ(QueryText(db, "SELECT quaywatch_version FROM runs"), version);
    sqlite3_close(db);
  };
  run("first");
  // A removal the earlier run never finished is cleared by the next.
  std::ofstream(path + ".tmp.old") << "left by a run that was killed";
  run("second");
  run("third");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"quaywatch.sqlite"});
}

}  // namespace
}  // namespace qw::output
