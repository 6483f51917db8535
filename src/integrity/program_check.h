// Program integrity from traffic: the PLC blocks rebuilt from S7comm uploads and downloads,
// compared with a signed manifest of known-good blocks (`analyze --export-blocks`, then
// `integrity baseline`), raising `integrity.program_mismatch` with the frames of the
// transfer.
#pragma once

#include <string>
#include <vector>

#include "integrity/manifest.h"
#include "model/plc_blocks.h"
#include "policy/findings.h"
#include "policy/zones.h"

namespace qw::integrity {

/// The finding type this check raises.
inline constexpr char kProgramMismatch[] = "integrity.program_mismatch";

/// What the comparison covered, for the summary.
struct ProgramCheckCounts {
  uint64_t compared = 0;     // complete blocks of PLCs the manifest covers
  uint64_t matched = 0;      // ... whose hash is a known-good one
  uint64_t mismatched = 0;   // ... whose hash differs, or that the manifest lacks
  uint64_t incomplete = 0;   // transfers not seen whole: not judged
  uint64_t not_covered = 0;  // complete blocks of PLCs the manifest has no block of
  uint64_t duplicates = 0;   // the same transfer seen again (mirrored on two VLANs, routed)
};

/// Seconds within which the same block, hash, PLC, peer and direction seen again is one
/// transfer seen twice (a SPAN port that mirrors two VLANs, a routed path), not two.
inline constexpr int64_t kDuplicateTransferSeconds = 1;

/// Compares every complete block transfer with the manifest's plc-block items (matched by
/// the PLC's address and the block's name; several known-good versions of a block may be
/// listed) and adds a finding for each block whose hash is not a known-good one, including
/// blocks the manifest lacks on a PLC it covers; a transfer seen twice counts once. `zones`, when
/// given, names each side's zone; `manifest_path` goes into the finding's detail.
ProgramCheckCounts CheckProgramBlocks(const Manifest& known_good, const std::string& manifest_path,
                                      const std::vector<model::PlcBlock>& blocks,
                                      const policy::ZoneMap* zones, policy::FindingSet& findings);

}  // namespace qw::integrity
