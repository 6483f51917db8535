// RTSP/1.0 over TCP as a stream dissector: the HTTP message engine (dissect/http) in its
// RTSP dialect. Responses pair with requests by CSeq (RFC 2326 12.17), bodies have a
// Content-Length or none, and interleaved RTP/RTCP frames ('$') between messages are
// skipped. One HttpObservation (protocol "rtsp") per exchange.
//
// Identity (protocol "rtsp"): the first Server header ("rtsp_server"), the first
// User-Agent ("rtsp_user_agent"), and from an SDP answer (Content-Type application/sdp)
// the session name and information ("rtsp_session", "rtsp_session_info"), where cameras
// often put their model. They are kept as said: which part is a model is not clear
// enough to call it one.
//
// What is counted (summary.json protocols.rtsp): as for HTTP, "methods" by the method
// codes of http_parser.h and "status" by status code.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::rtsp {

/// TCP ports tried first: RTSP and its common alternative.
inline constexpr uint16_t kPorts[] = {554, 8554};

/// Accepts a stream whose first line is an RTSP/1.0 request line (client) or status line
/// (server); kMaybe while that line is incomplete.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::rtsp
