// Tests of the LLDP parser: real LLDPDUs field by field (expected values as tshark 4.0.17
// dissects them), malformed and hostile PDUs, every truncated prefix, and the fuzz
// regressions.
#include "dissect/lldp/lldp_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../fuzz/fuzz_inputs.h"
#include "core/hex.h"

namespace qw::dissect {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<uint8_t> Hex(std::string_view text) {
  auto bytes = core::ParseHex(text);
  EXPECT_TRUE(bytes.has_value()) << "bad fixture";
  return bytes.value_or(std::vector<uint8_t>{});
}

// lldp_cdp/lldp.detailed.pcap frame 1 (Extreme Summit300-48), bytes after the Ethernet
// header up to End of LLDPDU.
constexpr std::string_view kSummit = R"(
  02 07                   # type 1 Chassis ID, length 7
    04                    #   subtype 4 MAC address
    00 01 30 f9 ad a0     #   00:01:30:f9:ad:a0
  04 04                   # type 2 Port ID, length 4
    05                    #   subtype 5 interface name
    31 2f 31              #   "1/1"
  06 02                   # type 3 Time To Live, length 2
    00 78                 #   120 s
  08 17                   # type 4 Port Description, length 23
    53 75 6d 6d 69 74 33 30 30 2d 34 38 2d 50 6f 72 74 20 31 30 30 31 00
                          #   "Summit300-48-Port 1001" NUL
  0a 0d                   # type 5 System Name, length 13
    53 75 6d 6d 69 74 33 30 30 2d 34 38 00       # "Summit300-48" NUL
  0c 4c                   # type 6 System Description, length 76
    53 75 6d 6d 69 74 33 30 30 2d 34 38 20 2d 20 56 65 72 73 69 6f 6e 20 37 2e 34 65 2e
    31 20 28 42 75 69 6c 64 20 35 29 20 62 79 20 52 65 6c 65 61 73 65 5f 4d 61 73 74 65
    72 20 30 35 2f 32 37 2f 30 35 20 30 34 3a 35 33 3a 31 31 00
                          #   "Summit300-48 - Version 7.4e.1 (Build 5) by Release_Master
                          #    05/27/05 04:53:11" NUL
  0e 04                   # type 7 System Capabilities, length 4
    00 14                 #   supported: bridge, router
    00 14                 #   enabled: bridge, router
  10 0e                   # type 8 Management Address, length 14
    07                    #   address string length 7 (subtype + 6)
    06                    #   subtype 6 IEEE 802
    00 01 30 f9 ad a0     #   00:01:30:f9:ad:a0
    02                    #   interface subtype 2 ifIndex
    00 00 03 e9           #   interface 1001
    00                    #   OID length 0
  fe 07                   # type 127 org-specific, length 7
    00 12 0f 02           #   IEEE 802.3, subtype 2 Power via MDI
    07 01 00              #   support 0x07, PSE pair 1, class 0
  fe 09                   # type 127, length 9
    00 12 0f 01           #   IEEE 802.3, subtype 1 MAC/PHY configuration/status
    03                    #   auto-negotiation supported, enabled
    6c 00                 #   PMD advertised capability 0x6c00
    00 10                 #   operational MAU 16 (100BASE-TX full duplex)
  fe 09                   # type 127, length 9
    00 12 0f 03           #   IEEE 802.3, subtype 3 link aggregation (not parsed: raw)
    01 00 00 00 00
  fe 06                   # type 127, length 6
    00 12 0f 04           #   IEEE 802.3, subtype 4 maximum frame size
    05 f2                 #   1522
  fe 06                   # type 127, length 6
    00 80 c2 01           #   IEEE 802.1, subtype 1 port VLAN ID
    01 e8                 #   488
  fe 07                   # type 127, length 7
    00 80 c2 02           #   IEEE 802.1, subtype 2 port and protocol VLAN ID (raw)
    01 00 00
  fe 17                   # type 127, length 23
    00 80 c2 03           #   IEEE 802.1, subtype 3 VLAN name
    01 e8                 #   VLAN 488
    10                    #   name length 16
    76 32 2d 30 34 38 38 2d 30 33 2d 30 35 30 35 00   # "v2-0488-03-0505" NUL
  fe 05                   # type 127, length 5
    00 80 c2 04           #   IEEE 802.1, subtype 4 protocol identity (raw)
    00                    #   identity length 0
  00 00                   # End of LLDPDU
)";

