// Tests of the Modbus/TCP parser and dissector: real ADUs from the shared captures field by
// field (as tshark 4.0.17 dissects them), every truncated prefix, several ADUs in one segment
// and one ADU over many, gaps, pairing, unanswered requests, identities, UMAS classification
// and the probe's rejection of other protocols seen on port 502.
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "dissect/modbus/modbus_dissector.h"
#include "dissect/modbus/modbus_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using modbus::FrameAdu;
using modbus::FrameStatus;
using modbus::ParsePdu;
using modbus::Role;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// --- Fixtures ----------------------------------------------------------------------------

// modbus/modbus_test_data_part1.pcap frame 57 (10.0.0.9:3082 -> 10.0.0.3:502).
constexpr std::string_view kReadHrRequest = R"(
  00 01     # transaction 1
  00 00     # protocol 0
  00 06     # length 6
  0a        # unit 10
  03        # function 3 read holding registers
  00 05     # reference 5
  00 02     # word count 2
)";
// Same capture, frame 58: its response.
constexpr std::string_view kReadHrResponse = R"(
  00 01 00 00 00 07 0a   # transaction 1, protocol 0, length 7, unit 10
  03                     # function 3
  04                     # byte count 4
  00 09 00 18            # registers 9, 24
)";
// Same capture, frame 60: write single coil 2 off; frame 61 echoes it.
constexpr std::string_view kWriteCoil = R"(
  00 01 00 00 00 06 0a   # transaction 1, length 6, unit 10
  05                     # function 5 write single coil
  00 02                  # reference 2
  00 00                  # value off
)";
// Same capture, frame 8: diagnostics, sub-function 4 force listen only mode.
constexpr std::string_view kForceListenOnly = R"(
  00 00 00 00 00 06 0a   # transaction 0, length 6, unit 10
  08                     # function 8 diagnostics
  00 04                  # sub-function 4 force listen only mode
  00 00                  # data
)";
// Same capture, frame 9: its exception.
constexpr std::string_view kDiagnosticsException = R"(
  00 00 00 00 00 03 0a   # transaction 0, length 3, unit 10
  88                     # function 8 with the exception bit
  0b                     # exception 11 gateway target device failed to respond
)";
// Same capture, frame 91 (server only, port 4446 client unseen): an exception with a stray
// trailing byte that tshark shows as "Read Coils. Exception returned", code 6.
constexpr std::string_view kBusyWithTrailingByte = R"(
  00 01 00 00 00 04 0a   # transaction 1, length 4 (one more than an exception needs), unit 10
  81                     # function 1 with the exception bit
  06                     # exception 6 server device busy
  00                     # stray byte
)";
// Same capture, frame 32: read device identification with a stray trailing byte.
constexpr std::string_view kDeviceIdRequestTrailing = R"(
  00 01 00 00 00 06 0a   # transaction 1, length 6, unit 10
  2b                     # function 43 encapsulated interface transport
  0e                     # MEI 14 read device identification
  03                     # read device id code 3 extended
  01                     # object id 1
  00                     # stray byte
)";
// Same capture, frames 40 and 41: report server id and its answer.
constexpr std::string_view kReportServerId = R"(
  00 00 00 00 00 02 0a   # transaction 0, length 2, unit 10
  11                     # function 17 report server id
)";
constexpr std::string_view kReportServerIdResponse = R"(
  00 00 00 00 00 15 0a   # transaction 0, length 21, unit 10
  11                     # function 17
  12                     # byte count 18
  00                     # server id
  ff                     # run indicator on
  57 69 6e 67 70 61 74 68 20 4c 69 6d 69 74 65 64   # "Wingpath Limited"
)";
// Same capture, frame 111: function 42 (not public) and three bytes past the ADU that belong
// to no ADU.
constexpr std::string_view kFunction42WithJunk = R"(
  00 01 00 00 00 05 0a   # transaction 1, length 5, unit 10
  2a                     # function 42
  0e 04 01               # data
  01 01 23               # three bytes past the ADU
)";
// Same capture, frame 76: length 0x8804 (not Modbus; tshark waits for 34826 bytes).
constexpr std::string_view kHugeLength = R"(
  00 01 00 00 88 04 05 07 08 09 10 00
)";
// modbus/modbus-read-write-multiple-registers.pcap frames 4 and 6.
constexpr std::string_view kReadWriteRequest = R"(
  00 00 00 00 00 0d 01   # transaction 0, length 13, unit 1
  17                     # function 23 read/write multiple registers
  00 00                  # read reference 0
  00 01                  # read word count 1
  00 01                  # write reference 1
  00 01                  # write word count 1
  02                     # byte count 2
  f0 f0                  # register value
)";
constexpr std::string_view kReadWriteResponse = R"(
  00 00 00 00 00 05 01   # transaction 0, length 5, unit 1
  17                     # function 23
  02                     # byte count 2
  00 01                  # register value
)";
// modbus/modbus-encapsulated-transport.pcap frames 4 and 6: a device id request and an
// "answer" that only echoes it (tshark: [Malformed Packet]).
constexpr std::string_view kDeviceIdRequest = R"(
  00 00 00 00 00 05 01   # transaction 0, length 5, unit 1
  2b 0e                  # function 43, MEI 14
  01                     # read device id code 1 basic
  00                     # object id 0 VendorName
)";
// modbus/modbusSmall.pcap frames 4 and 6: write multiple coils.
constexpr std::string_view kWriteCoilsRequest = R"(
  00 01 00 00 00 08 01   # transaction 1, length 8, unit 1
  0f                     # function 15 write multiple coils
  00 00                  # reference 0
  00 03                  # bit count 3
  01                     # byte count 1
  00                     # coils off
)";
constexpr std::string_view kWriteCoilsResponse = R"(
  00 01 00 00 00 06 01   # transaction 1, length 6, unit 1
  0f 00 00 00 03         # function 15, reference 0, bit count 3
)";
// modbus/ModbusTCP.pcap frame 6023: write multiple registers.
constexpr std::string_view kWriteRegistersRequest = R"(
  03 0c 00 00 00 09 ff   # transaction 780, length 9, unit 255
  10                     # function 16 write multiple registers
  08 34                  # reference 2100
  00 01                  # word count 1
  02                     # byte count 2
  00 03                  # register value 3
)";
// mixed_ics/mb2_modbus_s7_enip_pn_lldp.pcap frame 365: five requests in one segment.
constexpr std::string_view kFiveRequests = R"(
  57 e0 00 00 00 06 ff 04 00 01 00 63   # 22496: read input registers 1+99
  57 e1 00 00 00 06 ff 04 00 29 00 02   # 22497: read input registers 41+2
  57 e2 00 00 00 06 ff 04 08 ab 00 16   # 22498: read input registers 2219+22
  57 e3 00 00 00 06 ff 04 08 d2 00 02   # 22499: read input registers 2258+2
  57 e4 00 00 00 06 ff 02 00 63 00 1e   # 22500: read discrete inputs 99+30
)";
// Same capture, frame 401: the five answers in one segment.
constexpr std::string_view kFiveResponses = R"(
  57 e0 00 00 00 c9 ff 04 c6   # 22496: length 201, function 4, byte count 198
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 03 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 01 dc 00 00 01 d6 00 00 4a 60 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 79 6f 61 73
    00 66 00 00 00 00 00 00 00 00 00 00 00 00 00 00 79 6f 61 73 00 66 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 79 00 61 73 00 66 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    03 84
  57 e1 00 00 00 07 ff 04 04   # 22497: byte count 4
    00 03 00 00
  57 e2 00 00 00 2f ff 04 2c   # 22498: length 47, byte count 44
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  57 e3 00 00 00 07 ff 04 04   # 22499: byte count 4
    00 00 00 00
  57 e4 00 00 00 07 ff 02 04   # 22500: function 2, byte count 4
    bd 4f 67 39
)";
// modbus/modicon_umas_test.pcap frame 4: UMAS read id (0x02).
constexpr std::string_view kUmasReadId = R"(
  00 00 00 00 00 04 00   # transaction 0, length 4, unit 0
  5a                     # function 90 UMAS
  00                     # pairing key 0 (no reservation yet)
  02                     # UMAS code 0x02 read id
)";
// Same capture, frame 6: its answer, naming the CPU.
constexpr std::string_view kUmasReadIdResponse = R"(
  00 00 00 00 00 32 00   # transaction 0, length 50, unit 0
  5a 00 fe               # function 90, pairing key 0, 0xfe ok
  10 ff                  # range
  5a 01 01 00            # ident
  00 00                  # model
  70 02 00 00 27 00 09 00   # versions
  08 00 00 00            # crash code
  00 00                  # unknown
  0e                     # name length 14
  31 34 30 20 43 50 55 20 33 31 31 20 31 30   # "140 CPU 311 10"
  01 01 01 00 00 00 00 11 00                  # memory banks
)";
// Same capture, frames 49 and 50: take PLC reservation by "USER-714E74F21B"; key 0x01.
constexpr std::string_view kUmasTakeReservation = R"(
  00 16 00 00 00 18 00   # transaction 22, length 24, unit 0
  5a 00 10               # function 90, pairing key 0, 0x10 take plc reservation
  43 4c 00 00 0f         # ?, name length 15
  55 53 45 52 2d 37 31 34 45 37 34 46 32 31 42   # "USER-714E74F21B"
)";
constexpr std::string_view kUmasTakeReservationResponse = R"(
  00 16 00 00 00 05 00 5a 00 fe   # transaction 22, length 5, function 90, key 0, ok
  01                              # the pairing key granted
)";
// Same capture, frames 76 and 77: initialize strategy download.
constexpr std::string_view kUmasInitDownload = R"(
  00 23 00 00 00 08 00 5a 01   # transaction 35, length 8, function 90, pairing key 1
  33                           # 0x33 initialize download
  00 01 fb 00                  # data
)";
constexpr std::string_view kUmasInitDownloadResponse = R"(
  00 23 00 00 00 0a 00 5a 01 fe 00 01 37 30 00 00   # transaction 35, ok
)";
// Same capture, frames 78 and 79: download block 1 and the block.
constexpr std::string_view kUmasDownloadBlock = R"(
  00 24 00 00 00 08 00 5a 01   # transaction 36, length 8, function 90, pairing key 1
  34                           # 0x34 download block
  00 01 01 00                  # block 1
)";
constexpr std::string_view kUmasDownloadBlockResponse = R"(
  00 24 00 00 00 48 00 5a 01 fe   # transaction 36, length 72, ok
  00 00 40 00 41 50 58 00 00 01 02 01 30 01 10 37 58 3d 11 b0 d5 6f 1b 06 01 00 00 00
  00 00 00 00 00 00 00 00 02 00 00 00 01 00 00 00 00 00 10 01 00 00 00 00 00 00 00 00
  0f 01 00 00 00 00 93 e0 4c c2 00 00
)";
// Same capture, frames 186 and 187: end strategy download.
constexpr std::string_view kUmasEndDownload = R"(
  00 59 00 00 00 08 00 5a 01 35 00 01 35 00   # transaction 89, key 1, 0x35 end download
)";
constexpr std::string_view kUmasEndDownloadResponse = R"(
  00 59 00 00 00 04 00 5a 01 fe               # transaction 89, ok
)";
// Constructed (the capture holds no start or stop): frame 57's keep-alive (0x12) with the
// code byte changed to 0x41 stop PLC, and its 0xfe answer from frame 58.
constexpr std::string_view kUmasStopPlc = R"(
  00 1a 00 00 00 04 00 5a 01 41   # transaction 26, key 1, 0x41 stop plc
)";
constexpr std::string_view kUmasStopPlcResponse = R"(
  00 1a 00 00 00 04 00 5a 01 fe
)";
// Constructed after Application Protocol 6.21 (no shared capture holds an answer): read
// device identification, regular objects, and the answer a Modicon M340 would give.
constexpr std::string_view kReadDeviceIdRegular = R"(
  00 07 00 00 00 05 01   # transaction 7, length 5, unit 1
  2b 0e 02 00            # function 43, MEI 14, code 2 regular, from object 0
)";
constexpr std::string_view kReadDeviceIdAnswer = R"(
  00 07 00 00 00 67 01   # transaction 7, length 103, unit 1
  2b 0e                  # function 43, MEI 14
  02                     # read device id code 2
  82                     # conformity: regular, stream and individual
  00                     # more follows: no
  00                     # next object id
  08                     # 8 objects
  00 12 53 63 68 6e 65 69 64 65 72 20 45 6c 65 63 74 72 69 63   # VendorName
  01 0a 42 4d 58 50 33 34 32 30 32 30                           # ProductCode
  02 05 76 33 2e 31 30                                          # MajorMinorRevision
  03 0a 77 77 77 2e 73 65 2e 63 6f 6d                           # VendorUrl
  04 0c 4d 6f 64 69 63 6f 6e 20 4d 33 34 30                     # ProductName
  05 0c 42 4d 58 20 50 33 34 20 32 30 32 30                     # ModelName
  06 0a 43 52 41 4e 45 5f 53 54 53 33                           # UserApplicationName
  80 02 61 62                                                   # private object 0x80
)";

