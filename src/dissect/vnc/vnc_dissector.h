// VNC (RFB) over TCP as a stream dissector: both sides' ProtocolVersion lines, the security
// types the server offers (or, in 3.3, dictates) and the one the client chooses, the VNC
// authentication and Apple Remote Desktop exchanges (read past, never kept), the
// SecurityResult and ServerInit with the desktop name. Past ServerInit and ClientInit, or
// past a security type whose exchange is not read (Tight, VeNCrypt, ...), a side's bytes
// are no longer read. One RemoteAccessObservation per connection (tool "vnc"):
// protocol_version is the version the client answered ("003.008"; the server's when the
// client's was not seen); client_software and server_software are each side's version line
// ("RFB 003.889"), which is all RFB says about the software, and the server's gains the
// desktop name of ServerInit ("RFB 003.008; desktop ubuntu:1"); security "offered 2,16;
// chosen 2 (VNC authentication); result ok".
//
// What is counted (summary.json protocols.vnc): one PDU per handshake message read;
// "messages" by kind (1 version, 2 security types, 3 chosen type, 4 challenge, 5 response,
// 6 ARD parameters, 7 ARD response, 8 security result, 9 ClientInit, 10 ServerInit),
// "versions" by major * 1000 + minor, "security_types" by each type offered (3.3: the one
// dictated), "chosen_types" and "security_results" by value.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::vnc {

/// TCP ports tried first: displays :0 to :10.
inline constexpr uint16_t kPorts[] = {5900, 5901, 5902, 5903, 5904, 5905,
                                      5906, 5907, 5908, 5909, 5910};

/// Accepts a stream whose first bytes are an RFB ProtocolVersion line "RFB ddd.ddd\n"
/// (either side: the server speaks first).
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::vnc
