// Reading capture files: classic pcap and pcapng, optionally gzip-compressed, memory-mapped.
//
// OpenCaptureFile() maps the file (a gzip file is first inflated into an unlinked temporary
// file, which is then mapped) and recognises the format from its magic number. Frames are
// handed out as views into the mapping, without copying. A truncated or corrupt record ends
// the file: Next() returns false and error() says which record and at which byte offset,
// and why; everything before it has been delivered.
//
// A captured length is accepted up to max(kMaxCaptureLength, snap length of the file or
// interface), and never beyond kMaxSnapLength; the lower bound is Wireshark's usual maximum,
// so what Wireshark reads, quaywatch reads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "capture/frame.h"
#include "core/result.h"

namespace qw::capture {

/// Largest captured length accepted whatever the snap length says (Wireshark's usual limit).
inline constexpr uint32_t kMaxCaptureLength = 262144;
/// Largest snap length honoured when it raises the limit above kMaxCaptureLength (64 MiB,
/// the size D-Bus and USB captures may use).
inline constexpr uint32_t kMaxSnapLength = 64u << 20;

/// Where and why reading a capture stopped early.
struct ReadError {
  uint64_t record = 0;  // 1-based: the frame number in pcap, the block number in pcapng
  uint64_t offset = 0;  // byte offset of that record in the (decompressed) file
  std::string message;  // e.g. "captured length 70000 exceeds limit 65535"

  /// "record N at offset O: message", as a one-line report says it.
  std::string ToString() const;
};

/// A source of frames from one capture file.
class CaptureReader {
 public:
  virtual ~CaptureReader() = default;
  /// Delivers the next frame; false at the end of the file or at the first bad record.
  /// The frame's view stays valid until the caller releases it with ReleaseBefore.
  virtual bool Next(Frame& frame) = 0;
  /// Says that no frame starting before `offset` (a Frame::offset) is in use any more, so
  /// the reader may give their pages back: memory then follows the frames in flight, not
  /// the file. Cheap enough to call for every frame.
  virtual void ReleaseBefore(uint64_t offset) = 0;
  /// "pcap", "pcapng", or "empty" for a zero-length file.
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

/// Opens a capture file. Fails (with a one-line message naming the file) when the file
/// cannot be opened or is not a pcap, pcapng or gzip-compressed capture at all.
core::Result<std::unique_ptr<CaptureReader>> OpenCaptureFile(const std::string& path);

/// Reader over bytes already in memory (used by tests and fuzz targets); the bytes must
/// outlive the reader. `name` is used in messages. Gzip-compressed bytes are inflated into
/// an unlinked temporary file, as OpenCaptureFile does.
core::Result<std::unique_ptr<CaptureReader>> OpenCaptureBuffer(std::span<const uint8_t> bytes,
                                                               const std::string& name);

}  // namespace qw::capture
