#include "app/integrity_run.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/timestamp.h"
#include "integrity/allow_list.h"
#include "integrity/audit_log.h"
#include "integrity/backup_catalog.h"
#include "integrity/file_hash.h"
#include "integrity/gate_config.h"
#include "integrity/keys.h"
#include "integrity/manifest.h"
#include "integrity/modbus_snapshot.h"
#include "integrity/signed_document.h"
#include "integrity/transfer_gate.h"
#include "output/atomic_file.h"

namespace qw::app {
namespace {

int Fail(const std::string& message) {
  fmt::print(stderr, "quaywatch: {}\n", message);
  return 2;
}

core::Timestamp Now() {
  return core::Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count()};
}

std::string Short(const std::string& sha) { return sha.substr(0, 16); }

// The "format" of a signed audit-log anchor.
constexpr char kAuditAnchorFormat[] = "quaywatch-audit-anchor/1";

}  // namespace

std::string TrustedKeyPath(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("QUAYWATCH_PUBKEY"); env && *env) return env;
  return "quaywatch.pub";
}

int RunKeygen(const std::string& prefix, bool force) {
  auto pk = integrity::GenerateKeyPair(prefix, force);
  if (!pk) return Fail(pk.error().message);
  fmt::print(
      "wrote {0}.key (secret: keep it off the crane network, readable by you only) and "
      "{0}.pub; key id {1}\n",
      prefix, pk->Id());
  return 0;
}

int RunIntegrityBaseline(const BaselineOptions& o) {
  auto sk = integrity::LoadSecretKey(o.secret_key);
  if (!sk) return Fail(sk.error().message);
  auto m = integrity::BuildManifest(o.asset, o.paths, o.kind);
  if (!m) return Fail(m.error().message);
  if (auto s = integrity::WriteManifest(o.output, *m, *sk); !s) return Fail(s.message());
  std::map<std::string, size_t> kinds;
  uint64_t bytes = 0;
  for (const auto& i : m->items) {
    ++kinds[i.kind];
    bytes += i.size;
  }
  std::string by_kind;
  for (const auto& [k, n] : kinds)
    by_kind += fmt::format("{}{} {}", by_kind.empty() ? "" : ", ", n, k);
  fmt::print("wrote {}: asset {}, {} items ({}), {} octets hashed, signed by key {}\n", o.output,
             o.asset, m->items.size(), by_kind.empty() ? "none" : by_kind, bytes,
             sk->Public().Id());
  return 0;
}

