// Replays every seed of the fuzz targets fuzz_pcap and fuzz_pcapng and every input they
// ever crashed on, in every build (fuzz_replay_* runs them only in the sanitizer build).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "capture/capture_file.h"

namespace qw::capture {
namespace {

TEST(CaptureFuzzRegressions, EverySeedAndKeptInputReadsSafely) {
  size_t replayed = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    for (const char* target : {"pcap", "pcapng"}) {
      const std::filesystem::path dir =
          std::filesystem::path(QW_SOURCE_DIR) / "tests/fuzz" / kind / target;
      if (!std::filesystem::is_directory(dir)) continue;  // no crasher kept yet
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        SCOPED_TRACE(entry.path().string());
        std::ifstream in(entry.path(), std::ios::binary);
        const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                         std::istreambuf_iterator<char>()};
        auto reader = OpenCaptureBuffer(bytes, entry.path().filename().string());
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
  }
  // The seeds are in the repository: none found means the test looked in the wrong place.
  EXPECT_GT(replayed, 0u);
  RecordProperty("replayed", static_cast<int>(replayed));
}

}  // namespace
}  // namespace qw::capture
