// Unsigned numbers in decimal, written into a caller's buffer without a loop per digit:
// frame numbers, ids and counts go out by the hundred thousand in the outputs.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace qw::core {

/// The most digits a uint64_t has in decimal.
inline constexpr size_t kMaxDecimalDigits = 20;

/// Writes `v` in decimal at `p` (room for kMaxDecimalDigits); returns the end. Two digits
/// per step, from a table, straight into place once the number of digits is known.
inline char* PutDecimal(char* p, uint64_t v) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  static constexpr uint64_t kPowers[20] = {1,
                                           10,
                                           100,
                                           1000,
                                           10000,
                                           100000,
                                           1000000,
                                           10000000,
                                           100000000,
                                           1000000000,
                                           10000000000,
                                           100000000000,
                                           1000000000000,
                                           10000000000000,
                                           100000000000000,
                                           1000000000000000,
                                           10000000000000000,
                                           100000000000000000,
                                           1000000000000000000,
                                           10000000000000000000u};
  // log10 from the bit width (1233/4096 is just above log10(2)), then one correction.
  size_t digits = (static_cast<size_t>(std::bit_width(v | 1)) * 1233 >> 12) + 1;
  if (digits > 1 && v < kPowers[digits - 1]) --digits;
  char* q = p + digits;
  while (v >= 100) {
    const size_t pair = static_cast<size_t>(v % 100) * 2;
    v /= 100;
    *--q = kPairs[pair + 1];
    *--q = kPairs[pair];
  }
  if (v >= 10) {
    *--q = kPairs[v * 2 + 1];
    *--q = kPairs[v * 2];
  } else {
    *--q = static_cast<char>('0' + v);
  }
  return p + digits;
}

}  // namespace qw::core
