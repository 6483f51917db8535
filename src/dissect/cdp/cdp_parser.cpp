// Cisco Discovery Protocol versions 1 and 2 (no public specification; layouts as Cisco's
// CDP documentation gives them, cross-checked with Wireshark's packet-cdp.c).
//
// clang-format off
//  PDU:  | version:1 (1 or 2) | ttl:1 (seconds) | checksum:2 | TLV | TLV | ... to the end |
//  TLV:  | type:2 | length:2 (header included, so 4 is the least) | value:length-4 |
//  Device ID (1), Port ID (3), Software Version (5), Platform (6), VTP Domain (9),
//  System Name (20):              | text |
//  Addresses (2), Management Addresses (22):
//                                 | count:4 | entry | entry | ... |
//     entry:                      | protocol type:1 (1 NLPID, 2 802.2) | protocol length:1 |
//                                 | protocol:protocol length (0xcc IPv4; aaaa0300000086dd IPv6) |
//                                 | address length:2 | address:address length |
//  Capabilities (4):              | bits:4 |
//  IP Prefixes (7):               | network:4 | prefix length:1 | ...   or   | ODR gateway:4 |
//  Native VLAN (10):              | vlan:2 |
//  Duplex (11):                   | full:1 (0 half, otherwise full) |
//  VoIP VLAN Reply (14):          | data:1 | vlan:2 |
//  Power (16):                    | milliwatts:2 |
//  MTU (17):                      | bytes:4 |
//  Trust Bitmap (18), Untrusted CoS (19): | value:1 |
//  System OID (21):               | BER object identifier |
//  Location (23):                 | type:1 | text |
// clang-format on
#include "dissect/cdp/cdp_parser.h"

#include <algorithm>
#include <array>

#include "core/byte_reader.h"
#include "core/hex.h"
#include "dissect/text_field.h"

namespace qw::dissect {
namespace {

constexpr size_t kTlvHeaderBytes = 4;
constexpr uint8_t kProtocolTypeNlpid = 1;
constexpr uint8_t kProtocolType8022 = 2;
constexpr std::array<uint8_t, 1> kNlpidIpv4 = {0xcc};
constexpr std::array<uint8_t, 8> kSnapIpv6 = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd};

// Text of a string field, bounded by kMaxCdpStringBytes (see TextField).
std::string Text(std::span<const uint8_t> bytes, core::Anomalies& anomalies) {
  bool truncated = false;
  std::string out = TextField(bytes, kMaxCdpStringBytes, truncated);
  if (truncated) anomalies.Raise("cdp.string_truncated");
  return out;
}

// Hex of at most kMaxCdpStringBytes / 2 bytes, so the text stays within the string cap.
std::string Hex(std::span<const uint8_t> bytes, core::Anomalies& anomalies) {
  bool truncated = false;
  std::string out = BoundedHex(bytes, kMaxCdpStringBytes / 2, truncated);
  if (truncated) anomalies.Raise("cdp.string_truncated");
  return out;
}

bool SameBytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return std::ranges::equal(a, b);
}

// The entries of an Addresses or Management Addresses TLV into `out`; false when an entry
// does not fit the TLV.
bool ParseAddresses(core::ByteReader& v, std::vector<CdpAddress>& out, core::Anomalies& anomalies) {
  uint32_t count = v.U32Be();
  if (!v.ok()) return false;
  if (count > kMaxCdpAddresses) anomalies.Raise("cdp.too_many_addresses");
  uint32_t wanted = std::min<uint32_t>(count, kMaxCdpAddresses);
  for (uint32_t i = 0; i < wanted; ++i) {
    CdpAddress a;
    a.protocol_type = v.U8();
    uint8_t protocol_len = v.U8();
    std::span<const uint8_t> protocol = v.Bytes(protocol_len);
    uint16_t address_len = v.U16Be();
    std::span<const uint8_t> address = v.Bytes(address_len);
    if (!v.ok()) return false;
    a.protocol_hex = core::ToHex(protocol);
    if (a.protocol_type == kProtocolTypeNlpid && SameBytes(protocol, kNlpidIpv4) &&
        address.size() == 4) {
      a.ip = core::IpAddr::V4(address);
      a.address = a.ip.ToString();
    } else if (a.protocol_type == kProtocolType8022 && SameBytes(protocol, kSnapIpv6) &&
               address.size() == 16) {
      a.ip = core::IpAddr::V6(address);
      a.address = a.ip.ToString();
    } else {
      a.address = Hex(address, anomalies);
    }
    out.push_back(std::move(a));
  }
  return true;
}

