// TeamViewer as a stream dissector over TCP (its commands framed one after the other) and
// over UDP (datagrams recognised, counted, not read). One RemoteAccessObservation per
// connection (tool "teamviewer") when the flow ends: protocol_version names the framing
// ("0x1724" short, "0x1130" long, "udp"); security says what the peers negotiated about
// encryption ("encryption requested, confirmed", "no encryption requested"), which
// TeamViewer does in clear commands before its data is encrypted. Command data is
// obfuscated or encrypted and is not read.
//
// What is counted (summary.json protocols.teamviewer): one PDU per command (TCP) or
// datagram (UDP); "commands" by command code (UDP: none).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::teamviewer {

/// TCP and UDP port tried first.
inline constexpr uint16_t kPorts[] = {5938};

/// Accepts TCP bytes (either side) that open with a command of either framing whose length
/// is plausible.
ProbeResult ProbeTcp(flow::Direction dir, std::span<const uint8_t> first_bytes);
/// Accepts a UDP datagram that LooksLikeDatagram.
ProbeResult ProbeUdp(flow::Direction dir, std::span<const uint8_t> datagram);

/// Makes the per-flow dissector for TCP or UDP.
std::unique_ptr<Dissector> CreateTcp();
std::unique_ptr<Dissector> CreateUdp();

}  // namespace qw::dissect::teamviewer
