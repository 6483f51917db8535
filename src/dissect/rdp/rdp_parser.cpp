// [MS-RDPBCGR] 2.2.1.1 (Client X.224 Connection Request PDU), 2.2.1.2 (Server X.224
// Connection Confirm PDU), 2.2.1.3 (Client MCS Connect Initial PDU with GCC Conference
// Create Request), 2.2.9.1.2 (fast-path output), 2.2.8.1.2 (fast-path input).
//
// clang-format off
//  CR TPDU:   | LI:1 | 0xe0:1 | dst-ref:2 (=0) | src-ref:2 | class:1 (=0) |
//             | "Cookie: mstshash=USER\r\n" or routing token "Cookie: msts=...\r\n" (optional) |
//             | RDP_NEG_REQ (optional): type:1 (=1) | flags:1 | length:2 LE (=8) | requestedProtocols:4 LE |
//             | RDP_CORRELATION_INFO (optional, type 6): not read |
//  CC TPDU:   | LI:1 | 0xd0:1 | dst-ref:2 | src-ref:2 | class:1 |
//             | RDP_NEG_RSP: type:1 (=2) | flags:1 | length:2 LE (=8) | selectedProtocol:4 LE |
//             | or RDP_NEG_FAILURE: type:1 (=3) | flags:1 | length:2 LE (=8) | failureCode:4 LE |
//  DT user data: MCS Connect-Initial, BER: | 0x7f 0x65 | length | callingDomainSelector (0x04) |
//             | calledDomainSelector (0x04) | upwardFlag (0x01) | target, minimum, maximum
//             | parameters (0x30 each) | userData (0x04): GCC ConnectData, PER: |
//             | 00 05 00 14 7c 00 01 (key: object id t124) | length | 00 08 00 10 00 01 c0 00
//             | "Duca" (h221 key) | length | client data blocks: type:2 LE | length:2 LE | ... |
//  CS_CORE (0xc001): | version:4 LE | desktopWidth:2 LE | desktopHeight:2 LE | colorDepth:2 |
//             | SASSequence:2 | keyboardLayout:4 LE | clientBuild:4 LE | clientName:32 (UTF-16LE) | ...
//  fast-path: | action:2 bits (=0) flags:6 bits | length:1, or 2 when the top bit is set (15 bits) |
// clang-format on
#include "dissect/rdp/rdp_parser.h"

#include <string_view>

#include "core/byte_reader.h"

