#include "dissect/dnp3/dnp3_dissector.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"
#include "core/fixed_text.h"
#include "dissect/dnp3/dnp3_parser.h"
#include "dissect/ics_common.h"
#include "dissect/text_field.h"

namespace qw::dissect::dnp3 {
namespace {

constexpr const char* kProto = "dnp3";
constexpr uint8_t kUdp = 17;
/// Largest application fragment reassembled per direction (`dnp3.fragment_too_large`). IEEE
/// 1815 recommends 2048 octets; twice that leaves room for devices configured larger.
constexpr size_t kMaxFragmentBytes = 4096;
/// Requests waiting for their responses per flow (`dnp3.unanswered_overflow`).
constexpr size_t kMaxPendingRequests = 16;
/// Bytes skipped in one TCP direction without finding a frame before the flow is given up.
constexpr size_t kMaxResyncBytes = 4096;
/// Files opened on the flow whose handle and mode are remembered for close and abort.
constexpr size_t kMaxOpenFiles = 4;
/// Link addresses 0xfffd-0xffff are broadcasts: outstations do not respond to them.
constexpr uint16_t kFirstBroadcastAddress = 0xfffd;
/// g70v3 file command: offset of the operation mode (read 1, write 2, append 3).
constexpr size_t kFileModeOffset = 20;
constexpr uint16_t kFileModeRead = 1;

size_t Index(flow::Direction dir) { return static_cast<size_t>(dir); }

// Wire bytes as text for FixedText::AppendPrintable (a view of the same bytes).
std::string_view AsText(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  return r.Chars(bytes.size());
}

/// A request waiting for its response.
struct Pending {
  uint64_t key = 0;
  uint8_t function = 0;
  IcsCategory category = IcsCategory::kOther;
  core::FixedText<112> target;
  flow::Direction dir = flow::Direction::kFromInitiator;
  uint64_t frame = 0;
  core::Timestamp ts;
  uint16_t file_mode = 0;   // open-file: the mode asked for
  bool challenged = false;  // the outstation challenged it (secure authentication)
};

/// Transport segments of one direction being joined into an application fragment.
struct Reassembly {
  // A fragment of several transport segments, grown as they come (kMaxFragmentBytes at
  // most); a fragment of one segment, as most are, is read where it stands.
  std::vector<uint8_t> bytes;
  size_t size = 0;
  bool active = false;
  uint8_t next_seq = 0;
};

/// A file handle the outstation granted, and whether it was opened to change the file.
struct OpenFile {
  bool used = false;
  uint32_t handle = 0;
  bool writing = false;
};

// The key requests and responses meet on: the direction the request travelled, the master
// and outstation link addresses, and the application sequence number.
uint64_t Key(flow::Direction request_dir, uint16_t master, uint16_t outstation, uint8_t seq) {
  return uint64_t{static_cast<uint8_t>(request_dir)} << 36 | uint64_t{master} << 20 |
         uint64_t{outstation} << 4 | (seq & 0x0f);
}

PduKind KindOf(uint8_t function) {
  if (function == kDnp3Response || function == kDnp3AuthenticateResponse) {
    return PduKind::kResponse;
  }
  if (function != kDnp3Confirm && function < 128) return PduKind::kRequest;
  return PduKind::kOther;  // confirms, unsolicited responses, reserved codes
}

// Offset of the first possible frame start (0x05 0x64, or a 0x05 ending the bytes).
size_t FindStart(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  size_t n = r.remaining();
  for (size_t i = 0; i < n; ++i) {
    if (r.PeekU8(i) == 0x05 && (i + 1 == n || r.PeekU8(i + 1) == 0x64)) return i;
  }
  return n;
}

// The file name of a g70 object that carries one (command v3, descriptor v7,
// specification v8), or the user name of an authentication object (v2).
std::span<const uint8_t> FileName(uint8_t variation, std::span<const uint8_t> data) {
  core::ByteReader r(data);
  if (variation == 8) return r.Rest();
  uint16_t offset = r.U16Le();
  uint16_t size = r.U16Le();
  core::ByteReader all(data);
  all.Skip(offset);
  std::span<const uint8_t> name = all.Bytes(size);
  return r.ok() && all.ok() ? name : std::span<const uint8_t>{};
}

// Names a g70 object's file: its name, or the handle (and block) it refers to.
void AppendFile(const Dnp3ObjectHeader& h, core::FixedText<112>& t) {
  core::ByteReader r(h.first_data);
  switch (h.variation) {
    case 2: {
      auto user = FileName(h.variation, h.first_data);
      if (!user.empty()) t.Append(" user ").AppendPrintable(AsText(user));
      return;
    }
    case 3:
    case 7:
    case 8: {
      auto name = FileName(h.variation, h.first_data);
      if (!name.empty()) t.Append(' ').AppendPrintable(AsText(name));
      if (h.variation == 3) {
        r.Skip(kFileModeOffset);
        uint16_t mode = r.U16Le();
        if (r.ok()) {
          t.Append(mode == 1 ? " read" : mode == 2 ? " write" : mode == 3 ? " append" : " mode ");
          if (mode == 0 || mode > 3) t.AppendUint(mode);
        }
      }
      return;
    }
    case 4:
    case 5:
    case 6: {
      uint32_t handle = r.U32Le();
      uint32_t block = r.U32Le();
      if (!r.ok()) return;
      t.Append(" handle ").AppendHex(handle, 8);
      if (h.variation != 4) t.Append(" block ").AppendUint(block & 0x7fffffff);
      return;
    }
    default:
      return;
  }
}

// What a control object (CROB, analog output block) asks for.
void AppendControl(const Dnp3ObjectHeader& h, core::FixedText<112>& t) {
  core::ByteReader r(h.first_data);
  if (h.group == 12 && h.variation == 1) {
    uint8_t code = r.U8();
    if (!r.ok()) return;
    static constexpr const char* kOps[] = {"nul", "pulse-on", "pulse-off", "latch-on", "latch-off"};
    uint8_t op = code & 0x0f;
    t.Append(' ');
    if (op < 5) {
      t.Append(kOps[op]);
    } else {
      t.Append("op ").AppendUint(op);
    }
    if ((code & 0xc0) == 0x40) t.Append(" close");
    if ((code & 0xc0) == 0x80) t.Append(" trip");
  } else if (h.group == 41 && (h.variation == 1 || h.variation == 2)) {
    int64_t value =
        h.variation == 1 ? static_cast<int32_t>(r.U32Le()) : static_cast<int16_t>(r.U16Le());
    if (r.ok()) t.Append(" =").AppendInt(value);
  }
}

// One object header as a person reads it: "g12v1 crob idx 3 latch-on", "g30v1 ai 0-9".
void AppendObject(const Dnp3ObjectHeader& h, core::FixedText<112>& t) {
  t.Append('g').AppendUint(h.group).Append('v').AppendUint(h.variation);
  const char* name = Dnp3ObjectName(h.group, h.variation);
  if (*name) t.Append(' ').Append(name);
  switch (h.range) {
    case Dnp3Range::kStartStop:
      if (h.indices_seen > 0) break;
      t.Append(' ').AppendUint(h.start);
      if (h.stop != h.start) t.Append('-').AppendUint(h.stop);
      break;
    case Dnp3Range::kAddress:
      t.Append(" addr ").AppendUint(h.start);
      break;
    case Dnp3Range::kAll:
      if (h.group != 60) t.Append(" all");
      break;
    case Dnp3Range::kCount:
      if (h.indices_seen == 0 && h.count != 1) t.Append(" count ").AppendUint(h.count);
      break;
    case Dnp3Range::kFreeFormat:
      break;
  }
  if (h.indices_seen > 0) {
    t.Append(" idx ");
    size_t shown = std::min(h.indices_seen, kDnp3IndicesKept);
    for (size_t i = 0; i < shown; ++i) {
      if (i) t.Append(',');
      t.AppendUint(h.indices[i]);
    }
    if (h.indices_seen > shown) t.Append(",+").AppendUint(h.indices_seen - shown);
  }
  if (h.group == 70) AppendFile(h, t);
  AppendControl(h, t);
}

// The target of a request: its object headers, the first few in full.
core::FixedText<112> TargetOf(const Dnp3Apdu& a) {
  constexpr size_t kShown = 4;
  core::FixedText<112> t;
  size_t shown = std::min(a.object_count, kShown);
  for (size_t i = 0; i < shown; ++i) {
    if (i) t.Append(", ");
    AppendObject(a.objects[i], t);
  }
  if (a.object_count > shown) t.Append(" +").AppendUint(a.object_count - shown).Append(" more");
  return t;
}

// The first g70 object of the fragment with the given variation, or nullptr.
const Dnp3ObjectHeader* FileObject(const Dnp3Apdu& a, uint8_t variation) {
  for (size_t i = 0; i < a.object_count; ++i) {
    const auto& h = a.objects[i];
    if (h.group == 70 && h.variation == variation && !h.first_data.empty()) return &h;
  }
  return nullptr;
}

const char* IinErrorName(uint16_t failed) {
  if (failed & kDnp3IinNoFunctionSupport) return "function-not-supported";
  if (failed & kDnp3IinObjectUnknown) return "object-unknown";
  if (failed & kDnp3IinParameterError) return "parameter-error";
  return "already-executing";
}

const char* FileStatusName(uint8_t status) {
  switch (status) {
    case 1:
      return "permission-denied";
    case 2:
      return "invalid-mode";
    case 3:
      return "file-not-found";
    case 4:
      return "file-locked";
    case 5:
      return "too-many-open";
    case 6:
      return "invalid-handle";
    case 7:
      return "write-block-size";
    case 8:
      return "comm-lost";
    case 9:
      return "cannot-abort";
    case 16:
      return "not-opened";
    case 17:
      return "handle-expired";
    case 18:
      return "buffer-overrun";
    case 19:
      return "fatal";
    case 20:
      return "block-seq";
    default:
      return "undefined";
  }
}

// The outcome a response reports: IIN errors first, then the status a control or file
// object echoes, else "ok".
core::FixedText<64> ResultOf(const Dnp3Apdu& a) {
  core::FixedText<64> r;
  if (!a.has_iin) return core::FixedText<64>("truncated");
  if (uint16_t failed = a.iin & kDnp3IinRequestFailed) {
    return r.Append("error ").Append(IinErrorName(failed));
  }
  if (a.object_count > 0) {
    const auto& h = a.objects[0];
    core::ByteReader d(h.first_data);
    std::span<const uint8_t> data = h.first_data;
    // The status octet ends a CROB (11 octets) and every analog output block variation.
    bool control = (h.group == 12 && h.variation <= 2) || h.group == 41;
    if (control && !data.empty()) {
      d.Skip(data.size() - 1);
      uint8_t status = d.U8() & 0x7f;
      if (status != 0) {
        r.Append("control status ").AppendUint(status);
        if (const char* name = Dnp3ControlStatusName(status); *name) r.Append(' ').Append(name);
        return r;
      }
    }
    if (h.group == 70 && h.variation == 4 && data.size() >= 13) {
      d.Skip(12);
      uint8_t status = d.U8();
      if (status != 0) {
        return r.Append("file status ")
            .AppendUint(status)
            .Append(' ')
            .Append(FileStatusName(status));
      }
    }
  }
  return core::FixedText<64>("ok");
}

// The identity field a device attribute variation fills, or nullptr.
const char* IdentityField(uint8_t variation) {
  switch (variation) {
    case 252:
      return "vendor";
    case 250:
      return "model";
    case 242:
      return "firmware";
    case 243:
      return "hardware";
    case 248:
      return "serial";
    case 247:
      return "name";
    default:
      return nullptr;
  }
}

/// Per-flow DNP3 state: framing per direction, transport reassembly per direction,
/// pending requests, open file handles.
class Dnp3Dissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override;
  void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) override;
  void OnEnd(const StreamContext& ctx) override;

