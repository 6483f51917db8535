#include "dissect/stream_attacher.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>

namespace qw::dissect {

namespace {
size_t Index(flow::Direction dir) { return static_cast<size_t>(dir); }
constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;
// Datagrams a UDP flow may be probed with while every probe still says "maybe".
constexpr uint32_t kMaxProbedDatagrams = 8;
// Segments held undecided that keep frames of their own (a few hundred octets a flow at
// most); later ones join the last of their direction (its frame then stands for them).
constexpr size_t kMaxHeldPieces = 8;
// Times a TCP flow picked up mid-stream, whose first bytes every probe refused, is probed
// again from the next segment: its first bytes may be the middle of a message.
constexpr uint8_t kMidstreamRetries = 3;
}  // namespace

StreamAttacher::StreamAttacher(const flow::Flow& flow, Candidates candidates, ObservationSink& sink,
                               core::Anomalies& anomalies, AttachStats& stats, AttachLimits limits,
                               Expectations* expectations, flow::StreamMemory* memory)
    : flow_(flow),
      sink_(sink),
      anomalies_(anomalies),
      expectations_(expectations),
      limits_(limits),
      candidates_(candidates),
      first_candidates_(candidates),
      retries_left_(flow.proto == kTcp && flow.midstream ? kMidstreamRetries : 0),
      stats_(stats),
      memory_(memory) {
  done_ = candidates_.empty();
}

StreamAttacher::StreamAttacher(const flow::Flow& flow, const StreamDissectorInfo& info,
                               std::unique_ptr<Dissector> dissector, ObservationSink& sink,
                               core::Anomalies& anomalies, AttachStats& stats, AttachLimits limits,
                               Expectations* expectations, flow::StreamMemory* memory)
    : flow_(flow),
      active_(&info),
      dissector_(std::move(dissector)),
      sink_(sink),
      anomalies_(anomalies),
      expectations_(expectations),
      limits_(limits),
      stats_(stats),
      recognised_(info.name),
      memory_(memory) {
  ++stats_.attached;
}

StreamAttacher::~StreamAttacher() { DropBuffers(); }

bool StreamAttacher::Room(std::vector<uint8_t>& buf, size_t more) {
  const size_t grown = flow::GrownCapacity(buf.size(), buf.capacity(), more);
  if (grown == buf.capacity()) return true;
  if (memory_ && !memory_->Fits(grown - buf.capacity())) return false;
  buf.reserve(grown);
  Settle();
  return true;
}

void StreamAttacher::ReleaseIfTight(std::vector<uint8_t>& buf) {
  if (!buf.empty() || buf.capacity() == 0 || !memory_ || !memory_->Tight()) return;
  std::vector<uint8_t>().swap(buf);
  Settle();
}

StreamContext StreamAttacher::Context(uint64_t frame, core::Timestamp ts) const {
  StreamContext ctx;
  ctx.flow = &flow_;
  ctx.capture_index = flow_.capture_index;
  ctx.frame = frame;
  ctx.ts = ts;
  ctx.sink = &sink_;
  ctx.anomalies = &anomalies_;
  ctx.max_hashed_file_bytes = limits_.max_hashed_file_bytes;
  ctx.expectations = expectations_;
  return ctx;
}

void StreamAttacher::OnData(flow::Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
                            core::Timestamp ts) {
  if (done_ || bytes.empty()) return;
  last_frame_ = frame;
  last_ts_ = ts;
  if (flow_.proto == kUdp) {
    OnDatagram(dir, bytes, frame, ts);
    return;
  }
  if (active_) {
    Feed(dir, bytes, frame, ts);
    return;
  }
  auto& buf = buffer_[Index(dir)];
  size_t room = limits_.max_probe_bytes - std::min(limits_.max_probe_bytes, buf.size());
  const size_t take = std::min(room, bytes.size());
  if (!Room(buf, take)) {
    // No room left among every flow's buffers to hold bytes while probes decide.
    anomalies_.Raise("dissect.stream_memory_full");
    done_ = true;
    ++stats_.undetected;
    DropBuffers();
    return;
  }
  buf.insert(buf.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(take));
  Probe(dir, frame, ts);
  // Still undecided, and the bytes still held (a mid-stream retry drops them).
  if (!active_ && !done_ && !buf.empty()) HoldPiece(dir, take, frame, ts);
}

void StreamAttacher::HoldPiece(flow::Direction dir, size_t size, uint64_t frame,
                               core::Timestamp ts) {
  if (size == 0) return;
  if (held_pieces_.size() < kMaxHeldPieces) {
    held_pieces_.push_back({size, frame, ts, dir});
    return;
  }
  for (auto it = held_pieces_.rbegin(); it != held_pieces_.rend(); ++it) {
    if (it->dir == dir) {
      it->size += size;
      return;
    }
  }
}

bool StreamAttacher::ProbeCandidates(flow::Direction dir, std::span<const uint8_t> bytes,
                                     bool& any_maybe) {
  active_ = candidates_.Race(
      [&](const StreamDissectorInfo& info) { return info.probe(dir, bytes); }, any_maybe);
  if (!active_) return false;
  recognised_ = active_->name;
  dissector_ = active_->create();
  ++stats_.attached;
  return true;
}

void StreamAttacher::OnDatagram(flow::Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
                                core::Timestamp ts) {
  if (!active_) {
    bool any_maybe = false;
    ProbeCandidates(dir, bytes, any_maybe);
    if (!active_) {
      if (!any_maybe || ++probed_datagrams_ >= kMaxProbedDatagrams) {
        done_ = true;
        ++stats_.undetected;
      }
      return;
    }
  }
  // A datagram is a whole message: offer it alone and drop what the dissector leaves.
  StreamContext ctx = Context(frame, ts);
  size_t used = 0;
  while (used < bytes.size() && !done_) {
    ParseResult r = dissector_->OnData(dir, bytes.subspan(used), ctx);
    if (r.verdict == Verdict::kNotThisProtocol) {
      if (++violations_ >= limits_.max_violations) Detach("dissect.protocol_violation");
      return;
    }
    if (r.verdict == Verdict::kNeedMore || r.consumed == 0) return;
    used += std::min(r.consumed, bytes.size() - used);
  }
}

void StreamAttacher::Probe(flow::Direction dir, uint64_t frame, core::Timestamp ts) {
  auto& buf = buffer_[Index(dir)];
  bool any_maybe = false;
  if (ProbeCandidates(dir, buf, any_maybe)) {
    std::vector<uint8_t> held[2] = {std::move(buffer_[0]), std::move(buffer_[1])};
    std::vector<HeldPiece> pieces = std::move(held_pieces_);
    buffer_[0].clear();
    buffer_[1].clear();
    held_pieces_.clear();
    Settle();
    // Offer what was held while probing as it came, each segment with its own frame; the
    // bytes of this segment (not among the pieces) come last.
    size_t at[2] = {0, 0};
    for (const HeldPiece& p : pieces) {
      if (done_) return;
      const size_t d = Index(p.dir);
      const size_t n = std::min(p.size, held[d].size() - at[d]);
      if (n > 0) Feed(p.dir, std::span<const uint8_t>(held[d]).subspan(at[d], n), p.frame, p.ts);
      at[d] += n;
    }
    // What is left: this segment's bytes, or everything when one segment decided. The
    // initiator's side first.
    for (size_t d = 0; d < 2 && !done_; ++d) {
      if (at[d] < held[d].size()) {
        Feed(static_cast<flow::Direction>(d), std::span<const uint8_t>(held[d]).subspan(at[d]),
             frame, ts);
      }
    }
    return;
  }
  if (!any_maybe && retries_left_ > 0) {
    // Picked up mid-stream, the capture may have begun inside a message (a TLS record
    // spans segments): the race begins again where the next segment starts.
    --retries_left_;
    candidates_ = first_candidates_;
    DropBuffers();
    return;
  }
  if (!any_maybe || buf.size() >= limits_.max_probe_bytes) {
    // Nothing accepts these bytes, or the probes would not decide within the cap.
    done_ = true;
    ++stats_.undetected;
    DropBuffers();
  }
}

void StreamAttacher::Feed(flow::Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
                          core::Timestamp ts) {
  auto& buf = buffer_[Index(dir)];
  StreamContext ctx = Context(frame, ts);
  std::span<const uint8_t> data = bytes;
  if (!buf.empty()) {
    const bool over = buf.size() + bytes.size() > limits_.max_pending_bytes;
    if (over || !Room(buf, bytes.size())) {
      // The dissector keeps asking for more than we hold for it (or than every flow's
      // buffers have room for): give up on these bytes.
      anomalies_.Raise(over ? "dissect.pending_overflow" : "dissect.stream_memory_full");
      uint64_t lost = buf.size() + bytes.size();
      buf.clear();
      ReleaseIfTight(buf);
      dissector_->OnGap(dir, lost, ctx);
      return;
    }
    buf.insert(buf.end(), bytes.begin(), bytes.end());
    data = buf;
  }
  size_t used = 0;
  while (used < data.size() && !done_) {
    ParseResult r = dissector_->OnData(dir, data.subspan(used), ctx);
    if (r.verdict == Verdict::kNotThisProtocol) {
      if (++violations_ >= limits_.max_violations) {
        Detach("dissect.protocol_violation");
        return;
      }
      used = data.size();  // drop what it could not parse and carry on
      break;
    }
    if (r.verdict == Verdict::kNeedMore || r.consumed == 0) break;
    assert(r.consumed <= data.size() - used);
    used += std::min(r.consumed, data.size() - used);
  }
  if (done_) return;
  size_t left = data.size() - used;
  const bool held = data.data() == buf.data();
  const bool over = left > limits_.max_pending_bytes;
  if (over || (!held && !Room(buf, left))) {
    anomalies_.Raise(over ? "dissect.pending_overflow" : "dissect.stream_memory_full");
    buf.clear();
    ReleaseIfTight(buf);
    dissector_->OnGap(dir, left, ctx);
    return;
  }
  if (held) {
    buf.erase(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(used));
    ReleaseIfTight(buf);
  } else if (left > 0) {
    buf.assign(data.begin() + static_cast<ptrdiff_t>(used), data.end());
  }
}

void StreamAttacher::OnGap(flow::Direction dir, uint64_t n) {
  if (done_) return;
  buffer_[Index(dir)].clear();
  std::erase_if(held_pieces_, [dir](const HeldPiece& p) { return p.dir == dir; });
  if (active_) dissector_->OnGap(dir, n, Context(last_frame_, last_ts_));
}

void StreamAttacher::OnEnd(flow::EndReason) {
  if (active_ && dissector_) {
    dissector_->OnEnd(Context(last_frame_, last_ts_));
  } else if (!done_) {
    ++stats_.undetected;
  }
  done_ = true;
}

void StreamAttacher::Detach(const char* anomaly) {
  anomalies_.Raise(anomaly);
  ++stats_.detached;
  if (dissector_) dissector_->OnEnd(Context(last_frame_, last_ts_));
  dissector_.reset();
  active_ = nullptr;
  done_ = true;
  DropBuffers();
}

namespace {

// Which stream dissectors list a port, as a bit per registry position; built once. A
// flow's candidates are then two table look-ups instead of a walk over every port list.
class PortIndex {
 public:
  PortIndex() {
    const auto all = StreamDissectors();
    for (size_t i = 0; i < all.size(); ++i) {
      const uint64_t bit = uint64_t{1} << i;
      of_transport_[Slot(all[i].transport)] |= bit;
      for (uint16_t port : all[i].ports) by_port_.push_back({port, bit});
    }
    std::sort(by_port_.begin(), by_port_.end(),
              [](const Entry& a, const Entry& b) { return a.port < b.port; });
    // One entry per port, with the bits of every dissector listing it.
    std::vector<Entry> merged;
    for (const Entry& e : by_port_) {
      if (!merged.empty() && merged.back().port == e.port) {
        merged.back().bits |= e.bits;
      } else {
        merged.push_back(e);
      }
    }
    by_port_ = std::move(merged);
  }
  /// The dissectors of a transport (none for one that is neither TCP nor UDP).
  uint64_t transport(uint8_t t) const { return of_transport_[Slot(t)]; }
  /// The dissectors that list `port`.
  uint64_t port(uint16_t p) const {
    auto it = std::lower_bound(by_port_.begin(), by_port_.end(), p,
                               [](const Entry& e, uint16_t v) { return e.port < v; });
    return it != by_port_.end() && it->port == p ? it->bits : 0;
  }

 private:
  struct Entry {
    uint16_t port;
    uint64_t bits;
  };
  static size_t Slot(uint8_t t) { return t == kTcp ? 0 : t == kUdp ? 1 : 2; }

  std::vector<Entry> by_port_;
  std::array<uint64_t, 3> of_transport_{};  // TCP, UDP, and an empty set for the rest
};

}  // namespace

std::vector<const StreamDissectorInfo*> Candidates::List() const {
  std::vector<const StreamDissectorInfo*> out;
  for (uint64_t set : {first_, rest_}) {
    for (; set != 0; set &= set - 1) out.push_back(table_ + std::countr_zero(set));
  }
  return out;
}

Candidates OrderCandidates(uint8_t transport, uint16_t port_a, uint16_t port_b) {
  // Two look-ups and no allocation: the port matches first, then the others, each in
  // registry order.
  static const PortIndex index;
  const uint64_t of_transport = index.transport(transport);
  const uint64_t first = (index.port(port_a) | index.port(port_b)) & of_transport;
  return Candidates(StreamDissectors(), first, of_transport);
}

}  // namespace qw::dissect
