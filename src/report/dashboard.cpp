#include "report/dashboard.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "core/address.h"
#include "core/ascii.h"
#include "report/embedded.h"
#include "report/html_report.h"
#include "report/json_fields.h"
#include "report/template.h"
#include "report/zone_map.h"

namespace qw::report {

namespace {

using Json = nlohmann::json;

constexpr size_t kDefaultLimit = 100, kMaxLimit = 1000;

bool ListHas(const Json& list, const std::string& v) {
  if (!list.is_array()) return false;
  for (const auto& x : list) {
    if (x.is_string() && x.get<std::string>() == v) return true;
  }
  return false;
}

DashboardApi::Response JsonResponse(int status, const Json& j) {
  return {status, "application/json", j.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

DashboardApi::Response Error(int status, const std::string& message) {
  return JsonResponse(status, {{"error", message}});
}

// Reads offset and limit; false (and `error`) when either is not a number in range.
bool Paging(const std::map<std::string, std::string>& p, size_t& offset, size_t& limit,
            std::string& error) {
  offset = 0;
  limit = kDefaultLimit;
  for (auto [key, into, max] :
       {std::tuple{"offset", &offset, SIZE_MAX}, std::tuple{"limit", &limit, kMaxLimit}}) {
    auto it = p.find(key);
    if (it == p.end()) continue;
    size_t v = 0;
    const auto& s = it->second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v > max) {
      error = fmt::format("{} must be a whole number{}", key,
                          max == SIZE_MAX ? "" : fmt::format(" from 0 to {}", max));
      return false;
    }
    *into = v;
  }
  return true;
}

std::string Param(const std::map<std::string, std::string>& p, const char* key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

// Pages the rows `keep` accepts.
template <class Keep>
DashboardApi::Response List(const Json& rows, const std::map<std::string, std::string>& p,
                            Keep keep) {
  size_t offset, limit;
  std::string error;
  if (!Paging(p, offset, limit, error)) return Error(400, error);
  Json items = Json::array();
  size_t total = 0;
  for (const auto& r : rows) {
    if (!keep(r)) continue;
    if (total >= offset && items.size() < limit) items.push_back(r);
    ++total;
  }
  return JsonResponse(
      200, {{"total", total}, {"offset", offset}, {"limit", limit}, {"items", std::move(items)}});
}

bool EqualsTimingSafe(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

}  // namespace

// --- DataSource ---------------------------------------------------------------------------

core::Result<std::shared_ptr<DataSource>> DataSource::FromDir(const std::string& dir,
                                                              const ReportLimits& limits) {
  auto source = std::make_shared<DataSource>();
  source->dir_ = dir;
  source->limits_ = limits;
  auto loaded = LoadReportData(dir, limits);
  if (!loaded) return core::Error{loaded.error().message};
  struct stat st {};
  if (::stat((dir + "/quaywatch.sqlite").c_str(), &st) == 0) {
    source->mtime_ns_ = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    source->size_ = st.st_size;
  }
  source->data_ = std::make_shared<const ReportData>(std::move(*loaded));
  source->version_ = 1;
  return source;
}

std::shared_ptr<DataSource> DataSource::Live() {
  auto source = std::make_shared<DataSource>();
  ReportData empty;
  empty.live = true;
  source->data_ = std::make_shared<const ReportData>(std::move(empty));
  return source;
}

std::pair<std::shared_ptr<const ReportData>, uint64_t> DataSource::Current() {
  std::lock_guard lock(mu_);
  if (!dir_.empty()) {
    // A new run written into the directory replaces the database by a rename: reload it.
    struct stat st {};
    if (::stat((dir_ + "/quaywatch.sqlite").c_str(), &st) == 0) {
      const int64_t mtime = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
      if (mtime != mtime_ns_ || st.st_size != size_) {
        auto loaded = LoadReportData(dir_, limits_);
        if (loaded) {
          data_ = std::make_shared<const ReportData>(std::move(*loaded));
          ++version_;
          mtime_ns_ = mtime;
          size_ = st.st_size;
        }
      }
    }
  }
  return {data_, version_};
}

void DataSource::Publish(ReportData data) {
  data.live = true;
  auto fresh = std::make_shared<const ReportData>(std::move(data));
  std::lock_guard lock(mu_);
  data_ = std::move(fresh);
  ++version_;
}

// --- helpers ------------------------------------------------------------------------------

bool ParseListen(const std::string& text, ServeOptions& o) {
  std::string host = text, port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos) return false;
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return false;
      port = text.substr(close + 2);
    }
  } else if (const size_t colon = text.rfind(':');
             colon != std::string::npos && text.find(':') == colon) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return false;
  if (host != "localhost" && !core::IpAddr::Parse(host)) return false;
  o.host = host;
  if (!port.empty()) {
    int v = -1;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || end != port.data() + port.size() || v < 0 || v > 65535) return false;
    o.port = v;
  }
  return true;
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  auto ip = core::IpAddr::Parse(host);
  return ip && ip->IsV4() && ip->V4Value() >> 24 == 127;
}

