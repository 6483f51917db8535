// Benchmarks of quaywatch.sqlite (output::SqliteStore): the cost per row of its busiest tables,
// written as a run writes them: flow records (AddFlow), industrial operations
// (AddIcsOperation, gathered into ics_operation_runs, with EndFlowOperations at each flow's
// end), DNS messages of two answer records each (AddDns), TLS sessions (AddTls) and HTTP
// exchanges (AddHttp). Each iteration opens a fresh store in a temporary directory (not
// timed), adds kRows rows made beforehand and varied as traffic varies them (addresses, ports,
// frames, names, times), then finishes and closes the store as app/run.cpp does (timed: rows
// reach the file only through the store's writer thread and Finish, which also writes the run
// row, builds the indexes and renames the file); removing the directory is not timed.
//
// BM_StoreEmpty times the same finish and close of a store given no rows: subtract it from the
// others for the cost of the rows alone. Opening a store (creating the file and applying every
// migration) is never timed; each benchmark reports its mean as the counter open_ms, so that
// open, finish and close of an empty store cost open_ms plus BM_StoreEmpty's time.
//
// Left out: making the rows (the dissectors' and the engine's work), the lock StoreSink takes
// when several threads share the store, the JSON outputs written beside Finish, devices and
// findings (none are given to Finish), and the disk: the store writes with synchronous=OFF, so
// the file stays in the page cache. Times (and the rates and per_row drawn from them) are wall
// time: the store's writer thread does most of the work, which the calling thread's CPU time
// would not see; the CPU column is the whole process's. Pinned to one CPU, the two threads
// share it, and wall time is the work of both.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/address.h"
#include "core/result.h"
#include "core/timestamp.h"
#include "dissect/observation.h"
#include "model/run_report.h"
#include "output/json_output.h"
#include "output/sqlite_store.h"

namespace qw::output {
namespace {

using Clock = std::chrono::steady_clock;

// Rows each benchmark adds per iteration.
constexpr size_t kRows = 20'000;
// The time of the first row: 2024-03-01T10:00:00Z.
constexpr int64_t kStartNs = 1'709'287'200'000'000'000;

// A deterministic spread of values (Knuth's MMIX LCG), so that rows differ as traffic does.
class Spread {
 public:
  // A number below n.
  uint32_t Below(size_t n) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>((state_ >> 33) % n);
  }

 private:
  uint64_t state_ = 1;
};

// The IPv4 address a.b.c.d.
core::IpAddr V4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return core::IpAddr::V4(a << 24 | b << 16 | c << 8 | d);
}

// A MAC of the vendor prefix 00:1b:1b, numbered n.
core::MacAddr Mac(uint32_t n) {
  const std::array<uint8_t, 6> b = {0x00,
                                    0x1b,
                                    0x1b,
                                    static_cast<uint8_t>(n >> 16),
                                    static_cast<uint8_t>(n >> 8),
                                    static_cast<uint8_t>(n)};
  return core::MacAddr::From(b);
}

// The time of row i, `step_ms` milliseconds apart.
core::Timestamp At(size_t i, int64_t step_ms) {
  return core::Timestamp{kStartNs + static_cast<int64_t>(i) * step_ms * 1'000'000};
}

// The report Finish is handed for a run over one capture of `frames` frames and no devices.
model::RunReport BenchReport(uint64_t frames) {
  model::RunReport r;
  r.version = "bench";
  model::FileReport f;
  f.path = "terminal.pcap";
  f.format = "pcap";
  f.frames = frames;
  f.bytes = frames * 300;
  f.first_ts = core::Timestamp{kStartNs};
  f.last_ts = core::Timestamp{kStartNs + 3'600'000'000'000};
  f.link_types["ethernet"] = frames;
  r.files.push_back(f);
  r.frame_counts.ipv4 = frames;
  r.frame_counts.tcp = frames;
  return r;
}

