// What the industrial-protocol dissectors share: filling an operation's endpoints from its
// flow, counting PDUs, numbering operations within a frame, and a fixed-size table that
// pairs requests with responses without allocating per packet.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/fixed_text.h"
#include "core/timestamp.h"
#include "dissect/dissector.h"
#include "dissect/observation.h"
#include "flow/flow.h"

namespace qw::dissect {

using flow::Reverse;

/// Endpoints of an operation whose request travelled in `request_dir` of ctx's flow.
OpEndpoints EndpointsFor(const StreamContext& ctx, flow::Direction request_dir);

/// Endpoints of a link-layer operation: requester sent the frame to `device_mac`.
OpEndpoints EndpointsFor(const FrameContext& ctx, const core::MacAddr& device_mac);

/// The address and MAC of the side of ctx's flow that sent in `dir`; unset without a flow.
void SenderAddress(const StreamContext& ctx, flow::Direction dir, core::IpAddr& ip,
                   core::MacAddr& mac);

/// An identity of `protocol`, said on ctx's frame by the side of its flow that sent in
/// `dir`; the caller adds the fields.
DeviceIdentity SenderIdentity(const StreamContext& ctx, flow::Direction dir, const char* protocol);

/// Fills the flow id and the sender's and receiver's address, port and MAC of a message
/// sent in `dir` of ctx's flow (observations with src_* and dst_* fields; dst_mac when the
/// type has one). Leaves them as they are without a flow.
template <typename T>
void FillSides(const StreamContext& ctx, flow::Direction dir, T& out) {
  if (!ctx.flow) return;
  const flow::Flow& f = *ctx.flow;
  const bool from_initiator = dir == flow::Direction::kFromInitiator;
  out.flow_id = f.RecordId();
  out.src_ip = from_initiator ? f.initiator_ip : f.responder_ip;
  out.dst_ip = from_initiator ? f.responder_ip : f.initiator_ip;
  out.src_port = from_initiator ? f.initiator_port : f.responder_port;
  out.dst_port = from_initiator ? f.responder_port : f.initiator_port;
  out.src_mac = from_initiator ? f.initiator_mac : f.responder_mac;
  if constexpr (requires { out.dst_mac; }) {
    out.dst_mac = from_initiator ? f.responder_mac : f.initiator_mac;
  }
}

/// Fills an observation's flow id and both ends' addresses, ports and MACs (client_* and
/// server_* fields) from ctx's flow, the client being the side that sends in `client_dir`.
/// Leaves them as they are without a flow.
template <typename T>
void FillClientServer(const StreamContext& ctx, flow::Direction client_dir, T& out) {
  if (!ctx.flow) return;
  const flow::Flow& f = *ctx.flow;
  const bool initiator = client_dir == flow::Direction::kFromInitiator;
  out.flow_id = f.RecordId();
  out.client_ip = initiator ? f.initiator_ip : f.responder_ip;
  out.server_ip = initiator ? f.responder_ip : f.initiator_ip;
  out.client_port = initiator ? f.initiator_port : f.responder_port;
  out.server_port = initiator ? f.responder_port : f.initiator_port;
  out.client_mac = initiator ? f.initiator_mac : f.responder_mac;
  out.server_mac = initiator ? f.responder_mac : f.initiator_mac;
  if constexpr (requires { out.transport; }) out.transport = f.proto;
}

/// The observation of one counted PDU.
inline PduObservation MakePdu(uint32_t capture_index, uint64_t frame, const char* protocol,
                              uint32_t code, PduKind kind, bool exception, const char* histogram) {
  PduObservation p;
  p.protocol = protocol;
  p.histogram = histogram;
  p.code = code;
  p.kind = kind;
  p.exception = exception;
  p.capture_index = capture_index;
  p.frame = frame;
  return p;
}

/// Counts one PDU of `protocol` on the frame of ctx (inline: every PDU of every protocol
/// comes through here).
inline void CountPdu(const StreamContext& ctx, const char* protocol, uint32_t code, PduKind kind,
                     bool exception = false, const char* histogram = "functions") {
  if (!ctx.sink) return;
  ctx.sink->OnPdu(
      MakePdu(ctx.capture_index, ctx.frame, protocol, code, kind, exception, histogram));
}

/// Marks the frame of ctx as carrying `protocol` (a first or inner packet of a message that
/// completes, and counts as a PDU, in a later frame), as tshark's filter matches it.
inline void CountFrame(const StreamContext& ctx, const char* protocol) {
  if (!ctx.sink) return;
  PduObservation p = MakePdu(ctx.capture_index, ctx.frame, protocol, 0, PduKind::kOther, false, "");
  p.frame_only = true;
  ctx.sink->OnPdu(p);
}

/// Counts one PDU of a text protocol under its word ("RETR") in `histogram`.
void CountWordPdu(const StreamContext& ctx, const char* protocol, std::string_view word,
                  PduKind kind, bool exception, const char* histogram);

/// Counts one PDU of `protocol` on the frame of a frame dissector's ctx.
inline void CountPdu(const FrameContext& ctx, ObservationSink& sink, const char* protocol,
                     uint32_t code, PduKind kind, bool exception = false,
                     const char* histogram = "functions") {
  sink.OnPdu(MakePdu(ctx.capture_index, ctx.frame, protocol, code, kind, exception, histogram));
}

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
/// id, PDU reference, invoke id...). Holds at most N; the oldest gives way when full. Its
/// room grows by doubling as more requests wait at once (from none to N), so that a flow
/// with a request or two outstanding, as most are, holds a few slots and not N: a flood of
/// one-request flows (spoofed ListIdentity datagrams, say) costs each flow little. Keys,
/// ages and which slots are taken sit apart from the values, so a lookup reads a few cache
/// lines however large a request is.
template <typename T, size_t N>
class RequestTable {
  static_assert(N > 0, "a table holds at least one request");

