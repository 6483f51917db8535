#include "capture/pcap_writer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace qw::capture {
namespace {

constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;
constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Appends a value in the chosen byte order.
template <typename T>
void Put(uint8_t*& out, T value, bool big_endian) {
  for (size_t i = 0; i < sizeof(T); ++i) {
    const size_t shift = 8 * (big_endian ? sizeof(T) - 1 - i : i);
    *out++ = static_cast<uint8_t>(value >> shift);
  }
}

}  // namespace

PcapWriter::PcapWriter(std::string path, std::FILE* file, PcapWriterOptions options)
    : path_(std::move(path)), file_(file), options_(options) {}

PcapWriter::~PcapWriter() {
  if (!closed_) {
    // Never finished: the half-written file must not stay behind.
    std::fclose(file_);
    std::remove((path_ + ".tmp").c_str());
  }
}

core::Result<std::unique_ptr<PcapWriter>> PcapWriter::Create(const std::string& path,
                                                             PcapWriterOptions options) {
  const std::string tmp = path + ".tmp";
  std::FILE* file = std::fopen(tmp.c_str(), "wb");
  if (file == nullptr) return core::MakeError(fmt::format("{}: {}", tmp, strerror(errno)));
  std::unique_ptr<PcapWriter> writer(new PcapWriter(path, file, options));
  uint8_t header[24];
  uint8_t* out = header;
  const bool be = options.big_endian;
  Put<uint32_t>(out, options.nanosecond ? kMagicNano : kMagicMicro, be);
  Put<uint16_t>(out, 2, be);  // version 2.4
  Put<uint16_t>(out, 4, be);
  Put<uint32_t>(out, 0, be);  // thiszone
  Put<uint32_t>(out, 0, be);  // sigfigs
  Put<uint32_t>(out, options.snap_len, be);
  Put<uint32_t>(out, options.link_type, be);
  if (std::fwrite(header, sizeof header, 1, file) != 1) {
    return core::MakeError(fmt::format("{}: {}", tmp, strerror(errno)));
  }
  return writer;
}

core::Status PcapWriter::Write(core::Timestamp ts, std::span<const uint8_t> frame,
                               uint32_t orig_len) {
  const auto whole = static_cast<uint32_t>(frame.size());
  const uint32_t caplen = whole < options_.snap_len ? whole : options_.snap_len;
  if (orig_len == 0) orig_len = whole;
  int64_t sec = ts.ns / kNanosPerSecond;
  int64_t frac = ts.ns % kNanosPerSecond;
  if (frac < 0) {
    frac += kNanosPerSecond;
    sec -= 1;
  }
  if (!options_.nanosecond) frac /= 1000;
  uint8_t header[16];
  uint8_t* out = header;
  const bool be = options_.big_endian;
  Put<uint32_t>(out, static_cast<uint32_t>(sec), be);
  Put<uint32_t>(out, static_cast<uint32_t>(frac), be);
  Put<uint32_t>(out, caplen, be);
  Put<uint32_t>(out, orig_len, be);
  if (std::fwrite(header, sizeof header, 1, file_) != 1 ||
      (caplen > 0 && std::fwrite(frame.data(), caplen, 1, file_) != 1)) {
    return core::MakeError(fmt::format("{}.tmp: {}", path_, strerror(errno)));
  }
  return {};
}

core::Status PcapWriter::Close() {
  if (closed_) return {};
  closed_ = true;
  const std::string tmp = path_ + ".tmp";
  const bool flushed = std::fflush(file_) == 0;
  const int flush_errno = errno;
  if (std::fclose(file_) != 0 || !flushed) {
    std::remove(tmp.c_str());
    return core::MakeError(fmt::format("{}: {}", tmp, strerror(flushed ? errno : flush_errno)));
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    return core::MakeError(fmt::format("{}: cannot rename into place: {}", path_, strerror(err)));
  }
  return {};
}

}  // namespace qw::capture
