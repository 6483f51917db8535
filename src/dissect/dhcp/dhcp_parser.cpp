#include "dissect/dhcp/dhcp_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::dhcp {

namespace {

// RFC 2131 2
// clang-format off
//  | op:1 | htype:1 | hlen:1 | hops:1 | xid:4 | secs:2 | flags:2 | ciaddr:4 | yiaddr:4 |
//  | siaddr:4 | giaddr:4 | chaddr:16 | sname:64 | file:128 | magic cookie:4 | options |
// clang-format on
constexpr size_t kFixedBytes = 236;
constexpr uint32_t kMagicCookie = 0x63825363;

constexpr char kHexDigits[] = "0123456789abcdef";
// The highest DHCPv6 option code IANA had assigned by 2024; a probe refuses higher ones.
constexpr uint16_t kMaxAssignedV6Option = 150;

void AppendHex(std::span<const uint8_t> bytes, Text& out) {
  core::ByteReader r(bytes);
  while (!r.empty() && !out.truncated()) {
    const uint8_t c = r.U8();
    out.Append(kHexDigits[c >> 4]).Append(kHexDigits[c & 0xf]);
  }
}

void AppendPrintable(std::span<const uint8_t> bytes, Text& out) {
  core::ByteReader r(bytes);
  while (!r.empty()) {
    const uint8_t c = r.U8();
    if (c == 0 && r.empty()) break;  // a trailing NUL some clients send
    out.Append(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.');
  }
}

// A domain name in DNS wire form (RFC 1035 3.1) as options 81 and 39 carry it: labels, no
// compression, and no closing root label when the name is partial (RFC 4704 4.2).
void AppendWireName(std::span<const uint8_t> bytes, Text& out, core::Anomalies& anomalies) {
  core::ByteReader r(bytes);
  while (!r.empty()) {
    const uint8_t len = r.U8();
    if (len == 0) break;
    core::ByteReader label = r.Sub(len);
    if (!r.ok() || len > 63) {
      anomalies.Raise("dhcp.bad_fqdn");
      return;
    }
    if (!out.empty()) out.Append('.');
    while (!label.empty()) {
      const uint8_t c = label.U8();
      out.Append(c > 0x20 && c < 0x7f && c != '.' ? static_cast<char>(c) : '?');
    }
  }
}

// Reads the options of one area (the options field, or an overloaded sname or file
// field) into msg. Returns the option overload value (option 52) seen, or 0.
uint8_t ReadOptions(core::ByteReader r, DhcpMessage& msg, core::Anomalies& anomalies) {
  uint8_t overload = 0;
  while (!r.empty()) {
    const uint8_t code = r.U8();
    if (code == 0) continue;  // pad
    if (code == 255) break;   // end
    if (msg.options == kMaxDhcpOptions) {
      anomalies.Raise("dhcp.too_many_options");
      break;
    }
    const uint8_t len = r.U8();
    core::ByteReader v = r.Sub(len);
    if (!r.ok()) {
      anomalies.Raise("dhcp.bad_option");
      break;
    }
    ++msg.options;
    const std::span<const uint8_t> value = v.PeekRest();
    switch (code) {
      case 12:
        msg.host_name.Clear();
        AppendPrintable(value, msg.host_name);
        break;
      case 50:
        if (len == 4) msg.requested_ip = core::IpAddr::V4(value);
        break;
      case 52:
        if (len == 1) overload = v.U8();
        break;
      case 53:
        if (len == 1) msg.message_type = v.U8();
        break;
      case 54:
        if (len == 4) msg.server_id = core::IpAddr::V4(value);
        break;
      case 55:
        msg.parameter_list.Clear();
        while (!v.empty()) {
          if (!msg.parameter_list.empty()) msg.parameter_list.Append(',');
          msg.parameter_list.AppendUint(v.U8());
        }
        break;
      case 60:
        msg.vendor_class.Clear();
        AppendPrintable(value, msg.vendor_class);
        break;
      case 61:
        // Type 1 is a hardware address; 255 an RFC 4361 IAID and DUID; others opaque.
        msg.client_id.Clear();
        if (len > 0) {
          msg.client_id.AppendUint(v.U8()).Append(':');
          AppendHex(v.PeekRest(), msg.client_id);
        }
        break;
      case 81: {
        // RFC 4702 2: flags, two obsolete rcodes, then the name; E (0x04) says wire form.
        const uint8_t flags = v.U8();
        v.Skip(2);
        if (!v.ok()) {
          anomalies.Raise("dhcp.bad_option");
          break;
        }
        msg.fqdn.Clear();
        if (flags & 0x04) {
          AppendWireName(v.PeekRest(), msg.fqdn, anomalies);
        } else {
          AppendPrintable(v.PeekRest(), msg.fqdn);
        }
        break;
      }
      default:
        break;
    }
  }
  return overload;
}

}  // namespace

std::optional<DhcpMessage> ParseDhcp(std::span<const uint8_t> datagram,
                                     core::Anomalies& anomalies) {
  core::ByteReader r(datagram);
  DhcpMessage msg;
  msg.op = r.U8();
  const uint8_t htype = r.U8();
  const uint8_t hlen = r.U8();
  r.Skip(1);  // hops
  msg.xid = r.U32Be();
  r.Skip(4);  // secs, flags
  msg.ciaddr = core::IpAddr::V4(r.Bytes(4));
  msg.yiaddr = core::IpAddr::V4(r.Bytes(4));
  msg.siaddr = core::IpAddr::V4(r.Bytes(4));
  msg.giaddr = core::IpAddr::V4(r.Bytes(4));
  const std::span<const uint8_t> chaddr = r.Bytes(16);
  const std::span<const uint8_t> sname = r.Bytes(64);
  const std::span<const uint8_t> file = r.Bytes(128);
  if (!r.ok() || (msg.op != 1 && msg.op != 2) || hlen > 16) return std::nullopt;
  if (htype == 1 && hlen == 6) msg.client_mac = core::MacAddr::From(chaddr);
  if (r.remaining() < 4 || r.U32Be() != kMagicCookie) return msg;  // BOOTP: no options
  const uint8_t overload = ReadOptions(r.Sub(r.remaining()), msg, anomalies);
  // RFC 2132 9.3: the file field (1), the sname field (2) or both (3) hold options too.
  if (overload & 1) ReadOptions(core::ByteReader(file), msg, anomalies);
  if (overload & 2) ReadOptions(core::ByteReader(sname), msg, anomalies);
  return msg;
}

bool LooksLikeDhcp(std::span<const uint8_t> datagram) {
  core::ByteReader r(datagram);
  const uint8_t op = r.U8(), htype = r.U8(), hlen = r.U8();
  if (datagram.size() < kFixedBytes || (op != 1 && op != 2) || hlen > 16 || htype == 0) {
    return false;
  }
  core::ByteReader cookie(datagram);
  cookie.Skip(kFixedBytes);
  if (cookie.remaining() >= 4 && cookie.U32Be() == kMagicCookie) return true;
  // BOOTP without the cookie (RFC 951; relays and old clients shorten the vendor area):
  // Ethernet addresses and a plausible hop count.
  return htype == 1 && hlen == 6 && r.U8() <= 16;
}

const char* MessageTypeName(uint8_t type) {
  static constexpr const char* kNames[] = {nullptr,
                                           "discover",
                                           "offer",
                                           "request",
                                           "decline",
                                           "ack",
                                           "nak",
                                           "release",
                                           "inform",
                                           "forcerenew",
                                           "leasequery",
                                           "leaseunassigned",
                                           "leaseunknown",
                                           "leaseactive",
                                           "bulkleasequery",
                                           "leasequerydone",
                                           "activeleasequery",
                                           "leasequerystatus",
                                           "tls"};
  return type < std::size(kNames) ? kNames[type] : nullptr;
}

namespace {

// RFC 8415 21: | option-code:2 | option-len:2 | option-data |. Reads the options of one
// container; `relay` receives the Relay Message option (9) when the caller wants it.
void ReadV6Options(core::ByteReader r, Dhcpv6Message& msg, int depth,
                   std::span<const uint8_t>* relay, core::Anomalies& anomalies) {
  while (!r.empty()) {
    if (msg.options == kMaxDhcpv6Options) {
      anomalies.Raise("dhcpv6.too_many_options");
      return;
    }
    const uint16_t code = r.U16Be();
    const uint16_t len = r.U16Be();
    core::ByteReader v = r.Sub(len);
    if (!r.ok()) {
      anomalies.Raise("dhcpv6.bad_option");
      return;
    }
    ++msg.options;
    const std::span<const uint8_t> value = v.PeekRest();
    switch (code) {
      case 1:  // Client Identifier: a DUID
        msg.client_duid.Clear();
        AppendHex(value, msg.client_duid);
        break;
      case 3:  // IA_NA: IAID, T1, T2, then options
      case 4:  // IA_TA: IAID, then options
        if (depth == 0) {
          v.Skip(code == 3 ? 12 : 4);
          if (v.ok()) ReadV6Options(v.Sub(v.remaining()), msg, depth + 1, nullptr, anomalies);
        }
        break;
      case 5:  // IA Address: address, lifetimes, options
        if (len >= 16 && !msg.assigned.IsSet()) msg.assigned = core::IpAddr::V6(v.Bytes(16));
        break;
      case 9:  // Relay Message
        if (relay) *relay = value;
        break;
      case 15:  // User Class: length-led strings
        msg.user_class.Clear();
        while (!v.empty()) {
          const uint16_t n = v.U16Be();
          if (!msg.user_class.empty()) msg.user_class.Append(' ');
          AppendPrintable(v.Bytes(n), msg.user_class);
        }
        break;
      case 16: {  // Vendor Class: enterprise number, then length-led strings
        msg.vendor_class.Clear();
        msg.vendor_class.AppendUint(v.U32Be());
        while (v.ok() && !v.empty()) {
          const uint16_t n = v.U16Be();
          msg.vendor_class.Append(' ');
          AppendPrintable(v.Bytes(n), msg.vendor_class);
        }
        break;
      }
      case 39:  // Client FQDN (RFC 4704 4): flags, then a name in wire form
        msg.fqdn.Clear();
        v.Skip(1);
        AppendWireName(v.PeekRest(), msg.fqdn, anomalies);
        break;
      default:
        break;
    }
  }
}

}  // namespace

std::optional<Dhcpv6Message> ParseDhcpv6(std::span<const uint8_t> datagram,
                                         core::Anomalies& anomalies) {
  core::ByteReader r(datagram);
  Dhcpv6Message msg;
  msg.msg_type = r.U8();
  if (!r.ok() || msg.msg_type == 0 || msg.msg_type > 36) return std::nullopt;
  uint8_t type = msg.msg_type;
  // RFC 8415 9: relay messages (12 forward, 13 reply) wrap the client's message.
  while (type == 12 || type == 13) {
    if (msg.relays == kMaxDhcpv6Relays) {
      anomalies.Raise("dhcpv6.too_many_relays");
      return msg;
    }
    r.Skip(1 + 16 + 16);  // hop count, link address, peer address
    if (!r.ok()) return msg.relays == 0 ? std::nullopt : std::optional(msg);
    std::span<const uint8_t> inner;
    ReadV6Options(r.Sub(r.remaining()), msg, 1, &inner, anomalies);
    ++msg.relays;
    if (inner.empty()) return msg;
    r = core::ByteReader(inner);
    type = r.U8();
  }
  msg.inner_type = type;
  msg.transaction_id = r.U24Be();
  if (!r.ok()) return msg;
  ReadV6Options(r.Sub(r.remaining()), msg, 0, nullptr, anomalies);
  return msg;
}

bool LooksLikeDhcpv6(std::span<const uint8_t> datagram) {
  core::ByteReader r(datagram);
  const uint8_t type = r.U8();
  if (!r.ok() || type == 0 || type > 36) return false;
  r.Skip(type == 12 || type == 13 ? 1 + 16 + 16 : 3);
  if (!r.ok()) return false;
  bool identified = false;
  while (!r.empty()) {
    const uint16_t code = r.U16Be();
    const uint16_t len = r.U16Be();
    if (!r.ok() || !r.Skip(len) || code == 0 || code > kMaxAssignedV6Option) return false;
    // Client and server messages carry a client or server identifier; relays a message.
    identified |= code == 1 || code == 2 || code == 9;
  }
  return identified;
}

}  // namespace qw::dissect::dhcp
