// Named counters of malformed or hostile traffic ("weirds"): "ipv4.bad_header_length",
// "flow.table_full". Expected input, never an error; the summary lists every name seen.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace qw::core {

/// Counts anomalies by name; keys are kept sorted so output is deterministic.
class Anomalies {
 public:
  /// Counts n occurrences of the anomaly `name` (allocates only the first time a name is seen).
  /// Out of line and cold: parsers call it on their error paths, which the compiler then
  /// keeps away from the code that runs for every packet.
  [[gnu::cold]] [[gnu::noinline]] void Raise(std::string_view name, uint64_t n = 1);
  /// Adds every count of another set (used when merging per-thread state).
  void Merge(const Anomalies& other) {
    for (const auto& [name, n] : other.counts_) Raise(name, n);
  }
  /// The count of one anomaly (0 if never raised).
  uint64_t Count(std::string_view name) const {
    auto it = counts_.find(name);
    return it == counts_.end() ? 0 : it->second;
  }
  const std::map<std::string, uint64_t, std::less<>>& counts() const { return counts_; }
  /// True when nothing was raised.
  bool empty() const { return counts_.empty(); }
  /// Forgets every count.
  void Clear() { counts_.clear(); }

 private:
  std::map<std::string, uint64_t, std::less<>> counts_;
};

}  // namespace qw::core
