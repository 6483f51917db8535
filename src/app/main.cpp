// quaywatch: the command line.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "app/integrity_run.h"
#include "app/run.h"
#include "output/atomic_file.h"
#include "policy/policy.h"
#include "simulate/simulate.h"

namespace {

// Options every analysing command shares.
void AddOutputOptions(CLI::App& cmd, qw::app::OutputOptions& o) {
  cmd.add_option("--out", o.out_dir, "Folder for the outputs")->capture_default_str();
  cmd.add_option("--policy", o.policy_file,
                 "Site policy (YAML): places addresses in zones and raises findings");
  cmd.add_option("--fail-on", o.fail_on,
                 "Exit with code 1 when a finding at or above this severity exists (needs "
                 "--policy or --baseline)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd.add_flag("--timing", o.timing,
               "Write elapsed_s into summary.json (the file then differs run to run) and print "
               "each stage's time to stderr");
  cmd.add_option("--max-flows", o.limits.flows.max_flows,
                 "Live flows kept before the longest idle is evicted")
      ->capture_default_str();
  cmd.add_option("--max-hashed-file", o.limits.attach.max_hashed_file_bytes,
                 "Bytes up to which a transferred file's content is hashed (SHA-256)")
      ->capture_default_str();
  cmd.add_flag("--no-report{false}", o.write_report,
               "Skip report.html (the other outputs hold everything; 'quaywatch report' "
               "writes it later)");
  cmd.add_flag("--no-dissectors", o.limits.no_dissectors,
               "Skip application-protocol dissection (industrial and IT protocols): frames, "
               "flows, ARP/LLDP/CDP and the inventory only; for measuring what dissection costs");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"quaywatch: passive security monitoring for port facility and crane networks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", qw::app::Version());

  qw::app::OutputOptions output;
  output.progress = true;

  std::vector<std::string> captures;
  auto* analyze = app.add_subcommand("analyze", "Analyse capture files (pcap, pcapng, gzip)");
  analyze->add_option("captures", captures, "Capture files, analysed in the order given")
      ->required();
  AddOutputOptions(*analyze, output);
  analyze->add_option("--baseline", output.baseline_file,
                      "Baseline from 'quaywatch learn': what it lacks becomes a finding");
  analyze->add_option("--integrity", output.integrity_manifest,
                      "Signed manifest of known-good PLC blocks (integrity baseline of "
                      "--export-blocks output): blocks on the wire that differ are findings");
  analyze->add_option("--pubkey", output.integrity_pubkey,
                      "Trusted key of --integrity (default $QUAYWATCH_PUBKEY, else "
                      "./quaywatch.pub)");
  analyze->add_option("--export-blocks", output.export_blocks_dir,
                      "Write each PLC block rebuilt from a complete upload or download as "
                      "DIR/<plc-ip>/<BLOCK>.mc7");
  analyze
      ->add_option("--threads", output.threads,
                   "Threads; flows are sharded among them and outputs stay the same")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();

  std::vector<std::string> learn_captures;
  std::string baseline_out;
  qw::app::OutputOptions learn_options;
  learn_options.progress = true;
  auto* learn = app.add_subcommand(
      "learn", "Record the devices and communications of captures as a baseline (JSON)");
  learn->add_option("captures", learn_captures, "Capture files, analysed in the order given")
      ->required();
  learn->add_option("-o,--output", baseline_out, "Baseline file to write")->required();
  learn->add_option("--policy", learn_options.policy_file,
                    "Site policy (YAML): records each device's and communication's zones");
  learn
      ->add_option("--threads", learn_options.threads,
                   "Threads; flows are sharded among them and the baseline stays the same")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();

  qw::app::CaptureOptions live;
  auto* capture = app.add_subcommand("capture", "Capture from a network interface and analyse");
  capture->add_option("--interface,-i", live.interface, "Interface to capture on")->required();
  capture->add_option("--filter", live.filter, "BPF capture filter");
  capture
      ->add_option("--duration", live.duration_s,
                   "Seconds to capture (default: until SIGINT or SIGTERM)")
      ->check(CLI::NonNegativeNumber);
  capture->add_option("--serve", live.serve,
                      "Also serve the dashboard, updating as traffic flows, on HOST:PORT "
                      "(e.g. 127.0.0.1:8750); anywhere but loopback it needs the printed token");
  capture
      ->add_option("--snapshot-seconds", live.snapshot_s,
                   "Seconds between the live dashboard's snapshots")
      ->check(CLI::Range(0.2, 3600.0))
      ->capture_default_str();
  AddOutputOptions(*capture, output);

