// quaywatch.sqlite: the embedded store of ../shared/DESIGN.md (tables runs, assets,
// asset_addresses, flows, findings, and ics_operations: a view over ics_endpoints since
// schema 3 and over ics_operation_runs since schema 10), with what the IT protocols said:
// dns_messages and dns_records (schema 4), dhcp_messages (5), tls_sessions (6),
// remote_access_sessions and the remote_access view (7), file_transfers and the remote-access
// security column (8), http_exchanges and snmp_messages (9), operations stored by run (10),
// flows' zones (11), the policy's zones and conduits (12), plc_blocks (13). Built
// under a temporary name and renamed into place by Finish(). The schema evolves by numbered
// migrations recorded in PRAGMA user_version, never by a silent rebuild.
#pragma once

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/address.h"
#include "core/fixed_text.h"
#include "core/result.h"
#include "core/timestamp.h"
#include "dissect/observation.h"
#include "model/run_report.h"
#include "output/row_binder.h"
#include "policy/findings.h"

struct sqlite3;
struct sqlite3_stmt;

namespace qw::output {

/// Writes one run into a new quaywatch.sqlite. Rows of flows and operations are gathered in
/// batches and written by a thread of the store's own, so that the analysis does not wait
/// for SQLite; batches are small and a bounded number wait for it, which bounds the memory
/// they take. Not thread-safe: callers serialise Add* and Finish.
class SqliteStore {
 public:
  ~SqliteStore();
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  /// Creates `path` + ".tmp", applies every migration and opens run 1.
  static core::Result<std::unique_ptr<SqliteStore>> Create(const std::string& path);
  /// Queues one ended flow; rows are written in batches inside transactions.
  core::Status AddFlow(const model::FlowRecord& flow);
  /// Queues one industrial operation; rows are written in batches inside transactions.
  core::Status AddIcsOperation(const dissect::IcsOperation& op);
  /// Says that the flow `flow_id` (a FlowRecord id) and its dissector have ended: no more
  /// operations come over it, so the runs its operations gather in are written now rather
  /// than held to the end (a master that connects for every poll opens a flow, and runs, per
  /// poll).
  core::Status EndFlowOperations(uint64_t flow_id);
  /// Bounds the memory of runs still gathering operations (64 MiB unless set); past it they
  /// are written as they stand. For tests and small sensors; call before the first operation.
  void SetOpenRunLimit(size_t bytes) { open_run_limit_ = bytes; }
  /// The most runs that gathered operations at once; read after Finish (writer thread's).
  size_t PeakOpenRuns() const { return peak_open_runs_; }
  /// The row id of an operation: capture, frame and sequence, stable whatever the thread
  /// count.
  static uint64_t OperationId(const dissect::IcsOperation& op);
  /// The id an operation has when it is the first of its frame: what the ics_operations
  /// view gives an operation whose stored array has no id of its own.
  static uint64_t PlainOperationId(const dissect::IcsOperation& op);
  /// A time in whole microseconds since 1970, rounded down as ISO 8601 texts show it.
  static int64_t FloorMicros(core::Timestamp t);
  /// Queues one DNS, mDNS or LLMNR message and its records.
  core::Status AddDns(const dissect::DnsObservation& msg);
  /// Queues one remote-access session.
  core::Status AddRemoteAccess(const dissect::RemoteAccessObservation& session);
  /// Queues one file transfer.
  core::Status AddFileTransfer(const dissect::FileTransferObservation& transfer);
  /// The row id of a file transfer: capture, request frame and sequence.
  static uint64_t FileTransferId(const dissect::FileTransferObservation& transfer);
  /// Queues one HTTP or RTSP exchange.
  core::Status AddHttp(const dissect::HttpObservation& exchange);
  /// Queues one SNMP message or request/response pair.
  core::Status AddSnmp(const dissect::SnmpObservation& msg);
  /// Queues one TLS handshake.
  core::Status AddTls(const dissect::TlsObservation& hs);
  /// Queues one DHCP or DHCPv6 message.
  core::Status AddDhcp(const dissect::DhcpObservation& msg);
  /// The row id of a DNS message: capture, frame and sequence.
  static uint64_t DnsMessageId(const dissect::DnsObservation& msg);
  /// Writes the run's summary, assets and addresses, commits, closes and renames.
  core::Status Finish(const model::RunReport& report, const std::string& summary_json,
                      const policy::PolicyOutcome* policy = nullptr);

