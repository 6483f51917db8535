// Tests of the PROFINET frame dissector: real frames of the shared captures (the bytes after
// the EtherType, annotated field by field as tshark 4.0.17 dissects them), made-up PDUs for
// what the captures lack (hello, get, errors, resets), malformed and truncated frames.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture/frame.h"
#include "decode/decoder.h"
#include "dissect/profinet/profinet_dissector.h"
#include "dissect/profinet/profinet_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using profinet::DissectProfinet;
using testing::ForEachPrefix;
using testing::Hex;
using testing::RecordingSink;

const core::MacAddr kController = *core::MacAddr::Parse("00:0c:29:ba:09:ea");
const core::MacAddr kDevice = *core::MacAddr::Parse("08:00:06:93:cf:32");
const core::MacAddr kDcpMulticast = *core::MacAddr::Parse("01:0e:cf:00:00:00");

// profinet/ChangeIPUsingDCP.pcap frame 1: identify request, unicast to the device.
constexpr std::string_view kIdentifyAll = R"(
  fe fe         # FrameID 0xfefe: DCP identify (multicast) request
  05            # ServiceID 5 Identify
  00            # ServiceType 0 Request
  01 00 00 01   # Xid 0x01000001
  00 01         # ResponseDelay 1
  00 04         # DCPDataLength 4
  ff ff 00 00   # block: All Selector (255/255), DCPBlockLength 0
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                # Ethernet padding
)";

// profinet/ChangeIPUsingDCP.pcap frame 2: the device's identify response.
constexpr std::string_view kIdentifyResponse = R"(
  fe ff         # FrameID 0xfeff: DCP identify response
  05 01         # ServiceID 5 Identify, ServiceType 1 Response Success
  01 00 00 01   # Xid 0x01000001
  00 00         # Reserved
  00 5e         # DCPDataLength 94
  02 05 00 1c   # Device/Device Options, DCPBlockLength 28
    00 00       #   BlockInfo 0
    01 01 01 02 02 01 02 02 02 03 02 04 02 05 03 3d 05 01 05 02 05 03 05 04 ff ff
                #   13 option/suboption pairs
  02 01 00 05   # Device/Manufacturer specific (DeviceVendorValue), length 5
    00 00       #   BlockInfo 0
    49 4e 43    #   "INC"
    00          # padding to even
  02 02 00 0b   # Device/NameOfStation, length 11
    00 00       #   BlockInfo 0
    58 32 30 38 2d 42 4f 52 44   # "X208-BORD"
    00          # padding
  02 03 00 06   # Device/Device ID, length 6
    00 00       #   BlockInfo 0
    00 2a 0a 01 #   VendorID 0x002a, DeviceID 0x0a01
  02 04 00 04   # Device/Device Role, length 4
    00 00       #   BlockInfo 0
    01 00       #   DeviceRoleDetails 0x01 IO-Device, reserved
  01 02 00 0e   # IP/IP parameter, length 14
    00 01       #   BlockInfo 1 (IP set)
    c0 a8 00 06 #   IPaddress 192.168.0.6
    ff ff ff 00 #   Subnetmask 255.255.255.0
    c0 a8 00 01 #   StandardGateway 192.168.0.1
)";

// profinet/ChangeIPUsingDCP.pcap frame 3: set request of a new IP address.
constexpr std::string_view kSetIp = R"(
  fe fd         # FrameID 0xfefd: DCP get/set
  04 00         # ServiceID 4 Set, ServiceType 0 Request
  01 00 00 01   # Xid 0x01000001
  00 00         # Reserved
  00 12         # DCPDataLength 18
  01 02 00 0e   # IP/IP parameter, length 14
    00 01       #   BlockQualifier 1 (save the value permanent)
    c0 a8 00 0a #   IPaddress 192.168.0.10
    ff ff ff 00 #   Subnetmask 255.255.255.0
    c0 a8 00 01 #   StandardGateway 192.168.0.1
  00 00 00 00 00 00 00 00 00 00 00 00   # Ethernet padding
)";

