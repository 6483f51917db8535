// ByteReader: the one cursor through which decode/ and dissect/ touch packet bytes.
//
// A ByteReader is a view over bytes it does not own; it and every span it hands out live
// only as long as the buffer it was made from. Every read checks bounds. A read past the
// end returns zero (or an empty span), leaves the cursor at the end and makes the reader
// fail for good, so a parser reads linearly and checks ok() once before it trusts what
// it read.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace qw::core {

/// Bounds-checked, fail-sticky cursor over a byte view (big- and little-endian reads).
class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  /// True while no read has gone past the end.
  bool ok() const { return !failed_; }
  /// Bytes not yet consumed (zero once failed).
  size_t remaining() const { return data_.size() - pos_; }
  /// Offset of the cursor from the start of the view.
  size_t position() const { return pos_; }
  /// True when nothing is left to read.
  bool empty() const { return remaining() == 0; }
  /// Marks the reader failed, as a read past the end would.
  void Fail() {
    failed_ = true;
    pos_ = data_.size();
  }

  uint8_t U8() {
    if (!Want(1)) return 0;
    return data_[pos_++];
  }
  uint16_t U16Be() { return Read<uint16_t, true>(); }
  uint16_t U16Le() { return Read<uint16_t, false>(); }
  uint32_t U24Be() {
    if (!Want(3)) return 0;
    const uint32_t v =
        uint32_t{data_[pos_]} << 16 | uint32_t{data_[pos_ + 1]} << 8 | data_[pos_ + 2];
    pos_ += 3;
    return v;
  }
  uint32_t U32Be() { return Read<uint32_t, true>(); }
  uint32_t U32Le() { return Read<uint32_t, false>(); }
  uint64_t U64Be() { return Read<uint64_t, true>(); }
  uint64_t U64Le() { return Read<uint64_t, false>(); }
  /// Reads a 16-bit value in the given byte order.
  uint16_t U16(bool big_endian) { return big_endian ? U16Be() : U16Le(); }
  /// Reads a 32-bit value in the given byte order.
  uint32_t U32(bool big_endian) { return big_endian ? U32Be() : U32Le(); }

  /// Returns a view of the next n bytes and consumes them; empty and failed if too few.
  std::span<const uint8_t> Bytes(size_t n) {
    if (!Want(n)) return {};
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  /// Returns the next n bytes as a string view (bytes kept as they are); see Bytes.
  std::string_view Chars(size_t n) {
    auto b = Bytes(n);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  /// Returns a reader over the next n bytes and consumes them: how a length field is used.
  ByteReader Sub(size_t n) {
    ByteReader sub(Bytes(n));
    if (failed_) sub.Fail();
    return sub;
  }
  /// Consumes n bytes; fails if fewer are left.
  bool Skip(size_t n) { return Want(n) && (pos_ += n, true); }
  /// Returns a view of everything left and consumes it.
  std::span<const uint8_t> Rest() {
    auto out = data_.subspan(pos_);
    pos_ = data_.size();
    return out;
  }
  /// Returns a view of everything left without consuming it.
  std::span<const uint8_t> PeekRest() const { return data_.subspan(pos_); }
  /// Returns the byte at offset off past the cursor, or 0 if there is none (never fails).
  uint8_t PeekU8(size_t off = 0) const {
    return off < remaining() ? data_[pos_ + off] : uint8_t{0};
  }
  /// Returns the big-endian 16-bit value at offset off past the cursor, or 0 (never fails).
  uint16_t PeekU16Be(size_t off = 0) const {
    if (remaining() < 2 || off > remaining() - 2) return 0;
    return static_cast<uint16_t>(data_[pos_ + off] << 8 | data_[pos_ + off + 1]);
  }

 private:
  bool Want(size_t n) {
    if (failed_ || n > remaining()) {
      Fail();
      return false;
    }
    return true;
  }
  // One load of the whole field (its width known when compiled), then its bytes put in
  // the machine's order: a loop a byte at a time cost the decoder a tenth of its work.
  template <class T, bool kBigEndian>
  T Read() {
    if (!Want(sizeof(T))) return 0;
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    if constexpr ((std::endian::native == std::endian::big) != kBigEndian) v = Swapped(v);
    return v;
  }
  template <class T>
  static T Swapped(T v) {
    if constexpr (sizeof(T) == 2) {
      return __builtin_bswap16(v);
    } else if constexpr (sizeof(T) == 4) {
      return __builtin_bswap32(v);
    } else {
      static_assert(sizeof(T) == 8);
      return __builtin_bswap64(v);
    }
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace qw::core
