// libFuzzer target for EtherNet/IP, CIP and implicit I/O. The whole input goes through every
// parser; then, after a first byte that picks TCP 44818, UDP 44818 or UDP 2222, the rest is
// cut into records `| direction:1 | length:2 | bytes |` and fed through the registered
// dissector behind the real StreamAttacher, as the flow table would. Nothing may crash, read
// out of bounds, or report an operation or PDU that breaks the invariants below.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/enip/cip_parser.h"
#include "dissect/enip/enip_parser.h"
#include "dissect/stream_attacher.h"

namespace {

using namespace qw;

// Checks what the model relies on, for every observation.
class CheckingSink : public dissect::ObservationSink {
 public:
  void OnIcsOperation(const dissect::IcsOperation& op) override {
    std::string_view p = op.protocol;
    if (p != "enip" && p != "cip") std::abort();
    if (op.function == nullptr || *op.function == '\0') std::abort();
    if (op.request_frame == 0 && op.response_frame == 0) std::abort();
    if (op.response_frame == 0 && !op.result.empty()) std::abort();
  }
  void OnPdu(const dissect::PduObservation& pdu) override {
    std::string_view p = pdu.protocol;
    if (p != "enip" && p != "cip" && p != "enip_io") std::abort();
    if (p == "cip" && pdu.code > 0xff) std::abort();
    if (p == "enip" && pdu.code > 0xffff) std::abort();
  }
};

void Parsers(std::span<const uint8_t> data) {
  using namespace qw::dissect::enip;
  (void)ParseEnipIo(data);
  (void)ParseListIdentityReply(data);
  (void)ParseListServicesReply(data);
  if (auto m = ParseEnipMessage(data)) {
    if (m->cpf.count > kMaxCpfItems) std::abort();
  }
  CipPath path = ParseCipPath(data);
  if (path.count > kMaxCipPathSegments) std::abort();
  if (auto req = ParseCipRequest(data)) {
    (void)ParseUnconnectedSend(req->data);
    if (auto msp = ParseMultipleService(req->data)) {
      if (msp->count > kMaxCipMspServices) std::abort();
    }
    (void)ParseForwardOpen(req->data, false);
    (void)ParseForwardOpen(req->data, true);
    (void)ParseForwardClose(req->data);
    (void)ParseExecutePccc(req->data, false);
  }
  if (auto resp = ParseCipResponse(data)) {
    (void)ParseIdentityAttributes(resp->data);
    (void)ParseExecutePccc(resp->data, true);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  Parsers(input);
  core::ByteReader r(input);
  uint8_t mode = r.U8() % 3;
  const dissect::StreamDissectorInfo* info = nullptr;
  for (const auto& d : dissect::StreamDissectors()) {
    std::string_view name = d.name;
    if ((mode == 0 && name == "enip" && d.transport == 6) ||
        (mode == 1 && name == "enip" && d.transport == 17) || (mode == 2 && name == "enip_io")) {
      info = &d;
    }
  }
  if (!info) std::abort();
  flow::Flow flow;
  flow.proto = info->transport;
  flow.initiator_ip = core::IpAddr::V4(0x0a000001);
  flow.responder_ip = core::IpAddr::V4(0x0a000002);
  flow.initiator_port = 50000;
  flow.responder_port = info->ports[0];
  CheckingSink sink;
  core::Anomalies anomalies;
  dissect::AttachStats stats;
  dissect::StreamAttacher attacher(flow, qw::dissect::Candidates(std::span(info, 1)), sink,
                                   anomalies, stats);
  uint64_t frame = 1;
  while (!r.empty()) {
    uint8_t dir = r.U8();
    uint16_t len = r.U16Le();
    std::span<const uint8_t> bytes = r.Bytes(std::min<size_t>(len, r.remaining()));
    if (dir & 0x80) {
      attacher.OnGap(static_cast<flow::Direction>(dir & 1), len);
    } else {
      attacher.OnData(static_cast<flow::Direction>(dir & 1), bytes, frame,
                      core::Timestamp{static_cast<int64_t>(frame)});
    }
    ++frame;
  }
  attacher.OnEnd(flow::EndReason::kEndOfInput);
  return 0;
}
