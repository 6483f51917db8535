// SNMP over UDP as a stream dissector: one message per datagram (v1, v2c, v3). Requests are
// paired with their responses on the same flow by request-id (SNMPv3: msgID, which an
// encrypted PDU still shows), and each pair, lone response, notification or unanswered
// request becomes one SnmpObservation. The community is hashed (SHA-256) and checked
// against a list of well-known defaults; it is never kept. Responses reveal the agent:
// sysDescr, sysObjectID (and the vendor of its enterprise number), sysName, sysContact and
// sysLocation go to its DeviceIdentity; a v1 trap's enterprise names the vendor too.
//
// What is counted (summary.json protocols.snmp): one PDU per message; "functions" by the
// PDU type (the tag number 0..8: get, get-next, response, set, trap, get-bulk, inform,
// trap-v2, report) when the PDU is readable (not for encrypted SNMPv3); requests are get,
// get-next, set, get-bulk and inform, responses are response and report, exceptions
// responses whose error-status is not 0; "versions" by message version (0, 1, 3).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::snmp {

/// UDP ports tried first: agents (161) and notification receivers (162).
inline constexpr uint16_t kPorts[] = {161, 162};

/// Accepts a datagram that starts an SNMP message (a SEQUENCE with INTEGER version 0, 1 or
/// 3, then a community and a PDU tag, or an SNMPv3 header).
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::snmp
