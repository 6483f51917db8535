// FixedText: a string of bounded capacity that lives inside its owner, so that building one
// on the per-packet path never allocates. Text beyond the capacity is cut off and the cut
// is remembered (truncated()), never written past the buffer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/decimal.h"

namespace qw::core {

/// Bounded, allocation-free text; appends past capacity are cut off.
template <size_t N>
class FixedText {
  static_assert(N > 0 && N < 65536, "capacity must fit the length field");

 public:
  /// Empty text. User-provided so that value-initialising an owner ({}) does not clear the
  /// buffer either.
  FixedText() {}  // NOLINT(modernize-use-equals-default)
  /// Text initialised from `s`, cut at the capacity.
  explicit FixedText(std::string_view s) { Append(s); }
  // Copies move only the text: observations carry many of these, mostly far from full, and
  // are built and queued by the thousand. Bytes past the text are never read.
  FixedText(const FixedText& o) : len_(o.len_), truncated_(o.truncated_) {
    if (len_ != 0) std::memcpy(buf_.data(), o.buf_.data(), len_);
  }
  FixedText& operator=(const FixedText& o) {
    if (this != &o) {
      len_ = o.len_;
      truncated_ = o.truncated_;
      if (len_ != 0) std::memcpy(buf_.data(), o.buf_.data(), len_);
    }
    return *this;
  }
  ~FixedText() = default;

  /// Appends as much of `s` as fits.
  FixedText& Append(std::string_view s) {
    const size_t room = N - len_;
    const size_t n = s.size() < room ? s.size() : room;
    if (n != 0) std::memcpy(buf_.data() + len_, s.data(), n);
    len_ = static_cast<uint16_t>(len_ + n);
    if (n < s.size()) truncated_ = true;
    return *this;
  }
  /// Appends `item` to a list: after ", " unless the text is empty.
  FixedText& AppendListItem(std::string_view item) {
    if (len_ != 0) Append(", ");
    return Append(item);
  }
  /// Appends one character if it fits.
  FixedText& Append(char c) {
    if (len_ < N) {
      buf_[len_++] = c;
    } else {
      truncated_ = true;
    }
    return *this;
  }
  /// Appends an unsigned number in decimal.
  FixedText& AppendUint(uint64_t v) {
    char digits[kMaxDecimalDigits];
    return Append(std::string_view(digits, static_cast<size_t>(PutDecimal(digits, v) - digits)));
  }
  /// Appends a signed number in decimal.
  FixedText& AppendInt(int64_t v) {
    if (v < 0) {
      Append('-');
      return AppendUint(static_cast<uint64_t>(-(v + 1)) + 1);
    }
    return AppendUint(static_cast<uint64_t>(v));
  }
  /// Appends `v` as lower-case hex with "0x" and at least `digits` digits.
  FixedText& AppendHex(uint64_t v, int digits = 1) {
    static constexpr char kDigits[] = "0123456789abcdef";
    char out[18];
    char* p = out + sizeof out;
    int n = 0;
    do {
      *--p = kDigits[v & 0xf];
      v >>= 4;
      ++n;
    } while ((v != 0 || n < digits) && n < 16);
    *--p = 'x';
    *--p = '0';
    return Append(std::string_view(p, static_cast<size_t>(out + sizeof out - p)));
  }
  /// Appends bytes as printable text: control and non-ASCII bytes become '.'.
  FixedText& AppendPrintable(std::string_view s) {
    for (char c : s) {
      auto u = static_cast<unsigned char>(c);
      Append(u >= 0x20 && u < 0x7f ? c : '.');
    }
    return *this;
  }

  /// Forgets the text.
  void Clear() {
    len_ = 0;
    truncated_ = false;
  }
  /// A view of the text; it lives as long as this object and until the next change.
  std::string_view view() const { return std::string_view(buf_.data(), len_); }
  /// An owned copy.
  std::string str() const { return std::string(view()); }
  bool empty() const { return len_ == 0; }
  size_t size() const { return len_; }
  static constexpr size_t capacity() { return N; }
  /// True when some appended text did not fit.
  bool truncated() const { return truncated_; }

 private:
  // Left uninitialised: only the first len_ bytes are ever written before being read, so a
  // new FixedText costs no clearing of its capacity.
  std::array<char, N> buf_;
  uint16_t len_ = 0;
  bool truncated_ = false;
};

}  // namespace qw::core
