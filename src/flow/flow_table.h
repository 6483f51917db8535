// FlowTable: the bidirectional flows of a capture, keyed by VLAN tags, protocol and both
// endpoints, with their initiator, TCP state, counters and (for flows whose consumer
// wants them) reassembled TCP streams and UDP datagrams.
//
// Flow boundaries follow tshark 4.0 (`tshark -z conv,tcp` / `conv,udp`, which split by
// tcp.stream and udp.stream), so that flow counts can be checked against it:
//  - a TCP SYN without ACK whose sequence number differs from the base sequence number of
//    its sender's direction starts a new flow with the same key (the old one ends with
//    EndReason::kReused). The base is the first SYN's sequence number, or one less than
//    the first other segment's, or one less than the acknowledgement number of the first
//    segment from the other side that carries ACK. A repeated SYN with the same number
//    (retransmission, or a reconnect after RST that reuses the ISN) stays in its flow;
//  - UDP and other IP flows never split on their own.
//
// The rule for matching tshark's counts: they are equal when no conversation is silent for
// longer than its idle timeout, no TCP packet arrives later than tcp_closed_linger_ns after
// the connection closed or was reset, the table never holds more than max_flows flows at
// once, and no 5-tuple appears on two VLANs (tshark ignores VLAN tags in conversations; we
// keep them apart because a VLAN is a network segment). IP fragments that do not complete
// a datagram belong to no flow, as in tshark; a tunnelled frame belongs to the flow of its
// inner datagram, as in tshark. The default timeouts (FlowLimits) serve files and live
// sensors alike.
//
// Memory follows the live flows, not the size of the capture: flow nodes come from a pool
// that grows in chunks up to max_flows and is reused, the bucket array doubles with the
// node count, and each flow's out-of-order buffers are capped. No allocation happens per
// packet once the pool has grown to the working set. When the table is full, the flow idle
// longest is evicted (anomaly `flow.evicted`) to make room.
//
// Determinism: nothing observable depends on pointer values or hash order. Idle flows end
// in order of last activity, Flush ends flows in creation order, and a flow's id is its
// 1-based creation number.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "core/anomalies.h"
#include "core/timestamp.h"
#include "decode/packet.h"
#include "flow/flow.h"
#include "flow/tcp_reassembly.h"

namespace qw::flow {

/// Bounds and timeouts of a flow table. Timeouts are in nanoseconds of packet time; 0
/// turns a timeout off.
struct FlowLimits {
  static constexpr int64_t kSecond = 1'000'000'000;

  size_t max_flows = 1'000'000;  // flows held at once; the longest idle is evicted beyond
  // Idle timeouts. Memory must follow the flows that are live, not the capture's length,
  // so connectionless flows end after two minutes of silence (Zeek ends UDP after one);
  // TCP sessions of controllers and historians idle far longer between polls, so an open
  // TCP connection is kept an hour. tshark has no timeouts: where a shared capture is
  // silent longer, the integration test states the difference.
  int64_t tcp_idle_ns = 3600 * kSecond;
  int64_t udp_idle_ns = 120 * kSecond;
  int64_t other_idle_ns = 120 * kSecond;
  // A TCP flow closed by FIN both ways, or by RST, ends after this much silence: late
  // retransmissions and ACKs after the close still find their flow.
  int64_t tcp_closed_linger_ns = 60 * kSecond;
  // A flow older than this ends and continues as a new flow (EndReason::kActive). Off by
  // default: tshark never splits a long conversation.
  int64_t active_timeout_ns = 0;
  size_t max_stream_buffer = 1 << 20;  // out-of-order bytes held per direction
  size_t max_ooo_segments = 1024;      // out-of-order pieces held per direction
  // Bytes that the stream buffers of every flow (reassembly, and a consumer's that is told
  // of it) hold together: see StreamMemory.
  size_t max_stream_memory = size_t{256} << 20;
};

/// Told about flows as they start and end. OnNewFlow may attach flow.consumer. Callbacks
/// must not call back into the table.
class FlowObserver {
 public:
  virtual ~FlowObserver() = default;
  /// A flow was created by its first packet (counters do not include that packet yet).
  virtual void OnNewFlow(Flow& /*flow*/) {}
  /// A flow ended; its counters are final. The consumer's OnEnd follows.
  virtual void OnFlowEnd(Flow& /*flow*/, EndReason /*reason*/) {}
  /// The consumer's OnEnd has run too: nothing more will come from this flow.
  virtual void OnFlowGone(const Flow& /*flow*/) {}
};

/// What Process did with a packet. `flow` is null when the packet belongs to no flow; it
/// stays valid until the next call to Process, Advance or Flush.
struct FlowUpdate {
  Flow* flow = nullptr;
  Direction dir = Direction::kFromInitiator;
  bool created = false;
};

/// Counters of a flow table.
struct FlowStats {
  uint64_t created_tcp = 0, created_udp = 0, created_other = 0;
  uint64_t live = 0, peak_live = 0;
  uint64_t evicted = 0;    // ended to make room (EndReason::kEvicted)
  uint64_t timed_out = 0;  // ended by an idle or active timeout
  uint64_t closed = 0;     // ended after FIN both ways or RST, once the linger passed
  uint64_t reused = 0;     // ended by a new TCP connection on the same ports
  uint64_t ended = 0;      // ended for any reason
};

/// The flow table. Single-threaded; shard by FlowKey::Hash for several threads.
class FlowTable {
 public:
  FlowTable(FlowLimits limits, FlowObserver& observer);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  /// Assigns a decoded packet to its flow (TCP, UDP or other IP), creating the flow when
  /// needed, updates the flow and feeds its consumer. First expires flows idle at `ts`.
  FlowUpdate Process(const decode::Packet& pkt, core::Timestamp ts, uint32_t capture_index,
                     uint64_t frame_number, core::Anomalies& anomalies);
  /// Ends flows that have been idle too long at time `now` (packet time); cheap when none
  /// have, so it may be called for every packet.
  void Advance(core::Timestamp now, core::Anomalies& anomalies);
  /// Ends every flow (EndReason::kEndOfInput), in creation order, and gives back the memory
  /// of the node pool; the table may take packets again.
  void Flush(core::Anomalies& anomalies);

