// IEEE 1815-2012 (DNP3): 9.2 link frame, 8.2 transport header, 4.2 application header,
// 4.2.2.7 IIN, 4.4 object headers, annex A object library.
//
// clang-format off
//  Link frame:   | 0x05 0x64 | length:1 | control:1 | destination:2 LE | source:2 LE | CRC:2 LE |
//                | block: up to 16 user data octets | CRC:2 LE | block | CRC | ...
//                  length counts control, destination, source and the user data (>= 5);
//                  CRCs are CRC-16/DNP over the header's first 8 octets and over each block
//  control:      | DIR:1 | PRM:1 | FCB:1 (PRM) / reserved | FCV:1 (PRM) / DFC | function:4 |
//  User data:    | transport:1 = FIN:1 | FIR:1 | sequence:6 | application bytes |
//  Application:  | control:1 = FIR:1 | FIN:1 | CON:1 | UNS:1 | sequence:4 | function:1 |
//                | IIN1:1 | IIN2:1 |                 (responses 129-131 only)
//                | object header | objects | object header | objects | ...
//  Object header:| group:1 | variation:1 | qualifier:1 = reserved:1 | prefix:3 | range:4 |
//                | range field: start,stop (1/2/4 each; codes 0-2) | address (1/2/4; 3-5) |
//                |              none (6) | count (1/2/4; 7-9) | count:1 (free format, 11) |
//  Objects:      each | prefix (index 1/2/4 for codes 1-3, size 1/2/4 for 4-6) | data |
//                packed-bit objects without prefix fill ceil(count * bits / 8) octets
//  g0 attribute: | data type:1 | length:1 | value:length |
//  g12v1 CROB:   | code:1 | count:1 | on-time:4 | off-time:4 | status:1 |
//  g41 AOB:      | value:4 (v1) / 2 (v2) / float 4 (v3) / double 8 (v4) | status:1 |
//  g70v3 file command: | name offset:2 | name size:2 | created:6 | permissions:2 | auth key:4 |
//                | file size:4 | mode:2 | max block:2 | request id:2 | name |
//  g70v4 file status:  | handle:4 | file size:4 | max block:2 | request id:2 | status:1 | text |
//  g70v5 file transport: | handle:4 | block:4 (bit 31: last) | data |
// clang-format on
#include "dissect/dnp3/dnp3_parser.h"

#include <algorithm>

#include "core/byte_reader.h"

