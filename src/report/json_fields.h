// Reading fields of the JSON rows a report is built from, forgiving of absent or null
// fields (older runs, snapshots that lack them), and what their values mean.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace qw::report {

/// The field as text: a string as it is, a number or other value as JSON, absent or null
/// as "".
inline std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

/// The field as a whole number; 0 when absent or not a number.
inline int64_t Num(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : 0;
}

/// True for the zone kinds of the crane network (DESIGN.md): crane-management,
/// crane-control, crane-auxiliary.
inline bool IsCraneKind(std::string_view kind) {
  return kind == "crane-management" || kind == "crane-control" || kind == "crane-auxiliary";
}

}  // namespace qw::report
