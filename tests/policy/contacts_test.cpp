// Untrusted-supplier attribution and isolation, the watchlist and the data-sharing
// agreements: the policy engine's judgement of devices and of what hosts contacted.
#include <gtest/gtest.h>

#include "policy/evaluate.h"
#include "policy/findings.h"
#include "policy/zones.h"
#include "policy_test_util.h"

namespace qw::policy {
namespace {

using testing_util::Ip;
using testing_util::Load;
using testing_util::Mac;

std::vector<const Finding*> OfType(const std::vector<Finding>& all, const std::string& type) {
  std::vector<const Finding*> out;
  for (const auto& f : all) {
    if (f.type == type) out.push_back(&f);
  }
  return out;
}

TEST(SupplierMatches, WholeWordsIgnoringCaseWithStars) {
  EXPECT_TRUE(SupplierMatches("Hikvision", "Hangzhou Hikvision Digital Technology Co.,Ltd."));
  EXPECT_TRUE(SupplierMatches("hikvision", "HIKVISION"));
  EXPECT_TRUE(SupplierMatches("Nuctech", "NUCTECH COMPANY LIMITED"));
  EXPECT_TRUE(SupplierMatches("Huawei", "Huawei-3.0"));  // an SSH server banner
  EXPECT_FALSE(SupplierMatches("Huawei", "HuaweiCloud"));
  EXPECT_FALSE(SupplierMatches("Hikvision", "Hikvisionary Systems"));
  EXPECT_FALSE(SupplierMatches("ZPMC", "AZPMC"));
  EXPECT_TRUE(SupplierMatches("Shanghai Zhenhua*", "Shanghai Zhenhua Heavy Industries Co."));
  EXPECT_TRUE(SupplierMatches("Hik*", "Hangzhou Hikvision"));
  EXPECT_TRUE(SupplierMatches("*vision", "Hangzhou Hikvision Digital"));
  EXPECT_FALSE(SupplierMatches("Dahua", ""));
  EXPECT_FALSE(SupplierMatches("Dahua Technology", "Zhejiang Dahua"));
  EXPECT_TRUE(SupplierMatches("Co.,Ltd.", "Hangzhou Hikvision Digital Technology Co.,Ltd."));
}

TEST(DomainMatches, ExactNamesAndSubdomains) {
  EXPECT_TRUE(DomainMatches("logink.cn", "logink.cn"));
  EXPECT_TRUE(DomainMatches("LOGINK.cn.", "logink.cn"));
  EXPECT_FALSE(DomainMatches("logink.cn", "www.logink.cn"));
  EXPECT_TRUE(DomainMatches("*.logink.cn", "www.logink.cn"));
  EXPECT_TRUE(DomainMatches("*.logink.cn", "a.b.logink.cn"));
  EXPECT_FALSE(DomainMatches("*.logink.cn", "logink.cn"));
  EXPECT_FALSE(DomainMatches("*.logink.cn", "notlogink.cn"));
  EXPECT_EQ(model::CanonicalName("WWW.LogInk.CN."), "www.logink.cn");
  EXPECT_EQ(model::CanonicalName("pcs.example.org:8443"), "pcs.example.org");
  EXPECT_EQ(model::CanonicalName("[2001:db8::1]:80"), "2001:db8::1");
  EXPECT_EQ(model::CanonicalName("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(model::CanonicalName("."), "");
}

const char* kSite = R"(site: t
zones:
  - {name: it, kind: enterprise, subnets: [10.10.0.0/16]}
  - {name: ops, kind: operations, subnets: [10.20.0.0/16]}
  - {name: crane, kind: crane-control, subnets: [10.50.1.0/24], vlans: [501]}
  - {name: cams, kind: untrusted-supplier, subnets: [10.60.0.0/24], vlans: [60]}
suppliers:
  untrusted: [Hikvision, Huawei, ZPMC]
  devices:
    - {mac: "00:1b:1b:00:00:01", supplier: ZPMC}
    - {ip: 10.20.0.9, supplier: "Vendor X"}
watchlist:
  - {label: LOGINK, domains: ["logink.cn", "*.logink.cn"], ips: [203.0.113.0/28]}
data_sharing:
  - {party: PCS, endpoints: ["*.pcs.example.org", 198.51.100.0/24], from_zones: [ops]}
)";

TEST(JudgeSuppliers, AttributesByPolicyOuiAndIdentityAndJudgesIsolation) {
  Policy p = Load(kSite);
  ZoneMap zones(p);
  std::vector<model::Asset> assets(7);
  auto role = [](const char* r) { return model::AssetRole{r, "test"}; };
  // 0: a camera by its OUI, in its own zone: attributed, isolated.
  assets[0].mac = Mac("44:19:b6:00:00:01");
  assets[0].vendor = "Hangzhou Hikvision Digital Technology Co.,Ltd.";
  assets[0].ips = {Ip("10.60.0.10")};
  assets[0].vlans = {{60, 0}};
  assets[0].first_seen = {0, 3};
  // 1: a camera by its HTTP server string, on the crane VLAN: not isolated (zone and VLAN).
  assets[1].mac = Mac("00:00:00:00:00:11");
  assets[1].ips = {Ip("10.50.1.60")};
  assets[1].vlans = {{501, 0}};
  assets[1].identity["http_server"] = "Hikvision-Webs";
  assets[1].identity_sources["http_server"] = "http";
  assets[1].identity_evidence["http_server"] = {0, 42};
  assets[1].first_seen = {0, 7};
  // 2: the crane PLC, named by the policy's devices list by MAC.
  assets[2].mac = Mac("00:1b:1b:00:00:01");
  assets[2].ips = {Ip("10.50.1.10")};
  assets[2].vlans = {{501, 0}};
  assets[2].roles = {role("plc")};
  assets[2].first_seen = {0, 2};
  // 3: a host named by IP, in operations.
  assets[3].mac = Mac("00:00:00:00:00:13");
  assets[3].ips = {Ip("10.20.0.9")};
  assets[3].ip_activity[Ip("10.20.0.9")] = {{}, {}, {0, 12}};
  assets[3].first_seen = {0, 11};
  // 4: a user name that mentions a supplier is the operator's word, not the maker's.
  assets[4].mac = Mac("00:00:00:00:00:14");
  assets[4].ips = {Ip("10.10.0.5")};
  assets[4].identity["ntlm_user"] = "huawei";
  // 5: a server on the Internet with a matching identity: not a device of the site.
  assets[5].ips = {Ip("192.0.2.80")};
  assets[5].identity["http_server"] = "Huawei Cloud";
  // 6: unrelated.
  assets[6].mac = Mac("00:00:00:00:00:16");
  assets[6].vendor = "Siemens AG";
  assets[6].ips = {Ip("10.10.0.6")};
  FindingSet set;
  PlaceAssets(zones, assets, set);
  JudgeSuppliers(p, zones, assets, set);
  const auto all = set.Sorted();

  ASSERT_EQ(assets[0].untrusted_supplier.size(), 1u);
  EXPECT_EQ(assets[0].untrusted_supplier[0].by, "oui");
  EXPECT_EQ(assets[0].untrusted_supplier[0].supplier, "Hikvision");
  ASSERT_EQ(assets[1].untrusted_supplier.size(), 1u);
  EXPECT_EQ(assets[1].untrusted_supplier[0].by, "identity");
  EXPECT_EQ(assets[1].untrusted_supplier[0].field, "http_server");
  EXPECT_EQ(assets[1].untrusted_supplier[0].protocol, "http");
  EXPECT_EQ(assets[1].untrusted_supplier[0].evidence.frame, 42u);
  ASSERT_EQ(assets[2].untrusted_supplier.size(), 1u);
  EXPECT_EQ(assets[2].untrusted_supplier[0].by, "policy");
  EXPECT_EQ(assets[2].untrusted_supplier[0].field, "mac");
  ASSERT_EQ(assets[3].untrusted_supplier.size(), 1u);
  EXPECT_EQ(assets[3].untrusted_supplier[0].evidence.frame, 12u);  // the address's first frame
  EXPECT_TRUE(assets[4].untrusted_supplier.empty());
  EXPECT_TRUE(assets[5].untrusted_supplier.empty());
  EXPECT_TRUE(assets[6].untrusted_supplier.empty());

  const auto devices = OfType(all, "supplier.untrusted_device");
  ASSERT_EQ(devices.size(), 4u);
  for (const Finding* f : devices) EXPECT_EQ(f->severity, Severity::kInfo);
  EXPECT_EQ(devices[0]->frame, 2u);  // by first evidence: the PLC, the camera's OUI, ...
  EXPECT_EQ(devices[0]->detail.at("supplier"), "ZPMC");
  EXPECT_EQ(devices[1]->frame, 3u);
  EXPECT_EQ(devices[1]->title,
            "10.60.0.10 is attributed to the untrusted supplier Hikvision by its MAC's IEEE "
            "vendor \"Hangzhou Hikvision Digital Technology Co.,Ltd.\"");

  const auto loose = OfType(all, "supplier.untrusted_not_isolated");
  ASSERT_EQ(loose.size(), 3u);
  // The camera on the crane VLAN and the PLC in the crane zone are high; the ops host medium.
  EXPECT_EQ(loose[0]->severity, Severity::kHigh);
  EXPECT_EQ(loose[0]->src.ip, Ip("10.50.1.10"));
  EXPECT_EQ(loose[0]->detail.at("zones"), "crane (crane-control)");
  EXPECT_EQ(loose[1]->severity, Severity::kHigh);
  EXPECT_EQ(loose[1]->src.ip, Ip("10.50.1.60"));
  EXPECT_EQ(loose[1]->detail.at("shared_vlan"), "501");
  EXPECT_EQ(loose[1]->frame, 42u);
  EXPECT_EQ(loose[2]->severity, Severity::kMedium);
  EXPECT_EQ(loose[2]->src.ip, Ip("10.20.0.9"));
}

class ContactsTest : public testing::Test {
 protected:
  ContactsTest() : policy_(Load(kSite)), zones_(policy_), comms_({}, anomalies_) {}

  void Flow(const char* from, const char* to, uint16_t port, uint64_t frame) {
    testing_util::EndFlow(comms_, from, to, 6, port, nullptr, frame);
  }
  void Name(const char* via, const char* name, const char* client, const char* server,
            uint64_t frame) {
    comms_.OnName(via, name, Ip(client), {}, Ip(server), {}, core::Timestamp{}, 0, frame);
  }
  std::vector<Finding> Judge(const std::vector<model::Asset>& assets = {}) {
    FindingSet set;
    JudgeContacts(policy_, zones_, assets, comms_, set);
    return set.Sorted();
  }

  Policy policy_;
  ZoneMap zones_;
  core::Anomalies anomalies_;
  model::Communications comms_;
};

TEST_F(ContactsTest, WatchedNamesAndAddressesEachWay) {
  Name("dns", "WWW.LOGINK.CN.", "10.10.0.5", "10.10.0.53", 10);    // a lookup from IT
  Name("dns", "www.logink.cn", "10.10.0.5", "10.10.0.53", 30);     // the same again: folds
  Name("tls", "api.logink.cn", "10.50.1.20", "203.0.113.99", 11);  // from a crane: high
  Name("http", "logink.cn:8080", "10.20.0.7", "203.0.113.98", 12);
  Name("dns", "example.org", "10.10.0.5", "10.10.0.53", 13);  // not watched
  Flow("10.20.0.7", "203.0.113.5", 443, 14);                  // to a watched address
  Flow("203.0.113.6", "10.20.0.7", 22, 15);                   // from one
  Flow("10.20.0.7", "203.0.113.16", 443, 16);                 // just outside the /28
  const auto all = Judge();
  const auto hits = OfType(all, "watchlist.contact");
  ASSERT_EQ(hits.size(), 5u);
  EXPECT_EQ(hits[0]->severity, Severity::kHigh);
  EXPECT_EQ(hits[0]->frame, 11u);
  EXPECT_EQ(hits[0]->src.zone, "crane");
  EXPECT_EQ(hits[0]->protocol, "tls");
  EXPECT_EQ(hits[1]->frame, 10u);
  EXPECT_EQ(hits[1]->count, 2u);
  EXPECT_EQ(hits[1]->detail.at("name"), "www.logink.cn");
  EXPECT_EQ(hits[1]->detail.at("label"), "LOGINK");
  EXPECT_EQ(hits[1]->title, "10.10.0.5 (it) looked up www.logink.cn, on the watchlist as LOGINK");
  EXPECT_EQ(hits[2]->frame, 12u);
  EXPECT_EQ(hits[2]->detail.at("name"), "logink.cn");
  EXPECT_EQ(hits[3]->frame, 14u);
  EXPECT_EQ(hits[3]->detail.at("address"), "203.0.113.5");
  EXPECT_EQ(hits[4]->frame, 15u);
  EXPECT_EQ(hits[4]->src.ip, Ip("203.0.113.6"));
  EXPECT_EQ(hits[4]->detail.at("address"), "203.0.113.6");
}

TEST_F(ContactsTest, DataLeavesOnlyForTheEndpointsOfItsZonesAgreements) {
  std::vector<model::Asset> assets(1);
  assets[0].ips = {Ip("192.0.2.10")};
  assets[0].names = {{"tos.pcs.example.org", "dns"}};
  Flow("10.20.0.7", "192.0.2.10", 443, 10);    // named by a DNS answer: covered
  Flow("10.20.0.7", "198.51.100.4", 443, 11);  // by address: covered
  Name("tls", "edi.pcs.example.org", "10.20.0.7", "192.0.2.11", 12);
  Flow("10.20.0.7", "192.0.2.11", 443, 12);  // named by SNI: covered
  Flow("10.20.0.7", "192.0.2.12", 443, 13);  // nobody's: unlisted
  Flow("10.20.0.7", "192.0.2.12", 443, 20);  // again: folds
  Name("dns", "pcs.example.org", "10.20.0.7", "192.0.2.13", 14);
  Flow("10.20.0.7", "192.0.2.13", 53, 14);   // the resolver is not named by the question
  Flow("10.10.0.5", "192.0.2.12", 443, 15);  // IT has no agreement: not judged
  Flow("10.20.0.7", "10.10.0.5", 443, 16);   // inside the site: not leaving
  const auto all = Judge(assets);
  const auto out = OfType(all, "data_sharing.unlisted");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]->frame, 13u);
  EXPECT_EQ(out[0]->count, 2u);
  EXPECT_EQ(out[0]->severity, Severity::kMedium);
  EXPECT_EQ(out[0]->src.zone, "ops");
  EXPECT_EQ(out[0]->dst->zone, "external");
  EXPECT_EQ(out[0]->detail.at("destination"), "192.0.2.12");
  EXPECT_EQ(out[1]->frame, 14u);
}

}  // namespace
}  // namespace qw::policy
