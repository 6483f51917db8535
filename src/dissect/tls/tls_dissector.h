// TLS (and SSL 3.0) over TCP as a stream dissector: records framed and counted, handshake
// messages reassembled across records, ClientHello, ServerHello and (in clear, TLS 1.2 and
// older) Certificate read, and one TlsObservation per connection with SNI, ALPN, versions,
// offered suites, JA3, JA3S, JA4 and the server certificate's subject, issuer and validity.
// It is emitted when application data first flows, or when the flow ends. A session of
// AnyDesk (certificate subject CN=AnyDesk Client, or SNI under anydesk.com) or of
// TeamViewer's HTTPS fallback (SNI under teamviewer.com) is also a RemoteAccessObservation
// (tool "anydesk" or "teamviewer"; see RemoteAccessTool in tls_parser.h) with the TLS
// version, the certificate subject as server software, JA3 and JA3S as fingerprints.
//
// What is counted (summary.json protocols.tls): one PDU per record; exceptions are alert
// records; "content_types" by record content type, "handshake_types" by the type of every
// handshake message read in clear, "sslv2_message_types" for SSL 2.0 records (the
// ClientHello old clients open with; its handshake type counts too).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::tls {

/// TCP ports tried first: HTTPS, and the TLS ports of mail, directory, OPC UA over HTTPS
/// and MQTT.
inline constexpr uint16_t kPorts[] = {443, 8443, 4443, 993, 995, 465, 636, 8883, 4843};

/// Accepts a stream that starts with a handshake record holding a ClientHello or
/// ServerHello header, or with an SSL 2.0 ClientHello.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

/// What a TLS session settled on, for another protocol's session that it carries: "TLS 1.2,
/// cipher 0x009d" (the offered version when the server's answer was not seen; either part
/// left out when unknown).
core::FixedText<48> SessionSummary(const TlsObservation& t);

/// Puts what a TLS session shows of its ends into the remote-access session it carries: the
/// server certificate's subject as the server's software, JA3 and JA3S as fingerprints.
void FillRemoteAccess(const TlsObservation& t, RemoteAccessObservation& session);

/// Makes a dissector for TLS that another protocol carries in its own messages (OpenVPN's
/// control channel), fed that protocol's reassembled TLS bytes: as Create's, and the session
/// it reports is also copied into `seen`, which must outlive it.
std::unique_ptr<Dissector> CreateInner(TlsObservation& seen);

/// The TLS handshake another protocol opens in its own stream (RDP's security protocols,
/// VNC's VeNCrypt TLS subtypes): a TLS dissector fed the stream's bytes from then on, and
/// the session it reports, for the carrying protocol's own session.
class Carried {
 public:
  /// Starts reading TLS; a second call keeps the first dissector.
  void Start();
  /// Feeds the next bytes of one direction. When they are no TLS (TLS raised why), TLS is
  /// ended, `not_tls` set and every byte consumed: the caller reads no further.
  ParseResult Feed(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx,
                   bool& not_tls);
  /// Bytes of one direction are missing: TLS finds the next record after the hole.
  void Gap(flow::Direction dir, uint64_t n, const StreamContext& ctx);
  /// The flow ended: TLS reports what it read, if started.
  void End(const StreamContext& ctx);
  /// True once TLS has reported its session (a hello was read).
  bool Reported() const;
  /// The session TLS reported; only when Reported().
  const TlsObservation& session() const { return *seen_; }

 private:
  std::unique_ptr<TlsObservation> seen_;  // the TLS dissector's session, when it reports
  std::unique_ptr<Dissector> dissector_;
};

}  // namespace qw::dissect::tls
