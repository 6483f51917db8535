#include "dissect/bacnet/bacnet_dissector.h"

#include <charconv>
#include <optional>
#include <string>

#include "core/byte_reader.h"
#include "core/fixed_text.h"
#include "dissect/bacnet/bacnet_names.h"
#include "dissect/bacnet/bacnet_parser.h"
#include "dissect/ics_common.h"
#include "dissect/text_field.h"

namespace qw::dissect::bacnet {
namespace {

constexpr const char* kProto = "bacnet";
// Confirmed requests waiting per flow: clients keep few outstanding per device, and each
// waiting request costs a target's worth of memory in every BACnet flow.
constexpr size_t kMaxPending = 32;
constexpr uint16_t kObjectDevice = 8;
constexpr uint32_t kWildcardInstance = 0x3fffff;

// Confirmed services (clause 21) named in categories.
enum Confirmed : uint8_t {
  kAcknowledgeAlarm = 0,
  kConfirmedCovNotification = 1,
  kConfirmedEventNotification = 2,
  kGetAlarmSummary = 3,
  kGetEnrollmentSummary = 4,
  kSubscribeCov = 5,
  kAtomicReadFile = 6,
  kAtomicWriteFile = 7,
  kAddListElement = 8,
  kRemoveListElement = 9,
  kCreateObject = 10,
  kDeleteObject = 11,
  kReadProperty = 12,
  kReadPropertyConditional = 13,
  kReadPropertyMultiple = 14,
  kWriteProperty = 15,
  kWritePropertyMultiple = 16,
  kDeviceCommunicationControl = 17,
  kReinitializeDevice = 20,
  kVtOpen = 21,
  kVtClose = 22,
  kVtData = 23,
  kAuthenticate = 24,
  kRequestKey = 25,
  kReadRange = 26,
  kLifeSafetyOperation = 27,
  kSubscribeCovProperty = 28,
  kGetEventInformation = 29,
  kSubscribeCovPropertyMultiple = 30,
  kAuditLogQuery = 33,
};

// Unconfirmed services (clause 21) that are operations or identities.
enum Unconfirmed : uint8_t {
  kIAm = 0,
  kTimeSynchronization = 6,
  kWhoHas = 7,
  kWhoIs = 8,
  kUtcTimeSynchronization = 9,
  kWriteGroup = 10,
  kWhoAmI = 13,
  kYouAre = 14,
};

// What a confirmed service does, as the policy judges it. AtomicWriteFile writes a File
// object, which on controllers holds programs, configuration and firmware images (backup
// and restore use it too): a program change. AtomicReadFile only reads one back.
IcsCategory ConfirmedCategory(uint8_t service) {
  switch (service) {
    case kReadProperty:
    case kReadPropertyConditional:
    case kReadPropertyMultiple:
    case kReadRange:
    case kSubscribeCov:
    case kSubscribeCovProperty:
    case kSubscribeCovPropertyMultiple:
    case kAtomicReadFile:
      return IcsCategory::kRead;
    case kWriteProperty:
    case kWritePropertyMultiple:
    case kAddListElement:
    case kRemoveListElement:
    case kCreateObject:
    case kDeleteObject:
    case kLifeSafetyOperation:
      return IcsCategory::kWrite;
    case kAtomicWriteFile:
      return IcsCategory::kProgramChange;
    case kDeviceCommunicationControl:
    case kReinitializeDevice:
      return IcsCategory::kControllerState;
    case kGetAlarmSummary:
    case kGetEnrollmentSummary:
    case kGetEventInformation:
    case kAuditLogQuery:
      return IcsCategory::kDiagnostic;
    case kVtOpen:
    case kVtClose:
    case kVtData:
    case kAuthenticate:
    case kRequestKey:
      return IcsCategory::kSession;
    default:
      return IcsCategory::kOther;  // notifications, alarm acks, private transfer, text
  }
}

const char* ConfirmedFunction(uint8_t service) {
  const char* name = ConfirmedServiceName(service);
  return name ? name : "unknown";
}

// A request waiting for its answer.
struct Pending {
  uint8_t service = 0;
  bool bvlc = false;  // a BVLC management request (service holds the BVLC function)
  flow::Direction dir = flow::Direction::kFromInitiator;
  uint64_t frame = 0;
  core::Timestamp ts;
  core::FixedText<112> target;
};

using Target = core::FixedText<112>;
using Result = core::FixedText<64>;

// Appends `name`, or the raw number when the value has no name.
template <size_t N>
void AppendName(core::FixedText<N>& t, const char* name, uint32_t raw) {
  if (name) {
    t.Append(name);
  } else {
    t.AppendUint(raw);
  }
}

// Appends "<type> <instance>".
void AppendObject(Target& t, const ObjectId& o) {
  if (const char* name = ObjectTypeName(o.type)) {
    t.Append(name);
  } else {
    t.Append("object-").AppendUint(o.type);
  }
  t.Append(' ').AppendUint(o.instance);
}

void AppendProperty(Target& t, uint32_t property) {
  if (const char* name = PropertyName(property)) {
    t.Append(name);
  } else {
    t.Append("property-").AppendUint(property);
  }
}

// Appends a primitive value as text; false when it has no short text form.
bool AppendValue(Target& t, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      t.Append("null");
      return true;
    case Value::Kind::kBoolean:
      t.Append(v.u != 0 ? "true" : "false");
      return true;
    case Value::Kind::kUnsigned:
    case Value::Kind::kEnumerated:
      t.AppendUint(v.u);
      return true;
    case Value::Kind::kSigned:
      t.AppendInt(v.i);
      return true;
    case Value::Kind::kReal:
    case Value::Kind::kDouble: {
      char buf[32];
      auto res = v.kind == Value::Kind::kReal
                     ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v.d))
                     : std::to_chars(buf, buf + sizeof buf, v.d);
      if (res.ec != std::errc()) return false;
      t.Append(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
      return true;
    }
    case Value::Kind::kText:
      t.Append('"').AppendPrintable(core::ByteReader(v.text).Chars(v.text.size())).Append('"');
      return true;
    case Value::Kind::kObjectId:
      AppendObject(t, v.object);
      return true;
    default:
      return false;
  }
}

