#include "policy/baseline.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/whole_file.h"
#include "policy/evaluate.h"
#include "policy/judging.h"

namespace qw::policy {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kFormat = "quaywatch-baseline";
constexpr size_t kMaxBaselineBytes = size_t{256} << 20;
constexpr int kMaxDepth = 16;  // the format nests four deep

// A host on the Internet rather than a device of the site.
bool IsExternal(const ZoneMap* zones, const core::IpAddr& ip) {
  if (!ip.IsSet() || ip.IsUnspecified() || ip.IsMulticastOrBroadcast()) return false;
  return zones ? zones->Of(ip) == kExternalZone : !ip.IsPrivate();
}

// An asset that is only a host on the Internet: no MAC of the site, or only external zones.
bool OnlyExternal(const ZoneMap* zones, const model::Asset& a) {
  if (a.mac && !zones) return false;
  if (a.ips.empty()) return false;
  return std::all_of(a.ips.begin(), a.ips.end(),
                     [&](const core::IpAddr& ip) { return IsExternal(zones, ip); });
}

std::string ZoneOf(const ZoneMap* zones, const core::IpAddr& ip) {
  return zones && ip.IsSet() ? std::string(zones->Of(ip)) : std::string();
}

bool CraneZone(const ZoneMap* zones, std::string_view zone) {
  return zones && IsCraneZone(zones->Find(zone));
}

// Where a finding's line and column are, from a byte offset of the text.
std::string Place(std::string_view text, size_t byte) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

// The deepest nesting of the text's arrays and objects, strings skipped; where it passed
// `limit`, or npos.
size_t TooDeep(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

// Reads the fields of one baseline document, naming the first thing wrong.
class Reader {
 public:
  explicit Reader(const std::string& file) : file_(file) {}

  core::Result<Baseline> Read(const Json& doc) {
    Baseline b;
    b.file = file_;
    if (!doc.is_object()) return Fail("", "a baseline is a JSON object");
    if (!Keys(doc, "",
              {"format", "version", "created_by", "captures", "policy", "assets",
               "communications"})) {
      return Fail(where_, what_);
    }
    if (!doc.contains("format") || doc["format"] != kFormat) {
      return Fail("format",
                  std::string("not a quaywatch baseline (format must be \"") + kFormat + "\")");
    }
    if (!doc.contains("version") || !doc["version"].is_number_integer()) {
      return Fail("version", "the format version is missing");
    }
    if (doc["version"] != kBaselineVersion) {
      return Fail("version", "version " + doc["version"].dump() +
                                 " is not one this quaywatch reads (" +
                                 std::to_string(kBaselineVersion) + ")");
    }
    if (!Text(doc, "created_by", "created_by", b.created_by) ||
        !Texts(doc, "captures", "captures", b.captures)) {
      return Fail(where_, what_);
    }
    if (doc.contains("policy") && !doc["policy"].is_null() &&
        !Text(doc, "policy", "policy", b.policy)) {
      return Fail(where_, what_);
    }
    if (doc.contains("assets")) {
      if (!doc["assets"].is_array()) return Fail("assets", "must be a list");
      for (size_t i = 0; i < doc["assets"].size(); ++i) {
        if (!Asset(doc["assets"][i], "assets[" + std::to_string(i) + "]", b)) {
          return Fail(where_, what_);
        }
      }
    }
    if (doc.contains("communications")) {
      if (!doc["communications"].is_array()) return Fail("communications", "must be a list");
      for (size_t i = 0; i < doc["communications"].size(); ++i) {
        if (!Communication(doc["communications"][i], "communications[" + std::to_string(i) + "]",
                           b)) {
          return Fail(where_, what_);
        }
      }
    }
    b.Index();
    return b;
  }

 private:
  core::Error Fail(const std::string& where, const std::string& what) const {
    return core::MakeError(file_ + ": " + (where.empty() ? "" : where + ": ") + what);
  }
  bool Error(const std::string& where, const std::string& what) {
    where_ = where;
    what_ = what;
    return false;
  }
  bool Keys(const Json& o, const std::string& where, std::initializer_list<const char*> known) {
    for (const auto& item : o.items()) {
      const std::string& key = item.key();
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
        return Error(where.empty() ? key : where + "." + key, "unknown key");
      }
    }
    return true;
  }
  bool Text(const Json& o, const char* key, const std::string& where, std::string& out) {
    if (!o.contains(key)) return true;
    if (!o[key].is_string()) return Error(where, "must be text");
    out = o[key].get<std::string>();
    return true;
  }
  template <class Out>
  bool Texts(const Json& o, const char* key, const std::string& where, Out& out) {
    if (!o.contains(key)) return true;
    if (!o[key].is_array()) return Error(where, "must be a list of text");
    for (size_t i = 0; i < o[key].size(); ++i) {
      if (!o[key][i].is_string()) {
        return Error(where + "[" + std::to_string(i) + "]", "must be text");
      }
      out.insert(out.end(), o[key][i].get<std::string>());
    }
    return true;
  }
  bool Asset(const Json& o, const std::string& where, Baseline& b) {
    if (!o.is_object()) return Error(where, "must be an object");
    if (!Keys(o, where, {"mac", "ips", "vendor", "names", "roles", "zones"})) return false;
    BaselineAsset a;
    if (o.contains("mac") && !o["mac"].is_null()) {
      std::string text;
      if (!Text(o, "mac", where + ".mac", text)) return false;
      a.mac = core::MacAddr::Parse(text);
      if (!a.mac) return Error(where + ".mac", "'" + text + "' is not a MAC address");
    }
    std::vector<std::string> ips;
    if (!Texts(o, "ips", where + ".ips", ips)) return false;
    for (size_t i = 0; i < ips.size(); ++i) {
      auto ip = core::IpAddr::Parse(ips[i]);
      if (!ip) {
        return Error(where + ".ips[" + std::to_string(i) + "]",
                     "'" + ips[i] + "' is not an IP address");
      }
      a.ips.push_back(*ip);
    }
    if (!a.mac && a.ips.empty()) return Error(where, "a device needs its mac or its ips");
    if (!Text(o, "vendor", where + ".vendor", a.vendor) ||
        !Texts(o, "names", where + ".names", a.names) ||
        !Texts(o, "roles", where + ".roles", a.roles) ||
        !Texts(o, "zones", where + ".zones", a.zones)) {
      return false;
    }
    b.assets.push_back(std::move(a));
    return true;
  }
  bool Communication(const Json& o, const std::string& where, Baseline& b) {
    if (!o.is_object()) return Error(where, "must be an object");
    if (!Keys(o, where,
              {"initiator", "responder", "service", "operations", "count", "initiator_zone",
               "responder_zone"})) {
      return false;
    }
    BaselineCommunication c;
    for (auto [key, out] :
         {std::pair{"initiator", &c.initiator}, std::pair{"responder", &c.responder},
          std::pair{"service", &c.service}}) {
      if (!o.contains(key)) return Error(where, std::string("a communication needs its ") + key);
      if (!Text(o, key, where + "." + key, *out)) return false;
      if (out->empty()) return Error(where + "." + key, "must not be empty");
    }
    if (!Texts(o, "operations", where + ".operations", c.operations) ||
        !Text(o, "initiator_zone", where + ".initiator_zone", c.initiator_zone) ||
        !Text(o, "responder_zone", where + ".responder_zone", c.responder_zone)) {
      return false;
    }
    if (o.contains("count")) {
      if (!o["count"].is_number_unsigned()) return Error(where + ".count", "must be a count");
      c.count = o["count"].get<uint64_t>();
    }
    b.communications.push_back(std::move(c));
    return true;
  }

  const std::string& file_;
  std::string where_, what_;
};

// One group of conversations or acts a finding stands for: the first one's addresses, and
// every one's sightings.
struct Group {
  const core::IpAddr* initiator = nullptr;
  const core::IpAddr* responder = nullptr;
  const core::MacAddr* initiator_mac = nullptr;
  const core::MacAddr* responder_mac = nullptr;
  uint16_t port = 0, vlan = 0;
  std::string protocol, function;
  model::Sighting seen;
};

std::string Named(std::string_view endpoint, const std::string& zone) {
  return std::string(endpoint) + (zone.empty() || zone == endpoint ? "" : " (" + zone + ")");
}

}  // namespace