// IP Prefixes TLV: a list of network/length pairs, or a bare ODR default gateway.
bool ParsePrefixes(core::ByteReader& v, CdpPdu& pdu, core::Anomalies& anomalies) {
  if (v.remaining() == 4) {
    pdu.odr_default_gateway = core::IpAddr::V4(v.Bytes(4));
    return true;
  }
  if (v.remaining() % 5 != 0) return false;
  while (!v.empty()) {
    if (pdu.ip_prefixes.size() == kMaxCdpPrefixes) {
      anomalies.Raise("cdp.too_many_prefixes");
      return true;
    }
    CdpPrefix p;
    p.network = core::IpAddr::V4(v.Bytes(4));
    p.length = v.U8();
    pdu.ip_prefixes.push_back(p);
  }
  return v.ok();
}

// Reads a fixed-size value of TLV `v` with `read`; false (and `out` untouched) when short.
template <typename T, typename Read>
bool Fixed(core::ByteReader& v, std::optional<T>& out, Read read) {
  T value = read(v);
  if (!v.ok()) return false;
  out = value;
  return true;
}

// Parses one TLV value into pdu; false when it is too short for its type.
bool ParseTlv(uint16_t type, core::ByteReader& v, CdpPdu& pdu, core::Anomalies& anomalies) {
  auto u8 = [](core::ByteReader& r) { return r.U8(); };
  auto u16 = [](core::ByteReader& r) { return r.U16Be(); };
  auto u32 = [](core::ByteReader& r) { return r.U32Be(); };
  switch (static_cast<CdpTlvType>(type)) {
    case CdpTlvType::kDeviceId:
      pdu.device_id = Text(v.Rest(), anomalies);
      return true;
    case CdpTlvType::kPortId:
      pdu.port_id = Text(v.Rest(), anomalies);
      return true;
    case CdpTlvType::kSoftwareVersion:
      pdu.software_version = Text(v.Rest(), anomalies);
      return true;
    case CdpTlvType::kPlatform:
      pdu.platform = Text(v.Rest(), anomalies);
      return true;
    case CdpTlvType::kVtpDomain:
      pdu.vtp_domain = Text(v.Rest(), anomalies);
      return true;
    case CdpTlvType::kSystemName:
      pdu.system_name = Text(v.Rest(), anomalies);
      return true;
    case CdpTlvType::kSystemOid:
      pdu.system_oid_hex = Hex(v.Rest(), anomalies);
      return true;
    case CdpTlvType::kLocation:
      pdu.location_type = v.U8();
      if (!v.ok()) return false;
      pdu.location = Text(v.Rest(), anomalies);
      return true;
    case CdpTlvType::kAddresses:
      return ParseAddresses(v, pdu.addresses, anomalies);
    case CdpTlvType::kManagementAddresses:
      return ParseAddresses(v, pdu.management_addresses, anomalies);
    case CdpTlvType::kCapabilities:
      return Fixed(v, pdu.capabilities, u32);
    case CdpTlvType::kIpPrefixes:
      return ParsePrefixes(v, pdu, anomalies);
    case CdpTlvType::kNativeVlan:
      return Fixed(v, pdu.native_vlan, u16);
    case CdpTlvType::kDuplex:
      return Fixed(v, pdu.full_duplex, [](core::ByteReader& r) { return r.U8() != 0; });
    case CdpTlvType::kVoiceVlanReply: {
      // Some phones send the data byte alone; only the 3-byte form names a VLAN.
      v.U8();
      if (!v.ok()) return false;
      if (v.remaining() >= 2) pdu.voice_vlan = v.U16Be();
      return true;
    }
    case CdpTlvType::kPower:
      return Fixed(v, pdu.power_mw, u16);
    case CdpTlvType::kMtu:
      return Fixed(v, pdu.mtu, u32);
    case CdpTlvType::kTrustBitmap:
      return Fixed(v, pdu.trust_bitmap, u8);
    case CdpTlvType::kUntrustedCos:
      return Fixed(v, pdu.untrusted_cos, u8);
    default:
      // Protocol hello, VoIP VLAN query, power negotiation and unknown types: the raw copy
      // holds them.
      return true;
  }
}

}  // namespace

