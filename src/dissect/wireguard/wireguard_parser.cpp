#include "dissect/wireguard/wireguard_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::wireguard {

bool ParseMessage(std::span<const uint8_t> bytes, Message& out) {
  core::ByteReader r(bytes);
  const uint8_t type = r.U8();
  const uint8_t r1 = r.U8(), r2 = r.U8(), r3 = r.U8();
  if (!r.ok() || r1 != 0 || r2 != 0 || r3 != 0) return false;
  out = Message{};
  out.type = type;
  const size_t n = bytes.size();
  switch (type) {
    case kHandshakeInitiation:
      if (n != kInitiationBytes) return false;
      out.sender = r.U32Le();
      break;
    case kHandshakeResponse:
      if (n != kResponseBytes) return false;
      out.sender = r.U32Le();
      out.receiver = r.U32Le();
      break;
    case kCookieReply:
      if (n != kCookieReplyBytes) return false;
      out.receiver = r.U32Le();
      break;
    case kTransportData:
      if (n < kMinTransportBytes || (n - kMinTransportBytes) % 16 != 0) return false;
      out.receiver = r.U32Le();
      out.counter = r.U64Le();
      out.keepalive = n == kMinTransportBytes;
      break;
    default:
      return false;
  }
  return r.ok();
}

const char* TypeName(uint8_t type) {
  switch (type) {
    case kHandshakeInitiation:
      return "handshake-initiation";
    case kHandshakeResponse:
      return "handshake-response";
    case kCookieReply:
      return "cookie-reply";
    case kTransportData:
      return "transport-data";
    default:
      return "";
  }
}

}  // namespace qw::dissect::wireguard
