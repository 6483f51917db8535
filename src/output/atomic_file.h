// Files that appear whole or not at all: written under a temporary name in the same
// folder, flushed, then renamed over the final name.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace qw::output {

/// The temporary name a final path is written under before the rename.
std::string TempPathFor(const std::string& path);
/// Writes `content` to `path` atomically (temporary file, fsync, rename).
core::Status WriteFileAtomically(const std::string& path, std::string_view content);
/// Renames a finished temporary file into place.
core::Status CommitTempFile(const std::string& temp_path, const std::string& path);

}  // namespace qw::output
