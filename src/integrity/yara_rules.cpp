#include "integrity/yara_rules.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yara.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>

#include "integrity/embedded.h"
#include "integrity/regular_file.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

// libyara's global state, set up once per process and kept until it ends (yr_finalize would
// pull it from under scans still running in other threads).
int InitializeYara() {
  static std::once_flag once;
  static int result = ERROR_SUCCESS;
  std::call_once(once, [] { result = ::yr_initialize(); });
  return result;
}

// Collects the compiler's errors and warnings; `source` names what is being compiled when
// libyara does not (strings have no file name).
struct CompilerMessages {
  std::string source;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

void OnCompilerMessage(int level, const char* file_name, int line, const YR_RULE* /*rule*/,
                       const char* message, void* user_data) {
  auto& m = *static_cast<CompilerMessages*>(user_data);
  std::string text = fmt::format("{}:{}: {}", file_name != nullptr ? file_name : m.source, line,
                                 message != nullptr ? message : "error");
  (level == YARA_ERROR_LEVEL_WARNING ? m.warnings : m.errors).push_back(std::move(text));
}

struct CompilerFree {
  void operator()(YR_COMPILER* c) const { ::yr_compiler_destroy(c); }
};

std::string YaraErrorText(int code) {
  switch (code) {
    case ERROR_SCAN_TIMEOUT:
      return fmt::format("scan took longer than {} s", kYaraScanTimeoutSeconds);
    case ERROR_INSUFFICIENT_MEMORY:
      return "out of memory";
    case ERROR_COULD_NOT_MAP_FILE:
      return "cannot map the file";
    case ERROR_TOO_MANY_MATCHES:
      return "too many matches of one string";
    default:
      return fmt::format("libyara error {}", code);
  }
}

int OnScanMessage(YR_SCAN_CONTEXT* /*context*/, int message, void* message_data, void* user_data) {
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  auto& scan = *static_cast<YaraScan*>(user_data);
  if (scan.matches.size() >= kMaxYaraMatches) {
    ++scan.more_matches;
    return CALLBACK_CONTINUE;
  }
  const auto* rule = static_cast<const YR_RULE*>(message_data);
  YaraMatch m;
  m.rule = rule->identifier;
  m.rule_namespace = rule->ns != nullptr && rule->ns->name != nullptr ? rule->ns->name : "";
  const char* tag = nullptr;
  yr_rule_tags_foreach(rule, tag) { m.tags.emplace_back(tag); }
  const YR_META* meta = nullptr;
  yr_rule_metas_foreach(rule, meta) {
    std::string value;
    if (meta->type == META_TYPE_STRING) {
      value = meta->string != nullptr ? meta->string : "";
    } else if (meta->type == META_TYPE_BOOLEAN) {
      value = meta->integer != 0 ? "true" : "false";
    } else {
      value = std::to_string(meta->integer);
    }
    m.meta.emplace(meta->identifier, std::move(value));
  }
  scan.matches.push_back(std::move(m));
  return CALLBACK_CONTINUE;
}

constexpr int kScanFlags = SCAN_FLAGS_FAST_MODE | SCAN_FLAGS_REPORT_RULES_MATCHING;

// The rule files an operator named: files as given, directories' *.yar and *.yara.
core::Result<std::vector<std::string>> RuleFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      files.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path& f = it->path();
      if (f.extension() != ".yar" && f.extension() != ".yara") continue;
      if (found.size() >= kMaxYaraRuleFiles) {
        return core::MakeError(fmt::format("{}: more than {} rule files", p, kMaxYaraRuleFiles));
      }
      found.push_back(f.string());
    }
    if (ec) return core::MakeError(fmt::format("{}: cannot list: {}", p, ec.message()));
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

}  // namespace

std::string_view YaraMatch::Meta(std::string_view key) const {
  const auto it = meta.find(std::string(key));
  return it == meta.end() ? std::string_view() : std::string_view(it->second);
}

std::vector<std::string> YaraRules::BuiltinRuleFiles() {
  std::vector<std::string> names;
  for (std::string_view n : EmbeddedFileNames()) names.emplace_back(n);
  return names;
}