// Bytes other protocols sent to port 502 in modbus/modbus-and-non-modbus-p502.pcap, and a few
// protocols that share ports with Modbus elsewhere.
constexpr std::string_view kDceRpcBind = "05 00 0b 03 10 00 00 00 48 00 00 00 01 00 00 00";
constexpr std::string_view kOncRpcCall = "80 00 00 28 7e 86 ab 4a 00 00 00 00 00 00 00 02";
constexpr std::string_view kTlsClientHello = "16 03 01 00 85 01 00 00 81 03 03 73 6f f8 18 54";
constexpr std::string_view kHttpGet = "47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a";
constexpr std::string_view kTpktCookie = "03 00 00 2b 26 e0 00 00 00 00 00 43 6f 6f 6b 69";
// The server's 9-byte reply to each of them: their first four bytes, then function 0x80.
constexpr std::string_view kServerReplyToRpc = "80 00 00 28 00 03 ab ca 01";
constexpr std::string_view kServerReplyToDce = "05 00 0b 03 00 03 00 80 01";
// EtherNet/IP List Identity (port 44818) and IEC 104 STARTDT act (port 2404).
constexpr std::string_view kEnipListIdentity = "63 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
constexpr std::string_view kIec104StartDt = "68 04 07 00 00 00";

std::vector<uint8_t> Cat(std::initializer_list<std::string_view> parts) {
  std::vector<uint8_t> out;
  for (auto p : parts) {
    auto b = Hex(p);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

const std::vector<std::string_view>& AllFixtures() {
  static const std::vector<std::string_view> kAll = {
      kReadHrRequest,
      kReadHrResponse,
      kWriteCoil,
      kForceListenOnly,
      kDiagnosticsException,
      kBusyWithTrailingByte,
      kDeviceIdRequestTrailing,
      kReportServerId,
      kReportServerIdResponse,
      kReadWriteRequest,
      kReadWriteResponse,
      kDeviceIdRequest,
      kWriteCoilsRequest,
      kWriteCoilsResponse,
      kWriteRegistersRequest,
      kUmasReadId,
      kUmasReadIdResponse,
      kUmasTakeReservation,
      kUmasTakeReservationResponse,
      kUmasInitDownload,
      kUmasInitDownloadResponse,
      kUmasDownloadBlock,
      kUmasDownloadBlockResponse,
      kUmasEndDownload,
      kUmasEndDownloadResponse,
      kUmasStopPlc,
      kUmasStopPlcResponse,
      kReadDeviceIdRegular,
      kReadDeviceIdAnswer,
  };
  return kAll;
}

modbus::Adu Framed(const std::vector<uint8_t>& bytes) {
  auto f = FrameAdu(bytes);
  EXPECT_EQ(f.status, FrameStatus::kAdu);
  EXPECT_EQ(f.size, bytes.size());
  return f.adu;
}

// --- Parser ------------------------------------------------------------------------------

TEST(ModbusParser, FramesMbapHeader) {
  auto bytes = Hex(kReadHrRequest);
  auto f = FrameAdu(bytes);
  ASSERT_EQ(f.status, FrameStatus::kAdu);
  EXPECT_EQ(f.size, 12u);
  EXPECT_EQ(f.adu.mbap.transaction, 1);
  EXPECT_EQ(f.adu.mbap.protocol, 0);
  EXPECT_EQ(f.adu.mbap.length, 6);
  EXPECT_EQ(f.adu.mbap.unit, 10);
  EXPECT_EQ(f.adu.function_byte, 3);
  EXPECT_EQ(f.adu.data.size(), 4u);
}

TEST(ModbusParser, ReadsRequestRanges) {
  auto p = ParsePdu(Framed(Hex(kReadHrRequest)), Role::kRequest);
  EXPECT_TRUE(p.well_formed);
  EXPECT_EQ(p.table, modbus::Table::kHoldingRegisters);
  EXPECT_TRUE(p.has_range);
  EXPECT_EQ(p.address, 5);
  EXPECT_EQ(p.quantity, 2);

  p = ParsePdu(Framed(Hex(kWriteCoil)), Role::kRequest);
  EXPECT_TRUE(p.well_formed);
  EXPECT_EQ(p.table, modbus::Table::kCoils);
  EXPECT_EQ(p.address, 2);
  EXPECT_EQ(p.quantity, 1);

  p = ParsePdu(Framed(Hex(kWriteCoilsRequest)), Role::kRequest);
  EXPECT_TRUE(p.well_formed);
  EXPECT_EQ(p.address, 0);
  EXPECT_EQ(p.quantity, 3);

  p = ParsePdu(Framed(Hex(kWriteRegistersRequest)), Role::kRequest);
  EXPECT_TRUE(p.well_formed);
  EXPECT_EQ(p.address, 2100);
  EXPECT_EQ(p.quantity, 1);

  p = ParsePdu(Framed(Hex(kReadWriteRequest)), Role::kRequest);
  EXPECT_TRUE(p.well_formed);
  EXPECT_EQ(p.address, 0);
  EXPECT_EQ(p.quantity, 1);
  EXPECT_TRUE(p.has_write_range);
  EXPECT_EQ(p.write_address, 1);
  EXPECT_EQ(p.write_quantity, 1);
}

TEST(ModbusParser, ReadsResponseLayouts) {
  EXPECT_TRUE(ParsePdu(Framed(Hex(kReadHrResponse)), Role::kResponse).well_formed);
  EXPECT_TRUE(ParsePdu(Framed(Hex(kReadWriteResponse)), Role::kResponse).well_formed);
  EXPECT_TRUE(ParsePdu(Framed(Hex(kReportServerIdResponse)), Role::kResponse).well_formed);
  auto p = ParsePdu(Framed(Hex(kWriteCoilsResponse)), Role::kResponse);
  EXPECT_TRUE(p.well_formed);
  EXPECT_EQ(p.address, 0);
  EXPECT_EQ(p.quantity, 3);
  // A request's layout does not fit a response of the same function.
  EXPECT_FALSE(ParsePdu(Framed(Hex(kReadHrRequest)), Role::kResponse).well_formed);
}

TEST(ModbusParser, ExceptionKeepsCodeAndFunction) {
  auto p = ParsePdu(Framed(Hex(kDiagnosticsException)), Role::kResponse);
  EXPECT_TRUE(p.exception);
  EXPECT_EQ(p.function, 8);
  EXPECT_EQ(p.exception_code, 11);
  EXPECT_TRUE(p.well_formed);
}

TEST(ModbusParser, ExceptionWithTrailingByteIsMalformedButKeepsItsCode) {
  auto p = ParsePdu(Framed(Hex(kBusyWithTrailingByte)), Role::kResponse);
  EXPECT_TRUE(p.exception);
  EXPECT_EQ(p.function, 1);
  EXPECT_EQ(p.exception_code, 6);
  EXPECT_FALSE(p.well_formed);
}

TEST(ModbusParser, DiagnosticsAndMeiSubfunctions) {
  auto p = ParsePdu(Framed(Hex(kForceListenOnly)), Role::kRequest);
  EXPECT_TRUE(p.has_subfunction);
  EXPECT_EQ(p.subfunction, 4);
  p = ParsePdu(Framed(Hex(kDeviceIdRequest)), Role::kRequest);
  EXPECT_TRUE(p.well_formed);
  EXPECT_EQ(p.subfunction, modbus::kMeiReadDeviceId);
  EXPECT_EQ(p.read_device_id_code, 1);
  EXPECT_EQ(p.device_id_object, 0);
  p = ParsePdu(Framed(Hex(kDeviceIdRequestTrailing)), Role::kRequest);
  EXPECT_FALSE(p.well_formed);
  EXPECT_EQ(p.read_device_id_code, 3);
  // The echo frame 6 of modbus-encapsulated-transport.pcap is too short for an answer.
  EXPECT_FALSE(ParsePdu(Framed(Hex(kDeviceIdRequest)), Role::kResponse).well_formed);
}

TEST(ModbusParser, DeviceIdAnswerObjects) {
  auto bytes = Hex(kReadDeviceIdAnswer);  // the payload below views these bytes
  auto p = ParsePdu(Framed(bytes), Role::kResponse);
  ASSERT_TRUE(p.well_formed);
  modbus::DeviceIdResponse answer;
  ASSERT_TRUE(modbus::ParseDeviceIdResponse(p.payload, answer));
  EXPECT_EQ(answer.read_code, 2);
  EXPECT_EQ(answer.conformity_level, 0x82);
  EXPECT_EQ(answer.object_count, 8);
  ASSERT_EQ(answer.objects_read, 8u);
  EXPECT_EQ(answer.objects[0].id, 0);
  EXPECT_EQ(answer.objects[0].value.size(), 18u);
  EXPECT_EQ(answer.objects[7].id, 0x80);
  EXPECT_FALSE(answer.capped);
  // The last object claiming one byte more than the PDU holds makes the answer malformed.
  bytes[bytes.size() - 3] = 3;
  EXPECT_FALSE(ParsePdu(Framed(bytes), Role::kResponse).well_formed);
}

TEST(ModbusParser, DeviceIdObjectCapIsNamed) {
  // 40 empty objects: more than kMaxDeviceIdObjects.
  std::vector<uint8_t> payload = {0x03, 0x83, 0x00, 0x00, 40};
  for (uint8_t i = 0; i < 40; ++i) {
    payload.push_back(static_cast<uint8_t>(0x80 + i));
    payload.push_back(0);
  }
  modbus::DeviceIdResponse answer;
  EXPECT_TRUE(modbus::ParseDeviceIdResponse(payload, answer));
  EXPECT_TRUE(answer.capped);
  EXPECT_EQ(answer.objects_read, modbus::kMaxDeviceIdObjects);
}

TEST(ModbusParser, UmasHeaderAndReadIdName) {
  auto p = ParsePdu(Framed(Hex(kUmasTakeReservation)), Role::kRequest);
  EXPECT_EQ(p.function, 90);
  EXPECT_EQ(p.umas_pairing_key, 0);
  EXPECT_EQ(p.subfunction, 0x10);
  auto answer = Hex(kUmasReadIdResponse);  // the payload below views these bytes
  p = ParsePdu(Framed(answer), Role::kResponse);
  EXPECT_EQ(p.subfunction, modbus::kUmasResponseOk);
  auto name = modbus::UmasReadIdName(p.payload);
  EXPECT_EQ(std::string(name.begin(), name.end()), "140 CPU 311 10");
}

TEST(ModbusParser, RejectsHeadersAsSoonAsTheyShow) {
  auto dce = Hex(kDceRpcBind);
  EXPECT_EQ(FrameAdu(std::span(dce).first(4)).status, FrameStatus::kBadProtocolId);
  EXPECT_EQ(FrameAdu(std::span(dce).first(3)).status, FrameStatus::kNeedMore);
  EXPECT_EQ(FrameAdu(Hex(kHugeLength)).status, FrameStatus::kBadLength);
  EXPECT_EQ(FrameAdu(Hex("00 01 00 00 00 01 0a")).status, FrameStatus::kBadLength);
  EXPECT_EQ(FrameAdu(Hex(kEnipListIdentity)).status, FrameStatus::kBadLength);
  // The spec's 254 plus UMAS's overshoot is accepted; 261 is not.
  EXPECT_EQ(FrameAdu(Hex("00 01 00 00 01 04 0a")).status, FrameStatus::kNeedMore);
  EXPECT_EQ(FrameAdu(Hex("00 01 00 00 01 05 0a")).status, FrameStatus::kBadLength);
}

TEST(ModbusParser, EveryTruncatedPrefixNeedsMore) {
  for (auto fixture : AllFixtures()) {
    auto bytes = Hex(fixture);
    auto whole = FrameAdu(bytes);
    ASSERT_EQ(whole.status, FrameStatus::kAdu) << fixture;
    testing::ForEachPrefix(bytes, [&](std::span<const uint8_t> prefix) {
      auto f = FrameAdu(prefix);
      EXPECT_EQ(f.status, FrameStatus::kNeedMore) << fixture << " prefix " << prefix.size();
      EXPECT_GT(f.size, prefix.size());
      EXPECT_LE(f.size, bytes.size());
    });
    // Every prefix of the PDU data, read either way, stays within its bytes.
    testing::ForEachPrefix(whole.adu.data, [&](std::span<const uint8_t> data) {
      modbus::Adu cut = whole.adu;
      cut.data = data;
      for (Role role : {Role::kRequest, Role::kResponse}) {
        auto p = ParsePdu(cut, role);
        EXPECT_LE(p.payload.size(), data.size());
        modbus::DeviceIdResponse answer;
        modbus::ParseDeviceIdResponse(p.payload, answer);
        EXPECT_LE(modbus::UmasReadIdName(p.payload).size(), data.size());
      }
    });
  }
  // A device id answer cut anywhere does not parse.
  auto answer_bytes = Hex(kReadDeviceIdAnswer);
  auto answer = ParsePdu(Framed(answer_bytes), Role::kResponse).payload;
  testing::ForEachPrefix(answer, [&](std::span<const uint8_t> prefix) {
    modbus::DeviceIdResponse out;
    EXPECT_FALSE(modbus::ParseDeviceIdResponse(prefix, out)) << prefix.size();
  });
}

TEST(ModbusParser, NamesAndCategoriesFollowTheIssue) {
  using modbus::FunctionCategory;
  using modbus::FunctionName;
  for (int f : {1, 2, 3, 4, 20, 24}) {
    EXPECT_EQ(FunctionCategory(static_cast<uint8_t>(f), false, 0), IcsCategory::kRead) << f;
  }
  for (int f : {5, 6, 15, 16, 21, 22, 23}) {
    EXPECT_EQ(FunctionCategory(static_cast<uint8_t>(f), false, 0), IcsCategory::kWrite) << f;
  }
  for (int f : {7, 8, 11, 12, 17}) {
    EXPECT_EQ(FunctionCategory(static_cast<uint8_t>(f), false, 0), IcsCategory::kDiagnostic) << f;
  }
  EXPECT_EQ(FunctionCategory(43, true, 14), IcsCategory::kIdentity);
  EXPECT_STREQ(FunctionName(43, true, 14), "read-device-identification");
  EXPECT_STREQ(FunctionName(43, true, 13), "canopen-general-reference");
  EXPECT_STREQ(FunctionName(3, false, 0), "read-holding-registers");
  EXPECT_STREQ(FunctionName(23, false, 0), "read-write-multiple-registers");
  EXPECT_STREQ(FunctionName(100, false, 0), "user-defined");
  EXPECT_STREQ(FunctionName(42, false, 0), "unknown");
  EXPECT_EQ(FunctionCategory(42, false, 0), IcsCategory::kOther);
  // UMAS: program transfer, controller state, session, identity.
  for (int u : {0x30, 0x31, 0x32, 0x33, 0x34, 0x35}) {
    EXPECT_EQ(FunctionCategory(90, true, static_cast<uint16_t>(u)), IcsCategory::kProgramChange)
        << u;
  }
  EXPECT_EQ(FunctionCategory(90, true, 0x40), IcsCategory::kControllerState);
  EXPECT_EQ(FunctionCategory(90, true, 0x41), IcsCategory::kControllerState);
  EXPECT_EQ(FunctionCategory(90, true, 0x10), IcsCategory::kSession);
  EXPECT_EQ(FunctionCategory(90, true, 0x11), IcsCategory::kSession);
  EXPECT_EQ(FunctionCategory(90, true, 0x02), IcsCategory::kIdentity);
  EXPECT_EQ(FunctionCategory(90, true, 0x23), IcsCategory::kWrite);
  EXPECT_EQ(FunctionCategory(90, true, 0x24), IcsCategory::kRead);
  EXPECT_EQ(FunctionCategory(90, true, 0x25), IcsCategory::kWrite);
  EXPECT_EQ(FunctionCategory(90, true, 0x58), IcsCategory::kDiagnostic);
  EXPECT_STREQ(FunctionName(90, true, 0x41), "umas-stop-plc");
  EXPECT_STREQ(FunctionName(90, true, 0x99), "umas");
  EXPECT_EQ(FunctionCategory(90, true, 0x99), IcsCategory::kOther);
  EXPECT_STREQ(modbus::ExceptionName(2), "illegal-data-address");
  EXPECT_EQ(modbus::ExceptionName(7), nullptr);
}

// --- Probe -------------------------------------------------------------------------------

TEST(ModbusProbe, AcceptsRequestsAndResponses) {
  using modbus::Probe;
  auto dir = flow::Direction::kFromInitiator;
  for (auto fixture : AllFixtures()) {
    EXPECT_EQ(Probe(dir, Hex(fixture)), ProbeResult::kYes) << fixture;
  }
  EXPECT_EQ(Probe(dir, Hex(kFiveRequests)), ProbeResult::kYes);
  EXPECT_EQ(Probe(dir, Hex(kFiveResponses)), ProbeResult::kYes);
  // One whole ADU and the start of the next (test_data frame 111) is enough.
  EXPECT_EQ(Probe(dir, Hex(kFunction42WithJunk)), ProbeResult::kYes);
}

TEST(ModbusProbe, WaitsWhileTheFirstAduIsIncomplete) {
  auto bytes = Hex(kFiveResponses);
  auto first = FrameAdu(bytes).size;
  testing::ForEachPrefix(std::span(bytes).first(first), [](std::span<const uint8_t> prefix) {
    EXPECT_EQ(modbus::Probe(flow::Direction::kFromResponder, prefix), ProbeResult::kMaybe)
        << prefix.size();
  });
}

TEST(ModbusProbe, FunctionZeroNeitherConfirmsNorRefuses) {
  // A scanner walking the function codes from 0 (modbus_test_data_part2 of EmreEkin's
  // ICS-Pcaps) and the server's exception 0x80: Modbus, once a real function follows.
  auto dir = flow::Direction::kFromInitiator;
  const char* kFunction0 = "00 00 00 00 00 06 01 00 00 00 00 00";
  const char* kFunction1 = "00 00 00 00 00 06 01 01 00 00 00 00";
  EXPECT_EQ(modbus::Probe(dir, Hex(kFunction0)), ProbeResult::kMaybe);
  EXPECT_EQ(modbus::Probe(dir, Cat({kFunction0, kFunction1})), ProbeResult::kYes);
  EXPECT_EQ(modbus::Probe(flow::Direction::kFromResponder, Hex("00 00 00 00 00 03 01 80 01")),
            ProbeResult::kMaybe);
  // Zeros that frame no ADU still refuse.
  EXPECT_EQ(modbus::Probe(dir, Hex("00 00 00 00 00 00")), ProbeResult::kNo);
}

TEST(ModbusProbe, RejectsOtherProtocolsOnPort502) {
  auto dir = flow::Direction::kFromInitiator;
  for (auto other :
       {kDceRpcBind, kOncRpcCall, kTlsClientHello, kHttpGet, kTpktCookie, kServerReplyToRpc,
        kServerReplyToDce, kEnipListIdentity, kIec104StartDt, kHugeLength}) {
    EXPECT_EQ(modbus::Probe(dir, Hex(other)), ProbeResult::kNo) << other;
  }
  // A valid ADU followed by something else.
  EXPECT_EQ(modbus::Probe(dir, Cat({kReadHrRequest, kHttpGet})), ProbeResult::kNo);
}

// --- Dissector ---------------------------------------------------------------------------

class ModbusDissectorTest : public ::testing::Test {
 protected:
  StreamHarness h{Registered("modbus")};
};

TEST_F(ModbusDissectorTest, PairsRequestWithResponse) {
  h.Request(Hex(kReadHrRequest), 57);
  h.Response(Hex(kReadHrResponse), 58);
  EXPECT_STREQ(h.Protocol(), "modbus");
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[0].code, 3u);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kRequest);
  EXPECT_EQ(h.sink.pdus[0].frame, 57u);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  EXPECT_FALSE(h.sink.pdus[1].exception);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const IcsOperation& op = h.sink.ops[0];
  EXPECT_STREQ(op.protocol, "modbus");
  EXPECT_EQ(op.function_code, 3u);
  EXPECT_STREQ(op.function, "read-holding-registers");
  EXPECT_EQ(op.category, IcsCategory::kRead);
  EXPECT_EQ(op.target.view(), "unit 10 hr 5+2");
  EXPECT_EQ(op.result.view(), "ok");
  EXPECT_EQ(op.request_frame, 57u);
  EXPECT_EQ(op.response_frame, 58u);
  EXPECT_EQ(op.ts.ns, 57'000'000);
  EXPECT_EQ(op.where.requester_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(op.where.device_ip.ToString(), "10.0.0.2");
  EXPECT_EQ(op.where.device_port, 502);
  EXPECT_TRUE(h.anomalies.empty());
  h.End();
  EXPECT_EQ(h.sink.ops.size(), 1u);
}

// A poll loop over more ranges than the target cache keeps, in three rounds: every
// operation names its own unit, table and range, whether its text was made or reused.
TEST_F(ModbusDissectorTest, APollLoopNamesEveryRangeAcrossRounds) {
  auto u16 = [](std::vector<uint8_t>& v, unsigned x) {
    v.push_back(static_cast<uint8_t>(x >> 8));
    v.push_back(static_cast<uint8_t>(x));
  };
  uint16_t tid = 0;
  uint64_t frame = 0;
  std::vector<std::string> expected;
  for (int round = 0; round < 3; ++round) {
    for (unsigned i = 0; i < 12; ++i) {
      const uint8_t unit = static_cast<uint8_t>(1 + i % 3);
      const uint8_t function = i % 2 ? 3 : 4;
      const unsigned address = 100 * i, quantity = 1 + i;
      std::vector<uint8_t> req, rsp;
      u16(req, ++tid);
      u16(req, 0);
      u16(req, 6);
      req.insert(req.end(), {unit, function});
      u16(req, address);
      u16(req, quantity);
      u16(rsp, tid);
      u16(rsp, 0);
      u16(rsp, 3 + 2 * quantity);
      rsp.insert(rsp.end(), {unit, function, static_cast<uint8_t>(2 * quantity)});
      rsp.insert(rsp.end(), 2 * quantity, static_cast<uint8_t>(round));
      h.Request(req, ++frame);
      h.Response(rsp, ++frame);
      expected.push_back("unit " + std::to_string(unit) + (function == 3 ? " hr " : " ir ") +
                         std::to_string(address) + "+" + std::to_string(quantity));
    }
  }
  ASSERT_EQ(h.sink.ops.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(h.sink.ops[i].target.view(), expected[i]) << "operation " << i;
    EXPECT_EQ(h.sink.ops[i].result.view(), "ok");
  }
}

TEST_F(ModbusDissectorTest, WritesAndTheirTargets) {
  h.Request(Hex(kWriteCoil), 60);
  h.Response(Hex(kWriteCoil), 61);
  h.Request(Hex(kWriteRegistersRequest), 62);
  h.Request(Hex(kReadWriteRequest), 63);
  h.Response(Hex(kReadWriteResponse), 64);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 3u);
  EXPECT_STREQ(h.sink.ops[0].function, "write-single-coil");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kWrite);
  EXPECT_EQ(h.sink.ops[0].target.view(), "unit 10 coils 2+1");
  EXPECT_STREQ(h.sink.ops[1].function, "read-write-multiple-registers");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kWrite);
  EXPECT_EQ(h.sink.ops[1].target.view(), "unit 1 hr 0+1, write hr 1+1");
  EXPECT_EQ(h.sink.ops[1].result.view(), "ok");
  // Unanswered at the end: empty result, no response frame.
  EXPECT_STREQ(h.sink.ops[2].function, "write-multiple-registers");
  EXPECT_EQ(h.sink.ops[2].target.view(), "unit 255 hr 2100+1");
  EXPECT_TRUE(h.sink.ops[2].result.empty());
  EXPECT_EQ(h.sink.ops[2].request_frame, 62u);
  EXPECT_EQ(h.sink.ops[2].response_frame, 0u);
}

