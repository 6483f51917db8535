// The registry: the one place that lists every dissector. Adding a protocol adds one line.
#include <array>

#include "dissect/arp/arp_dissector.h"
#include "dissect/cdp/cdp_dissector.h"
#include "dissect/dissector.h"
#include "dissect/lldp/lldp_dissector.h"
#include "dissect/s7comm/s7comm_dissector.h"
#include "dissect/s7comm_plus/s7comm_plus_dissector.h"

namespace qw::dissect {

namespace {

constexpr std::array<FrameDissectorInfo, 3> kFrameDissectors = {{
    {"arp", decode::L3::kArp, &arp::DissectArp},
    {"lldp", decode::L3::kLldp, &lldp::DissectLldp},
    {"cdp", decode::L3::kCdp, &cdp::DissectCdp},
}};

// Stream dissectors (Modbus, S7comm, DNS, ...) arrive with the protocol issues.
constexpr std::array<StreamDissectorInfo, 2> kStreamDissectors = {{
    {"s7comm", 6, s7comm::kPorts, &s7comm::Probe, &s7comm::Create},
    {"s7comm_plus", 6, s7comm_plus::kPorts, &s7comm_plus::Probe, &s7comm_plus::Create},
}};

}  // namespace

std::span<const FrameDissectorInfo> FrameDissectors() { return kFrameDissectors; }
std::span<const StreamDissectorInfo> StreamDissectors() { return kStreamDissectors; }

}  // namespace qw::dissect
