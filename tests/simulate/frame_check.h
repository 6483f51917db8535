// Test-side reading of simulated frames, written independently of the simulator's builder:
// Ethernet/802.1Q, IPv4, TCP and UDP fields and checksum verification (RFC 1071).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace qw::simulate::testing {

/// The parts of one frame the tests look at.
struct FrameView {
  uint16_t vlan = 0;
  uint16_t ethertype = 0;
  uint64_t src_mac = 0;
  bool ipv4 = false;
  uint8_t protocol = 0;
  uint32_t src_ip = 0, dst_ip = 0;
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t tcp_flags = 0;
  size_t l4_payload = 0;
  size_t payload_at = 0;  // offset of the TCP/UDP payload, or of what follows the EtherType
  bool ip_checksum_ok = true;
  bool l4_checksum_ok = true;
};

inline uint16_t Be16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}
inline uint32_t Be32(std::span<const uint8_t> b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}

// One's-complement sum of 16-bit words; an odd last byte is the high half of a word.
inline uint32_t OnesSum(std::span<const uint8_t> b, uint32_t sum = 0) {
  for (size_t i = 0; i < b.size(); ++i) sum += (i % 2 == 0) ? uint32_t{b[i]} << 8 : b[i];
  return sum;
}
inline bool SumsToAllOnes(uint32_t sum) {
  while (sum > 0xffff) sum = (sum >> 16) + (sum & 0xffff);
  return sum == 0xffff;
}

/// Parses a frame; nullopt when it is too short for its headers.
inline std::optional<FrameView> ParseFrame(std::span<const uint8_t> f) {
  FrameView v;
  if (f.size() < 14) return std::nullopt;
  for (size_t i = 6; i < 12; ++i) v.src_mac = v.src_mac << 8 | f[i];
  size_t at = 12;
  v.ethertype = Be16(f, at);
  if (v.ethertype == 0x8100) {
    if (f.size() < 18) return std::nullopt;
    v.vlan = Be16(f, 14) & 0x0fff;
    v.ethertype = Be16(f, 16);
    at = 16;
  }
  at += 2;
  v.payload_at = at;
  if (v.ethertype != 0x0800) return v;
  if (f.size() < at + 20) return std::nullopt;
  v.ipv4 = true;
  const size_t ihl = size_t{f[at] & 0x0fu} * 4;
  const size_t total = Be16(f, at + 2);
  if (ihl < 20 || total < ihl || f.size() < at + total) return std::nullopt;
  v.ip_checksum_ok = SumsToAllOnes(OnesSum(f.subspan(at, ihl)));
  v.protocol = f[at + 9];
  v.src_ip = Be32(f, at + 12);
  v.dst_ip = Be32(f, at + 16);
  const auto l4 = f.subspan(at + ihl, total - ihl);
  const uint32_t pseudo = (v.src_ip >> 16) + (v.src_ip & 0xffff) + (v.dst_ip >> 16) +
                          (v.dst_ip & 0xffff) + v.protocol + static_cast<uint32_t>(l4.size());
  if (v.protocol == 6) {
    if (l4.size() < 20) return std::nullopt;
    v.sport = Be16(l4, 0);
    v.dport = Be16(l4, 2);
    v.seq = Be32(l4, 4);
    v.ack = Be32(l4, 8);
    v.tcp_flags = l4[13];
    const size_t offset = static_cast<size_t>(l4[12] >> 4) * 4;
    if (offset < 20 || offset > l4.size()) return std::nullopt;
    v.l4_payload = l4.size() - offset;
    v.payload_at = at + ihl + offset;
    v.l4_checksum_ok = SumsToAllOnes(OnesSum(l4, pseudo));
  } else if (v.protocol == 17) {
    if (l4.size() < 8 || Be16(l4, 4) != l4.size()) return std::nullopt;
    v.sport = Be16(l4, 0);
    v.dport = Be16(l4, 2);
    v.l4_payload = l4.size() - 8;
    v.payload_at = at + ihl + 8;
    v.l4_checksum_ok = Be16(l4, 6) != 0 && SumsToAllOnes(OnesSum(l4, pseudo));
  }
  return v;
}

}  // namespace qw::simulate::testing