namespace qw::dissect {
namespace {

constexpr std::array<uint16_t, 256> MakeCrcTable() {
  std::array<uint16_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0xa6bc : crc >> 1;
    table[i] = static_cast<uint16_t>(crc);
  }
  return table;
}
constexpr std::array<uint16_t, 256> kCrcTable = MakeCrcTable();

// How an object's data is sized.
enum class SizeKind : uint8_t {
  kNone,       // no data (class objects)
  kBytes,      // fixed number of octets
  kBits,       // packed bits (without prefix)
  kAttribute,  // group 0: data type, length, value
  kUnknown,    // not known to this parser: the walk stops
};
struct ObjectSize {
  SizeKind kind = SizeKind::kUnknown;
  uint32_t amount = 0;  // octets or bits
};

template <size_t N>
ObjectSize Bytes(const uint8_t (&table)[N], uint8_t variation) {
  if (variation >= N || table[variation] == 0) return {};
  return {SizeKind::kBytes, table[variation]};
}

// Octets of each fixed-size variation, by variation number (0: not a fixed size).
// Event and frozen variations add flags, 16- or 32-bit values, floats and 48-bit times.
constexpr uint8_t kG2[] = {0, 1, 7, 3};
constexpr uint8_t kG4[] = {0, 1, 7, 3};
constexpr uint8_t kG11[] = {0, 1, 7};
constexpr uint8_t kG12[] = {0, 11, 11};
constexpr uint8_t kG13[] = {0, 1, 7};
constexpr uint8_t kG20[] = {0, 5, 3, 5, 3, 4, 2, 4, 2};
constexpr uint8_t kG21[] = {0, 5, 3, 5, 3, 11, 9, 11, 9, 4, 2, 4, 2};
constexpr uint8_t kG22[] = {0, 5, 3, 5, 3, 11, 9, 11, 9};
constexpr uint8_t kG30[] = {0, 5, 3, 4, 2, 5, 9};
constexpr uint8_t kG31[] = {0, 5, 3, 11, 9, 4, 2, 5, 9};
constexpr uint8_t kG32[] = {0, 5, 3, 11, 9, 5, 9, 11, 15};
constexpr uint8_t kG34[] = {0, 2, 4, 4};
constexpr uint8_t kG40[] = {0, 5, 3, 5, 9};
constexpr uint8_t kG50[] = {0, 6, 10, 6, 11};
constexpr uint8_t kG51[] = {0, 6, 6};
constexpr uint8_t kG52[] = {0, 2, 2};
constexpr uint8_t kG101[] = {0, 2, 4, 8};
constexpr uint8_t kG102[] = {0, 1};
constexpr uint8_t kG121[] = {0, 7};
constexpr uint8_t kG122[] = {0, 7, 13};

ObjectSize SizeOf(uint8_t group, uint8_t variation) {
  switch (group) {
    case 0:
      return variation == 0 ? ObjectSize{} : ObjectSize{SizeKind::kAttribute, 0};
    case 1:
    case 10:
      if (variation == 1) return {SizeKind::kBits, 1};
      if (variation == 2) return {SizeKind::kBytes, 1};
      return {};
    case 3:
      if (variation == 1) return {SizeKind::kBits, 2};
      if (variation == 2) return {SizeKind::kBytes, 1};
      return {};
    case 2:
      return Bytes(kG2, variation);
    case 4:
      return Bytes(kG4, variation);
    case 11:
      return Bytes(kG11, variation);
    case 12:
      if (variation == 3) return {SizeKind::kBits, 1};  // pattern mask
      return Bytes(kG12, variation);
    case 13:
      return Bytes(kG13, variation);
    case 20:
      return Bytes(kG20, variation);
    case 21:
      return Bytes(kG21, variation);
    case 22:
    case 23:
      return Bytes(kG22, variation);
    case 30:
      return Bytes(kG30, variation);
    case 31:
      return Bytes(kG31, variation);
    case 32:
    case 33:
    case 42:
    case 43:
      return Bytes(kG32, variation);
    case 34:
      return Bytes(kG34, variation);
    case 40:
    case 41:
      return Bytes(kG40, variation);
    case 50:
      return Bytes(kG50, variation);
    case 51:
      return Bytes(kG51, variation);
    case 52:
      return Bytes(kG52, variation);
    case 60:
      return {SizeKind::kNone, 0};
    case 80:
      return variation == 1 ? ObjectSize{SizeKind::kBits, 1} : ObjectSize{};
    case 101:
      return Bytes(kG101, variation);
    case 102:
      return Bytes(kG102, variation);
    case 110:  // octet strings and virtual terminal data: the variation is the length
    case 111:
    case 112:
    case 113:
      return variation == 0 ? ObjectSize{} : ObjectSize{SizeKind::kBytes, variation};
    case 121:
      return Bytes(kG121, variation);
    case 122:
      return Bytes(kG122, variation);
    default:
      return {};
  }
}

// Whether objects of `group` carry data in a fragment of `function`. Reads, freezes,
// (un)solicited enables and class assignments name points only; a freeze at a time adds
// the time and interval (group 50). Size-prefixed objects always carry their data.
bool CarriesData(uint8_t function, uint8_t group) {
  if (group == 60) return false;
  switch (function) {
    case kDnp3Read:
    case kDnp3ImmediateFreeze:
    case kDnp3ImmediateFreezeNoAck:
    case kDnp3FreezeClear:
    case kDnp3FreezeClearNoAck:
    case kDnp3EnableUnsolicited:
    case kDnp3DisableUnsolicited:
    case kDnp3AssignClass:
      return false;
    case kDnp3FreezeAtTime:
    case kDnp3FreezeAtTimeNoAck:
      return group == 50;
    default:
      return true;
  }
}

// Reads an unsigned little-endian field of 1, 2 or 4 octets.
uint32_t ReadLe(core::ByteReader& r, size_t octets) {
  switch (octets) {
    case 1:
      return r.U8();
    case 2:
      return r.U16Le();
    default:
      return r.U32Le();
  }
}

constexpr size_t kPrefixOctets[] = {0, 1, 2, 4, 1, 2, 4, 0};

// Walks the objects that follow header `h` and advances `r` past them. Returns false when
// the walk cannot go on (the reason is recorded in `out`).
bool WalkObjects(core::ByteReader& r, uint8_t function, Dnp3ObjectHeader& h, Dnp3Apdu& out,
                 size_t& walked) {
  if (h.range == Dnp3Range::kAll || h.count == 0) return true;
  uint8_t prefix = h.prefix_code();
  if (prefix == 7 || (h.range == Dnp3Range::kFreeFormat && prefix == 0)) {
    out.objects_bad = true;  // reserved prefix, or free format without object sizes
    return false;
  }
  // Free format: prefix codes 1-3 give the size octets too (1, 2, 4).
  bool size_prefixed = prefix >= 4 || h.range == Dnp3Range::kFreeFormat;
  bool with_data = size_prefixed || CarriesData(function, h.group);
  ObjectSize size = with_data ? SizeOf(h.group, h.variation) : ObjectSize{SizeKind::kNone, 0};

  if (prefix == 0) {
    switch (size.kind) {
      case SizeKind::kNone:
        return true;
      case SizeKind::kBytes: {
        h.first_data = r.Bytes(size.amount);
        uint64_t rest = (h.count - 1) * size.amount;
        if (!r.ok() || rest > r.remaining()) {
          out.objects_bad = true;
          return false;
        }
        r.Skip(static_cast<size_t>(rest));
        return true;
      }
      case SizeKind::kBits: {
        uint64_t octets = (h.count * size.amount + 7) / 8;
        if (octets > r.remaining()) {
          out.objects_bad = true;
          return false;
        }
        h.first_data = r.Bytes(static_cast<size_t>(octets));
        return true;
      }
      case SizeKind::kAttribute:
        break;  // walked one by one below
      case SizeKind::kUnknown:
        out.objects_unsized = true;
        return false;
    }
  } else if (!size_prefixed && size.kind == SizeKind::kUnknown) {
    out.objects_unsized = true;
    return false;
  }

  size_t prefix_octets = kPrefixOctets[prefix];
  for (uint64_t i = 0; i < h.count; ++i) {
    if (walked == kMaxDnp3ObjectsWalked) {
      out.objects_capped = true;
      return false;
    }
    ++walked;
    std::span<const uint8_t> data;
    if (size_prefixed) {
      uint32_t octets = ReadLe(r, prefix_octets);
      data = r.Bytes(octets);
    } else {
      if (prefix != 0) {
        uint32_t index = ReadLe(r, prefix_octets);
        if (h.indices_seen < kDnp3IndicesKept) h.indices[h.indices_seen] = index;
        ++h.indices_seen;
      }
      switch (size.kind) {
        case SizeKind::kNone:
          break;
        case SizeKind::kBytes:
          data = r.Bytes(size.amount);
          break;
        case SizeKind::kBits:  // a prefixed packed object takes an octet of its own
          data = r.Bytes(1);
          break;
        case SizeKind::kAttribute: {
          uint8_t data_type = r.U8();
          uint8_t length = r.U8();
          std::span<const uint8_t> value = r.Bytes(length);
          if (!r.ok()) break;
          if (out.attribute_count == kMaxDnp3Attributes) {
            out.objects_capped = true;
          } else {
            out.attributes[out.attribute_count++] = Dnp3Attribute{h.variation, data_type, value};
          }
          // Lists (254, 255) count entries, not octets: the walk cannot size them.
          if (data_type >= 254) {
            out.objects_unsized = true;
            return false;
          }
          break;
        }
        case SizeKind::kUnknown:
          break;
      }
    }
    if (!r.ok()) {
      out.objects_bad = true;
      return false;
    }
    if (i == 0) h.first_data = data;
  }
  return true;
}

// Reads one object header; false (with the reason in `out`) when it is malformed.
bool ReadObjectHeader(core::ByteReader& r, Dnp3ObjectHeader& h, Dnp3Apdu& out) {
  h.group = r.U8();
  h.variation = r.U8();
  h.qualifier = r.U8();
  uint8_t code = h.range_code();
  switch (code) {
    case 0:
    case 1:
    case 2: {
      size_t octets = code == 0 ? 1 : code == 1 ? 2 : 4;
      h.range = Dnp3Range::kStartStop;
      h.start = ReadLe(r, octets);
      h.stop = ReadLe(r, octets);
      if (r.ok() && h.stop < h.start) {
        out.objects_bad = true;
        return false;
      }
      h.count = uint64_t{h.stop} - h.start + 1;
      break;
    }
    case 3:
    case 4:
    case 5:
      h.range = Dnp3Range::kAddress;
      h.start = ReadLe(r, code == 3 ? 1 : code == 4 ? 2 : 4);
      h.count = 1;
      break;
    case 6:
      h.range = Dnp3Range::kAll;
      h.count = 0;
      break;
    case 7:
    case 8:
    case 9:
      h.range = Dnp3Range::kCount;
      h.count = ReadLe(r, code == 7 ? 1 : code == 8 ? 2 : 4);
      break;
    case 11:
      h.range = Dnp3Range::kFreeFormat;
      h.count = r.U8();
      break;
    default:  // 10, 12-15 are reserved
      out.objects_bad = true;
      return false;
  }
  if (!r.ok()) {
    out.objects_bad = true;
    return false;
  }
  return true;
}

}  // namespace

