// The analysis engine: frames in, RunReport and flow rows out. It wires the layers in the
// order of docs/architecture.md: decode, frame dissectors, inventory, flows (with stream
// dissectors attached to them), and counts what each frame held as tshark would.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "capture/frame.h"
#include "core/anomalies.h"
#include "decode/decoder.h"
#include "dissect/stream_attacher.h"
#include "flow/flow_table.h"
#include "model/inventory.h"
#include "model/run_report.h"

namespace qw::app {

/// Receives every flow as it ends (the SQLite store, in production).
class FlowRecordSink {
 public:
  virtual ~FlowRecordSink() = default;
  /// One ended flow; false stops the run (the sink failed and said why in error()).
  virtual bool OnFlowRecord(const model::FlowRecord& record) = 0;
};

/// Bounds of every stage, from the command line.
struct EngineLimits {
  decode::DecoderLimits decoder;
  flow::FlowLimits flows;
  model::InventoryLimits inventory;
  dissect::AttachLimits attach;
};

/// Processes frames of one or more captures, in order, on one thread.
class Engine final : public flow::FlowObserver {
 public:
  Engine(EngineLimits limits, FlowRecordSink* sink);
  ~Engine() override;

  /// Processes one frame of the capture file with index `capture_index`.
  void OnFrame(const capture::Frame& frame, uint32_t capture_index);
  /// Processes a frame another decoder already decoded (without reassembly: fragments
  /// must come through OnFrame, whose decoder reassembles).
  void OnDecoded(const capture::Frame& frame, uint32_t capture_index, const decode::Packet& pkt);
  /// Lets flows idle since before `now` end, as a packet of that time would.
  void AdvanceTo(core::Timestamp now);
  /// Ends every flow still open (end of input) and returns what the run found so far.
  void Finish();

  const model::FrameCounts& frame_counts() const { return counts_; }
  model::FlowCounts flow_counts() const;
  const core::Anomalies& anomalies() const { return anomalies_; }
  const model::Inventory& inventory() const { return inventory_; }

 private:
  void OnNewFlow(flow::Flow& flow) override;
  void OnFlowEnd(flow::Flow& flow, flow::EndReason reason) override;
  void Count(const decode::Packet& pkt);

  EngineLimits limits_;
  FlowRecordSink* sink_;
  core::Anomalies anomalies_;
  decode::Decoder decoder_;
  decode::Packet pkt_;
  model::Inventory inventory_;
  model::FrameCounts counts_;
  dissect::AttachStats attach_stats_;
  std::unique_ptr<flow::FlowTable> flows_;
  uint64_t flows_by_proto_[3] = {0, 0, 0};  // tcp, udp, other
};

/// Text name of a flow's TCP state, as the flows table stores it.
const char* TcpStateName(flow::TcpState state);
/// Text name of why a flow ended.
const char* EndReasonName(flow::EndReason reason);

}  // namespace qw::app
