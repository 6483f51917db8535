// TFTP as a stream dissector over UDP: a read or write request to port 69, and the transfer
// the server answers from a port of its own, tied to the request through
// dissect::Expectations.
//
// Each RRQ or WRQ is one file transfer (FileTransferObservation, protocol "tftp", upload for
// WRQ): the file name, the size a tsize option announced, the DATA blocks' bytes counted and
// hashed in block order, reported when the short last block or an ERROR ends it, or when
// the flows end. The result is "complete", "error N text", or empty when the end was not
// seen.
//
// What is counted (summary.json protocols.tftp): one PDU per datagram, "opcodes" keyed by
// the opcode; ERROR packets are exceptions.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::tftp {

/// UDP ports tried first: the server's well-known port.
inline constexpr uint16_t kPorts[] = {69};

/// Accepts a datagram that is a well-formed RRQ or WRQ (a printable NUL-terminated name and
/// one of the three modes).
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector of a request flow.
std::unique_ptr<Dissector> Create();

/// Capture time the server may take to answer a request from its new port.
inline constexpr int64_t kExpectSeconds = 30;

}  // namespace qw::dissect::tftp