std::string NewToken() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  std::string hex;
  for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return hex;
}

// --- DashboardApi -------------------------------------------------------------------------

DashboardApi::Response DashboardApi::Get(const std::string& path,
                                         const std::map<std::string, std::string>& p) {
  try {
    return Answer(path, p);
  } catch (const nlohmann::json::exception& e) {
    // Only a database edited by hand gets here: quaywatch writes every row in one shape.
    return Error(500,
                 std::string("the run's data is not in the shape quaywatch writes: ") + e.what());
  }
}

DashboardApi::Response DashboardApi::Answer(const std::string& path,
                                            const std::map<std::string, std::string>& p) {
  auto [data, version] = source_->Current();
  const ReportData& d = *data;
  if (path == "/" || path == "/index.html") {
    Json view = {{"css", std::string(EmbeddedFile("report.css"))},
                 {"js", std::string(EmbeddedFile("dashboard.js"))},
                 {"svg_pan_zoom", std::string(EmbeddedFile("svg-pan-zoom.min.js"))}};
    auto html = RenderTemplate("dashboard.html", EmbeddedFile("dashboard.html"), view);
    if (!html) return Error(500, html.error().message);
    return {200, "text/html; charset=utf-8", *html};
  }
  if (path == "/api/summary") {
    // What the inventory's filters offer: every zone, role and vendor of the assets.
    std::set<std::string> zones, roles, vendors;
    for (const auto& a : d.assets) {
      for (const char* key : {"zones", "roles"}) {
        const Json list = a.value(key, Json::array());
        for (const auto& v : list) {
          if (v.is_string()) (key[0] == 'z' ? zones : roles).insert(v.get<std::string>());
        }
      }
      if (!Str(a, "vendor").empty()) vendors.insert(Str(a, "vendor"));
    }
    return JsonResponse(200,
                        {{"version", version},
                         {"facets", {{"zones", zones}, {"roles", roles}, {"vendors", vendors}}},
                         {"live", d.live},
                         {"policy", !d.zones.empty()},
                         {"summary", d.summary},
                         {"assets", d.assets.size()},
                         {"assets_unread", d.assets_unread},
                         {"findings", d.findings.size()},
                         {"conversations", d.conversations.size()},
                         {"operations", d.operations.size()},
                         {"zones", d.zones},
                         {"conduits", d.conduits}});
  }
  const std::string zone = Param(p, "zone"), ip = Param(p, "ip"), q = Param(p, "q");
  const std::string protocol = Param(p, "protocol");
  if (path == "/api/assets") {
    const std::string role = Param(p, "role"), vendor = Param(p, "vendor");
    const std::string untrusted = Param(p, "untrusted");
    if (!untrusted.empty() && untrusted != "1" && untrusted != "0") {
      return Error(400, "untrusted must be 1 or 0");
    }
    return List(d.assets, p, [&](const Json& a) {
      if (!zone.empty() && !ListHas(a.value("zones", Json()), zone)) return false;
      if (!role.empty() && !ListHas(a.value("roles", Json()), role)) return false;
      if (!vendor.empty() && Str(a, "vendor") != vendor) return false;
      if (!untrusted.empty() &&
          a.value("untrusted_supplier", Json()).is_null() == (untrusted == "1")) {
        return false;
      }
      if (!ip.empty() && !ListHas(a.value("ips", Json()), ip) && Str(a, "mac") != ip) return false;
      return q.empty() ||
             core::ContainsNoCase(a.dump(-1, ' ', false, Json::error_handler_t::replace), q);
    });
  }
  if (path == "/api/findings") {
    const std::string severity = Param(p, "severity"), type = Param(p, "type");
    return List(d.findings, p, [&](const Json& f) {
      if (!severity.empty() && Str(f, "severity") != severity) return false;
      if (!type.empty() && Str(f, "type") != type) return false;
      const Json src = f.value("src", Json::object()), dst = f.value("dst", Json::object());
      if (!zone.empty() && Str(src, "zone") != zone && Str(dst, "zone") != zone) return false;
      if (!ip.empty() && Str(src, "ip") != ip && Str(dst, "ip") != ip) return false;
      return q.empty() || core::ContainsNoCase(Str(f, "title"), q);
    });
  }
  // The ledgers share their filters: zone and address of either end, protocol, category.
  auto ledger = [&](const Json& rows, const char* a_ip, const char* a_zone, const char* b_ip,
                    const char* b_zone) {
    const std::string category = Param(p, "category");
    return List(rows, p, [&](const Json& r) {
      if (!zone.empty() && Str(r, a_zone) != zone && Str(r, b_zone) != zone) return false;
      if (!ip.empty() && Str(r, a_ip) != ip && Str(r, b_ip) != ip) return false;
      if (!protocol.empty() && Str(r, "protocol") != protocol && Str(r, "tool") != protocol) {
        return false;
      }
      return category.empty() || Str(r, "category") == category;
    });
  };
  if (path == "/api/flows") {
    return ledger(d.conversations, "initiator", "initiator_zone", "responder", "responder_zone");
  }
  if (path == "/api/operations") {
    return ledger(d.operations, "initiator", "initiator_zone", "responder", "responder_zone");
  }
  if (path == "/api/remote_access") {
    return ledger(d.remote_access, "client", "client_zone", "server", "server_zone");
  }
  if (path == "/api/file_transfers") {
    return ledger(d.file_transfers, "client", "client_zone", "server", "server_zone");
  }
  if (path == "/api/plc_blocks") {
    return ledger(d.plc_blocks, "peer", "peer_zone", "plc", "plc_zone");
  }
  if (path == "/api/map") {
    std::lock_guard lock(map_mu_);
    if (map_version_ != version) {
      ZoneMapDrawing map = BuildZoneMap(d);
      auto svg = RenderSvg(map.dot);
      if (!svg) return Error(500, svg.error().message);
      map_json_ =
          Json{{"version", version}, {"svg", *svg}, {"edges", map.edges}, {"groups", map.groups}}
              .dump(-1, ' ', false, Json::error_handler_t::replace);
      map_version_ = version;
    }
    return {200, "application/json", map_json_};
  }
  return Error(404, "no such page: " + path);
}

