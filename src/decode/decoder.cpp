// Link layers: the capture's link header, Ethernet II, IEEE 802.1Q/802.1ad tags, IEEE 802.2
// LLC/SNAP (STP, CDP), ARP (RFC 826); then hands IP to ip.cpp.
#include "decode/decoder.h"

#include <algorithm>

#include "capture/frame.h"
#include "decode/ipv4_reassembly.h"
#include "decode/layers.h"

namespace qw::decode {
namespace {

using core::ByteReader;
using detail::Context;

// Tag protocol identifiers: 802.1Q, 802.1ad (QinQ service tag), and the pre-standard QinQ
// value some switches still send.
constexpr uint16_t kTpidDot1q = 0x8100;
constexpr uint16_t kTpidDot1ad = 0x88a8;
constexpr uint16_t kTpidQinqOld = 0x9100;
// Ethertype/length values up to this are an IEEE 802.3 length; from 0x0600 a type.
constexpr uint16_t kMaxEth8023Length = 1500;
constexpr uint16_t kMinEthertype = 0x0600;
// LLC nested inside SNAP inside LLC...: a frame holds at most this many LLC headers.
constexpr int kMaxLlcLayers = 1;
// Highest VLAN tag count a Packet can hold.
constexpr size_t kMaxVlanCount = 255;

// BSD loopback address families: AF_INET everywhere; AF_INET6 differs by OS (NetBSD and
// OpenBSD 24, FreeBSD 28, Darwin 30).
constexpr uint32_t kAfInet = 2;
bool IsAfInet6(uint32_t af) { return af == 24 || af == 28 || af == 30; }

// Linux cooked capture: ARPHRD_ETHER, and the protocol values below 0x0600 that are not
// ethertypes (linux/if_ether.h ETH_P_802_2; ETH_P_802_3 = 1 is Novell raw IPX).
constexpr uint16_t kArphrdEther = 1;
constexpr uint16_t kSllProto8022 = 0x0004;

// IEEE 802.2 LLC, followed by RFC 1042 SNAP when DSAP = SSAP = 0xAA.
// clang-format off
//  | DSAP:1 | SSAP:1 | control:1 (U format, low bits 11) or 2 (I/S format) | data...
//  SNAP:  | AA | AA | 03 | OUI:3 | protocol id:2 | data...
// clang-format on
constexpr uint8_t kSapStp = 0x42;
constexpr uint8_t kSapSnap = 0xaa;
constexpr uint32_t kOuiCisco = 0x00000c;
constexpr uint16_t kPidCdp = 0x2000;
constexpr uint32_t kOuiEncapEthernet = 0x000000;  // RFC 1042: protocol id is an ethertype
constexpr uint32_t kOuiBridgeTunnel = 0x0000f8;   // IEEE 802.1H: likewise

void DecodeLlc(ByteReader r, Context& c) {
  c.p.l3 = L3::kOther;
  if (c.llc_layers >= kMaxLlcLayers) {
    c.anomalies.Raise("llc.nested");
    return;
  }
  ++c.llc_layers;
  // Novell "raw 802.3" carries IPX straight after the length: its checksum field 0xFFFF
  // stands where DSAP/SSAP would be.
  if (r.PeekU16Be() == 0xffff) return;
  uint8_t dsap = r.U8();
  uint8_t ssap = r.U8();
  uint8_t control = r.U8();
  if ((control & 3) != 3) r.Skip(1);  // I and S formats have a 2-byte control field
  if (!r.ok()) {
    c.anomalies.Raise("llc.truncated");
    return;
  }
  if (dsap == kSapStp && ssap == kSapStp) {
    c.p.l3 = L3::kStp;
    c.p.l2_payload = r.Rest();
    return;
  }
  if (dsap == kSapSnap && ssap == kSapSnap) {
    uint32_t oui = r.U24Be();
    uint16_t pid = r.U16Be();
    if (!r.ok()) {
      c.anomalies.Raise("llc.truncated");
      return;
    }
    if (oui == kOuiCisco && pid == kPidCdp) {
      c.p.l3 = L3::kCdp;
      c.p.l2_payload = r.Rest();
      return;
    }
    if ((oui == kOuiEncapEthernet || oui == kOuiBridgeTunnel) && pid >= kMinEthertype) {
      detail::DecodeEthertype(pid, r, c);
      return;
    }
  }
  c.p.l2_payload = r.Rest();
}

// RFC 826 ARP (and RFC 903 RARP, same format) for Ethernet/IPv4.
// clang-format off
//  | htype:2 | ptype:2 | hlen:1 | plen:1 | op:2 | sha:hlen | spa:plen | tha:hlen | tpa:plen |
// clang-format on
void DecodeArp(ByteReader r, Context& c) {
  c.p.l3 = L3::kArp;
  uint16_t htype = r.U16Be();
  uint16_t ptype = r.U16Be();
  uint8_t hlen = r.U8();
  uint8_t plen = r.U8();
  uint16_t op = r.U16Be();
  if (!r.ok()) {
    c.anomalies.Raise("arp.truncated");
    return;
  }
  if (htype != 1 || ptype != detail::kEthIpv4 || hlen != 6 || plen != 4) {
    c.anomalies.Raise("arp.unsupported_format");
    return;
  }
  auto sha = r.Bytes(6);
  auto spa = r.Bytes(4);
  auto tha = r.Bytes(6);
  auto tpa = r.Bytes(4);
  if (!r.ok()) {
    c.anomalies.Raise("arp.truncated");
    return;
  }
  c.p.arp.op = op;
  c.p.arp.sender_mac = core::MacAddr::From(sha);
  c.p.arp.sender_ip = core::IpAddr::V4(spa);
  c.p.arp.target_mac = core::MacAddr::From(tha);
  c.p.arp.target_ip = core::IpAddr::V4(tpa);
}

// Ethernet II / IEEE 802.3.
// clang-format off
//  | destination:6 | source:6 | ethertype or length:2 | payload... (| padding | FCS:4)
// clang-format on
void DecodeEthernet(ByteReader r, Context& c) {
  auto dst = r.Bytes(6);
  auto src = r.Bytes(6);
  uint16_t type = r.U16Be();
  if (!r.ok()) {
    c.anomalies.Raise("eth.truncated");
    return;
  }
  c.p.has_mac = true;
  c.p.dst_mac = core::MacAddr::From(dst);
  c.p.src_mac = core::MacAddr::From(src);
  detail::DecodeEthertype(type, r, c);
}

// IEEE 802.1Q tags, any number stacked (capped), then the protocol they carry.
// clang-format off
//  | TPID:2 (0x8100, 0x88a8, 0x9100) | PCP:3 DEI:1 VID:12 | ethertype or length:2 | ...
// clang-format on
}  // namespace

namespace detail {

void DecodeEthertype(uint16_t type, ByteReader r, Context& c) {
  const size_t max_tags = std::min(c.limits.max_vlan_tags, kMaxVlanCount);
  while (type == kTpidDot1q || type == kTpidDot1ad || type == kTpidQinqOld) {
    if (c.p.vlan_count >= max_tags) {
      c.anomalies.Raise("vlan.too_many_tags");
      c.p.l3 = L3::kOther;
      return;
    }
    // A tag whose TCI is there counts even when its type is cut off, as in tshark.
    uint16_t tci = r.U16Be();
    if (!r.ok()) {
      c.anomalies.Raise("vlan.truncated");
      return;
    }
    uint16_t vid = tci & 0x0fff;
    if (c.p.vlan_count == 0) {
      c.p.outer_vlan = vid;
    } else if (c.p.vlan_count == 1) {
      c.p.inner_vlan = vid;
    }
    ++c.p.vlan_count;
    type = r.U16Be();
    if (!r.ok()) {
      c.anomalies.Raise("vlan.truncated");
      return;
    }
  }

  if (type <= kMaxEth8023Length) {
    c.p.ethertype = 0;
    // The length counts LLC header and data; what follows it is padding.
    ByteReader llc;
    if (type <= r.remaining()) {
      llc = r.Sub(type);
    } else {
      if (!c.snapped) c.anomalies.Raise("eth.length_exceeds_frame");
      llc = r.Sub(r.remaining());
    }
    DecodeLlc(llc, c);
    return;
  }
  c.p.ethertype = type;
  switch (type) {
    case detail::kEthIpv4:
      detail::DecodeIpv4(r, c, 0);
      return;
    case detail::kEthIpv6:
      detail::DecodeIpv6(r, c, 0);
      return;
    case detail::kEthArp:
    case detail::kEthRarp:
      DecodeArp(r, c);
      return;
    case detail::kEthLldp:
      c.p.l3 = L3::kLldp;
      c.p.l2_payload = r.Rest();
      return;
    default:
      // PROFINET, GOOSE, EtherCAT...: not ours to decode, but dissectors want the bytes.
      // Types 1501-1535 are neither length nor type and land here too.
      c.p.l3 = L3::kOther;
      c.p.l2_payload = r.Rest();
      return;
  }
}

}  // namespace detail

namespace {

// Linux cooked capture, version 1 and 2 (tcpdump.org LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2).
// clang-format off
//  v1: | packet type:2 | ARPHRD type:2 | address length:2 | address:8 | protocol:2 | payload...
//  v2: | protocol:2 | reserved:2 | interface index:4 | ARPHRD type:2 | packet type:1 |
//      | address length:1 | address:8 | payload...
// clang-format on
void DecodeSllPayload(uint16_t hatype, uint16_t addr_len, std::span<const uint8_t> addr,
                      uint16_t proto, ByteReader r, Context& c) {
  if (hatype == kArphrdEther && addr_len == 6) {
    c.p.has_mac = true;
    c.p.src_mac = core::MacAddr::From(addr);
  }
  if (proto == kSllProto8022) {
    c.p.ethertype = 0;
    DecodeLlc(r, c);
    return;
  }
  if (proto < kMinEthertype) {
    // Raw 802.3 (kSllProto8023) is Novell IPX; the other small values (CAN, PPP over
    // HDLC, ...) are not Ethernet payloads at all.
    c.p.l3 = L3::kOther;
    c.p.l2_payload = r.Rest();
    return;
  }
  detail::DecodeEthertype(proto, r, c);
}

void DecodeSll(ByteReader r, Context& c) {
  r.Skip(2);  // packet type
  uint16_t hatype = r.U16Be();
  uint16_t addr_len = r.U16Be();
  auto addr = r.Bytes(8);
  uint16_t proto = r.U16Be();
  if (!r.ok()) {
    c.anomalies.Raise("sll.truncated");
    return;
  }
  DecodeSllPayload(hatype, addr_len, addr, proto, r, c);
}

void DecodeSll2(ByteReader r, Context& c) {
  uint16_t proto = r.U16Be();
  r.Skip(2 + 4);  // reserved, interface index
  uint16_t hatype = r.U16Be();
  r.Skip(1);  // packet type
  uint8_t addr_len = r.U8();
  auto addr = r.Bytes(8);
  if (!r.ok()) {
    c.anomalies.Raise("sll.truncated");
    return;
  }
  DecodeSllPayload(hatype, addr_len, addr, proto, r, c);
}

// BSD loopback: a 4-byte address family, then the IP packet; for NULL a value above 1500
// is an ethertype instead.
// clang-format off
//  | address family:4 (NULL: writer's byte order; LOOP: big-endian) | IPv4 or IPv6 packet...
// clang-format on
void DecodeLoopback(ByteReader r, Context& c, bool big_endian_only) {
  ByteReader be_reader = r.Sub(4);
  ByteReader le_reader = be_reader;
  if (!r.ok()) {
    c.anomalies.Raise("null.truncated");
    return;
  }
  uint32_t be = be_reader.U32Be();
  uint32_t le = le_reader.U32Le();
  // Families are small numbers, so the order that yields one is the writer's.
  uint32_t af = (big_endian_only || be <= 0xffff) ? be : le;
  if (!big_endian_only && af > kMaxEth8023Length && af <= 0xffff) {
    // Some old writers put an ethertype here; Wireshark accepts that too.
    detail::DecodeEthertype(static_cast<uint16_t>(af), r, c);
    return;
  }
  if (af == kAfInet) {
    detail::DecodeIpv4(r, c, 0);
  } else if (IsAfInet6(af)) {
    detail::DecodeIpv6(r, c, 0);
  } else {
    c.p.l3 = L3::kOther;
  }
}

// Raw IP: the version nibble says which.
void DecodeRawIp(ByteReader r, Context& c) {
  switch (r.PeekU8() >> 4) {
    case 4:
      detail::DecodeIpv4(r, c, 0);
      return;
    case 6:
      detail::DecodeIpv6(r, c, 0);
      return;
    default:
      if (!r.empty()) c.p.l3 = L3::kOther;
      return;
  }
}

}  // namespace

Decoder::Decoder(DecoderLimits limits)
    : limits_(limits),
      reassembler_(std::make_unique<Ipv4Reassembler>(ReassemblyLimits{
          limits.max_fragment_bytes, limits.max_fragment_datagrams, limits.fragment_timeout_ns})) {}

Decoder::~Decoder() = default;

size_t Decoder::pending_fragment_datagrams() const { return reassembler_->pending_datagrams(); }
size_t Decoder::pending_fragment_bytes() const { return reassembler_->pending_bytes(); }

bool Decoder::Decode(uint32_t link_type, core::Timestamp ts, std::span<const uint8_t> frame,
                     Packet& out, core::Anomalies& anomalies, uint32_t orig_len) {
  // Copying a ready-made empty Packet is a few vector moves; `out = Packet{}` zeroes a
  // temporary first and costs twice that on the hot path.
  static const Packet kEmpty{};
  out = kEmpty;
  // The length on the wire, as tshark's frame.len: what byte counts add up.
  out.frame_len = std::max(static_cast<uint32_t>(frame.size()), orig_len);
  Context c{out, anomalies, limits_, *reassembler_, ts, orig_len > frame.size()};
  ByteReader r(frame);
  switch (link_type) {
    case capture::kLinkEthernet:
      DecodeEthernet(r, c);
      return true;
    case capture::kLinkNull:
      DecodeLoopback(r, c, false);
      return true;
    case capture::kLinkLoop:
      DecodeLoopback(r, c, true);
      return true;
    case capture::kLinkRaw:
      DecodeRawIp(r, c);
      return true;
    case capture::kLinkIpv4:
      detail::DecodeIpv4(r, c, 0);
      return true;
    case capture::kLinkIpv6:
      detail::DecodeIpv6(r, c, 0);
      return true;
    case capture::kLinkLinuxSll:
      DecodeSll(r, c);
      return true;
    case capture::kLinkLinuxSll2:
      DecodeSll2(r, c);
      return true;
    default:
      return false;
  }
}

}  // namespace qw::decode
