#include "report/report_data.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/address.h"
#include "output/sqlite_store.h"
#include "report/json_fields.h"

namespace qw::report {

namespace {

using Json = nlohmann::json;

// The lowest frame of a flow id (capture_index << 40 | first_frame).
constexpr int64_t kFrameMask = (int64_t{1} << 40) - 1;

// A read-only connection to one database file, closed on every path; used by one thread
// (whoever loads the data), so SQLite's own locking of it is left out.
class Db {
 public:
  ~Db() {
    if (db_) sqlite3_close(db_);
  }
  core::Status Open(const std::string& path) {
    path_ = path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      return core::MakeError(path + ": no such file (run 'quaywatch analyze' with --out first)");
    }
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      return Fail("cannot open");
    }
    sqlite3_busy_timeout(db_, 5000);
    return {};
  }
  core::Status Fail(const std::string& what) const {
    return core::MakeError(
        fmt::format("{}: {}: {}", path_, what, db_ ? sqlite3_errmsg(db_) : "out of memory"));
  }
  // Runs `sql` with `bind` applied and calls `row` per result row; a false from `row` stops
  // early. Errors name the file.
  template <class Row>
  core::Status Query(const char* sql, Row row, int64_t bind = -1) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) {
      return Fail("not a quaywatch database");
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(st, sqlite3_finalize);
    if (bind >= 0) sqlite3_bind_int64(st, 1, bind);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (!row(st)) return {};
    }
    if (rc != SQLITE_DONE) return Fail("read");
    return {};
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

Json Text(sqlite3_stmt* st, int col) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL) return nullptr;
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
  return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st, col)));
}

Json Int(sqlite3_stmt* st, int col) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL) return nullptr;
  return sqlite3_column_int64(st, col);
}

Json Real(sqlite3_stmt* st, int col) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL) return nullptr;
  return sqlite3_column_double(st, col);
}

// Parses a column holding JSON; an error names the file, the table and the row.
core::Result<Json> JsonColumn(const Db& db, sqlite3_stmt* st, int col, const char* table,
                              int64_t row) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
  const size_t n = static_cast<size_t>(sqlite3_column_bytes(st, col));
  Json j = Json::parse(p ? p : "", p ? p + n : nullptr, nullptr, false);
  if (j.is_discarded()) {
    return core::MakeError(fmt::format("{}: table {} row {}: not JSON", db.path(), table, row));
  }
  return j;
}

// The same, for columns that hold one JSON object (a summary, an asset, a finding).
core::Result<Json> ObjectColumn(const Db& db, sqlite3_stmt* st, int col, const char* table,
                                int64_t row) {
  auto j = JsonColumn(db, st, col, table, row);
  if (j && !j->is_object()) {
    return core::MakeError(
        fmt::format("{}: table {} row {}: not a JSON object", db.path(), table, row));
  }
  return j;
}

// Where each address's device was placed, for rows whose table has no zone columns.
class ZoneLookup {
 public:
  ZoneLookup(const Json& assets, bool policy) : policy_(policy) {
    for (const auto& a : assets) {
      const auto& zones = a.value("zones", Json::array());
      if (!zones.is_array() || zones.empty() || !zones[0].is_string()) continue;
      for (const auto& ip : a.value("ips", Json::array())) {
        if (ip.is_string()) Add(ip.get<std::string>(), zones[0].get<std::string>());
      }
    }
  }
  /// Places `ip` in `zone`, unless an earlier device placed it.
  void Add(std::string ip, std::string zone) { by_ip_.emplace(std::move(ip), std::move(zone)); }
  Json Of(const Json& ip) const {
    if (!policy_ || !ip.is_string()) return nullptr;
    auto it = by_ip_.find(ip.get<std::string>());
    if (it != by_ip_.end()) return it->second;
    auto parsed = core::IpAddr::Parse(ip.get<std::string>());
    if (parsed && !parsed->IsPrivate()) return "external";
    return nullptr;
  }

 private:
  bool policy_;
  std::map<std::string, std::string> by_ip_;
};

