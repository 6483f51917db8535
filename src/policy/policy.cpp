#include "policy/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

#include "core/whole_file.h"
#include "dissect/tls/tls_parser.h"

namespace qw::policy {

namespace {

// Policies are a page or two; anything far larger is not a policy.
constexpr size_t kMaxPolicyBytes = 4u << 20;
// Entries a list may hold: generous for a site, and a bound on what a hostile file costs.
constexpr size_t kMaxEntries = 10'000;

constexpr std::array<std::pair<const char*, ZoneKind>, 10> kKinds = {{
    {"enterprise", ZoneKind::kEnterprise},
    {"operations", ZoneKind::kOperations},
    {"crane-management", ZoneKind::kCraneManagement},
    {"crane-control", ZoneKind::kCraneControl},
    {"crane-auxiliary", ZoneKind::kCraneAuxiliary},
    {"remote-access", ZoneKind::kRemoteAccess},
    {"secure-transfer", ZoneKind::kSecureTransfer},
    {"untrusted-supplier", ZoneKind::kUntrustedSupplier},
    {"scanning", ZoneKind::kScanning},
    {"dmz", ZoneKind::kDmz},
}};

constexpr std::array<std::pair<const char*, Allowance>, 4> kAllowances = {{
    {"writes", kAllowWrites},
    {"program-changes", kAllowProgramChanges},
    {"file-transfer", kAllowFileTransfer},
    {"remote-access", kAllowRemoteAccess},
}};

constexpr std::array<KnownService, 40> kServices = {{
    {"modbus", "modbus", "tcp/502"},
    {"s7comm", "s7comm", "tcp/102"},
    {"s7comm-plus", "s7comm_plus", "tcp/102"},
    {"enip", "enip", "tcp/44818, udp/44818"},
    {"cip-io", "enip_io", "udp/2222"},
    {"opcua", "opcua", "tcp/4840"},
    {"dnp3", "dnp3", "tcp/20000"},
    {"iec104", "iec104", "tcp/2404"},
    {"bacnet", "bacnet", "udp/47808"},
    {"profinet", "pn_rt", "Ethernet 0x8892 (no IP)"},
    {"profinet-dcp", "pn_dcp", "Ethernet 0x8892 (no IP)"},
    {"dns", "dns", "udp/53, tcp/53"},
    {"mdns", "mdns", "udp/5353"},
    {"llmnr", "llmnr", "udp/5355"},
    {"nbns", "nbns", "udp/137"},
    {"dhcp", "dhcp", "udp/67, udp/68"},
    {"dhcpv6", "dhcpv6", "udp/546, udp/547"},
    {"ntp", "ntp", "udp/123"},
    {"syslog", "syslog", "udp/514, tcp/514"},
    {"snmp", "snmp", "udp/161, udp/162"},
    {"http", "http", "tcp/80, tcp/8080"},
    {"tls", "tls", "tcp/443 and any TLS port"},
    {"https", "tls", "tcp/443"},
    {"ssh", "ssh", "tcp/22"},
    {"telnet", "telnet", "tcp/23"},
    {"rlogin", "rlogin", "tcp/513"},
    {"rdp", "rdp", "tcp/3389"},
    {"vnc", "vnc", "tcp/5900"},
    {"teamviewer", "teamviewer", "tcp/5938, udp/5938"},
    {"anydesk", "anydesk", "tcp/443, tcp/6568 (TLS)"},
    {"openvpn", "openvpn", "udp/1194, tcp/1194"},
    {"wireguard", "wireguard", "udp/51820"},
    {"ipsec", "ike", "udp/500, udp/4500"},
    {"ftp", "ftp", "tcp/21 and its data connections"},
    {"tftp", "tftp", "udp/69 and its transfer ports"},
    {"smb", "smb2", "tcp/445"},
    {"rtsp", "rtsp", "tcp/554"},
    {"onvif", "onvif", "tcp/80 (HTTP)"},
    {"ws-discovery", "ws_discovery", "udp/3702"},
    {"any", "", "every service"},
}};

// Gathers errors while walking the document; each names the node's place.
class Checker {
 public:
  explicit Checker(std::string file) : file_(std::move(file)) {}

