// libFuzzer target for syslog. The first byte picks the transport (bit 0: TCP). UDP: the
// rest is datagrams, each led by two bytes (bit 15: from the responder; low 15 bits:
// length), parsed alone and fed through the registered UDP dissector behind the real
// StreamAttacher. TCP: the rest is records | direction:1 (0xff: a gap) | length:2 LE |
// bytes | fed to the TCP dissector as a stream. Nothing may crash or read out of bounds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "dissect/dissector.h"
#include "dissect/stream_attacher.h"
#include "dissect/syslog/syslog_parser.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every count and identity the dissector reports.
struct CheckingSink : ObservationSink {
  void OnPdu(const PduObservation& p) override {
    if (std::string_view(p.protocol) != "syslog" || p.code > 23) std::abort();
  }
  void OnPduDetail(const PduDetail& d) override {
    if (d.code > 7) std::abort();
  }
  void OnIdentity(const DeviceIdentity& id) override {
    if (++identities > 1 || id.fields.size() != 1) std::abort();  // once per flow
  }
  int identities = 0;
};

void Parse(std::span<const uint8_t> bytes) {
  auto h = syslog::ParseHeader(bytes);
  if (h && (h->facility > 23 || h->severity > 7)) std::abort();
  bool more = false;
  auto c = syslog::ReadOctetCount(bytes, more);
  if (c && c->prefix > bytes.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool tcp = (data[0] & 1) != 0;
  std::span<const uint8_t> bytes(data + 1, size - 1);
  CheckingSink sink;
  if (tcp) {
    qw::fuzz::RunTcpRecords("syslog", 601, bytes, sink, syslog::kMaxMessageBytes + 8, Parse);
  } else {
    qw::fuzz::RunUdpDatagrams("syslog", 514, bytes, sink, Parse);
  }
  return 0;
}
