#include "app/run.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "app/integrity_run.h"
#include "app/link_type_counter.h"
#include "app/parallel.h"
#include "capture/capture_file.h"
#include "capture/live_capture.h"
#include "integrity/keys.h"
#include "integrity/manifest.h"
#include "integrity/program_check.h"
#include "model/vendor_db.h"
#include "output/atomic_file.h"
#include "output/block_export.h"
#include "output/json_output.h"
#include "output/sqlite_store.h"
#include "policy/baseline.h"
#include "policy/evaluate.h"
#include "policy/policy.h"
#include "policy/zones.h"
#include "report/dashboard.h"
#include "report/html_report.h"
#include "report/live_snapshot.h"
#include "report/zone_map.h"

namespace qw::app {

namespace {

using Clock = std::chrono::steady_clock;

// Feeds ended flows and observations to the SQLite store and remembers its first error.
// `shared`: shards on several threads call it, and each row is handed over under a lock.
class StoreSink final : public FlowRecordSink {
 public:
  StoreSink(output::SqliteStore& store, bool shared) : store_(store), shared_(shared) {}
  bool OnFlowRecord(const model::FlowRecord& r) override { return Add(&Store::AddFlow, r); }
  bool OnIcsOperation(const dissect::IcsOperation& op) override {
    return Add(&Store::AddIcsOperation, op);
  }
  bool OnFlowDone(uint64_t flow_id) override { return Add(&Store::EndFlowOperations, flow_id); }
  bool OnDns(const dissect::DnsObservation& m) override { return Add(&Store::AddDns, m); }
  bool OnRemoteAccess(const dissect::RemoteAccessObservation& r) override {
    return Add(&Store::AddRemoteAccess, r);
  }
  bool OnTls(const dissect::TlsObservation& hs) override { return Add(&Store::AddTls, hs); }
  bool OnDhcp(const dissect::DhcpObservation& m) override { return Add(&Store::AddDhcp, m); }
  bool OnFileTransfer(const dissect::FileTransferObservation& t) override {
    return Add(&Store::AddFileTransfer, t);
  }
  bool OnHttp(const dissect::HttpObservation& h) override { return Add(&Store::AddHttp, h); }
  bool OnSnmp(const dissect::SnmpObservation& m) override { return Add(&Store::AddSnmp, m); }
  const std::string& error() const { return error_; }

 private:
  using Store = output::SqliteStore;
  // Hands one row to the store (under the lock when shared); false once the store has failed.
  template <class Adder, class Row>
  bool Add(Adder add, const Row& row) {
    std::unique_lock lock(mu_, std::defer_lock);
    if (shared_) lock.lock();
    if (!error_.empty()) return false;
    auto s = std::invoke(add, store_, row);
    if (!s) error_ = s.message();
    return s.ok();
  }

  std::mutex mu_;
  output::SqliteStore& store_;
  const bool shared_;
  std::string error_;
};

// What a run found, from one engine or from the merged shards.
struct Findings {
  model::FrameCounts frames;
  model::FlowCounts flows;
  core::Anomalies anomalies;
  const model::Inventory* inventory = nullptr;
  model::ProtocolCounter protocols;
};

core::Status MakeDirs(const std::string& dir) {
  std::string partial;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      partial = dir.substr(0, i);
      if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
        return core::MakeError(partial + ": " + std::strerror(errno));
      }
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return core::MakeError(dir + ": not a directory");
  }
  return {};
}

int Fail(const std::string& message) {
  fmt::print(stderr, "quaywatch: {}\n", message);
  return 2;
}

