// Modbus/TCP per-flow state: framing ADUs out of each direction's bytes, counting them,
// pairing requests with responses by transaction id, and reporting operations and identities.
#include "dissect/modbus/modbus_dissector.h"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/byte_reader.h"
#include "core/fixed_text.h"
#include "dissect/ics_common.h"
#include "dissect/text_field.h"

namespace qw::dissect::modbus {
namespace {

constexpr const char* kProtocol = "modbus";
// Longest identity text kept; a device id object is at most 255 bytes anyway.
constexpr size_t kMaxIdentityText = 255;

size_t Index(flow::Direction d) { return static_cast<size_t>(d); }

// The identity key of a Read Device Identification object (Application Protocol table 6.21),
// or nullptr for reserved and private objects.
const char* IdentityKey(uint8_t object_id) {
  switch (object_id) {
    case 0:
      return "vendor";
    case 1:
      return "product_code";
    case 2:
      return "firmware";  // MajorMinorRevision
    case 3:
      return "vendor_url";
    case 4:
      return "product";
    case 5:
      return "model";
    case 6:
      return "name";  // UserApplicationName
    default:
      return nullptr;
  }
}

// "unit 1 hr 0+10": what a request (or a response echoing one) addresses.
core::FixedText<112> Target(uint8_t unit, const Pdu& p) {
  core::FixedText<112> t;
  t.Append("unit ").AppendUint(unit);
  if (p.has_range) {
    t.Append(' ').Append(TableName(p.table)).Append(' ').AppendUint(p.address);
    t.Append('+').AppendUint(p.quantity);
  }
  if (p.has_write_range) {
    t.Append(", write ").Append(TableName(p.table)).Append(' ').AppendUint(p.write_address);
    t.Append('+').AppendUint(p.write_quantity);
  }
  if (p.has_fifo) t.Append(" fifo ").AppendUint(p.fifo_address);
  if (p.file_subrequests > 0) {
    t.Append(" file ").AppendUint(p.file_number).Append(" record ").AppendUint(p.record_number);
    t.Append('+').AppendUint(p.record_length);
    if (p.file_subrequests > 1 || p.file_subrequests_capped) {
      t.Append(" (").AppendUint(p.file_subrequests).Append(p.file_subrequests_capped ? "+" : "");
      t.Append(" sub-requests)");
    }
  }
  if (!p.has_subfunction) return t;
  if (p.function == kDiagnostics) {
    t.Append(" sub ").AppendUint(p.subfunction);
    if (const char* name = DiagnosticName(p.subfunction)) t.Append(' ').Append(name);
  } else if (p.function == kEncapsulatedInterface) {
    if (p.subfunction == kMeiReadDeviceId && p.read_device_id_code != 0) {
      t.Append(" device-id code ").AppendUint(p.read_device_id_code);
      t.Append(" object ").AppendUint(p.device_id_object);
    } else {
      t.Append(" mei ").AppendUint(p.subfunction);
    }
  } else if (p.function == kUmas) {
    t.Append(" umas ").AppendHex(p.subfunction, 2);
  }
  return t;
}

// "ok", "exception 2 illegal-data-address", "error" (UMAS 0xfd), "malformed".
core::FixedText<64> Result(const Pdu& p) {
  core::FixedText<64> r;
  if (p.exception) {
    r.Append("exception ").AppendUint(p.exception_code);
    if (const char* name = ExceptionName(p.exception_code)) r.Append(' ').Append(name);
  } else if (!p.well_formed) {
    r.Append("malformed");
  } else if (p.function == kUmas && p.subfunction == kUmasResponseError) {
    r.Append("error");
  } else if (p.function == kUmas && p.subfunction != kUmasResponseOk) {
    r.Append("status ").AppendHex(p.subfunction, 2);
  } else {
    r.Append("ok");
  }
  return r;
}

// Per-flow Modbus/TCP state: the direction requests travel, the requests awaiting answers,
// and whether a direction is resynchronising after a gap or bytes that were not Modbus.
class ModbusDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override;
  void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) override;
  void OnEnd(const StreamContext& ctx) override;

 private:
  // A request awaiting its response: what the operation row needs from it. The target text
  // is made when the row is, from the request's fields (kept small: the table is scanned).
  struct Pending {
    uint64_t frame = 0;
    core::Timestamp ts;
    uint32_t seq = 0;
    uint16_t transaction = 0;
    uint8_t unit = 0;
    flow::Direction dir = flow::Direction::kFromInitiator;
    Pdu pdu;  // its payload view cleared: it dies with the segment
  };

