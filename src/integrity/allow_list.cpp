#include "integrity/allow_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "integrity/signed_document.h"

namespace qw::integrity {

const AllowEntry* AllowList::Find(const std::string& sha256) const {
  auto it = by_sha256.find(sha256);
  return it == by_sha256.end() ? nullptr : &it->second;
}

bool NormalizeSha256(std::string& hex) {
  if (hex.size() != 64) return false;
  for (char& c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return true;
}

core::Status LoadAllowList(const std::string& path, const PublicKey& trusted, AllowList& into) {
  auto doc = LoadSignedDocument(path, kAllowListFormat, trusted);
  if (!doc) return core::MakeError(doc.error().message);
  if (!doc->contains("entries") || !(*doc)["entries"].is_array()) {
    return core::MakeError(fmt::format("{}: an allow-list needs entries", path));
  }
  const auto& entries = (*doc)["entries"];
  if (entries.size() > kMaxAllowEntries) {
    return core::MakeError(fmt::format("{}: more than {} entries", path, kMaxAllowEntries));
  }
  size_t n = 0;
  for (const auto& j : entries) {
    ++n;
    auto str = [&](const char* k) {
      return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>()
                                                                : std::string();
    };
    AllowEntry e;
    e.sha256 = str("sha256");
    if (!NormalizeSha256(e.sha256)) {
      return core::MakeError(fmt::format("{}: entry {}: sha256 is not 64 hex digits", path, n));
    }
    e.name = str("name");
    e.note = str("note");
    e.added = str("added");
    if (j.contains("size") && j["size"].is_number_unsigned()) e.size = j["size"].get<uint64_t>();
    into.by_sha256.emplace(e.sha256, std::move(e));
  }
  into.sources.push_back(fmt::format("{} (key {})", path, trusted.Id()));
  return {};
}

core::Status WriteAllowList(const std::string& path,
                            const std::map<std::string, AllowEntry>& entries,
                            const SecretKey& key) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [sha, e] : entries) {
    list.push_back({{"sha256", e.sha256},
                    {"name", e.name},
                    {"size", e.size ? nlohmann::json(*e.size) : nlohmann::json()},
                    {"note", e.note},
                    {"added", e.added}});
  }
  return WriteSignedDocument(path, {{"format", kAllowListFormat}, {"entries", std::move(list)}},
                             key);
}

}  // namespace qw::integrity
