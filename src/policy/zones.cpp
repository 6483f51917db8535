#include "policy/zones.h"

#include <algorithm>

namespace qw::policy {

namespace {

// How many zones `zone` sits inside of (a checked policy has no loops; the walk is bounded
// all the same).
int Depth(const std::vector<Zone>& zones, const Zone& zone) {
  int depth = 0;
  std::string_view at = zone.inside;
  while (!at.empty() && depth <= static_cast<int>(zones.size())) {
    auto it = std::find_if(zones.begin(), zones.end(), [&](const Zone& z) { return z.name == at; });
    if (it == zones.end()) break;
    ++depth;
    at = it->inside;
  }
  return depth;
}

bool Device(const core::IpAddr& ip) {
  return ip.IsSet() && !ip.IsUnspecified() && !ip.IsMulticastOrBroadcast();
}

}  // namespace

ZoneMap::ZoneMap(const Policy& policy) : zones_(policy.zones) {
  for (size_t i = 0; i < zones_.size(); ++i) {
    const int depth = Depth(zones_, zones_[i]);
    for (const auto& s : zones_[i].subnets) prefixes_.push_back({s, i, depth});
    for (uint16_t v : zones_[i].vlans) vlans_.push_back({v, i});
  }
  // Longest prefix first; for the same prefix, the zone nested deeper.
  std::stable_sort(prefixes_.begin(), prefixes_.end(), [](const Prefix& a, const Prefix& b) {
    return a.subnet.prefix != b.subnet.prefix ? a.subnet.prefix > b.subnet.prefix
                                              : a.depth > b.depth;
  });
  std::stable_sort(vlans_.begin(), vlans_.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first
                              : Depth(zones_, zones_[a.second]) > Depth(zones_, zones_[b.second]);
  });
}

std::string_view ZoneMap::Of(const core::IpAddr& ip) const {
  if (!Device(ip)) return {};
  for (const auto& p : prefixes_) {
    if (p.subnet.Contains(ip)) return zones_[p.zone].name;
  }
  return ip.IsPrivate() ? std::string_view{} : kExternalZone;
}

std::string_view ZoneMap::OfVlan(uint16_t vlan) const {
  auto it = std::lower_bound(vlans_.begin(), vlans_.end(), vlan,
                             [](const auto& e, uint16_t v) { return e.first < v; });
  if (it == vlans_.end() || it->first != vlan) return {};
  return zones_[it->second].name;
}

bool ZoneMap::Unassigned(const core::IpAddr& ip) const {
  return Device(ip) && ip.IsPrivate() && Of(ip).empty();
}

const Zone* ZoneMap::Find(std::string_view name) const {
  for (const auto& z : zones_) {
    if (z.name == name) return &z;
  }
  return nullptr;
}

}  // namespace qw::policy
