// YARA rules for the transfer gate: the built-in set (src/integrity/rules/*.yar, built into
// the binary) and the operator's own rule files, compiled once and used to scan files and
// archive members. Backed by libyara.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct YR_RULES;  // libyara's compiled rules

namespace qw::integrity {

/// Seconds a scan may take before it fails.
inline constexpr int kYaraScanTimeoutSeconds = 60;
/// Matching rules reported per scan; more are counted in YaraScan::more_matches.
inline constexpr size_t kMaxYaraMatches = 64;
/// Octets of an operator's rule file read at most.
inline constexpr uint64_t kMaxYaraRuleFileBytes = uint64_t{16} << 20;
/// Rule files taken from one directory at most.
inline constexpr size_t kMaxYaraRuleFiles = 1000;

/// One rule that matched, with its meta (description, family, severity, ...).
struct YaraMatch {
  std::string rule;                         // the rule's identifier
  std::string rule_namespace;               // the rule file it comes from
  std::vector<std::string> tags;            // the rule's tags
  std::map<std::string, std::string> meta;  // integers and booleans as text

  /// The meta value under `key`; empty when absent.
  std::string_view Meta(std::string_view key) const;
};

/// What one scan found.
struct YaraScan {
  std::vector<YaraMatch> matches;  // in rule order, at most kMaxYaraMatches
  size_t more_matches = 0;         // matching rules beyond kMaxYaraMatches
};

/// Compiled rules. Scans may run from several threads at once (libyara allows it on one
/// set of rules). Movable, not copyable.
class YaraRules {
 public:
  /// Compiles the built-in rules (unless `builtin` is false) and the rule files at
  /// `extra_paths`: files, or directories whose *.yar and *.yara files are taken in name
  /// order. Fails with every compiler error as "file:line: message".
  static core::Result<YaraRules> Compile(const std::vector<std::string>& extra_paths = {},
                                         bool builtin = true);

  YaraRules(YaraRules&& other) noexcept;
  YaraRules& operator=(YaraRules&& other) noexcept;
  YaraRules(const YaraRules&) = delete;
  YaraRules& operator=(const YaraRules&) = delete;
  ~YaraRules();

  /// Scans bytes in memory; fails on a timeout or libyara error, naming `name`.
  core::Result<YaraScan> ScanMemory(std::span<const uint8_t> bytes,
                                    std::string_view name = "memory") const;
  /// Scans a file through its descriptor (libyara maps it; it is never read whole into our
  /// memory); fails, naming the file, when it cannot be opened or the scan fails.
  core::Result<YaraScan> ScanFile(const std::string& path) const;

  /// Compiler warnings, as "file:line: message" (the built-in rules have none).
  const std::vector<std::string>& warnings() const { return warnings_; }
  /// The file names of the built-in rule set ("ics_malware.yar", ...).
  static std::vector<std::string> BuiltinRuleFiles();

 private:
  YaraRules(YR_RULES* rules, std::vector<std::string> warnings)
      : rules_(rules), warnings_(std::move(warnings)) {}

  YR_RULES* rules_ = nullptr;
  std::vector<std::string> warnings_;
};

}  // namespace qw::integrity
