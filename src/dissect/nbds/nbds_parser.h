// NetBIOS Datagram Service (RFC 1002 4.4) and what Windows sends over it: SMB1 Transaction
// requests to a mailslot ([MS-CIFS] 2.2.4.33, [MS-MAIL] 2.2), above all the browser's host,
// local master and domain announcements ([MS-BRWS] 2.2.1), which name a host, its Windows
// version and the services it offers. Pure: no state, no I/O, no allocation.
//
// clang-format off
//  datagram:     | type:1 | flags:1 | id:2 | source IP:4 | source port:2 |
//   types 10-12: | length:2 | offset:2 | source name | destination name | user data |
//   type 13:     | error code:1 |
//   types 14-16: | destination name |
//  name:         | 0x20 | 32 octets, each nibble + 'A' | labels of the scope ... | 0x00 |
//  SMB1 Trans:   | 0xFF 'SMB' | command 0x25 | ... 32-octet header | word count 17 |
//                | 14 words | setup count:1 | reserved:1 | setup words | byte count:2 |
//                | name "\MAILSLOT\..." NUL | ... data at DataOffset (from the SMB header) |
//  announcement: | command:1 | update count:1 | periodicity:4 (ms) | server name:16 (NUL
//                  padded) | OS major:1 | OS minor:1 | server type:4 | browser major:1 |
//                | browser minor:1 | signature:2 | comment NUL |
// clang-format on
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/fixed_text.h"

namespace qw::dissect::nbds {

/// Message types (RFC 1002 4.4.1).
enum MessageType : uint8_t {
  kDirectUnique = 0x10,
  kDirectGroup = 0x11,
  kBroadcast = 0x12,
  kError = 0x13,
  kQueryRequest = 0x14,
  kPositiveQueryResponse = 0x15,
  kNegativeQueryResponse = 0x16,
};

/// Browser commands ([MS-BRWS] 2.2) that announce a host or a domain.
enum BrowserCommand : uint8_t {
  kHostAnnouncement = 0x01,
  kDomainAnnouncement = 0x0c,
  kLocalMasterAnnouncement = 0x0f,
};

/// A NetBIOS name decoded: up to 15 characters, trailing spaces removed, and its suffix.
struct NetbiosName {
  core::FixedText<15> name;
  uint8_t suffix = 0;  // the 16th octet: <00> workstation, <1d> master browser, ...
};

/// One datagram's header and, for the data-carrying types, its names and user data (a view
/// into the datagram).
struct Datagram {
  uint8_t type = 0;
  uint8_t flags = 0;
  uint16_t id = 0;
  NetbiosName source;       // types 10 to 12
  NetbiosName destination;  // types 10 to 12 and 14 to 16
  std::span<const uint8_t> user_data;
  bool first_fragment = true;  // types 10 to 12: no earlier fragment of the same datagram
  bool more_fragments = false;
};

/// Parses a datagram; nullopt for an unknown type, a bad name, or a length that runs past
/// the datagram.
std::optional<Datagram> ParseDatagram(std::span<const uint8_t> bytes);

/// An SMB1 header's command, when `user_data` opens with one (0xFF 'SMB' and 32 octets).
std::optional<uint8_t> Smb1Command(std::span<const uint8_t> user_data);

/// A browser announcement ([MS-BRWS] 2.2.1 and 2.2.6).
struct Announcement {
  uint8_t command = 0;
  core::FixedText<16> server_name;  // the host's name, or the domain's (domain announcement)
  uint8_t os_major = 0, os_minor = 0;
  uint32_t server_type = 0;     // SV_TYPE_* bits
  core::FixedText<43> comment;  // at most 43 octets ([MS-BRWS] 2.2.1); the master's name in a
                                // domain announcement
};

/// The announcement an SMB1 Transaction to \MAILSLOT\BROWSE carries; nullopt for any other
/// SMB message, mailslot or browser command.
std::optional<Announcement> ParseAnnouncement(std::span<const uint8_t> smb);

/// The names of the server type bits set in `type` ("workstation,server,nt-server"), in
/// bit order; unknown bits are left out.
core::FixedText<160> ServerTypeNames(uint32_t type);

}  // namespace qw::dissect::nbds
