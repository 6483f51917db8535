// libFuzzer target: arbitrary bytes as IEC 104 APDUs, and as a two-way stream fed to the
// dissector in segments. Nothing may crash, read out of bounds, loop without progress, or
// report an operation with fields past their bounds.
//
// Stream input: records of | direction:1 (bit 0; 0xff: a gap in direction 0) | length:1 |
// bytes:length |, fed to the dissector the way the stream attacher does (held bytes are
// offered again with more).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "core/anomalies.h"
#include "dissect/iec104/iec104_dissector.h"
#include "dissect/iec104/iec104_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw;

class CheckingSink final : public dissect::ObservationSink {
 public:
  void OnIcsOperation(const dissect::IcsOperation& op) override {
    if (std::string_view(op.protocol) != "iec104") std::abort();
    if (op.target.size() > op.target.capacity() || op.result.size() > op.result.capacity()) {
      std::abort();
    }
    if (op.request_frame == 0 && op.response_frame == 0) std::abort();
  }
  void OnPdu(const dissect::PduObservation& p) override {
    if (std::string_view(p.protocol) != "iec104") std::abort();
  }
};

void FeedStream(std::span<const uint8_t> input) {
  CheckingSink sink;
  flow::Flow flow;
  flow.proto = 6;
  flow.responder_port = 2404;
  auto dissector = dissect::iec104::Create();
  // An APDU is at most 255 octets.
  fuzz::FeedStreamRecords(*dissector, flow, sink, input, false, 4096);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  core::Anomalies anomalies;
  dissect::LooksLikeIec104(input);
  auto framing = dissect::FrameIec104(input);
  if (framing.status == dissect::Iec104Framing::Status::kOk) {
    if (framing.size > input.size() || framing.size > 255) std::abort();
    auto apdu = dissect::ParseIec104Apdu(input.first(framing.size), anomalies);
    if (!apdu) std::abort();  // a framed APDU always parses
    if (apdu->asdu.count > dissect::kMaxIec104Objects) std::abort();
    if (apdu->asdu.first_ioa > 0xffffff) std::abort();
  }
  FeedStream(input);
  return 0;
}
