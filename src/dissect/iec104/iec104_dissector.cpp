#include "dissect/iec104/iec104_dissector.h"

#include <string_view>

#include "core/byte_reader.h"

namespace qw::dissect::iec104 {
namespace {

constexpr const char* kProtocol = "iec104";

size_t Index(flow::Direction d) { return static_cast<size_t>(d); }

// Pairing keys. A command and its confirmation share type, common address and first object
// address; a file call and the answers of the other side share address and object; U-format
// confirmations answer their activation. The top octet keeps the three kinds apart.
uint64_t AsduKey(uint8_t type, uint16_t ca, uint32_t ioa) {
  return uint64_t{type} << 40 | uint64_t{ca} << 24 | (ioa & 0xffffff);
}
uint64_t FileKey(uint16_t ca, uint32_t ioa) {
  return uint64_t{1} << 56 | uint64_t{ca} << 24 | (ioa & 0xffffff);
}
uint64_t UKey(uint8_t act_function) { return uint64_t{2} << 56 | act_function; }

constexpr uint8_t kReadCommand = 102;
constexpr uint8_t kFileCall = 122;
constexpr uint8_t kQueryLog = 127;
constexpr uint8_t kFirstFileType = 120;

bool IsFileType(uint8_t type) { return type >= kFirstFileType && type <= kQueryLog; }

// The direction the outstation sends in: the side on port 2404, else the TCP responder (a
// 104 controlling station connects to the outstation).
flow::Direction OutstationDir(const StreamContext& ctx) {
  if (ctx.flow && ctx.flow->initiator_port == kPorts[0] && ctx.flow->responder_port != kPorts[0]) {
    return flow::Direction::kFromInitiator;
  }
  return flow::Direction::kFromResponder;
}

// "ca 1 ioa 5000", with " select" for the select step of a select-before-operate command
// and " deactivate" for a deactivation.
core::FixedText<112> AsduTarget(const Iec104Asdu& a) {
  core::FixedText<112> t;
  t.Append("ca ").AppendUint(a.common_address);
  if (a.has_object) t.Append(" ioa ").AppendUint(a.first_ioa);
  if (a.select) t.Append(" select");
  if (a.cot == kIec104CotDeactivation) t.Append(" deactivate");
  return t;
}

// The result an answering ASDU gives: its cause when that is a rejection, else its P/N bit.
std::string_view AnswerResult(const Iec104Asdu& a) {
  switch (a.cot) {
    case 44:
      return "unknown-type-id";
    case 45:
      return "unknown-cause";
    case 46:
      return "unknown-common-address";
    case kIec104CotUnknownIoa:
      return "unknown-ioa";
    default:
      return a.negative ? "negative" : "ok";
  }
}

bool IsRejection(uint8_t cot) {
  return cot >= kIec104CotUnknownType && cot <= kIec104CotUnknownIoa;
}

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  return LooksLikeIec104(first_bytes);
}

std::unique_ptr<Dissector> Create() { return std::make_unique<Iec104Dissector>(); }

ParseResult Iec104Dissector::OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                                    const StreamContext& ctx) {
  if (resync_[Index(dir)]) return Resync(dir, bytes, ctx);
  Iec104Framing f = FrameIec104(bytes);
  switch (f.status) {
    case Iec104Framing::Status::kNeedMore:
      return {Verdict::kNeedMore, 0, f.size - bytes.size()};
    case Iec104Framing::Status::kBadStart:
    case Iec104Framing::Status::kBadLength:
      // Bytes that frame no APDU: skip to the next one that looks whole rather than lose
      // the rest of the flow (a peer could otherwise blind the monitor with one stray
      // octet). Resync gives the flow up when nothing follows for kMaxResyncBytes.
      ctx.anomalies->Raise(f.status == Iec104Framing::Status::kBadStart ? "iec104.bad_start"
                                                                        : "iec104.bad_length");
      resync_[Index(dir)] = true;
      resync_skipped_[Index(dir)] = 0;
      return {Verdict::kConsumed, 1, 0};
    case Iec104Framing::Status::kOk:
      break;
  }
  auto apdu = ParseIec104Apdu(bytes.first(f.size), *ctx.anomalies);
  if (!apdu) return {Verdict::kNotThisProtocol, 0, 0};
  OnApdu(dir, *apdu, ctx);
  return {Verdict::kConsumed, f.size, 0};
}

