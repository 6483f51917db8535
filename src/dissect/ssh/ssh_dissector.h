// SSH over TCP as a stream dissector: each side's identification line, then its binary
// packets while they are in clear (up to its NEWKEYS), KEXINIT algorithm lists with HASSH
// and HASSHServer. One RemoteAccessObservation per connection (tool "ssh", both sides'
// software, fingerprints), when the first side turns encryption on or the flow ends.
//
// What is counted (summary.json protocols.ssh): one PDU per identification line and per
// clear-text packet; "banners" by SSH major version (1 or 2; 1.99 counts as 2), and
// "message_codes" by the message code of every clear-text packet. Encrypted packets cannot
// be framed and are not counted.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::ssh {

/// TCP ports tried first: SSH, and the alternative port some devices use.
inline constexpr uint16_t kPorts[] = {22, 2222};

/// Accepts a stream whose first bytes are "SSH-" (or, from a server, a line before it that
/// is followed by one).
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::ssh
