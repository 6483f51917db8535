#include "integrity/transfer_gate.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "integrity/audit_log.h"
#include "integrity/file_hash.h"
#include "integrity/keys.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

// What identifies a file's content cheaply: if none of it moved between the first and the last
// look, the checks in between saw one file.
struct Identity {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const Identity&) const = default;
};

std::optional<Identity> Stat(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return Identity{st.st_dev, st.st_ino, st.st_size,
                  int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec,
                  int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec};
}

// Text from a file or an archive (names are whatever octets their creator chose) made valid
// UTF-8 for JSON: every octet outside a well-formed sequence becomes "\\xNN".
std::string SafeText(std::string_view in) {
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    size_t more = c < 0x80             ? 0
                  : (c & 0xe0) == 0xc0 ? 1
                  : (c & 0xf0) == 0xe0 ? 2
                  : (c & 0xf8) == 0xf0 ? 3
                                       : 9;
    bool ok = more != 9 && in.size() - i > more && !(c >= 0x80 && c < 0xc2);
    for (size_t k = 1; ok && k <= more; ++k) {
      ok = (static_cast<unsigned char>(in[i + k]) & 0xc0) == 0x80;
    }
    if (ok && c >= 0x20 && c != 0x7f) {
      out.append(in.substr(i, more + 1));
      i += more + 1;
    } else {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    }
  }
  return out;
}

std::string Describe(const YaraMatch& m) {
  std::string_view what = m.Meta("description");
  return what.empty() ? m.rule : fmt::format("{} ({})", m.rule, what);
}

// Checks each member of an archive: its type against the destination, its content against
// the rules; lists the first members for the audit line.
class MemberChecker final : public ArchiveVisitor {
 public:
  MemberChecker(const YaraRules& rules, const std::set<std::string>& accepted,
                const std::string& destination, uint64_t kept_limit, GateDecision& d)
      : rules_(rules),
        accepted_(accepted),
        destination_(destination),
        kept_limit_(kept_limit),
        d_(d) {}

  VisitAction OnMemberEnd(const ArchiveMember& member, const MemberContent& content) override {
    std::string name = SafeText(MemberDisplayPath(member));
    std::string type(FileCategoryName(content.type.category));
    if (d_.member_list.size() < kMaxAuditedMembers) {
      d_.member_list.push_back({{"path", name},
                                {"size", content.size},
                                {"sha256", std::string(content.sha256.view())},
                                {"type", type},
                                {"mime", SafeText(content.type.mime)}});
    }
    if (!accepted_.count(type)) {
      d_.reasons.push_back(fmt::format("member {}: type {} ({}) is not accepted for {}", name, type,
                                       content.type.mime, destination_));
    }
    if (!content.kept_whole) {
      // The gate fails closed: what it could not scan whole it does not admit.
      d_.reasons.push_back(fmt::format(
          "member {}: {} octets, more than the {} scanned in memory; not inspected whole", name,
          content.size, kept_limit_));
      return VisitAction::kContinue;
    }
    auto scan = rules_.ScanMemory(content.kept, name);
    if (!scan) {
      d_.reasons.push_back(fmt::format("member {}: not scanned: {}", name, scan.error().message));
    } else {
      for (const YaraMatch& m : scan->matches) {
        d_.yara.push_back(fmt::format("{} in {}", m.rule, name));
        d_.reasons.push_back(fmt::format("member {}: YARA rule {}", name, Describe(m)));
      }
    }
    return VisitAction::kContinue;
  }

 private:
  const YaraRules& rules_;
  const std::set<std::string>& accepted_;
  const std::string& destination_;
  uint64_t kept_limit_;
  GateDecision& d_;
};

}  // namespace

core::Result<std::unique_ptr<TransferGate>> TransferGate::Open(const GateConfig& config) {
  auto key = LoadPublicKey(config.trusted_key);
  if (!key)
    return core::MakeError(fmt::format("{} (trusted_key of {})", key.error().message, config.file));
  AllowList list;
  for (const std::string& path : config.allow_lists) {
    core::Status s = LoadAllowList(path, *key, list);
    if (!s) return core::MakeError(s.message());
  }
  auto rules = YaraRules::Compile(config.rules);
  if (!rules) return rules.error();
  auto classifier = FileTypeClassifier::Create();
  if (!classifier) return classifier.error();
  return std::unique_ptr<TransferGate>(new TransferGate(
      config, std::move(list), std::move(rules.value()), std::move(classifier.value())));
}

