#include "integrity/yaml_config.h"

#include <algorithm>

namespace qw::integrity {

void YamlFail(const YAML::Node& at, const std::string& message) {
  throw YamlConfigError{message, at.Mark()};
}

std::string YamlScalar(const YAML::Node& n, const char* field) {
  if (!n.IsScalar() || n.Scalar().empty()) YamlFail(n, fmt::format("{}: expected a value", field));
  return n.Scalar();
}

uint64_t YamlNumber(const YAML::Node& n, const char* field, uint64_t min, uint64_t max) {
  std::string s = YamlScalar(n, field);
  // yaml-cpp reads "-4" as a huge unsigned number; a sign is never a count here.
  if (s.find_first_not_of("0123456789") != std::string::npos) {
    YamlFail(n, fmt::format("{}: '{}' is not a whole number", field, s));
  }
  uint64_t v = 0;
  try {
    v = n.as<uint64_t>();
  } catch (const YAML::Exception&) {
    YamlFail(n, fmt::format("{}: '{}' is not a whole number", field, s));
  }
  if (v < min || v > max) YamlFail(n, fmt::format("{}: {} is not {} to {}", field, v, min, max));
  return v;
}

bool YamlBool(const YAML::Node& n, const char* field) {
  std::string s = YamlScalar(n, field);
  try {
    return n.as<bool>();
  } catch (const YAML::Exception&) {
    YamlFail(n, fmt::format("{}: '{}' is not true or false", field, s));
  }
}

void YamlCheckKeys(const YAML::Node& map, std::initializer_list<const char*> allowed,
                   const char* what) {
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      YamlFail(kv.first, fmt::format("{}: unknown field '{}'", what, key));
    }
  }
}

}  // namespace qw::integrity