  /// The schema version this build writes.
  static int SchemaVersion();
  /// Brings an open database from its PRAGMA user_version up to `to_version` (at most
  /// SchemaVersion()), one migration at a time.
  static core::Status Migrate(sqlite3* db, int to_version);

 private:
  SqliteStore(std::string path, sqlite3* db);
  core::Status Exec(const char* sql);
  /// Drops the schema's secondary indexes, keeping their definitions for BuildIndexes: one
  /// sort of a finished table costs less than keeping an index in order through each insert.
  core::Status DeferIndexes();
  /// Creates the indexes DeferIndexes dropped, as the migrations defined them.
  core::Status BuildIndexes();
  /// Finalizes every prepared statement (before closing the connection).
  void FinalizeStatements();
  // One record of a DNS message; its name and data are in its batch's DnsText.
  struct DnsRecordRow {
    uint8_t section = 1;
    uint16_t type = 0, rclass = 0;
    uint32_t ttl = 0;
    uint32_t name_at = 0, name_len = 0, data_at = 0, data_len = 0;  // in DnsText::text
  };
  // One DNS message, compact (an observation is kilobytes of fixed room); its question name
  // and its records are in its batch's DnsText, so that a row owns no memory of its own.
  struct DnsRow {
    uint64_t id = 0;
    const char* protocol = "";
    uint32_t capture_index = 0;
    uint64_t frame = 0, flow_id = 0, query_frame = 0;
    core::Timestamp ts;
    uint8_t transport = 17;
    core::IpAddr src_ip, dst_ip;
    uint16_t src_port = 0, dst_port = 0;
    core::MacAddr src_mac;
    uint16_t dns_id = 0, flags = 0, qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
    bool has_question = false, malformed = false;
    uint32_t qname_at = 0, qname_len = 0;  // in DnsText::text
    uint16_t qtype = 0, qclass = 0;
    uint32_t records_at = 0, records_count = 0;  // in DnsText::records
  };
  // The names, record data and records of one batch of DNS rows. Its room returns with the
  // batch and is reused: storing a DNS message allocates nothing once the room has grown.
  struct DnsText {
    std::string text;
    std::vector<DnsRecordRow> records;
    /// Appends `v` to text; its offset.
    uint32_t Add(std::string_view v) {
      const auto at = static_cast<uint32_t>(text.size());
      text.append(v);
      return at;
    }
    /// The `len` octets of text at `at`.
    std::string_view View(uint32_t at, uint32_t len) const {
      return std::string_view(text).substr(at, len);
    }
    void clear() {
      text.clear();
      records.clear();
    }
  };
  // What the rows of other tables carry beside them: nothing.
  struct NoText {
    void clear() {}
  };
  // A batch for the writer thread: writes its rows into their table when run.
  using Job = std::function<core::Status()>;
  // The room of one batch. Small batches stay in cache while they fill, and their memory,
  // touched once, is reused; large rows (TLS, HTTP) come in batches of fewer rows.
  static constexpr size_t kBatchBytes = 512 * 1024;
  // Rows per batch at most, whatever their size: DNS messages own their records on the
  // heap, beyond what kBatchBytes counts (every other row is large enough that the bytes
  // bound first).
  static constexpr size_t kMaxBatchRows = 2'000;
  // DNS messages one INSERT statement takes, when they can go together (InsertableTogether).
  static constexpr size_t kDnsMessagesPerInsert = 16;
  // DNS records one INSERT statement takes.
  static constexpr size_t kDnsRecordsPerInsert = 32;
  // Rows of one table gathered on the analysis thread until a batch is full.
  template <class Row>
  struct Queue {
    /// The memory a batch of these rows keeps their text in, if they keep it outside.
    using Text = std::conditional_t<std::is_same_v<Row, DnsRow>, DnsText, NoText>;
    /// What writes a batch of this table's rows (and their text).
    using Writer = std::conditional_t<std::is_same_v<Text, NoText>,
                                      core::Status (SqliteStore::*)(std::vector<Row>&),
                                      core::Status (SqliteStore::*)(std::vector<Row>&, Text&)>;
    /// `w` writes a batch of this table's rows.
    explicit Queue(Writer w)
        : batch(std::clamp<size_t>(kBatchBytes / sizeof(Row), 1, kMaxBatchRows)), write(w) {}
    std::vector<Row> rows;
    Text text;
    size_t batch;
    Writer write;
    // Emptied batches back from the writer (under mu_), reused so that a batch's room is
    // not mapped and faulted in afresh each time.
    std::vector<std::pair<std::vector<Row>, Text>> spare;
  };
  /// Adds a row to its queue (copied once, or moved); a full queue becomes a batch for the
  /// writer.
  template <class Row, class From>
  core::Status Push(Queue<Row>& q, From&& row);
  /// Hands what a queue holds to the writer as one batch.
  template <class Row>
  core::Status Flush(Queue<Row>& q);
  core::Status WriteRemoteAccess(std::vector<dissect::RemoteAccessObservation>& batch);
  core::Status WriteTls(std::vector<dissect::TlsObservation>& batch);
  core::Status WriteFileTransfers(std::vector<dissect::FileTransferObservation>& batch);
  core::Status WriteHttp(std::vector<dissect::HttpObservation>& batch);
  core::Status WriteSnmp(std::vector<dissect::SnmpObservation>& batch);
  /// Writes a batch of rows keyed on (capture, frame, sequence) with `insert`, whose first
  /// parameter is the id; bind(binder, row) binds the rest. Writer thread only.
  template <class Row, class Bind>
  core::Status WriteKeyed(std::vector<Row>& batch, BoundStatement& insert, const char* what,
                          uint64_t (*id_of)(const Row&), Bind&& bind);
  core::Status WriteDns(std::vector<DnsRow>& batch, DnsText& text);
  core::Status WriteDhcp(std::vector<dissect::DhcpObservation>& batch);
  core::Status WriteFlows(std::vector<model::FlowRecord>& batch);
  core::Status WriteOperations(std::vector<dissect::IcsOperation>& batch);
  core::Status Error(const std::string& what) const;
  /// Hands a batch to the writer (waiting while the queue is full); the writer's error, if any.
  core::Status Submit(Job job);
  /// Waits until the writer wrote everything submitted and stops it; its error, if any.
  core::Status StopWriter();
  void WriterLoop();
  /// The ics_endpoints id of an operation: its flow's, or its own when it has no flow.
  static int64_t EndpointsId(const dissect::IcsOperation& op);
  /// Adds the ics_endpoints row `id` unless there is one (writer thread only).
  core::Status WriteEndpoints(int64_t id, const dissect::OpEndpoints& w);

