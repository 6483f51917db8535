// Zone placement, finding folding, and the placement of assets with its findings.
#include "policy/zones.h"

#include <gtest/gtest.h>

#include "policy/evaluate.h"
#include "policy/findings.h"

namespace qw::policy {
namespace {

Policy Load(const std::string& text) {
  auto r = ParsePolicy(text, "site.yaml");
  EXPECT_TRUE(r.policy) << (r.errors.empty() ? "" : r.errors[0].Text());
  return r.policy ? *r.policy : Policy{};
}

core::IpAddr Ip(const char* s) { return *core::IpAddr::Parse(s); }

const char* kYard = R"(site: yard
zones:
  - {name: yard, kind: crane-auxiliary, subnets: [10.100.0.0/16], vlans: [200]}
  - {name: rtg-1, kind: crane-control, subnets: [10.100.1.0/27], inside: yard}
  - {name: rtg-1-drives, kind: crane-control, subnets: [10.100.1.0/27], vlans: [200], inside: rtg-1}
  - {name: office, kind: enterprise, subnets: [192.168.0.0/16, "2001:db8::/32"]}
)";

TEST(ZoneMap, PlacesAnAddressInTheMostSpecificZone) {
  Policy p = Load(kYard);
  ZoneMap zones(p);
  EXPECT_EQ(zones.Of(Ip("10.100.7.9")), "yard");
  // Same /27 in two nested zones: the one declared deeper wins.
  EXPECT_EQ(zones.Of(Ip("10.100.1.5")), "rtg-1-drives");
  EXPECT_EQ(zones.Of(Ip("10.100.1.40")), "yard");
  EXPECT_EQ(zones.Of(Ip("2001:db8::1")), "office");
  EXPECT_EQ(zones.Of(Ip("192.168.4.4")), "office");
  // Public outside every zone: external. Private outside every zone: unassigned.
  EXPECT_EQ(zones.Of(Ip("198.51.100.7")), kExternalZone);
  EXPECT_EQ(zones.Of(Ip("2001:4860::8888")), kExternalZone);
  EXPECT_EQ(zones.Of(Ip("172.16.0.9")), "");
  EXPECT_TRUE(zones.Unassigned(Ip("172.16.0.9")));
  EXPECT_TRUE(zones.Unassigned(Ip("fd00::9")));
  EXPECT_FALSE(zones.Unassigned(Ip("198.51.100.7")));
  // Not a device's address: neither placed nor unassigned.
  for (const char* s : {"0.0.0.0", "255.255.255.255", "224.0.0.251", "ff02::1"}) {
    EXPECT_EQ(zones.Of(Ip(s)), "") << s;
    EXPECT_FALSE(zones.Unassigned(Ip(s))) << s;
  }
  // Without IP, by VLAN: the deepest zone listing it.
  EXPECT_EQ(zones.OfVlan(200), "rtg-1-drives");
  EXPECT_EQ(zones.OfVlan(201), "");
  ASSERT_NE(zones.Find("rtg-1"), nullptr);
  EXPECT_EQ(zones.Find("rtg-1")->kind, ZoneKind::kCraneControl);
}

TEST(FindingSet, IdenticalFindingsFoldWithCountAndTimes) {
  FindingSet set;
  auto make = [](int64_t ts_s, uint64_t frame, const char* address) {
    Finding f;
    f.type = "segmentation.unassigned_address";
    f.severity = Severity::kMedium;
    f.src.ip = Ip(address);
    f.detail["address"] = address;
    f.first_ts = f.last_ts = core::Timestamp{ts_s * 1'000'000'000};
    f.frame = frame;
    return f;
  };
  set.Add(make(20, 9, "172.16.0.9"));
  set.Add(make(10, 4, "172.16.0.9"));
  set.Add(make(30, 12, "172.16.0.9"));
  set.Add(make(15, 2, "172.16.0.10"));
  Finding high = make(5, 50, "172.16.0.11");
  high.type = "segmentation.unallowed_flow";
  high.severity = Severity::kHigh;
  set.Add(high);
  auto all = set.Sorted();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].type, "segmentation.unallowed_flow");  // highest severity first
  EXPECT_EQ(all[1].detail.at("address"), "172.16.0.10");  // then by first evidence
  const Finding& folded = all[2];
  EXPECT_EQ(folded.count, 3u);
  EXPECT_EQ(folded.first_ts.ns, int64_t{10'000'000'000});
  EXPECT_EQ(folded.last_ts.ns, int64_t{30'000'000'000});
  EXPECT_EQ(folded.frame, 4u);
  EXPECT_EQ(set.CountsBySeverity(), (std::map<std::string, uint64_t>{{"high", 1}, {"medium", 2}}));
  EXPECT_EQ(ParseSeverity("critical"), Severity::kCritical);
  EXPECT_FALSE(ParseSeverity("urgent"));
}

TEST(PlaceAssets, ZonesForEveryAssetAndAFindingPerUnassignedAddress) {
  Policy p = Load(kYard);
  ZoneMap zones(p);
  std::vector<model::Asset> assets(3);
  // A crane PLC, also holding an address no zone holds (heard at frame 77).
  assets[0].mac = core::MacAddr::Parse("00:1b:1b:00:00:01");
  assets[0].ips = {Ip("10.100.1.5"), Ip("172.16.0.9")};
  assets[0].first_seen = {0, 3};
  assets[0].ip_activity[Ip("172.16.0.9")] = {core::Timestamp{7}, core::Timestamp{9}, {0, 77}};
  assets[0].vlans = {{200, 0}};
  // A PROFINET device without IP, placed by its VLAN.
  assets[1].mac = core::MacAddr::Parse("00:0e:8c:00:00:02");
  assets[1].vlans = {{200, 0}};
  // A public server.
  assets[2].ips = {Ip("198.51.100.7")};
  FindingSet findings;
  PlaceAssets(zones, assets, findings);
  EXPECT_EQ(assets[0].zones, std::vector<std::string>{"rtg-1-drives"});
  EXPECT_EQ(assets[1].zones, std::vector<std::string>{"rtg-1-drives"});
  EXPECT_EQ(assets[2].zones, std::vector<std::string>{"external"});
  auto all = findings.Sorted();
  ASSERT_EQ(all.size(), 1u);
  const Finding& f = all[0];
  EXPECT_EQ(f.type, "segmentation.unassigned_address");
  EXPECT_EQ(f.severity, Severity::kMedium);
  EXPECT_EQ(f.src.ip, Ip("172.16.0.9"));
  EXPECT_EQ(f.src.mac, assets[0].mac);
  EXPECT_EQ(f.frame, 77u);  // the address's own first frame, not the device's
  EXPECT_EQ(f.first_ts.ns, 7);
  EXPECT_EQ(f.vlan, 200);
  EXPECT_FALSE(f.dst);
  EXPECT_EQ(f.advisory, AdvisoryOf(f.type));
  EXPECT_FALSE(f.advisory.empty());
}

}  // namespace
}  // namespace qw::policy