// profinet/ChangeIPUsingDCP.pcap frame 4: the set response.
constexpr std::string_view kSetResponse = R"(
  fe fd         # FrameID 0xfefd
  04 01         # ServiceID 4 Set, ServiceType 1 Response Success
  01 00 00 01   # Xid 0x01000001
  00 00         # Reserved
  00 08         # DCPDataLength 8
  05 04 00 03   # Control/Response, length 3
    01 02       #   answers IP/IP parameter
    00          #   BlockError 0 Ok
    00          # padding
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                # Ethernet padding
)";

// profinet/PROFINET-RT.pcap frame 1: identify request filtered by NameOfStation.
constexpr std::string_view kIdentifyByName = R"(
  fe fe         # FrameID 0xfefe
  05 00         # Identify Request
  03 00 bf 9a   # Xid 0x0300bf9a
  00 01         # ResponseDelay 1
  00 0c         # DCPDataLength 12
  02 02 00 07   # Device/NameOfStation filter, length 7 (no BlockInfo in a request)
    73 77 69 74 63 68 33   # "switch3"
    00          # padding
  69 65 6d 65 6e 73 2c 20 53 49 4d 41 54 49 00 00 00 00
                # stale buffer bytes after the PDU ("iemens, SIMATI")
)";

// profinet/profinet_io_cm_mixed_1.pcap frame 466: identify response of a GE VersaMax.
constexpr std::string_view kVersamaxResponse = R"(
  fe ff 05 01   # identify response, Response Success
  00 00 00 01   # Xid 0x00000001
  00 00 00 64   # Reserved, DCPDataLength 100
  02 02 00 10 00 00   # Device/NameOfStation, length 16, BlockInfo 0
    76 65 72 73 61 6d 61 78 2d 70 6e 73 31 31   # "versamax-pns11"
  02 05 00 0e 00 00   # Device/Device Options, length 14, BlockInfo 0
    01 02 02 01 02 02 02 03 02 04 06 01   # 6 option pairs
  02 01 00 0d 00 00   # Device/DeviceVendorValue, length 13, BlockInfo 0
    49 43 32 30 30 50 4e 53 30 30 31 00   # "IC200PNS001" (odd length) + padding
  02 03 00 06 00 00   # Device/Device ID, length 6
    01 5a 00 03       #   VendorID 0x015a, DeviceID 0x0003
  02 04 00 04 00 00   # Device/Device Role
    01 00             #   IO-Device
  01 02 00 0e 00 01   # IP/IP parameter, BlockInfo 1 IP set
    c0 a8 01 02 ff ff ff 00 c0 a8 01 02   # 192.168.1.2/255.255.255.0 gw 192.168.1.2
  06 01 00 04 00 00   # DeviceInitiative, length 4, BlockInfo 0
    00 01             #   issues a Hello after power on
)";

// profinet/profinet_io_cm_mixed_1.pcap frame 495: cyclic RT_CLASS_1 data.
constexpr std::string_view kCyclic = R"(
  c0 00         # FrameID 0xc000: RTC1 (legacy), cyclic
  80 00 00 80 80 80 00 00 00 00 80 00 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00   # IO data
  c6 e0         # CycleCounter 50912
  35            # DataStatus 0x35
  00            # TransferStatus 0
)";

// profinet/profinet_io_cm_mixed_1.pcap frame 584: alarm low (an RTA error PDU).
constexpr std::string_view kAlarmLow = R"(
  fe 01         # FrameID 0xfe01: alarm low priority
  80 01 80 01   # AlarmDstEndpoint 0x8001, AlarmSrcEndpoint 0x8001
  14 01         # PDUType ERR-RTA-PDU v1, AddFlags
  ff ff ff fe   # SendSeqNum 0xffff, AckSeqNum 0xfffe
  00 04         # VarPartLen 4
  cf 81 fd 0f   # PNIO status: RTA error, abort
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
)";

// profinet/profinet_io_cm_mixed_1.pcap frame 34: PTCP delay request.
constexpr std::string_view kPtcpDelay = R"(
  ff 40         # FrameID 0xff40: PTCP delay request
  00 00 00 00 00 00 00 00 00 00 00 00 00 1c 00 00 00 00 00 00 0c 06 00 09 91 43 e0 68
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
)";