core::Status LoadRows(Db& db, ReportData& d) {
  int64_t n = 0;
  auto s = db.Query("SELECT summary FROM runs ORDER BY id DESC LIMIT 1", [&](sqlite3_stmt* st) {
    auto j = ObjectColumn(db, st, 0, "runs", ++n);
    if (j) d.summary = std::move(*j);
    return j.ok();
  });
  if (!s) return s;
  if (n == 0) return core::MakeError(db.path() + ": holds no run (the analysis did not finish)");
  core::Status bad;
  n = 0;
  s = db.Query("SELECT detail FROM findings ORDER BY id", [&](sqlite3_stmt* st) {
    auto j = ObjectColumn(db, st, 0, "findings", ++n);
    if (!j) return (bad = core::MakeError(j.error().message)), false;
    d.findings.push_back(std::move(*j));
    return true;
  });
  if (!s) return s;
  return bad;
}

}  // namespace

std::set<std::string> AddressesFindingsName(const Json& findings) {
  std::set<std::string> named;
  for (const auto& f : findings) {
    for (const char* end : {"src", "dst"}) {
      const Json e = f.value(end, Json());
      if (!e.is_object()) continue;
      for (const char* k : {"ip", "mac"}) {
        const Json v = e.value(k, Json());
        if (v.is_string() && !v.get<std::string>().empty()) named.insert(v.get<std::string>());
      }
    }
  }
  return named;
}

std::set<std::string> CraneZones(const Json& zones) {
  std::set<std::string> names;
  for (const auto& z : zones) {
    if (IsCraneKind(z.value("kind", ""))) names.insert(z.value("name", ""));
  }
  return names;
}

std::vector<size_t> HeaviestDevices(const std::vector<DeviceWeight>& w, size_t limit,
                                    ReportData& d) {
  std::vector<size_t> order(w.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (order.size() <= limit) return order;
  auto key = [&](size_t i) {
    const DeviceWeight& x = w[i];
    return std::tie(x.findings, x.untrusted, x.roles, x.identity, x.bytes);
  };
  std::nth_element(
      order.begin(), order.begin() + static_cast<ptrdiff_t>(limit), order.end(),
      [&](size_t x, size_t y) { return key(x) > key(y) || (key(x) == key(y) && x < y); });
  for (size_t j = limit; j < order.size(); ++j) {
    d.unread_crane_assets += w[order[j]].crane;
    ++d.unread_groups[w[order[j]].groups];
  }
  d.assets_unread = order.size() - limit;
  order.resize(limit);
  std::sort(order.begin(), order.end());
  return order;
}

namespace {

// The ids of the `limit` devices that matter most to a reader (HeaviestDevices; a finding
// counts when it names one of the device's addresses), ascending. Reads only columns and a
// few JSON fields, not whole objects.
core::Result<std::vector<int64_t>> MostTellingAssets(Db& db, ReportData& d, size_t limit) {
  const std::set<std::string> named = AddressesFindingsName(d.findings);
  const std::set<std::string> crane_zones = CraneZones(d.zones);
  const bool policy = !d.zones.empty();
  std::vector<int64_t> ids;  // in row order, which is id order
  std::vector<DeviceWeight> w;
  auto s = db.Query(
      "SELECT id, bytes, roles != '[]', json_type(detail, '$.untrusted_supplier') = 'object', "
      "json_extract(detail, '$.identity') != '{}', json_extract(detail, '$.zones') FROM assets "
      "ORDER BY id",
      [&](sqlite3_stmt* st) {
        DeviceWeight x;
        ids.push_back(sqlite3_column_int64(st, 0));
        x.bytes = static_cast<uint64_t>(sqlite3_column_int64(st, 1));
        x.roles = sqlite3_column_int(st, 2) != 0;
        x.untrusted = sqlite3_column_int(st, 3) != 0;
        x.identity = sqlite3_column_int(st, 4) != 0;
        std::vector<std::string> zones;
        if (policy && sqlite3_column_type(st, 5) == SQLITE_TEXT) {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, 5));
          const Json parsed = Json::parse(p, p + sqlite3_column_bytes(st, 5), nullptr, false);
          if (parsed.is_array()) {
            for (const auto& z : parsed) {
              if (!z.is_string()) continue;
              zones.push_back(z.get<std::string>());
              x.crane = x.crane || crane_zones.count(zones.back());
            }
          }
        }
        if (policy) x.groups = MapGroups(zones, {}, true);
        w.push_back(std::move(x));
        return true;
      });
  if (!s) return core::Error{s.message()};
  if (!named.empty() || !policy) {
    // Which devices a finding names; without a policy, also each device's IP addresses,
    // which place it on the map.
    std::unordered_map<int64_t, size_t> at;
    for (size_t i = 0; i < ids.size(); ++i) at.emplace(ids[i], i);
    std::vector<std::vector<std::string>> ips(policy ? 0 : ids.size());
    s = db.Query("SELECT asset_id, address, kind = 'mac' FROM asset_addresses",
                 [&](sqlite3_stmt* st) {
                   const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
                   auto it = at.find(sqlite3_column_int64(st, 0));
                   if (!p || it == at.end()) return true;
                   std::string address(p, static_cast<size_t>(sqlite3_column_bytes(st, 1)));
                   if (named.count(address)) w[it->second].findings = true;
                   if (!policy && sqlite3_column_int(st, 2) == 0) {
                     ips[it->second].push_back(std::move(address));
                   }
                   return true;
                 });
    if (!s) return core::Error{s.message()};
    for (size_t i = 0; i < ips.size(); ++i) w[i].groups = MapGroups({}, ips[i], false);
  }
  std::vector<int64_t> chosen;
  for (size_t i : HeaviestDevices(w, limit, d)) chosen.push_back(ids[i]);
  return chosen;
}

