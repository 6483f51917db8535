// SMB2/3 over TCP (445 Direct TCP, 139 NetBIOS session service) as a stream dissector,
// with SMB1 recognised and counted. Frames messages by their 4-byte length header, walks
// compounded SMB2 headers, pairs requests with responses by MessageId, remembers share
// paths per TreeId and file names per FileId, and follows READ and WRITE data into one
// FileContent per open file. Messages up to kMaxParsedMessageBytes are read whole; longer
// ones (large reads and writes) are read from their head and their data streamed, so no
// message is ever held whole beyond that size.
//
// What is counted (summary.json protocols.smb2): one PDU per SMB2 header, compounded
// members included, in histogram "commands" by command number, kind request or response.
// A response is an exception when its status has error severity (0xC...), except
// STATUS_MORE_PROCESSING_REQUIRED on SESSION_SETUP, which is a normal step of a multi-leg
// authentication (Wireshark shows it as an error status; Windows treats it as progress).
// Interim STATUS_PENDING responses and warnings (STATUS_BUFFER_OVERFLOW,
// STATUS_NO_MORE_FILES) are not exceptions. Encrypted (0xFD transform) and compressed
// (0xFC) messages count one PDU each in histogram "transform" (code 0xFD or 0xFC) and are
// not read further. SMB1 messages count under protocols.smb, histogram "commands" by the
// first command byte (AndX followers are not counted).
//
// File transfers: one FileTransferObservation per direction of content per open file,
// when the file is closed, evicted from the table, or the flow ends. A file both read and
// written gives two: the "write" (upload) and the "read" (download), each with its own
// count and hash.
//
// Identity: an NTLMSSP AUTHENTICATE in a SESSION_SETUP request names the client's account
// ("ntlm_user", DOMAIN\user) and workstation ("ntlm_workstation"), protocol "smb2".
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::smb2 {

/// TCP ports tried first: Direct TCP and the NetBIOS session service.
inline constexpr uint16_t kPorts[] = {445, 139};

/// Messages up to this size are held whole and parsed; longer ones are streamed.
inline constexpr size_t kMaxParsedMessageBytes = 64 * 1024;
/// Requests waiting for responses per flow; more raise `smb2.too_many_pending`.
inline constexpr size_t kMaxPendingRequests = 64;
/// Tree connections remembered per flow; more raise `smb2.too_many_trees`.
inline constexpr size_t kMaxTrees = 16;
/// Open files followed per flow; more raise `smb2.too_many_open_files` and the oldest is
/// reported and forgotten.
inline constexpr size_t kMaxOpenFiles = 32;
/// Bytes skipped looking for a message header after garbage or a gap; more raise
/// `smb2.resync_failed` and the direction is no longer read.
inline constexpr uint64_t kMaxResyncBytes = 1u << 20;
/// Largest NetBIOS control packet (session request, response, keep-alive) skipped.
inline constexpr uint32_t kMaxControlPacketBytes = 1024;

/// Accepts a stream that opens with a session message holding an SMB2, SMB3 transform,
/// compression transform or SMB1 header, or with a NetBIOS session request.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::smb2
