// The transfer gate's configuration: which signed allow-lists and which key vouch for them,
// where the audit log is, extra YARA rules, the file types each destination accepts, and the
// bounds on archive inspection.
//
//   trusted_key: quaywatch.pub
//   allow_lists: [approved-firmware.json]
//   audit_log: transfer-audit.jsonl
//   rules: [site-rules.yar]            # on top of the built-in rules
//   destinations:
//     crane-control:    {types: [firmware, document, text, data]}
//     crane-management: {types: [executable, script, archive, firmware, document, text, data]}
//   limits: {max_members: 10000, max_unpacked_mib: 4096, max_ratio: 100, max_depth: 3}
//
// Relative paths are relative to the configuration's folder.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace qw::integrity {

/// File types a destination may accept (what content detection tells, never the name).
inline constexpr const char* kGateTypes[] = {"executable", "script", "archive", "document",
                                             "firmware",   "image",  "text",    "data"};

/// Bounds on looking inside archives.
struct GateLimits {
  uint64_t max_members = 10'000;
  uint64_t max_unpacked_bytes = uint64_t{4} << 30;
  uint64_t max_ratio = 100;
  uint32_t max_depth = 3;
};

/// A whole gate configuration.
struct GateConfig {
  std::string file;
  std::string trusted_key;
  std::vector<std::string> allow_lists;
  std::string audit_log;
  std::vector<std::string> rules;
  std::map<std::string, std::set<std::string>> destinations;  // name -> types
  GateLimits limits;
};

/// Reads a gate configuration; the error names the file, line and column.
core::Result<GateConfig> LoadGateConfig(const std::string& path);

}  // namespace qw::integrity
