#include "policy/findings.h"

#include <algorithm>
#include <tuple>

namespace qw::policy {

namespace {

constexpr const char* kSeverityNames[] = {"info", "low", "medium", "high", "critical"};

// An endpoint by its address; by its MAC only when it has none. A routed conversation seen
// on both sides of the router (two MAC pairs, two VLANs) is then one finding.
std::string EndpointKey(const FindingEndpoint& e) {
  std::string k = e.ip ? e.ip->ToString() : e.mac ? e.mac->ToString() : std::string();
  return k + '|' + std::to_string(e.port);
}

// Same type, source, destination and key detail: one finding.
std::string FoldKey(const Finding& f) {
  std::string k = f.type + '\n' + EndpointKey(f.src) + '\n';
  if (f.dst) k += EndpointKey(*f.dst);
  k += '\n' + f.protocol + '\n';
  for (const auto& [key, value] : f.detail) k += key + '=' + value + '\n';
  return k;
}

}  // namespace

const char* SeverityName(Severity s) { return kSeverityNames[static_cast<size_t>(s)]; }

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (size_t i = 0; i < std::size(kSeverityNames); ++i) {
    if (name == kSeverityNames[i]) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

void FindingSet::Add(Finding f) {
  const std::string key = FoldKey(f);
  auto it = index_.find(key);
  if (it == index_.end()) {
    index_.emplace(key, findings_.size());
    findings_.push_back(std::move(f));
    return;
  }
  Finding& held = findings_[it->second];
  held.count += f.count;
  held.first_ts = std::min(held.first_ts, f.first_ts);
  held.last_ts = std::max(held.last_ts, f.last_ts);
  if (std::tie(f.capture_index, f.frame) < std::tie(held.capture_index, held.frame)) {
    held.capture_index = f.capture_index;
    held.frame = f.frame;
  }
  held.severity = std::max(held.severity, f.severity);
}

std::vector<Finding> FindingSet::Sorted() const {
  std::vector<Finding> out = findings_;
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.type != b.type) return a.type < b.type;
    return std::tie(a.capture_index, a.frame) < std::tie(b.capture_index, b.frame);
  });
  return out;
}

std::map<std::string, uint64_t> FindingSet::CountsBySeverity() const {
  std::map<std::string, uint64_t> out;
  for (const auto& f : findings_) ++out[SeverityName(f.severity)];
  return out;
}

}  // namespace qw::policy
