#include "policy/evaluate.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "dissect/observation.h"
#include "dissect/tls/tls_parser.h"
#include "policy/judging.h"

namespace qw::policy {

std::vector<std::string> AdvisoryOf(std::string_view type) {
  // Guidance of Maritime Advisory 2023-009 (docs/findings.md quotes what each stands for).
  auto starts = [&](std::string_view p) { return type.substr(0, p.size()) == p; };
  if (type == "segmentation.mixed_vlan") {
    return {"MA-2023-009/separate-vlans", "MA-2023-009/segment-crane-networks"};
  }
  if (type == "segmentation.multi_homed_host") {
    return {"MA-2023-009/no-multi-homed-hosts", "MA-2023-009/segment-crane-networks"};
  }
  if (starts("segmentation.")) {
    return {"MA-2023-009/segment-crane-networks", "MA-2023-009/monitor-crane-network"};
  }
  if (type == "ics.write") {
    return {"MA-2023-009/monitor-crane-network", "MA-2023-009/untrusted-until-validated"};
  }
  if (starts("ics.")) {
    return {"MA-2023-009/crane-management-separation", "MA-2023-009/plc-integrity"};
  }
  if (starts("remote_access.")) {
    return {"MA-2023-009/dedicated-remote-access", "MA-2023-009/untrusted-until-validated"};
  }
  if (starts("file_transfer.")) return {"MA-2023-009/secure-file-transfer"};
  if (type == "supplier.untrusted_device") return {"MA-2023-009/untrusted-suppliers"};
  if (starts("supplier.")) {
    return {"MA-2023-009/untrusted-suppliers", "MA-2023-009/separate-vlans"};
  }
  if (starts("watchlist.")) {
    return {"MA-2023-009/know-data-leaving", "MA-2023-009/untrusted-until-validated"};
  }
  if (starts("data_sharing.")) return {"MA-2023-009/know-data-leaving"};
  if (starts("baseline.")) {
    return {"MA-2023-009/monitor-crane-network", "MA-2023-009/untrusted-until-validated"};
  }
  return {};
}

void SightingEvidence(Finding& f, const model::Sighting& s) {
  f.first_ts = s.first_ts;
  f.last_ts = s.last_ts;
  f.count = s.count;
  f.capture_index = s.capture_index;
  f.frame = s.frame;
}

bool IsCraneZone(const Zone* z) {
  return z && (z->kind == ZoneKind::kCraneManagement || z->kind == ZoneKind::kCraneControl ||
               z->kind == ZoneKind::kCraneAuxiliary);
}

std::string ZoneText(std::string_view zone) {
  return zone.empty() ? std::string("no zone") : std::string(zone);
}

FindingEndpoint Endpoint(const core::IpAddr& ip, const core::MacAddr& mac, std::string_view zone,
                         uint16_t port) {
  FindingEndpoint e;
  if (ip.IsSet()) e.ip = ip;
  if (!mac.IsZero()) e.mac = mac;
  e.zone = std::string(zone);
  e.port = port;
  return e;
}

bool HasRole(const model::Asset& a, std::initializer_list<std::string_view> roles) {
  for (const auto& r : a.roles) {
    if (std::find(roles.begin(), roles.end(), r.role) != roles.end()) return true;
  }
  return false;
}

std::string DeviceName(const model::Asset& a) {
  if (!a.ips.empty()) return a.ips.front().ToString();
  return a.mac ? a.mac->ToString() : std::string("?");
}

void AssetEvidence(Finding& f, const model::Asset& a) {
  f.first_ts = a.first_ts;
  f.last_ts = a.last_ts;
  f.capture_index = a.first_seen.capture_index;
  f.frame = a.first_seen.frame;
}

std::map<uint16_t, const model::Asset*> ControllersByVlan(const std::vector<model::Asset>& assets) {
  std::map<uint16_t, const model::Asset*> out;
  for (const auto& a : assets) {
    if (!HasRole(a, {"plc", "drive", "io"})) continue;
    for (const auto& v : a.vlans) {
      if (v.outer != 0) out.emplace(v.outer, &a);  // untagged: no VLAN to judge
    }
  }
  return out;
}

namespace {

// Whether a session of `tool` opens its client to the server's side: a remote-support
// platform's client, signed in to the platform's relay, is controlled through it, and a VPN
// tunnel puts the client on the network at its other end.
bool ReachesIntoClient(std::string_view tool) {
  return dissect::tls::IsRemoteAccessPlatform(tool) || dissect::IsVpnTool(tool);
}

std::string AddressText(const core::IpAddr& ip, const core::MacAddr& mac) {
  return ip.IsSet() ? ip.ToString() : mac.ToString();
}

// The zone of an endpoint: by IP, or by VLAN when it has none (link-layer protocols).
std::string_view ZoneOf(const ZoneMap& zones, const core::IpAddr& ip, uint16_t vlan) {
  return ip.IsSet() ? zones.Of(ip) : zones.OfVlan(vlan);
}

std::string ServiceText(uint8_t transport, uint16_t port) {
  const char* t = transport == 6 ? "tcp" : transport == 17 ? "udp" : "ip";
  return std::string(t) + "/" + std::to_string(port);
}

// Whether a conduit's service list admits a conversation's protocol or port. FTP's data
// connections come with its control connection.
bool Admits(const Conduit& c, std::string_view protocol, uint8_t transport, uint16_t port) {
  if (protocol == "ftp-data") protocol = "ftp";
  for (const auto& s : c.services) {
    if (s.any) return true;
    if (!s.protocol.empty() && s.protocol == protocol) return true;
    if (s.transport && s.transport == transport && port >= s.first_port && port <= s.last_port) {
      return true;
    }
  }
  return false;
}

// The conduit from one zone to another that admits the service and allows `needs` (0: none
// beyond the conversation itself), or nullptr.
const Conduit* Allowing(const Policy& p, std::string_view from, std::string_view to,
                        std::string_view protocol, uint8_t transport, uint16_t port,
                        uint32_t needs) {
  for (const auto& c : p.conduits) {
    if (c.from != from || c.to != to) continue;
    if ((c.allow & needs) != needs) continue;
    if (Admits(c, protocol, transport, port)) return &c;
  }
  return nullptr;
}

}  // namespace

std::set<const model::ConversationKey*> ServerOpenedData(const model::Communications& comms) {
  // Control conversations: FTP's, and TFTP requests to port 69.
  std::set<std::tuple<core::IpAddr, core::IpAddr, std::string>> control;
  for (const auto& [k, seen] : comms.conversations()) {
    if (k.protocol == "ftp" || (k.protocol == "tftp" && k.port == 69)) {
      control.emplace(k.initiator, k.responder, k.protocol);
    }
  }
  std::set<const model::ConversationKey*> out;
  for (const auto& [k, seen] : comms.conversations()) {
    const bool data = k.protocol == "ftp-data" || (k.protocol == "tftp" && k.port != 69);
    const std::string control_protocol = k.protocol == "ftp-data" ? "ftp" : k.protocol;
    if (data && control.count({k.responder, k.initiator, control_protocol})) out.insert(&k);
  }
  return out;
}

void JudgeCommunications(const Policy& p, const ZoneMap& zones, const model::Communications& comms,
                         FindingSet& findings) {
  const auto data = ServerOpenedData(comms);
  // Conversations that cross zones with no conduit.
  for (const auto& [k, seen] : comms.conversations()) {
    const std::string_view zi = zones.Of(k.initiator);
    const std::string_view zr = zones.Of(k.responder);
    if (zi.empty() || zr.empty() || zi == zr) continue;  // unassigned: its own finding
    if (data.count(&k)) continue;
    if (Allowing(p, zi, zr, k.protocol, k.transport, k.port, 0)) continue;
    Finding f;
    f.type = "segmentation.unallowed_flow";
    const bool into_crane = IsCraneZone(zones.Find(zr));
    const bool from_outside = zi == kExternalZone;
    f.severity = from_outside && into_crane   ? Severity::kCritical
                 : from_outside || into_crane ? Severity::kHigh
                                              : Severity::kMedium;
    const std::string service = k.protocol.empty() ? ServiceText(k.transport, k.port) : k.protocol;
    f.title = service + " from " + k.initiator.ToString() + " (" + std::string(zi) + ") to " +
              k.responder.ToString() + " (" + std::string(zr) + "): no conduit allows it";
    f.src = Endpoint(k.initiator, k.initiator_mac, zi, 0);
    f.dst = Endpoint(k.responder, k.responder_mac, zr, k.port);
    f.protocol = k.protocol;
    f.vlan = k.vlan;
    f.detail["service"] = ServiceText(k.transport, k.port);
    f.advisory = AdvisoryOf(f.type);
    SightingEvidence(f, seen);
    findings.Add(std::move(f));
  }

  // Writes, program changes and controller-state changes between zones.
  for (const auto& [k, seen] : comms.operations()) {
    const std::string_view zi = ZoneOf(zones, k.requester, k.vlan);
    const std::string_view zd = ZoneOf(zones, k.device, k.vlan);
    const bool write = k.category == "write";
    const Zone* device_zone = zones.Find(zd);
    if (write) {
      if (!zi.empty() && zi == zd) continue;  // operation inside one zone
      if (Allowing(p, zi, zd, k.protocol, k.transport, k.device_port, kAllowWrites)) continue;
    } else {
      // Changes are allowed from a conduit that says so, or inside one crane-management zone:
      // changes from operational zones are what the advisory restricts.
      if (!zi.empty() && zi == zd && device_zone &&
          device_zone->kind == ZoneKind::kCraneManagement) {
        continue;
      }
      if (zi != zd &&
          Allowing(p, zi, zd, k.protocol, k.transport, k.device_port, kAllowProgramChanges)) {
        continue;
      }
    }
    Finding f;
    f.type = write                              ? "ics.write"
             : k.category == "controller-state" ? "ics.controller_state"
                                                : "ics.program_change";
    const bool from_outside = zi == kExternalZone;
    if (write) {
      f.severity = from_outside ? Severity::kCritical
                   : device_zone && device_zone->kind == ZoneKind::kCraneControl
                       ? Severity::kHigh
                       : Severity::kMedium;
    } else {
      f.severity = from_outside ? Severity::kCritical : Severity::kHigh;
    }
    f.title = k.protocol + " " + k.function + (k.target.empty() ? "" : " (" + k.target + ")") +
              " to " + AddressText(k.device, k.device_mac) + " (" + ZoneText(zd) + ") from " +
              AddressText(k.requester, k.requester_mac) + " (" + ZoneText(zi) + ")";
    f.src = Endpoint(k.requester, k.requester_mac, zi, 0);
    f.dst = Endpoint(k.device, k.device_mac, zd, k.device_port);
    f.protocol = k.protocol;
    f.vlan = k.vlan;
    f.detail["operation"] = k.function;
    f.detail["category"] = k.category;
    if (!k.target.empty()) f.detail["target"] = k.target;
    f.advisory = AdvisoryOf(f.type);
    SightingEvidence(f, seen);
    findings.Add(std::move(f));
  }

  // Remote access and file transfers that bypass the zones made for them.
  for (const auto& [k, seen] : comms.sessions()) {
    const std::string_view zc = zones.Of(k.client);
    const std::string_view zs = zones.Of(k.server);
    const Zone* client_zone = zones.Find(zc);
    const Zone* server_zone = zones.Find(zs);
    Finding f;
    if (k.kind == "remote_access") {
      const bool from_outside = zc == kExternalZone;
      const bool via_jump_host = client_zone && client_zone->kind == ZoneKind::kRemoteAccess;
      // A remote-support platform's client connects out to the platform's relay, through
      // which someone outside controls it, and a VPN client joins the network at the far
      // end: either way the session reaches into the client's zone from outside.
      const bool relayed_in =
          zs == kExternalZone && IsCraneZone(client_zone) && ReachesIntoClient(k.tool);
      const bool unapproved =
          from_outside || (IsCraneZone(server_zone) && !via_jump_host) || relayed_in;
      if (!unapproved || (!zc.empty() && zc == zs)) continue;
      if (Allowing(p, zc, zs, k.tool, k.transport, k.server_port, kAllowRemoteAccess)) continue;
      f.type = "remote_access.unapproved";
      f.severity = (from_outside && IsCraneZone(server_zone)) || relayed_in ? Severity::kCritical
                                                                            : Severity::kHigh;
      f.title = k.tool + " session from " + k.client.ToString() + " (" + ZoneText(zc) + ") to " +
                k.server.ToString() + " (" + ZoneText(zs) + ")";
      if (relayed_in) {
        const bool vpn = dissect::IsVpnTool(k.tool);
        f.title += vpn ? ", a VPN server: the crane host joins a network outside"
                       : ", the platform's relay: the crane host can be controlled from outside";
        f.detail["path"] = vpn ? "vpn" : "platform relay";
      }
    } else {
      // Which way the file went: into the server on an upload, into the client otherwise.
      const bool upload = k.direction == "upload";
      const Zone* into = upload ? server_zone : client_zone;
      const Zone* from = upload ? client_zone : server_zone;
      const std::string_view into_name = upload ? zs : zc;
      const std::string_view from_name = upload ? zc : zs;
      if (!IsCraneZone(into) || into_name == from_name) continue;
      if (from && from->kind == ZoneKind::kSecureTransfer) continue;
      if (Allowing(p, zc, zs, k.tool, k.transport, k.server_port, kAllowFileTransfer)) continue;
      f.type = "file_transfer.unapproved";
      f.severity = Severity::kHigh;
      f.title = k.tool + " " + k.direction + " into " + std::string(into_name) + " from " +
                (upload ? k.client : k.server).ToString() + " (" + ZoneText(from_name) + ")";
      f.detail["direction"] = k.direction;
    }
    f.src = Endpoint(k.client, k.client_mac, zc, 0);
    f.dst = Endpoint(k.server, k.server_mac, zs, k.server_port);
    f.protocol = k.tool;
    f.advisory = AdvisoryOf(f.type);
    SightingEvidence(f, seen);
    findings.Add(std::move(f));
  }
}

void JudgeAssets(const ZoneMap& zones, const std::vector<model::Asset>& assets,
                 FindingSet& findings) {
  for (const auto& a : assets) {
    // A gateway or router holds addresses of every zone it routes: not a multi-homed host.
    if (a.gateway || HasRole(a, {"router"}) || a.zones.size() < 2) continue;
    Finding f;
    f.type = "segmentation.multi_homed_host";
    f.severity = Severity::kHigh;
    std::string list;
    for (const auto& z : a.zones) list += (list.empty() ? "" : ", ") + z;
    std::string who = a.mac ? a.mac->ToString() : a.ips.front().ToString();
    f.title =
        who + " holds addresses in " + std::to_string(a.zones.size()) + " zones (" + list + ")";
    if (a.mac) f.src.mac = a.mac;
    if (!a.ips.empty()) f.src.ip = a.ips.front();
    f.detail["zones"] = list;
    f.advisory = AdvisoryOf(f.type);
    AssetEvidence(f, a);
    // The evidence is the frame from which it held addresses in two zones: the earliest
    // frame of each zone's addresses (the device's first, for an address that carried no IP
    // traffic of its own, only ARP), and the second of those.
    std::map<std::string_view, model::AddressActivity> first_by_zone;
    for (const auto& ip : a.ips) {
      const std::string_view z = zones.Of(ip);
      if (z.empty()) continue;
      auto act = a.ip_activity.find(ip);
      const model::AddressActivity seen =
          act != a.ip_activity.end() ? act->second
                                     : model::AddressActivity{a.first_ts, a.last_ts, a.first_seen};
      auto [it, added] = first_by_zone.emplace(z, seen);
      if (!added &&
          std::tie(seen.first_seen.capture_index, seen.first_seen.frame) <
              std::tie(it->second.first_seen.capture_index, it->second.first_seen.frame)) {
        it->second = seen;
      }
    }
    if (first_by_zone.size() >= 2) {
      std::vector<model::AddressActivity> firsts;
      for (const auto& [z, act] : first_by_zone) firsts.push_back(act);
      std::sort(firsts.begin(), firsts.end(), [](const auto& x, const auto& y) {
        return std::tie(x.first_seen.capture_index, x.first_seen.frame) <
               std::tie(y.first_seen.capture_index, y.first_seen.frame);
      });
      f.first_ts = firsts[1].first_ts;
      f.capture_index = firsts[1].first_seen.capture_index;
      f.frame = firsts[1].first_seen.frame;
    }
    findings.Add(std::move(f));
  }
  // VLANs carrying both controllers and auxiliaries (cameras): the first of each.
  std::map<uint16_t, const model::Asset*> cameras;
  for (const auto& a : assets) {
    if (!HasRole(a, {"camera"})) continue;
    for (const auto& v : a.vlans) {
      if (v.outer != 0) cameras.emplace(v.outer, &a);  // untagged: no VLAN to judge
    }
  }
  const auto controllers = ControllersByVlan(assets);
  for (const auto& [vlan, camera] : cameras) {
    auto controller = controllers.find(vlan);
    if (controller == controllers.end()) continue;
    Finding f;
    f.type = "segmentation.mixed_vlan";
    f.severity = Severity::kMedium;
    const model::Asset& cam = *camera;
    const model::Asset& plc = *controller->second;
    f.title = "VLAN " + std::to_string(vlan) + " carries the controller " + DeviceName(plc) +
              " and the camera " + DeviceName(cam);
    if (cam.mac) f.src.mac = cam.mac;
    if (!cam.ips.empty()) {
      f.src.ip = cam.ips.front();
      f.src.zone = std::string(zones.Of(cam.ips.front()));
    }
    f.vlan = vlan;
    f.detail["vlan"] = std::to_string(vlan);
    f.detail["controller"] = DeviceName(plc);
    f.advisory = AdvisoryOf(f.type);
    AssetEvidence(f, cam);
    findings.Add(std::move(f));
  }
}

void DescribePolicy(const Policy& policy, PolicyOutcome& outcome) {
  outcome.site = policy.site;
  outcome.zones = policy.zones.size();
  outcome.conduits = policy.conduits.size();
  outcome.zone_list.clear();
  for (const auto& z : policy.zones) {
    auto& t = outcome.zone_list.emplace_back();
    t.name = z.name;
    t.kind = ZoneKindName(z.kind);
    t.description = z.description;
    t.inside = z.inside;
    for (const auto& s : z.subnets) t.subnets.push_back(s.ToString());
    t.vlans = z.vlans;
  }
  outcome.conduit_list.clear();
  for (const auto& c : policy.conduits) {
    auto& t = outcome.conduit_list.emplace_back();
    t.from = c.from;
    t.to = c.to;
    t.purpose = c.purpose;
    for (const auto& s : c.services) t.services.push_back(s.name);
    t.allow = AllowanceNames(c.allow);
  }
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
