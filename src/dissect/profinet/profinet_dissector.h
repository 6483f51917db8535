// PROFINET as a frame dissector (EtherType 0x8892): every frame is counted under "pn_rt"
// (as tshark shows PN-RT for every such frame), cyclic and alarm frames tell the inventory
// which device sends real-time data, and DCP PDUs are counted under "pn_dcp", become
// operations (set, get, identify requests) and device identities (identify and get
// responses, hello).
//
// Pairing: a frame dissector is a plain function with no per-flow or per-engine state, so
// DCP requests are not paired with their responses. Each request that asks or changes
// something is reported when it is seen, with an empty result (like an unanswered request);
// its response is counted (an error response as an exception) and, for identify and get,
// fills the device's identity. A set is thus on record even when its answer was not
// captured, which is what the policy needs; the price is that a refused set still shows
// as a write (the refusal is counted under pn_dcp exceptions).
#pragma once

#include "core/anomalies.h"
#include "decode/packet.h"
#include "dissect/observation.h"
#include "dissect/profinet/profinet_parser.h"

namespace qw::dissect::profinet {

/// Counts the frame, reports cyclic senders, DCP operations and identities.
void DissectProfinet(const decode::Packet& pkt, const FrameContext& ctx, ObservationSink& sink,
                     core::Anomalies& anomalies);

/// The identity a device's DCP blocks amount to (exposed for tests); `mac` is the device's.
DeviceIdentity IdentityOf(const DcpStation& station, const FrameContext& ctx,
                          const core::MacAddr& mac);

/// The operation a DCP request amounts to, or nullopt for PDUs that are not operations
/// (responses, hello, unknown services). Exposed for tests.
std::optional<IcsOperation> OperationOf(const DcpPdu& pdu, const FrameContext& ctx);

}  // namespace qw::dissect::profinet
