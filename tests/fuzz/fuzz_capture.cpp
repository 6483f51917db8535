// Fuzz target of the capture readers: any bytes through OpenCaptureBuffer, every frame read;
// frames must lie inside the input and be numbered upwards. Built twice, as fuzz_pcap and
// fuzz_pcapng, each seeded from its own corpus so the fuzzer starts inside that format.
#include <cstddef>
#include <cstdint>
#include <span>

#include "capture/capture_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto reader = qw::capture::OpenCaptureBuffer(bytes, "fuzz");
  if (!reader.ok()) return 0;
  qw::capture::Frame frame;
  uint64_t last = 0;
  while ((*reader)->Next(frame)) {
    if (frame.number <= last) __builtin_trap();
    last = frame.number;
    if (!(*reader)->compressed() && !frame.data.empty() &&
        (frame.data.data() < data || frame.data.data() + frame.data.size() > data + size)) {
      __builtin_trap();
    }
    if (frame.data.size() > qw::capture::kMaxSnapLength) __builtin_trap();
  }
  if ((*reader)->position() > (*reader)->size()) __builtin_trap();
  return 0;
}
