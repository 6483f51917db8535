// Ipv4Reassembler: rebuilds IP datagrams from their fragments (RFC 791 section 3.2 for
// IPv4; the same bookkeeping serves RFC 8200 section 4.5 IPv6 fragments), with its memory,
// its datagram count and the age of a datagram bounded.
//
// Only the fragmentable part is kept: the bytes after the IP header (IPv4) or after the
// fragment header (IPv6), placed at fragment offset. Overlapping bytes are resolved "first
// wins": bytes already received are never overwritten, so a later fragment cannot change
// what an earlier one said (the classic evasion of overlapping fragments), and the overlap
// is counted. Datagrams are evicted oldest first when a cap is reached; age is judged by
// packet time, never the clock.
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/address.h"
#include "core/anomalies.h"
#include "core/timestamp.h"

namespace qw::decode {

/// Which IP version a fragment belongs to; it only selects the anomaly names.
enum class IpFamily : uint8_t { kV4, kV6 };

/// What identifies the fragments of one datagram (RFC 791: source, destination, protocol
/// and identification; IPv6 has no protocol in the key, so it is 0 there).
struct FragmentKey {
  core::IpAddr src, dst;
  uint32_t id = 0;
  uint8_t proto = 0;

  bool operator==(const FragmentKey&) const = default;
};

/// Hasher for FragmentKey.
struct FragmentKeyHash {
  size_t operator()(const FragmentKey& k) const {
    return core::Mix64(core::HashIp(k.src) ^ (core::HashIp(k.dst) << 1) ^
                       (uint64_t{k.id} << 8 | k.proto));
  }
};

/// Bounds of the reassembler.
struct ReassemblyLimits {
  size_t max_bytes = 64 << 20;          // buffer bytes of all pending datagrams together
  size_t max_datagrams = 4096;          // datagrams pending at once
  int64_t timeout_ns = 30'000'000'000;  // age (from the first fragment) at which one is dropped
};

/// Reassembles fragmented IP datagrams within fixed bounds.
class Ipv4Reassembler {
 public:
  /// Largest datagram payload an IP datagram can carry once whole.
  static constexpr uint32_t kMaxDatagramBytes = 65535;
  /// Disjoint byte ranges (holes between them) one datagram may hold before it is dropped.
  static constexpr size_t kMaxFragmentRanges = 64;
  /// Buffers kept for reuse after a datagram completes or is dropped.
  static constexpr size_t kMaxPooledBuffers = 8;

  explicit Ipv4Reassembler(ReassemblyLimits limits = {});

  /// Adds one fragment: `offset` is its byte offset in the datagram, `more` its MF flag,
  /// `data` its bytes. Returns the whole datagram's fragmentable part when this fragment
  /// completes it: a view into the reassembler's buffer, valid until the next call to Add.
  std::optional<std::span<const uint8_t>> Add(IpFamily family, const FragmentKey& key,
                                              core::Timestamp ts, uint32_t offset, bool more,
                                              std::span<const uint8_t> data,
                                              core::Anomalies& anomalies);

  /// Drops every datagram older than the timeout at time `now`, counting each.
  void Expire(core::Timestamp now, core::Anomalies& anomalies);

  /// Datagrams waiting for fragments.
  size_t pending_datagrams() const { return pending_.size(); }
  /// Buffer bytes (capacity) held by waiting datagrams; never above limits.max_bytes.
  size_t pending_bytes() const { return bytes_; }

 private:
  struct Datagram {
    FragmentKey key;
    IpFamily family = IpFamily::kV4;
    int64_t first_ns = 0;
    std::vector<uint8_t> data;
    std::vector<std::pair<uint32_t, uint32_t>> ranges;  // received [begin, end), sorted, disjoint
    uint32_t total = 0;  // datagram length, known once the last fragment arrived
    bool has_last = false;
  };
  using List = std::list<Datagram>;

  void Drop(List::iterator it);
  bool Grow(List::iterator it, uint32_t end, core::Anomalies& anomalies);
  std::vector<uint8_t> TakeBuffer();
  void GiveBuffer(std::vector<uint8_t> buffer);

  ReassemblyLimits limits_;
  List pending_;  // oldest first
  std::unordered_map<FragmentKey, List::iterator, FragmentKeyHash> index_;
  size_t bytes_ = 0;
  std::vector<std::vector<uint8_t>> pool_;
  std::vector<uint8_t> completed_;  // the datagram handed out by the last Add
};

}  // namespace qw::decode
