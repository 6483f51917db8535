#include "capture/pcapng_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/timestamp.h"

namespace qw::capture {
namespace {

constexpr uint32_t kSectionHeader = 0x0a0d0d0a;
constexpr uint32_t kInterfaceDescription = 1;
constexpr uint32_t kObsoletePacket = 2;
constexpr uint32_t kSimplePacket = 3;
constexpr uint32_t kEnhancedPacket = 6;
constexpr uint32_t kSystemdJournal = 9;
constexpr uint32_t kCustomCopy = 0x00000bad;
constexpr uint32_t kCustomNoCopy = 0x40000bad;
constexpr uint32_t kByteOrderMagic = 0x1a2b3c4d;

constexpr uint32_t kBlockOverhead = 12;       // type, leading and trailing length
constexpr uint32_t kSectionHeaderLeast = 28;  // overhead, magic, versions, section length
constexpr uint32_t kInterfaceFixed = 8;
constexpr uint32_t kEnhancedFixed = 20;
constexpr uint32_t kSimpleFixed = 4;
constexpr uint32_t kObsoleteFixed = 20;

constexpr uint16_t kOptEnd = 0;
constexpr uint16_t kOptTsResol = 9;
constexpr uint16_t kOptTsOffset = 14;
constexpr uint8_t kTsResolPowerOfTwo = 0x80;
constexpr uint64_t kNanosPerSecond = 1'000'000'000;

__extension__ typedef unsigned __int128 Uint128;

uint64_t PowerOfTen(unsigned exp) {
  uint64_t v = 1;
  for (unsigned i = 0; i < exp; ++i) v *= 10;
  return v;
}

// Bytes of padding after a field of n bytes, to the next multiple of 4.
size_t PadTo4(size_t n) { return (4 - n % 4) % 4; }

}  // namespace

PcapngReader::PcapngReader(MappedBytes bytes, bool compressed, std::string gzip_error)
    : ReaderBase(std::move(bytes), compressed, std::move(gzip_error)) {}

bool PcapngReader::ReadFirstSection() {
  Frame unused;
  return ReadBlock(unused) == Step::kSkip;
}

bool PcapngReader::Next(Frame& frame) {
  while (!done_) {
    // Every block is at least 12 bytes, so this loop ends with the file.
    switch (ReadBlock(frame)) {
      case Step::kFrame:
        return true;
      case Step::kSkip:
        continue;
      case Step::kStop:
        return false;
    }
  }
  return false;
}

PcapngReader::Step PcapngReader::Fail(std::string why) {
  Stop(block_number_, pos_, std::move(why));
  return Step::kStop;
}

bool PcapngReader::CheckLength(const char* what, uint32_t total, size_t left, uint32_t least) {
  if (total < least) {
    Fail(fmt::format("{}: block length {} is less than {}", what, total, least));
    return false;
  }
  if (total % 4 != 0) {
    Fail(fmt::format("{}: block length {} is not a multiple of 4", what, total));
    return false;
  }
  if (total > left) {
    Fail(fmt::format("{}: block length {} runs past the end of the file ({} bytes left)", what,
                     total, left));
    return false;
  }
  core::ByteReader tail(data_.subspan(pos_ + total - 4, 4));
  const uint32_t trailing = tail.U32(big_endian_);
  if (trailing != total) {
    Fail(fmt::format("{}: trailing block length {} differs from leading length {}", what, trailing,
                     total));
    return false;
  }
  return true;
}

PcapngReader::Step PcapngReader::ReadBlock(Frame& frame) {
  const size_t left = data_.size() - pos_;
  if (left == 0) {
    Finish(block_number_ + 1);
    return Step::kStop;
  }
  ++block_number_;
  if (left < kBlockOverhead) {
    return Fail(fmt::format("block header truncated ({} of {} bytes)", left, kBlockOverhead));
  }
  core::ByteReader head(data_.subspan(pos_, 8));
  const uint32_t type = head.U32(big_endian_);
  if (type == kSectionHeader) return ReadSectionHeader(left);
  if (block_number_ == 1) return Fail("the file does not begin with a section header block");
  const uint32_t total = head.U32(big_endian_);

  const char* what = "block";
  uint32_t least = kBlockOverhead;
  switch (type) {
    case kInterfaceDescription:
      what = "interface description block";
      least += kInterfaceFixed;
      break;
    case kEnhancedPacket:
      what = "enhanced packet block";
      least += kEnhancedFixed;
      break;
    case kSimplePacket:
      what = "simple packet block";
      least += kSimpleFixed;
      break;
    case kObsoletePacket:
      what = "packet block";
      least += kObsoleteFixed;
      break;
    default:
      break;
  }
  if (!CheckLength(what, total, left, least)) return Step::kStop;
  core::ByteReader body(data_.subspan(pos_ + 8, total - kBlockOverhead));
  Step step = Step::kSkip;
  switch (type) {
    case kInterfaceDescription:
      step = ReadInterface(body);
      break;
    case kEnhancedPacket:
      step = ReadEnhanced(body, frame);
      break;
    case kSimplePacket:
      step = ReadSimple(body, frame);
      break;
    case kObsoletePacket:
      step = ReadObsolete(body, frame);
      break;
    case kCustomCopy:
    case kCustomNoCopy:
    case kSystemdJournal:
      // Not packets, but Wireshark shows them as frames: keep the numbers in step.
      ++number_;
      break;
    default:
      break;  // name resolution, statistics, decryption secrets and unknown blocks
  }
  if (step != Step::kStop) pos_ += total;
  return step;
}

PcapngReader::Step PcapngReader::ReadSectionHeader(size_t left) {
  constexpr const char* kWhat = "section header block";
  // The byte-order magic follows type and length; it decides how to read everything else.
  core::ByteReader magic(data_.subspan(pos_ + 8, 4));
  const uint32_t magic_le = magic.U32Le();
  if (magic_le == kByteOrderMagic) {
    big_endian_ = false;
  } else if (magic_le == __builtin_bswap32(kByteOrderMagic)) {
    big_endian_ = true;
  } else {
    return Fail(fmt::format("{}: byte-order magic {:08x} is not 1a2b3c4d in either order", kWhat,
                            magic_le));
  }
  core::ByteReader head(data_.subspan(pos_ + 4, 4));
  const uint32_t total = head.U32(big_endian_);
  if (!CheckLength(kWhat, total, left, kSectionHeaderLeast)) return Step::kStop;
  core::ByteReader body(data_.subspan(pos_ + 12, 4));
  const uint16_t major = body.U16(big_endian_);
  const uint16_t minor = body.U16(big_endian_);
  if (major != 1) {
    return Fail(fmt::format("{}: unsupported pcapng version {}.{}", kWhat, major, minor));
  }
  section_first_ = interfaces_.size();
  pos_ += total;
  return Step::kSkip;
}

PcapngReader::Step PcapngReader::ReadInterface(core::ByteReader& body) {
  if (interfaces_.size() >= kMaxPcapngInterfaces) {
    return Fail(fmt::format("more than {} interfaces", kMaxPcapngInterfaces));
  }
  Interface iface;
  iface.link_type = body.U16(big_endian_);
  body.Skip(2);
  iface.snap_len = body.U32(big_endian_);
  uint8_t tsresol = 6;
  int64_t tsoffset = 0;
  // Options are bounded by the block; each takes at least 4 bytes. Malformed options end
  // the list without ending the file: the interface itself is usable.
  while (body.remaining() >= 4) {
    const uint16_t code = body.U16(big_endian_);
    const uint16_t len = body.U16(big_endian_);
    if (code == kOptEnd) break;
    core::ByteReader value = body.Sub(len);
    body.Skip(PadTo4(len));
    if (!value.ok()) break;
    if (code == kOptTsResol && len >= 1) tsresol = value.U8();
    if (code == kOptTsOffset && len == 8)
      tsoffset = static_cast<int64_t>(big_endian_ ? value.U64Be() : value.U64Le());
  }

  iface.max_caplen = std::max(kMaxCaptureLength, std::min(iface.snap_len, kMaxSnapLength));
  if ((tsresol & kTsResolPowerOfTwo) != 0) {
    const uint8_t shift = tsresol & 0x7f;
    if (shift == 0) {
      iface.multiplier = kNanosPerSecond;
    } else {
      iface.scale = TsScale::kShift;
      iface.shift = shift;
    }
  } else if (tsresol <= 9) {
    iface.multiplier = PowerOfTen(9u - tsresol);
  } else {
    // 10^-v seconds per unit, v > 9: units / 10^(v-9) nanoseconds; beyond 10^19 no 64-bit
    // stamp reaches a nanosecond.
    iface.scale = TsScale::kDivide;
    iface.divisor = tsresol - 9u <= 19u ? PowerOfTen(tsresol - 9u) : 0;
  }
  // Held to what frame times span, so that a stamp plus its offset cannot overflow.
  constexpr int64_t kMaxOffsetSeconds = core::kMaxFrameNs / int64_t{kNanosPerSecond};
  iface.offset_ns = std::clamp(tsoffset, -kMaxOffsetSeconds, kMaxOffsetSeconds) *
                    static_cast<int64_t>(kNanosPerSecond);
  interfaces_.push_back(iface);
  return Step::kSkip;
}

const PcapngReader::Interface* PcapngReader::FindInterface(const char* what, uint64_t id) {
  const size_t in_section = interfaces_.size() - section_first_;
  if (id >= in_section) {
    Fail(fmt::format("{}: interface {} not described (the section has {})", what, id, in_section));
    return nullptr;
  }
  return &interfaces_[section_first_ + id];
}

int64_t PcapngReader::ToNanoseconds(const Interface& iface, uint64_t units) {
  // Unsigned arithmetic; a stamp past 2^64 ns saturates.
  uint64_t ns = 0;
  switch (iface.scale) {
    case TsScale::kMultiply:
      if (__builtin_mul_overflow(units, iface.multiplier, &ns)) ns = ~uint64_t{0};
      break;
    case TsScale::kShift: {
      const Uint128 wide = (Uint128{units} * kNanosPerSecond) >> iface.shift;
      ns = wide > Uint128{~uint64_t{0}} ? ~uint64_t{0} : static_cast<uint64_t>(wide);
      break;
    }
    case TsScale::kDivide:
      ns = iface.divisor == 0 ? 0 : units / iface.divisor;
      break;
  }
  // A stamp past the latest frame time is held there, and so is the sum with the offset
  // (both within 2^62 of zero, it cannot overflow): a hostile stamp is a wrong time, never
  // one that later sums and differences of frame times overflow on.
  const auto stamp = static_cast<int64_t>(std::min<uint64_t>(ns, core::kMaxFrameNs));
  return std::clamp(stamp + iface.offset_ns, int64_t{0}, core::kMaxFrameNs);
}

PcapngReader::Step PcapngReader::Deliver(const char* what, const Interface& iface, int64_t ts_ns,
                                         uint32_t caplen, uint32_t orig_len, core::ByteReader& body,
                                         Frame& frame) {
  if (caplen > iface.max_caplen) {
    return Fail(fmt::format("{}: captured length {} exceeds the limit of {}", what, caplen,
                            iface.max_caplen));
  }
  if (caplen > body.remaining()) {
    return Fail(fmt::format("{}: captured length {} exceeds the block ({} bytes of data)", what,
                            caplen, body.remaining()));
  }
  frame.data = body.Bytes(caplen);
  frame.ts.ns = ts_ns;
  frame.link_type = iface.link_type;
  frame.orig_len = orig_len;
  frame.interface_id = static_cast<uint32_t>(&iface - interfaces_.data());
  frame.number = ++number_;
  frame.offset = pos_;  // the block's start: pos_ moves past it only after this returns
  last_ts_ns_ = ts_ns;
  return Step::kFrame;
}

PcapngReader::Step PcapngReader::ReadEnhanced(core::ByteReader& body, Frame& frame) {
  constexpr const char* kWhat = "enhanced packet block";
  const uint32_t id = body.U32(big_endian_);
  const uint64_t high = body.U32(big_endian_);
  const uint64_t low = body.U32(big_endian_);
  const uint32_t caplen = body.U32(big_endian_);
  const uint32_t orig_len = body.U32(big_endian_);
  const Interface* iface = FindInterface(kWhat, id);
  if (iface == nullptr) return Step::kStop;
  return Deliver(kWhat, *iface, ToNanoseconds(*iface, high << 32 | low), caplen, orig_len, body,
                 frame);
}

PcapngReader::Step PcapngReader::ReadSimple(core::ByteReader& body, Frame& frame) {
  constexpr const char* kWhat = "simple packet block";
  const uint32_t orig_len = body.U32(big_endian_);
  const Interface* iface = FindInterface(kWhat, 0);
  if (iface == nullptr) return Step::kStop;
  // No captured length on the wire: what the snap length and the block allow.
  uint64_t caplen = std::min<uint64_t>(orig_len, body.remaining());
  if (iface->snap_len != 0) caplen = std::min<uint64_t>(caplen, iface->snap_len);
  return Deliver(kWhat, *iface, last_ts_ns_, static_cast<uint32_t>(caplen), orig_len, body, frame);
}

PcapngReader::Step PcapngReader::ReadObsolete(core::ByteReader& body, Frame& frame) {
  constexpr const char* kWhat = "packet block";
  const uint16_t id = body.U16(big_endian_);
  body.Skip(2);  // drops count
  const uint64_t high = body.U32(big_endian_);
  const uint64_t low = body.U32(big_endian_);
  const uint32_t caplen = body.U32(big_endian_);
  const uint32_t orig_len = body.U32(big_endian_);
  const Interface* iface = FindInterface(kWhat, id);
  if (iface == nullptr) return Step::kStop;
  return Deliver(kWhat, *iface, ToNanoseconds(*iface, high << 32 | low), caplen, orig_len, body,
                 frame);
}

}  // namespace qw::capture
