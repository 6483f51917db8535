#include "integrity/manifest.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>

#include "core/digest.h"
#include "core/timestamp.h"
#include "integrity/file_hash.h"
#include "integrity/signed_document.h"
#include "integrity/unified_diff.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

// Octets read from a file's start to tell its kind (an ISO 9660 volume descriptor sits at
// 32769).
constexpr size_t kKindHeadBytes = 36 * 1024;
// Tries at hashing a file that changed while it was read, before it counts as unreadable.
constexpr int kHashAttempts = 2;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool HasExtension(const std::string& ext, std::initializer_list<const char*> list) {
  for (const char* e : list) {
    if (ext == e) return true;
  }
  return false;
}

bool Contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

// Reads up to `limit` octets from the start of a file.
std::string ReadHead(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string head(limit, '\0');
  in.read(head.data(), static_cast<std::streamsize>(limit));
  head.resize(static_cast<size_t>(std::max<std::streamsize>(0, in.gcount())));
  return head;
}

// Text without NULs and with few control characters, that the manifest's signature can
// cover: the signer serialises strict UTF-8, so the same strict check decides (a hand-made
// one let encoded surrogates and overlong forms through, and the baseline then failed).
bool IsText(std::string_view s) {
  size_t controls = 0;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) return false;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++controls;
  }
  if (controls * 100 > s.size()) return false;
  try {
    (void)nlohmann::json(s).dump();
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
  return true;
}

std::string MtimeText(int64_t ns) { return core::FormatIso8601(core::Timestamp{ns}); }

// A plc-block item's PLC and block from a path `analyze --export-blocks` wrote:
// .../<plc address>/<BLOCK>[.n].mc7.
void ReadBlockPath(const fs::path& p, ManifestItem& item) {
  std::string name = p.filename().string();
  std::string block = name.substr(0, name.find('.'));
  std::string device = p.parent_path().filename().string();
  if (!block.empty() && !device.empty()) {
    item.block = block;
    item.device = device;
  }
}

// Hashes one regular file into an item; its text too when it is a small text file.
core::Result<ManifestItem> HashItem(const fs::path& p, const std::string& asset,
                                    const std::string& kind, size_t& text_budget) {
  std::string path = p.string();
  core::Result<FileDigest> d = core::MakeError("");
  for (int attempt = 0; attempt < kHashAttempts; ++attempt) {
    d = HashFile(path);
    if (d.ok() || d.error().message.find("changed while") == std::string::npos) break;
  }
  if (!d) return d.error();
  ManifestItem item;
  item.path = path;
  item.size = d->size;
  item.sha256 = std::string(d->sha256.view());
  item.mtime = MtimeText(d->mtime_ns);
  item.asset = asset;
  std::string head = ReadHead(path, kKindHeadBytes);
  item.kind = kind.empty() ? DetectKind(path, head) : kind;
  if (item.kind == "plc-block") ReadBlockPath(p, item);
  if (d->size <= kMaxTextBytes && d->size <= text_budget) {
    std::string content = ReadHead(path, kMaxTextBytes + 1);
    if (core::Sha256(content).view() != d->sha256.view()) {
      return core::MakeError(
          fmt::format("{}: changed while it was hashed; hash it again when "
                      "nothing writes to it",
                      path));
    }
    if (IsText(content)) {
      text_budget -= content.size();
      item.text = std::move(content);
    }
  }
  return item;
}

core::Result<ManifestItem> LinkItem(const fs::path& p, const std::string& asset) {
  std::error_code ec;
  fs::path target = fs::read_symlink(p, ec);
  if (ec)
    return core::MakeError(fmt::format("{}: cannot read the link: {}", p.string(), ec.message()));
  ManifestItem item;
  item.path = p.string();
  item.link = target.string();
  item.sha256 = std::string(core::Sha256(*item.link).view());
  item.kind = "symlink";
  item.asset = asset;
  struct stat st {};
  if (::lstat(item.path.c_str(), &st) == 0) {
    item.mtime = MtimeText(int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec);
  }
  return item;
}

