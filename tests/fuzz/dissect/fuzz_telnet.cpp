// libFuzzer target for Telnet. The input is records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the Telnet dissector the way
// the StreamAttacher offers them; each record's bytes also go through the scanner from a
// fresh state and to the prompt check. Nothing may crash or read out of bounds, and every
// session reported must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/byte_reader.h"
#include "dissect/dissector.h"
#include "dissect/telnet/telnet_dissector.h"
#include "dissect/telnet/telnet_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every session the dissector reports.
struct CheckingSink : ObservationSink {
  void OnRemoteAccess(const RemoteAccessObservation& s) override {
    if (std::string_view(s.tool) != "telnet" || s.frame == 0) std::abort();
    if (s.user.size() > telnet::kMaxUserBytes) std::abort();
    for (char c : s.user.view()) {
      if (c < 0x20 || c >= 0x7f) std::abort();  // printable only
    }
    if (++sessions > 1) std::abort();  // one per connection
  }
  int sessions = 0;
};

// Drops what the scanner finds, checking the subnegotiation bound.
struct NullScan : telnet::ScanSink {
  void OnDataByte(uint8_t) override {}
  void OnNegotiation(uint8_t, uint8_t) override {}
  void OnSubnegotiation(std::string_view bytes, bool) override {
    if (bytes.size() > telnet::kMaxSubnegotiationBytes) std::abort();
  }
  void OnCommand(uint8_t) override {}
};

void Parse(std::span<const uint8_t> bytes) {
  telnet::ScanState state;
  NullScan scan;
  telnet::Scan(bytes, state, scan);
  qw::core::ByteReader r(bytes);
  (void)telnet::IsLoginPrompt(r.Chars(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunTcpRecords("telnet", 23, std::span<const uint8_t>(data, size), sink, 65536, Parse);
  return 0;
}