  // True when `dir` is the client's (decided once, at the flow's first ADU).
  bool IsRequest(flow::Direction dir, const StreamContext& ctx, const Adu& adu);
  // Counts one ADU and hands it to OnRequest or OnResponse.
  void OnAdu(flow::Direction dir, const Adu& adu, const StreamContext& ctx);
  // Files a request under its transaction id.
  void OnRequest(flow::Direction dir, const Adu& adu, const Pdu& pdu, const StreamContext& ctx);
  // Pairs a response with its request and reports the operation.
  void OnResponse(flow::Direction dir, const Adu& adu, const Pdu& pdu, const StreamContext& ctx);
  // Reports a request's operation: answered (response frame and result) or not (0, "").
  void Report(const Pending& req, const StreamContext& ctx, uint64_t response_frame,
              std::string_view result);
  // Reports a response whose request was not seen.
  void ReportOrphan(flow::Direction dir, const Adu& adu, const Pdu& pdu, const StreamContext& ctx);
  // Reports what a 43/14 or UMAS Read ID answer says about the device that sent it.
  void Identity(flow::Direction dir, const Pending* req, const Pdu& pdu, const StreamContext& ctx);

  // The target text of a request, from a small cache: a poll loop asks for the same few
  // ranges again and again, and formatting the text is most of a report's own work.
  const core::FixedText<112>& TargetOf(uint8_t unit, const Pdu& p);

  // Plain range requests (unit, function, table, address, quantity) and their text.
  struct CachedTarget {
    uint64_t key = ~uint64_t{0};
    core::FixedText<112> text;
  };
  std::unique_ptr<std::array<CachedTarget, 8>> targets_;
  bool plain_seen_ = false;              // a plain request came before the cache was made
  core::FixedText<112> scratch_target_;  // the text of a request the cache does not take

  RequestTable<Pending, kMaxPendingRequests> pending_;
  FrameSeq seq_;
  std::optional<flow::Direction> client_;  // the direction requests travel, once known
  bool resync_[2] = {false, false};
  uint32_t bad_runs_ = 0;
};

bool ModbusDissector::IsRequest(flow::Direction dir, const StreamContext& ctx, const Adu& adu) {
  if (!client_) {
    const flow::Flow* f = ctx.flow;
    bool initiator_server = f && f->initiator_port == kModbusPort;
    bool responder_server = f && f->responder_port == kModbusPort;
    if (responder_server != initiator_server) {
      client_ =
          responder_server ? flow::Direction::kFromInitiator : flow::Direction::kFromResponder;
    } else if (f && f->midstream && (adu.function_byte & kExceptionBit)) {
      // No handshake and no port to go by: an exception can only come from the server.
      client_ = Reverse(dir);
    } else {
      client_ = flow::Direction::kFromInitiator;
    }
  }
  return dir == *client_;
}

ParseResult ModbusDissector::OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                                    const StreamContext& ctx) {
  bool& resync = resync_[Index(dir)];
  FrameResult f = FrameAdu(bytes);
  bool bad_header = f.status == FrameStatus::kBadProtocolId || f.status == FrameStatus::kBadLength;
  // While resynchronising, a header must also name a function: mid-ADU bytes (zeros, say)
  // would otherwise pass for one more easily.
  bool no_function = resync && bytes.size() > kMbapBytes &&
                     (core::ByteReader(bytes).PeekU8(kMbapBytes) & 0x7fu) == 0;
  if (bad_header || no_function) {
    // Not an ADU boundary: after a gap the bytes resume mid-PDU, otherwise the peer sent
    // something else. Skip what was offered (up to the end of this segment) and look for a
    // header where the next segment starts.
    if (!resync) {
      ctx.anomalies->Raise(f.status == FrameStatus::kBadProtocolId ? "modbus.bad_protocol_id"
                                                                   : "modbus.bad_length");
    }
    ctx.anomalies->Raise("modbus.resync_skipped");
    resync = true;
    if (++bad_runs_ >= kMaxBadRuns) return {Verdict::kNotThisProtocol, 0, 0};
    return {Verdict::kConsumed, bytes.size(), 0};
  }
  if (f.status == FrameStatus::kNeedMore) return {Verdict::kNeedMore, 0, f.size - bytes.size()};
  resync = false;
  bad_runs_ = 0;
  OnAdu(dir, f.adu, ctx);
  return {Verdict::kConsumed, f.size, 0};
}

