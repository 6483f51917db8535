// libFuzzer target for HTTP. The input is records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the HTTP dissector the way
// the StreamAttacher offers them; each record's bytes also go to the parsers as a request
// head, a response head, a chunk line and a SOAP body. Nothing may crash or read out of
// bounds, and every exchange and file reported must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dissect/dissector.h"
#include "dissect/http/http_parser.h"
#include "dissect/onvif/onvif_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks what the dissector reports.
struct CheckingSink : ObservationSink {
  void OnHttp(const HttpObservation& e) override {
    if (std::string_view(e.protocol) != "http") std::abort();
    if (e.request_frame == 0 && e.response_frame == 0) std::abort();
    if (e.method.empty() != (e.request_frame == 0)) std::abort();
    if (e.status != 0 && (e.status < 100 || e.status > 999)) std::abort();
  }
  void OnFileTransfer(const FileTransferObservation& f) override {
    if (std::string_view(f.protocol) != "http" || f.frame == 0) std::abort();
    if (f.complete && f.declared_size >= 0 && f.bytes != static_cast<uint64_t>(f.declared_size)) {
      std::abort();
    }
    if (!f.sha256.empty() && (!f.complete || f.sha256.size() != 64)) std::abort();
  }
};

void Parse(std::span<const uint8_t> bytes) {
  http::Head h;
  for (bool request : {true, false}) {
    const auto res = http::ParseHead(bytes, http::Dialect::kHttp, request, h);
    if (res.status == http::HeadStatus::kComplete && (h.length == 0 || h.length > bytes.size())) {
      std::abort();
    }
    // Read in two steps, going on from where the first stopped, the head is the same.
    http::Head twice;
    http::HeadProgress progress;
    (void)http::ParseHead(bytes.first(bytes.size() / 2), http::Dialect::kHttp, request, twice,
                          &progress);
    const auto again = http::ParseHead(bytes, http::Dialect::kHttp, request, twice, &progress);
    if (again.status != res.status || (again.anomaly == nullptr) != (res.anomaly == nullptr)) {
      std::abort();
    }
    if (res.status == http::HeadStatus::kComplete &&
        (twice.length != h.length || twice.content_length != h.content_length ||
         twice.host.view() != h.host.view() || twice.anomaly != h.anomaly)) {
      std::abort();
    }
  }
  const auto c = http::ParseChunkLine(bytes);
  if (c.status == http::HeadStatus::kComplete && c.length > bytes.size()) std::abort();
  (void)onvif::ParseDeviceInformation(bytes);
  (void)onvif::ParseProbeMatch(bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunTcpRecords("http", 80, std::span<const uint8_t>(data, size), sink,
                          http::kMaxHeadBytes, Parse);
  return 0;
}
