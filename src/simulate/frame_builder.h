// Building the frames of a simulated capture into one reused buffer: Ethernet with an
// optional 802.1Q tag, IPv4 with TCP or UDP (checksums computed), ARP, LLDP and CDP.
//
// A caller asks for the payload area of the next TCP or UDP frame, writes its payload there
// and then finishes the frame; the returned view lives until the next call on the builder.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/address.h"

namespace qw::simulate {

/// Largest frame the builder makes: 1500-byte IP packet, 14-byte header, 4-byte tag.
inline constexpr size_t kMaxFrame = 1518;
/// Shortest Ethernet frame without FCS; shorter ones are padded with zeros.
inline constexpr size_t kMinFrame = 60;

/// Ethernet addresses, the 802.1Q VLAN of a frame (0: untagged) and its priority (PCP).
struct L2 {
  core::MacAddr dst;
  core::MacAddr src;
  uint16_t vlan = 0;
  uint8_t priority = 0;  // 802.1p priority code point, 0..7; PROFINET RT uses 6
};

/// The IPv4 header fields that differ between packets.
struct Ipv4Fields {
  uint32_t src = 0;  // host order
  uint32_t dst = 0;
  uint8_t ttl = 64;
  uint8_t protocol = 0;
  uint16_t id = 0;
  uint8_t tos = 0;
};

/// TCP flag bits as they stand in the header.
enum TcpFlag : uint8_t { kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10 };

/// The TCP header fields of one segment.
struct TcpFields {
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  uint16_t mss = 0;  // non-zero: add MSS, SACK-permitted options (SYN segments)
};

/// What a switch announces in LLDP (IEEE 802.1AB-2016).
struct LldpInfo {
  core::MacAddr chassis;  // chassis id (MAC subtype) and frame source
  std::string_view port_id;
  std::string_view port_description;
  std::string_view system_name;
  std::string_view system_description;
  uint16_t capabilities = 0;  // bit 2 bridge, bit 4 router
  uint32_t management_ip = 0;
  uint32_t if_index = 0;
  uint16_t port_vlan = 0;  // 802.1 port VLAN id TLV when non-zero
};

/// What a Cisco switch announces in CDP version 2.
struct CdpInfo {
  core::MacAddr source;
  std::string_view device_id;
  std::string_view port_id;
  std::string_view software;
  std::string_view platform;
  uint32_t address = 0;
  uint32_t capabilities = 0;  // 0x01 router, 0x08 switch, 0x20 IGMP
  uint16_t native_vlan = 0;
};

/// Internet checksum (RFC 1071) of `bytes` added into a running 32-bit sum.
uint32_t ChecksumAdd(std::span<const uint8_t> bytes, uint32_t sum);
/// Folds a running sum into the final one's-complement checksum.
uint16_t ChecksumFold(uint32_t sum);

/// Size of the Ethernet header with or without the 802.1Q tag.
inline size_t L2Size(const L2& l2) { return l2.vlan != 0 ? 18 : 14; }

/// One frame under construction; reused for every frame of a capture.
class FrameBuilder {
 public:
  /// Where the payload of the next TCP frame goes (at most MSS 1460 bytes).
  std::span<uint8_t> TcpPayload(const L2& l2, bool syn_options);
  /// Writes the headers around a payload already written at TcpPayload().
  std::span<const uint8_t> FinishTcp(const L2& l2, const Ipv4Fields& ip, const TcpFields& tcp,
                                     size_t payload_len);
  /// Where the payload of the next UDP frame goes (at most 1472 bytes).
  std::span<uint8_t> UdpPayload(const L2& l2);
  /// Writes the headers around a payload already written at UdpPayload().
  std::span<const uint8_t> FinishUdp(const L2& l2, const Ipv4Fields& ip, uint16_t sport,
                                     uint16_t dport, size_t payload_len);
  /// Where the payload of the next frame of another EtherType goes (PROFINET).
  std::span<uint8_t> EtherPayload(const L2& l2);
  /// Writes the Ethernet header around a payload already written at EtherPayload().
  std::span<const uint8_t> FinishEther(const L2& l2, uint16_t ethertype, size_t payload_len);
  /// An ARP request (op 1) or reply (op 2) for IPv4 over Ethernet.
  std::span<const uint8_t> Arp(const L2& l2, uint16_t op, const core::MacAddr& sender_mac,
                               uint32_t sender_ip, const core::MacAddr& target_mac,
                               uint32_t target_ip);
  /// An untagged LLDPDU to the nearest-bridge group address.
  std::span<const uint8_t> Lldp(const LldpInfo& info);
  /// An untagged CDPv2 frame (802.3 length, LLC/SNAP) to 01:00:0c:cc:cc:cc.
  std::span<const uint8_t> Cdp(const CdpInfo& info);
  /// The IP packet of `frame` (an IPv4 frame) moved onto another segment: new Ethernet
  /// header, TTL one less, header checksum recomputed. Used for routed second legs.
  std::span<const uint8_t> Forward(const L2& l2, std::span<const uint8_t> ip_packet);

 private:
  size_t WriteL2(const L2& l2, uint16_t ethertype);
  size_t WriteIpv4(size_t at, const Ipv4Fields& ip, size_t payload_len);
  std::span<const uint8_t> Padded(size_t len);

  std::array<uint8_t, kMaxFrame> buf_{};
};

}  // namespace qw::simulate
