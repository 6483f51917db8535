// rlogin (RFC 1282) parser: the four NUL-terminated fields a client opens its connection
// with. Pure: no state, no I/O, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/fixed_text.h"

namespace qw::dissect::rlogin {

/// Longest user name or terminal field accepted (RFC 1282 leaves it open; BSD rlogind
/// reads at most 16 and 64 octets, so 256 is generous).
inline constexpr size_t kMaxFieldBytes = 256;

/// What reading the client's opening found.
enum class Status : uint8_t { kOk, kNeedMore, kInvalid };

/// The client's opening: | 0 | client-user | 0 | server-user | 0 | terminal/speed | 0 |.
struct ClientHello {
  Status status = Status::kInvalid;
  size_t length = 0;  // kOk: bytes of the whole opening
  core::FixedText<kMaxFieldBytes> client_user, server_user, terminal;
};

/// Reads the opening at the front of `bytes`. kInvalid when it does not start with 0, a
/// field holds a non-printable octet, is longer than kMaxFieldBytes, or the user names are
/// empty, or the terminal field has no '/' (terminal type and speed).
ClientHello ReadClientHello(std::span<const uint8_t> bytes);

}  // namespace qw::dissect::rlogin
