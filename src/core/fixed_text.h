// FixedText: a string of bounded capacity that lives inside its owner, so that building one
// on the per-packet path never allocates. Text beyond the capacity is cut off and the cut
// is remembered (truncated()), never written past the buffer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace qw::core {

/// Bounded, allocation-free text; appends past capacity are cut off.
template <size_t N>
class FixedText {
  static_assert(N > 0 && N < 65536, "capacity must fit the length field");

 public:
  FixedText() = default;
  /// Text initialised from `s`, cut at the capacity.
  explicit FixedText(std::string_view s) { Append(s); }

  /// Appends as much of `s` as fits.
  FixedText& Append(std::string_view s) {
    size_t room = N - len_;
    size_t n = s.size() < room ? s.size() : room;
    for (size_t i = 0; i < n; ++i) buf_[len_ + i] = s[i];
    len_ = static_cast<uint16_t>(len_ + n);
    if (n < s.size()) truncated_ = true;
    return *this;
  }
  /// Appends one character if it fits.
  FixedText& Append(char c) { return Append(std::string_view(&c, 1)); }
  /// Appends an unsigned number in decimal.
  FixedText& AppendUint(uint64_t v) {
    char tmp[20];
    size_t n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    char out[20];
    for (size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
    return Append(std::string_view(out, n));
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
    char tmp[16];
    int n = 0;
    do {
      tmp[n++] = kDigits[v & 0xf];
      v >>= 4;
    } while (v != 0 || n < digits);
    Append("0x");
    while (n > 0) Append(tmp[--n]);
    return *this;
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
  std::array<char, N> buf_{};
  uint16_t len_ = 0;
  bool truncated_ = false;
};

}  // namespace qw::core