// Made up: a hello request (as a device sends after power on), no captures have one.
constexpr std::string_view kHello = R"(
  fe fc         # FrameID 0xfefc: DCP hello
  06 00         # ServiceID 6 Hello, Request
  00 00 00 07   # Xid 7
  00 00 00 1e   # Reserved, DCPDataLength 30
  02 02 00 07 00 00 70 6c 63 2d 31 00   # NameOfStation "plc-1" (BlockInfo 0) + padding
  02 03 00 06 00 00 00 2a 01 0e         # Device ID: vendor 0x002a, device 0x010e
  02 04 00 04 00 00 02 00               # Device Role: IO-Controller
)";

// Made up: a get request for the name and IP parameter (bare option pairs).
constexpr std::string_view kGet = R"(
  fe fd 03 00   # ServiceID 3 Get, Request
  00 00 00 09   # Xid 9
  00 00 00 04   # Reserved, DCPDataLength 4
  02 02         # Device/NameOfStation
  01 02         # IP/IP parameter
)";

// Made up: a set request that renames the device and resets it to factory settings, inside
// a transaction.
constexpr std::string_view kSetNameReset = R"(
  fe fd 04 00   # Set Request
  00 00 00 0a   # Xid 10
  00 00 00 1e   # Reserved, DCPDataLength 30
  05 01 00 02 00 00               # Control/Start Transaction, BlockQualifier 0
  02 02 00 07 00 00 70 6c 63 2d 32 00   # NameOfStation "plc-2", temporary (+ padding)
  05 06 00 02 00 08               # Control/Reset to Factory, BlockQualifier 8 (all data)
  05 02 00 02 00 00               # Control/End Transaction
)";

// Made up: a set response refusing with BlockError 6 (in operation).
constexpr std::string_view kSetRefused = R"(
  fe fd 04 01 00 00 00 0a 00 00 00 08
  05 04 00 03 02 02 06 00   # Control/Response for NameOfStation: BlockError 6
)";

// Made up: a signal (flash LED) set request.
constexpr std::string_view kSignal = R"(
  fe fd 04 00 00 00 00 0b 00 00 00 08
  05 03 00 04 00 01 01 00   # Control/Signal, BlockQualifier 1, SignalValue 0x0100 flash once
)";

// Runs the frame dissector on `payload` (bytes after the EtherType) sent from src to dst.
void Dissect(std::span<const uint8_t> payload, RecordingSink& sink, core::Anomalies& an,
             const core::MacAddr& src, const core::MacAddr& dst, uint64_t frame = 1) {
  decode::Packet p;
  p.l3 = decode::L3::kOther;
  p.ethertype = profinet::kPnEthertype;
  p.has_mac = true;
  p.src_mac = src;
  p.dst_mac = dst;
  p.l2_payload = payload;
  FrameContext ctx;
  ctx.frame = frame;
  ctx.ts = core::Timestamp{static_cast<int64_t>(frame) * 1'000'000};
  ctx.src_mac = src;
  ctx.dst_mac = dst;
  DissectProfinet(p, ctx, sink, an);
}

// The PDUs counted under `protocol`.
std::vector<PduObservation> PdusOf(const RecordingSink& s, std::string_view protocol) {
  std::vector<PduObservation> out;
  for (const auto& p : s.pdus) {
    if (protocol == p.protocol) out.push_back(p);
  }
  return out;
}

TEST(ProfinetParser, FrameIdKeysFoldCyclicRanges) {
  EXPECT_EQ(profinet::FrameIdKey(0x0100), 0x0100);
  EXPECT_EQ(profinet::FrameIdKey(0x7fff), 0x0100);
  EXPECT_EQ(profinet::FrameIdKey(0x8001), 0x8000);
  EXPECT_EQ(profinet::FrameIdKey(0xc002), 0xc000);
  EXPECT_EQ(profinet::FrameIdKey(0xfbff), 0xc000);
  EXPECT_EQ(profinet::FrameIdKey(0xfc01), 0xfc01);
  EXPECT_EQ(profinet::FrameIdKey(0xfefe), 0xfefe);
  EXPECT_EQ(profinet::FrameIdKey(0x0080), 0x0080);
  EXPECT_TRUE(profinet::IsCyclicFrameId(0x0100));
  EXPECT_FALSE(profinet::IsCyclicFrameId(0x00ff));
  EXPECT_FALSE(profinet::IsCyclicFrameId(0xfc01));
  EXPECT_TRUE(profinet::IsAlarmFrameId(0xfe01));
}

