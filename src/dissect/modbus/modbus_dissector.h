// Modbus/TCP as a stream dissector: ADUs from either direction of a TCP flow become PDU
// counts (functions keyed by the function byte as on the wire, exception bit included; MEI
// types, diagnostic sub-functions and UMAS codes beside them), one IcsOperation per request
// and its response (paired by MBAP transaction id), and the device identity that Read Device
// Identification (43/14) and UMAS Read ID reveal.
//
// Requests are what the client sends: the side that does not use port 502 when exactly one
// side does (as Wireshark classifies them), else the initiator of the TCP connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"
#include "dissect/modbus/modbus_parser.h"

namespace qw::dissect::modbus {

/// Ports tried first for Modbus/TCP.
inline constexpr uint16_t kPorts[] = {kModbusPort};
/// Requests awaiting responses per flow; the spec's servers handle a handful in parallel.
inline constexpr size_t kMaxPendingRequests = 32;
/// Runs of bytes in a row without a valid MBAP header before the flow is given up.
inline constexpr uint32_t kMaxBadRuns = 4;
/// ADUs the probe checks back to back in the first bytes of a direction.
inline constexpr int kProbeAdus = 4;

/// Decides from the first bytes of one direction whether they are Modbus/TCP: each ADU must
/// have protocol id 0, a length of 2 to kMaxMbapLength and a function code other than 0, and
/// the ADUs must tile the bytes. kMaybe while the first ADU is incomplete.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow Modbus dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::modbus
