// Tests of S7comm-plus: the packet and head parser on real frames (TCP payloads, annotated
// after Wiens' s7comm_plus plugin, since tshark 4.0 shows these bytes only as "data";
// capture and frame named on each), every truncated prefix, the probe, and the port-102
// flow dissector: pairing by sequence number, categories, identity from the session set-up,
// V3 integrity digests, notifications, system events and messages fragmented at the
// S7comm-plus level.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "dissect/s7comm/cotp_parser.h"
#include "dissect/s7comm/s7comm_dissector.h"
#include "dissect/s7comm_plus/s7comm_plus_dissector.h"
#include "dissect/s7comm_plus/s7comm_plus_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// ---------------------------------------------------------------------------------------
// s7comm_plus/S7-1511_db2_var1_HMI.pcap: a WinCC HMI reads DB2 of an S7-1511 (V2 packets)

// Frame 4, HMI to PLC: COTP connection request to the TSAP "SIMATIC-ROOT-HMI".
constexpr std::string_view kCr = R"(
  03 00 00 24             # TPKT length 36
  1f e0 00 00 00 1b 00    # COTP LI 31, CR, dst-ref 0, src-ref 0x001b, class 0
  c1 02 06 20             # src-tsap 0620
  c2 10 53 49 4d 41 54 49 43 2d 52 4f 4f 54 2d 48 4d 49   # dst-tsap "SIMATIC-ROOT-HMI"
  c0 01 0a                # TPDU size 1024
)";

// Frame 5, PLC to HMI: connection confirm.
constexpr std::string_view kCc = R"(
  03 00 00 24 1f d0 00 1b 00 01 00   # TPKT length 36, CC, dst-ref 0x001b, src-ref 1
  c0 01 0a c1 02 06 20
  c2 10 53 49 4d 41 54 49 43 2d 52 4f 4f 54 2d 48 4d 49
)";

// Frame 7, PLC to HMI: CreateObject response that opens the session (V1).
constexpr std::string_view kCreateObjectResponse = R"(
  03 00 00 d7 02 f0 80    # TPKT length 215, COTP DT EOT
  72 01 00 c8             # S7comm-plus, version 1 (connect), data length 200
  32                      # opcode response
  00 00 04 ca             # reserved, function 0x04ca CreateObject
  00 00 00 01             # reserved, sequence number 1
  36                      # transport flags
  00                      # return value 0 (VLQ)
  02 87 08 87 09          # 2 object ids: 904 (0x388, the session), 905
  a1 00 00 01 20 82 1f 01 00        # start of object, relation 0x120, class 287 (session)
  a3 81 69 00 15 00                 # attribute 233 (name): WString ""
  a3 82 2b 00 04 82 80 80 80 00     # attribute 299: UDInt
  a3 82 2d 00 15 10 4f 4d 53 50 2e 52 45 4c 2e 35 30 34 31 2e 32 33
                                    # attribute 301: WString "OMSP.REL.5041.23"
  a3 82 2f 10 02 14 27 ab 8f bb f5 93 23 17 cd 69 59 f0 49 76 65 8f 73 13 52 2a
                                    # attribute 303: USInt array of 20 (session challenge)
  a3 82 32 00 17 00 00 01 3a        # attribute 306: struct 0x13a
    82 3b 00 04 82 40               #   member 315: UDInt
    82 3c 00 04 82 40               #   member 316: UDInt
    82 3d 00 04 84 81 80 40         #   member 317: UDInt
    82 3e 00 04 84 81 80 40         #   member 318: UDInt
    82 3f 00 15 1a 31 3b 36 45 53 37 20 35 31 31 2d 31 41 4b 30 30 2d 30 41 42 30 3b 56 31 2e 30
                                    #   member 319: WString "1;6ES7 511-1AK00-0AB0;V1.0"
    82 40 00 15 1a 31 3b 36 45 53 37 20 35 31 31 2d 31 41 4b 30 30 2d 30 41 42 30 3b 56 31 2e 30
                                    #   member 320: the same
    82 41 00 03 00 03 00            #   member 321: UInt 3, end of struct
  a2                                # end of object
  00 00 00 00                       # (integrity id / fill)
  72 01 00 00             # trailer: 0x72, version 1, length 0
)";

