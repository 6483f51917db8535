// TeamViewer command framing parser. TeamViewer publishes no specification; the layout is
// what nDPI (src/lib/protocols/teamviewer.c) recognises and community Wireshark decoders
// read: two framings told apart by their first two octets, each a command code and a
// little-endian data length. Pure: no state, no I/O, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace qw::dissect::teamviewer {

/// First octets of the short framing (5-octet header) and of the long one (24 octets).
inline constexpr uint8_t kShortMagic[2] = {0x17, 0x24};
inline constexpr uint8_t kLongMagic[2] = {0x11, 0x30};
inline constexpr size_t kShortHeaderBytes = 5;
inline constexpr size_t kLongHeaderBytes = 24;
/// Largest command data accepted; a larger length raises `teamviewer.long_command`.
inline constexpr size_t kMaxCommandBytes = 1 << 20;

/// The range of command codes community decoders name; a probe wants one of them.
inline constexpr uint8_t kMinCommand = 10;
inline constexpr uint8_t kMaxCommand = 113;
/// Command codes whose meaning is known.
inline constexpr uint8_t kCmdIdentify = 10;
inline constexpr uint8_t kCmdRequestConnect = 11;
inline constexpr uint8_t kCmdRequestEncryption = 93;
inline constexpr uint8_t kCmdConfirmEncryption = 94;
inline constexpr uint8_t kCmdEncryptionRequestFailed = 95;
inline constexpr uint8_t kCmdRequestNoEncryption = 96;

/// What reading one command from the front of a stream found.
enum class Status : uint8_t { kOk, kNeedMore, kInvalid };

/// One command's framing.
struct Command {
  Status status = Status::kInvalid;
  bool long_framing = false;  // 0x11 0x30
  uint8_t code = 0;
  size_t length = 0;  // kOk: header and data; kNeedMore: bytes wanted in all
};

/// Reads the command at the front of `bytes`. kInvalid when the first octets are neither
/// magic, or the data length exceeds kMaxCommandBytes.
Command ReadCommand(std::span<const uint8_t> bytes);

/// True when a UDP datagram looks like TeamViewer's: a first counter octet of 0 and the
/// short magic at offset 11 (as nDPI recognises it), at least 13 octets.
bool LooksLikeDatagram(std::span<const uint8_t> datagram);

/// The name of a command ("identify"), or "" when not among the few named here.
const char* CommandName(uint8_t code);

}  // namespace qw::dissect::teamviewer
