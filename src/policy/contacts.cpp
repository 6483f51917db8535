// What hosts contacted, judged against the watchlist and the data-sharing agreements
// (../shared/DESIGN.md: `watchlist.contact`, `data_sharing.unlisted`).
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "core/ascii.h"
#include "policy/evaluate.h"
#include "policy/judging.h"

namespace qw::policy {

namespace {

// High when the contact comes from a crane zone: crane networks have no business with the
// watched parties; medium from elsewhere.
Severity ContactSeverity(const ZoneMap& zones, std::string_view from_zone) {
  return IsCraneZone(zones.Find(from_zone)) ? Severity::kHigh : Severity::kMedium;
}

const char* ViaText(std::string_view via) {
  return via == "dns" ? "looked up" : via == "tls" ? "opened TLS to" : "sent an HTTP request for";
}

}  // namespace

bool DomainMatches(std::string_view pattern, std::string_view name) {
  while (!pattern.empty() && pattern.back() == '.') pattern.remove_suffix(1);
  if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
    const std::string_view suffix = pattern.substr(1);  // ".logink.cn"
    return name.size() > suffix.size() &&
           core::EqualsNoCase(name.substr(name.size() - suffix.size()), suffix);
  }
  return core::EqualsNoCase(name, pattern);
}

void JudgeContacts(const Policy& p, const ZoneMap& zones, const std::vector<model::Asset>& assets,
                   const model::Communications& comms, FindingSet& findings) {
  // Names a host contacted (DNS queries, TLS server names, HTTP hosts) on the watchlist.
  for (const auto* named : comms.names()) {
    const model::NameKey& k = named->first;
    const model::Sighting& seen = named->second;
    for (const auto& entry : p.watchlist) {
      const auto hit = std::find_if(entry.domains.begin(), entry.domains.end(),
                                    [&](const std::string& d) { return DomainMatches(d, k.name); });
      if (hit == entry.domains.end()) continue;
      Finding f;
      f.type = "watchlist.contact";
      f.src = Endpoint(k.client, k.client_mac, zones.Of(k.client), 0);
      f.dst = Endpoint(k.server, k.server_mac, zones.Of(k.server), 0);
      f.severity = ContactSeverity(zones, f.src.zone);
      f.title = k.client.ToString() + " (" + ZoneText(f.src.zone) + ") " + ViaText(k.via) + " " +
                k.name + ", on the watchlist as " + entry.label;
      f.protocol = k.via;
      f.detail["label"] = entry.label;
      f.detail["name"] = k.name;
      f.detail["matched"] = *hit;
      f.advisory = AdvisoryOf(f.type);
      SightingEvidence(f, seen);
      findings.Add(std::move(f));
    }
  }
  // Conversations with a watched address, either way.
  for (const auto& [k, seen] : comms.conversations()) {
    for (const auto& entry : p.watchlist) {
      for (const auto& net : entry.ips) {
        const bool to = net.Contains(k.responder);
        const bool from = net.Contains(k.initiator);
        if (!to && !from) continue;
        Finding f;
        f.type = "watchlist.contact";
        f.src = Endpoint(k.initiator, k.initiator_mac, zones.Of(k.initiator), 0);
        f.dst = Endpoint(k.responder, k.responder_mac, zones.Of(k.responder), k.port);
        f.severity = ContactSeverity(zones, to ? f.src.zone : f.dst->zone);
        const core::IpAddr& watched = to ? k.responder : k.initiator;
        f.title = (k.protocol.empty() ? model::TransportName(k.transport) : k.protocol) + " from " +
                  k.initiator.ToString() + " (" + ZoneText(f.src.zone) + ") to " +
                  k.responder.ToString() + " (" + ZoneText(f.dst->zone) +
                  "): " + watched.ToString() + " is on the watchlist as " + entry.label;
        f.protocol = k.protocol;
        f.vlan = k.vlan;
        f.detail["label"] = entry.label;
        f.detail["address"] = watched.ToString();
        f.detail["matched"] = net.ToString();
        f.advisory = AdvisoryOf(f.type);
        SightingEvidence(f, seen);
        findings.Add(std::move(f));
        break;
      }
    }
  }

  if (p.data_sharing.empty()) return;
  // The names each address goes by in this run: DNS answers, TLS server names and HTTP hosts.
  std::map<core::IpAddr, std::set<std::string>> names;
  for (const auto& a : assets) {
    for (const auto& ip : a.ips) {
      for (const auto& n : a.names) names[ip].insert(model::CanonicalName(n.name));
    }
  }
  for (const auto* entry : comms.names()) {
    const model::NameKey& k = entry->first;
    if (k.via != "dns") names[k.server].insert(k.name);
  }
  // Flows leaving for `external` from a zone under an agreement.
  for (const auto& [k, seen] : comms.conversations()) {
    if (zones.Of(k.responder) != kExternalZone) continue;
    const std::string_view from = zones.Of(k.initiator);
    if (from.empty() || from == kExternalZone) continue;
    bool governed = false, covered = false;
    const auto named = names.find(k.responder);
    for (const auto& agreement : p.data_sharing) {
      if (std::find(agreement.from_zones.begin(), agreement.from_zones.end(), from) ==
          agreement.from_zones.end()) {
        continue;
      }
      governed = true;
      for (const auto& net : agreement.networks) covered |= net.Contains(k.responder);
      if (named != names.end()) {
        for (const auto& d : agreement.domains) {
          for (const auto& n : named->second) covered |= DomainMatches(d, n);
        }
      }
      if (covered) break;
    }
    if (!governed || covered) continue;
    Finding f;
    f.type = "data_sharing.unlisted";
    f.src = Endpoint(k.initiator, k.initiator_mac, zones.Of(k.initiator), 0);
    f.dst = Endpoint(k.responder, k.responder_mac, zones.Of(k.responder), k.port);
    f.severity = IsCraneZone(zones.Find(from)) ? Severity::kHigh : Severity::kMedium;
    const std::string service =
        k.protocol.empty() ? model::TransportName(k.transport) + "/" + std::to_string(k.port)
                           : k.protocol;
    std::string as;
    if (named != names.end() && !named->second.empty()) as = " (" + *named->second.begin() + ")";
    f.title = service + " from " + k.initiator.ToString() + " (" + std::string(from) +
              ") leaves for " + k.responder.ToString() + as +
              ", which no data-sharing agreement for " + std::string(from) + " names";
    f.protocol = k.protocol;
    f.vlan = k.vlan;
    f.detail["destination"] = k.responder.ToString();
    f.advisory = AdvisoryOf(f.type);
    SightingEvidence(f, seen);
    findings.Add(std::move(f));
  }
}

}  // namespace qw::policy
