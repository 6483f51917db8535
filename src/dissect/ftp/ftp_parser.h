// FTP control-connection parser (RFC 959, with RFC 2428's EPRT/EPSV and RFC 3659's SIZE):
// command lines, reply lines, and the addresses and sizes that replies and commands carry.
// Pure: no state, no I/O, no allocation. Views returned point into the line given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/address.h"
#include "dissect/text_field.h"

namespace qw::dissect::ftp {

/// Longest control line read, CR LF included; longer lines raise `ftp.long_line`.
inline constexpr size_t kMaxLineBytes = 2048;

/// A command line: "RETR file.bin". `verb` and `argument` are views into the line.
struct Command {
  std::string_view verb;      // 3 or 4 letters, as sent (commands are case-insensitive)
  std::string_view argument;  // after one space, without the line end; may be empty
};

/// Parses a command line (line end included or not). nullopt unless it starts with 3 or 4
/// letters followed by a space or the line end.
std::optional<Command> ParseCommand(std::string_view line);

/// A reply line: "226 Transfer complete." or the first line of a multi-line reply "230-".
struct Reply {
  uint16_t code = 0;       // 100..599
  bool continued = false;  // "ddd-": more lines follow, up to a line "ddd "
  std::string_view text;   // after the code and its separator, without the line end
};

/// Parses a reply line. nullopt unless it starts with three digits (first 1..5) followed by
/// a space, a hyphen or the line end.
std::optional<Reply> ParseReply(std::string_view line);

/// An endpoint a data connection goes to or comes from.
struct HostPort {
  core::IpAddr ip;  // unset when the text gave only a port (EPSV)
  uint16_t port = 0;
};

/// The "h1,h2,h3,h4,p1,p2" of PORT's argument or of a 227 reply's text (the first such run
/// of six numbers in it). nullopt when absent or out of range.
std::optional<HostPort> ParseHostPort(std::string_view text);

/// EPRT's argument "|1|132.235.1.2|6275|" or "|2|::1|5282|" (any delimiter character).
std::optional<HostPort> ParseEprt(std::string_view argument);

/// A 229 reply's "(|||6446|)": the port only.
std::optional<HostPort> ParseEpsv(std::string_view text);

/// The size a 150 reply announces, "(1234 bytes)", or a 213 reply's number; nullopt when the
/// text holds none.
std::optional<uint64_t> ParseSize(std::string_view text, bool whole_text);

}  // namespace qw::dissect::ftp