void ModbusDissector::OnAdu(flow::Direction dir, const Adu& adu, const StreamContext& ctx) {
  if (adu.mbap.length > kSpecMaxMbapLength) ctx.anomalies->Raise("modbus.length_over_spec");
  bool request = IsRequest(dir, ctx, adu);
  Pdu pdu = ParsePdu(adu, request ? Role::kRequest : Role::kResponse);
  CountPdu(ctx, kProtocol, adu.function_byte, request ? PduKind::kRequest : PduKind::kResponse,
           pdu.exception);
  if (!pdu.exception && pdu.has_subfunction) {
    if (pdu.function == kDiagnostics) CountDetail(ctx, kProtocol, "diagnostics", pdu.subfunction);
    if (pdu.function == kEncapsulatedInterface) CountDetail(ctx, kProtocol, "mei", pdu.subfunction);
    if (pdu.function == kUmas) CountDetail(ctx, kProtocol, "umas", pdu.subfunction);
  }
  if (pdu.function == 0) ctx.anomalies->Raise("modbus.function_zero");
  if (!pdu.well_formed) ctx.anomalies->Raise("modbus.malformed_pdu");
  if (pdu.file_subrequests_capped) ctx.anomalies->Raise("modbus.too_many_file_subrequests");
  if (request) {
    if (pdu.exception) ctx.anomalies->Raise("modbus.exception_in_request");
    OnRequest(dir, adu, pdu, ctx);
  } else {
    OnResponse(dir, adu, pdu, ctx);
  }
}

void ModbusDissector::OnRequest(flow::Direction dir, const Adu& adu, const Pdu& pdu,
                                const StreamContext& ctx) {
  Pending p;
  p.frame = ctx.frame;
  p.ts = ctx.ts;
  p.seq = seq_.Next(ctx.frame);
  p.transaction = adu.mbap.transaction;
  p.unit = adu.mbap.unit;
  p.dir = dir;
  p.pdu = pdu;
  p.pdu.payload = {};
  if (auto displaced = pending_.Put(p.transaction, p)) {
    // The same id: the client gave up on its earlier request. Another: the table was full.
    if (displaced->transaction != p.transaction) {
      ctx.anomalies->Raise("modbus.unanswered_overflow");
    }
    Report(*displaced, ctx, 0, "");
  }
}

void ModbusDissector::OnResponse(flow::Direction dir, const Adu& adu, const Pdu& pdu,
                                 const StreamContext& ctx) {
  std::optional<Pending> req = pending_.Take(adu.mbap.transaction);
  if (req && req->pdu.function != pdu.function) {
    // The same transaction id, another function: the answer to a request we did not see.
    ctx.anomalies->Raise("modbus.function_mismatch");
    Report(*req, ctx, 0, "");
    req.reset();
  }
  if (req) {
    if (req->unit != adu.mbap.unit) ctx.anomalies->Raise("modbus.unit_mismatch");
    Report(*req, ctx, ctx.frame, Result(pdu).view());
  } else {
    ReportOrphan(dir, adu, pdu, ctx);
  }
  if (!pdu.exception && pdu.well_formed) Identity(dir, req ? &*req : nullptr, pdu, ctx);
}

void ModbusDissector::Report(const Pending& req, const StreamContext& ctx, uint64_t response_frame,
                             std::string_view result) {
  if (!ctx.sink) return;
  IcsOperation op;
  op.protocol = kProtocol;
  const Pdu& asked = req.pdu;
  op.function_code = asked.function;
  op.function = FunctionName(asked.function, asked.has_subfunction, asked.subfunction);
  op.category = FunctionCategory(asked.function, asked.has_subfunction, asked.subfunction);
  op.target = TargetOf(req.unit, asked);
  op.result = core::FixedText<64>(result);
  op.where = EndpointsFor(ctx, req.dir);
  op.request_frame = req.frame;
  op.response_frame = response_frame;
  op.ts = req.ts;
  op.seq = req.seq;
  ctx.sink->OnIcsOperation(op);
}

const core::FixedText<112>& ModbusDissector::TargetOf(uint8_t unit, const Pdu& p) {
  const bool plain = p.has_range && !p.has_write_range && !p.has_fifo && p.file_subrequests == 0 &&
                     !p.has_subfunction;
  if (!plain) {
    scratch_target_ = Target(unit, p);
    return scratch_target_;
  }
  if (!targets_) {
    // The cache is made at a flow's second plain request: a flow of one (a master that
    // connects for every poll, a flood of spoofed ones) has nothing to repeat.
    if (!plain_seen_) {
      plain_seen_ = true;
      scratch_target_ = Target(unit, p);
      return scratch_target_;
    }
    targets_ = std::make_unique<std::array<CachedTarget, 8>>();
  }
  const uint64_t key = uint64_t{unit} << 48 | uint64_t{p.function} << 40 |
                       uint64_t{static_cast<uint8_t>(p.table)} << 32 | uint64_t{p.address} << 16 |
                       p.quantity;
  CachedTarget& c = (*targets_)[(key * 0x9e3779b97f4a7c15ULL) >> 61];
  if (c.key != key) {
    c.key = key;
    c.text = Target(unit, p);
  }
  return c.text;
}