// Frame 12, HMI to PLC: GetMultiVariables request (V2, integrity part at the end).
constexpr std::string_view kGetRequest = R"(
  03 00 00 71 02 f0 80    # TPKT length 113, COTP DT EOT
  72 02 00 62             # S7comm-plus, version 2, data length 98
  31                      # opcode request
  00 00 05 4c             # reserved, function 0x054c GetMultiVariables
  00 00 00 03             # reserved, sequence number 3
  00 00 03 88             # session id 0x388
  34                      # transport flags
  00 00 00 00 03 0e 00 32 01 9a 7b 00 81 49 02 88 0d 87 68 00 81 49 02 88 0d 87 69 00 00
                          # link id 0, 3 items, address list (DB2 var1 ...)
  04 e8 89 69 00 12 00 00 00 00 89 6a 00 13 00 89 6b 00 04 00 00
                          # object qualifier 1256: parent RID, composition AID, key
  01 20 30 c5 e5 38 98 7a fc 20 0c 34 55 1f ed eb a3 1b 3a 19 1d 2b 62 15 19 e9 ae db 2b 3e
  ec 10 46 9d             # integrity id 1, digest length 32, digest
  72 02 00 00             # trailer
)";

// Frame 13, PLC to HMI: its response.
constexpr std::string_view kGetResponse = R"(
  03 00 00 4a 02 f0 80    # TPKT length 74, COTP DT EOT
  72 02 00 3b             # version 2, data length 59
  32 00 00 05 4c          # response, GetMultiVariables
  00 00 00 03             # sequence number 3
  34 00                   # transport flags, return value 0
  01 80 08 01 02 80 08 32 03 80 08 32 00 00 # item values
  04 20 c4 6f 7e 18 13 0e 3b b7 d4 6d 44 43 e5 38 ec 90 93 05 10 03 e0 c0 5d 6c e1 28 2e 6e
  9a 48 8e e4             # integrity id 4, digest
  72 02 00 00             # trailer
)";

// Frame 36, HMI to PLC: DeleteObject of the session.
constexpr std::string_view kDeleteRequest = R"(
  03 00 00 5b 02 f0 80    # TPKT length 91, COTP DT EOT
  72 02 00 4c             # version 2, data length 76
  31 00 00 04 d4          # request, function 0x04d4 DeleteObject
  00 00 00 09             # sequence number 9
  00 00 03 88 34          # session id 0x388, transport flags
  00 00 03 88             # object id 0x388: the session itself
  00 00 00 04 e8 89 69 00 12 00 00 00 00 89 6a 00 13 00 89 6b 00 04 00 00
                          # object qualifier
  03 20 d3 38 06 00 f1 2b 78 f7 77 9d 74 d6 e9 37 8f 46 ec ec 23 e4 be d3 66 48 df fa 83 44
  8a b5 82 7f             # integrity id 3, digest
  72 02 00 00
)";

// Frame 37, PLC to HMI: its response.
constexpr std::string_view kDeleteResponse = R"(
  03 00 00 3f 02 f0 80 72 02 00 30   # version 2, data length 48
  32 00 00 04 d4 00 00 00 09 34 00   # response, DeleteObject, sequence 9, flags, return 0
  00 00 03 88                        # the deleted object id
  20 58 a6 26 00 64 9a 22 ee b5 be 53 92 0f e6 87 17 6f 69 8a fa 1e 9b e8 54 7a bd 42 bc 83
  af d1 e4                           # digest length 32, digest
  72 02 00 00
)";

// ---------------------------------------------------------------------------------------
// s7comm_plus/V13_1200_TP1200sim_Timer_sync.pcapng (V13 HMI and an S7-1200, V2 packets)

