// Classic pcap files (draft-ietf-opsawg-pcap; the libpcap savefile format).
//
// clang-format off
//   file header (24 bytes), in the writer's byte order:
//   | magic:4 | version_major:2 | version_minor:2 | thiszone:4 | sigfigs:4 | snaplen:4 |
//   | fcs_len:4 bits | F:1 | reserved:11 bits | link_type:16 |
//     magic a1b2c3d4 = microsecond stamps, a1b23c4d = nanosecond stamps; read byte-swapped,
//     they say the file is in the other byte order.
//   then records until the end of the file:
//   | ts_sec:4 | ts_frac:4 | captured_len:4 | original_len:4 | data:captured_len |
// clang-format on
#pragma once

#include <cstdint>

#include "capture/reader_base.h"

namespace qw::capture {

/// Size of the classic pcap file header.
inline constexpr size_t kPcapHeaderSize = 24;

/// Reads the records of a classic pcap file; the bytes hold at least kPcapHeaderSize bytes
/// starting with a pcap magic number.
class PcapReader final : public ReaderBase {
 public:
  PcapReader(MappedBytes bytes, bool compressed, std::string gzip_error);

  bool Next(Frame& frame) override;
  const char* format() const override { return "pcap"; }

  /// Link type of every record (FCS bits masked off).
  uint32_t link_type() const { return link_type_; }
  /// Snap length from the file header.
  uint32_t snap_len() const { return snap_len_; }
  /// Length of the frame check sequence at the end of each frame, in bytes (0 if none).
  uint32_t fcs_len() const { return fcs_len_; }
  bool nanosecond() const { return nanosecond_; }
  bool big_endian() const { return big_endian_; }

 private:
  bool big_endian_ = false;
  bool nanosecond_ = false;
  uint32_t link_type_ = 0;
  uint32_t snap_len_ = 0;
  uint32_t fcs_len_ = 0;
  uint32_t max_caplen_ = 0;
  uint64_t number_ = 0;  // frames delivered
};

}  // namespace qw::capture
