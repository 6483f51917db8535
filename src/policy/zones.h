// Zone placement (issue 5, "Zones"): every address goes to the most specific zone of the
// site policy that holds it. An IP address is placed by its longest matching subnet, and
// between zones that list the same subnet, by the one declared inside the other; traffic
// without IP (PROFINET DCP, LLDP) is placed by its VLAN. A public address outside every
// zone is in the implicit zone `external`; a private one is unassigned.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"
#include "policy/policy.h"

namespace qw::policy {

/// The name of the implicit zone of public addresses outside every zone.
inline constexpr std::string_view kExternalZone = "external";

/// Places addresses in a policy's zones. Immutable once built, so shards share one.
class ZoneMap {
 public:
  explicit ZoneMap(const Policy& policy);

  /// The zone holding `ip`: a zone's name, kExternalZone for a public address outside every
  /// zone, or empty for a private address outside every zone (and for addresses that are no
  /// device's: unspecified, multicast, broadcast).
  std::string_view Of(const core::IpAddr& ip) const;
  /// The zone of a VLAN (for traffic without IP), or empty.
  std::string_view OfVlan(uint16_t vlan) const;
  /// True when `ip` is a device's address that no zone holds and that is private (the
  /// finding `segmentation.unassigned_address`).
  bool Unassigned(const core::IpAddr& ip) const;
  /// The zone's kind, by name (nullptr for kExternalZone or an unknown name).
  const Zone* Find(std::string_view name) const;

 private:
  struct Prefix {
    Subnet subnet;
    size_t zone;  // index into zones_
    int depth;    // how deeply the zone is nested
  };
  std::vector<Zone> zones_;
  std::vector<Prefix> prefixes_;                    // most specific first
  std::vector<std::pair<uint16_t, size_t>> vlans_;  // VLAN -> zone, deepest first
};

}  // namespace qw::policy
