// Untrusted suppliers (issue 5, point 4): which devices the policy's untrusted-supplier
// patterns or explicit attributions name, by what evidence, and whether they are isolated.
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <vector>

#include "core/ascii.h"
#include "policy/evaluate.h"
#include "policy/judging.h"

namespace qw::policy {

namespace {

// Identity keys whose values say who made a device or what software it runs. Others (user
// names, locations, session ids, counters) are the operator's words, not the maker's.
bool SaysMaker(std::string_view key) {
  static constexpr std::array<std::string_view, 15> kKeys = {"vendor",
                                                             "product",
                                                             "model",
                                                             "description",
                                                             "order_number",
                                                             "firmware",
                                                             "software",
                                                             "hardware",
                                                             "hardware_id",
                                                             "name",
                                                             "dhcp_vendor_class",
                                                             "http_server",
                                                             "http_user_agent",
                                                             "rtsp_server",
                                                             "rtsp_user_agent"};
  if (std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end()) return true;
  auto ends = [&](std::string_view s) {
    return key.size() > s.size() && key.substr(key.size() - s.size()) == s;
  };
  return ends("_server") || ends("_client");  // remote-access software ("ssh_server")
}

// Every attribution of one device, explicit ones first.
std::vector<model::SupplierAttribution> Attribute(const Policy& p, const model::Asset& a) {
  std::vector<model::SupplierAttribution> out;
  for (const auto& d : p.devices) {
    if (d.mac && a.mac && *d.mac == *a.mac) {
      out.push_back({d.supplier, "policy", "mac", d.mac->ToString(), "", {a.first_seen}});
    }
    if (d.ip && std::find(a.ips.begin(), a.ips.end(), *d.ip) != a.ips.end()) {
      auto act = a.ip_activity.find(*d.ip);
      const model::Evidence ev = act != a.ip_activity.end() ? act->second.first_seen : a.first_seen;
      out.push_back({d.supplier, "policy", "ip", d.ip->ToString(), "", ev});
    }
  }
  for (const auto& pattern : p.untrusted_suppliers) {
    if (!a.vendor.empty() && SupplierMatches(pattern, a.vendor)) {
      out.push_back({pattern, "oui", "vendor", a.vendor, "", a.first_seen});
    }
    for (const auto& [key, value] : a.identity) {
      if (!SaysMaker(key) || !SupplierMatches(pattern, value)) continue;
      auto src = a.identity_sources.find(key);
      auto ev = a.identity_evidence.find(key);
      out.push_back({pattern, "identity", key, value,
                     src != a.identity_sources.end() ? src->second : std::string(),
                     ev != a.identity_evidence.end() ? ev->second : a.first_seen});
    }
  }
  return out;
}

}  // namespace

bool SupplierMatches(std::string_view pattern, std::string_view text) {
  // A run of the pattern's automaton over the text, started afresh at every word start; a
  // state is a position in the pattern, '*' holding its own.
  const size_t n = pattern.size();
  if (n == 0) return false;
  std::vector<char> cur(n + 1, 0), next(n + 1, 0);
  auto close = [&](std::vector<char>& states) {
    for (size_t k = 0; k < n; ++k) {
      if (states[k] && pattern[k] == '*') states[k + 1] = 1;
    }
  };
  const bool open_end = pattern.back() == '*';
  for (size_t i = 0;; ++i) {
    if (i == 0 || !core::AsciiAlnum(text[i - 1]) ||
        !core::AsciiAlnum(text[i < text.size() ? i : i - 1])) {
      cur[0] = 1;
      close(cur);
    }
    if (cur[n] && (open_end || i == text.size() || !core::AsciiAlnum(text[i]))) return true;
    if (i == text.size()) return false;
    std::fill(next.begin(), next.end(), 0);
    for (size_t k = 0; k < n; ++k) {
      if (!cur[k]) continue;
      if (pattern[k] == '*') {
        next[k] = 1;
      } else if (core::AsciiLower(pattern[k]) == core::AsciiLower(text[i])) {
        next[k + 1] = 1;
      }
    }
    close(next);
    cur.swap(next);
  }
}

void JudgeSuppliers(const Policy& p, const ZoneMap& zones, std::vector<model::Asset>& assets,
                    FindingSet& findings) {
  if (p.untrusted_suppliers.empty() && p.devices.empty()) return;
  // VLANs with controllers on them, and one controller of each to name.
  const auto control_vlans = ControllersByVlan(assets);
  for (auto& a : assets) {
    // Hosts on the Internet are others' infrastructure, not devices of the site.
    const bool only_external =
        !a.zones.empty() && std::all_of(a.zones.begin(), a.zones.end(),
                                        [](const std::string& z) { return z == kExternalZone; });
    if (only_external) continue;
    a.untrusted_supplier = Attribute(p, a);
    if (a.untrusted_supplier.empty()) continue;
    const model::SupplierAttribution& first = a.untrusted_supplier.front();
    auto endpoint = [&]() {
      FindingEndpoint e;
      if (a.mac) e.mac = a.mac;
      if (!a.ips.empty()) {
        e.ip = a.ips.front();
        e.zone = std::string(zones.Of(a.ips.front()));
      } else if (!a.zones.empty()) {
        e.zone = a.zones.front();
      }
      return e;
    };
    // The device's times, and the frame that showed what matched.
    auto evidence = [&](Finding& f, const model::Evidence& ev) {
      AssetEvidence(f, a);
      f.capture_index = ev.capture_index;
      f.frame = ev.frame;
    };
    {
      Finding f;
      f.type = "supplier.untrusted_device";
      f.severity = Severity::kInfo;
      const std::string by = first.by == "policy" ? "the policy's devices list"
                             : first.by == "oui"
                                 ? "its MAC's IEEE vendor \"" + first.text + "\""
                                 : first.protocol + " " + first.field + " \"" + first.text + "\"";
      f.title = DeviceName(a) + " is attributed to the untrusted supplier " + first.supplier +
                " by " + by;
      f.src = endpoint();
      if (!a.vlans.empty()) f.vlan = a.vlans.front().outer;
      f.detail["supplier"] = first.supplier;
      f.detail["by"] = first.by;
      f.advisory = AdvisoryOf(f.type);
      evidence(f, first.evidence);
      findings.Add(std::move(f));
    }
    // Isolation: every zone it sits in is an untrusted-supplier zone, and no VLAN it is on
    // carries controllers.
    std::string outside;
    bool critical_place = false;
    for (const auto& z : a.zones) {
      const Zone* zone = zones.Find(z);
      if (zone && zone->kind == ZoneKind::kUntrustedSupplier) continue;
      if (z == kExternalZone) continue;
      outside += (outside.empty() ? "" : ", ") + z +
                 (zone ? std::string(" (") + ZoneKindName(zone->kind) + ")" : "");
      critical_place |= IsCraneZone(zone);
    }
    if (a.zones.empty()) outside = "no zone";
    std::string shared;
    uint16_t shared_vlan = 0;
    if (!HasRole(a, {"plc", "drive", "io"})) {
      for (const auto& v : a.vlans) {
        auto c = control_vlans.find(v.outer);
        if (v.outer == 0 || c == control_vlans.end()) continue;
        shared =
            "VLAN " + std::to_string(v.outer) + " with the controller " + DeviceName(*c->second);
        shared_vlan = v.outer;
        break;
      }
    }
    if (outside.empty() && shared.empty()) continue;
    Finding f;
    f.type = "supplier.untrusted_not_isolated";
    f.severity = critical_place || !shared.empty() ? Severity::kHigh : Severity::kMedium;
    f.title = DeviceName(a) + " (" + first.supplier +
              ") is not isolated: " + (outside.empty() ? "" : "sits in " + outside) +
              (outside.empty() || shared.empty() ? "" : "; ") +
              (shared.empty() ? "" : "shares " + shared);
    f.src = endpoint();
    f.vlan = shared_vlan ? shared_vlan : a.vlans.empty() ? uint16_t{0} : a.vlans.front().outer;
    f.detail["supplier"] = first.supplier;
    if (!outside.empty()) f.detail["zones"] = outside;
    if (!shared.empty()) f.detail["shared_vlan"] = std::to_string(shared_vlan);
    f.advisory = AdvisoryOf(f.type);
    evidence(f, first.evidence);
    findings.Add(std::move(f));
  }
}

}  // namespace qw::policy