  /// Flow nodes the pool holds, live or free: what the table's memory grows with.
  size_t pooled() const { return allocated_; }
  /// Calls `fn` for every flow not yet ended, in creation order (for snapshots of a run in
  /// progress; not for the packet path).
  void ForEachLive(const std::function<void(const Flow&)>& fn) const;

  const FlowStats& stats() const { return stats_; }
  const FlowLimits& limits() const { return limits_; }
  /// What the stream buffers of this table's flows hold together, within
  /// FlowLimits::max_stream_memory; consumers may count their own buffers in it.
  StreamMemory& stream_memory() { return stream_memory_; }

 private:
  struct Node;
  // Flows that share one timeout; each list is ordered by last activity, oldest first.
  enum class Lane : uint8_t { kTcp, kTcpClosed, kUdp, kOther };
  static constexpr size_t kLanes = 4;
  struct List {
    Node* head = nullptr;
    Node* tail = nullptr;
  };

  Node* Find(const FlowKey& key, uint64_t hash) const;
  Node* Create(const FlowKey& key, uint64_t hash, const decode::Packet& pkt,
               const core::IpAddr& src, const core::IpAddr& dst, core::Timestamp ts,
               uint32_t capture_index, uint64_t frame_number, core::Anomalies& anomalies);
  Node* Allocate();
  void End(Node* node, EndReason reason, core::Anomalies& anomalies);
  void Touch(Node* node);
  void SetLane(Node* node, Lane lane);
  int64_t TimeoutOf(Lane lane) const;
  Node* OldestExpired();
  Node* OldestIdle();
  void GrowBuckets();
  void UpdateTcp(Node* node, Direction dir, const decode::Packet& pkt);
  void Feed(Node* node, Direction dir, const decode::Packet& pkt, uint64_t frame_number,
            core::Timestamp ts, core::Anomalies& anomalies);

  FlowLimits limits_;
  ReassemblyLimits reassembly_limits_;
  size_t max_buckets_ = 0;
  FlowObserver& observer_;
  FlowStats stats_;
  // Before the node pool: the consumers the nodes own give their bytes back when destroyed.
  StreamMemory stream_memory_;
  uint64_t next_id_ = 1;
  int64_t now_ns_ = std::numeric_limits<int64_t>::min();  // latest packet time seen; time never
                                                          // runs backwards here
  std::vector<Node*> buckets_;                            // chained hash table, size a power of two
  std::vector<std::unique_ptr<Node[]>> chunks_;           // the node pool
  size_t allocated_ = 0;                                  // nodes in chunks_
  Node* free_ = nullptr;                                  // unused nodes, chained by hash_next
  std::array<List, kLanes> lanes_;                        // LRU order per timeout class
  List order_;                                            // creation order, for Flush
};

}  // namespace qw::flow
