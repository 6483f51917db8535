#include "capture/capture_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "capture/mapped_bytes.h"
#include "capture/pcap_reader.h"
#include "capture/pcapng_reader.h"
#include "capture/reader_base.h"
#include "core/byte_reader.h"

namespace qw::capture {
namespace {

enum class Format { kPcap, kPcapng, kGzip, kUnknown };

Format Recognise(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  if (r.PeekU16Be() == 0x1f8b) return Format::kGzip;
  const uint32_t magic = r.U32Be();
  if (!r.ok()) return Format::kUnknown;
  switch (magic) {
    case 0xa1b2c3d4:  // microseconds, big-endian
    case 0xd4c3b2a1:  // microseconds, little-endian
    case 0xa1b23c4d:  // nanoseconds, big-endian
    case 0x4d3cb2a1:  // nanoseconds, little-endian
      return Format::kPcap;
    case 0x0a0d0d0a:  // pcapng section header block
      return Format::kPcapng;
    default:
      return Format::kUnknown;
  }
}

// "50 4b 03 04": the first bytes of a file, for saying what it is not.
std::string FirstBytes(std::span<const uint8_t> bytes) {
  std::string out;
  core::ByteReader r(bytes);
  for (size_t i = 0; i < 4 && !r.empty(); ++i) {
    out += fmt::format("{}{:02x}", i == 0 ? "" : " ", r.U8());
  }
  return out;
}

using ReaderResult = core::Result<std::unique_ptr<CaptureReader>>;

// Makes the reader for uncompressed bytes, or says why there is none.
ReaderResult OpenBytes(MappedBytes bytes, bool compressed, std::string gzip_error,
                       const std::string& name) {
  const std::span<const uint8_t> data = bytes.bytes();
  if (data.empty()) {
    return std::unique_ptr<CaptureReader>(
        new EmptyReader(std::move(bytes), compressed, std::move(gzip_error)));
  }
  switch (Recognise(data)) {
    case Format::kPcap:
      if (data.size() < kPcapHeaderSize) {
        return core::MakeError(fmt::format("{}: pcap file header truncated ({} of {} bytes)", name,
                                           data.size(), kPcapHeaderSize));
      }
      return std::unique_ptr<CaptureReader>(
          new PcapReader(std::move(bytes), compressed, std::move(gzip_error)));
    case Format::kPcapng: {
      auto reader =
          std::make_unique<PcapngReader>(std::move(bytes), compressed, std::move(gzip_error));
      if (!reader->ReadFirstSection()) {
        return core::MakeError(
            fmt::format("{}: not a valid pcapng file: {}", name, reader->error()->message));
      }
      return std::unique_ptr<CaptureReader>(std::move(reader));
    }
    case Format::kGzip:
    case Format::kUnknown:
      break;
  }
  if (compressed) {
    return core::MakeError(
        fmt::format("{}: gzip-compressed, but not a pcap or pcapng capture inside (starts with {})",
                    name, FirstBytes(data)));
  }
  return core::MakeError(fmt::format("{}: not a pcap, pcapng or gzip capture file (starts with {})",
                                     name, FirstBytes(data)));
}

// Inflates gzip bytes first when they are gzip, then makes the reader.
ReaderResult OpenMapped(MappedBytes bytes, const std::string& name) {
  if (Recognise(bytes.bytes()) != Format::kGzip)
    return OpenBytes(std::move(bytes), false, {}, name);
  auto inflated = InflateGzip(bytes.bytes(), name);
  if (!inflated) return inflated.error();
  bytes = MappedBytes();  // the compressed mapping is no longer needed
  return OpenBytes(std::move(inflated->bytes), true, std::move(inflated->error), name);
}

}  // namespace

ReaderResult OpenCaptureFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::MakeError(fmt::format("{}: {}", path, strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return core::MakeError(fmt::format("{}: {}", path, strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return core::MakeError(fmt::format("{}: not a regular file", path));
  }
  auto mapped = MappedBytes::MapFd(fd, static_cast<uint64_t>(st.st_size), path);
  ::close(fd);  // the mapping keeps the file
  if (!mapped) return mapped.error();
  return OpenMapped(std::move(*mapped), path);
}

ReaderResult OpenCaptureBuffer(std::span<const uint8_t> bytes, const std::string& name) {
  return OpenMapped(MappedBytes::Borrow(bytes), name);
}

}  // namespace qw::capture