 private:
  ParseResult Skip(flow::Direction dir, size_t n, const char* anomaly, bool udp,
                   const StreamContext& ctx);
  void OnLinkFrame(flow::Direction dir, const Dnp3LinkFrame& frame, const StreamContext& ctx);
  bool Reassemble(flow::Direction dir, const Dnp3LinkFrame& frame,
                  std::span<const uint8_t>& fragment, const StreamContext& ctx);
  void OnApplication(flow::Direction dir, const Dnp3LinkHeader& link, const Dnp3Apdu& apdu,
                     const StreamContext& ctx);
  void OnRequest(flow::Direction dir, const Dnp3LinkHeader& link, const Dnp3Apdu& apdu,
                 const StreamContext& ctx);
  void OnResponse(flow::Direction dir, const Dnp3LinkHeader& link, const Dnp3Apdu& apdu,
                  const StreamContext& ctx);
  IcsCategory CategoryOf(const Dnp3Apdu& a);
  void RememberFile(const Pending& open, const Dnp3Apdu& response);
  void ReportIdentity(flow::Direction dir, const Dnp3Apdu& apdu, const StreamContext& ctx);
  void Emit(const Pending& p, uint64_t response_frame, std::string_view result,
            const StreamContext& ctx);

  std::array<Reassembly, 2> reassembly_{};
  std::array<bool, 2> hunting_{};    // looking for a frame start after lost sync
  std::array<size_t, 2> skipped_{};  // bytes skipped since the last good frame
  RequestTable<Pending, kMaxPendingRequests> pending_;
  std::array<OpenFile, kMaxOpenFiles> files_{};
  size_t next_file_ = 0;
  Dnp3LinkFrame frame_;  // the frame being handled (kept here: 300 octets)
  FrameSeq seq_;
};

