// Files that appear whole or not at all: written under a temporary name in the same
// folder, flushed, then renamed over the final name.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace qw::output {

/// A file written in pieces under its temporary name and renamed into place by Commit, for
/// outputs too large to hold whole in memory; one never committed is removed.
class AtomicFileWriter {
 public:
  /// Creates the temporary file of `path`.
  static core::Result<std::unique_ptr<AtomicFileWriter>> Create(const std::string& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  /// Adds `bytes` at the end (gathered, and written a megabyte at a time).
  core::Status Append(std::string_view bytes);
  /// Writes what is gathered, flushes the file to disk and renames it to its final path.
  core::Status Commit();

 private:
  AtomicFileWriter(std::string path, int fd);
  // Writes `bytes` to the file now; on failure closes and removes it.
  core::Status Write(std::string_view bytes);
  // Closes and removes the temporary file and says why, after an error.
  core::Status Fail();
  std::string path_, tmp_;
  int fd_;
  std::string pending_;
};

/// The temporary name a final path is written under before the rename.
std::string TempPathFor(const std::string& path);
/// Writes `content` to `path` atomically (temporary file, fsync, rename).
core::Status WriteFileAtomically(const std::string& path, std::string_view content);
/// Renames a finished temporary file into place.
core::Status CommitTempFile(const std::string& temp_path, const std::string& path);

}  // namespace qw::output