  void Error(const YAML::Node& at, const std::string& field, const std::string& message) {
    PolicyError e;
    e.file = file_;
    const YAML::Mark m = at.Mark();
    if (m.line >= 0) {
      e.line = m.line + 1;
      e.column = m.column + 1;
    }
    e.field = field;
    e.message = message;
    errors_.push_back(std::move(e));
  }
  void FileError(const std::string& message, int line = 0, int column = 0) {
    PolicyError e;
    e.file = file_;
    e.line = line;
    e.column = column;
    e.message = message;
    errors_.push_back(std::move(e));
  }
  std::vector<PolicyError>& errors() { return errors_; }

  // The keys of a map, each checked against `allowed`; unknown and repeated keys are errors.
  // Returns false (after an error) when `node` is not a map.
  bool Keys(const YAML::Node& node, const std::string& field,
            std::initializer_list<const char*> allowed) {
    if (!node.IsMap()) {
      Error(node, field, "expected a mapping (key: value lines)");
      return false;
    }
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) {
        Error(kv.first, field, "a key must be a plain name");
        continue;
      }
      const std::string key = kv.first.Scalar();
      bool known = false;
      for (const char* a : allowed) known = known || key == a;
      std::string where = field.empty() ? key : field + "." + key;
      if (!known) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        Error(kv.first, where, "unknown key (expected one of: " + list + ")");
      } else if (!seen.insert(key).second) {
        Error(kv.first, where, "given twice");
      }
    }
    return true;
  }

  // A non-empty text value.
  std::optional<std::string> Text(const YAML::Node& node, const std::string& field) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      Error(node, field, "expected a non-empty text");
      return std::nullopt;
    }
    return node.Scalar();
  }

  // A list (a single scalar is not accepted: `[a]` says a list is meant), bounded in size.
  bool List(const YAML::Node& node, const std::string& field) {
    if (!node.IsSequence()) {
      Error(node, field, "expected a list ([a, b] or '- ' lines)");
      return false;
    }
    if (node.size() > kMaxEntries) {
      Error(node, field, "more than " + std::to_string(kMaxEntries) + " entries");
      return false;
    }
    return true;
  }

 private:
  std::string file_;
  std::vector<PolicyError> errors_;
};

std::string Indexed(const std::string& field, size_t i) {
  return field + "[" + std::to_string(i) + "]";
}

bool ValidZoneName(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

template <class Int>
std::optional<Int> ParseUint(std::string_view s, Int max) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty() || v > max) return std::nullopt;
  return static_cast<Int>(v);
}

// "tcp/102", "udp/161", "tcp/1024-65535"; nullopt when not of that form.
std::optional<Service> PortService(std::string_view text) {
  Service s;
  s.name = std::string(text);
  std::string_view rest;
  if (text.substr(0, 4) == "tcp/") {
    s.transport = 6;
  } else if (text.substr(0, 4) == "udp/") {
    s.transport = 17;
  } else {
    return std::nullopt;
  }
  rest = text.substr(4);
  const size_t dash = rest.find('-');
  auto first = ParseUint<uint16_t>(rest.substr(0, dash), 65535);
  auto last =
      dash == std::string_view::npos ? first : ParseUint<uint16_t>(rest.substr(dash + 1), 65535);
  if (!first || !last || *first == 0 || *last < *first) return std::nullopt;
  s.first_port = *first;
  s.last_port = *last;
  return s;
}

// The zones `name` is declared inside of, transitively (a cycle stops the walk).
std::set<std::string> Outer(const std::vector<Zone>& zones, const std::string& name) {
  std::set<std::string> out;
  std::string at = name;
  for (size_t steps = 0; steps <= zones.size(); ++steps) {
    const Zone* z = nullptr;
    for (const auto& c : zones) {
      if (c.name == at) z = &c;
    }
    if (!z || z->inside.empty() || !out.insert(z->inside).second) break;
    at = z->inside;
  }
  return out;
}

