// libFuzzer target for VNC (RFB). The input is records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the VNC dissector the way the
// StreamAttacher offers them; each record's bytes also go to the parsers as a version line,
// security types, a word with its reason, a reason, ARD parameters, ServerInit, VeNCrypt's
// subtype list and Plain credentials; a VeNCrypt TLS subtype's handshake goes to TLS. Nothing
// may crash or read out of bounds, every length asked for must exceed what was offered, and
// every session reported must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dissect/dissector.h"
#include "dissect/vnc/vnc_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every session the dissector reports.
struct CheckingSink : ObservationSink {
  void OnRemoteAccess(const RemoteAccessObservation& s) override {
    if (std::string_view(s.tool) != "vnc" || s.frame == 0) std::abort();
    if (s.protocol_version.size() != 7) std::abort();  // "ddd.ddd" of a line read
    if (++sessions > 1) std::abort();                  // one per connection
  }
  int sessions = 0;
};

// A parser that asks for more must ask for more than it was given; one that read a message
// cannot have read more than it was given.
template <typename T>
void Check(const T& t, std::span<const uint8_t> bytes) {
  if (t.status == vnc::Status::kNeedMore && t.length <= bytes.size()) std::abort();
  if (t.status == vnc::Status::kOk && t.length > bytes.size()) std::abort();
}

void Parse(std::span<const uint8_t> bytes) {
  (void)vnc::ParseVersion(bytes);
  Check(vnc::ReadSecurityTypes(bytes), bytes);
  Check(vnc::ReadWord(bytes, true, false), bytes);
  Check(vnc::ReadWord(bytes, false, true), bytes);
  Check(vnc::ReadReason(bytes), bytes);
  Check(vnc::ReadArdParameters(bytes), bytes);
  Check(vnc::ReadServerInit(bytes), bytes);
  Check(vnc::ReadVencryptSubtypes(bytes), bytes);
  Check(vnc::ReadPlainCredentials(bytes), bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunTcpRecords("vnc", 5900, std::span<const uint8_t>(data, size), sink, 65536, Parse);
  return 0;
}
