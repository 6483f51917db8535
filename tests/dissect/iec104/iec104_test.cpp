// Tests of the IEC 60870-5-104 parser and dissector: real APDUs from the shared captures,
// field by field as tshark 4.0.17 dissects them; every truncated prefix; malformed APDUs;
// command pairing, sessions, file calls, gaps and the probe.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissect/iec104/iec104_dissector.h"
#include "dissect/iec104/iec104_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// iec104/emre_iec104_62.pcap frame 1 (192.168.1.75:50262 -> 192.168.1.200:2404).
constexpr std::string_view kSetPointAct = R"(
  68 17                 # start, APDU length 23
  2a 00 7c 00           # I-format: N(S) 21, N(R) 62
  3e                    # type 62 C_SE_TB_1 set point, scaled, CP56Time2a
  01                    # SQ 0, 1 object
  06 00                 # cause 6 activation, P/N 0, T 0; originator 0
  01 00                 # common address 1
  88 13 00              # IOA 5000
  00 00                 #   scaled value 0
  00                    #   QOS: QL 0, S/E 0 execute
  d8 59 34 0d 02 0b 13  #   CP56Time2a 2019-11-02 13:52:23.000
)";
// Frame 2: the confirmation (cause 7), N(S) 62, N(R) 22.
constexpr std::string_view kSetPointCon = R"(
  68 17 7c 00 2c 00
  3e 01 07 00 01 00 88 13 00 00 00 00 d8 59 34 0d 02 0b 13
)";
// Frame 4: two APDUs in one segment: the termination (cause 10), then a spontaneous
// M_ME_TE_1 (type 35, cause 3) for IOA 500.
constexpr std::string_view kTermAndSpont = R"(
  68 17 7e 00 2c 00
  3e 01 0a 00 01 00 88 13 00 00 00 00 d8 59 34 0d 02 0b 13
  68 17 80 00 2c 00
  23 01 03 00 01 00 f4 01 00 00 00 00 d8 59 34 0d 02 0b 13
)";

// iec104/TestDissectIec104.pcap frames 104 and 105 (stream 5).
constexpr std::string_view kStartDtAct = "68 04  07 00 00 00  # U-format STARTDT act";
constexpr std::string_view kStartDtCon = "68 04  0b 00 00 00  # U-format STARTDT con";
// Frames 13 and 14 (stream 0).
constexpr std::string_view kTestFrAct = "68 04  43 00 00 00  # U-format TESTFR act";
constexpr std::string_view kTestFrCon = "68 04  83 00 00 00  # U-format TESTFR con";
// Frame 112: S-format acknowledging up to N(R) 4.
constexpr std::string_view kSFrame = "68 04  01 00 08 00  # S-format, N(R) 4";

// Frame 109: C_IC_NA_1 station interrogation, activation.
constexpr std::string_view kInterrogationAct = R"(
  68 0e 00 00 02 00     # I-format N(S) 0 N(R) 1
  64 01 06 00           # type 100 C_IC_NA_1, 1 object, cause 6, originator 0
  0d 91                 # common address 37133
  00 00 00              # IOA 0
  14                    # QOI 20 station interrogation
)";
// Frame 110: four APDUs in one segment: an S-frame, the confirmation (cause 7), and two
// sequences of interrogated data (cause 20): 9 M_SP_NA_1 from IOA 10010 and 3 M_DP_NA_1
// from IOA 20010.
constexpr std::string_view kInterrogationReply = R"(
  68 04 01 00 02 00
  68 0e 02 00 02 00  64 01 07 00 0d 91 00 00 00 14
  68 16 04 00 02 00  01 89 14 00 0d 91 1a 27 00  d0 80 80 80 c0 80 80 80 80
  68 10 06 00 02 00  03 83 14 00 0d 91 2a 4e 00  80 80 80
)";
// Frame 113: the termination (cause 10).
constexpr std::string_view kInterrogationTerm = "68 0e 08 00 02 00  64 01 0a 00 0d 91 00 00 00 14";

