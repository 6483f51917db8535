// IEC 61158-6-10:2014, 4.3 (DCP), and the FrameID table of the RT protocol.
//
// clang-format off
//  Ethernet | EtherType 0x8892 | FrameID:2 | data ... (cyclic: | IO data | cycle:2 | data status:1 | transfer status:1 |)
//
//  FrameID  0x0100-0x7fff RT_CLASS_3 (and streams)   0x8000-0xbfff RT_CLASS_1/2
//           0xc000-0xfbff RT_CLASS_1 legacy / UDP    0xfc01 alarm high   0xfe01 alarm low
//           0xfefc DCP hello   0xfefd DCP get/set   0xfefe DCP identify request   0xfeff identify response
//           0xff00-0xff43 PTCP (sync, follow up, delay)
//
//  DCP PDU (after the FrameID):
//    | ServiceID:1 | ServiceType:1 | Xid:4 | ResponseDelay:2 (identify request) or reserved:2 |
//    | DCPDataLength:2 | blocks: DCPDataLength bytes |
//  Block:  | Option:1 | Suboption:1 | DCPBlockLength:2 | value: DCPBlockLength | pad to even |
//    value of identify/get responses and hello:  | BlockInfo:2 | data |
//    value of set requests:                      | BlockQualifier:2 | data |
//    Control/Response (5/4) in set/get responses: | Option:1 | Suboption:1 | BlockError:1 |
//  Get request: blocks are bare | Option:1 | Suboption:1 | pairs.
//  Block data:
//    IP/MAC (1/1)           | MAC:6 |
//    IP/IP (1/2)            | IP:4 | subnet mask:4 | gateway:4 |
//    IP/full suite (1/3)    | IP:4 | subnet mask:4 | gateway:4 | DNS:4 x4 |
//    Device/vendor (2/1)    | DeviceVendorValue: text |
//    Device/name (2/2)      | NameOfStation: text (1..240) |
//    Device/ID (2/3)        | VendorID:2 | DeviceID:2 |
//    Device/role (2/4)      | DeviceRoleDetails:1 | reserved:1 |
//    Device/options (2/5)   | (Option:1 Suboption:1)... |
//    Device/alias (2/6)     | AliasName: text |
//    Control (5/1,2,3,5,6)  | (after the qualifier) signal value:2 for 5/3 |
// clang-format on
#include "dissect/profinet/profinet_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::profinet {
namespace {

constexpr size_t kDcpHeaderBytes = 10;
constexpr size_t kMinRtFrameBytes = 6;  // Wireshark's least PN-RT PDU, frame id included
constexpr uint8_t kSubControlResponse = 4;
constexpr uint8_t kSubIpMac = 1;
constexpr uint8_t kSubIpParameter = 2;
constexpr uint8_t kSubIpFullSuite = 3;
constexpr uint8_t kSubDeviceVendor = 1;
constexpr uint8_t kSubDeviceName = 2;
constexpr uint8_t kSubDeviceId = 3;
constexpr uint8_t kSubDeviceRole = 4;
constexpr uint8_t kSubDeviceAlias = 6;

// True when a block of this option and suboption starts with a BlockInfo or BlockQualifier
// in the PDUs that carry one: the standard options except the Control/Response block.
bool QualifierApplies(uint8_t option, uint8_t suboption) {
  switch (option) {
    case kDcpOptionIp:
    case kDcpOptionDevice:
    case kDcpOptionDhcp:
    case kDcpOptionDeviceInitiative:
      return true;
    case kDcpOptionControl:
      return suboption != kSubControlResponse;
    default:
      return false;
  }
}

// A text field, cut at kMaxDcpTextBytes.
std::span<const uint8_t> Text(std::span<const uint8_t> value) {
  return value.size() > kMaxDcpTextBytes ? value.first(kMaxDcpTextBytes) : value;
}

}  // namespace

std::optional<PnFrame> ParsePnFrame(std::span<const uint8_t> l2_payload) {
  if (l2_payload.size() < kMinRtFrameBytes) return std::nullopt;
  core::ByteReader r(l2_payload);
  PnFrame f;
  f.frame_id = r.U16Be();
  f.data = r.Rest();
  return f;
}

