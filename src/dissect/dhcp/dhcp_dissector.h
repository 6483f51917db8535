// DHCP and DHCPv6 as stream dissectors over UDP: each datagram is one message, and each
// message becomes a DhcpObservation (client hardware address, host name, FQDN, vendor
// class, client identifier, parameter request list, addresses handed out).
//
// What is counted (summary.json protocols.dhcp and .dhcpv6): one PDU per message;
// requests are client messages (BOOTREQUEST; DHCPv6 Solicit, Request, Renew, ...,
// Relay-forward), responses server ones (BOOTREPLY; Advertise, Reply, Reconfigure,
// Relay-reply), exceptions DHCPNAK; "message_types" by DHCP option 53 (0 for BOOTP) or
// DHCPv6 msg-type.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::dhcp {

/// UDP ports tried first: DHCP server and client.
inline constexpr uint16_t kPorts[] = {67, 68};
/// UDP ports tried first: DHCPv6 client and server.
inline constexpr uint16_t kV6Ports[] = {546, 547};

/// Accepts a datagram that is a DHCP message (or a BOOTP one of full size).
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);
/// Accepts a datagram whose DHCPv6 options tile it exactly.
ProbeResult ProbeV6(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector for DHCP.
std::unique_ptr<Dissector> Create();
/// Makes the per-flow dissector for DHCPv6.
std::unique_ptr<Dissector> CreateV6();

}  // namespace qw::dissect::dhcp