void CheckZones(Checker& c, const YAML::Node& node, Policy& p,
                std::map<std::string, YAML::Node>& zone_nodes) {
  if (!c.List(node, "zones")) return;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node z = node[i];
    const std::string field = Indexed("zones", i);
    if (!c.Keys(z, field, {"name", "kind", "subnets", "vlans", "inside", "description"})) {
      continue;
    }
    Zone zone;
    zone.line = z.Mark().line + 1;
    if (!z["name"]) {
      c.Error(z, field, "a zone needs a name");
    } else if (auto n = c.Text(z["name"], field + ".name")) {
      if (!ValidZoneName(*n)) {
        c.Error(z["name"], field + ".name",
                "'" + *n + "' is not a zone name (letters, digits, '-', '_', '.'; up to 64)");
      } else if (*n == "external") {
        c.Error(z["name"], field + ".name",
                "'external' is the implicit zone of addresses outside every zone");
      } else if (zone_nodes.count(*n)) {
        c.Error(z["name"], field + ".name",
                "zone '" + *n + "' is already defined at line " +
                    std::to_string(zone_nodes[*n].Mark().line + 1));
      } else {
        zone.name = *n;
        zone_nodes[*n] = z;
      }
    }
    if (!z["kind"]) {
      c.Error(z, field, "a zone needs a kind");
    } else if (auto k = c.Text(z["kind"], field + ".kind")) {
      bool found = false;
      for (const auto& [name, kind] : kKinds) {
        if (*k == name) {
          zone.kind = kind;
          found = true;
        }
      }
      if (!found) {
        std::string list;
        for (const auto& kv : kKinds) list += (list.empty() ? "" : ", ") + std::string(kv.first);
        c.Error(z["kind"], field + ".kind", "unknown kind '" + *k + "' (one of: " + list + ")");
      }
    }
    if (z["subnets"] && c.List(z["subnets"], field + ".subnets")) {
      for (size_t j = 0; j < z["subnets"].size(); ++j) {
        const YAML::Node s = z["subnets"][j];
        const std::string sf = Indexed(field + ".subnets", j);
        auto text = c.Text(s, sf);
        if (!text) continue;
        auto subnet = Subnet::Parse(*text);
        if (!subnet) {
          c.Error(s, sf,
                  "'" + *text +
                      "' is not a subnet (ADDRESS/PREFIX with the host bits clear, "
                      "or one address)");
        } else {
          zone.subnets.push_back(*subnet);
        }
      }
    }
    if (z["vlans"] && c.List(z["vlans"], field + ".vlans")) {
      for (size_t j = 0; j < z["vlans"].size(); ++j) {
        const YAML::Node v = z["vlans"][j];
        const std::string vf = Indexed(field + ".vlans", j);
        auto id = v.IsScalar() ? ParseUint<uint16_t>(v.Scalar(), 4094) : std::nullopt;
        if (!id || *id == 0) {
          c.Error(v, vf, "a VLAN is a number from 1 to 4094");
        } else {
          zone.vlans.push_back(*id);
        }
      }
    }
    if (z["inside"]) {
      if (auto in = c.Text(z["inside"], field + ".inside")) zone.inside = *in;
    }
    if (z["description"]) {
      if (auto d = c.Text(z["description"], field + ".description")) zone.description = *d;
    }
    if (!z["subnets"] && !z["vlans"]) {
      c.Error(z, field, "a zone holds at least one subnet or VLAN");
    }
    p.zones.push_back(std::move(zone));
  }
  // Declared nesting names real zones, without cycles.
  for (size_t i = 0; i < p.zones.size(); ++i) {
    const Zone& z = p.zones[i];
    if (z.inside.empty() || z.name.empty()) continue;
    const YAML::Node zone_node = zone_nodes[z.name];
    const YAML::Node at = zone_node["inside"];
    const std::string field = Indexed("zones", i) + ".inside";
    if (!zone_nodes.count(z.inside)) {
      c.Error(at, field, "no zone is named '" + z.inside + "'");
    } else if (z.inside == z.name || Outer(p.zones, z.name).count(z.name)) {
      c.Error(at, field, "zone '" + z.name + "' would be inside itself");
    }
  }
  // No address or VLAN in two zones, unless one is declared inside the other.
  for (size_t a = 0; a < p.zones.size(); ++a) {
    for (size_t b = a + 1; b < p.zones.size(); ++b) {
      const Zone& za = p.zones[a];
      const Zone& zb = p.zones[b];
      if (za.name.empty() || zb.name.empty()) continue;
      if (Outer(p.zones, za.name).count(zb.name) || Outer(p.zones, zb.name).count(za.name)) {
        continue;
      }
      const YAML::Node at = zone_nodes[zb.name];
      const std::string field = Indexed("zones", b);
      for (const auto& sa : za.subnets) {
        for (const auto& sb : zb.subnets) {
          if (sa.Overlaps(sb)) {
            c.Error(at, field + ".subnets",
                    sb.ToString() + " overlaps " + sa.ToString() + " of zone '" + za.name +
                        "'; declare one zone inside the other (inside: NAME) if that is meant");
          }
        }
      }
      for (uint16_t va : za.vlans) {
        for (uint16_t vb : zb.vlans) {
          if (va == vb) {
            c.Error(at, field + ".vlans",
                    "VLAN " + std::to_string(vb) + " is also in zone '" + za.name +
                        "'; declare one zone inside the other (inside: NAME) if that is meant");
          }
        }
      }
    }
  }
}

