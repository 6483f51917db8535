// Link-layer and network addresses as small value types, comparable and hashable, so that
// flow keys and inventory maps never allocate for them.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace qw::core {

/// Eight bytes read as a big-endian integer (compiles to a load and a byte swap).
inline uint64_t BigEndian64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

/// An IEEE 802 MAC address.
struct MacAddr {
  std::array<uint8_t, 6> b{};

  /// Byte order, as the bytes compare: one integer compare, not a memcmp call (maps of
  /// conversations and operations order by addresses on every lookup).
  std::strong_ordering operator<=>(const MacAddr& o) const { return AsU64() <=> o.AsU64(); }
  /// Equality by word compare: the hot path's hash tables call it on every lookup.
  bool operator==(const MacAddr& o) const { return Word() == o.Word(); }
  /// The six bytes in the low 48 bits of one word, in memory order (for compares only).
  uint64_t Word() const {
    uint32_t hi;
    uint16_t lo;
    std::memcpy(&hi, b.data(), 4);
    std::memcpy(&lo, b.data() + 4, 2);
    return uint64_t{hi} | uint64_t{lo} << 32;
  }
  /// Builds from a 6-byte view; all zeros when the view is shorter.
  static MacAddr From(std::span<const uint8_t> bytes);
  /// Parses "aa:bb:cc:dd:ee:ff" (or with '-'); nullopt when malformed.
  static std::optional<MacAddr> Parse(std::string_view text);
  /// Lower-case colon-separated text.
  std::string ToString() const;
  /// Length of that text.
  static constexpr size_t kText = 17;
  /// Writes the text ToString gives into `buf`, without allocating.
  void Format(std::array<char, kText>& buf) const;
  bool IsZero() const { return Word() == 0; }
  /// Group (multicast or broadcast) address: the I/G bit is set.
  bool IsMulticast() const { return (b[0] & 1) != 0; }
  bool IsBroadcast() const { return Word() == 0xffff'ffff'ffffULL; }
  /// Locally administered (U/L bit set): no IEEE vendor applies.
  bool IsLocal() const { return (b[0] & 2) != 0; }
  /// The address as an integer, first byte highest, for hashing and prefix lookups.
  uint64_t AsU64() const {
    if constexpr (std::endian::native == std::endian::little) {
      return __builtin_bswap64(Word()) >> 16;
    } else {
      uint64_t v = 0;
      for (uint8_t x : b) v = v << 8 | x;
      return v;
    }
  }
};

/// An IPv4 or IPv6 address; family 0 means none. IPv4 lives in the first four bytes.
struct IpAddr {
  std::array<uint8_t, 16> b{};
  uint8_t family = 0;  // 0, 4 or 6

  /// The bytes in order, then the family: two integer compares, not a memcmp call.
  std::strong_ordering operator<=>(const IpAddr& o) const {
    const uint64_t a0 = HighWord(), c0 = o.HighWord();
    if (a0 != c0) return a0 <=> c0;
    const uint64_t a1 = LowWord(), c1 = o.LowWord();
    if (a1 != c1) return a1 <=> c1;
    return family <=> o.family;
  }
  /// Bytes 0-7 and 8-15 as big-endian integers, which order as the bytes do.
  uint64_t HighWord() const { return BigEndian64(b.data()); }
  uint64_t LowWord() const { return BigEndian64(b.data() + 8); }
  /// Equality by two word compares: the hot path's hash tables call it on every lookup.
  bool operator==(const IpAddr& o) const {
    uint64_t a[2], c[2];
    std::memcpy(a, b.data(), 16);
    std::memcpy(c, o.b.data(), 16);
    return family == o.family && a[0] == c[0] && a[1] == c[1];
  }
  static IpAddr V4(std::span<const uint8_t> bytes);
  static IpAddr V6(std::span<const uint8_t> bytes);
  static IpAddr V4(uint32_t host_order);
  /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text; nullopt when malformed.
  static std::optional<IpAddr> Parse(std::string_view text);
  bool IsV4() const { return family == 4; }
  bool IsV6() const { return family == 6; }
  bool IsSet() const { return family != 0; }
  /// IPv4 in host order (0 for IPv6).
  uint32_t V4Value() const {
    return IsV4() ? (uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3]) : 0;
  }
  /// RFC 1918, RFC 6598 shared, link-local, loopback, ULA (fc00::/7), IPv6 link-local.
  bool IsPrivate() const;
  /// Multicast or limited/directed broadcast (255.255.255.255).
  bool IsMulticastOrBroadcast() const;
  /// 0.0.0.0 or ::
  bool IsUnspecified() const;
  /// Text form as inet_ntop writes it.
  std::string ToString() const;
  /// Longest text form, with its terminating NUL (INET6_ADDRSTRLEN).
  static constexpr size_t kMaxText = 46;
  /// Writes the text form into `buf` without allocating; returns its length (0 if unset).
  size_t Format(std::array<char, kMaxText>& buf) const;
};

/// A 64-bit mix for building hashes of keys (splitmix64 finaliser).
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/// Hash of an IP address, independent of pointer or insertion order.
inline uint64_t HashIp(const IpAddr& ip) {
  uint64_t lo, hi;
  std::memcpy(&lo, ip.b.data(), 8);
  std::memcpy(&hi, ip.b.data() + 8, 8);
  return Mix64(lo ^ Mix64(hi ^ ip.family));
}

/// std::hash-compatible hasher for MacAddr.
struct MacHash {
  size_t operator()(const MacAddr& m) const { return Mix64(m.AsU64()); }
};
/// std::hash-compatible hasher for IpAddr.
struct IpHash {
  size_t operator()(const IpAddr& ip) const { return HashIp(ip); }
};

}  // namespace qw::core
