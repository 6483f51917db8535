// libFuzzer target for OpenVPN. The input is read twice: as records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the TCP dissector the way the
// StreamAttacher offers them, and as UDP datagrams (two leading bytes: bit 15 from the
// responder, low 15 bits the length) behind the real StreamAttacher. Each record's bytes also
// go to the packet parser, the framing, the reset check and the control-packet reader under
// every layout. Nothing may crash or read out of bounds, a length asked for must exceed what
// was offered, a control packet's TLS octets must lie inside it, and every count and session
// reported (the control channel's TLS among them) must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dissect/dissector.h"
#include "dissect/openvpn/openvpn_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every count and session the dissector reports.
struct CheckingSink : ObservationSink {
  void OnPdu(const PduObservation& p) override {
    const std::string_view protocol = p.protocol;
    if (protocol == "tls") {
      if (sessions > 0) std::abort();  // the control channel's TLS ends before the session
      return;
    }
    if (protocol != "openvpn" || p.code == 0 || p.code > 11) std::abort();
  }
  void OnTls(const TlsObservation& t) override {
    if (t.client_hello_frame == 0 && t.server_hello_frame == 0) std::abort();
    if (++tls_sessions > 1 || sessions > 0) std::abort();  // one, before the session
  }
  void OnRemoteAccess(const RemoteAccessObservation& s) override {
    if (std::string_view(s.tool) != "openvpn" || s.frame == 0) std::abort();
    if (++sessions > 1) std::abort();  // one per flow
  }
  int sessions = 0;
  int tls_sessions = 0;
};

void Parse(std::span<const uint8_t> bytes) {
  openvpn::Packet p;
  if (openvpn::ParsePacket(bytes, p) && (p.opcode == 0 || p.opcode > openvpn::kMaxOpcode))
    std::abort();
  const auto f = openvpn::ReadFramed(bytes);
  if (f.status == openvpn::Status::kNeedMore && f.length <= bytes.size()) std::abort();
  if (f.status == openvpn::Status::kOk && f.length > bytes.size()) std::abort();
  openvpn::ControlProtection protection = openvpn::ControlProtection::kUnknown;
  const bool reset = openvpn::LooksLikeClientReset(bytes, &protection);
  if (reset != (protection != openvpn::ControlProtection::kUnknown)) std::abort();
  for (size_t auth : {0, 24, 28, 40, 72}) {
    openvpn::Control c;
    if (!openvpn::ParseControl(bytes, auth, c)) continue;
    if (c.acks > openvpn::kMaxAcks || c.payload.data() < bytes.data() ||
        c.payload.data() + c.payload.size() != bytes.data() + bytes.size()) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  CheckingSink tcp;
  qw::fuzz::RunTcpRecords("openvpn", 1194, input, tcp, 2 * 65537, Parse);
  CheckingSink udp;
  qw::fuzz::RunUdpDatagrams("openvpn", 1194, input, udp, Parse);
  return 0;
}
