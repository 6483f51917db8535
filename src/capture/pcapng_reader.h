// pcapng files (draft-ietf-opsawg-pcapng, "PCAP Next Generation Dump File Format").
//
// clang-format off
//   every block, in the byte order of its section:
//   | block_type:4 | total_len:4 | body:total_len-12 | total_len:4 |
//     total_len >= 12, a multiple of 4, and repeated at the end.
//   Section Header Block, type 0a0d0d0a (a palindrome, so readable before the byte order):
//   | byte_order_magic:4 (1a2b3c4d) | major:2 (=1) | minor:2 | section_len:8 | options |
//   Interface Description Block, type 1; the n-th in a section is interface n:
//   | link_type:2 | reserved:2 | snaplen:4 | options |
//     options: | code:2 | len:2 | value:len | pad to 4 |, code 0 ends them;
//     if_tsresol (9): 1 byte, 10^-v, or 2^-(v & 0x7f) when bit 7 is set (default 10^-6);
//     if_tsoffset (14): 8 bytes, signed seconds added to every stamp.
//   Enhanced Packet Block, type 6:
//   | interface:4 | ts_high:4 | ts_low:4 | captured_len:4 | original_len:4 | data | pad | options |
//   Simple Packet Block, type 3 (interface 0, no time stamp):
//   | original_len:4 | data | pad |
//   Packet Block, type 2 (obsolete):
//   | interface:2 | drops:2 | ts_high:4 | ts_low:4 | captured_len:4 | original_len:4 | data | pad | options |
// clang-format on
//
// Custom blocks (0x00000bad, 0x40000bad) and systemd journal export blocks (9) are not
// packets, but Wireshark shows them as frames, so each takes a frame number without being
// delivered: frame numbers stay those Wireshark shows. Every other block type is skipped by
// its length. A new section forgets the interfaces of the one before; frames are numbered
// through the whole file, and so are interface ids (tshark 4.0 shows them per section, as
// capinfos does not).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/reader_base.h"
#include "core/byte_reader.h"

namespace qw::capture {

/// Most interfaces kept for one file; a file with more is treated as corrupt.
inline constexpr size_t kMaxPcapngInterfaces = 65536;

/// Reads the packets of a pcapng file; the bytes start with the section header block type.
class PcapngReader final : public ReaderBase {
 public:
  PcapngReader(MappedBytes bytes, bool compressed, std::string gzip_error);

  /// Reads the first section header; false (with error() set) when it is not valid.
  bool ReadFirstSection();
  bool Next(Frame& frame) override;
  const char* format() const override { return "pcapng"; }

  /// Interfaces seen so far in the whole file.
  size_t interface_count() const { return interfaces_.size(); }

 private:
  // How an interface's time stamp units become nanoseconds.
  enum class TsScale : uint8_t { kMultiply, kShift, kDivide };

  struct Interface {
    uint32_t link_type = 0;
    uint32_t snap_len = 0;  // 0: no limit
    uint32_t max_caplen = 0;
    TsScale scale = TsScale::kMultiply;
    uint8_t shift = 0;           // kShift: units are 2^-shift seconds
    uint64_t multiplier = 1000;  // kMultiply: nanoseconds per unit (default: microseconds)
    uint64_t divisor = 0;        // kDivide: units per nanosecond; 0 when beyond 64 bits
    int64_t offset_ns = 0;       // if_tsoffset in nanoseconds, within ±core::kMaxFrameNs
  };

  enum class Step : uint8_t { kFrame, kSkip, kStop };

  // Reads the block at pos_ and moves past it unless reading stops.
  Step ReadBlock(Frame& frame);
  // The other Read* read one kind of block whose length has been checked.
  Step ReadSectionHeader(size_t left);
  Step ReadInterface(core::ByteReader& body);
  Step ReadEnhanced(core::ByteReader& body, Frame& frame);
  Step ReadSimple(core::ByteReader& body, Frame& frame);
  Step ReadObsolete(core::ByteReader& body, Frame& frame);
  // Checks a block's leading length against the file and its trailing copy.
  bool CheckLength(const char* what, uint32_t total, size_t left, uint32_t least);
  // Finds interface `id` of the current section; nullptr (after stopping) if there is none.
  const Interface* FindInterface(const char* what, uint64_t id);
  // Fills the frame with `caplen` bytes read from `body`, or stops if they are not there.
  Step Deliver(const char* what, const Interface& iface, int64_t ts_ns, uint32_t caplen,
               uint32_t orig_len, core::ByteReader& body, Frame& frame);
  // Stops reading with an error at the current block.
  Step Fail(std::string why);
  static int64_t ToNanoseconds(const Interface& iface, uint64_t units);

  bool big_endian_ = false;
  std::vector<Interface> interfaces_;  // of the whole file
  size_t section_first_ = 0;           // index in interfaces_ of this section's interface 0
  uint64_t block_number_ = 0;          // blocks read (1-based once the first is read)
  uint64_t number_ = 0;                // frame numbers used (custom blocks use one too)
  int64_t last_ts_ns_ = 0;             // stamp for simple packet blocks, which have none
};

}  // namespace qw::capture