ParseResult Iec104Dissector::Resync(flow::Direction dir, std::span<const uint8_t> bytes,
                                    const StreamContext& ctx) {
  // Skip to the first offset where a whole, plausible APCI starts (the start octet alone
  // is too common in data to trust).
  core::ByteReader scan(bytes);
  size_t skipped = 0;
  while (!scan.empty()) {
    ProbeResult p = LooksLikeIec104(scan.PeekRest());
    if (p == ProbeResult::kYes) {
      resync_[Index(dir)] = false;
      resync_skipped_[Index(dir)] = 0;
      if (skipped == 0) return OnData(dir, bytes, ctx);  // in step again: parse it now
      return {Verdict::kConsumed, skipped, 0};
    }
    if (p == ProbeResult::kMaybe) break;
    scan.Skip(1);
    ++skipped;
  }
  resync_skipped_[Index(dir)] += skipped;
  if (resync_skipped_[Index(dir)] > kMaxResyncBytes) {
    ctx.anomalies->Raise("iec104.resync_failed");
    return {Verdict::kNotThisProtocol, 0, 0};
  }
  if (skipped > 0) return {Verdict::kConsumed, skipped, 0};
  return {Verdict::kNeedMore, 0, 1};
}

void Iec104Dissector::OnApdu(flow::Direction dir, const Iec104Apdu& apdu,
                             const StreamContext& ctx) {
  switch (apdu.format) {
    case Iec104Format::kS:
      // Acknowledgements only: counted under their format, no function.
      CountPdu(ctx, kProtocol, static_cast<uint32_t>(Iec104Format::kS), PduKind::kOther, false,
               "apci");
      return;
    case Iec104Format::kU:
      OnUFrame(dir, apdu, ctx);
      return;
    case Iec104Format::kI:
      if (!apdu.has_asdu) {
        CountPdu(ctx, kProtocol, static_cast<uint32_t>(Iec104Format::kI), PduKind::kOther, false,
                 "apci");
        return;
      }
      OnAsdu(dir, apdu.asdu, ctx);
      return;
  }
}

void Iec104Dissector::OnUFrame(flow::Direction dir, const Iec104Apdu& apdu,
                               const StreamContext& ctx) {
  uint8_t fn = apdu.u_function;
  bool act = fn == kIec104StartDtAct || fn == kIec104StopDtAct || fn == kIec104TestFrAct;
  bool con = fn == kIec104StartDtCon || fn == kIec104StopDtCon || fn == kIec104TestFrCon;
  CountPdu(ctx, kProtocol, static_cast<uint32_t>(Iec104Format::kU),
           act ? PduKind::kRequest : (con ? PduKind::kResponse : PduKind::kOther), false, "apci");
  CountDetail(ctx, kProtocol, "u_functions", fn);
  // STARTDT and STOPDT start and stop data transfer: session operations. TESTFR is the
  // keep-alive and is only counted.
  const char* name = nullptr;
  uint8_t act_fn = 0;
  if (fn == kIec104StartDtAct || fn == kIec104StartDtCon) {
    name = "startdt";
    act_fn = kIec104StartDtAct;
  } else if (fn == kIec104StopDtAct || fn == kIec104StopDtCon) {
    name = "stopdt";
    act_fn = kIec104StopDtAct;
  }
  if (!name) return;
  if (act) {
    Pending p;
    p.key = UKey(act_fn);
    p.function_code = act_fn;
    p.function = name;
    p.category = IcsCategory::kSession;
    p.request_frame = ctx.frame;
    p.ts = ctx.ts;
    p.dir = dir;
    Expect(p, ctx);
    return;
  }
  if (auto p = pending_.Take(UKey(act_fn))) {
    Emit(*p, ctx.frame, "ok", ctx);
  } else {
    EmitOrphan(Reverse(dir), act_fn, name, IcsCategory::kSession, {}, "ok", ctx);
  }
}

