// OPC UA binary (UA TCP / UA Secure Conversation / UA Binary) parser: one message chunk into
// bounded structs, and the service body of a readable chunk into what the monitor keeps of
// it (service, first node, status, identity strings). Pure: no state, no I/O, no allocation.
//
// Follows OPC 10000-6 (Part 6, Mappings) v1.04: 5.2 (UA Binary encoding of the built-in
// types), 6.7 (UA Secure Conversation: message header, security headers, sequence header,
// chunks), 7.1 (UA Connection Protocol: Hello, Acknowledge, Error, ReverseHello), and the
// service parameters of OPC 10000-4 (Part 4, Services) v1.04 clause 5 and 7.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "core/fixed_text.h"
#include "dissect/dissector.h"
#include "dissect/observation.h"

namespace qw::dissect {

/// Message types: the three ASCII octets of the header read big-endian, so that a code
/// shows the letters in hex (0x48454c = "HEL"). The "message_types" histogram is keyed by
/// these values as the wire holds them.
inline constexpr uint32_t kOpcuaHello = 0x48454c;         // "HEL"
inline constexpr uint32_t kOpcuaAcknowledge = 0x41434b;   // "ACK"
inline constexpr uint32_t kOpcuaError = 0x455252;         // "ERR"
inline constexpr uint32_t kOpcuaReverseHello = 0x524845;  // "RHE"
inline constexpr uint32_t kOpcuaOpen = 0x4f504e;          // "OPN"
inline constexpr uint32_t kOpcuaMessage = 0x4d5347;       // "MSG"
inline constexpr uint32_t kOpcuaClose = 0x434c4f;         // "CLO"

/// Octets of the message header: type, chunk type, size.
inline constexpr size_t kOpcuaHeaderBytes = 8;
/// Largest chunk accepted as OPC UA (Part 6 leaves buffer sizes to negotiation; servers
/// use 8 KiB to a few MiB). Larger sizes are taken for lost framing.
inline constexpr uint32_t kMaxOpcuaChunkBytes = 16u << 20;
/// Longest endpoint URL or reason a Hello, ReverseHello or Error may carry (Part 6 7.1.2).
inline constexpr uint32_t kMaxOpcuaUrlBytes = 4096;
/// Most elements walked in one array while looking for what the monitor keeps; an array
/// longer than this stops the walk (`opcua.too_many_elements`).
inline constexpr uint32_t kMaxOpcuaWalkedElements = 1024;
/// Deepest nesting of Variants, DataValues, DiagnosticInfos and ExtensionObjects decoded
/// (`opcua.too_deep`).
inline constexpr int kMaxOpcuaDepth = 8;
/// Read items examined for server build information (`opcua.too_many_items` past it).
inline constexpr uint32_t kMaxOpcuaScannedReadItems = 64;
/// Build-information nodes a Read request can be remembered asking for.
inline constexpr size_t kMaxOpcuaTrackedReads = 8;

/// Encoding ids of the UA Binary bodies this parser reads (OPC Foundation NodeIds.csv).
inline constexpr uint32_t kOpcuaServiceFault = 397;
inline constexpr uint32_t kOpcuaOpenRequest = 446;
inline constexpr uint32_t kOpcuaOpenResponse = 449;
inline constexpr uint32_t kOpcuaCloseRequest = 452;

/// An OPC UA service as the monitor sees it.
struct OpcuaServiceInfo {
  uint32_t request_id = 0;   // encoding id of the request body (the operation's code)
  uint32_t response_id = 0;  // encoding id of the response body
  const char* name = "";     // kebab-case: "read", "create-monitored-items"
  IcsCategory category = IcsCategory::kOther;
};

/// The service whose request or response body has encoding id `id`, or nullptr.
const OpcuaServiceInfo* OpcuaService(uint32_t id);
/// The name of a StatusCode (OPC Foundation StatusCode.csv), or nullptr when unknown.
const char* OpcuaStatusName(uint32_t code);

/// How the bytes at the start of a stream frame a chunk.
struct OpcuaFraming {
  enum class Status : uint8_t { kOk, kNeedMore, kBad } status = Status::kOk;
  uint32_t type = 0;  // kOk: message type
  uint8_t chunk = 0;  // kOk: 'F', 'C' or 'A'
  size_t size = 0;    // kOk: chunk size; kNeedMore: bytes wanted in total
};

/// Frames the chunk at the start of `bytes` from its 8-octet header: a known type, a chunk
/// type that type allows, and a size within the type's bounds.
OpcuaFraming FrameOpcua(std::span<const uint8_t> bytes);

/// Whether `bytes` begin with an OPC UA chunk header as a peer would send it (and, where the
/// bytes are there, a consistent first field: Hello URL length, Open policy URI). kMaybe
/// while too few bytes have arrived.
ProbeResult LooksLikeOpcua(std::span<const uint8_t> bytes);

/// One chunk's transport and security framing. `body` is a view into the parsed bytes and
/// lives only as long as they do.
struct OpcuaChunk {
  uint32_t type = 0;
  uint8_t chunk = 'F';
  uint32_t size = 0;
  // Hello / ReverseHello / Error.
  core::FixedText<96> endpoint_url;  // HEL, RHE
  uint32_t error = 0;                // ERR: StatusCode
  core::FixedText<64> reason;        // ERR
  // Secure conversation (OPN, MSG, CLO).
  uint32_t channel_id = 0;
  uint32_t token_id = 0;                        // MSG, CLO
  core::FixedText<96> security_policy;          // OPN: SecurityPolicyUri
  std::span<const uint8_t> sender_certificate;  // OPN: its DER octets, or none (a view, as `body`)
  bool sequence_readable = false;               // the sequence header and body are plain text
  uint32_t sequence_number = 0;
  uint32_t request_id = 0;
  std::span<const uint8_t> body;  // after the sequence header (readable chunks only)

