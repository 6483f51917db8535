// TFTP parser (RFC 1350, with RFC 2347's option extension and RFC 2348/2349's blksize and
// tsize): one datagram in, its opcode and fields out. Pure: no state, no I/O, no
// allocation. Views returned point into the datagram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace qw::dissect::tftp {

/// Opcodes (RFC 1350 5, RFC 2347).
enum Opcode : uint16_t { kRrq = 1, kWrq = 2, kData = 3, kAck = 4, kError = 5, kOack = 6 };

/// Longest file name or mode read; longer ones make the request malformed.
inline constexpr size_t kMaxFieldBytes = 512;
/// Options read from a request or OACK; more raise `tftp.too_many_options`.
inline constexpr size_t kMaxOptions = 16;
/// The block size when none was negotiated.
inline constexpr uint32_t kDefaultBlockSize = 512;

/// One TFTP datagram.
struct Packet {
  uint16_t opcode = 0;
  std::string_view file_name;     // RRQ, WRQ
  std::string_view mode;          // RRQ, WRQ: "netascii", "octet", "mail"
  uint16_t block = 0;             // DATA, ACK
  std::span<const uint8_t> data;  // DATA
  uint16_t error_code = 0;        // ERROR
  std::string_view error_text;    // ERROR
  int64_t tsize = -1;             // RRQ, WRQ, OACK: the tsize option; -1 when absent
  uint32_t blksize = 0;           // RRQ, WRQ, OACK: the blksize option; 0 when absent
  bool too_many_options = false;  // options beyond kMaxOptions were not read
};

/// Parses one datagram. nullopt when the opcode is unknown or the fields are malformed
/// (a request without its NUL-terminated name and a known mode, a DATA or ACK cut short).
std::optional<Packet> Parse(std::span<const uint8_t> datagram);

}  // namespace qw::dissect::tftp
