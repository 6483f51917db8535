// RFC 6143 (The Remote Framebuffer Protocol) 7.1 and 7.3; version 3.3 and 3.7 differences
// from its appendix A; Apple Remote Desktop (security type 30) as Wireshark reads it.
//
// clang-format off
//  ProtocolVersion:  | "RFB " | major:3 digits | "." | minor:3 digits | "\n" |   (both sides)
//  Security (3.7+):  | number-of-security-types:1 | security-types:n |  (n 0: | reason-length:4 | reason |)
//  Security (3.3):   | security-type:4 |                              (0: | reason-length:4 | reason |)
//  client (3.7+):    | chosen security-type:1 |
//  VNC auth:         server | challenge:16 |, client | response:16 |
//  ARD (30):         server | generator:2 | key-length:2 | prime:key-length | public key:key-length |
//                    client | credentials:128 | public key:key-length |
//  SecurityResult:   | status:4 (0 ok, 1 failed) |  (3.8 failed: | reason-length:4 | reason |)
//  ClientInit:       | shared-flag:1 |
//  ServerInit:       | width:2 | height:2 | pixel-format:16 | name-length:4 | name |
//  VeNCrypt (19):    server | major:1 | minor:1 |, client | major:1 | minor:1 |,
//                    server | ack:1 (0 ok) | count:1 | subtypes:4 each |, client | subtype:4 |
//  VeNCrypt Plain:   client | user-length:4 | password-length:4 | user | password |
//  VeNCrypt TLS/X509: server | ack:1 (1 accepted) |, then a TLS handshake from both sides
// clang-format on
#include "dissect/vnc/vnc_parser.h"

#include <string_view>

#include "core/byte_reader.h"

