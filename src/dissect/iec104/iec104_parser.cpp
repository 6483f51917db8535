// IEC 60870-5-104:2006 clause 5 (APCI) and IEC 60870-5-101:2003 clause 7 (ASDU), with the
// 104 field sizes of IEC 60870-5-104 clause 9.
//
// clang-format off
//  APDU:      | start:1 (0x68) | length:1 (4..253) | control:4 | ASDU:length-4 |
//  control, I-format:  | N(S)<<1 :2 LE (bit 0 = 0) | N(R)<<1 :2 LE (bit 0 = 0) |
//  control, S-format:  | 0x01 | 0x00 | N(R)<<1 :2 LE (bit 0 = 0) |
//  control, U-format:  | function<<2 | 0b11 (one function bit of six) | 0x00 | 0x00 | 0x00 |
//             function bits: 0 STARTDT act, 1 STARTDT con, 2 STOPDT act, 3 STOPDT con,
//                            4 TESTFR act, 5 TESTFR con
//  ASDU:      | type:1 | SQ:1 bit, number:7 bits | T:1 bit, P/N:1 bit, cause:6 bits |
//             | originator:1 | common address:2 LE | information objects |
//  objects, SQ=0:  ( | IOA:3 LE | element | ) x number
//  objects, SQ=1:  | IOA:3 LE | ( element ) x number |
//  commands' qualifier octets (SCO, DCO, RCO, QOS) carry S/E in bit 7: 1 select, 0 execute
// clang-format on
#include "dissect/iec104/iec104_parser.h"

#include <array>
#include <bit>

#include "core/byte_reader.h"

