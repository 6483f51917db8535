#include "simulate/frame_builder.h"

#include <algorithm>
#include <cstring>

#include "simulate/byte_writer.h"

namespace qw::simulate {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherArp = 0x0806;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherLldp = 0x88cc;
constexpr size_t kIpv4Header = 20;
constexpr size_t kUdpHeader = 8;

void PutMac(ByteWriter& w, const core::MacAddr& mac) { w.Bytes(mac.b); }

// Sum of the IPv4 pseudo-header of RFC 793 / RFC 768.
uint32_t PseudoHeaderSum(const Ipv4Fields& ip, size_t l4_len) {
  uint32_t sum = (ip.src >> 16) + (ip.src & 0xffff) + (ip.dst >> 16) + (ip.dst & 0xffff);
  return sum + ip.protocol + static_cast<uint32_t>(l4_len);
}

// LLDP TLV header: 7-bit type, 9-bit length.
void LldpTlv(ByteWriter& w, uint8_t type, size_t len) {
  w.U16(static_cast<uint16_t>(type << 9 | (len & 0x1ff)));
}

void LldpStringTlv(ByteWriter& w, uint8_t type, std::string_view text) {
  LldpTlv(w, type, text.size());
  w.Str(text);
}

void CdpStringTlv(ByteWriter& w, uint16_t type, std::string_view text) {
  w.U16(type);
  w.U16(static_cast<uint16_t>(4 + text.size()));
  w.Str(text);
}

}  // namespace

uint32_t ChecksumAdd(std::span<const uint8_t> bytes, uint32_t sum) {
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += uint32_t{bytes[i]} << 8 | bytes[i + 1];
  if (i < bytes.size()) sum += uint32_t{bytes[i]} << 8;
  return sum;
}

uint16_t ChecksumFold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

size_t FrameBuilder::WriteL2(const L2& l2, uint16_t ethertype) {
  ByteWriter w(buf_);
  PutMac(w, l2.dst);
  PutMac(w, l2.src);
  if (l2.vlan != 0) {
    w.U16(kEtherVlan);
    w.U16(static_cast<uint16_t>((l2.priority & 0x7) << 13 | (l2.vlan & 0x0fff)));
  }
  w.U16(ethertype);
  return w.size();
}

size_t FrameBuilder::WriteIpv4(size_t at, const Ipv4Fields& ip, size_t payload_len) {
  ByteWriter w(std::span<uint8_t>(buf_).subspan(at, kIpv4Header));
  w.U8(0x45);
  w.U8(ip.tos);
  w.U16(static_cast<uint16_t>(kIpv4Header + payload_len));
  w.U16(ip.id);
  w.U16(0x4000);  // don't fragment
  w.U8(ip.ttl);
  w.U8(ip.protocol);
  w.U16(0);
  w.U32(ip.src);
  w.U32(ip.dst);
  const uint16_t sum = ChecksumFold(ChecksumAdd(w.written(), 0));
  buf_[at + 10] = static_cast<uint8_t>(sum >> 8);
  buf_[at + 11] = static_cast<uint8_t>(sum);
  return at + kIpv4Header;
}

std::span<const uint8_t> FrameBuilder::Padded(size_t len) {
  if (len < kMinFrame) {
    std::memset(buf_.data() + len, 0, kMinFrame - len);
    len = kMinFrame;
  }
  return std::span<const uint8_t>(buf_).first(len);
}

std::span<uint8_t> FrameBuilder::TcpPayload(const L2& l2, bool syn_options) {
  const size_t at = L2Size(l2) + kIpv4Header + (syn_options ? 28 : 20);
  return std::span<uint8_t>(buf_).subspan(at, kMaxFrame - at);
}

