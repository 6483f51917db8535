#include "report/zone_map.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "report/json_fields.h"
#include "report/template.h"

namespace qw::report {

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxCells = 400;  // devices listed in one box
// /24 boxes drawn when no policy names the zones; the rest share one box. Graphviz lays out
// boxes in time that grows much faster than their number: 20,000 (a capture of 20,000
// sources in as many subnets, 2.9 MB) took five minutes.
constexpr size_t kMaxSubnetBoxes = 40;
constexpr const char* kOtherSubnets = "other subnets";
constexpr size_t kMaxExternalCells = 40;  // hosts on the Internet listed
constexpr size_t kLabelServices = 3;      // services named on an edge

// `s` on one line, with what XML may not hold (Graphviz parses labels as XML and writes
// the SVG in it) made '.': line breaks become spaces; other control characters, and the
// noncharacters U+FFFE and U+FFFF (well-formed UTF-8, so they pass the dissectors' text
// checks), become '.'.
std::string XmlText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xef && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xbf &&
        (static_cast<unsigned char>(s[i + 2]) | 1) == 0xbf) {
      out += '.';
      i += 2;
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else if (c < 0x20 || c == 0x7f) {
      out += '.';
    } else {
      out += s[i];
    }
  }
  return out;
}

// A double-quoted DOT string of XmlText(s): backslashes and quotes escaped, so that no
// escape sequence of Graphviz (\N, \G, \L, ...) can be smuggled in by a name.
std::string DotQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : XmlText(s)) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Text for an HTML-like label: XmlText(s), escaped; ']' as a character reference too,
// since Graphviz's label parser refuses text of only ']'.
std::string LabelText(std::string_view s) {
  std::string out;
  for (char c : HtmlEscape(XmlText(s))) {
    if (c == ']') {
      out += "&#93;";
    } else {
      out += c;
    }
  }
  return out;
}

// An edge label: one quoted DOT string with the services one per line.
std::string EdgeLabel(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    const std::string q = DotQuote(l);
    out += (out.empty() ? "" : "\\n") + q.substr(1, q.size() - 2);
  }
  return "\"" + out + "\"";
}

std::string Short(std::string_view s, size_t n) {
  if (s.size() <= n) return std::string(s);
  size_t cut = n;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return std::string(s.substr(0, cut)) + "…";
}

// One box of the map.
struct Group {
  std::string name, id, kind, detail;
  std::vector<const Json*> assets;
  size_t unread = 0;  // devices in it that the report did not read (ReportData::unread_groups)
  size_t order = 0;
};

const char* KindColor(std::string_view kind) {
  if (IsCraneKind(kind)) return "#dbe9f6";
  if (kind == "untrusted-supplier") return "#fde2c8";
  if (kind == "external") return "#eeeeee";
  if (kind == "remote-access" || kind == "secure-transfer" || kind == "dmz") return "#e6e0f3";
  return "#e3f1e0";
}

// The service of a conversation in words: the protocol a dissector named, else tcp/502.
std::string ServiceOf(const Json& c) {
  std::string p = Str(c, "protocol");
  if (!p.empty()) return p;
  auto port = c.value("port", Json());
  return Str(c, "transport") + (port.is_number() ? "/" + std::to_string(port.get<int64_t>()) : "");
}

}  // namespace

std::string SafeId(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    out += ok ? c : '_';
  }
  return out;
}

