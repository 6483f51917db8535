// Zone placement, finding folding, and the placement of assets with its findings.
#include "policy/zones.h"

#include <gtest/gtest.h>

#include "policy/evaluate.h"
#include "policy/findings.h"
#include "policy_test_util.h"

namespace qw::policy {
namespace {

using testing_util::Ip;
using testing_util::Load;

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

namespace qw::policy {
namespace {

const char* kTerminal = R"(site: t
zones:
  - {name: it, kind: enterprise, subnets: [10.10.0.0/16]}
  - {name: rcms, kind: crane-management, subnets: [10.40.0.0/24]}
  - {name: crane, kind: crane-control, subnets: [10.50.1.0/24]}
  - {name: jump, kind: remote-access, subnets: [10.30.0.0/28]}
  - {name: staging, kind: secure-transfer, subnets: [10.30.0.16/28]}
conduits:
  - {from: rcms, to: crane, services: [s7comm, modbus], allow: [writes, program-changes]}
  - {from: it, to: rcms, services: [tcp/8000-8099]}
  - {from: jump, to: rcms, services: [rdp], allow: [remote-access]}
)";

struct Judged {
  std::vector<Finding> all;
  const Finding* Of(const std::string& type, size_t n = 0) const {
    for (const auto& f : all) {
      if (f.type == type && n-- == 0) return &f;
    }
    return nullptr;
  }
  size_t Count(const std::string& type) const {
    size_t n = 0;
    for (const auto& f : all) n += f.type == type;
    return n;
  }
};

class JudgeTest : public testing::Test {
 protected:
  JudgeTest() : policy_(Load(kTerminal)), zones_(policy_), comms_({}, anomalies_) {}

  void Flow(const char* from, const char* to, uint16_t port, const char* protocol, uint64_t frame) {
    testing_util::EndFlow(comms_, from, to, 6, port, protocol, frame);
  }
  void Op(const char* from, const char* to, dissect::IcsCategory category, const char* function,
          const char* target, uint64_t frame) {
    dissect::IcsOperation op;
    op.protocol = "s7comm";
    op.function = function;
    op.category = category;
    op.target.Append(target);
    op.where.requester_ip = Ip(from);
    op.where.device_ip = Ip(to);
    op.where.device_port = 102;
    op.request_frame = frame;
    comms_.OnIcsOperation(op);
  }
  Judged Judge() {
    FindingSet set;
    JudgeCommunications(policy_, zones_, comms_, set);
    return {set.Sorted()};
  }