// Prints a progress line now and then when stderr is a terminal.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && ::isatty(2)) {}
  void Tick(uint64_t frames, uint64_t bytes) {
    if (!enabled_ || (frames & 0xffff) != 0) return;
    auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    double s = std::chrono::duration<double>(now - start_).count();
    const auto f = static_cast<double>(frames);
    fmt::print(stderr, "\r{} packets, {:.1f} MB, {:.0f} packets/s   ", frames,
               static_cast<double>(bytes) / 1e6, s > 0 ? f / s : 0.0);
  }
  void Done() {
    if (enabled_) fmt::print(stderr, "\n");
  }

 private:
  bool enabled_;
  Clock::time_point start_ = Clock::now(), last_ = Clock::now();
};

// Everything after the frames: inventory, JSON files, the database; prints where they are.
// The IEEE registries, read on a thread of their own while the frames are analysed.
struct LoadedVendors {
  model::VendorDb db;
  std::string warning;
};

std::shared_future<LoadedVendors> LoadVendorsInBackground() {
  return std::async(std::launch::async,
                    [] {
                      LoadedVendors v;
                      v.db.Load(model::VendorDb::DefaultDir(), &v.warning);
                      return v;
                    })
      .share();
}

// The site policy of a run and its zone map, when one was given.
struct LoadedPolicy {
  policy::Policy policy;
  policy::ZoneMap zones;
  explicit LoadedPolicy(policy::Policy p) : policy(std::move(p)), zones(policy) {}
};

// Loads --policy; on an error, `error` holds the one line to print (the first error, with its
// place, and how many more `policy check` would list).
std::unique_ptr<LoadedPolicy> LoadRunPolicy(const std::string& file, std::string& error) {
  if (file.empty()) return nullptr;
  auto loaded = policy::LoadPolicy(file);
  if (!loaded.policy) {
    error = loaded.errors.front().Text();
    if (loaded.errors.size() > 1) {
      error += fmt::format(" (and {} more; 'quaywatch policy check {}' lists them all)",
                           loaded.errors.size() - 1, file);
    }
    return nullptr;
  }
  return std::make_unique<LoadedPolicy>(std::move(*loaded.policy));
}

// What judges a run: the site policy with its zone map, and the baseline, each when given.
struct Judges {
  std::unique_ptr<LoadedPolicy> site;
  std::optional<policy::Baseline> baseline;
  std::optional<integrity::Manifest> blocks;  // --integrity: known-good PLC blocks
};

// Checks --fail-on against --policy and --baseline, loads both into `judges` and points the
// engines' limits at the policy's zones; the one line to print when something is wrong,
// else empty.
std::string PreparePolicy(OutputOptions& options, Judges& judges) {
  if (!options.fail_on.empty() && options.policy_file.empty() && options.baseline_file.empty() &&
      options.integrity_manifest.empty()) {
    return "--fail-on needs --policy, --baseline or --integrity: findings come from the site "
           "policy, the baseline and the manifest of known-good blocks";
  }
  std::string error;
  judges.site = LoadRunPolicy(options.policy_file, error);
  if (!error.empty()) return error;
  if (judges.site) options.limits.zones = &judges.site->zones;
  if (!options.baseline_file.empty()) {
    auto loaded = policy::LoadBaseline(options.baseline_file);
    if (!loaded) return loaded.error().message;
    judges.baseline = std::move(*loaded);
  }
  if (!options.integrity_manifest.empty()) {
    auto key = integrity::LoadPublicKey(TrustedKeyPath(options.integrity_pubkey));
    if (!key) return key.error().message + " (the trusted key of --integrity: --pubkey)";
    auto manifest = integrity::LoadManifest(options.integrity_manifest, *key);
    if (!manifest) return manifest.error().message;
    judges.blocks = std::move(*manifest);
  }
  return {};
}