ZoneMapDrawing BuildZoneMap(const ReportData& d) {
  const bool policy = !d.zones.empty();
  std::map<std::string, Group> groups;
  size_t order = 0;
  auto group = [&](const std::string& name, const std::string& kind) -> Group& {
    auto [it, fresh] = groups.try_emplace(name);
    if (fresh) {
      it->second.name = name;
      it->second.id = "zone-" + SafeId(name);
      it->second.kind = kind;
      it->second.order = order++;
    }
    return it->second;
  };
  for (const auto& z : d.zones) {
    Group& g = group(Str(z, "name"), Str(z, "kind"));
    std::vector<std::string> parts{g.kind};
    for (const auto& s : z.value("subnets", Json::array())) parts.push_back(s.get<std::string>());
    for (const auto& v : z.value("vlans", Json::array())) {
      parts.push_back("VLAN " + std::to_string(v.get<int64_t>()));
    }
    g.detail = fmt::format("{}", fmt::join(parts, " · "));
  }

  // Which devices a finding names as its device or its source; which zone pairs it links.
  std::map<std::string, std::vector<std::string>> finding_types_by_address;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> finding_types_by_pair;
  for (const auto& f : d.findings) {
    const std::string type = Str(f, "type");
    const Json src = f.value("src", Json::object()), dst = f.value("dst", Json::object());
    // The device a finding is about, or the initiator of the conversation it judges.
    // By MAC only when no address names it (a router's MAC carries many hosts' frames).
    const std::string who = Str(src, "ip").empty() ? Str(src, "mac") : Str(src, "ip");
    if (!who.empty()) finding_types_by_address[who].push_back(type);
    if (dst.is_object() && !Str(src, "zone").empty() && !Str(dst, "zone").empty()) {
      finding_types_by_pair[{Str(src, "zone"), Str(dst, "zone")}].push_back(type);
    }
  }

  // Without a policy each private /24 is a box: past kMaxSubnetBoxes, those with the fewest
  // devices with findings, then the fewest devices, share the box kOtherSubnets.
  std::map<std::string, std::string> drawn_in;  // a /24 -> the box it is drawn in, when merged
  if (!policy) {
    struct Weight {
      size_t flagged = 0, devices = 0;
    };
    std::map<std::string, Weight> subnets;
    auto flagged = [&](const Json& a) {
      for (const auto& ip : a.value("ips", Json::array())) {
        if (finding_types_by_address.count(ip.get<std::string>())) return true;
      }
      return false;
    };
    for (const auto& a : d.assets) {
      const bool f = flagged(a);
      for (const auto& ip : a.value("ips", Json::array())) {
        const std::string n = FallbackGroup(ip);
        if (n.ends_with("/24")) {
          subnets[n].devices++;
          subnets[n].flagged += f;
        }
      }
    }
    for (const auto& [names, n] : d.unread_groups) {
      for (const auto& name : names) {
        if (name.ends_with("/24")) subnets[name].devices += n;
      }
    }
    for (const auto& c : d.conversations) {
      for (const char* k : {"initiator", "responder"}) {
        const std::string n = FallbackGroup(Str(c, k));
        if (n.ends_with("/24")) subnets.try_emplace(n);
      }
    }
    if (subnets.size() > kMaxSubnetBoxes) {
      std::vector<std::pair<std::string, Weight>> ranked(subnets.begin(), subnets.end());
      std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
        return std::tie(x.second.flagged, x.second.devices) >
               std::tie(y.second.flagged, y.second.devices);
      });
      for (size_t i = kMaxSubnetBoxes - 1; i < ranked.size(); ++i) {
        drawn_in[ranked[i].first] = kOtherSubnets;
      }
    }
  }
  auto box_of = [&](const std::string& name) {
    auto it = drawn_in.find(name);
    return it == drawn_in.end() ? name : it->second;
  };

  // The boxes a device is drawn in, from its MapGroups.
  auto boxes_of = [&](const std::vector<std::string>& device_groups) {
    std::set<std::string> names;
    for (const auto& g : device_groups) names.insert(policy ? g : box_of(g));
    return names;
  };
  auto box = [&](const std::string& name) -> Group& {
    return group(name, name == "external" ? "external" : policy ? "unassigned" : "subnet");
  };
  for (const auto& a : d.assets) {
    std::vector<std::string> zones, ips;
    if (policy) {
      for (const auto& z : a.value("zones", Json::array())) zones.push_back(z.get<std::string>());
    } else {
      for (const auto& ip : a.value("ips", Json::array())) ips.push_back(ip.get<std::string>());
    }
    for (const auto& n : boxes_of(MapGroups(zones, ips, policy))) box(n).assets.push_back(&a);
  }
  for (const auto& [groups_of_device, n] : d.unread_groups) {
    for (const auto& name : boxes_of(groups_of_device)) box(name).unread += n;
  }
  if (!drawn_in.empty()) {
    Group& other = group(kOtherSubnets, "subnet");
    other.detail = fmt::format("{} private /24 subnets", drawn_in.size());
  }

  // Edges: zone pairs that talked, with services and flow counts.
  struct Edge {
    std::map<std::string, int64_t> services;
    int64_t flows = 0;
    std::vector<std::string> findings;
  };
  std::map<std::pair<std::string, std::string>, Edge> edges;
  auto zone_of = [&](const Json& c, const char* zone_key, const char* ip_key) {
    if (policy) {
      std::string z = Str(c, zone_key);
      return z.empty() ? std::string("unassigned") : z;
    }
    return box_of(FallbackGroup(Str(c, ip_key)));
  };
  for (const auto& c : d.conversations) {
    std::string from = zone_of(c, "initiator_zone", "initiator");
    std::string to = zone_of(c, "responder_zone", "responder");
    if (from == to) continue;
    Edge& e = edges[{from, to}];
    const int64_t flows = c.value("flows", int64_t{0});
    e.services[ServiceOf(c)] += flows;
    e.flows += flows;
  }
  for (auto& [pair, types] : finding_types_by_pair) {
    if (pair.first == pair.second) continue;
    edges[pair].findings = types;  // a finding's pair is drawn even when its flows were cut
  }

  ZoneMapDrawing out;
  std::string& dot = out.dot;
  dot +=
      "digraph zone_map {\n"
      "  graph [rankdir=LR, fontname=\"Arial\", nodesep=0.35, ranksep=1.1, "
      "pad=0.2, bgcolor=\"white\"];\n"
      "  node [shape=plaintext, fontname=\"Arial\", fontsize=9, margin=0];\n"
      "  edge [fontname=\"Arial\", fontsize=9, arrowsize=0.7];\n";
  std::vector<const Group*> ordered;
  for (const auto& [name, g] : groups) ordered.push_back(&g);
  std::sort(ordered.begin(), ordered.end(),
            [](const Group* a, const Group* b) { return a->order < b->order; });
  // Make sure every edge end has a box.
  for (const auto& [pair, e] : edges) {
    for (const auto& n : {pair.first, pair.second}) {
      if (!groups.count(n)) {
        Group& g = group(n, n == "external" ? "external" : "unassigned");
        ordered.push_back(&g);
      }
    }
  }
  for (const Group* g : ordered) {
    const bool external = g->kind == "external";
    std::vector<const Json*> shown = g->assets;
    if (external) {
      std::stable_sort(shown.begin(), shown.end(), [](const Json* a, const Json* b) {
        return a->value("bytes", int64_t{0}) > b->value("bytes", int64_t{0});
      });
    }
    const size_t cap = external ? kMaxExternalCells : kMaxCells;
    const size_t hidden = (shown.size() > cap ? shown.size() - cap : 0) + g->unread;
    const size_t devices = g->assets.size() + g->unread;
    if (shown.size() > cap) shown.resize(cap);
    const size_t columns = std::clamp<size_t>(
        static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(shown.size()) * 1.6))), 1, 10);
    size_t flagged = 0;
    std::string cells;
    for (size_t i = 0; i < shown.size(); ++i) {
      const Json& a = *shown[i];
      if (i % columns == 0) cells += i ? "</TR><TR>" : "<TR>";
      const auto ips = a.value("ips", Json::array());
      const std::string address = ips.empty() ? Str(a, "mac") : ips[0].get<std::string>();
      std::string role;
      if (auto roles = a.value("roles", Json::array()); !roles.empty()) role = roles[0];
      std::string vendor = Str(a, "vendor");
      std::vector<std::string> types;
      for (const auto& ip : ips) {
        auto it = finding_types_by_address.find(ip.get<std::string>());
        if (it != finding_types_by_address.end())
          types.insert(types.end(), it->second.begin(), it->second.end());
      }
      if (auto it = finding_types_by_address.find(Str(a, "mac"));
          it != finding_types_by_address.end() && ips.empty()) {
        types.insert(types.end(), it->second.begin(), it->second.end());
      }
      std::sort(types.begin(), types.end());
      types.erase(std::unique(types.begin(), types.end()), types.end());
      const bool untrusted = !a.value("untrusted_supplier", Json()).is_null();
      const char* fill = !types.empty() ? "#f5b7b1" : untrusted ? "#fad7a0" : "#ffffff";
      flagged += !types.empty();
      const int64_t id = a.value("id", int64_t{0});
      out.drawn.push_back(id);
      std::string title = address + (role.empty() ? "" : " · " + role) +
                          (vendor.empty() ? "" : " · " + vendor) +
                          (untrusted ? " · untrusted supplier" : "");
      if (!types.empty()) title += fmt::format(" · findings: {}", fmt::join(types, ", "));
      const std::string note = Short(role.empty() ? vendor : role, 18);
      cells += fmt::format(
          "<TD HREF=\"#asset-{}\" TITLE=\"{}\" ID=\"{}-asset-{}\" BGCOLOR=\"{}\">{}{}</TD>", id,
          LabelText(title), g->id, id, fill, LabelText(address.empty() ? "?" : address),
          note.empty()
              ? std::string()
              : "<BR/><FONT POINT-SIZE=\"7\" COLOR=\"#555555\">" + LabelText(note) + "</FONT>");
    }
    if (!cells.empty()) cells += "</TR>";
    if (hidden) {
      cells += fmt::format("<TR><TD COLSPAN=\"{}\"><I>and {} more</I></TD></TR>", columns, hidden);
    }
    // Graphviz refuses an empty <B></B>: a nameless group (a hand-edited database) gets no
    // bold line rather than no map.
    std::string header = fmt::format(
        "<TR><TD COLSPAN=\"{}\" BGCOLOR=\"{}\">{}<BR/><FONT POINT-SIZE=\"8\">{}{} "
        "device{}{}</FONT></TD></TR>",
        std::max<size_t>(columns, 1), KindColor(g->kind),
        g->name.empty() ? std::string() : "<B>" + LabelText(g->name) + "</B>",
        g->detail.empty() ? "" : LabelText(g->detail) + "<BR/>", devices, devices == 1 ? "" : "s",
        flagged ? fmt::format(", {} with findings", flagged) : "");
    dot += fmt::format(
        "  {} [id={}, tooltip={}, label=<<TABLE BORDER=\"1\" CELLBORDER=\"1\" CELLSPACING=\"0\" "
        "CELLPADDING=\"3\" COLOR=\"#7f8c8d\">{}{}</TABLE>>];\n",
        DotQuote(g->id), DotQuote(g->id), DotQuote(g->name), header, cells);
    out.groups.push_back(
        {{"name", g->name}, {"id", g->id}, {"kind", g->kind}, {"assets", devices}});
  }

  std::set<std::pair<std::string, std::string>> allowed;
  for (const auto& c : d.conduits) allowed.insert({Str(c, "from"), Str(c, "to")});
  for (const auto& [pair, e] : edges) {
    const auto& [from, to] = pair;
    std::string status = !e.findings.empty()         ? "violating"
                         : !policy                   ? "unjudged"
                         : allowed.count({from, to}) ? "allowed"
                                                     : "unjudged";
    std::vector<std::pair<std::string, int64_t>> services(e.services.begin(), e.services.end());
    std::stable_sort(services.begin(), services.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<std::string> words;
    for (size_t i = 0; i < services.size() && i < kLabelServices; ++i) {
      words.push_back(fmt::format("{} ×{}", services[i].first, services[i].second));
    }
    if (services.size() > kLabelServices) {
      words.push_back(fmt::format("+{} more", services.size() - kLabelServices));
    }
    std::vector<std::string> types = e.findings;
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    std::string tooltip =
        fmt::format("{} → {}: {} flow{}", from, to, e.flows, e.flows == 1 ? "" : "s");
    if (!words.empty()) tooltip += fmt::format(" ({})", fmt::join(words, ", "));
    if (!types.empty()) tooltip += fmt::format("; findings: {}", fmt::join(types, ", "));
    const char* color = status == "violating" ? "#c0392b"
                        : status == "allowed" ? "#27ae60"
                                              : "#95a5a6";
    const std::string id = fmt::format("edge-{}--{}", SafeId(from), SafeId(to));
    dot += fmt::format(
        "  {} -> {} [id={}, class={}, color=\"{}\", fontcolor=\"{}\", penwidth={}, style={}, "
        "label={}, tooltip={}, labeltooltip={}];\n",
        DotQuote("zone-" + SafeId(from)), DotQuote("zone-" + SafeId(to)), DotQuote(id),
        DotQuote(status), color, color, status == "violating" ? "2.2" : "1.2",
        status == "unjudged" ? "dashed" : "solid", EdgeLabel(words), DotQuote(tooltip),
        DotQuote(tooltip));
    out.edges.push_back({{"from", from},
                         {"to", to},
                         {"id", id},
                         {"status", status},
                         {"flows", e.flows},
                         {"services", words},
                         {"findings", types}});
  }
  dot += "}\n";
  return out;
}

