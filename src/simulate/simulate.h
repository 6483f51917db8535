// `quaywatch simulate`: writes a realistic capture of a container terminal's network (business
// IT, terminal operations, crane management, crane control per ship-to-shore crane, cameras,
// scanners) as classic pcap, for `make demo`, benchmarks and scenario tests.
//
// The output depends only on the options: the same seed and options give a byte-identical
// file on every machine (own random generator, timestamps from a fixed start, no clock).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
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

/// A finding a planted violation must raise under the scenario's policy (ScenarioPolicy):
/// its type, the source and destination it names, and the frame that shows it.
struct ExpectedFinding {
  std::string type;
  std::string src;  // IP address, or MAC when the finding names a device without one
  std::string dst;  // IP address; empty for findings about one device
  uint64_t frame = 0;
};

/// A conversation or industrial act a planted violation adds, as a baseline records it
/// (what `analyze --baseline` finds new unless learning saw it).
struct PlantedCommunication {
  std::string initiator, responder, service;
  std::string category;  // empty for the conversation; else the act ("write", ...)
  uint64_t frame = 0;    // the first frame that shows it
};

/// One planted violation of the "violations" scenario and where it landed.
struct PlantedViolation {
  std::string name;         // "office-plc-program-change"
  std::string description;  // what it is, in words
  uint64_t first_frame = 0, last_frame = 0;
  std::vector<ExpectedFinding> findings;
  std::vector<std::string> new_devices;  // MACs of devices only the plant brings
  std::vector<PlantedCommunication> communications;
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
  std::vector<PlantedViolation> plants;  // "violations": each planted violation, in order
};

/// One zone of a scenario's network plan, as a matching site policy would name it.
struct SimZone {
  std::string name;    // e.g. "crane-1"
  std::string kind;    // a policy zone kind: enterprise, operations, crane-control, ...
  std::string subnet;  // CIDR, e.g. "10.50.1.0/24"
  uint16_t vlan = 0;
};

/// Names of the scenarios Simulate() knows: "terminal" (the whole terminal with a planted
/// program change from the office network), "clean" (the whole terminal as its site policy
/// allows it), "violations" (the clean terminal plus one planted violation or more for
/// every finding type, frames added to `packets`).
std::vector<std::string> ScenarioNames();

/// The site policy (YAML) a scenario's network is judged by, for `--policy-out`: its zones,
/// the conduits its regular traffic needs, untrusted suppliers, the watchlist and the
/// data-sharing agreements. Fails for an unknown scenario.
core::Result<std::string> ScenarioPolicy(const std::string& scenario);

/// Names of the traffic profiles Simulate() knows.
std::vector<std::string> ProfileNames();

/// The zone plan of a scenario, in a fixed order; fails for an unknown scenario.
core::Result<std::vector<SimZone>> ScenarioZones(const std::string& scenario);

/// Writes `options.packets` frames of the scenario to `out_path` (classic pcap, Ethernet),
/// and for "violations" the planted violations' frames among them.
/// Fails for an unknown scenario or profile, or when the file cannot be written.
core::Status Simulate(const SimulateOptions& options, const std::string& out_path,
                      SimulateStats* stats = nullptr);

}  // namespace qw::simulate