std::optional<Service> NamedService(std::string_view text) {
  for (const auto& k : KnownServices()) {
    if (text == k.name) {
      Service s;
      s.name = k.name;
      s.protocol = k.protocol;
      s.any = text == "any";
      return s;
    }
  }
  return std::nullopt;
}

void CheckConduits(Checker& c, const YAML::Node& node, Policy& p,
                   const std::map<std::string, YAML::Node>& zone_nodes) {
  if (!c.List(node, "conduits")) return;
  auto zone_ref = [&](const YAML::Node& z, const std::string& field) -> std::string {
    auto n = c.Text(z, field);
    if (!n) return {};
    if (*n != "external" && !zone_nodes.count(*n)) {
      c.Error(z, field, "no zone is named '" + *n + "' (nor is it 'external')");
      return {};
    }
    return *n;
  };
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node k = node[i];
    const std::string field = Indexed("conduits", i);
    if (!c.Keys(k, field, {"from", "to", "services", "allow", "purpose"})) continue;
    Conduit conduit;
    conduit.line = k.Mark().line + 1;
    for (const char* end : {"from", "to"}) {
      if (!k[end]) {
        c.Error(k, field, std::string("a conduit needs '") + end + "'");
        continue;
      }
      (std::string_view(end) == "from" ? conduit.from : conduit.to) =
          zone_ref(k[end], field + "." + end);
    }
    if (!conduit.from.empty() && conduit.from == conduit.to) {
      c.Error(k["to"], field + ".to",
              "from and to are the same zone: conversations inside a zone need no conduit");
    }
    if (!k["services"]) {
      c.Error(k, field, "a conduit needs 'services' (names, tcp/N, udp/N, or [any])");
    } else if (c.List(k["services"], field + ".services")) {
      if (k["services"].size() == 0) c.Error(k["services"], field + ".services", "empty list");
      for (size_t j = 0; j < k["services"].size(); ++j) {
        const YAML::Node s = k["services"][j];
        const std::string sf = Indexed(field + ".services", j);
        auto text = c.Text(s, sf);
        if (!text) continue;
        auto service = NamedService(*text);
        if (!service) service = PortService(*text);
        if (!service) {
          c.Error(s, sf,
                  "unknown service '" + *text +
                      "' (a name listed in the README, tcp/N, udp/N, tcp/N-M or udp/N-M)");
        } else {
          conduit.services.push_back(*service);
        }
      }
    }
    if (k["allow"] && c.List(k["allow"], field + ".allow")) {
      for (size_t j = 0; j < k["allow"].size(); ++j) {
        const YAML::Node a = k["allow"][j];
        const std::string af = Indexed(field + ".allow", j);
        auto text = c.Text(a, af);
        if (!text) continue;
        bool found = false;
        for (const auto& [name, bit] : kAllowances) {
          if (*text == name) {
            conduit.allow |= bit;
            found = true;
          }
        }
        if (!found) {
          c.Error(a, af,
                  "unknown allowance '" + *text +
                      "' (writes, program-changes, file-transfer, remote-access)");
        }
      }
    }
    if (k["purpose"]) {
      if (auto t = c.Text(k["purpose"], field + ".purpose")) conduit.purpose = *t;
    }
    p.conduits.push_back(std::move(conduit));
  }
}

