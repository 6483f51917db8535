#include "report/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "core/address.h"
#include "core/timestamp.h"
#include "output/atomic_file.h"
#include "report/checklist.h"
#include "report/embedded.h"
#include "report/json_fields.h"
#include "report/template.h"
#include "report/zone_map.h"

namespace qw::report {

namespace {

using Json = nlohmann::json;

constexpr std::array<const char*, 5> kSeverities = {"critical", "high", "medium", "low", "info"};

std::string Joined(const Json& list, const char* sep = ", ") {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& v : list) {
    if (!out.empty()) out += sep;
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string CaptureName(const ReportData& d, const Json& index) {
  if (!index.is_number()) return {};
  const auto i = index.get<size_t>();
  return i < d.captures.size() ? BaseName(d.captures[i]) : fmt::format("capture {}", i);
}

// An endpoint of a finding in words: "10.10.5.20 (business-it)".
std::string EndText(const Json& end) {
  if (!end.is_object()) return {};
  std::string who = Str(end, "ip");
  if (who.empty()) who = Str(end, "mac");
  if (who.empty()) who = Str(end, "name");
  std::string zone = Str(end, "zone");
  std::string port = end.contains("port") ? ":" + Str(end, "port") : "";
  return who + port + (zone.empty() ? "" : " (" + zone + ")");
}

std::string AddressFilter(const std::string& ip_or_mac) {
  if (auto ip = core::IpAddr::Parse(ip_or_mac)) {
    return (ip->IsV4() ? "ip.addr == " : "ipv6.addr == ") + ip_or_mac;
  }
  if (core::MacAddr::Parse(ip_or_mac)) return "eth.addr == " + ip_or_mac;
  return {};
}

std::string Duration(double s) {
  if (s < 120) return fmt::format("{:.1f} s", s);
  if (s < 7200) return fmt::format("{:.1f} min", s / 60);
  if (s < 172800) return fmt::format("{:.1f} h", s / 3600);
  return fmt::format("{:.1f} days", s / 86400);
}

Json Overview(const ReportData& d) {
  const Json& s = d.summary;
  const Json cap = s.value("capture", Json::object());
  Json files = Json::array();
  for (const auto& f : cap.value("files", Json::array())) {
    std::string error;
    if (f.contains("error") && f["error"].is_object()) {
      error = fmt::format("cut off at record {}: {} (analysed up to it)", Str(f["error"], "record"),
                          Str(f["error"], "message"));
    }
    files.push_back({{"path", Str(f, "path")},
                     {"format", Str(f, "format")},
                     {"frames", Num(f, "frames")},
                     {"bytes", HumanBytes(Num(f, "bytes"))},
                     {"first_ts", Str(f, "first_ts")},
                     {"last_ts", Str(f, "last_ts")},
                     {"error", error}});
  }
  Json severities = Json::array();
  const Json counts = s.value("findings", Json::object());
  int64_t total = 0;
  for (const char* sev : kSeverities) {
    const int64_t n = counts.is_object() ? counts.value(sev, int64_t{0}) : 0;
    total += n;
    severities.push_back({{"severity", sev}, {"count", n}});
  }
  Json protocols = Json::array();
  std::vector<std::pair<int64_t, std::string>> by_count;
  const Json protocol_counts = s.value("protocols", Json::object());
  for (const auto& [name, p] : protocol_counts.items()) {
    int64_t n = p.is_object() ? p.value("pdus", int64_t{0}) : 0;
    if (n == 0 && p.is_object()) n = p.value("frames", int64_t{0});
    by_count.emplace_back(n, name);
  }
  std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (const auto& [n, name] : by_count) protocols.push_back({{"name", name}, {"pdus", n}});
  const Json flows = s.value("flows", Json::object());
  int64_t flow_total = 0;
  for (const auto& [k, v] : flows.items()) flow_total += v.is_number() ? v.get<int64_t>() : 0;
  std::string span;
  auto first = core::ParseIso8601(Str(cap, "first_ts"));
  auto last = core::ParseIso8601(Str(cap, "last_ts"));
  if (first && last) span = Duration(static_cast<double>(last->ns - first->ns) / 1e9);
  const Json pol = s.value("policy", Json());
  return {{"site", pol.is_object() ? Str(pol, "site") : ""},
          {"policy_file", pol.is_object() ? Str(pol, "file") : ""},
          {"baseline_file", pol.is_object() ? Str(pol, "baseline") : ""},
          {"version", Str(s, "quaywatch_version")},
          {"files", files},
          {"first_ts", Str(cap, "first_ts")},
          {"last_ts", Str(cap, "last_ts")},
          {"span", span},
          {"frames", Num(cap, "frames")},
          {"bytes", HumanBytes(Num(cap, "bytes"))},
          {"devices", d.assets.size() + d.assets_unread},
          {"flows", flow_total},
          {"findings_total", total},
          {"severities", severities},
          {"protocols", protocols}};
}

Json FindingRow(const Json& f, size_t n) {
  Json ev = f.value("evidence", Json::object());
  Json row = {{"anchor", fmt::format("finding-{}", n + 1)},
              {"severity", Str(f, "severity")},
              {"type", Str(f, "type")},
              {"title", Str(f, "title")},
              {"src", EndText(f.value("src", Json()))},
              {"dst", EndText(f.value("dst", Json()))},
              {"protocol", Str(f, "protocol")},
              {"count", Num(f, "count")},
              {"first_ts", Str(f, "first_ts")},
              {"last_ts", Str(f, "last_ts")},
              {"capture", BaseName(Str(ev, "capture"))},
              {"frame", Num(ev, "frame")},
              {"advisory", Joined(f.value("advisory", Json::array()))}};
  Json filters = FindingFilters(f);
  row["filter_frame"] = filters.value("frame", "");
  row["filter_conversation"] = filters.value("conversation", "");
  return row;
}

// Where a row's severity stands in kSeverities (past the end when it names none).
size_t SeverityRank(const Json& row) {
  const std::string s = row.value("severity", "");
  for (size_t i = 0; i < kSeverities.size(); ++i) {
    if (s == kSeverities[i]) return i;
  }
  return kSeverities.size();
}

// Findings one guidance group lists at most, the most severe first; events.jsonl holds
// every one. A capture of 20,000 sources each breaking the segmentation made a 27 MB page.
constexpr size_t kMaxFindingRows = 500;
// Findings a checklist item links to at most (of those the findings list shows).
constexpr size_t kMaxChecklistLinks = 100;

// The findings by guidance group, each group's rows capped at kMaxFindingRows; `listed`
// gets the anchors of the rows kept.
Json FindingGroups(const ReportData& d, std::set<std::string>& listed) {
  std::map<std::string, std::string> titles;
  std::map<std::string, Json> by_ref;
  std::vector<std::string> order;
  for (const auto& [ref, title] : GuidanceTitles()) {
    order.push_back(ref);
    titles[ref] = title;
  }
  for (size_t n = 0; n < d.findings.size(); ++n) {
    const Json& f = d.findings[n];
    const Json refs = f.value("advisory", Json::array());
    std::string ref = refs.empty() ? "other" : refs[0].get<std::string>();
    if (!by_ref.count(ref) && !titles.count(ref) && ref != "other") order.push_back(ref);
    by_ref[ref].push_back(FindingRow(f, n));
  }
  order.push_back("other");
  Json groups = Json::array();
  std::set<std::string> done;
  for (const auto& ref : order) {
    if (!by_ref.count(ref) || !done.insert(ref).second) continue;
    Json& rows = by_ref[ref];
    std::stable_sort(rows.begin(), rows.end(), [](const Json& a, const Json& b) {
      return SeverityRank(a) < SeverityRank(b);
    });
    const size_t total = rows.size();
    std::string note;
    if (total > kMaxFindingRows) {
      rows.erase(rows.begin() + kMaxFindingRows, rows.end());
      note = fmt::format(
          "{} more findings of this guidance are in events.jsonl; the report lists the {} most "
          "severe.",
          total - kMaxFindingRows, kMaxFindingRows);
    }
    for (const auto& r : rows) listed.insert(r["anchor"].get<std::string>());
    groups.push_back({{"ref", ref},
                      {"anchor", "guidance-" + SafeId(ref)},
                      {"title", titles.count(ref) ? titles[ref] : ref},
                      {"count", total},
                      {"findings", std::move(rows)},
                      {"note", note}});
  }
  return groups;
}

// The checklist, each item linking only to findings the page lists, and to at most
// kMaxChecklistLinks of them, the most severe (the rest counted in `findings_more`).
Json LinkedChecklist(const ReportData& d, const std::set<std::string>& listed) {
  Json rows = AdvisoryChecklist(d);
  for (auto& row : rows) {
    Json& findings = row["findings"];
    const size_t total = findings.size();
    Json kept = Json::array();
    for (auto& f : findings) {
      if (listed.count(f["anchor"].get<std::string>())) kept.push_back(std::move(f));
    }
    if (kept.size() > kMaxChecklistLinks) {
      std::stable_sort(kept.begin(), kept.end(), [](const Json& a, const Json& b) {
        return SeverityRank(a) < SeverityRank(b);
      });
      kept.erase(kept.begin() + kMaxChecklistLinks, kept.end());
    }
    const size_t more = total - kept.size();
    row["findings"] = std::move(kept);
    row["findings_more"] = more ? fmt::format("and {} more", more) : "";
  }
  return rows;
}

// Devices the inventory lists at most. A port's network has hundreds or a few thousand; a
// capture whose sources were spoofed by the hundred thousand would make a page no browser
// opens (85 MB for 100,000). assets.json and quaywatch.sqlite hold every device.
constexpr size_t kMaxInventoryRows = 5000;
static_assert(kMaxAssetsRead >= 2 * kMaxInventoryRows,
              "the inventory chooses what it lists among the devices read");
// Conversation groups the report reads for its map, the most flows first. A port's network
// makes a few thousand; 100,000 spoofed sources made as many groups, 0.7 s and 90 MB of the
// report's work. The map still draws every pair of zones a finding joins.
constexpr size_t kMaxReportConversations = 50'000;

// The inventory's rows, and how many devices it leaves out.
struct InventoryRows {
  Json rows = Json::array();
  size_t cut = 0;
};

// The indices into d.assets of the devices the inventory lists, in asset order: all of them,
// or past kMaxInventoryRows those that matter most to a reader: with findings, drawn on the
// map (whose boxes link to their rows), of untrusted suppliers, with roles, with an identity
// from the wire, then with the most traffic.
std::vector<size_t> ListedAssets(const ReportData& d, const std::vector<size_t>& findings,
                                 const std::vector<int64_t>& drawn) {
  std::vector<size_t> order(d.assets.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (order.size() <= kMaxInventoryRows) return order;
  const std::set<int64_t> on_map(drawn.begin(), drawn.end());
  struct Weight {
    bool findings, drawn, untrusted, roles, identity;
    int64_t bytes;
    auto Key() const { return std::tie(findings, drawn, untrusted, roles, identity, bytes); }
  };
  std::vector<Weight> weight(d.assets.size());
  for (size_t i = 0; i < weight.size(); ++i) {
    const Json& a = d.assets[i];
    weight[i] = {findings[i] > 0,
                 on_map.count(Num(a, "id")) > 0,
                 a.value("untrusted_supplier", Json()).is_object(),
                 !a.value("roles", Json::array()).empty(),
                 !a.value("identity", Json::object()).empty(),
                 Num(a, "bytes")};
  }
  // Heaviest first; among equals, the earlier device.
  std::nth_element(
      order.begin(), order.begin() + kMaxInventoryRows, order.end(), [&](size_t x, size_t y) {
        return weight[x].Key() > weight[y].Key() || (weight[x].Key() == weight[y].Key() && x < y);
      });
  order.resize(kMaxInventoryRows);
  std::sort(order.begin(), order.end());
  return order;
}

InventoryRows AssetRows(const ReportData& d, const std::vector<int64_t>& drawn, Json& zones,
                        Json& roles, Json& vendors) {
  std::set<std::string> zs, rs, vs;
  std::map<std::string, size_t> findings_by_address;
  for (const auto& f : d.findings) {
    for (const char* end : {"src", "dst"}) {
      const Json e = f.value(end, Json());
      if (!e.is_object()) continue;
      for (const char* k : {"ip", "mac"}) {
        if (!Str(e, k).empty()) ++findings_by_address[Str(e, k)];
      }
    }
  }
  std::vector<size_t> findings(d.assets.size(), 0);
  for (size_t i = 0; i < d.assets.size(); ++i) {
    const Json& a = d.assets[i];
    for (const auto& ip : a.value("ips", Json::array())) {
      auto it = findings_by_address.find(ip.get<std::string>());
      if (it != findings_by_address.end()) findings[i] += it->second;
    }
    if (a.value("ips", Json::array()).empty()) {
      auto it = findings_by_address.find(Str(a, "mac"));
      if (it != findings_by_address.end()) findings[i] += it->second;
    }
  }
  InventoryRows out;
  const std::vector<size_t> listed = ListedAssets(d, findings, drawn);
  out.cut = d.assets.size() - listed.size() + d.assets_unread;
  for (const size_t i : listed) {
    const Json& a = d.assets[i];
    const Json identity = a.value("identity", Json::object());
    auto ident = [&](std::initializer_list<const char*> keys) {
      for (const char* k : keys) {
        std::string v = Str(identity, k);
        if (!v.empty()) return v;
      }
      return std::string();
    };
    const Json untrusted = a.value("untrusted_supplier", Json());
    std::string supplier;
    if (untrusted.is_object()) supplier = Str(untrusted, "supplier");
    for (const auto& z : a.value("zones", Json::array())) zs.insert(z.get<std::string>());
    for (const auto& r : a.value("roles", Json::array())) rs.insert(r.get<std::string>());
    const std::string vendor = Str(a, "vendor");
    if (!vendor.empty()) vs.insert(vendor);
    const int64_t bytes = Num(a, "bytes");
    out.rows.push_back({{"id", Num(a, "id")},
                        {"anchor", fmt::format("asset-{}", Num(a, "id"))},
                        {"ips", Joined(a.value("ips", Json::array()))},
                        {"mac", Str(a, "mac")},
                        {"vendor", vendor},
                        {"names", Joined(a.value("names", Json::array()))},
                        {"zones", Joined(a.value("zones", Json::array()))},
                        {"roles", Joined(a.value("roles", Json::array()))},
                        {"vlans", Joined(a.value("vlans", Json::array()))},
                        {"product", ident({"product", "product_name", "model", "description"})},
                        {"firmware", ident({"firmware", "software", "revision"})},
                        {"serial", ident({"serial"})},
                        {"untrusted", untrusted.is_object()},
                        {"supplier", supplier},
                        {"findings", findings[i]},
                        {"packets", Num(a, "packets")},
                        {"bytes", bytes},
                        {"bytes_h", HumanBytes(bytes)},
                        {"first_ts", Str(a, "first_ts")},
                        {"last_ts", Str(a, "last_ts")},
                        {"data_zones", "|" + Joined(a.value("zones", Json::array()), "|") + "|"},
                        {"data_roles", "|" + Joined(a.value("roles", Json::array()), "|") + "|"}});
  }
  for (const auto& z : zs) zones.push_back(z);
  for (const auto& r : rs) roles.push_back(r);
  for (const auto& v : vs) vendors.push_back(v);
  return out;
}

// Adds the capture's file name to each ledger row.
Json WithCaptureNames(const ReportData& d, const Json& rows) {
  Json out = rows;
  for (auto& r : out) {
    r["capture_name"] = CaptureName(d, r.value("capture", Json()));
    for (const char* k : {"bytes", "bytes_from_client", "bytes_from_server"}) {
      if (r.contains(k) && r[k].is_number())
        r[std::string(k) + "_h"] = HumanBytes(r[k].get<int64_t>());
    }
    if (r.contains("duration_s") && r["duration_s"].is_number()) {
      r["duration"] = Duration(r["duration_s"].get<double>());
    }
  }
  return out;
}

std::string CutNote(size_t cut, const char* what) {
  return cut ? fmt::format("{} more {} are in quaywatch.sqlite; the report lists the first.", cut,
                           what)
             : std::string();
}

}  // namespace

std::string HumanBytes(int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (bytes < 1000) return fmt::format("{} B", bytes);
  if (bytes < 1000000) return fmt::format("{:.1f} kB", b / 1e3);
  if (bytes < 1000000000) return fmt::format("{:.1f} MB", b / 1e6);
  return fmt::format("{:.2f} GB", b / 1e9);
}

Json FindingFilters(const Json& f) {
  Json out = Json::object();
  const Json ev = f.value("evidence", Json::object());
  if (Num(ev, "frame") > 0) out["frame"] = fmt::format("frame.number == {}", Num(ev, "frame"));
  const Json src = f.value("src", Json()), dst = f.value("dst", Json());
  std::vector<std::string> parts;
  for (const Json* end : {&src, &dst}) {
    if (!end->is_object()) continue;
    std::string who = Str(*end, "ip");
    if (who.empty()) who = Str(*end, "mac");
    std::string filter = AddressFilter(who);
    if (!filter.empty()) parts.push_back(filter);
  }
  if (dst.is_object() && Num(dst, "port") > 0) {
    parts.push_back(fmt::format("(tcp.port == {0} || udp.port == {0})", Num(dst, "port")));
  }
  if (!parts.empty()) out["conversation"] = fmt::format("{}", fmt::join(parts, " && "));
  return out;
}

core::Result<Json> ReportView(const ReportData& d) {
  ZoneMapDrawing map = BuildZoneMap(d);
  auto svg = RenderSvg(map.dot);
  if (!svg) return core::Error{svg.error().message};
  Json zones = Json::array(), roles = Json::array(), vendors = Json::array();
  InventoryRows inventory = AssetRows(d, map.drawn, zones, roles, vendors);
  std::set<std::string> listed_findings;
  Json finding_groups = FindingGroups(d, listed_findings);
  const size_t asset_count = inventory.rows.size();
  // Moved in, not copied: the inventory of a large network runs to tens of megabytes.
  Json view = {{"overview", Overview(d)},
               {"live", d.live},
               {"policy", !d.zones.empty()},
               {"finding_groups", std::move(finding_groups)},
               {"findings_total", d.findings.size()},
               {"map_svg", std::move(*svg)},
               {"map_edges", std::move(map.edges)},
               {"map_groups", std::move(map.groups)},
               {"assets", std::move(inventory.rows)},
               {"asset_count", asset_count},
               {"inventory_note",
                inventory.cut ? fmt::format("{} more devices are in assets.json and "
                                            "quaywatch.sqlite; the report lists the {} with "
                                            "findings, on the map, of untrusted suppliers, with "
                                            "roles or identities first, then the busiest.",
                                            inventory.cut, asset_count)
                              : std::string()},
               {"filter_zones", std::move(zones)},
               {"filter_roles", std::move(roles)},
               {"filter_vendors", std::move(vendors)},
               {"operations", WithCaptureNames(d, d.operations)},
               {"operations_note", CutNote(d.operations_cut, "operation groups")},
               {"remote_access", WithCaptureNames(d, d.remote_access)},
               {"remote_access_note", CutNote(d.remote_access_cut, "sessions")},
               {"file_transfers", WithCaptureNames(d, d.file_transfers)},
               {"file_transfers_note", CutNote(d.transfers_cut, "file transfers")},
               {"plc_blocks", WithCaptureNames(d, d.plc_blocks)},
               {"plc_blocks_note", CutNote(d.blocks_cut, "block transfers")},
               {"conversations_note",
                CutNote(d.conversations_cut, "conversation groups (not drawn on the map)")},
               {"checklist", LinkedChecklist(d, listed_findings)}};
  return view;
}

core::Result<std::string> RenderReportHtml(const ReportData& d) {
  auto view = ReportView(d);
  if (!view) return core::Error{view.error().message};
  (*view)["css"] = std::string(EmbeddedFile("report.css"));
  (*view)["js"] = std::string(EmbeddedFile("report.js"));
  (*view)["svg_pan_zoom"] = std::string(EmbeddedFile("svg-pan-zoom.min.js"));
  return RenderTemplate("report.html", EmbeddedFile("report.html"), *view);
}

core::Status WriteReport(const std::string& dir, const std::string& out) {
  ReportLimits limits;
  limits.conversations = kMaxReportConversations;
  auto data = LoadReportData(dir, limits);
  if (!data) return core::MakeError(data.error().message);
  core::Result<std::string> html = core::Error{};
  try {
    html = RenderReportHtml(*data);
  } catch (const nlohmann::json::exception& e) {
    // Only a database edited by hand gets here: quaywatch writes every row in one shape.
    return core::MakeError(fmt::format(
        "{}/quaywatch.sqlite: a row is not in the shape quaywatch writes ({})", dir, e.what()));
  }
  if (!html) return core::MakeError(html.error().message);
  return output::WriteFileAtomically(out.empty() ? dir + "/report.html" : out, *html);
}

}  // namespace qw::report
