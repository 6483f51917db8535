// WS-Discovery over UDP (3702) as a datagram dissector, for what ONVIF devices say about
// themselves: a ProbeMatches answer or a Hello announcement lists the device's scopes, of
// which onvif://www.onvif.org/hardware/<model> and .../name/<name> become its identity
// (protocol "onvif", fields "model" and "name"), once per flow.
//
// What is counted (summary.json protocols.ws_discovery): one PDU per datagram, in the
// "messages" histogram by onvif::DiscoveryMessage's codes; Probe and Resolve are
// requests, their matches responses.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::onvif {

/// UDP port tried first: WS-Discovery.
inline constexpr uint16_t kDiscoveryPorts[] = {3702};

/// Accepts a datagram that is a SOAP envelope of the WS-Discovery namespace (2005/04 or
/// OASIS WS-DD 1.1).
ProbeResult ProbeDiscovery(flow::Direction dir, std::span<const uint8_t> datagram);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> CreateDiscovery();

}  // namespace qw::dissect::onvif
