// ODVA, The CIP Networks Library Volume 1: Common Industrial Protocol: 2-4 (message router
// request/response formats), appendix C (EPATH segments), 3-5.5 (Connection Manager: Forward
// Open, Forward Close, Unconnected Send), A-4.10 (Multiple Service Packet), 5A-2 (Identity
// object). Rockwell Automation 1770-6.5.16 (DF1 / PCCC command set) for Execute PCCC.
//
// clang-format off
//  Request:   | service:1 (bit 7 = 0) | path size:1 (16-bit words) | path:2*size | data |
//  Response:  | service|0x80:1 | reserved:1 | general status:1 | additional size:1 (words) |
//             | additional status:2*size | data |
//  EPATH segment, by the top three bits of its first byte:
//    000 port       | 0x0p | link:1 |  or  | 0x1p | link size:1 | [port:2 if p=15] | link | [pad] |
//    001 logical    | 001 type:3 format:2 | value: 8-bit | or | pad | 16-bit | or | pad | 32-bit |
//                   type 0 class, 1 instance, 2 member, 3 connection point, 4 attribute,
//                   5 special (0x34 electronic key: | format:1 (4) | key:8 |), 6 service id
//    010 network    | 0x4x | byte |  or  | 0x5x | size (words):1 | data:2*size |
//    011 symbolic   | 0x6n | name:n | [pad] |  or  | 0x60 | extended format:1 | ... | [pad] |
//    100 data       | 0x80 | size (words):1 | data:2*size |
//                   | 0x91 | size (bytes):1 | ANSI name:size | [pad] |
//  Unconnected Send data: | priority/tick:1 | timeout ticks:1 | message size:2 | message |
//                         | [pad if size odd] | route path size (words):1 | reserved:1 | route path |
//  Multiple Service Packet data: | count:2 | offset:2 * count | member messages |
//  Forward Open data: | priority/tick:1 | timeout ticks:1 | O->T id:4 | T->O id:4 | serial:2 |
//                     | vendor:2 | originator serial:4 | timeout multiplier:1 | reserved:3 |
//                     | O->T RPI:4 | O->T params:2 (Large: 4) | T->O RPI:4 | T->O params:2 (4) |
//                     | transport:1 | path size (words):1 | connection path |
//  Forward Close data: | priority/tick:1 | timeout ticks:1 | serial:2 | vendor:2 |
//                      | originator serial:4 | path size (words):1 | reserved:1 | path |
//  Execute PCCC data: | requestor id length:1 | vendor:2 | serial:4 | ... | PCCC command |
//  PCCC command: | command:1 | status:1 | transaction:2 | [function:1] | data |
//  Identity Get_Attributes_All reply: | vendor:2 | device type:2 | product code:2 | major:1 |
//                                     | minor:1 | status:2 | serial:4 | name length:1 | name |
// clang-format on
#include "dissect/enip/cip_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::enip {