// Frame 38, PLC to HMI: a notification of subscription 0x1000006a.
constexpr std::string_view kNotification = R"(
  03 00 00 21 02 f0 80 72 02 00 12   # version 2, data length 18
  33                      # opcode notification
  10 00 00 6a             # subscription object id
  04 00 00 00 00 00 02 01 00 00 00 00 00   # notification body (sequence 2, no values)
  72 02 00 00
)";

// ---------------------------------------------------------------------------------------
// s7comm_plus/emre_CotpAnalog_s7plus.pcap (V3 packets with an integrity digest first)

// Frame 1, client to PLC: SetVariable request.
constexpr std::string_view kV3SetRequest = R"(
  03 00 00 66 02 f0 80    # TPKT length 102, COTP DT EOT
  72 03 00 57             # version 3, data length 87
  20                      # digest length 32
  4b 11 c8 00 ad 0a 29 fb db c4 91 28 17 04 37 d5 ed 52 00 6a 57 6e d2 99 89 a7 ff 3a 18 f6
  e8 59                   # digest
  31 00 00 04 f2          # request, function 0x04f2 SetVariable
  00 00 06 d6             # sequence number 0x06d6
  00 00 03 b5 34          # session id 0x3b5, transport flags
  70 40 00 0c 01 95 17 00 02 01   # object 0x7040000c, 1 attribute 2711, value USInt 1
  00 00 04 e8 89 69 00 12 00 00 00 00 89 6a 00 13 00 89 6b 00 04 00 00 00
                          # object qualifier
  8d 2c 00 00 00 00       # integrity id, fill
  72 03 00 00             # trailer
)";

// Frame 2, PLC to client: its response.
constexpr std::string_view kV3SetResponse = R"(
  03 00 00 41 02 f0 80 72 03 00 32   # version 3, data length 50
  20 3d df 17 36 b9 18 ed f7 c8 af 03 2d 10 02 85 87 99 cf f2 8b 2c ff 4b 81 0f 8a 26 e6 59
  c4 c2 d7                           # digest length 32, digest
  32 00 00 04 f2 00 00 06 d6         # response, SetVariable, sequence 0x06d6
  34 00                              # transport flags, return value 0
  9b 02 00 00 00 00                  # integrity id, fill
  72 03 00 00
)";

// Frame 21, PLC to client: a system event (version 0xfe, no trailer).
constexpr std::string_view kSystemEvent = R"(
  03 00 00 1b 02 f0 80    # TPKT length 27, COTP DT EOT
  72 fe 00 10             # system event, data length 16
  00 00 00 00 00 02 5a 06 00 00 00 00 00 00 00 00
)";

std::vector<uint8_t> Message(std::string_view fixture) {
  auto b = Hex(fixture);
  return std::vector<uint8_t>(b.begin() + 7, b.end());
}

const std::vector<std::string_view>& AllFixtures() {
  static const std::vector<std::string_view> all = {
      kCreateObjectResponse, kGetRequest,   kGetResponse,   kDeleteRequest, kDeleteResponse,
      kNotification,         kV3SetRequest, kV3SetResponse, kSystemEvent};
  return all;
}

// A message cut into two packets the way large messages are (S7-1200 frames 127 to 129):
// the first packet without trailer, the second continuing the data and closing it.
std::vector<uint8_t> Fragmented(std::string_view fixture, size_t first_data_bytes) {
  auto m = Message(fixture);
  size_t data = m.size() - kS7PlusHeaderBytes - kS7PlusTrailerBytes;
  std::vector<uint8_t> out;
  auto tpdu = [&](std::span<const uint8_t> payload) {
    size_t len = payload.size() + 7;
    std::vector<uint8_t> head = {
        0x03, 0x00, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len & 0xff), 0x02,
        0xf0, 0x80};
    out.insert(out.end(), head.begin(), head.end());
    out.insert(out.end(), payload.begin(), payload.end());
  };
  std::vector<uint8_t> a = {0x72, 0x02, 0x00, static_cast<uint8_t>(first_data_bytes)};
  a.insert(a.end(), m.begin() + 4, m.begin() + 4 + static_cast<ptrdiff_t>(first_data_bytes));
  tpdu(a);
  size_t rest = data - first_data_bytes;
  std::vector<uint8_t> b = {0x72, 0x02, static_cast<uint8_t>(rest >> 8),
                            static_cast<uint8_t>(rest & 0xff)};
  b.insert(b.end(), m.begin() + 4 + static_cast<ptrdiff_t>(first_data_bytes), m.end());
  tpdu(b);
  return out;
}

