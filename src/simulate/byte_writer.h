// ByteWriter: the cursor through which the simulator writes frames and payloads into a
// buffer it does not own. A write that would pass the end writes nothing and marks the
// writer failed; since every size here is ours, that is a bug, which ok() lets tests see.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace qw::simulate {

/// Bounds-checked, fail-sticky writer over a byte buffer (big- and little-endian).
class ByteWriter {
 public:
  explicit ByteWriter(std::span<uint8_t> out) : out_(out) {}

  bool ok() const { return ok_; }
  /// Bytes written so far.
  size_t size() const { return pos_; }
  /// Room left.
  size_t remaining() const { return out_.size() - pos_; }
  /// The bytes written so far.
  std::span<uint8_t> written() const { return out_.first(pos_); }

  void U8(uint8_t v) {
    if (Want(1)) out_[pos_++] = v;
  }
  void U16(uint16_t v) { Be(v, 2); }
  void U24(uint32_t v) { Be(v, 3); }
  void U32(uint32_t v) { Be(v, 4); }
  void U64(uint64_t v) { Be(v, 8); }
  void U16Le(uint16_t v) { Le(v, 2); }
  void U32Le(uint32_t v) { Le(v, 4); }
  void U64Le(uint64_t v) { Le(v, 8); }
  void Bytes(std::span<const uint8_t> bytes) {
    if (!Want(bytes.size()) || bytes.empty()) return;
    std::memcpy(out_.data() + pos_, bytes.data(), bytes.size());
    pos_ += bytes.size();
  }
  void Str(std::string_view text) {
    Bytes({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  }
  void Fill(size_t n, uint8_t value) {
    if (!Want(n) || n == 0) return;
    std::memset(out_.data() + pos_, value, n);
    pos_ += n;
  }
  /// Overwrites `n` bytes big-endian at an earlier offset (length fields known only later).
  void PatchBe(size_t at, uint64_t v, size_t n) {
    if (at + n > pos_) {
      ok_ = false;
      return;
    }
    for (size_t i = 0; i < n; ++i) out_[at + i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
  }
  /// Overwrites `n` bytes little-endian at an earlier offset.
  void PatchLe(size_t at, uint64_t v, size_t n) {
    if (at + n > pos_) {
      ok_ = false;
      return;
    }
    for (size_t i = 0; i < n; ++i) out_[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }

 private:
  bool Want(size_t n) {
    if (ok_ && n <= remaining()) return true;
    ok_ = false;
    return false;
  }
  void Be(uint64_t v, size_t n) {
    if (!Want(n)) return;
    for (size_t i = 0; i < n; ++i) out_[pos_ + i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
    pos_ += n;
  }
  void Le(uint64_t v, size_t n) {
    if (!Want(n)) return;
    for (size_t i = 0; i < n; ++i) out_[pos_ + i] = static_cast<uint8_t>(v >> (8 * i));
    pos_ += n;
  }

  std::span<uint8_t> out_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace qw::simulate
