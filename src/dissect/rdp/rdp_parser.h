// RDP connection sequence parser ([MS-RDPBCGR] 2.2.1.1 to 2.2.1.3): the X.224 Connection
// Request with its cookie or routing token and RDP_NEG_REQ, the Connection Confirm with
// RDP_NEG_RSP or RDP_NEG_FAILURE, the client core data (TS_UD_CS_CORE) inside MCS Connect
// Initial, and fast-path framing. TPKT framing itself is the ISO transport's
// (dissect/s7comm/cotp_parser.h). Pure: no state, no I/O, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/anomalies.h"
#include "core/fixed_text.h"

namespace qw::dissect::rdp {

/// requestedProtocols / selectedProtocol bits ([MS-RDPBCGR] 2.2.1.1.1).
inline constexpr uint32_t kProtocolSsl = 0x1;
inline constexpr uint32_t kProtocolHybrid = 0x2;
inline constexpr uint32_t kProtocolRdsTls = 0x4;
inline constexpr uint32_t kProtocolHybridEx = 0x8;
inline constexpr uint32_t kProtocolRdsAad = 0x10;

/// Negotiation structure types.
inline constexpr uint8_t kNegRequest = 0x01;
inline constexpr uint8_t kNegResponse = 0x02;
inline constexpr uint8_t kNegFailure = 0x03;

/// Client data blocks read in a Connect Initial; more raise `rdp.too_many_blocks`.
inline constexpr size_t kMaxClientDataBlocks = 16;

/// What an X.224 Connection Request (client to server) carries.
struct ConnectionRequest {
  bool has_token = false;      // a "Cookie: ..." line preceded the negotiation request
  core::FixedText<255> token;  // that line without CR LF, as tshark's rdp.rt_cookie shows it
  bool has_user = false;       // the token is "Cookie: mstshash=USER"
  core::FixedText<255> user;   // USER (the client truncates it; spaces kept)
  bool has_neg = false;        // RDP_NEG_REQ present
  uint8_t neg_flags = 0;
  uint32_t requested = 0;  // requestedProtocols
};

/// What an X.224 Connection Confirm (server to client) carries.
struct ConnectionConfirm {
  uint8_t neg_type = 0;  // 0 (none), kNegResponse or kNegFailure
  uint8_t neg_flags = 0;
  uint32_t selected = 0;      // kNegResponse: selectedProtocol
  uint32_t failure_code = 0;  // kNegFailure: failureCode
};

/// The client core data of MCS Connect Initial that says who the client is.
struct ClientCore {
  uint32_t version = 0;  // 0x00080004: RDP 5.0 to 8.1, ...
  uint16_t width = 0, height = 0;
  uint32_t keyboard_layout = 0;
  uint32_t build = 0;        // clientBuild
  core::FixedText<16> name;  // clientName (UTF-16LE on the wire; non-ASCII becomes '.')
};

/// Parses the TPDU of a Connection Request (from the LI octet on). nullopt when it is not
/// a class 0 CR with a destination reference of 0, or a token or negotiation request is
/// malformed.
std::optional<ConnectionRequest> ParseConnectionRequest(std::span<const uint8_t> tpdu);

/// Parses the TPDU of a Connection Confirm. nullopt when it is not a CR's answer or its
/// negotiation structure is malformed.
std::optional<ConnectionConfirm> ParseConnectionConfirm(std::span<const uint8_t> tpdu);

/// True when the user data of an X.224 DT opens an MCS Connect Initial (BER tag 0x7f65).
bool IsConnectInitial(std::span<const uint8_t> user_data);

/// Reads the client core data of an MCS Connect Initial (the user data of an X.224 DT).
/// nullopt, with `rdp.bad_connect_initial` raised, when the BER, the GCC Conference Create
/// Request or the data blocks are cut short or not what RDP sends.
std::optional<ClientCore> ParseConnectInitial(std::span<const uint8_t> user_data,
                                              core::Anomalies& anomalies);

/// The length a fast-path PDU header at the front of `bytes` announces (the whole PDU),
/// 0 when the header is not complete yet, nullopt when the first octet is not a fast-path
/// header or the length is impossible.
std::optional<size_t> FastPathLength(std::span<const uint8_t> bytes);

/// Appends the names of the protocol bits of `mask` ("ssl,hybrid"; 0 is "rdp", unknown
/// bits are appended in hex).
void AppendProtocols(uint32_t mask, core::FixedText<255>& out);

/// The name of an RDP_NEG_FAILURE code ("ssl_required_by_server"), or "" when unknown.
const char* FailureName(uint32_t code);

/// The RDP versions a client core data's version field names ("5.0-8.1"), or "".
const char* VersionName(uint32_t version);

}  // namespace qw::dissect::rdp