// --- DashboardServer ----------------------------------------------------------------------

struct DashboardServer::Impl {
  explicit Impl(std::shared_ptr<DataSource> s) : api(std::move(s)) {}
  httplib::Server server;
  DashboardApi api;
};

DashboardServer::DashboardServer(std::shared_ptr<DataSource> source, ServeOptions options)
    : impl_(std::make_unique<Impl>(std::move(source))), options_(std::move(options)) {
  const bool loopback = IsLoopbackHost(options_.host);
  if (loopback) options_.token.clear();
  if (!loopback && options_.token.empty()) options_.token = NewToken();
  auto& svr = impl_->server;
  svr.set_default_headers({{"Cache-Control", "no-store"},
                           {"X-Content-Type-Options", "nosniff"},
                           {"X-Frame-Options", "DENY"},
                           {"Referrer-Policy", "no-referrer"}});
  svr.set_payload_max_length(64 * 1024);
  svr.set_read_timeout(10, 0);
  svr.set_write_timeout(10, 0);
  const std::string token = options_.token;
  svr.set_pre_routing_handler(
      [token, loopback](const httplib::Request& req, httplib::Response& res) {
        auto refuse = [&](int status, const std::string& why) {
          res.status = status;
          res.set_content(Json{{"error", why}}.dump(), "application/json");
          return httplib::Server::HandlerResponse::Handled;
        };
        if (loopback) {
          // Only requests addressed to loopback: a page elsewhere cannot rebind its name to us.
          std::string h = req.get_header_value("Host");
          if (const size_t colon = h.rfind(':'); colon != std::string::npos && h.back() != ']') {
            h = h.substr(0, colon);
          }
          if (h.size() > 2 && h.front() == '[') h = h.substr(1, h.size() - 2);
          if (!IsLoopbackHost(h)) return refuse(403, "requests must be addressed to loopback");
        } else {
          std::string given;
          const std::string auth = req.get_header_value("Authorization");
          if (auth.rfind("Bearer ", 0) == 0) given = auth.substr(7);
          if (given.empty() && req.has_param("token")) given = req.get_param_value("token");
          if (!EqualsTimingSafe(given, token)) {
            res.set_header("WWW-Authenticate", "Bearer");
            return refuse(401, "a token is required: the one 'quaywatch serve' printed at start");
          }
        }
        if (req.method != "GET" && req.method != "HEAD") return refuse(405, "only GET is served");
        return httplib::Server::HandlerResponse::Unhandled;
      });
  svr.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    std::map<std::string, std::string> params;
    for (const auto& [k, v] : req.params) {
      if (k != "token") params.emplace(k, v);
    }
    auto answer = impl_->api.Get(req.path, params);
    res.status = answer.status;
    if (answer.content_type.rfind("text/html", 0) == 0) {
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; script-src 'unsafe-inline'; style-src "
                     "'unsafe-inline'; connect-src 'self'; img-src data:");
    }
    res.set_content(answer.body, answer.content_type.c_str());
  });
}