std::span<const uint8_t> FrameBuilder::FinishTcp(const L2& l2, const Ipv4Fields& ip_in,
                                                 const TcpFields& tcp, size_t payload_len) {
  Ipv4Fields ip = ip_in;
  ip.protocol = 6;
  const size_t header_len = tcp.mss != 0 ? 28 : 20;
  const size_t l4_len = header_len + payload_len;
  const size_t l4_at = WriteIpv4(WriteL2(l2, kEtherIpv4), ip, l4_len);
  ByteWriter w(std::span<uint8_t>(buf_).subspan(l4_at, header_len));
  w.U16(tcp.sport);
  w.U16(tcp.dport);
  w.U32(tcp.seq);
  w.U32(tcp.ack);
  w.U8(static_cast<uint8_t>(header_len / 4 << 4));
  w.U8(tcp.flags);
  w.U16(tcp.window);
  w.U16(0);  // checksum, below
  w.U16(0);  // urgent pointer
  if (tcp.mss != 0) {
    w.U8(2);  // MSS
    w.U8(4);
    w.U16(tcp.mss);
    w.U8(1);  // NOP
    w.U8(1);
    w.U8(4);  // SACK permitted
    w.U8(2);
  }
  const auto segment = std::span<const uint8_t>(buf_).subspan(l4_at, l4_len);
  const uint16_t sum = ChecksumFold(ChecksumAdd(segment, PseudoHeaderSum(ip, l4_len)));
  buf_[l4_at + 16] = static_cast<uint8_t>(sum >> 8);
  buf_[l4_at + 17] = static_cast<uint8_t>(sum);
  return Padded(l4_at + l4_len);
}

std::span<uint8_t> FrameBuilder::UdpPayload(const L2& l2) {
  const size_t at = L2Size(l2) + kIpv4Header + kUdpHeader;
  return std::span<uint8_t>(buf_).subspan(at, kMaxFrame - at);
}

std::span<const uint8_t> FrameBuilder::FinishUdp(const L2& l2, const Ipv4Fields& ip_in,
                                                 uint16_t sport, uint16_t dport,
                                                 size_t payload_len) {
  Ipv4Fields ip = ip_in;
  ip.protocol = 17;
  const size_t l4_len = kUdpHeader + payload_len;
  const size_t l4_at = WriteIpv4(WriteL2(l2, kEtherIpv4), ip, l4_len);
  ByteWriter w(std::span<uint8_t>(buf_).subspan(l4_at, kUdpHeader));
  w.U16(sport);
  w.U16(dport);
  w.U16(static_cast<uint16_t>(l4_len));
  w.U16(0);
  const auto datagram = std::span<const uint8_t>(buf_).subspan(l4_at, l4_len);
  uint16_t sum = ChecksumFold(ChecksumAdd(datagram, PseudoHeaderSum(ip, l4_len)));
  if (sum == 0) sum = 0xffff;  // RFC 768: zero means "no checksum"
  buf_[l4_at + 6] = static_cast<uint8_t>(sum >> 8);
  buf_[l4_at + 7] = static_cast<uint8_t>(sum);
  return Padded(l4_at + l4_len);
}

std::span<uint8_t> FrameBuilder::EtherPayload(const L2& l2) {
  const size_t at = L2Size(l2);
  return std::span<uint8_t>(buf_).subspan(at, kMaxFrame - at);
}

std::span<const uint8_t> FrameBuilder::FinishEther(const L2& l2, uint16_t ethertype,
                                                   size_t payload_len) {
  const size_t at = WriteL2(l2, ethertype);
  return Padded(at + std::min(payload_len, kMaxFrame - at));
}

std::span<const uint8_t> FrameBuilder::Arp(const L2& l2, uint16_t op,
                                           const core::MacAddr& sender_mac, uint32_t sender_ip,
                                           const core::MacAddr& target_mac, uint32_t target_ip) {
  const size_t at = WriteL2(l2, kEtherArp);
  ByteWriter w(std::span<uint8_t>(buf_).subspan(at));
  w.U16(1);  // Ethernet
  w.U16(kEtherIpv4);
  w.U8(6);
  w.U8(4);
  w.U16(op);
  PutMac(w, sender_mac);
  w.U32(sender_ip);
  PutMac(w, target_mac);
  w.U32(target_ip);
  return Padded(at + w.size());
}