// A temporary directory of its own, made on construction and removed with what it holds.
class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/qw_store_bench_XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() { Remove(); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // The directory; empty when it could not be made.
  const std::string& path() const { return path_; }
  // Removes the directory and everything in it, once.
  void Remove() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    path_.clear();
  }

 private:
  std::string path_;
};

// A table (or view) of the store and how many rows a benchmark must leave in it.
struct Expected {
  const char* table;
  int64_t rows;
};

// Rows of `table` in the database at `path`, or -1 when it cannot be read.
int64_t CountRows(const std::string& path, const char* table) {
  sqlite3* db = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    const std::string sql = std::string("SELECT count(*) FROM ") + table;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

// Per iteration: opens a store in a fresh directory (not timed), calls add(store) to hand it
// `rows` rows, finishes and closes it (timed), and removes the directory (not timed). After
// the first iteration, checks that every table of `expected` holds its rows.
template <class Add>
void RunStore(benchmark::State& state, size_t rows, std::vector<Expected> expected, Add add) {
  const model::RunReport report = BenchReport(2 * rows + 1);
  const std::string summary = SummaryJson(report);  // made before Finish, as run.cpp makes it
  double open_s = 0;
  bool checked = false;
  for (auto _ : state) {
    state.PauseTiming();
    ScratchDir dir;
    if (dir.path().empty()) {
      state.SkipWithError("cannot make a temporary directory");
      break;
    }
    const std::string path = dir.path() + "/quaywatch.sqlite";
    const auto opening = Clock::now();
    auto store = SqliteStore::Create(path);
    open_s += std::chrono::duration<double>(Clock::now() - opening).count();
    if (!store) {
      state.SkipWithError(store.error().message.c_str());
      break;
    }
    state.ResumeTiming();
    core::Status s = add(**store);
    if (s) s = (*store)->Finish(report, summary);
    (*store).reset();  // closes: joins the writer and the thread removing a retired file
    state.PauseTiming();
    if (!s) {
      state.SkipWithError(s.message().c_str());
      break;
    }
    if (!checked) {
      std::string missing;
      for (const Expected& e : expected) {
        if (CountRows(path, e.table) != e.rows) missing = e.table;
      }
      if (!missing.empty()) {
        state.SkipWithError((missing + " does not hold the rows added").c_str());
        break;
      }
      checked = true;
    }
    dir.Remove();
    state.ResumeTiming();
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(rows));
  state.counters["open_ms"] = iterations > 0 ? 1e3 * open_s / iterations : 0;
  if (rows > 0) {
    state.counters["per_row"] = benchmark::Counter(
        static_cast<double>(rows),
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  }
}

// A store given no rows: the fixed cost of finishing and closing one.
void BM_StoreEmpty(benchmark::State& state) {
  RunStore(state, 0, {{"runs", 1}, {"flows", 0}}, [](SqliteStore&) { return core::Status(); });
}
BENCHMARK(BM_StoreEmpty)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// Flow records of a port terminal's mix: PLC polls, DNS, HTTPS and HTTP, TCP and UDP.
std::vector<model::FlowRecord> MakeFlows(size_t n) {
  struct Service {
    uint8_t proto;
    uint16_t port;
    const char* protocol;
  };
  static constexpr Service kServices[] = {
      {6, 502, "modbus"}, {6, 102, "s7comm"}, {6, 44818, "enip"}, {17, 53, "dns"},
      {6, 443, "tls"},    {6, 80, "http"},    {17, 123, "ntp"},   {6, 22, "ssh"},
      {6, 8080, ""},      {17, 161, "snmp"}};
  static constexpr const char* kZones[] = {"business-it", "rcms", "crane-control", "external"};
  static constexpr const char* kStates[] = {"closed", "closed", "closed", "reset", "established"};
  static constexpr const char* kEnds[] = {"closed", "idle-timeout", "end-of-input"};
  Spread spread;
  std::vector<model::FlowRecord> flows(n);
  for (size_t i = 0; i < n; ++i) {
    model::FlowRecord& f = flows[i];
    const Service& s = kServices[spread.Below(std::size(kServices))];
    const uint32_t client = spread.Below(400), server = spread.Below(60);
    f.first_frame = 3 * i + 1;
    f.id = f.first_frame;  // capture 0: capture_index << 40 | first_frame
    f.proto = s.proto;
    f.vlan = s.proto == 6 ? 501 : 10;
    f.initiator_ip = V4(10, 40 + client / 200, client / 100 % 2, 10 + client % 100).ToString();
    f.responder_ip = s.port == 443 ? V4(203, 0, 113, 1 + server).ToString()
                                   : V4(10, 50, 1, 10 + server).ToString();
    f.initiator_mac = Mac(client).ToString();
    f.responder_mac = Mac(0x8000 + server).ToString();
    f.initiator_port = static_cast<uint16_t>(49152 + spread.Below(16000));
    f.responder_port = s.port;
    f.protocol = s.protocol;
    f.initiator_zone = kZones[client % 3];
    f.responder_zone = kZones[s.port == 443 ? 3 : 2];
    f.midstream = spread.Below(50) == 0;
    if (s.proto == 6) f.tcp_state = kStates[spread.Below(std::size(kStates))];
    f.end_reason = kEnds[spread.Below(std::size(kEnds))];
    f.first_ts = At(i, 5);
    f.last_ts = core::Timestamp{f.first_ts.ns + int64_t{spread.Below(600'000)} * 1'000'000};
    f.packets_from_initiator = 1 + spread.Below(2000);
    f.packets_from_responder = spread.Below(2000);
    f.bytes_from_initiator = f.packets_from_initiator * (60 + spread.Below(1400));
    f.bytes_from_responder = f.packets_from_responder * (60 + spread.Below(1400));
  }
  return flows;
}

// kRows flow records.
void BM_StoreFlows(benchmark::State& state) {
  const std::vector<model::FlowRecord> flows = MakeFlows(kRows);
  RunStore(state, flows.size(), {{"flows", static_cast<int64_t>(flows.size())}},
           [&](SqliteStore& store) {
             for (const auto& f : flows) {
               if (auto s = store.AddFlow(f); !s) return s;
             }
             return core::Status();
           });
}
BENCHMARK(BM_StoreFlows)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// Flows that industrial masters poll devices over.
constexpr uint64_t kPollFlows = 40;

// What one operation of a poll asks.
struct PollRead {
  uint32_t function_code;
  const char* function;
  const char* target;
};

// Operations of kPollFlows masters polling their PLCs in turn (Modbus and S7comm, four reads
// each, a write now and then and an exception rarely), or, with `distinct`, each naming a
// target of its own: a new ics_operation_runs row per operation, the store's worst case.
std::vector<dissect::IcsOperation> MakeOperations(size_t n, bool distinct) {
  static constexpr PollRead kModbusReads[] = {{3, "read-holding-registers", "unit 1 hr 0+10"},
                                              {3, "read-holding-registers", "unit 1 hr 100+20"},
                                              {1, "read-coils", "unit 1 coils 0+16"},
                                              {4, "read-input-registers", "unit 1 ir 0+8"}};
  static constexpr PollRead kS7Reads[] = {{4, "read-var", "DB1.DBX 0.0 BYTE x64"},
                                          {4, "read-var", "DB2.DBX 0.0 BYTE x32"},
                                          {4, "read-var", "M 0.0 BYTE x16"},
                                          {4, "read-var", "I 0.0 BYTE x8"}};
  std::vector<dissect::IcsOperation> ops(n);
  for (size_t i = 0; i < n; ++i) {
    dissect::IcsOperation& op = ops[i];
    const uint64_t flow = i % kPollFlows;
    const bool modbus = flow % 2 == 0;
    const PollRead& read = (modbus ? kModbusReads : kS7Reads)[i / kPollFlows % 4];
    op.protocol = modbus ? "modbus" : "s7comm";
    op.function_code = read.function_code;
    op.function = read.function;
    op.category = dissect::IcsCategory::kRead;
    op.target.Append(read.target);
    op.result.Append("ok");
    if (i % 97 == 0) {  // a setpoint written
      op.function_code = modbus ? 6 : 5;
      op.function = modbus ? "write-single-register" : "write-var";
      op.category = dissect::IcsCategory::kWrite;
      op.target.Clear();
      op.target.Append(modbus ? "unit 1 hr 40" : "DB10.DBX 4.0 WORD x1");
    } else if (i % 211 == 0 && modbus) {
      op.result.Clear();
      op.result.Append("exception 2 illegal-data-address");
    }
    if (distinct) op.target.Append(" #").AppendUint(i);
    op.where.flow_id = 1000 + flow;
    op.where.transport = 6;
    op.where.requester_is_initiator = true;
    op.where.vlan = 501;
    op.where.requester_ip = V4(10, 40, 0, static_cast<uint32_t>(5 + flow % 4));
    op.where.device_ip = V4(10, 50, 1, static_cast<uint32_t>(10 + flow));
    op.where.requester_port = static_cast<uint16_t>(40000 + flow);
    op.where.device_port = modbus ? 502 : 102;
    op.where.requester_mac = Mac(static_cast<uint32_t>(flow % 4));
    op.where.device_mac = Mac(static_cast<uint32_t>(0x8000 + flow));
    op.request_frame = 2 * i + 10;
    op.response_frame = op.request_frame + 1;
    op.ts = At(i, 25);
  }
  return ops;
}

// kRows operations of a poll (arg 0), or kRows operations each of its own run (arg 1); each
// poll flow ends after its last operation, as when the capture ends.
void BM_StoreIcsOperations(benchmark::State& state) {
  const std::vector<dissect::IcsOperation> ops = MakeOperations(kRows, state.range(0) != 0);
  RunStore(state, ops.size(), {{"ics_operations", static_cast<int64_t>(ops.size())}},
           [&](SqliteStore& store) {
             for (const auto& op : ops) {
               if (auto s = store.AddIcsOperation(op); !s) return s;
             }
             for (uint64_t flow = 0; flow < kPollFlows; ++flow) {
               if (auto s = store.EndFlowOperations(1000 + flow); !s) return s;
             }
             return core::Status();
           });
}
BENCHMARK(BM_StoreIcsOperations)
    ->ArgName("distinct")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// DNS responses as a resolver sends them to the terminal's hosts, each a question and two
// answers (a CNAME and its address), with the records each message views.
struct DnsMessages {
  std::vector<dissect::DnsObservation> messages;
  std::vector<std::array<dissect::DnsRecordObservation, 2>> records;
};

// `n` DNS responses over a few hundred names.
DnsMessages MakeDns(size_t n) {
  static constexpr const char* kZones[] = {"crane.port.example", "rcms.port.example",
                                           "vendor-updates.example", "logistics.example"};
  Spread spread;
  DnsMessages out;
  out.messages.resize(n);
  out.records.resize(n);
  for (size_t i = 0; i < n; ++i) {
    dissect::DnsObservation& m = out.messages[i];
    const uint32_t name = spread.Below(300), client = spread.Below(400);
    m.protocol = "dns";
    m.frame = 2 * i + 2;
    m.query_frame = m.frame - 1;
    m.ts = At(i, 10);
    m.flow_id = 1 + i / 2;
    m.transport = 17;
    m.src_ip = V4(10, 10, 0, 53);
    m.dst_ip = V4(10, 40 + client / 200, client / 100 % 2, 10 + client % 100);
    m.src_port = 53;
    m.dst_port = static_cast<uint16_t>(49152 + spread.Below(16000));
    m.src_mac = Mac(0x9000);
    m.dst_mac = Mac(client);
    m.id = static_cast<uint16_t>(spread.Below(65536));
    m.flags = 0x8180;  // response, RD, RA, NOERROR
    m.qdcount = 1;
    m.ancount = 2;
    m.has_question = true;
    m.qname.Append("host-").AppendUint(name).Append('.').Append(kZones[name % 4]);
    m.qtype = 1;
    m.qclass = 1;
    auto& r = out.records[i];
    r[0].type = 5;  // CNAME
    r[0].rclass = 1;
    r[0].ttl = 300;
    r[0].name = m.qname;
    r[0].data.Append("edge-").AppendUint(name % 40).Append(".cdn.example");
    r[1].type = 1;  // A
    r[1].rclass = 1;
    r[1].ttl = 60;
    r[1].name = r[0].data;
    r[1].data.Append("203.0.113.").AppendUint(1 + name % 200);
    m.records = r;
  }
  return out;
}

// kRows DNS messages of two answer records each.
void BM_StoreDns(benchmark::State& state) {
  const DnsMessages dns = MakeDns(kRows);
  const auto n = static_cast<int64_t>(dns.messages.size());
  RunStore(state, dns.messages.size(), {{"dns_messages", n}, {"dns_records", 2 * n}},
           [&](SqliteStore& store) {
             for (const auto& m : dns.messages) {
               if (auto s = store.AddDns(m); !s) return s;
             }
             return core::Status();
           });
}
BENCHMARK(BM_StoreDns)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// TLS handshakes of the terminal's hosts with outside services: mostly TLS 1.3 (no
// certificate in clear), one in five TLS 1.2 with the server's certificate.
std::vector<dissect::TlsObservation> MakeTls(size_t n) {
  static constexpr const char* kServers[] = {"portal.logistics.example", "api.vendor.example",
                                             "updates.vendor.example", "tos.terminal.example",
                                             "login.cloud.example"};
  Spread spread;
  std::vector<dissect::TlsObservation> sessions(n);
  for (size_t i = 0; i < n; ++i) {
    dissect::TlsObservation& t = sessions[i];
    const uint32_t client = spread.Below(400), server = spread.Below(200);
    const bool tls12 = spread.Below(5) == 0;
    t.flow_id = 1000 + i;  // a session per flow: the table's key
    t.client_ip = V4(10, 40 + client / 200, client / 100 % 2, 10 + client % 100);
    t.server_ip = V4(203, 0, 113, 1 + server % 200);
    t.client_port = static_cast<uint16_t>(49152 + spread.Below(16000));
    t.server_port = 443;
    t.client_mac = Mac(client);
    t.server_mac = Mac(0x9001);
    t.client_hello_frame = 3 * i + 4;
    t.server_hello_frame = t.client_hello_frame + 1;
    t.ts = At(i, 20);
    t.client_version = 0x0303;
    t.offered_version = tls12 ? 0x0303 : 0x0304;
    t.server_version = tls12 ? 0x0303 : 0x0304;
    t.cipher = tls12 ? 0xc02f : 0x1301;
    t.sni.Append(kServers[server % 5]);
    t.alpn_offered.Append("h2,http/1.1");
    t.alpn_chosen.Append("h2");
    t.versions_offered.Append(tls12 ? "0x0303" : "0x0304,0x0303");
    t.ciphers_offered.Append(
        "1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035");
    t.ja3.Append(tls12 ? "c12f54a3f91dc7bafd92cb59fe009a35" : "bd9c99b3a0f752c3ab8b052a79e9de3e");
    t.ja3s.Append(tls12 ? "ba1b42efc7dc57bb43bf81de59791c1b" : "c253ec3ad88e42f8da4032682892f9a0");
    t.ja4.Append(tls12 ? "t12d1510h2_0a1fbf8d6d8e_6a8f1dfb5c01"
                       : "t13d1516h2_8daaf6152771_e5627efa2ab1");
    if (tls12) {
      t.has_certificate = true;
      t.subject.Append("CN=").Append(kServers[server % 5]);
      t.issuer.Append("CN=Example Issuing CA 2, O=Example Trust, C=US");
      t.not_before.Append("2024-01-15T00:00:00Z");
      t.not_after.Append("2025-01-14T23:59:59Z");
    }
  }
  return sessions;
}

// kRows TLS sessions.
void BM_StoreTls(benchmark::State& state) {
  const std::vector<dissect::TlsObservation> sessions = MakeTls(kRows);
  RunStore(state, sessions.size(), {{"tls_sessions", static_cast<int64_t>(sessions.size())}},
           [&](SqliteStore& store) {
             for (const auto& t : sessions) {
               if (auto s = store.AddTls(t); !s) return s;
             }
             return core::Status();
           });
}
BENCHMARK(BM_StoreTls)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// HTTP exchanges of operators' browsers and scripts with cameras and crane web servers, two
// per keep-alive flow.
std::vector<dissect::HttpObservation> MakeHttp(size_t n) {
  // User agents of tests/dissect/http and src/simulate's browser.
  static constexpr const char* kAgents[] = {
      ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0"),
      "Wget/1.14 (darwin12.2.0)", "curl/7.29.0"};
  Spread spread;
  std::vector<dissect::HttpObservation> exchanges(n);
  for (size_t i = 0; i < n; ++i) {
    dissect::HttpObservation& h = exchanges[i];
    const uint32_t client = spread.Below(400), server = spread.Below(50);
    const bool camera = server < 20;
    h.protocol = "http";
    h.flow_id = 1 + i / 2;
    h.request_frame = 4 * i + 4;
    h.response_frame = h.request_frame + 2;
    h.ts = At(i, 30);
    h.client_ip = V4(10, 40 + client / 200, client / 100 % 2, 10 + client % 100);
    h.server_ip = V4(10, 30, 1, 10 + server);
    h.client_port = static_cast<uint16_t>(49152 + spread.Below(16000));
    h.server_port = 80;
    h.client_mac = Mac(client);
    h.server_mac = Mac(0xa000 + server);
    const bool post = spread.Below(10) == 0;
    h.method.Append(post ? "POST" : "GET");
    if (camera) {
      h.uri.Append("/cgi-bin/snapshot.cgi?channel=").AppendUint(1 + spread.Below(4));
    } else {
      h.uri.Append("/api/v1/cranes/").AppendUint(server).Append(post ? "/setpoints" : "/status");
    }
    h.host.Append("10.30.1.").AppendUint(10 + server);
    h.user_agent.Append(kAgents[spread.Below(std::size(kAgents))]);
    h.status = spread.Below(20) == 0 ? 404 : 200;
    h.server.Append(camera ? "Hikvision-Webs" : "nginx");
    h.content_type.Append(camera ? "image/jpeg" : "application/json");
    h.request_body_bytes = post ? 64 + spread.Below(512) : 0;
    h.response_body_bytes = camera ? 40'000 + spread.Below(80'000) : 200 + spread.Below(2000);
    if (camera) h.file_name.Append("snapshot.cgi");
  }
  return exchanges;
}

// kRows HTTP exchanges.
void BM_StoreHttp(benchmark::State& state) {
  const std::vector<dissect::HttpObservation> exchanges = MakeHttp(kRows);
  RunStore(state, exchanges.size(), {{"http_exchanges", static_cast<int64_t>(exchanges.size())}},
           [&](SqliteStore& store) {
             for (const auto& h : exchanges) {
               if (auto s = store.AddHttp(h); !s) return s;
             }
             return core::Status();
           });
}
BENCHMARK(BM_StoreHttp)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
}  // namespace qw::output

BENCHMARK_MAIN();
