// S7comm-plus, as Thomas Wiens' s7comm_plus Wireshark plugin and S7CommPlusDriver read it.
//
// clang-format off
//  packet:   | protocol id:1 (0x72) | version:1 | data length:2 | data:data length | [trailer] |
//            V3: the data starts with | digest length:1 (32) | digest:32 | (counted in data length)
//            trailer (last packet of a message only): | 0x72 | version:1 | 0x0000 |
//            a message longer than one packet continues in packets without trailer whose data
//            simply continues the data part; system events (0xfe) have no trailer; a keep-alive
//            (0xff) is | 0x72 | 0xff | sequence:1 | reserved:1 |
//  data:     | opcode:1 | ... |
//    request (0x31):      | reserved:2 | function:2 | reserved:2 | sequence:2 | session id:4 |
//                         | transport flags:1 | request body |
//    response (0x32, 0x02): | reserved:2 | function:2 | reserved:2 | sequence:2 |
//                         | transport flags:1 | return value:VLQ64 | response body |
//    notification (0x33): | subscription object id:4 | ... |
//  CreateObject request body: | request id:4 | value: flags:1 type:1 (4 UDInt) VLQ |
//                         | ... | 0xa1 start of object | relation id:4 | class id:VLQ | ... |
//  DeleteObject request body: | object id:4 | ...
//  item value:            | flags:1 | datatype:1 | value |; WString (0x15): | length:VLQ | UTF-8 |
//  VLQ: 7 bits per octet, high bit "more", most significant first; the last possible octet
//       (5th of 32 bits, 9th of 64 bits) carries 8 bits.
// clang-format on
#include "dissect/s7comm_plus/s7comm_plus_parser.h"

#include <algorithm>
#include <string_view>

#include "core/byte_reader.h"
#include "dissect/s7comm/cotp_parser.h"

