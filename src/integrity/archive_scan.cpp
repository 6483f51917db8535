#include "integrity/archive_scan.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/byte_reader.h"
#include "integrity/regular_file.h"

namespace qw::integrity {
namespace {

// Where libarchive reads from: a file descriptor or bytes in memory. Counts the octets it
// hands over, the denominator of every compression ratio.
struct Source {
  int fd = -1;                     // a file, read kArchiveChunkBytes at a time
  std::span<const uint8_t> mem;    // or bytes in memory
  uint64_t pos = 0;                // offset in `mem`
  std::unique_ptr<uint8_t[]> buf;  // the file's read buffer
  uint64_t read_bytes = 0;         // octets handed to libarchive so far
  int read_errno = 0;              // the file's read failure
};

la_ssize_t ReadCallback(struct archive* /*a*/, void* data, const void** out) {
  Source& s = *static_cast<Source*>(data);
  if (s.fd >= 0) {
    for (;;) {
      const ssize_t n = ::read(s.fd, s.buf.get(), kArchiveChunkBytes);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        s.read_errno = errno;
        return ARCHIVE_FATAL;
      }
      *out = s.buf.get();
      s.read_bytes += static_cast<uint64_t>(n);
      return n;
    }
  }
  const uint64_t n = std::min<uint64_t>(kArchiveChunkBytes, s.mem.size() - s.pos);
  *out = s.mem.subspan(s.pos, n).data();
  s.pos += n;
  s.read_bytes += n;
  return static_cast<la_ssize_t>(n);
}

la_int64_t SeekCallback(struct archive* /*a*/, void* data, la_int64_t offset, int whence) {
  Source& s = *static_cast<Source*>(data);
  if (s.fd >= 0) {
    const off_t r = ::lseek(s.fd, offset, whence);
    return r < 0 ? ARCHIVE_FATAL : r;
  }
  const auto size = static_cast<la_int64_t>(s.mem.size());
  la_int64_t base = 0;
  if (whence == SEEK_CUR) base = static_cast<la_int64_t>(s.pos);
  if (whence == SEEK_END) base = size;
  if (offset > size || offset < -size) return ARCHIVE_FATAL;
  const la_int64_t target = base + offset;
  if (target < 0 || target > size) return ARCHIVE_FATAL;
  s.pos = static_cast<uint64_t>(target);
  return target;
}

la_int64_t SkipCallback(struct archive* a, void* data, la_int64_t request) {
  Source& s = *static_cast<Source*>(data);
  if (request <= 0) return 0;
  if (s.fd >= 0) {
    const off_t here = ::lseek(s.fd, 0, SEEK_CUR);
    const off_t there = ::lseek(s.fd, request, SEEK_CUR);
    return here < 0 || there < 0 ? 0 : there - here;
  }
  const uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(request), s.mem.size() - s.pos);
  (void)a;
  s.pos += n;
  return static_cast<la_int64_t>(n);
}

