// The Dissector interface and the registry's entry types.
//
// Two kinds of dissector exist. A frame dissector handles a link-layer protocol that the
// decoder recognised (ARP, LLDP, CDP): one call per frame. A stream dissector handles
// bytes of a TCP stream or UDP datagrams of one flow; it keeps per-flow state, and its
// probe decides by content (a port only orders the probes) whether the bytes are its
// protocol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/anomalies.h"
#include "core/timestamp.h"
#include "decode/packet.h"
#include "dissect/observation.h"
#include "flow/flow.h"

namespace qw::dissect {

/// What a stream dissector did with the bytes it was offered.
enum class Verdict : uint8_t {
  kConsumed,         // `consumed` bytes were used; call again with the rest
  kNeedMore,         // nothing usable yet: at least `need` more bytes are wanted
  kNotThisProtocol,  // the bytes violate the protocol: detach this dissector
};

/// A stream dissector's answer for one call. For UDP each call is one datagram: what the
/// dissector leaves unconsumed of it is dropped, never joined to the next datagram.
struct ParseResult {
  Verdict verdict = Verdict::kConsumed;
  size_t consumed = 0;
  size_t need = 0;
};

/// What a stream dissector may know and use about the flow it serves.
class Expectations;

struct StreamContext {
  const flow::Flow* flow = nullptr;
  uint32_t capture_index = 0;
  uint64_t frame = 0;  // the frame whose bytes complete the data offered now
  core::Timestamp ts;
  ObservationSink* sink = nullptr;
  core::Anomalies* anomalies = nullptr;
  uint64_t max_hashed_file_bytes = 64ull << 20;  // file transfers longer are not hashed
  Expectations* expectations = nullptr;  // where flows this one announces are expected
};

/// Per-flow protocol state for one flow: data in, observations out.
class Dissector {
 public:
  virtual ~Dissector() = default;
  /// Bytes of one direction, in order; unconsumed bytes are offered again with more.
  virtual ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                             const StreamContext& ctx) = 0;
  /// n bytes of one direction are missing; the dissector resynchronises or gives up.
  virtual void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) = 0;
  /// The flow ended.
  virtual void OnEnd(const StreamContext& ctx) = 0;
};

/// How sure a probe is that bytes belong to its protocol.
enum class ProbeResult : uint8_t { kNo, kMaybe, kYes };

/// A stream dissector as the registry lists it.
struct StreamDissectorInfo {
  const char* name;                 // "modbus", "s7comm", ...
  uint8_t transport;                // 6 TCP, 17 UDP
  std::span<const uint16_t> ports;  // ports tried first; any port may still match
  /// Inspects the first bytes of one direction; kMaybe asks for more bytes.
  ProbeResult (*probe)(flow::Direction dir, std::span<const uint8_t> first_bytes);
  /// Makes the per-flow dissector once the probe said yes.
  std::unique_ptr<Dissector> (*create)();
};

/// A frame dissector as the registry lists it.
struct FrameDissectorInfo {
  const char* name;  // "arp", "lldp", "cdp"
  decode::L3 l3;     // the decoder's classification it handles
  /// Turns one decoded frame into observations; malformed input raises anomalies.
  void (*dissect)(const decode::Packet& pkt, const FrameContext& ctx, ObservationSink& sink,
                  core::Anomalies& anomalies);
  uint16_t ethertype = 0;  // with l3 kOther: the EtherType it handles (PROFINET 0x8892)
};

/// True when the frame dissector `d` handles the decoded frame `pkt`.
inline bool Handles(const FrameDissectorInfo& d, const decode::Packet& pkt) {
  return d.l3 == pkt.l3 && (d.ethertype == 0 || d.ethertype == pkt.ethertype);
}

/// Every frame dissector, in a fixed order.
std::span<const FrameDissectorInfo> FrameDissectors();
/// Every stream dissector, in a fixed order.
std::span<const StreamDissectorInfo> StreamDissectors();

}  // namespace qw::dissect