namespace {

// Skips the pad byte that keeps a segment 16-bit aligned; a path that ends without it
// (some devices drop the last pad) is accepted.
void SkipPad(core::ByteReader& r) {
  if (!r.empty()) r.Skip(1);
}

// Reads a logical segment's value in `format` (0 8-bit, 1 16-bit, 2 32-bit after a pad).
bool ReadLogicalValue(core::ByteReader& r, uint8_t format, uint32_t& value) {
  switch (format) {
    case 0:
      value = r.U8();
      break;
    case 1:
      r.Skip(1);
      value = r.U16Le();
      break;
    case 2:
      r.Skip(1);
      value = r.U32Le();
      break;
    default:
      return false;  // format 3 is reserved
  }
  return r.ok();
}

// Reads one segment starting with `first`; false when it is malformed or of a reserved type.
bool ReadSegment(uint8_t first, core::ByteReader& r, CipSegment& seg) {
  switch (first & 0xe0) {
    case 0x00: {  // port segment
      seg.kind = CipSegmentKind::kPort;
      seg.value = first & 0x0f;
      bool extended_link = (first & 0x10) != 0;
      uint8_t link_size = extended_link ? r.U8() : 1;
      if (seg.value == 15) seg.value = r.U16Le();
      seg.bytes = r.Bytes(link_size);
      if (!r.ok() || link_size == 0) return false;
      seg.link = core::ByteReader(seg.bytes).U8();
      // The extended form is padded to an even length: first byte, size byte, link bytes.
      if (extended_link && link_size % 2 != 0) SkipPad(r);
      return r.ok();
    }
    case 0x20: {  // logical segment
      uint8_t type = (first >> 2) & 0x07;
      uint8_t format = first & 0x03;
      switch (type) {
        case 0:
          seg.kind = CipSegmentKind::kClass;
          break;
        case 1:
          seg.kind = CipSegmentKind::kInstance;
          break;
        case 2:
          seg.kind = CipSegmentKind::kMember;
          break;
        case 3:
          seg.kind = CipSegmentKind::kConnectionPoint;
          break;
        case 4:
          seg.kind = CipSegmentKind::kAttribute;
          break;
        case 5: {
          // Only the electronic key (format 4, eight bytes of key) is defined.
          seg.kind = CipSegmentKind::kElectronicKey;
          uint8_t key_format = r.U8();
          seg.value = key_format;
          seg.bytes = r.Bytes(8);
          return r.ok() && first == 0x34 && key_format == 4;
        }
        case 6:
          seg.kind = CipSegmentKind::kServiceId;
          break;
        default:
          // Extended logical: a type byte, then a value in the segment's format.
          seg.kind = CipSegmentKind::kNetwork;
          r.Skip(1);
          break;
      }
      return ReadLogicalValue(r, format, seg.value);
    }
    case 0x40: {  // network segment
      seg.kind = CipSegmentKind::kNetwork;
      seg.value = first;
      if ((first & 0x10) == 0) {
        r.Skip(1);
      } else {
        uint8_t words = r.U8();
        seg.bytes = r.Bytes(size_t{words} * 2);
      }
      return r.ok();
    }
    case 0x60: {  // symbolic segment
      seg.kind = CipSegmentKind::kSymbol;
      uint8_t size = first & 0x1f;
      size_t used = 1;
      if (size > 0) {
        seg.bytes = r.Bytes(size);
        used += size;
      } else {
        uint8_t ext = r.U8();
        uint8_t n = ext & 0x1f;
        used += 1;
        switch (ext >> 5) {
          case 1:  // double-byte characters
            seg.bytes = r.Bytes(size_t{n} * 2);
            used += size_t{n} * 2;
            break;
          case 2:  // triple-byte characters
            seg.bytes = r.Bytes(size_t{n} * 3);
            used += size_t{n} * 3;
            break;
          case 6: {  // numeric symbol: 6 USINT, 7 UINT, 8 UDINT
            seg.kind = CipSegmentKind::kMember;
            if (n == 6) {
              seg.value = r.U8();
              used += 1;
            } else if (n == 7) {
              seg.value = r.U16Le();
              used += 2;
            } else if (n == 8) {
              seg.value = r.U32Le();
              used += 4;
            } else {
              return false;
            }
            break;
          }
          default:
            return false;
        }
      }
      if (used % 2 != 0) SkipPad(r);
      return r.ok();
    }
    case 0x80: {  // data segment
      if (first == 0x80) {
        seg.kind = CipSegmentKind::kData;
        uint8_t words = r.U8();
        seg.bytes = r.Bytes(size_t{words} * 2);
        return r.ok();
      }
      if (first == 0x91) {
        seg.kind = CipSegmentKind::kSymbol;
        uint8_t size = r.U8();
        seg.bytes = r.Bytes(size);
        if (size % 2 != 0) SkipPad(r);
        return r.ok();
      }
      return false;
    }
    default:
      return false;  // data type segments do not belong in a path; 0xe0 is reserved
  }
}

}  // namespace

CipPath ParseCipPath(std::span<const uint8_t> bytes) {
  CipPath path;
  core::ByteReader r(bytes);
  while (!r.empty()) {
    if (path.count == kMaxCipPathSegments) {
      path.capped = true;
      break;
    }
    CipSegment seg;
    if (!ReadSegment(r.U8(), r, seg)) {
      path.malformed = true;
      break;
    }
    path.segments[path.count++] = seg;
    switch (seg.kind) {
      case CipSegmentKind::kClass:
        // A new class starts a new object: what addressed the previous one no longer applies.
        path.has_class = true;
        path.class_id = seg.value;
        path.has_instance = false;
        path.has_attribute = false;
        break;
      case CipSegmentKind::kInstance:
        path.has_instance = true;
        path.instance = seg.value;
        break;
      case CipSegmentKind::kAttribute:
        path.has_attribute = true;
        path.attribute = seg.value;
        break;
      case CipSegmentKind::kSymbol:
        path.symbolic = true;
        break;
      case CipSegmentKind::kPort:
        path.routed = true;
        break;
      default:
        break;
    }
  }
  return path;
}

bool IsCipResponse(std::span<const uint8_t> message) {
  core::ByteReader r(message);
  return (r.U8() & kCipResponseBit) != 0 && r.ok();
}

std::optional<CipRequest> ParseCipRequest(std::span<const uint8_t> message) {
  core::ByteReader r(message);
  CipRequest req;
  req.service = r.U8();
  uint8_t words = r.U8();
  std::span<const uint8_t> path = r.Bytes(size_t{words} * 2);
  if (!r.ok() || (req.service & kCipResponseBit) != 0) return std::nullopt;
  req.path = ParseCipPath(path);
  req.data = r.Rest();
  return req;
}

std::optional<CipResponse> ParseCipResponse(std::span<const uint8_t> message) {
  core::ByteReader r(message);
  CipResponse resp;
  resp.service = r.U8();
  r.Skip(1);  // reserved
  resp.general_status = r.U8();
  resp.additional_words = r.U8();
  core::ByteReader additional = r.Sub(size_t{resp.additional_words} * 2);
  if (!r.ok() || (resp.service & kCipResponseBit) == 0) return std::nullopt;
  if (resp.additional_words > 0) resp.extended_status = additional.U16Le();
  resp.data = r.Rest();
  return resp;
}