// Reads the devices: every one, or past limits.assets those MostTellingAssets picks.
core::Status LoadAssets(Db& db, ReportData& d, const ReportLimits& limits) {
  int64_t total = 0;
  auto s = db.Query("SELECT count(*) FROM assets", [&](sqlite3_stmt* st) {
    total = sqlite3_column_int64(st, 0);
    return false;
  });
  if (!s) return s;
  const bool all = static_cast<uint64_t>(total) <= limits.assets;
  std::vector<int64_t> chosen;
  if (!all) {
    auto ids = MostTellingAssets(db, d, limits.assets);
    if (!ids) return core::MakeError(ids.error().message);
    chosen = std::move(*ids);
  }
  core::Status bad;
  int64_t n = 0;
  size_t next = 0;
  s = db.Query("SELECT id, detail FROM assets ORDER BY id", [&](sqlite3_stmt* st) {
    ++n;
    if (!all) {
      const int64_t id = sqlite3_column_int64(st, 0);
      while (next < chosen.size() && chosen[next] < id) ++next;
      if (next == chosen.size()) return false;
      if (chosen[next] != id) return true;
    }
    auto j = ObjectColumn(db, st, 1, "assets", n);
    if (!j) return (bad = core::MakeError(j.error().message)), false;
    d.assets.push_back(std::move(*j));
    return true;
  });
  if (!s) return s;
  return bad;
}

// Where each address's device was placed: from the devices read, or, when the limit left
// some unread, from every device's first zone in the database.
core::Result<ZoneLookup> Zones(Db& db, const ReportData& d) {
  const bool policy = !d.zones.empty();
  if (d.assets_unread == 0 || !policy) return ZoneLookup(d.assets, policy);
  ZoneLookup zones(Json::array(), policy);
  auto s = db.Query(
      "SELECT x.address, json_extract(a.detail, '$.zones[0]') FROM assets a JOIN "
      "asset_addresses x ON x.asset_id = a.id WHERE x.kind != 'mac' AND "
      "json_type(a.detail, '$.zones[0]') = 'text' ORDER BY a.id",
      [&](sqlite3_stmt* st) {
        auto text = [&](int col) {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
          return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st, col)));
        };
        zones.Add(text(0), text(1));
        return true;
      });
  if (!s) return core::Error{s.message()};
  return zones;
}

