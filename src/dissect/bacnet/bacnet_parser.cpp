// ASHRAE 135-2020: Annex J (BVLC for BACnet/IP), clause 6.2 (NPDU), clause 20.1 (APDU
// headers), clause 20.2 (tag encoding), clauses 13-17 and 21 (service parameters).
//
// clang-format off
//  UDP 47808 datagram:
//  BVLC   | type:1 (0x81) | function:1 | length:2 (whole message) | ... |
//         Result (0x00):           | result code:2 |
//         Write-BDT (0x01), Read-BDT-Ack (0x03): | (IP:4 port:2 mask:4)... |
//         Forwarded-NPDU (0x04):   | origin IP:4 | origin port:2 | NPDU |
//         Register-FD (0x05):      | TTL:2 |      Delete-FDT-Entry (0x08): | IP:4 port:2 |
//         Read-FDT-Ack (0x07):     | (IP:4 port:2 TTL:2 remaining:2)... |
//         Distribute-Broadcast (0x09), Original-Unicast (0x0a), Original-Broadcast (0x0b): | NPDU |
//  NPDU   | version:1 (=1) | control:1 | [DNET:2 DLEN:1 DADR:DLEN] | [SNET:2 SLEN:1 SADR:SLEN] |
//         | [hop count:1 if DNET] | network message: | type:1 | [vendor:2 if type >= 0x80] | data |
//         |                          or an APDU |
//         control: 0x80 network message, 0x20 DNET present, 0x08 SNET present,
//                  0x04 expecting reply, 0x03 priority
//  APDU   type in the high nibble of the first octet:
//         0 Confirmed-Request | 0 SEG MOR SA | max segs:3 max APDU:4 | invoke id | [seq | window] | service | params |
//         1 Unconfirmed       | 1 0 | service | params |
//         2 SimpleACK         | 2 0 | invoke id | service |
//         3 ComplexACK        | 3 SEG MOR | invoke id | [seq | window] | service | params |
//         4 SegmentACK        | 4 NAK SRV | invoke id | seq | window |
//         5 Error             | 5 0 | invoke id | service | error class | error code | (more for some services)
//         6 Reject            | 6 0 | invoke id | reason |
//         7 Abort             | 7 SRV | invoke id | reason |
//  Tag    | number:4 | class:1 (1 context) | length/value/type:3 | [number:1 if 15] |
//         | [length:1, 254 -> length:2, 255 -> length:4 if LVT 5] | content |
//         context LVT 6 opening tag, 7 closing tag; application BOOLEAN: value in LVT
// clang-format on
#include "dissect/bacnet/bacnet_parser.h"

#include <algorithm>
#include <bit>

#include "core/byte_reader.h"

namespace qw::dissect::bacnet {
namespace {

// Application tag numbers (clause 20.2.1.4).
constexpr uint32_t kAppNull = 0;
constexpr uint32_t kAppBoolean = 1;
constexpr uint32_t kAppUnsigned = 2;
constexpr uint32_t kAppSigned = 3;
constexpr uint32_t kAppReal = 4;
constexpr uint32_t kAppDouble = 5;
constexpr uint32_t kAppCharacterString = 7;
constexpr uint32_t kAppEnumerated = 9;
constexpr uint32_t kAppDate = 10;
constexpr uint32_t kAppTime = 11;
constexpr uint32_t kAppObjectId = 12;

// Service choices whose parameters are read here (clause 21).
constexpr uint8_t kAcknowledgeAlarm = 0;
constexpr uint8_t kConfirmedCovNotification = 1;
constexpr uint8_t kConfirmedEventNotification = 2;
constexpr uint8_t kSubscribeCov = 5;
constexpr uint8_t kAddListElement = 8;
constexpr uint8_t kRemoveListElement = 9;
constexpr uint8_t kCreateObject = 10;
constexpr uint8_t kReadProperty = 12;
constexpr uint8_t kReadPropertyMultiple = 14;
constexpr uint8_t kWriteProperty = 15;
constexpr uint8_t kWritePropertyMultiple = 16;
constexpr uint8_t kDeviceCommunicationControl = 17;
constexpr uint8_t kReinitializeDevice = 20;
constexpr uint8_t kReadRange = 26;
constexpr uint8_t kLifeSafetyOperation = 27;
constexpr uint8_t kSubscribeCovProperty = 28;
constexpr uint8_t kUnconfirmedCovNotification = 2;
constexpr uint8_t kUnconfirmedEventNotification = 3;
constexpr uint8_t kWhoHas = 7;
constexpr uint8_t kWhoIs = 8;

// Reads tags one after another from a service's parameters, within the tag and nesting
// caps, raising each problem once. `whole` is false for a segment of a segmented message,
// whose parameters may stop anywhere: running out of bytes is then no defect.
class Walker {
 public:
  Walker(std::span<const uint8_t> params, bool whole, core::Anomalies& anomalies)
      : r_(params), whole_(whole), anomalies_(anomalies) {}

