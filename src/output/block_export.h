// `analyze --export-blocks DIR`: every PLC block rebuilt from a complete transfer as a file,
// DIR/<plc-ip>/<BLOCK>.mc7 ("10.20.1.5/OB1.mc7"), for comparison with an engineering
// project's blocks. A block seen again with other content becomes OB1.2.mc7, OB1.3.mc7, ...
// in ledger order (capture, first frame), so the names are the same run after run; a block
// seen again with the same content is written once. Each file is written atomically.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "model/plc_blocks.h"

namespace qw::output {

/// The file name (without folder) the n-th distinct content (from 1) of `block` gets:
/// "OB1.mc7", "OB1.2.mc7"; characters other than letters and digits become '_'.
std::string BlockFileName(const std::string& block, size_t n);

/// Writes the complete blocks of `blocks` (those whose content the ledger kept) under
/// `dir`, creating the folders; `written` receives the number of files written.
core::Status ExportBlocks(const std::vector<model::PlcBlock>& blocks, const std::string& dir,
                          size_t& written);

}  // namespace qw::output
