// CIP message parser: explicit request and response headers, EPATHs (port, logical,
// symbolic and data segments), and the service data this monitor reads further: Unconnected
// Send (the embedded request and its route), Multiple Service Packet (the members), Forward
// Open / Forward Close (the connection path), Execute PCCC (the PCCC command), and the
// Identity object's Get_Attributes_All reply. Pure: bytes in, structs out, no state, no I/O,
// no allocation.
//
// Every span in a parsed struct is a view into the bytes the parser was given: it lives only
// as long as those bytes, i.e. for the dissector callback that received them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace qw::dissect::enip {

/// Most segments read from one EPATH (a tag path "Program:Main.Struct.Member[3]" needs 4);
/// more raise `cip.path_segment_cap` and the rest of the path is left unread.
inline constexpr size_t kMaxCipPathSegments = 16;
/// Most members read from one Multiple Service Packet (`cip.msp_service_cap`). A 504-byte
/// connected message holds at most ~120 two-byte-offset members; HMIs send up to ~40.
inline constexpr size_t kMaxCipMspServices = 64;

/// The request/response bit of the service byte.
inline constexpr uint8_t kCipResponseBit = 0x80;

/// Common and object-specific service codes this monitor treats specially.
enum CipService : uint8_t {
  kCipGetAttributesAll = 0x01,
  kCipMultipleServicePacket = 0x0a,
  kCipExecutePccc = 0x4b,       // on the PCCC object (class 0x67)
  kCipForwardClose = 0x4e,      // on the Connection Manager (class 0x06)
  kCipUnconnectedSend = 0x52,   // on the Connection Manager
  kCipForwardOpen = 0x54,       // on the Connection Manager
  kCipLargeForwardOpen = 0x5b,  // on the Connection Manager
};

/// Object classes this monitor treats specially.
enum CipClass : uint16_t {
  kCipClassIdentity = 0x01,
  kCipClassMessageRouter = 0x02,
  kCipClassConnectionManager = 0x06,
  kCipClassFile = 0x37,
  kCipClassPccc = 0x67,
};

/// What one EPATH segment addresses.
enum class CipSegmentKind : uint8_t {
  kClass,
  kInstance,
  kMember,  // also an array element after a symbolic segment (Logix tag paths)
  kConnectionPoint,
  kAttribute,
  kServiceId,
  kElectronicKey,
  kPort,     // value: port number, link: link address (first byte or numeric)
  kSymbol,   // bytes: the ANSI extended symbol (0x91) or symbolic segment (0x6x) text
  kNetwork,  // network segment (schedule, inhibit time, safety ...): skipped
  kData,     // simple data segment (0x80): skipped
};

/// One EPATH segment.
struct CipSegment {
  CipSegmentKind kind = CipSegmentKind::kClass;
  uint32_t value = 0;
  uint32_t link = 0;  // port segments: link address (a byte, or a text address's first byte)
  std::span<const uint8_t> bytes;  // symbols: name bytes; port segments: link address bytes
};

/// A parsed EPATH (CIP Vol 1 appendix C). Never fails: what could be read is kept, defects
/// are flagged.
struct CipPath {
  std::array<CipSegment, kMaxCipPathSegments> segments{};
  size_t count = 0;
  bool capped = false;     // more than kMaxCipPathSegments segments
  bool malformed = false;  // a segment ran past the path, or a reserved segment type was met
  // The last class, instance and attribute in the path: the object that receives the service
  // (nested paths name a parent object first).
  bool has_class = false, has_instance = false, has_attribute = false;
  uint32_t class_id = 0, instance = 0, attribute = 0;
  bool symbolic = false;  // a symbolic (tag name) segment is present
  bool routed = false;    // a port segment is present
};

/// Parses `bytes` as a whole EPATH (padded forms where the path size counts 16-bit words).
CipPath ParseCipPath(std::span<const uint8_t> bytes);

/// An explicit request: `| service:1 | path size (words):1 | path | data |`.
struct CipRequest {
  uint8_t service = 0;
  CipPath path;
  std::span<const uint8_t> data;
};

/// Parses a request (the service byte's 0x80 bit clear); nullopt when it is shorter than its
/// header or its path.
std::optional<CipRequest> ParseCipRequest(std::span<const uint8_t> message);

