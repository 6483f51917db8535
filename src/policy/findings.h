// Findings (../shared/DESIGN.md, "Findings"): what the site policy makes of what was seen,
// each with its severity, the advisory guidance it serves and the first frame that shows
// it. Identical findings (same type, source, destination and key detail) fold into one
// with a count and the first and last time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/timestamp.h"

namespace qw::policy {

/// How much a finding matters, lowest first.
enum class Severity : uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
/// "info", "low", "medium", "high", "critical".
const char* SeverityName(Severity s);
/// The severity of that name, or nullopt.
std::optional<Severity> ParseSeverity(std::string_view name);

/// One side of a finding: the initiator or the responder, or the device itself.
struct FindingEndpoint {
  std::optional<core::IpAddr> ip;
  std::optional<core::MacAddr> mac;
  std::string zone;   // empty when unassigned
  uint16_t port = 0;  // 0 when not a conversation's
};

/// One finding, folded over its repetitions.
struct Finding {
  std::string type;  // "segmentation.unassigned_address", ...
  Severity severity = Severity::kInfo;
  std::string title;
  core::Timestamp first_ts, last_ts;
  uint64_t count = 1;
  FindingEndpoint src;
  std::optional<FindingEndpoint> dst;  // absent for findings about one device
  std::string protocol;
  uint16_t vlan = 0;
  std::map<std::string, std::string> detail;  // the key detail first folds on
  std::vector<std::string> advisory;          // "MA-2023-009/segmentation", ...
  uint32_t capture_index = 0;                 // evidence: the capture ...
  uint64_t frame = 0;                         // ... and its first frame showing it (1-based)
};

/// Findings, folded as they are added.
class FindingSet {
 public:
  /// Adds a finding, or folds it into an identical one (count, first and last time, and the
  /// earliest evidence).
  void Add(Finding f);
  /// Every finding, in a fixed order: severity (highest first), type, then first evidence.
  std::vector<Finding> Sorted() const;
  /// Findings by severity name, only the severities present.
  std::map<std::string, uint64_t> CountsBySeverity() const;
  size_t size() const { return findings_.size(); }

 private:
  std::map<std::string, size_t> index_;  // fold key -> position
  std::vector<Finding> findings_;
};

/// What a run's policy and baseline made of it: which policy (file empty without one),
/// which baseline (empty without one), and the findings, in output order.
struct PolicyOutcome {
  /// A zone as the policy defines it, in words (for reports that draw the zones).
  struct ZoneText {
    std::string name, kind, description, inside;
    std::vector<std::string> subnets;
    std::vector<uint16_t> vlans;
  };
  /// A conduit as the policy defines it, in words.
  struct ConduitText {
    std::string from, to, purpose;
    std::vector<std::string> services, allow;
  };
  std::string file;
  std::string site;
  size_t zones = 0, conduits = 0;
  std::vector<ZoneText> zone_list;        // the policy's zones, in file order
  std::vector<ConduitText> conduit_list;  // the policy's conduits, in file order
  std::string baseline;
  size_t baseline_assets = 0, baseline_communications = 0;
  std::string integrity_manifest;             // with --integrity: the manifest of known-good blocks
  std::map<std::string, uint64_t> integrity;  // ... and what comparing with it covered
  std::vector<Finding> findings;
};

}  // namespace qw::policy