ParseResult Dnp3Dissector::Skip(flow::Direction dir, size_t n, const char* anomaly, bool udp,
                                const StreamContext& ctx) {
  size_t d = Index(dir);
  // One anomaly per loss of sync: later candidates that fail while hunting are silent.
  if (!hunting_[d]) ctx.anomalies->Raise(anomaly);
  hunting_[d] = true;
  skipped_[d] += n;
  if (!udp && skipped_[d] > kMaxResyncBytes) return {Verdict::kNotThisProtocol, 0, 0};
  return {Verdict::kConsumed, n, 0};
}

ParseResult Dnp3Dissector::OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                                  const StreamContext& ctx) {
  bool udp = ctx.flow && ctx.flow->proto == kUdp;
  size_t start = FindStart(bytes);
  if (start > 0) return Skip(dir, start, "dnp3.resync", udp, ctx);
  size_t need = 0;
  switch (ParseDnp3Link(bytes, frame_, need)) {
    case Dnp3LinkStatus::kNeedMore:
      if (udp) return Skip(dir, bytes.size(), "dnp3.truncated_frame", udp, ctx);
      return {Verdict::kNeedMore, 0, need};
    case Dnp3LinkStatus::kBadStart:  // FindStart put a frame start here; kept for safety
      return Skip(dir, 1, "dnp3.resync", udp, ctx);
    case Dnp3LinkStatus::kBadLength:
      return Skip(dir, 1, "dnp3.bad_length", udp, ctx);
    case Dnp3LinkStatus::kBadHeaderCrc:
      return Skip(dir, 1, "dnp3.bad_crc", udp, ctx);
    case Dnp3LinkStatus::kOk:
      break;
  }
  hunting_[Index(dir)] = false;
  skipped_[Index(dir)] = 0;
  OnLinkFrame(dir, frame_, ctx);
  return {Verdict::kConsumed, frame_.wire_bytes, 0};
}