std::optional<CipUnconnectedSend> ParseUnconnectedSend(std::span<const uint8_t> data) {
  core::ByteReader r(data);
  CipUnconnectedSend us;
  us.priority_tick = r.U8();
  us.timeout_ticks = r.U8();
  uint16_t size = r.U16Le();
  us.message = r.Bytes(size);
  if (!r.ok()) return std::nullopt;
  if (size % 2 != 0) SkipPad(r);
  // Some originators leave the route path out when the target is the device itself.
  if (r.remaining() >= 2) {
    uint8_t words = r.U8();
    r.Skip(1);  // reserved
    std::span<const uint8_t> route = r.Bytes(size_t{words} * 2);
    if (!r.ok()) return std::nullopt;
    us.route = ParseCipPath(route);
  }
  return us;
}

std::optional<CipMultiple> ParseMultipleService(std::span<const uint8_t> data) {
  core::ByteReader r(data);
  CipMultiple m;
  m.declared = r.U16Le();
  // Offsets of the members kept, and the one after the last kept (its end).
  std::array<uint16_t, kMaxCipMspServices + 1> offsets{};
  size_t kept = 0;
  for (uint16_t i = 0; i < m.declared; ++i) {
    uint16_t off = r.U16Le();
    if (kept < offsets.size()) offsets[kept++] = off;
  }
  if (!r.ok()) return std::nullopt;
  size_t table_end = r.position();
  m.count = kept > kMaxCipMspServices ? kMaxCipMspServices : kept;
  m.capped = m.declared > kMaxCipMspServices;
  for (size_t i = 0; i < m.count; ++i) {
    size_t start = offsets[i];
    size_t end = i + 1 < kept ? offsets[i + 1] : data.size();
    if (start < table_end || end < start || end > data.size()) return std::nullopt;
    core::ByteReader member(data);
    member.Skip(start);
    m.members[i] = member.Bytes(end - start);
  }
  return m;
}

std::optional<CipForwardOpen> ParseForwardOpen(std::span<const uint8_t> data, bool large) {
  core::ByteReader r(data);
  CipForwardOpen fo;
  r.Skip(2);  // priority/time tick, timeout ticks
  fo.ot_connection_id = r.U32Le();
  fo.to_connection_id = r.U32Le();
  fo.connection_serial = r.U16Le();
  fo.originator_vendor = r.U16Le();
  fo.originator_serial = r.U32Le();
  r.Skip(4);  // timeout multiplier, reserved
  size_t params = large ? 4 : 2;
  r.Skip(4 + params + 4 + params);  // O->T RPI and parameters, T->O RPI and parameters
  fo.transport = r.U8();
  uint8_t words = r.U8();
  std::span<const uint8_t> path = r.Bytes(size_t{words} * 2);
  if (!r.ok()) return std::nullopt;
  fo.connection_path = ParseCipPath(path);
  return fo;
}

std::optional<CipForwardClose> ParseForwardClose(std::span<const uint8_t> data) {
  core::ByteReader r(data);
  CipForwardClose fc;
  r.Skip(2);  // priority/time tick, timeout ticks
  fc.connection_serial = r.U16Le();
  fc.originator_vendor = r.U16Le();
  fc.originator_serial = r.U32Le();
  uint8_t words = r.U8();
  r.Skip(1);  // reserved
  std::span<const uint8_t> path = r.Bytes(size_t{words} * 2);
  if (!r.ok()) return std::nullopt;
  fc.connection_path = ParseCipPath(path);
  return fc;
}

std::optional<PcccCommand> ParseExecutePccc(std::span<const uint8_t> data, bool response) {
  core::ByteReader r(data);
  // The requestor id length counts itself.
  uint8_t id_len = r.U8();
  if (id_len == 0) return std::nullopt;
  r.Skip(size_t{id_len} - 1);
  PcccCommand c;
  c.command = r.U8();
  c.status = r.U8();
  c.transaction = r.U16Le();
  if (!r.ok()) return std::nullopt;
  uint8_t base = c.command & 0x0f;
  if (!response && (base == 0x06 || base == 0x07 || base == 0x0f)) {
    c.has_function = true;
    c.function = r.U8();
    if (!r.ok()) return std::nullopt;
  }
  c.data = r.Rest();
  return c;
}

std::optional<CipIdentityAttributes> ParseIdentityAttributes(std::span<const uint8_t> data) {
  core::ByteReader r(data);
  CipIdentityAttributes id;
  id.vendor_id = r.U16Le();
  id.device_type = r.U16Le();
  id.product_code = r.U16Le();
  id.revision_major = r.U8();
  id.revision_minor = r.U8();
  id.status = r.U16Le();
  id.serial = r.U32Le();
  uint8_t name_len = r.U8();
  id.product_name = r.Bytes(name_len);
  if (!r.ok()) return std::nullopt;
  return id;
}

}  // namespace qw::dissect::enip
