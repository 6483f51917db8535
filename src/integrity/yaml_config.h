// Reading the integrity commands' YAML files (the backup catalog, the transfer gate's
// configuration): strict about unknown fields, and every error with its file, line and
// column. yaml-cpp's exceptions and ours stop at LoadYamlConfig and become a Result.
#pragma once

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "core/result.h"
#include "core/whole_file.h"

namespace qw::integrity {

/// What a reader found wrong, and where; thrown inside a reader, caught by LoadYamlConfig.
struct YamlConfigError {
  std::string message;
  YAML::Mark mark;
};

/// Stops reading with `message` at the place of `at`.
[[noreturn]] void YamlFail(const YAML::Node& at, const std::string& message);
/// A non-empty single value.
std::string YamlScalar(const YAML::Node& n, const char* field);
/// A whole number from `min` to `max`.
uint64_t YamlNumber(const YAML::Node& n, const char* field, uint64_t min, uint64_t max);
/// true or false.
bool YamlBool(const YAML::Node& n, const char* field);
/// Fails on a key of `map` that is not `allowed` (a misspelt field would otherwise pass
/// silently).
void YamlCheckKeys(const YAML::Node& map, std::initializer_list<const char*> allowed,
                   const char* what);

/// Parses the YAML file `path` (at most `max_bytes`; `what` names the kind of file in the
/// error) and runs `read(root)`; every error comes back as "path:line:column: message".
template <typename Read>
auto LoadYamlConfig(const std::string& path, uintmax_t max_bytes, const char* what, Read read)
    -> core::Result<decltype(read(YAML::Node()))> {
  auto where = [&](const YAML::Mark& m) {
    return m.line >= 0 ? fmt::format("{}:{}:{}", path, m.line + 1, m.column + 1) : path;
  };
  auto text = core::ReadWholeFile(path, max_bytes, what, core::FileKinds::kRegularOnly);
  if (!text) return core::MakeError(fmt::format("{}: {}", path, text.error().message));
  try {
    return read(YAML::Load(*text));
  } catch (const YamlConfigError& e) {
    return core::MakeError(fmt::format("{}: {}", where(e.mark), e.message));
  } catch (const YAML::Exception& e) {
    return core::MakeError(fmt::format("{}: not valid YAML: {}", where(e.mark), e.msg));
  }
}

}  // namespace qw::integrity