  /// OPN: a sender certificate is present.
  bool has_certificate() const { return !sender_certificate.empty(); }
};

/// Parses a framed chunk, or the first part of one (`chunk` shorter than its size field:
/// `body` then ends where the part does). `plain` says the caller knows the channel sends plain
/// text (SecurityPolicy None); otherwise the sequence header is trusted only when the body starts
/// with a known service encoding id, so that ciphertext is never read as a service. Returns nothing
/// when the chunk's own headers do not parse (`opcua.malformed`).
std::optional<OpcuaChunk> ParseOpcuaChunk(std::span<const uint8_t> chunk, bool plain,
                                          core::Anomalies& anomalies);

/// True when `uri` is the SecurityPolicy None (messages neither signed nor encrypted).
bool IsOpcuaPolicyNone(std::string_view uri);
/// The part of a SecurityPolicyUri after '#' ("None", "Basic256Sha256"), or all of it.
std::string_view OpcuaPolicyName(std::string_view uri);

/// A server build-information node a Read asks for, by its position in the request.
struct OpcuaTrackedRead {
  uint16_t index = 0;  // position in NodesToRead
  uint16_t node = 0;   // numeric id in namespace 0: 2256 ServerStatus, 2260 BuildInfo, 2261..2265
};

/// What a Read request asked for that the response may answer with build information.
struct OpcuaReadTracking {
  std::array<OpcuaTrackedRead, kMaxOpcuaTrackedReads> reads{};
  uint8_t count = 0;
};

/// An ApplicationDescription's identifying strings (Part 4 7.1).
struct OpcuaApplication {
  bool present = false;
  core::FixedText<128> application_uri;
  core::FixedText<128> product_uri;
  core::FixedText<128> application_name;  // the LocalizedText's text
  uint32_t application_type = 0;          // 0 server, 1 client, 2 both, 3 discovery server
};

/// A server's BuildInfo (Part 5 12.4), from a Read of ServerStatus, BuildInfo or its children.
struct OpcuaBuildInfo {
  bool present = false;
  core::FixedText<128> product_uri;
  core::FixedText<128> manufacturer;
  core::FixedText<128> product_name;
  core::FixedText<64> software_version;
  core::FixedText<64> build_number;
};

/// The kind of user identity an ActivateSession presents.
enum class OpcuaIdentityToken : uint8_t {
  kNone,
  kAnonymous,
  kUserName,
  kCertificate,
  kIssued,
  kOther
};

/// What the monitor keeps of one service body. Holds no views.
struct OpcuaServiceBody {
  uint32_t type_id = 0;                       // the body's numeric encoding id (namespace 0)
  bool type_id_numeric = false;               // the type id was a namespace-0 numeric id
  const OpcuaServiceInfo* service = nullptr;  // nullptr: a type id no service uses
  bool is_response = false;                   // a response body or a ServiceFault
  bool complete = false;                      // every field the monitor wanted was read
  // Requests.
  core::FixedText<112> target;  // first node ("ns=2;s=Crane.Hoist.Speed", "i=2258"), URL, user
  uint32_t item_count = 0;      // items of the request's main array
  OpcuaReadTracking read;       // Read: build-information nodes asked for
  uint32_t security_mode = 0;   // OPN request: 1 None, 2 Sign, 3 SignAndEncrypt
  uint32_t request_type = 0;    // OPN request: 0 issue, 1 renew
  OpcuaIdentityToken identity_token = OpcuaIdentityToken::kNone;  // ActivateSession
  OpcuaApplication application;  // CreateSession request: the client; responses: the server
  // Responses.
  uint32_t service_result = 0;
  bool has_item_status = false;  // the first result item carried its own StatusCode
  uint32_t item_status = 0;
  OpcuaBuildInfo build;  // Read response answering tracked build-information reads
};

/// Parses a readable chunk body (the type id and the service fields). For a Read response,
/// `read` says which results hold build information (nullptr: none). `whole` says the body
/// is all there; a body cut short (a first chunk, or a chunk the dissector kept only the
/// start of) yields what it held without complaint. `complete` says whether everything
/// wanted was read. Malformed bodies raise `opcua.*` anomalies.
OpcuaServiceBody ParseOpcuaServiceBody(std::span<const uint8_t> body, const OpcuaReadTracking* read,
                                       bool whole, core::Anomalies& anomalies);

}  // namespace qw::dissect
