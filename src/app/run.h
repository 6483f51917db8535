// The commands of the command line, as functions returning the process exit code
// (0 done, 1 a finding at or above --fail-on, 2 bad usage or unreadable input).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/engine.h"

namespace qw::app {

/// Options shared by analyze and capture.
struct OutputOptions {
  std::string out_dir = "quaywatch-out";
  bool timing = false;    // put elapsed_s into summary.json (breaks byte-identity)
  bool progress = false;  // progress lines on stderr
  size_t threads = 1;     // shards of the flow table, each on a thread of its own
  EngineLimits limits;
  std::string policy_file;    // the site policy (YAML); empty: inventory and flows only
  std::string fail_on;        // exit 1 when a finding is at or above this severity; empty: never
  std::string baseline_file;  // a baseline from `learn`: what is new is a finding; empty: none
  bool write_report = true;   // write report.html beside the other outputs
  std::string integrity_manifest;  // known-good PLC blocks (signed): mismatches are findings
  std::string integrity_pubkey;    // the key that must have signed it; empty: the default
  std::string export_blocks_dir;   // write each complete PLC block here; empty: none
};

/// `quaywatch analyze CAPTURE...`
int RunAnalyze(const std::vector<std::string>& captures, const OutputOptions& options);

/// `quaywatch learn CAPTURE... -o baseline.json`: records the devices and communications
/// of the captures (zones too, with `options.policy_file`) as a baseline file.
int RunLearn(const std::vector<std::string>& captures, const OutputOptions& options,
             const std::string& baseline_out);

/// `quaywatch policy check FILE`: every error of the policy on stderr, one per line, and
/// exit code 2; a summary on stdout and 0 when it is sound.
int RunPolicyCheck(const std::string& file);

/// Options of `quaywatch capture`.
struct CaptureOptions {
  std::string interface;
  std::string filter;
  double duration_s = 0;  // 0: until SIGINT or SIGTERM
  std::string serve;      // HOST:PORT of a live dashboard; empty: none
  double snapshot_s = 2;  // seconds between the dashboard's snapshots
};

/// `quaywatch capture --interface IF`
int RunCapture(const CaptureOptions& capture, const OutputOptions& options);

/// `quaywatch report DIR [-o FILE]`: report.html from a run's outputs.
int RunReport(const std::string& dir, const std::string& out);

/// `quaywatch serve DIR [--listen HOST:PORT]`: the dashboard until SIGINT or SIGTERM.
int RunServe(const std::string& dir, const std::string& listen);

/// The version string written into outputs.
const char* Version();

}  // namespace qw::app