uint16_t Dnp3Crc(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  uint16_t crc = 0;
  while (!r.empty()) crc = static_cast<uint16_t>((crc >> 8) ^ kCrcTable[(crc ^ r.U8()) & 0xff]);
  return static_cast<uint16_t>(~crc);
}

size_t Dnp3FrameBytes(uint8_t length) {
  size_t data = length > kDnp3MinLength ? length - kDnp3MinLength : 0;
  size_t blocks = (data + kDnp3BlockBytes - 1) / kDnp3BlockBytes;
  return kDnp3HeaderBytes + data + 2 * blocks;
}

bool Dnp3LinkHeader::carries_data() const {
  uint8_t f = function();
  return length > kDnp3MinLength && f != kDnp3LinkResetOrAck && f != kDnp3LinkRequestStatus &&
         f != kDnp3LinkStatus;
}

Dnp3LinkStatus ParseDnp3Link(std::span<const uint8_t> bytes, Dnp3LinkFrame& out, size_t& need) {
  core::ByteReader r(bytes);
  need = 0;
  // Decide on what has arrived so far: start octets and length come before the CRC.
  if (r.remaining() >= 1 && r.PeekU8(0) != 0x05) return Dnp3LinkStatus::kBadStart;
  if (r.remaining() >= 2 && r.PeekU8(1) != 0x64) return Dnp3LinkStatus::kBadStart;
  if (r.remaining() >= 3 && r.PeekU8(2) < kDnp3MinLength) return Dnp3LinkStatus::kBadLength;
  if (r.remaining() < kDnp3HeaderBytes) {
    need = kDnp3HeaderBytes - r.remaining();
    return Dnp3LinkStatus::kNeedMore;
  }
  std::span<const uint8_t> covered = r.PeekRest().first(kDnp3HeaderBytes - 2);
  r.Skip(2);
  out.header.length = r.U8();
  out.header.control = r.U8();
  out.header.destination = r.U16Le();
  out.header.source = r.U16Le();
  uint16_t crc = r.U16Le();
  if (crc != Dnp3Crc(covered)) return Dnp3LinkStatus::kBadHeaderCrc;

  out.wire_bytes = Dnp3FrameBytes(out.header.length);
  if (bytes.size() < out.wire_bytes) {
    need = out.wire_bytes - bytes.size();
    return Dnp3LinkStatus::kNeedMore;
  }
  size_t data = out.header.length - kDnp3MinLength;
  out.user_data_bytes = 0;
  out.data_crc_ok = true;
  while (data > 0) {
    size_t block = std::min(data, kDnp3BlockBytes);
    std::span<const uint8_t> chunk = r.Bytes(block);
    uint16_t block_crc = r.U16Le();
    if (!r.ok()) break;  // cannot happen: wire_bytes was checked above
    if (block_crc != Dnp3Crc(chunk)) out.data_crc_ok = false;
    std::copy(chunk.begin(), chunk.end(),
              out.user_data.begin() + static_cast<ptrdiff_t>(out.user_data_bytes));
    out.user_data_bytes += block;
    data -= block;
  }
  return Dnp3LinkStatus::kOk;
}

