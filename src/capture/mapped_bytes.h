// The bytes a capture reader reads: a read-only private mapping of a file, which the reader
// owns and unmaps, or a caller's buffer that it only borrows. Also inflates gzip data into an
// unlinked temporary file and maps that, so memory use does not grow with the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/result.h"

namespace qw::capture {

/// A byte view that may own the mapping behind it (move-only; unmaps on destruction).
class MappedBytes {
 public:
  MappedBytes() = default;
  ~MappedBytes();
  MappedBytes(MappedBytes&& other) noexcept;
  MappedBytes& operator=(MappedBytes&& other) noexcept;
  MappedBytes(const MappedBytes&) = delete;
  MappedBytes& operator=(const MappedBytes&) = delete;

  /// Views bytes owned by someone else, who keeps them alive.
  static MappedBytes Borrow(std::span<const uint8_t> bytes);
  /// Maps `size` bytes of an open file read-only (no mapping for size 0); `name` is for
  /// messages. The descriptor may be closed afterwards.
  static core::Result<MappedBytes> MapFd(int fd, uint64_t size, const std::string& name);

  /// The bytes, valid as long as this object (or the borrowed buffer) lives.
  std::span<const uint8_t> bytes() const { return bytes_; }
  /// Tells the kernel the pages before `offset` will not be read again, so a long file
  /// read once does not stay resident; views into that range must no longer be used.
  /// Does nothing for borrowed bytes.
  void ReleaseBefore(size_t offset);

 private:
  void* map_ = nullptr;
  size_t map_len_ = 0;
  size_t released_ = 0;  // bytes at the start already given back
  std::span<const uint8_t> bytes_;
};

/// Inflated gzip data and, when the stream was corrupt or cut short, why inflating stopped.
struct Inflated {
  MappedBytes bytes;
  std::string error;  // empty when every member inflated to its end
};

/// Inflates gzip data (concatenated members too) into an unlinked temporary file in $TMPDIR
/// or /tmp and maps it. Fails only when the temporary file cannot be made or written, or
/// when nothing at all could be inflated; corruption partway is reported in `error`.
core::Result<Inflated> InflateGzip(std::span<const uint8_t> gz, const std::string& name);

}  // namespace qw::capture