void TransferGate::Inspect(const std::string& path, GateDecision& d) {
  const std::set<std::string>& accepted = config_.destinations.at(d.destination);
  auto before = Stat(path);
  auto digest = HashFile(path);
  if (!digest) {
    d.reasons.push_back(SafeText(digest.error().message));
    return;
  }
  d.size = digest->size;
  d.sha256 = std::string(digest->sha256.view());
  auto type = classifier_.ClassifyFile(path);
  if (!type) {
    d.reasons.push_back(SafeText(type.error().message));
    return;
  }
  d.type = *type;
  std::string type_name(FileCategoryName(d.type.category));
  if (!accepted.count(type_name)) {
    d.reasons.push_back(
        fmt::format("type {} ({}) is not accepted for {}", type_name, d.type.mime, d.destination));
  }
  auto scan = rules_.ScanFile(path);
  if (!scan) {
    d.reasons.push_back(fmt::format("not scanned: {}", scan.error().message));
  } else {
    for (const YaraMatch& m : scan->matches) {
      d.yara.push_back(m.rule);
      d.reasons.push_back(fmt::format("YARA rule {}", Describe(m)));
    }
  }
  if (d.type.category == FileCategory::kArchive) {
    ArchiveLimits limits;
    limits.max_members = config_.limits.max_members;
    limits.max_total_bytes = config_.limits.max_unpacked_bytes;
    limits.max_ratio = config_.limits.max_ratio;
    limits.max_depth = static_cast<int>(config_.limits.max_depth);
    ArchiveScanner scanner(classifier_, limits);
    MemberChecker checker(rules_, accepted, d.destination, limits.max_kept_bytes, d);
    auto walk = scanner.ScanFile(path, checker);
    if (!walk) {
      d.reasons.push_back(SafeText(walk.error().message));
    } else {
      d.members = walk->members;
      if (walk->refusal) {
        d.reasons.push_back(SafeText(fmt::format(
            "archive refused ({}): {}{}", RefusalKindName(walk->refusal->kind),
            walk->refusal->reason,
            walk->refusal->member.empty() ? "" : fmt::format(" [{}]", walk->refusal->member))));
      }
    }
  }
  if (const AllowEntry* e = allow_.Find(d.sha256)) {
    d.allowed_by = *e;
  } else {
    d.reasons.push_back("its SHA-256 is on no allow-list");
  }
  if (!before || Stat(path) != before) {
    d.reasons.push_back("changed while it was checked");
  }
}

core::Result<GateDecision> TransferGate::Check(const std::string& path,
                                               const std::string& destination,
                                               const std::string& operator_name) {
  GateDecision d;
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  std::string real = (ec ? fs::path(path) : abs).lexically_normal().string();
  d.path = SafeText(real);
  d.destination = destination;
  if (!config_.destinations.count(destination)) {
    return core::MakeError(fmt::format("destination '{}' is not in {}", destination, config_.file));
  }
  Inspect(real, d);
  d.admitted = d.reasons.empty();
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  nlohmann::json fields = {
      {"decision", d.admitted ? "admit" : "refuse"},
      {"file", d.path},
      {"name", SafeText(fs::path(real).filename().string())},
      {"destination", destination},
      {"operator", SafeText(operator_name)},
      {"host", host},
      {"size", d.size},
      {"sha256", d.sha256},
      {"type", std::string(FileCategoryName(d.type.category))},
      {"mime", SafeText(d.type.mime)},
      {"reasons", d.reasons},
      {"yara", d.yara},
      {"allow_list_entry",
       d.allowed_by ? nlohmann::json({{"name", d.allowed_by->name}, {"note", d.allowed_by->note}})
                    : nlohmann::json()},
      {"members", d.members},
      {"member_list", d.member_list}};
  auto entry = AppendAuditEntry(config_.audit_log, fields);
  if (!entry) {
    return core::MakeError(fmt::format("cannot record the decision on {}: {}; nothing admitted",
                                       d.path, entry.error().message));
  }
  d.audit_seq = entry->seq;
  return d;
}

}  // namespace qw::integrity
