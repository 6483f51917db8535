#include "dissect/s7comm_plus/s7comm_plus_dissector.h"

#include <string>

#include "dissect/s7comm/cotp_parser.h"
#include "dissect/s7comm/s7comm_dissector.h"

namespace qw::dissect::s7comm_plus {
namespace {

constexpr const char* kProtocol = "s7comm_plus";

size_t Index(flow::Direction dir) { return static_cast<size_t>(dir); }

bool IsResponse(uint8_t opcode) {
  return opcode == static_cast<uint8_t>(S7PlusOpcode::kResponse) ||
         opcode == static_cast<uint8_t>(S7PlusOpcode::kResponse2);
}

// What a function does, before its request's details (class, object) refine it. Between
// BeginSequence and EndSequence TIA Portal runs a download transaction ("DLTransaction"):
// objects created, deleted or written there change the program. A CreateObject in a V1
// (connect) packet opens the server session.
IcsCategory BaseCategory(uint16_t function, bool in_transaction, uint8_t version) {
  switch (static_cast<S7PlusFunction>(function)) {
    case S7PlusFunction::kExplore:
    case S7PlusFunction::kGetVariable:
    case S7PlusFunction::kGetLink:
    case S7PlusFunction::kGetMultiVariables:
    case S7PlusFunction::kGetVarSubStreamed:
    case S7PlusFunction::kGetVariablesAddress:
      return IcsCategory::kRead;
    case S7PlusFunction::kSetVariable:
    case S7PlusFunction::kSetMultiVariables:
    case S7PlusFunction::kSetVarSubStreamed:
      return in_transaction ? IcsCategory::kProgramChange : IcsCategory::kWrite;
    case S7PlusFunction::kCreateObject:
      if (version == static_cast<uint8_t>(S7PlusVersion::kV1)) return IcsCategory::kSession;
      return in_transaction ? IcsCategory::kProgramChange : IcsCategory::kOther;
    case S7PlusFunction::kBeginSequence:
    case S7PlusFunction::kEndSequence:
      return IcsCategory::kProgramChange;
    case S7PlusFunction::kAbort:
    case S7PlusFunction::kInitSsl:
      return IcsCategory::kSession;
    case S7PlusFunction::kDeleteObject:
    case S7PlusFunction::kInvoke:
    case S7PlusFunction::kAddLink:
    case S7PlusFunction::kRemoveLink:
    case S7PlusFunction::kError:
      return in_transaction ? IcsCategory::kProgramChange : IcsCategory::kOther;
  }
  return IcsCategory::kOther;
}

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  return ProbeIsoTransport(first_bytes, kS7commPlusProtocolId);
}

std::unique_ptr<Dissector> Create() {
  return std::make_unique<s7comm::IsoTransportDissector>(kProtocol);
}

void S7commPlusSession::OnMessage(flow::Direction dir, std::span<const uint8_t> message,
                                  const StreamContext& ctx, FrameSeq& seq) {
  std::optional<S7PlusPacket> packet = ParseS7PlusPacket(message, *ctx.anomalies);
  if (!packet) return;
  Partial& part = partial_[Index(dir)];
  if (packet->version == static_cast<uint8_t>(S7PlusVersion::kKeepAlive) ||
      packet->version == static_cast<uint8_t>(S7PlusVersion::kSystemEvent)) {
    // Keep-alives and system events have no opcode: counted, nothing to pair.
    CountPdu(ctx, kProtocol, 0, PduKind::kOther, false, "");
    CountDetail(ctx, kProtocol, "versions", packet->version);
    return;
  }
  if (part.active) {
    // A later packet of a fragmented message: its data continues the data part.
    if (!packet->ends_message) {
      CountFrame(ctx, kProtocol);
      return;
    }
    part.active = false;
    Complete(dir, part.version, part.has_head ? &part.head : nullptr, ctx, seq);
    return;
  }
  std::optional<S7PlusHead> head = ParseS7PlusHead(packet->data);
  if (head) LookForIdentity(dir, *head, packet->data, ctx);
  if (!packet->ends_message) {
    // The first packet of a fragmented message: the message counts when its last arrives,
    // its frames as they come.
    CountFrame(ctx, kProtocol);
    part.active = true;
    part.version = packet->version;
    part.has_head = head.has_value();
    if (head) {
      part.head = *head;
      part.head.body = {};
    }
    return;
  }
  Complete(dir, packet->version, head ? &*head : nullptr, ctx, seq);
}

void S7commPlusSession::Complete(flow::Direction dir, uint8_t version, const S7PlusHead* head,
                                 const StreamContext& ctx, FrameSeq& seq) {
  if (!head) {
    ctx.anomalies->Raise("s7comm_plus.data_malformed");
    CountPdu(ctx, kProtocol, 0, PduKind::kOther, false, "");
    CountDetail(ctx, kProtocol, "versions", version);
    return;
  }
  PduKind kind = PduKind::kOther;
  if (head->opcode == static_cast<uint8_t>(S7PlusOpcode::kRequest)) kind = PduKind::kRequest;
  if (IsResponse(head->opcode)) kind = PduKind::kResponse;
  bool exception = head->has_return_value && S7PlusIsError(head->return_value);
  if (head->has_function) {
    CountPdu(ctx, kProtocol, head->function, kind, exception, "functions");
  } else {
    if (head->opcode != static_cast<uint8_t>(S7PlusOpcode::kNotification)) {
      ctx.anomalies->Raise("s7comm_plus.unknown_opcode");
    }
    CountPdu(ctx, kProtocol, 0, kind, exception, "");
  }
  CountDetail(ctx, kProtocol, "opcodes", head->opcode);
  CountDetail(ctx, kProtocol, "versions", version);
  if (!head->has_function) return;  // notifications are spontaneous: counted only
  if (kind == PduKind::kRequest) {
    OnRequest(dir, version, *head, ctx, seq);
  } else {
    OnResponse(dir, version, *head, ctx, seq);
  }
}

void S7commPlusSession::OnRequest(flow::Direction dir, uint8_t version, const S7PlusHead& head,
                                  const StreamContext& ctx, FrameSeq& seq) {
  s7comm::OpRecord op = s7comm::RequestRecord(ctx, dir, seq);
  op.function_code = head.function;
  op.function = S7PlusFunctionName(head.function);
  op.category = BaseCategory(head.function, in_transaction_, version);
  auto fn = static_cast<S7PlusFunction>(head.function);
  if (fn == S7PlusFunction::kCreateObject && head.has_class_id) {
    op.target.Append("class ").AppendUint(head.class_id);
    if (head.class_id == kS7PlusClassServerSession) {
      op.category = IcsCategory::kSession;
      op.target.Append(" server-session");
    } else if (head.class_id == kS7PlusClassSubscription) {
      op.category = IcsCategory::kRead;
      op.target.Append(" subscription");
    }
  } else if (fn == S7PlusFunction::kDeleteObject && head.has_object_id) {
    op.target.Append("object ").AppendHex(head.object_id, 8);
    // Deleting the session object closes the session.
    if (head.object_id == head.session_id) {
      op.category = IcsCategory::kSession;
      op.target.Append(" session");
    }
  }
  if (fn == S7PlusFunction::kBeginSequence) in_transaction_ = true;
  if (fn == S7PlusFunction::kEndSequence) in_transaction_ = false;
  // The sequence number pairs the response; each direction numbers its own requests, so the
  // direction is part of the key.
  uint64_t key = uint64_t{Index(dir)} << 16 | head.sequence;
  if (auto same = pending_.Take(key)) s7comm::EmitOperation(ctx, kProtocol, *same, "", 0);
  bool full = pending_.size() == pending_.capacity();
  if (auto displaced = pending_.Put(key, op)) {
    if (full) ctx.anomalies->Raise("s7comm_plus.unanswered_overflow");
    s7comm::EmitOperation(ctx, kProtocol, *displaced, "", 0);
  }
}

void S7commPlusSession::OnResponse(flow::Direction dir, uint8_t version, const S7PlusHead& head,
                                   const StreamContext& ctx, FrameSeq& seq) {
  uint64_t key = uint64_t{Index(Reverse(dir))} << 16 | head.sequence;
  s7comm::OpRecord op;
  if (auto waiting = pending_.Take(key)) {
    op = *waiting;
  } else {
    op = s7comm::ResponseOnlyRecord(ctx, dir, seq);
    op.function_code = head.function;
    op.function = S7PlusFunctionName(head.function);
    op.category = BaseCategory(head.function, in_transaction_, version);
  }
  // The return value's low 16 bits are a signed error code (17 "session pre-legitimated",
  // -12 "object not found", ...), bit 62 says the request failed; the rest are flags.
  core::FixedText<64> result;
  auto code = static_cast<int16_t>(head.return_value & 0xffff);
  if (head.has_return_value && S7PlusIsError(head.return_value)) {
    result.Append("error ").AppendInt(code);
  } else if (!head.has_return_value || code == 0) {
    result.Append("ok");
  } else {
    result.Append("ok code ").AppendInt(code);
  }
  s7comm::EmitOperation(ctx, kProtocol, op, result.view(), ctx.frame);
}

void S7commPlusSession::LookForIdentity(flow::Direction dir, const S7PlusHead& head,
                                        std::span<const uint8_t> data, const StreamContext& ctx) {
  // The PLC names itself in the session set-up: its CreateObject response carries the
  // server session version ("1;6ES7 214-1AG40-0XB0 ;V4.2"), which the client echoes back
  // in a SetMultiVariables request. Either way the device is the side that answers.
  if (identity_reported_ || !head.has_function || !ctx.sink) return;
  bool response = IsResponse(head.opcode);
  auto fn = static_cast<S7PlusFunction>(head.function);
  bool candidate = (response && fn == S7PlusFunction::kCreateObject) ||
                   (!response && fn == S7PlusFunction::kSetMultiVariables);
  if (!candidate) return;
  S7PlusSessionVersion version;
  if (!FindS7PlusSessionVersion(data, version, *ctx.anomalies)) return;
  identity_reported_ = true;
  DeviceIdentity id = SenderIdentity(ctx, response ? dir : Reverse(dir), kProtocol);
  id.fields.emplace_back("vendor", "Siemens");
  id.fields.emplace_back("order_number", version.order_number.str());
  id.fields.emplace_back("firmware", version.firmware.str());
  ctx.sink->OnIdentity(id);
}

void S7commPlusSession::OnGap(flow::Direction dir) { partial_[Index(dir)] = Partial{}; }

void S7commPlusSession::OnEnd(const StreamContext& ctx, FrameSeq&) {
  pending_.Drain(
      [&](const s7comm::OpRecord& op) { s7comm::EmitOperation(ctx, kProtocol, op, "", 0); });
  partial_ = {};
}

}  // namespace qw::dissect::s7comm_plus
