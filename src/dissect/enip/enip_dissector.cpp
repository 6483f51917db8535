#include "dissect/enip/enip_dissector.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/byte_reader.h"
#include "core/fixed_text.h"
#include "dissect/enip/cip_names.h"
#include "dissect/enip/cip_parser.h"
#include "dissect/enip/enip_parser.h"
#include "dissect/ics_common.h"
#include "dissect/text_field.h"

namespace qw::dissect::enip {

namespace {

constexpr const char* kEnip = "enip";
constexpr const char* kCip = "cip";
constexpr const char* kIo = "enip_io";

constexpr uint16_t kEnipPort = 44818;
/// The highest encapsulation status defined (0x0069, unsupported protocol revision).
constexpr uint32_t kMaxEnipStatus = 0x69;
/// Requests (and Multiple Service Packet members) waiting for replies per flow. HMIs
/// pipeline several packets of many members in one segment (mb2 frame 407 holds 7 packets,
/// 66 members): two such segments must fit.
constexpr size_t kPendingCapacity = 160;
/// Bytes scanned for the next encapsulation header after a defect before the flow is given up.
constexpr uint64_t kMaxResyncBytes = 4096;
/// How deep Unconnected Send and Multiple Service Packet may nest (`cip.nesting_cap`).
constexpr size_t kMaxCipDepth = 4;
/// Distinct I/O connection ids counted per flow; the rest count under kIoOverflowConnection.
constexpr size_t kMaxIoConnections = 32;
constexpr uint32_t kIoOverflowConnection = 0xffffffff;
/// Longest product name kept in an identity.
constexpr size_t kMaxProductName = 64;

using Target = core::FixedText<112>;
using Result = core::FixedText<64>;

size_t Index(flow::Direction dir) { return static_cast<size_t>(dir); }

// --- Pairing keys -----------------------------------------------------------------------
// A key is | base:56 | member:7 |; the base's top two bits say what it pairs on, so an
// unconnected request, a connected one and an encapsulation command never meet.
constexpr uint64_t kBaseMask = (uint64_t{1} << 54) - 1;
constexpr uint64_t kKindRr = 0, kKindConnected = 1, kKindEnip = 2;
/// Operations one message may leave waiting (the member field's range); nested Multiple
/// Service Packets past it are counted but not paired (`cip.msp_service_cap`).
constexpr uint32_t kMaxLeaves = 128;

uint64_t Base(uint64_t kind, uint64_t value) { return kind << 54 | (value & kBaseMask); }
uint64_t Key(uint64_t base, uint32_t member) { return base << 7 | (member & 0x7f); }

// Unconnected replies echo the session handle and sender context of their request.
uint64_t RrBase(uint32_t session, uint64_t context) {
  return Base(kKindRr, (uint64_t{session} * 0x9e3779b97f4a7c15ULL) ^ context);
}

// --- Header checks ----------------------------------------------------------------------

// What any encapsulation header must satisfy: zero options and a defined status range.
bool Plausible(const EnipHeader& h) { return h.options == 0 && h.status <= kMaxEnipStatus; }

// What a header must satisfy to be recognised (probe) or to resynchronise on: a known
// command whose length fits what the command allows.
bool Recognisable(const EnipHeader& h) {
  if (!Plausible(h) || !IsKnownCommand(h.command)) return false;
  switch (h.command) {
    case kRegisterSession:
      return h.length == 4 || (h.status != 0 && h.length == 0);
    case kUnregisterSession:
      return h.length == 0;
    case kSendRRData:
    case kSendUnitData:
      // Interface handle, timeout and item count; an error reply may carry nothing.
      return h.length >= 8 || (h.status != 0 && h.length == 0);
    default:
      return true;
  }
}

// --- Rendering --------------------------------------------------------------------------

// Wire bytes as text (a view of the same bytes; printable rendering is the caller's).
std::string_view AsText(std::span<const uint8_t> bytes) {
  return core::ByteReader(bytes).Chars(bytes.size());
}

// Appends `what` with a separating space when the text is not empty.
void Word(Target& t, std::string_view what) {
  if (!t.empty()) t.Append(' ');
  t.Append(what);
}

// Appends a path as a person reads it: "class 0x01 inst 1 attr 7", "tag Motor.Speed[3]",
// "port 1 link 0".
void AppendPath(Target& t, const CipPath& path) {
  bool in_tag = false;  // the previous segment continued a tag name
  for (size_t i = 0; i < path.count; ++i) {
    const CipSegment& s = path.segments[i];
    switch (s.kind) {
      case CipSegmentKind::kClass:
        Word(t, "class ");
        t.AppendHex(s.value, 2);
        in_tag = false;
        break;
      case CipSegmentKind::kInstance:
        Word(t, "inst ");
        t.AppendUint(s.value);
        in_tag = false;
        break;
      case CipSegmentKind::kAttribute:
        Word(t, "attr ");
        t.AppendUint(s.value);
        in_tag = false;
        break;
      case CipSegmentKind::kMember:
        if (in_tag) {
          // After a tag name a member id indexes an array element.
          t.Append('[').AppendUint(s.value).Append(']');
        } else {
          Word(t, "member ");
          t.AppendUint(s.value);
        }
        break;
      case CipSegmentKind::kConnectionPoint:
        Word(t, "conn-point ");
        t.AppendUint(s.value);
        in_tag = false;
        break;
      case CipSegmentKind::kSymbol:
        if (in_tag) {
          t.Append('.');
        } else {
          Word(t, "tag ");
        }
        t.AppendPrintable(AsText(s.bytes));
        in_tag = true;
        break;
      case CipSegmentKind::kPort:
        Word(t, "port ");
        t.AppendUint(s.value);
        t.Append(" link ");
        if (s.bytes.size() > 1) {
          // A text link address (an IP address for EtherNet/IP ports).
          t.AppendPrintable(AsText(s.bytes));
        } else {
          t.AppendUint(s.link);
        }
        in_tag = false;
        break;
      case CipSegmentKind::kServiceId:
        Word(t, "service ");
        t.AppendHex(s.value, 2);
        in_tag = false;
        break;
      default:
        break;  // keys, network and data segments say nothing about the target
    }
  }
  if (path.capped) t.Append(" ...");
}

// Appends what a PCCC command addresses: "pccc 0x0f/0xa2 file 7 type 0x89 elem 0".
void AppendPccc(Target& t, const PcccCommand& c) {
  Word(t, "pccc ");
  t.AppendHex(c.command, 2);
  if (!c.has_function) return;
  t.Append('/').AppendHex(c.function, 2);
  core::ByteReader d(c.data);
  switch (c.function) {
    case 0x80: {  // change mode: | mode:1 |
      uint8_t mode = d.U8();
      if (d.ok()) t.Append(" mode ").AppendHex(mode, 2);
      break;
    }
    case 0xa1:
    case 0xa2:
    case 0xa9:
    case 0xaa:
    case 0xab: {  // | byte size:1 | file number:1 | file type:1 | element:1 | ...
      uint8_t size = d.U8();
      uint8_t file = d.U8();
      uint8_t type = d.U8();
      uint8_t element = d.U8();
      if (!d.ok()) break;
      t.Append(" file ").AppendUint(file).Append(" type ").AppendHex(type, 2);
      t.Append(" elem ").AppendUint(element).Append(" len ").AppendUint(size);
      break;
    }
    default:
      break;
  }
}

// "error 0x05 path-destination-unknown ext 0x0100", "ok", "ok partial-transfer".
Result CipResultText(const CipResponse& r) {
  Result out;
  if (r.general_status == 0) {
    out.Append("ok");
    return out;
  }
  if (!IsCipError(r.general_status)) {
    out.Append("ok partial-transfer");
    return out;
  }
  out.Append("error ").AppendHex(r.general_status, 2);
  if (const char* name = CipGeneralStatusName(r.general_status)) out.Append(' ').Append(name);
  if (r.additional_words > 0) out.Append(" ext ").AppendHex(r.extended_status, 4);
  return out;
}

Result EnipResultText(uint32_t status) {
  Result out;
  if (status == 0) {
    out.Append("ok");
    return out;
  }
  out.Append("error ").AppendHex(status, 4);
  if (const char* name = EnipStatusName(status)) out.Append(' ').Append(name);
  return out;
}

std::string Hex32(uint32_t v) {
  core::FixedText<12> t;
  t.AppendHex(v, 8);
  return t.str();
}

// The fields of a device identity in the names the inventory uses.
void AddIdentityFields(DeviceIdentity& id, const CipIdentityAttributes& a) {
  if (const char* v = CipVendorName(a.vendor_id)) id.fields.emplace_back("vendor", v);
  id.fields.emplace_back("vendor_id", std::to_string(a.vendor_id));
  if (const char* d = CipDeviceTypeName(a.device_type)) {
    id.fields.emplace_back("device_type", d);
  } else {
    id.fields.emplace_back("device_type", "CIP device type " + std::to_string(a.device_type));
  }
  id.fields.emplace_back("product_code", std::to_string(a.product_code));
  // Revision major.minor, printed as Rockwell and Wireshark do (4.03).
  std::string firmware = std::to_string(a.revision_major) + ".";
  if (a.revision_minor < 10) firmware += '0';
  firmware += std::to_string(a.revision_minor);
  id.fields.emplace_back("firmware", std::move(firmware));
  id.fields.emplace_back("serial", Hex32(a.serial));
  bool truncated = false;
  std::string product = TextField(a.product_name, kMaxProductName, truncated);
  if (!product.empty()) id.fields.emplace_back("product", std::move(product));
}

// --- The encapsulation dissector --------------------------------------------------------

// A request waiting for its reply, or a reply whose request was not seen.
struct Pending {
  const char* protocol = kCip;
  uint32_t function_code = 0;
  const char* function = "";
  IcsCategory category = IcsCategory::kOther;
  Target target;
  flow::Direction dir = flow::Direction::kFromInitiator;  // the requester's direction
  uint64_t frame = 0;                                     // 0 when only the reply was seen
  uint32_t seq = 0;  // numbered when the request was read, so one frame's rows never collide
  core::Timestamp ts;
  bool identity = false;  // an unrouted Identity Get_Attributes_All: the reply names the device
  bool pccc = false;      // an Execute PCCC: the reply carries a PCCC status too
};

class EnipDissector final : public Dissector {
 public:
  explicit EnipDissector(bool udp) : udp_(udp) {}

  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    if (udp_) return OnDatagram(dir, bytes, ctx);
    size_t d = Index(dir);
    if (resync_[d]) {
      ParseResult r = Resync(d, bytes, ctx);
      if (resync_[d] || r.verdict != Verdict::kConsumed || r.consumed > 0) return r;
    }
    if (bytes.size() < kEnipHeaderSize) {
      return {Verdict::kNeedMore, 0, kEnipHeaderSize - bytes.size()};
    }
    EnipHeader h = *ParseEnipHeader(bytes);
    if (!Plausible(h)) {
      // Not a header where one must start: look for the next one.
      ctx.anomalies->Raise("enip.bad_header");
      resync_[d] = true;
      resync_scanned_[d] = 0;
      return {Verdict::kConsumed, 1, 0};
    }
    size_t total = kEnipHeaderSize + h.length;
    if (bytes.size() < total) return {Verdict::kNeedMore, 0, total - bytes.size()};
    HandlePdu(dir, h, bytes.subspan(kEnipHeaderSize, h.length), ctx);
    return {Verdict::kConsumed, total, 0};
  }