// Appends " = <value>" for a value with a short text form.
void AppendWritten(Target& t, const Value& v) {
  if (v.kind == Value::Kind::kNone || v.kind == Value::Kind::kOther) return;
  t.Append(" = ");
  AppendValue(t, v);
}

// "2015-03-31 17:29:45" from a BACnet date and time (255 means unspecified: "*").
void AppendDateTime(Target& t, const ServiceSummary& s) {
  auto field = [&t](uint32_t v, uint32_t offset, int width) {
    if (v == 255) {
      t.Append('*');
      return;
    }
    v += offset;
    if (width == 2 && v < 10) t.Append('0');
    t.AppendUint(v);
  };
  if (s.has_date) {
    field(s.date[0], 1900, 4);
    t.Append('-');
    field(s.date[1], 0, 2);
    t.Append('-');
    field(s.date[2], 0, 2);
  }
  if (s.has_time) {
    if (s.has_date) t.Append(' ');
    field(s.time[0], 0, 2);
    t.Append(':');
    field(s.time[1], 0, 2);
    t.Append(':');
    field(s.time[2], 0, 2);
  }
}

const char* ReinitializeState(uint32_t state) {
  static constexpr const char* kStates[] = {"coldstart",    "warmstart",       "startbackup",
                                            "endbackup",    "startrestore",    "endrestore",
                                            "abortrestore", "activate-changes"};
  return state < std::size(kStates) ? kStates[state] : nullptr;
}

const char* CommunicationState(uint32_t state) {
  static constexpr const char* kStates[] = {"enable", "disable", "disable-initiation"};
  return state < std::size(kStates) ? kStates[state] : nullptr;
}

