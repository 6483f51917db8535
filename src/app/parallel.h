// Analysis on several threads. Flows are sharded by the symmetric hash of their VLANs and
// address pair (not ports, so that IP fragments meet their flow in one shard); each shard
// is an Engine of its own. Threads take turns reading batches of frames, decode them once
// to find their shard, and hand each shard its part; a shard processes the parts in the
// order the batches were read, so every flow sees its packets in frame order. Frames that
// are not IP (ARP, LLDP, ...) all go to shard 0. Outputs equal those of one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "app/engine.h"
#include "capture/capture_file.h"
#include "model/run_report.h"

namespace qw::app {

/// Reads every capture through `threads` shards and merges what they found.
class ParallelAnalysis {
 public:
  /// `sink` must be safe to call from several threads at once.
  ParallelAnalysis(size_t threads, EngineLimits limits, FlowRecordSink* sink);
  ~ParallelAnalysis();

  /// Runs to the end of every reader; fills the per-file parts of `report` (frames, bytes,
  /// link types, errors), in reader order.
  void Run(std::vector<std::unique_ptr<capture::CaptureReader>>& readers,
           const std::vector<std::string>& paths, model::RunReport& report);

  /// Called now and then from Run with the frames and bytes read so far.
  void SetProgress(std::function<void(uint64_t, uint64_t)> progress) {
    progress_ = std::move(progress);
  }

  /// After Run: the merged counts, anomalies and inventory.
  model::FrameCounts frame_counts() const;
  model::FlowCounts flow_counts() const;
  core::Anomalies anomalies() const;
  model::ProtocolCounter protocols() const;
  const model::Inventory& inventory() const {
    return merged_ ? *merged_ : engines_.front()->inventory();
  }

 private:
  struct State;
  void RunOneThread(std::vector<std::unique_ptr<capture::CaptureReader>>& readers,
                    model::RunReport& report);
  std::unique_ptr<State> state_;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::unique_ptr<model::Inventory> merged_;  // of several shards; one shard's is its own
  std::function<void(uint64_t, uint64_t)> progress_;
};

/// The shard of a decoded packet among n: symmetric in its two addresses.
size_t ShardOf(const decode::Packet& pkt, size_t n);

}  // namespace qw::app