TEST(ProfinetParser, IdentifyResponseBlocks) {
  auto bytes = Hex(kIdentifyResponse);
  core::Anomalies an;
  auto frame = profinet::ParsePnFrame(bytes);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->frame_id, 0xfeff);
  auto pdu = profinet::ParseDcp(frame->frame_id, frame->data, an);
  ASSERT_TRUE(pdu);
  EXPECT_EQ(pdu->service_id, 5);
  EXPECT_EQ(pdu->service_type, 1);
  EXPECT_EQ(pdu->xid, 0x01000001u);
  EXPECT_EQ(pdu->data_length, 94);
  ASSERT_EQ(pdu->block_count, 6u);
  EXPECT_EQ(pdu->blocks[1].option, 2);
  EXPECT_EQ(pdu->blocks[1].suboption, 1);
  EXPECT_TRUE(pdu->blocks[1].has_qualifier);
  EXPECT_EQ(pdu->blocks[1].value.size(), 3u);  // "INC", the pad byte not included
  auto st = profinet::StationOf(*pdu, an);
  EXPECT_EQ(std::string(st.name_of_station.begin(), st.name_of_station.end()), "X208-BORD");
  EXPECT_EQ(std::string(st.vendor_value.begin(), st.vendor_value.end()), "INC");
  EXPECT_TRUE(st.has_device_id);
  EXPECT_EQ(st.vendor_id, 0x002a);
  EXPECT_EQ(st.device_id, 0x0a01);
  EXPECT_EQ(st.role, 0x01);
  EXPECT_EQ(st.ip_info, 1);
  EXPECT_EQ(st.ip.ToString(), "192.168.0.6");
  EXPECT_EQ(st.netmask.ToString(), "255.255.255.0");
  EXPECT_EQ(st.gateway.ToString(), "192.168.0.1");
  EXPECT_TRUE(an.empty());
}

TEST(ProfinetParser, GetRequestBlocksAreBareOptionPairs) {
  auto bytes = Hex(kGet);
  core::Anomalies an;
  auto frame = profinet::ParsePnFrame(bytes);
  ASSERT_TRUE(frame);
  auto pdu = profinet::ParseDcp(frame->frame_id, frame->data, an);
  ASSERT_TRUE(pdu);
  ASSERT_EQ(pdu->block_count, 2u);
  EXPECT_EQ(pdu->blocks[0].option, 2);
  EXPECT_EQ(pdu->blocks[0].suboption, 2);
  EXPECT_EQ(pdu->blocks[1].option, 1);
  EXPECT_TRUE(an.empty());
}

TEST(ProfinetDissector, CountsEveryFrameUnderPnRtAndDcpUnderPnDcp) {
  RecordingSink s;
  core::Anomalies an;
  auto ident = Hex(kIdentifyAll);
  auto cyclic = Hex(kCyclic);
  auto alarm = Hex(kAlarmLow);
  auto ptcp = Hex(kPtcpDelay);
  Dissect(ident, s, an, kController, kDevice, 1);
  Dissect(cyclic, s, an, kDevice, kController, 2);
  Dissect(alarm, s, an, kDevice, kController, 3);
  Dissect(ptcp, s, an, kDevice, kDcpMulticast, 4);
  auto rt = PdusOf(s, "pn_rt");
  ASSERT_EQ(rt.size(), 4u);
  EXPECT_STREQ(rt[0].histogram, "frame_ids");
  EXPECT_EQ(rt[0].code, 0xfefeu);
  EXPECT_EQ(rt[1].code, 0xc000u);
  EXPECT_EQ(rt[2].code, 0xfe01u);
  EXPECT_EQ(rt[3].code, 0xff40u);
  auto dcp = PdusOf(s, "pn_dcp");
  ASSERT_EQ(dcp.size(), 1u);
  EXPECT_EQ(dcp[0].code, 5u);
  EXPECT_EQ(dcp[0].kind, PduKind::kRequest);
  ASSERT_EQ(s.details.size(), 1u);
  EXPECT_STREQ(s.details[0].histogram, "service_types");
  EXPECT_EQ(s.details[0].code, 0u);
  // Cyclic data and the alarm name their sender; DCP and PTCP do not.
  ASSERT_EQ(s.cyclic.size(), 2u);
  EXPECT_STREQ(s.cyclic[0].protocol, "pn_rt");
  EXPECT_EQ(s.cyclic[0].mac, kDevice);
  EXPECT_TRUE(an.empty());
}

