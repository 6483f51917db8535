#include "output/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace qw::output {

std::string TempPathFor(const std::string& path) { return path + ".tmp"; }

core::Status WriteFileAtomically(const std::string& path, std::string_view content) {
  std::string tmp = TempPathFor(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return core::MakeError(tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string msg = tmp + ": " + std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return core::MakeError(msg);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string msg = tmp + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return core::MakeError(msg);
  }
  return CommitTempFile(tmp, path);
}

core::Status CommitTempFile(const std::string& temp_path, const std::string& path) {
  if (std::rename(temp_path.c_str(), path.c_str()) != 0) {
    return core::MakeError(path + ": cannot rename from " + temp_path + ": " +
                           std::strerror(errno));
  }
  return {};
}

}  // namespace qw::output
