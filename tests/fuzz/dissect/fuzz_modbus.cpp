// libFuzzer target for Modbus/TCP. The input is a list of segments, each
// | control:1 | length:1 | bytes:length |: control bit 0 says the direction (0 client, 1
// server) and, when bit 1 is set, control >> 2 bytes of that direction go missing first.
// Every segment's bytes go through the pure parser (framing, both PDU layouts, device id and
// UMAS readers) and, in order, through the registered dissector behind the real
// StreamAttacher. Nothing may crash, read out of bounds, or break the invariants below.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/modbus/modbus_dissector.h"
#include "dissect/modbus/modbus_parser.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"

namespace {

using namespace qw::dissect;

// Counts what the dissector reports and checks each operation as it comes.
class CheckingSink : public ObservationSink {
 public:
  void OnPdu(const PduObservation& p) override {
    if (std::string_view(p.protocol) != "modbus") std::abort();
    ++pdus;
  }
  void OnIcsOperation(const IcsOperation& op) override {
    if (op.target.truncated() || op.result.truncated()) std::abort();
    if (op.request_frame == 0 && op.response_frame == 0) std::abort();
    if (op.response_frame == 0 && !op.result.empty()) std::abort();
    ++ops;
  }
  void OnIdentity(const DeviceIdentity& id) override {
    if (id.fields.empty()) std::abort();
  }
  uint64_t pdus = 0, ops = 0;
};

// The parser on one run of bytes: every ADU it frames, read both ways.
void FuzzParser(std::span<const uint8_t> bytes) {
  modbus::Probe(qw::flow::Direction::kFromInitiator, bytes);
  qw::core::ByteReader r(bytes);
  while (!r.empty()) {
    modbus::FrameResult f = modbus::FrameAdu(r.PeekRest());
    if (f.status != modbus::FrameStatus::kAdu) {
      if (f.status == modbus::FrameStatus::kNeedMore && f.size <= r.remaining()) std::abort();
      return;
    }
    if (f.size > r.remaining() || f.adu.data.size() + 8 != f.size) std::abort();
    for (modbus::Role role : {modbus::Role::kRequest, modbus::Role::kResponse}) {
      modbus::Pdu p = modbus::ParsePdu(f.adu, role);
      if (p.payload.size() > f.adu.data.size()) std::abort();
      if (p.file_subrequests > modbus::kMaxFileSubRequests) std::abort();
      modbus::DeviceIdResponse answer;
      modbus::ParseDeviceIdResponse(p.payload, answer);
      if (answer.objects_read > modbus::kMaxDeviceIdObjects) std::abort();
      if (modbus::UmasReadIdName(p.payload).size() > p.payload.size()) std::abort();
    }
    r.Skip(f.size);
  }
}

const StreamDissectorInfo* Modbus() {
  for (const auto& d : StreamDissectors()) {
    if (std::string_view(d.name) == "modbus") return &d;
  }
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qw::flow::Flow flow;
  flow.proto = 6;
  flow.initiator_port = 50000;
  flow.responder_port = modbus::kModbusPort;
  CheckingSink sink;
  qw::core::Anomalies anomalies;
  AttachStats stats;
  StreamAttacher attacher(flow, qw::dissect::Candidates(std::span(Modbus(), 1)), sink, anomalies,
                          stats);
  qw::core::ByteReader in(std::span<const uint8_t>(data, size));
  uint64_t frame = 0;
  while (!in.empty()) {
    uint8_t control = in.U8();
    uint8_t length = in.U8();
    auto bytes = in.Bytes(std::min<size_t>(length, in.remaining()));
    if (!in.ok()) break;
    auto dir =
        (control & 1) ? qw::flow::Direction::kFromResponder : qw::flow::Direction::kFromInitiator;
    if (control & 2) attacher.OnGap(dir, control >> 2);
    FuzzParser(bytes);
    ++frame;
    attacher.OnData(dir, bytes, frame, qw::core::Timestamp{static_cast<int64_t>(frame)});
  }
  attacher.OnEnd(qw::flow::EndReason::kEndOfInput);
  if (sink.ops > sink.pdus) std::abort();
  return 0;
}
