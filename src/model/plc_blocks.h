// PLC program blocks seen crossing the wire: each upload or download a dissector rebuilt
// (S7comm today), with its hash and its bytes, kept for the integrity check against a
// manifest of known-good blocks and for `analyze --export-blocks`.
//
// Bounded twice, and the same whatever the thread count: the ledger keeps the first
// `max_blocks` blocks in (capture, first frame, ...) order, and the bytes of a block only
// while the bytes of every block up to and including it, in that order, stay within
// `max_content_bytes` (its hash and size are always kept). A shard applying the same rules
// to its part drops nothing that the merged ledger would keep, so shards merge to the
// ledger one thread builds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/timestamp.h"
#include "dissect/observation.h"

namespace qw::model {

/// One block transfer as the outputs show it. The content is shared and immutable: copies
/// of the ledger (shard merges, the run report) do not copy block bytes.
struct PlcBlock {
  std::string protocol;   // "s7comm"
  std::string direction;  // "upload" (from the PLC) or "download" (into it)
  core::IpAddr plc_ip, peer_ip;
  uint16_t plc_port = 0, peer_port = 0;
  core::MacAddr plc_mac, peer_mac;  // zero when unknown
  uint16_t vlan = 0;
  std::string block;       // "OB1", "FC12", "DB100"
  std::string block_type;  // "OB", "FC", "DB", ...
  uint32_t block_number = 0;
  uint64_t size = 0;      // bytes rebuilt
  std::string sha256;     // hex, of the bytes rebuilt
  bool complete = false;  // see dissect::BlockTransferObservation::complete
  uint32_t capture_index = 0;
  uint64_t flow_id = 0;
  uint64_t first_frame = 0, last_frame = 0;
  core::Timestamp first_ts, last_ts;
  /// The bytes rebuilt; null when the ledger's content cap dropped them.
  std::shared_ptr<const std::vector<uint8_t>> content;
};

/// Bounds of the block ledger.
struct PlcBlockLimits {
  size_t max_blocks = 10'000;
  uint64_t max_content_bytes = 256ull << 20;
};

/// The block transfers of a run, in (capture, first frame, ...) order.
class PlcBlockLedger {
 public:
  explicit PlcBlockLedger(PlcBlockLimits limits = {}) : limits_(limits) {}
  /// Records one transfer (copying its bytes).
  void Add(const dissect::BlockTransferObservation& transfer);
  /// Adds another ledger's blocks (per-thread shards); order-independent.
  void Merge(const PlcBlockLedger& other);
  /// The blocks kept, in order.
  const std::vector<PlcBlock>& blocks() const { return blocks_; }
  /// Transfers recorded but not kept (past max_blocks).
  uint64_t dropped() const { return seen_ - blocks_.size(); }
  /// Blocks kept without their bytes (past max_content_bytes).
  uint64_t content_dropped() const;

 private:
  void Insert(PlcBlock block);
  // Drops what the caps no longer allow.
  void Trim();

  PlcBlockLimits limits_;
  std::vector<PlcBlock> blocks_;
  uint64_t seen_ = 0;  // transfers recorded, kept or not
};

/// True when `a` comes before `b` in ledger order: capture, first frame, last frame, flow,
/// direction, block, hash.
bool PlcBlockBefore(const PlcBlock& a, const PlcBlock& b);

}  // namespace qw::model