TEST_F(ModbusDissectorTest, ExceptionKeyedWithItsBit) {
  h.Request(Hex(kForceListenOnly), 8);
  h.Response(Hex(kDiagnosticsException), 9);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[0].code, 8u);
  EXPECT_EQ(h.sink.pdus[1].code, 136u);
  EXPECT_TRUE(h.sink.pdus[1].exception);
  // Only the request carries a sub-function; the exception does not.
  ASSERT_EQ(h.sink.details.size(), 1u);
  EXPECT_STREQ(h.sink.details[0].histogram, "diagnostics");
  EXPECT_EQ(h.sink.details[0].code, 4u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].function_code, 8u);
  EXPECT_STREQ(h.sink.ops[0].function, "diagnostics");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kDiagnostic);
  EXPECT_EQ(h.sink.ops[0].target.view(), "unit 10 sub 4 force-listen-only-mode");
  EXPECT_EQ(h.sink.ops[0].result.view(), "exception 11 gateway-target-failed-to-respond");
}

TEST_F(ModbusDissectorTest, SeveralAdusInOneSegment) {
  h.Request(Hex(kFiveRequests), 365);
  h.Response(Hex(kFiveResponses), 401);
  ASSERT_EQ(h.sink.pdus.size(), 10u);
  ASSERT_EQ(h.sink.ops.size(), 5u);
  const char* targets[] = {"unit 255 ir 1+99", "unit 255 ir 41+2", "unit 255 ir 2219+22",
                           "unit 255 ir 2258+2", "unit 255 di 99+30"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(h.sink.ops[i].target.view(), targets[i]);
    EXPECT_EQ(h.sink.ops[i].request_frame, 365u);
    EXPECT_EQ(h.sink.ops[i].response_frame, 401u);
    EXPECT_EQ(h.sink.ops[i].seq, i);
    EXPECT_EQ(h.sink.ops[i].result.view(), "ok");
  }
  EXPECT_TRUE(h.anomalies.empty());
}