  // The next tag, at any depth; false at the end of the parameters or on a defect.
  bool Next(Tag& t) {
    if (failed_ || r_.empty()) return false;
    if (++count_ > kMaxBacnetTags) {
      anomalies_.Raise("bacnet.too_many_tags");
      failed_ = true;
      return false;
    }
    if (!ReadTag(r_, t)) {
      Bad();
      return false;
    }
    return true;
  }
  // Skips the rest of a constructed value whose opening tag was just read.
  bool Skip() {
    size_t depth = 1;
    Tag t;
    while (depth > 0) {
      if (!Next(t)) return Ended();
      if (t.opening) {
        if (++depth > kMaxBacnetDepth) return Deep();
      } else if (t.closing) {
        --depth;
      }
    }
    return true;
  }
  // Reads the first primitive of a constructed value whose opening tag was just read, and
  // skips the rest of it.
  bool ReadValue(Value& v) {
    size_t depth = 1;
    bool first = true;
    Tag t;
    while (depth > 0) {
      if (!Next(t)) return Ended();
      if (t.closing) {
        --depth;
        continue;
      }
      if (first) {
        first = false;
        if (t.opening || t.context) {
          v = Value{};
          v.kind = Value::Kind::kOther;
        } else {
          v = ValueOf(t);
        }
      }
      if (t.opening && ++depth > kMaxBacnetDepth) return Deep();
    }
    return true;
  }
  // A top-level closing tag, or a value that makes no sense where it stands.
  void Bad() {
    if (!failed_ && (whole_ || !r_.empty())) anomalies_.Raise("bacnet.bad_tag");
    failed_ = true;
  }
  bool failed() const { return failed_; }

  // The value of an application-tagged primitive.
  static Value ValueOf(const Tag& t);

 private:
  // The parameters ended (or failed) inside a constructed value.
  bool Ended() {
    if (!failed_ && whole_) anomalies_.Raise("bacnet.bad_tag");
    failed_ = true;
    return false;
  }
  bool Deep() {
    anomalies_.Raise("bacnet.nesting_too_deep");
    failed_ = true;
    return false;
  }