DashboardServer::~DashboardServer() { Stop(); }

core::Status DashboardServer::Bind() {
  auto& svr = impl_->server;
  if (options_.port == 0) {
    port_ = svr.bind_to_any_port(options_.host.c_str());
    if (port_ <= 0) return core::MakeError(fmt::format("{}: cannot listen", options_.host));
  } else {
    if (!svr.bind_to_port(options_.host.c_str(), options_.port)) {
      return core::MakeError(
          fmt::format("{}:{}: cannot listen (in use, or not an address of "
                      "this machine)",
                      options_.host, options_.port));
    }
    port_ = options_.port;
  }
  return {};
}

std::string DashboardServer::Url() const {
  const bool v6 = options_.host.find(':') != std::string::npos;
  std::string url =
      fmt::format("http://{}{}{}:{}/", v6 ? "[" : "", options_.host, v6 ? "]" : "", port_);
  if (!options_.token.empty()) url += "?token=" + options_.token;
  return url;
}

core::Status DashboardServer::Run() {
  if (!impl_->server.listen_after_bind()) {
    return core::MakeError(fmt::format("{}: the server stopped with an error", Url()));
  }
  return {};
}

void DashboardServer::Stop() {
  if (impl_) impl_->server.stop();
}

}  // namespace qw::report
