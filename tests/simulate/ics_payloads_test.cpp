// Byte fixtures of the simulator's industrial payloads, annotated field by field against
// their specifications (ics_payloads.h names them), and regressions of framing mistakes.
#include "simulate/ics_payloads.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "core/hex.h"
#include "simulate/frame_builder.h"

namespace qw::simulate {
namespace {

std::vector<uint8_t> Hex(std::string_view text) {
  auto bytes = core::ParseHex(text);
  EXPECT_TRUE(bytes.has_value());
  return bytes.value_or(std::vector<uint8_t>{});
}

std::vector<uint8_t> Head(const Session& s) { return {s.head.begin(), s.head.begin() + s.msg_len}; }

TEST(IcsPayloads, PnRtCyclicFrameIsPriorityTaggedWithApduStatusLast) {
  std::array<uint8_t, 64> payload{};
  Rng rng(1);
  const size_t n = WritePnRtCyclic(payload, 0x8000, 0x1234, true, rng);
  ASSERT_EQ(n, 2u + 40 + 4);
  FrameBuilder b;
  const L2 l2{core::MacAddr{{0x00, 0x1b, 0x08, 0x00, 0x00, 0x01}},
              core::MacAddr{{0x00, 0x1b, 0x1b, 0x00, 0x00, 0x02}}, 501, 6};
  auto area = b.EtherPayload(l2);
  std::copy_n(payload.begin(), n, area.begin());
  const auto frame = b.FinishEther(l2, kEtherProfinet, n);
  ASSERT_EQ(frame.size(), 18u + n);  // no padding: the APDU status must end the frame
  const std::vector<uint8_t> head(frame.begin(), frame.begin() + 20);
  EXPECT_EQ(head, Hex(R"(
      00 1b 08 00 00 01  # destination: the device
      00 1b 1b 00 00 02  # source: the controller
      81 00 c1 f5        # 802.1Q, priority 6, VLAN 501
      88 92              # PROFINET
      80 00              # FrameID: RT class 1 cyclic
  )"));
  const std::vector<uint8_t> tail(frame.end() - 4, frame.end());
  EXPECT_EQ(tail, Hex(R"(
      12 34  # CycleCounter
      35     # DataStatus: primary, valid, run, no station problem
      00     # TransferStatus
  )"));
}

TEST(IcsPayloads, DcpIdentifyAllRequestMatchesIec61158Layout) {
  std::array<uint8_t, 32> out{};
  const size_t n = WriteDcpIdentifyRequest(out, 0x01020304, 128);
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + n), Hex(R"(
      fe fe        # FrameID: DCP Identify request
      05 00        # ServiceID Identify, ServiceType request
      01 02 03 04  # Xid
      00 80        # ResponseDelay: 128 x 10 ms
      00 04        # DCPDataLength
      ff ff 00 00  # all selector, block length 0
  )"));
}

TEST(IcsPayloads, BacnetWhoIsIsAGlobalBroadcast) {
  std::array<uint8_t, 32> out{};
  const size_t n = WriteBacnetWhoIs(out);
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + n), Hex(R"(
      81 0b 00 0c        # BVLC: BACnet/IP, Original-Broadcast-NPDU, 12 bytes
      01 20 ff ff 00 ff  # NPDU: version 1, DNET 0xffff, DLEN 0, hop count 255
      10 08              # unconfirmed request, Who-Is, no range
  )"));
}

TEST(IcsPayloads, S7PlcStopMatchesTheKnownTelegram) {
  Session s;
  s.app = App::kS7;
  s.variant = kS7Program;
  s.round = 3;
  Rng rng(1);
  PlanS7(s, rng);
  EXPECT_EQ(Head(s), Hex(R"(
      03 00 00 21        # TPKT version 3, 33 bytes
      02 f0 80           # COTP DT, last data unit
      32 01 00 00 04 03  # S7comm job, PDU reference 0x0403
      00 10 00 00        # parameter length 16, data length 0
      29 00 00 00 00 00  # PLC stop, five unknown bytes
      09 50 5f 50 52 4f 47 52 41 4d  # "P_PROGRAM"
  )"));
}

// Regression: the length field counts the unit id and the PDU, not the two bytes of itself.
TEST(IcsPayloads, ModbusDeviceIdentificationLengthCountsUnitAndPdu) {
  Session s;
  s.app = App::kModbus;
  s.variant = kModbusIoIdentify;
  Rng rng(1);
  PlanModbus(s, rng);  // the request
  EXPECT_EQ(Head(s), Hex("00 01 00 00 00 05 01 2b 0e 01 00"));
  s.dir = 1;
  PlanModbus(s, rng);
  const auto adu = Head(s);
  ASSERT_GT(adu.size(), 14u);
  EXPECT_EQ(size_t{adu[4]} << 8 | adu[5], adu.size() - 6);
  EXPECT_EQ(std::vector<uint8_t>(adu.begin() + 6, adu.begin() + 14), Hex(R"(
      01 2b 0e  # unit 1, function 43, MEI 14
      01 01     # basic identification, conformity basic (stream)
      00 00 03  # no more, next object 0, three objects
  )"));
}

TEST(IcsPayloads, EnipListIdentityReplyLengthsAgree) {
  EnipIdentity id;
  id.device_type = 0x0e;
  id.product_name = "1756-L71/B LOGIX5571";
  id.ip = 0x0a32050c;
  std::array<uint8_t, 128> out{};
  const size_t n = WriteEnipListIdentityReply(out, 0x1122334455667788, id);
  ASSERT_GT(n, 30u);
  EXPECT_EQ(size_t{out[2]} | size_t{out[3]} << 8, n - 24);    // encapsulation length
  EXPECT_EQ(size_t{out[28]} | size_t{out[29]} << 8, n - 30);  // identity item length
  EXPECT_EQ(std::vector<uint8_t>(out.begin() + 32, out.begin() + 40), Hex(R"(
      00 02 af 12  # sin_family 2, sin_port 44818 (network order)
      0a 32 05 0c  # sin_addr 10.50.5.12
  )"));
}

}  // namespace
}  // namespace qw::simulate