// Calls `visit` with every regular file and link under `root` (or `root` itself), in
// sorted order; fails on a folder that cannot be read.
core::Status Walk(const fs::path& root,
                  const std::function<core::Status(const fs::path&, bool)>& visit) {
  std::error_code ec;
  fs::file_status st = fs::symlink_status(root, ec);
  if (ec || !fs::exists(st)) {
    return core::MakeError(fmt::format("{}: does not exist", root.string()));
  }
  if (fs::is_symlink(st)) return visit(root, true);
  if (fs::is_regular_file(st)) return visit(root, false);
  if (!fs::is_directory(st)) return {};
  std::vector<std::pair<fs::path, bool>> entries;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec)
    return core::MakeError(
        fmt::format("{}: cannot read the folder: {}", root.string(), ec.message()));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    fs::file_status s = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_symlink(s)) {
      entries.emplace_back(it->path(), true);
    } else if (fs::is_regular_file(s)) {
      entries.emplace_back(it->path(), false);
    }
    if (entries.size() > kMaxManifestItems) {
      return core::MakeError(fmt::format("{}: more than {} files; baseline its parts separately",
                                         root.string(), kMaxManifestItems));
    }
  }
  if (ec) {
    return core::MakeError(
        fmt::format("{}: cannot read the folder: {}", root.string(), ec.message()));
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& [p, link] : entries) {
    core::Status s = visit(p, link);
    if (!s) return s;
  }
  return {};
}

fs::path Absolute(const std::string& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  return (ec ? fs::path(p) : a).lexically_normal();
}

}  // namespace

std::string DetectKind(const std::string& path, std::string_view head) {
  fs::path p(path);
  std::string ext = Lower(p.extension().string());
  if (!ext.empty()) ext.erase(0, 1);
  if (ext == "mc7") return "plc-block";
  // Siemens STEP 7 / TIA Portal, Rockwell, Schneider, Mitsubishi, CODESYS, Omron, B&R.
  if (HasExtension(ext,
                   {"s7p",   "s7l",   "awl",  "scl",  "zap13", "zap14",   "zap15", "zap16", "zap17",
                    "zap18", "zap19", "ap13", "ap14", "ap15",  "ap16",    "ap17",  "ap18",  "ap19",
                    "acd",   "l5x",   "l5k",  "rss",  "rsp",   "stu",     "sta",   "stx",   "xef",
                    "zef",   "gxw",   "gx3",  "gpj",  "pro",   "project", "cxp",   "apj"})) {
    return "plc-program";
  }
  // quaywatch register snapshots, and drive tools' parameter files (ABB DriveWindow,
  // Danfoss MCT 10, Siemens STARTER/Startdrive, generic).
  if (HasExtension(ext, {"modbus", "par", "prm", "dwp", "mct", "dnf", "dsp"})) {
    return "drive-settings";
  }
  if (HasExtension(ext, {"iso", "img", "wim", "vhd", "vhdx", "vmdk", "qcow2", "ova", "gho", "tib",
                         "tibx", "dd", "raw", "swu"})) {
    return "os-image";
  }
  if (head.size() >= 32774 && head.substr(32769, 5) == "CD001") return "os-image";
  if (head.substr(0, 4) == "QFI\xfb" || head.substr(0, 4) == "KDMV" ||
      head.substr(0, 8) == "vhdxfile") {
    return "os-image";
  }
  bool config_ext = HasExtension(ext, {"cfg", "conf", "config", "rsc", "txt", "running", "startup",
                                       "xml", "json", "ini", "backup"}) ||
                    ext.empty();
  if (config_ext) {
    std::string_view t = head.substr(0, std::min<size_t>(head.size(), 16384));
    if (Contains(t, "config firewall policy") || Contains(t, "access-list ") ||
        Contains(t, "*filter\n") || Contains(t, "set security policies") ||
        Contains(t, "set firewall ") || Contains(t, "ip access-list")) {
      return "firewall-config";
    }
    if (Contains(t, "\ninterface ") || Contains(t, "\nvlan ") || Contains(t, "hostname ") ||
        Contains(t, "/interface ") || Contains(t, "spanning-tree")) {
      return "switch-config";
    }
  }
  return "other";
}