TEST(ProfinetDissector, IdentifyRequestIsAnIdentityOperation) {
  RecordingSink s;
  core::Anomalies an;
  auto all = Hex(kIdentifyAll);
  auto by_name = Hex(kIdentifyByName);
  Dissect(all, s, an, kController, kDevice, 1);
  Dissect(by_name, s, an, kController, kDcpMulticast, 2);
  ASSERT_EQ(s.ops.size(), 2u);
  const auto& op = s.ops[0];
  EXPECT_STREQ(op.protocol, "pn_dcp");
  EXPECT_EQ(op.function_code, 5u);
  EXPECT_STREQ(op.function, "identify");
  EXPECT_EQ(op.category, IcsCategory::kIdentity);
  EXPECT_EQ(op.target.view(), "all");
  EXPECT_TRUE(op.result.empty());
  EXPECT_EQ(op.request_frame, 1u);
  EXPECT_EQ(op.response_frame, 0u);
  EXPECT_EQ(op.where.requester_mac, kController);
  EXPECT_EQ(op.where.device_mac, kDevice);
  EXPECT_EQ(s.ops[1].target.view(), "name switch3");
  EXPECT_EQ(s.ops[1].where.device_mac, kDcpMulticast);
  EXPECT_TRUE(s.identities.empty());
}

TEST(ProfinetDissector, IdentifyResponseFillsTheDeviceIdentity) {
  RecordingSink s;
  core::Anomalies an;
  auto bytes = Hex(kIdentifyResponse);
  Dissect(bytes, s, an, kDevice, kController, 2);
  EXPECT_TRUE(s.ops.empty());  // a response is no operation of its own (see the header)
  auto dcp = PdusOf(s, "pn_dcp");
  ASSERT_EQ(dcp.size(), 1u);
  EXPECT_EQ(dcp[0].kind, PduKind::kResponse);
  EXPECT_FALSE(dcp[0].exception);
  ASSERT_EQ(s.identities.size(), 1u);
  const auto& id = s.identities[0];
  EXPECT_STREQ(id.protocol, "pn_dcp");
  EXPECT_EQ(id.mac, kDevice);
  EXPECT_FALSE(id.ip.IsSet());
  EXPECT_EQ(id.frame, 2u);
  EXPECT_EQ(s.Identity("name"), "X208-BORD");
  EXPECT_EQ(s.Identity("product"), "INC");
  EXPECT_EQ(s.Identity("vendor_id"), "0x002a");
  EXPECT_EQ(s.Identity("product_code"), "0x0a01");
  EXPECT_EQ(s.Identity("vendor"), "Siemens");
  EXPECT_EQ(s.Identity("role"), "IO-Device");
  EXPECT_EQ(s.Identity("ip"), "192.168.0.6");
  EXPECT_EQ(s.Identity("netmask"), "255.255.255.0");
  EXPECT_EQ(s.Identity("gateway"), "192.168.0.1");
  EXPECT_TRUE(an.empty());
}

