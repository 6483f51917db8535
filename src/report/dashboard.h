// `quaywatch serve`: the local web dashboard over a run's outputs (or a live capture's
// snapshots) and its JSON API. Bound to loopback it answers only requests addressed to
// loopback (a page elsewhere cannot rebind a name to it); bound anywhere else it demands
// the token printed at start, as "Authorization: Bearer TOKEN" or "?token=TOKEN".
//
//   GET /                  the dashboard page (self-contained, polls the API)
//   GET /api/summary       summary.json with counts and a data version
//   GET /api/assets        ?zone= &role= &vendor= &untrusted=1 &q= &offset= &limit=
//   GET /api/findings      ?severity= &type= &zone= &q= &offset= &limit=
//   GET /api/flows         ?zone= &protocol= &ip= &offset= &limit=   (conversations)
//   GET /api/operations    ?zone= &protocol= &category= &ip= &offset= &limit=
//   GET /api/remote_access, /api/file_transfers, /api/plc_blocks   ?zone= &ip= &offset= &limit=
//   GET /api/map           {svg, edges, groups}
// Lists answer {total, offset, limit, items}; limit defaults to 100 and is at most 1000.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "report/report_data.h"

namespace qw::report {

/// Where the dashboard's data comes from: a run's directory, reloaded when its database
/// changes, or snapshots a live capture publishes.
class DataSource {
 public:
  /// Reads DIR now (an error names the file) and keeps watching its database. Past
  /// `limits.assets` devices, it holds the most telling and counts the rest, as the report
  /// and a live capture's snapshots do.
  static core::Result<std::shared_ptr<DataSource>> FromDir(const std::string& dir,
                                                           const ReportLimits& limits = {});
  /// Starts empty; Publish() hands it each snapshot.
  static std::shared_ptr<DataSource> Live();

  /// The current data and its version (bumped by each reload or snapshot).
  std::pair<std::shared_ptr<const ReportData>, uint64_t> Current();
  /// Replaces the data (a live capture's snapshot).
  void Publish(ReportData data);

 private:
  std::mutex mu_;
  std::string dir_;  // empty for a live source
  ReportLimits limits_;
  int64_t mtime_ns_ = 0, size_ = 0;
  std::shared_ptr<const ReportData> data_;
  uint64_t version_ = 0;
};

/// Where to listen and who may ask.
struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8750;    // 0: any free port
  std::string token;  // empty: generated when `host` is not loopback; unused on loopback
};

/// Parses "HOST:PORT", "[V6]:PORT" or "HOST" (port 8750) into `options`; false when malformed.
bool ParseListen(const std::string& text, ServeOptions& options);

/// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(const std::string& host);

/// A fresh random token (128 bits, hex).
std::string NewToken();

/// The JSON API and the page, answerable without a socket (the server calls it; tests too).
class DashboardApi {
 public:
  /// One answer: status, content type and body.
  struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
  };
  explicit DashboardApi(std::shared_ptr<DataSource> source) : source_(std::move(source)) {}
  /// Answers GET `path` with its query parameters.
  Response Get(const std::string& path, const std::map<std::string, std::string>& params);

 private:
  Response Answer(const std::string& path, const std::map<std::string, std::string>& params);
  std::shared_ptr<DataSource> source_;
  std::mutex map_mu_;
  uint64_t map_version_ = ~uint64_t{0};
  std::string map_json_;
};

/// The HTTP server: binds, prints its address (and token) once, serves until Stop().
class DashboardServer {
 public:
  DashboardServer(std::shared_ptr<DataSource> source, ServeOptions options);
  ~DashboardServer();
  /// Binds the socket; an error says why (address in use, bad address).
  core::Status Bind();
  /// The port bound (after Bind()).
  int port() const { return port_; }
  /// The token requests must carry; empty on loopback.
  const std::string& token() const { return options_.token; }
  /// The address to open in a browser, with the token when one is needed.
  std::string Url() const;
  /// Serves until Stop() (from another thread or a signal handler's thread).
  core::Status Run();
  /// Makes Run() return.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ServeOptions options_;
  int port_ = 0;
};

}  // namespace qw::report
