#include "integrity/audit_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <utility>

#include "integrity/regular_file.h"

namespace qw::integrity {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::pair<AuditProblem, std::string_view>, 11> kProblemNames = {{
    {AuditProblem::kNone, "none"},
    {AuditProblem::kTruncated, "truncated"},
    {AuditProblem::kLineTooLong, "line_too_long"},
    {AuditProblem::kNotJson, "not_json"},
    {AuditProblem::kBadFields, "bad_fields"},
    {AuditProblem::kNotCanonical, "not_canonical"},
    {AuditProblem::kHashMismatch, "hash_mismatch"},
    {AuditProblem::kPrevMismatch, "prev_mismatch"},
    {AuditProblem::kSeqGap, "seq_gap"},
    {AuditProblem::kTooFewEntries, "too_few_entries"},
    {AuditProblem::kHeadMismatch, "head_mismatch"},
}};

constexpr std::string_view kReservedKeys[] = {"seq", "time", "prev", "hash"};
// Octets read per call while verifying.
constexpr size_t kVerifyReadBytes = size_t{1} << 20;

// Closes a descriptor when the scope ends.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The canonical text of a line: nlohmann's compact dump, keys sorted (its objects are
// std::maps); text that is not UTF-8 is replaced rather than refused.
std::string Canonical(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool IsHex64(const Json& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

core::Sha256Hex LineHash(std::string_view prev, const Json& without_hash) {
  std::string text(prev);
  text += Canonical(without_hash);
  return core::Sha256(text);
}

// What one line says of itself, once it checked out.
struct LineCheck {
  AuditProblem problem = AuditProblem::kNone;
  std::string why;
  uint64_t seq = 0;
  std::string prev;
  std::string hash;
};

// Checks a line (without its newline) on its own: JSON, fields, canonical form, hash.
LineCheck CheckLine(std::string_view text) {
  LineCheck c;
  if (text.size() + 1 > kMaxAuditLineBytes) {
    c.problem = AuditProblem::kLineTooLong;
    c.why = fmt::format("longer than {} octets", kMaxAuditLineBytes);
    return c;
  }
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    c.problem = AuditProblem::kNotJson;
    c.why = "not a JSON object";
    return c;
  }
  const auto seq = j.find("seq");
  const auto time = j.find("time");
  const auto prev = j.find("prev");
  const auto hash = j.find("hash");
  if (seq == j.end() || !seq->is_number_unsigned() || seq->get<uint64_t>() == 0 ||
      time == j.end() || !time->is_string() ||
      !core::ParseIso8601(time->get_ref<const std::string&>()).has_value() || prev == j.end() ||
      !IsHex64(*prev) || hash == j.end() || !IsHex64(*hash)) {
    c.problem = AuditProblem::kBadFields;
    c.why = "seq, time, prev or hash missing or malformed";
    return c;
  }
  c.seq = seq->get<uint64_t>();
  c.prev = prev->get<std::string>();
  c.hash = hash->get<std::string>();
  if (Canonical(j) != text) {
    c.problem = AuditProblem::kNotCanonical;
    c.why = "not in the form the log writes (edited by hand)";
    return c;
  }
  j.erase("hash");
  if (LineHash(c.prev, j).view() != c.hash) {
    c.problem = AuditProblem::kHashMismatch;
    c.why = "its hash does not match its content (edited)";
    return c;
  }
  return c;
}

// The lines of a file counted by newlines, plus one for text after the last (for messages).
uint64_t CountLines(int fd) {
  auto buf = std::make_unique<char[]>(kVerifyReadBytes);
  uint64_t lines = 0;
  off_t at = 0;
  char last = '\n';
  for (;;) {
    const ssize_t n = ::pread(fd, buf.get(), kVerifyReadBytes, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) lines += buf[i] == '\n' ? 1 : 0;
    last = buf[n - 1];
    at += n;
  }
  return lines + (last != '\n' ? 1 : 0);
}

core::Error TailError(const std::string& path, int fd, std::string_view why) {
  return core::MakeError(fmt::format(
      "{}: line {}: {}; nothing was appended (check it with `quaywatch transfer audit verify`)",
      path, CountLines(fd), why));
}

// Reads exactly `n` octets of `fd` from `at` into `out`; false when fewer were there.
bool ReadAt(int fd, off_t at, size_t n, std::string& out) {
  out.resize(n);
  return ReadFileAt(fd, static_cast<uint64_t>(at),
                    std::span(reinterpret_cast<uint8_t*>(out.data()), n)) == n;
}

// The head of the log open at `fd` (of `size` octets): the last line's seq and hash, after
// checking that line and its link to the one before.
core::Result<std::pair<uint64_t, std::string>> ReadHead(const std::string& path, int fd,
                                                        off_t size) {
  if (size == 0) return std::pair<uint64_t, std::string>(0, std::string(kAuditGenesis));
  // Room for the last two lines at their longest.
  const off_t window = std::min<off_t>(size, static_cast<off_t>(2 * kMaxAuditLineBytes));
  std::string tail;
  if (!ReadAt(fd, size - window, static_cast<size_t>(window), tail)) {
    return core::MakeError(fmt::format("{}: cannot read its last lines: {}", path,
                                       std::strerror(errno != 0 ? errno : EIO)));
  }
  if (tail.back() != '\n') return TailError(path, fd, "the last line is cut short (no newline)");
  const size_t end = tail.size() - 1;
  const size_t nl = end == 0 ? std::string::npos : tail.rfind('\n', end - 1);
  if (nl == std::string::npos && window < size) {
    return TailError(path, fd, fmt::format("longer than {} octets", kMaxAuditLineBytes));
  }
  const size_t start = nl == std::string::npos ? 0 : nl + 1;
  LineCheck last = CheckLine(std::string_view(tail).substr(start, end - start));
  if (last.problem != AuditProblem::kNone) return TailError(path, fd, last.why);
  if (start == 0 && window == size) {
    // The only line: the chain's start.
    if (last.seq != 1 || last.prev != kAuditGenesis) {
      return TailError(path, fd, "the only line is not the chain's first");
    }
    return std::pair(last.seq, last.hash);
  }
  const size_t before_end = start - 1;
  const size_t nl2 = before_end == 0 ? std::string::npos : tail.rfind('\n', before_end - 1);
  if (nl2 != std::string::npos || window == size) {
    const size_t s2 = nl2 == std::string::npos ? 0 : nl2 + 1;
    LineCheck before = CheckLine(std::string_view(tail).substr(s2, before_end - s2));
    if (before.problem != AuditProblem::kNone) {
      return core::MakeError(fmt::format(
          "{}: line {}: {}; nothing was appended (check it with `quaywatch transfer audit "
          "verify`)",
          path, CountLines(fd) - 1, before.why));
    }
    if (last.prev != before.hash || last.seq != before.seq + 1) {
      return TailError(path, fd, "the last line does not follow the one before");
    }
  }
  return std::pair(last.seq, last.hash);
}

}  // namespace

std::string_view AuditProblemName(AuditProblem problem) {
  for (const auto& [p, name] : kProblemNames) {
    if (p == problem) return name;
  }
  return "none";
}

core::Result<AuditEntry> AppendAuditEntry(const std::string& path, const Json& fields) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return AppendAuditEntry(
      path, fields,
      core::Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()});
}

