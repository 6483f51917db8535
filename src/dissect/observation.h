// Observations: what dissectors tell the model. A dissector never writes output; it emits
// owned, typed facts (an ARP binding, a neighbour announcement, later ICS operations, DNS
// answers, file transfers) to an ObservationSink, which the model implements.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/timestamp.h"

namespace qw::dissect {

/// Where an observation was seen: which capture, which frame, when, on which VLANs.
struct FrameContext {
  uint32_t capture_index = 0;
  uint64_t frame = 0;  // 1-based, per capture file
  core::Timestamp ts;
  uint16_t vlan = 0, inner_vlan = 0;
  core::MacAddr src_mac;  // the frame's source MAC (zero when the link layer has none)
};

/// An ARP packet: sender binds an IPv4 address to a MAC.
struct ArpObservation {
  uint16_t op = 0;  // 1 request, 2 reply
  core::MacAddr sender_mac, target_mac;
  core::IpAddr sender_ip, target_ip;
  bool gratuitous = false;  // sender announces its own address (sender ip == target ip)
};

/// One TLV of a neighbour protocol, kept raw so nothing the wire said is lost.
struct RawTlv {
  uint32_t type = 0;      // TLV type; LLDP org-specific: 127
  std::string subtype;    // LLDP org-specific "00-80-c2/1"; empty otherwise
  std::string value_hex;  // value bytes as hex (bounded by the parser)
};

/// What a switch, router or device announces about itself over LLDP or CDP.
struct NeighborObservation {
  std::string protocol;  // "lldp" or "cdp"
  std::string chassis_id, chassis_id_subtype;
  std::string port_id, port_id_subtype;
  std::string port_description;
  std::string system_name;
  std::string system_description;  // LLDP system description, CDP software version
  std::string platform;            // CDP platform; LLDP-MED model name
  std::string manufacturer;        // LLDP-MED manufacturer
  std::string firmware, software, hardware, serial;  // LLDP-MED inventory
  std::vector<std::string> capabilities;             // announced
  std::vector<std::string> enabled_capabilities;     // enabled (LLDP); CDP: same as announced
  std::vector<core::IpAddr> management_addresses;
  uint16_t port_vlan = 0;  // LLDP 802.1 port VLAN id or CDP native VLAN; 0 if absent
  uint32_t ttl = 0;
  std::vector<RawTlv> tlvs;
};

/// Receives observations; the model implements it. Default implementations ignore.
class ObservationSink {
 public:
  virtual ~ObservationSink() = default;
  /// An ARP packet was seen.
  virtual void OnArp(const FrameContext&, const ArpObservation&) {}
  /// An LLDP or CDP announcement was seen.
  virtual void OnNeighbor(const FrameContext&, const NeighborObservation&) {}
};

}  // namespace qw::dissect
