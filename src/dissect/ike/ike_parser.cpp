#include "dissect/ike/ike_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::ike {

namespace {

bool KnownExchange(uint8_t major, uint8_t exchange) {
  if (major == 2) return exchange >= kIkeSaInit && exchange <= 44;  // to IKE_FOLLOWUP_KE
  // IKEv1: base, identity protection, authentication only, aggressive, informational,
  // transaction (mode config), quick mode, new group mode.
  return (exchange >= 1 && exchange <= 6) || exchange == 32 || exchange == 33;
}

bool KnownFirstPayload(uint8_t major, uint8_t next) {
  if (next == 0) return true;
  if (major == 2) return next >= 33 && next <= 55;
  // IKEv1: SA to vendor id (1-13), NAT-D and NAT-OA (20, 21), and the private range.
  return next <= 13 || next == 20 || next == 21 || next >= 128;
}

}  // namespace

bool ParseMessage(std::span<const uint8_t> bytes, Header& out) {
  core::ByteReader r(bytes);
  Header h;
  h.initiator_spi = r.U64Be();
  h.responder_spi = r.U64Be();
  h.next_payload = r.U8();
  const uint8_t version = r.U8();
  h.major = version >> 4;
  h.minor = version & 0x0f;
  h.exchange = r.U8();
  h.flags = r.U8();
  h.message_id = r.U32Be();
  h.length = r.U32Be();
  if (!r.ok() || h.length != bytes.size() || h.initiator_spi == 0) return false;
  if (h.major != 1 && h.major != 2) return false;
  if (!KnownExchange(h.major, h.exchange) || !KnownFirstPayload(h.major, h.next_payload)) {
    return false;
  }
  out = h;
  return true;
}

Datagram ReadDatagram(std::span<const uint8_t> bytes, bool encapsulated) {
  Datagram d;
  if (!encapsulated) {
    if (ParseMessage(bytes, d.header)) d.kind = Kind::kIke;
    return d;
  }
  core::ByteReader r(bytes);
  if (bytes.size() == 1) {
    if (r.U8() == 0xff) d.kind = Kind::kKeepalive;
    return d;
  }
  const uint32_t first = r.U32Be();
  if (!r.ok()) return d;
  if (first == 0) {
    if (ParseMessage(bytes.subspan(kMarkerBytes), d.header)) {
      d.kind = Kind::kIke;
      d.marker = true;
    }
    return d;
  }
  // ESP: SPI, sequence number, then the encrypted payload and its check value.
  r.U32Be();
  if (r.ok()) {
    d.kind = Kind::kEsp;
    d.esp_spi = first;
  }
  return d;
}

const char* ExchangeName(uint8_t major, uint8_t exchange) {
  if (major == 2) {
    switch (exchange) {
      case kIkeSaInit:
        return "IKE_SA_INIT";
      case kIkeAuth:
        return "IKE_AUTH";
      case kCreateChildSa:
        return "CREATE_CHILD_SA";
      case kInformational:
        return "INFORMATIONAL";
      default:
        return "";
    }
  }
  switch (exchange) {
    case kV1IdentityProtection:
      return "main-mode";
    case kV1Aggressive:
      return "aggressive-mode";
    case kV1Informational:
      return "informational";
    case kV1QuickMode:
      return "quick-mode";
    default:
      return "";
  }
}

}  // namespace qw::dissect::ike