  std::string path_;
  sqlite3* db_;
  // The INSERTs of each table, used by the writer only.
  BoundStatement flow_insert_, op_insert_, endpoints_insert_;
  BoundStatement dns_insert_, dns_record_insert_;
  BoundStatement dns_many_insert_;         // kDnsMessagesPerInsert rows at once
  BoundStatement dns_record_many_insert_;  // kDnsRecordsPerInsert rows at once
  BoundStatement dhcp_insert_, tls_insert_, remote_insert_, transfer_insert_, http_insert_;
  BoundStatement snmp_insert_;
  // A record of a stored message, waiting for a statement's worth of others.
  struct PendingRecord {
    uint64_t message_id = 0;
    uint32_t position = 0;  // in its message
    uint32_t index = 0;     // in its batch's DnsText::records
  };
  std::vector<PendingRecord> dns_pending_records_;  // writer only
  // The texts a DNS message's row binds from its own buffers, one set per row of a
  // statement: they must all live until it runs.
  struct DnsRowText {
    core::Iso8601Text ts;
    std::array<char, core::IpAddr::kMaxText> src, dst;
    std::array<char, core::MacAddr::kText> mac;
  };
  std::array<DnsRowText, kDnsMessagesPerInsert> dns_row_text_;  // writer only
  uint64_t dns_max_id_ = 0;  // the highest id among the DNS messages stored, writer only
  // Binds one DNS message's row as the next parameters of `b`, formatting into `own`.
  void BindDnsMessage(RowBinder& b, const DnsRow& m, const DnsText& text_of, DnsRowText& own);
  // True when `rows` can share one INSERT: their ids rise above every stored one, and no
  // NOT NULL column of theirs would be empty.
  bool InsertableTogether(std::span<const DnsRow> rows) const;
  Queue<model::FlowRecord> flows_;
  Queue<dissect::IcsOperation> ops_;
  Queue<DnsRow> dns_;
  Queue<dissect::DhcpObservation> dhcp_;
  Queue<dissect::TlsObservation> tls_;
  Queue<dissect::RemoteAccessObservation> remote_;
  Queue<dissect::FileTransferObservation> transfers_;
  Queue<dissect::HttpObservation> http_;
  Queue<dissect::SnmpObservation> snmp_;

