// DNP3 over TCP and UDP (port 20000) as a stream dissector: link frames out of the byte
// stream (TCP) or datagrams (UDP), transport segments reassembled per direction into
// application fragments, requests paired with their responses by application sequence
// number, device attributes turned into identities.
//
// What is counted follows tshark 4.0: every link frame is a DNP3 PDU (one "dnp3" layer in
// tshark) and counts in `link_functions` under its function code with the PRM bit (0x40);
// a link frame that completes an application fragment counts that fragment's function in
// `functions` instead (tshark's dnp3.al.func, shown only where the fragment completes).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::dnp3 {

/// DNP3's registered port, for TCP and UDP alike.
inline constexpr uint16_t kPorts[] = {20000};

/// Accepts bytes that start with a link header whose start octets, length and header CRC
/// are right; kMaybe while fewer than the 10 header bytes have arrived.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// A new per-flow DNP3 dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::dnp3