namespace qw::dissect {
namespace {

constexpr uint8_t kDigestLength = 32;
constexpr uint8_t kStartOfObject = 0xa1;
constexpr uint8_t kDatatypeUDInt = 0x04;
constexpr uint8_t kDatatypeWString = 0x15;
// How far past the CreateObject value the start of the new object is looked for (newer
// firmware puts a few more octets there).
constexpr size_t kObjectSearchBytes = 12;
constexpr uint64_t kErrorBit = uint64_t{1} << 62;

// A VLQ of at most `max_octets`; the reader fails when it is cut short.
uint64_t ReadVlq(core::ByteReader& r, int max_octets) {
  uint64_t v = 0;
  for (int i = 1; i <= max_octets; ++i) {
    uint8_t octet = r.U8();
    if (i == max_octets) return v << 8 | octet;
    v = v << 7 | (octet & 0x7f);
    if ((octet & 0x80) == 0) break;
  }
  return v;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

// Reads "<n>;<order number>;V<firmware>" (the order number may end in spaces).
bool ReadSessionVersion(std::string_view s, S7PlusSessionVersion& out) {
  size_t a = s.find(';');
  if (a == std::string_view::npos || a == 0 || a > 3 || !AllDigits(s.substr(0, a))) return false;
  size_t b = s.find(';', a + 1);
  if (b == std::string_view::npos) return false;
  std::string_view order = s.substr(a + 1, b - a - 1);
  while (!order.empty() && order.back() == ' ') order.remove_suffix(1);
  std::string_view fw = s.substr(b + 1);
  // Siemens order numbers ("MLFB") start with 6 and run 10 to 24 characters.
  if (order.size() < 10 || order.size() > 24 || order.front() != '6') return false;
  if (fw.size() < 2 || fw.size() > 16 || fw.front() != 'V' || !IsDigit(fw.substr(1).front())) {
    return false;
  }
  out.order_number.Clear();
  out.firmware.Clear();
  out.order_number.AppendPrintable(order);
  out.firmware.AppendPrintable(fw);
  return true;
}

}  // namespace

std::optional<S7PlusPacket> ParseS7PlusPacket(std::span<const uint8_t> message,
                                              core::Anomalies& anomalies) {
  core::ByteReader r(message);
  S7PlusPacket p;
  uint8_t id = r.U8();
  p.version = r.U8();
  if (!r.ok() || id != kS7commPlusProtocolId) {
    anomalies.Raise("s7comm_plus.header_malformed");
    return std::nullopt;
  }
  if (p.version == static_cast<uint8_t>(S7PlusVersion::kKeepAlive)) {
    p.keepalive_sequence = r.U8();
    p.ends_message = true;
    return p;
  }
  p.data_length = r.U16Be();
  if (!r.ok() || p.data_length > r.remaining()) {
    anomalies.Raise("s7comm_plus.header_malformed");
    return std::nullopt;
  }
  core::ByteReader data = r.Sub(p.data_length);
  if (p.version == static_cast<uint8_t>(S7PlusVersion::kSystemEvent)) {
    p.ends_message = true;
  } else if (r.remaining() >= kS7PlusTrailerBytes) {
    // A trailer marks the last packet of a message (Wiens: more than header + data left).
    p.ends_message = true;
    uint8_t tid = r.U8();
    uint8_t tversion = r.U8();
    uint16_t tlength = r.U16Be();
    if (tid != kS7commPlusProtocolId || tversion != p.version || tlength != 0 || !r.empty()) {
      anomalies.Raise("s7comm_plus.bad_trailer");
    }
  } else if (!r.empty()) {
    anomalies.Raise("s7comm_plus.bad_trailer");
  }
  if (p.version == static_cast<uint8_t>(S7PlusVersion::kV3) && !data.empty()) {
    uint8_t digest_len = data.PeekU8(0);
    if (digest_len == kDigestLength && data.remaining() > kS7PlusDigestBytes) {
      data.Skip(1 + kS7PlusDigestBytes);
      p.has_digest = true;
    } else {
      anomalies.Raise("s7comm_plus.bad_digest");
    }
  }
  p.data = data.Rest();
  return p;
}

std::optional<S7PlusHead> ParseS7PlusHead(std::span<const uint8_t> data) {
  core::ByteReader r(data);
  S7PlusHead h;
  h.opcode = r.U8();
  if (!r.ok()) return std::nullopt;
  switch (static_cast<S7PlusOpcode>(h.opcode)) {
    case S7PlusOpcode::kNotification:
      h.subscription_id = r.U32Be();
      if (!r.ok()) return std::nullopt;
      h.body = r.Rest();
      return h;
    case S7PlusOpcode::kRequest:
    case S7PlusOpcode::kResponse:
    case S7PlusOpcode::kResponse2:
      break;
    default:
      h.body = r.Rest();
      return h;
  }
  r.Skip(2);
  h.function = r.U16Be();
  r.Skip(2);
  h.sequence = r.U16Be();
  bool request = h.opcode == static_cast<uint8_t>(S7PlusOpcode::kRequest);
  if (request) h.session_id = r.U32Be();
  h.transport_flags = r.U8();
  if (!r.ok()) return std::nullopt;
  h.has_function = true;
  if (!request) {
    // Notification-style responses (0x02) may end right after the flags.
    core::ByteReader rv(r.PeekRest());
    uint64_t v = ReadVlq(rv, 9);
    if (rv.ok()) {
      h.has_return_value = true;
      h.return_value = v;
    }
    h.body = r.Rest();
    return h;
  }
  h.body = r.PeekRest();
  auto fn = static_cast<S7PlusFunction>(h.function);
  if (fn == S7PlusFunction::kDeleteObject) {
    h.object_id = r.U32Be();
    h.has_object_id = r.ok();
  } else if (fn == S7PlusFunction::kCreateObject) {
    h.object_id = r.U32Be();
    h.has_object_id = r.ok();
    r.Skip(1);  // value flags
    if (r.U8() == kDatatypeUDInt) ReadVlq(r, 5);
    for (size_t i = 0; i < kObjectSearchBytes && r.ok() && !r.empty(); ++i) {
      if (r.U8() != kStartOfObject) continue;
      r.Skip(4);  // relation id
      uint64_t cls = ReadVlq(r, 5);
      if (r.ok()) {
        h.has_class_id = true;
        h.class_id = static_cast<uint32_t>(cls);
      }
      break;
    }
  }
  return h;
}

bool S7PlusIsError(uint64_t return_value) { return (return_value & kErrorBit) != 0; }

bool FindS7PlusSessionVersion(std::span<const uint8_t> data, S7PlusSessionVersion& out,
                              core::Anomalies& anomalies) {
  core::ByteReader r(data);
  size_t candidates = 0;
  // A WString item value is | flags 0x00 | 0x15 | length VLQ | text |.
  while (r.remaining() > 3) {
    if (r.PeekU8(0) != 0x00 || r.PeekU8(1) != kDatatypeWString) {
      r.Skip(1);
      continue;
    }
    if (++candidates > kMaxS7PlusStrings) {
      anomalies.Raise("s7comm_plus.too_many_strings");
      return false;
    }
    core::ByteReader s(r.PeekRest());
    s.Skip(2);
    uint64_t len = ReadVlq(s, 5);
    if (s.ok() && len >= 14 && len <= 64 && len <= s.remaining()) {
      if (ReadSessionVersion(s.Chars(static_cast<size_t>(len)), out)) return true;
    }
    r.Skip(1);
  }
  return false;
}

const char* S7PlusFunctionName(uint16_t function) {
  switch (static_cast<S7PlusFunction>(function)) {
    case S7PlusFunction::kExplore:
      return "explore";
    case S7PlusFunction::kCreateObject:
      return "create-object";
    case S7PlusFunction::kDeleteObject:
      return "delete-object";
    case S7PlusFunction::kSetVariable:
      return "set-variable";
    case S7PlusFunction::kGetVariable:
      return "get-variable";
    case S7PlusFunction::kAddLink:
      return "add-link";
    case S7PlusFunction::kRemoveLink:
      return "remove-link";
    case S7PlusFunction::kGetLink:
      return "get-link";
    case S7PlusFunction::kSetMultiVariables:
      return "set-multi-variables";
    case S7PlusFunction::kGetMultiVariables:
      return "get-multi-variables";
    case S7PlusFunction::kBeginSequence:
      return "begin-sequence";
    case S7PlusFunction::kEndSequence:
      return "end-sequence";
    case S7PlusFunction::kInvoke:
      return "invoke";
    case S7PlusFunction::kSetVarSubStreamed:
      return "set-var-sub-streamed";
    case S7PlusFunction::kGetVarSubStreamed:
      return "get-var-sub-streamed";
    case S7PlusFunction::kGetVariablesAddress:
      return "get-variables-address";
    case S7PlusFunction::kAbort:
      return "abort";
    case S7PlusFunction::kError:
      return "error";
    case S7PlusFunction::kInitSsl:
      return "init-ssl";
  }
  return "unknown";
}

}  // namespace qw::dissect
