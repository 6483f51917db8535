// DHCP (RFC 2131, options of RFC 2132 and RFC 4702) and DHCPv6 (RFC 8415, client FQDN of
// RFC 4704) message parsers: what a message says about its client (hardware address, host
// name, FQDN, vendor class, client identifier, parameter request list) and about the
// addresses it hands out. Pure: no state, no I/O, no allocation. Text is copied into
// bounded fields; nothing refers to the message after a call returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/address.h"
#include "core/anomalies.h"
#include "core/fixed_text.h"

namespace qw::dissect::dhcp {

/// Options read from one DHCP message (overloaded sname and file fields included); more
/// raises `dhcp.too_many_options`.
inline constexpr size_t kMaxDhcpOptions = 255;
/// Options read from one DHCPv6 message, nested ones included; `dhcpv6.too_many_options`.
inline constexpr size_t kMaxDhcpv6Options = 255;
/// Relay-forward/relay-reply messages unwrapped to reach the client's message;
/// `dhcpv6.too_many_relays` (RFC 8415 7.6 HOP_COUNT_LIMIT is 8).
inline constexpr size_t kMaxDhcpv6Relays = 8;

/// Bounded text of a DHCP field.
using Text = core::FixedText<255>;

/// What one DHCP (v4) message says.
struct DhcpMessage {
  uint8_t op = 0;            // 1 BOOTREQUEST, 2 BOOTREPLY
  uint8_t message_type = 0;  // option 53 (1 DISCOVER ... 8 INFORM); 0 for plain BOOTP
  uint32_t xid = 0;
  core::MacAddr client_mac;  // chaddr, when htype is Ethernet and hlen 6
  core::IpAddr ciaddr, yiaddr, siaddr, giaddr;
  core::IpAddr requested_ip;  // option 50
  core::IpAddr server_id;     // option 54
  Text host_name;             // option 12
  Text vendor_class;          // option 60, printable
  Text client_id;             // option 61: type, then hex of the identifier
  Text fqdn;                  // option 81 domain name (ASCII or wire form, RFC 4702)
  Text parameter_list;        // option 55: codes, comma-separated (a client fingerprint)
  uint16_t options = 0;       // options read
};

/// Parses a DHCP or BOOTP message (one UDP datagram). nullopt when it is not one: shorter
/// than the 236-octet fixed part, op not 1 or 2, or a hardware length above 16. Options
/// that run past the message raise `dhcp.bad_option` (those before them are kept).
std::optional<DhcpMessage> ParseDhcp(std::span<const uint8_t> datagram, core::Anomalies& anomalies);

/// True when the datagram is a DHCP message (fixed part and magic cookie), or a BOOTP one
/// for Ethernet addresses with a hop count of 16 at most; what the probe uses.
bool LooksLikeDhcp(std::span<const uint8_t> datagram);

/// The name of a DHCP message type ("discover", "offer", ...), or nullptr.
const char* MessageTypeName(uint8_t type);

/// What one DHCPv6 message says (the innermost client message, for a relayed one).
struct Dhcpv6Message {
  uint8_t msg_type = 0;         // outermost message type (12 relay-forw, 13 relay-repl, ...)
  uint8_t inner_type = 0;       // the client or server message inside the relays
  uint32_t transaction_id = 0;  // of the inner message
  uint8_t relays = 0;           // relay messages unwrapped
  Text client_duid;             // option 1, hex
  Text fqdn;                    // option 39 (RFC 4704), presentation form
  Text vendor_class;            // option 16: enterprise number, then printable data
  Text user_class;              // option 15, printable
  core::IpAddr assigned;        // the first IA Address (option 5 inside IA_NA/IA_TA)
  uint16_t options = 0;
};

/// Parses a DHCPv6 message (RFC 8415 8 and 9). nullopt when it is not one: empty, a type
/// of 0 or above 36, or a relay message shorter than its fixed part. Options that run
/// past their container raise `dhcpv6.bad_option`.
std::optional<Dhcpv6Message> ParseDhcpv6(std::span<const uint8_t> datagram,
                                         core::Anomalies& anomalies);

/// True when the datagram's options tile it exactly, are all assigned codes, and include a
/// client or server identifier or a relayed message (what the DHCPv6 probe uses).
bool LooksLikeDhcpv6(std::span<const uint8_t> datagram);

}  // namespace qw::dissect::dhcp
