#include "report/live_snapshot.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/timestamp.h"
#include "output/json_output.h"

namespace qw::report {

namespace {

using Json = nlohmann::json;

Json Address(const core::IpAddr& ip, const core::MacAddr& mac) {
  if (ip.IsSet()) return ip.ToString();
  return mac.ToString();
}

Json ZoneOf(const policy::ZoneMap* zones, const core::IpAddr& ip) {
  if (!zones || !ip.IsSet()) return nullptr;
  std::string_view z = zones->Of(ip);
  return z.empty() ? Json(nullptr) : Json(std::string(z));
}

Json Evidence(Json row, const model::Sighting& s) {
  row["first_ts"] = core::FormatIso8601(s.first_ts);
  row["last_ts"] = core::FormatIso8601(s.last_ts);
  row["capture"] = s.capture_index;
  row["frame"] = s.frame;
  return row;
}

// The indices of the assets a snapshot shows, ascending: all of them, or past `limit` those
// that matter most, as the report reads them (HeaviestDevices). d's findings and zones must be
// filled.
std::vector<size_t> MostTelling(const model::RunReport& report, ReportData& d, size_t limit) {
  std::vector<DeviceWeight> w(report.assets.size());
  if (w.size() > limit) {  // within it every device is shown, whatever its weight
    const std::set<std::string> named = AddressesFindingsName(d.findings);
    const std::set<std::string> crane_zones = CraneZones(d.zones);
    for (size_t i = 0; i < w.size(); ++i) {
      const model::Asset& a = report.assets[i];
      DeviceWeight& x = w[i];
      x.findings = a.mac && named.count(a.mac->ToString());
      for (const auto& ip : a.ips) x.findings = x.findings || named.count(ip.ToString());
      x.untrusted = !a.untrusted_supplier.empty();
      x.roles = !a.roles.empty();
      x.identity = !a.identity.empty();
      x.bytes = a.bytes;
      x.crane = std::any_of(a.zones.begin(), a.zones.end(),
                            [&](const std::string& z) { return crane_zones.count(z) > 0; });
      std::vector<std::string> ips;
      for (const auto& ip : a.ips) ips.push_back(ip.ToString());
      x.groups = MapGroups(a.zones, ips, !d.zones.empty());
    }
  }
  return HeaviestDevices(w, limit, d);
}

}  // namespace

ReportData LiveSnapshot(const model::RunReport& report, const policy::PolicyOutcome* outcome,
                        const model::Communications& comms, const policy::ZoneMap* zones,
                        const ReportLimits& limits) {
  ReportData d;
  d.live = true;
  d.summary = Json::parse(output::SummaryJson(report, outcome), nullptr, false);
  if (outcome) {
    for (const auto& f : outcome->findings) {
      d.findings.push_back(Json::parse(output::FindingJsonText(f, report), nullptr, false));
    }
    for (const auto& z : outcome->zone_list) {
      d.zones.push_back({{"name", z.name},
                         {"kind", z.kind},
                         {"description", z.description},
                         {"inside", z.inside},
                         {"subnets", z.subnets},
                         {"vlans", z.vlans}});
    }
    for (const auto& c : outcome->conduit_list) {
      d.conduits.push_back({{"from", c.from},
                            {"to", c.to},
                            {"services", c.services},
                            {"allow", c.allow},
                            {"purpose", c.purpose}});
    }
  }
  for (size_t i : MostTelling(report, d, limits.assets)) {
    d.assets.push_back(Json::parse(output::AssetJsonText(report.assets[i]), nullptr, false));
  }
  for (const auto& f : report.files) d.captures.push_back(f.path);
  for (const auto& [k, s] : comms.conversations()) {
    if (d.conversations.size() >= limits.conversations) {
      ++d.conversations_cut;
      continue;
    }
    d.conversations.push_back(Evidence({{"initiator", Address(k.initiator, k.initiator_mac)},
                                        {"initiator_zone", ZoneOf(zones, k.initiator)},
                                        {"responder", Address(k.responder, k.responder_mac)},
                                        {"responder_zone", ZoneOf(zones, k.responder)},
                                        {"transport", ConversationTransport(k.transport)},
                                        {"port", k.port},
                                        {"protocol", k.protocol},
                                        {"flows", s.count},
                                        {"packets", nullptr},
                                        {"bytes", nullptr}},
                                       s));
  }
  for (const auto& [k, s] : comms.operations()) {
    if (d.operations.size() >= limits.rows) {
      ++d.operations_cut;
      continue;
    }
    d.operations.push_back(Evidence({{"initiator", Address(k.requester, k.requester_mac)},
                                     {"initiator_zone", ZoneOf(zones, k.requester)},
                                     {"responder", Address(k.device, k.device_mac)},
                                     {"responder_zone", ZoneOf(zones, k.device)},
                                     {"protocol", k.protocol},
                                     {"function", k.function},
                                     {"category", k.category},
                                     {"target", k.target},
                                     {"count", s.count}},
                                    s));
  }
  for (const auto& [k, s] : comms.sessions()) {
    Json row = {{"client", Address(k.client, k.client_mac)},
                {"client_zone", ZoneOf(zones, k.client)},
                {"server", Address(k.server, k.server_mac)},
                {"server_zone", ZoneOf(zones, k.server)},
                {"server_port", k.server_port},
                {"sessions", s.count}};
    if (k.kind == "remote_access") {
      if (d.remote_access.size() >= limits.rows) {
        ++d.remote_access_cut;
        continue;
      }
      row["tool"] = k.tool;
      row = Evidence(std::move(row), s);
      row["start_ts"] = row["first_ts"];
      d.remote_access.push_back(std::move(row));
    } else {
      if (d.file_transfers.size() >= limits.rows) {
        ++d.transfers_cut;
        continue;
      }
      row["protocol"] = k.tool;
      row["direction"] = k.direction;
      row = Evidence(std::move(row), s);
      row["ts"] = row["first_ts"];
      d.file_transfers.push_back(std::move(row));
    }
  }
  for (const auto& b : report.plc_blocks) {
    if (d.plc_blocks.size() >= limits.rows) {
      ++d.blocks_cut;
      continue;
    }
    d.plc_blocks.push_back({{"protocol", b.protocol},
                            {"direction", b.direction},
                            {"plc", b.plc_ip.ToString()},
                            {"plc_zone", ZoneOf(zones, b.plc_ip)},
                            {"plc_port", b.plc_port},
                            {"peer", b.peer_ip.ToString()},
                            {"peer_zone", ZoneOf(zones, b.peer_ip)},
                            {"block", b.block},
                            {"bytes", b.size},
                            {"sha256", b.sha256},
                            {"complete", b.complete},
                            {"ts", core::FormatIso8601(b.first_ts)},
                            {"capture", b.capture_index},
                            {"frame", b.first_frame},
                            {"last_frame", b.last_frame}});
  }
  return d;
}

}  // namespace qw::report