  void OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) override {
    // Replies after a gap may answer requests that were lost, and the next bytes need not
    // start a header: report what waits as unanswered and look for the next header.
    if (!udp_) {
      resync_[Index(dir)] = true;
      resync_scanned_[Index(dir)] = 0;
    }
    DrainUnanswered(ctx);
  }

  void OnEnd(const StreamContext& ctx) override { DrainUnanswered(ctx); }

 private:
  ParseResult OnDatagram(flow::Direction dir, std::span<const uint8_t> bytes,
                         const StreamContext& ctx) {
    auto h = ParseEnipHeader(bytes);
    if (!h || !Plausible(*h) || bytes.size() < kEnipHeaderSize + h->length) {
      ctx.anomalies->Raise("enip.bad_header");
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    if (bytes.size() > kEnipHeaderSize + h->length) ctx.anomalies->Raise("enip.trailing_bytes");
    HandlePdu(dir, *h, bytes.subspan(kEnipHeaderSize, h->length), ctx);
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  // Scans for the next recognisable header after a defect or gap.
  ParseResult Resync(size_t d, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    for (size_t off = 0; off + kEnipHeaderSize <= bytes.size(); ++off) {
      auto h = ParseEnipHeader(bytes.subspan(off));
      if (h && Recognisable(*h)) {
        resync_[d] = false;
        if (off > 0) ctx.anomalies->Raise("enip.resynchronised");
        return {Verdict::kConsumed, off, 0};
      }
    }
    // A header may still begin in the last 23 bytes; keep them.
    size_t drop = bytes.size() >= kEnipHeaderSize ? bytes.size() - (kEnipHeaderSize - 1) : 0;
    resync_scanned_[d] += drop;
    if (resync_scanned_[d] > kMaxResyncBytes) {
      ctx.anomalies->Raise("enip.resync_failed");
      return {Verdict::kNotThisProtocol, 0, 0};
    }
    if (drop == 0) return {Verdict::kNeedMore, 0, kEnipHeaderSize - bytes.size()};
    return {Verdict::kConsumed, drop, 0};
  }

  // The direction of the encapsulation client: the side not on port 44818.
  flow::Direction ClientDir(const StreamContext& ctx) const {
    if (!ctx.flow) return flow::Direction::kFromInitiator;
    if (ctx.flow->responder_port == kEnipPort) return flow::Direction::kFromInitiator;
    if (ctx.flow->initiator_port == kEnipPort) return flow::Direction::kFromResponder;
    return flow::Direction::kFromInitiator;
  }

  void HandlePdu(flow::Direction dir, const EnipHeader& h, std::span<const uint8_t> data,
                 const StreamContext& ctx) {
    bool reply;
    switch (h.command) {
      case kListIdentity:
      case kListServices:
      case kListInterfaces:
      case kLegacyListTargets:
        // Their requests carry no data; whatever carries data (or an error) is a reply.
        reply = !data.empty() || h.status != 0;
        break;
      default:
        reply = dir != ClientDir(ctx);
        break;
    }
    PduKind kind =
        h.command == kNop ? PduKind::kOther : (reply ? PduKind::kResponse : PduKind::kRequest);
    CountPdu(ctx, kEnip, h.command, kind, h.status != 0);
    switch (h.command) {
      case kSendRRData:
      case kSendUnitData:
        HandleMessage(dir, h, data, ctx);
        break;
      case kNop:
        break;
      case kListIdentity:
      case kListServices:
      case kListInterfaces:
      case kLegacyListTargets:
      case kRegisterSession:
        if (reply) {
          EnipReply(dir, h, data, ctx);
        } else {
          EnipRequest(dir, h, ctx);
        }
        break;
      case kUnregisterSession:
      case kIndicateStatus:
      case kCancel: {
        // No reply is defined: the request is the whole operation.
        Pending p = EnipPending(dir, h, ctx);
        Emit(p, ctx, 0, Result{});
        break;
      }
      default:
        ctx.anomalies->Raise("enip.unknown_command");
        break;
    }
  }

  Pending EnipPending(flow::Direction dir, const EnipHeader& h, const StreamContext& ctx) {
    Pending p;
    p.protocol = kEnip;
    p.function_code = h.command;
    p.function = EnipCommandName(h.command);
    switch (h.command) {
      case kRegisterSession:
      case kUnregisterSession:
        p.category = IcsCategory::kSession;
        break;
      case kListIdentity:
      case kListServices:
      case kListInterfaces:
      case kLegacyListTargets:
        p.category = IcsCategory::kIdentity;
        break;
      default:
        p.category = IcsCategory::kOther;
        break;
    }
    if (h.command == kUnregisterSession) {
      p.target.Append("session ").AppendHex(h.session, 8);
    }
    p.dir = dir;
    p.frame = ctx.frame;
    p.seq = seq_.Next(ctx.frame);
    p.ts = ctx.ts;
    return p;
  }

  void EnipRequest(flow::Direction dir, const EnipHeader& h, const StreamContext& ctx) {
    Store(Key(Base(kKindEnip, h.command), 0), EnipPending(dir, h, ctx), ctx);
  }

  void EnipReply(flow::Direction dir, const EnipHeader& h, std::span<const uint8_t> data,
                 const StreamContext& ctx) {
    auto taken = table_.Take(Key(Base(kKindEnip, h.command), 0));
    Pending p;
    if (taken) {
      p = *taken;
    } else {
      p = EnipPending(Reverse(dir), h, ctx);
      p.frame = 0;
    }
    switch (h.command) {
      case kRegisterSession:
        if (h.status == 0 && !ParseRegisterSession(data)) {
          ctx.anomalies->Raise("enip.bad_register_session");
        }
        p.target.Clear();
        p.target.Append("session ").AppendHex(h.session, 8);
        break;
      case kListIdentity:
        if (h.status == 0) ListIdentityReply(dir, data, p, ctx);
        break;
      case kListServices:
        if (h.status == 0) {
          auto list = ParseListServicesReply(data);
          if (!list) ctx.anomalies->Raise("enip.bad_list_reply");
          if (list && list->capped) ctx.anomalies->Raise("enip.list_item_cap");
        }
        break;
      default:
        break;
    }
    Emit(p, ctx, ctx.frame, EnipResultText(h.status));
  }

  void ListIdentityReply(flow::Direction dir, std::span<const uint8_t> data, Pending& p,
                         const StreamContext& ctx) {
    auto list = ParseListIdentityReply(data);
    if (!list) {
      ctx.anomalies->Raise("enip.bad_list_reply");
      return;
    }
    if (list->capped) ctx.anomalies->Raise("enip.list_item_cap");
    for (size_t i = 0; i < list->count; ++i) {
      const EnipIdentity& e = list->items[i];
      DeviceIdentity id = SenderIdentity(ctx, dir, kEnip);
      AddIdentityFields(id, e.attributes);
      // The address the device gives for itself (it differs from the packet's behind NAT).
      std::string socket =
          core::IpAddr::V4(e.sin_addr).ToString() + ":" + std::to_string(e.sin_port);
      id.fields.emplace_back("socket_address", std::move(socket));
      if (!id.ip.IsSet()) id.ip = core::IpAddr::V4(e.sin_addr);
      if (ctx.sink) ctx.sink->OnIdentity(id);
      if (i == 0 && p.target.empty()) {
        p.target.AppendPrintable(AsText(e.attributes.product_name));
      }
    }
  }

  // --- CIP over SendRRData / SendUnitData ---

  void HandleMessage(flow::Direction dir, const EnipHeader& h, std::span<const uint8_t> data,
                     const StreamContext& ctx) {
    if (data.empty() && h.status != 0) return;  // an error reply need carry nothing
    auto m = ParseEnipMessage(data);
    if (!m) {
      ctx.anomalies->Raise("enip.bad_cpf");
      return;
    }
    if (m->cpf.capped) ctx.anomalies->Raise("enip.cpf_item_cap");
    if (!m->has_data || m->cip.empty()) return;
    // Connected replies echo the request's sequence count on the other connection id;
    // unconnected ones echo session and sender context.
    uint64_t base = h.command == kSendUnitData && m->has_sequence
                        ? Base(kKindConnected, m->sequence)
                        : RrBase(h.session, h.context);
    uint32_t next = 0;
    if (IsCipResponse(m->cip)) {
      Result top;
      CipResponseMsg(dir, m->cip, base, ctx, 0, next, top);
      // Members the reply did not answer (an error instead of a member list) share its result.
      while (next < kMaxLeaves) {
        auto p = table_.Take(Key(base, next++));
        if (!p) break;
        Emit(*p, ctx, ctx.frame, top);
      }
    } else {
      CipRequestMsg(dir, m->cip, base, ctx, nullptr, 0, next);
    }
  }

  // Counts a request and every request it embeds; each leaf waits under base/next.
  void CipRequestMsg(flow::Direction dir, std::span<const uint8_t> msg, uint64_t base,
                     const StreamContext& ctx, const CipPath* route, size_t depth, uint32_t& next) {
    auto req = ParseCipRequest(msg);
    if (!req) {
      CountPdu(ctx, kCip, core::ByteReader(msg).U8(), PduKind::kRequest);
      ctx.anomalies->Raise("cip.bad_request");
      return;
    }
    CountPdu(ctx, kCip, req->service, PduKind::kRequest);
    const CipPath& path = req->path;
    if (path.capped) ctx.anomalies->Raise("cip.path_segment_cap");
    if (path.malformed) ctx.anomalies->Raise("cip.bad_path");
    uint32_t cls = path.has_class ? path.class_id : 0;
    bool cm = !path.symbolic && cls == kCipClassConnectionManager;
    if (req->service == kCipUnconnectedSend && cm) {
      auto us = ParseUnconnectedSend(req->data);
      if (!us) {
        ctx.anomalies->Raise("cip.bad_unconnected_send");
      } else if (depth + 1 >= kMaxCipDepth) {
        ctx.anomalies->Raise("cip.nesting_cap");
      } else {
        if (us->route.malformed) ctx.anomalies->Raise("cip.bad_path");
        // The target answers the embedded request directly: it is the operation.
        CipRequestMsg(dir, us->message, base, ctx, &us->route, depth + 1, next);
        return;
      }
    }
    if (req->service == kCipMultipleServicePacket) {
      auto msp = ParseMultipleService(req->data);
      if (!msp) {
        ctx.anomalies->Raise("cip.bad_multiple_service");
      } else if (depth + 1 >= kMaxCipDepth) {
        ctx.anomalies->Raise("cip.nesting_cap");
      } else {
        if (msp->capped) ctx.anomalies->Raise("cip.msp_service_cap");
        for (size_t i = 0; i < msp->count; ++i) {
          CipRequestMsg(dir, msp->members[i], base, ctx, route, depth + 1, next);
        }
        return;
      }
    }
    std::optional<PcccCommand> pccc;
    if (!path.symbolic && cls == kCipClassPccc && (req->service == 0x4b || req->service == 0x4d)) {
      pccc = ParseExecutePccc(req->data, false);
      if (!pccc) ctx.anomalies->Raise("cip.bad_pccc");
    }
    CipMeaning meaning = ClassifyCipRequest(req->service, path, pccc ? &*pccc : nullptr);
    Pending p;
    p.protocol = kCip;
    p.function_code = req->service;
    p.function = meaning.name;
    p.category = meaning.category;
    p.dir = dir;
    p.frame = ctx.frame;
    p.seq = seq_.Next(ctx.frame);
    p.ts = ctx.ts;
    p.pccc = pccc.has_value();
    AppendTarget(p.target, *req, cm, pccc ? &*pccc : nullptr);
    bool routed = path.routed || (route && route->count > 0);
    if (route && route->count > 0) {
      p.target.Append(" via");
      AppendPath(p.target, *route);
    }
    p.identity = req->service == kCipGetAttributesAll && cls == kCipClassIdentity &&
                 path.has_instance && path.instance == 1 && !routed;
    if (next >= kMaxLeaves) {
      ctx.anomalies->Raise("cip.msp_service_cap");
      return;
    }
    Store(Key(base, next++), p, ctx);
  }

  // What a request addresses; Forward Open/Close name the connection's target instead of
  // the Connection Manager.
  void AppendTarget(Target& t, const CipRequest& req, bool cm, const PcccCommand* pccc) {
    if (cm && (req.service == kCipForwardOpen || req.service == kCipLargeForwardOpen)) {
      if (auto fo = ParseForwardOpen(req.data, req.service == kCipLargeForwardOpen)) {
        t.Append("to");
        AppendPath(t, fo->connection_path);
        return;
      }
    }
    if (cm && req.service == kCipForwardClose) {
      if (auto fc = ParseForwardClose(req.data)) {
        t.Append("to");
        AppendPath(t, fc->connection_path);
        return;
      }
    }
    AppendPath(t, req.path);
    if (pccc) AppendPccc(t, *pccc);
  }

  // Counts a response and every member response it holds; each leaf answers base/next.
  void CipResponseMsg(flow::Direction dir, std::span<const uint8_t> msg, uint64_t base,
                      const StreamContext& ctx, size_t depth, uint32_t& next, Result& top) {
    auto resp = ParseCipResponse(msg);
    if (!resp) {
      CountPdu(ctx, kCip, core::ByteReader(msg).U8(), PduKind::kResponse, true);
      ctx.anomalies->Raise("cip.bad_response");
      return;
    }
    bool error = IsCipError(resp->general_status);
    CountPdu(ctx, kCip, resp->service, PduKind::kResponse, error);
    Result result = CipResultText(*resp);
    if (depth == 0) top = result;
    if ((resp->service & 0x7f) == kCipMultipleServicePacket && !resp->data.empty()) {
      auto msp = ParseMultipleService(resp->data);
      if (!msp) {
        ctx.anomalies->Raise("cip.bad_multiple_service");
      } else if (depth + 1 >= kMaxCipDepth) {
        ctx.anomalies->Raise("cip.nesting_cap");
      } else {
        if (msp->capped) ctx.anomalies->Raise("cip.msp_service_cap");
        for (size_t i = 0; i < msp->count; ++i) {
          CipResponseMsg(dir, msp->members[i], base, ctx, depth + 1, next, top);
        }
        return;
      }
    }
    std::optional<Pending> taken;
    if (next < kMaxLeaves) taken = table_.Take(Key(base, next));
    ++next;
    if (!taken) {
      // A reply whose request was not seen: what the service code alone says.
      CipMeaning meaning = ClassifyCipService(resp->service);
      Pending p;
      p.protocol = kCip;
      p.function_code = resp->service & 0x7f;
      p.function = meaning.name;
      p.category = meaning.category;
      p.dir = Reverse(dir);
      p.ts = ctx.ts;
      Emit(p, ctx, ctx.frame, result);
      return;
    }
    if (taken->pccc && resp->general_status == 0) {
      // The PCCC command has a status of its own inside a successful CIP reply.
      auto reply = ParseExecutePccc(resp->data, true);
      if (reply && reply->status != 0) {
        result.Clear();
        result.Append("error pccc ").AppendHex(reply->status, 2);
      }
    }
    if (taken->identity && resp->general_status == 0) {
      if (auto attrs = ParseIdentityAttributes(resp->data)) {
        DeviceIdentity id = SenderIdentity(ctx, dir, kEnip);
        id.protocol = kCip;
        AddIdentityFields(id, *attrs);
        if (ctx.sink) ctx.sink->OnIdentity(id);
      }
    }
    Emit(*taken, ctx, ctx.frame, result);
  }

  // --- Operations ---

  void Store(uint64_t key, const Pending& p, const StreamContext& ctx) {
    bool full = table_.size() == table_.capacity();
    if (auto displaced = table_.Put(key, p)) {
      if (full) {
        ctx.anomalies->Raise(displaced->protocol == kEnip ? "enip.unanswered_overflow"
                                                          : "cip.unanswered_overflow");
      }
      Emit(*displaced, ctx, 0, Result{});
    }
  }

  void Emit(const Pending& p, const StreamContext& ctx, uint64_t response_frame,
            const Result& result) {
    if (!ctx.sink) return;
    IcsOperation op;
    op.protocol = p.protocol;
    op.function_code = p.function_code;
    op.function = p.function;
    op.category = p.category;
    op.target = p.target;
    op.result = result;
    op.where = EndpointsFor(ctx, p.dir);
    op.request_frame = p.frame;
    op.response_frame = response_frame;
    op.ts = p.frame ? p.ts : ctx.ts;
    // Requests were numbered as they were read; a reply without one is numbered now, while
    // its own frame is being read, so numbers within a frame are handed out in one run.
    op.seq = p.frame ? p.seq : seq_.Next(response_frame);
    ctx.sink->OnIcsOperation(op);
  }

  void DrainUnanswered(const StreamContext& ctx) {
    table_.Drain([&](const Pending& p) { Emit(p, ctx, 0, Result{}); });
  }

  bool udp_;
  std::array<bool, 2> resync_{};
  std::array<uint64_t, 2> resync_scanned_{};
  RequestTable<Pending, kPendingCapacity> table_;
  FrameSeq seq_;
};

// --- Implicit I/O -----------------------------------------------------------------------

class IoDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    auto frame = ParseEnipIo(bytes);
    if (!frame) {
      ctx.anomalies->Raise("enip_io.bad_frame");
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    if (frame->capped) ctx.anomalies->Raise("enip.cpf_item_cap");
    CountPdu(ctx, kIo, ConnectionCode(frame->connection_id, ctx), PduKind::kOther, false,
             "connections");
    if (ctx.sink && ctx.flow) {
      CyclicObservation c;
      c.protocol = kIo;
      SenderAddress(ctx, dir, c.ip, c.mac);
      ctx.sink->OnCyclic(c);
    }
    return {Verdict::kConsumed, bytes.size(), 0};
  }
  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}
  void OnEnd(const StreamContext&) override {}

