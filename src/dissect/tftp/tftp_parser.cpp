#include "dissect/tftp/tftp_parser.h"

#include "core/ascii.h"
#include "core/byte_reader.h"

namespace qw::dissect::tftp {

namespace {

// Reads a NUL-terminated string of at most kMaxFieldBytes printable characters.
std::optional<std::string_view> CString(core::ByteReader& r) {
  const std::span<const uint8_t> rest = r.PeekRest();
  core::ByteReader scan(rest);
  size_t n = 0;
  for (;;) {
    if (scan.empty() || n > kMaxFieldBytes) return std::nullopt;
    const uint8_t c = scan.U8();
    if (c == 0) break;
    if (c < 0x20 || c == 0x7f) return std::nullopt;
    ++n;
  }
  std::string_view s = r.Chars(n);
  r.Skip(1);
  return s;
}

std::optional<uint64_t> Decimal(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// Reads option name/value pairs to the end of the datagram (RFC 2347).
bool Options(core::ByteReader& r, Packet& p) {
  size_t n = 0;
  while (!r.empty()) {
    if (n == kMaxOptions) {
      p.too_many_options = true;
      return true;
    }
    auto name = CString(r);
    auto value = name ? CString(r) : std::nullopt;
    if (!value) return false;
    ++n;
    if (core::EqualsNoCase(*name, "tsize")) {
      if (auto v = Decimal(*value)) p.tsize = static_cast<int64_t>(*v);
    } else if (core::EqualsNoCase(*name, "blksize")) {
      // RFC 2348: 8 to 65464 octets.
      if (auto v = Decimal(*value); v && *v >= 8 && *v <= 65464) {
        p.blksize = static_cast<uint32_t>(*v);
      }
    }
  }
  return true;
}

}  // namespace

std::optional<Packet> Parse(std::span<const uint8_t> datagram) {
  core::ByteReader r(datagram);
  Packet p;
  p.opcode = r.U16Be();
  if (!r.ok()) return std::nullopt;
  switch (p.opcode) {
    case kRrq:
    case kWrq: {
      auto name = CString(r);
      auto mode = name ? CString(r) : std::nullopt;
      if (!mode || name->empty()) return std::nullopt;
      if (!core::EqualsNoCase(*mode, "netascii") && !core::EqualsNoCase(*mode, "octet") &&
          !core::EqualsNoCase(*mode, "mail")) {
        return std::nullopt;
      }
      p.file_name = *name;
      p.mode = *mode;
      if (!Options(r, p)) return std::nullopt;
      return p;
    }
    case kData:
      p.block = r.U16Be();
      p.data = r.Rest();
      if (!r.ok()) return std::nullopt;
      return p;
    case kAck:
      p.block = r.U16Be();
      if (!r.ok() || !r.empty()) return std::nullopt;
      return p;
    case kError: {
      p.error_code = r.U16Be();
      if (!r.ok()) return std::nullopt;
      // The message should end with a NUL; some stacks leave it out.
      std::span<const uint8_t> rest = r.PeekRest();
      auto text = CString(r);
      if (text) {
        p.error_text = *text;
      } else {
        core::ByteReader all(rest);
        p.error_text = all.Chars(rest.size() < kMaxFieldBytes ? rest.size() : kMaxFieldBytes);
      }
      return p;
    }
    case kOack:
      if (!Options(r, p)) return std::nullopt;
      return p;
    default:
      return std::nullopt;
  }
}

}  // namespace qw::dissect::tftp
