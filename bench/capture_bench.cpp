// Microbenchmarks of the capture readers: frames and bytes per second through PcapReader over
// a capture in memory (OpenCaptureBuffer) and over the same capture mapped from a file
// (OpenCaptureFile, the path `quaywatch analyze` takes), for small, middling and full frames.
// The capture is written once per frame size with PcapWriter into a temporary file.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capture/capture_file.h"
#include "capture/frame.h"
#include "capture/pcap_writer.h"

namespace qw::capture {
namespace {

// Frames in each test capture: enough that reopening at the end costs nothing measurable.
constexpr uint32_t kFrames = 100'000;

// A pcap file of kFrames Ethernet frames of one length, on disk and in memory; removed at exit.
struct TestCapture {
  std::string path;
  std::vector<uint8_t> bytes;
  std::string error;  // set when the file could not be made

  explicit TestCapture(uint32_t frame_len) {
    const char* tmp = std::getenv("TMPDIR");
    path = std::string(tmp && *tmp ? tmp : "/tmp") + "/qw_capture_bench_" +
           std::to_string(::getpid()) + "_" + std::to_string(frame_len) + ".pcap";
    auto writer = PcapWriter::Create(path);
    if (!writer) {
      error = writer.error().message;
      return;
    }
    std::vector<uint8_t> frame(frame_len, 0x5a);
    core::Timestamp ts{1'772'431'200'000'000'000};
    for (uint32_t i = 0; i < kFrames; ++i) {
      frame[0] = static_cast<uint8_t>(i);  // frames differ, as they would on the wire
      ts.ns += 10'000;
      if (auto s = (*writer)->Write(ts, frame); !s) {
        error = s.message();
        return;
      }
    }
    if (auto s = (*writer)->Close(); !s) {
      error = s.message();
      return;
    }
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ~TestCapture() { std::remove(path.c_str()); }
  TestCapture(const TestCapture&) = delete;
  TestCapture& operator=(const TestCapture&) = delete;
};

// One capture per frame length, made on first use and kept for every benchmark run.
TestCapture& CaptureOf(uint32_t frame_len) {
  static std::map<uint32_t, std::unique_ptr<TestCapture>> captures;
  auto& c = captures[frame_len];
  if (!c) c = std::make_unique<TestCapture>(frame_len);
  return *c;
}

// Reads frames one per iteration, reopening the capture whenever it ends.
template <typename Open>
void ReadFrames(benchmark::State& state, const TestCapture& capture, Open open) {
  if (!capture.error.empty()) {
    state.SkipWithError(capture.error.c_str());
    return;
  }
  auto reader = open();
  if (!reader) {
    state.SkipWithError(reader.error().message.c_str());
    return;
  }
  Frame frame;
  uint64_t frames = 0, bytes = 0, reopened = 0;
  for (auto _ : state) {
    if (!(*reader)->Next(frame)) {
      if ((*reader)->error()) {
        state.SkipWithError((*reader)->error()->ToString().c_str());
        return;
      }
      reader = open();  // a reopen is counted in the time, over kFrames frames
      ++reopened;
      if (!reader || !(*reader)->Next(frame)) {
        state.SkipWithError("reopening the capture failed");
        return;
      }
    }
    benchmark::DoNotOptimize(frame.data.data());
    ++frames;
    bytes += frame.data.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(frames));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["reopened"] = static_cast<double>(reopened);
}

void BM_PcapReaderBuffer(benchmark::State& state) {
  const TestCapture& capture = CaptureOf(static_cast<uint32_t>(state.range(0)));
  ReadFrames(state, capture, [&] { return OpenCaptureBuffer(capture.bytes, "bench.pcap"); });
}
BENCHMARK(BM_PcapReaderBuffer)->ArgName("frame_len")->Arg(60)->Arg(590)->Arg(1514);

void BM_PcapReaderFile(benchmark::State& state) {
  const TestCapture& capture = CaptureOf(static_cast<uint32_t>(state.range(0)));
  ReadFrames(state, capture, [&] { return OpenCaptureFile(capture.path); });
}
BENCHMARK(BM_PcapReaderFile)->ArgName("frame_len")->Arg(60)->Arg(590)->Arg(1514);

}  // namespace
}  // namespace qw::capture

BENCHMARK_MAIN();
