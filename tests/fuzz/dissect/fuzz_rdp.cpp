// libFuzzer target for RDP. The input is records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the RDP dissector the way the
// StreamAttacher offers them; each record's bytes also go to the parsers as a Connection
// Request and Confirm TPDU, an MCS Connect Initial and a fast-path header. Nothing may
// crash or read out of bounds, and every session reported must be consistent, the TLS
// handshake of a negotiated security protocol (read by the TLS dissector) among them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "dissect/dissector.h"
#include "dissect/rdp/rdp_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every session the dissector reports.
struct CheckingSink : ObservationSink {
  void OnRemoteAccess(const RemoteAccessObservation& s) override {
    if (std::string_view(s.tool) != "rdp" || s.frame == 0) std::abort();
    if (s.security.view().substr(0, 10) != "requested ") std::abort();
    // The server's certificate names the server only once TLS has reported it.
    if (!s.server_software.empty() && tls_sessions == 0) std::abort();
    if (++sessions > 1) std::abort();  // one per connection
  }
  void OnTls(const TlsObservation& t) override {
    if (t.client_hello_frame == 0 && t.server_hello_frame == 0) std::abort();
    if (++tls_sessions > 1 || sessions > 0) std::abort();  // one, before the session
  }
  int sessions = 0;
  int tls_sessions = 0;
};

void Parse(std::span<const uint8_t> bytes) {
  qw::core::Anomalies an;
  (void)rdp::ParseConnectionRequest(bytes);
  (void)rdp::ParseConnectionConfirm(bytes);
  if (rdp::IsConnectInitial(bytes)) (void)rdp::ParseConnectInitial(bytes, an);
  if (auto n = rdp::FastPathLength(bytes); n && *n != 0 && *n < 3) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunTcpRecords("rdp", 3389, std::span<const uint8_t>(data, size), sink, 65536, Parse);
  return 0;
}
