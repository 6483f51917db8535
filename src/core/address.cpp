#include "core/address.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

namespace qw::core {

MacAddr MacAddr::From(std::span<const uint8_t> bytes) {
  MacAddr m;
  if (bytes.size() >= 6) std::memcpy(m.b.data(), bytes.data(), 6);
  return m;
}

std::optional<MacAddr> MacAddr::Parse(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  MacAddr m;
  for (size_t i = 0; i < 6; ++i) {
    unsigned v = 0;
    for (size_t j = 0; j < 2; ++j) {
      char c = text[i * 3 + j];
      unsigned d;
      if (c >= '0' && c <= '9')
        d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        d = static_cast<unsigned>(c - 'A' + 10);
      else
        return std::nullopt;
      v = v * 16 + d;
    }
    if (i < 5 && text[i * 3 + 2] != ':' && text[i * 3 + 2] != '-') return std::nullopt;
    m.b[i] = static_cast<uint8_t>(v);
  }
  return m;
}

void MacAddr::Format(std::array<char, kText>& buf) const {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < 6; ++i) {
    buf[i * 3] = kHex[b[i] >> 4];
    buf[i * 3 + 1] = kHex[b[i] & 0xf];
    if (i < 5) buf[i * 3 + 2] = ':';
  }
}

std::string MacAddr::ToString() const {
  std::array<char, kText> buf;
  Format(buf);
  return std::string(buf.data(), buf.size());
}

IpAddr IpAddr::V4(std::span<const uint8_t> bytes) {
  IpAddr ip;
  ip.family = 4;
  if (bytes.size() >= 4) std::memcpy(ip.b.data(), bytes.data(), 4);
  return ip;
}

IpAddr IpAddr::V6(std::span<const uint8_t> bytes) {
  IpAddr ip;
  ip.family = 6;
  if (bytes.size() >= 16) std::memcpy(ip.b.data(), bytes.data(), 16);
  return ip;
}

IpAddr IpAddr::V4(uint32_t v) {
  IpAddr ip;
  ip.family = 4;
  ip.b[0] = static_cast<uint8_t>(v >> 24);
  ip.b[1] = static_cast<uint8_t>(v >> 16);
  ip.b[2] = static_cast<uint8_t>(v >> 8);
  ip.b[3] = static_cast<uint8_t>(v);
  return ip;
}

std::optional<IpAddr> IpAddr::Parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[48];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  IpAddr ip;
  if (inet_pton(AF_INET, buf, ip.b.data()) == 1) {
    ip.family = 4;
    return ip;
  }
  if (inet_pton(AF_INET6, buf, ip.b.data()) == 1) {
    ip.family = 6;
    return ip;
  }
  return std::nullopt;
}

bool IpAddr::IsPrivate() const {
  if (IsV4()) {
    uint32_t v = V4Value();
    return (v >> 24) == 10 || (v >> 20) == (172u << 4 | 1) || (v >> 16) == (192u << 8 | 168) ||
           (v >> 22) == (100u << 2 | 1) ||  // 100.64.0.0/10
           (v >> 16) == (169u << 8 | 254) || (v >> 24) == 127;
  }
  if (IsV6()) {
    return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
           (std::all_of(b.begin(), b.begin() + 15, [](uint8_t x) { return x == 0; }) && b[15] == 1);
  }
  return false;
}

bool IpAddr::IsMulticastOrBroadcast() const {
  if (IsV4()) {
    uint32_t v = V4Value();
    return (v >> 28) == 0xe || v == 0xffffffffu;
  }
  return IsV6() && b[0] == 0xff;
}

bool IpAddr::IsUnspecified() const {
  return IsSet() && std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
}

size_t IpAddr::Format(std::array<char, kMaxText>& buf) const {
  if (IsV4()) {
    // Dotted quad by hand: inet_ntop goes through sprintf, and flow and operation rows
    // format addresses by the hundred thousand.
    char* p = buf.data();
    for (size_t i = 0; i < 4; ++i) {
      if (i) *p++ = '.';
      const unsigned v = b[i];
      if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
      if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
      *p++ = static_cast<char>('0' + v % 10);
    }
    *p = '\0';
    return static_cast<size_t>(p - buf.data());
  }
  buf[0] = '\0';
  if (IsV6() && inet_ntop(AF_INET6, b.data(), buf.data(), kMaxText)) return std::strlen(buf.data());
  return 0;
}

std::string IpAddr::ToString() const {
  std::array<char, kMaxText> buf;
  return std::string(buf.data(), Format(buf));
}

}  // namespace qw::core
