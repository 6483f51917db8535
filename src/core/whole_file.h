// Reading a whole file that a person hands quaywatch (a site policy, a baseline, a key, a
// signed document, a configuration, a vendor registry) the same way everywhere: bounded,
// never a directory, and with one reason when it cannot be read.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace qw::core {

/// Which files ReadWholeFile takes besides regular ones.
enum class FileKinds {
  kRegularOnly,  // keys, signed documents, configurations: what sits on disk
  kStreamsToo,   // also a pipe (`--policy <(make-policy)`), a FIFO or a character device
};

/// Opens `path` read-only, without waiting for a FIFO's writer, and refuses what `kinds`
/// does not take; the descriptor (blocking again, the caller's to close) with its status in
/// `status`, or the reason alone: "cannot open: ...", "cannot stat: ...", "not a regular
/// file".
Result<int> OpenToRead(const std::string& path, FileKinds kinds, struct stat& status);

/// The whole of `path`, at most `max_bytes` octets; `what` names such a file ("site
/// policy"). The error is the reason only, for the caller to put after the file's name
/// (and place): "cannot open: No such file or directory", "not a regular file", "larger
/// than 4 MiB; not a site policy", "cannot read: Input/output error". `status`, when
/// given, receives the status of the very file read (its mode, for a key's permissions).
Result<std::string> ReadWholeFile(const std::string& path, uint64_t max_bytes,
                                  std::string_view what, FileKinds kinds,
                                  struct stat* status = nullptr);

}  // namespace qw::core
