// BACnet/IP as a stream dissector over UDP (port 47808 first): per-flow pairing of
// confirmed requests with their acks, errors, rejects and aborts by invoke id (and by the
// remote network address for routed devices), operations for the services that read,
// write, control or identify, and identities from I-Am and from reads of a device object.
//
// What is counted (summary.json protocols.bacnet): one PDU per BVLC message (each
// datagram); "functions" by confirmed service choice (confirmed requests, simple and
// complex acks, errors), "unconfirmed" by unconfirmed service choice, "apdu_types" by APDU
// type, "bvlc_functions" by BVLC function, "network_messages" by network-layer message type.
// Segments of a segmented message count one PDU each, as tshark counts them; an operation
// pairs the request's first segment with the answer's first segment.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::bacnet {

/// UDP ports tried first: 47808 (0xBAC0), the BACnet/IP default.
inline constexpr uint16_t kPorts[] = {47808};

/// Accepts one datagram that is a well-formed BVLC message of BACnet/IP (Annex J).
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::bacnet
