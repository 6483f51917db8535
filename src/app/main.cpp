// quaywatch: the command line.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

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
               "Write elapsed_s into summary.json (the file then differs run to run)");
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