core::Result<AuditEntry> AppendAuditEntry(const std::string& path, const Json& fields,
                                          core::Timestamp time) {
  if (!fields.is_object()) {
    return core::MakeError(fmt::format("{}: an audit entry must be a JSON object", path));
  }
  for (std::string_view key : kReservedKeys) {
    if (fields.contains(key)) {
      return core::MakeError(fmt::format(
          "{}: an audit entry's fields may not hold \"{}\": the log sets it", path, key));
    }
  }
  Fd f;
  f.fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
  if (f.fd < 0) {
    return core::MakeError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  while (::flock(f.fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      return core::MakeError(fmt::format("{}: cannot lock: {}", path, std::strerror(errno)));
    }
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    return core::MakeError(fmt::format("{}: cannot stat: {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) return core::MakeError(fmt::format("{}: not a regular file", path));
  auto head = ReadHead(path, f.fd, st.st_size);
  if (!head.ok()) return head.error();

  Json j = fields;
  AuditEntry entry;
  entry.seq = head->first + 1;
  entry.time = core::FormatIso8601(time);
  j["seq"] = entry.seq;
  j["time"] = entry.time;
  j["prev"] = head->second;
  entry.hash = LineHash(head->second, j);
  j["hash"] = std::string(entry.hash.view());
  std::string line = Canonical(j);
  line += '\n';
  if (line.size() > kMaxAuditLineBytes) {
    return core::MakeError(
        fmt::format("{}: the entry is {} octets, more than the {} a line may hold", path,
                    line.size(), kMaxAuditLineBytes));
  }
  const ssize_t n = ::write(f.fd, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) {
    const int e = n < 0 ? errno : ENOSPC;
    // Take back a partial line while the lock is held, so the chain stays whole.
    if (n > 0 && ::ftruncate(f.fd, st.st_size) != 0) {
      return core::MakeError(
          fmt::format("{}: line {}: written in part ({}) and could not be taken back: {}", path,
                      entry.seq, std::strerror(e), std::strerror(errno)));
    }
    return core::MakeError(
        fmt::format("{}: cannot append line {}: {}", path, entry.seq, std::strerror(e)));
  }
  if (::fdatasync(f.fd) != 0) {
    return core::MakeError(
        fmt::format("{}: line {}: cannot sync to disk: {}", path, entry.seq, std::strerror(errno)));
  }
  if (st.st_size == 0) {
    // A new log: its directory entry must survive a crash too.
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    Fd d;
    d.fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d.fd >= 0) ::fsync(d.fd);
  }
  return entry;
}

core::Result<AuditVerification> VerifyAuditLog(const std::string& path,
                                               const AuditExpectations& expect) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (f.fd < 0) {
    return core::MakeError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  AuditVerification v;
  v.head = core::Sha256Hex(kAuditGenesis);
  std::string prev_hash(kAuditGenesis);
  uint64_t prev_seq = 0;
  uint64_t line_no = 0;
  std::string head_at_seq;  // the hash of entry expect.head_seq
  auto fail = [&](AuditProblem p, uint64_t line, std::string_view why) {
    v.problem = p;
    v.bad_line = line;
    v.detail = fmt::format("{}: line {}: {}", path, line, why);
  };

  // One line, without its newline; false once the log is found bad.
  auto take = [&](std::string_view text) {
    ++line_no;
    LineCheck c = CheckLine(text);
    if (c.problem != AuditProblem::kNone) {
      fail(c.problem, line_no, c.why);
      return false;
    }
    if (c.prev != prev_hash) {
      fail(AuditProblem::kPrevMismatch, line_no,
           fmt::format("its prev is not the hash of the line before (seq {} after {}): a line "
                       "was deleted, inserted or moved",
                       c.seq, prev_seq));
      return false;
    }
    if (c.seq != prev_seq + 1) {
      fail(AuditProblem::kSeqGap, line_no, fmt::format("seq {} after {}", c.seq, prev_seq));
      return false;
    }
    prev_hash = c.hash;
    prev_seq = c.seq;
    ++v.entries;
    v.head = core::Sha256Hex(c.hash);
    if (c.seq == expect.head_seq) head_at_seq = c.hash;
    return true;
  };

  auto buf = std::make_unique<char[]>(kVerifyReadBytes);
  std::string line;
  bool good = true;
  while (good) {
    const ssize_t n = ::read(f.fd, buf.get(), kVerifyReadBytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return core::MakeError(
          fmt::format("{}: read failed after line {}: {}", path, line_no, std::strerror(errno)));
    }
    if (n == 0) break;
    std::string_view chunk(buf.get(), static_cast<size_t>(n));
    while (good && !chunk.empty()) {
      const size_t nl = chunk.find('\n');
      line.append(chunk.substr(0, nl));
      if (line.size() + 1 > kMaxAuditLineBytes) {
        fail(AuditProblem::kLineTooLong, line_no + 1,
             fmt::format("longer than {} octets", kMaxAuditLineBytes));
        good = false;
        break;
      }
      if (nl == std::string_view::npos) break;
      good = take(line);
      line.clear();
      chunk.remove_prefix(nl + 1);
    }
  }
  if (good && !line.empty()) {
    fail(AuditProblem::kTruncated, line_no + 1,
         "the last line is cut short (no newline), or text was appended by hand");
    good = false;
  }
  if (!good) return v;
  if (v.entries < expect.min_entries) {
    v.problem = AuditProblem::kTooFewEntries;
    v.detail = fmt::format(
        "{}: {} entries where at least {} were recorded: lines were deleted "
        "from its end",
        path, v.entries, expect.min_entries);
    return v;
  }
  if (!expect.head.empty()) {
    const std::string_view actual =
        expect.head_seq == 0 ? v.head.view() : std::string_view(head_at_seq);
    if (actual != expect.head) {
      v.problem = AuditProblem::kHeadMismatch;
      v.detail = actual.empty() ? fmt::format("{}: no entry {}: lines were deleted from its end",
                                              path, expect.head_seq)
                                : fmt::format("{}: entry {} has hash {}, not the {} recorded", path,
                                              expect.head_seq == 0 ? v.entries : expect.head_seq,
                                              actual, expect.head);
      return v;
    }
  }
  return v;
}

}  // namespace qw::integrity
