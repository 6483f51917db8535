// MAC vendors from the IEEE registries that Debian's ieee-data installs: MA-L (oui.csv,
// 24-bit prefixes), MA-M (mam.csv, 28-bit), MA-S (oui36.csv, 36-bit) and the older IAB
// blocks (iab.csv, 36-bit). The longest matching prefix wins. Read at run time, so an
// updated ieee-data package needs no rebuild.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/address.h"

namespace qw::model {

/// Looks up the organisation an IEEE MAC prefix is assigned to.
class VendorDb {
 public:
  /// Loads every registry CSV found in `dir`; returns how many registry files were read.
  /// Files that are missing are skipped; `warning` then says which (empty when none).
  size_t Load(const std::string& dir, std::string* warning);
  /// Adds one assignment: `hex_prefix` of 6, 7 or 9 hex digits.
  void Add(std::string_view hex_prefix, std::string_view organization);
  /// The organisation for a MAC, or "" when unknown (also for locally administered MACs).
  std::string_view Lookup(const core::MacAddr& mac) const;
  /// Number of assignments loaded.
  size_t size() const { return l_.size() + m_.size() + s_.size(); }

  /// Where Debian's ieee-data puts the registries (overridable with QW_IEEE_DATA_DIR).
  static std::string DefaultDir();

 private:
  std::unordered_map<uint32_t, std::string> l_;  // 24-bit prefixes
  std::unordered_map<uint32_t, std::string> m_;  // 28-bit prefixes
  std::unordered_map<uint64_t, std::string> s_;  // 36-bit prefixes
};

}  // namespace qw::model