  qw::simulate::SimulateOptions sim;
  std::string sim_out;
  auto* simulate = app.add_subcommand("simulate", "Write a realistic port-terminal capture");
  simulate->add_option("-o,--output", sim_out, "pcap file to write")->required();
  simulate->add_option("--seed", sim.seed, "Seed of the generator")->capture_default_str();
  simulate->add_option("--packets", sim.packets, "Packets to write")->capture_default_str();
  std::string sim_policy_out;
  simulate
      ->add_option("--scenario", sim.scenario,
                   "Scenario: 'terminal' (the terminal with a planted program change), 'clean' "
                   "(the terminal as its site policy allows it), 'violations' (clean plus a "
                   "planted violation of every finding type)")
      ->check(CLI::IsMember(qw::simulate::ScenarioNames()))
      ->capture_default_str();
  simulate->add_option("--policy-out", sim_policy_out,
                       "Also write the site policy (YAML) the scenario is judged by");
  simulate
      ->add_option("--profile", sim.profile,
                   "Traffic mix: 'mixed' (office, cameras and operations, industrial protocols "
                   "a large minority) or 'ics' (most frames industrial: Modbus, S7comm, CIP, "
                   "PROFINET RT, IEC 104, DNP3 polling at plant rates; for benchmarks)")
      ->check(CLI::IsMember(qw::simulate::ProfileNames()))
      ->capture_default_str();

  std::string report_dir, report_out;
  auto* report_cmd =
      app.add_subcommand("report", "Write report.html (map, findings, checklist) from outputs");
  report_cmd->add_option("dir", report_dir, "Output folder of analyze or capture")->required();
  report_cmd->add_option("-o,--output", report_out, "The page to write (default DIR/report.html)");

  std::string serve_dir, serve_listen = "127.0.0.1:8750";
  auto* serve = app.add_subcommand("serve", "Serve the dashboard and JSON API over outputs");
  serve->add_option("dir", serve_dir, "Output folder of analyze or capture")->required();
  serve
      ->add_option("--listen", serve_listen,
                   "HOST:PORT to listen on (port 0: any free one); anywhere but loopback, "
                   "requests need the token printed at start")
      ->capture_default_str();

  std::string policy_file;
  auto* policy =
      app.add_subcommand("policy", "Work with a site policy (zones, conduits, suppliers)");
  policy->require_subcommand(1);
  auto* policy_check =
      policy->add_subcommand("check", "Check a site policy; print every error with its place");
  policy_check->add_option("file", policy_file, "The policy (YAML)")->required();

  std::string keygen_prefix = "quaywatch";
  bool keygen_force = false;
  auto* keygen =
      app.add_subcommand("keygen", "Make an Ed25519 key pair that signs manifests and allow-lists");
  keygen->add_option("-o,--output", keygen_prefix, "Writes PREFIX.key (0600) and PREFIX.pub")
      ->capture_default_str();
  keygen->add_flag("--force", keygen_force, "Replace an existing key pair");

