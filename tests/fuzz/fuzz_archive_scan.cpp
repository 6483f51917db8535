// Fuzz target: bytes through the transfer gate's archive walker (integrity/archive_scan.h)
// with small bounds, each member classified, and the input itself classified
// (integrity/file_type.h). A refusal must say why; a walk must stay within its bounds.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "integrity/archive_scan.h"
#include "integrity/file_type.h"

namespace {

// Bounds small enough that a bomb or a deep nest is met within a fuzz iteration.
qw::integrity::ArchiveLimits FuzzLimits() {
  qw::integrity::ArchiveLimits l;
  l.max_members = 64;
  l.max_total_bytes = uint64_t{4} << 20;
  l.max_ratio = 50;
  l.ratio_floor_bytes = uint64_t{256} << 10;
  l.max_depth = 3;
  l.max_kept_bytes = uint64_t{1} << 20;
  return l;
}

class Visitor : public qw::integrity::ArchiveVisitor {
 public:
  qw::integrity::VisitAction OnChunk(const qw::integrity::ArchiveMember& /*member*/,
                                     std::span<const uint8_t> bytes) override {
    if (bytes.size() > qw::integrity::kArchiveChunkBytes) __builtin_trap();
    return qw::integrity::VisitAction::kContinue;
  }
  qw::integrity::VisitAction OnMemberEnd(const qw::integrity::ArchiveMember& member,
                                         const qw::integrity::MemberContent& c) override {
    if (c.kept.size() > FuzzLimits().max_kept_bytes || c.kept.size() > c.size) __builtin_trap();
    if (c.kept_whole != (c.kept.size() == c.size)) __builtin_trap();
    if (member.depth > FuzzLimits().max_depth) __builtin_trap();
    return qw::integrity::VisitAction::kContinue;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::optional<qw::integrity::FileTypeClassifier> classifier = [] {
    auto c = qw::integrity::FileTypeClassifier::Create();
    if (!c.ok()) __builtin_trap();
    return std::optional<qw::integrity::FileTypeClassifier>(std::move(c).value());
  }();
  const std::span<const uint8_t> bytes(data, size);
  (void)classifier->Classify(bytes);
  const qw::integrity::ArchiveLimits limits = FuzzLimits();
  qw::integrity::ArchiveScanner scanner(*classifier, limits);
  Visitor visitor;
  const qw::integrity::ArchiveScanResult r = scanner.ScanMemory(bytes, visitor);
  if (r.refusal.has_value() && r.refusal->reason.empty()) __builtin_trap();
  if (r.members > limits.max_members + 1) __builtin_trap();
  if (r.expanded_bytes > limits.max_total_bytes + qw::integrity::kArchiveChunkBytes) {
    __builtin_trap();
  }
  return 0;
}
