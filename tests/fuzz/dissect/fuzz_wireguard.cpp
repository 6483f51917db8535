// libFuzzer target for WireGuard. The input is UDP datagrams, each led by two bytes (bit 15:
// from the responder; low 15 bits: length), parsed alone and fed through the registered
// dissector behind the real StreamAttacher on a flow to port 51820. Nothing may crash or read
// out of bounds, and every count and session must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dissect/dissector.h"
#include "dissect/wireguard/wireguard_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every count and session the dissector reports.
struct CheckingSink : ObservationSink {
  void OnPdu(const PduObservation& p) override {
    if (std::string_view(p.protocol) != "wireguard" || p.code < 1 || p.code > 4) std::abort();
  }
  void OnRemoteAccess(const RemoteAccessObservation& s) override {
    if (std::string_view(s.tool) != "wireguard" || s.frame == 0) std::abort();
    if (++sessions > 1) std::abort();  // one per flow
  }
  int sessions = 0;
};

void Parse(std::span<const uint8_t> bytes) {
  wireguard::Message m;
  if (!wireguard::ParseMessage(bytes, m)) return;
  if (m.type < 1 || m.type > 4) std::abort();
  if (m.keepalive != (m.type == wireguard::kTransportData && bytes.size() == 32)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunUdpDatagrams("wireguard", 51820, std::span<const uint8_t>(data, size), sink, Parse);
  return 0;
}
