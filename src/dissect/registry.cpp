// The registry: the one place that lists every dissector. Adding a protocol adds one line.
#include <array>

#include "dissect/arp/arp_dissector.h"
#include "dissect/bacnet/bacnet_dissector.h"
#include "dissect/cdp/cdp_dissector.h"
#include "dissect/dissector.h"
#include "dissect/lldp/lldp_dissector.h"
#include "dissect/profinet/profinet_dissector.h"

namespace qw::dissect {

namespace {

constexpr std::array<FrameDissectorInfo, 4> kFrameDissectors = {{
    {"arp", decode::L3::kArp, &arp::DissectArp},
    {"lldp", decode::L3::kLldp, &lldp::DissectLldp},
    {"cdp", decode::L3::kCdp, &cdp::DissectCdp},
    {"pn_dcp", decode::L3::kOther, &profinet::DissectProfinet, profinet::kPnEthertype},
}};

// Stream dissectors (Modbus, S7comm, DNS, ...) arrive with the protocol issues.
constexpr std::array<StreamDissectorInfo, 1> kStreamDissectors = {{
    {"bacnet", 17, bacnet::kPorts, &bacnet::Probe, &bacnet::Create},
}};

}  // namespace

std::span<const FrameDissectorInfo> FrameDissectors() { return kFrameDissectors; }
std::span<const StreamDissectorInfo> StreamDissectors() { return kStreamDissectors; }

}  // namespace qw::dissect
