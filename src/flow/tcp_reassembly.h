// TCP stream reassembly for one direction of one flow: turns segments, in whatever order
// the capture holds them, into in-order bytes for a StreamConsumer, with bounded memory.
//
// RFC 9293 3.4 (sequence numbers): sequence space is modulo 2^32 and SYN and FIN each take
// one number. The reassembler maps sequence numbers onto 64-bit stream offsets counted from
// the first data byte (the ISN + 1 when the SYN was seen, else the first sequence number
// seen that has data: an empty keep-alive sits one below it, and a one-byte keep-alive,
// flagged ACK alone, does not count as data), relative to the next offset it expects, so
// wraparound needs no special case.
//
// What it does with each segment:
//  - bytes before the next expected offset were delivered already: they are dropped
//    (retransmission or overlap; the first copy wins);
//  - a segment that starts at the next expected offset goes straight to the consumer from
//    the caller's buffer (zero copy), followed by whatever buffered bytes it makes
//    contiguous;
//  - a segment beyond it is copied into the out-of-order buffer, trimmed against what is
//    buffered already (first copy wins; differing bytes count `tcp.overlap_mismatch`);
//  - when the buffer would pass its byte cap (`tcp.reassembly_buffer_full`) or its segment
//    cap (`tcp.too_many_segments`), the first hole is declared lost: OnGap(n), and delivery
//    continues after it, until the new segment fits;
//  - when the peer acknowledges bytes past a hole, at or beyond the start of data held after
//    it, the receiver has the hole's bytes and will not ask for them again: the capture
//    missed them for good, so the hole is declared lost (`tcp.hole_acked`) and the held
//    data goes on. A hole with nothing held after it waits: a span port may show the
//    acknowledgement before the data it acknowledges;
//  - at the end of the flow (Finish), every remaining hole becomes a gap (`tcp.gap`), the
//    buffered bytes are delivered, and bytes missing before a seen FIN are a gap too;
//  - the buffers of every flow together stay within a StreamMemory, when the sink names
//    one: a segment whose buffering would pass it is treated as at the byte cap, raising
//    `tcp.stream_memory_full` instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/anomalies.h"
#include "core/timestamp.h"
#include "decode/packet.h"
#include "flow/flow.h"
#include "flow/stream_memory.h"

namespace qw::flow {

/// Bounds of one direction's out-of-order buffer.
struct ReassemblyLimits {
  size_t max_buffer_bytes = 1 << 20;  // bytes held waiting for a hole to fill
  size_t max_segments = 1024;         // separate out-of-order pieces held at once
};

/// Where a direction's reassembler sends its bytes, and what it reports to.
struct ReassemblySink {
  StreamConsumer& consumer;
  Direction dir;
  const ReassemblyLimits& limits;
  core::Anomalies& anomalies;
  StreamMemory* memory = nullptr;  // what every flow's buffers may hold together, if bounded
};

/// Reassembles one direction of a TCP connection. Holds no bytes while segments arrive in
/// order; its buffers grow only for out-of-order data and stay within ReassemblyLimits.
class TcpReassembler {
 public:
  /// Takes one segment of this direction: its flags (decode::TcpFlags), sequence number
  /// and payload (valid only during the call).
  void AddSegment(uint8_t flags, uint32_t seq, std::span<const uint8_t> payload, uint64_t frame,
                  core::Timestamp ts, const ReassemblySink& sink) {
    // Most segments carry data that continues the stream, with nothing held: straight on.
    if (started_ && segments_.empty() && !payload.empty() &&
        (flags & (decode::kSyn | decode::kFin)) == 0 && seq == NextSeq() &&
        sink.consumer.WantsData()) {
      sink.consumer.OnData(sink.dir, payload, frame, ts);
      next_offset_ += payload.size();
      return;
    }
    AddAnySegment(flags, seq, payload, frame, ts, sink);
    Settle(sink.memory);
  }
  /// The peer acknowledged this direction's bytes up to `ack` (the next sequence number it
  /// expects); holes it acknowledged past, with data held after them, are declared lost.
  void OnPeerAck(uint32_t ack, const ReassemblySink& sink) {
    if (!started_) return;
    const int64_t offset = OffsetOf(ack);
    if (offset <= static_cast<int64_t>(acked_offset_)) return;
    acked_offset_ = static_cast<uint64_t>(offset);
    if (!segments_.empty()) {
      SkipAcknowledgedHoles(sink);
      Settle(sink.memory);
    }
  }
  /// The flow ended: remaining holes become gaps and buffered bytes are delivered.
  void Finish(const ReassemblySink& sink);
  /// Forgets all state and returns the buffers' memory (flow ended or consumer left), to
  /// `memory` too: the one the sinks named, if they named one.
  void Reset(StreamMemory* memory = nullptr);