void Baseline::Index() {
  macs_.clear();
  ips_.clear();
  comms_.clear();
  for (const auto& a : assets) {
    if (a.mac) macs_.insert(*a.mac);
    if (!a.mac) ips_.insert(a.ips.begin(), a.ips.end());
  }
  for (size_t i = 0; i < communications.size(); ++i) {
    const auto& c = communications[i];
    comms_.emplace(std::tuple{c.initiator, c.responder, c.service}, i);
  }
}

bool Baseline::Knows(const model::Asset& a) const {
  if (a.mac) return macs_.count(*a.mac) > 0;
  return std::any_of(a.ips.begin(), a.ips.end(),
                     [&](const core::IpAddr& ip) { return ips_.count(ip) > 0; });
}

const BaselineCommunication* Baseline::Find(std::string_view initiator, std::string_view responder,
                                            std::string_view service) const {
  auto it =
      comms_.find(std::tuple{std::string(initiator), std::string(responder), std::string(service)});
  return it == comms_.end() ? nullptr : &communications[it->second];
}

std::string BaselineEndpoint(const ZoneMap* zones, const core::IpAddr& ip,
                             const core::MacAddr& mac) {
  if (ip.IsSet()) return IsExternal(zones, ip) ? std::string(kExternalZone) : ip.ToString();
  return mac.IsZero() ? std::string() : mac.ToString();
}