  // What the operations of one run share (the columns of an ics_operation_runs row).
  struct RunKey {
    int64_t endpoints;
    uint32_t capture_index;
    const char* protocol;
    uint32_t function_code;
    const char* function;
    dissect::IcsCategory category;
    std::string_view target, result;
    bool operator==(const RunKey& o) const;
  };
  struct RunKeyHash {
    size_t operator()(const RunKey& k) const;
  };
  // The JSON text of a run's operations, grown by doubling and written in place: an
  // operation's entry costs its digits, not a string append's checks and copies.
  class RunJson {
   public:
    /// Room for `n` more characters at the end; Commit says how many were written.
    char* Room(size_t n) { return capacity_ - size_ >= n ? data_.get() + size_ : Grow(n); }
    /// Adds the `n` characters written into the last Room.
    void Commit(size_t n) { size_ += n; }
    /// The text so far.
    std::string_view view() const { return {data_.get(), size_}; }
    /// Characters written so far.
    size_t size() const { return size_; }
    /// Characters the buffer holds room for.
    size_t capacity() const { return capacity_; }

   private:
    // Moves the text to a buffer with room for `n` more; returns where they go.
    char* Grow(size_t n);
    std::unique_ptr<char[]> data_;
    size_t size_ = 0, capacity_ = 0;
  };
  // A run being gathered: what its operations share (owned; the map's key views it), its
  // first operation's id, and the JSON array of its operations so far.
  struct OperationRun {
    std::string target, result;
    const char* protocol = "";
    const char* function = "";
    uint32_t function_code = 0;
    dissect::IcsCategory category = dissect::IcsCategory::kOther;
    int64_t endpoints = 0;
    dissect::OpEndpoints where;
    uint64_t id = 0;
    uint64_t first_frame = 0;      // its first operation's request frame, else response frame
    core::FixedText<32> first_ts;  // its first operation's time
    int64_t first_us = 0;          // the same, in microseconds since 1970, as first_ts shows it
    uint64_t count = 0;
    size_t charged = 0;  // the memory this run is counted for in open_run_bytes_
    RunJson json;
    /// True when `op`, from the flow side `endpoints`, belongs to this run.
    bool Takes(int64_t endpoints, const dissect::IcsOperation& op) const;
  };
  // Appends one operation of `run` to its JSON as schema 15 writes it: [request frame or
  // null, response frame (after the request frame when there is one) or null, microseconds
  // after the run's first operation, and the id only when it is not the one its capture and
  // frame give]; after a comma unless it is the first.
  static void AppendOperationJson(OperationRun& run, uint64_t id, const dissect::IcsOperation& op);
  // The open run `op` belongs to, if one of the few its flow side used lately: a poll loop
  // repeats a handful of operations, and this spares the run table's hash and look-up.
  OperationRun* CachedRun(int64_t endpoints, const dissect::IcsOperation& op);
  // The key the run table files `run` under (viewing the run's own texts).
  static RunKey KeyOf(const OperationRun& run);
  // Starts the run of `op`, whose id is `id`, and files it in the run table.
  OperationRun* OpenRun(int64_t endpoints, uint64_t id, const dissect::IcsOperation& op);
  // Puts `run` first among its flow side's cached runs.
  void CacheRun(OperationRun* run);
  // Forgets `run` (about to be written and freed) in the cache.
  void UncacheRun(const OperationRun* run);
  // Writes one run as a row of ics_operation_runs (and its endpoints row, unless written).
  core::Status WriteRun(OperationRun& run);
  // The memory `run` takes: itself, its texts, its JSON and its place in the run table.
  static size_t Footprint(const OperationRun& run);
  // Writes `run` and forgets it: out of the cache, the endpoints index and the run table.
  core::Status CloseRun(OperationRun& run);
  // Writes the open runs of both sides of the ended flow `flow_id`, in id order.
  core::Status CloseFlowRuns(uint64_t flow_id);
  // True for the mark EndFlowOperations queues among the operations (it has no protocol).
  static bool IsFlowEnd(const dissect::IcsOperation& op) { return op.protocol == nullptr; }
  // Writes every run still open (at the end, or when they hold too much).
  core::Status WriteOpenRuns();

