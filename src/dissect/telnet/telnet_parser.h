// Telnet (RFC 854, 855) parser: splits one direction's bytes into data and IAC commands
// (option negotiation, subnegotiation, the other two-octet commands), carrying its state
// from one call to the next, and recognises a login prompt in the server's text. Pure: the
// state is the caller's, nothing is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/fixed_text.h"

namespace qw::dissect::telnet {

/// Telnet command octets (RFC 854).
inline constexpr uint8_t kIac = 255;
inline constexpr uint8_t kDont = 254;
inline constexpr uint8_t kDo = 253;
inline constexpr uint8_t kWont = 252;
inline constexpr uint8_t kWill = 251;
inline constexpr uint8_t kSb = 250;
inline constexpr uint8_t kSe = 240;

/// Subnegotiation octets kept; longer ones raise `telnet.long_subnegotiation` and are cut.
inline constexpr size_t kMaxSubnegotiationBytes = 64;

/// Where the scanner of one direction stands between calls.
struct ScanState {
  enum class At : uint8_t { kData, kAfterIac, kOption, kSub, kSubAfterIac };
  At at = At::kData;
  uint8_t command = 0;  // kOption: the negotiation verb waiting for its option
  core::FixedText<kMaxSubnegotiationBytes> sub;  // kSub: the subnegotiation so far (raw)
  bool sub_truncated = false;
};

/// What the scanner hands back for each piece of the stream.
class ScanSink {
 public:
  virtual ~ScanSink() = default;
  /// One data octet (IAC IAC arrives as one 0xff).
  virtual void OnDataByte(uint8_t b) = 0;
  /// A negotiation: `command` is WILL, WONT, DO or DONT.
  virtual void OnNegotiation(uint8_t command, uint8_t option) = 0;
  /// A whole subnegotiation: option, then its parameters (raw, possibly cut).
  virtual void OnSubnegotiation(std::string_view bytes, bool truncated) = 0;
  /// Another two-octet command (NOP, GA, AYT, ...).
  virtual void OnCommand(uint8_t command) = 0;
};

/// Scans `bytes` of one direction from `state`, calling `sink` for what it finds.
void Scan(std::span<const uint8_t> bytes, ScanState& state, ScanSink& sink);

/// True when the server text `tail` (its last printable characters) ends with a prompt for
/// a user name: "login:" or "username:", any case, spaces after the colon allowed.
bool IsLoginPrompt(std::string_view tail);

/// The name of a Telnet option ("terminal-type"), or "" when not one of the common ones.
const char* OptionName(uint8_t option);

}  // namespace qw::dissect::telnet