// Frame 117: C_DC_NA_1 double command select (DCO 0x82: select, ON) for IOA 15000,
// originator 1; frame 118: an S-frame and the negative confirmation (cause 0x47: P/N 1, 7).
constexpr std::string_view kDoubleSelect = R"(
  68 0e 02 00 0a 00  2e 01 06 01 0d 91  98 3a 00  82
)";
constexpr std::string_view kDoubleNegCon = R"(
  68 04 01 00 04 00
  68 0e 0a 00 04 00  2e 01 47 01 0d 91  98 3a 00  82
)";
// Frame 136: C_SC_NA_1 select of IOA 33333 that is never confirmed.
constexpr std::string_view kSingleSelectUnanswered =
    "68 0e 0a 00 16 00  2d 01 46 03 0d 91  35 82 00  81";
// Frames 139 and 140: C_CS_NA_1 clock synchronisation and its confirmation (after an S-frame).
constexpr std::string_view kClockSync =
    "68 14 0c 00 16 00  67 01 06 04 0d 91  00 00 00  c8 32 39 08 1d 08 08";
constexpr std::string_view kClockSyncCon =
    "68 04 01 00 0e 00  68 14 16 00 0e 00  67 01 07 04 0d 91  00 00 00  c8 32 39 08 1d 08 08";

// iec104/090813_diverse.pcap frames 9, 11, 13, 15, 17: C_SC_TA_1 (58) select (SCO 0x81),
// its confirmation, execute (SCO 0x01), its confirmation, and the termination, IOA 4501.
constexpr std::string_view kScSelect =
    "68 15 28 00 9c 00  3a 01 06 00 03 00  95 11 00  81  08 00 17 13 0d 08 6d";
constexpr std::string_view kScSelectCon =
    "68 15 9c 00 2a 00  3a 01 07 00 03 00  95 11 00  81  08 00 17 13 0d 08 09";
constexpr std::string_view kScExecute =
    "68 15 2a 00 9e 00  3a 01 06 00 03 00  95 11 00  01  08 00 17 13 0d 08 6d";
constexpr std::string_view kScExecuteCon =
    "68 15 9e 00 2c 00  3a 01 07 00 03 00  95 11 00  01  08 00 17 13 0d 08 09";
constexpr std::string_view kScTerm =
    "68 15 a0 00 2c 00  3a 01 0a 00 03 00  95 11 00  01  08 00 17 13 0d 08 09";

// iec104/IEC104_SQ.pcapng frame 1, first APDU: 16 M_SP_NA_1 in sequence from IOA 0, CA 1054.
constexpr std::string_view kSequence = R"(
  68 1d 02 00 02 00
  01 90 14 00 1e 04     # type 1, SQ 1 with 16 elements, cause 20, CA 1054
  00 00 00              # IOA 0
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01
)";

// Constructed (no capture holds them): C_RP_NA_1 reset process (QRP 1), C_RD_NA_1 read of
// IOA 5000 (cause 5) and the requested M_ME_NB_1 answer, F_SC_NA_1 call file for IOA 100
// (cause 13) and the F_FR_NA_1 file-ready answer.
constexpr std::string_view kResetProcess = "68 0e 00 00 00 00  69 01 06 00 01 00  00 00 00  01";
constexpr std::string_view kReadCommand = "68 0d 00 00 00 00  66 01 05 00 01 00  88 13 00";
constexpr std::string_view kReadAnswer = "68 10 00 00 02 00  0b 01 05 00 01 00  88 13 00  64 00 00";
constexpr std::string_view kFileCall =
    "68 11 00 00 00 00  7a 01 0d 00 01 00  64 00 00  01 00 00 01";
constexpr std::string_view kFileReady =
    "68 13 00 00 02 00  78 01 0d 00 01 00  64 00 00  01 00 00 10 00 00";

const std::vector<std::string_view> kFixtures = {
    kSetPointAct, kSetPointCon, kStartDtAct,       kStartDtCon,        kTestFrAct,
    kTestFrCon,   kSFrame,      kInterrogationAct, kInterrogationTerm, kSingleSelectUnanswered,
    kClockSync,   kScSelect,    kScSelectCon,      kScExecute,         kScExecuteCon,
    kScTerm,      kSequence,    kResetProcess,     kReadCommand,       kReadAnswer,
    kFileCall,    kFileReady};