const IcsOperation* FindOp(const testing::RecordingSink& sink, std::string_view function) {
  for (const auto& op : sink.ops) {
    if (function == op.function) return &op;
  }
  return nullptr;
}

uint64_t Histogram(const testing::RecordingSink& sink, std::string_view histogram, uint32_t code) {
  uint64_t n = 0;
  for (const auto& p : sink.pdus) n += histogram == p.histogram && p.code == code;
  for (const auto& d : sink.details) n += histogram == d.histogram && d.code == code;
  return n;
}

// ---------------------------------------------------------------------------------------
// Parser

TEST(S7commPlusParser, V1PacketAndHead) {
  core::Anomalies a;
  auto m = Message(kCreateObjectResponse);
  auto p = ParseS7PlusPacket(m, a);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->version, 1);
  EXPECT_EQ(p->data_length, 200);
  EXPECT_TRUE(p->ends_message);
  EXPECT_FALSE(p->has_digest);
  auto h = ParseS7PlusHead(p->data);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->opcode, 0x32);
  EXPECT_TRUE(h->has_function);
  EXPECT_EQ(h->function, 0x04ca);
  EXPECT_EQ(h->sequence, 1);
  EXPECT_EQ(h->transport_flags, 0x36);
  EXPECT_TRUE(h->has_return_value);
  EXPECT_EQ(h->return_value, 0u);
  S7PlusSessionVersion v;
  ASSERT_TRUE(FindS7PlusSessionVersion(p->data, v, a));
  EXPECT_EQ(v.order_number.view(), "6ES7 511-1AK00-0AB0");
  EXPECT_EQ(v.firmware.view(), "V1.0");
  EXPECT_TRUE(a.empty());
}

TEST(S7commPlusParser, RequestHeadsNameSessionAndObjects) {
  core::Anomalies a;
  auto m = Message(kGetRequest);
  auto p = ParseS7PlusPacket(m, a);
  ASSERT_TRUE(p);
  auto h = ParseS7PlusHead(p->data);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->opcode, 0x31);
  EXPECT_EQ(h->function, 0x054c);
  EXPECT_EQ(h->sequence, 3);
  EXPECT_EQ(h->session_id, 0x388u);
  auto d = Message(kDeleteRequest);
  auto dp = ParseS7PlusPacket(d, a);
  ASSERT_TRUE(dp);
  auto dh = ParseS7PlusHead(dp->data);
  ASSERT_TRUE(dh);
  EXPECT_TRUE(dh->has_object_id);
  EXPECT_EQ(dh->object_id, 0x388u);
  EXPECT_TRUE(a.empty());
}

TEST(S7commPlusParser, V3DigestIsSkipped) {
  core::Anomalies a;
  auto m = Message(kV3SetRequest);
  auto p = ParseS7PlusPacket(m, a);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->version, 3);
  EXPECT_TRUE(p->has_digest);
  auto h = ParseS7PlusHead(p->data);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->opcode, 0x31);
  EXPECT_EQ(h->function, 0x04f2);
  EXPECT_EQ(h->sequence, 0x06d6);
  EXPECT_EQ(h->session_id, 0x3b5u);
  EXPECT_TRUE(a.empty());
}