// The target of a confirmed request, as a person reads it: "analog-value 3 present-value",
// "device 1234: object-name, model-name; +2 objects", "warmstart", ...
void DescribeConfirmed(uint8_t service, const ServiceSummary& s, Target& t) {
  if (service == kReinitializeDevice || service == kDeviceCommunicationControl) {
    const char* state = !s.has_enum                      ? nullptr
                        : service == kReinitializeDevice ? ReinitializeState(s.enum_value)
                                                         : CommunicationState(s.enum_value);
    if (state) {
      t.Append(state);
    } else if (s.has_enum) {
      t.Append("state ").AppendUint(s.enum_value);
    }
    if (s.has_duration) t.Append(" for ").AppendUint(s.duration).Append(" min");
    if (s.has_password) t.Append(" with password");
    return;
  }
  if (s.has_object) {
    if (service == kCreateObject && s.object.instance == kWildcardInstance) {
      const char* name = ObjectTypeName(s.object.type);
      if (name) {
        t.Append(name);
      } else {
        t.Append("object-").AppendUint(s.object.type);
      }
    } else {
      AppendObject(t, s.object);
    }
  }
  if (service == kReadPropertyMultiple || service == kWritePropertyMultiple) {
    for (size_t i = 0; i < s.property_count; ++i) {
      t.Append(i == 0 ? ": " : ", ");
      AppendProperty(t, s.properties[i]);
    }
    if (s.more_properties) t.Append(", ...");
    // A single property written shows its value, as WriteProperty does.
    if (service == kWritePropertyMultiple && s.property_count == 1) AppendWritten(t, s.value);
    if (s.more_objects > 0) t.Append("; +").AppendUint(s.more_objects).Append(" objects");
  } else if (s.has_property) {
    if (!t.empty()) t.Append(' ');
    AppendProperty(t, s.property);
  }
  if (s.has_index) t.Append('[').AppendUint(s.index).Append(']');
  if (service == kWriteProperty) AppendWritten(t, s.value);
  if (s.has_priority) t.Append(" priority ").AppendUint(s.priority);
  if (service == kLifeSafetyOperation && s.has_enum) t.Append(" request ").AppendUint(s.enum_value);
}

void DescribeUnconfirmed(uint8_t service, const ServiceSummary& s, Target& t) {
  switch (service) {
    case kWhoIs:
      if (s.has_range) {
        t.Append("devices ").AppendUint(s.low).Append('-').AppendUint(s.high);
      } else {
        t.Append("all");
      }
      break;
    case kWhoHas:
      if (s.has_object) {
        AppendObject(t, s.object);
      } else if (!s.name.empty()) {
        t.Append("name ").AppendPrintable(core::ByteReader(s.name).Chars(s.name.size()));
      }
      if (s.has_range) {
        t.Append(" on devices ").AppendUint(s.low).Append('-').AppendUint(s.high);
      }
      break;
    case kTimeSynchronization:
    case kUtcTimeSynchronization:
      AppendDateTime(t, s);
      break;
    default:
      if (s.has_object) AppendObject(t, s.object);
      break;
  }
}

// The result of an error, reject or abort: "error property unknown-property".
void DescribeError(const ErrorInfo& e, Result& r) {
  r.Append("error ");
  AppendName(r, ErrorClassName(e.error_class), e.error_class);
  r.Append(' ');
  AppendName(r, ErrorCodeName(e.error_code), e.error_code);
}

// Text of a character string value (UTF-8/ANSI, ISO 8859-1 or UCS-2), or "" for the
// character sets kept only as raw bytes.
std::string TextOf(const Value& v) {
  bool truncated = false;
  switch (v.charset) {
    case 0:  // ISO 10646 UTF-8 (formerly ANSI X3.4)
    case 5:  // ISO 8859-1: the ASCII part reads as is, the rest becomes '.'
      return TextField(v.text, kMaxBacnetTextBytes, truncated);
    case 4: {  // UCS-2, big-endian: keep the characters of the ASCII range
      std::string out;
      core::ByteReader r(v.text);
      while (r.remaining() >= 2) {
        uint16_t c = r.U16Be();
        out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.');
      }
      return out;
    }
    default:
      return "";
  }
}

// The identity key a property of a device object fills, or nullptr.
const char* IdentityKey(uint32_t property) {
  switch (property) {
    case 77:
      return "name";  // object-name
    case 70:
      return "model";  // model-name
    case 44:
      return "firmware";  // firmware-revision
    case 12:
      return "software";  // application-software-version
    case 121:
      return "vendor";  // vendor-name
    case 120:
      return "vendor_id";  // vendor-identifier
    case 372:
      return "serial";  // serial-number
    case 75:
      return "device_instance";  // object-identifier
    default:
      return nullptr;
  }
}

const char* SegmentationName(uint32_t s) {
  static constexpr const char* kNames[] = {"segmented-both", "segmented-transmit",
                                           "segmented-receive", "no-segmentation"};
  return s < std::size(kNames) ? kNames[s] : nullptr;
}

// A 32-bit FNV-1a of a remote network number and address, so that requests to several
// devices behind one router keep apart even when they share an invoke id.
uint32_t NetKey(bool present, uint16_t net, std::span<const uint8_t> addr) {
  if (!present) return 0;
  uint32_t h = 2166136261u;
  auto mix = [&h](uint8_t b) { h = (h ^ b) * 16777619u; };
  mix(static_cast<uint8_t>(net >> 8));
  mix(static_cast<uint8_t>(net));
  core::ByteReader r(addr);
  while (!r.empty()) mix(r.U8());
  return h;
}

