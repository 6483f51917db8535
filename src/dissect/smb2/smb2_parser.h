// SMB2/3 parser ([MS-SMB2] 2.1, 2.2) and the framing it travels in: the NetBIOS session
// service header of RFC 1002 4.3.1 (TCP 139) or the Direct TCP transport of [MS-SMB2] 2.1
// (TCP 445), which share one layout. Recognises SMB1 ([MS-CIFS] 2.2.3.1), the SMB3
// transform header (encrypted) and the compression transform header by their protocol
// ids. Pure: no state, no I/O, no allocation.
//
// clang-format off
//  NBSS   | type:1 (0x00 message) | length:3 (big-endian) | message:length |
//  SMB2   | 0xFE 'S' 'M' 'B' | structure_size:2 (=64) | credit_charge:2 | status:4 |
//         | command:2 | credits:2 | flags:4 | next_command:4 | message_id:8 |
//         | async_id:8 (async) or reserved:4 tree_id:4 (sync) | session_id:8 | signature:16 |
//  SMB1   | 0xFF 'S' 'M' 'B' | command:1 | status:4 | flags:1 | flags2:2 | ...
//  transform    | 0xFD 'S' 'M' 'B' | signature:16 | nonce:16 | original_size:4 | ...
//  compression  | 0xFC 'S' 'M' 'B' | original_size:4 | algorithm:2 | flags:2 | ...
// clang-format on
// SMB2 fields are little-endian; offsets inside a body count from the start of its header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/fixed_text.h"

namespace qw::dissect::smb2 {

/// Bytes of the NetBIOS session service / Direct TCP header.
inline constexpr size_t kNbssHeaderBytes = 4;
/// Bytes of an SMB2 header.
inline constexpr size_t kHeaderBytes = 64;
/// Largest message accepted (the 24-bit length allows 16 MiB; servers use up to 8 MiB
/// reads and writes plus headers); longer raises `smb2.message_too_long`.
inline constexpr uint32_t kMaxMessageBytes = 16u << 20;
/// Headers in one compounded message ([MS-SMB2] 3.2.4.1.4); more raises
/// `smb2.too_many_compounded`.
inline constexpr size_t kMaxCompoundMembers = 32;
/// Longest share path or file name kept, in UTF-8 bytes.
inline constexpr size_t kMaxNameBytes = 255;

/// RFC 1002 4.3.1 packet types.
inline constexpr uint8_t kNbssMessage = 0x00;
inline constexpr uint8_t kNbssSessionRequest = 0x81;
inline constexpr uint8_t kNbssPositiveResponse = 0x82;
inline constexpr uint8_t kNbssKeepAlive = 0x85;

/// SMB2 commands ([MS-SMB2] 2.2.1.2) this parser reads bodies of.
enum Command : uint16_t {
  kNegotiate = 0,
  kSessionSetup = 1,
  kTreeConnect = 3,
  kCreate = 5,
  kClose = 6,
  kRead = 8,
  kWrite = 9,
};

/// NTSTATUS values the dissector treats specially ([MS-ERREF] 2.3.1).
inline constexpr uint32_t kStatusSuccess = 0;
inline constexpr uint32_t kStatusPending = 0x00000103;
inline constexpr uint32_t kStatusMoreProcessingRequired = 0xC0000016;
inline constexpr uint32_t kStatusEndOfFile = 0xC0000011;

/// The name of an NTSTATUS ("STATUS_ACCESS_DENIED"), or nullptr when not in our table.
const char* StatusName(uint32_t status);
/// True for an NTSTATUS of error severity (the top two bits set).
inline bool IsError(uint32_t status) { return (status >> 30) == 3; }

/// A NetBIOS session service header: packet type and the length of what follows.
struct NbssHeader {
  uint8_t type = 0;
  uint32_t length = 0;  // 24 bits: Direct TCP's length; RFC 1002's 17 bits plus flags
};

/// Reads the 4-byte NBSS header; nullopt when fewer bytes are given.
std::optional<NbssHeader> ParseNbss(std::span<const uint8_t> bytes);

/// What a message's protocol id says it is.
enum class MessageKind : uint8_t { kSmb2, kTransform, kCompressed, kSmb1, kUnknown };

/// Classifies a message by its first four bytes (kUnknown when fewer).
MessageKind Classify(std::span<const uint8_t> message);

/// An SMB2 header.
struct Header {
  uint16_t command = 0;
  uint32_t status = 0;
  uint32_t flags = 0;
  uint32_t next_command = 0;  // offset of the next compounded header; 0 for the last
  uint64_t message_id = 0;
  uint64_t async_id = 0;  // async responses only
  uint32_t tree_id = 0;   // sync messages only
  uint64_t session_id = 0;