  Policy policy_;
  ZoneMap zones_;
  core::Anomalies anomalies_;
  model::Communications comms_;
};

TEST_F(JudgeTest, FlowsAcrossZonesNeedAConduitThatAdmitsTheService) {
  Flow("10.40.0.5", "10.50.1.10", 102, "s7comm", 10);     // allowed by name
  Flow("10.10.0.7", "10.40.0.9", 8080, nullptr, 11);      // allowed by port range
  Flow("10.50.1.10", "10.50.1.11", 502, "modbus", 12);    // inside one zone
  Flow("10.10.0.7", "10.40.0.9", 8100, nullptr, 13);      // port outside the range
  Flow("10.10.0.7", "10.50.1.10", 102, "s7comm", 14);     // no conduit it -> crane
  Flow("10.10.0.7", "10.50.1.10", 102, "s7comm", 40);     // the same conversation again
  Flow("198.51.100.9", "10.50.1.10", 502, "modbus", 15);  // from the internet into a crane
  Flow("10.40.0.5", "10.50.1.10", 22, "ssh", 16);         // a service the conduit lacks
  Flow("172.16.0.1", "10.50.1.10", 502, "modbus", 17);    // unassigned: not judged here
  Judged j = Judge();
  ASSERT_EQ(j.Count("segmentation.unallowed_flow"), 4u);
  const Finding* critical = j.Of("segmentation.unallowed_flow", 0);
  EXPECT_EQ(critical->severity, Severity::kCritical);
  EXPECT_EQ(critical->src.zone, "external");
  EXPECT_EQ(critical->frame, 15u);
  // Then by first frame among the high ones: into crane-management counts as a crane zone.
  const Finding* port = j.Of("segmentation.unallowed_flow", 1);
  EXPECT_EQ(port->severity, Severity::kHigh);
  EXPECT_EQ(port->title, "tcp/8100 from 10.10.0.7 (it) to 10.40.0.9 (rcms): no conduit allows it");
  const Finding* it_to_crane = j.Of("segmentation.unallowed_flow", 2);
  EXPECT_EQ(it_to_crane->severity, Severity::kHigh);
  EXPECT_EQ(it_to_crane->count, 2u);
  EXPECT_EQ(it_to_crane->frame, 14u);
  EXPECT_EQ(it_to_crane->dst->zone, "crane");
  EXPECT_EQ(it_to_crane->dst->port, 102);
  EXPECT_EQ(it_to_crane->detail.at("service"), "tcp/102");
  EXPECT_EQ(it_to_crane->protocol, "s7comm");
  EXPECT_EQ(j.Of("segmentation.unallowed_flow", 3)->protocol, "ssh");
}

// A TFTP request and the data connection its server opens back: the request is judged,
// the data connection goes with it.
TEST_F(JudgeTest, TftpDataConnectionsGoWithTheirRequest) {
  // The write request, into a crane, and the server's answers from its new port.
  testing_util::EndFlow(comms_, "10.10.0.7", "10.50.1.2", 17, 69, "tftp", 10);
  testing_util::EndFlow(comms_, "10.50.1.2", "10.10.0.7", 17, 50123, "tftp", 11);
  Judged j = Judge();
  ASSERT_EQ(j.Count("segmentation.unallowed_flow"), 1u);
  EXPECT_EQ(j.Of("segmentation.unallowed_flow")->frame, 10u);
  EXPECT_EQ(j.Of("segmentation.unallowed_flow")->dst->port, 69);
}

TEST_F(JudgeTest, WritesAndChangesNeedAConduitThatAllowsThem) {
  using C = dissect::IcsCategory;
  Op("10.40.0.5", "10.50.1.10", C::kWrite, "write-var", "DB1", 10);          // conduit allows
  Op("10.50.1.20", "10.50.1.10", C::kWrite, "write-var", "DB1", 11);         // inside a zone
  Op("10.10.0.7", "10.50.1.10", C::kWrite, "write-var", "DB1", 12);          // from IT
  Op("10.10.0.7", "10.50.1.10", C::kWrite, "write-var", "DB2", 30);          // same function
  Op("10.40.0.5", "10.50.1.10", C::kProgramChange, "download", "OB1", 13);   // conduit allows
  Op("10.50.1.20", "10.50.1.10", C::kProgramChange, "download", "OB1", 14);  // same crane zone
  Op("10.40.0.5", "10.40.0.6", C::kProgramChange, "download", "OB2", 15);    // same mgmt zone
  Op("10.10.0.7", "10.50.1.10", C::kControllerState, "plc-stop", "", 16);    // from IT
  Op("10.10.0.7", "10.50.1.10", C::kRead, "read-var", "DB1", 17);            // reads: never
  Judged j = Judge();
  ASSERT_EQ(j.Count("ics.write"), 1u);
  EXPECT_EQ(j.Of("ics.write")->count, 2u);  // folded by function, not register
  EXPECT_EQ(j.Of("ics.write")->severity, Severity::kHigh);
  EXPECT_EQ(j.Of("ics.write")->frame, 12u);
  ASSERT_EQ(j.Count("ics.program_change"), 1u);
  EXPECT_EQ(j.Of("ics.program_change")->frame, 14u);
  EXPECT_EQ(j.Of("ics.program_change")->detail.at("target"), "OB1");
  ASSERT_EQ(j.Count("ics.controller_state"), 1u);
  EXPECT_EQ(j.Of("ics.controller_state")->title,
            "s7comm plc-stop to 10.50.1.10 (crane) from 10.10.0.7 (it)");
}

TEST_F(JudgeTest, RemoteAccessAndFilesComeThroughTheirZones) {
  auto session = [&](const char* client, const char* server, const char* tool, uint64_t frame) {
    dissect::RemoteAccessObservation r;
    r.tool = tool;
    r.client_ip = Ip(client);
    r.server_ip = Ip(server);
    r.server_port = 3389;
    r.frame = frame;
    comms_.OnRemoteAccess(r);
  };
  session("10.30.0.2", "10.40.0.5", "rdp", 10);     // jump host -> RCMS: conduit allows
  session("10.30.0.2", "10.50.1.10", "vnc", 11);    // jump host -> crane: from remote-access
  session("10.10.0.7", "10.50.1.10", "vnc", 12);    // IT -> crane: unapproved
  session("198.51.100.9", "10.10.0.7", "rdp", 13);  // internet -> IT: unapproved
  session("10.10.0.7", "10.10.0.8", "rdp", 14);     // inside IT: not a crane zone
  auto file = [&](const char* client, const char* server, bool upload, uint64_t frame) {
    dissect::FileTransferObservation t;
    t.protocol = "smb2";
    t.client_ip = Ip(client);
    t.server_ip = Ip(server);
    t.server_port = 445;
    t.upload = upload;
    t.frame = frame;
    comms_.OnFileTransfer(t);
  };
  file("10.30.0.20", "10.40.0.5", true, 20);  // staging -> RCMS: the secure path
  file("10.10.0.7", "10.40.0.5", true, 21);   // IT uploads into RCMS: unapproved
  file("10.40.0.5", "10.10.0.7", false, 22);  // RCMS downloads from IT: into RCMS too
  file("10.40.0.5", "10.10.0.7", true, 23);   // RCMS uploads to IT: leaving, not entering
  Judged j = Judge();
  ASSERT_EQ(j.Count("remote_access.unapproved"), 2u);
  EXPECT_EQ(j.Of("remote_access.unapproved", 0)->frame, 12u);
  EXPECT_EQ(j.Of("remote_access.unapproved", 1)->frame, 13u);
  ASSERT_EQ(j.Count("file_transfer.unapproved"), 2u);
  EXPECT_EQ(j.Of("file_transfer.unapproved", 0)->frame, 21u);
  EXPECT_EQ(j.Of("file_transfer.unapproved", 1)->frame, 22u);
  EXPECT_EQ(j.Of("file_transfer.unapproved", 1)->detail.at("direction"), "download");
}

// A remote-support platform's client reaches out to the platform's relay, through which the
// platform's users control it, and a VPN client joins the network at the far end: from a
// crane zone either is remote access into the crane from outside, whichever way the
// connection was opened. A tool that connects directly is judged
// by where it goes, and a conduit that allows the platform admits it.
TEST(JudgeCommunications, PlatformRelaysReachIntoTheCraneHostsThatCallThem) {
  Policy p = Load(R"(site: t
zones:
  - {name: it, kind: enterprise, subnets: [10.10.0.0/16]}
  - {name: rcms, kind: crane-management, subnets: [10.40.0.0/24]}
  - {name: crane, kind: crane-control, subnets: [10.50.1.0/24]}
conduits:
  - {from: rcms, to: external, services: [ewon-talk2m], allow: [remote-access]}
)");
  ZoneMap zones(p);
  core::Anomalies anomalies;
  model::Communications comms({}, anomalies);
  auto session = [&](const char* client, const char* server, const char* tool, uint64_t frame) {
    dissect::RemoteAccessObservation r;
    r.tool = tool;
    r.client_ip = Ip(client);
    r.server_ip = Ip(server);
    r.transport = 6;
    r.server_port = 443;
    r.frame = frame;
    comms.OnRemoteAccess(r);
  };
  session("10.50.1.10", "203.0.113.5", "anydesk", 10);     // crane PC -> AnyDesk relay
  session("10.40.0.5", "203.0.113.6", "splashtop", 11);    // RCMS -> Splashtop relay
  session("10.10.0.7", "203.0.113.5", "teamviewer", 12);   // IT -> TeamViewer: not a crane
  session("10.50.1.10", "203.0.113.7", "ssh", 13);         // crane -> internet over SSH: out
  session("10.40.0.5", "203.0.113.8", "ewon-talk2m", 14);  // the conduit allows this one
  session("10.40.0.6", "203.0.113.9", "openvpn", 15);      // RCMS -> a VPN server outside
  session("10.50.1.11", "203.0.113.10", "ike", 16);        // crane -> an IPsec peer outside
  session("10.10.0.9", "203.0.113.10", "ike", 17);         // IT -> the same: not a crane
  FindingSet set;
  JudgeCommunications(p, zones, comms, set);
  std::vector<Finding> all = set.Sorted();
  std::vector<const Finding*> remote;
  for (const auto& f : all) {
    if (f.type == "remote_access.unapproved") remote.push_back(&f);
  }
  ASSERT_EQ(remote.size(), 4u);
  EXPECT_EQ(remote[0]->frame, 10u);
  EXPECT_EQ(remote[0]->severity, Severity::kCritical);
  EXPECT_EQ(remote[0]->title,
            "anydesk session from 10.50.1.10 (crane) to 203.0.113.5 (external), the platform's "
            "relay: the crane host can be controlled from outside");
  EXPECT_EQ(remote[0]->detail.at("path"), "platform relay");
  EXPECT_EQ(remote[1]->frame, 11u);
  EXPECT_EQ(remote[1]->protocol, "splashtop");
  EXPECT_EQ(remote[2]->frame, 15u);
  EXPECT_EQ(remote[2]->severity, Severity::kCritical);
  EXPECT_EQ(remote[2]->title,
            "openvpn session from 10.40.0.6 (rcms) to 203.0.113.9 (external), a VPN server: the "
            "crane host joins a network outside");
  EXPECT_EQ(remote[2]->detail.at("path"), "vpn");
  EXPECT_EQ(remote[3]->frame, 16u);
  EXPECT_EQ(remote[3]->protocol, "ike");
}

// Port forms judge acts by their transport: a UDP write or transfer matches udp/N only.
TEST(JudgeCommunications, PortFormsMatchTheTransportOfTheAct) {
  Policy p = Load(R"(site: t
zones:
  - {name: bms, kind: operations, subnets: [10.20.0.0/16]}
  - {name: crane, kind: crane-control, subnets: [10.50.1.0/24]}
conduits:
  - {from: bms, to: crane, services: [udp/47808, tcp/69], allow: [writes, file-transfer]}
)");
  ZoneMap zones(p);
  core::Anomalies anomalies;
  model::Communications comms({}, anomalies);
  auto write = [&](uint8_t transport, uint16_t port, uint64_t frame) {
    dissect::IcsOperation op;
    op.protocol = "bacnet";
    op.function = "write-property";
    op.category = dissect::IcsCategory::kWrite;
    op.where.requester_ip = Ip("10.20.0.5");
    op.where.device_ip = Ip("10.50.1.10");
    op.where.transport = transport;
    op.where.device_port = port;
    op.request_frame = frame;
    comms.OnIcsOperation(op);
  };
  write(17, 47808, 10);  // udp/47808: allowed
  write(6, 47808, 11);   // the same port over TCP: not what the conduit says
  dissect::FileTransferObservation t;
  t.protocol = "tftp";
  t.client_ip = Ip("10.20.0.5");
  t.server_ip = Ip("10.50.1.10");
  t.server_port = 69;
  t.transport = 17;  // TFTP is UDP: the conduit's tcp/69 does not admit it
  t.upload = true;
  t.frame = 12;
  comms.OnFileTransfer(t);
  FindingSet set;
  JudgeCommunications(p, zones, comms, set);
  auto all = set.Sorted();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].type, "file_transfer.unapproved");
  EXPECT_EQ(all[0].frame, 12u);
  EXPECT_EQ(all[1].type, "ics.write");
  EXPECT_EQ(all[1].frame, 11u);
}

TEST(JudgeAssets, MultiHomedHostsAndMixedVlans) {
  Policy p = Load(kTerminal);
  ZoneMap zones(p);
  std::vector<model::Asset> assets(4);
  auto role = [](const char* r) { return model::AssetRole{r, "test"}; };
  assets[0].mac = core::MacAddr::Parse("00:00:00:00:00:01");  // a PC in two zones
  assets[0].ips = {Ip("10.10.0.7"), Ip("10.50.1.99")};
  assets[0].first_seen = {0, 5};
  // Its office address from frame 5, its crane address from frame 20: multi-homed from 20.
  assets[0].ip_activity[Ip("10.10.0.7")] = {{}, {}, {0, 5}};
  assets[0].ip_activity[Ip("10.50.1.99")] = {{}, {}, {0, 20}};
  assets[1].mac = core::MacAddr::Parse("00:00:00:00:00:02");  // a router: not a host
  assets[1].ips = {Ip("10.10.0.1"), Ip("10.50.1.1")};
  assets[1].roles = {role("router")};
  assets[2].mac = core::MacAddr::Parse("00:00:00:00:00:03");  // a PLC on VLAN 501
  assets[2].ips = {Ip("10.50.1.10")};
  assets[2].roles = {role("plc")};
  assets[2].vlans = {{501, 0}};
  assets[3].mac = core::MacAddr::Parse("00:00:00:00:00:04");  // a camera on VLAN 501 too
  assets[3].ips = {Ip("10.50.1.60")};
  assets[3].roles = {role("camera")};
  assets[3].vlans = {{501, 0}};
  assets[3].first_seen = {0, 9};
  FindingSet set;
  PlaceAssets(zones, assets, set);
  JudgeAssets(zones, assets, set);
  auto all = set.Sorted();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].type, "segmentation.multi_homed_host");
  EXPECT_EQ(all[0].detail.at("zones"), "crane, it");
  EXPECT_EQ(all[0].frame, 20u);
  EXPECT_EQ(all[1].type, "segmentation.mixed_vlan");
  EXPECT_EQ(all[1].vlan, 501);
  EXPECT_EQ(all[1].detail.at("controller"), "10.50.1.10");
  EXPECT_EQ(all[1].frame, 9u);
}

}  // namespace
}  // namespace qw::policy