// The run's counts into `report`, from one engine or the merged shards.
void FillCounts(const Findings& found, model::RunReport& report) {
  report.version = Version();
  report.frame_counts = found.frames;
  report.flow_counts = found.flows;
  report.anomalies = found.anomalies;
  report.protocols = found.protocols.Result();
  for (const auto& [kind, names] : found.protocols.Sessions()) {
    auto& to = kind == "remote_access" ? report.remote_access : report.file_transfers;
    to.insert(names.begin(), names.end());
  }
  // The ledger's caps are counted from the merged ledger, the same whatever the threads.
  const model::PlcBlockLedger& blocks = found.inventory->plc_blocks();
  report.plc_blocks = blocks.blocks();
  if (uint64_t n = blocks.dropped()) report.anomalies.Raise("inventory.too_many_plc_blocks", n);
  if (uint64_t n = blocks.content_dropped()) {
    report.anomalies.Raise("inventory.plc_block_content_dropped", n);
  }
}

// Places the assets in zones and judges them and the communication map by the site policy
// and the baseline; nullopt when neither was given.
std::optional<policy::PolicyOutcome> Judge(const Judges& judges, const OutputOptions& options,
                                           std::vector<model::Asset>& assets,
                                           const model::Communications& comms,
                                           const std::vector<model::PlcBlock>& blocks) {
  const LoadedPolicy* site = judges.site.get();
  if (!site && !judges.baseline && !judges.blocks) return std::nullopt;
  policy::FindingSet findings;
  policy::PolicyOutcome outcome;
  if (site) {
    policy::PlaceAssets(site->zones, assets, findings);
    policy::JudgeAssets(site->zones, assets, findings);
    policy::JudgeSuppliers(site->policy, site->zones, assets, findings);
    policy::JudgeCommunications(site->policy, site->zones, comms, findings);
    policy::JudgeContacts(site->policy, site->zones, assets, comms, findings);
    outcome.file = options.policy_file;
    policy::DescribePolicy(site->policy, outcome);
  }
  if (judges.baseline) {
    policy::JudgeBaseline(*judges.baseline, site ? &site->zones : nullptr, assets, comms, findings);
    outcome.baseline = options.baseline_file;
    outcome.baseline_assets = judges.baseline->assets.size();
    outcome.baseline_communications = judges.baseline->communications.size();
  }
  if (judges.blocks) {
    integrity::ProgramCheckCounts c =
        integrity::CheckProgramBlocks(*judges.blocks, options.integrity_manifest, blocks,
                                      site ? &site->zones : nullptr, findings);
    outcome.integrity_manifest = options.integrity_manifest;
    outcome.integrity = {{"compared", c.compared},       {"matched", c.matched},
                         {"mismatched", c.mismatched},   {"incomplete", c.incomplete},
                         {"not_covered", c.not_covered}, {"duplicates", c.duplicates}};
  }
  outcome.findings = findings.Sorted();
  return outcome;
}