core::Status LoadPolicy(Db& db, ReportData& d) {
  bool has = false;
  auto s = db.Query("SELECT 1 FROM sqlite_master WHERE name = 'policy_zones'",
                    [&](sqlite3_stmt*) { return !(has = true); });
  if (!s || !has) return s;
  core::Status bad;
  int64_t n = 0;
  s = db.Query(
      "SELECT name, kind, description, inside, subnets, vlans FROM policy_zones ORDER BY "
      "position",
      [&](sqlite3_stmt* st) {
        ++n;
        auto subnets = JsonColumn(db, st, 4, "policy_zones", n);
        auto vlans = JsonColumn(db, st, 5, "policy_zones", n);
        if (!subnets || !vlans) {
          bad = core::MakeError((subnets ? vlans.error() : subnets.error()).message);
          return false;
        }
        d.zones.push_back({{"name", Text(st, 0)},
                           {"kind", Text(st, 1)},
                           {"description", Text(st, 2)},
                           {"inside", Text(st, 3)},
                           {"subnets", std::move(*subnets)},
                           {"vlans", std::move(*vlans)}});
        return true;
      });
  if (!s || !bad) return s ? bad : s;
  n = 0;
  s = db.Query(
      "SELECT from_zone, to_zone, services, allow, purpose FROM policy_conduits ORDER BY "
      "position",
      [&](sqlite3_stmt* st) {
        ++n;
        auto services = JsonColumn(db, st, 2, "policy_conduits", n);
        auto allow = JsonColumn(db, st, 3, "policy_conduits", n);
        if (!services || !allow) {
          bad = core::MakeError((services ? allow.error() : services.error()).message);
          return false;
        }
        d.conduits.push_back({{"from", Text(st, 0)},
                              {"to", Text(st, 1)},
                              {"services", std::move(*services)},
                              {"allow", std::move(*allow)},
                              {"purpose", Text(st, 4)}});
        return true;
      });
  return s ? bad : s;
}

// Appends column `col` of the row to a group key: its type, then its value, so that NULL, ''
// and 0 stay apart and equal values of one type meet.
void AppendKey(std::string& key, sqlite3_stmt* st, int col) {
  const int type = sqlite3_column_type(st, col);
  key.push_back(static_cast<char>('0' + type));
  if (type == SQLITE_NULL) return;
  if (type == SQLITE_INTEGER) {
    const int64_t v = sqlite3_column_int64(st, col);
    key.append(reinterpret_cast<const char*>(&v), sizeof v);
    return;
  }
  if (type == SQLITE_FLOAT) {
    const double v = sqlite3_column_double(st, col);
    key.append(reinterpret_cast<const char*>(&v), sizeof v);
    return;
  }
  const auto* p = static_cast<const char*>(sqlite3_column_blob(st, col));
  const auto n = static_cast<uint32_t>(sqlite3_column_bytes(st, col));
  key.append(reinterpret_cast<const char*>(&n), sizeof n);
  if (p) key.append(p, n);
}

