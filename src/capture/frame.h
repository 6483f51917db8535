// A frame as a capture source yields it: time, link type, and a view of its bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/timestamp.h"

namespace qw::capture {

/// Link-layer header types (LINKTYPE_* of the tcpdump.org registry) that quaywatch decodes.
enum LinkType : uint32_t {
  kLinkNull = 0,  // BSD loopback: 4-byte address family in the writer's byte order
  kLinkEthernet = 1,
  kLinkRaw = 101,       // raw IPv4 or IPv6, version nibble decides
  kLinkLoop = 108,      // OpenBSD loopback: 4-byte address family, big-endian
  kLinkLinuxSll = 113,  // Linux cooked capture v1
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkLinuxSll2 = 276,  // Linux cooked capture v2
};

/// One captured frame. `data` is a view into the source's buffer, valid until the next
/// call to the source's Next(); `number` is 1-based within its file, as Wireshark counts
/// (pcapng records that are not packets, such as custom blocks, take a number too, so the
/// numbers of delivered frames may skip). `interface_id` counts the interfaces of the whole
/// file (a pcapng file with several sections numbers them on from section to section).
struct Frame {
  core::Timestamp ts;
  uint32_t link_type = kLinkEthernet;
  uint32_t orig_len = 0;  // length on the wire; data.size() is the captured length
  uint32_t interface_id = 0;
  uint64_t number = 0;
  uint64_t offset = 0;  // where the record starts in the (decompressed) file; 0 when live
  std::span<const uint8_t> data;
};

/// Name of a link type as the summary writes it ("ethernet", "linux-sll", ...); "other" for a
/// type without a name here (use LinkTypeLabel where types must stay apart).
const char* LinkTypeName(uint32_t link_type);
/// LinkTypeName, or "linktype-N" for a type without a name, so unknown types stay distinct.
std::string LinkTypeLabel(uint32_t link_type);

}  // namespace qw::capture
