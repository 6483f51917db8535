// Attaching stream dissectors to flows: probing by content, then feeding the chosen
// dissector in-order bytes with bounded buffering of what it has not consumed yet.
#pragma once

#include <bit>
#include <cassert>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dissect/dissector.h"
#include "flow/flow.h"
#include "flow/stream_memory.h"

namespace qw::dissect {

/// Bounds of the attacher's per-flow buffers.
struct AttachLimits {
  size_t max_probe_bytes = 4096;      // bytes held per direction while probes say "maybe"
  size_t max_pending_bytes = 262144;  // unconsumed bytes held per direction for a dissector
  uint32_t max_violations = 1;        // kNotThisProtocol answers before detaching
  uint64_t max_hashed_file_bytes = 64ull << 20;  // files longer are not hashed
};

/// Counters of what the attacher did, summed over flows.
struct AttachStats {
  uint64_t attached = 0;
  uint64_t detached = 0;
  uint64_t undetected = 0;
};

/// The stream dissectors still in a flow's race, in probing order: entries of a table of at
/// most 64, those of `first` (port matches) before the rest, each set in table order. Two
/// words, so that a new flow's candidates take no allocation.
class Candidates {
 public:
  Candidates() = default;
  /// Every entry of `table` (at most 64), in table order.
  explicit Candidates(std::span<const StreamDissectorInfo> table)
      : Candidates(table, table.size() >= 64 ? ~uint64_t{0} : (uint64_t{1} << table.size()) - 1,
                   0) {}
  /// The entries of `table` whose bits are in `first`, then those in `rest` (not in `first`).
  Candidates(std::span<const StreamDissectorInfo> table, uint64_t first, uint64_t rest)
      : table_(table.data()), first_(first), rest_(rest & ~first) {
    assert(table.size() >= 64 || ((first | rest) >> table.size()) == 0);
  }
  /// True when no candidate is left.
  bool empty() const { return (first_ | rest_) == 0; }
  /// The candidates in probing order.
  std::vector<const StreamDissectorInfo*> List() const;
  /// Asks each candidate in turn, `probe(info)`; drops those that answer kNo, sets
  /// `any_maybe` when one answers kMaybe, and returns the first that answers kYes (and
  /// empties the race), or nullptr.
  template <class Probe>
  const StreamDissectorInfo* Race(Probe&& probe, bool& any_maybe) {
    for (uint64_t* set : {&first_, &rest_}) {
      for (uint64_t bits = *set; bits != 0; bits &= bits - 1) {
        const int i = std::countr_zero(bits);
        const StreamDissectorInfo* info = table_ + i;
        const ProbeResult r = probe(*info);
        if (r == ProbeResult::kYes) {
          first_ = rest_ = 0;
          return info;
        }
        if (r == ProbeResult::kNo) {
          *set &= ~(uint64_t{1} << i);
        } else {
          any_maybe = true;
        }
      }
    }
    return nullptr;
  }

 private:
  const StreamDissectorInfo* table_ = nullptr;
  uint64_t first_ = 0, rest_ = 0;
};

/// A flow::StreamConsumer that probes the candidates, attaches the first that accepts,
/// and feeds it. Owned by the flow; views it receives live only for the call. TCP bytes
/// are a stream (probe bytes and unconsumed bytes are held, within limits, and within the
/// StreamMemory of every flow when given one); each UDP datagram is probed and fed on its
/// own.
class StreamAttacher final : public flow::StreamConsumer {
 public:
  /// `candidates` are tried in order (port matches first, as OrderCandidates arranges).
  StreamAttacher(const flow::Flow& flow, Candidates candidates, ObservationSink& sink,
                 core::Anomalies& anomalies, AttachStats& stats, AttachLimits limits = {},
                 Expectations* expectations = nullptr, flow::StreamMemory* memory = nullptr);
  /// A flow whose dissector is already known (an expected flow): `dissector` serves it
  /// under `info`'s name from the first byte, without probes.
  StreamAttacher(const flow::Flow& flow, const StreamDissectorInfo& info,
                 std::unique_ptr<Dissector> dissector, ObservationSink& sink,
                 core::Anomalies& anomalies, AttachStats& stats, AttachLimits limits,
                 Expectations* expectations, flow::StreamMemory* memory = nullptr);
  ~StreamAttacher() override;