TEST_F(ModbusDissectorTest, OneAduSplitAcrossSegments) {
  auto requests = Hex(kFiveRequests);
  auto responses = Hex(kFiveResponses);
  h.SendInChunks(flow::Direction::kFromInitiator, requests, 1, 365);
  h.SendInChunks(flow::Direction::kFromResponder, responses, 7, 401);
  ASSERT_EQ(h.sink.pdus.size(), 10u);
  ASSERT_EQ(h.sink.ops.size(), 5u);
  EXPECT_EQ(h.sink.ops[4].target.view(), "unit 255 di 99+30");
  EXPECT_TRUE(h.anomalies.empty());
}

TEST_F(ModbusDissectorTest, EveryPrefixYieldsNothing) {
  for (auto fixture : AllFixtures()) {
    auto bytes = Hex(fixture);
    testing::ForEachPrefix(bytes, [&](std::span<const uint8_t> prefix) {
      StreamHarness one(Registered("modbus"));
      one.Request(prefix, 1);
      one.End();
      EXPECT_TRUE(one.sink.pdus.empty()) << fixture << " prefix " << prefix.size();
      EXPECT_TRUE(one.sink.ops.empty());
    });
  }
}

TEST_F(ModbusDissectorTest, ResponseWithoutRequest) {
  h.Response(Hex(kBusyWithTrailingByte), 91);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const IcsOperation& op = h.sink.ops[0];
  EXPECT_EQ(op.request_frame, 0u);
  EXPECT_EQ(op.response_frame, 91u);
  EXPECT_STREQ(op.function, "read-coils");
  EXPECT_EQ(op.target.view(), "unit 10");
  EXPECT_EQ(op.result.view(), "exception 6 server-device-busy");
  EXPECT_EQ(op.where.device_ip.ToString(), "10.0.0.2");
  EXPECT_EQ(h.sink.pdus[0].code, 129u);
  EXPECT_EQ(h.anomalies.Count("modbus.malformed_pdu"), 1u);
}