Iec104Apdu ParseOk(std::string_view hex, core::Anomalies& anomalies) {
  auto bytes = Hex(hex);
  auto apdu = ParseIec104Apdu(bytes, anomalies);
  EXPECT_TRUE(apdu.has_value());
  return apdu.value_or(Iec104Apdu{});
}

// ---- Parser -------------------------------------------------------------------------------

TEST(Iec104Parser, SetPointActivationFieldByField) {
  core::Anomalies anomalies;
  Iec104Apdu a = ParseOk(kSetPointAct, anomalies);
  EXPECT_EQ(a.length, 23);
  EXPECT_EQ(a.format, Iec104Format::kI);
  EXPECT_EQ(a.send_seq, 21);
  EXPECT_EQ(a.recv_seq, 62);
  ASSERT_TRUE(a.has_asdu);
  EXPECT_EQ(a.asdu.type_id, 62);
  EXPECT_FALSE(a.asdu.sequence);
  EXPECT_EQ(a.asdu.count, 1);
  EXPECT_EQ(a.asdu.cot, kIec104CotActivation);
  EXPECT_FALSE(a.asdu.negative);
  EXPECT_FALSE(a.asdu.test);
  EXPECT_EQ(a.asdu.originator, 0);
  EXPECT_EQ(a.asdu.common_address, 1);
  ASSERT_TRUE(a.asdu.has_object);
  EXPECT_EQ(a.asdu.first_ioa, 5000u);
  EXPECT_FALSE(a.asdu.select);
  EXPECT_TRUE(anomalies.empty());
}

TEST(Iec104Parser, UAndSFrames) {
  core::Anomalies anomalies;
  Iec104Apdu act = ParseOk(kStartDtAct, anomalies);
  EXPECT_EQ(act.format, Iec104Format::kU);
  EXPECT_EQ(act.u_function, kIec104StartDtAct);
  EXPECT_EQ(ParseOk(kStartDtCon, anomalies).u_function, kIec104StartDtCon);
  EXPECT_EQ(ParseOk(kTestFrAct, anomalies).u_function, kIec104TestFrAct);
  EXPECT_EQ(ParseOk(kTestFrCon, anomalies).u_function, kIec104TestFrCon);
  Iec104Apdu s = ParseOk(kSFrame, anomalies);
  EXPECT_EQ(s.format, Iec104Format::kS);
  EXPECT_EQ(s.recv_seq, 4);
  EXPECT_FALSE(s.has_asdu);
  EXPECT_TRUE(anomalies.empty());
}

TEST(Iec104Parser, SequenceOfElementsReadsItsOneAddress) {
  core::Anomalies anomalies;
  Iec104Apdu a = ParseOk(kSequence, anomalies);
  EXPECT_TRUE(a.asdu.sequence);
  EXPECT_EQ(a.asdu.count, 16);
  EXPECT_EQ(a.asdu.cot, 20);
  EXPECT_EQ(a.asdu.common_address, 1054);
  EXPECT_EQ(a.asdu.first_ioa, 0u);
  EXPECT_TRUE(anomalies.empty());
}

TEST(Iec104Parser, SelectExecuteBitOfCommandQualifiers) {
  core::Anomalies anomalies;
  EXPECT_TRUE(ParseOk(kScSelect, anomalies).asdu.select);
  EXPECT_FALSE(ParseOk(kScExecute, anomalies).asdu.select);
  EXPECT_TRUE(ParseOk(kDoubleSelect, anomalies).asdu.select);
  // A set point's QOS follows its value: octet 2 of the element.
  EXPECT_FALSE(ParseOk(kSetPointAct, anomalies).asdu.select);
  EXPECT_TRUE(anomalies.empty());
}

