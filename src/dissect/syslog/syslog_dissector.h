// Syslog as a stream dissector: one message per UDP datagram (RFC 5426), or over TCP
// (RFC 6587) messages framed by octet counting ("123 <PRI>...") or ended by LF (the framing
// is chosen per direction by its first octet). The TLS transport of port 6514 is not
// syslog's content and is left to the TLS dissector. Each message's header (RFC 3164 or
// RFC 5424) is read; the sender's HOSTNAME goes to its DeviceIdentity as
// "syslog_hostname", once per flow.
//
// What is counted (summary.json protocols.syslog): one PDU per message (kind other);
// "facilities" by facility (PRI / 8) and "severities" by severity (PRI % 8).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::syslog {

/// UDP port tried first.
inline constexpr uint16_t kUdpPorts[] = {514};
/// TCP ports tried first: syslog over TCP (601) and the TLS port some senders use in clear.
inline constexpr uint16_t kTcpPorts[] = {601, 6514, 514};

/// Accepts a datagram that starts with "<PRI>".
ProbeResult ProbeUdp(flow::Direction dir, std::span<const uint8_t> first_bytes);
/// Accepts a stream that starts with "<PRI>" or with an octet count and "<PRI>".
ProbeResult ProbeTcp(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector for UDP.
std::unique_ptr<Dissector> CreateUdp();
/// Makes the per-flow dissector for TCP.
std::unique_ptr<Dissector> CreateTcp();

}  // namespace qw::dissect::syslog