  /// Bytes waiting in the out-of-order buffer.
  size_t buffered_bytes() const { return buffered_bytes_; }
  /// Pieces waiting in the out-of-order buffer.
  size_t buffered_segments() const { return segments_.size(); }
  /// Stream offset of the next byte the consumer expects (bytes delivered plus gaps).
  uint64_t next_offset() const { return next_offset_; }

 private:
  // One buffered piece: stream offsets [start, end) whose bytes sit in arena_ at `at`.
  struct Piece {
    uint64_t start = 0, end = 0;
    size_t at = 0;
    uint64_t frame = 0;
    core::Timestamp ts;
  };

  // What buffering [start, end) would add: new pieces and new bytes (the rest is held).
  struct Plan {
    size_t pieces = 0;
    size_t bytes = 0;
  };
  Plan PlanBuffer(uint64_t start, uint64_t end) const;
  // The arena's capacity once it takes `more` bytes, as Buffer reserves it.
  size_t ArenaCapacityFor(size_t more) const {
    return GrownCapacity(arena_.size(), arena_.capacity(), more);
  }
  // The segment list's capacity once it takes `more` pieces, as Buffer reserves it.
  size_t SegmentCapacityFor(size_t more) const {
    return GrownCapacity(segments_.size(), segments_.capacity(), more);
  }
  // Memory the buffers hold: the arena's and the segment list's capacity.
  size_t Footprint() const { return arena_.capacity() + segments_.capacity() * sizeof(Piece); }
  // Tells `memory` what the buffers hold now.
  void Settle(StreamMemory* memory) { charge_.Settle(memory, Footprint()); }
  // AddSegment for every case: retransmissions, holes, SYN and FIN, held bytes.
  void AddAnySegment(uint8_t flags, uint32_t seq, std::span<const uint8_t> payload, uint64_t frame,
                     core::Timestamp ts, const ReassemblySink& sink);
  // The sequence number of the next byte the consumer expects (next_offset_, modulo 2^32).
  uint32_t NextSeq() const { return base_seq_ + static_cast<uint32_t>(next_offset_); }
  // Maps a sequence number onto a stream offset near next_offset_ (may be negative).
  int64_t OffsetOf(uint32_t seq) const {
    return static_cast<int64_t>(next_offset_) + static_cast<int32_t>(seq - NextSeq());
  }
  // Delivers bytes that start exactly at next_offset_, then what they make contiguous.
  void DeliverInOrder(uint64_t start, std::span<const uint8_t> bytes, uint64_t frame,
                      core::Timestamp ts, const ReassemblySink& sink);
  // Delivers buffered pieces while the first one starts at next_offset_.
  void DrainContiguous(const ReassemblySink& sink);
  // Declares the hole before the first buffered piece lost, then drains what follows it.
  void SkipFirstHole(const ReassemblySink& sink);
  // Copies [start, start + bytes.size()) into the buffer around what is held already.
  void Buffer(uint64_t start, std::span<const uint8_t> bytes, uint64_t frame, core::Timestamp ts,
              const ReassemblySink& sink);
  // Counts a mismatch when two copies of the same stream bytes differ.
  void CompareOverlap(const Piece& held, uint64_t start, std::span<const uint8_t> bytes,
                      const ReassemblySink& sink) const;
  // Skips holes the peer acknowledged past (see OnPeerAck).
  void SkipAcknowledgedHoles(const ReassemblySink& sink);
  // Reports n lost bytes and moves past them.
  void Gap(uint64_t n, const ReassemblySink& sink);
  // Moves live pieces to the front of the arena once dead bytes dominate it.
  void CompactArena();
  std::span<const uint8_t> BytesOf(const Piece& p) const;

  bool started_ = false;
  bool fin_seen_ = false;
  uint32_t base_seq_ = 0;        // sequence number of stream offset 0
  uint64_t next_offset_ = 0;     // next offset the consumer expects
  uint64_t fin_offset_ = 0;      // offset of the FIN, when seen
  uint64_t acked_offset_ = 0;    // highest offset the peer acknowledged
  size_t buffered_bytes_ = 0;    // live bytes in segments_
  std::vector<Piece> segments_;  // sorted by start, never overlapping
  std::vector<uint8_t> arena_;   // bytes of segments_, with dead space until compacted
  StreamCharge charge_;          // what the sinks' StreamMemory was told the buffers hold
};

}  // namespace qw::flow