TEST(Iec104Parser, EveryPrefixNeedsMoreAndNeverParses) {
  for (auto fixture : kFixtures) {
    auto bytes = Hex(fixture);
    // The first APDU of the fixture (some hold several).
    Iec104Framing whole = FrameIec104(bytes);
    ASSERT_EQ(whole.status, Iec104Framing::Status::kOk) << fixture;
    auto apdu = std::span<const uint8_t>(bytes).first(whole.size);
    ForEachPrefix(apdu, [&](std::span<const uint8_t> prefix) {
      core::Anomalies anomalies;
      EXPECT_EQ(FrameIec104(prefix).status, Iec104Framing::Status::kNeedMore);
      EXPECT_FALSE(ParseIec104Apdu(prefix, anomalies).has_value());
      EXPECT_NE(LooksLikeIec104(prefix), ProbeResult::kNo) << fixture;
    });
    EXPECT_EQ(LooksLikeIec104(apdu), ProbeResult::kYes) << fixture;
  }
}

TEST(Iec104Parser, FramingRejectsBadStartAndLength) {
  EXPECT_EQ(FrameIec104(Hex("00 04 07 00 00 00")).status, Iec104Framing::Status::kBadStart);
  EXPECT_EQ(FrameIec104(Hex("68 02 01 00")).status, Iec104Framing::Status::kBadLength);
  EXPECT_EQ(FrameIec104(Hex("68 fe")).status, Iec104Framing::Status::kBadLength);
}

// iec104/TestDissectIec104.pcap frame 36: length 5 with control 0x17, two function bits.
TEST(Iec104Parser, UFrameWithTwoFunctionBitsIsBadControl) {
  core::Anomalies anomalies;
  Iec104Apdu a = ParseOk("68 05 17 17 17 17 17", anomalies);
  EXPECT_EQ(a.format, Iec104Format::kU);
  EXPECT_EQ(a.u_function, 0x05);
  EXPECT_EQ(anomalies.Count("iec104.bad_control"), 1u);
}

TEST(Iec104Parser, ObjectsBeyondTheAsduAreTooMany) {
  core::Anomalies anomalies;
  // The interrogation with its object count raised to 2.
  Iec104Apdu a = ParseOk("68 0e 00 00 02 00  64 02 06 00 0d 91 00 00 00 14", anomalies);
  EXPECT_EQ(a.asdu.count, 2);
  EXPECT_EQ(anomalies.Count("iec104.too_many_objects"), 1u);
}

TEST(Iec104Parser, OctetsAfterTheObjectsAreALengthMismatch) {
  core::Anomalies anomalies;
  ParseOk("68 0f 00 00 02 00  64 01 06 00 0d 91 00 00 00 14 ff", anomalies);
  EXPECT_EQ(anomalies.Count("iec104.asdu_length_mismatch"), 1u);
}

// iec104/TestDissectIec104.pcap frame 41: an I-frame whose 2-octet ASDU cannot hold a header.
TEST(Iec104Parser, ShortAsduIsCountedWithoutType) {
  core::Anomalies anomalies;
  Iec104Apdu a = ParseOk("68 06 18 18 18 18 18 18", anomalies);
  EXPECT_EQ(a.format, Iec104Format::kI);
  EXPECT_FALSE(a.has_asdu);
  EXPECT_EQ(anomalies.Count("iec104.short_asdu"), 1u);
}

TEST(Iec104Parser, UndefinedTypeStaysRaw) {
  core::Anomalies anomalies;
  Iec104Apdu a = ParseOk("68 0e 00 00 02 00  18 01 06 00 01 00 01 00 00 00", anomalies);
  EXPECT_EQ(a.asdu.type_id, 24);
  EXPECT_TRUE(a.asdu.has_object);
  EXPECT_EQ(Iec104Type(24), nullptr);
  EXPECT_EQ(anomalies.Count("iec104.unknown_type_id"), 1u);
}

TEST(Iec104Parser, NoObjectsIsAnAnomaly) {
  core::Anomalies anomalies;
  Iec104Apdu a = ParseOk("68 0a 00 00 02 00  64 00 06 00 0d 91", anomalies);
  EXPECT_FALSE(a.asdu.has_object);
  EXPECT_EQ(anomalies.Count("iec104.no_objects"), 1u);
}