std::optional<DcpPdu> ParseDcp(uint16_t frame_id, std::span<const uint8_t> data,
                               core::Anomalies& anomalies) {
  core::ByteReader r(data);
  DcpPdu pdu;
  pdu.frame_id = frame_id;
  pdu.service_id = r.U8();
  pdu.service_type = r.U8();
  pdu.xid = r.U32Be();
  uint16_t delay_or_reserved = r.U16Be();
  pdu.data_length = r.U16Be();
  if (!r.ok()) {
    anomalies.Raise("pn_dcp.truncated");
    return std::nullopt;
  }
  static_assert(kDcpHeaderBytes == 10, "service id, type, xid, delay, length");
  const auto service = static_cast<DcpService>(pdu.service_id);
  const bool request = pdu.service_type == kDcpRequest;
  if (service == DcpService::kIdentify && request) pdu.response_delay = delay_or_reserved;

  // Ethernet padding follows the PDU, so only DCPDataLength bytes are blocks.
  core::ByteReader blocks;
  if (pdu.data_length > r.remaining()) {
    anomalies.Raise("pn_dcp.data_length_exceeds_frame");
    blocks = r.Sub(r.remaining());
  } else {
    blocks = r.Sub(pdu.data_length);
  }

  const bool known_service = pdu.service_id >= static_cast<uint8_t>(DcpService::kGet) &&
                             pdu.service_id <= static_cast<uint8_t>(DcpService::kHello);
  if (!known_service || !(request || pdu.IsResponse())) return pdu;

  const bool response = pdu.IsResponse();
  const bool selectors_only = service == DcpService::kGet && request;
  const bool with_info = (service == DcpService::kIdentify && response) ||
                         (service == DcpService::kHello && request) ||
                         (service == DcpService::kGet && response);
  const bool with_qualifier = service == DcpService::kSet && request;

  while (!blocks.empty()) {
    if (pdu.block_count == kMaxDcpBlocks) {
      anomalies.Raise("pn_dcp.too_many_blocks");
      break;
    }
    DcpBlock b;
    b.option = blocks.U8();
    b.suboption = blocks.U8();
    if (selectors_only) {
      if (!blocks.ok()) {
        anomalies.Raise("pn_dcp.bad_block_length");
        break;
      }
      pdu.blocks[pdu.block_count++] = b;
      continue;
    }
    b.length = blocks.U16Be();
    core::ByteReader value = blocks.Sub(b.length);
    if (!blocks.ok()) {
      anomalies.Raise("pn_dcp.bad_block_length");
      break;
    }
    if ((with_info || with_qualifier) && QualifierApplies(b.option, b.suboption) &&
        value.remaining() >= 2) {
      b.has_qualifier = true;
      b.qualifier = value.U16Be();
    }
    b.value = value.Rest();
    // A block of odd length is padded to an even one when anything follows it.
    if ((b.length & 1) != 0 && !blocks.empty()) blocks.Skip(1);
    pdu.blocks[pdu.block_count++] = b;
  }
  return pdu;
}

DcpStation StationOf(const DcpPdu& pdu, core::Anomalies& anomalies) {
  DcpStation s;
  bool bad = false;
  for (const DcpBlock& b : pdu.Blocks()) {
    core::ByteReader v(b.value);
    if (b.option == kDcpOptionIp) {
      if (b.suboption == kSubIpMac) {
        auto mac = v.Bytes(6);
        if (!v.ok()) {
          bad = true;
          continue;
        }
        s.has_mac = true;
        s.mac = core::MacAddr::From(mac);
      } else if (b.suboption == kSubIpParameter || b.suboption == kSubIpFullSuite) {
        auto ip = v.Bytes(4);
        auto mask = v.Bytes(4);
        auto gw = v.Bytes(4);
        if (!v.ok()) {
          bad = true;
          continue;
        }
        s.has_ip = true;
        s.ip_info = b.qualifier;
        s.ip = core::IpAddr::V4(ip);
        s.netmask = core::IpAddr::V4(mask);
        s.gateway = core::IpAddr::V4(gw);
      }
    } else if (b.option == kDcpOptionDevice) {
      switch (b.suboption) {
        case kSubDeviceVendor:
          s.vendor_value = Text(b.value);
          break;
        case kSubDeviceName:
          s.name_of_station = Text(b.value);
          break;
        case kSubDeviceAlias:
          s.alias_name = Text(b.value);
          break;
        case kSubDeviceId: {
          uint16_t vendor = v.U16Be();
          uint16_t device = v.U16Be();
          if (!v.ok()) {
            bad = true;
            break;
          }
          s.has_device_id = true;
          s.vendor_id = vendor;
          s.device_id = device;
          break;
        }
        case kSubDeviceRole: {
          uint8_t role = v.U8();
          if (!v.ok()) {
            bad = true;
            break;
          }
          s.has_role = true;
          s.role = role;
          break;
        }
        default:
          break;
      }
    }
  }
  if (bad) anomalies.Raise("pn_dcp.bad_block_value");
  return s;
}

std::optional<DcpBlockError> FirstBlockError(const DcpPdu& pdu) {
  for (const DcpBlock& b : pdu.Blocks()) {
    if (b.option != kDcpOptionControl || b.suboption != kSubControlResponse) continue;
    core::ByteReader v(b.value);
    DcpBlockError e;
    e.option = v.U8();
    e.suboption = v.U8();
    e.error = v.U8();
    if (v.ok() && e.error != 0) return e;
  }
  return std::nullopt;
}

const char* DcpServiceName(uint8_t service_id) {
  switch (static_cast<DcpService>(service_id)) {
    case DcpService::kGet:
      return "get";
    case DcpService::kSet:
      return "set";
    case DcpService::kIdentify:
      return "identify";
    case DcpService::kHello:
      return "hello";
  }
  return "unknown";
}

const char* DcpBlockErrorName(uint8_t error) {
  switch (error) {
    case 0:
      return "ok";
    case 1:
      return "option-unsupported";
    case 2:
      return "suboption-unsupported";
    case 3:
      return "suboption-not-set";
    case 4:
      return "resource-error";
    case 5:
      return "set-not-possible";
    case 6:
      return "in-operation";
    default:
      return "unknown";
  }
}

}  // namespace qw::dissect::profinet
