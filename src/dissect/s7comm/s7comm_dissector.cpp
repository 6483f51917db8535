#include "dissect/s7comm/s7comm_dissector.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "core/byte_reader.h"
#include "core/digest.h"
#include "dissect/text_field.h"

namespace qw::dissect::s7comm {
namespace {

constexpr const char* kProtocol = "s7comm";
constexpr uint8_t kItemOk = 0xff;
constexpr uint8_t kSzlSubfunction = 0x01;
constexpr uint8_t kBlockListOfType = 0x02;
constexpr uint8_t kBlockInfo = 0x03;
constexpr uint16_t kSiemensVendorId = 0x002a;  // PROFIBUS/PROFINET manufacturer id 42

size_t Index(flow::Direction dir) { return static_cast<size_t>(dir); }

// Pairing keys: jobs and userdata requests are answered by PDUs of the same reference, each
// kind only by its own answers, and each side numbers its own requests (the PLC sends the
// download-block jobs).
uint64_t Key(S7Rosctr kind, flow::Direction request_dir, uint16_t pdu_ref) {
  return uint64_t{static_cast<uint8_t>(kind)} << 24 | uint64_t{Index(request_dir)} << 16 | pdu_ref;
}

struct FunctionInfo {
  const char* name;
  IcsCategory category;
};

FunctionInfo JobFunction(uint8_t function) {
  switch (static_cast<S7Function>(function)) {
    case S7Function::kCpuServices:
      return {"cpu-services", IcsCategory::kOther};
    case S7Function::kReadVar:
      return {"read-var", IcsCategory::kRead};
    case S7Function::kWriteVar:
      return {"write-var", IcsCategory::kWrite};
    case S7Function::kRequestDownload:
      return {"request-download", IcsCategory::kProgramChange};
    case S7Function::kDownloadBlock:
      return {"download-block", IcsCategory::kProgramChange};
    case S7Function::kDownloadEnded:
      return {"download-ended", IcsCategory::kProgramChange};
    case S7Function::kStartUpload:
      return {"start-upload", IcsCategory::kProgramChange};
    case S7Function::kUpload:
      return {"upload", IcsCategory::kProgramChange};
    case S7Function::kEndUpload:
      return {"end-upload", IcsCategory::kProgramChange};
    case S7Function::kPiService:
      return {"pi-service", IcsCategory::kOther};
    case S7Function::kPlcStop:
      return {"plc-stop", IcsCategory::kControllerState};
    case S7Function::kSetupCommunication:
      return {"setup-communication", IcsCategory::kSession};
  }
  return {"unknown", IcsCategory::kOther};
}

// PI services that insert, delete or compress blocks, or copy RAM to ROM, change the
// program; P_PROGRAM starts it (warm or cold restart). NC services (_N_...) are other.
IcsCategory PiCategory(std::string_view service) {
  if (service == "_INSE" || service == "_DELE" || service == "_MODU" || service == "_GARB") {
    return IcsCategory::kProgramChange;
  }
  if (service == "P_PROGRAM") return IcsCategory::kControllerState;
  return IcsCategory::kOther;
}

bool IsIdentitySzl(uint16_t id) { return (id & 0xff) == 0x11 || (id & 0xff) == 0x1c; }

FunctionInfo UserdataFunction(uint8_t group, uint8_t sub) {
  switch (static_cast<S7UserdataGroup>(group)) {
    case S7UserdataGroup::kModeTransition:
      return {"mode-transition", IcsCategory::kControllerState};
    case S7UserdataGroup::kProgrammer:
      switch (sub) {
        case 0x01:
          return {"request-diag-data", IcsCategory::kDiagnostic};
        case 0x02:
          return {"vartab", IcsCategory::kDiagnostic};
        case 0x0c:
          return {"erase", IcsCategory::kDiagnostic};
        case 0x0e:
          return {"read-diag-data", IcsCategory::kDiagnostic};
        case 0x0f:
          return {"remove-diag-data", IcsCategory::kDiagnostic};
        case 0x10:
          return {"forces", IcsCategory::kWrite};
        case 0x13:
          return {"request-diag-data", IcsCategory::kDiagnostic};
        default:
          return {"programmer-command", IcsCategory::kDiagnostic};
      }
    case S7UserdataGroup::kCyclicData:
      switch (sub) {
        case 0x01:
          return {"cyclic-memory", IcsCategory::kRead};
        case 0x04:
          return {"cyclic-unsubscribe", IcsCategory::kRead};
        default:
          return {"cyclic-data", IcsCategory::kRead};
      }
    case S7UserdataGroup::kBlockFunctions:
      switch (sub) {
        case 0x01:
          return {"list-blocks", IcsCategory::kDiagnostic};
        case kBlockListOfType:
          return {"list-blocks-of-type", IcsCategory::kDiagnostic};
        case kBlockInfo:
          return {"block-info", IcsCategory::kDiagnostic};
        default:
          return {"block-function", IcsCategory::kDiagnostic};
      }
    case S7UserdataGroup::kCpuFunctions:
      switch (sub) {
        case kSzlSubfunction:
          return {"read-szl", IcsCategory::kDiagnostic};
        case 0x02:
          return {"message-service", IcsCategory::kDiagnostic};
        case 0x03:
          return {"diagnostic-message", IcsCategory::kDiagnostic};
        case 0x0b:
          return {"alarm-ack", IcsCategory::kDiagnostic};
        case 0x13:
          return {"alarm-query", IcsCategory::kDiagnostic};
        default:
          return {"cpu-function", IcsCategory::kDiagnostic};
      }
    case S7UserdataGroup::kSecurity:
      return {sub == 0x02 ? "clean-session" : "plc-password", IcsCategory::kSession};
    case S7UserdataGroup::kPbc:
      return {"pbc", IcsCategory::kOther};
    case S7UserdataGroup::kTime:
      switch (sub) {
        case 0x01:
          return {"read-clock", IcsCategory::kDiagnostic};
        case 0x03:
          return {"read-clock-following", IcsCategory::kDiagnostic};
        case 0x02:
        case 0x04:
          return {"set-clock", IcsCategory::kOther};
        default:
          return {"time-function", IcsCategory::kOther};
      }
    case S7UserdataGroup::kNcProgramming:
      return {"nc-programming", IcsCategory::kOther};
  }
  return {"userdata", IcsCategory::kOther};
}

// Error codes of the header (class << 8 | code) and of userdata parameters, as Wireshark
// names them; the raw value is always printed beside the name.
const char* ErrorName(uint16_t code) {
  switch (code) {
    case 0x0110:
      return "invalid-block-number";
    case 0x0111:
      return "invalid-request-length";
    case 0x0112:
      return "invalid-parameter";
    case 0x0113:
      return "invalid-block-type";
    case 0x0114:
      return "block-not-found";
    case 0x0115:
      return "block-already-exists";
    case 0x0116:
      return "block-write-protected";
    case 0x0117:
      return "block-too-large";
    case 0x0119:
      return "incorrect-password";
    case 0x011c:
      return "protocol-error";
    case 0x011d:
      return "too-many-blocks";
    case 0x0120:
      return "end-of-block-list";
    case 0x8104:
      return "not-implemented";
    case 0x8304:
      return "no-parallel-upload";
    case 0x8500:
      return "wrong-pdu-size";
    case 0xd209:
      return "block-not-found";
    case 0xd241:
      return "protection-level-insufficient";
    default:
      break;
  }
  switch (code >> 8) {
    case 0x81:
      return "application-relationship";
    case 0x82:
      return "object-definition";
    case 0x83:
      return "no-resources";
    case 0x84:
      return "service-processing";
    case 0x85:
      return "supplies";
    case 0x87:
      return "access-error";
    default:
      return "";
  }
}

const char* ItemReturnName(uint8_t code) {
  switch (code) {
    case 0x00:
      return "reserved";
    case 0x01:
      return "hardware-fault";
    case 0x03:
      return "access-denied";
    case 0x05:
      return "invalid-address";
    case 0x06:
      return "data-type-not-supported";
    case 0x07:
      return "data-type-inconsistent";
    case 0x0a:
      return "object-does-not-exist";
    case 0xff:
      return "ok";
    default:
      return "";
  }
}

void AppendError(uint16_t code, core::FixedText<64>& out) {
  out.Append("error ").AppendHex(code, 4);
  const char* name = ErrorName(code);
  if (*name) out.Append(' ').Append(name);
}

void AppendItemError(size_t index, uint8_t code, core::FixedText<64>& out) {
  out.Append("item ").AppendUint(index + 1).Append(' ').AppendHex(code, 2);
  const char* name = ItemReturnName(code);
  if (*name) out.Append(' ').Append(name);
}

void AppendBlockOrFile(const S7BlockTransfer& t, core::FixedText<112>& out) {
  if (t.block.valid) {
    out.Append("block ");
    AppendS7Block(t.block, out);
  } else if (!t.filename.empty()) {
    out.Append("file ").Append(t.filename.view());
  }
}

void AppendSzl(uint16_t id, uint16_t index, core::FixedText<112>& out) {
  out.Append("SZL ").AppendHex(id, 4).Append(" index ").AppendHex(index, 4);
}

// The target of a job or of an answer whose job was not seen.
void JobTarget(const S7Pdu& pdu, core::FixedText<112>& out) {
  switch (static_cast<S7Function>(pdu.function)) {
    case S7Function::kReadVar:
    case S7Function::kWriteVar:
      for (size_t i = 0; i < pdu.items_kept; ++i) {
        // Leave room to say how many more there were.
        if (out.size() > out.capacity() - 24) {
          out.Append(" +").AppendUint(pdu.item_count - i).Append(" more");
          break;
        }
        if (i > 0) out.Append(", ");
        AppendS7Item(pdu.items[i], out);
      }
      break;
    case S7Function::kSetupCommunication:
      out.Append("pdu ").AppendUint(pdu.setup.pdu_length).Append(" amq ");
      out.AppendUint(pdu.setup.max_amq_calling).Append('/').AppendUint(pdu.setup.max_amq_called);
      break;
    case S7Function::kRequestDownload:
    case S7Function::kDownloadBlock:
    case S7Function::kDownloadEnded:
    case S7Function::kStartUpload:
      AppendBlockOrFile(pdu.transfer, out);
      break;
    case S7Function::kPiService:
    case S7Function::kPlcStop:
      out.Append("PI ").Append(pdu.pi.service.view());
      for (size_t i = 0; i < pdu.pi.block_count; ++i) {
        out.Append(i == 0 ? " " : ", ");
        AppendS7Block(pdu.pi.blocks[i], out);
      }
      if (!pdu.pi.argument.empty()) {
        out.Append(" \"").Append(pdu.pi.argument.view()).Append('"');
      }
      break;
    default:
      break;
  }
}

const char* ConnectionTypeName(uint8_t type) {
  switch (type) {
    case 0x01:
      return "pg";
    case 0x02:
      return "op";
    case 0x03:
      return "s7-basic";
    default:
      return nullptr;
  }
}

// The device's (called) TSAP: S7-300/400 use two octets, connection type and rack << 5 |
// slot; S7-1200/1500 name it in text ("SIMATIC-ROOT-HMI").
void AppendTsapTarget(const CotpTpdu& tpdu, core::FixedText<112>& out) {
  const CotpTsap& t = tpdu.called_tsap;
  if (!t.present) return;
  std::span<const uint8_t> bytes = t.view();
  core::ByteReader r(bytes);
  out.Append("tsap ");
  if (bytes.size() > 2 && IsPrintableAscii(bytes)) {
    out.Append(r.Chars(bytes.size()));
    return;
  }
  if (bytes.size() == 2) {
    uint8_t type = r.U8();
    uint8_t rack_slot = r.U8();
    out.AppendHex(uint32_t{type} << 8 | rack_slot, 4).Append(' ');
    const char* name = ConnectionTypeName(type);
    if (name) {
      out.Append(name);
    } else {
      out.Append("type ").AppendHex(type, 2);
    }
    out.Append(" rack ").AppendUint(rack_slot >> 5).Append(" slot ").AppendUint(rack_slot & 0x1f);
    return;
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  out.Append("0x");
  while (!r.empty()) {
    uint8_t b = r.U8();
    out.Append(kDigits[b >> 4]).Append(kDigits[b & 0x0f]);
  }
}

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  return ProbeIsoTransport(first_bytes, kS7commProtocolId);
}

std::unique_ptr<Dissector> Create() { return std::make_unique<IsoTransportDissector>(kProtocol); }

// ---------------------------------------------------------------------------------------
// S7commSession

const core::FixedText<112>& S7commSession::VarTarget(const S7Pdu& pdu) {
  const bool cacheable = pdu.items_kept <= kCachedItems;
  if (cacheable) {
    for (const VarTargetEntry& e : var_targets_) {
      if (e.used && e.function == pdu.function && e.item_count == pdu.item_count &&
          e.kept == pdu.items_kept &&
          std::equal(e.items.begin(), e.items.begin() + static_cast<ptrdiff_t>(e.kept),
                     pdu.items.begin())) {
        return e.text;
      }
    }
  }
  VarTargetEntry& e = var_targets_[next_var_target_];
  next_var_target_ = (next_var_target_ + 1) % var_targets_.size();
  e.used = cacheable;
  e.function = pdu.function;
  e.item_count = pdu.item_count;
  e.kept = pdu.items_kept;
  if (cacheable) std::copy_n(pdu.items.begin(), e.kept, e.items.begin());
  e.text.Clear();
  JobTarget(pdu, e.text);
  return e.text;
}

void S7commSession::OnMessage(flow::Direction dir, std::span<const uint8_t> message,
                              const StreamContext& ctx, FrameSeq& seq) {
  if (!ParseS7commInto(message, pdu_, *ctx.anomalies)) return;
  const S7Pdu& pdu = pdu_;
  const S7Header& h = pdu.header;
  PduKind kind = PduKind::kOther;
  bool exception = false;
  uint32_t code = 0;
  const char* histogram = "";
  switch (static_cast<S7Rosctr>(h.rosctr)) {
    case S7Rosctr::kJob:
    case S7Rosctr::kAck:
    case S7Rosctr::kAckData:
      kind =
          h.rosctr == static_cast<uint8_t>(S7Rosctr::kJob) ? PduKind::kRequest : PduKind::kResponse;
      exception = h.error_class != 0 || h.error_code != 0;
      if (pdu.has_function) {
        code = pdu.function;
        histogram = "functions";
      }
      break;
    case S7Rosctr::kUserdata: {
      const S7Userdata& u = pdu.userdata;
      if (u.type == static_cast<uint8_t>(S7UserdataType::kRequest)) kind = PduKind::kRequest;
      if (u.type == static_cast<uint8_t>(S7UserdataType::kResponse)) kind = PduKind::kResponse;
      exception = u.has_extension && u.error_code != 0;
      code = uint32_t{u.group} << 8 | u.subfunction;
      histogram = "userdata";
      break;
    }
  }
  CountPdu(ctx, kProtocol, code, kind, exception, histogram);
  CountDetail(ctx, kProtocol, "rosctr", h.rosctr);
  switch (static_cast<S7Rosctr>(h.rosctr)) {
    case S7Rosctr::kJob:
      OnJob(dir, pdu, ctx, seq);
      break;
    case S7Rosctr::kAck:
    case S7Rosctr::kAckData:
      OnAck(dir, pdu, ctx, seq);
      break;
    case S7Rosctr::kUserdata:
      OnUserdata(dir, pdu, ctx, seq);
      break;
  }
}

void S7commSession::Remember(uint64_t key, const Pending& p, const StreamContext& ctx, FrameSeq&) {
  // A request reusing a waiting request's reference means that one went unanswered.
  if (auto same = pending_.Take(key)) EmitOperation(ctx, kProtocol, same->op, "", 0);
  bool full = pending_.size() == pending_.capacity();
  if (auto displaced = pending_.Put(key, p)) {
    if (full) ctx.anomalies->Raise("s7comm.unanswered_overflow");
    EmitOperation(ctx, kProtocol, displaced->op, "", 0);
  }
}

const S7BlockRef* S7commSession::UploadBlock(uint32_t id) const {
  for (const auto& u : uploads_) {
    if (u.used && u.id == id) return &u.block;
  }
  return nullptr;
}

void S7commSession::OnJob(flow::Direction dir, const S7Pdu& pdu, const StreamContext& ctx,
                          FrameSeq& seq) {
  Pending p;
  p.op = RequestRecord(ctx, dir, seq);
  p.function = pdu.function;
  FunctionInfo info =
      pdu.has_function ? JobFunction(pdu.function) : FunctionInfo{"unknown", IcsCategory::kOther};
  p.op.function_code = pdu.function;
  p.op.function = info.name;
  p.op.category = info.category;
  auto fn = static_cast<S7Function>(pdu.function);
  if (fn == S7Function::kPiService) p.op.category = PiCategory(pdu.pi.service.view());
  p.op.sent_by_device = fn == S7Function::kDownloadBlock || fn == S7Function::kDownloadEnded;
  if (fn == S7Function::kUpload || fn == S7Function::kEndUpload) {
    if (const S7BlockRef* b = UploadBlock(pdu.transfer.upload_id)) {
      p.op.target.Append("block ");
      AppendS7Block(*b, p.op.target);
    } else {
      p.op.target.Append("upload ").AppendHex(pdu.transfer.upload_id, 8);
    }
  } else if (fn == S7Function::kReadVar || fn == S7Function::kWriteVar) {
    p.op.target.Append(VarTarget(pdu).view());
  } else {
    JobTarget(pdu, p.op.target);
  }
  p.block = pdu.transfer.block;
  p.upload_id = pdu.transfer.upload_id;
  if (fn == S7Function::kEndUpload || fn == S7Function::kDownloadEnded) {
    OnBlockEnd(p, pdu, false, ctx);
  }
  Remember(Key(S7Rosctr::kJob, dir, pdu.header.pdu_ref), p, ctx, seq);
}

void S7commSession::OnAck(flow::Direction dir, const S7Pdu& pdu, const StreamContext& ctx,
                          FrameSeq& seq) {
  const S7Header& h = pdu.header;
  Pending p;
  auto waiting = pending_.Take(Key(S7Rosctr::kJob, Reverse(dir), h.pdu_ref));
  if (waiting) {
    p = *waiting;
  } else {
    p.op = ResponseOnlyRecord(ctx, dir, seq);
    p.function = pdu.function;
    FunctionInfo info =
        pdu.has_function ? JobFunction(pdu.function) : FunctionInfo{"unknown", IcsCategory::kOther};
    p.op.function_code = pdu.function;
    p.op.function = info.name;
    p.op.category = info.category;
    auto fn = static_cast<S7Function>(pdu.function);
    p.op.sent_by_device = fn == S7Function::kDownloadBlock || fn == S7Function::kDownloadEnded;
    if (fn == S7Function::kSetupCommunication) JobTarget(pdu, p.op.target);
  }
  core::FixedText<64> result;
  uint16_t error = static_cast<uint16_t>(h.error_class << 8 | h.error_code);
  if (error != 0) {
    AppendError(error, result);
  } else {
    for (size_t i = 0; i < pdu.results_kept; ++i) {
      if (pdu.item_results[i] != kItemOk) {
        AppendItemError(i, pdu.item_results[i], result);
        break;
      }
    }
  }
  if (result.empty()) {
    result.Append("ok");
    if (pdu.has_function && pdu.function == static_cast<uint8_t>(S7Function::kSetupCommunication)) {
      result.Append(" pdu ").AppendUint(pdu.setup.pdu_length);
    }
    if (pdu.has_function && pdu.function == static_cast<uint8_t>(S7Function::kStartUpload) &&
        p.block.valid) {
      uploads_[next_upload_] = Upload{true, pdu.transfer.upload_id, p.block};
      next_upload_ = (next_upload_ + 1) % kMaxUploads;
    }
  }
  if (pdu.has_function) {
    auto fn = static_cast<S7Function>(pdu.function);
    bool piece = fn == S7Function::kUpload || fn == S7Function::kDownloadBlock;
    if (waiting && p.function == pdu.function) {
      bool ok = h.error_class == 0 && h.error_code == 0;
      if (fn == S7Function::kStartUpload && ok && p.block.valid) {
        StartTransfer(true, pdu.transfer.upload_id, p.block, p.op, ctx);
      } else if (fn == S7Function::kRequestDownload && ok && p.block.valid) {
        StartTransfer(false, 0, p.block, p.op, ctx);
      } else if (piece) {
        OnBlockPiece(p, pdu, ctx);
      } else if (fn == S7Function::kEndUpload || fn == S7Function::kDownloadEnded) {
        OnBlockEnd(p, pdu, true, ctx);
      }
    } else if (piece && pdu.block_data.present) {
      // A piece whose job was missed cannot be placed: every transfer of its kind lacks it.
      for (auto& t : transfers_) {
        if (t.used && t.upload == (fn == S7Function::kUpload)) t.broken = true;
      }
    }
  }
  EmitOperation(ctx, kProtocol, p.op, result.view(), ctx.frame);
}

S7commSession::BlockTransfer* S7commSession::FindTransfer(bool upload, uint32_t upload_id,
                                                          const S7BlockRef& block) {
  for (auto& t : transfers_) {
    if (!t.used || t.upload != upload) continue;
    if (upload ? t.upload_id == upload_id
               : t.block.valid && block.valid && t.block.type == block.type &&
                     t.block.number == block.number) {
      return &t;
    }
  }
  return nullptr;
}

S7commSession::BlockTransfer* S7commSession::StartTransfer(bool upload, uint32_t upload_id,
                                                           const S7BlockRef& block,
                                                           const OpRecord& first,
                                                           const StreamContext& ctx) {
  // A transfer of the same upload id or block starting again ends the one before.
  if (BlockTransfer* same = FindTransfer(upload, upload_id, block)) EmitTransfer(*same, ctx);
  BlockTransfer* slot = nullptr;
  for (auto& t : transfers_) {
    if (!t.used) {
      slot = &t;
      break;
    }
  }
  if (!slot) {
    ctx.anomalies->Raise("s7comm.too_many_block_transfers");
    slot = &transfers_[0];
    for (auto& t : transfers_) {
      if (t.order < slot->order) slot = &t;
    }
    slot->broken = true;
    EmitTransfer(*slot, ctx);
  }
  BlockTransfer& t = *slot;
  t.used = true;
  t.upload = upload;
  t.upload_id = upload_id;
  t.block = block;
  t.order = ++transfer_order_;
  // The job that started it (or, for a piece whose start was missed, that piece's job).
  t.first_frame = first.request_frame != 0 ? first.request_frame : ctx.frame;
  t.first_ts = first.request_frame != 0 ? first.ts : ctx.ts;
  t.last_frame = ctx.frame;
  t.last_ts = ctx.ts;
  return &t;
}

void S7commSession::OnBlockPiece(const Pending& p, const S7Pdu& pdu, const StreamContext& ctx) {
  const bool upload = p.function == static_cast<uint8_t>(S7Function::kUpload);
  BlockTransfer* t = FindTransfer(upload, p.upload_id, p.block);
  if (!t) {
    // An upload's block is known only from its start; a download block job names its block,
    // so a download whose request was missed is still rebuilt, as incomplete.
    if (upload || !p.block.valid) return;
    t = StartTransfer(false, 0, p.block, p.op, ctx);
    t->broken = true;
  }
  t->last_frame = ctx.frame;
  t->last_ts = ctx.ts;
  const S7BlockData& d = pdu.block_data;
  const bool refused = pdu.header.error_class != 0 || pdu.header.error_code != 0;
  // A refused or malformed piece, one without data, or one after the last: something of the
  // block is missing or doubtful.
  if (refused || !d.present || d.malformed || d.error || t->last_piece) t->broken = true;
  if (!d.present) return;
  const size_t room = kMaxBlockBytes - t->bytes.size();
  std::span<const uint8_t> bytes = d.bytes;
  if (bytes.size() > room) {
    if (room > 0 || !t->broken) ctx.anomalies->Raise("s7comm.block_too_large");
    t->broken = true;
    bytes = bytes.first(room);
  }
  t->bytes.insert(t->bytes.end(), bytes.begin(), bytes.end());
  if (!d.more) t->last_piece = true;
}

void S7commSession::OnBlockEnd(const Pending& p, const S7Pdu& pdu, bool answer,
                               const StreamContext& ctx) {
  const bool upload = p.function == static_cast<uint8_t>(S7Function::kEndUpload);
  BlockTransfer* t = FindTransfer(upload, p.upload_id, p.block);
  if (!t) return;
  t->last_frame = ctx.frame;
  t->last_ts = ctx.ts;
  if (!answer) {
    // The side that ends the transfer says whether it went well: the station after an
    // upload, the PLC after a download.
    if (pdu.transfer.error_code != 0 || !t->last_piece) t->broken = true;
    t->ended = !t->broken;
    return;
  }
  if (pdu.header.error_class != 0 || pdu.header.error_code != 0) t->broken = true;
  EmitTransfer(*t, ctx);
}

void S7commSession::EmitTransfer(BlockTransfer& t, const StreamContext& ctx) {
  if (ctx.sink) {
    BlockTransferObservation o;
    o.protocol = kProtocol;
    o.direction = t.upload ? "upload" : "download";
    o.capture_index = ctx.capture_index;
    if (ctx.flow) {
      // The PLC serves the connection: the responder.
      const flow::Flow& f = *ctx.flow;
      o.flow_id = f.RecordId();
      o.vlan = f.vlan;
      o.plc_ip = f.responder_ip;
      o.plc_port = f.responder_port;
      o.plc_mac = f.responder_mac;
      o.peer_ip = f.initiator_ip;
      o.peer_port = f.initiator_port;
      o.peer_mac = f.initiator_mac;
    }
    core::FixedText<112> name;
    AppendS7Block(t.block, name);
    o.block.Append(name.view());
    if (const char* type = S7BlockTypeName(t.block.type)) {
      o.block_type.Append(type);
    } else {
      const char chars[2] = {static_cast<char>(t.block.type >> 8),
                             static_cast<char>(t.block.type & 0xff)};
      o.block_type.AppendPrintable(std::string_view(chars, 2));
    }
    o.block_number = t.block.number;
    o.size = t.bytes.size();
    core::Sha256Stream hash;
    hash.Update(t.bytes);
    o.sha256 = hash.Finish();
    o.complete = !t.broken && t.last_piece && t.ended;
    o.first_frame = t.first_frame;
    o.last_frame = t.last_frame;
    o.first_ts = t.first_ts;
    o.last_ts = t.last_ts;
    o.bytes = std::move(t.bytes);
    ctx.sink->OnBlockTransfer(o);
  }
  t = BlockTransfer{};
}

void S7commSession::OnUserdata(flow::Direction dir, const S7Pdu& pdu, const StreamContext& ctx,
                               FrameSeq& seq) {
  const S7Userdata& u = pdu.userdata;
  bool request = u.type == static_cast<uint8_t>(S7UserdataType::kRequest);
  bool response = u.type == static_cast<uint8_t>(S7UserdataType::kResponse);
  // Pushed data (alarms, diagnostic messages, mode transitions) is spontaneous: counted only.
  if (!request && !response) return;
  bool szl = u.group == static_cast<uint8_t>(S7UserdataGroup::kCpuFunctions) &&
             u.subfunction == kSzlSubfunction;
  // The SZL an answer (or a follow-up request for the rest of one) is about.
  bool szl_known = false;
  uint16_t szl_id = 0, szl_index = 0;
  if (szl && request && pdu.szl.present) {
    szl_known = true;
    szl_id = pdu.szl.id;
    szl_index = pdu.szl.index;
  } else if (szl && response && szl_.active && u.data_unit_ref == szl_.data_unit_ref) {
    szl_known = true;
    szl_id = szl_.id;
    szl_index = szl_.index;
  } else if (szl && response) {
    if (auto list = ParseS7SzlList(u.data)) {
      szl_known = true;
      szl_id = list->id;
      szl_index = list->index;
    }
  } else if (szl && request && szl_.active) {
    szl_known = true;
    szl_id = szl_.id;
    szl_index = szl_.index;
  }
  if (szl && response) OnSzlAnswer(dir, pdu, ctx);

  auto describe = [&](OpRecord& op) {
    FunctionInfo info = UserdataFunction(u.group, u.subfunction);
    op.function_code = uint32_t{u.group} << 8 | u.subfunction;
    op.function = info.name;
    op.category = info.category;
    if (szl_known) {
      AppendSzl(szl_id, szl_index, op.target);
      op.category = IsIdentitySzl(szl_id) ? IcsCategory::kIdentity : IcsCategory::kDiagnostic;
    } else if (u.group == static_cast<uint8_t>(S7UserdataGroup::kBlockFunctions) &&
               u.subfunction == kBlockInfo && pdu.userdata_block.valid) {
      op.target.Append("block ");
      AppendS7Block(pdu.userdata_block, op.target);
    } else if (u.group == static_cast<uint8_t>(S7UserdataGroup::kBlockFunctions) &&
               u.subfunction == kBlockListOfType && pdu.userdata_block.type != 0) {
      const char* type = S7BlockTypeName(pdu.userdata_block.type);
      if (type) op.target.Append("type ").Append(type);
    }
  };
  if (request) {
    Pending p;
    p.userdata = true;
    p.op = RequestRecord(ctx, dir, seq);
    describe(p.op);
    Remember(Key(S7Rosctr::kUserdata, dir, pdu.header.pdu_ref), p, ctx, seq);
    return;
  }
  Pending p;
  if (auto waiting = pending_.Take(Key(S7Rosctr::kUserdata, Reverse(dir), pdu.header.pdu_ref))) {
    p = *waiting;
  } else {
    p.op = ResponseOnlyRecord(ctx, dir, seq);
    describe(p.op);
  }
  core::FixedText<64> result;
  if (u.has_extension && u.error_code != 0) {
    AppendError(u.error_code, result);
  } else if (u.has_data && u.return_code != kItemOk) {
    result.Append("return ").AppendHex(u.return_code, 2);
    const char* name = ItemReturnName(u.return_code);
    if (*name) result.Append(' ').Append(name);
  } else {
    result.Append("ok");
  }
  EmitOperation(ctx, kProtocol, p.op, result.view(), ctx.frame);
}

void S7commSession::OnSzlAnswer(flow::Direction dir, const S7Pdu& pdu, const StreamContext& ctx) {
  const S7Userdata& u = pdu.userdata;
  if (!u.has_data || u.return_code != kItemOk) {
    szl_ = {};
    return;
  }
  bool more = u.has_extension && u.last_data_unit != 0;
  bool continuation =
      szl_.active && u.has_extension && u.data_unit_ref == szl_.data_unit_ref && dir == szl_.dir;
  auto collect = [&](std::span<const uint8_t> bytes) {
    if (!szl_.keep) return;
    if (bytes.size() > kMaxSzlBytes - szl_.size) {
      ctx.anomalies->Raise("s7comm.szl_reassembly_overflow");
      szl_.keep = false;
      return;
    }
    std::copy(bytes.begin(), bytes.end(), szl_bytes_.begin() + static_cast<ptrdiff_t>(szl_.size));
    szl_.size += bytes.size();
  };
  if (!continuation) {
    szl_ = {};
    std::optional<S7SzlList> list = ParseS7SzlList(u.data);
    if (!list) {
      ctx.anomalies->Raise("s7comm.szl_malformed");
      return;
    }
    if (!more) {
      if (IsIdentitySzl(list->id)) ReportIdentity(dir, *list, ctx);
      return;
    }
    szl_.active = true;
    szl_.keep = IsIdentitySzl(list->id);
    szl_.data_unit_ref = u.data_unit_ref;
    szl_.id = list->id;
    szl_.index = list->index;
    szl_.dir = dir;
    collect(u.data);
    return;
  }
  collect(u.data);
  if (more) return;
  if (szl_.keep) {
    auto whole = std::span<const uint8_t>(szl_bytes_).first(szl_.size);
    if (std::optional<S7SzlList> list = ParseS7SzlList(whole)) ReportIdentity(dir, *list, ctx);
  }
  szl_ = {};
}

void S7commSession::ReportIdentity(flow::Direction dir, const S7SzlList& list,
                                   const StreamContext& ctx) {
  S7DeviceInfo info;
  ReadS7SzlIdentity(list, info, *ctx.anomalies);
  if (info.empty() || !ctx.sink) return;
  DeviceIdentity id = SenderIdentity(ctx, dir, kProtocol);
  auto add = [&](const char* key, std::string_view value) {
    if (!value.empty()) id.fields.emplace_back(key, std::string(value));
  };
  bool siemens = (info.has_vendor_id && info.vendor_id == kSiemensVendorId) ||
                 info.copyright.view().find("Siemens") != std::string_view::npos;
  if (siemens) add("vendor", "Siemens");
  if (info.has_vendor_id) add("vendor_id", std::to_string(info.vendor_id));
  add("order_number", info.order_number.view());
  add("firmware", info.firmware.view());
  add("hardware", info.hardware.view());
  add("model", info.module_type.view());
  add("name", info.module_name.view());
  add("serial", info.serial.view());
  if (!id.fields.empty()) ctx.sink->OnIdentity(id);
}

void S7commSession::EmitAllTransfers(bool broken, const StreamContext& ctx) {
  // In the order they started, so that what the model receives does not depend on slots.
  for (;;) {
    BlockTransfer* oldest = nullptr;
    for (auto& t : transfers_) {
      if (t.used && (!oldest || t.order < oldest->order)) oldest = &t;
    }
    if (!oldest) break;
    oldest->broken = oldest->broken || broken;
    EmitTransfer(*oldest, ctx);
  }
}

void S7commSession::OnGap(const StreamContext& ctx) {
  szl_ = {};
  EmitAllTransfers(true, ctx);
}

void S7commSession::OnEnd(const StreamContext& ctx, FrameSeq&) {
  pending_.Drain([&](const Pending& p) { EmitOperation(ctx, kProtocol, p.op, "", 0); });
  szl_ = {};
  EmitAllTransfers(false, ctx);
}

// ---------------------------------------------------------------------------------------
// IsoTransportDissector

ParseResult IsoTransportDissector::OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                                          const StreamContext& ctx) {
  DirectionState& d = dirs_[Index(dir)];
  if (d.resync) return Resync(dir, bytes, ctx);
  TpktFrame frame = ReadTpkt(bytes);
  if (frame.status == TpktStatus::kNeedMore) return {Verdict::kNeedMore, 0, frame.need};
  if (frame.status == TpktStatus::kInvalid) {
    ctx.anomalies->Raise("cotp.bad_tpkt");
    return {Verdict::kNotThisProtocol, 0, 0};
  }
  if (std::optional<CotpTpdu> tpdu = ParseCotp(frame.tpdu)) {
    OnTpdu(dir, *tpdu, ctx);
  } else {
    ctx.anomalies->Raise("cotp.malformed");
  }
  return {Verdict::kConsumed, frame.length, 0};
}

ParseResult IsoTransportDissector::Resync(flow::Direction dir, std::span<const uint8_t> bytes,
                                          const StreamContext& ctx) {
  // After a gap the bytes may start inside a TPKT: skip to the first octets that read as a
  // TPKT and COTP header (6 octets).
  constexpr size_t kLook = 6;
  core::ByteReader scan(bytes);
  while (scan.remaining() >= kLook) {
    if (LooksLikeTpkt(scan.PeekRest())) {
      dirs_[Index(dir)].resync = false;
      if (scan.position() == 0) return OnData(dir, bytes, ctx);
      ctx.anomalies->Raise("cotp.resync_skipped");
      return {Verdict::kConsumed, scan.position(), 0};
    }
    scan.Skip(1);
  }
  if (scan.position() > 0) return {Verdict::kConsumed, scan.position(), 0};
  return {Verdict::kNeedMore, 0, kLook - bytes.size()};
}

void IsoTransportDissector::OnTpdu(flow::Direction dir, const CotpTpdu& tpdu,
                                   const StreamContext& ctx) {
  switch (static_cast<CotpType>(tpdu.type)) {
    case CotpType::kConnectRequest: {
      if (connect_.pending) EmitOperation(ctx, flow_protocol_, connect_.op, "", 0);
      connect_.pending = true;
      connect_.op = RequestRecord(ctx, dir, seq_);
      connect_.op.function_code = tpdu.type;
      connect_.op.function = "cotp-connect";
      connect_.op.category = IcsCategory::kSession;
      AppendTsapTarget(tpdu, connect_.op.target);
      break;
    }
    case CotpType::kConnectConfirm:
    case CotpType::kDisconnectRequest: {
      bool confirm = tpdu.type == static_cast<uint8_t>(CotpType::kConnectConfirm);
      OpRecord op;
      if (connect_.pending && connect_.op.request_dir != dir) {
        op = connect_.op;
        connect_.pending = false;
      } else if (confirm) {
        op = ResponseOnlyRecord(ctx, dir, seq_);
        op.function_code = static_cast<uint8_t>(CotpType::kConnectRequest);
        op.function = "cotp-connect";
        op.category = IcsCategory::kSession;
        AppendTsapTarget(tpdu, op.target);
      } else {
        break;  // an ordinary disconnect
      }
      core::FixedText<64> result;
      if (confirm) {
        result.Append("ok");
      } else {
        result.Append("refused reason ").AppendHex(tpdu.reason, 2);
      }
      EmitOperation(ctx, flow_protocol_, op, result.view(), ctx.frame);
      break;
    }
    case CotpType::kData:
      OnDataTpdu(dir, tpdu, ctx);
      break;
    default:
      break;
  }
}

void IsoTransportDissector::OnDataTpdu(flow::Direction dir, const CotpTpdu& tpdu,
                                       const StreamContext& ctx) {
  DirectionState& d = dirs_[Index(dir)];
  if (!tpdu.eot || !d.segments.empty() || d.dropping) {
    if (!d.dropping) {
      if (tpdu.user_data.size() > kMaxCotpMessageBytes - d.segments.size()) {
        ctx.anomalies->Raise("cotp.reassembly_overflow");
        d.segments.clear();
        d.dropping = true;
      } else {
        // Reserved once per direction, on the first segment that carries data (STEP 7 and
        // some HMIs send an empty DT with EOT 0 before every PDU: that needs no buffer).
        if (!tpdu.user_data.empty() && d.segments.capacity() == 0) {
          d.segments.reserve(kMaxCotpMessageBytes);
        }
        d.segments.insert(d.segments.end(), tpdu.user_data.begin(), tpdu.user_data.end());
      }
    }
    if (!tpdu.eot) return;
    if (!d.dropping) Dispatch(dir, d.segments, ctx);
    d.segments.clear();
    d.dropping = false;
    return;
  }
  Dispatch(dir, tpdu.user_data, ctx);
}

void IsoTransportDissector::Dispatch(flow::Direction dir, std::span<const uint8_t> message,
                                     const StreamContext& ctx) {
  core::ByteReader r(message);
  if (r.empty()) return;
  uint8_t id = r.PeekU8(0);
  if (id == kS7commProtocolId) {
    s7_.OnMessage(dir, message, ctx, seq_);
  } else if (id == kS7commPlusProtocolId) {
    plus_.OnMessage(dir, message, ctx, seq_);
  } else if (!(id >= 0x14 && id <= 0x17 && r.PeekU8(1) == 0x03)) {
    // TLS records (content type 0x14 to 0x17, version 3.x) follow an S7comm-plus InitSsl:
    // they are expected and unreadable. Anything else is not S7 at all.
    ctx.anomalies->Raise("cotp.unknown_payload");
  }
}

void IsoTransportDissector::OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) {
  DirectionState& d = dirs_[Index(dir)];
  d.segments.clear();
  d.dropping = false;
  d.resync = true;
  s7_.OnGap(ctx);
  plus_.OnGap(dir);
}

void IsoTransportDissector::OnEnd(const StreamContext& ctx) {
  if (connect_.pending) EmitOperation(ctx, flow_protocol_, connect_.op, "", 0);
  connect_.pending = false;
  s7_.OnEnd(ctx, seq_);
  plus_.OnEnd(ctx, seq_);
}

}  // namespace qw::dissect::s7comm
