// HTTP/1.x message syntax (RFC 9112: start line, field lines, chunked transfer coding) and
// the RTSP/1.0 dialect of it (RFC 2326 6-7: the same syntax with "RTSP/1.0" and CSeq).
// Pure: bytes in, bounded structs out; no state, no I/O, no allocation.
//
// clang-format off
//  request:  | method SP request-target SP HTTP/1.x CRLF | (field-name ":" OWS value OWS CRLF)* | CRLF | body |
//  response: | HTTP/1.x SP status-code SP reason CRLF    | (field-name ":" OWS value OWS CRLF)* | CRLF | body |
//  chunked:  | hex-size [; ext] CRLF | data | CRLF | ... | 0 CRLF | (trailer field CRLF)* | CRLF |
// clang-format on
//
// A bare LF ends a line as CR LF does (RFC 9112 2.2 lets a recipient accept it).
//
// Method codes of the "methods" histogram (summary.json protocols.http and .rtsp), fixed:
//   0 any other method, 1 GET, 2 HEAD, 3 POST, 4 PUT, 5 DELETE, 6 CONNECT, 7 OPTIONS,
//   8 TRACE, 9 PATCH; WebDAV 10 PROPFIND, 11 PROPPATCH, 12 MKCOL, 13 COPY, 14 MOVE, 15 LOCK,
//   16 UNLOCK; RTSP 20 DESCRIBE, 21 ANNOUNCE, 22 GET_PARAMETER, 23 PAUSE, 24 PLAY,
//   25 RECORD, 26 REDIRECT, 27 SETUP, 28 SET_PARAMETER, 29 TEARDOWN.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/fixed_text.h"
#include "dissect/text_field.h"

namespace qw::dissect::http {

/// Longest start line, field line or chunk line read; longer raises `<proto>.line_too_long`.
inline constexpr size_t kMaxLineBytes = 8192;
/// Longest head (start line, fields, blank line); longer raises `<proto>.head_too_long`.
inline constexpr size_t kMaxHeadBytes = 65536;
/// Field lines interpreted per head or trailer; more raise `<proto>.too_many_fields`.
inline constexpr size_t kMaxFields = 128;

/// Which protocol's version token a message carries.
enum class Dialect : uint8_t { kHttp, kRtsp };

/// The histogram code of a method (see the table above); 0 when not listed.
uint8_t MethodCode(std::string_view method);

/// The method's name as static text for a listed code; "OTHER" for 0.
const char* MethodName(uint8_t code);

/// How sure a check is.
enum class Check : uint8_t { kNo, kMaybe, kYes };

/// Whether `bytes` begin with a request line (`request`) or a status line of `dialect`.
/// Requests need a listed method of the dialect (RTSP: also OPTIONS, GET_PARAMETER, ...);
/// kMaybe while the line is incomplete and still fits.
Check CheckStartLine(std::span<const uint8_t> bytes, Dialect dialect, bool request);

/// What a message head says that the dissector uses.
struct Head {
  bool request = true;
  core::FixedText<16> method;
  uint8_t method_code = 0;
  core::FixedText<255> uri;  // request target as on the wire (cut at 255)
  uint8_t major = 1, minor = 1;
  uint16_t status = 0;
  size_t length = 0;            // bytes of the head, blank line included
  int64_t content_length = -1;  // -1 when absent
  bool chunked = false;         // Transfer-Encoding ends in "chunked" (HTTP only)
  bool close = false;           // Connection: close
  bool has_cseq = false;        // RTSP CSeq present
  uint32_t cseq = 0;
  core::FixedText<255> host, user_agent, server;
  core::FixedText<127> content_type;
  core::FixedText<255> disposition_name;  // Content-Disposition filename, path stripped
  const char* anomaly = nullptr;          // a field problem that did not stop the parse (suffix)
};

/// What ParseHead made of the bytes.
enum class HeadStatus : uint8_t { kComplete, kNeedMore, kInvalid };

/// The outcome of ParseHead: with kInvalid, `anomaly` names why (the part after "<proto>.":
/// "bad_start_line", "line_too_long", "head_too_long").
struct HeadResult {
  HeadStatus status = HeadStatus::kNeedMore;
  const char* anomaly = nullptr;
};

/// How far ParseHead read a head it found unfinished, so that the next call, given the same
/// bytes and more, goes on from there instead of reading every line again.
struct HeadProgress {
  size_t at = 0;        // where the unfinished line starts; 0 while the start line is unfinished
  size_t fields = 0;    // field lines counted before it
  size_t searched = 0;  // bytes read so far: none after `at` ended a line
};

/// Parses a request head (`request`) or a response head of `dialect` at the start of
/// `bytes` into `out`. Field problems that leave the message usable (a bad field line,
/// too many fields, a bad Content-Length, which then counts as absent) set out.anomaly.
/// With `progress`, a head found unfinished (kNeedMore) is read on from where it stopped
/// next time, into the same `out`; any other outcome empties `progress`.
HeadResult ParseHead(std::span<const uint8_t> bytes, Dialect dialect, bool request, Head& out,
                     HeadProgress* progress = nullptr);

/// A chunk-size line: the size, and the bytes of the line (LF included).
struct ChunkLine {
  HeadStatus status = HeadStatus::kNeedMore;
  uint64_t size = 0;
  size_t length = 0;
};

/// Parses the chunk-size line at the start of `bytes` (hex size, optional extensions).
ChunkLine ParseChunkLine(std::span<const uint8_t> bytes);

/// The last segment of a request target's path ("/a/b.bin?x" -> "b.bin"; "" for "/").
/// The view lives as long as `uri`.
std::string_view UriFileName(std::string_view uri);

/// Whether a body of this media type is a file rather than a page, a page's part or an API
/// message: HTML, CSS, JavaScript, JSON, XML and SOAP, form posts, images, fonts and
/// event streams are not; everything else, and a body without a type, is. A body that
/// Content-Disposition names is a file whatever its type.
bool IsFileBody(std::string_view content_type, bool has_disposition_name);

}  // namespace qw::dissect::http
