// NTP message parser: the time packet of NTPv1-v4 (RFC 5905 7.3, modes 1 to 5), control
// messages (mode 6, RFC 9327) and the private messages of the reference implementation
// (mode 7, ntpdc; MON_GETLIST and MON_GETLIST_1 are the "monlist" reflection requests).
// Pure: no state, no I/O, no allocation.
//
// clang-format off
//  modes 1-5: | LI:2 VN:3 Mode:3 | Stratum:1 | Poll:1 (signed log2 s) | Precision:1 (signed) |
//             | Root Delay:4 (16.16 s) | Root Dispersion:4 (16.16 s) | Reference ID:4 |
//             | Reference ts:8 | Origin ts:8 | Receive ts:8 | Transmit ts:8 |
//             [ extension fields (v4) ] [ Key ID:4 | Digest:16 or 20 ]
//  mode 6:    | LI VN Mode:1 | R:1 E:1 M:1 Opcode:5 | Sequence:2 | Status:2 | Association ID:2 |
//             | Offset:2 | Count:2 | Data:Count, padded to 4 | [ authenticator ] |
//  mode 7:    | R:1 M:1 VN:3 Mode:3 | A:1 Sequence:7 | Implementation:1 | Request code:1 |
//             | Err:4 Items:12 | MBZ:4 Item size:12 | data |
// clang-format on
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/fixed_text.h"

namespace qw::dissect::ntp {

/// Octets of the time packet's fixed header.
inline constexpr size_t kHeaderBytes = 48;
/// Octets of a control message's header (mode 6).
inline constexpr size_t kControlHeaderBytes = 12;
/// Most data octets a control message carries (RFC 9327 2).
inline constexpr size_t kMaxControlData = 468;
/// Octets of a private message's header (mode 7).
inline constexpr size_t kPrivateHeaderBytes = 8;
/// Most data octets one private message carries (ntpd's MAXSEQ-bounded response item area).
inline constexpr size_t kMaxPrivateData = 500;

/// Association modes (RFC 5905 3, figure 10).
enum Mode : uint8_t {
  kReserved = 0,
  kSymmetricActive = 1,
  kSymmetricPassive = 2,
  kClient = 3,
  kServer = 4,
  kBroadcast = 5,
  kControl = 6,
  kPrivate = 7,
};

/// Private (mode 7) request codes that ask for the monitor list.
inline constexpr uint8_t kMonGetList = 20;
inline constexpr uint8_t kMonGetList1 = 42;

/// What one NTP datagram says.
struct Message {
  uint8_t leap = 0;     // LI
  uint8_t version = 0;  // VN
  uint8_t mode = 0;
  // Time packet (modes 1-5).
  uint8_t stratum = 0;
  int8_t poll = 0;
  int8_t precision = 0;
  uint32_t root_delay = 0;       // NTP short format, 16.16 seconds
  uint32_t root_dispersion = 0;  // likewise
  uint32_t reference_id = 0;
  uint64_t transmit = 0;  // transmit timestamp, 32.32 seconds since 1900
  // Control (mode 6) and private (mode 7).
  bool response = false;       // R bit
  bool error = false;          // mode 6 E bit, or a mode 7 error code
  uint8_t opcode = 0;          // mode 6 opcode, or mode 7 request code
  uint8_t implementation = 0;  // mode 7
};

/// Parses one datagram. nullopt unless it is a well-formed NTP message of a known version
/// and mode: a time packet of at least kHeaderBytes with stratum at most 16 (16 means
/// unsynchronised), a control message whose count fits, or a private message of a known
/// implementation with its must-be-zero bits clear.
std::optional<Message> ParseMessage(std::span<const uint8_t> datagram);

/// The reference id as text: a stratum 0 (kiss code) or 1 (source) id as its ASCII
/// characters ("GPS", "RATE"), any other as a dotted quad (an IPv4 address, or for IPv6 the
/// first octets of an MD5 of it).
core::FixedText<16> ReferenceText(const Message& m);

/// The name of a mode ("client", "server", "control", "private", ...).
const char* ModeName(uint8_t mode);

}  // namespace qw::dissect::ntp
