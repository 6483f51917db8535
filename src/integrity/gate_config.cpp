#include "integrity/gate_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "integrity/yaml_config.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

std::string PathIn(const fs::path& base, const std::string& p) {
  fs::path path(p);
  return (path.is_absolute() ? path : base / path).lexically_normal().string();
}

std::vector<std::string> Paths(const YAML::Node& n, const char* field, const fs::path& base) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(PathIn(base, YamlScalar(n, field)));
  } else if (n.IsSequence()) {
    for (const YAML::Node& p : n) out.push_back(PathIn(base, YamlScalar(p, field)));
  } else {
    YamlFail(n, fmt::format("{}: expected a path or a list of paths", field));
  }
  return out;
}

GateConfig Read(const YAML::Node& root, const std::string& path) {
  GateConfig c;
  c.file = path;
  fs::path base = fs::absolute(fs::path(path)).parent_path();
  if (!root.IsMap()) YamlFail(root, "a gate configuration is a mapping");
  YamlCheckKeys(
      root, {"trusted_key", "allow_lists", "audit_log", "rules", "destinations", "limits"}, "gate");
  if (!root["trusted_key"])
    YamlFail(root, "trusted_key: the public key that signs the allow-lists");
  c.trusted_key = PathIn(base, YamlScalar(root["trusted_key"], "trusted_key"));
  if (!root["allow_lists"]) YamlFail(root, "allow_lists: at least one signed allow-list");
  c.allow_lists = Paths(root["allow_lists"], "allow_lists", base);
  if (!root["audit_log"]) YamlFail(root, "audit_log: where every decision is recorded");
  c.audit_log = PathIn(base, YamlScalar(root["audit_log"], "audit_log"));
  if (root["rules"]) c.rules = Paths(root["rules"], "rules", base);
  const YAML::Node dests = root["destinations"];
  if (!dests || !dests.IsMap() || dests.size() == 0) {
    YamlFail(dests ? dests : root,
             "destinations: a mapping of destination names to accepted types");
  }
  for (const auto& kv : dests) {
    std::string name = kv.first.Scalar();
    const YAML::Node d = kv.second;
    if (!d.IsMap())
      YamlFail(d, fmt::format("destinations.{}: expected a mapping with types", name));
    YamlCheckKeys(d, {"types", "note"}, "destination");
    if (!d["types"] || !d["types"].IsSequence()) {
      YamlFail(d, fmt::format("destinations.{}: types: expected a list", name));
    }
    std::set<std::string>& types = c.destinations[name];
    for (const YAML::Node& t : d["types"]) {
      std::string type = YamlScalar(t, "types");
      if (std::none_of(std::begin(kGateTypes), std::end(kGateTypes),
                       [&](const char* k) { return type == k; })) {
        YamlFail(t, fmt::format("types: '{}' is not one of executable, script, archive, document, "
                                "firmware, image, text, data",
                                type));
      }
      types.insert(type);
    }
  }
  if (const YAML::Node l = root["limits"]) {
    if (!l.IsMap()) YamlFail(l, "limits: expected a mapping");
    YamlCheckKeys(l, {"max_members", "max_unpacked_mib", "max_ratio", "max_depth"}, "limits");
    if (l["max_members"])
      c.limits.max_members = YamlNumber(l["max_members"], "max_members", 1, 1'000'000);
    if (l["max_unpacked_mib"]) {
      c.limits.max_unpacked_bytes =
          YamlNumber(l["max_unpacked_mib"], "max_unpacked_mib", 1, 1 << 20) << 20;
    }
    if (l["max_ratio"]) c.limits.max_ratio = YamlNumber(l["max_ratio"], "max_ratio", 2, 100'000);
    if (l["max_depth"]) {
      c.limits.max_depth = static_cast<uint32_t>(YamlNumber(l["max_depth"], "max_depth", 0, 8));
    }
  }
  return c;
}

}  // namespace

core::Result<GateConfig> LoadGateConfig(const std::string& path) {
  return LoadYamlConfig(path, uintmax_t{1} << 20, "gate configuration",
                        [&](const YAML::Node& root) { return Read(root, path); });
}

}  // namespace qw::integrity
