#include "model/vendor_db.h"

#include <cstdlib>
#include <fstream>
#include <vector>

namespace qw::model {

namespace {

// Splits one CSV line into fields, honouring double quotes ("" inside quotes is a quote).
std::vector<std::string> SplitCsv(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back().push_back(c);
    }
  }
  return fields;
}

bool ParseHexPrefix(std::string_view hex, uint64_t& value) {
  value = 0;
  for (char c : hex) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    value = value << 4 | static_cast<uint64_t>(d);
  }
  return true;
}

// Trims blanks, and the stray trailing commas some registry entries carry ("Siemens AG,").
std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == ',')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string VendorDb::DefaultDir() {
  const char* env = std::getenv("QW_IEEE_DATA_DIR");
  return env && *env ? env : "/usr/share/ieee-data";
}

void VendorDb::Add(std::string_view hex_prefix, std::string_view organization) {
  uint64_t v;
  if (!ParseHexPrefix(hex_prefix, v)) return;
  std::string org(Trim(organization));
  if (org.empty()) return;
  switch (hex_prefix.size()) {
    case 6:
      l_.emplace(static_cast<uint32_t>(v), std::move(org));
      break;
    case 7:
      m_.emplace(static_cast<uint32_t>(v), std::move(org));
      break;
    case 9:
      s_.emplace(v, std::move(org));
      break;
    default:
      break;
  }
}

size_t VendorDb::Load(const std::string& dir, std::string* warning) {
  static constexpr const char* kFiles[] = {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"};
  size_t loaded = 0;
  std::string missing;
  for (const char* name : kFiles) {
    std::ifstream in(dir + "/" + name);
    if (!in) {
      if (std::string_view(name) != "iab.csv") {  // IAB is optional: closed since 2014
        missing += missing.empty() ? "" : ", ";
        missing += dir + "/" + name;
      }
      continue;
    }
    ++loaded;
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
      if (header) {  // "Registry,Assignment,Organization Name,Organization Address"
        header = false;
        continue;
      }
      auto fields = SplitCsv(line);
      if (fields.size() >= 3) Add(fields[1], fields[2]);
    }
  }
  if (warning) {
    warning->clear();
    if (!missing.empty()) {
      *warning = "IEEE registry not found (" + missing +
                 "): vendors from those registries will show as unknown; install ieee-data";
    }
  }
  return loaded;
}

std::string_view VendorDb::Lookup(const core::MacAddr& mac) const {
  if (mac.IsLocal() || mac.IsMulticast()) return {};
  uint64_t v = mac.AsU64();
  if (!s_.empty()) {
    if (auto it = s_.find(v >> 12); it != s_.end()) return it->second;
  }
  if (!m_.empty()) {
    if (auto it = m_.find(static_cast<uint32_t>(v >> 20)); it != m_.end()) return it->second;
  }
  if (auto it = l_.find(static_cast<uint32_t>(v >> 24)); it != l_.end()) return it->second;
  return {};
}

}  // namespace qw::model