core::Result<Manifest> BuildManifest(const std::string& asset,
                                     const std::vector<std::string>& paths, const std::string& kind,
                                     const std::function<void(const std::string&)>& progress) {
  Manifest m;
  m.asset = asset;
  m.created = MtimeText(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
  size_t text_budget = kMaxTotalTextBytes;
  std::map<std::string, ManifestItem> items;
  for (const std::string& given : paths) {
    fs::path root = Absolute(given);
    m.roots.push_back(root.string());
    core::Status s = Walk(root, [&](const fs::path& p, bool link) -> core::Status {
      if (items.count(p.string())) return {};  // under two roots given
      if (items.size() >= kMaxManifestItems) {
        return core::MakeError(fmt::format("{}: more than {} files; baseline its parts separately",
                                           given, kMaxManifestItems));
      }
      if (progress) progress(p.string());
      auto item = link ? LinkItem(p, asset) : HashItem(p, asset, kind, text_budget);
      if (!item) return item.error();
      items.emplace(item->path, std::move(item.value()));
      return {};
    });
    if (!s) return core::MakeError(s.message());
  }
  for (auto& [p, item] : items) m.items.push_back(std::move(item));
  return m;
}

nlohmann::json ManifestToJson(const Manifest& m) {
  nlohmann::json items = nlohmann::json::array();
  for (const ManifestItem& i : m.items) {
    nlohmann::json j = {{"path", i.path},   {"size", i.size}, {"sha256", i.sha256},
                        {"mtime", i.mtime}, {"kind", i.kind}, {"asset", i.asset}};
    if (i.text) j["text"] = *i.text;
    if (i.link) j["link"] = *i.link;
    if (!i.device.empty()) j["device"] = i.device;
    if (!i.block.empty()) j["block"] = i.block;
    items.push_back(std::move(j));
  }
  return {{"format", kManifestFormat},
          {"asset", m.asset},
          {"created", m.created},
          {"roots", m.roots},
          {"items", std::move(items)}};
}

core::Result<Manifest> ManifestFromJson(const nlohmann::json& doc, const std::string& where) {
  Manifest m;
  auto str = [](const nlohmann::json& o, const char* k) -> std::optional<std::string> {
    if (!o.contains(k) || !o[k].is_string()) return std::nullopt;
    return o[k].get<std::string>();
  };
  auto asset = str(doc, "asset");
  auto created = str(doc, "created");
  if (!asset || !created || !doc.contains("roots") || !doc["roots"].is_array() ||
      !doc.contains("items") || !doc["items"].is_array()) {
    return core::MakeError(
        fmt::format("{}: a manifest needs asset, created, roots and items", where));
  }
  m.asset = *asset;
  m.created = *created;
  for (const auto& r : doc["roots"]) {
    if (!r.is_string()) return core::MakeError(fmt::format("{}: roots: not a path", where));
    m.roots.push_back(r.get<std::string>());
  }
  if (doc["items"].size() > kMaxManifestItems) {
    return core::MakeError(fmt::format("{}: more than {} items", where, kMaxManifestItems));
  }
  size_t n = 0;
  for (const auto& j : doc["items"]) {
    ++n;
    ManifestItem i;
    auto path = str(j, "path"), sha = str(j, "sha256"), kind = str(j, "kind");
    if (!j.is_object() || !path || !sha || !kind || !j.contains("size") ||
        !j["size"].is_number_unsigned()) {
      return core::MakeError(
          fmt::format("{}: item {}: needs path, size, sha256 and kind", where, n));
    }
    i.path = *path;
    i.sha256 = *sha;
    i.kind = *kind;
    i.size = j["size"].get<uint64_t>();
    i.mtime = str(j, "mtime").value_or("");
    i.asset = str(j, "asset").value_or(m.asset);
    i.text = str(j, "text");
    i.link = str(j, "link");
    i.device = str(j, "device").value_or("");
    i.block = str(j, "block").value_or("");
    m.items.push_back(std::move(i));
  }
  if (doc.contains("signature") && doc["signature"].is_object()) {
    m.key_id = str(doc["signature"], "key_id").value_or("");
  }
  return m;
}

core::Status WriteManifest(const std::string& path, const Manifest& m, const SecretKey& key) {
  return WriteSignedDocument(path, ManifestToJson(m), key);
}

core::Result<Manifest> LoadManifest(const std::string& path, const PublicKey& trusted) {
  auto doc = LoadSignedDocument(path, kManifestFormat, trusted);
  if (!doc) return doc.error();
  return ManifestFromJson(*doc, path);
}

namespace {

// Drops trailing slashes but the root's own.
std::string WithoutTrailingSlash(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  return std::string(p);
}

// Whether `path` is `dir` or lies under it.
bool Under(std::string_view path, std::string_view dir) {
  if (dir == "/") return !path.empty() && path.front() == '/';
  return path.rfind(dir, 0) == 0 && (path.size() == dir.size() || path[dir.size()] == '/');
}

// `path`, which lies under `from`, moved to lie the same way under `to`.
std::string Rebase(const std::string& path, const std::string& from, const std::string& to) {
  // What follows `from`: empty, or starting with '/'.
  const std::string rest = from == "/" ? path : path.substr(from.size());
  if (to == "/") return rest.empty() ? "/" : rest;
  return to + rest;
}

// Where a manifest path is read now: under the longest `from` that holds it, moved to its
// `to`; unmoved otherwise.
std::string ReadFrom(const std::string& path, const std::vector<Relocation>& moved) {
  const Relocation* best = nullptr;
  for (const Relocation& r : moved) {
    if (Under(path, r.from) && (!best || r.from.size() > best->from.size())) best = &r;
  }
  return best ? Rebase(path, best->from, best->to) : path;
}

}  // namespace

std::optional<Relocation> ParseRelocation(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  Relocation r{WithoutTrailingSlash(text.substr(0, eq)), WithoutTrailingSlash(text.substr(eq + 1))};
  if (r.from.empty() || r.to.empty() || r.from.front() != '/' || r.to.front() != '/') {
    return std::nullopt;
  }
  return r;
}

Verification VerifyManifest(const Manifest& m, const std::vector<Relocation>& moved,
                            const std::function<void(const std::string&)>& progress) {
  Verification v;
  std::map<std::string, const ManifestItem*> before;
  for (const ManifestItem& i : m.items) before.emplace(i.path, &i);
  // Every file there now (by its path in the manifest), and why a root could not be read.
  std::map<std::string, bool> present;  // path -> is a link
  std::map<std::string, std::string> unreadable_roots;
  for (const std::string& root : m.roots) {
    const std::string there = ReadFrom(root, moved);
    core::Status s = Walk(fs::path(there), [&](const fs::path& p, bool link) -> core::Status {
      if (present.size() >= 2 * kMaxManifestItems) {
        return core::MakeError(fmt::format("{}: more than {} files", root, 2 * kMaxManifestItems));
      }
      std::string found = p.string();
      if (there != root && Under(found, there)) found = Rebase(found, there, root);
      present.emplace(std::move(found), link);
      return {};
    });
    if (!s && s.message().find("does not exist") == std::string::npos) {
      unreadable_roots.emplace(root, s.message());
    }
  }
  for (const auto& [path, item] : before) {
    auto it = present.find(path);
    if (it == present.end()) {
      ItemChange c;
      c.path = path;
      c.before = *item;
      bool under_unreadable = false;
      for (const auto& [root, why] : unreadable_roots) {
        if (Under(path, root)) {
          under_unreadable = true;
          c.note = why;
        }
      }
      c.kind = under_unreadable ? ItemChange::Kind::kUnreadable : ItemChange::Kind::kRemoved;
      v.changes.push_back(std::move(c));
      continue;
    }
    ++v.checked;
    if (progress) progress(path);
    size_t budget = kMaxTextBytes;  // each file's own text, for its diff only
    const std::string read = ReadFrom(path, moved);
    auto now =
        it->second ? LinkItem(read, item->asset) : HashItem(read, item->asset, item->kind, budget);
    if (!now) {
      ItemChange c;
      c.kind = ItemChange::Kind::kUnreadable;
      c.path = path;
      c.before = *item;
      c.note = now.error().message;
      v.changes.push_back(std::move(c));
      continue;
    }
    if (now->sha256 == item->sha256 && now->size == item->size && now->link == item->link) {
      ++v.unchanged;
      if (now->mtime != item->mtime) ++v.touched;
      continue;
    }
    ItemChange c;
    c.kind = ItemChange::Kind::kChanged;
    c.path = path;
    c.before = *item;
    if (item->text && now->text) {
      auto diff = UnifiedDiff(*item->text, *now->text, "baseline:" + path, "now:" + path);
      if (diff) {
        c.diff = std::move(*diff);
      } else {
        c.note = fmt::format("more than {} lines differ; no diff shown", kMaxDiffEdits);
      }
    } else if (item->text) {
      c.note = "was text, now is not (or is larger than the text kept for diffs)";
    }
    now->text.reset();
    c.now = std::move(now.value());
    v.changes.push_back(std::move(c));
  }
  for (const auto& [path, link] : present) {
    if (before.count(path)) continue;
    ItemChange c;
    c.kind = ItemChange::Kind::kAdded;
    c.path = path;
    size_t budget = 0;
    const std::string read = ReadFrom(path, moved);
    auto now = link ? LinkItem(read, m.asset) : HashItem(read, m.asset, "", budget);
    if (now) {
      c.now = std::move(now.value());
    } else {
      c.note = now.error().message;
    }
    v.changes.push_back(std::move(c));
  }
  std::sort(v.changes.begin(), v.changes.end(),
            [](const ItemChange& a, const ItemChange& b) { return a.path < b.path; });
  return v;
}

const char* ChangeKindName(ItemChange::Kind k) {
  switch (k) {
    case ItemChange::Kind::kAdded:
      return "added";
    case ItemChange::Kind::kRemoved:
      return "removed";
    case ItemChange::Kind::kChanged:
      return "changed";
    case ItemChange::Kind::kUnreadable:
      return "unreadable";
  }
  return "changed";
}

}  // namespace qw::integrity