int WriteOutputs(const Findings& found, std::shared_future<LoadedVendors>& vendors,
                 model::RunReport& report, output::SqliteStore& store, const StoreSink& sink,
                 const OutputOptions& options, Clock::time_point start, const Judges& judges) {
  // --timing: how long each stage after the frames took, on stderr.
  auto stage = [&, last = Clock::now()](std::string_view name) mutable {
    if (!options.timing) return;
    const auto now = Clock::now();
    fmt::print(stderr, "quaywatch: {} in {:.3f} s\n", name,
               std::chrono::duration<double>(now - last).count());
    last = now;
  };
  if (!sink.error().empty()) return Fail(sink.error());
  const LoadedVendors& loaded = vendors.get();
  if (!loaded.warning.empty()) fmt::print(stderr, "quaywatch: warning: {}\n", loaded.warning);
  const model::VendorDb& vendor_db = loaded.db;
  FillCounts(found, report);
  report.assets = found.inventory->Finalize(vendor_db);
  std::optional<policy::PolicyOutcome> outcome =
      Judge(judges, options, report.assets, found.inventory->communications(), report.plc_blocks);
  const policy::PolicyOutcome* po = outcome ? &*outcome : nullptr;
  if (options.timing) {
    report.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  }
  std::string summary = output::SummaryJson(report, po);
  stage("inventory and policy");
  // The JSON files need only what is in memory, so they are written beside the finishing
  // of the database (on two CPUs the two overlap: 200,000 spoofed sources took 2.4 s and
  // 2.0 s one after the other). Each reads the report and writes files of its own.
  double json_s = 0;
  // (Launched on a thread of its own; where none can be made, run at json.get().)
  auto json = std::async(std::launch::async | std::launch::deferred, [&]() {
    const auto begin = Clock::now();
    auto s = output::WriteJsonOutputs(report, options.out_dir, po);
    json_s = std::chrono::duration<double>(Clock::now() - begin).count();
    return s;
  });
  const core::Status stored = store.Finish(report, summary, po);
  const core::Status json_written = json.get();
  if (!stored) return Fail(stored.message());
  if (!json_written) return Fail(json_written.message());
  stage(fmt::format(
      "quaywatch.sqlite finished (the JSON outputs, written beside it, took {:.3f} s)", json_s));
  if (options.write_report) {
    if (auto s = report::WriteReport(options.out_dir, ""); !s) return Fail(s.message());
    stage("report.html written");
  }
  if (!options.export_blocks_dir.empty()) {
    size_t written = 0;
    if (auto s = output::ExportBlocks(report.plc_blocks, options.export_blocks_dir, written); !s) {
      return Fail(s.message());
    }
    fmt::print(stderr, "quaywatch: {} PLC block{} written to {}/\n", written,
               written == 1 ? "" : "s", options.export_blocks_dir);
  }
  fmt::print(
      stderr, "quaywatch: {} frames, {} flows, {} assets{}; outputs in {}/\n", report.frames(),
      report.flow_counts.tcp + report.flow_counts.udp + report.flow_counts.other,
      report.assets.size(), po ? fmt::format(", {} findings", po->findings.size()) : std::string(),
      options.out_dir);
  // --fail-on: the outputs are all written; the exit code tells a pipeline what they hold.
  if (po && !options.fail_on.empty()) {
    const policy::Severity bar = *policy::ParseSeverity(options.fail_on);
    size_t at_or_above = 0;
    for (const auto& f : po->findings) at_or_above += f.severity >= bar;
    if (at_or_above > 0) {
      fmt::print(stderr, "quaywatch: {} finding{} at or above {} (--fail-on)\n", at_or_above,
                 at_or_above == 1 ? "" : "s", options.fail_on);
      return 1;
    }
  }
  return 0;
}

capture::LiveCapture* g_live = nullptr;

extern "C" void OnStopSignal(int) {
  if (g_live) g_live->RequestStop();
}

}  // namespace

const char* Version() { return "0.9.18"; }

int RunPolicyCheck(const std::string& file) {
  auto loaded = policy::LoadPolicy(file);
  for (const auto& e : loaded.errors) fmt::print(stderr, "{}\n", e.Text());
  if (!loaded.policy) {
    fmt::print(stderr, "quaywatch: {}: {} error{}\n", file, loaded.errors.size(),
               loaded.errors.size() == 1 ? "" : "s");
    return 2;
  }
  const auto& p = *loaded.policy;
  fmt::print(
      "{}: \"{}\": {} zones, {} conduits, {} untrusted-supplier patterns, {} attributed "
      "devices, {} watchlist entries, {} data-sharing agreements; no errors\n",
      file, p.site, p.zones.size(), p.conduits.size(), p.untrusted_suppliers.size(),
      p.devices.size(), p.watchlist.size(), p.data_sharing.size());
  return 0;
}