TEST(ProfinetDissector, VersamaxIdentifyResponse) {
  RecordingSink s;
  core::Anomalies an;
  auto bytes = Hex(kVersamaxResponse);
  Dissect(bytes, s, an, kDevice, kController);
  EXPECT_EQ(s.Identity("name"), "versamax-pns11");
  EXPECT_EQ(s.Identity("product"), "IC200PNS001");
  EXPECT_EQ(s.Identity("vendor_id"), "0x015a");
  EXPECT_EQ(s.Identity("product_code"), "0x0003");
  EXPECT_EQ(s.Identity("vendor"), "");  // only well-known vendor ids are named
  EXPECT_EQ(s.Identity("ip"), "192.168.1.2");
  EXPECT_TRUE(an.empty());
}

TEST(ProfinetDissector, SetIpIsAWriteAtTheRequest) {
  RecordingSink s;
  core::Anomalies an;
  auto set = Hex(kSetIp);
  auto rsp = Hex(kSetResponse);
  Dissect(set, s, an, kController, kDevice, 3);
  Dissect(rsp, s, an, kDevice, kController, 4);
  ASSERT_EQ(s.ops.size(), 1u);
  const auto& op = s.ops[0];
  EXPECT_EQ(op.function_code, 4u);
  EXPECT_STREQ(op.function, "set-ip");
  EXPECT_EQ(op.category, IcsCategory::kWrite);
  EXPECT_EQ(op.target.view(), "ip 192.168.0.10 mask 255.255.255.0 gw 192.168.0.1 permanent");
  EXPECT_TRUE(op.result.empty());
  EXPECT_EQ(op.request_frame, 3u);
  EXPECT_EQ(op.response_frame, 0u);
  EXPECT_EQ(op.ts.ns, 3'000'000);
  EXPECT_EQ(op.where.device_mac, kDevice);
  auto dcp = PdusOf(s, "pn_dcp");
  ASSERT_EQ(dcp.size(), 2u);
  EXPECT_EQ(dcp[1].kind, PduKind::kResponse);
  EXPECT_FALSE(dcp[1].exception);
  EXPECT_TRUE(s.identities.empty());  // a set response says nothing about the device
  EXPECT_TRUE(an.empty());
}

TEST(ProfinetDissector, ResetToFactoryIsControllerState) {
  RecordingSink s;
  core::Anomalies an;
  auto bytes = Hex(kSetNameReset);
  Dissect(bytes, s, an, kController, kDevice);
  ASSERT_EQ(s.ops.size(), 1u);
  EXPECT_STREQ(s.ops[0].function, "reset-to-factory");
  EXPECT_EQ(s.ops[0].category, IcsCategory::kControllerState);
  EXPECT_EQ(s.ops[0].target.view(), "name plc-2; reset-to-factory all-data");
  EXPECT_TRUE(an.empty());
}

TEST(ProfinetDissector, SignalIsAWrite) {
  RecordingSink s;
  core::Anomalies an;
  auto bytes = Hex(kSignal);
  Dissect(bytes, s, an, kController, kDevice);
  ASSERT_EQ(s.ops.size(), 1u);
  EXPECT_STREQ(s.ops[0].function, "signal");
  EXPECT_EQ(s.ops[0].category, IcsCategory::kWrite);
  EXPECT_EQ(s.ops[0].target.view(), "signal");
}

TEST(ProfinetDissector, RefusedSetCountsAsAnException) {
  RecordingSink s;
  core::Anomalies an;
  auto bytes = Hex(kSetRefused);
  Dissect(bytes, s, an, kDevice, kController);
  auto dcp = PdusOf(s, "pn_dcp");
  ASSERT_EQ(dcp.size(), 1u);
  EXPECT_TRUE(dcp[0].exception);
  auto pdu = profinet::ParseDcp(0xfefd, std::span<const uint8_t>(bytes).subspan(2), an);
  ASSERT_TRUE(pdu);
  auto err = profinet::FirstBlockError(*pdu);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->error, 6);
  EXPECT_STREQ(profinet::DcpBlockErrorName(err->error), "in-operation");
}

