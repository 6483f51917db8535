// The simulator's own random numbers: xoshiro256** seeded by splitmix64. Everything the
// simulator draws comes from here, never from std:: distributions, whose output differs
// between standard libraries; the same seed therefore gives the same capture everywhere.
#pragma once

#include <cstdint>

namespace qw::simulate {

/// Deterministic pseudo-random generator (xoshiro256**, Blackman and Vigna 2018).
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : s_) word = SplitMix(seed);
  }

  /// Next 64 random bits.
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  /// Uniform in [0, n); 0 when n is 0. Lemire's multiply-shift, bias below 2^-32 for our n.
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(((Next() >> 32) * uint64_t{n}) >> 32); }
  /// Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>(Next() % span);
  }
  /// Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  /// True with probability p.
  bool Chance(double p) { return Unit() < p; }
  /// Exponentially distributed with the given mean (Poisson arrivals), capped at 8 means
  /// and never below 1.
  int64_t Exponential(int64_t mean) {
    const double draw = -Log(1.0 - Unit()) * static_cast<double>(mean);
    const double cap = 8.0 * static_cast<double>(mean);
    const int64_t v = static_cast<int64_t>(draw < cap ? draw : cap);
    return v < 1 ? 1 : v;
  }

 private:
  // Natural logarithm from + - * / only, so that no libm difference can change a capture.
  static double Log(double x) {
    if (x <= 0) return -745.0;
    int exponent = 0;
    while (x >= 2.0) {
      x /= 2.0;
      ++exponent;
    }
    while (x < 1.0) {
      x *= 2.0;
      --exponent;
    }
    // ln(x) = 2 atanh(y) with y = (x-1)/(x+1) in [0, 1/3): the series converges fast.
    const double y = (x - 1.0) / (x + 1.0);
    const double y2 = y * y;
    double term = y, sum = 0;
    for (int k = 1; k < 40; k += 2) {
      sum += term / k;
      term *= y2;
    }
    return 2.0 * sum + exponent * 0.6931471805599453;
  }
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

}  // namespace qw::simulate
