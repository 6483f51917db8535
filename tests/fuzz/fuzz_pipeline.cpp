// Fuzz target: the whole pipeline. Any bytes are read as a capture file (pcap, pcapng, or
// either gzip-compressed), every frame goes through the Engine (decode, frame dissectors,
// flows with their stream dissectors, inventory), and the inventory is finalised. The limits
// are small so that every cap (flow eviction, fragment eviction, full tables) is reached by
// inputs of a few kilobytes; the bounds the caps promise are checked afterwards.
#include <cstddef>
#include <cstdint>
#include <span>

#include "app/engine.h"
#include "capture/capture_file.h"
#include "model/vendor_db.h"
#include "pipeline_limits.h"

namespace {

// Counts the ended flows and checks each record is whole.
class CountingSink final : public qw::app::FlowRecordSink {
 public:
  bool OnFlowRecord(const qw::model::FlowRecord& record) override {
    if (record.packets_from_initiator + record.packets_from_responder == 0) __builtin_trap();
    if (record.last_ts < record.first_ts) __builtin_trap();
    ++records_;
    return true;
  }
  uint64_t records() const { return records_; }

 private:
  uint64_t records_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = qw::capture::OpenCaptureBuffer(std::span<const uint8_t>(data, size), "fuzz");
  if (!reader.ok()) return 0;
  const qw::app::EngineLimits limits = qw::fuzz::SmallPipelineLimits();
  CountingSink sink;
  qw::app::Engine engine(limits, &sink);
  qw::capture::Frame frame;
  while ((*reader)->Next(frame)) engine.OnFrame(frame, 0);
  engine.Finish();

  const auto flows = engine.flow_counts();
  if (flows.peak_live > limits.flows.max_flows) __builtin_trap();
  if (flows.tcp + flows.udp + flows.other != sink.records()) __builtin_trap();
  if (flows.evicted > 0 && engine.anomalies().Count("flow.evicted") != flows.evicted) {
    __builtin_trap();
  }
  const auto assets = engine.inventory().Finalize(qw::model::VendorDb{});
  // One asset per MAC kept, plus one per IP seen behind no MAC of its own.
  if (assets.size() > limits.inventory.max_macs + limits.inventory.max_ips) __builtin_trap();
  for (const auto& a : assets) {
    if (a.last_ts < a.first_ts) __builtin_trap();
  }
  return 0;
}
