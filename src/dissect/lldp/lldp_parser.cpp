// IEEE 802.1AB-2016 clause 8 (LLDPDU and basic TLVs), IEEE 802.1Q-2018 annex D, IEEE
// 802.3-2018 clause 79, ANSI/TIA-1057 clause 10.
//
// clang-format off
//  LLDPDU:  | TLV | TLV | ... | End of LLDPDU (type 0, length 0) |
//           the first three are Chassis ID, Port ID and Time To Live, in that order
//  TLV:     | type:7 bits | length:9 bits | value:length |
//  Chassis ID (1) / Port ID (2):   | subtype:1 | id:length-1 (1..255) |
//      network-address subtype:     | IANA family:1 (1 IPv4, 2 IPv6) | address |
//  Time To Live (3):               | seconds:2 |
//  Port Description (4), System Name (5), System Description (6): | text:length (0..255) |
//  System Capabilities (7):        | supported:2 | enabled:2 |
//  Management Address (8):         | addr len:1 (2..32) | subtype:1 | address:addr len-1 |
//                                  | if subtype:1 | if number:4 | oid len:1 | oid:oid len |
//  Organizationally specific (127): | OUI:3 | subtype:1 | information:length-4 |
//    00-80-C2 1 Port VLAN ID:      | pvid:2 |
//    00-80-C2 3 VLAN Name:         | vid:2 | name len:1 | name:name len |
//    00-12-0F 1 MAC/PHY:           | autoneg:1 | PMD advertised:2 | operational MAU:2 |
//    00-12-0F 2 Power via MDI:     | support:1 | pair:1 | class:1 |
//                                  [ | type/source/priority:1 | PD requested:2 | PSE allocated:2 | ]
//    00-12-0F 4 Max Frame Size:    | size:2 |
//    00-12-BB 1 MED Capabilities:  | capabilities:2 | device type:1 |
//    00-12-BB 2 Network Policy:    | app type:1 | U:1 T:1 X:1 VLAN:12 priority:3 DSCP:6 |
//    00-12-BB 5..11 Inventory:     | text:length-4 (0..32) |
// clang-format on
#include "dissect/lldp/lldp_parser.h"

#include <array>

#include "core/byte_reader.h"
#include "core/hex.h"
#include "dissect/text_field.h"

