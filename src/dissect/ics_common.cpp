#include "dissect/ics_common.h"

namespace qw::dissect {

const char* IcsCategoryName(IcsCategory c) {
  switch (c) {
    case IcsCategory::kRead:
      return "read";
    case IcsCategory::kWrite:
      return "write";
    case IcsCategory::kProgramChange:
      return "program-change";
    case IcsCategory::kFirmware:
      return "firmware";
    case IcsCategory::kControllerState:
      return "controller-state";
    case IcsCategory::kIdentity:
      return "identity";
    case IcsCategory::kDiagnostic:
      return "diagnostic";
    case IcsCategory::kSession:
      return "session";
    case IcsCategory::kOther:
      return "other";
  }
  return "other";
}

OpEndpoints EndpointsFor(const StreamContext& ctx, flow::Direction request_dir) {
  OpEndpoints e;
  e.capture_index = ctx.capture_index;
  if (!ctx.flow) return e;
  const flow::Flow& f = *ctx.flow;
  e.vlan = f.vlan;
  bool from_initiator = request_dir == flow::Direction::kFromInitiator;
  e.flow_id = f.RecordId();
  e.transport = f.proto;
  e.requester_is_initiator = from_initiator;
  e.requester_ip = from_initiator ? f.initiator_ip : f.responder_ip;
  e.device_ip = from_initiator ? f.responder_ip : f.initiator_ip;
  e.requester_port = from_initiator ? f.initiator_port : f.responder_port;
  e.device_port = from_initiator ? f.responder_port : f.initiator_port;
  e.requester_mac = from_initiator ? f.initiator_mac : f.responder_mac;
  e.device_mac = from_initiator ? f.responder_mac : f.initiator_mac;
  return e;
}

void SenderAddress(const StreamContext& ctx, flow::Direction dir, core::IpAddr& ip,
                   core::MacAddr& mac) {
  if (!ctx.flow) return;
  const bool initiator = dir == flow::Direction::kFromInitiator;
  ip = initiator ? ctx.flow->initiator_ip : ctx.flow->responder_ip;
  mac = initiator ? ctx.flow->initiator_mac : ctx.flow->responder_mac;
}

DeviceIdentity SenderIdentity(const StreamContext& ctx, flow::Direction dir, const char* protocol) {
  DeviceIdentity id;
  id.protocol = protocol;
  id.capture_index = ctx.capture_index;
  id.frame = ctx.frame;
  SenderAddress(ctx, dir, id.ip, id.mac);
  return id;
}

OpEndpoints EndpointsFor(const FrameContext& ctx, const core::MacAddr& device_mac) {
  OpEndpoints e;
  e.capture_index = ctx.capture_index;
  e.vlan = ctx.vlan;
  e.requester_mac = ctx.src_mac;
  e.device_mac = device_mac;
  return e;
}

void CountWordPdu(const StreamContext& ctx, const char* protocol, std::string_view word,
                  PduKind kind, bool exception, const char* histogram) {
  if (!ctx.sink) return;
  PduObservation p =
      MakePdu(ctx.capture_index, ctx.frame, protocol, WordCode(word), kind, exception, histogram);
  p.text_code = true;
  ctx.sink->OnPdu(p);
}

void CountDetail(const StreamContext& ctx, const char* protocol, const char* histogram,
                 uint32_t code) {
  if (!ctx.sink) return;
  ctx.sink->OnPduDetail(PduDetail{protocol, histogram, code});
}

void EmitPending(const char* protocol, const PendingRequest& p, uint64_t response_frame,
                 std::string_view result, FrameSeq& seq, const StreamContext& ctx) {
  if (!ctx.sink) return;
  IcsOperation op;
  op.protocol = protocol;
  op.function_code = p.function_code;
  op.function = p.function;
  op.category = p.category;
  op.target = p.target;
  op.result.Append(result);
  op.where = EndpointsFor(ctx, p.dir);
  op.request_frame = p.request_frame;
  op.response_frame = response_frame;
  op.ts = p.ts;
  op.seq = seq.Next(p.request_frame ? p.request_frame : response_frame);
  ctx.sink->OnIcsOperation(op);
}

}  // namespace qw::dissect