  void OnData(flow::Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
              core::Timestamp ts) override;
  void OnGap(flow::Direction dir, uint64_t n) override;
  void OnEnd(flow::EndReason reason) override;
  bool WantsData() const override { return !done_; }
  /// Name of the attached protocol (kept after the flow ended), or nullptr.
  const char* Protocol() const override { return recognised_; }

 private:
  /// Runs the probes still in the race over `bytes`; true when one accepted and its
  /// dissector is attached. Sets `any_maybe` when some probe wants more bytes.
  bool ProbeCandidates(flow::Direction dir, std::span<const uint8_t> bytes, bool& any_maybe);
  void OnDatagram(flow::Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
                  core::Timestamp ts);
  void Probe(flow::Direction dir, uint64_t frame, core::Timestamp ts);
  void Feed(flow::Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
            core::Timestamp ts);
  StreamContext Context(uint64_t frame, core::Timestamp ts) const;
  void Detach(const char* anomaly);
  /// Makes room in `buf` for `more` bytes; false when the StreamMemory has not that much.
  bool Room(std::vector<uint8_t>& buf, size_t more);
  /// Gives an emptied buffer's room back when every flow's buffers are near their cap.
  void ReleaseIfTight(std::vector<uint8_t>& buf);
  /// Tells the StreamMemory what the buffers hold now.
  void Settle() { charge_.Settle(memory_, buffer_[0].capacity() + buffer_[1].capacity()); }
  /// Frees both directions' buffers and tells the StreamMemory.
  void DropBuffers() {
    buffer_[0] = {};
    buffer_[1] = {};
    held_pieces_ = {};
    Settle();
  }
  /// Notes a segment the probes hold undecided, to be fed later with its own frame.
  void HoldPiece(flow::Direction dir, size_t size, uint64_t frame, core::Timestamp ts);

  // What every packet reads comes first, so that a packet touches few cache lines of its
  // flow's attacher (flows interleave, so the attacher is more often cold than not); what
  // probing and the flow's end read comes last.
  bool done_ = false;
  uint32_t violations_ = 0;
  const flow::Flow& flow_;
  const StreamDissectorInfo* active_ = nullptr;
  std::unique_ptr<Dissector> dissector_;
  ObservationSink& sink_;
  core::Anomalies& anomalies_;
  Expectations* expectations_ = nullptr;
  uint64_t last_frame_ = 0;
  core::Timestamp last_ts_;
  AttachLimits limits_;
  std::vector<uint8_t> buffer_[2];  // probe bytes, then unconsumed bytes, per direction
  // The segments the probes held undecided, in arrival order (none when a flow's first
  // segment decides, as it mostly does): each is fed with its own frame.
  struct HeldPiece {
    size_t size;
    uint64_t frame;
    core::Timestamp ts;
    flow::Direction dir;
  };
  std::vector<HeldPiece> held_pieces_;
  Candidates candidates_;
  Candidates first_candidates_;  // the race as it began, run again on a mid-stream retry
  uint8_t retries_left_ = 0;     // mid-stream TCP: segments the race may begin again at
  AttachStats& stats_;
  const char* recognised_ = nullptr;
  uint32_t probed_datagrams_ = 0;
  flow::StreamMemory* memory_ = nullptr;  // what every flow's stream buffers hold, if bounded
  flow::StreamCharge charge_;             // what it was told buffer_ holds
};

/// The stream dissectors for a transport, those listing `port_a` or `port_b` first.
Candidates OrderCandidates(uint8_t transport, uint16_t port_a, uint16_t port_b);

}  // namespace qw::dissect
