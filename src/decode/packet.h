// A decoded packet: what each layer of a frame says, as values and views into the frame.
//
// Views (payload, l2_payload) point into the frame's bytes or, for a datagram reassembled
// from IPv4 fragments, into the reassembler's buffer; either way they are valid only until
// the next call to Decoder::Decode.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/address.h"

namespace qw::decode {

/// What sits above the link layer (and VLAN tags) of a frame.
enum class L3 : uint8_t { kNone, kArp, kIpv4, kIpv6, kLldp, kCdp, kStp, kOther };

/// What sits above IP.
enum class L4 : uint8_t { kNone, kTcp, kUdp, kIcmp, kIcmpv6, kOther };

/// TCP flag bits as on the wire.
enum TcpFlags : uint8_t {
  kFin = 0x01,
  kSyn = 0x02,
  kRst = 0x04,
  kPsh = 0x08,
  kAck = 0x10,
  kUrg = 0x20,
  kEce = 0x40,
  kCwr = 0x80,
};

/// An ARP packet for Ethernet/IPv4 (hardware type 1, protocol 0x0800).
struct ArpInfo {
  uint16_t op = 0;  // 1 request, 2 reply
  core::MacAddr sender_mac, target_mac;
  core::IpAddr sender_ip, target_ip;
};

/// A decoded frame, layer by layer. Fields of a layer are meaningful only when the layer
/// is present; Decoder::Decode resets the struct before filling it.
struct Packet {
  // Link layer.
  bool has_mac = false;            // Ethernet (or SLL with a 6-byte address): src_mac is set
  core::MacAddr src_mac, dst_mac;  // dst_mac is all-zero when the link layer has none (SLL)
  uint8_t vlan_count = 0;          // tags seen, outermost first (counts beyond 2 too)
  uint16_t outer_vlan = 0;         // VLAN id of the outermost tag (802.1Q or 802.1ad)
  uint16_t inner_vlan = 0;         // VLAN id of the second tag, if any
  uint16_t ethertype = 0;          // after the tags; 0 for 802.3 length frames
  uint32_t frame_len = 0;          // bytes on the wire (at least the bytes captured)

  L3 l3 = L3::kNone;
  ArpInfo arp;
  std::span<const uint8_t> l2_payload;  // LLDP, CDP, STP: the protocol's bytes

  // Network layer.
  core::IpAddr src_ip, dst_ip;
  uint8_t ip_proto = 0;         // IPv4 protocol, or the IPv6 upper-layer header after extensions
  uint8_t ttl = 0;              // IPv4 TTL or IPv6 hop limit
  bool ip_fragment = false;     // a fragment whose datagram is not (yet) whole
  bool ip_reassembled = false;  // this frame completed a datagram from fragments
  uint32_t ip_total_len = 0;    // IP datagram length as the header says (after reassembly)

  // Tunnels (IPv4-in-IPv4, IPv6-in-IPv4, IP in GRE), followed one level deep. src_ip,
  // dst_ip, ttl and ip_proto stay those of the outer header; the transport fields below
  // then describe the inner datagram, as tshark counts the inner TCP/UDP for the frame.
  bool has_inner_ipv4 = false;  // the frame carries an inner IPv4 header
  bool has_inner_ipv6 = false;  // the frame carries an inner IPv6 header
  core::IpAddr inner_src_ip, inner_dst_ip;
  uint8_t inner_ip_proto = 0;  // upper-layer protocol of the inner datagram

  // Transport layer.
  L4 l4 = L4::kNone;
  uint16_t src_port = 0, dst_port = 0;
  uint8_t tcp_flags = 0;
  uint32_t tcp_seq = 0, tcp_ack = 0;
  uint16_t tcp_window = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  // ICMP errors quote the packet that caused them; tshark dissects that quote, so a frame
  // holding a quoted TCP or UDP header counts as TCP or UDP there too.
  L4 icmp_quoted_l4 = L4::kNone;
  // TCP or UDP payload, ICMP body after its 8-byte header, or for other IP protocols
  // (kOther) everything after the IP headers.
  std::span<const uint8_t> payload;
};

}  // namespace qw::decode
