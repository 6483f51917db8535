// Syslog message header parser: the PRI part and the header of the BSD format (RFC 3164
// 4.1: "<PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG") and of the syslog protocol (RFC 5424 6:
// "<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID ..."), and the
// octet-counting frame of syslog over TCP (RFC 6587 3.4.1: "MSG-LEN SP SYSLOG-MSG"). Pure:
// no state, no I/O, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/fixed_text.h"

namespace qw::dissect::syslog {

/// Largest PRI value: facility 23 (local7) times 8 plus severity 7 (RFC 5424 6.2.1).
inline constexpr unsigned kMaxPri = 191;
/// Longest message read over TCP, in either framing; longer raises `syslog.too_long`.
inline constexpr size_t kMaxMessageBytes = 65536;
/// Digits of an octet count that kMaxMessageBytes allows.
inline constexpr size_t kMaxCountDigits = 5;

/// What a message's header says; the fields a header lacks stay empty.
struct Header {
  uint8_t pri = 0;
  uint8_t facility = 0;           // pri / 8: 0 kern, 1 user, ..., 16-23 local0-local7
  uint8_t severity = 0;           // pri % 8: 0 emergency ... 7 debug
  bool rfc5424 = false;           // the header is RFC 5424's (VERSION after PRI)
  uint8_t version = 0;            // RFC 5424 VERSION
  core::FixedText<48> timestamp;  // as written
  core::FixedText<255> hostname;  // RFC 5424 allows 255 printable octets
  core::FixedText<48> app_name;   // RFC 5424 APP-NAME, or RFC 3164's TAG
};

/// Length of the "<PRI>" at the start of `bytes` (3 to 5 octets), or 0 when there is none
/// or its value is over kMaxPri. Sets `pri`.
size_t PriLength(std::span<const uint8_t> bytes, uint8_t& pri);

/// Parses the header of one message (without framing). nullopt unless it starts with a
/// valid PRI.
std::optional<Header> ParseHeader(std::span<const uint8_t> message);

/// An octet-counting frame's count and the octets it takes before the message ("123 ").
struct OctetCount {
  size_t length = 0;
  size_t prefix = 0;
};

/// Reads "MSG-LEN SP" at the start of `bytes`: nullopt when there are no digits, a digit
/// string over kMaxCountDigits, a zero first digit, or no space after them; `need_more`
/// says the bytes end inside the count.
std::optional<OctetCount> ReadOctetCount(std::span<const uint8_t> bytes, bool& need_more);

}  // namespace qw::dissect::syslog
