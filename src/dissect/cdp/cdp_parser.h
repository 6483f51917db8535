// CDP parser: one Cisco Discovery Protocol PDU (the bytes after the LLC/SNAP header with
// OUI 00-00-0C and protocol id 0x2000) into an owned CdpPdu that the inventory can keep.
// Pure: no state, no I/O.
//
// CDP has no public specification; the layouts follow Cisco's CDP TLV documentation as
// reproduced by Wireshark's packet-cdp.c and tcpdump's print-cdp.c.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"
#include "core/anomalies.h"

namespace qw::dissect {

/// Most TLVs read from one PDU.
inline constexpr size_t kMaxCdpTlvs = 128;
/// Most addresses read from one Addresses or Management Address TLV (`cdp.too_many_addresses`).
inline constexpr size_t kMaxCdpAddresses = 16;
/// Most prefixes read from one IP Prefixes TLV (`cdp.too_many_prefixes`).
inline constexpr size_t kMaxCdpPrefixes = 32;
/// Longest text kept from one string field; longer ones are cut (`cdp.string_truncated`).
inline constexpr size_t kMaxCdpStringBytes = 512;
/// Most value bytes of one TLV kept raw (as hex); longer ones are cut (`cdp.raw_value_truncated`).
inline constexpr size_t kMaxCdpRawValueBytes = 512;

/// TLV types this parser reads (others are kept raw only).
enum class CdpTlvType : uint16_t {
  kDeviceId = 0x0001,
  kAddresses = 0x0002,
  kPortId = 0x0003,
  kCapabilities = 0x0004,
  kSoftwareVersion = 0x0005,
  kPlatform = 0x0006,
  kIpPrefixes = 0x0007,
  kProtocolHello = 0x0008,
  kVtpDomain = 0x0009,
  kNativeVlan = 0x000a,
  kDuplex = 0x000b,
  kVoiceVlanReply = 0x000e,
  kVoiceVlanQuery = 0x000f,
  kPower = 0x0010,
  kMtu = 0x0011,
  kTrustBitmap = 0x0012,
  kUntrustedCos = 0x0013,
  kSystemName = 0x0014,
  kSystemOid = 0x0015,
  kManagementAddresses = 0x0016,
  kLocation = 0x0017,
};

/// One entry of an Addresses or Management Address TLV.
struct CdpAddress {
  uint8_t protocol_type = 0;  // 1 NLPID, 2 IEEE 802.2
  std::string protocol_hex;   // the protocol field: "cc" for IPv4, "aaaa0300000086dd" for IPv6
  std::string address;        // IP text when recognised, else hex
  core::IpAddr ip;
};

/// One entry of the IP Prefixes TLV (on-demand routing).
struct CdpPrefix {
  core::IpAddr network;
  uint8_t length = 0;
};

/// One TLV as it stood on the wire, so nothing the device said is lost.
struct CdpRawTlv {
  uint16_t type = 0;
  uint16_t length = 0;    // the TLV length field (header included)
  std::string value_hex;  // at most kMaxCdpRawValueBytes bytes of value
  bool value_truncated = false;
};

/// Everything kept from one CDP PDU; strings are owned copies, bounded.
struct CdpPdu {
  uint8_t version = 0;
  uint8_t ttl = 0;
  uint16_t checksum = 0;
  bool checksum_ok = false;  // the checksum matches (Cisco's odd-length variant)

  std::string device_id;
  std::string port_id;
  std::string software_version;
  std::string platform;
  std::string vtp_domain;
  std::string system_name;
  std::string system_oid_hex;  // BER-encoded object identifier, as hex
  std::string location;
  uint8_t location_type = 0;  // the byte that precedes the location text
  std::optional<uint32_t> capabilities;
  std::vector<CdpAddress> addresses;
  std::vector<CdpAddress> management_addresses;
  std::vector<CdpPrefix> ip_prefixes;
  std::optional<core::IpAddr> odr_default_gateway;  // an IP Prefixes TLV of one bare address
  std::optional<uint16_t> native_vlan;
  std::optional<bool> full_duplex;
  std::optional<uint16_t> voice_vlan;  // from a VoIP VLAN Reply (appliance) TLV
  std::optional<uint8_t> trust_bitmap;
  std::optional<uint8_t> untrusted_cos;
  std::optional<uint16_t> power_mw;
  std::optional<uint32_t> mtu;

  std::vector<CdpRawTlv> tlvs;  // every TLV read, in wire order
  bool complete = false;        // the TLVs filled the PDU exactly, with no defect
};

/// Parses one CDP PDU. Returns nullopt when the 4-byte header is missing or the version
/// is not 1 or 2; otherwise whatever was read, with anomalies raised on `anomalies` for
/// every defect (bad lengths, bad checksum, caps hit). A bad checksum is recorded, not
/// rejected: the rest of the PDU is still what the device sent.
std::optional<CdpPdu> ParseCdp(std::span<const uint8_t> payload, core::Anomalies& anomalies);

/// Names of the capability bits set in `bits`, lowest bit first; views of static strings.
/// Unassigned bits are left out (the raw value keeps them).
std::vector<std::string_view> CdpCapabilityNames(uint32_t bits);

/// The CDP checksum of a whole PDU (checksum field included, so 0 means it matches): the
/// Internet checksum, except that an odd last byte is added as Cisco does (sign-extended).
uint16_t CdpChecksum(std::span<const uint8_t> pdu);

}  // namespace qw::dissect