std::span<const uint8_t> FrameBuilder::Lldp(const LldpInfo& info) {
  const L2 l2{core::MacAddr{{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}}, info.chassis, 0};
  const size_t at = WriteL2(l2, kEtherLldp);
  ByteWriter w(std::span<uint8_t>(buf_).subspan(at));
  LldpTlv(w, 1, 7);  // chassis id, subtype 4: MAC address
  w.U8(4);
  PutMac(w, info.chassis);
  LldpTlv(w, 2, 1 + info.port_id.size());  // port id, subtype 5: interface name
  w.U8(5);
  w.Str(info.port_id);
  LldpTlv(w, 3, 2);  // time to live
  w.U16(120);
  LldpStringTlv(w, 4, info.port_description);
  LldpStringTlv(w, 5, info.system_name);
  LldpStringTlv(w, 6, info.system_description);
  LldpTlv(w, 7, 4);  // system capabilities: available, enabled
  w.U16(info.capabilities);
  w.U16(info.capabilities);
  if (info.management_ip != 0) {
    LldpTlv(w, 8, 12);  // management address
    w.U8(5);            // address string length: subtype + 4 bytes
    w.U8(1);            // IANA address family: IPv4
    w.U32(info.management_ip);
    w.U8(2);  // interface numbering: ifIndex
    w.U32(info.if_index);
    w.U8(0);  // no OID
  }
  if (info.port_vlan != 0) {
    LldpTlv(w, 127, 6);  // organisation specific: IEEE 802.1, port VLAN id
    w.U8(0x00);
    w.U8(0x80);
    w.U8(0xc2);
    w.U8(1);
    w.U16(info.port_vlan);
  }
  LldpTlv(w, 0, 0);  // end of LLDPDU
  return Padded(at + w.size());
}

std::span<const uint8_t> FrameBuilder::Cdp(const CdpInfo& info) {
  ByteWriter w(buf_);
  PutMac(w, core::MacAddr{{0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc}});
  PutMac(w, info.source);
  const size_t length_at = w.size();
  w.U16(0);         // 802.3 length, below
  w.U8(0xaa);       // LLC DSAP: SNAP
  w.U8(0xaa);       // LLC SSAP: SNAP
  w.U8(0x03);       // unnumbered information
  w.U24(0x00000c);  // SNAP OUI: Cisco
  w.U16(0x2000);    // SNAP protocol id: CDP
  const size_t cdp_at = w.size();
  w.U8(2);    // version
  w.U8(180);  // hold time
  w.U16(0);   // checksum, below
  CdpStringTlv(w, 0x0001, info.device_id);
  w.U16(0x0002);  // addresses: one IPv4 address
  w.U16(17);
  w.U32(1);
  w.U8(1);  // protocol type NLPID
  w.U8(1);
  w.U8(0xcc);  // IP
  w.U16(4);
  w.U32(info.address);
  CdpStringTlv(w, 0x0003, info.port_id);
  w.U16(0x0004);  // capabilities
  w.U16(8);
  w.U32(info.capabilities);
  CdpStringTlv(w, 0x0005, info.software);
  CdpStringTlv(w, 0x0006, info.platform);
  w.U16(0x000a);  // native VLAN
  w.U16(6);
  w.U16(info.native_vlan);
  // CDP's checksum treats an odd trailing byte in a Cisco-specific way; the duplex TLV
  // (5 bytes) is added only when it makes the PDU even, which avoids the question.
  if ((w.size() - cdp_at) % 2 != 0) {
    w.U16(0x000b);  // duplex: full
    w.U16(5);
    w.U8(1);
  }
  const auto pdu = std::span<const uint8_t>(buf_).subspan(cdp_at, w.size() - cdp_at);
  w.PatchBe(cdp_at + 2, ChecksumFold(ChecksumAdd(pdu, 0)), 2);
  w.PatchBe(length_at, w.size() - 14, 2);
  return Padded(w.size());
}

std::span<const uint8_t> FrameBuilder::Forward(const L2& l2, std::span<const uint8_t> ip_packet) {
  const size_t at = WriteL2(l2, kEtherIpv4);
  const size_t len = ip_packet.size() < kMaxFrame - at ? ip_packet.size() : kMaxFrame - at;
  std::memcpy(buf_.data() + at, ip_packet.data(), len);
  if (len >= kIpv4Header) {
    buf_[at + 8] = static_cast<uint8_t>(buf_[at + 8] - 1);
    buf_[at + 10] = 0;
    buf_[at + 11] = 0;
    const uint16_t sum =
        ChecksumFold(ChecksumAdd(std::span<const uint8_t>(buf_).subspan(at, kIpv4Header), 0));
    buf_[at + 10] = static_cast<uint8_t>(sum >> 8);
    buf_[at + 11] = static_cast<uint8_t>(sum);
  }
  return Padded(at + len);
}

}  // namespace qw::simulate
