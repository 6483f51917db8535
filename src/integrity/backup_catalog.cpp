#include "integrity/backup_catalog.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "integrity/file_hash.h"
#include "integrity/yaml_config.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNsPerDay = int64_t{86400} * 1'000'000'000;
// Ages above a century are typing errors, not policies.
constexpr int kMaxDays = 36'500;

int Days(const YAML::Node& n, const char* field) {
  return static_cast<int>(YamlNumber(n, field, 0, kMaxDays));
}

// A date (2026-09-15, midnight UTC) or an ISO 8601 time.
core::Timestamp Date(const YAML::Node& n, const char* field) {
  std::string s = YamlScalar(n, field);
  auto t = core::ParseIso8601(s.size() == 10 ? s + "T00:00:00Z" : s);
  if (!t) YamlFail(n, fmt::format("{}: '{}' is not a date (YYYY-MM-DD)", field, s));
  return *t;
}

bool KnownKind(const std::string& k) {
  for (const char* known : kBackupKinds) {
    if (k == known) return true;
  }
  return false;
}

std::string Kind(const YAML::Node& n, const char* field) {
  std::string k = YamlScalar(n, field);
  if (!KnownKind(k)) {
    YamlFail(n, fmt::format("{}: '{}' is not one of os-image, plc-program, drive-settings, "
                            "switch-config, firewall-config",
                            field, k));
  }
  return k;
}

struct Defaults {
  int max_age_days = 90;
  int restore_test_max_age_days = 365;
};

