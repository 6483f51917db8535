#include "core/whole_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace qw::core {
namespace {

// Closes a descriptor when the reading is done, however it ends.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

std::string Reason(const char* doing, int error) {
  return std::string(doing) + ": " + std::strerror(error);
}

// "4 MiB", "1 KiB", "1000 octets".
std::string Size(uint64_t n) {
  if (n >= (1u << 20) && n % (1u << 20) == 0) return std::to_string(n >> 20) + " MiB";
  if (n >= 1024 && n % 1024 == 0) return std::to_string(n >> 10) + " KiB";
  return std::to_string(n) + " octets";
}

}  // namespace

Result<int> OpenToRead(const std::string& path, FileKinds kinds, struct stat& status) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the flag is cleared below.
  Descriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
  if (file.fd < 0) return MakeError(Reason("cannot open", errno));
  if (::fstat(file.fd, &status) != 0) return MakeError(Reason("cannot stat", errno));
  const bool stream = S_ISFIFO(status.st_mode) || S_ISCHR(status.st_mode);
  if (!S_ISREG(status.st_mode) && !(stream && kinds == FileKinds::kStreamsToo)) {
    return MakeError("not a regular file");
  }
  ::fcntl(file.fd, F_SETFL, ::fcntl(file.fd, F_GETFL) & ~O_NONBLOCK);
  return std::exchange(file.fd, -1);
}

Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_bytes,
                                  std::string_view what, FileKinds kinds, struct stat* status) {
  max_bytes = std::min<uint64_t>(max_bytes, uint64_t{1} << 40);  // so that max_bytes + 1 fits
  struct stat st {};
  auto opened = OpenToRead(path, kinds, st);
  if (!opened) return opened.error();
  Descriptor file{*opened};
  if (status) *status = st;
  const bool regular = S_ISREG(st.st_mode);
  auto too_large = [&] {
    return MakeError("larger than " + Size(max_bytes) + "; not a " + std::string(what));
  };
  if (regular && static_cast<uint64_t>(st.st_size) > max_bytes) return too_large();
  // A regular file's size is known; a stream's grows by reads, up to one octet past the
  // bound so that a longer one is told apart from one of exactly `max_bytes`.
  std::string text;
  text.resize(regular ? static_cast<size_t>(st.st_size) : 0);
  size_t got = 0;
  for (;;) {
    if (got == text.size()) {
      if (got > max_bytes) return too_large();
      const size_t step = regular ? 4096 : 65536;
      text.resize(static_cast<size_t>(std::min<uint64_t>(got + step, max_bytes + 1)));
    }
    const ssize_t n = ::read(file.fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return MakeError(Reason("cannot read", errno));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max_bytes) return too_large();
  text.resize(got);
  return text;
}

}  // namespace qw::core
