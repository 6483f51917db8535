#include "output/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace qw::output {

std::string TempPathFor(const std::string& path) { return path + ".tmp"; }

namespace {
// What AtomicFileWriter gathers before it writes.
constexpr size_t kWriteChunk = 1 << 20;
}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path, int fd)
    : path_(std::move(path)), tmp_(TempPathFor(path_)), fd_(fd) {}

core::Result<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Create(const std::string& path) {
  const std::string tmp = TempPathFor(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return core::MakeError(tmp + ": " + std::strerror(errno));
  return std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(path, fd));
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

core::Status AtomicFileWriter::Fail() {
  std::string msg = tmp_ + ": " + std::strerror(errno);
  ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_.c_str());
  return core::MakeError(msg);
}

core::Status AtomicFileWriter::Write(std::string_view bytes) {
  if (fd_ < 0) return core::MakeError(tmp_ + ": already closed");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail();
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

core::Status AtomicFileWriter::Append(std::string_view bytes) {
  if (pending_.size() + bytes.size() < kWriteChunk) {
    pending_.append(bytes);
    return {};
  }
  if (auto s = Write(pending_); !s) return s;
  pending_.clear();
  if (bytes.size() >= kWriteChunk) return Write(bytes);
  pending_.append(bytes);
  return {};
}

core::Status AtomicFileWriter::Commit() {
  if (auto s = Write(pending_); !s) return s;
  pending_.clear();
  if (::fsync(fd_) != 0) return Fail();
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    std::string msg = tmp_ + ": " + std::strerror(errno);
    ::unlink(tmp_.c_str());
    return core::MakeError(msg);
  }
  return CommitTempFile(tmp_, path_);
}

core::Status WriteFileAtomically(const std::string& path, std::string_view content) {
  auto file = AtomicFileWriter::Create(path);
  if (!file) return core::MakeError(file.error().message);
  if (auto s = (*file)->Append(content); !s) return s;
  return (*file)->Commit();
}

core::Status CommitTempFile(const std::string& temp_path, const std::string& path) {
  if (std::rename(temp_path.c_str(), path.c_str()) != 0) {
    return core::MakeError(path + ": cannot rename from " + temp_path + ": " +
                           std::strerror(errno));
  }
  return {};
}

}  // namespace qw::output
