// WireGuard message parser (the WireGuard paper, section 5.4, and the Linux and wireguard-go
// implementations; Wireshark's packet-wireguard.c reads the same layout). A message opens
// with a one-octet type and three reserved octets, which are zero; each type has a fixed
// length but transport data, whose encrypted payload is padded to 16 octets and followed by
// a 16-octet tag. All multi-octet fields are little-endian. Pure: no state, no I/O, no
// allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace qw::dissect::wireguard {

/// Message types.
inline constexpr uint8_t kHandshakeInitiation = 1;
inline constexpr uint8_t kHandshakeResponse = 2;
inline constexpr uint8_t kCookieReply = 3;
inline constexpr uint8_t kTransportData = 4;

/// The lengths of the fixed-size messages, and the shortest transport data message (a
/// keepalive: header, receiver, counter and an empty payload's tag).
inline constexpr size_t kInitiationBytes = 148;
inline constexpr size_t kResponseBytes = 92;
inline constexpr size_t kCookieReplyBytes = 64;
inline constexpr size_t kMinTransportBytes = 32;

/// One message's header.
struct Message {
  uint8_t type = 0;
  uint32_t sender = 0;     // initiation and response: the sender's index
  uint32_t receiver = 0;   // response, cookie reply and transport data: the receiver's index
  uint64_t counter = 0;    // transport data: the nonce counter
  bool keepalive = false;  // transport data with an empty payload
};

/// Reads the datagram `bytes` as one WireGuard message; false when its type is unknown, its
/// reserved octets are not zero, or its length does not fit its type.
bool ParseMessage(std::span<const uint8_t> bytes, Message& out);

/// The name of a message type ("handshake-initiation"), or "" when undefined.
const char* TypeName(uint8_t type);

}  // namespace qw::dissect::wireguard
