// libFuzzer target for rlogin. The input is records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the rlogin dissector the way
// the StreamAttacher offers them; each record's bytes also go to the opening parser. Nothing
// may crash or read out of bounds, and every session reported must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dissect/dissector.h"
#include "dissect/rlogin/rlogin_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every session the dissector reports.
struct CheckingSink : ObservationSink {
  void OnRemoteAccess(const RemoteAccessObservation& s) override {
    if (std::string_view(s.tool) != "rlogin" || s.frame == 0 || s.user.empty()) std::abort();
    if (++sessions > 1) std::abort();  // one per connection
  }
  int sessions = 0;
};

void Parse(std::span<const uint8_t> bytes) {
  const auto h = rlogin::ReadClientHello(bytes);
  if (h.status == rlogin::Status::kOk && (h.length > bytes.size() || h.length < 7)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunTcpRecords("rlogin", 513, std::span<const uint8_t>(data, size), sink, 65536, Parse);
  return 0;
}