namespace {

// Opens every capture before anything is analysed, so that a file that is no capture stops
// the run before any output is touched; the one line to print when one fails, else empty.
std::string OpenCaptures(const std::vector<std::string>& captures,
                         std::vector<std::unique_ptr<capture::CaptureReader>>& readers) {
  for (const auto& path : captures) {
    auto r = capture::OpenCaptureFile(path);
    if (!r) return r.error().message;
    readers.push_back(std::move(r.value()));
  }
  return {};
}

// Reads every capture to its end (or its break, which a warning names) into `analysis`.
void ReadCaptures(ParallelAnalysis& analysis,
                  std::vector<std::unique_ptr<capture::CaptureReader>>& readers,
                  const std::vector<std::string>& captures, const OutputOptions& options,
                  Clock::time_point start, model::RunReport& report) {
  Progress progress(options.progress);
  analysis.SetProgress([&](uint64_t frames, uint64_t bytes) { progress.Tick(frames, bytes); });
  analysis.Run(readers, captures, report);
  progress.Done();
  for (const auto& file : report.files) {
    if (!file.error) continue;
    fmt::print(stderr,
               "quaywatch: warning: {}: record {} at offset {}: {}; analyzed the {} frames "
               "before it\n",
               file.path, file.error->record, file.error->offset, file.error->message, file.frames);
  }
  if (options.timing) {
    fmt::print(stderr, "quaywatch: frames analysed in {:.3f} s\n",
               std::chrono::duration<double>(Clock::now() - start).count());
  }
}

}  // namespace

int RunAnalyze(const std::vector<std::string>& captures, const OutputOptions& given) {
  auto start = Clock::now();
  // While this process has one thread (report/zone_map.h says why); without it, maps are
  // laid out in children forked from here.
  if (given.write_report) (void)report::StartLayoutWorker();
  // A policy or baseline with an error stops the run before anything is read or written.
  OutputOptions options = given;
  Judges judges;
  if (auto error = PreparePolicy(options, judges); !error.empty()) return Fail(error);
  std::vector<std::unique_ptr<capture::CaptureReader>> readers;
  if (auto error = OpenCaptures(captures, readers); !error.empty()) return Fail(error);
  if (auto s = MakeDirs(options.out_dir); !s) return Fail(s.message());
  auto store = output::SqliteStore::Create(options.out_dir + "/quaywatch.sqlite");
  if (!store) return Fail(store.error().message);
  StoreSink sink(**store, options.threads > 1);
  auto vendors = LoadVendorsInBackground();
  ParallelAnalysis analysis(options.threads, options.limits, &sink);
  model::RunReport report;
  ReadCaptures(analysis, readers, captures, options, start, report);
  Findings found{analysis.frame_counts(), analysis.flow_counts(), analysis.anomalies(),
                 &analysis.inventory(), analysis.protocols()};
  return WriteOutputs(found, vendors, report, **store, sink, options, start, judges);
}

int RunLearn(const std::vector<std::string>& captures, const OutputOptions& given,
             const std::string& baseline_out) {
  auto start = Clock::now();
  OutputOptions options = given;
  options.fail_on.clear();
  options.baseline_file.clear();
  Judges judges;
  if (auto error = PreparePolicy(options, judges); !error.empty()) return Fail(error);
  std::vector<std::unique_ptr<capture::CaptureReader>> readers;
  if (auto error = OpenCaptures(captures, readers); !error.empty()) return Fail(error);
  auto vendors = LoadVendorsInBackground();
  ParallelAnalysis analysis(options.threads, options.limits, nullptr);
  model::RunReport report;
  ReadCaptures(analysis, readers, captures, options, start, report);
  const LoadedVendors& loaded = vendors.get();
  if (!loaded.warning.empty()) fmt::print(stderr, "quaywatch: warning: {}\n", loaded.warning);
  std::vector<model::Asset> assets = analysis.inventory().Finalize(loaded.db);
  const policy::ZoneMap* zones = nullptr;
  if (judges.site) {
    policy::FindingSet ignored;  // learning judges nothing; placing fills the assets' zones
    policy::PlaceAssets(judges.site->zones, assets, ignored);
    zones = &judges.site->zones;
  }
  policy::Baseline baseline =
      policy::LearnBaseline(assets, analysis.inventory().communications(), zones);
  baseline.created_by = std::string("quaywatch ") + Version();
  baseline.captures = captures;
  baseline.policy = options.policy_file;
  if (auto s = output::WriteFileAtomically(baseline_out, policy::BaselineText(baseline)); !s) {
    return Fail(s.message());
  }
  fmt::print(stderr, "quaywatch: learnt {} devices and {} communications from {} frames; {}\n",
             baseline.assets.size(), baseline.communications.size(), report.frames(), baseline_out);
  return 0;
}

