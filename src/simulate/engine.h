// The simulation engine: a discrete-event scheduler that advances many sessions at once,
// so that packets of concurrent conversations interleave as they do on a real network.
//
// Every event is a (time, order) pair; the order number breaks ties, so the run does not
// depend on heap implementation details. Sessions live in a pool reused through a free
// list and frames are built in one reused buffer: a run allocates while it warms up and
// then only when the number of concurrent sessions reaches a new high.
// Traffic sources (generators.cpp) are small functions that start sessions at their rates.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "capture/pcap_writer.h"
#include "core/result.h"
#include "simulate/frame_builder.h"
#include "simulate/rng.h"
#include "simulate/scenario.h"
#include "simulate/session.h"
#include "simulate/simulate.h"

namespace qw::simulate {

/// Start of every simulated capture: 2026-03-02T06:00:00Z, in ns since the Unix epoch.
inline constexpr int64_t kStartNs = 1772431200LL * 1000000000LL;
/// The rate the scenario is tuned to, used only to size windows such as the first ARP.
inline constexpr int64_t kNominalPps = 1500;

/// What a traffic source starts (see generators.cpp).
enum class SourceKind : uint8_t {
  kLldp,
  kArp,
  kWeb,
  kInternalWeb,
  kFileShare,
  kDnsInternal,
  kDhcp,
  kNtp,
  kOpsApi,
  kGateOcr,
  kReefer,
  kDbQueries,
  kRemoteAccess,
  kScannerImages,
};

/// One traffic source: what it starts, about whom, and how often.
struct Source {
  SourceKind kind = SourceKind::kLldp;
  uint32_t arg = 0;       // a host, switch or session, depending on the kind
  int64_t mean_ns = 0;    // mean time between starts
  bool periodic = false;  // fixed period with small jitter instead of Poisson arrivals
  uint32_t runs = 0;
};

/// Runs one scenario into one pcap writer.
class Engine {
 public:
  Engine(const Scenario& scenario, const SimulateOptions& options, capture::PcapWriter& writer);

  /// Writes `options.packets` frames; fails only when the writer fails.
  core::Status Run(SimulateStats& stats);

 private:
  enum class EventKind : uint8_t { kSession, kForward, kSource };
  struct Event {
    int64_t t;
    uint64_t order;
    uint32_t id;
    EventKind kind;
  };
  struct ForwardSlot {
    L2 l2;
    uint16_t len = 0;
    std::array<uint8_t, 1500> ip{};
  };

  // Scheduling.
  void Schedule(int64_t t, EventKind kind, uint32_t id);
  void ScheduleSession(uint32_t id, int64_t delay) {
    Schedule(now_ + delay, EventKind::kSession, id);
  }

  // Sessions.
  uint32_t NewSession(App app, uint32_t client, uint32_t server, uint16_t server_port);
  void StartSession(uint32_t id, int64_t delay);
  void EndSession(uint32_t id);
  void StepTcp(uint32_t id);
  void StepUdp(uint32_t id);
  void StartMessage(Session& s);
  void AfterMessage(uint32_t id);
  void AfterRound(uint32_t id);
  uint16_t EphemeralPort(uint32_t host);
  int64_t PathRtt(uint32_t a, uint32_t b);

  // Frames.
  void SendSegment(Session& s, int side, uint8_t flags, uint32_t payload_len);
  void SendUdp(uint32_t from, uint32_t to, uint16_t sport, uint16_t dport, uint16_t& ip_id,
               std::span<const uint8_t> payload);
  void SendArp(uint32_t asker, uint32_t target, bool reply, bool gratuitous);
  void FinishIp(uint32_t from, uint32_t to, std::span<const uint8_t> frame);
  L2 FirstLeg(uint32_t from, uint32_t to) const;
  void Write(std::span<const uint8_t> frame);
  void Forward(uint32_t slot);

  // Sources (generators.cpp).
  void AddSources();
  void AddSource(SourceKind kind, uint32_t arg, int64_t mean_ns, bool periodic, int64_t first);
  void RunSource(uint32_t id);
  void StartLongLived();
  void StartDns(uint32_t client, const std::string* name, uint32_t address, uint32_t then);
  uint32_t StartTcp(App app, uint32_t client, uint32_t server, uint16_t port, uint32_t rounds,
                    int64_t think_ns, int64_t delay);
  void StartRtp(uint32_t rtsp_session);
  void Lldp(uint32_t switch_index, bool with_cdp);

  const Scenario& sc_;
  SimulateOptions options_;
  capture::PcapWriter& writer_;
  Rng rng_;
  FrameBuilder frame_;
  core::Status status_;
  int64_t now_ = 0;
  uint64_t order_ = 0;
  uint64_t written_ = 0;
  uint64_t bytes_ = 0;
  uint64_t tcp_sessions_ = 0;
  uint64_t udp_sessions_ = 0;
  std::vector<Event> events_;
  std::vector<Session> sessions_;
  std::vector<uint32_t> free_sessions_;
  std::vector<ForwardSlot> forwards_;
  std::vector<uint32_t> free_forwards_;
  std::vector<Source> sources_;
  std::vector<uint16_t> next_port_;
  std::vector<uint32_t> name_addresses_;  // resolved address of each public name
};

}  // namespace qw::simulate
