// Writing classic pcap files: used by `quaywatch simulate`, by tests that build captures,
// and by nothing on the analysis path.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "core/result.h"
#include "core/timestamp.h"

namespace qw::capture {

/// Options of a pcap file to write.
struct PcapWriterOptions {
  uint32_t link_type = 1;  // LINKTYPE_ETHERNET
  uint32_t snap_len = 262144;
  bool nanosecond = false;  // magic 0xa1b23c4d and nanosecond stamps
  bool big_endian = false;  // write the header and records big-endian
};

/// Writes a classic pcap file under a temporary name and renames it into place on Close(),
/// so a crash never leaves a half-written file under the final name.
class PcapWriter {
 public:
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  /// Opens `path` + ".tmp" for writing and writes the file header.
  static core::Result<std::unique_ptr<PcapWriter>> Create(const std::string& path,
                                                          PcapWriterOptions options = {});
  /// Appends one record; orig_len 0 means the frame was captured whole.
  core::Status Write(core::Timestamp ts, std::span<const uint8_t> frame, uint32_t orig_len = 0);
  /// Flushes, closes and renames the file to its final name.
  core::Status Close();

 private:
  PcapWriter(std::string path, std::FILE* file, PcapWriterOptions options);
  std::string path_;
  std::FILE* file_;
  PcapWriterOptions options_;
  bool closed_ = false;
};

}  // namespace qw::capture
