// HTTP/1.x over TCP as a stream dissector, and the message engine the RTSP dissector
// shares: heads, bodies (Content-Length, chunked, until the connection closes), pipelined
// requests paired with their responses in order (RTSP: by CSeq), gaps.
//
// Out, per flow:
// - one HttpObservation per exchange, when its response ends (an interim 1xx response is
//   counted but pairs with nothing), and one per request still unanswered at the flow's
//   end; a response whose request the capture missed is an exchange without a method;
// - identity: the Server header of the first response names the server ("http_server"),
//   the User-Agent of the first request the client ("http_user_agent"), once each;
// - ONVIF: a SOAP response (XML) to a request under /onvif/ is kept (its first
//   onvif::kMaxBodyBytes) and, when it is a GetDeviceInformationResponse, its manufacturer,
//   model, firmware and serial become the server's identity (protocol "onvif").
//
// File transfers (FileTransferObservation, protocol "http"). What a port security officer
// wants to see is a file moving, not web browsing or API chatter, so:
// - a response body is a download when the status is 2xx, the request was not HEAD, the
//   body is not empty, and it is a file by http::IsFileBody: any Content-Disposition file
//   name makes it one; otherwise HTML, CSS, JavaScript, JSON, XML/SOAP, images, fonts and
//   event streams are not files, and every other type (or none) is;
// - a request body is an upload when the method is PUT or POST, the body is not empty,
//   and it is a file by the same rule (so form posts and JSON or SOAP calls are not).
// The command is the method; the name is the Content-Disposition file name, else the last
// segment of the URI path; the location the Host header; the result the response's status
// code ("" when unanswered); the declared size is Content-Length (-1 when chunked or to
// the close); the SHA-256 comes when the whole body was seen within the hash limit.
//
// What is counted (summary.json protocols.http): one PDU per message head; requests in the
// "methods" histogram by the method codes of http_parser.h, responses (1xx included) in
// "status" by status code; a status of 400 or more is an exception.
//
// Gaps: a body of known length continues past a hole (the file is then incomplete); a hole
// in a head, in chunked framing or in a body of unknown extent makes that side look for
// the next line that starts a request (client) or a status line (server), giving up after
// kMaxResyncBytes (`http.resync_failed`).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"
#include "dissect/http/http_parser.h"

namespace qw::dissect::http {

/// TCP ports tried first: HTTP and the alternative ports devices and proxies use.
inline constexpr uint16_t kPorts[] = {80, 8080, 8000, 8008, 8081, 8888, 3128};
/// Requests waiting for their responses per flow; more raise `http.too_many_pending` and
/// the oldest is reported unanswered.
inline constexpr size_t kMaxPendingRequests = 8;
/// Bytes skipped on one side looking for the next message after a hole or garbage.
inline constexpr uint64_t kMaxResyncBytes = 4ull << 20;

/// Accepts a stream whose first line is an HTTP/1.x request line (client) or status line
/// (server) with a listed method; kMaybe while that line is incomplete.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow HTTP dissector.
std::unique_ptr<Dissector> Create();

/// Makes a per-flow dissector for `dialect` (the RTSP dissector uses kRtsp).
std::unique_ptr<Dissector> CreateFor(Dialect dialect);

}  // namespace qw::dissect::http