  core::ByteReader r_;
  bool whole_;
  core::Anomalies& anomalies_;
  size_t count_ = 0;
  bool failed_ = false;
};

// An unsigned integer of 1 to 4 content octets (wider ones are not BACnet Unsigned32).
bool Unsigned(std::span<const uint8_t> content, uint32_t& out) {
  if (content.empty() || content.size() > 4) return false;
  core::ByteReader r(content);
  uint32_t v = 0;
  while (!r.empty()) v = v << 8 | r.U8();
  out = v;
  return true;
}

bool Unsigned64(std::span<const uint8_t> content, uint64_t& out) {
  if (content.empty() || content.size() > 8) return false;
  core::ByteReader r(content);
  uint64_t v = 0;
  while (!r.empty()) v = v << 8 | r.U8();
  out = v;
  return true;
}

bool ObjectIdOf(std::span<const uint8_t> content, ObjectId& out) {
  if (content.size() != 4) return false;
  uint32_t raw = core::ByteReader(content).U32Be();
  out.type = static_cast<uint16_t>(raw >> 22);
  out.instance = raw & 0x3fffff;
  return true;
}

Value Walker::ValueOf(const Tag& t) {
  Value v;
  v.kind = Value::Kind::kOther;
  core::ByteReader r(t.content);
  switch (t.number) {
    case kAppNull:
      v.kind = Value::Kind::kNull;
      break;
    case kAppBoolean:
      v.kind = Value::Kind::kBoolean;
      v.u = t.lvt != 0;
      break;
    case kAppUnsigned:
      if (Unsigned64(t.content, v.u)) v.kind = Value::Kind::kUnsigned;
      break;
    case kAppEnumerated:
      if (Unsigned64(t.content, v.u)) v.kind = Value::Kind::kEnumerated;
      break;
    case kAppSigned: {
      uint64_t raw = 0;
      if (Unsigned64(t.content, raw)) {
        // Sign-extend from the content's width.
        const unsigned bits = static_cast<unsigned>(t.content.size() * 8);
        if (bits < 64 && (raw >> (bits - 1) & 1) != 0) raw |= ~uint64_t{0} << bits;
        v.i = static_cast<int64_t>(raw);
        v.kind = Value::Kind::kSigned;
      }
      break;
    }
    case kAppReal:
      if (t.content.size() == 4) {
        v.d = std::bit_cast<float>(r.U32Be());
        v.kind = Value::Kind::kReal;
      }
      break;
    case kAppDouble:
      if (t.content.size() == 8) {
        v.d = std::bit_cast<double>(r.U64Be());
        v.kind = Value::Kind::kDouble;
      }
      break;
    case kAppCharacterString:
      if (!t.content.empty()) {
        v.charset = r.U8();
        auto text = r.Rest();
        v.text = text.size() > kMaxBacnetTextBytes ? text.first(kMaxBacnetTextBytes) : text;
        v.kind = Value::Kind::kText;
      }
      break;
    case kAppObjectId:
      if (ObjectIdOf(t.content, v.object)) v.kind = Value::Kind::kObjectId;
      break;
    default:
      break;
  }
  return v;
}

// What a context tag of a service's parameters holds (clauses 13-17).
enum class Role : uint8_t {
  kNone,
  kObject,
  kProperty,
  kIndex,
  kValue,  // constructed: the first primitive is the value
  kPriority,
  kEnum,
  kDuration,
  kPassword,
  kLow,
  kHigh,
  kName,         // character string
  kList,         // ReadPropertyMultiple / WritePropertyMultiple property list
  kObjectSpec,   // CreateObject: [0] type or [1] identifier inside
  kPropertyRef,  // SubscribeCOVProperty: [0] property inside
};

Role ConfirmedRole(uint8_t service, uint32_t tag) {
  switch (service) {
    case kReadProperty:
    case kReadRange:
    case kAddListElement:
    case kRemoveListElement:
    case kWriteProperty:
      switch (tag) {
        case 0:
          return Role::kObject;
        case 1:
          return Role::kProperty;
        case 2:
          return Role::kIndex;
        case 3:
          return service == kWriteProperty ? Role::kValue : Role::kNone;
        case 4:
          return service == kWriteProperty ? Role::kPriority : Role::kNone;
        default:
          return Role::kNone;
      }
    case kReadPropertyMultiple:
    case kWritePropertyMultiple:
      return tag == 0 ? Role::kObject : tag == 1 ? Role::kList : Role::kNone;
    case kSubscribeCov:
    case kAcknowledgeAlarm:
      return tag == 1 ? Role::kObject : Role::kNone;
    case kSubscribeCovProperty:
      return tag == 1 ? Role::kObject : tag == 4 ? Role::kPropertyRef : Role::kNone;
    case kConfirmedCovNotification:
    case kConfirmedEventNotification:
      return tag == 2 ? Role::kObject : Role::kNone;
    case kCreateObject:
      return tag == 0 ? Role::kObjectSpec : Role::kNone;
    case kReinitializeDevice:
      return tag == 0 ? Role::kEnum : tag == 1 ? Role::kPassword : Role::kNone;
    case kDeviceCommunicationControl:
      return tag == 0   ? Role::kDuration
             : tag == 1 ? Role::kEnum
             : tag == 2 ? Role::kPassword
                        : Role::kNone;
    case kLifeSafetyOperation:
      return tag == 2 ? Role::kEnum : tag == 3 ? Role::kObject : Role::kNone;
    default:
      return Role::kNone;
  }
}

Role UnconfirmedRole(uint8_t service, uint32_t tag) {
  switch (service) {
    case kWhoIs:
      return tag == 0 ? Role::kLow : tag == 1 ? Role::kHigh : Role::kNone;
    case kWhoHas:
      return tag == 0   ? Role::kLow
             : tag == 1 ? Role::kHigh
             : tag == 2 ? Role::kObject
             : tag == 3 ? Role::kName
                        : Role::kNone;
    case kUnconfirmedCovNotification:
    case kUnconfirmedEventNotification:
      return tag == 2 ? Role::kObject : Role::kNone;
    default:
      return Role::kNone;
  }
}

// Records a property of the first object of a multiple-property service.
void AddProperty(ServiceSummary& s, uint32_t property) {
  if (s.more_objects != 0) return;
  if (s.property_count < s.properties.size()) {
    s.properties[s.property_count++] = property;
    if (!s.has_property) {
      s.has_property = true;
      s.property = property;
    }
  } else {
    s.more_properties = true;
  }
}

// The list of a ReadPropertyMultiple (property references) or WritePropertyMultiple
// (property values) after its opening tag [1].
void ReadList(Walker& w, bool writes, ServiceSummary& s) {
  Tag t;
  while (w.Next(t)) {
    if (t.closing) return;  // the list's closing tag [1]
    if (t.opening) {
      // WritePropertyMultiple [2] value: the first property's value is kept.
      if (writes && t.number == 2 && s.more_objects == 0 && s.property_count == 1 &&
          s.value.kind == Value::Kind::kNone) {
        if (!w.ReadValue(s.value)) return;
      } else if (!w.Skip()) {
        return;
      }
      continue;
    }
    uint32_t n = 0;
    if (t.context && t.number == 0 && Unsigned(t.content, n)) AddProperty(s, n);
  }
  w.Bad();  // the list never closed
}

// The shared walk of request parameters: `role` says what each context tag holds.
template <typename RoleOf>
ServiceSummary Summarize(uint8_t service, std::span<const uint8_t> params, bool whole,
                         core::Anomalies& anomalies, RoleOf role_of) {
  ServiceSummary s;
  Walker w(params, whole, anomalies);
  Tag t;
  while (w.Next(t)) {
    if (t.closing) {
      w.Bad();
      break;
    }
    if (!t.context) {
      // Application-tagged parameters: AtomicRead/WriteFile and DeleteObject name their
      // object first; time synchronization carries a date and a time.
      if (t.number == kAppObjectId && !s.has_object && ObjectIdOf(t.content, s.object)) {
        s.has_object = true;
      } else if (t.number == kAppDate && t.content.size() == 4 && !s.has_date) {
        s.has_date = true;
        std::copy(t.content.begin(), t.content.end(), s.date.begin());
      } else if (t.number == kAppTime && t.content.size() == 4 && !s.has_time) {
        s.has_time = true;
        std::copy(t.content.begin(), t.content.end(), s.time.begin());
      }
      continue;
    }
    const Role role = role_of(service, t.number);
    if (t.opening) {
      bool ok = true;
      switch (role) {
        case Role::kValue:
          ok = w.ReadValue(s.value);
          break;
        case Role::kList:
          ReadList(w, service == kWritePropertyMultiple, s);
          ok = !w.failed();
          break;
        case Role::kObjectSpec:
        case Role::kPropertyRef: {
          Tag in;
          while ((ok = w.Next(in)) && !in.closing) {
            uint32_t n = 0;
            if (in.opening) {
              if (!(ok = w.Skip())) break;
            } else if (role == Role::kPropertyRef && in.number == 0 && Unsigned(in.content, n)) {
              s.has_property = true;
              s.property = n;
            } else if (role == Role::kObjectSpec && in.number == 0 && Unsigned(in.content, n)) {
              s.has_object = true;
              s.object.type = static_cast<uint16_t>(std::min<uint32_t>(n, 0x3ff));
              s.object.instance = 0x3fffff;  // no instance: the device picks one
            } else if (role == Role::kObjectSpec && in.number == 1 &&
                       ObjectIdOf(in.content, s.object)) {
              s.has_object = true;
            }
          }
          if (!ok && !w.failed()) w.Bad();
          break;
        }
        default:
          ok = w.Skip();
          break;
      }
      if (!ok) break;
      continue;
    }
    uint32_t n = 0;
    switch (role) {
      case Role::kObject:
        if (s.has_object) {
          ++s.more_objects;  // ReadPropertyMultiple / WritePropertyMultiple: another object
        } else if (ObjectIdOf(t.content, s.object)) {
          s.has_object = true;
        }
        break;
      case Role::kProperty:
        if (!s.has_property && Unsigned(t.content, n)) {
          s.has_property = true;
          s.property = n;
        }
        break;
      case Role::kIndex:
        if (Unsigned(t.content, n)) {
          s.has_index = true;
          s.index = n;
        }
        break;
      case Role::kPriority:
        if (Unsigned(t.content, n)) {
          s.has_priority = true;
          s.priority = n;
        }
        break;
      case Role::kEnum:
        if (Unsigned(t.content, n)) {
          s.has_enum = true;
          s.enum_value = n;
        }
        break;
      case Role::kDuration:
        if (Unsigned(t.content, n)) {
          s.has_duration = true;
          s.duration = n;
        }
        break;
      case Role::kPassword:
        s.has_password = true;
        break;
      case Role::kLow:
        if (Unsigned(t.content, n)) {
          s.has_range = true;
          s.low = n;
        }
        break;
      case Role::kHigh:
        if (Unsigned(t.content, n)) s.high = n;
        break;
      case Role::kName:
        if (!t.content.empty()) {
          auto text = t.content.subspan(1);  // after the character set octet
          s.name = text.size() > kMaxBacnetTextBytes ? text.first(kMaxBacnetTextBytes) : text;
        }
        break;
      default:
        break;
    }
  }
  s.malformed = w.failed();
  return s;
}

}  // namespace

bool Bvlc::CarriesNpdu() const {
  switch (static_cast<BvlcFunction>(function)) {
    case BvlcFunction::kForwardedNpdu:
    case BvlcFunction::kDistributeBroadcast:
    case BvlcFunction::kOriginalUnicast:
    case BvlcFunction::kOriginalBroadcast:
      return true;
    default:
      return false;
  }
}

std::optional<Bvlc> ParseBvlc(std::span<const uint8_t> datagram, core::Anomalies& anomalies) {
  core::ByteReader r(datagram);
  uint8_t type = r.U8();
  Bvlc b;
  b.function = r.U8();
  b.length = r.U16Be();
  if (!r.ok() || type != kBvlcTypeIp || b.length < 4) return std::nullopt;
  size_t used = b.length;
  if (b.length != datagram.size()) {
    anomalies.Raise("bacnet.bvlc_length_mismatch");
    used = std::min<size_t>(b.length, datagram.size());
  }
  core::ByteReader m(datagram.first(used));
  m.Skip(4);
  switch (static_cast<BvlcFunction>(b.function)) {
    case BvlcFunction::kResult:
      b.result = m.U16Be();
      break;
    case BvlcFunction::kForwardedNpdu: {
      auto ip = m.Bytes(4);
      b.origin_port = m.U16Be();
      if (m.ok()) {
        b.forwarded = true;
        b.origin_ip = core::IpAddr::V4(ip);
      }
      b.npdu = m.Rest();
      break;
    }
    case BvlcFunction::kDistributeBroadcast:
    case BvlcFunction::kOriginalUnicast:
    case BvlcFunction::kOriginalBroadcast:
      b.npdu = m.Rest();
      break;
    default:
      b.body = m.Rest();
      break;
  }
  if (!m.ok()) anomalies.Raise("bacnet.truncated");
  return b;
}

std::optional<Npdu> ParseNpdu(std::span<const uint8_t> bytes, core::Anomalies& anomalies) {
  core::ByteReader r(bytes);
  Npdu n;
  n.version = r.U8();
  n.control = r.U8();
  if (!r.ok()) {
    anomalies.Raise("bacnet.truncated");
    return std::nullopt;
  }
  if (n.version != 1) {
    anomalies.Raise("bacnet.bad_npdu_version");
    return std::nullopt;
  }
  n.network_message = (n.control & 0x80) != 0;
  n.has_dnet = (n.control & 0x20) != 0;
  n.has_snet = (n.control & 0x08) != 0;
  n.expecting_reply = (n.control & 0x04) != 0;
  n.priority = n.control & 0x03;
  if (n.has_dnet) {
    n.dnet = r.U16Be();
    n.dadr = r.Bytes(r.U8());
  }
  if (n.has_snet) {
    n.snet = r.U16Be();
    n.sadr = r.Bytes(r.U8());
  }
  if (n.has_dnet) n.hop_count = r.U8();
  if (n.network_message) {
    n.message_type = r.U8();
    if (n.message_type >= 0x80) n.vendor_id = r.U16Be();
  }
  if (!r.ok()) {
    anomalies.Raise("bacnet.truncated");
    return std::nullopt;
  }
  n.apdu = r.Rest();
  return n;
}

std::optional<Apdu> ParseApdu(std::span<const uint8_t> bytes, core::Anomalies& anomalies) {
  core::ByteReader r(bytes);
  Apdu a;
  uint8_t first = r.U8();
  a.type = first >> 4;
  switch (static_cast<ApduType>(a.type)) {
    case ApduType::kConfirmedRequest: {
      a.segmented = (first & 0x08) != 0;
      a.more_follows = (first & 0x04) != 0;
      a.segmented_response_accepted = (first & 0x02) != 0;
      uint8_t sizes = r.U8();
      a.max_segments = (sizes >> 4) & 0x07;
      a.max_apdu = sizes & 0x0f;
      a.invoke_id = r.U8();
      if (a.segmented) {
        a.sequence_number = r.U8();
        a.window_size = r.U8();
      }
      a.service = r.U8();
      a.has_service = true;
      break;
    }
    case ApduType::kUnconfirmedRequest:
      a.service = r.U8();
      a.has_service = true;
      break;
    case ApduType::kSimpleAck:
    case ApduType::kError:
      a.invoke_id = r.U8();
      a.service = r.U8();
      a.has_service = true;
      break;
    case ApduType::kComplexAck:
      a.segmented = (first & 0x08) != 0;
      a.more_follows = (first & 0x04) != 0;
      a.invoke_id = r.U8();
      if (a.segmented) {
        a.sequence_number = r.U8();
        a.window_size = r.U8();
      }
      a.service = r.U8();
      a.has_service = true;
      break;
    case ApduType::kSegmentAck:
      a.negative = (first & 0x02) != 0;
      a.server = (first & 0x01) != 0;
      a.invoke_id = r.U8();
      a.sequence_number = r.U8();
      a.window_size = r.U8();
      break;
    case ApduType::kReject:
      a.invoke_id = r.U8();
      a.reason = r.U8();
      break;
    case ApduType::kAbort:
      a.server = (first & 0x01) != 0;
      a.invoke_id = r.U8();
      a.reason = r.U8();
      break;
    default:
      break;  // reserved types 8-15: the rest stays raw
  }
  if (!r.ok()) {
    anomalies.Raise("bacnet.truncated");
    return std::nullopt;
  }
  a.params = r.Rest();
  return a;
}

bool ReadTag(core::ByteReader& r, Tag& t) {
  uint8_t initial = r.U8();
  t = Tag{};
  t.number = initial >> 4;
  t.context = (initial & 0x08) != 0;
  t.lvt = initial & 0x07;
  if (t.number == 15) t.number = r.U8();
  if (!r.ok()) return false;
  if (t.context && t.lvt == 6) {
    t.opening = true;
    return true;
  }
  if (t.context && t.lvt == 7) {
    t.closing = true;
    return true;
  }
  if (!t.context && t.number == kAppBoolean) return true;  // the value is the LVT
  uint32_t length = t.lvt;
  if (t.lvt == 5) {
    length = r.U8();
    if (length == 254) {
      length = r.U16Be();
    } else if (length == 255) {
      length = r.U32Be();
    }
  }
  t.content = r.Bytes(length);
  return r.ok();
}

ServiceSummary SummarizeConfirmedRequest(uint8_t service, std::span<const uint8_t> params,
                                         core::Anomalies& anomalies, bool whole) {
  return Summarize(service, params, whole, anomalies, ConfirmedRole);
}

ServiceSummary SummarizeUnconfirmedRequest(uint8_t service, std::span<const uint8_t> params,
                                           core::Anomalies& anomalies) {
  return Summarize(service, params, true, anomalies, UnconfirmedRole);
}

std::optional<IAm> ParseIAm(std::span<const uint8_t> params, core::Anomalies& anomalies) {
  Walker w(params, true, anomalies);
  Tag device, max_apdu, segmentation, vendor;
  IAm out;
  if (!w.Next(device) || !w.Next(max_apdu) || !w.Next(segmentation) || !w.Next(vendor)) {
    return std::nullopt;
  }
  const bool ok = !device.context && device.number == kAppObjectId &&
                  ObjectIdOf(device.content, out.device) && !max_apdu.context &&
                  max_apdu.number == kAppUnsigned && Unsigned(max_apdu.content, out.max_apdu) &&
                  !segmentation.context && segmentation.number == kAppEnumerated &&
                  Unsigned(segmentation.content, out.segmentation) && !vendor.context &&
                  vendor.number == kAppUnsigned && Unsigned(vendor.content, out.vendor_id);
  if (!ok) {
    anomalies.Raise("bacnet.bad_i_am");
    return std::nullopt;
  }
  return out;
}

std::optional<ErrorInfo> ParseError(std::span<const uint8_t> params, core::Anomalies& anomalies) {
  Walker w(params, true, anomalies);
  Tag t;
  uint32_t found[2] = {0, 0};
  size_t n = 0;
  while (n < 2 && w.Next(t)) {
    if (!t.context && t.number == kAppEnumerated && Unsigned(t.content, found[n])) ++n;
  }
  if (n < 2) return std::nullopt;
  return ErrorInfo{found[0], found[1]};
}

size_t ReadPropertyValues(uint8_t service, std::span<const uint8_t> params,
                          std::span<PropertyValue> out, core::Anomalies& anomalies, bool whole) {
  if (service != kReadProperty && service != kReadPropertyMultiple) return 0;
  const bool multiple = service == kReadPropertyMultiple;
  // ReadProperty-ACK: [0] object [1] property [2] index [3] value.
  // ReadPropertyMultiple-ACK: ([0] object [1] ( [2] property [3] index ([4] value | [5] error) )...
  // )...
  const uint32_t kPropertyTag = multiple ? 2 : 1;
  const uint32_t kValueTag = multiple ? 4 : 3;
  Walker w(params, whole, anomalies);
  size_t n = 0;
  bool have_object = false, have_property = false, capped = false;
  PropertyValue pv;
  Tag t;
  while (w.Next(t)) {
    if (!t.context) continue;
    if (t.opening) {
      if (t.number == kValueTag && have_object && have_property) {
        Value v;
        if (!w.ReadValue(v)) break;
        if (n < out.size()) {
          pv.value = v;
          out[n++] = pv;
        } else if (!capped) {
          anomalies.Raise("bacnet.too_many_values");
          capped = true;
        }
        have_property = false;
      } else if (multiple && t.number == 1) {
        continue;  // a list of results for the current object: walk into it
      } else if (!w.Skip()) {
        break;
      }
      continue;
    }
    if (t.closing) continue;  // end of an object's list of results
    uint32_t u = 0;
    if (t.number == 0 && ObjectIdOf(t.content, pv.object)) {
      have_object = true;
      have_property = false;
    } else if (t.number == kPropertyTag && Unsigned(t.content, u)) {
      pv.property = u;
      have_property = true;
    }
  }
  return n;
}

}  // namespace qw::dissect::bacnet