BackupEntry ReadEntry(const YAML::Node& b, const Defaults& d, const fs::path& base) {
  if (!b.IsMap()) YamlFail(b, "backups: each backup is a mapping");
  YamlCheckKeys(b,
                {"kind", "location", "sha256", "taken", "max_age_days", "offline_copy",
                 "offline_location", "last_restore_test", "restore_test_max_age_days", "note"},
                "backup");
  BackupEntry e;
  e.line = b.Mark().line + 1;
  e.max_age_days = d.max_age_days;
  e.restore_test_max_age_days = d.restore_test_max_age_days;
  if (!b["kind"]) YamlFail(b, "backup: needs a kind");
  e.kind = Kind(b["kind"], "kind");
  if (!b["location"]) YamlFail(b, "backup: needs a location (the backup file)");
  e.location = YamlScalar(b["location"], "location");
  fs::path loc(e.location);
  e.path = (loc.is_absolute() ? loc : base / loc).lexically_normal().string();
  if (!b["sha256"]) YamlFail(b, "backup: needs sha256 (the hash recorded when it was made)");
  e.sha256 = YamlScalar(b["sha256"], "sha256");
  std::transform(e.sha256.begin(), e.sha256.end(), e.sha256.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (e.sha256.size() != 64 ||
      e.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
    YamlFail(b["sha256"], "sha256: expected 64 hex digits");
  }
  if (b["taken"]) e.taken = Date(b["taken"], "taken");
  if (b["max_age_days"]) e.max_age_days = Days(b["max_age_days"], "max_age_days");
  if (b["offline_copy"]) e.offline_copy = YamlBool(b["offline_copy"], "offline_copy");
  if (b["offline_location"])
    e.offline_location = YamlScalar(b["offline_location"], "offline_location");
  if (b["last_restore_test"])
    e.last_restore_test = Date(b["last_restore_test"], "last_restore_test");
  if (b["restore_test_max_age_days"]) {
    e.restore_test_max_age_days = Days(b["restore_test_max_age_days"], "restore_test_max_age_days");
  }
  return e;
}

BackupCatalog ReadCatalog(const YAML::Node& root, const std::string& path) {
  BackupCatalog c;
  c.file = path;
  if (!root.IsMap()) YamlFail(root, "a catalog is a mapping with site, defaults and assets");
  YamlCheckKeys(root, {"site", "defaults", "assets"}, "catalog");
  if (root["site"]) c.site = YamlScalar(root["site"], "site");
  Defaults d;
  if (const YAML::Node def = root["defaults"]) {
    if (!def.IsMap()) YamlFail(def, "defaults: expected a mapping");
    YamlCheckKeys(def, {"max_age_days", "restore_test_max_age_days"}, "defaults");
    if (def["max_age_days"]) d.max_age_days = Days(def["max_age_days"], "max_age_days");
    if (def["restore_test_max_age_days"]) {
      d.restore_test_max_age_days =
          Days(def["restore_test_max_age_days"], "restore_test_max_age_days");
    }
  }
  const YAML::Node assets = root["assets"];
  if (!assets || !assets.IsSequence() || assets.size() == 0) {
    YamlFail(assets ? assets : root, "assets: expected a list of assets");
  }
  if (assets.size() > kMaxCatalogAssets) YamlFail(assets, "assets: too many");
  fs::path base = fs::absolute(fs::path(path)).parent_path();
  std::set<std::string> names;
  for (const YAML::Node& a : assets) {
    if (!a.IsMap()) YamlFail(a, "assets: each asset is a mapping with name, required and backups");
    YamlCheckKeys(a, {"name", "required", "backups", "note"}, "asset");
    BackupAsset asset;
    asset.line = a.Mark().line + 1;
    if (!a["name"]) YamlFail(a, "asset: needs a name");
    asset.name = YamlScalar(a["name"], "name");
    if (!names.insert(asset.name).second)
      YamlFail(a["name"], fmt::format("asset '{}' listed twice", asset.name));
    if (const YAML::Node req = a["required"]) {
      if (!req.IsSequence()) YamlFail(req, "required: expected a list of kinds");
      for (const YAML::Node& k : req) asset.required.push_back(Kind(k, "required"));
    }
    if (const YAML::Node bs = a["backups"]) {
      if (!bs.IsSequence()) YamlFail(bs, "backups: expected a list");
      if (bs.size() > kMaxBackupsPerAsset) YamlFail(bs, "backups: too many");
      for (const YAML::Node& b : bs) asset.backups.push_back(ReadEntry(b, d, base));
    }
    if (asset.required.empty() && asset.backups.empty()) {
      YamlFail(a, fmt::format("asset '{}': lists neither required kinds nor backups", asset.name));
    }
    c.assets.push_back(std::move(asset));
  }
  return c;
}

double DaysBetween(core::Timestamp from, core::Timestamp to) {
  // In doubles: two dates a catalog may give (1677 to 2262) lie further apart than int64
  // nanoseconds reach.
  return (static_cast<double>(to.ns) - static_cast<double>(from.ns)) /
         static_cast<double>(kNsPerDay);
}

}  // namespace

core::Result<BackupCatalog> LoadBackupCatalog(const std::string& path) {
  // Catalogs are a few kilobytes; a huge file is not one.
  return LoadYamlConfig(path, uintmax_t{16} << 20, "backup catalog",
                        [&](const YAML::Node& root) { return ReadCatalog(root, path); });
}