void ModbusDissector::ReportOrphan(flow::Direction dir, const Adu& adu, const Pdu& pdu,
                                   const StreamContext& ctx) {
  if (!ctx.sink) return;
  // Only the response tells what was asked: its function, and the range it echoes.
  bool has_sub = pdu.has_subfunction && pdu.function != kUmas;
  IcsOperation op;
  op.protocol = kProtocol;
  op.function_code = pdu.function;
  op.function = FunctionName(pdu.function, has_sub, pdu.subfunction);
  op.category = FunctionCategory(pdu.function, has_sub, pdu.subfunction);
  Pdu echoed = pdu;
  if (pdu.function == kUmas) echoed.has_subfunction = false;  // a status, not a UMAS code
  op.target = Target(adu.mbap.unit, echoed);
  op.result = Result(pdu);
  op.where = EndpointsFor(ctx, Reverse(dir));
  op.response_frame = ctx.frame;
  op.ts = ctx.ts;
  op.seq = seq_.Next(ctx.frame);
  ctx.sink->OnIcsOperation(op);
}

void ModbusDissector::Identity(flow::Direction dir, const Pending* req, const Pdu& pdu,
                               const StreamContext& ctx) {
  bool device_id = pdu.function == kEncapsulatedInterface && pdu.subfunction == kMeiReadDeviceId;
  bool umas_id = pdu.function == kUmas && req && req->pdu.has_subfunction &&
                 req->pdu.subfunction == kUmasReadId && pdu.subfunction == kUmasResponseOk;
  if (!ctx.sink || !(device_id || umas_id)) return;
  DeviceIdentity id = SenderIdentity(ctx, dir, kProtocol);  // the side that answered
  if (device_id) {
    DeviceIdResponse answer;
    ParseDeviceIdResponse(pdu.payload, answer);  // ParsePdu found it well formed
    if (answer.capped) ctx.anomalies->Raise("modbus.too_many_device_id_objects");
    for (size_t i = 0; i < answer.objects_read; ++i) {
      const DeviceIdObject& o = answer.objects[i];
      const char* key = IdentityKey(o.id);
      if (!key) continue;
      bool truncated = false;
      std::string value = TextField(o.value, kMaxIdentityText, truncated);
      if (!value.empty()) id.fields.emplace_back(key, std::move(value));
    }
  } else {
    // UMAS is Schneider Electric's own; its Read ID answer names the CPU ("140 CPU 311 10").
    std::span<const uint8_t> name = WithoutTrailingNuls(UmasReadIdName(pdu.payload)).Rest();
    if (IsPrintableAscii(name)) {
      bool truncated = false;
      id.fields.emplace_back("vendor", "Schneider Electric");
      id.fields.emplace_back("model", TextField(name, kMaxIdentityText, truncated));
    }
  }
  if (!id.fields.empty()) ctx.sink->OnIdentity(id);
}

void ModbusDissector::OnGap(flow::Direction dir, uint64_t, const StreamContext&) {
  // Transaction ids keep pairing sound across a gap (a lost request leaves its response
  // unpaired, a lost response leaves its request to OnEnd); only the byte position is lost.
  resync_[Index(dir)] = true;
}

void ModbusDissector::OnEnd(const StreamContext& ctx) {
  pending_.Drain([&](const Pending& p) { Report(p, ctx, 0, ""); });
}

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  if (first_bytes.empty()) return ProbeResult::kMaybe;
  core::ByteReader r(first_bytes);
  bool confirmed = false;  // a whole ADU of a function other than 0 checked out
  for (int i = 0; i < kProbeAdus && !r.empty(); ++i) {
    FrameResult f = FrameAdu(r.PeekRest());
    if (f.status == FrameStatus::kBadProtocolId || f.status == FrameStatus::kBadLength) {
      return ProbeResult::kNo;
    }
    // The next ADU has begun: what came before decides.
    if (f.status == FrameStatus::kNeedMore) break;
    // Function code 0 is no function, yet scanners send it and servers refuse it with
    // exception 0x80: framed whole, it neither confirms nor refuses.
    if ((f.adu.function_byte & 0x7fu) != 0) confirmed = true;
    r.Skip(f.size);
  }
  return confirmed ? ProbeResult::kYes : ProbeResult::kMaybe;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<ModbusDissector>(); }

}  // namespace qw::dissect::modbus