TEST(S7commPlusParser, NotificationAndSystemEvent) {
  core::Anomalies a;
  auto n = Message(kNotification);
  auto p = ParseS7PlusPacket(n, a);
  ASSERT_TRUE(p);
  auto h = ParseS7PlusHead(p->data);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->opcode, 0x33);
  EXPECT_FALSE(h->has_function);
  EXPECT_EQ(h->subscription_id, 0x1000006au);
  auto e = Message(kSystemEvent);
  auto ep = ParseS7PlusPacket(e, a);
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->version, 0xfe);
  EXPECT_TRUE(ep->ends_message);
  EXPECT_TRUE(a.empty());
}

TEST(S7commPlusParser, DataLengthBeyondPacketIsNotAPacket) {
  core::Anomalies a;
  EXPECT_FALSE(ParseS7PlusPacket(Hex("72 02 00 40 31 00 00"), a));
  EXPECT_EQ(a.Count("s7comm_plus.header_malformed"), 1u);
  EXPECT_FALSE(ParseS7PlusPacket(Hex("32 02 00 00"), a));
  EXPECT_EQ(a.Count("s7comm_plus.header_malformed"), 2u);
}

TEST(S7commPlusParser, BadTrailerAndDigestAreReadAnyway) {
  core::Anomalies a;
  auto m = Message(kGetResponse);
  m[m.size() - 3] = 0x03;  // trailer version 3 on a version 2 packet
  auto p = ParseS7PlusPacket(m, a);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->ends_message);
  EXPECT_EQ(a.Count("s7comm_plus.bad_trailer"), 1u);
  auto v3 = Message(kV3SetResponse);
  v3[4] = 0x10;  // digest length 16
  EXPECT_TRUE(ParseS7PlusPacket(v3, a));
  EXPECT_EQ(a.Count("s7comm_plus.bad_digest"), 1u);
}

TEST(S7commPlusParser, SessionVersionNeedsItsForm) {
  core::Anomalies a;
  S7PlusSessionVersion v;
  // "2;793" (also attribute 320 on the wire) is no session version.
  EXPECT_FALSE(FindS7PlusSessionVersion(Hex("a3 82 40 00 15 05 32 3b 37 39 33"), v, a));
  // An S7-1200 pads its order number with a space: "1;6ES7 214-1HE30-0XB0 ;V2.2".
  EXPECT_TRUE(FindS7PlusSessionVersion(
      Hex("82 3f 00 15 1b 31 3b 36 45 53 37 20 32 31 34 2d 31 48 45 33 30 2d 30 58 42 30 20 3b "
          "56 32 2e 32"),
      v, a));
  EXPECT_EQ(v.order_number.view(), "6ES7 214-1HE30-0XB0");
  EXPECT_EQ(v.firmware.view(), "V2.2");
}

TEST(S7commPlusParser, EveryPrefixOfEveryFixtureIsSafe) {
  for (auto fixture : AllFixtures()) {
    auto m = Message(fixture);
    ForEachPrefix(m, [](std::span<const uint8_t> p) {
      core::Anomalies a;
      if (auto packet = ParseS7PlusPacket(p, a)) {
        (void)ParseS7PlusHead(packet->data);
        S7PlusSessionVersion v;
        (void)FindS7PlusSessionVersion(packet->data, v, a);
      }
      (void)ParseS7PlusHead(p);
    });
  }
}

// ---------------------------------------------------------------------------------------
// Probe and dissector

TEST(S7commPlusProbe, NamesTheFlowByItsFirstData) {
  auto cr = Hex(kCr);
  EXPECT_EQ(s7comm_plus::Probe(flow::Direction::kFromInitiator, cr), ProbeResult::kMaybe);
  std::vector<uint8_t> first = cr;
  auto get = Hex(kGetRequest);
  first.insert(first.end(), get.begin(), get.end());
  EXPECT_EQ(s7comm_plus::Probe(flow::Direction::kFromInitiator, first), ProbeResult::kYes);
  EXPECT_EQ(s7comm::Probe(flow::Direction::kFromInitiator, first), ProbeResult::kNo);
  auto bad_version = Hex("03 00 00 0b 02 f0 80 72 07 00 00");
  EXPECT_EQ(s7comm_plus::Probe(flow::Direction::kFromInitiator, bad_version), ProbeResult::kNo);
}

