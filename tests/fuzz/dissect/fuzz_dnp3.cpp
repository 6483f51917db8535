// libFuzzer target for DNP3: arbitrary bytes as a link frame and as an application
// fragment (the parser must stay within its input and its caps), then as a conversation
// fed through the real StreamAttacher to the registered dissector.
//
// Input: | mode:1 (bit 0: UDP) | record | record | ...
//   record: | head:1 | bytes:(head & 0x7f) + 1 |  head bit 7: from the responder;
//           head 0xff alone: a gap of 100 bytes in the responder's direction.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/address.h"
#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/dissector.h"
#include "dissect/dnp3/dnp3_parser.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"

namespace {

using namespace qw;

// Checks what every observation must hold.
class CheckingSink : public dissect::ObservationSink {
 public:
  void OnIcsOperation(const dissect::IcsOperation& op) override {
    if (std::string_view(op.protocol) != "dnp3") std::abort();
    if (op.request_frame == 0 && op.response_frame == 0) std::abort();
    if (op.target.size() > op.target.capacity() || op.result.size() > op.result.capacity()) {
      std::abort();
    }
  }
  void OnPdu(const dissect::PduObservation& p) override {
    if (p.frame == 0) std::abort();
  }
};

void CheckParsers(std::span<const uint8_t> bytes) {
  dissect::Dnp3LinkFrame frame;
  size_t need = 0;
  auto status = dissect::ParseDnp3Link(bytes, frame, need);
  if (status == dissect::Dnp3LinkStatus::kOk) {
    if (frame.wire_bytes > bytes.size() || frame.wire_bytes > dissect::kDnp3MaxFrameBytes) {
      std::abort();
    }
    if (frame.user_data_bytes > dissect::kDnp3MaxUserDataBytes) std::abort();
  }
  if (status == dissect::Dnp3LinkStatus::kNeedMore && need == 0) std::abort();
  dissect::Dnp3Apdu apdu;
  if (!dissect::ParseDnp3Application(bytes, apdu)) return;
  if (apdu.object_count > dissect::kMaxDnp3ObjectHeaders) std::abort();
  if (apdu.attribute_count > dissect::kMaxDnp3Attributes) std::abort();
  auto inside = [&](std::span<const uint8_t> view) {
    if (view.empty()) return;
    if (view.data() < bytes.data() || view.data() + view.size() > bytes.data() + bytes.size()) {
      std::abort();
    }
  };
  for (size_t i = 0; i < apdu.object_count; ++i) inside(apdu.objects[i].first_data);
  for (size_t i = 0; i < apdu.attribute_count; ++i) inside(apdu.attributes[i].value);
}

const dissect::StreamDissectorInfo* Dnp3(uint8_t transport) {
  for (const auto& d : dissect::StreamDissectors()) {
    if (std::string_view(d.name) == "dnp3" && d.transport == transport) return &d;
  }
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  core::ByteReader input(std::span<const uint8_t>(data, size));
  if (input.empty()) return 0;
  uint8_t mode = input.U8();
  CheckParsers(input.PeekRest());

  uint8_t transport = (mode & 1) ? 17 : 6;
  flow::Flow f;
  f.proto = transport;
  f.initiator_ip = *core::IpAddr::Parse("10.0.0.1");
  f.responder_ip = *core::IpAddr::Parse("10.0.0.2");
  f.initiator_port = 50000;
  f.responder_port = 20000;
  CheckingSink sink;
  core::Anomalies anomalies;
  dissect::AttachStats stats;
  dissect::StreamAttacher attacher(f, qw::dissect::Candidates(std::span(Dnp3(transport), 1)), sink,
                                   anomalies, stats);
  uint64_t frame = 1;
  while (!input.empty()) {
    uint8_t head = input.U8();
    if (head == 0xff) {
      attacher.OnGap(flow::Direction::kFromResponder, 100);
      continue;
    }
    auto bytes = input.Bytes(std::min<size_t>((head & 0x7f) + 1, input.remaining()));
    auto dir = (head & 0x80) ? flow::Direction::kFromResponder : flow::Direction::kFromInitiator;
    attacher.OnData(dir, bytes, frame, core::Timestamp{static_cast<int64_t>(frame)});
    ++frame;
  }
  attacher.OnEnd(flow::EndReason::kEndOfInput);
  return 0;
}
