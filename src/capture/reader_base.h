// What the pcap and pcapng readers share: the bytes, the cursor, and how reading ends.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "capture/capture_file.h"
#include "capture/mapped_bytes.h"

namespace qw::capture {

/// Base of the file readers: owns the bytes and records a clean or an early end.
class ReaderBase : public CaptureReader {
 public:
  /// `gzip_error` says why inflating stopped early (empty if it did not, or if not gzip).
  ReaderBase(MappedBytes bytes, bool compressed, std::string gzip_error);

  const std::optional<ReadError>& error() const final { return error_; }
  uint64_t size() const final { return data_.size(); }
  uint64_t position() const final { return pos_; }
  void ReleaseBefore(uint64_t offset) final {
    if (offset < released_ + kReleaseStep) return;
    released_ = offset;
    bytes_.ReleaseBefore(offset);
  }
  bool compressed() const final { return compressed_; }

 protected:
  /// Ends reading at a bad record (adding the gzip error, if any); returns false.
  bool Stop(uint64_t record, uint64_t offset, std::string why);
  /// Ends reading at the end of the data; if inflating had stopped early, that is the
  /// error, reported at `next_record`. Returns false.
  bool Finish(uint64_t next_record);
  /// Pages are given back in steps of this many bytes, not page by page.
  static constexpr size_t kReleaseStep = 16 << 20;

  MappedBytes bytes_;
  std::span<const uint8_t> data_;  // bytes_.bytes()
  size_t pos_ = 0;                 // offset of the next record
  size_t released_ = 0;            // pages before this offset were given back
  bool done_ = false;

 private:
  std::optional<ReadError> error_;
  std::string gzip_error_;
  bool compressed_;
};

/// Reader of a zero-length file: no frames.
class EmptyReader final : public ReaderBase {
 public:
  using ReaderBase::ReaderBase;
  bool Next(Frame&) override { return false; }
  const char* format() const override { return "empty"; }
};

}  // namespace qw::capture
