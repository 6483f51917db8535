#include "simulate/frame_builder.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/hex.h"
#include "frame_check.h"
#include "simulate/byte_writer.h"
#include "simulate/rng.h"

namespace qw::simulate {
namespace {

using testing::ParseFrame;

const core::MacAddr kHostMac{{0x00, 0x1b, 0x1b, 0x01, 0x02, 0x03}};
const core::MacAddr kRouterMac{{0x6c, 0x5e, 0x3b, 0x00, 0x00, 0x0a}};

std::vector<uint8_t> Bytes(std::span<const uint8_t> frame) { return {frame.begin(), frame.end()}; }

std::vector<uint8_t> Hex(std::string_view text) {
  auto bytes = core::ParseHex(text);
  EXPECT_TRUE(bytes.has_value());
  return bytes.value_or(std::vector<uint8_t>{});
}

TEST(FrameBuilder, ArpRequestOnVlanMatchesRfc826Layout) {
  FrameBuilder b;
  const auto frame = b.Arp(L2{core::MacAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, kHostMac, 501},
                           1, kHostMac, 0x0a32010a, core::MacAddr{}, 0x0a320101);
  EXPECT_EQ(Bytes(frame), Hex(R"(
      ff ff ff ff ff ff      # destination: broadcast
      00 1b 1b 01 02 03      # source
      81 00 01 f5            # 802.1Q, VLAN 501
      08 06                  # ARP
      00 01 08 00 06 04      # Ethernet, IPv4, address lengths 6 and 4
      00 01                  # request
      00 1b 1b 01 02 03      # sender MAC
      0a 32 01 0a            # sender IP 10.50.1.10
      00 00 00 00 00 00      # target MAC unknown
      0a 32 01 01            # target IP 10.50.1.1
      00 00 00 00 00 00 00 00 00 00 00 00 00 00  # padding to 60 bytes
  )"));
}

TEST(FrameBuilder, TcpSynCarriesOptionsAndValidChecksums) {
  FrameBuilder b;
  const L2 l2{kRouterMac, kHostMac, 40};
  b.TcpPayload(l2, true);
  Ipv4Fields ip{0x0a28000a, 0x0a32010a, 128, 0, 0x1234, 0};
  TcpFields tcp{50000, 102, 0x01020304, 0, kSyn, 64240, 1460};
  const auto frame = b.FinishTcp(l2, ip, tcp, 0);
  ASSERT_EQ(frame.size(), 18u + 20 + 28);
  auto v = ParseFrame(frame);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->vlan, 40);
  EXPECT_EQ(v->protocol, 6);
  EXPECT_EQ(v->seq, 0x01020304u);
  EXPECT_EQ(v->tcp_flags, kSyn);
  EXPECT_TRUE(v->ip_checksum_ok);
  EXPECT_TRUE(v->l4_checksum_ok);
  // MSS option right after the 20-byte header.
  EXPECT_EQ(Bytes(frame.subspan(18 + 20 + 20, 4)), Hex("02 04 05 b4  # MSS 1460"));
}

TEST(FrameBuilder, TcpAndUdpChecksumsHoldForRandomPayloads) {
  FrameBuilder b;
  Rng rng(7);
  for (int i = 0; i < 500; ++i) {
    const L2 l2{kRouterMac, kHostMac, static_cast<uint16_t>(i % 2 ? 10 : 0)};
    const size_t len = rng.Below(1400);
    Ipv4Fields ip{static_cast<uint32_t>(rng.Next()),
                  static_cast<uint32_t>(rng.Next()),
                  64,
                  0,
                  static_cast<uint16_t>(i),
                  0};
    std::span<const uint8_t> frame;
    const bool tcp = i % 3 != 0;
    auto area = tcp ? b.TcpPayload(l2, false) : b.UdpPayload(l2);
    for (size_t k = 0; k < len; ++k) area[k] = static_cast<uint8_t>(rng.Next());
    if (tcp) {
      frame = b.FinishTcp(l2, ip, TcpFields{1, 2, 3, 4, kAck | kPsh, 5, 0}, len);
    } else {
      frame = b.FinishUdp(l2, ip, 53, 40000, len);
    }
    auto v = ParseFrame(frame);
    ASSERT_TRUE(v.has_value());
    EXPECT_TRUE(v->ip_checksum_ok) << i;
    EXPECT_TRUE(v->l4_checksum_ok) << i;
    EXPECT_EQ(v->l4_payload, len);
    EXPECT_GE(frame.size(), kMinFrame);
  }
}

TEST(FrameBuilder, ForwardMovesPacketToOtherVlanWithTtlOneLess) {
  FrameBuilder b;
  const L2 first{kRouterMac, kHostMac, 40};
  b.UdpPayload(first)[0] = 0x42;
  const auto frame =
      Bytes(b.FinishUdp(first, Ipv4Fields{0x0a28000a, 0x0a32010a, 64, 0, 9, 0}, 1000, 2000, 1));
  const auto ip_packet = std::span<const uint8_t>(frame).subspan(18, 20 + 8 + 1);
  const auto second = b.Forward(L2{kHostMac, kRouterMac, 501}, ip_packet);
  auto v = ParseFrame(second);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->vlan, 501);
  EXPECT_TRUE(v->ip_checksum_ok);
  EXPECT_TRUE(v->l4_checksum_ok);  // TTL is not in the pseudo-header
  EXPECT_EQ(second[18 + 8], 63);
}

TEST(FrameBuilder, LldpFrameHasMandatoryTlvsInOrder) {
  FrameBuilder b;
  LldpInfo info;
  info.chassis = kHostMac;
  info.port_id = "1/1";
  info.port_description = "up";
  info.system_name = "sw";
  info.system_description = "os";
  info.capabilities = 0x0004;
  const auto frame = b.Lldp(info);
  EXPECT_EQ(Bytes(frame.first(14 + 9 + 6 + 4 + 4 + 4 + 4 + 6 + 2)), Hex(R"(
      01 80 c2 00 00 0e      # nearest bridge
      00 1b 1b 01 02 03      # source
      88 cc                  # LLDP
      02 07 04 00 1b 1b 01 02 03   # chassis id: type 1, length 7, MAC subtype
      04 04 05 31 2f 31            # port id: type 2, length 4, interface name "1/1"
      06 02 00 78                  # TTL 120
      08 02 75 70                  # port description "up"
      0a 02 73 77                  # system name "sw"
      0c 02 6f 73                  # system description "os"
      0e 04 00 04 00 04            # capabilities: bridge, enabled bridge
      00 00                        # end
  )"));
}

TEST(FrameBuilder, CdpPduIsEvenAndChecksummed) {
  FrameBuilder b;
  CdpInfo info;
  info.source = kRouterMac;
  info.device_id = "core-sw1";
  info.port_id = "Te1/0/1";
  info.software = "IOS";
  info.platform = "cisco";
  info.address = 0x0a0a00fe;
  info.capabilities = 0x29;
  const auto frame = b.Cdp(info);
  const size_t length = size_t{frame[12]} << 8 | frame[13];
  const auto pdu = frame.subspan(22, length - 8);
  EXPECT_EQ(pdu.size() % 2, 0u);
  EXPECT_TRUE(testing::SumsToAllOnes(testing::OnesSum(pdu)));
}

TEST(ByteWriter, WritePastEndFailsAndWritesNothing) {
  std::array<uint8_t, 3> buf{};
  ByteWriter w(buf);
  w.U16(0x0102);
  w.U16(0x0304);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), 2u);
  EXPECT_EQ(buf[2], 0);
}

TEST(Rng, SameSeedSameSequenceAndBoundsHold) {
  Rng a(42), b(42), c(43), d(44);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
    EXPECT_LT(d.Below(10), 10u);
    const int64_t e = d.Exponential(1000);
    EXPECT_GE(e, 1);
    EXPECT_LE(e, 8000);
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace qw::simulate
