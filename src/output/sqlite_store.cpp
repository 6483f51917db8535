#include "output/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "output/atomic_file.h"
#include "output/json_output.h"

namespace qw::output {

namespace {

constexpr size_t kFlowBatch = 10'000;
// Numbers an operation may move up when its (capture, frame, sequence) key is taken.
constexpr uint64_t kMaxSeqRetries = 4096;
// Migration N brings the schema from version N-1 to N. Append; never edit a shipped one.
constexpr std::array<const char*, 2> kMigrations = {
    R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  quaywatch_version TEXT NOT NULL,
  frames INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  first_ts TEXT,
  last_ts TEXT,
  summary TEXT NOT NULL            -- summary.json of the run
);
CREATE TABLE assets (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  mac TEXT,
  vendor TEXT,
  seen_via TEXT,
  gateway INTEGER NOT NULL,
  roles TEXT NOT NULL,             -- JSON array
  first_ts TEXT NOT NULL,
  last_ts TEXT NOT NULL,
  packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  first_capture INTEGER NOT NULL,
  first_frame INTEGER NOT NULL,
  detail TEXT NOT NULL             -- the asset's object of assets.json
);
CREATE TABLE asset_addresses (
  asset_id INTEGER NOT NULL REFERENCES assets(id),
  kind TEXT NOT NULL,              -- 'mac', 'ipv4' or 'ipv6'
  address TEXT NOT NULL,
  PRIMARY KEY (asset_id, kind, address)
);
CREATE INDEX asset_addresses_by_address ON asset_addresses(address);
CREATE TABLE flows (
  id INTEGER PRIMARY KEY,          -- capture_index << 40 | first_frame
  run_id INTEGER NOT NULL REFERENCES runs(id),
  capture_index INTEGER NOT NULL,
  first_frame INTEGER NOT NULL,
  proto INTEGER NOT NULL,
  vlan INTEGER NOT NULL,
  inner_vlan INTEGER NOT NULL,
  initiator_ip TEXT NOT NULL,
  initiator_port INTEGER NOT NULL,
  responder_ip TEXT NOT NULL,
  responder_port INTEGER NOT NULL,
  initiator_mac TEXT,
  responder_mac TEXT,
  midstream INTEGER NOT NULL,
  tcp_state TEXT,
  end_reason TEXT NOT NULL,
  first_ts TEXT NOT NULL,
  last_ts TEXT NOT NULL,
  packets_from_initiator INTEGER NOT NULL,
  packets_from_responder INTEGER NOT NULL,
  bytes_from_initiator INTEGER NOT NULL,
  bytes_from_responder INTEGER NOT NULL
);
CREATE INDEX flows_by_responder ON flows(responder_ip, responder_port);
CREATE TABLE ics_operations (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  protocol TEXT NOT NULL,
  function_code INTEGER,
  function TEXT,
  category TEXT NOT NULL,
  target TEXT,
  initiator TEXT,
  responder TEXT,
  capture_index INTEGER NOT NULL,
  frame INTEGER NOT NULL,
  result TEXT
);
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  first_ts TEXT NOT NULL,
  last_ts TEXT NOT NULL,
  count INTEGER NOT NULL,
  detail TEXT NOT NULL             -- the finding's line of events.jsonl
);
)sql",
    // 2: the application protocol of each flow; industrial operations with their
    // endpoints, both frames and time (initiator is the requester, responder the device).
    R"sql(
ALTER TABLE flows ADD COLUMN protocol TEXT;
ALTER TABLE ics_operations ADD COLUMN vlan INTEGER;
ALTER TABLE ics_operations ADD COLUMN initiator_ip TEXT;
ALTER TABLE ics_operations ADD COLUMN initiator_mac TEXT;
ALTER TABLE ics_operations ADD COLUMN responder_ip TEXT;
ALTER TABLE ics_operations ADD COLUMN responder_mac TEXT;
ALTER TABLE ics_operations ADD COLUMN responder_port INTEGER;
ALTER TABLE ics_operations ADD COLUMN request_frame INTEGER;
ALTER TABLE ics_operations ADD COLUMN response_frame INTEGER;
ALTER TABLE ics_operations ADD COLUMN ts TEXT;
)sql",
};

}  // namespace

