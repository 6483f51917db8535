// Packet time: nanoseconds since the Unix epoch, taken from the capture, never the clock.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qw::core {

/// A point in time in nanoseconds since 1970-01-01T00:00:00Z.
struct Timestamp {
  int64_t ns = 0;

  auto operator<=>(const Timestamp&) const = default;
  /// Seconds as a double, for rates and durations.
  double Seconds() const { return static_cast<double>(ns) / 1e9; }
};

/// The latest time a frame may carry, 2^62 ns (2116-02-20T23:53:38Z): capture readers hold
/// frame times to [0, kMaxFrameNs], so that sums and differences of them never overflow
/// (pcap's 32-bit seconds stay below it; a pcapng stamp may not).
inline constexpr int64_t kMaxFrameNs = int64_t{1} << 62;

/// Formats as ISO 8601 UTC with microseconds, e.g. "2024-03-01T10:00:00.123456Z".
std::string FormatIso8601(Timestamp t);
/// Room for FormatIso8601's text.
using Iso8601Text = std::array<char, 27>;
/// The same text, written into `buf` (no allocation); the view points into it.
std::string_view FormatIso8601(Timestamp t, Iso8601Text& buf);

/// Reads FormatIso8601's text back ("2024-03-01T10:00:00.123456Z"; the fraction may have 0
/// to 9 digits); nullopt for anything else, a time no Timestamp holds included.
std::optional<Timestamp> ParseIso8601(std::string_view text);

/// FormatIso8601 for a series of nearby times: the date and time of day are worked out
/// once per second, only the microseconds for each call.
class Iso8601Formatter {
 public:
  /// The text of `t`; valid until the next call.
  std::string_view Format(Timestamp t);

 private:
  Iso8601Text buf_{};
  int64_t second_ = 0;
  bool have_ = false;
};

}  // namespace qw::core