namespace {

// The dashboard of a live capture: served from its own threads, fed a snapshot of the
// engine now and then by the capture loop.
class LiveDashboard {
 public:
  // Binds `listen`; the one line to print when it cannot, else empty.
  std::string Start(const std::string& listen, const std::string& interface) {
    report::ServeOptions options;
    if (!report::ParseListen(listen, options)) {
      return listen + ": not HOST:PORT (an address of this machine, e.g. 127.0.0.1:8750)";
    }
    source_ = report::DataSource::Live();
    server_ = std::make_unique<report::DashboardServer>(source_, options);
    if (auto s = server_->Bind(); !s) return s.message();
    fmt::print("quaywatch: serving the live capture on {} at {}\n", interface, server_->Url());
    if (!server_->token().empty()) {
      fmt::print("quaywatch: requests must carry the token {} (it is printed only now)\n",
                 server_->token());
    }
    std::fflush(stdout);
    thread_ = std::thread([this] { (void)server_->Run(); });
    return {};
  }
  ~LiveDashboard() {
    if (!server_) return;
    server_->Stop();
    thread_.join();
  }
  bool active() const { return server_ != nullptr; }
  // Publishes what the engine knows now: counts, the inventory, findings so far.
  void Publish(const Engine& engine, model::FileReport file, const LinkTypeCounter& link_types,
               const Judges& judges, const OutputOptions& options,
               std::shared_future<LoadedVendors>& vendors) {
    model::RunReport report;
    link_types.WriteTo(file);
    report.files.push_back(std::move(file));
    Findings found{engine.frame_counts(), engine.flow_counts(), engine.anomalies(),
                   &engine.inventory(), engine.protocols()};
    FillCounts(found, report);
    // Flows still running count as if they ended now: a Modbus poll that runs all day is
    // on the dashboard from its first snapshot.
    auto inventory = engine.InventoryWithLiveFlows();
    report.assets = inventory->Finalize(vendors.get().db);
    const auto& comms = inventory->communications();
    auto outcome = Judge(judges, options, report.assets, comms, report.plc_blocks);
    // Past kMaxAssetsRead devices (spoofed sources), only those that matter most are parsed
    // for the dashboard at each snapshot (ReportLimits' default), as the report does.
    source_->Publish(report::LiveSnapshot(report, outcome ? &*outcome : nullptr, comms,
                                          judges.site ? &judges.site->zones : nullptr));
  }

 private:
  std::shared_ptr<report::DataSource> source_;
  std::unique_ptr<report::DashboardServer> server_;
  std::thread thread_;
};

}  // namespace