TEST(Iec104Parser, ProbeRejectsOtherProtocols) {
  auto text = [](std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); };
  EXPECT_EQ(LooksLikeIec104(text("GET / HTTP/1.1\r\n")), ProbeResult::kNo);
  EXPECT_EQ(LooksLikeIec104(text("HEL")), ProbeResult::kNo);
  // TLS ClientHello record header.
  EXPECT_EQ(LooksLikeIec104(Hex("16 03 01 02 00 01 00 01 fc 03 03")), ProbeResult::kNo);
  // Modbus/TCP read holding registers, and one whose transaction id starts with 0x68.
  EXPECT_EQ(LooksLikeIec104(Hex("00 01 00 00 00 06 01 03 00 00 00 0a")), ProbeResult::kNo);
  EXPECT_EQ(LooksLikeIec104(Hex("68 01 00 00 00 06 01 03 00 00 00 0a")), ProbeResult::kNo);
  // An I-frame whose objects do not fill its ASDU.
  EXPECT_EQ(LooksLikeIec104(Hex("68 0f 00 00 02 00  64 01 06 00 0d 91 00 00 00 14 ff")),
            ProbeResult::kNo);
}

// ---- Dissector ----------------------------------------------------------------------------

class Iec104Dissector : public ::testing::Test {
 protected:
  StreamHarness h{Registered("iec104")};
  void Request(std::string_view hex, uint64_t frame) { h.Request(Hex(hex), frame); }
  void Response(std::string_view hex, uint64_t frame) { h.Response(Hex(hex), frame); }
  size_t CountCode(const char* histogram, uint32_t code) const {
    size_t n = 0;
    for (const auto& p : h.sink.pdus)
      n += std::string_view(p.histogram) == histogram && p.code == code;
    for (const auto& d : h.sink.details) {
      n += std::string_view(d.histogram) == histogram && d.code == code;
    }
    return n;
  }
};

TEST_F(Iec104Dissector, SetPointActivationConfirmationTerminationIsOneWrite) {
  Request(kSetPointAct, 1);
  Response(kSetPointCon, 2);
  Response(kTermAndSpont, 4);
  EXPECT_STREQ(h.Protocol(), "iec104");
  ASSERT_EQ(h.sink.pdus.size(), 4u);
  EXPECT_EQ(CountCode("functions", 62), 3u);
  EXPECT_EQ(CountCode("functions", 35), 1u);
  EXPECT_EQ(CountCode("apci", 0), 4u);
  EXPECT_EQ(CountCode("cot", 6), 1u);
  EXPECT_EQ(CountCode("cot", 7), 1u);
  EXPECT_EQ(CountCode("cot", 10), 1u);
  EXPECT_EQ(CountCode("cot", 3), 1u);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kRequest);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  EXPECT_EQ(h.sink.pdus[3].kind, PduKind::kOther);  // spontaneous data
  EXPECT_EQ(h.sink.pdus[3].frame, 4u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const IcsOperation& op = h.sink.ops[0];
  EXPECT_STREQ(op.protocol, "iec104");
  EXPECT_EQ(op.function_code, 62u);
  EXPECT_STREQ(op.function, "set-point-scaled-time56");
  EXPECT_EQ(op.category, IcsCategory::kWrite);
  EXPECT_EQ(op.target.view(), "ca 1 ioa 5000");
  EXPECT_EQ(op.result.view(), "ok");
  EXPECT_EQ(op.request_frame, 1u);
  EXPECT_EQ(op.response_frame, 2u);
  EXPECT_EQ(op.where.requester_port, 50000);
  EXPECT_EQ(op.where.device_port, 2404);
  h.End();
  EXPECT_EQ(h.sink.ops.size(), 1u);  // the termination closed it; nothing left over
  EXPECT_TRUE(h.anomalies.empty());
}

