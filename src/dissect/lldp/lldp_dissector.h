// LLDP as a frame dissector: an LLDPDU becomes a NeighborObservation for the inventory.
#pragma once

#include "core/anomalies.h"
#include "decode/packet.h"
#include "dissect/lldp/lldp_parser.h"
#include "dissect/observation.h"

namespace qw::dissect::lldp {

/// Parses the frame's LLDPDU and reports what the device announced.
void DissectLldp(const decode::Packet& pkt, const FrameContext& ctx, ObservationSink& sink,
                 core::Anomalies& anomalies);
/// The observation an LLDPDU amounts to (exposed for tests).
NeighborObservation ToObservation(const LldpPdu& pdu);

}  // namespace qw::dissect::lldp