 public:
  /// Stores `value` under `key`. Returns the entry it displaced (same key, or the oldest
  /// when full) so the caller can report that request as unanswered.
  std::optional<T> Put(uint64_t key, const T& value) {
    size_t i = Find(key);
    if (i == N) i = FirstFree();
    if (i == N) i = Oldest();
    std::optional<T> displaced;
    if (Used(i)) {
      displaced = std::move(values_[i]);
    } else {
      SetUsed(i, true);
    }
    keys_[i] = key;
    orders_[i] = ++order_;
    values_[i] = value;
    return displaced;
  }
  /// Removes and returns the request stored under `key`.
  std::optional<T> Take(uint64_t key) { return Remove(Find(key)); }
  /// Removes and returns the oldest request, if any.
  std::optional<T> TakeOldest() { return Remove(Oldest()); }
  /// Calls f on every stored request, oldest first, and empties the table.
  template <typename F>
  void Drain(F&& f) {
    while (auto v = TakeOldest()) f(*v);
  }
  /// Removes the requests for which `pred` holds and calls f on each, oldest first; the
  /// others stay as they were.
  template <typename Pred, typename F>
  void DrainIf(Pred&& pred, F&& f) {
    for (;;) {
      size_t oldest = N;
      FirstUsed([&](size_t i) {
        if (pred(values_[i]) && (oldest == N || orders_[i] < orders_[oldest])) oldest = i;
        return false;
      });
      if (oldest == N) return;
      f(*Remove(oldest));
    }
  }
  /// Number of requests waiting.
  size_t size() const { return count_; }
  /// The most requests it holds.
  static constexpr size_t capacity() { return N; }
  /// Slots it has room for now (grown as requests wait at once; at most N).
  size_t room() const { return room_; }

 private:
  static constexpr size_t kWords = (N + 63) / 64;

  bool Used(size_t i) const { return (used_[i / 64] >> (i % 64)) & 1u; }
  void SetUsed(size_t i, bool on) {
    const uint64_t bit = uint64_t{1} << (i % 64);
    if (on) {
      used_[i / 64] |= bit;
      ++count_;
    } else {
      used_[i / 64] &= ~bit;
      --count_;
    }
  }
  // Calls f(i) for every taken slot until it returns true; that slot, or N.
  template <typename F>
  size_t FirstUsed(F&& f) const {
    for (size_t w = 0; w < kWords; ++w) {
      for (uint64_t bits = used_[w]; bits; bits &= bits - 1) {
        const size_t i = w * 64 + static_cast<size_t>(std::countr_zero(bits));
        if (f(i)) return i;
      }
    }
    return N;
  }
  size_t Find(uint64_t key) const {
    if (count_ == 0) return N;
    return FirstUsed([&](size_t i) { return keys_[i] == key; });
  }
  // A free slot, growing the room when every slot of it is taken; N when N are.
  size_t FirstFree() {
    if (count_ == room_) {
      if (room_ == N) return N;
      Grow();
    }
    for (size_t w = 0; w < kWords; ++w) {
      uint64_t free = ~used_[w];
      if (w == kWords - 1 && N % 64) free &= (uint64_t{1} << (N % 64)) - 1;
      if (free) return w * 64 + static_cast<size_t>(std::countr_zero(free));
    }
    return N;
  }
  // Doubles the room (to N at most), keeping every slot where it is. Slots are taken lowest
  // first, so when the room is full the taken ones are exactly those below it.
  void Grow() {
    const size_t grown = std::min(N, std::max<size_t>(2, room_ * 2));
    auto keys = std::make_unique<uint64_t[]>(grown);
    auto orders = std::make_unique<uint64_t[]>(grown);
    auto values = std::make_unique<T[]>(grown);
    for (size_t i = 0; i < room_; ++i) {
      keys[i] = keys_[i];
      orders[i] = orders_[i];
      values[i] = std::move(values_[i]);
    }
    keys_ = std::move(keys);
    orders_ = std::move(orders);
    values_ = std::move(values);
    room_ = grown;
  }
  size_t Oldest() const {
    size_t oldest = N;
    FirstUsed([&](size_t i) {
      if (oldest == N || orders_[i] < orders_[oldest]) oldest = i;
      return false;
    });
    return oldest;
  }
  std::optional<T> Remove(size_t i) {
    if (i == N) return std::nullopt;
    SetUsed(i, false);
    return std::move(values_[i]);
  }

  std::array<uint64_t, kWords> used_{};
  size_t count_ = 0;
  size_t room_ = 0;
  std::unique_ptr<uint64_t[]> keys_, orders_;
  std::unique_ptr<T[]> values_;
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