namespace qw::dissect::vnc {

namespace {

constexpr size_t kPixelFormatBytes = 16;

// `out` as an answer that wants `length` bytes in all before it can be read.
template <class Message>
Message NeedMore(Message& out, size_t length) {
  out.status = Status::kNeedMore;
  out.length = length;
  return out;
}

// `out` as a whole message of `length` bytes, read.
template <class Message>
Message Complete(Message& out, size_t length) {
  out.status = Status::kOk;
  out.length = length;
  return out;
}

bool Digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

uint16_t Number(std::string_view s) {
  uint16_t n = 0;
  for (char c : s) n = static_cast<uint16_t>(n * 10 + (c - '0'));
  return n;
}

// Reads | length:4 | text | into `out`; the bytes wanted in all (from the reader's start)
// when cut short, 0 when read, SIZE_MAX when the length exceeds kMaxTextBytes.
size_t ReadText(core::ByteReader& r, core::FixedText<255>& out) {
  const size_t start = r.position();
  const uint32_t length = r.U32Be();
  if (!r.ok()) return start + 4;
  if (length > kMaxTextBytes) return SIZE_MAX;
  std::string_view text = r.Chars(length);
  if (!r.ok()) return start + 4 + length;
  out.AppendPrintable(text);
  return 0;
}

}  // namespace

std::optional<Version> ParseVersion(std::span<const uint8_t> line) {
  core::ByteReader r(line);
  const std::string_view text = r.Chars(kVersionBytes);
  if (!r.ok() || text.substr(0, 4) != "RFB " || text.substr(7, 1) != "." ||
      text.substr(11) != "\n") {
    return std::nullopt;
  }
  const std::string_view major = text.substr(4, 3), minor = text.substr(8, 3);
  if (!Digits(major) || !Digits(minor)) return std::nullopt;
  Version v;
  v.major = Number(major);
  v.minor = Number(minor);
  v.text.Append(text.substr(4, 7));
  return v;
}

SecurityTypes ReadSecurityTypes(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  SecurityTypes s;
  s.count = r.U8();
  if (!r.ok()) {
    return NeedMore(s, 1);
  }
  if (s.count == 0) {
    const size_t want = ReadText(r, s.reason);
    if (want == SIZE_MAX) return s;
    s.status = want == 0 ? Status::kOk : Status::kNeedMore;
    s.length = want == 0 ? r.position() : want;
    return s;
  }
  std::span<const uint8_t> types = r.Bytes(s.count);
  if (!r.ok()) {
    return NeedMore(s, 1u + s.count);
  }
  core::ByteReader t(types);
  for (uint8_t i = 0; i < s.count; ++i) s.types[i] = t.U8();
  return Complete(s, r.position());
}

Word ReadWord(std::span<const uint8_t> bytes, bool reason_when_zero, bool reason_when_nonzero) {
  core::ByteReader r(bytes);
  Word w;
  w.value = r.U32Be();
  if (!r.ok()) {
    return NeedMore(w, 4);
  }
  if (w.value == 0 ? reason_when_zero : reason_when_nonzero) {
    const size_t want = ReadText(r, w.reason);
    if (want == SIZE_MAX) return w;
    if (want != 0) {
      return NeedMore(w, want);
    }
  }
  return Complete(w, r.position());
}

Word ReadReason(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  Word w;
  const size_t want = ReadText(r, w.reason);
  if (want == SIZE_MAX) return w;
  w.value = static_cast<uint32_t>(r.position() >= 4 ? r.position() - 4 : 0);
  w.status = want == 0 ? Status::kOk : Status::kNeedMore;
  w.length = want == 0 ? r.position() : want;
  return w;
}

ArdParameters ReadArdParameters(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  ArdParameters a;
  r.Skip(2);  // generator
  a.key_length = r.U16Be();
  if (!r.ok()) {
    return NeedMore(a, 4);
  }
  if (a.key_length == 0 || a.key_length > kMaxArdKeyBytes) return a;
  a.length = 4 + 2 * size_t{a.key_length};
  a.status = bytes.size() >= a.length ? Status::kOk : Status::kNeedMore;
  return a;
}

ServerInit ReadServerInit(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  ServerInit s;
  s.width = r.U16Be();
  s.height = r.U16Be();
  r.Skip(kPixelFormatBytes);
  if (!r.ok()) {
    return NeedMore(s, 4 + kPixelFormatBytes + 4);
  }
  const size_t want = ReadText(r, s.name);
  if (want == SIZE_MAX) return s;
  s.status = want == 0 ? Status::kOk : Status::kNeedMore;
  s.length = want == 0 ? r.position() : want;
  return s;
}

VencryptSubtypes ReadVencryptSubtypes(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  VencryptSubtypes v;
  v.ack = r.U8();
  if (!r.ok()) {
    return NeedMore(v, 1);
  }
  if (v.ack != 0) {  // the version is refused: nothing follows
    return Complete(v, 1);
  }
  v.count = r.U8();
  if (!r.ok()) {
    return NeedMore(v, 2);
  }
  std::span<const uint8_t> list = r.Bytes(size_t{4} * v.count);
  if (!r.ok()) {
    return NeedMore(v, 2 + size_t{4} * v.count);
  }
  core::ByteReader t(list);
  for (uint8_t i = 0; i < v.count; ++i) v.subtypes[i] = t.U32Be();
  return Complete(v, r.position());
}

PlainCredentials ReadPlainCredentials(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  PlainCredentials c;
  const uint32_t user_length = r.U32Be();
  const uint32_t password_length = r.U32Be();
  if (!r.ok()) {
    return NeedMore(c, 8);
  }
  if (user_length > kMaxTextBytes || password_length > kMaxTextBytes) return c;
  const std::string_view user = r.Chars(user_length);
  r.Skip(password_length);
  if (!r.ok()) {
    return NeedMore(c, 8 + size_t{user_length} + password_length);
  }
  c.user.AppendPrintable(user);
  return Complete(c, r.position());
}

const char* VencryptSubtypeName(uint32_t subtype) {
  switch (subtype) {
    case 1:
      return "None";
    case 2:
      return "VNC authentication";
    case 256:
      return "Plain";
    case 257:
      return "TLSNone";
    case 258:
      return "TLSVnc";
    case 259:
      return "TLSPlain";
    case 260:
      return "X509None";
    case 261:
      return "X509Vnc";
    case 262:
      return "X509Plain";
    case 263:
      return "TLSSASL";
    case 264:
      return "X509SASL";
    default:
      return "";
  }
}

const char* SecurityTypeName(uint8_t type) {
  switch (type) {
    case 0:
      return "invalid";
    case 1:
      return "none";
    case 2:
      return "VNC authentication";
    case 5:
      return "RA2";
    case 6:
      return "RA2ne";
    case 16:
      return "Tight";
    case 17:
      return "Ultra";
    case 18:
      return "TLS";
    case 19:
      return "VeNCrypt";
    case 20:
      return "SASL";
    case 21:
      return "MD5 hash";
    case 22:
      return "xvp";
    case 30:
      return "Apple Remote Desktop";
    default:
      return "";
  }
}

}  // namespace qw::dissect::vnc
