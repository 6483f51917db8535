// The registry: the one place that lists every dissector. Adding a protocol adds one line.
#include <array>

#include "dissect/arp/arp_dissector.h"
#include "dissect/cdp/cdp_dissector.h"
#include "dissect/dissector.h"
#include "dissect/enip/enip_dissector.h"
#include "dissect/lldp/lldp_dissector.h"

namespace qw::dissect {

namespace {

constexpr std::array<FrameDissectorInfo, 3> kFrameDissectors = {{
    {"arp", decode::L3::kArp, &arp::DissectArp},
    {"lldp", decode::L3::kLldp, &lldp::DissectLldp},
    {"cdp", decode::L3::kCdp, &cdp::DissectCdp},
}};

// Stream dissectors (Modbus, S7comm, DNS, ...) arrive with the protocol issues.
constexpr std::array<StreamDissectorInfo, 3> kStreamDissectors = {{
    {"enip", 6, enip::kPorts, &enip::ProbeTcp, &enip::CreateTcp},
    {"enip", 17, enip::kPorts, &enip::ProbeUdp, &enip::CreateUdp},
    {"enip_io", 17, enip::kIoPorts, &enip::ProbeIo, &enip::CreateIo},
}};

}  // namespace

std::span<const FrameDissectorInfo> FrameDissectors() { return kFrameDissectors; }
std::span<const StreamDissectorInfo> StreamDissectors() { return kStreamDissectors; }

}  // namespace qw::dissect
