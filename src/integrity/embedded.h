// The transfer gate's built-in YARA rules (src/integrity/rules/*.yar), built into the binary
// by cmake/embed_files.cmake. They are stored masked and restored on first use: the rules
// hold the very strings they look for, and a binary holding them as such would match them.
#pragma once

#include <string_view>
#include <vector>

namespace qw::integrity {

/// The text of a built-in rule file by its base name ("ics_malware.yar"); empty when there
/// is no such file. The view lives until the process ends.
std::string_view EmbeddedFile(std::string_view name);
/// The base names of every built-in rule file, in name order.
std::vector<std::string_view> EmbeddedFileNames();

}  // namespace qw::integrity
