// libFuzzer target for TLS. The input is records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the TLS dissector the way the
// StreamAttacher offers them; each record's bytes also go to the parsers as a ClientHello,
// a ServerHello and a Certificate body. Nothing may crash or read out of bounds, and every
// handshake reported must stay within its bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/dissector.h"
#include "dissect/tls/tls_parser.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every handshake the dissector reports.
struct CheckingSink : ObservationSink {
  void OnTls(const TlsObservation& t) override {
    if (t.client_hello_frame == 0 && t.server_hello_frame == 0) std::abort();
    if (!t.ja3.empty() && t.ja3.size() != 32) std::abort();
    if (t.ja4.size() > t.ja4.capacity()) std::abort();
    if (t.has_certificate != !t.not_after.empty()) std::abort();
  }
};

void Parse(std::span<const uint8_t> bytes) {
  qw::core::Anomalies an;
  (void)tls::ParseRecordHeader(bytes);
  (void)tls::ParseClientHello(bytes, 't', an);
  (void)tls::ParseServerHello(bytes, an);
  (void)tls::ParseFirstCertificate(bytes, an);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunTcpRecords("tls", 443, std::span<const uint8_t>(data, size), sink,
                          tls::kRecordHeaderBytes + tls::kMaxRecordBody, Parse);
  return 0;
}
