// Integrity manifests: what the files of an asset (exported PLC programs, drive parameter
// files and register snapshots, switch and firewall configurations, OS images) were when
// they were known good, signed so that nobody changes the baseline along with the files.
//
// A manifest is a signed JSON document (signed_document.h) of format "quaywatch-manifest/1":
//   {"format", "asset", "created", "roots": [absolute paths],
//    "items": [{"path" (absolute), "size", "sha256", "mtime", "kind", "asset",
//               "text" (text files up to kMaxTextBytes: kept for diffs),
//               "link" (symbolic links: the target; sha256 is the target's text's),
//               "device", "block" (kind plc-block: the PLC's address and "OB1")}],
//    "signature"}
// Items are sorted by path.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "integrity/keys.h"

namespace qw::integrity {

/// The "format" member of a manifest.
inline constexpr char kManifestFormat[] = "quaywatch-manifest/1";
/// Most items one manifest holds; a root with more is refused rather than cut short.
inline constexpr size_t kMaxManifestItems = 1'000'000;
/// Largest text file whose content a manifest keeps for diffs.
inline constexpr size_t kMaxTextBytes = 256 * 1024;
/// Most text a manifest keeps in all; files past it are hashed without their text.
inline constexpr size_t kMaxTotalTextBytes = size_t{64} << 20;

/// What a file is, for people and for the backup catalog.
/// plc-program, plc-block, drive-settings, switch-config, firewall-config, os-image, symlink,
/// other.
std::string DetectKind(const std::string& path, std::string_view head);

/// One file of a manifest.
struct ManifestItem {
  std::string path;  // absolute
  uint64_t size = 0;
  std::string sha256;
  std::string mtime;  // ISO 8601 UTC
  std::string kind;
  std::string asset;
  std::optional<std::string> text;  // the content of a text file, for diffs
  std::optional<std::string> link;  // a symbolic link's target
  std::string device, block;        // plc-block items: PLC address and block ("OB1")
};

/// A baseline of one asset's files.
struct Manifest {
  std::string asset;
  std::string created;             // ISO 8601 UTC
  std::vector<std::string> roots;  // the paths given, made absolute
  std::vector<ManifestItem> items;
  std::string key_id;  // the key that signed it (once signed or loaded)
};

/// Hashes every file under `paths` (files, or folders walked without following links) into
/// a manifest of `asset`; `kind`, when not empty, names every item's kind. Fails, naming the
/// file, when one cannot be read or changes while it is hashed: a baseline with a hole in it
/// would pass what it never saw. `progress` receives each path as it is hashed.
core::Result<Manifest> BuildManifest(const std::string& asset,
                                     const std::vector<std::string>& paths, const std::string& kind,
                                     const std::function<void(const std::string&)>& progress = {});

/// The manifest as JSON (unsigned).
nlohmann::json ManifestToJson(const Manifest& m);
/// Reads a manifest back from JSON already checked; the error names `where` and the item.
core::Result<Manifest> ManifestFromJson(const nlohmann::json& doc, const std::string& where);
/// Signs and writes a manifest atomically.
core::Status WriteManifest(const std::string& path, const Manifest& m, const SecretKey& key);
/// Reads a manifest and checks its signature against `trusted`.
core::Result<Manifest> LoadManifest(const std::string& path, const PublicKey& trusted);

/// How one item differs from its baseline.
struct ItemChange {
  enum class Kind { kAdded, kRemoved, kChanged, kUnreadable };
  Kind kind = Kind::kChanged;
  std::string path;
  std::optional<ManifestItem> before;  // absent when added
  std::optional<ManifestItem> now;     // absent when removed or unreadable
  std::string diff;                    // unified diff of a changed text file, if computable
  std::string note;                    // why it is unreadable; or that no diff could be made
};

/// What verifying a manifest found.
struct Verification {
  std::vector<ItemChange> changes;  // sorted by path
  size_t checked = 0;               // items of the manifest hashed again
  size_t unchanged = 0;
  size_t touched = 0;  // same content, other modification time
};

/// A folder the manifest names (`from`) that is to be read elsewhere now (`to`): a backup
/// disk mounted at another place, or an export copied to the verifying machine.
struct Relocation {
  std::string from, to;
};
/// Parses "FROM=TO" (both absolute; trailing slashes dropped); nullopt when malformed.
std::optional<Relocation> ParseRelocation(std::string_view text);
/// Hashes the manifest's roots again and compares: items added, removed, changed (with a
/// diff for text), or unreadable now. What the manifest records under a relocation's `from`
/// is read from its `to`; the changes keep the manifest's paths (an item's `now` has the
/// path it was read from).
Verification VerifyManifest(const Manifest& m, const std::vector<Relocation>& moved = {},
                            const std::function<void(const std::string&)>& progress = {});

/// Name of a change kind: "added", "removed", "changed", "unreadable".
const char* ChangeKindName(ItemChange::Kind k);

}  // namespace qw::integrity