TEST_F(ModbusDissectorTest, TransactionIdReuseReportsTheFirstUnanswered) {
  h.Request(Hex(kReportServerId), 40);
  h.Request(Hex(kReportServerId), 43);
  h.Response(Hex(kReportServerIdResponse), 44);
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 40u);
  EXPECT_TRUE(h.sink.ops[0].result.empty());
  EXPECT_EQ(h.sink.ops[1].request_frame, 43u);
  EXPECT_EQ(h.sink.ops[1].response_frame, 44u);
  EXPECT_STREQ(h.sink.ops[1].function, "report-server-id");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kDiagnostic);
  EXPECT_EQ(h.anomalies.Count("modbus.unanswered_overflow"), 0u);
}

TEST_F(ModbusDissectorTest, FullTableReportsTheOldestUnanswered) {
  auto request = Hex(kReadHrRequest);
  for (uint16_t t = 0; t <= modbus::kMaxPendingRequests; ++t) {
    request[0] = static_cast<uint8_t>(t >> 8);
    request[1] = static_cast<uint8_t>(t);
    h.Request(request, 100 + t);
  }
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 100u);
  EXPECT_EQ(h.anomalies.Count("modbus.unanswered_overflow"), 1u);
  h.End();
  EXPECT_EQ(h.sink.ops.size(), modbus::kMaxPendingRequests + 1);
}

