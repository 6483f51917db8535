// The backup catalog: for each critical asset, the backups the advisory asks for (OS images,
// PLC programs, drive settings, switch configurations), where they are, what they hashed to,
// how old they may be, whether an offline copy exists and when restoring was last tested.
//
//   site: Port of Example, container terminal 3
//   defaults: {max_age_days: 90, restore_test_max_age_days: 365}
//   assets:
//     - name: sts-03-plc
//       required: [plc-program, os-image]
//       backups:
//         - kind: plc-program
//           location: plc/sts-03-2026-10-01.zap17   # relative to the catalog's folder
//           sha256: 5f1c...                           # recorded when the backup was made
//           taken: 2026-10-01                         # else the file's modification time
//           max_age_days: 90
//           offline_copy: true
//           offline_location: safe B2, tape 14
//           last_restore_test: 2026-09-15
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/timestamp.h"

namespace qw::integrity {

/// Most assets and backups per asset a catalog may list.
inline constexpr size_t kMaxCatalogAssets = 10'000;
inline constexpr size_t kMaxBackupsPerAsset = 1'000;

/// Kinds of backup a catalog knows.
inline constexpr const char* kBackupKinds[] = {"os-image", "plc-program", "drive-settings",
                                               "switch-config", "firewall-config"};

/// One backup of one asset, as the catalog states it.
struct BackupEntry {
  std::string kind;
  std::string location;  // as written
  std::string path;      // resolved against the catalog's folder
  std::string sha256;
  std::optional<core::Timestamp> taken;
  int max_age_days = 90;
  bool offline_copy = false;
  std::string offline_location;
  std::optional<core::Timestamp> last_restore_test;
  int restore_test_max_age_days = 365;
  int line = 0;  // in the catalog
};

/// A critical asset and its backups.
struct BackupAsset {
  std::string name;
  std::vector<std::string> required;  // kinds that must have a backup
  std::vector<BackupEntry> backups;
  int line = 0;
};

/// A whole catalog.
struct BackupCatalog {
  std::string file;
  std::string site;
  std::vector<BackupAsset> assets;
};

/// Reads a catalog; the error names the file, line and column and what is wrong.
core::Result<BackupCatalog> LoadBackupCatalog(const std::string& path);

/// What checking one backup (or a required kind with none) found.
struct BackupCheckRow {
  std::string asset, kind, location;
  bool ok = true;
  std::vector<std::string> problems;
  std::optional<double> age_days;           // of the backup
  std::optional<double> restore_test_days;  // since the last restore test
  std::string sha256_now;                   // what the file hashes to now
};

/// Every row, and whether all of them hold.
struct BackupCheckReport {
  std::string site;
  std::string checked_at;  // ISO 8601
  std::vector<BackupCheckRow> rows;
  bool ok = true;
};

/// Checks each backup: the file exists and matches its hash, it and its restore test are
/// young enough, an offline copy is declared; and each required kind has a backup.
BackupCheckReport CheckBackups(const BackupCatalog& catalog, core::Timestamp now);
/// The report as a table for a terminal.
std::string BackupTable(const BackupCheckReport& report);
/// The report as JSON.
nlohmann::json BackupReportJson(const BackupCheckReport& report);

}  // namespace qw::integrity
