// libFuzzer target for RTSP. The input is records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the RTSP dissector the way
// the StreamAttacher offers them; each record's bytes also go to the RTSP head, interleaved
// frame and SDP parsers. Nothing may crash or read out of bounds, and every exchange
// reported must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dissect/dissector.h"
#include "dissect/http/http_parser.h"
#include "dissect/rtsp/rtsp_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks what the dissector reports.
struct CheckingSink : ObservationSink {
  void OnHttp(const HttpObservation& e) override {
    if (std::string_view(e.protocol) != "rtsp") std::abort();
    if (e.request_frame == 0 && e.response_frame == 0) std::abort();
  }
  void OnFileTransfer(const FileTransferObservation&) override { std::abort(); }
};

void Parse(std::span<const uint8_t> bytes) {
  http::Head h;
  (void)http::ParseHead(bytes, http::Dialect::kRtsp, true, h);
  (void)http::ParseHead(bytes, http::Dialect::kRtsp, false, h);
  (void)rtsp::ParseInterleaved(bytes);
  (void)rtsp::ParseSdpNames(bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunTcpRecords("rtsp", 554, std::span<const uint8_t>(data, size), sink,
                          http::kMaxHeadBytes, Parse);
  return 0;
}
