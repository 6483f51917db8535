// libFuzzer target for SSH. The input is records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the SSH dissector the way the
// StreamAttacher offers them; each record's bytes also go to the parsers as a line, a
// packet header and a KEXINIT payload. Nothing may crash or read out of bounds, and every
// session reported must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/dissector.h"
#include "dissect/ssh/ssh_parser.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every session the dissector reports.
struct CheckingSink : ObservationSink {
  void OnRemoteAccess(const RemoteAccessObservation& s) override {
    if (std::string_view(s.tool) != "ssh" || s.frame == 0) std::abort();
    if (!s.client_fingerprint.empty() && s.client_fingerprint.size() != 32) std::abort();
    if (++sessions > 1) std::abort();  // one per connection
  }
  int sessions = 0;
};

void Parse(std::span<const uint8_t> bytes) {
  qw::core::Anomalies an;
  if (auto end = LineEnd(bytes); end && *end > bytes.size()) std::abort();
  (void)ssh::ParseBanner(bytes);
  (void)ssh::ParsePacketHeader(bytes);
  (void)ssh::ParseKexInit(bytes, an);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunTcpRecords("ssh", 22, std::span<const uint8_t>(data, size), sink,
                          4 + ssh::kMaxPacketBytes, Parse);
  return 0;
}