std::string BaselineService(std::string_view protocol, uint8_t transport, uint16_t port) {
  if (!protocol.empty()) return std::string(protocol);
  if (transport != 6 && transport != 17) return "ip/" + std::to_string(transport);
  const std::string t = transport == 6 ? "tcp/" : "udp/";
  return port >= 49152 ? t + "49152-65535" : t + std::to_string(port);
}

Baseline LearnBaseline(const std::vector<model::Asset>& assets, const model::Communications& comms,
                       const ZoneMap* zones) {
  Baseline b;
  for (const auto& a : assets) {
    if (OnlyExternal(zones, a)) continue;
    BaselineAsset out;
    out.mac = a.mac;
    out.ips = a.ips;
    out.vendor = a.vendor;
    for (const auto& n : a.names) {
      if (std::find(out.names.begin(), out.names.end(), n.name) == out.names.end()) {
        out.names.push_back(n.name);
      }
    }
    for (const auto& r : a.roles) out.roles.push_back(r.role);
    out.zones = a.zones;
    b.assets.push_back(std::move(out));
  }
  std::map<std::tuple<std::string, std::string, std::string>, BaselineCommunication> learnt;
  auto entry = [&](const core::IpAddr& from, const core::MacAddr& from_mac, const core::IpAddr& to,
                   const core::MacAddr& to_mac, std::string service) -> BaselineCommunication& {
    std::string i = BaselineEndpoint(zones, from, from_mac);
    std::string r = BaselineEndpoint(zones, to, to_mac);
    auto& c = learnt[std::tuple{i, r, service}];
    if (c.service.empty()) {
      c.initiator = std::move(i);
      c.responder = std::move(r);
      c.service = std::move(service);
      c.initiator_zone = ZoneOf(zones, from);
      c.responder_zone = ZoneOf(zones, to);
    }
    return c;
  };
  const auto data = ServerOpenedData(comms);  // part of the conversation that asked for them
  for (const auto& [k, seen] : comms.conversations()) {
    if (data.count(&k)) continue;
    entry(k.initiator, k.initiator_mac, k.responder, k.responder_mac,
          BaselineService(k.protocol, k.transport, k.port))
        .count += seen.count;
  }
  for (const auto& [k, seen] : comms.operations()) {
    auto& c = entry(k.requester, k.requester_mac, k.device, k.device_mac, k.protocol);
    c.operations.insert(k.category);
    if (!k.requester.IsSet()) c.count += seen.count;  // link-layer acts have no flow to count
  }
  for (auto& [key, c] : learnt) {
    if (c.initiator.empty() || c.responder.empty()) continue;
    b.communications.push_back(std::move(c));
  }
  b.Index();
  return b;
}

