// The transfer gate's allow-list: SHA-256 digests of files approved to enter the crane
// network (vendor firmware releases, approved patches), signed like a manifest so that nobody
// approves a file by editing the list.
//
// A signed JSON document (signed_document.h) of format "quaywatch-allow-list/1":
//   {"format", "entries": [{"sha256", "name", "size" (or null), "note", "added"}], "signature"}
// Entries are sorted by digest, one per digest.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "integrity/keys.h"

namespace qw::integrity {

/// The "format" member of an allow-list.
inline constexpr char kAllowListFormat[] = "quaywatch-allow-list/1";
/// Most entries one list holds.
inline constexpr size_t kMaxAllowEntries = 1'000'000;

/// One approved file.
struct AllowEntry {
  std::string sha256;  // 64 lower-case hex digits
  std::string name;    // what it is: "Siemens S7-1500 firmware V3.1.2"
  std::optional<uint64_t> size;
  std::string note;   // why it is approved: change ticket, vendor advisory
  std::string added;  // ISO 8601 UTC
};

/// Approved digests, from one or more signed lists.
struct AllowList {
  std::map<std::string, AllowEntry> by_sha256;
  std::vector<std::string> sources;  // the lists read, with their signing key ids
  /// The entry for a digest, or nullptr.
  const AllowEntry* Find(const std::string& sha256) const;
};

/// Reads a signed allow-list (checked against `trusted`) and adds its entries to `into`.
core::Status LoadAllowList(const std::string& path, const PublicKey& trusted, AllowList& into);
/// Signs and writes `entries` as an allow-list, atomically.
core::Status WriteAllowList(const std::string& path,
                            const std::map<std::string, AllowEntry>& entries, const SecretKey& key);
/// True for 64 hex digits; lower-cases them.
bool NormalizeSha256(std::string& hex);

}  // namespace qw::integrity