// The map's conversation groups: flows alike in both ends with their zones, transport, port
// and protocol, with their totals, most flows first (then by first flow). Grouped in a hash
// table rather than by SQLite's GROUP BY, which also sorted the whole table: 60 ms for the
// 33,000 flows of the 1M-frame terminal mix against 40 ms here, mostly SQLite reading rows.
core::Status LoadConversations(Db& db, ReportData& d, const ReportLimits& limits) {
  struct Group {
    Json initiator, initiator_zone, responder, responder_zone, port, protocol;
    const char* transport = "";
    int64_t flows = 0, first_id = 0;
    std::optional<int64_t> packets, bytes;
    std::optional<std::string> first_ts, last_ts;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> index;
  std::string key;
  bool overflow = false;
  // Adds a row's value to a total, as SQL's sum() does: NULLs are skipped.
  auto add = [&](std::optional<int64_t>& total, sqlite3_stmt* st, int col) {
    if (sqlite3_column_type(st, col) == SQLITE_NULL) return;
    int64_t sum = 0;
    if (__builtin_add_overflow(total.value_or(0), sqlite3_column_int64(st, col), &sum)) {
      overflow = true;
    }
    total = sum;
  };
  // Keeps the smaller (or larger) text, as SQL's min() and max() do with NULLs skipped.
  auto keep = [](std::optional<std::string>& kept, sqlite3_stmt* st, int col, bool smaller) {
    if (sqlite3_column_type(st, col) == SQLITE_NULL) return;
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    const std::string_view v(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st, col)));
    if (!kept || (smaller ? v < *kept : v > *kept)) kept = std::string(v);
  };
  auto s = db.Query(
      "SELECT initiator_ip, initiator_zone, responder_ip, responder_zone, proto, responder_port, "
      "protocol, packets_from_initiator + packets_from_responder, "
      "bytes_from_initiator + bytes_from_responder, first_ts, last_ts, id FROM flows",
      [&](sqlite3_stmt* st) {
        key.clear();
        for (int col = 0; col < 7; ++col) AppendKey(key, st, col);
        const int64_t id = sqlite3_column_int64(st, 11);
        auto [at, fresh] = index.try_emplace(key, groups.size());
        if (fresh) {
          Group& g = groups.emplace_back();
          g.initiator = Text(st, 0);
          g.initiator_zone = Text(st, 1);
          g.responder = Text(st, 2);
          g.responder_zone = Text(st, 3);
          g.transport = ConversationTransport(sqlite3_column_int64(st, 4));
          g.port = Int(st, 5);
          g.protocol = Text(st, 6);
          g.first_id = id;
        }
        Group& g = groups[at->second];
        ++g.flows;
        add(g.packets, st, 7);
        add(g.bytes, st, 8);
        keep(g.first_ts, st, 9, true);
        keep(g.last_ts, st, 10, false);
        g.first_id = std::min(g.first_id, id);
        return !overflow;
      });
  if (!s) return s;
  if (overflow) return core::MakeError(db.path() + ": read: integer overflow");
  std::vector<size_t> order(groups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Group &x = groups[a], &y = groups[b];
    return x.flows != y.flows ? x.flows > y.flows : x.first_id < y.first_id;
  });
  const size_t kept = std::min(order.size(), limits.conversations);
  auto json = [](const auto& v) { return v ? Json(*v) : Json(nullptr); };
  for (size_t i = 0; i < kept; ++i) {
    Group& g = groups[order[i]];
    d.conversations.push_back({{"initiator", std::move(g.initiator)},
                               {"initiator_zone", std::move(g.initiator_zone)},
                               {"responder", std::move(g.responder)},
                               {"responder_zone", std::move(g.responder_zone)},
                               {"transport", g.transport},
                               {"port", std::move(g.port)},
                               {"protocol", std::move(g.protocol)},
                               {"flows", g.flows},
                               {"packets", json(g.packets)},
                               {"bytes", json(g.bytes)},
                               {"first_ts", json(g.first_ts)},
                               {"last_ts", json(g.last_ts)},
                               {"capture", g.first_id >> 40},
                               {"frame", g.first_id & kFrameMask}});
  }
  d.conversations_cut = order.size() - kept;
  return {};
}

