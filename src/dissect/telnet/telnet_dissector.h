// Telnet over TCP as a stream dissector: each side's IAC commands (option negotiation,
// subnegotiation) and, in clear text, the line the client types after the server's login
// prompt ("login:" or "username:"). One RemoteAccessObservation per connection (tool
// "telnet"), when that line ends or the flow ends: user is the line (printable characters
// only, at most kMaxUserBytes); protocol_version and software stay empty, as Telnet names
// neither.
//
// What is counted (summary.json protocols.telnet): one PDU per IAC command; "commands" by
// command octet (251 WILL, 252 WONT, 253 DO, 254 DONT, 250 SB, others as sent) and
// "options" by the option of each negotiation and subnegotiation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::telnet {

/// TCP port tried first.
inline constexpr uint16_t kPorts[] = {23};

/// Longest user name kept; a longer line is cut (`telnet.long_user`).
inline constexpr size_t kMaxUserBytes = 64;

/// Accepts a stream (either side) that opens with an IAC negotiation or subnegotiation:
/// 0xff followed by WILL, WONT, DO, DONT or SB and an option.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::telnet
