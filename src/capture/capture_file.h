// Reading capture files: classic pcap and pcapng, optionally gzip-compressed, memory-mapped.
//
// OpenCaptureFile() maps the file (a gzip file is first inflated into an unlinked temporary
// file, which is then mapped) and recognises the format from its magic number. Frames are
// handed out as views into the mapping, without copying. A truncated or corrupt record ends
// the file: Next() returns false and error() says which record (frame number and byte
// offset) and why; everything before it has been delivered.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "capture/frame.h"
#include "core/result.h"

namespace qw::capture {

/// Where and why reading a capture stopped early.
struct ReadError {
  uint64_t record = 0;   // 1-based number of the record that could not be read
  uint64_t offset = 0;   // byte offset of that record in the (decompressed) file
  std::string message;   // e.g. "record length 70000 exceeds snap length 65535"
};

/// A source of frames from one capture file.
class CaptureReader {
 public:
  virtual ~CaptureReader() = default;
  /// Delivers the next frame; false at the end of the file or at the first bad record.
  virtual bool Next(Frame& frame) = 0;
  /// "pcap" or "pcapng".
  virtual const char* format() const = 0;
  /// Set when reading stopped at a bad or truncated record rather than at a clean end.
  virtual const std::optional<ReadError>& error() const = 0;
  /// Size in bytes of the (decompressed) file.
  virtual uint64_t size() const = 0;
  /// Bytes consumed so far, for progress.
  virtual uint64_t position() const = 0;
  /// True when the file was gzip-compressed.
  virtual bool compressed() const = 0;
};

/// Opens a capture file. Fails (with a message naming the file) when the file cannot be
/// opened or is not a pcap, pcapng or gzip-compressed capture at all.
core::Result<std::unique_ptr<CaptureReader>> OpenCaptureFile(const std::string& path);

/// Reader over bytes already in memory (used by tests and fuzz targets); the bytes must
/// outlive the reader. `name` is used in messages.
core::Result<std::unique_ptr<CaptureReader>> OpenCaptureBuffer(std::span<const uint8_t> bytes,
                                                               const std::string& name);

}  // namespace qw::capture
