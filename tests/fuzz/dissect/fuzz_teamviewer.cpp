// libFuzzer target for TeamViewer over TCP. The input is records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the TeamViewer dissector the
// way the StreamAttacher offers them; each record's bytes also go to the framing parser and
// the datagram check. Nothing may crash or read out of bounds, a length asked for must
// exceed what was offered, and every session reported must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dissect/dissector.h"
#include "dissect/teamviewer/teamviewer_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every session the dissector reports.
struct CheckingSink : ObservationSink {
  void OnRemoteAccess(const RemoteAccessObservation& s) override {
    if (std::string_view(s.tool) != "teamviewer" || s.frame == 0) std::abort();
    if (++sessions > 1) std::abort();  // one per connection
  }
  int sessions = 0;
};

void Parse(std::span<const uint8_t> bytes) {
  const auto c = teamviewer::ReadCommand(bytes);
  if (c.status == teamviewer::Status::kNeedMore && c.length <= bytes.size()) std::abort();
  if (c.status == teamviewer::Status::kOk && c.length > bytes.size()) std::abort();
  (void)teamviewer::LooksLikeDatagram(bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunTcpRecords("teamviewer", 5938, std::span<const uint8_t>(data, size), sink,
                          2 * teamviewer::kMaxCommandBytes, Parse);
  return 0;
}
