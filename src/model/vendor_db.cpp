#include "model/vendor_db.h"

#include <unistd.h>

#include <cstdlib>

#include "core/whole_file.h"

namespace qw::model {

namespace {

// Takes one CSV field off the front of `line`, up to an unquoted comma (consumed with it).
// Double quotes group, and "" inside them is a quote; a carriage return outside them is
// dropped. A field without either is returned as a view of the line; one with them is put
// together in `scratch`.
std::string_view NextField(std::string_view& line, std::string& scratch) {
  size_t stop = 0;
  while (stop < line.size() && line[stop] != ',' && line[stop] != '"' && line[stop] != '\r') {
    ++stop;
  }
  if (stop == line.size()) stop = std::string_view::npos;
  if (stop == std::string_view::npos || line[stop] == ',') {
    const std::string_view field = line.substr(0, stop);
    line = stop == std::string_view::npos ? std::string_view() : line.substr(stop + 1);
    return field;
  }
  scratch.clear();
  bool quoted = false;
  size_t i = 0;
  for (; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        scratch.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        scratch.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      break;
    } else if (c != '\r') {
      scratch.push_back(c);
    }
  }
  line = i < line.size() ? line.substr(i + 1) : std::string_view();
  return scratch;
}

// Far past Debian's registries (oui.csv is a few MiB): a larger file is not one.
constexpr uint64_t kMaxRegistryBytes = uint64_t{64} << 20;

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
  std::string missing, unreadable;
  for (const char* name : kFiles) {
    const std::string path = dir + "/" + name;
    const auto text = core::ReadWholeFile(path, kMaxRegistryBytes, "registry of IEEE assignments",
                                          core::FileKinds::kRegularOnly);
    if (!text) {
      if (::access(path.c_str(), F_OK) == 0) {  // there, but a directory, too large, ...
        unreadable += (unreadable.empty() ? "" : ", ") + path + ": " + text.error().message;
      } else if (std::string_view(name) != "iab.csv") {  // IAB is optional: closed since 2014
        missing += (missing.empty() ? "" : ", ") + path;
      }
      continue;
    }
    ++loaded;
    // Only the assignment and the organisation are read of each line; the address, the
    // longest field, is never copied.
    std::string assignment, organization;
    std::string_view rest(*text);
    bool header = true;
    while (!rest.empty()) {
      const size_t eol = rest.find('\n');
      std::string_view line = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
      if (header) {  // "Registry,Assignment,Organization Name,Organization Address"
        header = false;
        continue;
      }
      NextField(line, assignment);  // the registry
      const std::string_view prefix = NextField(line, assignment);
      if (line.data() == nullptr) continue;  // fewer than three fields
      Add(prefix, NextField(line, organization));
    }
  }
  if (warning) {
    warning->clear();
    if (!missing.empty()) {
      *warning = "IEEE registry not found (" + missing +
                 "): vendors from those registries will show as unknown; install ieee-data";
    }
    if (!unreadable.empty()) {
      *warning += (warning->empty() ? "" : "; ") + std::string("IEEE registry unreadable (") +
                  unreadable + "): vendors from those registries will show as unknown";
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
