// `quaywatch simulate`: writes a realistic capture of a container terminal's network (business
// IT, terminal operations, crane management, crane control per ship-to-shore crane, cameras,
// scanners) as classic pcap, for `make demo`, benchmarks and scenario tests.
//
// The output depends only on the options: the same seed and options give a byte-identical
// file on every machine (own random generator, timestamps from a fixed start, no clock).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/timestamp.h"

namespace qw::simulate {

/// What to simulate.
struct SimulateOptions {
  uint64_t seed = 1;
  uint64_t packets = 200000;  // frames to write
  std::string scenario = "terminal";
  // Traffic mix: "mixed" (the terminal as it is: office, cameras and operations with the
  // industrial protocols a large minority) or "ics" (most frames industrial: fast polling,
  // PROFINET RT and CIP I/O cycles, for dissector benchmarks).
  std::string profile = "mixed";
};

/// What a simulation wrote.
struct SimulateStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;         // sum of frame lengths
  uint64_t hosts = 0;         // hosts of the scenario's plan, Internet hosts included
  uint64_t tcp_sessions = 0;  // TCP connections started
  uint64_t udp_sessions = 0;  // UDP exchanges and streams started
  core::Timestamp first_ts;
  core::Timestamp last_ts;
};

/// One zone of a scenario's network plan, as a matching site policy would name it.
struct SimZone {
  std::string name;    // e.g. "crane-1"
  std::string kind;    // a policy zone kind: enterprise, operations, crane-control, ...
  std::string subnet;  // CIDR, e.g. "10.50.1.0/24"
  uint16_t vlan = 0;
};

/// Names of the scenarios Simulate() knows.
std::vector<std::string> ScenarioNames();

/// Names of the traffic profiles Simulate() knows.
std::vector<std::string> ProfileNames();

/// The zone plan of a scenario, in a fixed order; fails for an unknown scenario.
core::Result<std::vector<SimZone>> ScenarioZones(const std::string& scenario);

/// Writes `options.packets` frames of the scenario to `out_path` (classic pcap, Ethernet).
/// Fails for an unknown scenario or profile, or when the file cannot be written.
core::Status Simulate(const SimulateOptions& options, const std::string& out_path,
                      SimulateStats* stats = nullptr);

}  // namespace qw::simulate