// lldp_cdp/zeek_lldp.pcap frame 1 (SMC GS8P switch), up to End of LLDPDU.
constexpr std::string_view kSmc = R"(
  02 07  04  00 22 2d 81 db 10        # Chassis ID: MAC 00:22:2d:81:db:10
  04 02  07  31                       # Port ID: subtype 7 locally assigned, "1"
  06 02  00 78                        # TTL 120
  08 07  50 6f 72 74 20 23 31         # Port Description "Port #1"
  0a 0d  53 4d 43 47 53 38 50 2d 53 6d 61 72 74   # System Name "SMCGS8P-Smart"
  0c 23  53 4d 43 47 53 38 50 2d 53 6d 61 72 74 20 2d 20 53 4d 43 47 53 38 50 2d 53 6d
         61 72 74 20 76 33 2e 32 30   # System Description "SMCGS8P-Smart - SMCGS8P-Smart v3.20"
  0e 04  00 04  00 04                 # Capabilities: bridge / bridge
  10 0c                               # Management Address, length 12
    05 01 c0 a8 02 0a                 #   length 5, IPv4 192.168.2.10
    02 00 00 00 01                    #   ifIndex 1
    00                                #   no OID
  00 00                               # End of LLDPDU
)";

// lldp_cdp/lldp_mudurl.pcap frame 1 (Linux lldpd with a MUD URL), up to End of LLDPDU.
constexpr std::string_view kMud = R"(
  02 07  04  00 23 54 c2 57 02        # Chassis ID: MAC 00:23:54:c2:57:02
  04 07  03  00 23 54 c2 57 02        # Port ID: subtype 3 MAC 00:23:54:c2:57:02
  06 02  00 78                        # TTL 120
  0a 1c  75 70 73 74 61 69 72 73 2e 6f 66 63 6f 75 72 73 65 69 6d 72 69 67 68 74 2e 63
         6f 6d                        # System Name "upstairs.ofcourseimright.com"
  0c 5c  55 62 75 6e 74 75 20 31 34 2e 30 34 2e 35 20 4c 54 53 20 4c 69 6e 75 78 20 33
         2e 31 33 2e 30 2d 31 30 36 2d 67 65 6e 65 72 69 63 20 23 31 35 33 2d 55 62 75 6e
         74 75 20 53 4d 50 20 54 75 65 20 44 65 63 20 36 20 31 35 3a 34 35 3a 31 33 20 55
         54 43 20 32 30 31 36 20 69 36 38 36   # System Description "Ubuntu 14.04.5 ... i686"
  0e 04  00 9c  00 08                 # Capabilities: bridge, WLAN AP, router, station only /
                                      #   WLAN AP
  10 0c                               # Management Address, length 12
    05 01 3e 0c ad 72                 #   IPv4 62.12.173.114
    02 00 00 00 02  00                #   ifIndex 2, no OID
  10 18                               # Management Address, length 24
    11 02 20 01 08 a8 10 06 00 04 02 23 54 ff fe c2 57 02
                                      #   length 17, IPv6 2001:8a8:1006:4:223:54ff:fec2:5702
    02 00 00 00 02  00                #   ifIndex 2, no OID
  08 04  65 74 68 30                  # Port Description "eth0" (after the addresses)
  fe 09  00 12 0f 03  01 00 00 00 00  # 802.3 link aggregation (raw)
  fe 09  00 12 0f 01  03 ec c3 00 10  # 802.3 MAC/PHY: autoneg 3, PMD 0xecc3, MAU 16
  fe 40  00 00 5e 01                  # org-specific OUI 00-00-5E (IANA) subtype 1, MUD URL:
    68 74 74 70 73 3a 2f 2f 69 6d 72 69 67 68 74 2e 6d 75 64 2e 65 78 61 6d 70 6c 65 2e
    63 6f 6d 2f 2e 77 65 6c 6c 2d 6b 6e 6f 77 6e 2f 6d 75 64 2f 76 31 2f 76 6f 6d 69 74
    76 32 2e 30                       #   "https://imright.mud.example.com/.well-known/mud/v1/vomitv2.0"
  00 00                               # End of LLDPDU
)";

