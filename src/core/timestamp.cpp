#include "core/timestamp.h"

#include <fmt/format.h>

#include <ctime>

namespace qw::core {

std::string FormatIso8601(Timestamp t) {
  int64_t secs = t.ns / 1'000'000'000;
  int64_t rem = t.ns % 1'000'000'000;
  if (rem < 0) {
    rem += 1'000'000'000;
    --secs;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rem / 1000);
}

}  // namespace qw::core