uint64_t Key(flow::Direction request_dir, uint8_t invoke_id, uint32_t net) {
  return uint64_t{net} << 9 | uint64_t{invoke_id} << 1 |
         (request_dir == flow::Direction::kFromInitiator ? 0u : 1u);
}

class BacnetDissector : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    auto bvlc = ParseBvlc(bytes, *ctx.anomalies);
    if (!bvlc) return {Verdict::kNotThisProtocol, 0, 0};
    if (bvlc->CarriesNpdu()) {
      OnNpdu(dir, *bvlc, ctx);
    } else {
      OnBvlcOnly(dir, *bvlc, ctx);
    }
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {
    // Datagrams never leave gaps: every one is a whole message.
  }

  void OnEnd(const StreamContext& ctx) override {
    pending_.Drain([&](const Pending& p) { EmitUnanswered(p, ctx); });
    for (auto& b : bvlc_pending_) {
      if (b) EmitUnanswered(*b, ctx);
      b.reset();
    }
  }

 private:
  // Counts one PDU; `code` enters the "functions" histogram only for confirmed services.
  static void Count(const StreamContext& ctx, std::optional<uint32_t> confirmed, PduKind kind,
                    bool exception, uint8_t bvlc_function) {
    CountPdu(ctx, kProto, confirmed.value_or(0), kind, exception, confirmed ? "functions" : "");
    CountDetail(ctx, kProto, "bvlc_functions", bvlc_function);
  }

  void OnNpdu(flow::Direction dir, const Bvlc& bvlc, const StreamContext& ctx) {
    auto npdu = ParseNpdu(bvlc.npdu, *ctx.anomalies);
    if (!npdu) {
      Count(ctx, std::nullopt, PduKind::kOther, false, bvlc.function);
      return;
    }
    if (npdu->network_message) {
      Count(ctx, std::nullopt, PduKind::kOther, false, bvlc.function);
      CountDetail(ctx, kProto, "network_messages", npdu->message_type);
      return;
    }
    auto apdu = ParseApdu(npdu->apdu, *ctx.anomalies);
    if (!apdu) {
      Count(ctx, std::nullopt, PduKind::kOther, false, bvlc.function);
      return;
    }
    const auto type = static_cast<ApduType>(apdu->type);
    switch (type) {
      case ApduType::kConfirmedRequest:
        Count(ctx, apdu->service, PduKind::kRequest, false, bvlc.function);
        break;
      case ApduType::kSimpleAck:
      case ApduType::kComplexAck:
        Count(ctx, apdu->service, PduKind::kResponse, false, bvlc.function);
        break;
      case ApduType::kError:
        Count(ctx, apdu->service, PduKind::kResponse, true, bvlc.function);
        break;
      case ApduType::kReject:
      case ApduType::kAbort:
        Count(ctx, std::nullopt, PduKind::kResponse, true, bvlc.function);
        break;
      default:  // unconfirmed requests, segment acks, reserved types
        Count(ctx, std::nullopt, PduKind::kOther, false, bvlc.function);
        break;
    }
    CountDetail(ctx, kProto, "apdu_types", apdu->type);
    switch (type) {
      case ApduType::kConfirmedRequest:
        OnConfirmedRequest(dir, *npdu, *apdu, ctx);
        break;
      case ApduType::kUnconfirmedRequest:
        CountDetail(ctx, kProto, "unconfirmed", apdu->service);
        OnUnconfirmed(dir, bvlc, *npdu, *apdu, ctx);
        break;
      case ApduType::kSimpleAck:
      case ApduType::kComplexAck:
      case ApduType::kError:
      case ApduType::kReject:
      case ApduType::kAbort:
        OnAnswer(dir, bvlc, *npdu, *apdu, ctx);
        break;
      case ApduType::kSegmentAck:
        break;  // flow control of a segmented message: counted only
      default:
        ctx.anomalies->Raise("bacnet.unknown_apdu_type");
        break;
    }
  }

  void OnConfirmedRequest(flow::Direction dir, const Npdu& npdu, const Apdu& apdu,
                          const StreamContext& ctx) {
    // Later segments continue the request their first segment opened.
    if (apdu.segmented && apdu.sequence_number != 0) return;
    Pending p;
    p.service = apdu.service;
    p.dir = dir;
    p.frame = ctx.frame;
    p.ts = ctx.ts;
    ServiceSummary s =
        SummarizeConfirmedRequest(apdu.service, apdu.params, *ctx.anomalies, !apdu.more_follows);
    DescribeConfirmed(apdu.service, s, p.target);
    const uint64_t key = Key(dir, apdu.invoke_id, NetKey(npdu.has_dnet, npdu.dnet, npdu.dadr));
    // A retransmission (or a reused invoke id) leaves the earlier attempt unanswered.
    if (auto earlier = pending_.Take(key)) EmitUnanswered(*earlier, ctx);
    const bool full = pending_.size() == pending_.capacity();
    if (auto displaced = pending_.Put(key, p)) {
      if (full) ctx.anomalies->Raise("bacnet.unanswered_overflow");
      EmitUnanswered(*displaced, ctx);
    }
  }

  void OnAnswer(flow::Direction dir, const Bvlc& bvlc, const Npdu& npdu, const Apdu& apdu,
                const StreamContext& ctx) {
    const auto type = static_cast<ApduType>(apdu.type);
    const bool later_segment =
        type == ApduType::kComplexAck && apdu.segmented && apdu.sequence_number != 0;
    if (type == ApduType::kComplexAck && !later_segment) {
      IdentityFromAck(dir, bvlc, npdu, apdu, ctx);
    }
    if (later_segment) return;
    // A client's abort ends its own request; everything else answers the other side's.
    const flow::Direction request_dir =
        type == ApduType::kAbort && !apdu.server ? dir : Reverse(dir);
    const uint32_t net = request_dir == dir ? NetKey(npdu.has_dnet, npdu.dnet, npdu.dadr)
                                            : NetKey(npdu.has_snet, npdu.snet, npdu.sadr);
    auto pending = pending_.Take(Key(request_dir, apdu.invoke_id, net));
    if (!pending && !apdu.has_service) return;  // a reject or abort of a request not seen

    IcsOperation op;
    op.protocol = kProto;
    if (pending) {
      op.function_code = pending->service;
      op.target = pending->target;
      op.request_frame = pending->frame;
      op.ts = pending->ts;
      if (apdu.has_service && apdu.service != pending->service) {
        ctx.anomalies->Raise("bacnet.service_mismatch");
      }
    } else {
      op.function_code = apdu.service;
      op.ts = ctx.ts;
      if (type == ApduType::kComplexAck) DescribeAck(apdu, ctx, op.target);
    }
    const auto service = static_cast<uint8_t>(op.function_code);
    op.function = ConfirmedFunction(service);
    op.category = ConfirmedCategory(service);
    switch (type) {
      case ApduType::kSimpleAck:
      case ApduType::kComplexAck:
        op.result.Append("ok");
        break;
      case ApduType::kError:
        if (auto e = ParseError(apdu.params, *ctx.anomalies)) {
          DescribeError(*e, op.result);
        } else {
          op.result.Append("error");
        }
        break;
      case ApduType::kReject: {
        op.result.Append("reject ");
        AppendName(op.result, RejectReasonName(apdu.reason), apdu.reason);
        break;
      }
      default: {
        op.result.Append(apdu.server ? "abort " : "abort by client ");
        AppendName(op.result, AbortReasonName(apdu.reason), apdu.reason);
        break;
      }
    }
    op.where = EndpointsFor(ctx, request_dir);
    op.response_frame = ctx.frame;
    op.seq = seq_.Next(op.request_frame != 0 ? op.request_frame : op.response_frame);
    ctx.sink->OnIcsOperation(op);
  }

  // The target of an acknowledgement whose request was not seen: ReadProperty and
  // ReadPropertyMultiple acks repeat the object and properties they answer.
  static void DescribeAck(const Apdu& apdu, const StreamContext& ctx, Target& t) {
    if (apdu.service != kReadProperty && apdu.service != kReadPropertyMultiple) return;
    std::array<PropertyValue, kMaxPropertyValues> values;
    const size_t n =
        ReadPropertyValues(apdu.service, apdu.params, values, *ctx.anomalies, !apdu.more_follows);
    ServiceSummary s;
    for (size_t i = 0; i < n; ++i) {
      if (!s.has_object) {
        s.has_object = true;
        s.object = values[i].object;
      } else if (values[i].object.type != s.object.type ||
                 values[i].object.instance != s.object.instance) {
        break;  // only the first object's properties are named
      }
      if (s.property_count < s.properties.size()) {
        s.properties[s.property_count++] = values[i].property;
      } else {
        s.more_properties = true;
      }
    }
    if (apdu.service == kReadProperty && s.property_count == 1) {
      s.has_property = true;
      s.property = s.properties[0];
    }
    DescribeConfirmed(apdu.service, s, t);
  }

  void OnUnconfirmed(flow::Direction dir, const Bvlc& bvlc, const Npdu& npdu, const Apdu& apdu,
                     const StreamContext& ctx) {
    IcsCategory category;
    switch (apdu.service) {
      case kIAm:
        IdentityFromIAm(dir, bvlc, npdu, apdu, ctx);
        return;
      case kWhoIs:
      case kWhoHas:
      case kWhoAmI:
        category = IcsCategory::kIdentity;
        break;
      case kTimeSynchronization:
      case kUtcTimeSynchronization:
      case kWriteGroup:
      case kYouAre:
        category = IcsCategory::kWrite;  // sets a clock, a channel or a device's identity
        break;
      default:
        return;  // notifications, I-Have, private transfer, text: counted only
    }
    IcsOperation op;
    op.protocol = kProto;
    op.function_code = apdu.service;
    const char* name = UnconfirmedServiceName(apdu.service);
    op.function = name ? name : "unknown";
    op.category = category;
    DescribeUnconfirmed(apdu.service,
                        SummarizeUnconfirmedRequest(apdu.service, apdu.params, *ctx.anomalies),
                        op.target);
    // Unconfirmed services have no answer: the row stands for the request alone.
    op.where = EndpointsFor(ctx, dir);
    op.request_frame = ctx.frame;
    op.ts = ctx.ts;
    op.seq = seq_.Next(ctx.frame);
    ctx.sink->OnIcsOperation(op);
  }

  // The device a PDU from `dir` came from: the forwarded origin, or the flow's side.
  // False when the device sits behind a BACnet router (its IP is the router's).
  static bool DeviceOf(flow::Direction dir, const Bvlc& bvlc, const Npdu& npdu,
                       const StreamContext& ctx, DeviceIdentity& id) {
    if (npdu.has_snet) return false;
    if (bvlc.forwarded) {
      id.ip = bvlc.origin_ip;
      return true;
    }
    if (!ctx.flow) return false;
    SenderAddress(ctx, dir, id.ip, id.mac);
    return true;
  }

  static void IdentityFromIAm(flow::Direction dir, const Bvlc& bvlc, const Npdu& npdu,
                              const Apdu& apdu, const StreamContext& ctx) {
    auto iam = ParseIAm(apdu.params, *ctx.anomalies);
    if (!iam) return;
    DeviceIdentity id;
    id.protocol = kProto;
    id.capture_index = ctx.capture_index;
    id.frame = ctx.frame;
    if (!DeviceOf(dir, bvlc, npdu, ctx, id)) return;
    id.fields.emplace_back("device_instance", std::to_string(iam->device.instance));
    id.fields.emplace_back("vendor_id", std::to_string(iam->vendor_id));
    if (const char* vendor = VendorName(iam->vendor_id)) id.fields.emplace_back("vendor", vendor);
    id.fields.emplace_back("max_apdu", std::to_string(iam->max_apdu));
    if (const char* seg = SegmentationName(iam->segmentation)) {
      id.fields.emplace_back("segmentation", seg);
    }
    ctx.sink->OnIdentity(id);
  }

  static void IdentityFromAck(flow::Direction dir, const Bvlc& bvlc, const Npdu& npdu,
                              const Apdu& apdu, const StreamContext& ctx) {
    if (apdu.service == kReadProperty) {
      std::array<PropertyValue, 1> one;
      const size_t n =
          ReadPropertyValues(apdu.service, apdu.params, one, *ctx.anomalies, !apdu.more_follows);
      IdentityFromValues(dir, bvlc, npdu, std::span(one).first(n), ctx);
    } else if (apdu.service == kReadPropertyMultiple) {
      std::array<PropertyValue, kMaxPropertyValues> values;
      const size_t n =
          ReadPropertyValues(apdu.service, apdu.params, values, *ctx.anomalies, !apdu.more_follows);
      IdentityFromValues(dir, bvlc, npdu, std::span(values).first(n), ctx);
    }
  }

  // The identity the device-object properties among `values` amount to.
  static void IdentityFromValues(flow::Direction dir, const Bvlc& bvlc, const Npdu& npdu,
                                 std::span<const PropertyValue> values, const StreamContext& ctx) {
    DeviceIdentity id;
    id.protocol = kProto;
    id.capture_index = ctx.capture_index;
    id.frame = ctx.frame;
    for (const PropertyValue& pv : values) {
      const char* key = pv.object.type == kObjectDevice ? IdentityKey(pv.property) : nullptr;
      if (!key) continue;
      std::string text;
      if (pv.value.kind == Value::Kind::kText) {
        text = TextOf(pv.value);
      } else if (pv.value.kind == Value::Kind::kUnsigned) {
        text = std::to_string(pv.value.u);
      } else if (pv.value.kind == Value::Kind::kObjectId) {
        text = std::to_string(pv.value.object.instance);
      }
      if (!text.empty()) id.fields.emplace_back(key, std::move(text));
    }
    if (id.fields.empty() || !DeviceOf(dir, bvlc, npdu, ctx, id)) return;
    ctx.sink->OnIdentity(id);
  }

  // BVLC messages without an NPDU: broadcast-distribution and foreign-device management.
  void OnBvlcOnly(flow::Direction dir, const Bvlc& bvlc, const StreamContext& ctx) {
    const auto f = static_cast<BvlcFunction>(bvlc.function);
    PduKind kind = PduKind::kOther;
    bool exception = false;
    switch (f) {
      case BvlcFunction::kWriteBdt:
      case BvlcFunction::kReadBdt:
      case BvlcFunction::kRegisterForeignDevice:
      case BvlcFunction::kReadFdt:
      case BvlcFunction::kDeleteFdtEntry:
        kind = PduKind::kRequest;
        break;
      case BvlcFunction::kResult:
        kind = PduKind::kResponse;
        exception = bvlc.result != 0;
        break;
      case BvlcFunction::kReadBdtAck:
      case BvlcFunction::kReadFdtAck:
        kind = PduKind::kResponse;
        break;
      default:
        ctx.anomalies->Raise("bacnet.unknown_bvlc_function");
        break;
    }
    Count(ctx, std::nullopt, kind, exception, bvlc.function);
    if (kind == PduKind::kRequest) {
      Pending p;
      p.bvlc = true;
      p.service = bvlc.function;
      p.dir = dir;
      p.frame = ctx.frame;
      p.ts = ctx.ts;
      DescribeBvlcRequest(bvlc, p.target);
      auto& slot = bvlc_pending_[static_cast<size_t>(dir)];
      if (slot) EmitUnanswered(*slot, ctx);  // one outstanding request per side
      slot = p;
    } else if (kind == PduKind::kResponse) {
      auto& slot = bvlc_pending_[static_cast<size_t>(Reverse(dir))];
      IcsOperation op;
      op.protocol = kProto;
      if (slot) {
        op.function_code = slot->service;
        op.target = slot->target;
        op.request_frame = slot->frame;
        op.ts = slot->ts;
        slot.reset();
      } else {
        // A result names the function it refuses (0x0010 write-BDT ... 0x0060
        // distribute-broadcast); a success names nothing.
        op.function_code = f == BvlcFunction::kResult
                               ? ResultFunction(bvlc.result)
                               : (f == BvlcFunction::kReadBdtAck ? 0x02u : 0x06u);
        op.ts = ctx.ts;
      }
      op.function = BvlcOperationName(op.function_code);
      op.category = BvlcCategory(op.function_code);
      if (f == BvlcFunction::kResult && bvlc.result != 0) {
        op.result.Append("nak ").AppendHex(bvlc.result, 4);
      } else {
        op.result.Append("ok");
        if (f != BvlcFunction::kResult) {
          op.result.Append(' ').AppendUint(bvlc.body.size() / 10).Append(" entries");
        }
      }
      op.where = EndpointsFor(ctx, Reverse(dir));
      op.response_frame = ctx.frame;
      op.seq = seq_.Next(op.request_frame != 0 ? op.request_frame : op.response_frame);
      ctx.sink->OnIcsOperation(op);
    }
  }

  static uint32_t ResultFunction(uint16_t result) {
    switch (result) {
      case 0x0010:
        return 0x01;
      case 0x0020:
        return 0x02;
      case 0x0030:
        return 0x05;
      case 0x0040:
        return 0x06;
      case 0x0050:
        return 0x08;
      case 0x0060:
        return 0x09;
      default:
        return 0x00;
    }
  }

  static const char* BvlcOperationName(uint32_t function) {
    switch (function) {
      case 0x01:
        return "bvlc-write-bdt";
      case 0x02:
        return "bvlc-read-bdt";
      case 0x05:
        return "bvlc-register-foreign-device";
      case 0x06:
        return "bvlc-read-fdt";
      case 0x08:
        return "bvlc-delete-fdt-entry";
      case 0x09:
        return "bvlc-distribute-broadcast-to-network";
      default:
        return "bvlc-result";
    }
  }

  // Reading the tables is a read; changing who receives broadcasts is a write; a foreign
  // device registering opens a session of broadcast delivery to it.
  static IcsCategory BvlcCategory(uint32_t function) {
    switch (function) {
      case 0x02:
      case 0x06:
        return IcsCategory::kRead;
      case 0x01:
      case 0x08:
        return IcsCategory::kWrite;
      case 0x05:
        return IcsCategory::kSession;
      default:
        return IcsCategory::kOther;
    }
  }

  static void DescribeBvlcRequest(const Bvlc& bvlc, Target& t) {
    core::ByteReader r(bvlc.body);
    switch (static_cast<BvlcFunction>(bvlc.function)) {
      case BvlcFunction::kRegisterForeignDevice: {
        uint16_t ttl = r.U16Be();
        if (r.ok()) t.Append("ttl ").AppendUint(ttl).Append(" s");
        break;
      }
      case BvlcFunction::kDeleteFdtEntry: {
        auto ip = r.Bytes(4);
        uint16_t port = r.U16Be();
        if (!r.ok()) break;
        core::ByteReader a(ip);
        for (int i = 0; i < 4; ++i) {
          if (i) t.Append('.');
          t.AppendUint(a.U8());
        }
        t.Append(':').AppendUint(port);
        break;
      }
      case BvlcFunction::kWriteBdt:
        t.AppendUint(bvlc.body.size() / 10).Append(" entries");
        break;
      default:
        break;
    }
  }

  void EmitUnanswered(const Pending& p, const StreamContext& ctx) {
    IcsOperation op;
    op.protocol = kProto;
    op.function_code = p.service;
    op.function = p.bvlc ? BvlcOperationName(p.service) : ConfirmedFunction(p.service);
    op.category = p.bvlc ? BvlcCategory(p.service) : ConfirmedCategory(p.service);
    op.target = p.target;
    op.where = EndpointsFor(ctx, p.dir);
    op.request_frame = p.frame;
    op.ts = p.ts;
    op.seq = seq_.Next(p.frame);
    ctx.sink->OnIcsOperation(op);
  }

  RequestTable<Pending, kMaxPending> pending_;
  std::optional<Pending> bvlc_pending_[2];
  FrameSeq seq_;
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  core::ByteReader r(first_bytes);
  uint8_t type = r.U8();
  uint8_t function = r.U8();
  uint16_t length = r.U16Be();
  // A datagram is whole: too short or another type is not BACnet/IP.
  if (!r.ok() || type != kBvlcTypeIp || length < 4) return ProbeResult::kNo;
  const size_t size = first_bytes.size();
  const bool exact = length == size;
  // An NPDU is version 1 with the reserved control bits (0x40, 0x10) clear.
  auto npdu_at = [&r](size_t off) {
    return r.PeekU8(off) == 1 && (r.PeekU8(off + 1) & 0x50) == 0 && off + 2 <= r.remaining();
  };
  bool ok = false;
  switch (static_cast<BvlcFunction>(function)) {
    case BvlcFunction::kResult:
    case BvlcFunction::kRegisterForeignDevice:
      ok = exact && size == 6;
      break;
    case BvlcFunction::kReadBdt:
    case BvlcFunction::kReadFdt:
      ok = exact && size == 4;
      break;
    case BvlcFunction::kDeleteFdtEntry:
      ok = exact && size == 10;
      break;
    case BvlcFunction::kWriteBdt:
    case BvlcFunction::kReadBdtAck:
    case BvlcFunction::kReadFdtAck:
      ok = exact && (size - 4) % 10 == 0;
      break;
    // Messages with an NPDU are recognised by it: some devices (and test captures) send a
    // BVLC length that disagrees with the datagram, which tshark accepts too.
    case BvlcFunction::kForwardedNpdu:
      ok = npdu_at(6);  // after the 6-byte origin address
      break;
    case BvlcFunction::kDistributeBroadcast:
    case BvlcFunction::kOriginalUnicast:
    case BvlcFunction::kOriginalBroadcast:
      ok = npdu_at(0);
      break;
    default:
      ok = false;  // Secured-BVLL and unknown functions
      break;
  }
  return ok ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<BacnetDissector>(); }

}  // namespace qw::dissect::bacnet