int SqliteStore::SchemaVersion() { return static_cast<int>(kMigrations.size()); }

SqliteStore::SqliteStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(mu_);
    queue_.clear();  // never finished: what waits would be thrown away with the file
  }
  (void)StopWriter();
  if (insert_flow_) sqlite3_finalize(insert_flow_);
  if (insert_op_) sqlite3_finalize(insert_op_);
  if (db_) {
    sqlite3_close(db_);
    ::unlink(TempPathFor(path_).c_str());  // never finished: leave nothing half-written
  }
}

core::Status SqliteStore::Error(const std::string& what) const {
  return core::MakeError(path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

core::Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = path_ + ": " + (err ? err : "sqlite error");
    sqlite3_free(err);
    return core::MakeError(msg);
  }
  return {};
}

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::Create(const std::string& path) {
  std::string tmp = TempPathFor(path);
  ::unlink(tmp.c_str());
  sqlite3* db = nullptr;
  // One connection, used by one thread at a time (the writer, then Finish's caller): SQLite's
  // own locking of it would only cost time.
  if (sqlite3_open_v2(tmp.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = tmp + ": " + (db ? sqlite3_errmsg(db) : "cannot open");
    if (db) sqlite3_close(db);
    return core::MakeError(msg);
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, db));
  // The file is private to this run until renamed: no journal is needed for safety.
  if (auto s = store->Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                           "PRAGMA locking_mode=EXCLUSIVE;");
      !s) {
    return core::MakeError(s.message());
  }
  int version = 0;
  {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
    if (st && sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
  }
  for (size_t v = static_cast<size_t>(version); v < kMigrations.size(); ++v) {
    if (auto s = store->Exec(kMigrations[v]); !s) return core::MakeError(s.message());
    std::string set = "PRAGMA user_version=" + std::to_string(v + 1);
    if (auto s = store->Exec(set.c_str()); !s) return core::MakeError(s.message());
  }
  const char* insert =
      "INSERT INTO flows (id, run_id, capture_index, first_frame, proto, vlan, inner_vlan, "
      "initiator_ip, initiator_port, responder_ip, responder_port, initiator_mac, responder_mac, "
      "midstream, tcp_state, end_reason, first_ts, last_ts, packets_from_initiator, "
      "packets_from_responder, bytes_from_initiator, bytes_from_responder, protocol) VALUES "
      "(?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  if (sqlite3_prepare_v2(db, insert, -1, &store->insert_flow_, nullptr) != SQLITE_OK) {
    return core::MakeError(store->Error("prepare").message());
  }
  const char* insert_op =
      "INSERT INTO ics_operations (id, run_id, protocol, function_code, function, category, "
      "target, initiator, responder, capture_index, frame, result, vlan, initiator_ip, "
      "initiator_mac, responder_ip, responder_mac, responder_port, request_frame, "
      "response_frame, ts) VALUES (?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  if (sqlite3_prepare_v2(db, insert_op, -1, &store->insert_op_, nullptr) != SQLITE_OK) {
    return core::MakeError(store->Error("prepare").message());
  }
  store->pending_.reserve(kFlowBatch);
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

core::Status SqliteStore::Submit(Job job) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.size() < 2 || !writer_error_.empty(); });
  if (!writer_error_.empty()) return core::MakeError(writer_error_);
  queue_.push_back(std::move(job));
  cv_.notify_all();
  return {};
}

void SqliteStore::WriterLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    Job job = std::move(queue_.front());
    queue_.pop_front();
    const bool failed = !writer_error_.empty();
    lock.unlock();
    core::Status s;
    if (!failed) {
      s = job.flows.empty() ? WriteOperations(job.ops) : WriteFlows(job.flows);
    }
    lock.lock();
    if (!s && writer_error_.empty()) writer_error_ = s.message();
    cv_.notify_all();
  }
}

core::Status SqliteStore::StopWriter() {
  if (!writer_.joinable()) return {};
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
  std::lock_guard lock(mu_);
  if (!writer_error_.empty()) return core::MakeError(writer_error_);
  return {};
}

