// NTP over UDP as a stream dissector: one message per datagram. Time packets (modes 1-5),
// control messages (mode 6, ntpq) and private messages (mode 7, ntpdc) are recognised and
// counted; every mode 7 message raises `ntp.mode7` (ntpdc's requests, monlist above all,
// answer a small request with many large datagrams: a reflection and amplification risk),
// a monitor-list request `ntp.monlist` too. A server's answer (mode 4) tells its stratum
// and reference (its source at stratum 1, its upstream server's address otherwise), given
// to its DeviceIdentity as "ntp_stratum" and "ntp_reference" once per flow.
//
// What is counted (summary.json protocols.ntp): one PDU per message; "modes" by mode;
// requests are client packets (mode 3) and control or private messages without the
// response bit, responses server packets (mode 4) and those with it; exceptions are
// kiss-o'-death answers (mode 4, stratum 0) and control or private errors; "versions" by
// the version number.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::ntp {

/// UDP port tried first.
inline constexpr uint16_t kPorts[] = {123};

/// Accepts a datagram that is one well-formed NTP message.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::ntp