std::string BaselineText(const Baseline& b) {
  // One device or communication per line: a person reads, greps and diffs it line by line.
  auto list = [](const std::vector<Json>& items) {
    if (items.empty()) return std::string("[]");
    std::string out = "[\n";
    for (size_t i = 0; i < items.size(); ++i) {
      out += "    " + items[i].dump() + (i + 1 < items.size() ? ",\n" : "\n");
    }
    return out + "  ]";
  };
  std::vector<Json> assets;
  for (const auto& a : b.assets) {
    Json o;
    o["mac"] = a.mac ? Json(a.mac->ToString()) : Json(nullptr);
    Json ips = Json::array();
    for (const auto& ip : a.ips) ips.push_back(ip.ToString());
    o["ips"] = ips;
    o["vendor"] = a.vendor;
    o["names"] = a.names;
    o["roles"] = a.roles;
    o["zones"] = a.zones;
    assets.push_back(std::move(o));
  }
  std::vector<Json> comms;
  for (const auto& c : b.communications) {
    Json o;
    o["initiator"] = c.initiator;
    o["responder"] = c.responder;
    o["service"] = c.service;
    o["operations"] = c.operations;
    o["count"] = c.count;
    if (!c.initiator_zone.empty()) o["initiator_zone"] = c.initiator_zone;
    if (!c.responder_zone.empty()) o["responder_zone"] = c.responder_zone;
    comms.push_back(std::move(o));
  }
  std::string out = "{\n";
  out += "  \"format\": " + Json(kFormat).dump() + ",\n";
  out += "  \"version\": " + std::to_string(kBaselineVersion) + ",\n";
  out += "  \"created_by\": " + Json(b.created_by).dump() + ",\n";
  out += "  \"captures\": " + Json(b.captures).dump() + ",\n";
  out += "  \"policy\": " + (b.policy.empty() ? Json(nullptr) : Json(b.policy)).dump() + ",\n";
  out += "  \"assets\": " + list(assets) + ",\n";
  out += "  \"communications\": " + list(comms) + "\n}\n";
  return out;
}

core::Result<Baseline> ParseBaseline(std::string_view text, const std::string& file) {
  if (text.size() > kMaxBaselineBytes) {
    return core::MakeError(file + ": larger than " + std::to_string(kMaxBaselineBytes >> 20) +
                           " MiB; not a baseline quaywatch wrote");
  }
  if (const size_t at = TooDeep(text, kMaxDepth); at != std::string_view::npos) {
    return core::MakeError(file + ":" + Place(text, at) + ": nested deeper than " +
                           std::to_string(kMaxDepth) + " levels; not a baseline quaywatch wrote");
  }
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> the reason.
    std::string why = e.what();
    if (const size_t colon = why.find(": "); colon != std::string::npos) {
      why = why.substr(colon + 2);
    }
    return core::MakeError(file + ":" + Place(text, e.byte ? e.byte - 1 : 0) +
                           ": not JSON: " + why);
  } catch (const Json::exception& e) {
    // A number too large for any JSON number type ("[json.exception.out_of_range.406]
    // number overflow parsing '1e999'"): the message names the token, not its place, so
    // the place is that of the token's first occurrence.
    std::string why = e.what();
    if (const size_t end = why.find("] "); end != std::string::npos) why = why.substr(end + 2);
    std::string place;
    const size_t open = why.find('\''), close = why.rfind('\'');
    if (open != std::string::npos && close > open + 1) {
      const size_t at = text.find(std::string_view(why).substr(open + 1, close - open - 1));
      if (at != std::string_view::npos) place = ":" + Place(text, at);
    }
    return core::MakeError(file + place + ": not JSON: " + why);
  }
  return Reader(file).Read(doc);
}

core::Result<Baseline> LoadBaseline(const std::string& path) {
  auto text = core::ReadWholeFile(path, kMaxBaselineBytes, "baseline quaywatch wrote",
                                  core::FileKinds::kStreamsToo);
  if (!text) return core::MakeError(path + ": " + text.error().message);
  return ParseBaseline(*text, path);
}

