#include "capture/mapped_bytes.h"

#define ZLIB_CONST
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace qw::capture {
namespace {

// Output is written to the temporary file in pieces of this size.
constexpr size_t kInflateChunk = 256 * 1024;
// zlib counts input in 32-bit units, so larger inputs are fed in slices.
constexpr size_t kMaxInflateInput = size_t{1} << 30;

// Closes a descriptor when it goes out of scope.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

// Writes all of `bytes`, retrying short writes; false with errno set on failure.
bool WriteAll(int fd, const uint8_t* bytes, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, bytes, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Makes a temporary file in $TMPDIR (or /tmp) and unlinks it at once, so it vanishes with
// the last descriptor or mapping.
core::Result<int> MakeUnlinkedTempFile(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  if (dir == nullptr || *dir == '\0') dir = "/tmp";
  std::string templ = std::string(dir) + "/quaywatch-inflate-XXXXXX";
  int fd = ::mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0) {
    return core::MakeError(
        fmt::format("{}: cannot create a temporary file in {}: {}", name, dir, strerror(errno)));
  }
  ::unlink(templ.c_str());
  return fd;
}

}  // namespace

MappedBytes::~MappedBytes() {
  if (map_ != nullptr) ::munmap(map_, map_len_);
}

MappedBytes::MappedBytes(MappedBytes&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)),
      map_len_(std::exchange(other.map_len_, 0)),
      bytes_(std::exchange(other.bytes_, {})) {}

MappedBytes& MappedBytes::operator=(MappedBytes&& other) noexcept {
  if (this != &other) {
    if (map_ != nullptr) ::munmap(map_, map_len_);
    map_ = std::exchange(other.map_, nullptr);
    map_len_ = std::exchange(other.map_len_, 0);
    bytes_ = std::exchange(other.bytes_, {});
  }
  return *this;
}

MappedBytes MappedBytes::Borrow(std::span<const uint8_t> bytes) {
  MappedBytes out;
  out.bytes_ = bytes;
  return out;
}

core::Result<MappedBytes> MappedBytes::MapFd(int fd, uint64_t size, const std::string& name) {
  MappedBytes out;
  if (size == 0) return out;
  if (size > SIZE_MAX) return core::MakeError(fmt::format("{}: too large to map", name));
  const auto len = static_cast<size_t>(size);
  void* map = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) return core::MakeError(fmt::format("{}: mmap: {}", name, strerror(errno)));
  ::madvise(map, len, MADV_SEQUENTIAL);
  out.map_ = map;
  out.map_len_ = len;
  out.bytes_ = {static_cast<const uint8_t*>(map), len};
  return out;
}

core::Result<Inflated> InflateGzip(std::span<const uint8_t> gz, const std::string& name) {
  auto fd_or = MakeUnlinkedTempFile(name);
  if (!fd_or) return fd_or.error();
  FdCloser closer{*fd_or};

  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header and trailer, not a raw zlib stream.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return core::MakeError(fmt::format("{}: cannot initialise zlib", name));
  }
  std::vector<uint8_t> out(kInflateChunk);
  std::string error;
  size_t in_pos = 0;
  uint64_t written = 0;
  for (;;) {
    const size_t slice = std::min(gz.size() - in_pos, kMaxInflateInput);
    zs.next_in = gz.data() + in_pos;
    zs.avail_in = static_cast<uInt>(slice);
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_NO_FLUSH);
    in_pos += slice - zs.avail_in;
    const size_t produced = out.size() - zs.avail_out;
    if (produced > 0) {
      if (!WriteAll(closer.fd, out.data(), produced)) {
        const int err = errno;
        inflateEnd(&zs);
        return core::MakeError(
            fmt::format("{}: writing inflated data to a temporary file: {}", name, strerror(err)));
      }
      written += produced;
    }
    if (rc == Z_STREAM_END) {
      // Another member may follow (as `cat a.gz b.gz` makes); anything else after the
      // last member is ignored, as gzip itself does.
      const size_t left = gz.size() - in_pos;
      if (left >= 2 && gz[in_pos] == 0x1f && gz[in_pos + 1] == 0x8b) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && in_pos == gz.size()) {
      error = fmt::format("gzip data ends early, after {} compressed bytes", in_pos);
      break;
    }
    error = fmt::format("corrupt gzip data at compressed offset {}: {}", in_pos,
                        zs.msg != nullptr ? zs.msg : zError(rc));
    break;
  }
  inflateEnd(&zs);

  if (written == 0 && !error.empty()) return core::MakeError(fmt::format("{}: {}", name, error));
  auto mapped = MappedBytes::MapFd(closer.fd, written, name);
  if (!mapped) return mapped.error();
  return Inflated{std::move(*mapped), std::move(error)};
}

}  // namespace qw::capture

namespace qw::capture {

void MappedBytes::ReleaseBefore(size_t offset) {
  if (!map_) return;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  size_t end = std::min(offset, map_len_) / page * page;
  if (end <= released_) return;
  // A private read-only mapping of a file: dropped pages are read again if ever touched.
  ::madvise(static_cast<uint8_t*>(map_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

}  // namespace qw::capture
