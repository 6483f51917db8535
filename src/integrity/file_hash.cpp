#include "integrity/file_hash.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <span>

#include "integrity/regular_file.h"

namespace qw::integrity {
namespace {

int64_t Nanos(const struct timespec& t) { return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; }

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_size == b.st_size && Nanos(a.st_mtim) == Nanos(b.st_mtim) &&
         Nanos(a.st_ctim) == Nanos(b.st_ctim) && a.st_ino == b.st_ino;
}

}  // namespace

core::Result<FileDigest> HashFile(const std::string& path,
                                  const std::function<void()>& after_chunk) {
  auto f = OpenRegularFile(path);
  if (!f) return f.error();
  const struct stat before = f->status();
  ::posix_fadvise(f->fd(), 0, 0, POSIX_FADV_SEQUENTIAL);

  auto buffer = std::make_unique<uint8_t[]>(kHashChunkBytes);
  core::Sha256Stream hash;
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(f->fd(), buffer.get(), kHashChunkBytes);
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::MakeError(
          fmt::format("{}: read failed at octet {}: {}", path, total, std::strerror(errno)));
    }
    if (n == 0) break;
    hash.Update(std::span<const uint8_t>(buffer.get(), static_cast<size_t>(n)));
    total += static_cast<uint64_t>(n);
    if (after_chunk) after_chunk();
  }
  struct stat after {};
  if (::fstat(f->fd(), &after) != 0) {
    return core::MakeError(fmt::format("{}: cannot stat: {}", path, std::strerror(errno)));
  }
  if (!SameFile(before, after) || total != static_cast<uint64_t>(before.st_size)) {
    return core::MakeError(fmt::format(
        "{}: changed while it was hashed ({} octets when opened, {} read, {} now); hash it "
        "again when nothing writes to it",
        path, before.st_size, total, after.st_size));
  }
  FileDigest d;
  d.size = total;
  d.sha256 = hash.Finish();
  d.mtime_ns = Nanos(before.st_mtim);
  return d;
}

}  // namespace qw::integrity