namespace {

// What Graphviz said during the current layout (it reports through a global callback).
std::string* g_graphviz_errors = nullptr;

int CollectGraphvizError(char* message) {
  if (g_graphviz_errors && g_graphviz_errors->size() < 4096) *g_graphviz_errors += message;
  return 0;
}

}  // namespace

// Graphviz's dot layout and core (SVG) renderer, linked in and registered by hand: loading
// every installed plugin would bring in the Pango text layout, whose font cache outlives a
// context (a use-after-free on the next layout in the same process: the dashboard lays out
// again after each reload) and depends on the fonts installed. Without it Graphviz sizes
// text by its own metrics, the same on every machine.
extern "C" {
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
extern gvplugin_library_t gvplugin_core_LTX_library;
}

namespace {

// Lays `dot` out in this process. Graphviz 2.42 leaks a few kilobytes per layout of HTML
// labels and keeps global state, so RenderSvg runs this in a child process of its own.
core::Result<std::string> LayOut(const std::string& dot) {
  std::string said;
  g_graphviz_errors = &said;
  agseterr(AGERR);
  agseterrf(CollectGraphvizError);
  struct Reset {
    ~Reset() {
      agseterrf(nullptr);
      g_graphviz_errors = nullptr;
    }
  } reset;
  static const lt_symlist_t kBuiltins[] = {
      {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
      {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
      {nullptr, nullptr}};
  GVC_t* gvc = gvContextPlugins(kBuiltins, 0);
  if (!gvc) return core::MakeError("graphviz: no context");
  Agraph_t* g = agmemread(dot.c_str());
  if (!g) {
    gvFreeContext(gvc);
    return core::MakeError(fmt::format("graphviz: the map is not DOT ({})", aglasterr()));
  }
  std::string svg;
  std::string error;
  if (gvLayout(gvc, g, "dot") != 0) {
    error = "graphviz: layout failed";
  } else {
    char* data = nullptr;
    unsigned int size = 0;
    if (gvRenderData(gvc, g, "svg", &data, &size) != 0 || !data) {
      error = "graphviz: SVG rendering failed (is libgvc's core plugin installed?)";
    } else {
      svg.assign(data, size);
    }
    gvFreeRenderData(data);
    gvFreeLayout(gvc, g);
  }
  agclose(g);
  gvFreeContext(gvc);
  if (error.empty() && !said.empty()) error = "graphviz: " + said;
  if (!error.empty()) return core::MakeError(error);
  const size_t start = svg.find("<svg");
  if (start == std::string::npos) return core::MakeError("graphviz: no <svg> in its output");
  return svg.substr(start);
}

constexpr size_t kMaxSvgBytes = size_t{256} << 20;  // far above a map of thousands of devices

// Writes all of `data` to `fd`; false on an error.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Lays `dot` out in a child forked from this process. The layout runs in a child: what
// Graphviz leaks, and a crash on a map an adversary shaped, end with it. The child answers
// '+' and the SVG, or '-' and the error.
core::Result<std::string> RenderInChild(const std::string& dot) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return core::MakeError(std::string("graphviz: pipe: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return core::MakeError(std::string("graphviz: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    auto svg = LayOut(dot);
    const bool ok = svg ? WriteAll(fds[1], "+") && WriteAll(fds[1], *svg)
                        : WriteAll(fds[1], "-") && WriteAll(fds[1], svg.error().message);
    ::_exit(ok ? 0 : 1);  // no atexit handlers, no leak report: the parent carries on
  }
  ::close(fds[1]);
  std::string out;
  char buf[65536];
  bool too_big = false;
  while (true) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() + static_cast<size_t>(n) > kMaxSvgBytes) {
      too_big = true;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_big) return core::MakeError("graphviz: the map's SVG is larger than 256 MiB");
  if (WIFSIGNALED(status)) {
    return core::MakeError(
        fmt::format("graphviz: the layout crashed (signal {})", WTERMSIG(status)));
  }
  if (out.empty() || (out[0] != '+' && out[0] != '-') || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    return core::MakeError("graphviz: the layout process gave no answer");
  }
  if (out[0] == '-') return core::MakeError(out.substr(1));
  return out.substr(1);
}

// Reads exactly `n` octets; false at the end of the stream or on an error.
bool ReadAll(int fd, char* out, size_t n) {
  while (n > 0) {
    const ssize_t got = ::read(fd, out, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

// A length-prefixed message: 8 octets of length (host order: both ends are this binary),
// then the octets.
bool SendMessage(int fd, char kind, std::string_view body) {
  const uint64_t n = body.size();
  return WriteAll(fd, std::string_view(&kind, 1)) &&
         WriteAll(fd, std::string_view(reinterpret_cast<const char*>(&n), sizeof n)) &&
         WriteAll(fd, body);
}

bool ReceiveMessage(int fd, char& kind, std::string& body) {
  uint64_t n = 0;
  if (!ReadAll(fd, &kind, 1) || !ReadAll(fd, reinterpret_cast<char*>(&n), sizeof n) ||
      n > kMaxSvgBytes) {
    return false;
  }
  body.resize(static_cast<size_t>(n));
  return ReadAll(fd, body.data(), body.size());
}

// The parent's end of the layout worker's socket; -1 while there is no worker.
int g_worker_fd = -1;
std::mutex g_worker_mu;

}  // namespace

core::Status StartLayoutWorker() {
  std::lock_guard lock(g_worker_mu);
  if (g_worker_fd >= 0) return {};
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return core::MakeError(std::string("graphviz: socketpair: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(sv[0]);
    ::close(sv[1]);
    return core::MakeError(std::string("graphviz: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // The worker: one thread, forked before the parent had others, so each child it forks
    // per layout starts with every lock free. It ends with its parent.
    ::close(sv[0]);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    char kind = 0;
    std::string dot;
    while (ReceiveMessage(sv[1], kind, dot)) {
      auto svg = RenderInChild(dot);
      const bool sent =
          svg ? SendMessage(sv[1], '+', *svg) : SendMessage(sv[1], '-', svg.error().message);
      if (!sent) break;
    }
    ::_exit(0);
  }
  ::close(sv[1]);
  g_worker_fd = sv[0];
  return {};
}

core::Result<std::string> RenderSvg(const std::string& dot) {
  {
    std::lock_guard lock(g_worker_mu);
    if (g_worker_fd >= 0) {
      char kind = 0;
      std::string body;
      if (!SendMessage(g_worker_fd, 'L', dot) || !ReceiveMessage(g_worker_fd, kind, body)) {
        return core::MakeError("graphviz: the layout worker is gone");
      }
      if (kind == '-') return core::MakeError(body);
      return body;
    }
  }
  return RenderInChild(dot);
}

}  // namespace qw::report
