// Internal to decode/: the per-frame state the layer decoders share, and the layer entry
// points (link layer in decoder.cpp, network layer in ip.cpp, transport in transport.cpp).
#pragma once

#include <cstdint>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "core/timestamp.h"
#include "decode/decoder.h"
#include "decode/ipv4_reassembly.h"
#include "decode/packet.h"

namespace qw::decode::detail {

/// Everything a layer decoder needs for one frame.
struct Context {
  Packet& p;
  core::Anomalies& anomalies;
  const DecoderLimits& limits;
  Ipv4Reassembler& reassembler;
  core::Timestamp ts;
  bool snapped = false;  // the capture cut the frame short: lengths past the end are expected
  int llc_layers = 0;    // LLC headers passed so far (SNAP may carry an ethertype, once)
};

/// Dispatches on an ethertype (after the link header), following VLAN tags; `r` holds the
/// bytes after the type field.
void DecodeEthertype(uint16_t ethertype, core::ByteReader r, Context& c);

/// IPv4 header and what it carries. depth 0 is the frame's own IP header, depth 1 a
/// tunnelled one (its addresses go to the inner_* fields; no further tunnels, no reassembly).
void DecodeIpv4(core::ByteReader r, Context& c, int depth);
/// IPv6 header, its extension headers and what it carries; depth as for DecodeIpv4.
void DecodeIpv6(core::ByteReader r, Context& c, int depth);

/// The transport a header quoted in an ICMP error carries (IPv4 header, or IPv6 with
/// extension headers, then at least the ports of a TCP or UDP header, as tshark needs).
L4 QuotedL4(core::ByteReader r, bool ipv6, Context& c);

/// The upper layer of an IP datagram: `payload` is everything after the IP headers.
void DecodeTransport(uint8_t proto, core::ByteReader payload, Context& c, int depth);

/// IP protocol numbers the decoders act on.
inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoIpip = 4;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoIpv6 = 41;
inline constexpr uint8_t kProtoGre = 47;
inline constexpr uint8_t kProtoEsp = 50;
inline constexpr uint8_t kProtoAh = 51;
inline constexpr uint8_t kProtoIcmpv6 = 58;

/// Ethertypes the decoders act on.
inline constexpr uint16_t kEthIpv4 = 0x0800;
inline constexpr uint16_t kEthArp = 0x0806;
inline constexpr uint16_t kEthRarp = 0x8035;
inline constexpr uint16_t kEthIpv6 = 0x86dd;
inline constexpr uint16_t kEthLldp = 0x88cc;

}  // namespace qw::decode::detail