/// An explicit response: `| service|0x80:1 | reserved:1 | general status:1 |
/// additional status size (words):1 | additional status | data |`.
struct CipResponse {
  uint8_t service = 0;  // as on the wire, 0x80 set
  uint8_t general_status = 0;
  uint8_t additional_words = 0;
  uint16_t extended_status = 0;  // the first additional status word, when there is one
  std::span<const uint8_t> data;
};

/// Parses a response (the 0x80 bit set); nullopt when shorter than its header and status.
std::optional<CipResponse> ParseCipResponse(std::span<const uint8_t> message);

/// True when the message is a response (0x80 bit of its first byte); false when empty.
bool IsCipResponse(std::span<const uint8_t> message);

/// Unconnected Send request data (CIP Vol 1 3-5.5.2): the embedded request and its route.
struct CipUnconnectedSend {
  uint8_t priority_tick = 0;
  uint8_t timeout_ticks = 0;
  std::span<const uint8_t> message;  // the embedded request
  CipPath route;                     // port segments to the target
};

/// Parses Unconnected Send request data; nullopt when the embedded message or route path
/// runs past the data.
std::optional<CipUnconnectedSend> ParseUnconnectedSend(std::span<const uint8_t> data);

/// Multiple Service Packet data (CIP Vol 1 ): `| count:2 | offsets:2*count | members |`,
/// offsets counted from the count field. Requests and responses share the layout.
struct CipMultiple {
  std::array<std::span<const uint8_t>, kMaxCipMspServices> members{};
  size_t count = 0;       // members read (at most kMaxCipMspServices)
  uint16_t declared = 0;  // the count field
  bool capped = false;
};

/// Parses Multiple Service Packet data; nullopt when the offsets table runs past the data or
/// an offset points outside it or backwards.
std::optional<CipMultiple> ParseMultipleService(std::span<const uint8_t> data);

/// Forward Open / Large Forward Open request data (CIP Vol 1 3-5.5.2): the connection it
/// asks for and the path to the target object.
struct CipForwardOpen {
  uint32_t ot_connection_id = 0;
  uint32_t to_connection_id = 0;
  uint16_t connection_serial = 0;
  uint16_t originator_vendor = 0;
  uint32_t originator_serial = 0;
  uint8_t transport = 0;  // transport class and trigger
  CipPath connection_path;
};

/// Parses (Large) Forward Open request data; nullopt when too short for its fields or path.
std::optional<CipForwardOpen> ParseForwardOpen(std::span<const uint8_t> data, bool large);

/// Forward Close request data: the connection it closes and its path.
struct CipForwardClose {
  uint16_t connection_serial = 0;
  uint16_t originator_vendor = 0;
  uint32_t originator_serial = 0;
  CipPath connection_path;
};

/// Parses Forward Close request data; nullopt when too short for its fields or path.
std::optional<CipForwardClose> ParseForwardClose(std::span<const uint8_t> data);

/// The PCCC command inside Execute PCCC (service 0x4b on class 0x67) data:
/// `| requestor id length:1 | vendor:2 | serial:4 | other:len-7 | command:1 | status:1 |
///  transaction:2 | [function:1] | data |` (a response has command|0x40).
struct PcccCommand {
  uint8_t command = 0;
  uint8_t status = 0;
  uint16_t transaction = 0;
  bool has_function = false;  // commands 0x06, 0x07 and 0x0f carry a function code
  uint8_t function = 0;
  std::span<const uint8_t> data;
};

/// Parses Execute PCCC request or response data; nullopt when too short.
std::optional<PcccCommand> ParseExecutePccc(std::span<const uint8_t> data, bool response);

/// Bytes of the Identity attributes before the product name's characters: vendor, device
/// type, product code (2 each), revision (2), status (2), serial (4), name length (1).
inline constexpr size_t kCipIdentityFixedBytes = 15;

/// Identity object instance attributes 1-7 as Get_Attributes_All returns them (CIP Vol 1
/// 5A-2.2): vendor, device type, product code, revision, status, serial, product name.
struct CipIdentityAttributes {
  uint16_t vendor_id = 0;
  uint16_t device_type = 0;
  uint16_t product_code = 0;
  uint8_t revision_major = 0;
  uint8_t revision_minor = 0;
  uint16_t status = 0;
  uint32_t serial = 0;
  std::span<const uint8_t> product_name;
};

/// Parses a Get_Attributes_All reply of the Identity object; nullopt when too short.
std::optional<CipIdentityAttributes> ParseIdentityAttributes(std::span<const uint8_t> data);

}  // namespace qw::dissect::enip