 private:
  // The histogram key for a connection: its id while the flow has had few enough.
  uint32_t ConnectionCode(uint32_t id, const StreamContext& ctx) {
    for (size_t i = 0; i < known_; ++i) {
      if (ids_[i] == id) return id;
    }
    if (known_ < ids_.size()) {
      ids_[known_++] = id;
      return id;
    }
    ctx.anomalies->Raise("enip_io.connection_cap");
    return kIoOverflowConnection;
  }

  std::array<uint32_t, kMaxIoConnections> ids_{};
  size_t known_ = 0;
};

}  // namespace

ProbeResult ProbeTcp(flow::Direction, std::span<const uint8_t> first_bytes) {
  std::span<const uint8_t> rest = first_bytes;
  for (int i = 0; i < kProbeMessages; ++i) {
    core::ByteReader r(rest);
    uint16_t command = r.U16Le();
    if (!r.ok()) return ProbeResult::kMaybe;
    if (!IsKnownCommand(command)) return ProbeResult::kNo;
    auto h = ParseEnipHeader(rest);
    if (!h) return ProbeResult::kMaybe;
    if (!Recognisable(*h)) return ProbeResult::kNo;
    const size_t total = kEnipHeaderSize + h->length;
    if (h->command == kNop) {
      // A NOP of zeros is what many other protocols' zeros read as: it neither confirms
      // nor refuses, and the message after it decides.
      if (rest.size() < total) return ProbeResult::kMaybe;
      rest = rest.subspan(total);
      continue;
    }
    if (h->command == kSendRRData || h->command == kSendUnitData) {
      // A whole message's CPF must fit; until it has arrived the header alone decides.
      if (rest.size() >= total && h->length > 0 &&
          !ParseEnipMessage(rest.subspan(kEnipHeaderSize, h->length))) {
        return ProbeResult::kNo;
      }
    }
    return ProbeResult::kYes;
  }
  return ProbeResult::kMaybe;
}

ProbeResult ProbeUdp(flow::Direction, std::span<const uint8_t> datagram) {
  auto h = ParseEnipHeader(datagram);
  if (!h || !Recognisable(*h)) return ProbeResult::kNo;
  if (datagram.size() != kEnipHeaderSize + h->length) return ProbeResult::kNo;
  return ProbeResult::kYes;
}

ProbeResult ProbeIo(flow::Direction, std::span<const uint8_t> datagram) {
  return ParseEnipIo(datagram) ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> CreateTcp() { return std::make_unique<EnipDissector>(false); }
std::unique_ptr<Dissector> CreateUdp() { return std::make_unique<EnipDissector>(true); }
std::unique_ptr<Dissector> CreateIo() { return std::make_unique<IoDissector>(); }

}  // namespace qw::dissect::enip
