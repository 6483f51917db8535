// Owned, bounded, printable copies of text fields read from the wire (device names,
// descriptions, versions), shared by the dissectors that keep such strings.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/byte_reader.h"
#include "core/hex.h"

namespace qw::dissect {

/// Where the first line of `bytes` ends (the offset after its LF), or nullopt when there is
/// no LF yet: line framing of the text protocols (SSH identification, FTP, HTTP, RTSP).
inline std::optional<size_t> LineEnd(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  const size_t at = r.Chars(r.remaining()).find('\n');
  if (at == std::string_view::npos) return std::nullopt;
  return at + 1;
}

/// A reader over `bytes` without its trailing NULs (devices pad strings with them).
inline core::ByteReader WithoutTrailingNuls(std::span<const uint8_t> bytes) {
  core::ByteReader scan(bytes);
  size_t keep = 0;
  while (!scan.empty()) {
    if (scan.U8() != 0) keep = scan.position();
  }
  return core::ByteReader(bytes).Sub(keep);
}

/// Length of the well-formed UTF-8 sequence that starts with `lead` and continues with the
/// next bytes of `r`, or 0 when it is not one.
inline size_t Utf8SequenceLength(uint8_t lead, const core::ByteReader& r) {
  size_t n = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    n = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
  } else {
    return 0;
  }
  for (size_t i = 0; i + 1 < n; ++i) {
    if (i >= r.remaining() || (r.PeekU8(i) & 0xc0) != 0x80) return 0;
  }
  return n;
}

/// Text of a string field: trailing NULs dropped, cut at `max_bytes` (sets `truncated`),
/// well-formed UTF-8 and tab/CR/LF kept, every other control byte or stray byte replaced by
/// '.', so the result is always valid UTF-8 for the JSON and SQLite sinks.
inline std::string TextField(std::span<const uint8_t> bytes, size_t max_bytes, bool& truncated) {
  core::ByteReader all = WithoutTrailingNuls(bytes);
  truncated = all.remaining() > max_bytes;
  core::ByteReader r = all.Sub(std::min(all.remaining(), max_bytes));
  std::string out;
  out.reserve(r.remaining());
  while (!r.empty()) {
    uint8_t c = r.U8();
    if (c < 0x80) {
      bool keep = c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\r' || c == '\n');
      out.push_back(keep ? static_cast<char>(c) : '.');
      continue;
    }
    size_t n = Utf8SequenceLength(c, r);
    if (n == 0) {
      out.push_back('.');
      continue;
    }
    out.push_back(static_cast<char>(c));
    out.append(r.Chars(n - 1));
  }
  return out;
}

/// True when `bytes` is not empty and every byte is printable ASCII.
inline bool IsPrintableAscii(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  if (r.empty()) return false;
  while (!r.empty()) {
    uint8_t c = r.U8();
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/// Lower-case hex of at most `max_bytes` of `bytes` (sets `truncated` when cut).
inline std::string BoundedHex(std::span<const uint8_t> bytes, size_t max_bytes, bool& truncated) {
  truncated = bytes.size() > max_bytes;
  return core::ToHex(core::ByteReader(bytes).Bytes(std::min(bytes.size(), max_bytes)));
}

}  // namespace qw::dissect