void Dnp3Dissector::OnLinkFrame(flow::Direction dir, const Dnp3LinkFrame& frame,
                                const StreamContext& ctx) {
  const Dnp3LinkHeader& link = frame.header;
  // A block with a bad CRC makes the whole frame's data untrustworthy: tshark drops it
  // from reassembly too, and so do we.
  if (!frame.data_crc_ok) ctx.anomalies->Raise("dnp3.bad_crc");
  std::span<const uint8_t> fragment;
  if (link.carries_data() && frame.data_crc_ok && Reassemble(dir, frame, fragment, ctx)) {
    // One per thread, not per flow: a fragment is read and handled within this call, and a
    // flow of one datagram (a flood of spoofed sources) should not carry its 2.5 KB.
    static thread_local Dnp3Apdu apdu;
    if (ParseDnp3Application(fragment, apdu)) {
      OnApplication(dir, link, apdu, ctx);
      return;
    }
    ctx.anomalies->Raise("dnp3.short_fragment");
  }
  CountPdu(ctx, kProto, link.keyed_function(), PduKind::kOther, false, "link_functions");
}

bool Dnp3Dissector::Reassemble(flow::Direction dir, const Dnp3LinkFrame& frame,
                               std::span<const uint8_t>& fragment, const StreamContext& ctx) {
  Reassembly& re = reassembly_[Index(dir)];
  core::ByteReader r(frame.UserData());
  Dnp3Transport t = ParseDnp3Transport(r.U8());
  std::span<const uint8_t> payload = r.Rest();
  if (re.active && t.seq == ((re.next_seq + 63) & kDnp3TransportSeq)) {
    return false;  // the previous segment again (a link-layer retry): already joined
  }
  if (t.fir && t.fin) {
    if (re.active) ctx.anomalies->Raise("dnp3.transport_incomplete");
    re.active = false;
    fragment = payload;  // a link frame's user data is smaller than kMaxFragmentBytes
    return true;
  }
  if (t.fir) {
    if (re.active) ctx.anomalies->Raise("dnp3.transport_incomplete");
    re.active = true;
    re.size = 0;
  } else if (!re.active || t.seq != re.next_seq) {
    ctx.anomalies->Raise("dnp3.transport_sequence");
    re.active = false;
    return false;
  }
  if (payload.size() > kMaxFragmentBytes - re.size) {
    ctx.anomalies->Raise("dnp3.fragment_too_large");
    re.active = false;
    return false;
  }
  if (re.bytes.size() < re.size + payload.size()) re.bytes.resize(re.size + payload.size());
  std::copy(payload.begin(), payload.end(), re.bytes.begin() + static_cast<ptrdiff_t>(re.size));
  re.size += payload.size();
  re.next_seq = static_cast<uint8_t>((t.seq + 1) & kDnp3TransportSeq);
  if (!t.fin) return false;
  re.active = false;
  fragment = std::span<const uint8_t>(re.bytes).first(re.size);
  return true;
}