core::Status SqliteStore::AddFlow(const model::FlowRecord& flow) {
  pending_.push_back(flow);
  if (pending_.size() < kFlowBatch) return {};
  Job job;
  job.flows = std::move(pending_);
  pending_ = {};
  pending_.reserve(kFlowBatch);
  return Submit(std::move(job));
}

core::Status SqliteStore::WriteFlows(std::vector<model::FlowRecord>& batch) {
  if (batch.empty()) return {};
  // Rows go in by id, so the file's layout does not depend on the order flows ended in.
  std::sort(batch.begin(), batch.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  if (auto s = Exec("BEGIN"); !s) return s;
  for (const auto& f : batch) {
    sqlite3_stmt* st = insert_flow_;
    int i = 1;
    auto text = [&](const std::string& s) {
      if (s.empty())
        sqlite3_bind_null(st, i++);
      else
        sqlite3_bind_text(st, i++, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    };
    auto integer = [&](int64_t v) { sqlite3_bind_int64(st, i++, v); };
    integer(static_cast<int64_t>(f.id));
    integer(f.capture_index);
    integer(static_cast<int64_t>(f.first_frame));
    integer(f.proto);
    integer(f.vlan);
    integer(f.inner_vlan);
    text(f.initiator_ip);
    integer(f.initiator_port);
    text(f.responder_ip);
    integer(f.responder_port);
    text(f.initiator_mac);
    text(f.responder_mac);
    integer(f.midstream ? 1 : 0);
    text(f.tcp_state);
    text(f.end_reason);
    const std::string first_ts = core::FormatIso8601(f.first_ts);
    const std::string last_ts = core::FormatIso8601(f.last_ts);
    text(first_ts);
    text(last_ts);
    integer(static_cast<int64_t>(f.packets_from_initiator));
    integer(static_cast<int64_t>(f.packets_from_responder));
    integer(static_cast<int64_t>(f.bytes_from_initiator));
    integer(static_cast<int64_t>(f.bytes_from_responder));
    text(f.protocol);
    if (sqlite3_step(st) != SQLITE_DONE) {
      (void)Exec("ROLLBACK");  // the insert error is the one to report
      return Error("insert flow");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  batch.clear();
  return Exec("COMMIT");
}

uint64_t SqliteStore::OperationId(const dissect::IcsOperation& op) {
  uint64_t frame = op.request_frame ? op.request_frame : op.response_frame;
  return static_cast<uint64_t>(op.where.capture_index) << 44 | (frame & 0xffffffff) << 12 |
         (op.seq & 0xfff);
}

core::Status SqliteStore::AddIcsOperation(const dissect::IcsOperation& op) {
  pending_ops_.push_back(op);
  if (pending_ops_.size() < kFlowBatch) return {};
  Job job;
  job.ops = std::move(pending_ops_);
  pending_ops_ = {};
  pending_ops_.reserve(kFlowBatch);
  return Submit(std::move(job));
}

const SqliteStore::EndpointText& SqliteStore::TextOf(const dissect::OpEndpoints& w) {
  uint64_t dev, req;
  std::memcpy(&dev, w.device_ip.b.data(), sizeof dev);
  std::memcpy(&req, w.requester_ip.b.data(), sizeof req);
  const uint64_t h = core::Mix64(dev ^ (req << 1) ^ w.device_mac.AsU64() ^
                                 (uint64_t{w.requester_port} << 16 | w.device_port));
  EndpointText& e = endpoint_text_[h % endpoint_text_.size()];
  if (e.filled && e.requester_ip == w.requester_ip && e.device_ip == w.device_ip &&
      e.requester_port == w.requester_port && e.device_port == w.device_port &&
      e.requester_mac == w.requester_mac && e.device_mac == w.device_mac) {
    return e;
  }
  e.filled = true;
  e.requester_ip = w.requester_ip;
  e.device_ip = w.device_ip;
  e.requester_port = w.requester_port;
  e.device_port = w.device_port;
  e.requester_mac = w.requester_mac;
  e.device_mac = w.device_mac;
  auto address = [](std::string& out, const core::IpAddr& ip) {
    out.clear();
    if (ip.IsSet()) out = ip.ToString();
  };
  auto mac_text = [](std::string& out, const core::MacAddr& mac) {
    out.clear();
    if (!mac.IsZero()) out = mac.ToString();
  };
  // "ip:port" ("[v6]:port"), or the MAC for link-layer protocols.
  auto endpoint = [](std::string& out, const core::IpAddr& ip, const std::string& ip_text,
                     uint16_t port, const std::string& mac) {
    out.clear();
    if (ip.IsSet()) {
      if (!ip.IsV4()) out += '[';
      out += ip_text;
      if (!ip.IsV4()) out += ']';
      out += ':';
      out += std::to_string(port);
    } else {
      out = mac;
    }
  };
  address(e.requester_ip_text, w.requester_ip);
  address(e.device_ip_text, w.device_ip);
  mac_text(e.requester_mac_text, w.requester_mac);
  mac_text(e.device_mac_text, w.device_mac);
  endpoint(e.requester, w.requester_ip, e.requester_ip_text, w.requester_port,
           e.requester_mac_text);
  endpoint(e.device, w.device_ip, e.device_ip_text, w.device_port, e.device_mac_text);
  return e;
}

core::Status SqliteStore::WriteOperations(std::vector<dissect::IcsOperation>& batch) {
  if (batch.empty()) return {};
  // Rows go in by id. Stable: operations with the same key keep the order their flow emitted
  // them in. A batch from one thread is mostly in order already, so the sort moves ids and
  // positions, not whole operations.
  order_.clear();
  for (uint32_t n = 0; n < batch.size(); ++n) order_.push_back({OperationId(batch[n]), n});
  std::stable_sort(order_.begin(), order_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (auto s = Exec("BEGIN"); !s) return s;
  sqlite3_stmt* st = insert_op_;
  core::Iso8601Text ts_text;
  for (const auto& [op_id, position] : order_) {
    const dissect::IcsOperation& op = batch[position];
    const auto& w = op.where;
    const EndpointText& ends = TextOf(w);
    const std::string_view ts = core::FormatIso8601(op.ts, ts_text);
    // Every column is bound for every row, and each text outlives the step it is bound for.
    int i = 1;
    auto text = [&](std::string_view v) {
      if (v.empty())
        sqlite3_bind_null(st, i++);
      else
        sqlite3_bind_text(st, i++, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    };
    auto integer = [&](int64_t v) { sqlite3_bind_int64(st, i++, v); };
    auto nullable = [&](uint64_t v) {
      if (v)
        sqlite3_bind_int64(st, i++, static_cast<int64_t>(v));
      else
        sqlite3_bind_null(st, i++);
    };
    const int id_index = i;
    integer(static_cast<int64_t>(op_id));
    text(op.protocol);
    integer(op.function_code);
    text(*op.function ? op.function : "unknown");
    text(dissect::IcsCategoryName(op.category));
    text(op.target.view());
    text(ends.requester);
    text(ends.device);
    integer(w.capture_index);
    integer(static_cast<int64_t>(op.request_frame ? op.request_frame : op.response_frame));
    text(op.result.view());
    integer(w.vlan);
    text(ends.requester_ip_text);
    text(ends.requester_mac_text);
    text(ends.device_ip_text);
    text(ends.device_mac_text);
    integer(w.device_port);
    nullable(op.request_frame);
    nullable(op.response_frame);
    text(ts);
    // A dissector that numbered two operations of one frame alike must not cost the run:
    // the later one takes the next free number. Operations of one frame all come from one
    // flow in a fixed order, so the outcome does not depend on threads or batches.
    int rc = sqlite3_step(st);
    for (uint64_t id = op_id + 1, tries = 0; rc == SQLITE_CONSTRAINT && tries < kMaxSeqRetries;
         ++id, ++tries) {
      sqlite3_reset(st);
      sqlite3_bind_int64(st, id_index, static_cast<int64_t>(id));
      rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE) {
      (void)Exec("ROLLBACK");
      return Error("insert industrial operation");
    }
    sqlite3_reset(st);
  }
  batch.clear();
  return Exec("COMMIT");
}

core::Status SqliteStore::Finish(const model::RunReport& report, const std::string& summary) {
  // The last partial batches, then the writer stops: from here on this thread alone uses
  // the connection.
  Job flows, ops;
  flows.flows = std::move(pending_);
  ops.ops = std::move(pending_ops_);
  if (!flows.flows.empty()) {
    if (auto s = Submit(std::move(flows)); !s) return s;
  }
  if (!ops.ops.empty()) {
    if (auto s = Submit(std::move(ops)); !s) return s;
  }
  if (auto s = StopWriter(); !s) return s;
  if (auto s = Exec("BEGIN"); !s) return s;
  sqlite3_stmt* st = nullptr;
  auto prepare = [&](const char* sql) {
    if (st) sqlite3_finalize(st);
    st = nullptr;
    return sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) == SQLITE_OK;
  };
  auto bind_text = [&](int i, const std::string& s) {
    sqlite3_bind_text(st, i, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  };
  auto step = [&]() {
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ok;
  };
  bool ok = prepare(
      "INSERT INTO runs (id, quaywatch_version, frames, bytes, first_ts, last_ts, summary) "
      "VALUES (1,?,?,?,?,?,?)");
  if (ok) {
    bind_text(1, report.version);
    sqlite3_bind_int64(st, 2, static_cast<int64_t>(report.frames()));
    sqlite3_bind_int64(st, 3, static_cast<int64_t>(report.bytes()));
    if (auto t = report.first_ts()) bind_text(4, core::FormatIso8601(*t));
    if (auto t = report.last_ts()) bind_text(5, core::FormatIso8601(*t));
    bind_text(6, summary);
    ok = step();
  }
  ok = ok && prepare(
                 "INSERT INTO assets (id, run_id, mac, vendor, seen_via, gateway, roles, "
                 "first_ts, last_ts, packets, bytes, first_capture, first_frame, detail) "
                 "VALUES (?,1,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (size_t n = 0; ok && n < report.assets.size(); ++n) {
    const auto& a = report.assets[n];
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(a.id));
    if (a.mac) bind_text(2, a.mac->ToString());
    if (!a.vendor.empty()) bind_text(3, a.vendor);
    if (a.via) bind_text(4, a.via->ToString());
    sqlite3_bind_int(st, 5, a.gateway ? 1 : 0);
    std::string roles = "[";
    for (size_t r = 0; r < a.roles.size(); ++r) {
      roles += (r ? ",\"" : "\"") + a.roles[r].role + "\"";
    }
    bind_text(6, roles + "]");
    bind_text(7, core::FormatIso8601(a.first_ts));
    bind_text(8, core::FormatIso8601(a.last_ts));
    sqlite3_bind_int64(st, 9, static_cast<int64_t>(a.packets));
    sqlite3_bind_int64(st, 10, static_cast<int64_t>(a.bytes));
    sqlite3_bind_int64(st, 11, a.first_seen.capture_index);
    sqlite3_bind_int64(st, 12, static_cast<int64_t>(a.first_seen.frame));
    bind_text(13, AssetJsonText(a));
    ok = step();
  }
  ok = ok && prepare("INSERT INTO asset_addresses (asset_id, kind, address) VALUES (?,?,?)");
  for (size_t n = 0; ok && n < report.assets.size(); ++n) {
    const auto& a = report.assets[n];
    if (a.mac) {
      sqlite3_bind_int64(st, 1, static_cast<int64_t>(a.id));
      bind_text(2, "mac");
      bind_text(3, a.mac->ToString());
      ok = step();
    }
    for (size_t k = 0; ok && k < a.ips.size(); ++k) {
      sqlite3_bind_int64(st, 1, static_cast<int64_t>(a.id));
      bind_text(2, a.ips[k].IsV4() ? "ipv4" : "ipv6");
      bind_text(3, a.ips[k].ToString());
      ok = step();
    }
  }
  if (st) sqlite3_finalize(st);
  if (!ok) {
    core::Status err = Error("write run");
    (void)Exec("ROLLBACK");  // the write error is the one to report
    return err;
  }
  if (auto s = Exec("COMMIT"); !s) return s;
  sqlite3_finalize(insert_flow_);
  insert_flow_ = nullptr;
  sqlite3_finalize(insert_op_);
  insert_op_ = nullptr;
  if (sqlite3_close(db_) != SQLITE_OK) return Error("close");
  db_ = nullptr;
  return CommitTempFile(TempPathFor(path_), path_);
}

}  // namespace qw::output