TEST(S7commPlusDissector, HmiSessionBecomesOperationsAndIdentity) {
  StreamHarness h(Registered("s7comm_plus"));
  h.Request(Hex(kCr), 4);
  h.Response(Hex(kCc), 5);
  h.Response(Hex(kCreateObjectResponse), 7);
  EXPECT_STREQ(h.Protocol(), "s7comm_plus");
  h.Request(Hex(kGetRequest), 12);
  h.Response(Hex(kGetResponse), 13);
  h.Request(Hex(kDeleteRequest), 36);
  h.Response(Hex(kDeleteResponse), 37);
  h.End();
  EXPECT_TRUE(h.anomalies.empty());

  const IcsOperation* connect = FindOp(h.sink, "cotp-connect");
  ASSERT_TRUE(connect);
  EXPECT_STREQ(connect->protocol, "s7comm_plus");
  EXPECT_EQ(connect->target.view(), "tsap SIMATIC-ROOT-HMI");

  // The CreateObject request (frame 6) is not in this fixture set: response only.
  const IcsOperation* create = FindOp(h.sink, "create-object");
  ASSERT_TRUE(create);
  EXPECT_EQ(create->request_frame, 0u);
  EXPECT_EQ(create->response_frame, 7u);
  EXPECT_EQ(create->category, IcsCategory::kSession);
  EXPECT_EQ(create->where.device_ip, h.flow().responder_ip);

  const IcsOperation* get = FindOp(h.sink, "get-multi-variables");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->function_code, 0x054cu);
  EXPECT_EQ(get->category, IcsCategory::kRead);
  EXPECT_EQ(get->request_frame, 12u);
  EXPECT_EQ(get->response_frame, 13u);
  EXPECT_EQ(get->result.view(), "ok");

  const IcsOperation* del = FindOp(h.sink, "delete-object");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->category, IcsCategory::kSession);
  EXPECT_EQ(del->target.view(), "object 0x00000388 session");

  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_STREQ(h.sink.identities[0].protocol, "s7comm_plus");
  EXPECT_EQ(h.sink.identities[0].ip, h.flow().responder_ip);
  EXPECT_EQ(h.sink.Identity("order_number"), "6ES7 511-1AK00-0AB0");
  EXPECT_EQ(h.sink.Identity("firmware"), "V1.0");
  EXPECT_EQ(h.sink.Identity("vendor"), "Siemens");

  EXPECT_EQ(h.sink.pdus.size(), 5u);
  EXPECT_EQ(Histogram(h.sink, "functions", 0x054c), 2u);
  EXPECT_EQ(Histogram(h.sink, "functions", 0x04d4), 2u);
  EXPECT_EQ(Histogram(h.sink, "opcodes", 0x31), 2u);
  EXPECT_EQ(Histogram(h.sink, "opcodes", 0x32), 3u);
  EXPECT_EQ(Histogram(h.sink, "versions", 2), 4u);
  for (const auto& p : h.sink.pdus) EXPECT_STREQ(p.protocol, "s7comm_plus");
}