void JudgeBaseline(const Baseline& b, const ZoneMap* zones, const std::vector<model::Asset>& assets,
                   const model::Communications& comms, FindingSet& findings) {
  for (const auto& a : assets) {
    if (OnlyExternal(zones, a) || b.Knows(a)) continue;
    Finding f;
    f.type = "baseline.new_asset";
    const bool crane = std::any_of(a.ips.begin(), a.ips.end(), [&](const core::IpAddr& ip) {
      return CraneZone(zones, ZoneOf(zones, ip));
    });
    f.severity = crane ? Severity::kMedium : Severity::kLow;
    const std::string who = a.mac ? a.mac->ToString() : a.ips.front().ToString();
    std::string at;
    for (const auto& ip : a.ips) at += (at.empty() ? " at " : ", ") + ip.ToString();
    f.title = "new device " + who + (a.vendor.empty() ? "" : " (" + a.vendor + ")") + at +
              ", not seen while learning";
    if (a.mac) f.src.mac = a.mac;
    if (!a.ips.empty()) {
      f.src.ip = a.ips.front();
      f.src.zone = ZoneOf(zones, a.ips.front());
    }
    if (!a.vlans.empty()) f.vlan = a.vlans.front().outer;
    f.detail["device"] = who;
    f.advisory = AdvisoryOf(f.type);
    AssetEvidence(f, a);
    findings.Add(std::move(f));
  }

  // New conversations and new acts, grouped as the baseline would record them, so that a
  // new service to many Internet hosts is one line.
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, Group> groups;
  auto add = [&](Key key, const core::IpAddr& i, const core::MacAddr& im, const core::IpAddr& r,
                 const core::MacAddr& rm, uint16_t port, uint16_t vlan, const std::string& protocol,
                 const std::string& function, const model::Sighting& seen) {
    Group& g = groups[std::move(key)];
    if (!g.initiator ||
        std::tie(seen.capture_index, seen.frame) < std::tie(g.seen.capture_index, g.seen.frame)) {
      g.initiator = &i;
      g.initiator_mac = &im;
      g.responder = &r;
      g.responder_mac = &rm;
      g.port = port;
      g.vlan = vlan;
      g.protocol = protocol;
      g.function = function;
    }
    g.seen.Merge(seen);
  };
  const auto data = ServerOpenedData(comms);
  for (const auto& [k, seen] : comms.conversations()) {
    if (data.count(&k)) continue;
    std::string i = BaselineEndpoint(zones, k.initiator, k.initiator_mac);
    std::string r = BaselineEndpoint(zones, k.responder, k.responder_mac);
    std::string service = BaselineService(k.protocol, k.transport, k.port);
    if (i.empty() || r.empty() || b.Find(i, r, service)) continue;
    add(Key{std::move(i), std::move(r), std::move(service), ""}, k.initiator, k.initiator_mac,
        k.responder, k.responder_mac, k.port, k.vlan, k.protocol, "", seen);
  }
  for (const auto& [k, seen] : comms.operations()) {
    std::string i = BaselineEndpoint(zones, k.requester, k.requester_mac);
    std::string r = BaselineEndpoint(zones, k.device, k.device_mac);
    if (i.empty() || r.empty()) continue;
    const BaselineCommunication* learnt = b.Find(i, r, k.protocol);
    if (learnt && learnt->operations.count(k.category)) continue;
    add(Key{std::move(i), std::move(r), k.protocol, k.category}, k.requester, k.requester_mac,
        k.device, k.device_mac, k.device_port, k.vlan, k.protocol, k.function, seen);
  }
  for (const auto& [key, g] : groups) {
    const auto& [i, r, service, category] = key;
    Finding f;
    f.type = "baseline.new_communication";
    f.src = Endpoint(*g.initiator, *g.initiator_mac, ZoneOf(zones, *g.initiator), 0);
    f.dst = Endpoint(*g.responder, *g.responder_mac, ZoneOf(zones, *g.responder), g.port);
    const bool into_crane = CraneZone(zones, f.dst->zone) && !CraneZone(zones, f.src.zone);
    const bool crane = CraneZone(zones, f.dst->zone) || CraneZone(zones, f.src.zone);
    const bool change =
        category == "program-change" || category == "firmware" || category == "controller-state";
    if (change || i == kExternalZone || into_crane) {
      f.severity = Severity::kHigh;
    } else if (crane || category == "write") {
      f.severity = Severity::kMedium;
    } else {
      f.severity = Severity::kLow;
    }
    if (category.empty()) {
      f.title = "new communication: " + Named(i, f.src.zone) + " to " + Named(r, f.dst->zone) +
                " over " + service + ", not seen while learning";
    } else {
      f.title = "new " + category + " (" + service + " " + g.function + ") from " +
                Named(i, f.src.zone) + " to " + Named(r, f.dst->zone) + ", not seen while learning";
    }
    f.protocol = g.protocol;
    f.vlan = g.vlan;
    f.detail["initiator"] = i;
    f.detail["responder"] = r;
    f.detail["service"] = service;
    if (!category.empty()) f.detail["category"] = category;
    f.advisory = AdvisoryOf(f.type);
    SightingEvidence(f, g.seen);
    findings.Add(std::move(f));
  }
}

}  // namespace qw::policy