void Dnp3Dissector::OnApplication(flow::Direction dir, const Dnp3LinkHeader& link,
                                  const Dnp3Apdu& apdu, const StreamContext& ctx) {
  bool exception = apdu.has_iin && (apdu.iin & kDnp3IinRequestFailed) != 0;
  CountPdu(ctx, kProto, apdu.function, KindOf(apdu.function), exception, "functions");
  CountDetail(ctx, kProto, "link_functions", link.keyed_function());
  if (apdu.objects_capped) ctx.anomalies->Raise("dnp3.too_many_objects");
  if (apdu.objects_bad) ctx.anomalies->Raise("dnp3.bad_object");
  if (apdu.is_response()) ReportIdentity(dir, apdu, ctx);
  switch (KindOf(apdu.function)) {
    case PduKind::kRequest:
      OnRequest(dir, link, apdu, ctx);
      break;
    case PduKind::kResponse:
      OnResponse(dir, link, apdu, ctx);
      break;
    case PduKind::kOther:
      // Confirms and unsolicited responses are counted, not operations: nothing waits
      // for them and they ask nothing of the device.
      break;
  }
}

// Categories, as the policy judges them:
// - read (1) reads points; reading only device attributes (group 0) is an identity query;
// - write (2) changes values, but writing file data (group 70) changes a file: program;
// - select, operate, direct operate, the freezes and assign class change outputs, counters
//   or what the outstation reports: write;
// - cold/warm restart, initialize data (re-initialises the outstation's data to its
//   configured state: a reset, not a value write), initialize/start/stop application:
//   controller-state;
// - save configuration and activate configuration make the outstation run a new
//   configuration: program-change;
// - enable/disable unsolicited and the authentication functions shape the session;
// - delay measure and record current time are time-synchronisation steps (the clock itself
//   is set by a write of group 50): diagnostic;
// - file services: opening for writing or appending, deleting, and closing or aborting a
//   handle opened for writing change files on the controller (program-change); opening
//   for reading, reading file info and closing a read handle are reads. A handle whose
//   open was not seen counts as writing: the conservative guess. Authenticate file only
//   obtains a key: session.
IcsCategory Dnp3Dissector::CategoryOf(const Dnp3Apdu& a) {
  switch (a.function) {
    case kDnp3Read: {
      bool attributes_only = a.object_count > 0;
      for (size_t i = 0; i < a.object_count; ++i) attributes_only &= a.objects[i].group == 0;
      return attributes_only ? IcsCategory::kIdentity : IcsCategory::kRead;
    }
    case kDnp3Write:
      for (size_t i = 0; i < a.object_count; ++i) {
        if (a.objects[i].group == 70) return IcsCategory::kProgramChange;
      }
      return IcsCategory::kWrite;
    case kDnp3Select:
    case kDnp3Operate:
    case kDnp3DirectOperate:
    case kDnp3DirectOperateNoAck:
    case kDnp3ImmediateFreeze:
    case kDnp3ImmediateFreezeNoAck:
    case kDnp3FreezeClear:
    case kDnp3FreezeClearNoAck:
    case kDnp3FreezeAtTime:
    case kDnp3FreezeAtTimeNoAck:
    case kDnp3AssignClass:
      return IcsCategory::kWrite;
    case kDnp3ColdRestart:
    case kDnp3WarmRestart:
    case kDnp3InitializeData:
    case kDnp3InitializeApplication:
    case kDnp3StartApplication:
    case kDnp3StopApplication:
      return IcsCategory::kControllerState;
    case kDnp3SaveConfiguration:
    case kDnp3ActivateConfig:
    case kDnp3DeleteFile:
      return IcsCategory::kProgramChange;
    case kDnp3EnableUnsolicited:
    case kDnp3DisableUnsolicited:
    case kDnp3AuthenticateFile:
    case kDnp3AuthenticateRequest:
    case kDnp3AuthenticateError:
      return IcsCategory::kSession;
    case kDnp3DelayMeasure:
    case kDnp3RecordCurrentTime:
      return IcsCategory::kDiagnostic;
    case kDnp3GetFileInfo:
      return IcsCategory::kRead;
    case kDnp3OpenFile: {
      const Dnp3ObjectHeader* cmd = FileObject(a, 3);
      if (!cmd) return IcsCategory::kProgramChange;
      core::ByteReader r(cmd->first_data);
      r.Skip(kFileModeOffset);
      uint16_t mode = r.U16Le();
      return r.ok() && mode == kFileModeRead ? IcsCategory::kRead : IcsCategory::kProgramChange;
    }
    case kDnp3CloseFile:
    case kDnp3AbortFile: {
      const Dnp3ObjectHeader* status = FileObject(a, 4);
      if (!status) return IcsCategory::kProgramChange;
      core::ByteReader r(status->first_data);
      uint32_t handle = r.U32Le();
      for (auto& f : files_) {
        if (f.used && f.handle == handle) {
          f.used = false;  // the handle is given back
          return f.writing ? IcsCategory::kProgramChange : IcsCategory::kRead;
        }
      }
      return IcsCategory::kProgramChange;
    }
    default:
      return IcsCategory::kOther;
  }
}