TEST_F(ModbusDissectorTest, FunctionMismatchDoesNotPair) {
  h.Request(Hex(kWriteCoilsRequest), 4);  // transaction 1, function 15
  h.Response(Hex(kReadHrResponse), 5);    // transaction 1, function 3
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_STREQ(h.sink.ops[0].function, "write-multiple-coils");
  EXPECT_TRUE(h.sink.ops[0].result.empty());
  EXPECT_STREQ(h.sink.ops[1].function, "read-holding-registers");
  EXPECT_EQ(h.sink.ops[1].request_frame, 0u);
  EXPECT_EQ(h.anomalies.Count("modbus.function_mismatch"), 1u);
}

TEST_F(ModbusDissectorTest, JunkAfterAnAduIsSkippedUntilTheNextSegment) {
  // test_data frames 111 and 113: an ADU with three stray bytes, then the same segment again.
  h.Response(Hex(kFunction42WithJunk), 111);
  h.Response(Hex(kFunction42WithJunk), 113);
  h.Response(Hex(kReadHrResponse), 115);
  // tshark too reads frame 113 as the continuation of the stray bytes, not as Modbus.
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[0].code, 42u);
  EXPECT_EQ(h.sink.pdus[1].frame, 115u);
  EXPECT_EQ(h.anomalies.Count("modbus.bad_protocol_id"), 1u);
  EXPECT_EQ(h.anomalies.Count("modbus.resync_skipped"), 1u);
  EXPECT_STREQ(h.Protocol(), "modbus");
  EXPECT_EQ(h.stats.detached, 0u);
}

