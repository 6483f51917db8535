// Flows: bidirectional conversations keyed by VLAN and 5-tuple, with the initiator known.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "core/address.h"
#include "core/timestamp.h"

namespace qw::flow {

/// Direction of a packet within its flow: from the initiator, or from the responder.
enum class Direction : uint8_t { kFromInitiator = 0, kFromResponder = 1 };

/// The other direction of a flow.
inline Direction Reverse(Direction d) {
  return d == Direction::kFromInitiator ? Direction::kFromResponder : Direction::kFromInitiator;
}

/// The key of a flow, in canonical order (lower endpoint first), so that both directions
/// of a conversation find the same flow.
struct FlowKey {
  core::IpAddr lo_ip, hi_ip;
  uint16_t lo_port = 0, hi_port = 0;
  uint16_t vlan = 0, inner_vlan = 0;
  uint8_t proto = 0;

  bool operator==(const FlowKey&) const = default;
  /// The same for both directions of a conversation; shards flows among threads.
  uint64_t Hash() const;
};

/// TCP connection state as far as the flow table follows it.
enum class TcpState : uint8_t {
  kNone,         // not TCP
  kSynSent,      // SYN seen from the initiator
  kSynAckSeen,   // SYN+ACK seen from the responder
  kEstablished,  // handshake complete, or picked up mid-stream
  kClosing,      // FIN seen in one direction
  kClosed,       // FIN seen in both directions
  kReset,        // RST seen
};

/// Why a flow ended.
enum class EndReason : uint8_t { kIdle, kActive, kClosed, kEvicted, kEndOfInput, kReused };

/// Receives in-order TCP bytes of one flow (both directions) from the reassembler.
/// Implemented by the dissect layer; the flow table owns it for the flow's lifetime.
class StreamConsumer {
 public:
  virtual ~StreamConsumer() = default;
  /// In-order bytes from one direction; the view is valid only during the call.
  virtual void OnData(Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
                      core::Timestamp ts) = 0;
  /// n bytes of one direction will never arrive (lost, or over the buffer cap).
  virtual void OnGap(Direction dir, uint64_t n) = 0;
  /// The flow ended; no further calls follow.
  virtual void OnEnd(EndReason reason) = 0;
  /// False once the consumer wants no more bytes (lets the flow drop its buffers).
  virtual bool WantsData() const = 0;
  /// The application protocol recognised in the flow, or nullptr.
  virtual const char* Protocol() const { return nullptr; }
};

/// One bidirectional flow.
struct Flow {
  FlowKey key;
  uint64_t id = 0;  // 1-based creation order within its flow table
  core::IpAddr initiator_ip, responder_ip;
  uint16_t initiator_port = 0, responder_port = 0;
  core::MacAddr initiator_mac, responder_mac;
  uint8_t proto = 0;
  uint16_t vlan = 0, inner_vlan = 0;
  bool midstream = false;  // TCP picked up without its SYN: initiator is a guess
  TcpState tcp_state = TcpState::kNone;
  core::Timestamp first_ts, last_ts;
  uint32_t capture_index = 0;               // which input file held the first frame
  uint64_t first_frame = 0;                 // 1-based frame number of the first packet in that file
  std::array<uint64_t, 2> packets{};        // indexed by Direction
  std::array<uint64_t, 2> bytes{};          // frame bytes, indexed by Direction
  std::array<uint64_t, 2> payload_bytes{};  // transport payload bytes, indexed by Direction
  std::unique_ptr<StreamConsumer> consumer;  // attached by the flow observer, may be null

  /// The flow's id in the outputs (flows.id): its first frame, so the same whatever the
  /// thread count.
  uint64_t RecordId() const { return static_cast<uint64_t>(capture_index) << 40 | first_frame; }
};

}  // namespace qw::flow
