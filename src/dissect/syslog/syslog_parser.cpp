#include "dissect/syslog/syslog_parser.h"

#include <string_view>

#include "core/byte_reader.h"

namespace qw::dissect::syslog {

namespace {

bool IsDigit(uint8_t c) { return c >= '0' && c <= '9'; }

// A reader over the octets of `text` (a view of wire bytes).
core::ByteReader Over(std::string_view text) {
  return core::ByteReader(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// The next space-delimited token of `text` (which is advanced past it and one space).
std::string_view Token(std::string_view& text) {
  const size_t end = text.find(' ');
  const std::string_view token = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return token;
}

// Whether `text` starts with `pattern`: 'd' a digit, 'D' a digit or a space, anything else
// itself.
bool Matches(std::string_view text, std::string_view pattern) {
  core::ByteReader r = Over(text);
  for (char p : pattern) {
    const uint8_t c = r.U8();
    if (!r.ok()) return false;
    const bool ok = p == 'd' ? IsDigit(c) : p == 'D' ? (IsDigit(c) || c == ' ') : c == p;
    if (!ok) return false;
  }
  return true;
}

// RFC 3164 4.1.2: "Mmm dd hh:mm:ss", the day padded with a space.
bool BsdTimestamp(std::string_view t) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (t.size() < 15) return false;
  bool known = false;
  for (size_t i = 0; i < kMonths.size(); i += 3)
    known = known || t.substr(0, 3) == kMonths.substr(i, 3);
  return known && Matches(t.substr(3), " Dd dd:dd:dd");
}

// An RFC 3339 timestamp some BSD-format senders write instead ("2003-10-11T22:14:15Z").
bool IsoTimestamp(std::string_view t) { return Matches(t, "dddd-dd-ddTdd:dd"); }

// RFC 3164 5.3: the TAG is alphanumeric, ends at the first other character, at most 32.
std::string_view Tag(std::string_view text) {
  core::ByteReader r = Over(text.substr(0, 32));
  size_t n = 0;
  while (!r.empty()) {
    const uint8_t c = r.U8();
    const bool word = IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                      c == '_' || c == '.' || c == '/';
    if (!word) break;
    ++n;
  }
  return text.substr(0, n);
}

template <size_t N>
void SetNilable(core::FixedText<N>& out, std::string_view value) {
  if (value != "-") out.AppendPrintable(value);
}

}  // namespace

size_t PriLength(std::span<const uint8_t> bytes, uint8_t& pri) {
  core::ByteReader r(bytes);
  if (r.U8() != '<') return 0;
  unsigned value = 0;
  size_t digits = 0;
  while (r.ok() && digits <= 3) {
    const uint8_t c = r.U8();
    if (!r.ok()) return 0;
    if (c == '>') break;
    if (c < '0' || c > '9' || ++digits > 3) return 0;
    value = value * 10 + (c - '0');
  }
  if (digits == 0 || value > kMaxPri) return 0;
  pri = static_cast<uint8_t>(value);
  return digits + 2;
}

std::optional<Header> ParseHeader(std::span<const uint8_t> message) {
  Header h;
  const size_t pri_length = PriLength(message, h.pri);
  if (pri_length == 0) return std::nullopt;
  h.facility = h.pri / 8;
  h.severity = h.pri % 8;
  core::ByteReader r(message);
  r.Skip(pri_length);
  std::string_view text = r.Chars(r.remaining());
  text = text.substr(0, text.find_first_of("\r\n"));
  // RFC 5424: VERSION is a non-zero digit, at most three, then a space.
  const size_t space = text.find(' ');
  if (space != std::string_view::npos && space >= 1 && space <= 3 && !Matches(text, "0") &&
      text.substr(0, space).find_first_not_of("0123456789") == std::string_view::npos) {
    h.rfc5424 = true;
    core::ByteReader digits = Over(text.substr(0, space));
    while (!digits.empty()) h.version = static_cast<uint8_t>(h.version * 10 + (digits.U8() - '0'));
    text.remove_prefix(space + 1);
    SetNilable(h.timestamp, Token(text));
    SetNilable(h.hostname, Token(text));
    SetNilable(h.app_name, Token(text));
    return h;
  }
  if (BsdTimestamp(text)) {
    h.timestamp.AppendPrintable(text.substr(0, 15));
    text.remove_prefix(Matches(text.substr(15), " ") ? 16 : 15);
  } else if (IsoTimestamp(text)) {
    h.timestamp.AppendPrintable(Token(text));
  } else {
    // RFC 3164 4.3.2: without a valid timestamp there is no HOSTNAME to read.
    return h;
  }
  // The next token is the HOSTNAME unless it is already the TAG ("su:" or "sshd[42]:").
  std::string_view peek = text;
  const std::string_view token = Token(peek);
  const bool is_tag =
      token.empty() || token.ends_with(':') || token.find('[') != std::string_view::npos;
  if (!is_tag) {
    h.hostname.AppendPrintable(token);
    text = peek;
  }
  h.app_name.AppendPrintable(Tag(text));
  return h;
}

std::optional<OctetCount> ReadOctetCount(std::span<const uint8_t> bytes, bool& need_more) {
  need_more = false;
  core::ByteReader r(bytes);
  size_t length = 0, digits = 0;
  for (;;) {
    const uint8_t c = r.U8();
    if (!r.ok()) {
      need_more = digits <= kMaxCountDigits;
      return std::nullopt;
    }
    if (c == ' ') break;
    if (c < '0' || c > '9' || (digits == 0 && c == '0') || ++digits > kMaxCountDigits) {
      return std::nullopt;
    }
    length = length * 10 + (c - '0');
  }
  if (digits == 0) return std::nullopt;
  return OctetCount{length, digits + 1};
}

}  // namespace qw::dissect::syslog