// An LLDP-MED endpoint, written from ANSI/TIA-1057 and IEEE 802.3at (no capture at hand has
// MED TLVs); tshark 4.0.17 dissects it to the values the test expects.
constexpr std::string_view kMed = R"(
  02 06  05  01 c0 a8 01 0a           # Chassis ID: subtype 5 network address, IPv4 192.168.1.10
  04 05  05  70 6f 72 74              # Port ID: subtype 5 interface name "port"
  06 02  00 b4                        # TTL 180
  fe 07  00 12 bb 01  00 33  03       # MED capabilities 0x0033, device type 3 (class III)
  fe 08  00 12 bb 02  01              # MED network policy: application 1 (voice)
    40 c9 6e                          #   U=0 T=1 X=0, VLAN 100, priority 5, DSCP 46
  fe 07  00 12 bb 05  31 2e 30        # MED hardware revision "1.0"
  fe 07  00 12 bb 06  32 2e 31        # MED firmware revision "2.1"
  fe 09  00 12 bb 07  33 2e 32 2e 31  # MED software revision "3.2.1"
  fe 09  00 12 bb 08  53 4e 31 32 33  # MED serial number "SN123"
  fe 0a  00 12 bb 09  4b 61 6c 6d 61 72          # MED manufacturer "Kalmar"
  fe 09  00 12 bb 0a  52 54 47 2d 37             # MED model name "RTG-7"
  fe 0c  00 12 bb 0b  63 72 61 6e 65 2d 30 37    # MED asset id "crane-07"
  fe 0c  00 12 0f 02                  # 802.3 power via MDI, 802.3at form
    0f 01 04                          #   support 0x0f, PSE pair 1, class field 4
    51                                #   type 2 PD, source PSE, priority critical
    00 fa  00 fa                      #   requested 25.0 W, allocated 25.0 W
  00 00                               # End of LLDPDU
)";

// The three mandatory TLVs, to build malformed PDUs from.
constexpr std::string_view kMandatory = R"(
  02 07 04 00 01 30 f9 ad a0   # Chassis ID MAC 00:01:30:f9:ad:a0
  04 02 07 31                  # Port ID locally assigned "1"
  06 02 00 78                  # TTL 120
)";