TEST(S7commPlusDissector, V3SetVariableNotificationAndSystemEvent) {
  StreamHarness h(Registered("s7comm_plus"));
  h.Request(Hex(kV3SetRequest), 1);
  h.Response(Hex(kV3SetResponse), 2);
  h.Response(Hex(kNotification), 3);
  h.Response(Hex(kSystemEvent), 21);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].function, std::string_view("set-variable"));
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kWrite);
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
  ASSERT_EQ(h.sink.pdus.size(), 4u);
  EXPECT_EQ(h.sink.pdus[2].kind, PduKind::kOther);  // notification
  EXPECT_EQ(h.sink.pdus[2].histogram, std::string_view(""));
  EXPECT_EQ(Histogram(h.sink, "opcodes", 0x33), 1u);
  EXPECT_EQ(Histogram(h.sink, "versions", 3), 2u);
  EXPECT_EQ(Histogram(h.sink, "versions", 0xfe), 1u);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(S7commPlusDissector, FragmentedMessageCountsOnceWithItsLastPacket) {
  StreamHarness h(Registered("s7comm_plus"));
  auto bytes = Fragmented(kGetRequest, 48);
  auto first_len = static_cast<size_t>(ReadTpkt(bytes).length);
  h.Request(std::span<const uint8_t>(bytes).first(first_len), 127);
  EXPECT_TRUE(h.sink.pdus.empty());
  // Its frame carries S7comm-plus, as tshark's filter counts it.
  EXPECT_EQ(h.sink.marked_frames, std::vector<uint64_t>{127});
  h.Request(std::span<const uint8_t>(bytes).subspan(first_len), 129);
  ASSERT_EQ(h.sink.pdus.size(), 1u);
  EXPECT_EQ(h.sink.pdus[0].frame, 129u);
  EXPECT_EQ(h.sink.pdus[0].code, 0x054cu);
  h.Response(Hex(kGetResponse), 130);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 129u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 130u);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(S7commPlusDissector, GapForgetsAHalfMessage) {
  StreamHarness h(Registered("s7comm_plus"));
  auto bytes = Fragmented(kGetRequest, 48);
  auto first_len = static_cast<size_t>(ReadTpkt(bytes).length);
  h.Request(std::span<const uint8_t>(bytes).first(first_len), 1);
  h.Gap(flow::Direction::kFromInitiator, 500);
  // The next whole message is read as a message of its own.
  h.Request(Hex(kDeleteRequest), 3);
  ASSERT_EQ(h.sink.pdus.size(), 1u);
  EXPECT_EQ(h.sink.pdus[0].code, 0x04d4u);
}

TEST(S7commPlusDissector, SplitAcrossSegmentsAndMixedWithS7comm) {
  StreamHarness h(Registered("s7comm_plus"));
  auto get = Hex(kGetRequest);
  h.SendInChunks(flow::Direction::kFromInitiator, get, 3, 12);
  h.SendInChunks(flow::Direction::kFromResponder, Hex(kGetResponse), 7, 13);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 13u);
  // An S7comm PDU on the same connection is counted under s7comm.
  h.Request(Hex("03 00 00 19 02 f0 80 32 01 00 00 02 00 00 08 00 00 f0 00 00 01 00 01 01 e0"), 14);
  ASSERT_EQ(h.sink.pdus.size(), 3u);
  EXPECT_STREQ(h.sink.pdus[2].protocol, "s7comm");
}

TEST(S7commPlusDissector, TransactionMakesChangesProgramChanges) {
  StreamHarness h(Registered("s7comm_plus"));
  // BeginSequence, SetVariable, EndSequence built on the V3 request of emre frame 1
  // (function code and sequence number changed: octets 47-48 and 51-52 of the TPKT).
  auto req = Hex(kV3SetRequest);
  auto with = [&](uint16_t function, uint16_t seq) {
    auto r = req;
    r[47] = static_cast<uint8_t>(function >> 8);
    r[48] = static_cast<uint8_t>(function & 0xff);
    r[51] = static_cast<uint8_t>(seq >> 8);
    r[52] = static_cast<uint8_t>(seq & 0xff);
    return r;
  };
  h.Request(with(0x0556, 1), 1);
  h.Request(with(0x04f2, 2), 2);
  h.Request(with(0x0560, 3), 3);
  h.Request(with(0x04f2, 4), 4);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 4u);
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kProgramChange);
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kProgramChange);
  EXPECT_EQ(h.sink.ops[2].category, IcsCategory::kProgramChange);
  EXPECT_EQ(h.sink.ops[3].category, IcsCategory::kWrite);
}

}  // namespace
}  // namespace qw::dissect
