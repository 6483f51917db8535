#include "dissect/openvpn/openvpn_parser.h"

#include <array>

#include "core/byte_reader.h"

namespace qw::dissect::openvpn {

namespace {

bool IsControl(uint8_t opcode) {
  return opcode != kDataV1 && opcode != kDataV2 && opcode >= 1 && opcode <= kMaxOpcode;
}

// The message packet id an OpenVPN 2.6 client sends when early negotiation flags follow it.
constexpr uint32_t kEarlyNegStart = 0x0f000000;

// A V2 client reset's layouts: what lies between the session id and the acknowledgement
// count (a tls-auth HMAC, then its packet id and time), and what it says.
struct Layout {
  size_t auth_bytes;
  ControlProtection protection;
};
constexpr std::array<Layout, 5> kLayouts = {{
    {0, ControlProtection::kNone},
    {16 + 8, ControlProtection::kTlsAuthMd5},
    {20 + 8, ControlProtection::kTlsAuthSha1},
    {32 + 8, ControlProtection::kTlsAuthSha256OrTlsCrypt},
    {64 + 8, ControlProtection::kTlsAuthSha512},
}};

}  // namespace

bool ParsePacket(std::span<const uint8_t> bytes, Packet& out) {
  core::ByteReader r(bytes);
  const uint8_t first = r.U8();
  if (!r.ok()) return false;
  out = Packet{};
  out.opcode = first >> 3;
  out.key_id = first & 0x07;
  out.length = bytes.size();
  if (out.opcode == 0 || out.opcode > kMaxOpcode) return false;
  if (IsControl(out.opcode)) {
    const uint64_t high = r.U32Be();
    const uint64_t low = r.U32Be();
    out.has_session_id = r.ok();
    if (out.has_session_id) out.session_id = high << 32 | low;
  }
  return true;
}

Framed ReadFramed(std::span<const uint8_t> bytes) {
  Framed f;
  core::ByteReader r(bytes);
  const size_t n = r.U16Be();
  if (!r.ok()) {
    f.status = Status::kNeedMore;
    f.length = kLengthBytes;
    return f;
  }
  if (n == 0) return f;
  f.length = kLengthBytes + n;
  f.status = bytes.size() >= f.length ? Status::kOk : Status::kNeedMore;
  return f;
}

bool LooksLikeClientReset(std::span<const uint8_t> packet, ControlProtection* protection) {
  ControlProtection found = ControlProtection::kUnknown;
  core::ByteReader head(packet);
  const uint8_t first = head.U8();
  if (!head.ok() || (first & 0x07) != 0) return false;
  const uint8_t opcode = first >> 3;
  const size_t n = packet.size();
  if (opcode == kHardResetClientV2) {
    // The acknowledgement count (0: a first packet acknowledges nothing) and the message
    // packet id (0, or kEarlyNegStart when a flags TLV of six octets follows).
    for (const Layout& l : kLayouts) {
      const size_t ack_at = 1 + kSessionIdBytes + l.auth_bytes;
      for (const size_t tlv : {size_t{0}, size_t{6}}) {
        if (n != ack_at + 1 + 4 + tlv) continue;
        core::ByteReader r(packet.subspan(ack_at));
        const uint8_t acks = r.U8();
        const uint32_t id = r.U32Be();
        bool ok = r.ok() && acks == 0;
        if (tlv == 0) {
          ok = ok && id == 0;
        } else {
          // TLV type 1 (early negotiation flags), length 2, then the flags.
          const uint16_t type = r.U16Be();
          const uint16_t length = r.U16Be();
          r.U16Be();  // the flags
          ok = ok && r.ok() && id == kEarlyNegStart && type == 1 && length == 2;
        }
        if (ok) found = l.protection;
      }
    }
    // tls-crypt encrypts those fields: its reset has the length of a SHA-256 tls-auth one.
    if (found == ControlProtection::kUnknown && (n == 54 || n == 60)) {
      found = ControlProtection::kTlsAuthSha256OrTlsCrypt;
    }
  } else if (opcode == kHardResetClientV3) {
    // tls-crypt-v2: session id, packet id, time, a 32-octet tag, the encrypted fields (at
    // least five octets), then the client's wrapped key, whose last two octets give its
    // length (themselves included).
    constexpr size_t kBefore = 1 + kSessionIdBytes + 8 + 32 + 5;
    if (n >= kBefore + 2 && n <= 2048) {
      core::ByteReader r(packet.subspan(n - 2));
      const size_t wkc = r.U16Be();
      if (r.ok() && wkc > 2 && wkc <= n - kBefore) found = ControlProtection::kTlsCryptV2;
    }
  }
  if (found == ControlProtection::kUnknown) return false;
  if (protection) *protection = found;
  return true;
}

std::optional<size_t> AuthBytes(ControlProtection p) {
  for (const Layout& l : kLayouts) {
    if (l.protection == p) return l.auth_bytes;
  }
  return std::nullopt;
}

bool ParseControl(std::span<const uint8_t> packet, size_t auth_bytes, Control& out) {
  core::ByteReader r(packet);
  const uint8_t first = r.U8();
  out = Control{};
  out.opcode = first >> 3;
  out.key_id = first & 0x07;
  if (!r.ok() || !IsControl(out.opcode)) return false;
  r.Skip(kSessionIdBytes + auth_bytes);
  out.acks = r.U8();
  if (!r.ok() || out.acks > kMaxAcks) return false;
  // The acknowledged ids, then the session they belong to.
  if (out.acks > 0) r.Skip(4 * size_t{out.acks} + kSessionIdBytes);
  out.has_message_id = out.opcode != kAckV1;
  if (out.has_message_id) out.message_id = r.U32Be();
  if (!r.ok()) return false;
  out.payload = r.PeekRest();
  return true;
}

const char* ProtectionName(ControlProtection p) {
  switch (p) {
    case ControlProtection::kUnknown:
      return "";
    case ControlProtection::kNone:
      return "no tls-auth";
    case ControlProtection::kTlsAuthMd5:
      return "tls-auth (MD5)";
    case ControlProtection::kTlsAuthSha1:
      return "tls-auth (SHA-1)";
    case ControlProtection::kTlsAuthSha256OrTlsCrypt:
      return "tls-auth (SHA-256) or tls-crypt";
    case ControlProtection::kTlsAuthSha512:
      return "tls-auth (SHA-512)";
    case ControlProtection::kTlsCryptV2:
      return "tls-crypt-v2";
  }
  return "";
}

const char* OpcodeName(uint8_t opcode) {
  switch (opcode) {
    case kHardResetClientV1:
      return "P_CONTROL_HARD_RESET_CLIENT_V1";
    case kHardResetServerV1:
      return "P_CONTROL_HARD_RESET_SERVER_V1";
    case kSoftResetV1:
      return "P_CONTROL_SOFT_RESET_V1";
    case kControlV1:
      return "P_CONTROL_V1";
    case kAckV1:
      return "P_ACK_V1";
    case kDataV1:
      return "P_DATA_V1";
    case kHardResetClientV2:
      return "P_CONTROL_HARD_RESET_CLIENT_V2";
    case kHardResetServerV2:
      return "P_CONTROL_HARD_RESET_SERVER_V2";
    case kDataV2:
      return "P_DATA_V2";
    case kHardResetClientV3:
      return "P_CONTROL_HARD_RESET_CLIENT_V3";
    case kControlWkcV1:
      return "P_CONTROL_WKC_V1";
    default:
      return "";
  }
}

}  // namespace qw::dissect::openvpn
