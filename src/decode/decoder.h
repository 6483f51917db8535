// Decoder: turns a captured frame into a Packet, layer by layer, counting every malformed
// header as a named anomaly. Holds the IP fragment reassembler (IPv4, and IPv6 too),
// whose memory and age are bounded.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "core/anomalies.h"
#include "core/timestamp.h"
#include "decode/packet.h"

namespace qw::decode {

/// Bounds of the decoder's state.
struct DecoderLimits {
  // False: fragments are flagged (ip_fragment) and left whole, for a first pass that only
  // needs addresses; the pass that owns the flows decodes them again and reassembles.
  bool reassemble = true;
  size_t max_fragment_bytes = 64 << 20;          // all pending IP fragments together (v4 and v6)
  size_t max_fragment_datagrams = 4096;          // datagrams being reassembled at once
  int64_t fragment_timeout_ns = 30'000'000'000;  // a datagram not whole by then is dropped
  size_t max_ipv6_ext_headers = 8;               // extension headers followed before giving up
  size_t max_vlan_tags = 4;                      // stacked tags followed before giving up
};

class Ipv4Reassembler;

/// Decodes frames of any supported link type into Packets.
class Decoder {
 public:
  explicit Decoder(DecoderLimits limits = {});
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  /// Decodes one frame. Returns false only when the link type is unknown; a malformed
  /// header stops decoding at that layer, raises an anomaly and still returns true.
  /// `orig_len` is the frame's length on the wire (0: as captured); when it exceeds the
  /// captured bytes the frame was cut by the snap length, and lengths that run past the
  /// capture are then clamped without an anomaly. Views in `out` live until the next call.
  bool Decode(uint32_t link_type, core::Timestamp ts, std::span<const uint8_t> frame, Packet& out,
              core::Anomalies& anomalies, uint32_t orig_len = 0);

  /// Datagrams (IPv4 and IPv6) waiting for fragments, and the bytes they hold.
  size_t pending_fragment_datagrams() const;
  size_t pending_fragment_bytes() const;

 private:
  DecoderLimits limits_;
  std::unique_ptr<Ipv4Reassembler> reassembler_;
};

}  // namespace qw::decode