core::Status LoadLedgers(Db& db, int schema, ReportData& d, const ReportLimits& limits) {
  auto s = LoadConversations(db, d, limits);
  if (!s) return s;
  size_t seen = 0;
  auto placed = Zones(db, d);
  if (!placed) return core::MakeError(placed.error().message);
  const ZoneLookup& zones = *placed;
  seen = 0;
  // Schema 14 keeps each run's first frame and time as columns; before it they are read from
  // the run's JSON, which costs a parse of every operation of the capture.
  const std::string firsts =
      schema >= 14 ? "min(r.first_frame), min(r.first_ts) "
                   : "min(coalesce(r.operations ->> '$[0][1]', r.operations ->> '$[0][2]')), "
                     "min(r.operations ->> '$[0][3]') ";
  const std::string operations_sql =
      "SELECT coalesce(e.initiator_ip, e.initiator_mac, e.initiator), "
      "coalesce(e.responder_ip, e.responder_mac, e.responder), r.protocol, r.function, "
      "r.category, r.target, sum(r.count), min(r.capture_index), " +
      firsts +
      "FROM ics_operation_runs AS r LEFT JOIN ics_endpoints AS e ON e.id = r.endpoints "
      "GROUP BY 1, 2, r.protocol, r.function, r.category, r.target "
      "ORDER BY CASE r.category WHEN 'program-change' THEN 0 WHEN 'firmware' THEN 1 "
      "WHEN 'controller-state' THEN 2 WHEN 'write' THEN 3 ELSE 4 END, sum(r.count) DESC, 9";
  s = db.Query(operations_sql.c_str(), [&](sqlite3_stmt* st) {
    if (++seen > limits.rows) return true;
    Json ini = Text(st, 0), resp = Text(st, 1);
    d.operations.push_back({{"initiator", ini},
                            {"initiator_zone", zones.Of(ini)},
                            {"responder", resp},
                            {"responder_zone", zones.Of(resp)},
                            {"protocol", Text(st, 2)},
                            {"function", Text(st, 3)},
                            {"category", Text(st, 4)},
                            {"target", Text(st, 5)},
                            {"count", Int(st, 6)},
                            {"capture", Int(st, 7)},
                            {"frame", Int(st, 8)},
                            {"first_ts", Text(st, 9)}});
    return true;
  });
  if (!s) return s;
  d.operations_cut = seen > limits.rows ? seen - limits.rows : 0;

  seen = 0;
  s = db.Query(
      "SELECT tool, client_ip, client_port, server_ip, server_port, user, client_software, "
      "server_software, start_ts, end_ts, duration_s, bytes_from_client, bytes_from_server, "
      "capture_index, frame, security FROM remote_access ORDER BY start_ts, id",
      [&](sqlite3_stmt* st) {
        if (++seen > limits.rows) return true;
        Json client = Text(st, 1), server = Text(st, 3);
        d.remote_access.push_back({{"tool", Text(st, 0)},
                                   {"client", client},
                                   {"client_zone", zones.Of(client)},
                                   {"server", server},
                                   {"server_zone", zones.Of(server)},
                                   {"server_port", Int(st, 4)},
                                   {"user", Text(st, 5)},
                                   {"client_software", Text(st, 6)},
                                   {"server_software", Text(st, 7)},
                                   {"start_ts", Text(st, 8)},
                                   {"end_ts", Text(st, 9)},
                                   {"duration_s", Real(st, 10)},
                                   {"bytes_from_client", Int(st, 11)},
                                   {"bytes_from_server", Int(st, 12)},
                                   {"capture", Int(st, 13)},
                                   {"frame", Int(st, 14)},
                                   {"security", Text(st, 15)}});
        return true;
      });
  if (!s) return s;
  d.remote_access_cut = seen > limits.rows ? seen - limits.rows : 0;

  seen = 0;
  s = db.Query(
      "SELECT protocol, command, direction, client_ip, server_ip, server_port, file_name, "
      "location, bytes, declared_size, complete, sha256, result, ts, capture_index, frame "
      "FROM file_transfers ORDER BY ts, id",
      [&](sqlite3_stmt* st) {
        if (++seen > limits.rows) return true;
        Json client = Text(st, 3), server = Text(st, 4);
        d.file_transfers.push_back({{"protocol", Text(st, 0)},
                                    {"command", Text(st, 1)},
                                    {"direction", Text(st, 2)},
                                    {"client", client},
                                    {"client_zone", zones.Of(client)},
                                    {"server", server},
                                    {"server_zone", zones.Of(server)},
                                    {"server_port", Int(st, 5)},
                                    {"file_name", Text(st, 6)},
                                    {"location", Text(st, 7)},
                                    {"bytes", Int(st, 8)},
                                    {"declared_size", Int(st, 9)},
                                    {"complete", sqlite3_column_int64(st, 10) != 0},
                                    {"sha256", Text(st, 11)},
                                    {"result", Text(st, 12)},
                                    {"ts", Text(st, 13)},
                                    {"capture", Int(st, 14)},
                                    {"frame", Int(st, 15)}});
        return true;
      });
  if (!s) return s;
  d.transfers_cut = seen > limits.rows ? seen - limits.rows : 0;

  // Schema 13 added the blocks; a database of 11 or 12 has none to show.
  bool has_blocks = false;
  s = db.Query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'plc_blocks'",
               [&](sqlite3_stmt*) {
                 has_blocks = true;
                 return false;
               });
  if (!s || !has_blocks) return s;
  seen = 0;
  s = db.Query(
      "SELECT protocol, direction, plc_ip, plc_port, peer_ip, block, size, sha256, complete, "
      "first_ts, capture_index, first_frame, last_frame FROM plc_blocks ORDER BY id",
      [&](sqlite3_stmt* st) {
        if (++seen > limits.rows) return true;
        Json plc = Text(st, 2), peer = Text(st, 4);
        d.plc_blocks.push_back({{"protocol", Text(st, 0)},
                                {"direction", Text(st, 1)},
                                {"plc", plc},
                                {"plc_zone", zones.Of(plc)},
                                {"plc_port", Int(st, 3)},
                                {"peer", peer},
                                {"peer_zone", zones.Of(peer)},
                                {"block", Text(st, 5)},
                                {"bytes", Int(st, 6)},
                                {"sha256", Text(st, 7)},
                                {"complete", sqlite3_column_int64(st, 8) != 0},
                                {"ts", Text(st, 9)},
                                {"capture", Int(st, 10)},
                                {"frame", Int(st, 11)},
                                {"last_frame", Int(st, 12)}});
        return true;
      });
  if (!s) return s;
  d.blocks_cut = seen > limits.rows ? seen - limits.rows : 0;
  return {};
}

}  // namespace