TEST_F(ModbusDissectorTest, GapResynchronisesAtTheNextSegment) {
  auto responses = Hex(kFiveResponses);
  h.Request(Hex(kFiveRequests), 365);
  // The first 100 bytes of the answers are lost; the rest of that segment is mid-ADU.
  h.Gap(flow::Direction::kFromResponder, 100);
  h.Response(std::span(responses).subspan(100), 401);
  EXPECT_EQ(h.anomalies.Count("modbus.resync_skipped"), 1u);
  EXPECT_EQ(h.anomalies.Count("modbus.bad_length") + h.anomalies.Count("modbus.bad_protocol_id"),
            0u);
  // The next segment starts with an ADU again: answer 22500 (the fifth ADU).
  auto fifth = Hex("57 e4 00 00 00 07 ff 02 04 bd 4f 67 39");
  h.Response(fifth, 402);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "unit 255 di 99+30");
  EXPECT_EQ(h.sink.ops[0].response_frame, 402u);
  h.End();
  EXPECT_EQ(h.sink.ops.size(), 5u);  // four answers never came
  EXPECT_EQ(h.stats.detached, 0u);
}

TEST_F(ModbusDissectorTest, GapResumingOnZeroesIsNotTakenForAnAdu) {
  h.Request(Hex(kReadHrRequest), 57);
  h.Gap(flow::Direction::kFromResponder, 50);
  // Register data of zeros: protocol 0 and a plausible length, but function 0.
  h.Response(Hex("00 05 00 00 00 06 0a 00 00 00 00 00"), 58);
  EXPECT_EQ(h.sink.pdus.size(), 1u);
  EXPECT_EQ(h.anomalies.Count("modbus.resync_skipped"), 1u);
  EXPECT_EQ(h.anomalies.Count("modbus.function_zero"), 0u);
  h.Response(Hex(kReadHrResponse), 59);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 59u);
}

