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

const StreamDissectorInfo& TlsInfo() {
  for (const auto& d : StreamDissectors()) {
    if (std::string_view(d.name) == "tls") return d;
  }
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  qw::core::ByteReader r(input);
  while (r.remaining() >= 3) {
    r.U8();
    Parse(r.Bytes(std::min<size_t>(r.U16Le(), r.remaining())));
  }
  qw::flow::Flow flow;
  flow.proto = 6;
  flow.initiator_ip = *qw::core::IpAddr::Parse("10.0.0.1");
  flow.responder_ip = *qw::core::IpAddr::Parse("10.0.0.2");
  flow.initiator_port = 50000;
  flow.responder_port = 443;
  CheckingSink sink;
  auto dissector = TlsInfo().create();
  qw::fuzz::FeedStreamRecords(*dissector, flow, sink, input, true,
                              tls::kRecordHeaderBytes + tls::kMaxRecordBody);
  return 0;
}
