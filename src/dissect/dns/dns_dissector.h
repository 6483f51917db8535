// DNS, mDNS, LLMNR and NetBIOS Name Service as stream dissectors: one message per UDP
// datagram, or messages behind a two-octet length on TCP (RFC 1035 4.2.2). Each message
// becomes a DnsObservation (header, first question, records in presentation form); a
// response is paired with its query on the same flow by id. The flavour: NetBIOS Name
// Service (RFC 1002) when the flow's first name is NetBIOS-encoded, whatever the port (its
// names are then shown decoded, "WORKGROUP<1d>"); otherwise by the port the messages use,
// 5353 mDNS (RFC 6762), 5355 LLMNR (RFC 4795), anything else DNS.
//
// What is counted (summary.json protocols.dns, .mdns, .llmnr, .nbns): one PDU per message;
// requests are queries (QR 0), responses answers (QR 1), exceptions answers whose rcode is
// not NOERROR; "opcodes" by header opcode, "qtypes" by the type of every question,
// "rcodes" by the rcode of every response.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::dns {

/// UDP ports tried first: DNS, NetBIOS Name Service, mDNS, LLMNR.
inline constexpr uint16_t kUdpPorts[] = {53, 137, 5353, 5355};
/// TCP ports tried first: DNS (zone transfers, large answers), LLMNR.
inline constexpr uint16_t kTcpPorts[] = {53, 5355};

/// Accepts a datagram that is one whole, well-formed DNS message.
ProbeResult ProbeUdp(flow::Direction dir, std::span<const uint8_t> first_bytes);
/// Accepts a TCP stream that starts with a length and a well-formed DNS message.
ProbeResult ProbeTcp(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector for UDP.
std::unique_ptr<Dissector> CreateUdp();
/// Makes the per-flow dissector for TCP.
std::unique_ptr<Dissector> CreateTcp();

}  // namespace qw::dissect::dns
