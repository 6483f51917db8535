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

namespace {

// Limits a few frames can exhaust.
qw::app::EngineLimits SmallLimits() {
  qw::app::EngineLimits l;
  l.decoder.max_fragment_bytes = 16 << 10;
  l.decoder.max_fragment_datagrams = 8;
  l.decoder.fragment_timeout_ns = 1'000'000'000;
  l.flows.max_flows = 64;
  l.flows.udp_idle_ns = 10'000'000'000;
  l.flows.other_idle_ns = 10'000'000'000;
  l.flows.tcp_closed_linger_ns = 1'000'000'000;
  l.flows.max_stream_buffer = 4096;
  l.flows.max_ooo_segments = 16;
  l.inventory.max_macs = 32;
  l.inventory.max_ips = 64;
  l.inventory.max_ips_per_mac = 8;
  l.inventory.max_services_per_ip = 8;
  l.inventory.max_vlans_per_device = 4;
  l.attach.max_probe_bytes = 512;
  l.attach.max_pending_bytes = 4096;
  return l;
}

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
  const qw::app::EngineLimits limits = SmallLimits();
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
