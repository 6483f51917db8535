// BACnet/IP parser: one UDP datagram's BVLC (Annex J), NPDU (clause 6) and APDU header
// (clause 20.1), and the parameters of the services quaywatch reports on (clause 20.2
// tag encoding; services of clauses 13-17 and 21). Pure: no state, no I/O, no allocation.
// Every span in a parsed struct is a view into the datagram the parser was given and lives
// only as long as that datagram (one OnData call).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/address.h"
#include "core/anomalies.h"
#include "core/byte_reader.h"

namespace qw::dissect::bacnet {

/// Most tags read from one service's parameters; hitting it raises `bacnet.too_many_tags`.
inline constexpr size_t kMaxBacnetTags = 256;
/// Deepest nesting of constructed (opening/closing tag) values; `bacnet.nesting_too_deep`.
inline constexpr size_t kMaxBacnetDepth = 16;
/// Most properties named per object in a target (ReadPropertyMultiple and the like).
inline constexpr size_t kMaxTargetProperties = 4;
/// Most property values kept from one ReadPropertyMultiple acknowledgement.
inline constexpr size_t kMaxPropertyValues = 32;
/// Longest character string kept from a value.
inline constexpr size_t kMaxBacnetTextBytes = 255;

/// BVLC type of BACnet/IP (Annex J).
inline constexpr uint8_t kBvlcTypeIp = 0x81;

/// BVLC functions of Annex J.
enum class BvlcFunction : uint8_t {
  kResult = 0x00,
  kWriteBdt = 0x01,
  kReadBdt = 0x02,
  kReadBdtAck = 0x03,
  kForwardedNpdu = 0x04,
  kRegisterForeignDevice = 0x05,
  kReadFdt = 0x06,
  kReadFdtAck = 0x07,
  kDeleteFdtEntry = 0x08,
  kDistributeBroadcast = 0x09,
  kOriginalUnicast = 0x0a,
  kOriginalBroadcast = 0x0b,
  kSecuredBvll = 0x0c,
};

/// One BVLC message.
struct Bvlc {
  uint8_t function = 0;
  uint16_t length = 0;  // the BVLC length field: the whole message, header included
  // Forwarded-NPDU: the B/IP address of the device that sent the NPDU first.
  bool forwarded = false;
  core::IpAddr origin_ip;
  uint16_t origin_port = 0;
  uint16_t result = 0;            // BVLC-Result code (0 successful, 0x0010.. NAKs)
  std::span<const uint8_t> npdu;  // functions that carry one; empty otherwise (a view)
  std::span<const uint8_t> body;  // what follows the header for the others (a view)
  /// True for the functions that carry an NPDU.
  bool CarriesNpdu() const;
};

/// Parses the BVLC of a datagram. nullopt when it is not BACnet/IP at all: type not 0x81,
/// fewer than 4 bytes, or a length field below 4. A length field that disagrees with the
/// datagram raises `bacnet.bvlc_length_mismatch` (the shorter of the two is used); a header
/// too short for its function raises `bacnet.truncated`.
std::optional<Bvlc> ParseBvlc(std::span<const uint8_t> datagram, core::Anomalies& anomalies);

/// One NPDU (clause 6.2).
struct Npdu {
  uint8_t version = 0;
  uint8_t control = 0;
  bool network_message = false;  // control bit 7: a network-layer message, no APDU
  bool expecting_reply = false;  // control bit 2
  uint8_t priority = 0;          // control bits 0-1
  bool has_dnet = false;
  uint16_t dnet = 0;
  std::span<const uint8_t> dadr;  // a view
  uint8_t hop_count = 0;
  bool has_snet = false;
  uint16_t snet = 0;
  std::span<const uint8_t> sadr;  // a view
  uint8_t message_type = 0;       // network-layer messages
  uint16_t vendor_id = 0;         // network-layer messages 0x80-0xff
  std::span<const uint8_t> apdu;  // or the network message's data (a view)
};

/// Parses an NPDU. nullopt when it is cut short or its version is not 1 (raising
/// `bacnet.truncated` or `bacnet.bad_npdu_version`).
std::optional<Npdu> ParseNpdu(std::span<const uint8_t> bytes, core::Anomalies& anomalies);

/// APDU types (clause 20.1.1).
enum class ApduType : uint8_t {
  kConfirmedRequest = 0,
  kUnconfirmedRequest = 1,
  kSimpleAck = 2,
  kComplexAck = 3,
  kSegmentAck = 4,
  kError = 5,
  kReject = 6,
  kAbort = 7,
};

/// One APDU header and the parameters after it.
struct Apdu {
  uint8_t type = 0;  // ApduType; 8-15 are reserved and stay raw
  bool segmented = false;
  bool more_follows = false;
  bool segmented_response_accepted = false;
  bool server = false;       // SegmentACK and Abort: sent by the server
  bool negative = false;     // SegmentACK: NAK
  uint8_t max_segments = 0;  // confirmed requests: bits of max-segments-accepted
  uint8_t max_apdu = 0;      // confirmed requests: code of max-APDU-length-accepted
  uint8_t invoke_id = 0;
  uint8_t sequence_number = 0;  // segmented messages and SegmentACK
  uint8_t window_size = 0;
  bool has_service = false;
  uint8_t service = 0;              // the service choice of requests, acks and errors
  uint8_t reason = 0;               // Reject and Abort
  std::span<const uint8_t> params;  // the service parameters (of this segment; a view)
};

/// Parses an APDU header. nullopt when the header is cut short (`bacnet.truncated`).
std::optional<Apdu> ParseApdu(std::span<const uint8_t> bytes, core::Anomalies& anomalies);

/// One tag of clause 20.2.1.
struct Tag {
  uint32_t number = 0;
  bool context = false;
  bool opening = false;
  bool closing = false;
  uint8_t lvt = 0;                   // application BOOLEAN keeps its value here
  std::span<const uint8_t> content;  // a view
};

/// Reads one tag (header and content) from `r`; false when it is cut short or its length
/// field is malformed (the reader is then failed).
bool ReadTag(core::ByteReader& r, Tag& tag);

/// A BACnetObjectIdentifier: 10-bit type, 22-bit instance.
struct ObjectId {
  uint16_t type = 0;
  uint32_t instance = 0;
};

/// A primitive value of clause 20.2 (the first one of a property value).
struct Value {
  enum class Kind : uint8_t {
    kNone,
    kNull,
    kBoolean,
    kUnsigned,
    kSigned,
    kReal,
    kDouble,
    kEnumerated,
    kText,
    kObjectId,
    kOther,  // octet string, bit string, date, time, or constructed: not rendered
  };
  Kind kind = Kind::kNone;
  uint64_t u = 0;  // boolean, unsigned, enumerated
  int64_t i = 0;   // signed
  double d = 0;    // real, double
  ObjectId object;
  uint8_t charset = 0;            // character string: 0 UTF-8, 4 UCS-2, 5 ISO 8859-1 ...
  std::span<const uint8_t> text;  // character string without its charset byte (a view)
};

/// What a service's parameters name: the object, property and index it acts on, a value
/// written or read, and the few service-specific fields a target shows.
struct ServiceSummary {
  bool has_object = false;
  ObjectId object;
  bool has_property = false;
  uint32_t property = 0;
  bool has_index = false;
  uint32_t index = 0;
  // ReadPropertyMultiple / WritePropertyMultiple: the first object's properties and how
  // many more objects follow.
  std::array<uint32_t, kMaxTargetProperties> properties{};
  size_t property_count = 0;
  bool more_properties = false;
  uint32_t more_objects = 0;
  Value value;  // WriteProperty / ReadProperty-ACK value
  bool has_priority = false;
  uint32_t priority = 0;
  bool has_enum = false;  // ReinitializeDevice state, DeviceCommunicationControl enable
  uint32_t enum_value = 0;
  bool has_duration = false;  // DeviceCommunicationControl minutes
  uint32_t duration = 0;
  bool has_password = false;
  bool has_range = false;  // Who-Is device instance range
  uint32_t low = 0, high = 0;
  std::span<const uint8_t> name;            // Who-Has object name (a view)
  bool has_date = false, has_time = false;  // time synchronization
  std::array<uint8_t, 4> date{}, time{};
  bool malformed = false;  // a tag was cut short or a cap was hit
};

/// Summarises a confirmed request's parameters (service choice `service`). Caps raise their
/// anomalies; a malformed encoding sets `malformed` and raises `bacnet.bad_tag`. `whole` is
/// false for the first segment of a segmented request, whose parameters may stop anywhere.
ServiceSummary SummarizeConfirmedRequest(uint8_t service, std::span<const uint8_t> params,
                                         core::Anomalies& anomalies, bool whole = true);
/// Summarises an unconfirmed request's parameters.
ServiceSummary SummarizeUnconfirmedRequest(uint8_t service, std::span<const uint8_t> params,
                                           core::Anomalies& anomalies);

/// I-Am parameters (clause 16.1).
struct IAm {
  ObjectId device;
  uint32_t max_apdu = 0;
  uint32_t segmentation = 0;  // 0 both, 1 transmit, 2 receive, 3 none
  uint32_t vendor_id = 0;
};

/// Parses I-Am parameters; nullopt when they are not the four application-tagged values.
std::optional<IAm> ParseIAm(std::span<const uint8_t> params, core::Anomalies& anomalies);

/// The error class and code of an Error PDU (the first two enumerated values).
struct ErrorInfo {
  uint32_t error_class = 0;
  uint32_t error_code = 0;
};

/// Parses the error of an Error PDU; nullopt when no class and code are found.
std::optional<ErrorInfo> ParseError(std::span<const uint8_t> params, core::Anomalies& anomalies);

/// One property value read back.
struct PropertyValue {
  ObjectId object;
  uint32_t property = 0;
  Value value;
};

/// The property values of a ReadProperty-ACK (one) or ReadPropertyMultiple-ACK written into
/// `out` (`bacnet.too_many_values` when it is full). Returns how many. `whole` as above.
size_t ReadPropertyValues(uint8_t service, std::span<const uint8_t> params,
                          std::span<PropertyValue> out, core::Anomalies& anomalies,
                          bool whole = true);

}  // namespace qw::dissect::bacnet