namespace qw::dissect {
namespace {

static_assert(kMaxLldpRawValueBytes >= 511, "a 9-bit TLV length must fit the raw value cap");

constexpr uint8_t kChassisSubtypeMac = 4;
constexpr uint8_t kChassisSubtypeNetwork = 5;
constexpr uint8_t kPortSubtypeMac = 3;
constexpr uint8_t kPortSubtypeNetwork = 4;
constexpr uint8_t kIanaFamilyIpv4 = 1;
constexpr uint8_t kIanaFamilyIpv6 = 2;
constexpr uint8_t kIanaFamily802 = 6;

// Text of a string field, bounded by kMaxLldpStringBytes (see TextField).
std::string Text(std::span<const uint8_t> bytes, core::Anomalies& anomalies) {
  bool truncated = false;
  std::string out = TextField(bytes, kMaxLldpStringBytes, truncated);
  if (truncated) anomalies.Raise("lldp.string_truncated");
  return out;
}

// Hex of at most kMaxLldpStringBytes / 2 bytes, so the text stays within the string cap.
std::string Hex(std::span<const uint8_t> bytes, core::Anomalies& anomalies) {
  bool truncated = false;
  std::string out = BoundedHex(bytes, kMaxLldpStringBytes / 2, truncated);
  if (truncated) anomalies.Raise("lldp.string_truncated");
  return out;
}

// An identifier that is not a MAC or network address: text when printable, else hex.
std::string TextOrHex(std::span<const uint8_t> bytes, core::Anomalies& anomalies) {
  std::span<const uint8_t> trimmed = WithoutTrailingNuls(bytes).PeekRest();
  return IsPrintableAscii(trimmed) ? Text(trimmed, anomalies) : Hex(bytes, anomalies);
}

// Reads an address of IANA family `family` from all of `bytes` into ip or mac and its text;
// false (nothing set) when the family or the size is not one this parser renders.
bool RenderAddress(uint8_t family, std::span<const uint8_t> bytes, std::string& text,
                   core::IpAddr& ip, std::optional<core::MacAddr>& mac) {
  if (family == kIanaFamilyIpv4 && bytes.size() == 4) {
    ip = core::IpAddr::V4(bytes);
    text = ip.ToString();
  } else if (family == kIanaFamilyIpv6 && bytes.size() == 16) {
    ip = core::IpAddr::V6(bytes);
    text = ip.ToString();
  } else if (family == kIanaFamily802 && bytes.size() == 6) {
    mac = core::MacAddr::From(bytes);
    text = mac->ToString();
  } else {
    return false;
  }
  return true;
}

// Chassis ID or Port ID value (subtype already read); `mac_subtype` and `net_subtype` differ
// between the two TLVs.
LldpId ParseId(uint8_t subtype, core::ByteReader& v, uint8_t mac_subtype, uint8_t net_subtype,
               core::Anomalies& anomalies) {
  LldpId id;
  id.subtype = subtype;
  std::span<const uint8_t> value = v.Rest();
  if (subtype == mac_subtype && value.size() == 6) {
    id.mac = core::MacAddr::From(value);
    id.value = id.mac->ToString();
  } else if (subtype == net_subtype && value.size() >= 2) {
    core::ByteReader a(value);
    uint8_t family = a.U8();
    // An unrecognised family keeps the whole value, family byte included, as hex.
    if (!RenderAddress(family, a.Rest(), id.value, id.ip, id.mac)) {
      id.value = Hex(value, anomalies);
    }
  } else if (subtype == mac_subtype || subtype == net_subtype) {
    id.value = Hex(value, anomalies);
  } else {
    id.value = TextOrHex(value, anomalies);
  }
  return id;
}

// Management Address TLV value; false when its inner lengths do not fit the TLV.
bool ParseManagementAddress(core::ByteReader& v, LldpManagementAddress& out,
                            core::Anomalies& anomalies) {
  uint8_t addr_len = v.U8();
  // The address string length counts the subtype byte, so 2 is the least.
  if (!v.ok() || addr_len < 2) return false;
  core::ByteReader addr = v.Sub(addr_len);
  out.address_subtype = addr.U8();
  std::span<const uint8_t> address = addr.Rest();
  out.interface_subtype = v.U8();
  out.interface_number = v.U32Be();
  uint8_t oid_len = v.U8();
  std::span<const uint8_t> oid = v.Bytes(oid_len);
  if (!v.ok()) return false;
  if (!RenderAddress(out.address_subtype, address, out.address, out.ip, out.mac)) {
    out.address = Hex(address, anomalies);
  }
  out.oid_hex = core::ToHex(oid);
  return true;
}

// An IEEE 802.1 TLV; false when its information string is too short for its subtype.
bool Parse8021(uint8_t subtype, core::ByteReader& v, LldpPdu& pdu, core::Anomalies& anomalies) {
  switch (subtype) {
    case 1: {
      uint16_t pvid = v.U16Be();
      if (!v.ok()) return false;
      pdu.port_vlan_id = pvid;
      return true;
    }
    case 3: {
      LldpVlanName vlan;
      vlan.vlan_id = v.U16Be();
      uint8_t name_len = v.U8();
      std::span<const uint8_t> name = v.Bytes(name_len);
      if (!v.ok()) return false;
      vlan.name = Text(name, anomalies);
      pdu.vlan_names.push_back(std::move(vlan));
      return true;
    }
    default:
      return true;
  }
}

// An IEEE 802.3 TLV; false when its information string is too short for its subtype.
bool Parse8023(uint8_t subtype, core::ByteReader& v, LldpPdu& pdu) {
  switch (subtype) {
    case 1: {
      LldpMacPhy m;
      m.autoneg = v.U8();
      m.pmd_advertised = v.U16Be();
      m.operational_mau = v.U16Be();
      if (!v.ok()) return false;
      pdu.mac_phy = m;
      return true;
    }
    case 2: {
      LldpPowerViaMdi p;
      p.mdi_power_support = v.U8();
      p.pse_power_pair = v.U8();
      p.power_class = v.U8();
      if (!v.ok()) return false;
      // The 802.3at fields follow only in the 12-byte form; 802.3bt appends more after them.
      if (v.remaining() >= 5) {
        p.has_extension = true;
        p.type_source_priority = v.U8();
        p.pd_requested_power = v.U16Be();
        p.pse_allocated_power = v.U16Be();
      }
      pdu.power_via_mdi = p;
      return true;
    }
    case 4: {
      uint16_t size = v.U16Be();
      if (!v.ok()) return false;
      pdu.max_frame_size = size;
      return true;
    }
    default:
      return true;
  }
}

// An LLDP-MED TLV; false when its information string is too short for its subtype.
bool ParseMed(uint8_t subtype, core::ByteReader& v, LldpPdu& pdu, core::Anomalies& anomalies) {
  LldpMedInventory& inv = pdu.med_inventory;
  switch (subtype) {
    case 1: {
      LldpMedCapabilities c;
      c.capabilities = v.U16Be();
      c.device_type = v.U8();
      if (!v.ok()) return false;
      pdu.med_capabilities = c;
      return true;
    }
    case 2: {
      LldpMedNetworkPolicy p;
      p.application_type = v.U8();
      uint32_t bits = v.U24Be();
      if (!v.ok()) return false;
      p.unknown_policy = (bits >> 23 & 1) != 0;
      p.tagged = (bits >> 22 & 1) != 0;
      p.vlan_id = static_cast<uint16_t>(bits >> 9 & 0x0fff);
      p.l2_priority = static_cast<uint8_t>(bits >> 6 & 0x7);
      p.dscp = static_cast<uint8_t>(bits & 0x3f);
      pdu.med_network_policies.push_back(p);
      return true;
    }
    case 5:
      inv.hardware_revision = Text(v.Rest(), anomalies);
      return true;
    case 6:
      inv.firmware_revision = Text(v.Rest(), anomalies);
      return true;
    case 7:
      inv.software_revision = Text(v.Rest(), anomalies);
      return true;
    case 8:
      inv.serial_number = Text(v.Rest(), anomalies);
      return true;
    case 9:
      inv.manufacturer = Text(v.Rest(), anomalies);
      return true;
    case 10:
      inv.model_name = Text(v.Rest(), anomalies);
      return true;
    case 11:
      inv.asset_id = Text(v.Rest(), anomalies);
      return true;
    default:
      return true;
  }
}

// Flags of the three mandatory TLVs, which may each appear once.
struct Mandatory {
  bool chassis = false;
  bool port = false;
  bool ttl = false;
};

// Parses one TLV value of type `type` into pdu; the raw copy is already kept.
void ParseTlv(uint8_t type, uint16_t length, size_t index, core::ByteReader& v, LldpPdu& pdu,
              Mandatory& seen, core::Anomalies& anomalies) {
  // The mandatory TLVs open the PDU in the order chassis (index 0), port (1), TTL (2).
  auto check_mandatory = [&](bool& flag, size_t want_index) {
    if (flag) {
      anomalies.Raise("lldp.duplicate_tlv");
      return false;
    }
    if (index != want_index) anomalies.Raise("lldp.bad_tlv_order");
    return true;
  };
  switch (static_cast<LldpTlvType>(type)) {
    case LldpTlvType::kChassisId:
    case LldpTlvType::kPortId: {
      bool chassis = type == static_cast<uint8_t>(LldpTlvType::kChassisId);
      bool& flag = chassis ? seen.chassis : seen.port;
      if (!check_mandatory(flag, chassis ? 0 : 1)) return;
      // A subtype and at least one byte of identifier.
      if (length < 2) {
        anomalies.Raise("lldp.bad_tlv_value");
        return;
      }
      uint8_t subtype = v.U8();
      flag = true;
      if (chassis) {
        pdu.chassis_id = ParseId(subtype, v, kChassisSubtypeMac, kChassisSubtypeNetwork, anomalies);
      } else {
        pdu.port_id = ParseId(subtype, v, kPortSubtypeMac, kPortSubtypeNetwork, anomalies);
      }
      return;
    }
    case LldpTlvType::kTtl: {
      if (!check_mandatory(seen.ttl, 2)) return;
      uint16_t ttl = v.U16Be();
      if (!v.ok() || !v.empty()) anomalies.Raise("lldp.bad_tlv_value");
      if (!v.ok()) return;
      seen.ttl = true;
      pdu.ttl = ttl;
      return;
    }
    case LldpTlvType::kPortDescription:
      pdu.port_description = Text(v.Rest(), anomalies);
      return;
    case LldpTlvType::kSystemName:
      pdu.system_name = Text(v.Rest(), anomalies);
      return;
    case LldpTlvType::kSystemDescription:
      pdu.system_description = Text(v.Rest(), anomalies);
      return;
    case LldpTlvType::kSystemCapabilities: {
      LldpCapabilities c;
      c.supported = v.U16Be();
      c.enabled = v.U16Be();
      if (!v.ok()) {
        anomalies.Raise("lldp.bad_tlv_value");
        return;
      }
      pdu.capabilities = c;
      return;
    }
    case LldpTlvType::kManagementAddress: {
      LldpManagementAddress m;
      if (!ParseManagementAddress(v, m, anomalies)) {
        anomalies.Raise("lldp.bad_tlv_value");
        return;
      }
      pdu.management_addresses.push_back(std::move(m));
      return;
    }
    case LldpTlvType::kOrgSpecific: {
      uint32_t oui = v.U24Be();
      uint8_t subtype = v.U8();
      if (!v.ok()) {
        anomalies.Raise("lldp.bad_tlv_value");
        return;
      }
      bool ok = true;
      if (oui == kLldpOuiIeee8021) ok = Parse8021(subtype, v, pdu, anomalies);
      if (oui == kLldpOuiIeee8023) ok = Parse8023(subtype, v, pdu);
      if (oui == kLldpOuiTiaMed) ok = ParseMed(subtype, v, pdu, anomalies);
      if (!ok) anomalies.Raise("lldp.bad_tlv_value");
      return;
    }
    default:
      // Reserved types 9-126 are data the raw copy already holds.
      return;
  }
}

}  // namespace

std::optional<LldpPdu> ParseLldp(std::span<const uint8_t> payload, core::Anomalies& anomalies) {
  core::ByteReader r(payload);
  LldpPdu pdu;
  Mandatory seen;
  while (true) {
    if (r.empty()) {
      anomalies.Raise("lldp.missing_end_tlv");
      break;
    }
    if (pdu.tlvs.size() == kMaxLldpTlvs) {
      anomalies.Raise("lldp.too_many_tlvs");
      break;
    }
    uint16_t header = r.U16Be();
    auto type = static_cast<uint8_t>(header >> 9);
    auto length = static_cast<uint16_t>(header & 0x1ff);
    if (!r.ok() || length > r.remaining()) {
      anomalies.Raise("lldp.bad_tlv_length");
      break;
    }
    core::ByteReader value = r.Sub(length);

    LldpRawTlv raw;
    raw.type = type;
    raw.length = length;
    if (type == static_cast<uint8_t>(LldpTlvType::kOrgSpecific) && length >= 4) {
      core::ByteReader head = value;
      raw.oui = head.U24Be();
      raw.subtype = head.U8();
      raw.value_hex = core::ToHex(head.Rest());
    } else {
      raw.value_hex = core::ToHex(value.PeekRest());
    }
    size_t index = pdu.tlvs.size();
    pdu.tlvs.push_back(std::move(raw));

    if (type == static_cast<uint8_t>(LldpTlvType::kEnd)) {
      if (length != 0) anomalies.Raise("lldp.bad_tlv_value");
      pdu.end_seen = true;
      break;
    }
    ParseTlv(type, length, index, value, pdu, seen, anomalies);
  }

  if (!seen.chassis || !seen.port || !seen.ttl) anomalies.Raise("lldp.missing_mandatory_tlv");
  if (!seen.chassis) return std::nullopt;
  return pdu;
}

std::vector<std::string_view> LldpCapabilityNames(uint16_t bits) {
  static constexpr std::array<std::string_view, 11> kNames = {"other",
                                                              "repeater",
                                                              "bridge",
                                                              "wlan-access-point",
                                                              "router",
                                                              "telephone",
                                                              "docsis-cable-device",
                                                              "station-only",
                                                              "c-vlan",
                                                              "s-vlan",
                                                              "tpmr"};
  std::vector<std::string_view> out;
  for (size_t bit = 0; bit < kNames.size(); ++bit) {
    if ((bits >> bit & 1) != 0) out.push_back(kNames[bit]);
  }
  return out;
}

std::string_view LldpChassisIdSubtypeName(uint8_t subtype) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "unknown",     "chassis-component", "interface-alias", "port-component",
      "mac-address", "network-address",   "interface-name",  "locally-assigned"};
  return subtype < kNames.size() ? kNames[subtype] : kNames[0];
}

std::string_view LldpPortIdSubtypeName(uint8_t subtype) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "unknown",         "interface-alias", "port-component",   "mac-address",
      "network-address", "interface-name",  "agent-circuit-id", "locally-assigned"};
  return subtype < kNames.size() ? kNames[subtype] : kNames[0];
}

}  // namespace qw::dissect
