// Tests of the CDP parser: real PDUs field by field (expected values as tshark 4.0.17
// dissects them), the checksum with its odd-length quirk, malformed and hostile PDUs,
// every truncated prefix, and the fuzz regressions.
#include "dissect/cdp/cdp_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../fuzz/fuzz_inputs.h"
#include "cdp_fixtures.h"
#include "core/hex.h"

namespace qw::dissect {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kCdp3560;

std::vector<uint8_t> Hex(std::string_view text) {
  auto bytes = core::ParseHex(text);
  EXPECT_TRUE(bytes.has_value()) << "bad fixture";
  return bytes.value_or(std::vector<uint8_t>{});
}

// mixed_ics/CL5000EIP-Firmware_Change.pcap frame 13 (Catalyst WS-CE500-24TT), 327 bytes:
// an odd length whose last byte (0xff) has its high bit set, the case where Cisco's
// checksum differs from the Internet checksum.
constexpr std::string_view kCe500 = R"(
  02 b4 0a b0             # version 2, TTL 180, checksum 0x0ab0 (correct)
  00 01 00 09  4e 73 35 67 74        # Device ID "Ns5gt"
  00 05 00 bc             # Software Version, length 188
    43 69 73 63 6f 20 49 4f 53 20 53 6f 66 74 77 61 72 65 2c 20 43 45 35 30 30 20 53 6f
    66 74 77 61 72 65 20 28 43 45 35 30 30 2d 4c 41 4e 42 41 53 45 2d 4d 29 2c 20 56 65
    72 73 69 6f 6e 20 31 32 2e 32 28 32 35 29 53 45 47 34 2c 20 52 45 4c 45 41 53 45 20
    53 4f 46 54 57 41 52 45 20 28 66 63 31 29 0a 43 6f 70 79 72 69 67 68 74 20 28 63 29
    20 31 39 38 36 2d 32 30 30 37 20 62 79 20 43 69 73 63 6f 20 53 79 73 74 65 6d 73 2c
    20 49 6e 63 2e 0a 43 6f 6d 70 69 6c 65 64 20 4d 6f 6e 20 31 33 2d 41 75 67 2d 30 37
    20 31 37 3a 33 34 20 62 79 20 79 65 6e 61 6e 68
  00 06 00 17  63 69 73 63 6f 20 57 53 2d 43 45 35 30 30 2d 32 34 54 54
                                     # Platform "cisco WS-CE500-24TT"
  00 02 00 11  00 00 00 01  01 01 cc  00 04 c0 a8 0a fd   # Addresses: 192.168.10.253
  00 03 00 14  47 69 67 61 62 69 74 45 74 68 65 72 6e 65 74 31
                                     # Port ID "GigabitEthernet1"
  00 04 00 08  00 00 00 28           # Capabilities: switch, IGMP
  00 09 00 04                        # VTP Management Domain, empty
  00 0a 00 06  00 03                 # Native VLAN 3
  00 0b 00 05  01                    # Duplex full
  00 12 00 05  00                    # Trust Bitmap 0
  00 13 00 05  00                    # Untrusted CoS 0
  00 16 00 11  00 00 00 01  01 01 cc  00 04 c0 a8 0a fd   # Management: 192.168.10.253
  00 1a 00 10  00 00 00 01 00 00 00 00 ff ff ff ff        # Power Available (raw)
)";

// A CDP header with a (wrong) checksum, to build malformed PDUs from; tests of those
// ignore cdp.bad_checksum.
constexpr std::string_view kHeader = "02 b4 00 00";

