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

#include "core/result.h"
#include "simulate/frame_builder.h"
#include "simulate/rng.h"
#include "simulate/scenario.h"
#include "simulate/session.h"
#include "simulate/simulate.h"

namespace qw::simulate {

/// Start of every simulated capture: 2026-03-02T06:00:00Z, in ns since the Unix epoch.
inline constexpr int64_t kStartNs = 1772431200LL * 1000000000LL;
/// Rates of one traffic profile (SimulateOptions::profile): how often each kind of
/// conversation happens, and the frame rate that results, used only to size windows such
/// as the first ARP and to place the planted program change.
struct Profile {
  int64_t nominal_pps = 1500;
  double it_interval = 1.0;       // factor on the mean interval of office and web traffic
  uint32_t camera_streams = 24;   // cameras the NVR records
  int64_t s7_hmi_ms = 200;        // HMI reads of the crane PLC
  int64_t s7_monitor_ms = 1000;   // crane management reads of the PLCs
  int64_t modbus_hmi_ms = 500;    // crane PC polling the PLC
  int64_t modbus_field_ms = 250;  // PLC polling drives and remote I/O
  int64_t historian_ms = 1000;    // historian polling the PLCs, reading OPC UA
  int64_t enip_hmi_ms = 500;      // HMI tag reads of the spreader ControlLogix
  int64_t pn_cycle_us = 128000;   // PROFINET RT cycle (send clock times reduction ratio)
  uint32_t cip_rpi_us = 100000;   // requested packet interval of the CIP I/O connections
  int64_t dnp3_ms = 2000;         // DNP3 polls
  int64_t iec104_ms = 2000;       // IEC 104 spontaneous transmissions
  int64_t bacnet_ms = 700;        // BACnet reads
  int64_t opcua_tos_s = 20;       // between the terminal operating system's OPC UA sessions
};

/// The profile of a name ("mixed" or "ics"); nullptr for an unknown name.
const Profile* FindProfile(const std::string& name);

/// Which part of a planted violation a frame belongs to: the plant (1-based; 0 for the
/// regular traffic) and, for the first frame of a message, its round, side and index.
struct FrameTag {
  uint8_t plant = 0;
  int32_t round = -1;   // -1: not the first frame of a message
  uint8_t side = 0;     // 0 client, 1 server
  uint8_t message = 0;  // the message's index within its round and side
};

/// Where an engine's frames go.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  /// Takes one frame; an error stops the run.
  virtual core::Status Write(core::Timestamp ts, std::span<const uint8_t> frame,
                             const FrameTag& tag) = 0;
};

/// Which traffic an engine runs.
enum class Traffic : uint8_t {
  kTerminal,  // the whole terminal with its planted program change ("terminal")
  kClean,     // the whole terminal, nothing planted ("clean", and the regular traffic of
              // "violations")
  kPlants,    // only the planted violations of "violations", each once
};

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
  kPnIdentify,    // an engineering tool's PROFINET DCP Identify All on a crane VLAN
  kEnipIdentify,  // a ListIdentity broadcast on a Rockwell-fitted crane's VLAN
  kBacnetWhoIs,
  kBacnetPoll,
  kOpcUaTos,       // a short OPC UA session of the terminal operating system
  kProgramChange,  // the planted S7 download from the office network, once
  kSnmpPoll,       // the crane management system polls a switch over SNMP
  kSyslog,         // a switch logs to the crane management system
  kTftpBackup,     // a crane switch backs its configuration up over TFTP, once
  kHmiVnc,         // crane management views a crane HMI's panel over VNC
  kDriveBackup,    // a crane PC stores its drives' parameter backup on crane management's FTP
  kPlant,          // one planted violation of the "violations" scenario (plants.cpp), once
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
  Engine(const Scenario& scenario, const SimulateOptions& options, const Profile& profile,
         Traffic traffic, FrameSink& sink);

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
    uint8_t plant = 0;
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
  void OpenRound(Session& s);
  void AfterMessage(uint32_t id);
  void AfterRound(uint32_t id);
  uint16_t EphemeralPort(uint32_t host);
  int64_t PathRtt(uint32_t a, uint32_t b);

  // Frames.
  void SendSegment(Session& s, int side, uint8_t flags, uint32_t payload_len);
  void SendUdp(uint32_t from, uint32_t to, uint16_t sport, uint16_t dport, uint16_t& ip_id,
               std::span<const uint8_t> payload);
  void SendUdpBroadcast(uint32_t from, uint16_t sport, uint16_t dport, uint16_t& ip_id,
                        std::span<const uint8_t> payload);
  void SendPn(uint32_t from, const core::MacAddr& to, uint8_t priority,
              std::span<const uint8_t> payload);
  void SendArp(uint32_t asker, uint32_t target, bool reply, bool gratuitous);
  bool StepIcsDatagram(uint32_t id);
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
  void StartCipIo(uint32_t scanner_session);
  /// Opens the passive data connection an FTP control session announced, carrying its file.
  void StartFtpData(uint32_t ftp_session);
  void StartIndustrial();
  void RunIcsSource(SourceKind kind, uint32_t arg, uint32_t run);
  uint32_t Poll(App app, uint32_t client, uint32_t server, uint16_t port, int64_t period_ms,
                uint8_t variant);
  void Lldp(uint32_t switch_index, bool with_cdp);
  // Planted violations (plants.cpp).
  void AddPlantSources();
  void RunPlant(uint32_t plant);
  // Marks a session as part of plant `plant` (0-based), so that its frames are tagged.
  uint32_t Planted(uint32_t session, uint32_t plant);
  // Starts a TCP session of plant `plant` that the client closes.
  uint32_t PlantTcp(uint32_t plant, App app, uint32_t client, uint32_t server, uint16_t port,
                    uint32_t rounds, int64_t think_ns);

  const Scenario& sc_;
  SimulateOptions options_;
  const Profile& profile_;
  Traffic traffic_;
  FrameSink& sink_;
  uint8_t current_plant_ = 0;  // the plant of the session or forward being stepped
  FrameTag next_tag_;          // the tag of the next frame written
  Rng rng_;
  FrameBuilder frame_;
  core::Status status_;
  int64_t now_ = 0;
  int64_t expected_ = 0;  // the capture's expected duration at the profile's nominal rate
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
