// Fuzz target for the zone map: zone names, device names, roles and vendors an adversary
// chose (lines of the input) must never break the DOT text Graphviz reads, nor put markup
// of theirs into the SVG the report inlines. Strings reach the map from JSON, so they are
// valid UTF-8 here too (invalid bytes replaced, as the JSON reader of the report would
// refuse them).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "report/zone_map.h"

namespace {

std::string Utf8(std::string_view s) {
  nlohmann::json j = std::string(s);
  return nlohmann::json::parse(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .get<std::string>();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // layouts grow with the input; bigger adds nothing new
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  while (!in.empty() && lines.size() < 24) {
    const size_t nl = in.find('\n');
    lines.push_back(Utf8(in.substr(0, nl)));
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  }
  if (lines.empty()) return 0;
  using Json = nlohmann::json;
  qw::report::ReportData d;
  const std::string zone_a = lines[0], zone_b = lines.size() > 1 ? lines[1] : "b";
  d.zones = Json::array({{{"name", zone_a}, {"kind", "crane-control"}, {"subnets", {"10.0.0.0/8"}}},
                         {{"name", zone_b}, {"kind", lines.size() > 2 ? lines[2] : "x"}}});
  d.conduits = Json::array({{{"from", zone_a}, {"to", zone_b}}});
  for (size_t i = 3; i + 2 < lines.size(); i += 3) {
    const std::string ip = "10.0.0." + std::to_string(i);
    d.assets.push_back({{"id", i},
                        {"ips", {ip}},
                        {"zones", {i % 2 ? zone_a : zone_b}},
                        {"roles", {lines[i]}},
                        {"vendor", lines[i + 1]},
                        {"names", {lines[i + 2]}}});
    d.conversations.push_back({{"initiator", ip},
                               {"initiator_zone", zone_a},
                               {"responder", "10.0.0.1"},
                               {"responder_zone", zone_b},
                               {"protocol", lines[i + 2]},
                               {"flows", 1}});
    d.findings.push_back({{"type", lines[i]},
                          {"src", {{"ip", ip}, {"zone", zone_a}}},
                          {"dst", {{"ip", "10.0.0.1"}, {"zone", zone_b}}}});
  }
  qw::report::ZoneMapDrawing map = qw::report::BuildZoneMap(d);
  auto svg = qw::report::RenderSvg(map.dot);
  if (!svg.ok()) std::abort();  // our escaping let something through that Graphviz refused
  for (const char* markup : {"<script", "<foreignObject", "<iframe", "<img"}) {
    if (svg->find(markup) != std::string::npos) std::abort();
  }
  return 0;
}
