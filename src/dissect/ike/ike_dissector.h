// IKE, the key exchange of IPsec VPNs, as a stream dissector over UDP 500 and 4500 (a
// message per datagram; on 4500 behind the non-ESP marker, beside ESP and NAT keepalives).
// Recognised by a whole IKE header (see ParseMessage). One RemoteAccessObservation per flow
// (tool "ike") when it ends: protocol_version is "IKEv1" or "IKEv2"; security names IKEv1's
// phase-one mode (aggressive mode sends a hash an eavesdropper can attack offline for the
// pre-shared key), whether the peer answered, NAT traversal, whether ESP followed, the IKE
// SA's algorithms (those the responder chose, else "offered" and the initiator's first offer)
// and "weak crypto" when they are ones RFC 8247 retires; client_software and server_software
// name each side's known vendor IDs (product, then features such as XAUTH and DPD) and count
// the others; user is the identity IKEv1's aggressive mode sends in clear (an FQDN, user@FQDN
// or key id). Encrypted payloads are not opened. A payload chain that overruns its message
// raises ike.bad_payload.
//
// What is counted (summary.json protocols.ike): one PDU per IKE message (requests and
// responses by IKEv2's response flag, or for IKEv1 by who sent it); "exchanges" by exchange
// type. ESP packets and keepalives are not IKE PDUs and are not counted.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::ike {

/// UDP ports tried first.
inline constexpr uint16_t kPorts[] = {500, 4500};

/// Accepts a datagram that is a whole IKE message, bare or behind the non-ESP marker.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> datagram);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::ike
