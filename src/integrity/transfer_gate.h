// The transfer gate: the one way files enter the crane network. A file is admitted only if
// its SHA-256 is on a signed allow-list, no YARA rule matches it or any member it holds, and
// its type, told from content, is one its destination accepts (for an archive: its own type
// and every member's, walked within bounds). Every decision, admit or refuse, is appended to
// the hash-chained audit log before it is reported; a decision that cannot be recorded is a
// refusal.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "integrity/allow_list.h"
#include "integrity/archive_scan.h"
#include "integrity/file_type.h"
#include "integrity/gate_config.h"
#include "integrity/yara_rules.h"

namespace qw::integrity {

/// Members listed by name in a decision's audit line; all are checked, the rest are counted.
inline constexpr size_t kMaxAuditedMembers = 1000;

/// What the gate decided about one file, and why.
struct GateDecision {
  std::string path;  // absolute
  std::string destination;
  bool admitted = false;
  std::vector<std::string> reasons;  // why it was refused; empty when admitted
  uint64_t size = 0;
  std::string sha256;
  FileType type;
  std::optional<AllowEntry> allowed_by;                  // the allow-list entry that names it
  std::vector<std::string> yara;                         // "rule (member)" for each match
  uint64_t members = 0;                                  // archive members walked
  nlohmann::json member_list = nlohmann::json::array();  // path, size, sha256, type
  uint64_t audit_seq = 0;                                // its line in the audit log
};

/// A gate opened on a configuration: the key, the allow-lists and the rules loaded once.
class TransferGate {
 public:
  /// Loads the trusted key and every allow-list (each must verify) and compiles the rules;
  /// fails naming the file that is wrong.
  static core::Result<std::unique_ptr<TransferGate>> Open(const GateConfig& config);

  /// Decides about the file at `path` for `destination` (one of the configuration's) and
  /// records the decision in the audit log as `operator_name`. Fails only when the decision
  /// cannot be recorded (then nothing is admitted).
  core::Result<GateDecision> Check(const std::string& path, const std::string& destination,
                                   const std::string& operator_name);

  /// The configuration in force.
  const GateConfig& config() const { return config_; }

 private:
  TransferGate(GateConfig config, AllowList list, YaraRules rules, FileTypeClassifier classifier)
      : config_(std::move(config)),
        allow_(std::move(list)),
        rules_(std::move(rules)),
        classifier_(std::move(classifier)) {}
  void Inspect(const std::string& path, GateDecision& d);

  GateConfig config_;
  AllowList allow_;
  YaraRules rules_;
  FileTypeClassifier classifier_;
};

}  // namespace qw::integrity