bool ParseDnp3Application(std::span<const uint8_t> fragment, Dnp3Apdu& out) {
  core::ByteReader r(fragment);
  out.control = r.U8();
  out.function = r.U8();
  if (!r.ok()) return false;
  out.has_iin = false;
  out.iin = 0;
  out.object_count = 0;
  out.attribute_count = 0;
  out.objects_capped = out.objects_bad = out.objects_unsized = false;
  if (out.is_response()) {
    uint16_t iin = r.U16Be();
    if (!r.ok()) {
      out.objects_bad = true;
      return true;
    }
    out.has_iin = true;
    out.iin = iin;
  }
  size_t walked = 0;
  while (!r.empty()) {
    if (out.object_count == kMaxDnp3ObjectHeaders) {
      out.objects_capped = true;
      break;
    }
    Dnp3ObjectHeader& h = out.objects[out.object_count];
    h = Dnp3ObjectHeader{};
    if (!ReadObjectHeader(r, h, out)) {
      // A header cut short is not kept; one with a bad range still names its object.
      if (r.ok()) ++out.object_count;
      break;
    }
    ++out.object_count;
    if (!WalkObjects(r, out.function, h, out, walked)) break;
  }
  return true;
}

const char* Dnp3FunctionName(uint8_t function) {
  switch (function) {
    case kDnp3Confirm:
      return "confirm";
    case kDnp3Read:
      return "read";
    case kDnp3Write:
      return "write";
    case kDnp3Select:
      return "select";
    case kDnp3Operate:
      return "operate";
    case kDnp3DirectOperate:
      return "direct-operate";
    case kDnp3DirectOperateNoAck:
      return "direct-operate-no-ack";
    case kDnp3ImmediateFreeze:
      return "immediate-freeze";
    case kDnp3ImmediateFreezeNoAck:
      return "immediate-freeze-no-ack";
    case kDnp3FreezeClear:
      return "freeze-and-clear";
    case kDnp3FreezeClearNoAck:
      return "freeze-and-clear-no-ack";
    case kDnp3FreezeAtTime:
      return "freeze-at-time";
    case kDnp3FreezeAtTimeNoAck:
      return "freeze-at-time-no-ack";
    case kDnp3ColdRestart:
      return "cold-restart";
    case kDnp3WarmRestart:
      return "warm-restart";
    case kDnp3InitializeData:
      return "initialize-data";
    case kDnp3InitializeApplication:
      return "initialize-application";
    case kDnp3StartApplication:
      return "start-application";
    case kDnp3StopApplication:
      return "stop-application";
    case kDnp3SaveConfiguration:
      return "save-configuration";
    case kDnp3EnableUnsolicited:
      return "enable-unsolicited";
    case kDnp3DisableUnsolicited:
      return "disable-unsolicited";
    case kDnp3AssignClass:
      return "assign-class";
    case kDnp3DelayMeasure:
      return "delay-measure";
    case kDnp3RecordCurrentTime:
      return "record-current-time";
    case kDnp3OpenFile:
      return "open-file";
    case kDnp3CloseFile:
      return "close-file";
    case kDnp3DeleteFile:
      return "delete-file";
    case kDnp3GetFileInfo:
      return "get-file-info";
    case kDnp3AuthenticateFile:
      return "authenticate-file";
    case kDnp3AbortFile:
      return "abort-file";
    case kDnp3ActivateConfig:
      return "activate-config";
    case kDnp3AuthenticateRequest:
      return "authenticate-request";
    case kDnp3AuthenticateError:
      return "authenticate-error";
    case kDnp3Response:
      return "response";
    case kDnp3UnsolicitedResponse:
      return "unsolicited-response";
    case kDnp3AuthenticateResponse:
      return "authenticate-response";
    default:
      return "unknown";
  }
}