TEST_F(ModbusDissectorTest, BytesThatStayOtherThanModbusDetach) {
  h.Request(Hex(kReadHrRequest), 1);
  for (uint64_t i = 0; i < modbus::kMaxBadRuns; ++i) h.Request(Hex(kHttpGet), 2 + i);
  EXPECT_EQ(h.stats.detached, 1u);
  EXPECT_EQ(h.anomalies.Count("dissect.protocol_violation"), 1u);
  // Detaching ends the dissector: the request is reported unanswered.
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_TRUE(h.sink.ops[0].result.empty());
}

TEST_F(ModbusDissectorTest, MalformedDeviceIdEchoGivesNoIdentity) {
  h.Request(Hex(kDeviceIdRequest), 4);
  h.Response(Hex(kDeviceIdRequest), 6);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "read-device-identification");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kIdentity);
  EXPECT_EQ(h.sink.ops[0].target.view(), "unit 1 device-id code 1 object 0");
  EXPECT_EQ(h.sink.ops[0].result.view(), "malformed");
  EXPECT_TRUE(h.sink.identities.empty());
  EXPECT_EQ(h.anomalies.Count("modbus.malformed_pdu"), 1u);
}

TEST_F(ModbusDissectorTest, ReadDeviceIdentificationFillsIdentity) {
  h.Request(Hex(kReadDeviceIdRegular), 1);
  h.Response(Hex(kReadDeviceIdAnswer), 2);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "unit 1 device-id code 2 object 0");
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
  ASSERT_EQ(h.sink.identities.size(), 1u);
  const DeviceIdentity& id = h.sink.identities[0];
  EXPECT_STREQ(id.protocol, "modbus");
  EXPECT_EQ(id.frame, 2u);
  EXPECT_EQ(id.ip.ToString(), "10.0.0.2");
  EXPECT_EQ(id.mac.ToString(), "02:00:00:00:00:02");
  EXPECT_EQ(id.fields.size(), 7u);  // the private object is not an identity field
  EXPECT_EQ(h.sink.Identity("vendor"), "Schneider Electric");
  EXPECT_EQ(h.sink.Identity("product_code"), "BMXP342020");
  EXPECT_EQ(h.sink.Identity("firmware"), "v3.10");
  EXPECT_EQ(h.sink.Identity("vendor_url"), "www.se.com");
  EXPECT_EQ(h.sink.Identity("product"), "Modicon M340");
  EXPECT_EQ(h.sink.Identity("model"), "BMX P34 2020");
  EXPECT_EQ(h.sink.Identity("name"), "CRANE_STS3");
  ASSERT_EQ(h.sink.details.size(), 2u);
  EXPECT_STREQ(h.sink.details[1].histogram, "mei");
  EXPECT_EQ(h.sink.details[1].code, 14u);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST_F(ModbusDissectorTest, UmasReadIdRevealsTheCpu) {
  h.Request(Hex(kUmasReadId), 4);
  h.Response(Hex(kUmasReadIdResponse), 6);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].function_code, 90u);
  EXPECT_STREQ(h.sink.ops[0].function, "umas-read-id");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kIdentity);
  EXPECT_EQ(h.sink.ops[0].target.view(), "unit 0 umas 0x02");
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_EQ(h.sink.Identity("model"), "140 CPU 311 10");
  EXPECT_EQ(h.sink.Identity("vendor"), "Schneider Electric");
}

TEST_F(ModbusDissectorTest, UmasProgramModeAndSessionAreClassified) {
  h.Request(Hex(kUmasTakeReservation), 49);
  h.Response(Hex(kUmasTakeReservationResponse), 50);
  h.Request(Hex(kUmasInitDownload), 76);
  h.Response(Hex(kUmasInitDownloadResponse), 77);
  h.Request(Hex(kUmasDownloadBlock), 78);
  h.Response(Hex(kUmasDownloadBlockResponse), 79);
  h.Request(Hex(kUmasEndDownload), 186);
  h.Response(Hex(kUmasEndDownloadResponse), 187);
  h.Request(Hex(kUmasStopPlc), 200);
  h.Response(Hex(kUmasStopPlcResponse), 201);
  ASSERT_EQ(h.sink.ops.size(), 5u);
  EXPECT_STREQ(h.sink.ops[0].function, "umas-take-plc-reservation");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kSession);
  EXPECT_STREQ(h.sink.ops[1].function, "umas-initialize-download");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kProgramChange);
  EXPECT_STREQ(h.sink.ops[2].function, "umas-download-block");
  EXPECT_EQ(h.sink.ops[2].category, IcsCategory::kProgramChange);
  EXPECT_STREQ(h.sink.ops[3].function, "umas-end-strategy-download");
  EXPECT_EQ(h.sink.ops[3].category, IcsCategory::kProgramChange);
  EXPECT_STREQ(h.sink.ops[4].function, "umas-stop-plc");
  EXPECT_EQ(h.sink.ops[4].category, IcsCategory::kControllerState);
  EXPECT_EQ(h.sink.ops[4].target.view(), "unit 0 umas 0x41");
  for (const auto& op : h.sink.ops) EXPECT_EQ(op.result.view(), "ok");
  // Function 90 under its own code both ways; the UMAS byte in a histogram of its own.
  ASSERT_EQ(h.sink.pdus.size(), 10u);
  for (const auto& p : h.sink.pdus) EXPECT_EQ(p.code, 90u);
  ASSERT_EQ(h.sink.details.size(), 10u);
  EXPECT_STREQ(h.sink.details[0].histogram, "umas");
  EXPECT_EQ(h.sink.details[0].code, 0x10u);
  EXPECT_EQ(h.sink.details[1].code, 0xfeu);
  EXPECT_EQ(h.sink.details[8].code, 0x41u);
  EXPECT_TRUE(h.anomalies.empty());
}

}  // namespace
}  // namespace qw::dissect