TEST(ProfinetDissector, UnsupportedResponseIsAnException) {
  // profinet/ChangeIPUsingDCP.pcap frame 4 with ServiceType 5 (request not supported).
  auto bytes = Hex(kSetResponse);
  bytes[3] = 0x05;
  RecordingSink s;
  core::Anomalies an;
  Dissect(bytes, s, an, kDevice, kController);
  auto dcp = PdusOf(s, "pn_dcp");
  ASSERT_EQ(dcp.size(), 1u);
  EXPECT_EQ(dcp[0].kind, PduKind::kResponse);
  EXPECT_TRUE(dcp[0].exception);
}

TEST(ProfinetDissector, GetIsAReadAndHelloAnnouncesTheDevice) {
  RecordingSink s;
  core::Anomalies an;
  auto get = Hex(kGet);
  auto hello = Hex(kHello);
  Dissect(get, s, an, kController, kDevice, 1);
  Dissect(hello, s, an, kDevice, kDcpMulticast, 2);
  ASSERT_EQ(s.ops.size(), 1u);  // hello is spontaneous: counted, no operation
  EXPECT_STREQ(s.ops[0].function, "get");
  EXPECT_EQ(s.ops[0].category, IcsCategory::kRead);
  EXPECT_EQ(s.ops[0].target.view(), "name, ip");
  auto dcp = PdusOf(s, "pn_dcp");
  ASSERT_EQ(dcp.size(), 2u);
  EXPECT_EQ(dcp[1].code, 6u);
  ASSERT_EQ(s.identities.size(), 1u);
  EXPECT_EQ(s.identities[0].mac, kDevice);
  EXPECT_EQ(s.Identity("name"), "plc-1");
  EXPECT_EQ(s.Identity("role"), "IO-Controller");
  EXPECT_EQ(s.Identity("product_code"), "0x010e");
  EXPECT_TRUE(an.empty());
}

TEST(ProfinetDissector, EveryTruncatedPrefixStaysSafe) {
  for (auto fixture :
       {kIdentifyAll, kIdentifyResponse, kSetIp, kSetResponse, kIdentifyByName, kVersamaxResponse,
        kCyclic, kAlarmLow, kPtcpDelay, kHello, kGet, kSetNameReset, kSetRefused, kSignal}) {
    auto bytes = Hex(fixture);
    ForEachPrefix(bytes, [&](std::span<const uint8_t> prefix) {
      RecordingSink s;
      core::Anomalies an;
      Dissect(prefix, s, an, kDevice, kController);
      // Fewer than 6 bytes are no PN-RT frame; fewer than 12 hold no DCP header.
      EXPECT_EQ(PdusOf(s, "pn_rt").size(), prefix.size() >= 6 ? 1u : 0u);
      if (prefix.size() < 12) {
        EXPECT_TRUE(PdusOf(s, "pn_dcp").empty());
      }
      if (prefix.size() < 6) {
        EXPECT_EQ(an.Count("pn_rt.truncated"), 1u);
      }
    });
  }
}

TEST(ProfinetDissector, TruncatedDcpHeaderIsAnAnomaly) {
  auto bytes = Hex(kIdentifyAll);
  RecordingSink s;
  core::Anomalies an;
  Dissect(std::span<const uint8_t>(bytes).first(8), s, an, kController, kDevice);
  EXPECT_EQ(an.Count("pn_dcp.truncated"), 1u);
  EXPECT_EQ(PdusOf(s, "pn_rt").size(), 1u);
}

TEST(ProfinetDissector, DataLengthBeyondTheFrame) {
  // profinet/ChangeIPUsingDCP.pcap frame 2 cut after the Device ID block.
  auto bytes = Hex(kIdentifyResponse);
  bytes.resize(80);
  RecordingSink s;
  core::Anomalies an;
  Dissect(bytes, s, an, kDevice, kController);
  EXPECT_EQ(an.Count("pn_dcp.data_length_exceeds_frame"), 1u);
  EXPECT_EQ(s.Identity("name"), "X208-BORD");  // the whole blocks are still read
  EXPECT_EQ(s.Identity("product_code"), "0x0a01");
}

