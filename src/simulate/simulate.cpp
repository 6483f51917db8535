#include "simulate/simulate.h"

#include "capture/pcap_writer.h"
#include "simulate/engine.h"
#include "simulate/scenario.h"

namespace qw::simulate {

core::Status Simulate(const SimulateOptions& options, const std::string& out_path,
                      SimulateStats* stats) {
  auto scenario = BuildScenario(options.scenario);
  if (!scenario.ok()) return scenario.error();
  auto writer = capture::PcapWriter::Create(out_path);
  if (!writer.ok()) return writer.error();
  SimulateStats local;
  Engine engine(*scenario, options, **writer);
  core::Status status = engine.Run(stats != nullptr ? *stats : local);
  if (!status.ok()) return status;
  return (*writer)->Close();
}

}  // namespace qw::simulate
