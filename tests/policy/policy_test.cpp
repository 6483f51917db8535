// The site policy loader: the shipped examples load whole; each kind of mistake is one
// error with its line, column and field; a policy with an error is never returned.
#include "policy/policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "dissect/tls/tls_parser.h"

namespace qw::policy {
namespace {

const std::filesystem::path kExamples = std::filesystem::path(QW_SOURCE_DIR) / "examples";

// The errors of `text` as "line:column field: message" lines, for compact expectations.
std::vector<std::string> Errors(const std::string& text) {
  auto r = ParsePolicy(text, "site.yaml");
  EXPECT_EQ(r.policy.has_value(), r.errors.empty());
  std::vector<std::string> out;
  for (const auto& e : r.errors) {
    out.push_back(std::to_string(e.line) + ":" + std::to_string(e.column) + " " + e.field + ": " +
                  e.message);
  }
  return out;
}

const char* kMinimal = R"(site: "Berth 3"
zones:
  - {name: it, kind: enterprise, subnets: [10.10.0.0/16], vlans: [10]}
  - {name: crane, kind: crane-control, subnets: [10.50.1.0/24], vlans: [501]}
)";

TEST(Policy, ShippedExamplesLoadWhole) {
  for (const char* name : {"sts-crane-terminal.yaml", "rtg-yard.yaml"}) {
    auto r = LoadPolicy((kExamples / name).string());
    ASSERT_TRUE(r.policy) << name << ": " << (r.errors.empty() ? "" : r.errors[0].Text());
    EXPECT_FALSE(r.policy->site.empty());
    EXPECT_GE(r.policy->zones.size(), 5u) << name;
    EXPECT_GE(r.policy->conduits.size(), 5u) << name;
  }
  auto sts = LoadPolicy((kExamples / "sts-crane-terminal.yaml").string());
  ASSERT_TRUE(sts.policy);
  const Zone* crane = sts.policy->FindZone("crane-3");
  ASSERT_NE(crane, nullptr);
  EXPECT_EQ(crane->kind, ZoneKind::kCraneControl);
  EXPECT_TRUE(crane->subnets.at(0).Contains(*core::IpAddr::Parse("10.50.3.10")));
  EXPECT_FALSE(crane->subnets.at(0).Contains(*core::IpAddr::Parse("10.50.4.10")));
  EXPECT_EQ(crane->vlans, std::vector<uint16_t>{503});
  const Conduit& first = sts.policy->conduits.at(0);
  EXPECT_EQ(first.from, "rcms");
  EXPECT_EQ(first.to, "crane-1");
  EXPECT_EQ(first.allow, uint32_t{kAllowWrites | kAllowProgramChanges});
  EXPECT_EQ(first.services.at(0).protocol, "s7comm");
  const auto& rtg = LoadPolicy((kExamples / "rtg-yard.yaml").string());
  ASSERT_TRUE(rtg.policy);
  EXPECT_EQ(rtg.policy->FindZone("rtg-02")->inside, "yard-wireless");
}

TEST(Policy, MinimalPolicyLoads) {
  auto r = ParsePolicy(kMinimal, "site.yaml");
  ASSERT_TRUE(r.policy);
  EXPECT_EQ(r.policy->site, "Berth 3");
  EXPECT_EQ(r.policy->zones.size(), 2u);
  EXPECT_TRUE(r.policy->conduits.empty());
}

TEST(Policy, UnknownKeysAreErrorsWithTheirPlace) {
  EXPECT_EQ(Errors(std::string(kMinimal) + "conduit: []\n"),
            std::vector<std::string>{"5:1 conduit: unknown key (expected one of: site, zones, "
                                     "conduits, suppliers, watchlist, data_sharing)"});
  EXPECT_EQ(Errors("site: x\nzones:\n  - name: a\n    kind: dmz\n    vlans: [1]\n    colour: "
                   "red\n"),
            std::vector<std::string>{"6:5 zones[0].colour: unknown key (expected one of: name, "
                                     "kind, subnets, vlans, inside, description)"});
}

TEST(Policy, ZoneNamesAreUniqueAndKindsKnown) {
  auto e = Errors(
      "site: x\nzones:\n  - {name: a, kind: dmz, vlans: [1]}\n  - {name: a, kind: office, "
      "vlans: [2]}\n  - {name: external, kind: dmz, vlans: [3]}\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0], "4:12 zones[1].name: zone 'a' is already defined at line 3");
  EXPECT_EQ(e[1].substr(0, 36), "4:21 zones[1].kind: unknown kind 'of");
  EXPECT_EQ(e[2].substr(0, 21), "5:12 zones[2].name: '");
}

TEST(Policy, SubnetsAndVlansParse) {
  auto e = Errors(
      "site: x\nzones:\n  - name: a\n    kind: dmz\n    subnets: [10.0.0.0/33, 10.0.0.7/24, "
      "fd00::/8, 10.1.0.0/16]\n    vlans: [0, 4095, x, 7]\n");
  ASSERT_EQ(e.size(), 5u) << e[0];
  EXPECT_EQ(e[0].substr(0, 26), "5:15 zones[0].subnets[0]: ");
  EXPECT_EQ(e[1].substr(0, 26), "5:28 zones[0].subnets[1]: ");
  EXPECT_EQ(e[2], "6:13 zones[0].vlans[0]: a VLAN is a number from 1 to 4094");
  EXPECT_EQ(e[3].substr(0, 23), "6:16 zones[0].vlans[1]:");
  EXPECT_EQ(e[4].substr(0, 23), "6:22 zones[0].vlans[2]:");
  auto s = Subnet::Parse("fd00::/8");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->Contains(*core::IpAddr::Parse("fd12::1")));
  EXPECT_FALSE(s->Contains(*core::IpAddr::Parse("fe80::1")));
  EXPECT_FALSE(s->Contains(*core::IpAddr::Parse("10.0.0.1")));
  EXPECT_EQ(Subnet::Parse("10.50.1.9")->prefix, 32);
}

TEST(Policy, AnAddressSitsInOneZoneUnlessTheZonesAreNested) {
  const std::string zones =
      "site: x\nzones:\n  - {name: yard, kind: crane-auxiliary, subnets: [10.100.0.0/16]}\n"
      "  - {name: rtg, kind: crane-control, subnets: [10.100.1.0/27]";
  auto e = Errors(zones + "}\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0],
            "4:5 zones[1].subnets: 10.100.1.0/27 overlaps 10.100.0.0/16 of zone 'yard'; declare "
            "one zone inside the other (inside: NAME) if that is meant");
  EXPECT_TRUE(Errors(zones + ", inside: yard}\n").empty());
  // Nesting names a zone that exists, and never loops.
  auto dock = Errors(zones + ", inside: dock}\n");
  EXPECT_NE(std::find(dock.begin(), dock.end(), "4:72 zones[1].inside: no zone is named 'dock'"),
            dock.end());
  auto loop = Errors(
      "site: x\nzones:\n  - {name: a, kind: dmz, vlans: [1], inside: b}\n  - {name: b, kind: "
      "dmz, vlans: [2], inside: a}\n");
  ASSERT_EQ(loop.size(), 2u);
  EXPECT_NE(loop[0].find("inside itself"), std::string::npos);
  // One VLAN in two zones is the same mistake.
  auto vlan = Errors(
      "site: x\nzones:\n  - {name: a, kind: dmz, vlans: [7]}\n  - {name: b, kind: dmz, vlans: "
      "[8, 7]}\n");
  ASSERT_EQ(vlan.size(), 1u);
  EXPECT_NE(vlan[0].find("VLAN 7 is also in zone 'a'"), std::string::npos);
}

TEST(Policy, ConduitsNameZonesAndKnownServices) {
  auto e = Errors(std::string(kMinimal) +
                  "conduits:\n"
                  "  - from: it\n    to: crane\n    services: [s7comm, tcp/102, udp/1024-65535, "
                  "any]\n    allow: [writes, program-changes]\n"
                  "  - from: external\n    to: dock\n    services: [sftp, tcp/0, udp/9-1, "
                  "tcp/70000]\n    allow: [everything]\n"
                  "  - {from: it, to: it, services: [dns]}\n"
                  "  - {from: it, to: crane}\n");
  ASSERT_EQ(e.size(), 8u) << e[0];
  EXPECT_EQ(e[0], "11:9 conduits[1].to: no zone is named 'dock' (nor is it 'external')");
  EXPECT_EQ(e[1].substr(0, 50), "12:16 conduits[1].services[0]: unknown service 'sf");
  EXPECT_EQ(e[2].substr(0, 30), "12:22 conduits[1].services[1]:");
  EXPECT_EQ(e[3].substr(0, 30), "12:29 conduits[1].services[2]:");
  EXPECT_EQ(e[4].substr(0, 30), "12:38 conduits[1].services[3]:");
  EXPECT_EQ(e[5].substr(0, 47), "13:13 conduits[1].allow[0]: unknown allowance '");
  EXPECT_EQ(e[6].substr(0, 47), "14:20 conduits[2].to: from and to are the same ");
  EXPECT_EQ(e[7], "15:5 conduits[3]: a conduit needs 'services' (names, tcp/N, udp/N, or [any])");
  auto ok = ParsePolicy(std::string(kMinimal) +
                            "conduits:\n  - {from: it, to: crane, services: [modbus, "
                            "udp/1024-65535]}\n",
                        "site.yaml");
  ASSERT_TRUE(ok.policy);
  const Service& range = ok.policy->conduits.at(0).services.at(1);
  EXPECT_EQ(range.transport, 17);
  EXPECT_EQ(range.first_port, 1024);
  EXPECT_EQ(range.last_port, 65535);
}

TEST(Policy, SuppliersWatchlistAndDataSharingAreChecked) {
  auto e = Errors(std::string(kMinimal) +
                  "suppliers:\n  untrusted: [Nuctech, '*', 'Shanghai Zhenhua*']\n  devices:\n"
                  "    - {mac: '00:1b:1b:00:00:01', supplier: ZPMC}\n"
                  "    - {mac: 'zz', ip: 10.0.0.1, supplier: X}\n"
                  "    - {ip: 10.0.0.300}\n"
                  "watchlist:\n  - {label: LOGINK, domains: ['logink.cn', '*.logink.cn', "
                  "'bad..cn'], ips: [203.0.113.0/24]}\n  - {label: empty}\n"
                  "data_sharing:\n  - {party: PCS, endpoints: ['pcs.example.org', "
                  "198.51.100.0/24, 'a b'], from_zones: [it, nope]}\n");
  ASSERT_EQ(e.size(), 9u) << e[0];
  EXPECT_EQ(e[0].substr(0, 29), "6:24 suppliers.untrusted[1]: ");
  EXPECT_EQ(e[1], "9:7 suppliers.devices[1]: give the device's mac or its ip, not both");
  EXPECT_EQ(e[2], "9:13 suppliers.devices[1].mac: 'zz' is not a MAC address");
  EXPECT_EQ(e[3], "10:7 suppliers.devices[2]: a device needs its supplier");
  EXPECT_EQ(e[4], "10:12 suppliers.devices[2].ip: '10.0.0.300' is not an IP address");
  EXPECT_EQ(e[5].substr(0, 28), "12:59 watchlist[0].domains[2");
  EXPECT_EQ(e[6], "13:5 watchlist[1]: a watchlist entry needs domains or ips to watch for");
  EXPECT_EQ(e[7].substr(0, 33), "15:66 data_sharing[0].endpoints[2");
  EXPECT_EQ(e[8], "15:91 data_sharing[0].from_zones[1]: no zone is named 'nope'");
  EXPECT_TRUE(DomainPatternValid("*.logink.cn"));
  EXPECT_TRUE(DomainPatternValid("tcs.example.org."));
  EXPECT_FALSE(DomainPatternValid("-bad.example"));
  EXPECT_FALSE(DomainPatternValid("*."));
  EXPECT_FALSE(DomainPatternValid(std::string(64, 'a') + ".cn"));
}

TEST(Policy, WhatIsNotAPolicySaysSoOnce) {
  auto bad_yaml = ParsePolicy("zones: [\n", "site.yaml");
  ASSERT_EQ(bad_yaml.errors.size(), 1u);
  EXPECT_EQ(bad_yaml.errors[0].Text().substr(0, 28), "site.yaml:2:1: not valid YAM");
  EXPECT_EQ(Errors(""), std::vector<std::string>{"0:0 : empty: a policy needs at least 'site' "
                                                 "and 'zones'"});
  EXPECT_EQ(Errors("- a\n- b\n"),
            std::vector<std::string>{"1:1 : expected a mapping (key: value lines)"});
  EXPECT_EQ(Errors("site: x\n"),
            std::vector<std::string>{"1:1 zones: missing: a policy places addresses in zones"});
  auto missing = LoadPolicy("/nonexistent/site.yaml");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].Text(),
            "/nonexistent/site.yaml: cannot open: No such file or directory");
  // A folder is not read as an empty policy.
  auto folder = LoadPolicy(::testing::TempDir());
  ASSERT_EQ(folder.errors.size(), 1u);
  EXPECT_EQ(folder.errors[0].Text(), ::testing::TempDir() + ": not a regular file");
}