int RunCapture(const CaptureOptions& capture_options, const OutputOptions& given) {
  auto start = Clock::now();
  if (given.write_report || !capture_options.serve.empty()) (void)report::StartLayoutWorker();
  OutputOptions options = given;
  Judges judges;
  if (auto error = PreparePolicy(options, judges); !error.empty()) return Fail(error);
  auto live = capture::LiveCapture::Open(capture_options.interface, capture_options.filter);
  if (!live) return Fail(live.error().message);
  if (!(*live)->warning().empty()) {
    fmt::print(stderr, "quaywatch: warning: {}\n", (*live)->warning());
  }
  if (auto s = MakeDirs(options.out_dir); !s) return Fail(s.message());
  auto store = output::SqliteStore::Create(options.out_dir + "/quaywatch.sqlite");
  if (!store) return Fail(store.error().message);
  StoreSink sink(**store, /*shared=*/false);  // one engine, on this thread
  auto vendors = LoadVendorsInBackground();
  Engine engine(options.limits, &sink);
  LiveDashboard dashboard;
  if (!capture_options.serve.empty()) {
    if (auto error = dashboard.Start(capture_options.serve, capture_options.interface);
        !error.empty()) {
      return Fail(error);
    }
  }
  const auto snapshot_every = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(capture_options.snapshot_s));
  auto next_snapshot = Clock::now();

  g_live = live->get();
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  model::RunReport report;
  model::FileReport file;
  file.path = capture_options.interface;
  file.format = "live";
  Progress progress(options.progress);
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(capture_options.duration_s));
  capture::Frame frame;
  LinkTypeCounter link_types;
  uint64_t bytes = 0;
  while (!(*live)->stop_requested()) {
    if (capture_options.duration_s > 0 && Clock::now() >= deadline) break;
    if (dashboard.active() && Clock::now() >= next_snapshot) {
      dashboard.Publish(engine, file, link_types, judges, options, vendors);
      next_snapshot = Clock::now() + snapshot_every;
    }
    if (!(*live)->Next(frame, 100)) {
      if (!(*live)->error().empty()) break;
      continue;
    }
    file.CountFrame(frame.ts, frame.orig_len);
    link_types.Count(frame.link_type);
    engine.OnFrame(frame, 0);
    progress.Tick(file.frames, bytes += frame.data.size());
  }
  progress.Done();
  link_types.WriteTo(file);
  sa.sa_handler = SIG_DFL;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  auto stats = (*live)->Stats();
  std::string live_error = (*live)->error();
  g_live = nullptr;
  if (!live_error.empty()) {
    file.error = model::FileError{file.frames + 1, 0, live_error};
    fmt::print(stderr, "quaywatch: warning: {}: {}\n", capture_options.interface, live_error);
  }
  report.files.push_back(std::move(file));
  report.live = model::LiveReport{capture_options.interface, capture_options.filter, stats.received,
                                  stats.kernel_dropped, stats.interface_dropped};
  engine.Finish();
  Findings found{engine.frame_counts(), engine.flow_counts(), engine.anomalies(),
                 &engine.inventory(), engine.protocols()};
  return WriteOutputs(found, vendors, report, **store, sink, options, start, judges);
}

int RunReport(const std::string& dir, const std::string& out) {
  const std::string path = out.empty() ? dir + "/report.html" : out;
  if (auto s = report::WriteReport(dir, path); !s) return Fail(s.message());
  fmt::print(stderr, "quaywatch: wrote {}\n", path);
  return 0;
}

int RunServe(const std::string& dir, const std::string& listen) {
  (void)report::StartLayoutWorker();
  report::ServeOptions options;
  if (!report::ParseListen(listen, options)) {
    return Fail(listen + ": not HOST:PORT (an address of this machine, e.g. 127.0.0.1:8750)");
  }
  auto source = report::DataSource::FromDir(dir);
  if (!source) return Fail(source.error().message);
  // Signals are waited for on this thread; the server's threads never see them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  report::DashboardServer server(*source, options);
  if (auto s = server.Bind(); !s) return Fail(s.message());
  fmt::print("quaywatch: serving {} at {}\n", dir, server.Url());
  if (!server.token().empty()) {
    fmt::print("quaywatch: requests must carry the token {} (it is printed only now)\n",
               server.token());
  }
  std::fflush(stdout);
  core::Status served;
  std::thread thread([&] { served = server.Run(); });
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server.Stop();
  thread.join();
  if (!served) return Fail(served.message());
  fmt::print(stderr, "quaywatch: stopped serving\n");
  return 0;
}

}  // namespace qw::app