std::string FallbackGroup(const std::string& ip) {
  if (ip.empty()) return "no address";
  auto parsed = core::IpAddr::Parse(ip);
  if (!parsed) return "no address";
  if (!parsed->IsPrivate()) return "external";
  if (parsed->IsV4()) {
    const size_t dot = ip.rfind('.');
    return ip.substr(0, dot) + ".0/24";
  }
  return ip.rfind("fe80", 0) == 0 ? "link-local" : "ipv6 site";
}

std::vector<std::string> MapGroups(const std::vector<std::string>& zones,
                                   const std::vector<std::string>& ips, bool policy) {
  std::vector<std::string> out;
  if (policy) {
    out = zones;
    if (out.empty()) out.push_back("unassigned");
  } else {
    for (const auto& ip : ips) out.push_back(FallbackGroup(ip));
    if (out.empty()) out.push_back("no address");
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const char* ConversationTransport(int64_t proto) {
  switch (proto) {
    case 6:
      return "tcp";
    case 17:
      return "udp";
    case 1:
      return "icmp";
    case 58:
      return "icmpv6";
    default:
      return "ip";
  }
}

core::Result<ReportData> LoadReportData(const std::string& dir, const ReportLimits& limits) {
  Db db;
  if (auto s = db.Open(dir + "/quaywatch.sqlite"); !s) return core::Error{s.message()};
  int version = -1;
  auto s = db.Query("PRAGMA user_version", [&](sqlite3_stmt* st) {
    version = sqlite3_column_int(st, 0);
    return false;
  });
  if (!s) return core::Error{s.message()};
  if (version < 11 || version > output::SqliteStore::SchemaVersion()) {
    return core::MakeError(fmt::format(
        "{}: schema version {} is not one this report reads (11 to {}); analyse the capture "
        "again with this build",
        db.path(), version, output::SqliteStore::SchemaVersion()));
  }
  ReportData d;
  if (s = LoadRows(db, d); !s) return core::Error{s.message()};
  if (s = LoadPolicy(db, d); !s) return core::Error{s.message()};
  if (s = LoadAssets(db, d, limits); !s) return core::Error{s.message()};
  if (s = LoadLedgers(db, version, d, limits); !s) return core::Error{s.message()};
  if (d.summary.contains("capture") && d.summary["capture"].contains("files")) {
    for (const auto& f : d.summary["capture"]["files"]) d.captures.push_back(f.value("path", ""));
  }
  return d;
}

}  // namespace qw::report
