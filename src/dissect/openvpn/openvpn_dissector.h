// OpenVPN as a stream dissector over TCP (length-prefixed packets) and UDP (a packet per
// datagram). Recognised by the client's first packet, a hard reset whose layout fits one of
// OpenVPN's control-channel protections (see LooksLikeClientReset); a tunnel picked up
// after its handshake is not recognised (its data packets are indistinguishable from noise).
// One RemoteAccessObservation per flow (tool "openvpn") when it ends: protocol_version is
// the reset's version ("v2", "v3"); security names the control-channel protection and
// whether the server answered, the tunnel carried data and keys were renegotiated. Unless
// tls-crypt encrypts it, the first key's control channel is read: its messages are put
// back in order by message id (retransmissions dropped, a bounded number held behind a
// missing one) and their TLS octets given to a TLS dissector (tls::CreateInner), which
// reports the flow's TlsObservation and counts its records as "tls"; the session then
// also carries the TLS version and suite in security, the server certificate's subject as
// server_software, and JA3 and JA3S as fingerprints. The tunnel is encrypted and not read.
//
// What is counted (summary.json protocols.openvpn): one PDU per packet; "opcodes" by opcode.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::openvpn {

/// TCP and UDP port tried first.
inline constexpr uint16_t kPorts[] = {1194};

/// Accepts the initiator's first TCP bytes when they frame a client's hard reset.
ProbeResult ProbeTcp(flow::Direction dir, std::span<const uint8_t> first_bytes);
/// Accepts an initiator's datagram that is a client's hard reset.
ProbeResult ProbeUdp(flow::Direction dir, std::span<const uint8_t> datagram);

/// Makes the per-flow dissector for TCP or UDP.
std::unique_ptr<Dissector> CreateTcp();
std::unique_ptr<Dissector> CreateUdp();

}  // namespace qw::dissect::openvpn