BackupCheckReport CheckBackups(const BackupCatalog& catalog, core::Timestamp now) {
  BackupCheckReport report;
  report.site = catalog.site;
  report.checked_at = core::FormatIso8601(now);
  for (const BackupAsset& asset : catalog.assets) {
    std::set<std::string> kinds;
    for (const BackupEntry& e : asset.backups) {
      kinds.insert(e.kind);
      BackupCheckRow row;
      row.asset = asset.name;
      row.kind = e.kind;
      row.location = e.location;
      auto digest = HashFile(e.path);
      std::optional<core::Timestamp> taken = e.taken;
      if (!digest) {
        row.problems.push_back(digest.error().message.find("cannot open") != std::string::npos
                                   ? "missing: " + e.path
                                   : digest.error().message);
      } else {
        row.sha256_now = std::string(digest->sha256.view());
        if (row.sha256_now != e.sha256) {
          row.problems.push_back(fmt::format("hash differs: recorded {}, now {}",
                                             e.sha256.substr(0, 16), row.sha256_now.substr(0, 16)));
        }
        if (!taken) taken = core::Timestamp{digest->mtime_ns};
      }
      if (taken) {
        row.age_days = DaysBetween(*taken, now);
        if (*row.age_days > e.max_age_days) {
          row.problems.push_back(
              fmt::format("{:.0f} days old, more than {} allowed", *row.age_days, e.max_age_days));
        } else if (*row.age_days < -1) {
          row.problems.push_back("taken in the future: check the date");
        }
      }
      if (!e.offline_copy) row.problems.push_back("no offline copy declared");
      if (!e.last_restore_test) {
        row.problems.push_back("restoring it was never tested");
      } else {
        row.restore_test_days = DaysBetween(*e.last_restore_test, now);
        if (*row.restore_test_days > e.restore_test_max_age_days) {
          row.problems.push_back(fmt::format("restore last tested {:.0f} days ago, more than {}",
                                             *row.restore_test_days, e.restore_test_max_age_days));
        } else if (*row.restore_test_days < -1) {
          row.problems.push_back("restore test dated in the future: check the date");
        }
      }
      row.ok = row.problems.empty();
      report.ok = report.ok && row.ok;
      report.rows.push_back(std::move(row));
    }
    for (const std::string& k : asset.required) {
      if (kinds.count(k)) continue;
      BackupCheckRow row;
      row.asset = asset.name;
      row.kind = k;
      row.ok = false;
      row.problems.push_back(fmt::format("required {} backup not in the catalog", k));
      report.ok = false;
      report.rows.push_back(std::move(row));
    }
  }
  return report;
}

std::string BackupTable(const BackupCheckReport& report) {
  size_t wa = 5, wk = 4, wl = 8;
  for (const auto& r : report.rows) {
    wa = std::max(wa, r.asset.size());
    wk = std::max(wk, r.kind.size());
    wl = std::max(wl, std::min<size_t>(r.location.size(), 48));
  }
  auto age = [](const std::optional<double>& d) {
    return d ? fmt::format("{:.0f}d", *d) : std::string("-");
  };
  std::string out = fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>6}  {:>8}  {}\n", "ASSET", wa, "KIND",
                                wk, "LOCATION", wl, "AGE", "RESTORED", "STATUS");
  for (const auto& r : report.rows) {
    std::string loc =
        r.location.size() > 48 ? "..." + r.location.substr(r.location.size() - 45) : r.location;
    if (loc.empty()) loc = "-";
    std::string status = r.ok ? "ok" : "SHORT: " + r.problems.front();
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>6}  {:>8}  {}\n", r.asset, wa, r.kind, wk, loc,
                       wl, age(r.age_days), age(r.restore_test_days), status);
    for (size_t i = 1; i < r.problems.size(); ++i) {
      out += fmt::format("{:<{}}  {}\n", "", wa + wk + wl + 22, "SHORT: " + r.problems[i]);
    }
  }
  size_t short_rows = static_cast<size_t>(
      std::count_if(report.rows.begin(), report.rows.end(), [](const auto& r) { return !r.ok; }));
  out += fmt::format("{} backups and required kinds checked, {} fall short\n", report.rows.size(),
                     short_rows);
  return out;
}

nlohmann::json BackupReportJson(const BackupCheckReport& report) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : report.rows) {
    nlohmann::json j = {{"asset", r.asset},
                        {"kind", r.kind},
                        {"location", r.location},
                        {"ok", r.ok},
                        {"problems", r.problems}};
    j["age_days"] = r.age_days ? nlohmann::json(*r.age_days) : nlohmann::json();
    j["restore_test_days"] =
        r.restore_test_days ? nlohmann::json(*r.restore_test_days) : nlohmann::json();
    j["sha256_now"] = r.sha256_now.empty() ? nlohmann::json() : nlohmann::json(r.sha256_now);
    rows.push_back(std::move(j));
  }
  return {{"site", report.site},
          {"checked_at", report.checked_at},
          {"ok", report.ok},
          {"backups", std::move(rows)}};
}

}  // namespace qw::integrity
