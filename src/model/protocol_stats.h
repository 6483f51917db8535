// Per-protocol PDU counts for summary.json: PDUs, requests, responses, exceptions, frames
// that carried the protocol (as `tshark -Y PROTO` counts them), and histograms of function
// codes or services keyed by the code as it stands on the wire.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/anomalies.h"
#include "dissect/observation.h"

namespace qw::model {

/// The counts of one protocol.
struct ProtocolStats {
  uint64_t pdus = 0, requests = 0, responses = 0, exceptions = 0, frames = 0;
  /// Histogram name ("functions", "rosctr", ...) -> code -> PDUs.
  std::map<std::string, std::map<uint32_t, uint64_t>> histograms;
  /// Histograms whose codes are words of a text protocol (dissect::WordCode).
  std::set<std::string> text_histograms;

  /// Adds another set of counts of the same protocol.
  void Add(const ProtocolStats& o);
};

/// Counts PDUs as dissectors report them; one per engine, merged across shards. Names come
/// as static text, so the hot path finds a protocol and a histogram by the text's address
/// (falling back to comparing the text) and counts codes below 256 in a plain array.
class ProtocolCounter {
 public:
  /// Distinct codes kept per histogram; beyond it a code counts under kOverflowCode.
  static constexpr size_t kMaxCodesPerHistogram = 4096;
  /// Where codes past the cap are counted (and `protocols.histogram_full` is raised).
  static constexpr uint32_t kOverflowCode = 0xffffffff;

  /// Counts one PDU.
  void OnPdu(const dissect::PduObservation& p, core::Anomalies& anomalies);
  /// Adds a second histogram value for the PDU just counted.
  void OnDetail(const dissect::PduDetail& d, core::Anomalies& anomalies);
  /// Adds the counts of another counter (a shard's).
  void Merge(const ProtocolCounter& other);
  /// The counts by protocol name, in name order.
  std::map<std::string, ProtocolStats> Result() const;
  /// Counts one session of `kind` ("remote_access", "file_transfers") by tool or protocol.
  /// Sessions are rare (one per flow at most), so this may allocate.
  void OnSession(std::string_view kind, std::string_view name);
  /// Sessions by kind, then by tool or protocol.
  const std::map<std::string, std::map<std::string, uint64_t, std::less<>>, std::less<>>& Sessions()
      const {
    return sessions_;
  }

 private:
  static constexpr uint32_t kDenseCodes = 256;
  // The counters of high codes counted lately, by a hash of the code: cyclic traffic repeats
  // a few codes past the dense range frame after frame (PROFINET frame ids, CIP connection
  // ids). The counters live in the histogram's map, whose nodes never move; a copied
  // histogram has a map of its own, so a copy starts with an empty cache.
  class RecentHighCodes {
   public:
    RecentHighCodes() = default;
    RecentHighCodes(const RecentHighCodes&) {}
    RecentHighCodes& operator=(const RecentHighCodes&) {
      slots_ = {};
      return *this;
    }
    /// The counter of `code`, or nullptr when it is not cached.
    uint64_t* Find(uint32_t code) const {
      const Slot& s = slots_[SlotOf(code)];
      return s.count && s.code == code ? s.count : nullptr;
    }
    /// Remembers where `code` is counted.
    void Put(uint32_t code, uint64_t* count) { slots_[SlotOf(code)] = {code, count}; }

   private:
    struct Slot {
      uint32_t code = 0;
      uint64_t* count = nullptr;
    };
    static size_t SlotOf(uint32_t code) { return (code * 0x9e3779b1u) >> 30; }
    std::array<Slot, 4> slots_{};
  };
  // One histogram: codes below kDenseCodes in `low`, the others in `high`.
  struct Histogram {
    std::string name;
    std::array<uint64_t, kDenseCodes> low{};
    std::map<uint32_t, uint64_t> high;
    RecentHighCodes recent;
    size_t distinct = 0;  // codes with a count, the overflow code included
    bool text = false;    // codes are WordCodes of a text protocol
  };
  struct Entry {
    std::string name;
    uint64_t pdus = 0, requests = 0, responses = 0, exceptions = 0, frames = 0;
    std::vector<Histogram> histograms;
    uint32_t last_capture = ~uint32_t{0};
    uint64_t last_frame = ~uint64_t{0};
  };
  // A direct-mapped cache from the (static) protocol and histogram names a PDU comes with to
  // where they are counted: PDUs of a dozen protocols interleave, so the last one found is
  // seldom the next. Roomy, for a few dozen pairs in 128 slots collided often (3,548
  // refills in 200,000 industrial frames; 141 in 512 slots).
  struct Slot {
    const char* protocol = nullptr;
    const char* histogram = nullptr;  // nullptr: a PDU counted in no histogram
    uint32_t entry = 0;
    uint32_t histogram_index = 0;
  };
  static constexpr unsigned kSlotBits = 9;
  static constexpr size_t kSlots = size_t{1} << kSlotBits;
  /// The slot of a (protocol, histogram) pair: a cache hit is a few instructions inline.
  Slot& SlotFor(const char* protocol, const char* histogram) {
    const auto a = reinterpret_cast<uintptr_t>(protocol);
    const auto b = reinterpret_cast<uintptr_t>(histogram);
    Slot& s =
        cache_[((a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL)) >> (64 - kSlotBits)];
    if (s.protocol == protocol && s.histogram == histogram) [[likely]]
      return s;
    return FillSlot(s, protocol, histogram);
  }
  Slot& FillSlot(Slot& s, const char* protocol, const char* histogram);
  // The counters of a protocol, and of one of its histograms, by name (made when new); the
  // slot cache above keeps these searches off the per-PDU path.
  Entry& Find(std::string_view name);
  static Histogram& FindHistogram(Entry& e, std::string_view name);
  /// Adds `n` PDUs of `code`, unless the histogram is full (then under kOverflowCode). A
  /// dense code seen before, or a recent high one, is counted inline; the rest goes through
  /// BumpSlow.
  static void Bump(Histogram& h, uint32_t code, uint64_t n, core::Anomalies* anomalies) {
    if (code < kDenseCodes) {
      if (h.low[code] != 0) {
        h.low[code] += n;
        return;
      }
    } else if (uint64_t* count = h.recent.Find(code)) {
      *count += n;
      return;
    }
    BumpSlow(h, code, n, anomalies);
  }
  static void BumpSlow(Histogram& h, uint32_t code, uint64_t n, core::Anomalies* anomalies);

  std::vector<Entry> entries_;
  std::map<std::string, std::map<std::string, uint64_t, std::less<>>, std::less<>> sessions_;
  std::array<Slot, kSlots> cache_{};
};

}  // namespace qw::model
