#include "flow/tcp_reassembly.h"

#include <algorithm>
#include <cassert>

namespace qw::flow {
namespace {

// Arena capacity kept once the buffer has drained; beyond it the memory goes back, so that
// a flow that once saw heavy reordering does not hold its peak for the rest of its life.
constexpr size_t kKeptArenaCapacity = 64 << 10;

}  // namespace

std::span<const uint8_t> TcpReassembler::BytesOf(const Piece& p) const {
  return std::span<const uint8_t>(arena_).subspan(p.at, static_cast<size_t>(p.end - p.start));
}

void TcpReassembler::AddAnySegment(uint8_t flags, uint32_t seq, std::span<const uint8_t> payload,
                                   uint64_t frame, core::Timestamp ts, const ReassemblySink& sink) {
  if (!sink.consumer.WantsData()) {
    Reset();
    return;
  }
  const bool syn = (flags & decode::kSyn) != 0;
  // The SYN takes one sequence number, so data (and stream offset 0) starts after it.
  const uint32_t data_seq = syn ? seq + 1 : seq;
  if (!started_) {
    // Picked up mid-stream, an empty segment may be a keep-alive, whose sequence number is
    // one below the next byte: anchoring on it would open a one-byte hole that holds back
    // everything after it. Only a SYN or a segment with data fixes stream offset 0.
    if (!syn && payload.empty()) return;
    // Windows and others send their keep-alive with one zero byte below the next, the ACK
    // flag alone, where data would carry PSH: as the first segment with data it would put
    // a stale byte in front of the stream and every probe would refuse the flow.
    if (!syn && payload.size() == 1 && payload[0] == 0 &&
        (flags & (decode::kFin | decode::kRst | decode::kPsh | decode::kUrg)) == 0) {
      return;
    }
    started_ = true;
    base_seq_ = data_seq;
  }
  int64_t start = OffsetOf(data_seq);
  if ((flags & decode::kFin) != 0 && !fin_seen_) {
    const int64_t fin = start + static_cast<int64_t>(payload.size());
    if (fin >= 0) {
      fin_seen_ = true;
      fin_offset_ = static_cast<uint64_t>(fin);
    }
  }
  const int64_t end = start + static_cast<int64_t>(payload.size());
  // Each pass either returns or moves next_offset_ forward, so the loop ends.
  while (true) {
    const auto next = static_cast<int64_t>(next_offset_);
    if (end <= next) return;  // delivered (or declared lost) already
    if (start < next) {
      payload = payload.subspan(static_cast<size_t>(next - start));
      start = next;
    }
    const auto ustart = static_cast<uint64_t>(start);
    if (ustart == next_offset_) {
      DeliverInOrder(ustart, payload, frame, ts, sink);
      return;
    }
    const Plan plan = PlanBuffer(ustart, ustart + payload.size());
    const bool bytes_fit = buffered_bytes_ + plan.bytes <= sink.limits.max_buffer_bytes;
    const bool pieces_fit = segments_.size() + plan.pieces <= sink.limits.max_segments;
    const size_t growth = ArenaCapacityFor(plan.bytes) - arena_.capacity() +
                          (SegmentCapacityFor(plan.pieces) - segments_.capacity()) * sizeof(Piece);
    const bool memory_fits = !sink.memory || sink.memory->Fits(growth);
    if (bytes_fit && pieces_fit && memory_fits) {
      Buffer(ustart, payload, frame, ts, sink);
      return;
    }
    sink.anomalies.Raise(!bytes_fit    ? "tcp.reassembly_buffer_full"
                         : !pieces_fit ? "tcp.too_many_segments"
                                       : "tcp.stream_memory_full");
    if (segments_.empty()) {
      Gap(ustart - next_offset_, sink);  // the segment alone is over the cap
    } else {
      SkipFirstHole(sink);
    }
    if (!sink.consumer.WantsData()) return;
  }
}

void TcpReassembler::DeliverInOrder(uint64_t start, std::span<const uint8_t> bytes, uint64_t frame,
                                    core::Timestamp ts, const ReassemblySink& sink) {
  assert(start == next_offset_);
  const uint64_t end = start + bytes.size();
  size_t used = 0;  // buffered pieces consumed, erased together at the end
  while (next_offset_ < end && sink.consumer.WantsData()) {
    if (used < segments_.size() && segments_[used].start <= next_offset_) {
      // A buffered copy of these bytes came first: it wins.
      const Piece& p = segments_[used];
      const uint64_t overlap_end = std::min(end, p.end);
      CompareOverlap(p, next_offset_,
                     bytes.subspan(static_cast<size_t>(next_offset_ - start),
                                   static_cast<size_t>(overlap_end - next_offset_)),
                     sink);
      sink.consumer.OnData(sink.dir, BytesOf(p), p.frame, p.ts);
      next_offset_ = p.end;
      buffered_bytes_ -= static_cast<size_t>(p.end - p.start);
      ++used;
      continue;
    }
    uint64_t stop = end;
    if (used < segments_.size()) stop = std::min(stop, segments_[used].start);
    sink.consumer.OnData(sink.dir,
                         bytes.subspan(static_cast<size_t>(next_offset_ - start),
                                       static_cast<size_t>(stop - next_offset_)),
                         frame, ts);
    next_offset_ = stop;
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(used));
  DrainContiguous(sink);
}

void TcpReassembler::DrainContiguous(const ReassemblySink& sink) {
  size_t used = 0;
  while (used < segments_.size() && segments_[used].start <= next_offset_ &&
         sink.consumer.WantsData()) {
    const Piece& p = segments_[used];
    sink.consumer.OnData(sink.dir, BytesOf(p), p.frame, p.ts);
    next_offset_ = p.end;
    buffered_bytes_ -= static_cast<size_t>(p.end - p.start);
    ++used;
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(used));
  if (segments_.empty()) {
    arena_.clear();
    // Room is kept for the next reordering unless it is large, or every flow's buffers
    // together are near their cap and others may need it.
    const bool tight = sink.memory && sink.memory->Tight();
    if (arena_.capacity() > kKeptArenaCapacity || tight) std::vector<uint8_t>().swap(arena_);
    if (tight) std::vector<Piece>().swap(segments_);
  }
}

void TcpReassembler::SkipAcknowledgedHoles(const ReassemblySink& sink) {
  while (!segments_.empty() && segments_.front().start > next_offset_ &&
         segments_.front().start <= acked_offset_ && sink.consumer.WantsData()) {
    sink.anomalies.Raise("tcp.hole_acked");
    SkipFirstHole(sink);
  }
}

void TcpReassembler::SkipFirstHole(const ReassemblySink& sink) {
  if (segments_.empty()) return;
  Gap(segments_.front().start - next_offset_, sink);
  DrainContiguous(sink);
}

TcpReassembler::Plan TcpReassembler::PlanBuffer(uint64_t start, uint64_t end) const {
  Plan plan;
  auto it = std::lower_bound(segments_.begin(), segments_.end(), start,
                             [](const Piece& p, uint64_t s) { return p.end <= s; });
  uint64_t cursor = start;
  for (; it != segments_.end() && it->start < end; ++it) {
    if (cursor < it->start) {
      ++plan.pieces;
      plan.bytes += static_cast<size_t>(it->start - cursor);
    }
    cursor = std::max(cursor, it->end);
  }
  if (cursor < end) {
    ++plan.pieces;
    plan.bytes += static_cast<size_t>(end - cursor);
  }
  return plan;
}

void TcpReassembler::Buffer(uint64_t start, std::span<const uint8_t> bytes, uint64_t frame,
                            core::Timestamp ts, const ReassemblySink& sink) {
  const uint64_t end = start + bytes.size();
  const Plan plan = PlanBuffer(start, end);
  if (arena_.size() + plan.bytes > 2 * sink.limits.max_buffer_bytes) CompactArena();
  // Grown here, once, to what AddAnySegment counted against the StreamMemory.
  arena_.reserve(ArenaCapacityFor(plan.bytes));
  segments_.reserve(SegmentCapacityFor(plan.pieces));

  // Appends the new bytes [from, to) as a piece inserted at index i.
  auto insert_piece = [&](size_t i, uint64_t from, uint64_t to) {
    Piece p;
    p.start = from;
    p.end = to;
    p.at = arena_.size();
    p.frame = frame;
    p.ts = ts;
    const auto piece_bytes =
        bytes.subspan(static_cast<size_t>(from - start), static_cast<size_t>(to - from));
    arena_.insert(arena_.end(), piece_bytes.begin(), piece_bytes.end());
    segments_.insert(segments_.begin() + static_cast<ptrdiff_t>(i), p);
    buffered_bytes_ += piece_bytes.size();
  };

  size_t i =
      static_cast<size_t>(std::lower_bound(segments_.begin(), segments_.end(), start,
                                           [](const Piece& p, uint64_t s) { return p.end <= s; }) -
                          segments_.begin());
  uint64_t cursor = start;
  while (i < segments_.size() && segments_[i].start < end) {
    if (cursor < segments_[i].start) {
      insert_piece(i, cursor, segments_[i].start);
      ++i;  // now the held piece again
    }
    const Piece& held = segments_[i];
    CompareOverlap(held, start, bytes, sink);
    cursor = std::max(cursor, held.end);
    ++i;
  }
  if (cursor < end) insert_piece(i, cursor, end);
}

void TcpReassembler::CompareOverlap(const Piece& held, uint64_t start,
                                    std::span<const uint8_t> bytes,
                                    const ReassemblySink& sink) const {
  const uint64_t from = std::max(held.start, start);
  const uint64_t to = std::min(held.end, start + bytes.size());
  if (from >= to) return;
  const auto mine =
      BytesOf(held).subspan(static_cast<size_t>(from - held.start), static_cast<size_t>(to - from));
  const auto theirs =
      bytes.subspan(static_cast<size_t>(from - start), static_cast<size_t>(to - from));
  if (!std::equal(mine.begin(), mine.end(), theirs.begin())) {
    sink.anomalies.Raise("tcp.overlap_mismatch");
  }
}

void TcpReassembler::Gap(uint64_t n, const ReassemblySink& sink) {
  if (n == 0) return;
  sink.anomalies.Raise("tcp.gap");
  sink.consumer.OnGap(sink.dir, n);
  next_offset_ += n;
}

void TcpReassembler::CompactArena() {
  std::vector<uint8_t> packed;
  packed.reserve(buffered_bytes_);
  for (Piece& p : segments_) {
    const auto b = BytesOf(p);
    p.at = packed.size();
    packed.insert(packed.end(), b.begin(), b.end());
  }
  arena_.swap(packed);
}

void TcpReassembler::Finish(const ReassemblySink& sink) {
  if (!started_) return;
  while (!segments_.empty() && sink.consumer.WantsData()) SkipFirstHole(sink);
  if (fin_seen_ && fin_offset_ > next_offset_ && sink.consumer.WantsData()) {
    Gap(fin_offset_ - next_offset_, sink);
  }
  Reset(sink.memory);
}

void TcpReassembler::Reset(StreamMemory* memory) {
  started_ = false;
  fin_seen_ = false;
  base_seq_ = 0;
  next_offset_ = 0;
  fin_offset_ = 0;
  acked_offset_ = 0;
  buffered_bytes_ = 0;
  std::vector<Piece>().swap(segments_);
  std::vector<uint8_t>().swap(arena_);
  Settle(memory);
}

}  // namespace qw::flow