// A supplier pattern: printable text; '*' matches any run of characters.
bool SupplierPatternValid(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  bool other = false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
    other = other || c != '*';
  }
  return other;  // "*" alone would mark every device untrusted
}

void CheckSuppliers(Checker& c, const YAML::Node& node, Policy& p) {
  if (!c.Keys(node, "suppliers", {"untrusted", "devices"})) return;
  if (node["untrusted"] && c.List(node["untrusted"], "suppliers.untrusted")) {
    for (size_t i = 0; i < node["untrusted"].size(); ++i) {
      const YAML::Node s = node["untrusted"][i];
      const std::string field = Indexed("suppliers.untrusted", i);
      auto text = c.Text(s, field);
      if (!text) continue;
      if (!SupplierPatternValid(*text)) {
        c.Error(s, field,
                "'" + *text +
                    "' is not a supplier pattern (printable text up to 128 "
                    "characters, '*' for any run of characters, not '*' alone)");
      } else {
        p.untrusted_suppliers.push_back(*text);
      }
    }
  }
  if (node["devices"] && c.List(node["devices"], "suppliers.devices")) {
    for (size_t i = 0; i < node["devices"].size(); ++i) {
      const YAML::Node d = node["devices"][i];
      const std::string field = Indexed("suppliers.devices", i);
      if (!c.Keys(d, field, {"mac", "ip", "supplier"})) continue;
      DeviceAttribution a;
      if (d["mac"] && d["ip"]) c.Error(d, field, "give the device's mac or its ip, not both");
      if (!d["mac"] && !d["ip"]) c.Error(d, field, "a device needs its mac or its ip");
      if (d["mac"]) {
        if (auto t = c.Text(d["mac"], field + ".mac")) {
          a.mac = core::MacAddr::Parse(*t);
          if (!a.mac) c.Error(d["mac"], field + ".mac", "'" + *t + "' is not a MAC address");
        }
      }
      if (d["ip"]) {
        if (auto t = c.Text(d["ip"], field + ".ip")) {
          a.ip = core::IpAddr::Parse(*t);
          if (!a.ip) c.Error(d["ip"], field + ".ip", "'" + *t + "' is not an IP address");
        }
      }
      if (!d["supplier"]) {
        c.Error(d, field, "a device needs its supplier");
      } else if (auto t = c.Text(d["supplier"], field + ".supplier")) {
        a.supplier = *t;
      }
      p.devices.push_back(std::move(a));
    }
  }
}

void CheckWatchlist(Checker& c, const YAML::Node& node, Policy& p) {
  if (!c.List(node, "watchlist")) return;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node w = node[i];
    const std::string field = Indexed("watchlist", i);
    if (!c.Keys(w, field, {"label", "domains", "ips"})) continue;
    WatchEntry e;
    if (!w["label"]) {
      c.Error(w, field, "a watchlist entry needs a label");
    } else if (auto t = c.Text(w["label"], field + ".label")) {
      e.label = *t;
    }
    if (w["domains"] && c.List(w["domains"], field + ".domains")) {
      for (size_t j = 0; j < w["domains"].size(); ++j) {
        const YAML::Node d = w["domains"][j];
        const std::string df = Indexed(field + ".domains", j);
        auto t = c.Text(d, df);
        if (!t) continue;
        if (!DomainPatternValid(*t)) {
          c.Error(d, df, "'" + *t + "' is not a domain name or a *.suffix pattern");
        } else {
          e.domains.push_back(*t);
        }
      }
    }
    if (w["ips"] && c.List(w["ips"], field + ".ips")) {
      for (size_t j = 0; j < w["ips"].size(); ++j) {
        const YAML::Node a = w["ips"][j];
        const std::string af = Indexed(field + ".ips", j);
        auto t = c.Text(a, af);
        if (!t) continue;
        if (auto s = Subnet::Parse(*t)) {
          e.ips.push_back(*s);
        } else {
          c.Error(a, af, "'" + *t + "' is not an address or a subnet");
        }
      }
    }
    if (e.domains.empty() && e.ips.empty() && w["label"]) {
      c.Error(w, field, "a watchlist entry needs domains or ips to watch for");
    }
    p.watchlist.push_back(std::move(e));
  }
}

