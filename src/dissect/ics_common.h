// What the industrial-protocol dissectors share: filling an operation's endpoints from its
// flow, counting PDUs, numbering operations within a frame, and a fixed-size table that
// pairs requests with responses without allocating per packet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/fixed_text.h"
#include "core/timestamp.h"
#include "dissect/dissector.h"
#include "dissect/observation.h"
#include "flow/flow.h"

namespace qw::dissect {

/// The other direction of a flow.
inline flow::Direction Reverse(flow::Direction d) {
  return d == flow::Direction::kFromInitiator ? flow::Direction::kFromResponder
                                              : flow::Direction::kFromInitiator;
}

/// Endpoints of an operation whose request travelled in `request_dir` of ctx's flow.
OpEndpoints EndpointsFor(const StreamContext& ctx, flow::Direction request_dir);

/// Endpoints of a link-layer operation: requester sent the frame to `device_mac`.
OpEndpoints EndpointsFor(const FrameContext& ctx, const core::MacAddr& device_mac);

/// Counts one PDU of `protocol` on the frame of ctx.
void CountPdu(const StreamContext& ctx, const char* protocol, uint32_t code, PduKind kind,
              bool exception = false, const char* histogram = "functions");

/// Counts one PDU of `protocol` on the frame of a frame dissector's ctx.
void CountPdu(const FrameContext& ctx, ObservationSink& sink, const char* protocol, uint32_t code,
              PduKind kind, bool exception = false, const char* histogram = "functions");

/// Adds a second histogram value for the PDU just counted.
void CountDetail(const StreamContext& ctx, const char* protocol, const char* histogram,
                 uint32_t code);

/// Numbers operations keyed on the same frame (several PDUs in one segment), so that their
/// rows keep a stable order whatever the thread count.
class FrameSeq {
 public:
  /// The next number for an operation keyed on `frame`.
  uint32_t Next(uint64_t frame) {
    if (frame != frame_) {
      frame_ = frame;
      n_ = 0;
    }
    return n_++;
  }

 private:
  uint64_t frame_ = ~uint64_t{0};
  uint32_t n_ = 0;
};

/// Requests waiting for their responses, keyed by what the protocol pairs on (transaction
/// id, PDU reference, invoke id...). Holds at most N; the oldest gives way when full.
/// Lives inside the per-flow dissector: no allocation after construction.
template <typename T, size_t N>
class RequestTable {
 public:
  /// Stores `value` under `key`. Returns the entry it displaced (same key, or the oldest
  /// when full) so the caller can report that request as unanswered.
  std::optional<T> Put(uint64_t key, const T& value) {
    std::optional<T> displaced;
    Slot* target = nullptr;
    for (auto& s : slots_) {
      if (s.used && s.key == key) {
        target = &s;
        break;
      }
    }
    if (!target) {
      for (auto& s : slots_) {
        if (!s.used) {
          target = &s;
          break;
        }
      }
    }
    if (!target) {
      target = &slots_[0];
      for (auto& s : slots_) {
        if (s.order < target->order) target = &s;
      }
    }
    if (target->used) displaced = target->value;
    target->used = true;
    target->key = key;
    target->order = ++order_;
    target->value = value;
    return displaced;
  }
  /// Removes and returns the request stored under `key`.
  std::optional<T> Take(uint64_t key) {
    for (auto& s : slots_) {
      if (s.used && s.key == key) {
        s.used = false;
        return s.value;
      }
    }
    return std::nullopt;
  }
  /// Removes and returns the oldest request, if any.
  std::optional<T> TakeOldest() {
    Slot* oldest = nullptr;
    for (auto& s : slots_) {
      if (s.used && (!oldest || s.order < oldest->order)) oldest = &s;
    }
    if (!oldest) return std::nullopt;
    oldest->used = false;
    return oldest->value;
  }
  /// Calls f on every stored request, oldest first, and empties the table.
  template <typename F>
  void Drain(F&& f) {
    while (auto v = TakeOldest()) f(*v);
  }
  /// Number of requests waiting.
  size_t size() const {
    size_t n = 0;
    for (const auto& s : slots_) n += s.used;
    return n;
  }
  static constexpr size_t capacity() { return N; }

 private:
  struct Slot {
    bool used = false;
    uint64_t key = 0;
    uint64_t order = 0;
    T value{};
  };
  std::array<Slot, N> slots_{};
  uint64_t order_ = 0;
};

/// A request waiting for its response: what its operation will say. Dissectors that need
/// more per request derive from it.
struct PendingRequest {
  uint64_t key = 0;  // what the protocol pairs on
  uint32_t function_code = 0;
  const char* function = "";
  IcsCategory category = IcsCategory::kOther;
  core::FixedText<112> target;
  uint64_t request_frame = 0;
  core::Timestamp ts;
  flow::Direction dir = flow::Direction::kFromInitiator;  // the requester's direction
};

/// Reports the operation of request `p` of `protocol`, answered in `response_frame` (0:
/// never) with `result` (empty when unanswered).
void EmitPending(const char* protocol, const PendingRequest& p, uint64_t response_frame,
                 std::string_view result, FrameSeq& seq, const StreamContext& ctx);

/// Stores request `p` in `table`. A request already waiting under its key, or the oldest
/// when the table is full (raising `overflow_anomaly`), is handed to `unanswered`.
template <typename T, size_t N, typename F>
void ExpectResponse(RequestTable<T, N>& table, const T& p, const char* overflow_anomaly,
                    const StreamContext& ctx, F&& unanswered) {
  if (auto earlier = table.Take(p.key)) unanswered(*earlier);
  const bool full = table.size() == table.capacity();
  if (auto displaced = table.Put(p.key, p)) {
    if (full && ctx.anomalies) ctx.anomalies->Raise(overflow_anomaly);
    unanswered(*displaced);
  }
}

}  // namespace qw::dissect
