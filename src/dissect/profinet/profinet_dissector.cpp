#include "dissect/profinet/profinet_dissector.h"

#include <fmt/format.h>

#include <string>

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/text_field.h"

namespace qw::dissect::profinet {
namespace {

constexpr const char* kDcp = "pn_dcp";
constexpr const char* kRt = "pn_rt";

constexpr uint8_t kSubIpParameter = 2;
constexpr uint8_t kSubIpFullSuite = 3;
constexpr uint8_t kSubDeviceName = 2;
constexpr uint8_t kSubDeviceId = 3;
constexpr uint8_t kSubDeviceRole = 4;
constexpr uint8_t kSubDeviceAlias = 6;
constexpr uint8_t kSubControlSignal = 3;
constexpr uint8_t kSubControlFactoryReset = 5;
constexpr uint8_t kSubControlResetToFactory = 6;
constexpr uint16_t kPiVendorSiemens = 0x002a;

using Target = core::FixedText<112>;

// Short name of a block's option and suboption, as the target shows selectors.
const char* BlockName(uint8_t option, uint8_t suboption) {
  switch (option) {
    case kDcpOptionIp:
      return suboption == 1 ? "mac" : suboption == 2 ? "ip" : suboption == 3 ? "ip-suite" : "ip-?";
    case kDcpOptionDevice:
      switch (suboption) {
        case 1:
          return "vendor";
        case 2:
          return "name";
        case 3:
          return "device-id";
        case 4:
          return "role";
        case 5:
          return "options";
        case 6:
          return "alias";
        case 7:
          return "instance";
        case 8:
          return "oem-id";
        default:
          return "device-?";
      }
    case kDcpOptionDhcp:
      return "dhcp";
    case kDcpOptionControl:
      return "control";
    case kDcpOptionDeviceInitiative:
      return "device-initiative";
    case kDcpOptionAll:
      return "all";
    default:
      return "option";
  }
}

// Appends a dotted-quad IPv4 address without allocating.
template <size_t N>
void AppendIpv4(core::FixedText<N>& t, std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  for (int i = 0; i < 4; ++i) {
    if (i > 0) t.Append('.');
    t.AppendUint(r.U8());
  }
}

// The bytes of a text field as characters (a view).
std::string_view Chars(std::span<const uint8_t> bytes) {
  return core::ByteReader(bytes).Chars(bytes.size());
}

// Appends "; " between items of a target.
void Separate(Target& t) {
  if (!t.empty()) t.Append("; ");
}

// What a reset-to-factory BlockQualifier resets (its low bit only says "permanent").
const char* ResetScope(uint16_t qualifier) {
  switch (qualifier & 0xfffe) {
    case 0x0002:
      return "application-data";
    case 0x0004:
      return "communication";
    case 0x0006:
    case 0x000a:
      return "engineering";
    case 0x0008:
      return "all-data";
    case 0x0010:
      return "factory-values";
    case 0x0012:
      return "reset-and-restore";
    default:
      return "reserved";
  }
}

// Appends an IP parameter value (IP, mask, gateway).
void AppendIpParameter(Target& t, std::span<const uint8_t> value) {
  core::ByteReader v(value);
  auto ip = v.Bytes(4);
  auto mask = v.Bytes(4);
  auto gw = v.Bytes(4);
  if (!v.ok()) {
    t.Append("ip ?");
    return;
  }
  t.Append("ip ");
  AppendIpv4(t, ip);
  t.Append(" mask ");
  AppendIpv4(t, mask);
  t.Append(" gw ");
  AppendIpv4(t, gw);
}

// A set request: what it changes, its function name and its category.
void DescribeSet(const DcpPdu& pdu, IcsOperation& op) {
  enum Rank { kSet, kSignal, kDhcp, kIp, kName, kFactoryReset, kResetToFactory };
  static constexpr const char* kNames[] = {"set",      "signal",        "set-dhcp",        "set-ip",
                                           "set-name", "factory-reset", "reset-to-factory"};
  Rank rank = kSet;
  auto raise = [&rank](Rank r) { rank = r > rank ? r : rank; };
  for (const DcpBlock& b : pdu.Blocks()) {
    if (b.option == kDcpOptionControl && (b.suboption == 1 || b.suboption == 2)) {
      continue;  // start and end of a transaction only bracket the other blocks
    }
    Separate(op.target);
    if (b.option == kDcpOptionIp &&
        (b.suboption == kSubIpParameter || b.suboption == kSubIpFullSuite)) {
      AppendIpParameter(op.target, b.value);
      raise(kIp);
    } else if (b.option == kDcpOptionDevice &&
               (b.suboption == kSubDeviceName || b.suboption == kSubDeviceAlias)) {
      op.target.Append(BlockName(b.option, b.suboption)).Append(' ');
      op.target.AppendPrintable(Chars(b.value));
      if (b.suboption == kSubDeviceName) raise(kName);
    } else if (b.option == kDcpOptionControl && b.suboption == kSubControlSignal) {
      op.target.Append("signal");
      raise(kSignal);
    } else if (b.option == kDcpOptionControl && b.suboption == kSubControlFactoryReset) {
      op.target.Append("factory-reset");
      raise(kFactoryReset);
    } else if (b.option == kDcpOptionControl && b.suboption == kSubControlResetToFactory) {
      op.target.Append("reset-to-factory ").Append(ResetScope(b.qualifier));
      raise(kResetToFactory);
    } else if (b.option == kDcpOptionDhcp) {
      op.target.Append("dhcp option ").AppendUint(b.suboption);
      raise(kDhcp);
    } else {
      op.target.Append(BlockName(b.option, b.suboption));
      op.target.Append(' ').AppendUint(b.option).Append('/').AppendUint(b.suboption);
    }
    // BlockQualifier bit 0: keep the value across power cycles.
    if (b.has_qualifier && b.option != kDcpOptionControl && (b.qualifier & 1) != 0) {
      op.target.Append(" permanent");
    }
  }
  op.function = kNames[rank];
  op.category = rank >= kFactoryReset ? IcsCategory::kControllerState : IcsCategory::kWrite;
}

// An identify request: its filter ("all", or the name, alias, ids it looks for).
void DescribeIdentify(const DcpPdu& pdu, Target& t) {
  for (const DcpBlock& b : pdu.Blocks()) {
    Separate(t);
    core::ByteReader v(b.value);
    t.Append(BlockName(b.option, b.suboption));
    if (b.option == kDcpOptionDevice &&
        (b.suboption == kSubDeviceName || b.suboption == kSubDeviceAlias || b.suboption == 1)) {
      t.Append(' ').AppendPrintable(Chars(b.value));
    } else if (b.option == kDcpOptionDevice && b.suboption == kSubDeviceId) {
      uint16_t vendor = v.U16Be();
      uint16_t device = v.U16Be();
      if (v.ok()) t.Append(" vendor ").AppendHex(vendor, 4).Append(" device ").AppendHex(device, 4);
    } else if (b.option == kDcpOptionDevice && b.suboption == kSubDeviceRole) {
      uint8_t role = v.U8();
      if (v.ok()) t.Append(' ').AppendHex(role, 2);
    } else if (b.option == kDcpOptionIp && b.suboption == kSubIpParameter) {
      auto ip = v.Bytes(4);
      if (v.ok()) {
        t.Append(' ');
        AppendIpv4(t, ip);
      }
    }
  }
}

// A get request: the options it reads.
void DescribeGet(const DcpPdu& pdu, Target& t) {
  for (const DcpBlock& b : pdu.Blocks()) t.AppendListItem(BlockName(b.option, b.suboption));
}

// Text of a DCP string field (bounded and printable; see TextField).
std::string TextOf(std::span<const uint8_t> bytes) {
  bool truncated = false;
  return TextField(bytes, kMaxDcpTextBytes, truncated);
}

// The device roles of a DeviceRoleDetails value, as text.
std::string RoleText(uint8_t role) {
  static constexpr const char* kRoles[] = {"IO-Device", "IO-Controller", "IO-Multidevice",
                                           "IO-Supervisor"};
  std::string out;
  for (int bit = 0; bit < 4; ++bit) {
    if ((role >> bit & 1) == 0) continue;
    if (!out.empty()) out += ", ";
    out += kRoles[bit];
  }
  return out.empty() ? fmt::format("0x{:02x}", role) : out;
}

void DissectDcp(const DcpPdu& pdu, const FrameContext& ctx, ObservationSink& sink,
                core::Anomalies& anomalies) {
  const bool request = pdu.service_type == kDcpRequest;
  const bool response = pdu.IsResponse();
  const bool error = pdu.service_type == kDcpResponseUnsupported || FirstBlockError(pdu);
  const PduKind kind = request    ? PduKind::kRequest
                       : response ? PduKind::kResponse
                                  : PduKind::kOther;
  CountPdu(ctx, sink, kDcp, pdu.service_id, kind, response && error, "functions");
  sink.OnPduDetail(PduDetail{kDcp, "service_types", pdu.service_type});

  if (auto op = OperationOf(pdu, ctx)) sink.OnIcsOperation(*op);

  // The device speaks for itself in identify and get responses and in hello requests.
  const auto service = static_cast<DcpService>(pdu.service_id);
  const bool reveals = (response && pdu.service_type == kDcpResponseSuccess &&
                        (service == DcpService::kIdentify || service == DcpService::kGet)) ||
                       (request && service == DcpService::kHello);
  if (!reveals) return;
  DeviceIdentity id = IdentityOf(StationOf(pdu, anomalies), ctx, ctx.src_mac);
  if (!id.fields.empty()) sink.OnIdentity(id);
}

}  // namespace

std::optional<IcsOperation> OperationOf(const DcpPdu& pdu, const FrameContext& ctx) {
  if (pdu.service_type != kDcpRequest) return std::nullopt;
  IcsOperation op;
  op.protocol = kDcp;
  op.function_code = pdu.service_id;
  op.function = DcpServiceName(pdu.service_id);
  switch (static_cast<DcpService>(pdu.service_id)) {
    case DcpService::kSet:
      DescribeSet(pdu, op);
      break;
    case DcpService::kGet:
      op.category = IcsCategory::kRead;
      DescribeGet(pdu, op.target);
      break;
    case DcpService::kIdentify:
      op.category = IcsCategory::kIdentity;
      DescribeIdentify(pdu, op.target);
      break;
    default:
      return std::nullopt;  // hello announces; unknown services stay counted only
  }
  // The request went to the device (or to the DCP identify multicast address).
  op.where = EndpointsFor(ctx, ctx.dst_mac);
  op.request_frame = ctx.frame;
  op.ts = ctx.ts;
  op.seq = 0;  // a frame carries one DCP PDU
  return op;
}

DeviceIdentity IdentityOf(const DcpStation& s, const FrameContext& ctx, const core::MacAddr& mac) {
  DeviceIdentity id;
  id.protocol = kDcp;
  id.capture_index = ctx.capture_index;
  id.frame = ctx.frame;
  id.mac = mac;
  auto add = [&id](const char* key, std::string value) {
    if (!value.empty()) id.fields.emplace_back(key, std::move(value));
  };
  add("name", TextOf(s.name_of_station));
  add("product", TextOf(s.vendor_value));
  if (s.has_device_id) {
    add("vendor_id", fmt::format("0x{:04x}", s.vendor_id));
    add("product_code", fmt::format("0x{:04x}", s.device_id));
    // PROFIBUS & PROFINET International vendor ids; only the one beyond doubt is named.
    if (s.vendor_id == kPiVendorSiemens) add("vendor", "Siemens");
  }
  if (s.has_role) add("role", RoleText(s.role));
  // An IP block of all zeros says "no address yet"; it names nothing.
  if (s.has_ip && !s.ip.IsUnspecified()) {
    add("ip", s.ip.ToString());
    add("netmask", s.netmask.ToString());
    add("gateway", s.gateway.ToString());
  }
  return id;
}

void DissectProfinet(const decode::Packet& pkt, const FrameContext& ctx, ObservationSink& sink,
                     core::Anomalies& anomalies) {
  auto frame = ParsePnFrame(pkt.l2_payload);
  if (!frame) {
    anomalies.Raise("pn_rt.truncated");
    return;
  }
  CountPdu(ctx, sink, kRt, FrameIdKey(frame->frame_id), PduKind::kOther, false, "frame_ids");
  if (IsCyclicFrameId(frame->frame_id) || IsAlarmFrameId(frame->frame_id)) {
    sink.OnCyclic(CyclicObservation{kRt, ctx.src_mac, {}});
  }
  if (!IsDcpFrameId(frame->frame_id)) return;
  if (auto pdu = ParseDcp(frame->frame_id, frame->data, anomalies)) {
    DissectDcp(*pdu, ctx, sink, anomalies);
  }
}

}  // namespace qw::dissect::profinet
