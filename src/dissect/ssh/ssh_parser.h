// SSH transport parser (RFC 4253): the identification string each side opens with, the
// binary packet framing of the clear-text part of the connection, and the algorithm lists
// of KEXINIT with the HASSH and HASSHServer fingerprints (Salesforce's: the MD5 of the key
// exchange, cipher, MAC and compression lists a side offers). Pure: no state, no I/O, no
// allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/anomalies.h"
#include "core/digest.h"
#include "core/fixed_text.h"
#include "dissect/text_field.h"

namespace qw::dissect::ssh {

/// Longest identification line, CR LF included (RFC 4253 4.2).
inline constexpr size_t kMaxBannerBytes = 255;
/// Lines a server may send before its identification; more raises `ssh.too_many_lines`.
inline constexpr size_t kMaxPreBannerLines = 32;
/// Largest binary packet read in clear (RFC 4253 6.1 asks for 35000; servers go higher).
inline constexpr size_t kMaxPacketBytes = 256 * 1024;

/// What an identification line says: "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3".
struct Banner {
  core::FixedText<16> proto_version;  // "2.0", "1.99"
  core::FixedText<255> software;      // "OpenSSH_8.9p1"
  core::FixedText<255> comments;      // "Ubuntu-3"
};

/// Parses one line (CR LF or LF included or not). nullopt unless it starts with "SSH-" and
/// has a protocol version and a software version.
std::optional<Banner> ParseBanner(std::span<const uint8_t> line);

/// A binary packet's header: packet_length (the bytes after it) and padding_length.
struct PacketHeader {
  uint32_t packet_length = 0;
  uint8_t padding_length = 0;
};

/// Reads a clear-text binary packet header. nullopt when the lengths are impossible (a
/// packet shorter than its padding plus a message code, padding under 4, or longer than
/// kMaxPacketBytes).
std::optional<PacketHeader> ParsePacketHeader(std::span<const uint8_t> bytes);

/// The algorithm lists of a KEXINIT payload (message code included) and the fingerprints.
struct KexInit {
  core::FixedText<1023> kex, host_keys;
  core::FixedText<1023> ciphers_c2s, ciphers_s2c;
  core::FixedText<1023> macs_c2s, macs_s2c;
  core::FixedText<255> compression_c2s, compression_s2c;
  core::Md5Hex hassh;         // the client's fingerprint of these lists
  core::Md5Hex hassh_server;  // the server's
};

/// Parses a KEXINIT payload. nullopt when cut short (`ssh.bad_kexinit`).
std::optional<KexInit> ParseKexInit(std::span<const uint8_t> payload, core::Anomalies& anomalies);

}  // namespace qw::dissect::ssh