int RunIntegrityVerify(const std::string& manifest, const std::string& public_key,
                       const std::string& json_out, const std::vector<std::string>& moved) {
  std::vector<integrity::Relocation> relocations;
  for (const std::string& text : moved) {
    auto r = integrity::ParseRelocation(text);
    if (!r) {
      return Fail(fmt::format("--root {}: expected FROM=TO, two absolute paths", text));
    }
    relocations.push_back(std::move(*r));
  }
  std::string key_path = TrustedKeyPath(public_key);
  auto pk = integrity::LoadPublicKey(key_path);
  if (!pk) return Fail(pk.error().message + " (the trusted public key: --pubkey)");
  auto m = integrity::LoadManifest(manifest, *pk);
  if (!m) return Fail(m.error().message);
  fmt::print("manifest {}: asset {}, {} items, created {}, signature good (key {})\n", manifest,
             m->asset, m->items.size(), m->created, m->key_id);
  for (const auto& r : relocations) fmt::print("reading {} from {}\n", r.from, r.to);
  integrity::Verification v = integrity::VerifyManifest(*m, relocations);
  size_t counts[4] = {0, 0, 0, 0};
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : v.changes) {
    ++counts[static_cast<int>(c.kind)];
    const char* name = integrity::ChangeKindName(c.kind);
    nlohmann::json j = {{"change", name}, {"path", c.path}};
    switch (c.kind) {
      case integrity::ItemChange::Kind::kChanged:
        fmt::print("changed     {}  ({}, {} -> {} octets, sha256 {} -> {})\n", c.path,
                   c.before->kind, c.before->size, c.now->size, Short(c.before->sha256),
                   Short(c.now->sha256));
        j["before"] = {
            {"size", c.before->size}, {"sha256", c.before->sha256}, {"mtime", c.before->mtime}};
        j["now"] = {{"size", c.now->size}, {"sha256", c.now->sha256}, {"mtime", c.now->mtime}};
        if (!c.diff.empty()) {
          std::fputs(c.diff.c_str(), stdout);
          j["diff"] = c.diff;
        }
        break;
      case integrity::ItemChange::Kind::kAdded:
        if (c.now) {
          fmt::print("added       {}  ({}, {} octets, sha256 {})\n", c.path, c.now->kind,
                     c.now->size, Short(c.now->sha256));
          j["now"] = {{"size", c.now->size}, {"sha256", c.now->sha256}, {"kind", c.now->kind}};
        } else {
          fmt::print("added       {}  (unreadable: {})\n", c.path, c.note);
        }
        break;
      case integrity::ItemChange::Kind::kRemoved:
        fmt::print("removed     {}  ({}, was {} octets)\n", c.path, c.before->kind, c.before->size);
        j["before"] = {{"size", c.before->size}, {"sha256", c.before->sha256}};
        break;
      case integrity::ItemChange::Kind::kUnreadable:
        fmt::print("unreadable  {}  ({})\n", c.path, c.note);
        break;
    }
    if (!c.note.empty()) {
      if (c.kind == integrity::ItemChange::Kind::kChanged) fmt::print("            {}\n", c.note);
      j["note"] = c.note;
    }
    changes.push_back(std::move(j));
  }
  size_t changed = counts[0] + counts[1] + counts[2];
  fmt::print(
      "{} items checked: {} unchanged ({} with a new modification time only), {} changed, "
      "{} added, {} removed, {} unreadable\n",
      m->items.size(), v.unchanged, v.touched, counts[2], counts[0], counts[1], counts[3]);
  if (!json_out.empty()) {
    nlohmann::json doc = {{"manifest", manifest},         {"asset", m->asset},
                          {"key_id", m->key_id},          {"items", m->items.size()},
                          {"unchanged", v.unchanged},     {"touched", v.touched},
                          {"changes", std::move(changes)}};
    if (auto s = output::WriteFileAtomically(json_out, doc.dump(2) + "\n"); !s)
      return Fail(s.message());
  }
  if (counts[3] > 0) {
    fmt::print(stderr, "quaywatch: {} items could not be read, so they were not verified\n",
               counts[3]);
    return 2;
  }
  return changed > 0 ? 1 : 0;
}

int RunIntegritySnapshot(const SnapshotOptions& o) {
  if (!o.output.empty() && o.urls.size() != 1) {
    return Fail("-o names one snapshot file: give one URL, or --out DIR for several");
  }
  std::vector<integrity::ModbusTarget> targets;
  for (const auto& u : o.urls) {
    auto t = integrity::ParseModbusUrl(u);
    if (!t) return Fail(t.error().message);
    targets.push_back(std::move(t.value()));
  }
  integrity::ModbusReadOptions ro;
  ro.timeout_ms = o.timeout_ms;
  ro.retries = o.retries;
  size_t failed = 0;
  for (const auto& t : targets) {
    auto snap = integrity::TakeModbusSnapshot(t, ro);
    if (!snap) {
      // One device that does not answer is that device's error; the others are still read.
      fmt::print(stderr, "quaywatch: {}\n", snap.error().message);
      ++failed;
      continue;
    }
    std::string path =
        !o.output.empty()
            ? o.output
            : (std::filesystem::path(o.out_dir) / integrity::ModbusSnapshotName(t)).string();
    if (auto s = output::WriteFileAtomically(path, *snap); !s) {
      fmt::print(stderr, "quaywatch: {}\n", s.message());
      ++failed;
      continue;
    }
    size_t lines = static_cast<size_t>(std::count(snap->begin(), snap->end(), '\n')) - 2;
    fmt::print("wrote {}: {} values from {}\n", path, lines, t.url);
  }
  if (failed > 0) {
    fmt::print(stderr, "quaywatch: {} of {} devices could not be read\n", failed, targets.size());
    return 2;
  }
  return 0;
}

