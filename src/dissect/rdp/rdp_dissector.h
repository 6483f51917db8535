// RDP over TCP as a stream dissector: the X.224 connection sequence (Connection Request
// with the client's cookie and requested security protocols, Connection Confirm with the
// server's choice or refusal) and, when the server chose standard RDP security (no TLS),
// the client core data of MCS Connect Initial (version, build, client name). When it chose
// TLS, CredSSP or RDSTLS, the TLS handshake they open with goes to a TLS dissector
// (tls::CreateInner), which reports the flow's TlsObservation and counts its records as
// "tls"; what follows the handshake is encrypted. One RemoteAccessObservation per
// connection (tool "rdp"): user from "Cookie: mstshash=USER" (a routing token names no
// user), security "requested ssl,hybrid; selected hybrid; TLS 1.2, cipher 0x009d" (or
// "...; failure N name"), protocol_version and client_software from the client core data,
// and from the TLS handshake the server certificate's subject as server_software (a Windows
// host's certificate names the host) and JA3 and JA3S as fingerprints. It is reported once
// the TLS handshake is over (or the flow is), so that it carries them.
//
// What is counted (summary.json protocols.rdp): one PDU per TPKT read and per fast-path
// PDU; "tpdu_codes" by X.224 TPDU code (224 CR, 208 CC, 240 DT, 128 DR), "fastpath" by
// fast-path action (0), "neg_types" by the type of each negotiation structure (1 request,
// 2 response, 3 failure), "requested_protocols" and "selected_protocols" by value, and
// "failure_codes".
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::rdp {

/// TCP port tried first.
inline constexpr uint16_t kPorts[] = {3389};

/// Accepts a client's first TPKT when it is an X.224 Connection Request of class 0 whose
/// variable part is an RDP cookie or routing token, an RDP_NEG_REQ, or empty (ISO
/// transport users such as S7 always send TSAP parameters there).
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::rdp
