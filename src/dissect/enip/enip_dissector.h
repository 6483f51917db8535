// EtherNet/IP and CIP as stream dissectors.
//
// "enip" follows the encapsulation protocol on TCP and UDP 44818: it counts every
// encapsulation PDU (histogram "functions" keyed by command), pairs ListIdentity,
// ListServices, ListInterfaces and RegisterSession with their replies (operations of protocol
// "enip"), reports the identity a ListIdentity reply carries, and hands the CIP messages of
// SendRRData (unconnected, UCMM) and SendUnitData (connected) to the CIP layer. That layer
// counts every CIP message under "cip" (histogram "functions" keyed by the service byte with
// its response bit, as on the wire), unpacks Unconnected Send and Multiple Service Packet so
// each embedded request is counted and becomes an operation of its own, and pairs requests
// with responses: unconnected ones by encapsulation session and sender context, connected
// ones by CIP sequence count.
//
// "enip_io" follows implicit (class 0/1) I/O on UDP 2222: each datagram is counted (histogram
// "connections" keyed by connection id) and reported as a cyclic frame of its sender.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::enip {

/// Ports tried first for the encapsulation protocol (TCP and UDP).
inline constexpr uint16_t kPorts[] = {44818};
/// Ports tried first for implicit I/O.
inline constexpr uint16_t kIoPorts[] = {2222};

/// Messages the TCP probe reads back to back: NOPs before them decide nothing.
inline constexpr int kProbeMessages = 4;

/// Accepts a TCP direction whose first bytes are an encapsulation header with a known
/// command, zero options and a defined status; NOPs are skipped to the message after them.
ProbeResult ProbeTcp(flow::Direction dir, std::span<const uint8_t> first_bytes);
/// Accepts a UDP datagram that is exactly one encapsulation message.
ProbeResult ProbeUdp(flow::Direction dir, std::span<const uint8_t> datagram);
/// Accepts a UDP datagram that is an implicit I/O CPF (sequenced address + connected data).
ProbeResult ProbeIo(flow::Direction dir, std::span<const uint8_t> datagram);

/// A per-flow dissector for the encapsulation protocol over TCP.
std::unique_ptr<Dissector> CreateTcp();
/// A per-flow dissector for the encapsulation protocol over UDP (one message per datagram).
std::unique_ptr<Dissector> CreateUdp();
/// A per-flow dissector for implicit I/O.
std::unique_ptr<Dissector> CreateIo();

}  // namespace qw::dissect::enip
