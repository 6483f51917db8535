// libFuzzer target: arbitrary bytes as an OPC UA chunk and service body, and as a two-way
// stream fed to the dissector in segments (an OpenSecureChannel's sender certificate read as
// X.509 among them). Nothing may crash, read out of bounds, loop without progress, or report
// an operation with fields past their bounds.
//
// Stream input: records of | direction:1 (bit 0; 0xff: a gap in direction 0) | length:2 LE |
// bytes:length |, fed to the dissector the way the stream attacher does.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "core/anomalies.h"
#include "dissect/opcua/opcua_dissector.h"
#include "dissect/opcua/opcua_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw;

class CheckingSink final : public dissect::ObservationSink {
 public:
  void OnIcsOperation(const dissect::IcsOperation& op) override {
    if (std::string_view(op.protocol) != "opcua") std::abort();
    if (op.target.size() > op.target.capacity() || op.result.size() > op.result.capacity()) {
      std::abort();
    }
    if (op.request_frame == 0 && op.response_frame == 0) std::abort();
  }
  void OnPdu(const dissect::PduObservation& p) override {
    if (std::string_view(p.protocol) != "opcua") std::abort();
  }
  void OnIdentity(const dissect::DeviceIdentity& id) override {
    for (const auto& [key, value] : id.fields) {
      if (value.empty() || value.size() > 256) std::abort();
    }
  }
};

void FeedStream(std::span<const uint8_t> input) {
  CheckingSink sink;
  flow::Flow flow;
  flow.proto = 6;
  flow.responder_port = 4840;
  auto dissector = dissect::opcua::Create();
  // The dissector keeps at most one chunk's first kMaxKeptChunkBytes waiting.
  fuzz::FeedStreamRecords(*dissector, flow, sink, input, true,
                          dissect::opcua::kMaxKeptChunkBytes + 65536);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  core::Anomalies anomalies;
  dissect::LooksLikeOpcua(input);
  dissect::FrameOpcua(input);
  // The input as a chunk (plain and not), and as a service body (whole and cut).
  for (bool plain : {false, true}) {
    if (auto chunk = dissect::ParseOpcuaChunk(input, plain, anomalies)) {
      if (chunk->body.size() > input.size()) std::abort();
      const auto cert = chunk->sender_certificate;
      if (!cert.empty() &&
          (cert.data() < input.data() || cert.data() + cert.size() > input.data() + input.size())) {
        std::abort();
      }
      dissect::ParseOpcuaServiceBody(chunk->body, nullptr, true, anomalies);
    }
  }
  dissect::OpcuaReadTracking read;
  read.count = 2;
  read.reads[0] = {0, 2256};
  read.reads[1] = {3, 2264};
  auto body = dissect::ParseOpcuaServiceBody(input, &read, true, anomalies);
  if (body.read.count > dissect::kMaxOpcuaTrackedReads) std::abort();
  dissect::ParseOpcuaServiceBody(input, nullptr, false, anomalies);
  FeedStream(input);
  return 0;
}