  auto* integrity = app.add_subcommand(
      "integrity", "Signed baselines of PLC programs, drive and switch settings, OS images");
  integrity->require_subcommand(1);
  qw::app::BaselineOptions baseline;
  auto* baseline_cmd =
      integrity->add_subcommand("baseline", "Hash the files under PATH... into a signed manifest");
  baseline_cmd->add_option("paths", baseline.paths, "Files or folders (walked recursively)")
      ->required();
  baseline_cmd->add_option("--asset", baseline.asset, "The asset these files belong to")
      ->required();
  baseline_cmd->add_option("--key", baseline.secret_key, "Secret key that signs (from keygen)")
      ->required();
  baseline_cmd->add_option("-o,--output", baseline.output, "Manifest to write (JSON)")->required();
  baseline_cmd
      ->add_option("--kind", baseline.kind,
                   "Kind of every file (default: told from name and content)")
      ->check(CLI::IsMember({"plc-program", "plc-block", "drive-settings", "switch-config",
                             "firewall-config", "os-image", "other"}));
  std::string verify_manifest, verify_key, verify_json;
  auto* verify_cmd = integrity->add_subcommand(
      "verify", "Hash a manifest's files again: added, removed and changed items, with diffs");
  verify_cmd->add_option("manifest", verify_manifest, "Manifest from 'integrity baseline'")
      ->required();
  verify_cmd->add_option("--pubkey", verify_key,
                         "Trusted public key (default $QUAYWATCH_PUBKEY, else ./quaywatch.pub)");
  verify_cmd->add_option("--json", verify_json, "Also write the result as JSON");
  std::vector<std::string> verify_moved;
  verify_cmd
      ->add_option("--root", verify_moved,
                   "FROM=TO: read what the manifest records under FROM from TO (a backup "
                   "mounted elsewhere); repeatable, the longest FROM applies")
      ->allow_extra_args(false);  // one pair per --root: the manifest is not taken for one
  qw::app::SnapshotOptions snapshot;
  auto* snapshot_cmd = integrity->add_subcommand(
      "snapshot", "Read registers of drives and controllers (Modbus/TCP, read-only) to a file");
  snapshot_cmd
      ->add_option("urls", snapshot.urls,
                   "modbus://HOST[:PORT]/UNIT?holding=A-B&input=A-B&coils=A-B&discrete=A-B")
      ->required();
  snapshot_cmd->add_option("-o,--output", snapshot.output, "Snapshot file (one URL only)");
  snapshot_cmd->add_option("--out", snapshot.out_dir, "Folder for HOST-PORT-unitN.modbus files")
      ->capture_default_str();
  snapshot_cmd->add_option("--timeout-ms", snapshot.timeout_ms, "Per request and connect")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  snapshot_cmd->add_option("--retries", snapshot.retries, "After a failed request")
      ->check(CLI::Range(0, 5))
      ->capture_default_str();

  auto* backup = app.add_subcommand("backup", "Backup coverage of critical assets");
  backup->require_subcommand(1);
  std::string backup_catalog, backup_json, backup_now;
  auto* backup_check = backup->add_subcommand(
      "check", "Check a backup catalog: files, hashes, ages, offline copies, restore tests");
  backup_check->add_option("catalog", backup_catalog, "The catalog (YAML)")->required();
  backup_check->add_option("--json", backup_json, "Also write the result as JSON");
  backup_check->add_option("--now", backup_now, "Judge ages as of this date (YYYY-MM-DD)");