const char* Dnp3ObjectName(uint8_t group, uint8_t variation) {
  switch (group) {
    case 0:
      return "attr";
    case 1:
      return "bi";
    case 2:
      return "bi-event";
    case 3:
      return "dbi";
    case 4:
      return "dbi-event";
    case 10:
      return "bo";
    case 11:
      return "bo-event";
    case 12:
      return variation == 1 ? "crob" : variation == 2 ? "pcb" : "pattern-mask";
    case 13:
      return "bo-cmd-event";
    case 20:
      return "counter";
    case 21:
      return "frozen-counter";
    case 22:
      return "counter-event";
    case 23:
      return "frozen-counter-event";
    case 30:
      return "ai";
    case 31:
      return "frozen-ai";
    case 32:
      return "ai-event";
    case 33:
      return "frozen-ai-event";
    case 34:
      return "ai-deadband";
    case 40:
      return "ao";
    case 41:
      return "aob";
    case 42:
      return "ao-event";
    case 43:
      return "ao-cmd-event";
    case 50:
      return "time";
    case 51:
      return "cto";
    case 52:
      return "delay";
    case 60:
      switch (variation) {
        case 1:
          return "class0";
        case 2:
          return "class1";
        case 3:
          return "class2";
        case 4:
          return "class3";
        default:
          return "class";
      }
    case 70:
      return "file";
    case 80:
      return "iin";
    case 110:
      return "octet-string";
    case 111:
      return "octet-string-event";
    case 112:
      return "vt-output";
    case 113:
      return "vt-event";
    case 120:
      return "auth";
    case 121:
      return "auth-stat";
    case 122:
      return "auth-stat-event";
    default:
      return "";
  }
}

const char* Dnp3ControlStatusName(uint8_t status) {
  switch (status) {
    case 0:
      return "success";
    case 1:
      return "timeout";
    case 2:
      return "no-select";
    case 3:
      return "format-error";
    case 4:
      return "not-supported";
    case 5:
      return "already-active";
    case 6:
      return "hardware-error";
    case 7:
      return "local";
    case 8:
      return "too-many-objects";
    case 9:
      return "not-authorized";
    case 10:
      return "automation-inhibit";
    case 11:
      return "processing-limited";
    case 12:
      return "out-of-range";
    case 126:
      return "non-participating";
    case 127:
      return "undefined";
    default:
      return "";
  }
}

}  // namespace qw::dissect
