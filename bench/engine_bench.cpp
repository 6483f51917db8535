// Benchmark of the whole analysis engine: frames per second through app::Engine::OnFrame
// (decode, frame dissectors, inventory, flows, stream dissectors), without any output sink.
// The input is a simulated port-terminal capture of kPackets frames, made once at setup in a
// temporary file and copied into memory, so the figure leaves out reading the file.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "app/engine.h"
#include "capture/capture_file.h"
#include "capture/frame.h"
#include "simulate/simulate.h"

namespace qw::app {
namespace {

constexpr uint64_t kPackets = 50'000;

// The frames of the simulated capture, owned: `frames[i].data` views into `bytes`.
struct SimulatedFrames {
  std::vector<uint8_t> bytes;
  std::vector<capture::Frame> frames;
  std::string error;  // set when the capture could not be made or read

  SimulatedFrames() {
    const char* tmp = std::getenv("TMPDIR");
    std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/qw_engine_bench_" +
                       std::to_string(::getpid()) + ".pcap";
    simulate::SimulateOptions options;
    options.seed = 1;
    options.packets = kPackets;
    if (auto s = simulate::Simulate(options, path); !s) {
      error = s.message();
      return;
    }
    Load(path);
    std::remove(path.c_str());
  }

 private:
  void Load(const std::string& path) {
    auto reader = capture::OpenCaptureFile(path);
    if (!reader) {
      error = reader.error().message;
      return;
    }
    std::vector<size_t> offsets;
    capture::Frame f;
    while ((*reader)->Next(f)) {
      offsets.push_back(bytes.size());
      bytes.insert(bytes.end(), f.data.begin(), f.data.end());
      frames.push_back(f);
    }
    if ((*reader)->error()) {
      error = (*reader)->error()->ToString();
      return;
    }
    // Point the views at the copy only now: `bytes` has stopped moving.
    for (size_t i = 0; i < frames.size(); ++i) {
      frames[i].data = std::span<const uint8_t>(bytes).subspan(offsets[i], frames[i].data.size());
    }
  }
};

const SimulatedFrames& Frames() {
  static const SimulatedFrames frames;
  return frames;
}

// One iteration is the whole capture through a fresh engine, Finish() included (every flow
// still open ends there, as at the end of a run); making and destroying the engine is not timed.
void BM_EngineOnFrame(benchmark::State& state) {
  const SimulatedFrames& sim = Frames();
  if (!sim.error.empty()) {
    state.SkipWithError(sim.error.c_str());
    return;
  }
  uint64_t bytes = 0;
  for (const auto& f : sim.frames) bytes += f.data.size();
  uint64_t flows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = std::make_unique<Engine>(EngineLimits{}, nullptr);
    state.ResumeTiming();
    for (const auto& f : sim.frames) engine->OnFrame(f, 0);
    engine->Finish();
    state.PauseTiming();
    flows = engine->flow_counts().tcp + engine->flow_counts().udp + engine->flow_counts().other;
    engine.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * sim.frames.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["frames"] = static_cast<double>(sim.frames.size());
  state.counters["flows"] = static_cast<double>(flows);
}
BENCHMARK(BM_EngineOnFrame)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace qw::app

BENCHMARK_MAIN();