  // Runs still gathering operations, by what they share. All operations of a key come from
  // one flow, so whatever the threads or batches a run holds the same operations: the next
  // ones of its key in the order their flow emitted them, up to kRunOperations.
  std::unordered_map<RunKey, std::unique_ptr<OperationRun>, RunKeyHash> open_runs_;  // writer
  size_t open_run_bytes_ = 0;                 // writer only: the memory open runs take (Footprint)
  size_t open_run_limit_ = size_t{64} << 20;  // open_run_bytes_ past which all are written
  size_t peak_open_runs_ = 0;                 // writer only: the most runs open at once
  // writer only: the open runs of each flow side (endpoints id), to write when its flow ends.
  std::unordered_map<int64_t, std::vector<OperationRun*>> runs_of_side_;
  // Analysis side: per slot (flow id modulo size), the last flow that had an operation; a flow
  // found here when it ends gets its end marked among the operations. A flow whose slot a
  // later one took is not marked: its runs wait for the end, as every run did before.
  static constexpr size_t kFlowSlots = 4096;
  std::vector<uint64_t> flows_with_ops_;
  // writer only: per endpoints id (modulo size), the open runs it used last, latest first.
  static constexpr size_t kCachedRuns = 8;
  std::vector<std::array<OperationRun*, kCachedRuns>> run_cache_;
  // writer only: per endpoints id (modulo size), the last operation id given out, so that a
  // dissector that numbered two operations of one frame alike costs nothing.
  std::vector<std::pair<int64_t, uint64_t>> last_op_id_;
  std::vector<int64_t> endpoints_written_;     // writer only: endpoints ids, by id modulo size
  std::vector<std::string> deferred_indexes_;  // CREATE INDEX statements, built at Finish
  core::Iso8601Formatter ts_text_;             // writer only
  // An address formatted into a buffer of its own, to bind without allocating.
  struct IpText {
    std::array<char, core::IpAddr::kMaxText> buf{};
    /// Formats `ip` as IpAddr::ToString does and views the text.
    std::string_view Set(const core::IpAddr& ip) { return {buf.data(), ip.Format(buf)}; }
  };
  IpText client_text_, server_text_;  // writer only: the addresses of the row being bound
  std::array<core::FixedText<16>, 3> tls_versions_;  // writer only: a TLS row's version names
  // writer only: a flow row's first and last times (each series of times changes slowly).
  core::Iso8601Formatter flow_first_text_, flow_last_text_;
  std::thread writer_;
  // Removes the earlier run's file that Finish swapped out; joined by the destructor.
  std::thread retired_;
  // Puts the finished temporary file at the final name (see Finish).
  core::Status CommitFile();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;     // guarded by mu_
  bool stopping_ = false;     // guarded by mu_
  std::string writer_error_;  // guarded by mu_: the first failure; later batches are dropped
};

}  // namespace qw::output