uint16_t CdpChecksum(std::span<const uint8_t> pdu) {
  core::ByteReader r(pdu);
  uint32_t sum = 0;
  while (r.remaining() >= 2) sum += r.U16Be();
  if (!r.empty()) {
    // Cisco adds an odd last byte as the low byte of a word, sign-extended, and takes one
    // off when it is negative (the carry its own code loses).
    uint8_t last = r.U8();
    sum += (last & 0x80) != 0 ? 0xff00u + last - 1 : last;
  }
  sum = (sum >> 16) + (sum & 0xffff);
  sum += sum >> 16;
  return static_cast<uint16_t>(~sum & 0xffff);
}

std::optional<CdpPdu> ParseCdp(std::span<const uint8_t> payload, core::Anomalies& anomalies) {
  core::ByteReader r(payload);
  CdpPdu pdu;
  pdu.version = r.U8();
  pdu.ttl = r.U8();
  pdu.checksum = r.U16Be();
  if (!r.ok()) {
    anomalies.Raise("cdp.truncated_header");
    return std::nullopt;
  }
  if (pdu.version != 1 && pdu.version != 2) {
    anomalies.Raise("cdp.bad_version");
    return std::nullopt;
  }
  pdu.checksum_ok = CdpChecksum(payload) == 0;
  if (!pdu.checksum_ok) anomalies.Raise("cdp.bad_checksum");

  bool clean = true;
  while (!r.empty()) {
    if (pdu.tlvs.size() == kMaxCdpTlvs) {
      anomalies.Raise("cdp.too_many_tlvs");
      clean = false;
      break;
    }
    uint16_t type = r.U16Be();
    uint16_t length = r.U16Be();
    if (!r.ok() || length < kTlvHeaderBytes || length - kTlvHeaderBytes > r.remaining()) {
      anomalies.Raise("cdp.bad_tlv_length");
      clean = false;
      break;
    }
    core::ByteReader value = r.Sub(length - kTlvHeaderBytes);

    CdpRawTlv raw;
    raw.type = type;
    raw.length = length;
    raw.value_hex = BoundedHex(value.PeekRest(), kMaxCdpRawValueBytes, raw.value_truncated);
    if (raw.value_truncated) anomalies.Raise("cdp.raw_value_truncated");
    pdu.tlvs.push_back(std::move(raw));

    if (!ParseTlv(type, value, pdu, anomalies)) {
      anomalies.Raise("cdp.bad_tlv_value");
      clean = false;
    }
  }
  pdu.complete = clean;
  return pdu;
}

std::vector<std::string_view> CdpCapabilityNames(uint32_t bits) {
  static constexpr std::array<std::string_view, 11> kNames = {"router",
                                                              "transparent-bridge",
                                                              "source-route-bridge",
                                                              "switch",
                                                              "host",
                                                              "igmp",
                                                              "repeater",
                                                              "voip-phone",
                                                              "remotely-managed",
                                                              "cvta",
                                                              "two-port-mac-relay"};
  std::vector<std::string_view> out;
  for (size_t bit = 0; bit < kNames.size(); ++bit) {
    if ((bits >> bit & 1) != 0) out.push_back(kNames[bit]);
  }
  return out;
}

}  // namespace qw::dissect
