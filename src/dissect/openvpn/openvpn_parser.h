// OpenVPN packet parser (OpenVPN's ssl_pkt.h and the protocol notes in its ssl.h; Wireshark's
// packet-openvpn.c reads the same layout). Every packet opens with one octet: the opcode in
// its high five bits, the key id in its low three. Control packets (hard and soft resets,
// control, acknowledgement) go on with the sender's 8-octet session id; what follows depends
// on the configuration (a tls-auth HMAC, a tls-crypt tag) that the wire does not announce.
// Data packets carry the tunnel, encrypted. Over TCP each packet is led by its length, two
// octets big-endian; over UDP a datagram is one packet. Pure: no state, no I/O, no
// allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace qw::dissect::openvpn {

/// Opcodes (the high five bits of the first octet).
inline constexpr uint8_t kHardResetClientV1 = 1;
inline constexpr uint8_t kHardResetServerV1 = 2;
inline constexpr uint8_t kSoftResetV1 = 3;
inline constexpr uint8_t kControlV1 = 4;
inline constexpr uint8_t kAckV1 = 5;
inline constexpr uint8_t kDataV1 = 6;
inline constexpr uint8_t kHardResetClientV2 = 7;
inline constexpr uint8_t kHardResetServerV2 = 8;
inline constexpr uint8_t kDataV2 = 9;
inline constexpr uint8_t kHardResetClientV3 = 10;
inline constexpr uint8_t kControlWkcV1 = 11;
/// The highest opcode OpenVPN defines.
inline constexpr uint8_t kMaxOpcode = 11;

/// Octets of a TCP packet's length prefix, and of a control packet's session id.
inline constexpr size_t kLengthBytes = 2;
inline constexpr size_t kSessionIdBytes = 8;

/// One packet's header.
struct Packet {
  uint8_t opcode = 0;
  uint8_t key_id = 0;
  bool has_session_id = false;  // a control or acknowledgement packet at least 9 octets long
  uint64_t session_id = 0;      // big-endian, as sent
  size_t length = 0;            // octets of the packet (without a TCP length prefix)
};

/// Reads the header of the packet `bytes` holds whole; false when it is empty or its
/// opcode is not one OpenVPN defines.
bool ParsePacket(std::span<const uint8_t> bytes, Packet& out);

/// What reading one TCP-framed packet from the front of a stream found.
enum class Status : uint8_t { kOk, kNeedMore, kInvalid };

/// One packet of a TCP stream.
struct Framed {
  Status status = Status::kInvalid;
  size_t length = 0;  // kOk: prefix and packet; kNeedMore: octets wanted in all
};

/// Reads the length prefix at the front of `bytes`: kInvalid for a zero length.
Framed ReadFramed(std::span<const uint8_t> bytes);

/// How a client's hard reset says its control channel is protected, read from the packet's
/// length (OpenVPN pads nothing): no HMAC, a tls-auth HMAC of 16, 20 or 64 octets (MD5,
/// SHA-1, SHA-512), 32 octets or tls-crypt (SHA-256 and tls-crypt give the same length),
/// tls-crypt-v2 (the V3 reset, carrying the client's wrapped key).
enum class ControlProtection : uint8_t {
  kUnknown,
  kNone,
  kTlsAuthMd5,
  kTlsAuthSha1,
  kTlsAuthSha256OrTlsCrypt,
  kTlsAuthSha512,
  kTlsCryptV2,
};

/// True when `packet` (one whole packet, no length prefix) is a client's first: a V2 hard
/// reset of key 0 whose length and zeroed fields fit one of the layouts above, or a V3
/// hard reset of key 0. `protection`, when not null, gets the layout.
bool LooksLikeClientReset(std::span<const uint8_t> packet, ControlProtection* protection);

/// Acknowledgements one control packet may carry (OpenVPN's RELIABLE_ACK_SIZE).
inline constexpr size_t kMaxAcks = 8;

/// The octets a control packet under `p` puts between its session id and its
/// acknowledgements: a tls-auth HMAC, then the replay packet id and time (8 octets). nullopt
/// when its reliability fields are encrypted (tls-crypt, tls-crypt-v2) or the layout is
/// unknown. kTlsAuthSha256OrTlsCrypt gives tls-auth's 40: the caller checks what it reads.
std::optional<size_t> AuthBytes(ControlProtection p);

/// What a control packet's reliability layer says (OpenVPN's reliable.c).
struct Control {
  uint8_t opcode = 0;
  uint8_t key_id = 0;
  uint8_t acks = 0;                  // packet ids acknowledged
  bool has_message_id = false;       // every control packet but P_ACK_V1 has one
  uint32_t message_id = 0;           // its place in the sender's ordered messages
  std::span<const uint8_t> payload;  // the octets after it: TLS for P_CONTROL_V1
};

/// Reads a control or acknowledgement packet (whole, no TCP prefix) whose session id is
/// followed by `auth_bytes` (see AuthBytes). False when it does not hold together: a data
/// packet or undefined opcode, cut short, more than kMaxAcks acknowledgements, or
/// acknowledgements without the remote session id. Views into `packet`.
bool ParseControl(std::span<const uint8_t> packet, size_t auth_bytes, Control& out);

/// The name of a ControlProtection ("tls-auth (SHA-1)"); "" for kUnknown.
const char* ProtectionName(ControlProtection p);

/// The name of an opcode ("P_CONTROL_HARD_RESET_CLIENT_V2"), or "" when undefined.
const char* OpcodeName(uint8_t opcode);

}  // namespace qw::dissect::openvpn
