#include "output/json_output.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/timestamp.h"
#include "output/atomic_file.h"

namespace qw::output {

namespace {

using Json = nlohmann::ordered_json;

Json TsOrNull(const std::optional<core::Timestamp>& t) {
  return t ? Json(core::FormatIso8601(*t)) : Json(nullptr);
}

Json FrameCountsJson(const model::FrameCounts& c) {
  Json j;
  j["vlan"] = c.vlan;
  j["arp"] = c.arp;
  j["ipv4"] = c.ipv4;
  j["ipv6"] = c.ipv6;
  j["tcp"] = c.tcp;
  j["udp"] = c.udp;
  j["icmp"] = c.icmp;
  j["icmpv6"] = c.icmpv6;
  j["lldp"] = c.lldp;
  j["cdp"] = c.cdp;
  j["stp"] = c.stp;
  j["ipv4_fragments"] = c.ipv4_fragments;
  j["ipv4_reassembled"] = c.ipv4_reassembled;
  return j;
}

Json ServicesJson(const std::map<model::ServiceKey, uint64_t>& services) {
  Json arr = Json::array();
  for (const auto& [k, n] : services) {
    arr.push_back(
        {{"transport", model::TransportName(k.transport)}, {"port", k.port}, {"flows", n}});
  }
  return arr;
}

Json NeighborJson(const dissect::NeighborObservation& n) {
  Json j;
  j["protocol"] = n.protocol;
  j["chassis_id"] = n.chassis_id;
  j["chassis_id_subtype"] = n.chassis_id_subtype;
  j["port_id"] = n.port_id;
  j["port_id_subtype"] = n.port_id_subtype;
  if (!n.port_description.empty()) j["port_description"] = n.port_description;
  if (!n.system_name.empty()) j["system_name"] = n.system_name;
  if (!n.system_description.empty()) j["system_description"] = n.system_description;
  if (!n.platform.empty()) j["platform"] = n.platform;
  j["capabilities"] = n.capabilities;
  j["enabled_capabilities"] = n.enabled_capabilities;
  Json mgmt = Json::array();
  for (const auto& ip : n.management_addresses) mgmt.push_back(ip.ToString());
  j["management_addresses"] = mgmt;
  if (n.port_vlan) j["port_vlan"] = n.port_vlan;
  j["ttl"] = n.ttl;
  Json tlvs = Json::array();
  for (const auto& t : n.tlvs) {
    Json tj;
    tj["type"] = t.type;
    if (!t.subtype.empty()) tj["subtype"] = t.subtype;
    tj["value"] = t.value_hex;
    tlvs.push_back(std::move(tj));
  }
  j["tlvs"] = tlvs;
  return j;
}

}  // namespace

Json AssetJson(const model::Asset& a) {
  Json j;
  j["id"] = a.id;
  j["mac"] = a.mac ? Json(a.mac->ToString()) : Json(nullptr);
  j["vendor"] = a.vendor.empty() ? Json(nullptr) : Json(a.vendor);
  if (a.via) j["seen_via"] = a.via->ToString();
  Json ips = Json::array();
  for (const auto& ip : a.ips) ips.push_back(ip.ToString());
  j["ips"] = ips;
  Json vlans = Json::array();
  for (const auto& v : a.vlans) {
    if (v.inner)
      vlans.push_back({{"outer", v.outer}, {"inner", v.inner}});
    else
      vlans.push_back(v.outer);
  }
  j["vlans"] = vlans;
  j["zones"] = a.zones;  // filled with a site policy
  Json names = Json::array();
  for (const auto& n : a.names) names.push_back({{"name", n.name}, {"source", n.source}});
  j["names"] = names;
  Json roles = Json::array();
  Json evidence = Json::object();
  for (const auto& r : a.roles) {
    roles.push_back(r.role);
    evidence[r.role] = r.evidence;
  }
  j["roles"] = roles;
  j["role_evidence"] = evidence;
  Json identity = Json::object();
  for (const auto& [k, v] : a.identity) identity[k] = v;
  j["identity"] = identity;
  if (!a.identity_sources.empty()) {
    Json sources = Json::object();
    for (const auto& [k, v] : a.identity_sources) sources[k] = v;
    j["identity_sources"] = sources;
  }
  auto counts = [](const std::map<std::string, uint64_t>& m) {
    Json o = Json::object();
    for (const auto& [k, n] : m) o[k] = n;
    return o;
  };
  if (!a.ics_served.empty() || !a.ics_requested.empty()) {
    j["industrial"] = {{"served", counts(a.ics_served)}, {"requested", counts(a.ics_requested)}};
  }
  if (!a.cyclic_frames.empty()) j["cyclic_frames"] = counts(a.cyclic_frames);
  j["services"] = {{"served", ServicesJson(a.served)}, {"used", ServicesJson(a.used)}};
  // Attribution needs a site policy: null without one, or when nothing names the device.
  if (a.untrusted_supplier.empty()) {
    j["untrusted_supplier"] = nullptr;
  } else {
    Json by = Json::array();
    for (const auto& s : a.untrusted_supplier) {
      Json one = {{"supplier", s.supplier}, {"by", s.by}, {"field", s.field}, {"text", s.text}};
      if (!s.protocol.empty()) one["protocol"] = s.protocol;
      one["evidence"] = {{"capture", s.evidence.capture_index}, {"frame", s.evidence.frame}};
      by.push_back(std::move(one));
    }
    j["untrusted_supplier"] = {{"supplier", a.untrusted_supplier.front().supplier},
                               {"attributions", by}};
  }
  j["first_ts"] = core::FormatIso8601(a.first_ts);
  j["last_ts"] = core::FormatIso8601(a.last_ts);
  j["packets"] = a.packets;
  j["bytes"] = a.bytes;
  j["first_seen"] = {{"capture", a.first_seen.capture_index}, {"frame", a.first_seen.frame}};
  Json neighbors = Json::array();
  for (const auto& n : a.neighbors) neighbors.push_back(NeighborJson(n));
  if (!neighbors.empty()) j["announcements"] = neighbors;
  return j;
}

std::string AssetJsonText(const model::Asset& asset) { return AssetJson(asset).dump(); }

std::string SummaryJson(const model::RunReport& r, const policy::PolicyOutcome* policy) {
  Json files = Json::array();
  for (const auto& f : r.files) {
    Json fj;
    fj["path"] = f.path;
    fj["format"] = f.format;
    fj["compressed"] = f.compressed;
    fj["frames"] = f.frames;
    fj["bytes"] = f.bytes;
    fj["first_ts"] = TsOrNull(f.first_ts);
    fj["last_ts"] = TsOrNull(f.last_ts);
    Json lt = Json::object();
    for (const auto& [name, n] : f.link_types) lt[name] = n;
    fj["link_types"] = lt;
    if (f.error) {
      fj["error"] = {
          {"record", f.error->record}, {"offset", f.error->offset}, {"message", f.error->message}};
    } else {
      fj["error"] = nullptr;
    }
    files.push_back(std::move(fj));
  }
  Json j;
  j["quaywatch_version"] = r.version;
  j["capture"] = {{"frames", r.frames()},
                  {"bytes", r.bytes()},
                  {"first_ts", TsOrNull(r.first_ts())},
                  {"last_ts", TsOrNull(r.last_ts())},
                  {"files", files}};
  if (r.live) {
    j["live"] = {{"interface", r.live->interface},
                 {"filter", r.live->filter},
                 {"received", r.live->received},
                 {"kernel_dropped", r.live->kernel_dropped},
                 {"interface_dropped", r.live->interface_dropped}};
  }
  j["frames"] = FrameCountsJson(r.frame_counts);
  j["flows"] = {{"tcp", r.flow_counts.tcp},
                {"udp", r.flow_counts.udp},
                {"other", r.flow_counts.other},
                {"evicted", r.flow_counts.evicted}};
  Json protocols = Json::object();
  for (const auto& [name, ps] : r.protocols) {
    Json pj;
    pj["pdus"] = ps.pdus;
    pj["requests"] = ps.requests;
    pj["responses"] = ps.responses;
    pj["exceptions"] = ps.exceptions;
    pj["frames"] = ps.frames;
    for (const auto& [hname, h] : ps.histograms) {
      Json hj = Json::object();
      const bool words = ps.text_histograms.count(hname) > 0;
      for (const auto& [code, n] : h) {
        hj[code == model::ProtocolCounter::kOverflowCode ? std::string("other")
           : words                                       ? dissect::WordOfCode(code)
                                                         : std::to_string(code)] = n;
      }
      pj[hname] = hj;
    }
    protocols[name] = pj;
  }
  j["protocols"] = protocols;
  j["remote_access"] = Json(r.remote_access);
  j["file_transfers"] = Json(r.file_transfers);
  // Complete uploads and downloads by direction; incomplete ones of either apart, so that
  // the three add up to the rows of plc_blocks.
  uint64_t uploads = 0, downloads = 0, incomplete = 0;
  for (const auto& b : r.plc_blocks) {
    if (!b.complete) {
      ++incomplete;
    } else if (b.direction == "upload") {
      ++uploads;
    } else {
      ++downloads;
    }
  }
  j["plc_blocks"] = {{"uploads", uploads}, {"downloads", downloads}, {"incomplete", incomplete}};
  Json anomalies = Json::object();
  for (const auto& [name, n] : r.anomalies.counts()) anomalies[name] = n;
  j["anomalies"] = anomalies;
  j["assets"] = r.assets.size();
  Json findings = Json::object();
  if (policy) {
    // Highest severity first, as people read them.
    for (int sev = static_cast<int>(policy::Severity::kCritical); sev >= 0; --sev) {
      uint64_t n = 0;
      for (const auto& f : policy->findings) n += static_cast<int>(f.severity) == sev;
      if (n) findings[policy::SeverityName(static_cast<policy::Severity>(sev))] = n;
    }
  }
  j["findings"] = findings;
  if (policy && !policy->file.empty()) {
    j["policy"] = {{"file", policy->file},
                   {"site", policy->site},
                   {"zones", policy->zones},
                   {"conduits", policy->conduits}};
  } else {
    j["policy"] = "none: assets and flows only; findings that need a policy were not produced";
  }
  if (policy && !policy->baseline.empty()) {
    j["baseline"] = {{"file", policy->baseline},
                     {"assets", policy->baseline_assets},
                     {"communications", policy->baseline_communications}};
  }
  if (policy && !policy->integrity_manifest.empty()) {
    Json integrity = {{"manifest", policy->integrity_manifest}};
    for (const auto& [k, v] : policy->integrity) integrity[k] = v;
    j["integrity"] = std::move(integrity);
  }
  if (r.elapsed_s) j["elapsed_s"] = *r.elapsed_s;
  return j.dump(2) + "\n";
}

namespace {

// Hands assets.json to `put` a device at a time, as the whole array's dump(2) would read: each
// device's own indented text, moved in by one level. A capture of many devices never holds
// the file, or all its devices' JSON, in memory at once. `put` returns a Status.
template <class Put>
core::Status PutAssetsJson(const model::RunReport& r, Put&& put) {
  if (r.assets.empty()) return put("[]\n");
  if (auto s = put("[\n"); !s) return s;
  std::string text;
  for (size_t i = 0; i < r.assets.size(); ++i) {
    const std::string one = AssetJson(r.assets[i]).dump(2);
    text.assign("  ");
    // A line break inside a string is escaped: every one here ends a line of the layout.
    for (size_t at = 0; at < one.size();) {
      const size_t end = std::min(one.find('\n', at), one.size() - 1) + 1;
      text.append(one, at, end - at);
      if (one[end - 1] == '\n') text.append("  ");
      at = end;
    }
    text.append(i + 1 < r.assets.size() ? ",\n" : "\n");
    if (auto s = put(text); !s) return s;
  }
  return put("]\n");
}

}  // namespace

std::string AssetsJson(const model::RunReport& r) {
  std::string out;
  (void)PutAssetsJson(r, [&](std::string_view piece) {
    out.append(piece);
    return core::Status{};
  });
  return out;
}

core::Status WriteAssetsJson(const model::RunReport& r, const std::string& path) {
  auto file = AtomicFileWriter::Create(path);
  if (!file) return core::MakeError(file.error().message);
  if (auto s = PutAssetsJson(r, [&](std::string_view piece) { return (*file)->Append(piece); });
      !s) {
    return s;
  }
  return (*file)->Commit();
}

namespace {

Json EndpointJson(const policy::FindingEndpoint& e) {
  Json j = Json::object();
  j["ip"] = e.ip ? Json(e.ip->ToString()) : Json(nullptr);
  j["mac"] = e.mac ? Json(e.mac->ToString()) : Json(nullptr);
  j["zone"] = e.zone.empty() ? Json(nullptr) : Json(e.zone);
  if (e.port) j["port"] = e.port;
  return j;
}

}  // namespace

std::string FindingJsonText(const policy::Finding& f, const model::RunReport& report) {
  Json j = Json::object();
  j["type"] = f.type;
  j["severity"] = policy::SeverityName(f.severity);
  j["title"] = f.title;
  j["first_ts"] = core::FormatIso8601(f.first_ts);
  j["last_ts"] = core::FormatIso8601(f.last_ts);
  j["count"] = f.count;
  j["src"] = EndpointJson(f.src);
  if (f.dst) j["dst"] = EndpointJson(*f.dst);
  if (!f.protocol.empty()) j["protocol"] = f.protocol;
  if (f.vlan) j["vlan"] = f.vlan;
  j["detail"] = Json(f.detail);
  j["advisory"] = f.advisory;
  const std::string capture =
      f.capture_index < report.files.size() ? report.files[f.capture_index].path : "";
  j["evidence"] = {{"capture", capture}, {"frame", f.frame}};
  return j.dump();
}

core::Status WriteJsonOutputs(const model::RunReport& report, const std::string& dir,
                              const policy::PolicyOutcome* policy) {
  if (auto s = WriteAssetsJson(report, dir + "/assets.json"); !s) return s;
  // Without a policy there are no findings: the file exists, empty, so consumers can tail it.
  std::string events;
  if (policy) {
    for (const auto& f : policy->findings) events += FindingJsonText(f, report) + "\n";
  }
  if (auto s = WriteFileAtomically(dir + "/events.jsonl", events); !s) return s;
  return WriteFileAtomically(dir + "/summary.json", SummaryJson(report, policy));
}

}  // namespace qw::output