namespace qw::dissect {
namespace {

using C = IcsCategory;

// Type identifications of IEC 60870-5-101 table 8-9 (process and system information,
// parameters, file transfer), IEC 60870-5-104 (the CP56Time2a commands 58-64, test 107)
// and IEC 60870-5-7 (secure authentication 41, 81-95). Element sizes follow 101 clause
// 7.3; -1 marks elements whose size varies (segments, security data).
constexpr std::array<Iec104TypeInfo, 81> kTypes = {{
    {1, "single-point", 1, false, C::kOther, -1},
    {2, "single-point-time24", 4, false, C::kOther, -1},
    {3, "double-point", 1, false, C::kOther, -1},
    {4, "double-point-time24", 4, false, C::kOther, -1},
    {5, "step-position", 2, false, C::kOther, -1},
    {6, "step-position-time24", 5, false, C::kOther, -1},
    {7, "bitstring32", 5, false, C::kOther, -1},
    {8, "bitstring32-time24", 8, false, C::kOther, -1},
    {9, "measured-normalized", 3, false, C::kOther, -1},
    {10, "measured-normalized-time24", 6, false, C::kOther, -1},
    {11, "measured-scaled", 3, false, C::kOther, -1},
    {12, "measured-scaled-time24", 6, false, C::kOther, -1},
    {13, "measured-float", 5, false, C::kOther, -1},
    {14, "measured-float-time24", 8, false, C::kOther, -1},
    {15, "integrated-totals", 5, false, C::kOther, -1},
    {16, "integrated-totals-time24", 8, false, C::kOther, -1},
    {17, "protection-event-time24", 6, false, C::kOther, -1},
    {18, "protection-start-events-time24", 7, false, C::kOther, -1},
    {19, "protection-output-circuit-time24", 7, false, C::kOther, -1},
    {20, "packed-single-point", 5, false, C::kOther, -1},
    {21, "measured-normalized-no-quality", 2, false, C::kOther, -1},
    {30, "single-point-time56", 8, false, C::kOther, -1},
    {31, "double-point-time56", 8, false, C::kOther, -1},
    {32, "step-position-time56", 9, false, C::kOther, -1},
    {33, "bitstring32-time56", 12, false, C::kOther, -1},
    {34, "measured-normalized-time56", 10, false, C::kOther, -1},
    {35, "measured-scaled-time56", 10, false, C::kOther, -1},
    {36, "measured-float-time56", 12, false, C::kOther, -1},
    {37, "integrated-totals-time56", 12, false, C::kOther, -1},
    {38, "protection-event-time56", 10, false, C::kOther, -1},
    {39, "protection-start-events-time56", 11, false, C::kOther, -1},
    {40, "protection-output-circuit-time56", 11, false, C::kOther, -1},
    {41, "integrated-totals-security-statistics", -1, false, C::kOther, -1},
    // Commands: the qualifier with S/E is the element's first octet (SCO, DCO, RCO) or
    // follows the value (QOS after a 2-octet NVA/SVA or a 4-octet float).
    {45, "single-command", 1, true, C::kWrite, 0},
    {46, "double-command", 1, true, C::kWrite, 0},
    {47, "regulating-step-command", 1, true, C::kWrite, 0},
    {48, "set-point-normalized", 3, true, C::kWrite, 2},
    {49, "set-point-scaled", 3, true, C::kWrite, 2},
    {50, "set-point-float", 5, true, C::kWrite, 4},
    {51, "bitstring32-command", 4, true, C::kWrite, -1},
    {58, "single-command-time56", 8, true, C::kWrite, 0},
    {59, "double-command-time56", 8, true, C::kWrite, 0},
    {60, "regulating-step-command-time56", 8, true, C::kWrite, 0},
    {61, "set-point-normalized-time56", 10, true, C::kWrite, 2},
    {62, "set-point-scaled-time56", 10, true, C::kWrite, 2},
    {63, "set-point-float-time56", 12, true, C::kWrite, 4},
    {64, "bitstring32-command-time56", 11, true, C::kWrite, -1},
    {70, "end-of-initialization", 1, false, C::kOther, -1},
    {81, "authentication-challenge", -1, false, C::kOther, -1},
    {82, "authentication-reply", -1, false, C::kOther, -1},
    {83, "aggressive-mode-request", -1, false, C::kOther, -1},
    {84, "session-key-status-request", -1, false, C::kOther, -1},
    {85, "session-key-status", -1, false, C::kOther, -1},
    {86, "session-key-change", -1, false, C::kOther, -1},
    {87, "authentication-error", -1, false, C::kOther, -1},
    {90, "user-status-change", -1, false, C::kOther, -1},
    {91, "update-key-change-request", -1, false, C::kOther, -1},
    {92, "update-key-change-reply", -1, false, C::kOther, -1},
    {93, "update-key-change-symmetric", -1, false, C::kOther, -1},
    {94, "update-key-change-asymmetric", -1, false, C::kOther, -1},
    {95, "update-key-change-confirmation", -1, false, C::kOther, -1},
    // System commands. A clock synchronisation sets the time the outstation stamps its
    // events with: a write to the device. Test commands only echo: diagnostic.
    {100, "interrogation", 1, true, C::kRead, -1},
    {101, "counter-interrogation", 1, true, C::kRead, -1},
    {102, "read", 0, true, C::kRead, -1},
    {103, "clock-synchronization", 7, true, C::kWrite, -1},
    {104, "test", 2, true, C::kDiagnostic, -1},
    {105, "reset-process", 1, true, C::kControllerState, -1},
    {106, "delay-acquisition", 2, true, C::kDiagnostic, -1},
    {107, "test-time56", 9, true, C::kDiagnostic, -1},
    // Parameters change thresholds, smoothing and limits of measured values: writes.
    {110, "parameter-normalized", 3, true, C::kWrite, -1},
    {111, "parameter-scaled", 3, true, C::kWrite, -1},
    {112, "parameter-float", 5, true, C::kWrite, -1},
    {113, "parameter-activation", 1, true, C::kWrite, -1},
    // File transfer: the dissector decides the category by who calls the file.
    {120, "file-ready", 6, false, C::kOther, -1},
    {121, "section-ready", 7, false, C::kOther, -1},
    {122, "file-call", 4, false, C::kOther, -1},
    {123, "last-section-segment", 5, false, C::kOther, -1},
    {124, "file-ack", 4, false, C::kOther, -1},
    {125, "file-segment", -1, false, C::kOther, -1},
    {126, "directory", 13, false, C::kOther, -1},
    {127, "query-log", 16, false, C::kOther, -1},
}};

constexpr size_t kTypeIndexSize = 128;

// Type id -> index into kTypes + 1 (0: undefined), built once at compile time.
constexpr std::array<uint8_t, kTypeIndexSize> MakeTypeIndex() {
  std::array<uint8_t, kTypeIndexSize> index{};
  for (size_t i = 0; i < kTypes.size(); ++i) index[kTypes[i].id] = static_cast<uint8_t>(i + 1);
  return index;
}
constexpr std::array<uint8_t, kTypeIndexSize> kTypeIndex = MakeTypeIndex();
static_assert(kTypes.back().id == 127 && kTypeIndex[0] == 0, "every table row is filled");

// Octets the declared objects need, or -1 when the element size varies.
int ExpectedObjectBytes(const Iec104TypeInfo& t, bool sequence, uint8_t count) {
  if (t.element_bytes < 0) return -1;
  if (sequence) return static_cast<int>(kIec104IoaBytes) + count * t.element_bytes;
  return count * (static_cast<int>(kIec104IoaBytes) + t.element_bytes);
}

bool OneFunctionBit(uint8_t function) { return std::has_single_bit(function); }

}  // namespace

const Iec104TypeInfo* Iec104Type(uint8_t type_id) {
  if (type_id >= kTypeIndexSize || kTypeIndex[type_id] == 0) return nullptr;
  return &kTypes[kTypeIndex[type_id] - 1];
}

Iec104Framing FrameIec104(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  if (r.remaining() < 2) return {Iec104Framing::Status::kNeedMore, 2};
  uint8_t start = r.U8();
  uint8_t length = r.U8();
  if (start != kIec104Start) return {Iec104Framing::Status::kBadStart, 0};
  if (length < kIec104MinApduLength || length > kIec104MaxApduLength) {
    return {Iec104Framing::Status::kBadLength, 0};
  }
  size_t size = size_t{2} + length;
  if (bytes.size() < size) return {Iec104Framing::Status::kNeedMore, size};
  return {Iec104Framing::Status::kOk, size};
}

std::optional<Iec104Apdu> ParseIec104Apdu(std::span<const uint8_t> apdu,
                                          core::Anomalies& anomalies) {
  core::ByteReader r(apdu);
  uint8_t start = r.U8();
  uint8_t length = r.U8();
  uint8_t c1 = r.U8(), c2 = r.U8(), c3 = r.U8(), c4 = r.U8();
  if (!r.ok() || start != kIec104Start || length < kIec104MinApduLength ||
      length > kIec104MaxApduLength || apdu.size() != size_t{2} + length) {
    return std::nullopt;
  }
  Iec104Apdu out;
  out.length = length;
  // N(R) always has bit 0 clear; the last octets of S and U carry nothing else.
  if ((c1 & 0x01) == 0) {
    out.format = Iec104Format::kI;
    out.send_seq = static_cast<uint16_t>((c1 | c2 << 8) >> 1);
    out.recv_seq = static_cast<uint16_t>((c3 | c4 << 8) >> 1);
    if (c3 & 0x01) anomalies.Raise("iec104.bad_control");
  } else if ((c1 & 0x03) == 0x01) {
    out.format = Iec104Format::kS;
    out.recv_seq = static_cast<uint16_t>((c3 | c4 << 8) >> 1);
    if (c1 != 0x01 || c2 != 0 || (c3 & 0x01) || length != kIec104MinApduLength) {
      anomalies.Raise("iec104.bad_control");
    }
    return out;
  } else {
    out.format = Iec104Format::kU;
    out.u_function = static_cast<uint8_t>(c1 >> 2);
    if (!OneFunctionBit(out.u_function) || c2 != 0 || c3 != 0 || c4 != 0 ||
        length != kIec104MinApduLength) {
      anomalies.Raise("iec104.bad_control");
    }
    return out;
  }

  // I-format: the ASDU fills the rest of the APDU.
  core::ByteReader asdu = r.Sub(r.remaining());
  Iec104Asdu& a = out.asdu;
  a.type_id = asdu.U8();
  uint8_t vsq = asdu.U8();
  uint8_t cause = asdu.U8();
  a.originator = asdu.U8();
  a.common_address = asdu.U16Le();
  if (!asdu.ok()) {
    anomalies.Raise("iec104.short_asdu");
    return out;
  }
  out.has_asdu = true;
  a.sequence = (vsq & 0x80) != 0;
  a.count = static_cast<uint8_t>(vsq & 0x7f);
  a.test = (cause & 0x80) != 0;
  a.negative = (cause & 0x40) != 0;
  a.cot = static_cast<uint8_t>(cause & 0x3f);
  static_assert(kMaxIec104Objects == 0x7f, "the number field holds at most 127 objects");

  const Iec104TypeInfo* type = Iec104Type(a.type_id);
  if (!type) anomalies.Raise("iec104.unknown_type_id");
  if (a.count == 0) {
    anomalies.Raise("iec104.no_objects");
  } else if (type) {
    int expected = ExpectedObjectBytes(*type, a.sequence, a.count);
    int present = static_cast<int>(asdu.remaining());
    if (expected > present) {
      anomalies.Raise("iec104.too_many_objects");
    } else if (expected >= 0 && expected < present) {
      anomalies.Raise("iec104.asdu_length_mismatch");
    }
  }
  if (a.count == 0) return out;
  // The first object: its address, and the qualifier that says select or execute.
  core::ByteReader object = asdu;
  uint32_t ioa_low = object.U8();
  uint32_t ioa_high = object.U16Le();
  if (!object.ok()) {
    if (!type) anomalies.Raise("iec104.too_many_objects");
    return out;
  }
  a.first_ioa = ioa_low | ioa_high << 8;
  a.has_object = true;
  if (type && type->qualifier_at >= 0 && object.Skip(static_cast<size_t>(type->qualifier_at))) {
    uint8_t qualifier = object.U8();
    a.select = object.ok() && (qualifier & 0x80) != 0;
  }
  return out;
}

ProbeResult LooksLikeIec104(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  if (r.empty()) return ProbeResult::kMaybe;
  if (r.U8() != kIec104Start) return ProbeResult::kNo;
  if (r.empty()) return ProbeResult::kMaybe;
  uint8_t length = r.U8();
  if (length < kIec104MinApduLength || length > kIec104MaxApduLength) return ProbeResult::kNo;
  if (r.remaining() < 4) return ProbeResult::kMaybe;
  uint8_t c1 = r.U8(), c2 = r.U8(), c3 = r.U8(), c4 = r.U8();
  if ((c1 & 0x03) == 0x01) {
    bool ok = c1 == 0x01 && c2 == 0 && (c3 & 0x01) == 0 && length == kIec104MinApduLength;
    return ok ? ProbeResult::kYes : ProbeResult::kNo;
  }
  if ((c1 & 0x03) == 0x03) {
    bool ok = OneFunctionBit(static_cast<uint8_t>(c1 >> 2)) && c2 == 0 && c3 == 0 && c4 == 0 &&
              length == kIec104MinApduLength;
    return ok ? ProbeResult::kYes : ProbeResult::kNo;
  }
  // I-format: a defined type, at least one object, a cause, and objects that fill the ASDU.
  if ((c3 & 0x01) != 0) return ProbeResult::kNo;
  if (length < kIec104MinApduLength + kIec104AsduHeaderBytes + kIec104IoaBytes) {
    return ProbeResult::kNo;
  }
  if (r.remaining() < kIec104AsduHeaderBytes) return ProbeResult::kMaybe;
  const Iec104TypeInfo* type = Iec104Type(r.U8());
  uint8_t vsq = r.U8();
  uint8_t cause = r.U8();
  if (!type || (vsq & 0x7f) == 0 || (cause & 0x3f) == 0) return ProbeResult::kNo;
  int expected = ExpectedObjectBytes(*type, (vsq & 0x80) != 0, static_cast<uint8_t>(vsq & 0x7f));
  int present = length - static_cast<int>(kIec104MinApduLength + kIec104AsduHeaderBytes);
  if (expected >= 0 && expected != present) return ProbeResult::kNo;
  return ProbeResult::kYes;
}

}  // namespace qw::dissect
