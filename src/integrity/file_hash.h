// Streamed SHA-256 of files of any size, and of the bytes of a file read whole when small:
// the one place integrity, backup and the transfer gate read files to hash them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/digest.h"
#include "core/result.h"

namespace qw::integrity {

/// What one pass over a file found.
struct FileDigest {
  uint64_t size = 0;       // octets read, equal to the size the file had throughout
  core::Sha256Hex sha256;  // of those octets
  int64_t mtime_ns = 0;    // modification time, nanoseconds since the epoch (UTC)
};

/// Octets read per call while hashing: large enough that the digest, not the system call,
/// sets the pace.
inline constexpr size_t kHashChunkBytes = size_t{1} << 20;

/// Hashes the regular file at `path` in kHashChunkBytes reads. Fails, naming the file, when
/// it cannot be opened or read, is not a regular file, or changed while it was read (its
/// size, modification or change time moved, or the octets read differ from its size): a
/// digest of a file being written proves nothing. `after_chunk` runs after each read (tests
/// change the file there).
core::Result<FileDigest> HashFile(const std::string& path,
                                  const std::function<void()>& after_chunk = {});

}  // namespace qw::integrity
