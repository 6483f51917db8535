#include "dissect/ntp/ntp_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::ntp {

namespace {

// Octets a time packet may carry after its header without extension fields: none, a
// crypto-NAK (key id 0), or a key id with an MD5 or SHA-1 digest (RFC 5905 7.3).
bool PlainTrailer(size_t n) { return n == 0 || n == 4 || n == 20 || n == 24; }

std::optional<Message> TimePacket(core::ByteReader& r, Message m) {
  m.stratum = r.U8();
  m.poll = static_cast<int8_t>(r.U8());
  m.precision = static_cast<int8_t>(r.U8());
  m.root_delay = r.U32Be();
  m.root_dispersion = r.U32Be();
  m.reference_id = r.U32Be();
  r.Skip(8 + 8 + 8);  // reference, origin and receive timestamps
  m.transmit = r.U64Be();
  if (!r.ok() || m.stratum > 16) return std::nullopt;
  // Poll is a log2 of seconds: ntpd and chrony use -7..17; clients send 0 and up.
  if (m.poll < -8 || m.poll > 17) return std::nullopt;
  // NTPv4 extension fields are multiples of four octets, at least 16 (RFC 7822 3).
  const size_t rest = r.remaining();
  if (!PlainTrailer(rest) && !(m.version == 4 && rest >= 16 && rest % 4 == 0)) {
    return std::nullopt;
  }
  return m;
}

std::optional<Message> Control(core::ByteReader& r, Message m) {
  const uint8_t flags = r.U8();
  m.response = (flags & 0x80) != 0;
  m.error = (flags & 0x40) != 0;
  m.opcode = flags & 0x1f;
  r.Skip(2 + 2 + 2 + 2);  // sequence, status, association id, offset
  const uint16_t count = r.U16Be();
  if (!r.ok() || count > kMaxControlData || count > r.remaining()) return std::nullopt;
  return m;
}

std::optional<Message> Private(core::ByteReader& r, Message m, uint8_t first) {
  m.response = (first & 0x80) != 0;
  r.U8();  // authenticated bit and sequence
  m.implementation = r.U8();
  m.opcode = r.U8();
  const uint16_t err_items = r.U16Be();
  const uint16_t mbz_size = r.U16Be();
  if (!r.ok()) return std::nullopt;
  const uint8_t err = static_cast<uint8_t>(err_items >> 12);
  const size_t items = err_items & 0x0fff;
  const size_t size = mbz_size & 0x0fff;
  m.error = err != 0;
  // Implementations 0 (universal), 2 (old xntpd) and 3 (xntpd); error codes 0-7.
  if (m.implementation != 0 && m.implementation != 2 && m.implementation != 3) return std::nullopt;
  if (err > 7 || (mbz_size >> 12) != 0 || size > kMaxPrivateData) return std::nullopt;
  if (m.response && items * size > r.remaining()) return std::nullopt;
  return m;
}

}  // namespace

std::optional<Message> ParseMessage(std::span<const uint8_t> datagram) {
  core::ByteReader r(datagram);
  const uint8_t first = r.U8();
  if (!r.ok()) return std::nullopt;
  Message m;
  m.leap = first >> 6;
  m.version = (first >> 3) & 0x7;
  m.mode = first & 0x7;
  if (m.version < 1 || m.version > 4) return std::nullopt;
  switch (m.mode) {
    case kSymmetricActive:
    case kSymmetricPassive:
    case kClient:
    case kServer:
    case kBroadcast:
      return TimePacket(r, m);
    case kControl:
      return Control(r, m);
    case kPrivate:
      // Mode 7's first octet holds response and more bits where LI stands.
      m.leap = 0;
      return Private(r, m, first);
    default:
      return std::nullopt;
  }
}

core::FixedText<16> ReferenceText(const Message& m) {
  core::FixedText<16> out;
  const uint8_t octets[4] = {
      static_cast<uint8_t>(m.reference_id >> 24), static_cast<uint8_t>(m.reference_id >> 16),
      static_cast<uint8_t>(m.reference_id >> 8), static_cast<uint8_t>(m.reference_id)};
  if (m.stratum <= 1) {
    // Four ASCII characters, NUL-padded on the right.
    for (uint8_t c : octets) {
      if (c == 0) break;
      out.Append(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.');
    }
    return out;
  }
  for (size_t i = 0; i < 4; ++i) {
    if (i) out.Append('.');
    out.AppendUint(octets[i]);
  }
  return out;
}

const char* ModeName(uint8_t mode) {
  switch (mode) {
    case kSymmetricActive:
      return "symmetric-active";
    case kSymmetricPassive:
      return "symmetric-passive";
    case kClient:
      return "client";
    case kServer:
      return "server";
    case kBroadcast:
      return "broadcast";
    case kControl:
      return "control";
    case kPrivate:
      return "private";
    default:
      return "reserved";
  }
}

}  // namespace qw::dissect::ntp
