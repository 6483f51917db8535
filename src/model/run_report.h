// What one run read and found: the model that the output sinks write. Everything here is
// derived from packets, never from the wall clock, so the same input gives the same report.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/anomalies.h"
#include "core/timestamp.h"
#include "model/inventory.h"
#include "model/plc_blocks.h"
#include "model/protocol_stats.h"

namespace qw::model {

/// Frames per protocol, counted as tshark's display filter would: a frame counts once for
/// each protocol anywhere in it.
struct FrameCounts {
  uint64_t vlan = 0, arp = 0, ipv4 = 0, ipv6 = 0, tcp = 0, udp = 0, icmp = 0, icmpv6 = 0;
  uint64_t lldp = 0, cdp = 0, stp = 0, ipv4_fragments = 0, ipv4_reassembled = 0;

  /// Adds another set of counts.
  void Add(const FrameCounts& o);
};

/// Where reading one capture file stopped early.
struct FileError {
  uint64_t record = 0;
  uint64_t offset = 0;
  std::string message;
};

/// One input capture file.
struct FileReport {
  std::string path;
  std::string format;  // "pcap", "pcapng", "live"
  bool compressed = false;
  uint64_t frames = 0, bytes = 0;
  std::optional<core::Timestamp> first_ts, last_ts;
  std::map<std::string, uint64_t> link_types;
  std::optional<FileError> error;

  /// Counts one frame read: `wire_len` bytes on the wire, at time `ts`.
  void CountFrame(core::Timestamp ts, uint32_t wire_len) {
    ++frames;
    bytes += wire_len;
    if (!first_ts || ts < *first_ts) first_ts = ts;
    if (!last_ts || ts > *last_ts) last_ts = ts;
  }
};

/// Flow counts by transport and the flow table's bounds at work. peak_live depends on how
/// flows were sharded among threads, so it is printed, not written to summary.json.
struct FlowCounts {
  uint64_t tcp = 0, udp = 0, other = 0;
  uint64_t peak_live = 0, evicted = 0;
};

/// Live capture counters from libpcap.
struct LiveReport {
  std::string interface;
  std::string filter;
  uint64_t received = 0, kernel_dropped = 0, interface_dropped = 0;
};

/// One ended flow, as the flows table stores it.
struct FlowRecord {
  uint64_t id = 0;  // capture_index << 40 | first_frame: stable whatever the thread count
  uint32_t capture_index = 0;
  uint64_t first_frame = 0;
  uint8_t proto = 0;
  uint16_t vlan = 0, inner_vlan = 0;
  std::string initiator_ip, responder_ip, initiator_mac, responder_mac;
  uint16_t initiator_port = 0, responder_port = 0;
  std::string protocol;  // the application protocol a dissector recognised; empty if none
  std::string initiator_zone, responder_zone;  // with a site policy; empty when unassigned
  bool midstream = false;
  std::string tcp_state, end_reason;
  core::Timestamp first_ts, last_ts;
  uint64_t packets_from_initiator = 0, packets_from_responder = 0;
  uint64_t bytes_from_initiator = 0, bytes_from_responder = 0;
};

/// Everything a run produced, for the sinks.
struct RunReport {
  std::string version;
  std::vector<FileReport> files;
  FrameCounts frame_counts;
  FlowCounts flow_counts;
  core::Anomalies anomalies;
  std::map<std::string, ProtocolStats> protocols;  // PDU counts by protocol name
  std::map<std::string, uint64_t> remote_access;   // remote-access sessions by tool
  std::map<std::string, uint64_t> file_transfers;  // file transfers by protocol
  std::vector<Asset> assets;
  std::vector<PlcBlock> plc_blocks;  // PLC blocks uploaded and downloaded, in ledger order
  std::optional<LiveReport> live;
  std::optional<double> elapsed_s;  // only with --timing: wall time breaks byte-identity

  uint64_t frames() const;
  uint64_t bytes() const;
  std::optional<core::Timestamp> first_ts() const;
  std::optional<core::Timestamp> last_ts() const;
};

}  // namespace qw::model