TEST_F(Iec104Dissector, SelectThenExecuteAreTwoOperations) {
  Request(kScSelect, 9);
  Response(kScSelectCon, 11);
  Request(kScExecute, 13);
  Response(kScExecuteCon, 15);
  Response(kScTerm, 17);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "ca 3 ioa 4501 select");
  EXPECT_EQ(h.sink.ops[0].response_frame, 11u);
  EXPECT_EQ(h.sink.ops[1].target.view(), "ca 3 ioa 4501");
  EXPECT_EQ(h.sink.ops[1].request_frame, 13u);
  EXPECT_EQ(h.sink.ops[1].response_frame, 15u);
  EXPECT_STREQ(h.sink.ops[1].function, "single-command-time56");
}

TEST_F(Iec104Dissector, InterrogationIsOneReadWhateverDataFollows) {
  Request(kInterrogationAct, 109);
  Response(kInterrogationReply, 110);
  Response(kInterrogationTerm, 113);
  h.End();
  EXPECT_EQ(h.sink.pdus.size(), 6u);
  EXPECT_EQ(CountCode("apci", 1), 1u);
  EXPECT_EQ(CountCode("functions", 100), 3u);
  EXPECT_EQ(CountCode("functions", 1), 1u);
  EXPECT_EQ(CountCode("functions", 3), 1u);
  EXPECT_EQ(CountCode("cot", 20), 2u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "interrogation");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kRead);
  EXPECT_EQ(h.sink.ops[0].target.view(), "ca 37133 ioa 0");
  EXPECT_EQ(h.sink.ops[0].response_frame, 110u);
}

TEST_F(Iec104Dissector, NegativeConfirmationIsAnException) {
  Request(kDoubleSelect, 117);
  Response(kDoubleNegCon, 118);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].result.view(), "negative");
  EXPECT_EQ(h.sink.ops[0].target.view(), "ca 37133 ioa 15000 select");
  ASSERT_EQ(h.sink.pdus.size(), 3u);
  EXPECT_TRUE(h.sink.pdus[2].exception);
}

TEST_F(Iec104Dissector, StartDtIsASessionOperationAndTestFrIsNot) {
  Request(kStartDtAct, 104);
  Response(kStartDtCon, 105);
  Request(kTestFrAct, 106);
  Response(kTestFrCon, 107);
  Request(kSFrame, 108);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "startdt");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kSession);
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
  EXPECT_EQ(CountCode("apci", 3), 4u);
  EXPECT_EQ(CountCode("apci", 1), 1u);
  EXPECT_EQ(CountCode("u_functions", kIec104StartDtAct), 1u);
  EXPECT_EQ(CountCode("u_functions", kIec104TestFrCon), 1u);
  EXPECT_EQ(CountCode("functions", 0), 0u);
}

TEST_F(Iec104Dissector, UnansweredCommandIsReportedAtEnd) {
  Request(kSingleSelectUnanswered, 136);
  EXPECT_TRUE(h.sink.ops.empty());
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_TRUE(h.sink.ops[0].result.empty());
  EXPECT_EQ(h.sink.ops[0].request_frame, 136u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 0u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "ca 37133 ioa 33333 select");
}

TEST_F(Iec104Dissector, ConfirmationWithoutActivationHasNoRequestFrame) {
  Response(kSetPointCon, 2);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 0u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 2u);
  EXPECT_EQ(h.sink.ops[0].where.device_port, 2404);  // the requester is the other side
}

TEST_F(Iec104Dissector, ClockSyncIsAWriteAndResetIsControllerState) {
  Request(kClockSync, 139);
  Response(kClockSyncCon, 140);
  Request(kResetProcess, 141);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_STREQ(h.sink.ops[0].function, "clock-synchronization");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kWrite);
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
  EXPECT_STREQ(h.sink.ops[1].function, "reset-process");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kControllerState);
}

TEST_F(Iec104Dissector, ReadCommandPairsWithTheRequestedData) {
  Request(kReadCommand, 1);
  Response(kReadAnswer, 2);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "read");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kRead);
  EXPECT_EQ(h.sink.ops[0].response_frame, 2u);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
}

