// CDP as a frame dissector: a CDP PDU becomes a NeighborObservation for the inventory.
#pragma once

#include "core/anomalies.h"
#include "decode/packet.h"
#include "dissect/cdp/cdp_parser.h"
#include "dissect/observation.h"

namespace qw::dissect::cdp {

/// Parses the frame's CDP PDU and reports what the device announced.
void DissectCdp(const decode::Packet& pkt, const FrameContext& ctx, ObservationSink& sink,
                core::Anomalies& anomalies);
/// The observation a CDP PDU amounts to (exposed for tests).
NeighborObservation ToObservation(const CdpPdu& pdu);

}  // namespace qw::dissect::cdp