TEST(Policy, EveryKnownServiceNamesADissectorOrAny) {
  for (const auto& s : KnownServices()) {
    EXPECT_EQ(std::string(s.protocol).empty(), std::string(s.name) == "any") << s.name;
    auto r = ParsePolicy(std::string(kMinimal) + "conduits:\n  - {from: it, to: crane, " +
                             "services: [" + s.name + "]}\n",
                         "site.yaml");
    EXPECT_TRUE(r.policy) << s.name;
  }
}

// Each remote-support platform the TLS dissector names is a service, once, so that a conduit
// can admit its sessions.
TEST(Policy, EveryRemoteAccessPlatformIsAServiceOnce) {
  const auto platforms = dissect::tls::RemoteAccessPlatforms();
  EXPECT_GE(platforms.size(), 25u);
  for (const char* tool : platforms) {
    size_t n = 0;
    for (const auto& s : KnownServices()) {
      if (std::string_view(s.name) == tool) {
        ++n;
        EXPECT_STREQ(s.protocol, tool);
      }
    }
    EXPECT_EQ(n, 1u) << tool;
  }
}

// The README lists every service name a conduit may use (issue 5 asks for the list).
TEST(Policy, ReadmeListsEveryServiceName) {
  std::ifstream in(std::filesystem::path(QW_SOURCE_DIR) / "README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string readme = ss.str();
  const size_t table = readme.find("| service | what | usual ports |");
  ASSERT_NE(table, std::string::npos);
  const std::string rows = readme.substr(table, readme.find("\n\n", table) - table);
  for (const auto& s : KnownServices()) {
    EXPECT_NE(rows.find("`" + std::string(s.name) + "`"), std::string::npos) << s.name;
  }
}

}  // namespace
}  // namespace qw::policy
