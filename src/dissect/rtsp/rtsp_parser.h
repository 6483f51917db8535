// RTSP/1.0 (RFC 2326) beyond the HTTP message syntax it shares (dissect/http): interleaved
// binary frames (10.12) and the session description a DESCRIBE answer carries (SDP, RFC
// 4566 5.3-5.4: the "s=" session name and "i=" session information). Pure: no state, no
// I/O, no allocation.
//
// clang-format off
//  interleaved: | '$':1 | channel:1 | length:2 | data:length |
// clang-format on
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/fixed_text.h"

namespace qw::dissect::rtsp {

/// SDP lines read before the session level is given up on.
inline constexpr size_t kMaxSdpLines = 256;

/// An interleaved frame's header.
struct Interleaved {
  uint8_t channel = 0;
  uint16_t length = 0;  // data bytes after the 4-byte header
};

/// Reads the header at the start of `bytes`; nullopt when shorter than 4 bytes or not '$'.
std::optional<Interleaved> ParseInterleaved(std::span<const uint8_t> bytes);

/// What the session level of an SDP description names.
struct SdpNames {
  core::FixedText<255> session;  // s=
  core::FixedText<255> info;     // i= of the session level
};

/// Reads the session level (up to the first "m=") of an SDP body; nullopt without "v=" as
/// its first line or without a non-blank "s=" or "i=" (a lone "s=-" names nothing).
std::optional<SdpNames> ParseSdpNames(std::span<const uint8_t> body);

}  // namespace qw::dissect::rtsp
