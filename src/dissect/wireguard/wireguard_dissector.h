// WireGuard as a stream dissector over UDP (a message per datagram). Recognised by a
// handshake initiation from the flow's initiator, or by transport data (a tunnel picked up
// after its handshake). One RemoteAccessObservation per flow (tool "wireguard") when it
// ends: security says whether the handshake was answered, whether the responder was under
// load (a cookie reply), whether the tunnel carried data and how many handshakes there were
// (WireGuard rekeys every two minutes). Everything after the header is encrypted.
//
// What is counted (summary.json protocols.wireguard): one PDU per message; "messages" by
// message type.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::wireguard {

/// UDP port tried first.
inline constexpr uint16_t kPorts[] = {51820};

/// Accepts a handshake initiation from the initiator, or transport data from either side.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> datagram);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::wireguard