void CheckDataSharing(Checker& c, const YAML::Node& node, Policy& p,
                      const std::map<std::string, YAML::Node>& zone_nodes) {
  if (!c.List(node, "data_sharing")) return;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node d = node[i];
    const std::string field = Indexed("data_sharing", i);
    if (!c.Keys(d, field, {"party", "endpoints", "from_zones"})) continue;
    DataSharing share;
    if (!d["party"]) {
      c.Error(d, field, "an agreement needs its party");
    } else if (auto t = c.Text(d["party"], field + ".party")) {
      share.party = *t;
    }
    if (!d["endpoints"]) {
      c.Error(d, field, "an agreement needs the endpoints data may go to");
    } else if (c.List(d["endpoints"], field + ".endpoints")) {
      for (size_t j = 0; j < d["endpoints"].size(); ++j) {
        const YAML::Node e = d["endpoints"][j];
        const std::string ef = Indexed(field + ".endpoints", j);
        auto t = c.Text(e, ef);
        if (!t) continue;
        if (auto s = Subnet::Parse(*t)) {
          share.networks.push_back(*s);
        } else if (DomainPatternValid(*t)) {
          share.domains.push_back(*t);
        } else {
          c.Error(e, ef, "'" + *t + "' is neither a domain name, an address nor a subnet");
        }
      }
    }
    if (d["from_zones"] && c.List(d["from_zones"], field + ".from_zones")) {
      for (size_t j = 0; j < d["from_zones"].size(); ++j) {
        const YAML::Node z = d["from_zones"][j];
        const std::string zf = Indexed(field + ".from_zones", j);
        auto t = c.Text(z, zf);
        if (!t) continue;
        if (!zone_nodes.count(*t)) {
          c.Error(z, zf, "no zone is named '" + *t + "'");
        } else {
          share.from_zones.push_back(*t);
        }
      }
    }
    p.data_sharing.push_back(std::move(share));
  }
}

}  // namespace

std::string PolicyError::Text() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

std::optional<Subnet> Subnet::Parse(std::string_view text) {
  const size_t slash = text.find('/');
  auto ip = core::IpAddr::Parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  const int bits = ip->IsV4() ? 32 : 128;
  int prefix = bits;
  if (slash != std::string_view::npos) {
    auto p = ParseUint<uint16_t>(text.substr(slash + 1), static_cast<uint16_t>(bits));
    if (!p) return std::nullopt;
    prefix = *p;
  }
  Subnet s;
  s.base = *ip;
  s.prefix = prefix;
  // Host bits must be clear.
  const size_t bytes = ip->IsV4() ? 4 : 16;
  for (size_t i = 0; i < bytes; ++i) {
    const int keep = std::clamp(prefix - static_cast<int>(i) * 8, 0, 8);
    const auto mask = static_cast<uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
    if ((ip->b[i] & ~mask & 0xff) != 0) return std::nullopt;
  }
  return s;
}

bool Subnet::Contains(const core::IpAddr& ip) const {
  if (ip.family != base.family) return false;
  for (int i = 0; i < prefix / 8; ++i) {
    if (ip.b[static_cast<size_t>(i)] != base.b[static_cast<size_t>(i)]) return false;
  }
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  const auto at = static_cast<size_t>(prefix / 8);
  return (ip.b[at] & mask) == (base.b[at] & mask);
}

bool Subnet::Overlaps(const Subnet& o) const {
  if (base.family != o.base.family) return false;
  return prefix <= o.prefix ? Contains(o.base) : o.Contains(base);
}

std::string Subnet::ToString() const { return base.ToString() + "/" + std::to_string(prefix); }

