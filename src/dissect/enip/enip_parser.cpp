// ODVA, The CIP Networks Library Volume 2: EtherNet/IP Adaptation of CIP, chapter 2
// (encapsulation protocol) and chapter 3 (implicit messaging over UDP 2222).
//
// clang-format off
//  Encapsulation header (every integer little-endian):
//    | command:2 | length:2 | session handle:4 | status:4 | sender context:8 | options:4 | data:length |
//  Common Packet Format (SendRRData, SendUnitData, ListIdentity/ListServices replies, I/O):
//    | item count:2 | { type id:2 | length:2 | data:length } * count |
//  SendRRData / SendUnitData data:
//    | interface handle:4 (0 = CIP) | timeout:2 | CPF |
//    unconnected:  Null Address (0x0000, len 0)        + Unconnected Data (0x00b2): | CIP message |
//    connected:    Connected Address (0x00a1, len 4: connection id)
//                                                       + Connected Data (0x00b1): | sequence count:2 | CIP message |
//  Implicit I/O datagram (UDP 2222):
//    | count:2 | Sequenced Address (0x8002, len 8): | connection id:4 | encap sequence:4 |
//              | Connected Data (0x00b1): | [CIP sequence count:2] | I/O data |
//  ListIdentity reply item 0x000c:
//    | encap version:2 | sin_family:2 BE | sin_port:2 BE | sin_addr:4 BE | sin_zero:8 |
//    | vendor id:2 | device type:2 | product code:2 | revision major:1 | minor:1 | status:2 |
//    | serial:4 | product name length:1 | product name | [state:1] |
//  ListServices reply item 0x0100:  | version:2 | capability flags:2 | name:16 |
//  RegisterSession data:            | protocol version:2 | options:2 |
// clang-format on
#include "dissect/enip/enip_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::enip {

bool IsKnownCommand(uint16_t command) {
  switch (command) {
    case kNop:
    case kLegacyListTargets:
    case kListServices:
    case kListIdentity:
    case kListInterfaces:
    case kRegisterSession:
    case kUnregisterSession:
    case kSendRRData:
    case kSendUnitData:
    case kIndicateStatus:
    case kCancel:
      return true;
    default:
      return false;
  }
}

std::optional<EnipHeader> ParseEnipHeader(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  EnipHeader h;
  h.command = r.U16Le();
  h.length = r.U16Le();
  h.session = r.U32Le();
  h.status = r.U32Le();
  h.context = r.U64Le();
  h.options = r.U32Le();
  if (!r.ok()) return std::nullopt;
  return h;
}

std::optional<Cpf> ParseCpf(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  Cpf cpf;
  cpf.declared = r.U16Le();
  if (!r.ok()) return std::nullopt;
  for (uint16_t i = 0; i < cpf.declared; ++i) {
    uint16_t type = r.U16Le();
    uint16_t length = r.U16Le();
    std::span<const uint8_t> data = r.Bytes(length);
    if (!r.ok()) return std::nullopt;
    if (cpf.count == kMaxCpfItems) {
      // Items past the cap are still walked so the list is known to fit.
      cpf.capped = true;
      continue;
    }
    cpf.items[cpf.count++] = CpfItem{type, data};
  }
  return cpf;
}

std::optional<EnipMessage> ParseEnipMessage(std::span<const uint8_t> data) {
  core::ByteReader r(data);
  EnipMessage m;
  m.interface_handle = r.U32Le();
  m.timeout = r.U16Le();
  if (!r.ok()) return std::nullopt;
  auto cpf = ParseCpf(r.Rest());
  if (!cpf) return std::nullopt;
  m.cpf = *cpf;
  for (size_t i = 0; i < m.cpf.count; ++i) {
    const CpfItem& item = m.cpf.items[i];
    core::ByteReader d(item.data);
    switch (item.type) {
      case kCpfConnectedAddress:
      case kCpfSequencedAddress:
        m.connected = true;
        m.connection_id = d.U32Le();
        if (!d.ok()) return std::nullopt;
        break;
      case kCpfConnectedData:
        if (m.has_data) break;  // the first data item is the message
        m.sequence = d.U16Le();
        if (!d.ok()) return std::nullopt;
        m.has_sequence = true;
        m.has_data = true;
        m.cip = d.Rest();
        break;
      case kCpfUnconnectedData:
        if (m.has_data) break;
        m.has_data = true;
        m.cip = item.data;
        break;
      default:
        break;  // null address, sockaddr info and unknown items carry no message
    }
  }
  return m;
}

