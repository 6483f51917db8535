#include "model/plc_blocks.h"

#include <algorithm>
#include <tuple>

namespace qw::model {

bool PlcBlockBefore(const PlcBlock& a, const PlcBlock& b) {
  return std::tie(a.capture_index, a.first_frame, a.last_frame, a.flow_id, a.direction,
                  a.block_type, a.block_number, a.sha256,
                  a.size) < std::tie(b.capture_index, b.first_frame, b.last_frame, b.flow_id,
                                     b.direction, b.block_type, b.block_number, b.sha256, b.size);
}

void PlcBlockLedger::Add(const dissect::BlockTransferObservation& t) {
  PlcBlock b;
  b.protocol = t.protocol;
  b.direction = t.direction;
  b.plc_ip = t.plc_ip;
  b.peer_ip = t.peer_ip;
  b.plc_port = t.plc_port;
  b.peer_port = t.peer_port;
  b.plc_mac = t.plc_mac;
  b.peer_mac = t.peer_mac;
  b.vlan = t.vlan;
  b.block = t.block.view();
  b.block_type = t.block_type.view();
  b.block_number = t.block_number;
  b.size = t.size;
  b.sha256 = t.sha256.view();
  b.complete = t.complete;
  b.capture_index = t.capture_index;
  b.flow_id = t.flow_id;
  b.first_frame = t.first_frame;
  b.last_frame = t.last_frame;
  b.first_ts = t.first_ts;
  b.last_ts = t.last_ts;
  b.content = std::make_shared<const std::vector<uint8_t>>(t.bytes);
  ++seen_;
  Insert(std::move(b));
  Trim();
}

void PlcBlockLedger::Merge(const PlcBlockLedger& other) {
  seen_ += other.seen_;
  for (const auto& b : other.blocks_) Insert(b);
  Trim();
}

void PlcBlockLedger::Insert(PlcBlock block) {
  auto at = std::upper_bound(blocks_.begin(), blocks_.end(), block, PlcBlockBefore);
  blocks_.insert(at, std::move(block));
}

void PlcBlockLedger::Trim() {
  if (blocks_.size() > limits_.max_blocks) blocks_.resize(limits_.max_blocks);
  // Counted over every block up to this one, with or without its bytes, so that a block's
  // bytes are kept or not by its place in the order alone.
  uint64_t total = 0;
  for (auto& b : blocks_) {
    total += b.size;
    if (total > limits_.max_content_bytes) b.content.reset();
  }
}

uint64_t PlcBlockLedger::content_dropped() const {
  return static_cast<uint64_t>(
      std::count_if(blocks_.begin(), blocks_.end(), [](const PlcBlock& b) { return !b.content; }));
}

}  // namespace qw::model
