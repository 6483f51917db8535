// libFuzzer target: arbitrary bytes as an OPC UA chunk and service body, and as a two-way
// stream fed to the dissector in segments. Nothing may crash, read out of bounds, loop
// without progress, or report an operation with fields past their bounds.
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
#include "core/byte_reader.h"
#include "dissect/opcua/opcua_dissector.h"
#include "dissect/opcua/opcua_parser.h"

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
  core::Anomalies anomalies;
  flow::Flow flow;
  flow.proto = 6;
  flow.responder_port = 4840;
  auto dissector = dissect::opcua::Create();
  std::vector<uint8_t> held[2];
  core::ByteReader r(input);
  uint64_t frame = 0;
  while (!r.empty()) {
    uint8_t tag = r.U8();
    uint16_t length = r.U16Le();
    std::span<const uint8_t> bytes = r.Bytes(length);
    if (!r.ok()) break;
    dissect::StreamContext ctx;
    ctx.flow = &flow;
    ctx.frame = ++frame;
    ctx.sink = &sink;
    ctx.anomalies = &anomalies;
    if (tag == 0xff) {
      held[0].clear();
      dissector->OnGap(flow::Direction::kFromInitiator, length, ctx);
      continue;
    }
    size_t d = tag & 1;
    auto dir = static_cast<flow::Direction>(d);
    auto& buf = held[d];
    buf.insert(buf.end(), bytes.begin(), bytes.end());
    size_t used = 0;
    while (used < buf.size()) {
      auto result = dissector->OnData(dir, std::span<const uint8_t>(buf).subspan(used), ctx);
      if (result.verdict == dissect::Verdict::kNotThisProtocol) {
        used = buf.size();
        break;
      }
      if (result.verdict == dissect::Verdict::kNeedMore) {
        if (result.need == 0) std::abort();
        break;
      }
      if (result.consumed == 0 || result.consumed > buf.size() - used) std::abort();
      used += result.consumed;
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(used));
    // The dissector keeps at most one chunk's first kMaxKeptChunkBytes waiting.
    if (buf.size() > dissect::opcua::kMaxKeptChunkBytes + 65536) std::abort();
  }
  dissect::StreamContext ctx;
  ctx.flow = &flow;
  ctx.frame = frame + 1;
  ctx.sink = &sink;
  ctx.anomalies = &anomalies;
  dissector->OnEnd(ctx);
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