std::optional<EnipIoFrame> ParseEnipIo(std::span<const uint8_t> datagram) {
  auto cpf = ParseCpf(datagram);
  if (!cpf || cpf->count < 2) return std::nullopt;
  // The CPF must be the whole datagram: trailing bytes mean it is something else.
  size_t used = 2;
  for (size_t i = 0; i < cpf->count; ++i) used += 4 + cpf->items[i].data.size();
  if (!cpf->capped && used != datagram.size()) return std::nullopt;
  EnipIoFrame f;
  f.capped = cpf->capped;
  const CpfItem& addr = cpf->items[0];
  core::ByteReader a(addr.data);
  if (addr.type == kCpfSequencedAddress && addr.data.size() == 8) {
    f.connection_id = a.U32Le();
    f.encap_sequence = a.U32Le();
  } else if (addr.type == kCpfConnectedAddress && addr.data.size() == 4) {
    f.connection_id = a.U32Le();
  } else {
    return std::nullopt;
  }
  if (cpf->items[1].type != kCpfConnectedData) return std::nullopt;
  f.data = cpf->items[1].data;
  return f;
}

namespace {

// One identity item's data; false when it is shorter than its fixed part or name.
bool ParseIdentityItem(std::span<const uint8_t> data, EnipIdentity& id) {
  core::ByteReader r(data);
  id.encap_version = r.U16Le();
  id.sin_family = r.U16Be();
  id.sin_port = r.U16Be();
  for (auto& b : id.sin_addr) b = r.U8();
  r.Skip(8);  // sin_zero
  if (!r.ok()) return false;
  // Then the Identity object's attributes, laid out as Get_Attributes_All returns them.
  const std::span<const uint8_t> rest = r.Rest();
  auto attributes = ParseIdentityAttributes(rest);
  if (!attributes) return false;
  id.attributes = *attributes;
  core::ByteReader after(rest.subspan(kCipIdentityFixedBytes + attributes->product_name.size()));
  if (!after.empty()) {
    id.has_state = true;
    id.state = after.U8();
  }
  return true;
}

}  // namespace

std::optional<EnipIdentityList> ParseListIdentityReply(std::span<const uint8_t> data) {
  auto cpf = ParseCpf(data);
  if (!cpf) return std::nullopt;
  EnipIdentityList list;
  list.capped = cpf->capped;
  for (size_t i = 0; i < cpf->count; ++i) {
    if (cpf->items[i].type != kCpfListIdentity) continue;
    if (list.count == kMaxListItems) {
      list.capped = true;
      break;
    }
    if (!ParseIdentityItem(cpf->items[i].data, list.items[list.count])) return std::nullopt;
    ++list.count;
  }
  return list;
}

std::optional<EnipServiceList> ParseListServicesReply(std::span<const uint8_t> data) {
  auto cpf = ParseCpf(data);
  if (!cpf) return std::nullopt;
  EnipServiceList list;
  list.capped = cpf->capped;
  for (size_t i = 0; i < cpf->count; ++i) {
    if (list.count == kMaxListItems) {
      list.capped = true;
      break;
    }
    core::ByteReader r(cpf->items[i].data);
    EnipService s;
    s.version = r.U16Le();
    s.capability_flags = r.U16Le();
    s.name = r.Bytes(16);
    if (!r.ok()) return std::nullopt;
    list.items[list.count++] = s;
  }
  return list;
}

std::optional<EnipRegisterSession> ParseRegisterSession(std::span<const uint8_t> data) {
  if (data.size() != 4) return std::nullopt;
  core::ByteReader r(data);
  EnipRegisterSession s;
  s.version = r.U16Le();
  s.options = r.U16Le();
  return s;
}

}  // namespace qw::dissect::enip
