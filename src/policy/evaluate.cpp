#include "policy/evaluate.h"

#include <algorithm>
#include <set>

namespace qw::policy {

std::vector<std::string> AdvisoryOf(std::string_view type) {
  // Guidance of Maritime Advisory 2023-009 (see docs/findings.md).
  if (type.substr(0, 13) == "segmentation.") {
    return {"MA-2023-009/segment-crane-networks"};
  }
  return {};
}

void PlaceAssets(const ZoneMap& zones, std::vector<model::Asset>& assets, FindingSet& findings) {
  for (auto& a : assets) {
    std::set<std::string> in;
    for (const auto& ip : a.ips) {
      const std::string_view z = zones.Of(ip);
      if (!z.empty()) in.emplace(z);
      if (!zones.Unassigned(ip)) continue;
      Finding f;
      f.type = "segmentation.unassigned_address";
      f.severity = Severity::kMedium;
      f.title = ip.ToString() + " talks on the network but no zone of the policy holds it";
      f.src.ip = ip;
      f.src.mac = a.mac;
      f.detail["address"] = ip.ToString();
      f.advisory = AdvisoryOf(f.type);
      // When and where this address was heard; the device's own record if it carried no
      // IP traffic of its own (an ARP announcement, say).
      auto act = a.ip_activity.find(ip);
      const model::AddressActivity seen =
          act != a.ip_activity.end() ? act->second
                                     : model::AddressActivity{a.first_ts, a.last_ts, a.first_seen};
      f.first_ts = seen.first_ts;
      f.last_ts = seen.last_ts;
      f.capture_index = seen.first_seen.capture_index;
      f.frame = seen.first_seen.frame;
      if (!a.vlans.empty()) f.vlan = a.vlans.front().outer;
      findings.Add(std::move(f));
    }
    if (a.ips.empty()) {
      for (const auto& v : a.vlans) {
        const std::string_view z = zones.OfVlan(v.outer);
        if (!z.empty()) in.emplace(z);
      }
    }
    a.zones.assign(in.begin(), in.end());
  }
}

}  // namespace qw::policy