  auto* transfer = app.add_subcommand("transfer", "The gate for files entering the crane network");
  transfer->require_subcommand(1);
  qw::app::TransferCheckOptions transfer_check;
  auto* transfer_check_cmd = transfer->add_subcommand(
      "check",
      "Admit files only if allow-listed, clean by YARA and of a type the destination "
      "accepts; every decision goes to the audit log");
  transfer_check_cmd->add_option("files", transfer_check.files, "Files to bring in")->required();
  transfer_check_cmd->add_option("--gate", transfer_check.gate, "Gate configuration (YAML)")
      ->required();
  transfer_check_cmd
      ->add_option("--destination", transfer_check.destination,
                   "Where the files go: a destination of the gate configuration")
      ->required();
  transfer_check_cmd->add_option("--operator", transfer_check.operator_name,
                                 "Who brings them (default $SUDO_USER, else $USER)");
  qw::app::TransferAllowOptions transfer_allow;
  auto* transfer_allow_cmd = transfer->add_subcommand(
      "allow", "Add approved files (or published digests) to a signed allow-list");
  transfer_allow_cmd->add_option("files", transfer_allow.files, "Approved files, hashed now");
  transfer_allow_cmd->add_option("--sha256", transfer_allow.digests,
                                 "An approved digest (vendor-published), repeatable");
  transfer_allow_cmd->add_option("--name", transfer_allow.name,
                                 "What they are (default: each file's name)");
  transfer_allow_cmd->add_option("--note", transfer_allow.note,
                                 "Why they are approved (change ticket, vendor advisory)");
  transfer_allow_cmd->add_option("--key", transfer_allow.secret_key, "Secret key that signs")
      ->required();
  transfer_allow_cmd
      ->add_option("-o,--output", transfer_allow.output,
                   "The allow-list; entries are added when it exists")
      ->required();
  auto* transfer_audit = transfer->add_subcommand("audit", "The gate's audit log");
  transfer_audit->require_subcommand(1);
  qw::app::AuditVerifyOptions audit_verify;
  auto* audit_verify_cmd = transfer_audit->add_subcommand(
      "verify", "Check the audit log's hash chain: edited, deleted or reordered lines");
  audit_verify_cmd->add_option("log", audit_verify.log, "The audit log (JSON lines)")->required();
  audit_verify_cmd->add_option("--head", audit_verify.head,
                               "A head hash recorded earlier: lines deleted from the end show");
  audit_verify_cmd->add_option("--head-seq", audit_verify.head_seq,
                               "The seq of the entry --head belongs to (default: the last)");
  audit_verify_cmd->add_option("--min-entries", audit_verify.min_entries,
                               "Entries the log had at least when last seen");
  audit_verify_cmd->add_option("--anchor", audit_verify.anchor,
                               "A signed anchor from 'transfer audit anchor'");
  audit_verify_cmd->add_option("--pubkey", audit_verify.public_key,
                               "Trusted key of --anchor (default $QUAYWATCH_PUBKEY, else "
                               "./quaywatch.pub)");
  std::string anchor_log, anchor_key, anchor_out;
  auto* audit_anchor_cmd = transfer_audit->add_subcommand(
      "anchor", "Sign the audit log's head and length (keep the anchor off the gate host)");
  audit_anchor_cmd->add_option("log", anchor_log, "The audit log (JSON lines)")->required();
  audit_anchor_cmd->add_option("--key", anchor_key, "Secret key that signs")->required();
  audit_anchor_cmd->add_option("-o,--output", anchor_out, "The anchor to write")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Bad usage is exit code 2, whatever CLI11 would choose.
    app.exit(e);
    return 2;
  }

  if (*policy_check) return qw::app::RunPolicyCheck(policy_file);
  if (*keygen) return qw::app::RunKeygen(keygen_prefix, keygen_force);
  if (*baseline_cmd) return qw::app::RunIntegrityBaseline(baseline);
  if (*verify_cmd)
    return qw::app::RunIntegrityVerify(verify_manifest, verify_key, verify_json, verify_moved);
  if (*snapshot_cmd) return qw::app::RunIntegritySnapshot(snapshot);
  if (*transfer_check_cmd) return qw::app::RunTransferCheck(transfer_check);
  if (*transfer_allow_cmd) return qw::app::RunTransferAllow(transfer_allow);
  if (*audit_verify_cmd) return qw::app::RunAuditVerify(audit_verify);
  if (*audit_anchor_cmd) return qw::app::RunAuditAnchor(anchor_log, anchor_key, anchor_out);
  if (*backup_check) return qw::app::RunBackupCheck(backup_catalog, backup_json, backup_now);
  if (*analyze) return qw::app::RunAnalyze(captures, output);
  if (*report_cmd) return qw::app::RunReport(report_dir, report_out);
  if (*serve) return qw::app::RunServe(serve_dir, serve_listen);
  if (*learn) return qw::app::RunLearn(learn_captures, learn_options, baseline_out);
  if (*capture) return qw::app::RunCapture(live, output);
  if (*simulate) {
    qw::simulate::SimulateStats stats;
    auto s = qw::simulate::Simulate(sim, sim_out, &stats);
    if (!s) {
      fmt::print(stderr, "quaywatch: {}\n", s.message());
      return 2;
    }
    fmt::print(stderr, "quaywatch: wrote {} packets to {}\n", stats.packets, sim_out);
    for (const auto& plant : stats.plants) {
      fmt::print(stderr, "quaywatch: planted {} (frames {}-{}): {}\n", plant.name,
                 plant.first_frame, plant.last_frame, plant.description);
    }
    if (!sim_policy_out.empty()) {
      auto site = qw::simulate::ScenarioPolicy(sim.scenario);
      if (!site) {
        fmt::print(stderr, "quaywatch: {}\n", site.error().message);
        return 2;
      }
      if (auto w = qw::output::WriteFileAtomically(sim_policy_out, *site); !w) {
        fmt::print(stderr, "quaywatch: {}\n", w.message());
        return 2;
      }
      fmt::print(stderr, "quaywatch: wrote the scenario's site policy to {}\n", sim_policy_out);
    }
    return 0;
  }
  return 2;
}
