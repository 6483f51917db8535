// libFuzzer target: arbitrary bytes as BACnet/IP. The whole input is one datagram for the
// parser; then it is cut into datagrams (each led by two bytes: direction bit and a 15-bit
// length) and fed through the registered dissector behind the real StreamAttacher, as a UDP
// flow would. Nothing may crash or read out of bounds, and every operation must be
// consistent: a result exactly when a response was seen, bounded text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/bacnet/bacnet_parser.h"
#include "dissect/dissector.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every operation the dissector reports.
struct CheckingSink : ObservationSink {
  void OnIcsOperation(const IcsOperation& op) override {
    if (op.result.empty() != (op.response_frame == 0)) std::abort();
    if (op.request_frame == 0 && op.response_frame == 0) std::abort();
    if (op.target.size() > op.target.capacity()) std::abort();
    if (std::string_view(op.protocol) != "bacnet") std::abort();
  }
  void OnIdentity(const DeviceIdentity& id) override {
    if (!id.ip.IsSet()) std::abort();  // BACnet/IP identities are always by address
  }
};

// The parser's functions over one datagram.
void Parse(std::span<const uint8_t> bytes) {
  qw::core::Anomalies an;
  auto bvlc = bacnet::ParseBvlc(bytes, an);
  if (!bvlc) return;
  auto npdu = bacnet::ParseNpdu(bvlc->npdu, an);
  if (!npdu) return;
  auto apdu = bacnet::ParseApdu(npdu->apdu, an);
  if (!apdu) return;
  auto s = bacnet::SummarizeConfirmedRequest(apdu->service, apdu->params, an, !apdu->more_follows);
  if (s.property_count > s.properties.size()) std::abort();
  (void)bacnet::SummarizeUnconfirmedRequest(apdu->service, apdu->params, an);
  (void)bacnet::ParseIAm(apdu->params, an);
  (void)bacnet::ParseError(apdu->params, an);
  std::array<bacnet::PropertyValue, bacnet::kMaxPropertyValues> values;
  if (bacnet::ReadPropertyValues(apdu->service, apdu->params, values, an) > values.size()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  Parse(bytes);

  qw::flow::Flow flow;
  flow.proto = 17;
  flow.initiator_ip = *qw::core::IpAddr::Parse("10.0.0.1");
  flow.responder_ip = *qw::core::IpAddr::Parse("10.0.0.2");
  flow.initiator_port = 47808;
  flow.responder_port = 47808;
  CheckingSink sink;
  qw::core::Anomalies anomalies;
  AttachStats stats;
  StreamAttacher attacher(flow,
                          qw::dissect::Candidates(std::span(qw::fuzz::Registered("bacnet", 17), 1)),
                          sink, anomalies, stats);
  qw::core::ByteReader r(bytes);
  uint64_t frame = 0;
  while (r.remaining() >= 2) {
    uint16_t head = r.U16Be();
    auto dir = (head & 0x8000) != 0 ? qw::flow::Direction::kFromResponder
                                    : qw::flow::Direction::kFromInitiator;
    auto datagram = r.Bytes(std::min<size_t>(head & 0x7fff, r.remaining()));
    ++frame;
    Parse(datagram);
    attacher.OnData(dir, datagram, frame, qw::core::Timestamp{static_cast<int64_t>(frame)});
  }
  attacher.OnEnd(qw::flow::EndReason::kEndOfInput);
  return 0;
}