void Dnp3Dissector::RememberFile(const Pending& open, const Dnp3Apdu& response) {
  const Dnp3ObjectHeader* status = FileObject(response, 4);
  if (!status) return;
  core::ByteReader r(status->first_data);
  uint32_t handle = r.U32Le();
  r.Skip(8);
  uint8_t result = r.U8();
  if (!r.ok() || result != 0) return;
  files_[next_file_] = OpenFile{true, handle, open.file_mode != kFileModeRead};
  next_file_ = (next_file_ + 1) % kMaxOpenFiles;
}

void Dnp3Dissector::OnRequest(flow::Direction dir, const Dnp3LinkHeader& link, const Dnp3Apdu& apdu,
                              const StreamContext& ctx) {
  uint64_t key = Key(dir, link.source, link.destination, apdu.seq());
  if (apdu.function == kDnp3AuthenticateRequest) {
    // The master's answer to a challenge of a pending request: part of that exchange.
    if (auto challenged = pending_.Take(key)) {
      if (challenged->challenged) {
        pending_.Put(key, *challenged);
        return;
      }
      Emit(*challenged, 0, "", ctx);  // a request of the same sequence never answered
    }
  }
  Pending p;
  p.key = key;
  p.function = apdu.function;
  p.category = CategoryOf(apdu);
  p.target = TargetOf(apdu);
  p.dir = dir;
  p.frame = ctx.frame;
  p.ts = ctx.ts;
  if (const Dnp3ObjectHeader* cmd = FileObject(apdu, 3)) {
    core::ByteReader r(cmd->first_data);
    r.Skip(kFileModeOffset);
    p.file_mode = r.U16Le();
  }
  // Requests that never get a response: the "no ack" functions, authentication errors,
  // and anything sent to a broadcast address.
  switch (apdu.function) {
    case kDnp3DirectOperateNoAck:
    case kDnp3ImmediateFreezeNoAck:
    case kDnp3FreezeClearNoAck:
    case kDnp3FreezeAtTimeNoAck:
    case kDnp3AuthenticateError:
      Emit(p, 0, "no-ack", ctx);
      return;
    default:
      break;
  }
  if (link.destination >= kFirstBroadcastAddress) {
    Emit(p, 0, "broadcast", ctx);
    return;
  }
  if (auto same = pending_.Take(key)) {
    Emit(*same, 0, "", ctx);  // the master reused the sequence number: the first went unanswered
  } else if (pending_.size() == pending_.capacity()) {
    ctx.anomalies->Raise("dnp3.unanswered_overflow");
  }
  if (auto displaced = pending_.Put(key, p)) Emit(*displaced, 0, "", ctx);
}

