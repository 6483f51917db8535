// TLS parser (RFC 5246 and RFC 8446; SSL 3.0, RFC 6101, shares the framing): records,
// handshake message headers, ClientHello and ServerHello with the extensions that matter
// for fingerprints (server name, ALPN, supported versions and groups, point formats,
// signature algorithms), JA3/JA3S and JA4 fingerprints, and the subject, issuer and
// validity of an X.509 certificate (RFC 5280 4.1) as TLS 1.2 and older send it in clear.
// Pure: no state, no I/O, no allocation; spans are views into the bytes given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/anomalies.h"
#include "core/digest.h"
#include "core/fixed_text.h"

namespace qw::dissect::tls {

/// Record header: type, version, length.
inline constexpr size_t kRecordHeaderBytes = 5;
/// Longest record body: 2^14 plus the 2048 octets of expansion RFC 5246 6.2.3 allows.
inline constexpr size_t kMaxRecordBody = 16384 + 2048;
/// Extensions read from one hello; more raises `tls.too_many_extensions`.
inline constexpr size_t kMaxTlsExtensions = 128;
/// Cipher suites read from one ClientHello; more raises `tls.too_many_ciphers`.
inline constexpr size_t kMaxTlsCiphers = 512;

/// What a record header says. nullopt for bytes that are not one: a content type other
/// than 20 to 24, a major version other than 3, or a length above kMaxRecordBody.
struct RecordHeader {
  uint8_t type =
      0;  // 20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data, 24 heartbeat
  uint16_t version = 0;
  uint16_t length = 0;
};
std::optional<RecordHeader> ParseRecordHeader(std::span<const uint8_t> bytes);

/// True when `v` is a GREASE value (RFC 8701): 0x?a?a with both octets equal.
constexpr bool IsGrease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

/// What a ClientHello offers, and its fingerprints.
struct ClientHello {
  uint16_t legacy_version = 0;
  uint16_t highest_version = 0;   // of supported_versions (GREASE aside), else legacy_version
  uint16_t cipher_count = 0;      // GREASE aside
  core::FixedText<255> sni;       // server_name host_name
  core::FixedText<255> alpn;      // protocol names, comma-separated
  core::FixedText<255> versions;  // supported_versions, comma-separated hex ("0x0304,0x0303")
  core::FixedText<1023> ciphers;  // offered suites in order, comma-separated 4-digit hex
  core::Md5Hex ja3;               // MD5 of the JA3 string (empty when a cap was hit)
  core::FixedText<36> ja4;        // "t13d1516h2_8daaf6152771_b186095e22b6"
};

/// Parses a ClientHello body (after the handshake header). nullopt when it is cut short or
/// malformed (`tls.bad_hello`). `transport` is 't' (TCP) or 'd' (DTLS) for JA4.
std::optional<ClientHello> ParseClientHello(std::span<const uint8_t> body, char transport,
                                            core::Anomalies& anomalies);

/// What a ServerHello chose, and its JA3S.
struct ServerHello {
  uint16_t legacy_version = 0;
  uint16_t selected_version = 0;  // supported_versions when present, else legacy_version
  uint16_t cipher = 0;
  core::FixedText<255> alpn;  // the protocol chosen
  core::Md5Hex ja3s;
};

/// Parses a ServerHello body. nullopt when cut short or malformed (`tls.bad_hello`).
std::optional<ServerHello> ParseServerHello(std::span<const uint8_t> body,
                                            core::Anomalies& anomalies);

/// Subject, issuer and validity of a certificate.
struct CertificateInfo {
  core::FixedText<255> subject;  // "CN=www.example.org, O=Example, C=US" in encoding order
  core::FixedText<255> issuer;
  core::FixedText<20> not_before;  // "2024-03-01T00:00:00Z"
  core::FixedText<20> not_after;
};

/// Reads one DER certificate (RFC 5280 4.1): its subject, issuer and validity. nullopt when
/// it is not laid out so; no anomaly is raised, the caller names its own.
std::optional<CertificateInfo> ParseCertificate(std::span<const uint8_t> der);

/// Reads the first certificate of a Certificate message body (TLS 1.2 and older layout).
/// nullopt when there is none or it is not DER as RFC 5280 lays it out
/// (`tls.bad_certificate`).
std::optional<CertificateInfo> ParseFirstCertificate(std::span<const uint8_t> body,
                                                     core::Anomalies& anomalies);

/// Text of a protocol version: "TLS 1.3", "SSL 3.0", or "0x7f1c".
core::FixedText<16> VersionName(uint16_t version);

/// The remote-access tool a TLS session belongs to, or nullptr. AnyDesk peers present
/// self-signed certificates whose subject common name is "AnyDesk Client"; otherwise the
/// server name tells the platform a client reaches: AnyDesk's relays under anydesk.com,
/// TeamViewer's HTTPS fallback under teamviewer.com, and the relays, brokers and portals of
/// other remote-support, remote-management and industrial remote-access platforms
/// (Splashtop, ScreenConnect, LogMeIn, GoTo, BeyondTrust, RustDesk, Zoho Assist, RealVNC
/// Connect, Chrome Remote Desktop, Kaseya, N-able, Datto RMM, Atera, NinjaOne, ISL Online,
/// Supremo, AeroAdmin, Ammyy, DWService, Parsec, eWON Talk2M, Secomea GateManager, IXON).
/// Names are compared without regard to case; a name matches its domain or one under it.
const char* RemoteAccessTool(std::string_view sni, std::string_view subject);

/// Every tool RemoteAccessTool can name, once each, in the order of its table.
std::vector<const char*> RemoteAccessPlatforms();

/// Whether `tool` (a name RemoteAccessTool returns) is a platform whose sessions a cloud
/// relay or broker carries: the client that connects out is the one controlled from outside.
bool IsRemoteAccessPlatform(std::string_view tool);

}  // namespace qw::dissect::tls
