// quaywatch.sqlite: the embedded store of ../shared/DESIGN.md (tables runs, assets,
// asset_addresses, flows, ics_operations, findings). Built under a temporary name and
// renamed into place by Finish(). The schema evolves by numbered migrations recorded in
// PRAGMA user_version, never by a silent rebuild.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "dissect/observation.h"
#include "model/run_report.h"

struct sqlite3;
struct sqlite3_stmt;

namespace qw::output {

/// Writes one run into a new quaywatch.sqlite.
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
  /// The row id of an operation: capture, frame and sequence, stable whatever the thread
  /// count.
  static uint64_t OperationId(const dissect::IcsOperation& op);
  /// Writes the run's summary, assets and addresses, commits, closes and renames.
  core::Status Finish(const model::RunReport& report, const std::string& summary_json);

  /// The schema version this build writes.
  static int SchemaVersion();

 private:
  SqliteStore(std::string path, sqlite3* db);
  core::Status Exec(const char* sql);
  core::Status FlushFlows();
  core::Status FlushOperations();
  core::Status Error(const std::string& what) const;

  std::string path_;
  sqlite3* db_;
  sqlite3_stmt* insert_flow_ = nullptr;
  sqlite3_stmt* insert_op_ = nullptr;
  std::vector<model::FlowRecord> pending_;
  std::vector<dissect::IcsOperation> pending_ops_;
};

}  // namespace qw::output
