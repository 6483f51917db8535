// Replays every seed of the fuzz targets fuzz_pcap and fuzz_pcapng and every input they
// ever crashed on, in every build (fuzz_replay_* runs them only in the sanitizer build).
#include <gtest/gtest.h>

#include "../fuzz/fuzz_inputs.h"
#include "capture/capture_file.h"

namespace qw::capture {
namespace {

TEST(CaptureFuzzRegressions, EverySeedAndKeptInputReadsSafely) {
  size_t replayed = 0;
  for (const char* target : {"pcap", "pcapng"}) {
    for (const fuzz::FuzzInput& input : fuzz::FuzzInputs(target)) {
      SCOPED_TRACE(input.path.string());
      auto reader = OpenCaptureBuffer(input.bytes, input.path.filename().string());
      if (!reader.ok()) continue;
      Frame frame;
      uint64_t last = 0;
      while ((*reader)->Next(frame)) {
        EXPECT_GT(frame.number, last);
        last = frame.number;
      }
      EXPECT_LE((*reader)->position(), (*reader)->size());
      ++replayed;
    }
  }
  // The seeds are in the repository: none found means the test looked in the wrong place.
  EXPECT_GT(replayed, 0u);
  RecordProperty("replayed", static_cast<int>(replayed));
}

}  // namespace
}  // namespace qw::capture
