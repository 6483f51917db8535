// IKE message header parser: ISAKMP's 28-octet header (RFC 2408 section 3.1, kept by IKEv2 in
// RFC 7296 section 3.1) and the UDP encapsulation of RFC 3948 on port 4500, where a datagram
// is an IKE message behind a four-octet zero non-ESP marker, an ESP packet (its SPI, never
// zero, first) or a one-octet NAT keepalive (0xff). Wireshark's packet-isakmp.c reads the
// same layout. Payloads are not read. Pure: no state, no I/O, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace qw::dissect::ike {

/// Octets of the non-ESP marker before an IKE message on port 4500.
inline constexpr size_t kMarkerBytes = 4;

/// Exchange types this parser names: IKEv1's (RFC 2408, RFC 2409) and IKEv2's (RFC 7296).
inline constexpr uint8_t kV1IdentityProtection = 2;  // main mode
inline constexpr uint8_t kV1Aggressive = 4;
inline constexpr uint8_t kV1Informational = 5;
inline constexpr uint8_t kV1QuickMode = 32;
inline constexpr uint8_t kIkeSaInit = 34;
inline constexpr uint8_t kIkeAuth = 35;
inline constexpr uint8_t kCreateChildSa = 36;
inline constexpr uint8_t kInformational = 37;

/// IKEv2 header flags.
inline constexpr uint8_t kFlagInitiator = 0x08;
inline constexpr uint8_t kFlagResponse = 0x20;

/// One message's header.
struct Header {
  uint64_t initiator_spi = 0;
  uint64_t responder_spi = 0;
  uint8_t next_payload = 0;
  uint8_t major = 0;  // 1: IKEv1 (ISAKMP), 2: IKEv2
  uint8_t minor = 0;
  uint8_t exchange = 0;
  uint8_t flags = 0;
  uint32_t message_id = 0;
  uint32_t length = 0;
};

/// Reads `bytes` as one whole IKE message: false unless its length field is the message's
/// length, its initiator SPI is not zero, its major version is 1 or 2, and its exchange type
/// and first payload type are ones that version defines.
bool ParseMessage(std::span<const uint8_t> bytes, Header& out);

/// What a UDP datagram of an IKE flow is.
enum class Kind : uint8_t { kIke, kEsp, kKeepalive, kInvalid };

/// One datagram, read.
struct Datagram {
  Kind kind = Kind::kInvalid;
  bool marker = false;   // an IKE message behind the non-ESP marker (RFC 3948)
  Header header;         // kIke
  uint32_t esp_spi = 0;  // kEsp
};

/// Reads a datagram of a flow on UDP 500 or 4500. `encapsulated` says the flow is on 4500,
/// where ESP and keepalives share the port with IKE.
Datagram ReadDatagram(std::span<const uint8_t> bytes, bool encapsulated);

/// The name of an exchange type of `major` ("IKE_SA_INIT", "main-mode"), or "".
const char* ExchangeName(uint8_t major, uint8_t exchange);

}  // namespace qw::dissect::ike
