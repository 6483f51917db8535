// The memory that the stream buffers of one flow table hold together: TCP reassembly's
// out-of-order bytes and the bytes a stream dissector has not consumed yet. Each buffer has
// a cap of its own, but a sender that opens many flows and fills each to its cap could
// still make them hold far more than a sensor has; one cap over all of them (as Suricata's
// stream.reassembly.memcap) bounds that. Past it, a buffer does what it does at its own
// cap: the bytes it cannot keep become a gap.
#pragma once

#include <algorithm>
#include <cstddef>

namespace qw::flow {

/// Bytes held by the stream buffers of one flow table, against one cap for all of them.
class StreamMemory {
 public:
  /// A budget of `cap` bytes.
  explicit StreamMemory(size_t cap) : cap_(cap) {}
  StreamMemory(const StreamMemory&) = delete;
  StreamMemory& operator=(const StreamMemory&) = delete;

  /// True when `more` bytes may be held besides those held now.
  bool Fits(size_t more) const { return more <= cap_ - std::min(held_, cap_); }
  /// True when held bytes are past half the cap: buffers then give back room they keep
  /// for later.
  bool Tight() const { return held_ > cap_ / 2; }
  /// A buffer that held `before` bytes holds `after` now.
  void Update(size_t before, size_t after) {
    held_ = held_ - before + after;
    peak_ = std::max(peak_, held_);
  }

  /// Bytes held now.
  size_t held() const { return held_; }
  /// The most bytes held at once.
  size_t peak() const { return peak_; }
  /// The cap.
  size_t cap() const { return cap_; }

 private:
  size_t cap_;
  size_t held_ = 0;
  size_t peak_ = 0;
};

/// The capacity a buffer of `size` elements in `capacity` grows to, doubling, to take `more`:
/// what a buffer counted in a StreamMemory reserves, so that the growth it asks the memory
/// for is the growth it makes.
inline size_t GrownCapacity(size_t size, size_t capacity, size_t more) {
  const size_t need = size + more;
  return need <= capacity ? capacity : std::max(need, 2 * capacity);
}

/// What one buffer has told a StreamMemory it holds; Settle tells it the buffer's size now.
class StreamCharge {
 public:
  /// Tells `memory` (if any) that the buffer holds `bytes` now.
  void Settle(StreamMemory* memory, size_t bytes) {
    if (memory) memory->Update(charged_, bytes);
    charged_ = bytes;
  }
  /// What was last settled.
  size_t charged() const { return charged_; }

 private:
  size_t charged_ = 0;
};

}  // namespace qw::flow