int RunBackupCheck(const std::string& catalog, const std::string& json_out,
                   const std::string& now) {
  core::Timestamp at = Now();
  if (!now.empty()) {
    auto t = core::ParseIso8601(now.size() == 10 ? now + "T00:00:00Z" : now);
    if (!t) return Fail(fmt::format("--now: '{}' is not a date (YYYY-MM-DD)", now));
    at = *t;
  }
  auto c = integrity::LoadBackupCatalog(catalog);
  if (!c) return Fail(c.error().message);
  integrity::BackupCheckReport report = integrity::CheckBackups(*c, at);
  std::fputs(integrity::BackupTable(report).c_str(), stdout);
  if (!json_out.empty()) {
    if (auto s = output::WriteFileAtomically(json_out,
                                             integrity::BackupReportJson(report).dump(2) + "\n");
        !s) {
      return Fail(s.message());
    }
  }
  return report.ok ? 0 : 1;
}

int RunAuditAnchor(const std::string& log, const std::string& secret_key,
                   const std::string& output) {
  auto sk = integrity::LoadSecretKey(secret_key);
  if (!sk) return Fail(sk.error().message);
  auto v = integrity::VerifyAuditLog(log);
  if (!v) return Fail(v.error().message);
  if (!v->ok()) {
    fmt::print("{} ({}); not anchoring a broken log\n", v->detail,
               integrity::AuditProblemName(v->problem));
    return 1;
  }
  if (v->entries == 0) return Fail(fmt::format("{}: no entries to anchor", log));
  std::error_code ec;
  auto abs = std::filesystem::absolute(log, ec);
  nlohmann::json doc = {{"format", kAuditAnchorFormat},
                        {"log", ec ? log : abs.lexically_normal().string()},
                        {"entries", v->entries},
                        {"head", std::string(v->head.view())},
                        {"time", core::FormatIso8601(Now())}};
  if (auto s = integrity::WriteSignedDocument(output, std::move(doc), *sk); !s) {
    return Fail(s.message());
  }
  fmt::print("wrote {}: {} entries, head {}, signed by key {}\n", output, v->entries,
             v->head.view(), sk->Public().Id());
  return 0;
}

int RunTransferCheck(const TransferCheckOptions& o) {
  auto config = integrity::LoadGateConfig(o.gate);
  if (!config) return Fail(config.error().message);
  if (!config->destinations.count(o.destination)) {
    std::string known;
    for (const auto& [name, types] : config->destinations)
      known += (known.empty() ? "" : ", ") + name;
    return Fail(
        fmt::format("--destination: '{}' is not in {} (it has {})", o.destination, o.gate, known));
  }
  auto gate = integrity::TransferGate::Open(*config);
  if (!gate) return Fail(gate.error().message);
  std::string who = o.operator_name;
  for (const char* var : {"SUDO_USER", "USER", "LOGNAME"}) {
    if (!who.empty()) break;
    if (const char* v = std::getenv(var); v && *v) who = v;
  }
  if (who.empty()) {
    if (const passwd* pw = ::getpwuid(::getuid())) who = pw->pw_name;
  }
  size_t refused = 0;
  for (const std::string& f : o.files) {
    auto d = (*gate)->Check(f, o.destination, who);
    if (!d) return Fail(d.error().message);
    if (d->admitted) {
      fmt::print("ADMIT   {}  ({}, {} octets, sha256 {}; allow-list: {}) [audit #{}]\n", d->path,
                 integrity::FileCategoryName(d->type.category), d->size, Short(d->sha256),
                 d->allowed_by->name.empty() ? std::string("unnamed entry") : d->allowed_by->name,
                 d->audit_seq);
    } else {
      ++refused;
      fmt::print("REFUSE  {}  ({}, {} octets{}) [audit #{}]\n", d->path,
                 integrity::FileCategoryName(d->type.category), d->size,
                 d->sha256.empty() ? "" : ", sha256 " + Short(d->sha256), d->audit_seq);
      for (const auto& r : d->reasons) fmt::print("        - {}\n", r);
    }
  }
  fmt::print("{} of {} files admitted to {}; decisions recorded in {}\n", o.files.size() - refused,
             o.files.size(), o.destination, config->audit_log);
  return refused > 0 ? 1 : 0;
}

