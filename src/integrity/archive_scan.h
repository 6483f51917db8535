// Walks an archive's members with libarchive, without ever writing one to disk: each
// member's content is streamed in chunks to a visitor, hashed, classified and, when small
// enough, kept whole in memory for the caller's YARA scan and for walking archives nested
// inside it. Every bound is named and settable; exceeding one stops expansion at once and
// the walk ends with a refusal (a zip bomb is refused, not expanded). Encrypted members,
// corrupt and truncated archives are refusals too, never crashes.
//
// What libarchive may read: every format but mtree (whose reader opens the files an mtree
// text names, on this machine's disk), with raw as the fallback so that a lone compressed
// stream (firmware.bin.gz) is one member; every compression filter libarchive has built in,
// and none that would run an external program (lrzip, lzop, grzip).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/result.h"
#include "integrity/file_type.h"

namespace qw::integrity {

/// Members walked in all, nested ones included.
inline constexpr uint64_t kMaxArchiveMembers = 10000;
/// Octets expanded in all, nested ones counted again at each level.
inline constexpr uint64_t kMaxArchiveTotalBytes = uint64_t{4} << 30;
/// Largest ratio of expanded to compressed octets, for the whole walk and for each member.
inline constexpr uint64_t kMaxCompressionRatio = 100;
/// Ratios are judged only past this many expanded octets: small members of text compress
/// far better than 100:1 without being a threat.
inline constexpr uint64_t kRatioFloorBytes = uint64_t{8} << 20;
/// Archives inside archives: members of the outer archive are at depth 1, members of an
/// archive among them at depth 2; an archive whose members would lie deeper is refused.
inline constexpr int kMaxArchiveDepth = 3;
/// Octets of one member kept in memory for the caller (YARA) and for nested archives. One
/// buffer per nesting level is alive at a time, so a walk holds at most
/// (kMaxArchiveDepth + 1) times this.
inline constexpr uint64_t kMaxMemberKeptBytes = uint64_t{64} << 20;
/// Octets asked of libarchive per read, and the largest chunk a visitor sees.
inline constexpr size_t kArchiveChunkBytes = size_t{64} << 10;
/// Longest member path or link target kept; longer ones are cut and marked with "...".
inline constexpr size_t kMaxMemberPathBytes = 4096;

/// The bounds of one walk; each defaults to its named constant.
struct ArchiveLimits {
  uint64_t max_members = kMaxArchiveMembers;
  uint64_t max_total_bytes = kMaxArchiveTotalBytes;
  uint64_t max_ratio = kMaxCompressionRatio;
  uint64_t ratio_floor_bytes = kRatioFloorBytes;
  int max_depth = kMaxArchiveDepth;
  uint64_t max_kept_bytes = kMaxMemberKeptBytes;
};

/// What an archive entry is.
enum class MemberKind { kFile, kDirectory, kSymlink, kHardlink, kOther };
/// The kind's name: "file", "directory", "symlink", "hardlink", "other".
std::string_view MemberKindName(MemberKind kind);

/// One archive entry as its header states it. Its text is data from the archive: never use
/// it as a path on this machine.
struct ArchiveMember {
  std::string path;                  // inside its own archive, as stored
  std::vector<std::string> parents;  // paths of the enclosing archive members, outermost first
  int depth = 1;                     // 1 for members of the outermost archive
  MemberKind kind = MemberKind::kFile;
  std::optional<uint64_t> declared_size;  // as the header states (it may lie); unset if absent
  std::string link_target;                // symlinks and hard links
  std::string format;                     // libarchive's name of its archive's format
};

/// "inner.zip!/dir/file.exe": the member's path after those of its enclosing archives.
std::string MemberDisplayPath(const ArchiveMember& member);

/// What one file member held, given when it ends.
struct MemberContent {
  uint64_t size = 0;              // octets read, whatever the header declared
  core::Sha256Hex sha256;         // of those octets
  std::span<const uint8_t> kept;  // its first octets, up to max_kept_bytes; valid in the call
  bool kept_whole = false;        // `kept` holds every octet
  FileType type;                  // classified from the start of `kept`
};

/// Whether the walk goes on after a visitor's callback.
enum class VisitAction { kContinue, kStop };

/// Receives the members of a walk in archive order, nested archives' members right after the
/// end of the member that holds them.
class ArchiveVisitor {
 public:
  virtual ~ArchiveVisitor() = default;
  /// Every entry, files, directories and links alike, before any of its content.
  virtual VisitAction OnMember(const ArchiveMember& /*member*/) { return VisitAction::kContinue; }
  /// The next piece of a file member's content (at most kArchiveChunkBytes; valid in the call).
  virtual VisitAction OnChunk(const ArchiveMember& /*member*/, std::span<const uint8_t> /*bytes*/) {
    return VisitAction::kContinue;
  }
  /// The end of a file member read in full. A member classified as an archive is walked
  /// after this returns kContinue.
  virtual VisitAction OnMemberEnd(const ArchiveMember& member, const MemberContent& content) = 0;
};

/// Why a walk was refused.
enum class RefusalKind {
  kTooManyMembers,
  kTooLarge,
  kCompressionRatio,
  kTooDeep,
  kNestedTooLarge,
  kEncrypted,
  kTruncated,
  kCorrupt,
  kUnsupported,
};
/// The kind's name: "too_many_members", "too_large", "compression_ratio", "too_deep",
/// "nested_too_large", "encrypted", "truncated", "corrupt", "unsupported".
std::string_view RefusalKindName(RefusalKind kind);

/// A walk's refusal: what, why, and the member it concerns (empty for the archive itself).
struct ArchiveRefusal {
  RefusalKind kind = RefusalKind::kCorrupt;
  std::string reason;  // one line for the operator
  std::string member;  // MemberDisplayPath of the member concerned
};

/// What a walk did.
struct ArchiveScanResult {
  uint64_t members = 0;                   // entries seen, nested ones included
  uint64_t expanded_bytes = 0;            // file octets read, nested ones counted again
  uint64_t input_bytes = 0;               // octets of the outermost archive read
  int deepest = 0;                        // largest member depth reached
  std::string format;                     // the outermost archive's format
  std::vector<std::string> filters;       // its compression filters, outermost first ("gzip")
  bool stopped = false;                   // a visitor callback returned kStop
  std::optional<ArchiveRefusal> refusal;  // set when the walk was refused
};

/// Walks archives within bounds. Uses the classifier it is given (one per thread).
class ArchiveScanner {
 public:
  /// A scanner using `classifier`, which must outlive it.
  explicit ArchiveScanner(FileTypeClassifier& classifier, ArchiveLimits limits = {})
      : classifier_(classifier), limits_(limits) {}

  /// Walks the archive file at `path`. Fails, naming the file, only when it cannot be
  /// opened; whatever its content, the result says how the walk went.
  core::Result<ArchiveScanResult> ScanFile(const std::string& path, ArchiveVisitor& visitor);
  /// Walks an archive held in memory; `bytes` must outlive the call.
  ArchiveScanResult ScanMemory(std::span<const uint8_t> bytes, ArchiveVisitor& visitor);

  /// The bounds in force.
  const ArchiveLimits& limits() const { return limits_; }

 private:
  FileTypeClassifier& classifier_;
  ArchiveLimits limits_;
};

}  // namespace qw::integrity