namespace qw::dissect::rdp {

namespace {

constexpr uint8_t kCotpConnectRequest = 0xe0;
constexpr uint8_t kCotpConnectConfirm = 0xd0;
constexpr size_t kFixedHeaderBytes = 6;  // type, dst-ref, src-ref, class (after LI)
constexpr size_t kNegBytes = 8;
constexpr std::string_view kCookiePrefix = "Cookie: ";
constexpr std::string_view kUserPrefix = "Cookie: mstshash=";
constexpr uint16_t kClientCoreBlock = 0xc001;
constexpr size_t kClientNameUnits = 16;

// The header after LI as a sub-reader; nullopt when LI does not fit or is too short for the
// fixed part.
std::optional<core::ByteReader> Header(std::span<const uint8_t> tpdu) {
  core::ByteReader r(tpdu);
  const uint8_t li = r.U8();
  if (!r.ok() || li < kFixedHeaderBytes || li > r.remaining()) return std::nullopt;
  return r.Sub(li);
}

// A negotiation structure: type, flags, length (must be 8), a 32-bit value.
struct Neg {
  uint8_t type = 0, flags = 0;
  uint32_t value = 0;
};

std::optional<Neg> ReadNeg(core::ByteReader& r) {
  Neg n;
  n.type = r.U8();
  n.flags = r.U8();
  const uint16_t length = r.U16Le();
  n.value = r.U32Le();
  if (!r.ok() || length != kNegBytes) return std::nullopt;
  return n;
}

// A BER length (X.690 8.1.3: short form, or 0x81/0x82 and one or two octets).
size_t BerLength(core::ByteReader& r) {
  const uint8_t first = r.U8();
  if (first < 0x80) return first;
  if (first == 0x81) return r.U8();
  if (first == 0x82) return r.U16Be();
  r.Fail();
  return 0;
}

// A PER length (X.691 10.9: one octet, or two with the top bit set and 14 bits).
size_t PerLength(core::ByteReader& r) {
  const uint8_t first = r.U8();
  if ((first & 0x80) == 0) return first;
  return static_cast<size_t>((first & 0x3f) << 8 | r.U8());
}

// Skips one BER element with tag `tag`; false when the tag differs or it is cut short.
bool SkipBer(core::ByteReader& r, uint8_t tag) {
  if (r.U8() != tag) return false;
  const size_t n = BerLength(r);
  return r.ok() && r.Skip(n);
}

bool Expect(core::ByteReader& r, std::span<const uint8_t> want) {
  for (uint8_t b : want) {
    if (r.U8() != b) return false;
  }
  return r.ok();
}

std::optional<ClientCore> ReadClientCore(core::ByteReader b) {
  ClientCore c;
  c.version = b.U32Le();
  c.width = b.U16Le();
  c.height = b.U16Le();
  b.Skip(2 + 2);  // colorDepth, SASSequence
  c.keyboard_layout = b.U32Le();
  c.build = b.U32Le();
  core::ByteReader name = b.Sub(2 * kClientNameUnits);
  if (!b.ok()) return std::nullopt;
  for (size_t i = 0; i < kClientNameUnits; ++i) {
    const uint16_t unit = name.U16Le();
    if (unit == 0) break;
    c.name.Append(unit >= 0x20 && unit < 0x7f ? static_cast<char>(unit) : '.');
  }
  return c;
}

}  // namespace

std::optional<ConnectionRequest> ParseConnectionRequest(std::span<const uint8_t> tpdu) {
  auto header = Header(tpdu);
  if (!header) return std::nullopt;
  core::ByteReader& h = *header;
  const uint8_t type = h.U8() & 0xf0;
  const uint16_t dst_ref = h.U16Be();
  h.Skip(2);
  const uint8_t cls = h.U8();
  if (!h.ok() || type != kCotpConnectRequest || dst_ref != 0 || (cls >> 4) != 0) {
    return std::nullopt;
  }
  ConnectionRequest cr;
  std::string_view rest = core::ByteReader(h.PeekRest()).Chars(h.remaining());
  if (rest.substr(0, kCookiePrefix.size()) == kCookiePrefix) {
    // The token runs to CR LF, which the header must hold.
    const size_t end = rest.find("\r\n");
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view token = rest.substr(0, end);
    cr.has_token = true;
    cr.token.AppendPrintable(token);
    if (token.substr(0, kUserPrefix.size()) == kUserPrefix) {
      cr.has_user = true;
      cr.user.AppendPrintable(token.substr(kUserPrefix.size()));
    }
    h.Skip(end + 2);
  }
  if (h.remaining() >= kNegBytes) {
    auto neg = ReadNeg(h);
    if (!neg || neg->type != kNegRequest) return std::nullopt;
    cr.has_neg = true;
    cr.neg_flags = neg->flags;
    cr.requested = neg->value;
  } else if (!h.empty()) {
    return std::nullopt;  // neither a token nor a negotiation request
  }
  return cr;
}

std::optional<ConnectionConfirm> ParseConnectionConfirm(std::span<const uint8_t> tpdu) {
  auto header = Header(tpdu);
  if (!header) return std::nullopt;
  core::ByteReader& h = *header;
  const uint8_t type = h.U8() & 0xf0;
  h.Skip(5);  // dst-ref, src-ref, class
  if (!h.ok() || type != kCotpConnectConfirm) return std::nullopt;
  ConnectionConfirm cc;
  if (h.empty()) return cc;
  auto neg = ReadNeg(h);
  if (!neg || (neg->type != kNegResponse && neg->type != kNegFailure)) return std::nullopt;
  cc.neg_type = neg->type;
  cc.neg_flags = neg->flags;
  (neg->type == kNegResponse ? cc.selected : cc.failure_code) = neg->value;
  return cc;
}

bool IsConnectInitial(std::span<const uint8_t> user_data) {
  core::ByteReader r(user_data);
  return r.U8() == 0x7f && r.U8() == 0x65 && r.ok();
}

std::optional<ClientCore> ParseConnectInitial(std::span<const uint8_t> user_data,
                                              core::Anomalies& anomalies) {
  static constexpr uint8_t kT124Key[] = {0x00, 0x05, 0x00, 0x14, 0x7c, 0x00, 0x01};
  static constexpr uint8_t kCreateRequest[] = {0x00, 0x08, 0x00, 0x10, 0x00, 0x01, 0xc0, 0x00};
  static constexpr uint8_t kH221Key[] = {'D', 'u', 'c', 'a'};
  core::ByteReader r(user_data);
  r.Skip(2);  // 0x7f 0x65
  core::ByteReader body = r.Sub(BerLength(r));
  const bool selectors = SkipBer(body, 0x04) && SkipBer(body, 0x04) && SkipBer(body, 0x01) &&
                         SkipBer(body, 0x30) && SkipBer(body, 0x30) && SkipBer(body, 0x30);
  if (!r.ok() || !selectors || body.U8() != 0x04) {
    anomalies.Raise("rdp.bad_connect_initial");
    return std::nullopt;
  }
  core::ByteReader gcc = body.Sub(BerLength(body));
  bool ok = body.ok() && Expect(gcc, kT124Key);
  PerLength(gcc);
  ok = ok && Expect(gcc, kCreateRequest) && Expect(gcc, kH221Key);
  core::ByteReader blocks = gcc.Sub(PerLength(gcc));
  if (!ok || !gcc.ok()) {
    anomalies.Raise("rdp.bad_connect_initial");
    return std::nullopt;
  }
  for (size_t i = 0; blocks.remaining() >= 4; ++i) {
    if (i == kMaxClientDataBlocks) {
      anomalies.Raise("rdp.too_many_blocks");
      break;
    }
    const uint16_t type = blocks.U16Le();
    const uint16_t length = blocks.U16Le();
    if (length < 4) break;
    core::ByteReader block = blocks.Sub(length - 4u);
    if (!blocks.ok()) break;
    if (type == kClientCoreBlock) {
      if (auto core = ReadClientCore(block)) return core;
      break;
    }
  }
  anomalies.Raise("rdp.bad_connect_initial");
  return std::nullopt;
}

std::optional<size_t> FastPathLength(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  const uint8_t head = r.U8();
  if (!r.ok()) return 0;
  if ((head & 0x3) != 0) return std::nullopt;  // action 3 is a TPKT; 1 and 2 are reserved
  const uint8_t first = r.U8();
  if (!r.ok()) return 0;
  size_t length = first;
  size_t header = 2;
  if (first & 0x80) {
    const uint8_t second = r.U8();
    if (!r.ok()) return 0;
    length = static_cast<size_t>((first & 0x7f) << 8 | second);
    header = 3;
  }
  if (length <= header) return std::nullopt;  // a PDU holds more than its header
  return length;
}

void AppendProtocols(uint32_t mask, core::FixedText<255>& out) {
  static constexpr struct {
    uint32_t bit;
    const char* name;
  } kNames[] = {{kProtocolSsl, "ssl"},
                {kProtocolHybrid, "hybrid"},
                {kProtocolRdsTls, "rdstls"},
                {kProtocolHybridEx, "hybrid_ex"},
                {kProtocolRdsAad, "rdsaad"}};
  if (mask == 0) {
    out.Append("rdp");
    return;
  }
  bool first = true;
  uint32_t known = 0;
  for (const auto& n : kNames) {
    known |= n.bit;
    if ((mask & n.bit) == 0) continue;
    if (!first) out.Append(',');
    out.Append(n.name);
    first = false;
  }
  if (mask & ~known) {
    if (!first) out.Append(',');
    out.AppendHex(mask & ~known);
  }
}

const char* FailureName(uint32_t code) {
  switch (code) {
    case 1:
      return "ssl_required_by_server";
    case 2:
      return "ssl_not_allowed_by_server";
    case 3:
      return "ssl_cert_not_on_server";
    case 4:
      return "inconsistent_flags";
    case 5:
      return "hybrid_required_by_server";
    case 6:
      return "ssl_with_user_auth_required_by_server";
    default:
      return "";
  }
}

const char* VersionName(uint32_t version) {
  switch (version) {
    case 0x00080001:
      return "4.0";
    case 0x00080004:
      return "5.0-8.1";
    case 0x00080005:
      return "10.0";
    case 0x00080006:
      return "10.1";
    case 0x00080007:
      return "10.2";
    case 0x00080008:
      return "10.3";
    case 0x00080009:
      return "10.4";
    case 0x0008000a:
      return "10.5";
    case 0x0008000b:
      return "10.6";
    case 0x0008000c:
      return "10.7";
    case 0x0008000d:
      return "10.8";
    case 0x0008000e:
      return "10.9";
    case 0x0008000f:
      return "10.10";
    case 0x00080010:
      return "10.11";
    case 0x00080011:
      return "10.12";
    default:
      return "";
  }
}

}  // namespace qw::dissect::rdp
