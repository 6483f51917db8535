// The content of one file as it crosses the wire (FTP and TFTP data, SMB2 reads and
// writes, HTTP bodies): bytes counted, and a SHA-256 kept while every byte came in order
// from the start and the total stays within the hash limit.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "core/digest.h"
#include "dissect/observation.h"

namespace qw::dissect {

/// Counts and hashes one file's bytes as they come.
class FileContent {
 public:
  /// `hash_limit`: files longer than this are counted but not hashed (0: never hash).
  explicit FileContent(uint64_t hash_limit) : hash_limit_(hash_limit) {}
  /// Bytes at `offset` of the file. In order from offset 0 they keep the hash going; a hole
  /// or an overlap ends it (the file is then incomplete).
  void Add(uint64_t offset, std::span<const uint8_t> bytes);
  /// Bytes right after those seen so far (a stream).
  void Append(std::span<const uint8_t> bytes) { Add(next_, bytes); }
  /// `n` bytes of the file were not seen.
  void Gap(uint64_t n);
  /// Bytes seen (overlaps not counted twice when in order).
  uint64_t bytes() const { return seen_; }
  /// The offset the next in-order byte would have.
  uint64_t next_offset() const { return next_; }
  /// Fills `out`'s bytes, declared_size, complete and sha256. `declared` is the size the
  /// protocol announced (-1 when none); a file is complete when nothing was missed and, with
  /// a declared size, exactly that many bytes came. Ends the content.
  void Finish(int64_t declared, FileTransferObservation& out);

 private:
  uint64_t hash_limit_;
  uint64_t next_ = 0;  // end of the in-order prefix
  uint64_t seen_ = 0;
  bool broken_ = false;                       // a hole or overlap: never complete
  std::unique_ptr<core::Sha256Stream> hash_;  // made at the first byte; dropped past the limit
};

}  // namespace qw::dissect
