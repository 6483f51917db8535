#include "integrity/gate_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

// Thrown inside the loader only, caught at its edge and turned into a Result.
struct ConfigError {
  std::string message;
  YAML::Mark mark;
};

[[noreturn]] void Fail(const YAML::Node& at, const std::string& message) {
  throw ConfigError{message, at.Mark()};
}

std::string Scalar(const YAML::Node& n, const char* field) {
  if (!n.IsScalar() || n.Scalar().empty()) Fail(n, fmt::format("{}: expected a value", field));
  return n.Scalar();
}

std::string PathIn(const fs::path& base, const std::string& p) {
  fs::path path(p);
  return (path.is_absolute() ? path : base / path).lexically_normal().string();
}

std::vector<std::string> Paths(const YAML::Node& n, const char* field, const fs::path& base) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(PathIn(base, Scalar(n, field)));
  } else if (n.IsSequence()) {
    for (const YAML::Node& p : n) out.push_back(PathIn(base, Scalar(p, field)));
  } else {
    Fail(n, fmt::format("{}: expected a path or a list of paths", field));
  }
  return out;
}

uint64_t Number(const YAML::Node& n, const char* field, uint64_t min, uint64_t max) {
  std::string s = Scalar(n, field);
  uint64_t v = 0;
  try {
    v = n.as<uint64_t>();
  } catch (const YAML::Exception&) {
    Fail(n, fmt::format("{}: '{}' is not a whole number", field, s));
  }
  if (v < min || v > max) Fail(n, fmt::format("{}: {} is not {} to {}", field, v, min, max));
  return v;
}

void CheckKeys(const YAML::Node& map, std::initializer_list<const char*> allowed,
               const char* what) {
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      Fail(kv.first, fmt::format("{}: unknown field '{}'", what, key));
    }
  }
}

GateConfig Read(const YAML::Node& root, const std::string& path) {
  GateConfig c;
  c.file = path;
  fs::path base = fs::absolute(fs::path(path)).parent_path();
  if (!root.IsMap()) Fail(root, "a gate configuration is a mapping");
  CheckKeys(root, {"trusted_key", "allow_lists", "audit_log", "rules", "destinations", "limits"},
            "gate");
  if (!root["trusted_key"]) Fail(root, "trusted_key: the public key that signs the allow-lists");
  c.trusted_key = PathIn(base, Scalar(root["trusted_key"], "trusted_key"));
  if (!root["allow_lists"]) Fail(root, "allow_lists: at least one signed allow-list");
  c.allow_lists = Paths(root["allow_lists"], "allow_lists", base);
  if (!root["audit_log"]) Fail(root, "audit_log: where every decision is recorded");
  c.audit_log = PathIn(base, Scalar(root["audit_log"], "audit_log"));
  if (root["rules"]) c.rules = Paths(root["rules"], "rules", base);
  const YAML::Node dests = root["destinations"];
  if (!dests || !dests.IsMap() || dests.size() == 0) {
    Fail(dests ? dests : root, "destinations: a mapping of destination names to accepted types");
  }
  for (const auto& kv : dests) {
    std::string name = kv.first.Scalar();
    const YAML::Node d = kv.second;
    if (!d.IsMap()) Fail(d, fmt::format("destinations.{}: expected a mapping with types", name));
    CheckKeys(d, {"types", "note"}, "destination");
    if (!d["types"] || !d["types"].IsSequence()) {
      Fail(d, fmt::format("destinations.{}: types: expected a list", name));
    }
    std::set<std::string>& types = c.destinations[name];
    for (const YAML::Node& t : d["types"]) {
      std::string type = Scalar(t, "types");
      if (std::none_of(std::begin(kGateTypes), std::end(kGateTypes),
                       [&](const char* k) { return type == k; })) {
        Fail(t, fmt::format("types: '{}' is not one of executable, script, archive, document, "
                            "firmware, image, text, data",
                            type));
      }
      types.insert(type);
    }
  }
  if (const YAML::Node l = root["limits"]) {
    if (!l.IsMap()) Fail(l, "limits: expected a mapping");
    CheckKeys(l, {"max_members", "max_unpacked_mib", "max_ratio", "max_depth"}, "limits");
    if (l["max_members"])
      c.limits.max_members = Number(l["max_members"], "max_members", 1, 1'000'000);
    if (l["max_unpacked_mib"]) {
      c.limits.max_unpacked_bytes = Number(l["max_unpacked_mib"], "max_unpacked_mib", 1, 1 << 20)
                                    << 20;
    }
    if (l["max_ratio"]) c.limits.max_ratio = Number(l["max_ratio"], "max_ratio", 2, 100'000);
    if (l["max_depth"]) {
      c.limits.max_depth = static_cast<uint32_t>(Number(l["max_depth"], "max_depth", 0, 8));
    }
  }
  return c;
}

}  // namespace

core::Result<GateConfig> LoadGateConfig(const std::string& path) {
  auto where = [&](const YAML::Mark& m) {
    return m.line >= 0 ? fmt::format("{}:{}:{}", path, m.line + 1, m.column + 1) : path;
  };
  try {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
      return core::MakeError(fmt::format("{}: no such file", path));
    if (fs::file_size(path, ec) > (size_t{1} << 20)) {
      return core::MakeError(fmt::format("{}: larger than 1 MiB; not a gate configuration", path));
    }
    return Read(YAML::LoadFile(path), path);
  } catch (const ConfigError& e) {
    return core::MakeError(fmt::format("{}: {}", where(e.mark), e.message));
  } catch (const YAML::Exception& e) {
    return core::MakeError(fmt::format("{}: not valid YAML: {}", where(e.mark), e.msg));
  }
}

}  // namespace qw::integrity
