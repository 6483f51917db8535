#include "integrity/regular_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "core/whole_file.h"

namespace qw::integrity {

OpenFile::~OpenFile() {
  if (fd_ >= 0) ::close(fd_);
}

OpenFile::OpenFile(OpenFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)), st_(other.st_) {}

OpenFile& OpenFile::operator=(OpenFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    st_ = other.st_;
  }
  return *this;
}

core::Result<OpenFile> OpenRegularFile(const std::string& path) {
  struct stat st {};
  auto fd = core::OpenToRead(path, core::FileKinds::kRegularOnly, st);
  if (!fd) return core::MakeError(fmt::format("{}: {}", path, fd.error().message));
  return OpenFile(*fd, st);
}

size_t ReadFileAt(int fd, uint64_t offset, std::span<uint8_t> out) {
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t r =
        ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

}  // namespace qw::integrity
