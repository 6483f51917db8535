// Network layer: IPv4 (RFC 791) with options and fragments, IPv6 (RFC 8200) with its
// extension headers and fragments, and the headers quoted inside ICMP errors.
#include "decode/layers.h"

namespace qw::decode::detail {
namespace {

using core::ByteReader;

// IPv6 extension headers (RFC 8200 section 4, RFC 4302 AH, RFC 6275 mobility).
constexpr uint8_t kExtHopByHop = 0;
constexpr uint8_t kExtRouting = 43;
constexpr uint8_t kExtFragment = 44;
constexpr uint8_t kExtDestOpts = 60;

// IPv4 options fit in 40 bytes, so at most 40 of them; the cap only names that bound.
constexpr size_t kMaxIpv4Options = 40;
constexpr size_t kIpv4MinHeader = 20;
constexpr size_t kIpv6Header = 40;

// Raises `name` unless the capture's snap length explains the shortfall.
void Short(Context& c, std::string_view name) {
  if (!c.snapped) c.anomalies.Raise(name);
}

// Walks IPv4 options: type 0 ends the list, type 1 is one byte of padding, every other
// option is | type:1 | length:1 (counts type and length) | data:length-2 |.
void WalkIpv4Options(ByteReader options, Context& c) {
  for (size_t n = 0; !options.empty(); ++n) {
    if (n == kMaxIpv4Options) {
      c.anomalies.Raise("ipv4.bad_option");
      return;
    }
    uint8_t type = options.U8();
    if (type == 0) return;
    if (type == 1) continue;
    uint8_t len = options.U8();
    if (!options.ok() || len < 2 || !options.Skip(len - 2u)) {
      c.anomalies.Raise("ipv4.bad_option");
      return;
    }
  }
}

// Walks IPv6 extension headers from `nh` until an upper-layer header, leaving `r` at it.
// Returns false when decoding must stop (malformed, capped, or a fragment not yet whole).
// Fragments are reassembled when `reassemble` (the frame's own header); `quiet` walks a
// header quoted in an ICMP error, which raises nothing and never reassembles.
bool WalkIpv6Extensions(uint8_t& nh, ByteReader& r, Context& c, const core::IpAddr& src,
                        const core::IpAddr& dst, bool reassemble, bool quiet) {
  for (size_t n = 0;; ++n) {
    switch (nh) {
      case kExtHopByHop:
      case kExtRouting:
      case kExtDestOpts:
      case kProtoAh:
      case kExtFragment:
        break;
      default:
        return true;  // upper layer; no-next (59), ESP (50), mobility (135) end the chain too
    }
    if (n >= c.limits.max_ipv6_ext_headers) {
      if (!quiet) c.anomalies.Raise("ipv6.too_many_extension_headers");
      return false;
    }
    if (nh == kExtFragment) {
      // | next:1 | reserved:1 | offset:13 res:2 M:1 | identification:4 |
      uint8_t next = r.U8();
      r.Skip(1);
      uint16_t off_flags = r.U16Be();
      uint32_t id = r.U32Be();
      if (!r.ok()) {
        if (!quiet) Short(c, "ipv6.truncated");
        return false;
      }
      uint32_t offset = off_flags & 0xfff8u;  // 13 bits in units of 8 bytes
      bool more = (off_flags & 1) != 0;
      if (offset == 0 && !more) {  // atomic fragment (RFC 6946): the whole datagram
        nh = next;
        continue;
      }
      if (quiet) {
        // A header quoted in an ICMP error: only the first fragment holds the upper header.
        if (offset != 0) return false;
        nh = next;
        continue;
      }
      if (!reassemble) return false;  // a tunnelled fragment: not reassembled (one level)
      if (!c.limits.reassemble) {
        // Only flagged: whoever reassembles decodes this frame again.
        c.p.ip_fragment = true;
        c.p.ip_proto = next;
        return false;
      }
      auto whole = c.reassembler.Add(IpFamily::kV6, FragmentKey{src, dst, id, 0}, c.ts, offset,
                                     more, r.Rest(), c.anomalies);
      if (!whole) {
        c.p.ip_fragment = true;
        c.p.ip_proto = next;
        return false;
      }
      c.p.ip_reassembled = true;
      c.p.ip_total_len = static_cast<uint32_t>(kIpv6Header + whole->size());
      r = ByteReader(*whole);
      nh = next;
      continue;
    }
    // | next:1 | length:1 | ... |; AH counts 4-byte words minus 2, the others 8-byte words
    // minus 1 (RFC 4302 section 2.2, RFC 8200 section 4.3).
    uint8_t next = r.U8();
    uint8_t len = r.U8();
    size_t total = nh == kProtoAh ? (len + 2u) * 4u : (len + 1u) * 8u;
    r.Skip(total - 2);
    if (!r.ok()) {
      if (!quiet) Short(c, "ipv6.bad_extension_header");
      return false;
    }
    nh = next;
  }
}

// Whether `r` holds enough of a TCP or UDP header for tshark to show the layer: the two
// ports (tshark 4.0, measured on crafted frames).
L4 QuotedTransport(uint8_t proto, const ByteReader& r) {
  if (proto == kProtoTcp && r.remaining() >= 4) return L4::kTcp;
  if (proto == kProtoUdp && r.remaining() >= 4) return L4::kUdp;
  return L4::kNone;
}

}  // namespace

// RFC 791 section 3.1.
// clang-format off
//  | version:4 IHL:4 | TOS:1 | total length:2 | identification:2 | flags:3 fragment offset:13 |
//  | TTL:1 | protocol:1 | header checksum:2 | source:4 | destination:4 | options:IHL*4-20 |
//  | payload:total length-IHL*4 | (Ethernet padding)
// clang-format on
void DecodeIpv4(ByteReader r, Context& c, int depth) {
  Packet& p = c.p;
  if (r.empty()) {
    Short(c, "ipv4.truncated");
    return;
  }
  if (depth == 0) {
    p.l3 = L3::kIpv4;
  } else {
    p.has_inner_ipv4 = true;
  }
  const size_t available = r.remaining();
  ByteReader datagram = r;
  uint8_t version_ihl = r.U8();
  if (version_ihl >> 4 != 4) {
    c.anomalies.Raise("ipv4.bad_version");
    return;
  }
  const size_t hlen = (version_ihl & 15u) * 4u;
  if (hlen < kIpv4MinHeader) {
    c.anomalies.Raise("ipv4.bad_header_length");
    return;
  }
  r.Skip(1);  // type of service
  uint16_t total = r.U16Be();
  uint16_t id = r.U16Be();
  uint16_t flags_offset = r.U16Be();
  uint8_t ttl = r.U8();
  uint8_t proto = r.U8();
  r.Skip(2);  // header checksum: a bad one still makes an IPv4 packet
  auto src_bytes = r.Bytes(4);
  auto dst_bytes = r.Bytes(4);
  ByteReader options = r.Sub(hlen - kIpv4MinHeader);
  if (!r.ok()) {
    Short(c, "ipv4.truncated");
    return;
  }
  auto src = core::IpAddr::V4(src_bytes);
  auto dst = core::IpAddr::V4(dst_bytes);
  if (depth == 0) {
    p.src_ip = src;
    p.dst_ip = dst;
    p.ttl = ttl;
    p.ip_proto = proto;
    p.ip_total_len = total;
  } else {
    p.inner_src_ip = src;
    p.inner_dst_ip = dst;
    p.inner_ip_proto = proto;
  }
  WalkIpv4Options(options, c);

  // The datagram ends at the total length; anything after it is link-layer padding.
  size_t length;
  if (total == 0) {
    // Segmentation offload on the capturing host leaves the field 0; tshark then takes
    // the captured bytes as the datagram, and so do we.
    length = available;
    if (depth == 0) p.ip_total_len = static_cast<uint32_t>(available);
  } else if (total < hlen) {
    c.anomalies.Raise("ipv4.bad_total_length");
    return;
  } else if (total > available) {
    Short(c, "ipv4.total_length_exceeds_capture");
    length = available;
  } else {
    length = total;
  }
  datagram.Skip(hlen);
  ByteReader payload = datagram.Sub(length - hlen);

  const bool more = (flags_offset & 0x2000u) != 0;
  const uint32_t offset = (flags_offset & 0x1fffu) * 8u;
  if (more || offset != 0) {
    if (depth != 0) return;  // a tunnelled fragment: not reassembled (one level, bounded)
    if (!c.limits.reassemble) {
      p.ip_fragment = true;  // only flagged: whoever reassembles decodes this frame again
      return;
    }
    auto whole = c.reassembler.Add(IpFamily::kV4, FragmentKey{src, dst, id, proto}, c.ts, offset,
                                   more, payload.Rest(), c.anomalies);
    if (!whole) {
      p.ip_fragment = true;
      return;
    }
    p.ip_reassembled = true;
    p.ip_total_len = static_cast<uint32_t>(hlen + whole->size());
    payload = ByteReader(*whole);
  }
  DecodeTransport(proto, payload, c, depth);
}

// RFC 8200 section 3.
// clang-format off
//  | version:4 traffic class:8 flow label:20 | payload length:2 | next header:1 |
//  | hop limit:1 | source:16 | destination:16 | extension headers... | upper layer...
// clang-format on
void DecodeIpv6(ByteReader r, Context& c, int depth) {
  Packet& p = c.p;
  if (r.empty()) {
    Short(c, "ipv6.truncated");
    return;
  }
  if (depth == 0) {
    p.l3 = L3::kIpv6;
  } else {
    p.has_inner_ipv6 = true;
  }
  uint32_t vtf = r.U32Be();
  if (vtf >> 28 != 6) {
    c.anomalies.Raise("ipv6.bad_version");
    return;
  }
  uint16_t plen = r.U16Be();
  uint8_t nh = r.U8();
  uint8_t hop_limit = r.U8();
  auto src_bytes = r.Bytes(16);
  auto dst_bytes = r.Bytes(16);
  if (!r.ok()) {
    Short(c, "ipv6.truncated");
    return;
  }
  auto src = core::IpAddr::V6(src_bytes);
  auto dst = core::IpAddr::V6(dst_bytes);
  if (depth == 0) {
    p.src_ip = src;
    p.dst_ip = dst;
    p.ttl = hop_limit;
    p.ip_proto = nh;
    p.ip_total_len = static_cast<uint32_t>(kIpv6Header + plen);
  } else {
    p.inner_src_ip = src;
    p.inner_dst_ip = dst;
    p.inner_ip_proto = nh;
  }

  ByteReader payload;
  if (plen == 0) {
    // A jumbogram (RFC 2675) or segmentation offload: the captured bytes are the payload.
    payload = r.Sub(r.remaining());
    if (depth == 0) p.ip_total_len = static_cast<uint32_t>(kIpv6Header + payload.remaining());
  } else if (plen > r.remaining()) {
    Short(c, "ipv6.payload_length_exceeds_capture");
    payload = r.Sub(r.remaining());
  } else {
    payload = r.Sub(plen);
  }

  // IPv6 fragments are reassembled by the same bounded reassembler as IPv4, for the
  // frame's own header only; a tunnelled IPv6 fragment is left as it is.
  if (!WalkIpv6Extensions(nh, payload, c, src, dst, depth == 0, false)) return;
  if (depth == 0) {
    p.ip_proto = nh;
  } else {
    p.inner_ip_proto = nh;
  }
  DecodeTransport(nh, payload, c, depth);
}

L4 QuotedL4(ByteReader r, bool ipv6, Context& c) {
  if (!ipv6) {
    uint8_t version_ihl = r.U8();
    const size_t hlen = (version_ihl & 15u) * 4u;
    if (version_ihl >> 4 != 4 || hlen < kIpv4MinHeader) return L4::kNone;
    r.Skip(5);
    uint16_t flags_offset = r.U16Be();
    r.Skip(1);
    uint8_t proto = r.U8();
    r.Skip(hlen - 10);
    if (!r.ok() || (flags_offset & 0x1fffu) != 0) return L4::kNone;
    return QuotedTransport(proto, r);
  }
  uint32_t vtf = r.U32Be();
  r.Skip(2);
  uint8_t nh = r.U8();
  r.Skip(1 + 32);
  if (!r.ok() || vtf >> 28 != 6) return L4::kNone;
  if (!WalkIpv6Extensions(nh, r, c, {}, {}, false, true)) return L4::kNone;
  return QuotedTransport(nh, r);
}

}  // namespace qw::decode::detail