TEST(ProfinetDissector, BlockLengthBeyondTheData) {
  auto bytes = Hex(R"(
    fe ff 05 01 00 00 00 01 00 00 00 08
    02 02 00 20 00 00 61 62   # NameOfStation claiming 32 bytes in 8 of data
  )");
  RecordingSink s;
  core::Anomalies an;
  Dissect(bytes, s, an, kDevice, kController);
  EXPECT_EQ(an.Count("pn_dcp.bad_block_length"), 1u);
  EXPECT_TRUE(s.identities.empty());
}

TEST(ProfinetDissector, ShortIpBlockIsABadValue) {
  auto bytes = Hex(R"(
    fe ff 05 01 00 00 00 01 00 00 00 0a
    01 02 00 06 00 01 c0 a8 00 06   # IP parameter of 4 bytes: no mask or gateway
  )");
  RecordingSink s;
  core::Anomalies an;
  Dissect(bytes, s, an, kDevice, kController);
  EXPECT_EQ(an.Count("pn_dcp.bad_block_value"), 1u);
  EXPECT_EQ(s.Identity("ip"), "");
}

TEST(ProfinetDissector, BlockCapRaisesTooManyBlocks) {
  // A set request of 100 empty DeviceInitiative blocks (4 bytes each).
  std::vector<uint8_t> bytes = {0xfe, 0xfd, 0x04, 0x00, 0, 0, 0, 1, 0, 0, 0x01, 0x90};
  for (int i = 0; i < 100; ++i) bytes.insert(bytes.end(), {0x06, 0x01, 0x00, 0x00});
  RecordingSink s;
  core::Anomalies an;
  Dissect(bytes, s, an, kController, kDevice);
  EXPECT_EQ(an.Count("pn_dcp.too_many_blocks"), 1u);
  ASSERT_EQ(s.ops.size(), 1u);
  EXPECT_TRUE(s.ops[0].target.truncated());  // 64 blocks do not fit the target: cut, not overrun
}

TEST(ProfinetDissector, UnknownServiceStaysRaw) {
  auto bytes = Hex("fe fd 02 00 00 00 00 01 00 00 00 04 aa bb cc dd");
  RecordingSink s;
  core::Anomalies an;
  Dissect(bytes, s, an, kController, kDevice);
  auto dcp = PdusOf(s, "pn_dcp");
  ASSERT_EQ(dcp.size(), 1u);
  EXPECT_EQ(dcp[0].code, 2u);  // manufacturer specific service, counted by its raw id
  EXPECT_TRUE(s.ops.empty());
  EXPECT_TRUE(an.empty());
}

TEST(ProfinetDissector, RegisteredForTaggedProfinetFrames) {
  // profinet/PROFINET-RT.pcap frame 1 with an 802.1Q priority tag (VLAN 0) added, as
  // PROFINET devices send it.
  auto frame = Hex(R"(
    01 0e cf 00 00 00  00 1b 1b 02 9a c3   # DCP multicast <- device
    81 00 c0 00                            # 802.1Q, priority 6, VLAN 0
    88 92                                  # PROFINET
  )");
  auto payload = Hex(kIdentifyByName);
  frame.insert(frame.end(), payload.begin(), payload.end());
  decode::Decoder decoder;
  decode::Packet pkt;
  core::Anomalies an;
  ASSERT_TRUE(decoder.Decode(capture::kLinkEthernet, {}, frame, pkt, an));
  const FrameDissectorInfo* found = nullptr;
  for (const auto& d : FrameDissectors()) {
    if (Handles(d, pkt)) found = &d;
  }
  ASSERT_NE(found, nullptr);
  EXPECT_STREQ(found->name, "pn_dcp");
  RecordingSink s;
  found->dissect(pkt, FrameContext{}, s, an);
  EXPECT_EQ(PdusOf(s, "pn_dcp").size(), 1u);
}

TEST(ProfinetDissector, OtherEthertypesAreNotOurs) {
  decode::Packet pkt;
  pkt.l3 = decode::L3::kOther;
  pkt.ethertype = 0x88b8;  // GOOSE
  for (const auto& d : FrameDissectors()) {
    if (std::string_view(d.name) == "pn_dcp") {
      EXPECT_FALSE(Handles(d, pkt));
    }
  }
}

}  // namespace
}  // namespace qw::dissect
