#include "core/anomalies.h"

namespace qw::core {

void Anomalies::Raise(std::string_view name, uint64_t n) {
  auto it = counts_.find(name);
  if (it == counts_.end()) it = counts_.emplace(std::string(name), 0).first;
  it->second += n;
}

}  // namespace qw::core
