// IKE message header parser: ISAKMP's 28-octet header (RFC 2408 section 3.1, kept by IKEv2 in
// RFC 7296 section 3.1) and the UDP encapsulation of RFC 3948 on port 4500, where a datagram
// is an IKE message behind a four-octet zero non-ESP marker, an ESP packet (its SPI, never
// zero, first) or a one-octet NAT keepalive (0xff). Wireshark's packet-isakmp.c reads the
// same layout. ReadPayloads walks a message's clear payloads (RFC 2408 section 3 and RFC 2409
// appendix A for IKEv1, RFC 7296 section 3 for IKEv2) for what they show an observer: vendor
// IDs, IKEv1's identification and the algorithms of the SA payload. Pure: no state, no I/O,
// no allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/fixed_text.h"

namespace qw::dissect::ike {

/// Octets of a message's header, and of the non-ESP marker before an IKE message on port 4500.
inline constexpr size_t kHeaderBytes = 28;
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

/// Payload types ReadPayloads reads or stops at.
inline constexpr uint8_t kV1PayloadSa = 1;
inline constexpr uint8_t kV1PayloadProposal = 2;
inline constexpr uint8_t kV1PayloadTransform = 3;
inline constexpr uint8_t kV1PayloadId = 5;
inline constexpr uint8_t kV1PayloadVendorId = 13;
inline constexpr uint8_t kV2PayloadSa = 33;
inline constexpr uint8_t kV2PayloadVendorId = 43;
inline constexpr uint8_t kV2PayloadEncrypted = 46;
inline constexpr uint8_t kV2PayloadEncryptedFragment = 53;

/// IKEv1 header flag: the payloads after the header are encrypted.
inline constexpr uint8_t kV1FlagEncryption = 0x01;

/// IKEv1 identification types that name a peer in text (RFC 2407 section 4.6.2.1).
inline constexpr uint8_t kIdFqdn = 2;
inline constexpr uint8_t kIdUserFqdn = 3;
inline constexpr uint8_t kIdKeyId = 11;

/// Bounds of one message's walk: payloads followed, vendor IDs kept, proposals, transforms
/// and attributes read. What lies beyond is skipped, not an error.
inline constexpr size_t kMaxPayloads = 32;
inline constexpr size_t kMaxVendorIds = 16;
inline constexpr size_t kMaxProposals = 32;
inline constexpr size_t kMaxTransforms = 64;
inline constexpr size_t kMaxAttributes = 32;

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

/// The algorithms of one offer of an IKE SA, by their registry numbers (0: absent): an IKEv1
/// transform's attributes, or an IKEv2 proposal's first transform of each type.
struct Suite {
  uint16_t encryption = 0;  // IKEv1 attribute 1; IKEv2 transform type 1
  uint16_t key_bits = 0;    // key length attribute (14) of that cipher
  uint16_t integrity = 0;   // IKEv1 hash algorithm (attribute 2); IKEv2 transform type 3
  uint16_t prf = 0;         // IKEv2 transform type 2
  uint16_t group = 0;       // Diffie-Hellman group: IKEv1 attribute 4; IKEv2 transform type 4
  uint16_t auth = 0;        // IKEv1 authentication method (attribute 3)
};

/// What the clear payloads of one message show; spans view the message.
struct Payloads {
  std::array<std::span<const uint8_t>, kMaxVendorIds> vendor_ids{};
  size_t vendor_id_count = 0;
  uint8_t id_type = 0;  // IKEv1 identification payload's type; 0: none (IKEv2's is encrypted)
  std::span<const uint8_t> id_data;
  bool has_suite = false;  // an SA payload with an offer for the IKE SA itself
  Suite suite;             // its first offer
  uint16_t offers = 0;     // IKE SA offers in it: IKEv1 transforms, IKEv2 proposals
  bool encrypted = false;  // the payloads are, or go on as, encrypted ones (not read)
  bool malformed = false;  // a payload, proposal, transform or attribute overran its container
};

/// Reads the payload chain of `message`, a whole message ParseMessage accepted as `h`.
Payloads ReadPayloads(std::span<const uint8_t> message, const Header& h);

/// The name of a vendor ID payload's content that this parser knows ("strongSwan",
/// "RFC 3947 NAT-T"), or nullptr; `index` gets its place in VendorIdCount()'s numbering.
const char* VendorIdName(std::span<const uint8_t> vid, size_t* index = nullptr);
/// How many vendor IDs VendorIdName knows (at most 64).
size_t VendorIdCount();
/// The name of known vendor ID number `index` (< VendorIdCount()).
const char* VendorIdNameAt(size_t index);

/// A suite as text, its parts joined by '/': "AES-CBC-256/SHA2-256/MODP-2048/PSK" (IKEv1),
/// "AES-GCM-16-256/PRF-HMAC-SHA2-256/ECP-256" (IKEv2); numbers a registry does not name
/// show as "encr 99".
core::FixedText<96> SuiteText(uint8_t major, const Suite& s);
/// Whether a suite uses what RFC 8247 retires: DES, NULL encryption, MD5 for integrity or as
/// PRF, or a Diffie-Hellman group of 1024 bits or fewer (1, 2, 22).
bool IsWeak(uint8_t major, const Suite& s);

/// What a UDP datagram of an IKE flow is.
enum class Kind : uint8_t { kIke, kEsp, kKeepalive, kInvalid };

/// One datagram, read.
struct Datagram {
  Kind kind = Kind::kInvalid;
  bool marker = false;               // an IKE message behind the non-ESP marker (RFC 3948)
  Header header;                     // kIke
  std::span<const uint8_t> message;  // kIke: the message, marker excluded
  uint32_t esp_spi = 0;              // kEsp
};

/// Reads a datagram of a flow on UDP 500 or 4500. `encapsulated` says the flow is on 4500,
/// where ESP and keepalives share the port with IKE.
Datagram ReadDatagram(std::span<const uint8_t> bytes, bool encapsulated);

/// The name of an exchange type of `major` ("IKE_SA_INIT", "main-mode"), or "".
const char* ExchangeName(uint8_t major, uint8_t exchange);

}  // namespace qw::dissect::ike
