// libFuzzer target: arbitrary bytes as the payload of a PROFINET frame (after EtherType
// 0x8892). The parser and the frame dissector must never crash or read out of bounds, keep
// within their caps, and report at most one PN-RT and one DCP PDU per frame.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "dissect/observation.h"
#include "dissect/profinet/profinet_dissector.h"
#include "dissect/profinet/profinet_parser.h"

namespace {

// Checks what the dissector reports as it reports it.
struct CheckingSink : qw::dissect::ObservationSink {
  int rt = 0, dcp = 0, ops = 0;
  void OnPdu(const qw::dissect::PduObservation& p) override {
    std::string_view name(p.protocol);
    if (name == "pn_rt") ++rt;
    if (name == "pn_dcp") ++dcp;
  }
  void OnIcsOperation(const qw::dissect::IcsOperation& op) override {
    ++ops;
    if (op.target.size() > op.target.capacity()) std::abort();
    if (op.request_frame == 0 || op.response_frame != 0) std::abort();
  }
  void OnIdentity(const qw::dissect::DeviceIdentity& id) override {
    for (const auto& [key, value] : id.fields) {
      if (value.size() > 4 * qw::dissect::profinet::kMaxDcpTextBytes) std::abort();
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace qw::dissect;
  std::span<const uint8_t> bytes(data, size);
  qw::core::Anomalies anomalies;

  if (auto frame = profinet::ParsePnFrame(bytes)) {
    auto pdu = profinet::ParseDcp(frame->frame_id, frame->data, anomalies);
    if (pdu && pdu->block_count > profinet::kMaxDcpBlocks) std::abort();
    if (pdu) (void)profinet::StationOf(*pdu, anomalies);
  }

  qw::decode::Packet pkt;
  pkt.l3 = qw::decode::L3::kOther;
  pkt.ethertype = profinet::kPnEthertype;
  pkt.l2_payload = bytes;
  FrameContext ctx;
  ctx.frame = 1;
  ctx.src_mac = *qw::core::MacAddr::Parse("02:00:00:00:00:02");
  ctx.dst_mac = *qw::core::MacAddr::Parse("01:0e:cf:00:00:00");
  CheckingSink sink;
  profinet::DissectProfinet(pkt, ctx, sink, anomalies);
  if (sink.rt > 1 || sink.dcp > 1 || sink.ops > 1) std::abort();
  if (sink.dcp == 1 && sink.rt != 1) std::abort();
  return 0;
}