struct ArchiveFree {
  void operator()(struct archive* a) const { ::archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

// A reader for every format but mtree, and every built-in filter (see archive_scan.h).
ArchivePtr NewReader() {
  ArchivePtr a(::archive_read_new());
  if (!a) return a;
  struct archive* r = a.get();
  for (auto* support : {&::archive_read_support_filter_gzip, &::archive_read_support_filter_bzip2,
                        &::archive_read_support_filter_xz, &::archive_read_support_filter_lzma,
                        &::archive_read_support_filter_lzip, &::archive_read_support_filter_zstd,
                        &::archive_read_support_filter_lz4, &::archive_read_support_filter_compress,
                        &::archive_read_support_filter_rpm, &::archive_read_support_filter_uu}) {
    (*support)(r);
  }
  for (auto* support :
       {&::archive_read_support_format_7zip, &::archive_read_support_format_ar,
        &::archive_read_support_format_cab, &::archive_read_support_format_cpio,
        &::archive_read_support_format_empty, &::archive_read_support_format_iso9660,
        &::archive_read_support_format_lha, &::archive_read_support_format_rar,
        &::archive_read_support_format_rar5, &::archive_read_support_format_tar,
        &::archive_read_support_format_warc, &::archive_read_support_format_xar,
        &::archive_read_support_format_zip, &::archive_read_support_format_raw}) {
    (*support)(r);
  }
  return a;
}

std::string Capped(const char* text) {
  if (text == nullptr) return {};
  std::string s(text, ::strnlen(text, kMaxMemberPathBytes + 1));
  if (s.size() > kMaxMemberPathBytes) {
    s.resize(kMaxMemberPathBytes);
    s += "...";
  }
  return s;
}

std::string ErrorText(struct archive* a) {
  const char* e = ::archive_error_string(a);
  return e != nullptr ? std::string(e) : std::string("unknown libarchive error");
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// libarchive says what went wrong only in words; these are the words of its readers.
RefusalKind KindOfError(const std::string& message) {
  const std::string m = Lower(message);
  for (std::string_view w : {"passphrase", "encrypt", "decrypt"}) {
    if (m.find(w) != std::string::npos) return RefusalKind::kEncrypted;
  }
  for (std::string_view w : {"truncated", "premature end", "unexpected end", "unexpected eof"}) {
    if (m.find(w) != std::string::npos) return RefusalKind::kTruncated;
  }
  if (m.find("unrecognized archive format") != std::string::npos) {
    return RefusalKind::kUnsupported;
  }
  return RefusalKind::kCorrupt;
}

MemberKind KindOf(struct archive_entry* e) {
  if (::archive_entry_hardlink(e) != nullptr) return MemberKind::kHardlink;
  switch (::archive_entry_filetype(e)) {
    case AE_IFREG:
      return MemberKind::kFile;
    case AE_IFDIR:
      return MemberKind::kDirectory;
    case AE_IFLNK:
      return MemberKind::kSymlink;
    default:
      return MemberKind::kOther;
  }
}

bool OnlyNoneFilters(struct archive* a) {
  const int n = ::archive_filter_count(a);
  for (int i = 0; i < n; ++i) {
    if (::archive_filter_code(a, i) != ARCHIVE_FILTER_NONE) return false;
  }
  return true;
}

// Up to `n` octets of `src` from `offset` (fewer at its end); empty when they cannot be read.
std::vector<uint8_t> ReadAt(const Source& src, uint64_t offset, size_t n) {
  std::vector<uint8_t> out;
  if (src.fd < 0) {
    if (offset >= src.mem.size()) return out;
    const auto part = src.mem.subspan(offset, std::min<uint64_t>(n, src.mem.size() - offset));
    out.assign(part.begin(), part.end());
    return out;
  }
  out.resize(n);
  out.resize(ReadFileAt(src.fd, offset, out));
  return out;
}

uint64_t SizeOf(const Source& src) {
  if (src.fd < 0) return src.mem.size();
  struct stat st {};
  return ::fstat(src.fd, &st) == 0 && st.st_size > 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// The little-endian field of `n` octets (2, 4 or 8) at `at` in `b`; 0 past its end.
uint64_t FieldAt(std::span<const uint8_t> b, size_t at, size_t n) {
  core::ByteReader r(b);
  if (!r.Skip(at)) return 0;
  return n == 2 ? r.U16Le() : n == 4 ? r.U32Le() : r.U64Le();
}

// A zip's central directory, checked against what was walked: libarchive reads a zip from
// its local headers when the end of central directory record is missing, so a zip cut
// anywhere in its directory would otherwise walk as whole (APPNOTE.TXT 4.3.6, 4.3.14-16).
// Empty when the directory holds together and lists as many members as were read.
std::optional<std::pair<RefusalKind, std::string>> ZipDirectoryProblem(const Source& src,
                                                                       uint64_t members) {
  constexpr uint32_t kEnd = 0x06054b50, kEnd64 = 0x06064b50, kLocator64 = 0x07064b50,
                     kCentral = 0x02014b50;
  constexpr size_t kEndBytes = 22, kLocatorBytes = 20, kEnd64Bytes = 56;
  const uint64_t size = SizeOf(src);
  const size_t tail_bytes =
      static_cast<size_t>(std::min<uint64_t>(size, kEndBytes + 0xffff + kLocatorBytes));
  const uint64_t tail_at = size - tail_bytes;
  const std::vector<uint8_t> tail = ReadAt(src, tail_at, tail_bytes);
  if (tail.size() != tail_bytes) return std::pair{RefusalKind::kCorrupt, "cannot read its end"};
  // The end record is the one whose comment ends the file.
  std::optional<size_t> end;
  for (size_t at = tail.size() >= kEndBytes ? tail.size() - kEndBytes + 1 : 0; at-- > 0;) {
    if (FieldAt(tail, at, 4) == kEnd && at + kEndBytes + FieldAt(tail, at + 20, 2) == tail.size()) {
      end = at;
      break;
    }
  }
  if (!end) {
    return std::pair{RefusalKind::kTruncated,
                     std::string("zip without its end of central directory record (cut short, "
                                 "or data after it)")};
  }
  uint64_t entries = FieldAt(tail, *end + 10, 2);
  uint64_t directory_bytes = FieldAt(tail, *end + 12, 4);
  uint64_t directory_end = tail_at + *end;  // where the directory's end records begin
  if (entries == 0xffff || directory_bytes == 0xffffffff ||
      FieldAt(tail, *end + 16, 4) == 0xffffffff) {
    // ZIP64: the locator right before the end record names the ZIP64 end record.
    if (*end < kLocatorBytes || FieldAt(tail, *end - kLocatorBytes, 4) != kLocator64) {
      return std::pair{RefusalKind::kCorrupt, std::string("zip64 end record locator missing")};
    }
    const uint64_t at64 = FieldAt(tail, *end - kLocatorBytes + 8, 8);
    const std::vector<uint8_t> rec = ReadAt(src, at64, kEnd64Bytes);
    if (at64 >= directory_end || rec.size() != kEnd64Bytes || FieldAt(rec, 0, 4) != kEnd64) {
      return std::pair{RefusalKind::kCorrupt, std::string("zip64 end record missing")};
    }
    entries = FieldAt(rec, 32, 8);
    directory_bytes = FieldAt(rec, 40, 8);
    directory_end = at64;
  }
  if (directory_bytes > directory_end) {
    return std::pair{RefusalKind::kCorrupt,
                     std::string("central directory larger than what precedes its end")};
  }
  if (entries > 0) {
    const std::vector<uint8_t> head = ReadAt(src, directory_end - directory_bytes, 4);
    if (head.size() != 4 || FieldAt(head, 0, 4) != kCentral) {
      return std::pair{RefusalKind::kCorrupt,
                       std::string("no central directory where its end record places it")};
    }
  }
  if (entries != members) {
    return std::pair{RefusalKind::kCorrupt,
                     fmt::format("the central directory lists {} member{}, {} were read", entries,
                                 entries == 1 ? "" : "s", members)};
  }
  return std::nullopt;
}

// A bounded number of ARCHIVE_RETRY answers in a row before the archive counts as corrupt.
constexpr int kMaxHeaderRetries = 3;

// One walk: the counters shared by every nesting level.
class Walk {
 public:
  Walk(FileTypeClassifier& classifier, const ArchiveLimits& limits, ArchiveVisitor& visitor,
       ArchiveScanResult& result, const Source& top)
      : classifier_(classifier), limits_(limits), visitor_(visitor), result_(result), top_(top) {
    chunk_ = std::make_unique<uint8_t[]>(kArchiveChunkBytes);
  }

  // Walks the archive read from `src`, whose members lie at `depth`. False when the walk
  // ends here: refused or stopped.
  bool WalkArchive(Source& src, int depth, const std::vector<std::string>& parents) {
    ArchivePtr owner = NewReader();
    struct archive* a = owner.get();
    if (a == nullptr) {
      return RefuseArchive(RefusalKind::kCorrupt, "libarchive: out of memory", parents);
    }
    ::archive_read_set_read_callback(a, &ReadCallback);
    ::archive_read_set_seek_callback(a, &SeekCallback);
    ::archive_read_set_skip_callback(a, &SkipCallback);
    ::archive_read_set_callback_data(a, &src);
    if (::archive_read_open1(a) != ARCHIVE_OK) {
      return RefuseOnError(a, src, "cannot be opened as an archive", parents);
    }
    bool first = true;
    int retries = 0;
    uint64_t members_here = 0;
    std::string last_path;
    for (;;) {
      struct archive_entry* e = nullptr;
      const int r = ::archive_read_next_header(a, &e);
      if (r == ARCHIVE_EOF) break;
      if (r == ARCHIVE_RETRY && ++retries <= kMaxHeaderRetries) continue;
      if (r < ARCHIVE_WARN) {
        return RefuseOnError(
            a, src,
            last_path.empty() ? "bad first header" : fmt::format("bad header after {}", last_path),
            parents);
      }
      retries = 0;
      if (first) {
        first = false;
        if (::archive_format(a) == ARCHIVE_FORMAT_RAW && OnlyNoneFilters(a)) {
          return RefuseArchive(RefusalKind::kUnsupported, "not an archive libarchive can read",
                               parents);
        }
        if (depth == 1) {
          result_.format = ::archive_format_name(a) != nullptr ? ::archive_format_name(a) : "";
          for (int i = 0; i < ::archive_filter_count(a); ++i) {
            if (::archive_filter_code(a, i) == ARCHIVE_FILTER_NONE) continue;
            result_.filters.emplace_back(::archive_filter_name(a, i));
          }
        }
      }
      ArchiveMember m;
      m.path = Capped(::archive_entry_pathname_utf8(e));
      if (m.path.empty()) m.path = Capped(::archive_entry_pathname(e));
      if (m.path.empty()) m.path = fmt::format("(member {} without a name)", result_.members + 1);
      m.parents = parents;
      m.depth = depth;
      m.kind = KindOf(e);
      if (::archive_entry_size_is_set(e) && ::archive_entry_size(e) >= 0) {
        m.declared_size = static_cast<uint64_t>(::archive_entry_size(e));
      }
      if (m.kind == MemberKind::kHardlink) m.link_target = Capped(::archive_entry_hardlink(e));
      if (m.kind == MemberKind::kSymlink) m.link_target = Capped(::archive_entry_symlink(e));
      m.format = ::archive_format_name(a) != nullptr ? ::archive_format_name(a) : "";
      last_path = m.path;

      ++members_here;
      if (++result_.members > limits_.max_members) {
        return Refuse(RefusalKind::kTooManyMembers,
                      fmt::format("more than {} members", limits_.max_members), &m);
      }
      result_.deepest = std::max(result_.deepest, depth);
      if (visitor_.OnMember(m) == VisitAction::kStop) return Stop();
      if (::archive_entry_is_encrypted(e)) {
        return Refuse(RefusalKind::kEncrypted, "encrypted member: its content cannot be inspected",
                      &m);
      }
      if (m.kind != MemberKind::kFile) continue;
      if (!ReadMember(a, src, m)) return false;
    }
    if ((::archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP &&
        OnlyNoneFilters(a)) {
      if (auto problem = ZipDirectoryProblem(src, members_here)) {
        return RefuseArchive(problem->first, problem->second, parents);
      }
    }
    return true;
  }

 private:
  bool ReadMember(struct archive* a, Source& src, const ArchiveMember& m) {
    core::Sha256Stream hash;
    std::vector<uint8_t> kept;
    bool whole = true;
    uint64_t size = 0;
    const uint64_t in_start = src.read_bytes;
    for (;;) {
      const la_ssize_t n = ::archive_read_data(a, chunk_.get(), kArchiveChunkBytes);
      if (n == 0) break;
      if (n < 0) {
        const std::string e = ErrorText(a);
        return Refuse(KindOfError(e), fmt::format("cannot read member: {}", e), &m);
      }
      const auto bytes = std::span<const uint8_t>(chunk_.get(), static_cast<size_t>(n));
      size += bytes.size();
      result_.expanded_bytes += bytes.size();
      if (result_.expanded_bytes > limits_.max_total_bytes) {
        return Refuse(RefusalKind::kTooLarge,
                      fmt::format("expands to more than {} octets", limits_.max_total_bytes), &m);
      }
      const uint64_t member_in = std::max<uint64_t>(1, src.read_bytes - in_start);
      if (size > limits_.ratio_floor_bytes && size / member_in > limits_.max_ratio) {
        return Refuse(RefusalKind::kCompressionRatio,
                      fmt::format("member expands more than {}:1 ({} octets from {} read)",
                                  limits_.max_ratio, size, member_in),
                      &m);
      }
      const uint64_t all_in = std::max<uint64_t>(1, top_.read_bytes);
      if (result_.expanded_bytes > limits_.ratio_floor_bytes &&
          result_.expanded_bytes / all_in > limits_.max_ratio) {
        return Refuse(RefusalKind::kCompressionRatio,
                      fmt::format("archive expands more than {}:1 ({} octets from {} read)",
                                  limits_.max_ratio, result_.expanded_bytes, all_in),
                      &m);
      }
      hash.Update(bytes);
      if (kept.size() < limits_.max_kept_bytes) {
        const size_t room = static_cast<size_t>(limits_.max_kept_bytes - kept.size());
        const auto part = bytes.first(std::min(room, bytes.size()));
        kept.insert(kept.end(), part.begin(), part.end());
        if (part.size() < bytes.size()) whole = false;
      } else {
        whole = false;
      }
      if (visitor_.OnChunk(m, bytes) == VisitAction::kStop) return Stop();
    }
    MemberContent c;
    c.size = size;
    c.sha256 = hash.Finish();
    c.kept = kept;
    c.kept_whole = whole;
    c.type = classifier_.Classify(kept);
    if (visitor_.OnMemberEnd(m, c) == VisitAction::kStop) return Stop();
    if (c.type.category != FileCategory::kArchive) return true;
    if (m.depth >= limits_.max_depth) {
      return Refuse(RefusalKind::kTooDeep,
                    fmt::format("archive nested deeper than {} levels", limits_.max_depth), &m);
    }
    if (!whole) {
      return Refuse(RefusalKind::kNestedTooLarge,
                    fmt::format("nested archive larger than the {} octets inspected in memory",
                                limits_.max_kept_bytes),
                    &m);
    }
    Source inner;
    inner.mem = kept;
    std::vector<std::string> parents = m.parents;
    parents.push_back(m.path);
    return WalkArchive(inner, m.depth + 1, parents);
  }

  bool RefuseOnError(struct archive* a, const Source& src, std::string_view what,
                     const std::vector<std::string>& parents) {
    std::string e = ErrorText(a);
    if (src.read_errno != 0) e = fmt::format("read failed: {}", std::strerror(src.read_errno));
    return RefuseArchive(KindOfError(e), fmt::format("{}: {}", what, e), parents);
  }

  bool Refuse(RefusalKind kind, std::string reason, const ArchiveMember* m) {
    ArchiveRefusal r;
    r.kind = kind;
    r.reason = std::move(reason);
    if (m != nullptr) r.member = MemberDisplayPath(*m);
    result_.refusal = std::move(r);
    return false;
  }

  // The display path of the member holding the archive at `parents` (empty at the top).
  static std::string HolderPath(const std::vector<std::string>& parents) {
    if (parents.empty()) return {};
    ArchiveMember holder;
    holder.path = parents.back();
    holder.parents.assign(parents.begin(), parents.end() - 1);
    return MemberDisplayPath(holder);
  }

  bool RefuseArchive(RefusalKind kind, std::string reason,
                     const std::vector<std::string>& parents) {
    ArchiveRefusal r;
    r.kind = kind;
    r.reason = std::move(reason);
    r.member = HolderPath(parents);
    result_.refusal = std::move(r);
    return false;
  }

  bool Stop() {
    result_.stopped = true;
    return false;
  }

  FileTypeClassifier& classifier_;
  const ArchiveLimits& limits_;
  ArchiveVisitor& visitor_;
  ArchiveScanResult& result_;
  const Source& top_;
  std::unique_ptr<uint8_t[]> chunk_;
};

constexpr std::array<std::pair<MemberKind, std::string_view>, 5> kMemberKindNames = {{
    {MemberKind::kFile, "file"},
    {MemberKind::kDirectory, "directory"},
    {MemberKind::kSymlink, "symlink"},
    {MemberKind::kHardlink, "hardlink"},
    {MemberKind::kOther, "other"},
}};

constexpr std::array<std::pair<RefusalKind, std::string_view>, 9> kRefusalNames = {{
    {RefusalKind::kTooManyMembers, "too_many_members"},
    {RefusalKind::kTooLarge, "too_large"},
    {RefusalKind::kCompressionRatio, "compression_ratio"},
    {RefusalKind::kTooDeep, "too_deep"},
    {RefusalKind::kNestedTooLarge, "nested_too_large"},
    {RefusalKind::kEncrypted, "encrypted"},
    {RefusalKind::kTruncated, "truncated"},
    {RefusalKind::kCorrupt, "corrupt"},
    {RefusalKind::kUnsupported, "unsupported"},
}};

}  // namespace

std::string_view MemberKindName(MemberKind kind) {
  for (const auto& [k, name] : kMemberKindNames) {
    if (k == kind) return name;
  }
  return "other";
}

std::string_view RefusalKindName(RefusalKind kind) {
  for (const auto& [k, name] : kRefusalNames) {
    if (k == kind) return name;
  }
  return "corrupt";
}

std::string MemberDisplayPath(const ArchiveMember& member) {
  std::string out;
  for (const std::string& p : member.parents) {
    out += p;
    out += "!/";
  }
  out += member.path;
  return out;
}

core::Result<ArchiveScanResult> ArchiveScanner::ScanFile(const std::string& path,
                                                         ArchiveVisitor& visitor) {
  auto file = OpenRegularFile(path);
  if (!file) return file.error();
  Source src;
  src.fd = file->fd();
  src.buf = std::make_unique<uint8_t[]>(kArchiveChunkBytes);
  ArchiveScanResult result;
  Walk walk(classifier_, limits_, visitor, result, src);
  walk.WalkArchive(src, 1, {});
  result.input_bytes = src.read_bytes;
  return result;
}

ArchiveScanResult ArchiveScanner::ScanMemory(std::span<const uint8_t> bytes,
                                             ArchiveVisitor& visitor) {
  Source src;
  src.mem = bytes;
  ArchiveScanResult result;
  Walk walk(classifier_, limits_, visitor, result, src);
  walk.WalkArchive(src, 1, {});
  result.input_bytes = src.read_bytes;
  return result;
}

}  // namespace qw::integrity
