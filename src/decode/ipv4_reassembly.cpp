#include "decode/ipv4_reassembly.h"

#include <algorithm>

#include "core/byte_reader.h"

namespace qw::decode {
namespace {

// Anomaly names of one IP version.
struct FragmentAnomalies {
  const char* overlap;       // bytes already received were sent again (first copy kept)
  const char* inconsistent;  // fragments disagree on where the datagram ends
  const char* too_large;     // offset plus length beyond 65535
  const char* too_many;      // more than kMaxFragmentRanges disjoint pieces
  const char* evicted;       // dropped to stay within the memory or datagram caps
  const char* timeout;       // not whole within the timeout
};

constexpr FragmentAnomalies kV4Names{"ipv4.fragment_overlap",   "ipv4.fragment_inconsistent",
                                     "ipv4.fragment_too_large", "ipv4.too_many_fragments",
                                     "ipv4.fragment_evicted",   "ipv4.fragment_timeout"};
constexpr FragmentAnomalies kV6Names{"ipv6.fragment_overlap",   "ipv6.fragment_inconsistent",
                                     "ipv6.fragment_too_large", "ipv6.too_many_fragments",
                                     "ipv6.fragment_evicted",   "ipv6.fragment_timeout"};

const FragmentAnomalies& Names(IpFamily family) {
  return family == IpFamily::kV4 ? kV4Names : kV6Names;
}

// Copies `n` bytes of `data` starting at `from` into `buffer` at `to`; both ranges have
// been checked by the caller, and the ByteReader keeps the wire side bounded regardless.
void CopyPiece(std::span<const uint8_t> data, size_t from, size_t n, std::vector<uint8_t>& buffer,
               size_t to) {
  core::ByteReader r(data);
  r.Skip(from);
  auto piece = r.Bytes(n);
  if (piece.size() != n || to > buffer.size() || n > buffer.size() - to) return;
  std::ranges::copy(piece, buffer.begin() + static_cast<std::ptrdiff_t>(to));
}

}  // namespace

Ipv4Reassembler::Ipv4Reassembler(ReassemblyLimits limits) : limits_(limits) {}

std::vector<uint8_t> Ipv4Reassembler::TakeBuffer() {
  if (pool_.empty()) return {};
  std::vector<uint8_t> buffer = std::move(pool_.back());
  pool_.pop_back();
  buffer.clear();
  return buffer;
}

void Ipv4Reassembler::GiveBuffer(std::vector<uint8_t> buffer) {
  if (pool_.size() < kMaxPooledBuffers && buffer.capacity() > 0) pool_.push_back(std::move(buffer));
}

void Ipv4Reassembler::Drop(List::iterator it) {
  bytes_ -= it->data.capacity();
  index_.erase(it->key);
  GiveBuffer(std::move(it->data));
  pending_.erase(it);
}

void Ipv4Reassembler::Expire(core::Timestamp now, core::Anomalies& anomalies) {
  // Creation order is the order of first fragments as they arrived; a capture whose
  // clock steps back only delays expiry, it never drops a datagram early.
  while (!pending_.empty() && now.ns - pending_.front().first_ns > limits_.timeout_ns) {
    anomalies.Raise(Names(pending_.front().family).timeout);
    Drop(pending_.begin());
  }
}

bool Ipv4Reassembler::Grow(List::iterator it, uint32_t end, core::Anomalies& anomalies) {
  std::vector<uint8_t>& data = it->data;
  if (end <= data.size()) return true;
  size_t old_cap = data.capacity();
  if (end > old_cap) {
    size_t new_cap = std::max<size_t>(end, std::min<size_t>(2 * old_cap, kMaxDatagramBytes));
    size_t need = new_cap - old_cap;
    // Make room by evicting the oldest other datagrams first.
    while (bytes_ + need > limits_.max_bytes) {
      auto victim = pending_.begin();
      if (victim == it) ++victim;
      if (victim == pending_.end()) break;
      anomalies.Raise(Names(victim->family).evicted);
      Drop(victim);
    }
    if (bytes_ + need > limits_.max_bytes) {
      anomalies.Raise(Names(it->family).evicted);
      Drop(it);
      return false;
    }
    // A pooled buffer serves if it is big enough and fits the cap as it is.
    if (old_cap == 0 && !pool_.empty() && pool_.back().capacity() >= end &&
        bytes_ + pool_.back().capacity() <= limits_.max_bytes) {
      data = TakeBuffer();
    } else {
      data.reserve(new_cap);
    }
    bytes_ += data.capacity() - old_cap;
  }
  data.resize(end);
  return true;
}

std::optional<std::span<const uint8_t>> Ipv4Reassembler::Add(
    IpFamily family, const FragmentKey& key, core::Timestamp ts, uint32_t offset, bool more,
    std::span<const uint8_t> data, core::Anomalies& anomalies) {
  const FragmentAnomalies& names = Names(family);
  Expire(ts, anomalies);

  auto found = index_.find(key);
  if (offset > kMaxDatagramBytes || data.size() > kMaxDatagramBytes - offset) {
    // Ping of death: the datagram could never be whole legally; drop what was gathered.
    anomalies.Raise(names.too_large);
    if (found != index_.end()) Drop(found->second);
    return std::nullopt;
  }
  const auto end = static_cast<uint32_t>(offset + data.size());

  List::iterator it;
  if (found != index_.end()) {
    it = found->second;
  } else {
    if (limits_.max_datagrams == 0) {
      anomalies.Raise(names.evicted);
      return std::nullopt;
    }
    while (pending_.size() >= limits_.max_datagrams) {
      anomalies.Raise(Names(pending_.front().family).evicted);
      Drop(pending_.begin());
    }
    pending_.push_back(Datagram{key, family, ts.ns, {}, {}, 0, false});
    it = std::prev(pending_.end());
    index_.emplace(key, it);
  }
  Datagram& d = *it;

  // The last fragment fixes the length; fragments reaching past it, or a second last
  // fragment with another length, contradict what arrived first and are ignored.
  uint32_t received_end = d.ranges.empty() ? 0 : d.ranges.back().second;
  if (!more) {
    if ((d.has_last && end != d.total) || end < received_end) {
      anomalies.Raise(names.inconsistent);
      return std::nullopt;
    }
    d.has_last = true;
    d.total = end;
  } else if (d.has_last && end > d.total) {
    anomalies.Raise(names.inconsistent);
    return std::nullopt;
  }

  if (!data.empty()) {
    if (!Grow(it, end, anomalies)) return std::nullopt;
    // Copy only the bytes no earlier fragment supplied.
    uint32_t cursor = offset;
    bool overlap = false;
    for (const auto& [b, e] : d.ranges) {
      if (e <= cursor) continue;
      if (b >= end) break;
      if (b > cursor) CopyPiece(data, cursor - offset, b - cursor, d.data, cursor);
      overlap = true;
      cursor = std::min(std::max(cursor, e), end);
      if (cursor >= end) break;
    }
    if (cursor < end) CopyPiece(data, cursor - offset, end - cursor, d.data, cursor);
    if (overlap) anomalies.Raise(names.overlap);

    // Insert [offset, end) and merge touching ranges.
    auto pos = std::ranges::lower_bound(d.ranges, std::pair<uint32_t, uint32_t>{offset, 0});
    d.ranges.insert(pos, {offset, end});
    size_t w = 0;
    for (size_t r = 1; r < d.ranges.size(); ++r) {
      if (d.ranges[r].first <= d.ranges[w].second) {
        d.ranges[w].second = std::max(d.ranges[w].second, d.ranges[r].second);
      } else {
        d.ranges[++w] = d.ranges[r];
      }
    }
    d.ranges.resize(w + 1);
    if (d.ranges.size() > kMaxFragmentRanges) {
      anomalies.Raise(names.too_many);
      Drop(it);
      return std::nullopt;
    }
  }

  bool whole = d.has_last && (d.total == 0 || (d.ranges.size() == 1 && d.ranges[0].first == 0 &&
                                               d.ranges[0].second == d.total));
  if (!whole) return std::nullopt;

  GiveBuffer(std::move(completed_));
  completed_ = std::move(d.data);
  completed_.resize(d.total);
  d.data = {};
  bytes_ -= completed_.capacity();
  index_.erase(d.key);
  pending_.erase(it);
  return std::span<const uint8_t>(completed_);
}

}  // namespace qw::decode
