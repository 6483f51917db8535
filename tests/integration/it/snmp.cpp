// SNMP against tshark: one PDU per message (snmp.version for v1/v2c, snmp.msgVersion for
// v3, which every message has, encrypted or not), "versions" by that value, "functions" by
// the PDU type tshark reads (snmp.data, the choice index, equal to the tag number; absent
// for encrypted SNMPv3), requests and responses by type, exceptions as responses with a
// non-zero snmp.error_status. The agents' system-group values are compared with assets.json
// in the second test, and the messages with a default community (snmp.community) with the
// `snmp.default_community` anomaly count.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

Counters SnmpExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("snmp") || f.HasProtocol("icmp")) continue;
    bool any = false;
    for (const char* field : {"snmp.version", "snmp.msgVersion"}) {
      for (const auto& v : f.Values(field)) {
        ++c["pdus"];
        ++c["versions:" + std::to_string(Number(v))];
        any = true;
      }
    }
    c["frames"] += any;
    const auto& status = f.Values("snmp.error_status");
    for (const auto& v : f.Values("snmp.data")) {
      const int64_t type = Number(v);
      ++c["functions:" + std::to_string(type)];
      // RFC 3411 2.8: get, get-next, set, get-bulk and inform are requests; response and
      // report answer them.
      if (type == 0 || type == 1 || type == 3 || type == 5 || type == 6) ++c["requests"];
      if (type == 2 || type == 8) ++c["responses"];
      if (type == 2 && !status.empty() && Number(status[0]) != 0) ++c["exceptions"];
    }
  }
  return c;
}

const Register kSnmp({
    "snmp",
    {"snmp"},
    {"snmp.version", "snmp.msgVersion", "snmp.data", "snmp.error_status"},
    SnmpExpect,
    {"pdus", "frames", "requests", "responses", "exceptions", "versions:", "functions:"},
    {},
    "",
});

// The system-group values (RFC 3418) of the responses in tshark's dissection, per agent
// address: the first non-empty value of each, in quaywatch's identity keys. tshark lists a
// frame's varbind names and its values by type in separate fields; a frame counts only when
// every value is of the one type the key wants, so names and values pair by position.
std::map<std::string, std::map<std::string, std::string>> TsharkSystemGroup(
    const std::vector<TsharkFrame>& frames) {
  static const std::map<std::string, std::string> kKeys = {
      {"1.3.6.1.2.1.1.1.0", "description"}, {"1.3.6.1.2.1.1.2.0", "snmp_object_id"},
      {"1.3.6.1.2.1.1.4.0", "contact"},     {"1.3.6.1.2.1.1.5.0", "name"},
      {"1.3.6.1.2.1.1.6.0", "location"},
  };
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& f : frames) {
    const auto& data = f.Values("snmp.data");
    const auto& status = f.Values("snmp.error_status");
    const auto& src = f.Values("ip.src");
    if (data.size() != 1 || Number(data[0]) != 2 || src.empty() ||
        (!status.empty() && Number(status[0]) != 0)) {
      continue;
    }
    const auto& names = f.Values("snmp.name");
    const auto& octets = f.Values("snmp.value.octets");
    const auto& oids = f.Values("snmp.value.oid");
    for (size_t i = 0; i < names.size(); ++i) {
      auto key = kKeys.find(names[i]);
      if (key == kKeys.end()) continue;
      std::string value;
      if (key->second == "snmp_object_id") {
        if (oids.size() == names.size()) value = oids[i];
      } else if (octets.size() == names.size() &&
                 octets[i].find_first_not_of("0123456789abcdef") == std::string::npos) {
        // tshark prints an OCTET STRING's bytes as hex ("<MISSING>" for an empty one).
        for (size_t j = 0; j + 1 < octets[i].size(); j += 2) {
          value += static_cast<char>(std::stoi(octets[i].substr(j, 2), nullptr, 16));
        }
      }
      if (!value.empty()) out[src[0]].emplace(key->second, value);
    }
  }
  return out;
}

// How many v1/v2c messages tshark shows with a community of docs/anomalies.md's default
// list (compared without regard to ASCII case), as `snmp.default_community` counts them.
int64_t TsharkDefaultCommunities(const std::vector<TsharkFrame>& frames) {
  static const std::set<std::string> kDefaults = {
      "public",  "private", "community", "manager",    "admin",    "cisco",  "snmp",     "snmpd",
      "default", "write",   "read",      "monitor",    "secret",   "0392a0", "ilmi",     "all",
      "test",    "guest",   "rmon",      "rmon_admin", "hp_admin", "tivoli", "openview", "system"};
  int64_t n = 0;
  for (const auto& f : frames) {
    for (std::string c : f.Values("snmp.community")) {
      for (char& ch : c) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      n += kDefaults.count(c) != 0;
    }
  }
  return n;
}

TEST(SnmpCompare, SystemGroupValuesMatchTshark) {
  namespace fs = std::filesystem;
  const fs::path dir = SharedPcaps() / "snmp";
  if (!fs::exists(dir) || std::system("tshark --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SKIPPED: " << dir << " or tshark not found; the SNMP values were not compared";
  }
  const fs::path tmp = fs::temp_directory_path() / ("qw-snmp-" + std::to_string(::getpid()));
  size_t compared = 0;
  int64_t default_messages = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".pcap") continue;
    SCOPED_TRACE(e.path().filename().string());
    bool ok = false;
    const std::string log =
        RunCommand(std::string(QW_BINARY) + " analyze " + Quote(e.path().string()) + " --out " +
                       Quote(tmp.string()) + " 2>&1",
                   &ok);
    ASSERT_TRUE(ok) << log;
    auto frames = Tshark(e.path(),
                         {"ip.src", "snmp.data", "snmp.error_status", "snmp.name",
                          "snmp.value.octets", "snmp.value.oid", "snmp.community"},
                         "", &ok);
    ASSERT_TRUE(ok);
    std::map<std::string, std::map<std::string, std::string>> ours;
    std::ifstream in(tmp / "assets.json");
    const auto assets = nlohmann::json::parse(in);
    for (const auto& a : assets) {
      if (!a.contains("identity_sources") || !a.contains("ips")) continue;
      for (const auto& [key, source] : a["identity_sources"].items()) {
        if (source != "snmp" || key == "vendor") continue;
        for (const auto& ip : a["ips"]) ours[ip.get<std::string>()][key] = a["identity"][key];
      }
    }
    const auto theirs = TsharkSystemGroup(frames);
    EXPECT_EQ(ours, theirs);
    std::ifstream summary_in(tmp / "summary.json");
    const auto summary = nlohmann::json::parse(summary_in);
    const int64_t defaults = summary.value("anomalies", nlohmann::json::object())
                                 .value("snmp.default_community", int64_t{0});
    EXPECT_EQ(defaults, TsharkDefaultCommunities(frames)) << "messages with a default community";
    default_messages += defaults;
    for (const auto& [ip, fields] : theirs) compared += fields.size();
  }
  fs::remove_all(tmp);
  EXPECT_GE(compared, 3u) << "snmpv1_get.pcap holds an agent's sysObjectID, sysName, sysLocation";
  EXPECT_GT(default_messages, 0) << "snmpv1_get.pcap and snmpv1_trap.pcap use \"public\"";
}

}  // namespace
}  // namespace qw::ics_compare