void Dnp3Dissector::OnResponse(flow::Direction dir, const Dnp3LinkHeader& link,
                               const Dnp3Apdu& apdu, const StreamContext& ctx) {
  // Only the first fragment of a response carries the request's sequence number; later
  // fragments count up from it.
  if (!apdu.fir()) return;
  flow::Direction request_dir = Reverse(dir);
  uint64_t key = Key(request_dir, link.destination, link.source, apdu.seq());
  std::optional<Pending> p = pending_.Take(key);
  if (apdu.function == kDnp3AuthenticateResponse && p && p->function != kDnp3AuthenticateRequest) {
    // A challenge of a critical request: the request stays pending for its real response.
    p->challenged = true;
    pending_.Put(key, *p);
    return;
  }
  core::FixedText<64> result = ResultOf(apdu);
  if (!p) {
    Pending orphan;
    orphan.function = apdu.function;
    orphan.dir = request_dir;
    orphan.ts = ctx.ts;
    Emit(orphan, ctx.frame, result.view(), ctx);
    return;
  }
  if (p->function == kDnp3OpenFile) RememberFile(*p, apdu);
  Emit(*p, ctx.frame, result.view(), ctx);
}

void Dnp3Dissector::ReportIdentity(flow::Direction dir, const Dnp3Apdu& apdu,
                                   const StreamContext& ctx) {
  constexpr size_t kMaxAttributeText = 255;
  constexpr uint8_t kVisibleString = 1;
  if (apdu.attribute_count == 0 || !ctx.sink) return;
  DeviceIdentity id = SenderIdentity(ctx, dir, kProto);
  for (size_t i = 0; i < apdu.attribute_count; ++i) {
    const Dnp3Attribute& a = apdu.attributes[i];
    const char* field = IdentityField(a.variation);
    if (!field || a.data_type != kVisibleString) continue;
    bool truncated = false;
    std::string value = TextField(a.value, kMaxAttributeText, truncated);
    if (!value.empty()) id.fields.emplace_back(field, std::move(value));
  }
  if (!id.fields.empty()) ctx.sink->OnIdentity(id);
}