int RunTransferAllow(const TransferAllowOptions& o) {
  if (o.files.empty() && o.digests.empty()) return Fail("transfer allow: give files or --sha256");
  auto sk = integrity::LoadSecretKey(o.secret_key);
  if (!sk) return Fail(sk.error().message);
  integrity::AllowList list;
  std::error_code ec;
  if (std::filesystem::exists(o.output, ec)) {
    // Adding to a list: it must be one this key signed, unchanged since.
    core::Status s = integrity::LoadAllowList(o.output, sk->Public(), list);
    if (!s) return Fail(s.message());
  }
  std::string now = core::FormatIso8601(Now());
  size_t added = 0;
  auto add = [&](integrity::AllowEntry e) {
    added += list.by_sha256.count(e.sha256) == 0;
    list.by_sha256[e.sha256] = std::move(e);
  };
  for (const std::string& f : o.files) {
    auto d = integrity::HashFile(f);
    if (!d) return Fail(d.error().message);
    integrity::AllowEntry e;
    e.sha256 = std::string(d->sha256.view());
    e.size = d->size;
    e.name = o.name.empty() ? std::filesystem::path(f).filename().string() : o.name;
    e.note = o.note;
    e.added = now;
    add(std::move(e));
  }
  for (std::string hex : o.digests) {
    if (!integrity::NormalizeSha256(hex))
      return Fail(fmt::format("--sha256: '{}' is not 64 hex digits", hex));
    integrity::AllowEntry e;
    e.sha256 = hex;
    e.name = o.name;
    e.note = o.note;
    e.added = now;
    add(std::move(e));
  }
  if (auto s = integrity::WriteAllowList(o.output, list.by_sha256, *sk); !s)
    return Fail(s.message());
  fmt::print("wrote {}: {} entries ({} new), signed by key {}\n", o.output, list.by_sha256.size(),
             added, sk->Public().Id());
  return 0;
}

int RunAuditVerify(const AuditVerifyOptions& o) {
  const std::string& log = o.log;
  integrity::AuditExpectations expect;
  expect.head_seq = o.head_seq;
  expect.min_entries = o.min_entries;
  if (!o.head.empty()) {
    std::string h = o.head;
    if (!integrity::NormalizeSha256(h)) {
      return Fail(fmt::format("--head: '{}' is not 64 hex digits", o.head));
    }
    expect.head = h;
  }
  if (!o.anchor.empty()) {
    if (!o.head.empty()) return Fail("--anchor and --head: give one of them");
    auto key = integrity::LoadPublicKey(TrustedKeyPath(o.public_key));
    if (!key) return Fail(key.error().message + " (the anchor's trusted key: --pubkey)");
    auto doc = integrity::LoadSignedDocument(o.anchor, kAuditAnchorFormat, *key);
    if (!doc) return Fail(doc.error().message);
    std::string h = doc->contains("head") && (*doc)["head"].is_string()
                        ? (*doc)["head"].get<std::string>()
                        : std::string();
    const bool counted = doc->contains("entries") && (*doc)["entries"].is_number_unsigned() &&
                         (*doc)["entries"].get<uint64_t>() > 0;
    if (!integrity::NormalizeSha256(h) || !counted) {
      return Fail(fmt::format("{}: an anchor needs head (64 hex digits) and entries", o.anchor));
    }
    expect.head = h;
    expect.head_seq = (*doc)["entries"].get<uint64_t>();
    expect.min_entries = std::max(expect.min_entries, expect.head_seq);
    fmt::print("anchor {}: {} entries, head {}, signed by key {}\n", o.anchor, expect.head_seq,
               Short(h), key->Id());
  }
  auto v = integrity::VerifyAuditLog(log, expect);
  if (!v) return Fail(v.error().message);
  if (!v->ok()) {
    fmt::print("{} ({}); {} entries verified before it\n", v->detail,
               integrity::AuditProblemName(v->problem), v->entries);
    return 1;
  }
  fmt::print(
      "{}: {} entries, chain intact; head {} (seq {}): record it elsewhere to detect lines "
      "deleted from the end\n",
      log, v->entries, v->head.view(), v->entries);
  return 0;
}

}  // namespace qw::app