std::vector<uint8_t> Concat(std::initializer_list<std::string_view> parts) {
  std::vector<uint8_t> out;
  for (auto p : parts) {
    auto b = Hex(p);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

TEST(LldpParser, SummitCaptureFieldByField) {
  core::Anomalies anomalies;
  auto pdu = ParseLldp(Hex(kSummit), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_THAT(anomalies.counts(), IsEmpty());
  EXPECT_EQ(pdu->chassis_id.subtype, 4);
  EXPECT_EQ(pdu->chassis_id.value, "00:01:30:f9:ad:a0");
  ASSERT_TRUE(pdu->chassis_id.mac.has_value());
  EXPECT_EQ(pdu->chassis_id.mac->ToString(), "00:01:30:f9:ad:a0");
  ASSERT_TRUE(pdu->port_id.has_value());
  EXPECT_EQ(pdu->port_id->subtype, 5);
  EXPECT_EQ(pdu->port_id->value, "1/1");
  EXPECT_EQ(pdu->ttl, 120);
  EXPECT_EQ(pdu->port_description, "Summit300-48-Port 1001");
  EXPECT_EQ(pdu->system_name, "Summit300-48");
  EXPECT_EQ(pdu->system_description,
            "Summit300-48 - Version 7.4e.1 (Build 5) by Release_Master 05/27/05 04:53:11");
  ASSERT_TRUE(pdu->capabilities.has_value());
  EXPECT_EQ(pdu->capabilities->supported, 0x0014);
  EXPECT_EQ(pdu->capabilities->enabled, 0x0014);
  EXPECT_THAT(LldpCapabilityNames(pdu->capabilities->supported), ElementsAre("bridge", "router"));

  ASSERT_EQ(pdu->management_addresses.size(), 1u);
  const auto& m = pdu->management_addresses[0];
  EXPECT_EQ(m.address_subtype, 6);
  EXPECT_EQ(m.address, "00:01:30:f9:ad:a0");
  EXPECT_FALSE(m.ip.IsSet());
  EXPECT_EQ(m.interface_subtype, 2);
  EXPECT_EQ(m.interface_number, 1001u);
  EXPECT_EQ(m.oid_hex, "");

  ASSERT_TRUE(pdu->power_via_mdi.has_value());
  EXPECT_EQ(pdu->power_via_mdi->mdi_power_support, 0x07);
  EXPECT_EQ(pdu->power_via_mdi->pse_power_pair, 1);
  EXPECT_EQ(pdu->power_via_mdi->power_class, 0);
  EXPECT_FALSE(pdu->power_via_mdi->has_extension);
  ASSERT_TRUE(pdu->mac_phy.has_value());
  EXPECT_EQ(pdu->mac_phy->autoneg, 0x03);
  EXPECT_EQ(pdu->mac_phy->pmd_advertised, 0x6c00);
  EXPECT_EQ(pdu->mac_phy->operational_mau, 0x0010);
  EXPECT_EQ(pdu->max_frame_size, 1522);
  EXPECT_EQ(pdu->port_vlan_id, 488);
  ASSERT_EQ(pdu->vlan_names.size(), 1u);
  EXPECT_EQ(pdu->vlan_names[0].vlan_id, 488);
  EXPECT_EQ(pdu->vlan_names[0].name, "v2-0488-03-0505");

  // Every TLV is kept raw, the ones not parsed included.
  ASSERT_EQ(pdu->tlvs.size(), 17u);
  EXPECT_EQ(pdu->tlvs[0].type, 1);
  EXPECT_EQ(pdu->tlvs[0].length, 7);
  EXPECT_EQ(pdu->tlvs[0].value_hex, "04000130f9ada0");
  const auto& aggregation = pdu->tlvs[10];
  EXPECT_EQ(aggregation.type, 127);
  EXPECT_EQ(aggregation.oui, 0x00120fu);
  EXPECT_EQ(aggregation.subtype, 3);
  EXPECT_EQ(aggregation.value_hex, "0100000000");
  EXPECT_EQ(pdu->tlvs[15].oui, 0x0080c2u);
  EXPECT_EQ(pdu->tlvs[15].subtype, 4);
  EXPECT_EQ(pdu->tlvs[15].value_hex, "00");
  EXPECT_EQ(pdu->tlvs[16].type, 0);
  EXPECT_TRUE(pdu->end_seen);
}

TEST(LldpParser, SmcCaptureLocallyAssignedPortAndIpv4ManagementAddress) {
  core::Anomalies anomalies;
  auto pdu = ParseLldp(Hex(kSmc), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_THAT(anomalies.counts(), IsEmpty());
  EXPECT_EQ(pdu->chassis_id.value, "00:22:2d:81:db:10");
  EXPECT_EQ(pdu->port_id->subtype, 7);
  EXPECT_EQ(pdu->port_id->value, "1");
  EXPECT_EQ(pdu->port_description, "Port #1");
  EXPECT_EQ(pdu->system_name, "SMCGS8P-Smart");
  EXPECT_EQ(pdu->system_description, "SMCGS8P-Smart - SMCGS8P-Smart v3.20");
  EXPECT_THAT(LldpCapabilityNames(pdu->capabilities->enabled), ElementsAre("bridge"));
  ASSERT_EQ(pdu->management_addresses.size(), 1u);
  EXPECT_EQ(pdu->management_addresses[0].address, "192.168.2.10");
  EXPECT_EQ(pdu->management_addresses[0].ip, *core::IpAddr::Parse("192.168.2.10"));
  EXPECT_EQ(pdu->management_addresses[0].interface_number, 1u);
  EXPECT_EQ(pdu->tlvs.size(), 9u);
}

TEST(LldpParser, MudCaptureMacPortIpv6AddressAndUnknownOrgTlv) {
  core::Anomalies anomalies;
  auto pdu = ParseLldp(Hex(kMud), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_THAT(anomalies.counts(), IsEmpty());
  EXPECT_EQ(pdu->port_id->subtype, 3);
  EXPECT_EQ(pdu->port_id->value, "00:23:54:c2:57:02");
  EXPECT_EQ(pdu->system_name, "upstairs.ofcourseimright.com");
  EXPECT_EQ(pdu->port_description, "eth0");
  EXPECT_EQ(pdu->capabilities->supported, 0x009c);
  EXPECT_THAT(LldpCapabilityNames(pdu->capabilities->supported),
              ElementsAre("bridge", "wlan-access-point", "router", "station-only"));
  EXPECT_THAT(LldpCapabilityNames(pdu->capabilities->enabled), ElementsAre("wlan-access-point"));
  ASSERT_EQ(pdu->management_addresses.size(), 2u);
  EXPECT_EQ(pdu->management_addresses[0].address, "62.12.173.114");
  EXPECT_EQ(pdu->management_addresses[1].address_subtype, 2);
  EXPECT_EQ(pdu->management_addresses[1].address, "2001:8a8:1006:4:223:54ff:fec2:5702");
  EXPECT_TRUE(pdu->management_addresses[1].ip.IsV6());
  EXPECT_EQ(pdu->mac_phy->pmd_advertised, 0xecc3);
  // The MUD URL TLV is of no OUI the parser knows: it stays raw, whole.
  const auto& mud = pdu->tlvs[11];
  EXPECT_EQ(mud.type, 127);
  EXPECT_EQ(mud.oui, 0x00005eu);
  EXPECT_EQ(mud.subtype, 1);
  EXPECT_EQ(mud.value_hex.substr(0, 16), "68747470733a2f2f");  // "https://"
  EXPECT_EQ(mud.value_hex.size(), 2u * (0x40 - 4));
}

TEST(LldpParser, MedEndpointInventoryPolicyAndPower) {
  core::Anomalies anomalies;
  auto pdu = ParseLldp(Hex(kMed), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_THAT(anomalies.counts(), IsEmpty());
  EXPECT_EQ(pdu->chassis_id.subtype, 5);
  EXPECT_EQ(pdu->chassis_id.value, "192.168.1.10");
  EXPECT_EQ(pdu->chassis_id.ip, *core::IpAddr::Parse("192.168.1.10"));
  EXPECT_EQ(pdu->port_id->value, "port");
  EXPECT_EQ(pdu->ttl, 180);
  ASSERT_TRUE(pdu->med_capabilities.has_value());
  EXPECT_EQ(pdu->med_capabilities->capabilities, 0x0033);
  EXPECT_EQ(pdu->med_capabilities->device_type, 3);
  ASSERT_EQ(pdu->med_network_policies.size(), 1u);
  const auto& policy = pdu->med_network_policies[0];
  EXPECT_EQ(policy.application_type, 1);
  EXPECT_FALSE(policy.unknown_policy);
  EXPECT_TRUE(policy.tagged);
  EXPECT_EQ(policy.vlan_id, 100);
  EXPECT_EQ(policy.l2_priority, 5);
  EXPECT_EQ(policy.dscp, 46);
  const auto& inv = pdu->med_inventory;
  EXPECT_EQ(inv.hardware_revision, "1.0");
  EXPECT_EQ(inv.firmware_revision, "2.1");
  EXPECT_EQ(inv.software_revision, "3.2.1");
  EXPECT_EQ(inv.serial_number, "SN123");
  EXPECT_EQ(inv.manufacturer, "Kalmar");
  EXPECT_EQ(inv.model_name, "RTG-7");
  EXPECT_EQ(inv.asset_id, "crane-07");
  ASSERT_TRUE(pdu->power_via_mdi.has_value());
  EXPECT_TRUE(pdu->power_via_mdi->has_extension);
  EXPECT_EQ(pdu->power_via_mdi->power_class, 4);
  EXPECT_EQ(pdu->power_via_mdi->type_source_priority, 0x51);
  EXPECT_EQ(pdu->power_via_mdi->pd_requested_power, 250);
  EXPECT_EQ(pdu->power_via_mdi->pse_allocated_power, 250);
}

TEST(LldpParser, TlvLengthPastEndKeepsWhatCameBefore) {
  core::Anomalies anomalies;
  // System Name claims 32 bytes; 3 follow.
  auto pdu = ParseLldp(Concat({kMandatory, "0a 20 41 42 43"}), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("lldp.bad_tlv_length"), 1u);
  EXPECT_EQ(pdu->ttl, 120);
  EXPECT_EQ(pdu->system_name, "");
  EXPECT_FALSE(pdu->end_seen);
  EXPECT_EQ(pdu->tlvs.size(), 3u);
}

TEST(LldpParser, ZeroLengthChassisIdIsNoPdu) {
  core::Anomalies anomalies;
  auto pdu = ParseLldp(Hex("02 00  04 02 07 31  06 02 00 78  00 00"), anomalies);
  EXPECT_FALSE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("lldp.bad_tlv_value"), 1u);
  EXPECT_EQ(anomalies.Count("lldp.missing_mandatory_tlv"), 1u);
}

TEST(LldpParser, ZeroLengthTtlIsMissing) {
  core::Anomalies anomalies;
  auto pdu = ParseLldp(Hex("02 07 04 00 01 30 f9 ad a0  04 02 07 31  06 00  00 00"), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_FALSE(pdu->ttl.has_value());
  EXPECT_EQ(anomalies.Count("lldp.bad_tlv_value"), 1u);
  EXPECT_EQ(anomalies.Count("lldp.missing_mandatory_tlv"), 1u);
  EXPECT_TRUE(pdu->end_seen);
}

TEST(LldpParser, PortBeforeChassisIsOutOfOrderButRead) {
  core::Anomalies anomalies;
  auto pdu =
      ParseLldp(Hex("04 02 07 31  02 07 04 00 01 30 f9 ad a0  06 02 00 78  00 00"), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("lldp.bad_tlv_order"), 2u);  // chassis at 1, port at 0
  EXPECT_EQ(anomalies.Count("lldp.missing_mandatory_tlv"), 0u);
  EXPECT_EQ(pdu->chassis_id.value, "00:01:30:f9:ad:a0");
  EXPECT_EQ(pdu->port_id->value, "1");
}

TEST(LldpParser, DuplicateChassisIdKeepsTheFirst) {
  core::Anomalies anomalies;
  auto pdu = ParseLldp(Concat({kMandatory, "02 07 04 aa bb cc dd ee ff  00 00"}), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("lldp.duplicate_tlv"), 1u);
  EXPECT_EQ(pdu->chassis_id.value, "00:01:30:f9:ad:a0");
}

TEST(LldpParser, TooManyTlvsStopsAtTheCap) {
  std::vector<uint8_t> bytes = Hex(kMandatory);
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(0x08);  // empty Port Description
    bytes.push_back(0x00);
  }
  core::Anomalies anomalies;
  auto pdu = ParseLldp(bytes, anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("lldp.too_many_tlvs"), 1u);
  EXPECT_EQ(pdu->tlvs.size(), kMaxLldpTlvs);
  EXPECT_FALSE(pdu->end_seen);
}

TEST(LldpParser, ReservedTypesAreKeptRaw) {
  core::Anomalies anomalies;
  // Type 100 (reserved), length 3.
  auto pdu = ParseLldp(Concat({kMandatory, "c8 03 01 02 03  00 00"}), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_THAT(anomalies.counts(), IsEmpty());
  ASSERT_EQ(pdu->tlvs.size(), 5u);
  EXPECT_EQ(pdu->tlvs[3].type, 100);
  EXPECT_EQ(pdu->tlvs[3].length, 3);
  EXPECT_EQ(pdu->tlvs[3].value_hex, "010203");
}

TEST(LldpParser, ShortOrgTlvsAreBadValuesNotCrashes) {
  core::Anomalies anomalies;
  // Org TLV of 3 bytes (no subtype), port VLAN id with 1 byte, management address whose
  // address length runs past the TLV.
  auto pdu =
      ParseLldp(Concat({kMandatory, "fe 03 00 80 c2  fe 05 00 80 c2 01 01  10 03 20 01 c0  00 00"}),
                anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("lldp.bad_tlv_value"), 3u);
  EXPECT_FALSE(pdu->port_vlan_id.has_value());
  EXPECT_THAT(pdu->management_addresses, IsEmpty());
  EXPECT_EQ(pdu->tlvs.size(), 7u);
  EXPECT_TRUE(pdu->end_seen);
}

TEST(LldpParser, MissingEndTlvIsRecorded) {
  core::Anomalies anomalies;
  auto pdu = ParseLldp(Hex(kMandatory), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("lldp.missing_end_tlv"), 1u);
  EXPECT_FALSE(pdu->end_seen);
}

TEST(LldpParser, ControlAndInvalidUtf8BytesAreReplaced) {
  core::Anomalies anomalies;
  // System Name "K" 0x01 "ran-S" U+00FC "d" 0xff: the control byte and the stray 0xff go.
  auto pdu =
      ParseLldp(Concat({kMandatory, "0a 0b 4b 01 72 61 6e 2d 53 c3 bc 64 ff 00 00"}), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(pdu->system_name,
            "K.ran-S\xc3\xbc"
            "d.");
}

TEST(LldpParser, LongBinaryChassisIdIsCutToTheStringCap) {
  // Chassis ID of subtype 7 (locally assigned), 300 bytes of 0x01: rendered as hex, cut.
  std::vector<uint8_t> bytes = {0x03, 0x2d, 0x07};  // type 1, length 301
  bytes.insert(bytes.end(), 300, 0x01);
  auto rest = Hex("04 02 07 31  06 02 00 78  00 00");
  bytes.insert(bytes.end(), rest.begin(), rest.end());
  core::Anomalies anomalies;
  auto pdu = ParseLldp(bytes, anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("lldp.string_truncated"), 1u);
  EXPECT_EQ(pdu->chassis_id.value.size(), kMaxLldpStringBytes);
  EXPECT_EQ(pdu->chassis_id.value.substr(0, 4), "0101");
}

TEST(LldpParser, EmptyInputIsNoPdu) {
  core::Anomalies anomalies;
  EXPECT_FALSE(ParseLldp({}, anomalies).has_value());
  EXPECT_FALSE(ParseLldp(Hex("02"), anomalies).has_value());
}

TEST(LldpParser, EveryTruncatedPrefixIsSafeAndFlagged) {
  for (auto fixture : {kSummit, kSmc, kMud, kMed}) {
    std::vector<uint8_t> whole = Hex(fixture);
    core::Anomalies full_anomalies;
    auto full = ParseLldp(whole, full_anomalies);
    ASSERT_TRUE(full.has_value());
    for (size_t n = 0; n < whole.size(); ++n) {
      core::Anomalies anomalies;
      auto pdu = ParseLldp(std::span(whole).first(n), anomalies);
      // A prefix lacks the End TLV, so something is always said about it.
      EXPECT_FALSE(anomalies.counts().empty()) << "prefix " << n;
      if (!pdu) continue;
      EXPECT_FALSE(pdu->end_seen) << "prefix " << n;
      EXPECT_EQ(pdu->chassis_id.value, full->chassis_id.value) << "prefix " << n;
      EXPECT_LT(pdu->tlvs.size(), full->tlvs.size()) << "prefix " << n;
    }
  }
}

TEST(LldpCapabilityNames, AllAssignedBitsInOrderUnassignedLeftOut) {
  EXPECT_THAT(LldpCapabilityNames(0xffff),
              ElementsAre("other", "repeater", "bridge", "wlan-access-point", "router", "telephone",
                          "docsis-cable-device", "station-only", "c-vlan", "s-vlan", "tpmr"));
  EXPECT_THAT(LldpCapabilityNames(0), IsEmpty());
}

TEST(LldpIdSubtypeNames, ChassisAndPortTablesDiffer) {
  EXPECT_EQ(LldpChassisIdSubtypeName(4), "mac-address");
  EXPECT_EQ(LldpPortIdSubtypeName(3), "mac-address");
  EXPECT_EQ(LldpPortIdSubtypeName(6), "agent-circuit-id");
  EXPECT_EQ(LldpChassisIdSubtypeName(0), "unknown");
  EXPECT_EQ(LldpChassisIdSubtypeName(200), "unknown");
}

// Replays every kept fuzz crasher and seed: none may crash, seeds must parse.
TEST(LldpParser, FuzzRegressionsAndSeedsReplay) {
  const fuzz::Replayed replayed = fuzz::ReplayKept("lldp", [](std::span<const uint8_t> bytes) {
    core::Anomalies anomalies;
    return ParseLldp(bytes, anomalies).has_value();
  });
  EXPECT_GT(replayed.seeds, 0u) << "no seeds under tests/fuzz/corpus/lldp";
  EXPECT_THAT(replayed.refused_seeds, IsEmpty());
}

}  // namespace
}  // namespace qw::dissect