void Dnp3Dissector::Emit(const Pending& p, uint64_t response_frame, std::string_view result,
                         const StreamContext& ctx) {
  if (!ctx.sink) return;
  IcsOperation op;
  op.protocol = kProto;
  op.function_code = p.function;
  op.function = Dnp3FunctionName(p.function);
  op.category = p.category;
  op.target = p.target;
  op.result.Append(result);
  op.where = EndpointsFor(ctx, p.dir);
  op.request_frame = p.frame;
  op.response_frame = response_frame;
  op.ts = p.frame != 0 ? p.ts : ctx.ts;
  op.seq = seq_.Next(p.frame != 0 ? p.frame : response_frame);
  ctx.sink->OnIcsOperation(op);
}

void Dnp3Dissector::OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) {
  size_t d = Index(dir);
  reassembly_[d].active = false;
  hunting_[d] = true;  // the next bytes may start anywhere: find a frame silently
  skipped_[d] = 0;
  // Responses travel in `dir` for requests sent the other way: those may be lost now.
  std::array<Pending, kMaxPendingRequests> kept;
  size_t n = 0;
  pending_.Drain([&](const Pending& p) {
    if (p.dir == dir) {
      kept[n++] = p;
    } else {
      Emit(p, 0, "", ctx);
    }
  });
  for (size_t i = 0; i < n; ++i) pending_.Put(kept[i].key, kept[i]);
}

void Dnp3Dissector::OnEnd(const StreamContext& ctx) {
  pending_.Drain([&](const Pending& p) { Emit(p, 0, "", ctx); });
}

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  Dnp3LinkFrame frame;
  size_t need = 0;
  switch (ParseDnp3Link(first_bytes, frame, need)) {
    case Dnp3LinkStatus::kOk:
      return ProbeResult::kYes;
    case Dnp3LinkStatus::kNeedMore:
      // A good header with its data still to come is enough: the CRC over eight octets
      // already rules out chance.
      return first_bytes.size() >= kDnp3HeaderBytes ? ProbeResult::kYes : ProbeResult::kMaybe;
    default:
      return ProbeResult::kNo;
  }
}

std::unique_ptr<Dissector> Create() { return std::make_unique<Dnp3Dissector>(); }

}  // namespace qw::dissect::dnp3
