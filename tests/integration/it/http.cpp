// HTTP against tshark: frames with HTTP in them, every request by method
// (http.request.method) and every response by status code (http.response.code), on the HTTP
// captures, the web browsing of mixed_it/wikipedia.pcap, the HTTP inside VLAN tags of vlan/
// and the unanswered GET on port 502 of modbus/modbus-and-non-modbus-p502.pcap. All agree
// exactly. The method codes are those of src/dissect/http/http_parser.h, repeated here so
// that the test does not take them from the code it checks. Hosts of downloads are compared
// frame by frame in ics_compare_test.cpp.
#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

int64_t MethodCode(const std::string& m) {
  static const std::map<std::string, int64_t> kCodes = {
      {"GET", 1},    {"HEAD", 2},      {"POST", 3},       {"PUT", 4},
      {"DELETE", 5}, {"CONNECT", 6},   {"OPTIONS", 7},    {"TRACE", 8},
      {"PATCH", 9},  {"PROPFIND", 10}, {"PROPPATCH", 11}, {"MKCOL", 12},
      {"COPY", 13},  {"MOVE", 14},     {"LOCK", 15},      {"UNLOCK", 16}};
  auto it = kCodes.find(m);
  return it == kCodes.end() ? 0 : it->second;
}

Counters HttpExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("http")) continue;
    ++c["frames"];
    for (const auto& v : f.Values("http.request.method")) {
      ++c["methods:" + std::to_string(MethodCode(v))];
      ++c["requests"];
      ++c["pdus"];
    }
    for (const auto& v : f.Values("http.response.code")) {
      ++c["status:" + std::to_string(Number(v))];
      ++c["responses"];
      ++c["pdus"];
      if (Number(v) >= 400) ++c["exceptions"];
    }
  }
  return c;
}

const Register kHttp({
    "http",
    {"http", "mixed_it", "modbus", "vlan"},
    {"http.request.method", "http.response.code"},
    HttpExpect,
    {"pdus", "frames", "requests", "responses", "exceptions", "methods:", "status:"},
    {},
    "",
});

}  // namespace
}  // namespace qw::ics_compare
