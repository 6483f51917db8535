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

}  // namespace qw::core