core::Result<YaraRules> YaraRules::Compile(const std::vector<std::string>& extra_paths,
                                           bool builtin) {
  if (int e = InitializeYara(); e != ERROR_SUCCESS) {
    return core::MakeError(fmt::format("libyara: cannot initialise: {}", YaraErrorText(e)));
  }
  auto files = RuleFiles(extra_paths);
  if (!files.ok()) return files.error();
  YR_COMPILER* raw = nullptr;
  if (::yr_compiler_create(&raw) != ERROR_SUCCESS) {
    return core::MakeError("libyara: cannot create a compiler: out of memory");
  }
  std::unique_ptr<YR_COMPILER, CompilerFree> compiler(raw);
  CompilerMessages messages;
  ::yr_compiler_set_callback(raw, &OnCompilerMessage, &messages);
  auto failed = [&]() {
    std::string all;
    for (const std::string& e : messages.errors) all += (all.empty() ? "" : "; ") + e;
    return core::MakeError(fmt::format("YARA rules do not compile: {}", all));
  };

  if (builtin) {
    for (std::string_view name : EmbeddedFileNames()) {
      messages.source = fmt::format("built-in {}", name);
      const std::string text(EmbeddedFile(name));
      const std::string ns(fs::path(name).stem().string());
      if (::yr_compiler_add_string(raw, text.c_str(), ns.c_str()) != 0) return failed();
    }
  }
  for (const std::string& path : *files) {
    messages.source = path;
    auto file = OpenRegularFile(path);
    if (!file) return file.error();
    const int fd = file->fd();
    if (static_cast<uint64_t>(file->status().st_size) > kMaxYaraRuleFileBytes) {
      return core::MakeError(fmt::format("{}: larger than the {} octets a rule file may hold", path,
                                         kMaxYaraRuleFileBytes));
    }
    // Each file its own namespace, so that two files may name a rule alike.
    const std::string ns = fs::path(path).filename().string();
    if (::yr_compiler_add_fd(raw, fd, ns.c_str(), path.c_str()) != 0) return failed();
  }
  YR_RULES* rules = nullptr;
  if (int e = ::yr_compiler_get_rules(raw, &rules); e != ERROR_SUCCESS) {
    return core::MakeError(fmt::format("YARA rules: cannot build: {}", YaraErrorText(e)));
  }
  return YaraRules(rules, std::move(messages.warnings));
}

YaraRules::YaraRules(YaraRules&& other) noexcept
    : rules_(std::exchange(other.rules_, nullptr)), warnings_(std::move(other.warnings_)) {}

YaraRules& YaraRules::operator=(YaraRules&& other) noexcept {
  if (this != &other) {
    if (rules_ != nullptr) ::yr_rules_destroy(rules_);
    rules_ = std::exchange(other.rules_, nullptr);
    warnings_ = std::move(other.warnings_);
  }
  return *this;
}

YaraRules::~YaraRules() {
  if (rules_ != nullptr) ::yr_rules_destroy(rules_);
}

core::Result<YaraScan> YaraRules::ScanMemory(std::span<const uint8_t> bytes,
                                             std::string_view name) const {
  YaraScan scan;
  const int e = ::yr_rules_scan_mem(rules_, bytes.data(), bytes.size(), kScanFlags, &OnScanMessage,
                                    &scan, kYaraScanTimeoutSeconds);
  if (e != ERROR_SUCCESS) {
    return core::MakeError(fmt::format("{}: YARA scan failed: {}", name, YaraErrorText(e)));
  }
  return scan;
}

core::Result<YaraScan> YaraRules::ScanFile(const std::string& path) const {
  auto file = OpenRegularFile(path);
  if (!file) return file.error();
  const int fd = file->fd();
  YaraScan scan;
  const int e =
      ::yr_rules_scan_fd(rules_, fd, kScanFlags, &OnScanMessage, &scan, kYaraScanTimeoutSeconds);
  if (e != ERROR_SUCCESS) {
    return core::MakeError(fmt::format("{}: YARA scan failed: {}", path, YaraErrorText(e)));
  }
  return scan;
}

}  // namespace qw::integrity
