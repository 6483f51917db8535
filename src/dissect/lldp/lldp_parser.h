// LLDP parser: one LLDPDU (the bytes after the Ethernet header, ethertype 0x88cc) into an
// owned LldpPdu that the inventory can keep. Pure: no state, no I/O.
//
// Follows IEEE 802.1AB-2016 clause 8 (basic TLVs), IEEE 802.1Q-2018 annex D (802.1
// organizationally specific TLVs), IEEE 802.3-2018 clause 79 (802.3 TLVs) and
// ANSI/TIA-1057 clause 10 (LLDP-MED TLVs). Every TLV, known or not, is also kept raw.
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

/// Most TLVs read from one LLDPDU (a full frame holds at most ~750 empty ones).
inline constexpr size_t kMaxLldpTlvs = 128;
/// Longest text kept from one string field; longer ones are cut (`lldp.string_truncated`).
inline constexpr size_t kMaxLldpStringBytes = 512;
/// Most raw value bytes kept per TLV (a 9-bit length never exceeds it; kept as a guard).
inline constexpr size_t kMaxLldpRawValueBytes = 512;

/// TLV types of IEEE 802.1AB-2016 table 8-1.
enum class LldpTlvType : uint8_t {
  kEnd = 0,
  kChassisId = 1,
  kPortId = 2,
  kTtl = 3,
  kPortDescription = 4,
  kSystemName = 5,
  kSystemDescription = 6,
  kSystemCapabilities = 7,
  kManagementAddress = 8,
  kOrgSpecific = 127,
};

/// Organizationally unique identifiers of the org-specific TLVs this parser reads.
inline constexpr uint32_t kLldpOuiIeee8021 = 0x0080c2;
inline constexpr uint32_t kLldpOuiIeee8023 = 0x00120f;
inline constexpr uint32_t kLldpOuiTiaMed = 0x0012bb;

/// A chassis or port identifier: the raw subtype and the value rendered as text.
struct LldpId {
  uint8_t subtype = 0;
  // MAC as "aa:bb:cc:dd:ee:ff", network address as IP text, printable text as is,
  // anything else as lower-case hex.
  std::string value;
  std::optional<core::MacAddr> mac;  // set for a MAC-address subtype of 6 bytes
  core::IpAddr ip;                   // set for a network-address subtype holding IPv4/IPv6
};

/// System Capabilities TLV: supported and enabled capability bits (802.1AB table 8-4).
struct LldpCapabilities {
  uint16_t supported = 0;
  uint16_t enabled = 0;
};

/// Management Address TLV (802.1AB 8.5.9).
struct LldpManagementAddress {
  uint8_t address_subtype = 0;  // IANA address family: 1 IPv4, 2 IPv6, 6 IEEE 802
  std::string address;          // IP text, MAC text, or hex
  core::IpAddr ip;
  std::optional<core::MacAddr> mac;
  uint8_t interface_subtype = 0;  // 1 unknown, 2 ifIndex, 3 system port number
  uint32_t interface_number = 0;
  std::string oid_hex;  // BER-encoded object identifier, as hex; empty when absent
};

/// 802.1 VLAN Name TLV (subtype 3).
struct LldpVlanName {
  uint16_t vlan_id = 0;
  std::string name;
};

/// 802.3 MAC/PHY Configuration/Status TLV (subtype 1).
struct LldpMacPhy {
  uint8_t autoneg = 0;           // bit 0 supported, bit 1 enabled
  uint16_t pmd_advertised = 0;   // PMD auto-negotiation advertised capability bits
  uint16_t operational_mau = 0;  // operational MAU type (RFC 4836 dot3MauType)
};

/// 802.3 Power via MDI TLV (subtype 2), with the 802.3at extension when present.
struct LldpPowerViaMdi {
  uint8_t mdi_power_support = 0;
  uint8_t pse_power_pair = 0;
  uint8_t power_class = 0;
  bool has_extension = false;  // the 802.3at fields below were on the wire
  uint8_t type_source_priority = 0;
  uint16_t pd_requested_power = 0;   // units of 0.1 W
  uint16_t pse_allocated_power = 0;  // units of 0.1 W
};

/// LLDP-MED Capabilities TLV (TIA-1057 10.2.2).
struct LldpMedCapabilities {
  uint16_t capabilities = 0;
  uint8_t device_type = 0;  // 1-3 endpoint class I-III, 4 network connectivity
};

/// LLDP-MED Network Policy TLV (TIA-1057 10.2.3).
struct LldpMedNetworkPolicy {
  uint8_t application_type = 0;  // 1 voice, 2 voice signaling, 5 video conferencing, ...
  bool unknown_policy = false;
  bool tagged = false;
  uint16_t vlan_id = 0;
  uint8_t l2_priority = 0;
  uint8_t dscp = 0;
};

/// LLDP-MED inventory TLVs (TIA-1057 10.2.6), subtypes 5 to 11.
struct LldpMedInventory {
  std::string hardware_revision;
  std::string firmware_revision;
  std::string software_revision;
  std::string serial_number;
  std::string manufacturer;
  std::string model_name;
  std::string asset_id;
};

/// One TLV as it stood on the wire, so nothing the device said is lost.
struct LldpRawTlv {
  uint8_t type = 0;
  uint16_t length = 0;  // the TLV length field
  uint32_t oui = 0;     // org-specific only
  uint8_t subtype = 0;  // org-specific only
  // Value bytes as hex; for org-specific TLVs the information string after OUI and subtype.
  std::string value_hex;
};

/// Everything kept from one LLDPDU; strings are owned copies, bounded.
struct LldpPdu {
  LldpId chassis_id;
  std::optional<LldpId> port_id;
  std::optional<uint16_t> ttl;
  std::string port_description;
  std::string system_name;
  std::string system_description;
  std::optional<LldpCapabilities> capabilities;
  std::vector<LldpManagementAddress> management_addresses;

  // IEEE 802.1 (00-80-C2).
  std::optional<uint16_t> port_vlan_id;
  std::vector<LldpVlanName> vlan_names;
  // IEEE 802.3 (00-12-0F).
  std::optional<LldpMacPhy> mac_phy;
  std::optional<LldpPowerViaMdi> power_via_mdi;
  std::optional<uint16_t> max_frame_size;
  // LLDP-MED (00-12-BB).
  std::optional<LldpMedCapabilities> med_capabilities;
  std::vector<LldpMedNetworkPolicy> med_network_policies;
  LldpMedInventory med_inventory;

  std::vector<LldpRawTlv> tlvs;  // every TLV read, End of LLDPDU included, in wire order
  bool end_seen = false;         // the End of LLDPDU TLV closed the PDU
};

/// Parses one LLDPDU. Returns nullopt when no Chassis ID TLV could be read (nothing to
/// attribute the PDU to); otherwise whatever was read, with anomalies raised on `anomalies`
/// for every defect (bad lengths, missing or misplaced mandatory TLVs, caps hit).
std::optional<LldpPdu> ParseLldp(std::span<const uint8_t> payload, core::Anomalies& anomalies);

/// Names of the capability bits set in `bits` (802.1AB table 8-4), lowest bit first;
/// views of static strings. Unassigned bits are left out (the raw value keeps them).
std::vector<std::string_view> LldpCapabilityNames(uint16_t bits);

/// Name of a Chassis ID subtype (802.1AB table 8-2), or "unknown".
std::string_view LldpChassisIdSubtypeName(uint8_t subtype);
/// Name of a Port ID subtype (802.1AB table 8-3), or "unknown".
std::string_view LldpPortIdSubtypeName(uint8_t subtype);

}  // namespace qw::dissect
