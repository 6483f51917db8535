// Opening a file the integrity commands read: read-only, a regular file only (not a FIFO an
// attacker left where a firmware image should be, not a device), closed when done.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <span>
#include <string>

#include "core/result.h"

namespace qw::integrity {

/// A descriptor open for reading and the file's status when it was opened; closed when this
/// goes away. Movable, not copyable.
class OpenFile {
 public:
  OpenFile() = default;
  OpenFile(int fd, const struct stat& st) : fd_(fd), st_(st) {}
  ~OpenFile();
  OpenFile(OpenFile&& other) noexcept;
  OpenFile& operator=(OpenFile&& other) noexcept;
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;

  /// The descriptor (owned by this object).
  int fd() const { return fd_; }
  /// The file's status as it was opened.
  const struct stat& status() const { return st_; }

 private:
  int fd_ = -1;
  struct stat st_ {};
};

/// Opens `path` read-only and refuses anything but a regular file; the error names the file
/// and says why.
core::Result<OpenFile> OpenRegularFile(const std::string& path);

/// Reads up to `out.size()` octets of `fd` from `offset`, again after a signal interrupts;
/// how many it read: fewer at the end of the file or on an error.
size_t ReadFileAt(int fd, uint64_t offset, std::span<uint8_t> out);

}  // namespace qw::integrity
