#include "capture/pcap_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/byte_reader.h"

namespace qw::capture {
namespace {

constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;
constexpr size_t kRecordHeaderSize = 16;
// The link-type word carries the FCS length (in 16-bit units) in its top four bits when
// the F bit is set; the link type itself is the rest, as libpcap's LT_LINKTYPE takes it.
constexpr uint32_t kLinkTypeMask = 0x03ffffff;
constexpr uint32_t kFcsPresentBit = 0x04000000;

}  // namespace

PcapReader::PcapReader(MappedBytes bytes, bool compressed, std::string gzip_error)
    : ReaderBase(std::move(bytes), compressed, std::move(gzip_error)) {
  core::ByteReader r(data_);
  const uint32_t magic = r.U32Be();
  nanosecond_ = magic == kMagicNano || magic == __builtin_bswap32(kMagicNano);
  big_endian_ = magic == kMagicMicro || magic == kMagicNano;
  r.Skip(12);  // versions, thiszone, sigfigs: not needed to read the records
  snap_len_ = r.U32(big_endian_);
  const uint32_t link_word = r.U32(big_endian_);
  link_type_ = link_word & kLinkTypeMask;
  if ((link_word & kFcsPresentBit) != 0) fcs_len_ = (link_word >> 28) * 2;
  max_caplen_ = std::max(kMaxCaptureLength, std::min(snap_len_, kMaxSnapLength));
  pos_ = r.ok() ? kPcapHeaderSize : data_.size();
}

bool PcapReader::Next(Frame& frame) {
  if (done_) return false;
  const uint64_t record = number_ + 1;
  const size_t left = data_.size() - pos_;
  if (left < kRecordHeaderSize) {
    if (left == 0) return Finish(record);
    return Stop(record, pos_,
                fmt::format("record header truncated ({} of {} bytes)", left, kRecordHeaderSize));
  }
  core::ByteReader r(data_.subspan(pos_));
  const uint32_t sec = r.U32(big_endian_);
  const uint32_t frac = r.U32(big_endian_);
  const uint32_t caplen = r.U32(big_endian_);
  const uint32_t orig_len = r.U32(big_endian_);
  if (caplen > max_caplen_) {
    return Stop(record, pos_,
                fmt::format("captured length {} exceeds the limit of {}", caplen, max_caplen_));
  }
  if (caplen > r.remaining()) {
    return Stop(record, pos_,
                fmt::format("captured length {} runs past the end of the file ({} bytes left)",
                            caplen, r.remaining()));
  }
  frame.data = r.Bytes(caplen);
  frame.ts.ns = static_cast<int64_t>(sec) * 1'000'000'000 +
                static_cast<int64_t>(frac) * (nanosecond_ ? 1 : 1000);
  frame.link_type = link_type_;
  frame.orig_len = orig_len;
  frame.interface_id = 0;
  frame.number = record;
  frame.offset = pos_;
  number_ = record;
  pos_ += kRecordHeaderSize + caplen;
  return true;
}

}  // namespace qw::capture
