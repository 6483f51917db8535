// Microbenchmarks of the flow table: packets per second through FlowTable::Process on a
// synthetic mix of concurrent TCP and UDP flows, visited round robin.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "flow/flow_table.h"

namespace qw::flow {
namespace {

// Takes every stream byte and keeps a checksum, so delivery cannot be optimised away.
class CountingConsumer : public StreamConsumer {
 public:
  void OnData(Direction, std::span<const uint8_t> bytes, uint64_t, core::Timestamp) override {
    sum_ += bytes.size();
  }
  void OnGap(Direction, uint64_t n) override { sum_ += n; }
  void OnEnd(EndReason) override {}
  bool WantsData() const override { return true; }
  uint64_t sum() const { return sum_; }

 private:
  uint64_t sum_ = 0;
};

class Observer : public FlowObserver {
 public:
  explicit Observer(bool attach) : attach_(attach) {}
  void OnNewFlow(Flow& f) override {
    if (attach_) f.consumer = std::make_unique<CountingConsumer>();
  }

 private:
  bool attach_;
};

// Packets of `flows` concurrent conversations, half TCP and half UDP, each direction in
// turn; TCP sequence numbers advance so that the reassembler sees in-order data.
struct Mix {
  std::vector<decode::Packet> packets;
  std::vector<uint8_t> payload = std::vector<uint8_t>(200, 0x5a);

  explicit Mix(uint32_t flows) {
    for (uint32_t i = 0; i < flows; ++i) {
      decode::Packet p;
      p.has_mac = true;
      p.l3 = decode::L3::kIpv4;
      p.src_ip = core::IpAddr::V4(0x0a000000u + i);
      p.dst_ip = core::IpAddr::V4(0xc0a80001u + (i % 16));
      p.src_port = static_cast<uint16_t>(1024 + i % 60000);
      p.dst_port = i % 2 == 0 ? 502 : 161;
      p.ip_proto = i % 2 == 0 ? 6 : 17;
      p.l4 = i % 2 == 0 ? decode::L4::kTcp : decode::L4::kUdp;
      p.tcp_flags = decode::kAck | decode::kPsh;
      p.payload = payload;
      p.frame_len = 254;
      packets.push_back(p);
      std::swap(p.src_ip, p.dst_ip);
      std::swap(p.src_port, p.dst_port);
      packets.push_back(p);
    }
  }
};

void BM_FlowTableProcess(benchmark::State& state) {
  const auto flows = static_cast<uint32_t>(state.range(0));
  const bool attach = state.range(1) != 0;
  Mix mix(flows);
  Observer observer(attach);
  FlowTable table(FlowLimits{}, observer);
  core::Anomalies anomalies;
  int64_t ns = 1'700'000'000'000'000'000;
  uint64_t frame = 0;
  size_t i = 0;
  for (auto _ : state) {
    decode::Packet& p = mix.packets[i];
    p.tcp_seq += static_cast<uint32_t>(p.payload.size());  // next in-order segment
    ns += 1000;
    FlowUpdate u = table.Process(p, core::Timestamp{ns}, 0, ++frame, anomalies);
    benchmark::DoNotOptimize(u.flow);
    if (++i == mix.packets.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["live_flows"] = static_cast<double>(table.stats().live);
}
BENCHMARK(BM_FlowTableProcess)
    ->ArgNames({"flows", "stream"})
    ->Args({1000, 0})
    ->Args({50000, 0})
    ->Args({50000, 1})
    ->Args({500000, 0});

void BM_FlowTableChurn(benchmark::State& state) {
  // Every packet a new flow, in a table kept full: the cost of eviction.
  FlowLimits limits;
  limits.max_flows = 10'000;
  Observer observer(false);
  FlowTable table(limits, observer);
  core::Anomalies anomalies;
  decode::Packet p;
  p.l3 = decode::L3::kIpv4;
  p.l4 = decode::L4::kUdp;
  p.ip_proto = 17;
  p.dst_ip = core::IpAddr::V4(0xc0a80001u);
  p.dst_port = 53;
  uint32_t n = 0;
  for (auto _ : state) {
    p.src_ip = core::IpAddr::V4(0x0a000000u + (n >> 16));
    p.src_port = static_cast<uint16_t>(n);
    ++n;
    benchmark::DoNotOptimize(table.Process(p, core::Timestamp{n}, 0, n, anomalies).flow);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_FlowTableChurn);

}  // namespace
}  // namespace qw::flow

BENCHMARK_MAIN();