TEST_F(Iec104Dissector, FileCalledByControllingStationIsARead) {
  Request(kFileCall, 1);
  Response(kFileReady, 2);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "file-call");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kRead);
  EXPECT_EQ(h.sink.ops[0].target.view(), "ca 1 ioa 100");
  EXPECT_EQ(h.sink.ops[0].response_frame, 2u);
}

TEST_F(Iec104Dissector, FileCalledByOutstationIsAProgramChange) {
  // The controlling station offers a file; the outstation calls it in.
  Request(kFileReady, 1);
  Response(kFileCall, 2);
  Request(kFileReady, 3);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kProgramChange);
  EXPECT_EQ(h.sink.ops[0].target.view(), "ca 1 ioa 100 to-outstation");
  EXPECT_EQ(h.sink.ops[0].where.requester_port, 50000);  // the controlling station
  EXPECT_EQ(h.sink.ops[0].request_frame, 2u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 3u);
}

TEST_F(Iec104Dissector, ApduSplitAcrossSegments) {
  auto bytes = Hex(kSetPointAct);
  h.SendInChunks(flow::Direction::kFromInitiator, bytes, 3, 1);
  Response(kSetPointCon, 2);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[0].frame, 1u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
}

TEST_F(Iec104Dissector, JunkBetweenApdusIsSkipped) {
  // iec104/TestDissectIec104.pcap stream 0: STARTDT act, then "00", "01 68", "02 02 68 00
  // 12 12" of junk before a TESTFR act.
  Request(kStartDtAct, 4);
  Request("00", 7);
  Request("01 68", 9);
  Request("02 02 68 00 12 12", 11);
  Request(kTestFrAct, 13);
  EXPECT_STREQ(h.Protocol(), "iec104");
  EXPECT_EQ(h.stats.detached, 0u);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[1].frame, 13u);
  EXPECT_EQ(h.anomalies.Count("iec104.bad_start"), 1u);
}

TEST_F(Iec104Dissector, GapResynchronisesOnTheNextWholeApdu) {
  Request(kSetPointAct, 1);
  h.Gap(flow::Direction::kFromResponder, 100);
  // The confirmation was in the lost bytes: the command is reported unanswered now.
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_TRUE(h.sink.ops[0].result.empty());
  // The tail of a lost APDU, then a whole one.
  auto tail = Hex("0b 13 68 00 88");
  auto next = Hex(kTestFrCon);
  tail.insert(tail.end(), next.begin(), next.end());
  h.Response(tail, 3);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[1].frame, 3u);
  EXPECT_EQ(h.anomalies.Count("iec104.bad_start"), 0u);
}

TEST_F(Iec104Dissector, GapKeepsRequestsAnsweredTheOtherWay) {
  Request(kSetPointAct, 1);
  h.Gap(flow::Direction::kFromInitiator, 10);
  EXPECT_TRUE(h.sink.ops.empty());
  Response(kSetPointCon, 2);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 1u);
}

TEST_F(Iec104Dissector, TooManyWaitingCommandsRaiseOverflow) {
  for (uint32_t i = 0; i <= iec104::kMaxPendingCommands; ++i) {
    // C_SC_NA_1 activations for IOAs 1..33.
    std::vector<uint8_t> apdu = Hex("68 0e 00 00 00 00  2d 01 06 00 01 00  00 00 00  01");
    apdu[12] = static_cast<uint8_t>(i + 1);
    h.Request(apdu, i + 1);
  }
  EXPECT_EQ(h.anomalies.Count("iec104.unanswered_overflow"), 1u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 1u);
  h.End();
  EXPECT_EQ(h.sink.ops.size(), iec104::kMaxPendingCommands + 1);
}

TEST_F(Iec104Dissector, OtherProtocolsOnPort2404AreNotAttached) {
  h.Request(std::vector<uint8_t>{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'}, 1);
  EXPECT_EQ(h.Protocol(), nullptr);
  EXPECT_TRUE(h.sink.pdus.empty());
}

}  // namespace
}  // namespace qw::dissect