const char* ZoneKindName(ZoneKind kind) {
  for (const auto& [name, k] : kKinds) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::vector<std::string> AllowanceNames(uint32_t bits) {
  std::vector<std::string> names;
  for (const auto& [name, bit] : kAllowances) {
    if (bits & bit) names.emplace_back(name);
  }
  return names;
}

const Zone* Policy::FindZone(std::string_view name) const {
  for (const auto& z : zones) {
    if (z.name == name) return &z;
  }
  return nullptr;
}

std::span<const KnownService> KnownServices() {
  // The fixed services, with each remote-support platform the TLS dissector names after
  // AnyDesk (those it names that are services already, TeamViewer and AnyDesk, once).
  static const std::vector<KnownService> all = [] {
    std::vector<KnownService> out;
    for (const KnownService& k : kServices) {
      out.push_back(k);
      if (std::string_view(k.name) != "anydesk") continue;
      for (const char* tool : dissect::tls::RemoteAccessPlatforms()) {
        const bool named = std::any_of(kServices.begin(), kServices.end(), [&](const auto& s) {
          return std::string_view(s.name) == tool;
        });
        if (!named) out.push_back({tool, tool, "tcp/443 (TLS, by server name)"});
      }
    }
    return out;
  }();
  return all;
}

bool DomainPatternValid(std::string_view p) {
  if (p.substr(0, 2) == "*.") p.remove_prefix(2);
  if (p.empty() || p.size() > 253) return false;
  if (p.back() == '.') p.remove_suffix(1);  // a fully qualified name's root
  size_t label = 0;
  char prev = '.';
  for (char c : p) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
      if (!ok || (label == 0 && c == '-') || ++label > 63) return false;
    }
    prev = c;
  }
  return label > 0 && prev != '-';
}

LoadResult ParsePolicy(std::string_view text, const std::string& file) {
  LoadResult out;
  Checker c(file);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    c.FileError("not valid YAML: " + e.msg, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                e.mark.column >= 0 ? e.mark.column + 1 : 0);
    out.errors = std::move(c.errors());
    return out;
  }
  if (!root || root.IsNull()) {
    c.FileError("empty: a policy needs at least 'site' and 'zones'");
    out.errors = std::move(c.errors());
    return out;
  }
  Policy p;
  p.file = file;
  std::map<std::string, YAML::Node> zone_nodes;
  const YAML::Node& r = root;  // const: looking a key up never adds it
  try {
    if (c.Keys(r, "", {"site", "zones", "conduits", "suppliers", "watchlist", "data_sharing"})) {
      if (!r["site"]) {
        c.Error(r, "site", "missing: the site's name, as reports should show it");
      } else if (auto s = c.Text(r["site"], "site")) {
        p.site = *s;
      }
      if (!r["zones"]) {
        c.Error(r, "zones", "missing: a policy places addresses in zones");
      } else {
        CheckZones(c, r["zones"], p, zone_nodes);
      }
      if (r["conduits"]) CheckConduits(c, r["conduits"], p, zone_nodes);
      if (r["suppliers"]) CheckSuppliers(c, r["suppliers"], p);
      if (r["watchlist"]) CheckWatchlist(c, r["watchlist"], p);
      if (r["data_sharing"]) CheckDataSharing(c, r["data_sharing"], p, zone_nodes);
    }
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on anchors and aliases it cannot resolve and on similar oddities.
    c.FileError("cannot read: " + e.msg, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                e.mark.column >= 0 ? e.mark.column + 1 : 0);
  }
  out.errors = std::move(c.errors());
  // In reading order, as an editor would walk them.
  std::stable_sort(out.errors.begin(), out.errors.end(), [](const auto& a, const auto& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  if (out.errors.empty()) out.policy = std::move(p);
  return out;
}

LoadResult LoadPolicy(const std::string& path) {
  auto text =
      core::ReadWholeFile(path, kMaxPolicyBytes, "site policy", core::FileKinds::kStreamsToo);
  if (!text) {
    LoadResult out;
    out.errors.push_back({path, 0, 0, "", text.error().message});
    return out;
  }
  return ParsePolicy(*text, path);
}

}  // namespace qw::policy