  bool response() const { return (flags & 0x1) != 0; }
  bool async() const { return (flags & 0x2) != 0; }
  bool related() const { return (flags & 0x4) != 0; }
};

/// Reads an SMB2 header; nullopt unless 64 bytes with the 0xFE 'SMB' id and structure size.
std::optional<Header> ParseHeader(std::span<const uint8_t> member);

/// An SMB1 header's command and whether it is a reply (SMB_FLAGS_REPLY).
struct Smb1Header {
  uint8_t command = 0;
  uint32_t status = 0;
  bool response = false;
};

/// Reads the start of an SMB1 header; nullopt unless it opens with 0xFF 'SMB' and holds
/// the flags byte.
std::optional<Smb1Header> ParseSmb1(std::span<const uint8_t> message);

/// A 16-byte SMB2 FileId ([MS-SMB2] 2.2.14.1).
struct FileId {
  uint64_t persistent = 0, volatile_id = 0;
  bool operator==(const FileId&) const = default;
  /// The id related compounded requests use for "the file of the previous request".
  bool IsChained() const { return persistent == ~uint64_t{0} && volatile_id == ~uint64_t{0}; }
};

/// Text of a share path or file name as SMB2 keeps it.
using Name = core::FixedText<kMaxNameBytes>;

/// Converts UTF-16LE text to UTF-8 into `out`, never splitting a character when cut at its
/// capacity; unpaired surrogates and control characters become '.'.
void AppendUtf16(std::span<const uint8_t> utf16le, Name& out);

/// TREE_CONNECT request ([MS-SMB2] 2.2.9): the share path, "\\server\share".
struct TreeConnectRequest {
  Name path;
};
/// Parses a TREE_CONNECT request member (header included); nullopt when cut short.
std::optional<TreeConnectRequest> ParseTreeConnectRequest(std::span<const uint8_t> member);

/// CREATE request ([MS-SMB2] 2.2.13): file name and disposition.
struct CreateRequest {
  uint32_t disposition = 0;
  Name name;
};
/// Parses a CREATE request member; nullopt when cut short.
std::optional<CreateRequest> ParseCreateRequest(std::span<const uint8_t> member);

/// CREATE response ([MS-SMB2] 2.2.14): what the server did, the file's size and its id.
struct CreateResponse {
  uint32_t create_action = 0;  // 0 superseded, 1 opened, 2 created, 3 overwritten
  uint64_t end_of_file = 0;
  FileId file_id;
};
/// Parses a successful CREATE response member; nullopt when cut short.
std::optional<CreateResponse> ParseCreateResponse(std::span<const uint8_t> member);

/// CLOSE request ([MS-SMB2] 2.2.15): the file closed.
std::optional<FileId> ParseCloseRequest(std::span<const uint8_t> member);

/// CLOSE response ([MS-SMB2] 2.2.16): the file's size, when the client asked for it.
struct CloseResponse {
  bool has_attributes = false;  // SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB
  uint64_t end_of_file = 0;
};
/// Parses a successful CLOSE response member; nullopt when cut short.
std::optional<CloseResponse> ParseCloseResponse(std::span<const uint8_t> member);

/// READ request ([MS-SMB2] 2.2.19): which file, where and how much.
struct ReadRequest {
  uint32_t length = 0;
  uint64_t offset = 0;
  FileId file_id;
};
/// Parses a READ request member; nullopt when cut short.
std::optional<ReadRequest> ParseReadRequest(std::span<const uint8_t> member);

/// Where a READ response's or WRITE request's data lies in its member: `data_offset` from
/// the start of the header, `data_length` bytes. The data may go past the bytes given.
struct DataLayout {
  uint32_t data_offset = 0;
  uint32_t data_length = 0;
};

/// Parses the fixed part of a READ response ([MS-SMB2] 2.2.20); nullopt when cut short or
/// the data would start inside the fixed part.
std::optional<DataLayout> ParseReadResponse(std::span<const uint8_t> member);

/// WRITE request ([MS-SMB2] 2.2.21): file, offset and where the data lies.
struct WriteRequest {
  DataLayout data;
  uint64_t offset = 0;
  FileId file_id;
};
/// Parses the fixed part of a WRITE request; nullopt when cut short or the data would start
/// inside the fixed part.
std::optional<WriteRequest> ParseWriteRequest(std::span<const uint8_t> member);

/// Bytes of a SESSION_SETUP security buffer searched for the NTLMSSP signature (the SPNEGO
/// wrapping in front of it is a few dozen bytes).
inline constexpr size_t kMaxNtlmsspSearchBytes = 256;

/// What an NTLMSSP AUTHENTICATE message ([MS-NLMP] 2.2.1.3) says of the client.
struct NtlmAuth {
  Name user, domain, workstation;
};
/// Finds an NTLMSSP AUTHENTICATE message in the security buffer of a SESSION_SETUP request
/// member ([MS-SMB2] 2.2.5; raw or inside SPNEGO) and reads its names; nullopt when there is
/// none or it is cut short.
std::optional<NtlmAuth> ParseSessionSetupNtlm(std::span<const uint8_t> member);

/// Bytes of a READ response's fixed part, header included.
inline constexpr size_t kReadResponseFixedBytes = kHeaderBytes + 16;
/// Bytes of a WRITE request's fixed part, header included.
inline constexpr size_t kWriteRequestFixedBytes = kHeaderBytes + 48;

}  // namespace qw::dissect::smb2
