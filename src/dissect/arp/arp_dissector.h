// ARP as a frame dissector: every Ethernet/IPv4 ARP packet becomes an ArpObservation.
#pragma once

#include "core/anomalies.h"
#include "decode/packet.h"
#include "dissect/observation.h"

namespace qw::dissect::arp {

/// Emits the ARP binding the decoder parsed (the decoder already checked the layout).
void DissectArp(const decode::Packet& pkt, const FrameContext& ctx, ObservationSink& sink,
                core::Anomalies& anomalies);

}  // namespace qw::dissect::arp
