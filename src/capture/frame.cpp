#include "capture/frame.h"

#include <fmt/format.h>

#include <string_view>

namespace qw::capture {

const char* LinkTypeName(uint32_t link_type) {
  switch (link_type) {
    case kLinkNull:
      return "null";
    case kLinkEthernet:
      return "ethernet";
    case kLinkRaw:
      return "raw";
    case kLinkLoop:
      return "loop";
    case kLinkLinuxSll:
      return "linux-sll";
    case kLinkIpv4:
      return "ipv4";
    case kLinkIpv6:
      return "ipv6";
    case kLinkLinuxSll2:
      return "linux-sll2";
    // Not decoded, but common enough in captures that the summary names them.
    case 9:
      return "ppp";
    case 105:
      return "ieee802.11";
    case 127:
      return "ieee802.11-radiotap";
    case 220:
      return "usb-linux-mmapped";
    case 253:
      return "netlink";
    default:
      return "other";
  }
}

std::string LinkTypeLabel(uint32_t link_type) {
  const char* name = LinkTypeName(link_type);
  if (std::string_view(name) == "other") {
    return fmt::format("linktype-{}", link_type);
  }
  return name;
}

}  // namespace qw::capture
