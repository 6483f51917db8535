#include "dissect/ftp/ftp_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::ftp {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

std::string_view TrimLineEnd(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

// Reads a decimal number of at most `max_digits` digits from the front of `text`, moving it
// on; nullopt when no digit is there or the number is longer.
std::optional<uint64_t> Number(std::string_view& text, size_t max_digits) {
  size_t n = 0;
  uint64_t v = 0;
  while (n < text.size() && IsDigit(text[n])) {
    if (n == max_digits) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(text[n] - '0');
    ++n;
  }
  if (n == 0) return std::nullopt;
  text.remove_prefix(n);
  return v;
}

}  // namespace

std::optional<Command> ParseCommand(std::string_view line) {
  line = TrimLineEnd(line);
  size_t n = 0;
  while (n < line.size() && n < 5 && IsLetter(line[n])) ++n;
  if (n < 3 || n > 4) return std::nullopt;
  if (n < line.size() && line[n] != ' ') return std::nullopt;
  Command c;
  c.verb = line.substr(0, n);
  if (n < line.size()) c.argument = line.substr(n + 1);
  return c;
}

std::optional<Reply> ParseReply(std::string_view line) {
  line = TrimLineEnd(line);
  if (line.size() < 3 || !IsDigit(line[0]) || !IsDigit(line[1]) || !IsDigit(line[2])) {
    return std::nullopt;
  }
  if (line[0] < '1' || line[0] > '5') return std::nullopt;
  Reply r;
  r.code = static_cast<uint16_t>((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
  if (line.size() > 3) {
    if (line[3] != ' ' && line[3] != '-') return std::nullopt;
    r.continued = line[3] == '-';
    r.text = line.substr(4);
  }
  return r;
}

std::optional<HostPort> ParseHostPort(std::string_view text) {
  // The first run of six comma-separated numbers (RFC 959 4.1.2; 227 replies vary around it).
  for (size_t start = 0; start < text.size(); ++start) {
    if (!IsDigit(text[start]) || (start > 0 && IsDigit(text[start - 1]))) continue;
    std::string_view rest = text.substr(start);
    uint64_t v[6] = {};
    bool ok = true;
    for (int i = 0; i < 6 && ok; ++i) {
      auto n = Number(rest, 3);
      ok = n && *n <= 255;
      if (ok) v[i] = *n;
      if (ok && i < 5) {
        ok = !rest.empty() && rest.front() == ',';
        if (ok) rest.remove_prefix(1);
      }
    }
    if (!ok) continue;
    HostPort hp;
    const uint8_t a[4] = {static_cast<uint8_t>(v[0]), static_cast<uint8_t>(v[1]),
                          static_cast<uint8_t>(v[2]), static_cast<uint8_t>(v[3])};
    hp.ip = core::IpAddr::V4(a);
    hp.port = static_cast<uint16_t>(v[4] << 8 | v[5]);
    if (hp.port == 0) return std::nullopt;
    return hp;
  }
  return std::nullopt;
}

std::optional<HostPort> ParseEprt(std::string_view argument) {
  argument = TrimLineEnd(argument);
  if (argument.size() < 2) return std::nullopt;
  const char d = argument.front();
  argument.remove_prefix(1);
  std::string_view parts[3];
  for (auto& part : parts) {
    const size_t end = argument.find(d);
    if (end == std::string_view::npos) return std::nullopt;
    part = argument.substr(0, end);
    argument.remove_prefix(end + 1);
  }
  if (parts[0] != "1" && parts[0] != "2") return std::nullopt;
  auto ip = core::IpAddr::Parse(parts[1]);
  if (!ip || ip->IsV4() != (parts[0] == "1")) return std::nullopt;
  std::string_view port_text = parts[2];
  auto port = Number(port_text, 5);
  if (!port || !port_text.empty() || *port == 0 || *port > 65535) return std::nullopt;
  return HostPort{*ip, static_cast<uint16_t>(*port)};
}

std::optional<HostPort> ParseEpsv(std::string_view text) {
  const size_t open = text.find('(');
  if (open == std::string_view::npos || open + 4 > text.size()) return std::nullopt;
  std::string_view rest = text.substr(open + 1);
  const char d = rest.front();
  if (rest.size() < 4 || rest[1] != d || rest[2] != d) return std::nullopt;
  rest.remove_prefix(3);
  auto port = Number(rest, 5);
  if (!port || rest.empty() || rest.front() != d || *port == 0 || *port > 65535) {
    return std::nullopt;
  }
  return HostPort{core::IpAddr{}, static_cast<uint16_t>(*port)};
}

std::optional<uint64_t> ParseSize(std::string_view text, bool whole_text) {
  text = TrimLineEnd(text);
  if (whole_text) {
    auto n = Number(text, 19);
    if (!n || (!text.empty() && text.front() != ' ')) return std::nullopt;
    return n;
  }
  // "... (1234 bytes)." as 150 replies put it.
  for (size_t open = text.find('('); open != std::string_view::npos;
       open = text.find('(', open + 1)) {
    std::string_view rest = text.substr(open + 1);
    auto n = Number(rest, 19);
    if (n && rest.substr(0, 6) == " bytes") return n;
  }
  return std::nullopt;
}

}  // namespace qw::dissect::ftp
