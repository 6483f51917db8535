#include "simulate/simulate.h"

#include "capture/pcap_writer.h"
#include "simulate/engine.h"
#include "simulate/scenario.h"

namespace qw::simulate {

std::vector<std::string> ProfileNames() { return {"mixed", "ics"}; }

core::Status Simulate(const SimulateOptions& options, const std::string& out_path,
                      SimulateStats* stats) {
  const Profile* profile = FindProfile(options.profile);
  if (profile == nullptr) {
    return core::MakeError("simulate: unknown profile '" + options.profile +
                           "' (known: mixed, ics)");
  }
  auto scenario = BuildScenario(options.scenario);
  if (!scenario.ok()) return scenario.error();
  auto writer = capture::PcapWriter::Create(out_path);
  if (!writer.ok()) return writer.error();
  SimulateStats local;
  Engine engine(*scenario, options, *profile, **writer);
  core::Status status = engine.Run(stats != nullptr ? *stats : local);
  if (!status.ok()) return status;
  return (*writer)->Close();
}

}  // namespace qw::simulate
