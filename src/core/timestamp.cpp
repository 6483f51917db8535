#include "core/timestamp.h"

#include <array>

namespace qw::core {

namespace {

// Days since 1970-01-01 to a civil date (proleptic Gregorian), after H. Hinnant's
// days_from_civil inverse; avoids gmtime_r, which takes a lock and is slow on the hot
// path of writing millions of flow rows.
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

void PutDigits(char* out, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

std::string_view FormatIso8601(Timestamp t, Iso8601Text& buf) {
  int64_t secs = t.ns / 1'000'000'000;
  int64_t rem = t.ns % 1'000'000'000;
  if (rem < 0) {
    rem += 1'000'000'000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, year, month, day);
  // "YYYY-MM-DDTHH:MM:SS.uuuuuuZ"; years outside 0..9999 cannot come from a 64-bit
  // nanosecond clock's useful range, but are clamped rather than misprinted.
  PutDigits(buf.data(), static_cast<uint64_t>(year < 0 ? 0 : year > 9999 ? 9999 : year), 4);
  buf[4] = '-';
  PutDigits(buf.data() + 5, month, 2);
  buf[7] = '-';
  PutDigits(buf.data() + 8, day, 2);
  buf[10] = 'T';
  PutDigits(buf.data() + 11, static_cast<uint64_t>(sod / 3600), 2);
  buf[13] = ':';
  PutDigits(buf.data() + 14, static_cast<uint64_t>(sod / 60 % 60), 2);
  buf[16] = ':';
  PutDigits(buf.data() + 17, static_cast<uint64_t>(sod % 60), 2);
  buf[19] = '.';
  PutDigits(buf.data() + 20, static_cast<uint64_t>(rem / 1000), 6);
  buf[26] = 'Z';
  return std::string_view(buf.data(), buf.size());
}

std::string_view Iso8601Formatter::Format(Timestamp t) {
  int64_t secs = t.ns / 1'000'000'000;
  int64_t rem = t.ns % 1'000'000'000;
  if (rem < 0) {
    rem += 1'000'000'000;
    --secs;
  }
  if (!have_ || secs != second_) {
    have_ = true;
    second_ = secs;
    return FormatIso8601(t, buf_);
  }
  PutDigits(buf_.data() + 20, static_cast<uint64_t>(rem / 1000), 6);
  return std::string_view(buf_.data(), buf_.size());
}

std::string FormatIso8601(Timestamp t) {
  Iso8601Text buf;
  return std::string(FormatIso8601(t, buf));
}

std::optional<Timestamp> ParseIso8601(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' ||
      t.back() != 'Z') {
    return std::nullopt;
  }
  auto digits = [&](size_t at, size_t n, int64_t& v) {
    v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      v = v * 10 + (t[i] - '0');
    }
    return true;
  };
  int64_t y, mo, d, h, mi, s;
  if (!digits(0, 4, y) || !digits(5, 2, mo) || !digits(8, 2, d) || !digits(11, 2, h) ||
      !digits(14, 2, mi) || !digits(17, 2, s) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
      mi > 59 || s > 60) {
    return std::nullopt;
  }
  int64_t frac_ns = 0;
  const size_t rest = t.size() - 20;  // between the seconds and the 'Z'
  if (rest > 0) {
    if (t[19] != '.' || rest < 2 || rest > 10) return std::nullopt;
    int64_t f;
    if (!digits(20, rest - 1, f)) return std::nullopt;
    for (size_t i = rest - 1; i < 9; ++i) f *= 10;
    frac_ns = f;
  } else if (t[19] != 'Z') {
    return std::nullopt;
  }
  // Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  const int64_t yy = y - (mo <= 2);
  const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const int64_t yoe = yy - era * 400;
  const int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468;
  int64_t secs = ((days * 24 + h) * 60 + mi) * 60 + s;
  // A Timestamp holds 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z;
  // a text outside has no Timestamp. The fraction is taken off the second above, so that
  // the earliest time's seconds alone need not fit.
  if (secs < 0 && frac_ns > 0) {
    ++secs;
    frac_ns -= 1'000'000'000;
  }
  int64_t ns;
  if (__builtin_mul_overflow(secs, int64_t{1'000'000'000}, &ns) ||
      __builtin_add_overflow(ns, frac_ns, &ns)) {
    return std::nullopt;
  }
  return Timestamp{ns};
}

}  // namespace qw::core
