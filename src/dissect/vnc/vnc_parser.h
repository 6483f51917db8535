// RFB (the VNC protocol, RFC 6143) handshake parser: the ProtocolVersion line, the security
// types a server offers (3.7 and later) or dictates (3.3), the failure reason, the
// SecurityResult, Apple Remote Desktop's Diffie-Hellman parameters (security type 30, as
// Wireshark's packet-vnc.c reads them), and ServerInit with the desktop name. Pure: no
// state, no I/O, no allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/fixed_text.h"

namespace qw::dissect::vnc {

/// Bytes of a ProtocolVersion line: "RFB xxx.yyy\n".
inline constexpr size_t kVersionBytes = 12;
/// Bytes of a VNC authentication challenge and of its response.
inline constexpr size_t kChallengeBytes = 16;
/// Bytes of Apple Remote Desktop's encrypted credentials.
inline constexpr size_t kArdCredentialBytes = 128;
/// Longest reason string or desktop name kept whole; longer ones are skipped unread past
/// this many bytes (`vnc.long_text`).
inline constexpr size_t kMaxTextBytes = 4096;
/// Longest Apple Remote Desktop key accepted (bytes of the prime and of each public key).
inline constexpr size_t kMaxArdKeyBytes = 1024;

/// Security types (IANA "Remote Framebuffer Security Types").
inline constexpr uint8_t kSecurityInvalid = 0;
inline constexpr uint8_t kSecurityNone = 1;
inline constexpr uint8_t kSecurityVncAuth = 2;
inline constexpr uint8_t kSecurityVeNCrypt = 19;
inline constexpr uint8_t kSecurityArd = 30;

/// VeNCrypt subtypes (the VeNCrypt extension as TigerVNC, QEMU and Wireshark read it): None
/// and VNC authentication keep their RFB numbers; Plain sends a user and password in clear;
/// the TLS (anonymous Diffie-Hellman) and X.509 (certificate) families wrap what follows in TLS.
inline constexpr uint32_t kVencryptPlain = 256;
inline constexpr uint32_t kVencryptTlsNone = 257;
inline constexpr uint32_t kVencryptX509Sasl = 264;
/// Subtypes a server may offer, at most (the count is one octet).
inline constexpr size_t kMaxVencryptSubtypes = 255;

/// True for the subtypes whose server acknowledges the choice and then starts TLS.
inline bool VencryptUsesTls(uint32_t subtype) {
  return subtype >= kVencryptTlsNone && subtype <= kVencryptX509Sasl;
}

/// A ProtocolVersion line: "RFB 003.008\n" is major 3, minor 8.
struct Version {
  uint16_t major = 0, minor = 0;
  core::FixedText<7> text;  // "003.008", as on the wire
};

/// Parses a 12-byte ProtocolVersion line; nullopt unless it is "RFB ddd.ddd\n".
std::optional<Version> ParseVersion(std::span<const uint8_t> line);

/// What reading one handshake message from the front of a byte stream found.
enum class Status : uint8_t { kOk, kNeedMore, kInvalid };

/// The security types a 3.7+ server offers: | count:1 | types:count |, or, with a count
/// of 0, a failure: | 0 | reason-length:4 | reason |.
struct SecurityTypes {
  Status status = Status::kInvalid;
  size_t length = 0;  // kOk: bytes of the message; kNeedMore: bytes wanted in all
  uint8_t count = 0;
  std::array<uint8_t, 255> types{};
  core::FixedText<255> reason;  // count 0: why the server refused
};

/// Reads a 3.7+ server's security types.
SecurityTypes ReadSecurityTypes(std::span<const uint8_t> bytes);

/// A 3.3 server's security type (| type:4 |; 0 is followed by a reason) or a SecurityResult
/// (| status:4 |; from 3.8 on a failure is followed by a reason).
struct Word {
  Status status = Status::kInvalid;
  size_t length = 0;  // as in SecurityTypes
  uint32_t value = 0;
  core::FixedText<255> reason;
};

/// Reads a 32-bit word, and the reason (| length:4 | text |) after it when the word is 0 and
/// `reason_when_zero`, or non-zero and `reason_when_nonzero`.
Word ReadWord(std::span<const uint8_t> bytes, bool reason_when_zero, bool reason_when_nonzero);

/// Reads a reason (| length:4 | text |) alone: a SecurityResult's, read apart from its
/// status because a server may close without one. `value` is the length.
Word ReadReason(std::span<const uint8_t> bytes);

/// Apple Remote Desktop's server parameters: | generator:2 | key-length:2 | prime:key-length |
/// | public key:key-length |.
struct ArdParameters {
  Status status = Status::kInvalid;
  size_t length = 0;  // as in SecurityTypes
  uint16_t key_length = 0;
};

/// Reads Apple Remote Desktop's server parameters.
ArdParameters ReadArdParameters(std::span<const uint8_t> bytes);

/// ServerInit: | width:2 | height:2 | pixel format:16 | name-length:4 | name |.
struct ServerInit {
  Status status = Status::kInvalid;
  size_t length = 0;  // as in SecurityTypes
  uint16_t width = 0, height = 0;
  core::FixedText<255> name;
};

/// Reads ServerInit; a name longer than kMaxTextBytes is kInvalid.
ServerInit ReadServerInit(std::span<const uint8_t> bytes);

/// VeNCrypt's server answer to the client's version: | ack:1 | (0: | count:1 | subtypes:4 each |).
/// A non-zero ack refuses the version and ends the exchange.
struct VencryptSubtypes {
  Status status = Status::kInvalid;
  size_t length = 0;  // as in SecurityTypes
  uint8_t ack = 0;
  uint8_t count = 0;
  std::array<uint32_t, kMaxVencryptSubtypes> subtypes{};
};

/// Reads the server's VeNCrypt ack and subtype list.
VencryptSubtypes ReadVencryptSubtypes(std::span<const uint8_t> bytes);

/// VeNCrypt Plain, from the client: | user-length:4 | password-length:4 | user | password |.
/// The password is skipped, never kept.
struct PlainCredentials {
  Status status = Status::kInvalid;
  size_t length = 0;          // as in SecurityTypes
  core::FixedText<255> user;  // printable characters of the user name
};

/// Reads VeNCrypt Plain credentials; a user or password longer than kMaxTextBytes is kInvalid.
PlainCredentials ReadPlainCredentials(std::span<const uint8_t> bytes);

/// The name of a VeNCrypt subtype ("X509Plain"), or "" when unknown.
const char* VencryptSubtypeName(uint32_t subtype);

/// The name of a security type ("VNC authentication"), or "" when unknown.
const char* SecurityTypeName(uint8_t type);

}  // namespace qw::dissect::vnc