void Iec104Dissector::OnAsdu(flow::Direction dir, const Iec104Asdu& a, const StreamContext& ctx) {
  const Iec104TypeInfo* type = Iec104Type(a.type_id);
  bool activation = a.cot == kIec104CotActivation || a.cot == kIec104CotDeactivation;
  bool confirmation = a.cot == kIec104CotActivationCon || a.cot == kIec104CotDeactivationCon;
  bool termination = a.cot == kIec104CotActivationTerm;
  bool rejection = IsRejection(a.cot);
  // An undefined type sent as an activation is still a command someone issued.
  bool command = type ? type->command : activation || rejection;
  bool file = IsFileType(a.type_id);
  const char* name = type ? type->name : "unknown-type";
  IcsCategory category = type ? type->category : IcsCategory::kOther;

  PduKind kind = PduKind::kOther;
  bool exception = false;
  if (command) {
    if (activation || (a.type_id == kReadCommand && a.cot == kIec104CotRequest)) {
      kind = PduKind::kRequest;
    } else if (confirmation || termination || rejection) {
      kind = PduKind::kResponse;
      exception = rejection || (confirmation && a.negative);
    }
  } else if (file) {
    bool call = a.type_id == kFileCall || a.type_id == kQueryLog;
    kind = call ? PduKind::kRequest : PduKind::kResponse;
    exception = a.negative || rejection;
  } else if (a.cot == kIec104CotRequest) {
    kind = PduKind::kResponse;  // monitoring data a read command asked for
  }
  CountPdu(ctx, kProtocol, a.type_id, kind, exception, "functions");
  CountDetail(ctx, kProtocol, "apci", static_cast<uint32_t>(Iec104Format::kI));
  CountDetail(ctx, kProtocol, "cot", a.cot);

  if (command) {
    uint64_t key = AsduKey(a.type_id, a.common_address, a.first_ioa);
    if (kind == PduKind::kRequest) {
      Pending p;
      p.key = key;
      p.function_code = a.type_id;
      p.function = name;
      p.category = category;
      p.target = AsduTarget(a);
      p.request_frame = ctx.frame;
      p.ts = ctx.ts;
      p.dir = dir;
      Expect(p, ctx);
      return;
    }
    if (kind != PduKind::kResponse) return;
    // A termination closes a command already reported at its confirmation.
    if (termination && confirmed_.Take(key)) return;
    if (auto p = pending_.Take(key)) {
      Emit(*p, ctx.frame, AnswerResult(a), ctx);
    } else {
      EmitOrphan(Reverse(dir), a.type_id, name, category, AsduTarget(a), AnswerResult(a), ctx);
    }
    if (confirmation) confirmed_.Put(key, 0);
    return;
  }

  if (file) {
    // The side that calls a file receives it. The controlling station calling a directory,
    // file or log from the outstation reads (disturbance records, logs); the outstation
    // calling a file the controlling station offered has a file loaded into it (parameter
    // or program files): a program change. Either way the controlling station asked.
    uint64_t key = FileKey(a.common_address, a.first_ioa);
    flow::Direction outstation = OutstationDir(ctx);
    if (kind == PduKind::kRequest) {
      Pending p;
      p.key = key;
      p.function_code = a.type_id;
      p.function = name;
      bool into_outstation = dir == outstation;
      p.category = into_outstation ? IcsCategory::kProgramChange : IcsCategory::kRead;
      p.target = AsduTarget(a);
      if (into_outstation) p.target.Append(" to-outstation");
      p.request_frame = ctx.frame;
      p.ts = ctx.ts;
      p.dir = Reverse(outstation);
      // A repeated call of the same file (section after section) keeps the first.
      if (auto earlier = pending_.Take(key)) {
        pending_.Put(key, *earlier);
        return;
      }
      Expect(p, ctx);
      return;
    }
    // The first answer from the other side of the caller completes the call.
    if (auto p = pending_.Take(key)) {
      bool caller_is_outstation = p->category == IcsCategory::kProgramChange;
      flow::Direction caller = caller_is_outstation ? outstation : Reverse(outstation);
      if (dir != caller) {
        Emit(*p, ctx.frame, AnswerResult(a), ctx);
      } else {
        pending_.Put(key, *p);
      }
    }
    return;
  }

  if (a.cot == kIec104CotRequest) {
    if (auto p = pending_.Take(AsduKey(kReadCommand, a.common_address, a.first_ioa))) {
      Emit(*p, ctx.frame, AnswerResult(a), ctx);
    }
  }
}

void Iec104Dissector::Expect(const Pending& p, const StreamContext& ctx) {
  ExpectResponse(pending_, p, "iec104.unanswered_overflow", ctx,
                 [&](const Pending& earlier) { Emit(earlier, 0, "", ctx); });
}

void Iec104Dissector::Emit(const Pending& p, uint64_t response_frame, std::string_view result,
                           const StreamContext& ctx) {
  EmitPending(kProtocol, p, response_frame, result, seq_, ctx);
}

void Iec104Dissector::EmitOrphan(flow::Direction dir, uint32_t function_code, const char* function,
                                 IcsCategory category, const core::FixedText<112>& target,
                                 std::string_view result, const StreamContext& ctx) {
  Pending p;
  p.function_code = function_code;
  p.function = function;
  p.category = category;
  p.target = target;
  p.ts = ctx.ts;
  p.dir = dir;
  Emit(p, ctx.frame, result, ctx);
}

void Iec104Dissector::OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) {
  // The next APDU starts somewhere in what follows.
  resync_[Index(dir)] = true;
  resync_skipped_[Index(dir)] = 0;
  // Answers that travelled in the lost bytes will never be seen: those requests are
  // reported unanswered now; requests answered the other way keep waiting.
  pending_.DrainIf([&](const Pending& p) { return Reverse(p.dir) == dir; },
                   [&](const Pending& p) { Emit(p, 0, "", ctx); });
  // Confirmed commands stay remembered: a termination after the gap still closes one
  // quietly, and a stale entry only ever suppresses a duplicate report.
}

void Iec104Dissector::OnEnd(const StreamContext& ctx) {
  pending_.Drain([&](const Pending& p) { Emit(p, 0, "", ctx); });
}

}  // namespace qw::dissect::iec104