std::vector<uint8_t> Concat(std::initializer_list<std::string_view> parts) {
  std::vector<uint8_t> out;
  for (auto p : parts) {
    auto b = Hex(p);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

TEST(CdpParser, Catalyst3560CaptureFieldByField) {
  core::Anomalies anomalies;
  auto pdu = ParseCdp(Hex(kCdp3560), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_THAT(anomalies.counts(), IsEmpty());
  EXPECT_EQ(pdu->version, 2);
  EXPECT_EQ(pdu->ttl, 180);
  EXPECT_EQ(pdu->checksum, 0xb0bd);
  EXPECT_TRUE(pdu->checksum_ok);
  EXPECT_EQ(pdu->device_id, "Switch");
  EXPECT_EQ(pdu->software_version,
            "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version "
            "12.2(25)SEB4, RELEASE SOFTWARE (fc1)\nCopyright (c) 1986-2005 by Cisco Systems, "
            "Inc.\nCompiled Tue 30-Aug-05 17:56 by yenanh");
  EXPECT_EQ(pdu->platform, "cisco WS-C3560G-24PS");
  ASSERT_EQ(pdu->addresses.size(), 1u);
  EXPECT_EQ(pdu->addresses[0].protocol_type, 1);
  EXPECT_EQ(pdu->addresses[0].protocol_hex, "cc");
  EXPECT_EQ(pdu->addresses[0].address, "192.168.0.1");
  EXPECT_EQ(pdu->addresses[0].ip, *core::IpAddr::Parse("192.168.0.1"));
  EXPECT_EQ(pdu->port_id, "GigabitEthernet0/5");
  EXPECT_EQ(pdu->capabilities, 0x28u);
  EXPECT_THAT(CdpCapabilityNames(*pdu->capabilities), ElementsAre("switch", "igmp"));
  EXPECT_EQ(pdu->vtp_domain, "Lab");
  EXPECT_EQ(pdu->native_vlan, 1);
  EXPECT_EQ(pdu->full_duplex, true);
  EXPECT_EQ(pdu->trust_bitmap, 0);
  EXPECT_EQ(pdu->untrusted_cos, 0);
  ASSERT_EQ(pdu->management_addresses.size(), 1u);
  EXPECT_EQ(pdu->management_addresses[0].address, "192.168.0.1");
  EXPECT_FALSE(pdu->voice_vlan.has_value());

  ASSERT_EQ(pdu->tlvs.size(), 14u);
  EXPECT_EQ(pdu->tlvs[0].type, 1);
  EXPECT_EQ(pdu->tlvs[0].length, 10);
  EXPECT_EQ(pdu->tlvs[0].value_hex, "537769746368");
  EXPECT_EQ(pdu->tlvs[13].type, 0x1a);
  EXPECT_EQ(pdu->tlvs[13].value_hex, "0000000100000000ffffffff");
  EXPECT_FALSE(pdu->tlvs[13].value_truncated);
  EXPECT_TRUE(pdu->complete);
}

TEST(CdpParser, OddLengthChecksumFollowsCisco) {
  std::vector<uint8_t> bytes = Hex(kCe500);
  ASSERT_EQ(bytes.size() % 2, 1u);
  core::Anomalies anomalies;
  auto pdu = ParseCdp(bytes, anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_TRUE(pdu->checksum_ok);
  EXPECT_THAT(anomalies.counts(), IsEmpty());
  EXPECT_EQ(pdu->device_id, "Ns5gt");
  EXPECT_EQ(pdu->platform, "cisco WS-CE500-24TT");
  EXPECT_EQ(pdu->port_id, "GigabitEthernet1");
  EXPECT_EQ(pdu->vtp_domain, "");
  EXPECT_EQ(pdu->native_vlan, 3);
  EXPECT_EQ(pdu->management_addresses.at(0).address, "192.168.10.253");
  EXPECT_TRUE(pdu->complete);
}

TEST(CdpParser, BadChecksumIsRecordedNotRejected) {
  std::vector<uint8_t> bytes = Hex(kCdp3560);
  bytes[8] ^= 0x20;  // first byte of the device id: "Switch" becomes "switch"
  core::Anomalies anomalies;
  auto pdu = ParseCdp(bytes, anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_FALSE(pdu->checksum_ok);
  EXPECT_EQ(anomalies.Count("cdp.bad_checksum"), 1u);
  EXPECT_EQ(pdu->device_id, "switch");
  EXPECT_EQ(pdu->platform, "cisco WS-C3560G-24PS");
}

TEST(CdpChecksum, MatchesTheInternetChecksumForEvenLengths) {
  // RFC 1071's example words 0001 f203 f4f5 f6f7 sum to 0xddf2; the checksum is its
  // complement.
  EXPECT_EQ(CdpChecksum(Hex("00 01 f2 03 f4 f5 f6 f7")), 0x220d);
  EXPECT_EQ(CdpChecksum(Hex("00 01 f2 03 f4 f5 f6 f7 22 0d")), 0);
}

TEST(CdpParser, TlvLengthBelowHeaderStops) {
  core::Anomalies anomalies;
  auto pdu = ParseCdp(Concat({kHeader, "00 01 00 05 41  00 06 00 02  00 03 00 05 42"}), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("cdp.bad_tlv_length"), 1u);
  EXPECT_EQ(pdu->device_id, "A");
  EXPECT_EQ(pdu->port_id, "");
  EXPECT_EQ(pdu->tlvs.size(), 1u);
  EXPECT_FALSE(pdu->complete);
}

TEST(CdpParser, TlvLengthPastEndStops) {
  core::Anomalies anomalies;
  auto pdu = ParseCdp(Concat({kHeader, "00 01 00 05 41  00 06 01 00 63 69"}), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("cdp.bad_tlv_length"), 1u);
  EXPECT_EQ(pdu->platform, "");
  EXPECT_FALSE(pdu->complete);
}

TEST(CdpParser, ZeroLengthDeviceIdIsBadLength) {
  core::Anomalies anomalies;
  auto pdu = ParseCdp(Concat({kHeader, "00 01 00 00"}), anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("cdp.bad_tlv_length"), 1u);
  EXPECT_THAT(pdu->tlvs, IsEmpty());
}

TEST(CdpParser, TooManyTlvsStopsAtTheCap) {
  std::vector<uint8_t> bytes = Hex(kHeader);
  for (int i = 0; i < 300; ++i) {
    auto empty_vtp = Hex("00 09 00 04");
    bytes.insert(bytes.end(), empty_vtp.begin(), empty_vtp.end());
  }
  core::Anomalies anomalies;
  auto pdu = ParseCdp(bytes, anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("cdp.too_many_tlvs"), 1u);
  EXPECT_EQ(pdu->tlvs.size(), kMaxCdpTlvs);
}

TEST(CdpParser, AddressCountBeyondTheCapIsCut) {
  std::vector<uint8_t> bytes = Hex(kHeader);
  // Addresses TLV claiming 2^32-1 entries, holding 20 IPv4 ones of 9 bytes each.
  uint16_t length = 4 + 4 + 20 * 9;
  bytes.insert(bytes.end(), {0x00, 0x02, static_cast<uint8_t>(length >> 8),
                             static_cast<uint8_t>(length & 0xff), 0xff, 0xff, 0xff, 0xff});
  for (uint8_t i = 0; i < 20; ++i) {
    bytes.insert(bytes.end(), {0x01, 0x01, 0xcc, 0x00, 0x04, 10, 0, 0, i});
  }
  core::Anomalies anomalies;
  auto pdu = ParseCdp(bytes, anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("cdp.too_many_addresses"), 1u);
  ASSERT_EQ(pdu->addresses.size(), kMaxCdpAddresses);
  EXPECT_EQ(pdu->addresses[15].address, "10.0.0.15");
}

TEST(CdpParser, AddressCountLargerThanTheTlvIsABadValue) {
  core::Anomalies anomalies;
  auto pdu = ParseCdp(
      Concat({kHeader, "00 02 00 11  00 00 00 03  01 01 cc 00 04 c0 a8 00 01  00 01 00 05 41"}),
      anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(anomalies.Count("cdp.bad_tlv_value"), 1u);
  ASSERT_EQ(pdu->addresses.size(), 1u);
  EXPECT_EQ(pdu->device_id, "A");  // parsing goes on after the bad TLV
}

TEST(CdpParser, Ipv6AndUnknownProtocolAddresses) {
  core::Anomalies anomalies;
  auto pdu = ParseCdp(Concat({kHeader, R"(
      00 16 00 2b             # Management Addresses, length 43
        00 00 00 02           #   2 addresses
        02 08 aa aa 03 00 00 00 86 dd   # 802.2, SNAP IPv6
        00 10 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # 2001:db8::1
        01 01 81 00 02 ab cd  #   NLPID 0x81 (CLNP), 2 bytes: kept as hex
    )"}),
                      anomalies);
  ASSERT_TRUE(pdu.has_value());
  ASSERT_EQ(pdu->management_addresses.size(), 2u);
  EXPECT_EQ(pdu->management_addresses[0].address, "2001:db8::1");
  EXPECT_TRUE(pdu->management_addresses[0].ip.IsV6());
  EXPECT_EQ(pdu->management_addresses[1].protocol_hex, "81");
  EXPECT_EQ(pdu->management_addresses[1].address, "abcd");
  EXPECT_FALSE(pdu->management_addresses[1].ip.IsSet());
  EXPECT_TRUE(pdu->complete);
}

TEST(CdpParser, SmallValueTlvs) {
  core::Anomalies anomalies;
  auto pdu = ParseCdp(Concat({kHeader, R"(
      00 07 00 0e  0a 00 00 00 08  c0 a8 00 00 10   # IP prefixes 10.0.0.0/8, 192.168.0.0/16
      00 0e 00 07  01 00 c8      # VoIP VLAN reply: data 1, VLAN 200
      00 10 00 06  19 64         # Power 6500 mW
      00 11 00 08  00 00 05 dc   # MTU 1500
      00 14 00 08  63 72 6e 31   # System Name "crn1"
      00 15 00 0e  06 08 2b 06 01 04 01 09 01 01   # System OID (BER 1.3.6.1.4.1.9.1.1)
      00 17 00 0a  01 51 75 61 79 31               # Location: type 1, "Quay1"
    )"}),
                      anomalies);
  ASSERT_TRUE(pdu.has_value());
  ASSERT_EQ(pdu->ip_prefixes.size(), 2u);
  EXPECT_EQ(pdu->ip_prefixes[0].network.ToString(), "10.0.0.0");
  EXPECT_EQ(pdu->ip_prefixes[0].length, 8);
  EXPECT_EQ(pdu->ip_prefixes[1].network.ToString(), "192.168.0.0");
  EXPECT_EQ(pdu->ip_prefixes[1].length, 16);
  EXPECT_EQ(pdu->voice_vlan, 200);
  EXPECT_EQ(pdu->power_mw, 6500);
  EXPECT_EQ(pdu->mtu, 1500u);
  EXPECT_EQ(pdu->system_name, "crn1");
  EXPECT_EQ(pdu->system_oid_hex, "06082b06010401090101");
  EXPECT_EQ(pdu->location_type, 1);
  EXPECT_EQ(pdu->location, "Quay1");
  EXPECT_TRUE(pdu->complete);
  EXPECT_EQ(anomalies.Count("cdp.bad_tlv_value"), 0u);
}

TEST(CdpParser, OdrDefaultGatewayAndShortFixedValues) {
  core::Anomalies anomalies;
  auto pdu = ParseCdp(Concat({kHeader, R"(
      00 07 00 08  0a 01 02 03   # IP prefixes of one bare address: ODR default gateway
      00 0a 00 05  01            # Native VLAN with 1 byte: too short
      00 11 00 06  05 dc         # MTU with 2 bytes: too short
      00 0e 00 05  01            # VoIP VLAN reply with only the data byte: no VLAN
    )"}),
                      anomalies);
  ASSERT_TRUE(pdu.has_value());
  ASSERT_TRUE(pdu->odr_default_gateway.has_value());
  EXPECT_EQ(pdu->odr_default_gateway->ToString(), "10.1.2.3");
  EXPECT_FALSE(pdu->native_vlan.has_value());
  EXPECT_FALSE(pdu->mtu.has_value());
  EXPECT_FALSE(pdu->voice_vlan.has_value());
  EXPECT_EQ(anomalies.Count("cdp.bad_tlv_value"), 2u);
  EXPECT_EQ(pdu->tlvs.size(), 4u);
}

TEST(CdpParser, UnknownTypesAreKeptRawAndLongValuesCut) {
  std::vector<uint8_t> bytes = Concat({kHeader, "12 34 00 07 01 02 03"});
  // Type 0x0fff with 1000 value bytes: the raw copy keeps kMaxCdpRawValueBytes of them.
  bytes.insert(bytes.end(), {0x0f, 0xff, 0x03, 0xec});
  bytes.insert(bytes.end(), 1000, 0xee);
  core::Anomalies anomalies;
  auto pdu = ParseCdp(bytes, anomalies);
  ASSERT_TRUE(pdu.has_value());
  ASSERT_EQ(pdu->tlvs.size(), 2u);
  EXPECT_EQ(pdu->tlvs[0].type, 0x1234);
  EXPECT_EQ(pdu->tlvs[0].value_hex, "010203");
  EXPECT_EQ(pdu->tlvs[1].length, 1004);
  EXPECT_TRUE(pdu->tlvs[1].value_truncated);
  EXPECT_EQ(pdu->tlvs[1].value_hex.size(), 2 * kMaxCdpRawValueBytes);
  EXPECT_EQ(anomalies.Count("cdp.raw_value_truncated"), 1u);
}

TEST(CdpParser, LongDeviceIdIsCut) {
  std::vector<uint8_t> bytes = Concat({kHeader, "00 01 03 ec"});
  bytes.insert(bytes.end(), 1000, 'x');
  core::Anomalies anomalies;
  auto pdu = ParseCdp(bytes, anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(pdu->device_id, std::string(kMaxCdpStringBytes, 'x'));
  EXPECT_EQ(anomalies.Count("cdp.string_truncated"), 1u);
}

TEST(CdpParser, TooManyPrefixesStopsAtTheCap) {
  std::vector<uint8_t> bytes = Hex(kHeader);
  uint16_t length = 4 + 40 * 5;
  bytes.insert(bytes.end(), {0x00, 0x07, static_cast<uint8_t>(length >> 8),
                             static_cast<uint8_t>(length & 0xff)});
  for (uint8_t i = 0; i < 40; ++i) bytes.insert(bytes.end(), {10, i, 0, 0, 16});
  core::Anomalies anomalies;
  auto pdu = ParseCdp(bytes, anomalies);
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(pdu->ip_prefixes.size(), kMaxCdpPrefixes);
  EXPECT_EQ(anomalies.Count("cdp.too_many_prefixes"), 1u);
}

TEST(CdpParser, BadVersionOrShortHeaderIsNoPdu) {
  core::Anomalies anomalies;
  EXPECT_FALSE(ParseCdp(Hex("03 b4 00 00 00 01 00 05 41"), anomalies).has_value());
  EXPECT_EQ(anomalies.Count("cdp.bad_version"), 1u);
  EXPECT_FALSE(ParseCdp(Hex("02 b4 00"), anomalies).has_value());
  EXPECT_EQ(anomalies.Count("cdp.truncated_header"), 1u);
}

TEST(CdpParser, EveryTruncatedPrefixIsSafeAndFlagged) {
  for (auto fixture : {kCdp3560, kCe500}) {
    std::vector<uint8_t> whole = Hex(fixture);
    core::Anomalies full_anomalies;
    auto full = ParseCdp(whole, full_anomalies);
    ASSERT_TRUE(full.has_value());
    for (size_t n = 0; n < whole.size(); ++n) {
      core::Anomalies anomalies;
      auto pdu = ParseCdp(std::span(whole).first(n), anomalies);
      // Cut bytes break the checksum or a TLV length (or the header), never silently.
      EXPECT_FALSE(anomalies.counts().empty()) << "prefix " << n;
      if (n < 4) {
        EXPECT_FALSE(pdu.has_value());
        continue;
      }
      ASSERT_TRUE(pdu.has_value()) << "prefix " << n;
      EXPECT_LE(pdu->tlvs.size(), full->tlvs.size()) << "prefix " << n;
      if (!pdu->device_id.empty()) {
        EXPECT_EQ(pdu->device_id, full->device_id);
      }
    }
  }
}

TEST(CdpCapabilityNames, AllAssignedBitsInOrderUnassignedLeftOut) {
  EXPECT_THAT(
      CdpCapabilityNames(0xffffffff),
      ElementsAre("router", "transparent-bridge", "source-route-bridge", "switch", "host", "igmp",
                  "repeater", "voip-phone", "remotely-managed", "cvta", "two-port-mac-relay"));
  EXPECT_THAT(CdpCapabilityNames(0x0b), ElementsAre("router", "transparent-bridge", "switch"));
}

// Replays every kept fuzz crasher and seed: none may crash, seeds must parse.
TEST(CdpParser, FuzzRegressionsAndSeedsReplay) {
  const fuzz::Replayed replayed = fuzz::ReplayKept("cdp", [](std::span<const uint8_t> bytes) {
    core::Anomalies anomalies;
    return ParseCdp(bytes, anomalies).has_value();
  });
  EXPECT_GT(replayed.seeds, 0u) << "no seeds under tests/fuzz/corpus/cdp";
  EXPECT_THAT(replayed.refused_seeds, IsEmpty());
}

}  // namespace
}  // namespace qw::dissect
