// FTP as stream dissectors: the control connection (commands, replies, the data connections
// it announces) and the data connections themselves, tied to their control session through
// dissect::Expectations.
//
// A RETR, STOR, STOU or APPE is one file transfer (FileTransferObservation, protocol "ftp",
// upload for STOR/STOU/APPE): the file name from the command, the size a 150 or 213 reply
// announced, the data connection's bytes counted and hashed, and the final reply's code as
// its result. It is reported once both its data connection ended (or never opened) and its
// final reply came (or the control connection ended). Directory listings (LIST, NLST, MLSD)
// use data connections too but are not file transfers. ASCII-mode (TYPE A) content is
// hashed as it crossed the wire. After a 234 reply accepts AUTH TLS (explicit FTPS, RFC
// 4217) the control connection is TLS: its handshake goes to a TLS dissector (one
// TlsObservation for the flow, records counted as "tls"), the encrypted commands and
// replies after it are not read, and no data connection is announced in clear.
//
// What is counted (summary.json protocols.ftp): one PDU per command ("commands", keyed by
// the command word) and per reply ("replies", keyed by the reply code; a multi-line reply
// counts once); protocols.ftp-data counts the data connections' segments.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::ftp {

/// TCP ports tried first: the control connection's.
inline constexpr uint16_t kPorts[] = {21};

/// Accepts a stream that opens like FTP: a server greeting that names FTP, or a client's
/// first command being one only FTP sends (USER, AUTH, FEAT, ...). SMTP's greeting and HELO
/// or EHLO are refused.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow control-connection dissector.
std::unique_ptr<Dissector> Create();

/// Data connections held per control connection before the oldest is given up on.
inline constexpr size_t kMaxOpenTransfers = 16;
/// Capture time an announced data connection may take to open.
inline constexpr int64_t kExpectSeconds = 120;

}  // namespace qw::dissect::ftp
