// Transport layer: TCP (RFC 9293), UDP (RFC 768), ICMP (RFC 792), ICMPv6 (RFC 4443), and
// the tunnels tshark follows by default: IP in IP (RFC 2003), IPv6 in IPv4 (RFC 4213) and
// IP in GRE (RFC 2784, RFC 2890), one level deep.
#include "decode/layers.h"

namespace qw::decode::detail {
namespace {

using core::ByteReader;

constexpr uint8_t kProtoNoNext = 59;
constexpr uint8_t kProtoMobility = 135;

// How much of each header tshark 4.0 must read before it shows the layer (measured on
// crafted frames): the two ports for TCP and UDP, six bytes of ICMP, one of ICMPv6. A
// shorter remnant is no such layer there, and none here.
constexpr size_t kTcpMinForLayer = 4;
constexpr size_t kUdpMinForLayer = 4;
constexpr size_t kIcmpMinForLayer = 6;
constexpr size_t kIcmpv6MinForLayer = 1;
constexpr size_t kTcpMinHeader = 20;
constexpr size_t kUdpHeader = 8;
constexpr size_t kIcmpHeader = 8;  // type, code, checksum, and 4 bytes that vary by type

void Short(Context& c, std::string_view name) {
  if (!c.snapped) c.anomalies.Raise(name);
}

// clang-format off
//  | source port:2 | destination port:2 | sequence:4 | acknowledgment:4 |
//  | data offset:4 reserved:3 NS:1 | flags:8 | window:2 | checksum:2 | urgent:2 |
//  | options:data offset*4-20 | payload...
// clang-format on
void DecodeTcp(ByteReader r, Context& c) {
  Packet& p = c.p;
  if (r.remaining() < kTcpMinForLayer) {
    Short(c, "tcp.truncated");
    return;
  }
  p.l4 = L4::kTcp;
  p.src_port = r.U16Be();
  p.dst_port = r.U16Be();
  uint32_t seq = r.U32Be();
  uint32_t ack = r.U32Be();
  uint8_t offset = r.U8();
  uint8_t flags = r.U8();
  uint16_t window = r.U16Be();
  r.Skip(4);  // checksum, urgent pointer
  if (!r.ok()) {
    Short(c, "tcp.truncated");
    return;
  }
  p.tcp_seq = seq;
  p.tcp_ack = ack;
  p.tcp_flags = flags;
  p.tcp_window = window;
  const size_t hlen = (offset >> 4) * 4u;
  if (hlen < kTcpMinHeader) {
    c.anomalies.Raise("tcp.bad_header_length");
    return;
  }
  // Options are skipped whole by the data offset; their meaning is for the flow layer.
  if (!r.Skip(hlen - kTcpMinHeader)) {
    Short(c, "tcp.bad_header_length");
    return;
  }
  p.payload = r.Rest();
}

// clang-format off
//  | source port:2 | destination port:2 | length:2 (header included) | checksum:2 | payload...
// clang-format on
void DecodeUdp(ByteReader r, Context& c) {
  Packet& p = c.p;
  if (r.remaining() < kUdpMinForLayer) {
    Short(c, "udp.truncated");
    return;
  }
  p.l4 = L4::kUdp;
  p.src_port = r.U16Be();
  p.dst_port = r.U16Be();
  uint16_t length = r.U16Be();
  r.Skip(2);  // checksum
  if (!r.ok()) {
    Short(c, "udp.truncated");
    return;
  }
  if (length < kUdpHeader) {
    c.anomalies.Raise("udp.bad_length");
    return;
  }
  if (length - kUdpHeader > r.remaining()) {
    Short(c, "udp.bad_length");
    p.payload = r.Rest();
    return;
  }
  // What follows the UDP length inside the IP datagram is not UDP's.
  p.payload = r.Bytes(length - kUdpHeader);
}

// ICMP error messages quote the IP header and the first bytes of the offending datagram.
bool IsIcmpError(uint8_t type) {
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}
bool IsIcmpv6Error(uint8_t type) { return type >= 1 && type <= 4; }

// clang-format off
//  | type:1 | code:1 | checksum:2 | rest of header:4 | body... (errors: the quoted datagram)
// clang-format on
void DecodeIcmp(ByteReader r, Context& c, bool v6) {
  Packet& p = c.p;
  if (r.remaining() < (v6 ? kIcmpv6MinForLayer : kIcmpMinForLayer)) {
    Short(c, v6 ? "icmpv6.truncated" : "icmp.truncated");
    return;
  }
  p.l4 = v6 ? L4::kIcmpv6 : L4::kIcmp;
  p.icmp_type = r.U8();
  p.icmp_code = r.PeekU8();
  if (!r.Skip(kIcmpHeader - 1)) {
    Short(c, v6 ? "icmpv6.truncated" : "icmp.truncated");
    return;
  }
  p.payload = r.PeekRest();
  if (v6 ? IsIcmpv6Error(p.icmp_type) : IsIcmpError(p.icmp_type)) {
    p.icmp_quoted_l4 = QuotedL4(r, v6, c);
  }
}

// RFC 2784 with the RFC 2890 key and sequence number; version 1 is PPTP's enhanced GRE.
// clang-format off
//  | C:1 R:1 K:1 S:1 reserved:9 version:3 | protocol type:2 | (checksum:2 reserved:2 if C|R)
//  | (key:4 if K) | (sequence:4 if S) | payload...
// clang-format on
void DecodeGre(ByteReader r, Context& c) {
  Packet& p = c.p;
  p.l4 = L4::kOther;
  p.payload = r.PeekRest();
  uint16_t flags = r.U16Be();
  uint16_t proto = r.U16Be();
  if ((flags & 0xc000u) != 0) r.Skip(4);
  if ((flags & 0x2000u) != 0) r.Skip(4);
  if ((flags & 0x1000u) != 0) r.Skip(4);
  if (!r.ok() || (flags & 7u) != 0) return;
  if (proto == kEthIpv4) {
    p.l4 = L4::kNone;
    DecodeIpv4(r, c, 1);
  } else if (proto == kEthIpv6) {
    p.l4 = L4::kNone;
    DecodeIpv6(r, c, 1);
  }
}

}  // namespace

void DecodeTransport(uint8_t proto, ByteReader payload, Context& c, int depth) {
  Packet& p = c.p;
  switch (proto) {
    case kProtoTcp:
      DecodeTcp(payload, c);
      return;
    case kProtoUdp:
      DecodeUdp(payload, c);
      return;
    case kProtoIcmp:
      DecodeIcmp(payload, c, false);
      return;
    case kProtoIcmpv6:
      DecodeIcmp(payload, c, true);
      return;
    case kProtoNoNext:
      return;
    case kProtoIpip:
      if (depth == 0) return DecodeIpv4(payload, c, 1);
      break;
    case kProtoIpv6:
      if (depth == 0) return DecodeIpv6(payload, c, 1);
      break;
    case kProtoGre:
      if (depth == 0) return DecodeGre(payload, c);
      break;
    case kProtoEsp:       // encrypted: nothing more to see
    case kProtoMobility:  // IPv6 mobility header ends the chain (RFC 6275 section 6.1.1)
    default:
      break;
  }
  p.l4 = L4::kOther;
  p.payload = payload.Rest();
}

}  // namespace qw::decode::detail
