#include "model/inventory.h"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "model/vendor_db.h"

namespace qw::model {
namespace {

core::MacAddr Mac(const char* s) { return *core::MacAddr::Parse(s); }
core::IpAddr Ip(const char* s) { return *core::IpAddr::Parse(s); }

decode::Packet IpPacket(const char* src_mac, const char* dst_mac, const char* src_ip,
                        const char* dst_ip, uint16_t vlan = 0) {
  decode::Packet p;
  p.has_mac = true;
  p.src_mac = Mac(src_mac);
  p.dst_mac = Mac(dst_mac);
  p.l3 = decode::L3::kIpv4;
  p.src_ip = Ip(src_ip);
  p.dst_ip = Ip(dst_ip);
  p.frame_len = 100;
  if (vlan) {
    p.vlan_count = 1;
    p.outer_vlan = vlan;
  }
  return p;
}

const Asset* ByMac(const std::vector<Asset>& assets, const char* mac) {
  for (const auto& a : assets) {
    if (a.mac && *a.mac == Mac(mac)) return &a;
  }
  return nullptr;
}

const Asset* ByIp(const std::vector<Asset>& assets, const char* ip) {
  for (const auto& a : assets) {
    for (const auto& x : a.ips) {
      if (x == Ip(ip)) return &a;
    }
  }
  return nullptr;
}

TEST(Inventory, OneAssetPerMacWithItsAddressesVlansAndCounters) {
  Inventory inv;
  auto p = IpPacket("00:1b:1b:00:00:01", "00:0c:29:aa:bb:cc", "10.50.1.10", "10.50.1.20", 501);
  inv.OnPacket(p, core::Timestamp{1'000'000'000}, 0, 1);
  auto q = IpPacket("00:0c:29:aa:bb:cc", "00:1b:1b:00:00:01", "10.50.1.20", "10.50.1.10", 501);
  inv.OnPacket(q, core::Timestamp{2'000'000'000}, 0, 2);
  VendorDb vendors;
  vendors.Add("001B1B", "Siemens AG");
  auto assets = inv.Finalize(vendors);
  ASSERT_EQ(assets.size(), 2u);
  const Asset* plc = ByMac(assets, "00:1b:1b:00:00:01");
  ASSERT_TRUE(plc);
  EXPECT_EQ(plc->vendor, "Siemens AG");
  ASSERT_EQ(plc->ips.size(), 1u);
  EXPECT_EQ(plc->ips[0], Ip("10.50.1.10"));
  ASSERT_EQ(plc->vlans.size(), 1u);
  EXPECT_EQ(plc->vlans[0].outer, 501);
  EXPECT_EQ(plc->packets, 2u);  // one sent, one received
  EXPECT_EQ(plc->bytes, 200u);
  EXPECT_EQ(plc->first_seen.frame, 1u);
  EXPECT_EQ(plc->first_ts.ns, 1'000'000'000);
  EXPECT_EQ(plc->last_ts.ns, 2'000'000'000);
  EXPECT_FALSE(plc->gateway);
}

TEST(Inventory, AddressesForwardedByARouterAreNotTheRouters) {
  Inventory inv;
  const char* router = "00:00:0c:07:ac:01";
  // The router ARPs for its own address.
  dissect::ArpObservation arp;
  arp.op = 2;
  arp.sender_mac = Mac(router);
  arp.sender_ip = Ip("10.10.0.1");
  inv.OnArp({}, arp);
  // Hosts on other subnets reach 10.10.5.20 through it.
  uint64_t frame = 1;
  for (const char* remote : {"10.50.1.10", "10.50.2.10", "198.51.100.7", "203.0.113.9"}) {
    inv.OnPacket(IpPacket(router, "00:0c:29:aa:bb:cc", remote, "10.10.5.20"), {}, 0, frame++);
  }
  auto assets = inv.Finalize(VendorDb{});
  const Asset* r = ByMac(assets, router);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->gateway);
  ASSERT_EQ(r->ips.size(), 1u);
  EXPECT_EQ(r->ips[0], Ip("10.10.0.1"));
  ASSERT_FALSE(r->roles.empty());
  EXPECT_EQ(r->roles[0].role, "router");
  // The remote addresses become assets of their own, seen through the router.
  const Asset* remote = ByIp(assets, "198.51.100.7");
  ASSERT_TRUE(remote);
  EXPECT_FALSE(remote->mac);
  ASSERT_TRUE(remote->via);
  EXPECT_EQ(*remote->via, Mac(router));
  // The local host keeps its own address.
  const Asset* host = ByMac(assets, "00:0c:29:aa:bb:cc");
  ASSERT_TRUE(host);
  ASSERT_EQ(host->ips.size(), 1u);
  EXPECT_EQ(host->ips[0], Ip("10.10.5.20"));
}

// A router's interface on a quiet VLAN forwards one or two addresses only, too few for the
// count; but those addresses belong to hosts that claim them by their own ARP elsewhere.
TEST(Inventory, CarryingAnAddressAnotherMacClaimsMakesAGateway) {
  Inventory inv;
  const char* vlan60 = "6c:5e:3b:00:00:60";
  dissect::ArpObservation arp;
  arp.op = 2;
  arp.sender_mac = Mac(vlan60);
  arp.sender_ip = Ip("10.60.0.1");
  inv.OnArp({}, arp);
  arp.sender_mac = Mac("00:0c:29:40:00:10");  // the RCMS server, on its own VLAN
  arp.sender_ip = Ip("10.40.0.10");
  inv.OnArp({}, arp);
  inv.OnPacket(IpPacket(vlan60, "44:47:cc:00:00:02", "10.40.0.10", "10.60.0.2"), {}, 0, 3);
  inv.OnPacket(IpPacket("44:47:cc:00:00:02", vlan60, "10.60.0.2", "10.40.0.10"), {}, 0, 4);
  auto assets = inv.Finalize(VendorDb{});
  const Asset* r = ByMac(assets, vlan60);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->gateway);
  EXPECT_EQ(r->ips, (std::vector<core::IpAddr>{Ip("10.60.0.1")}));
  const Asset* server = ByMac(assets, "00:0c:29:40:00:10");
  ASSERT_TRUE(server);
  EXPECT_EQ(server->ips, (std::vector<core::IpAddr>{Ip("10.40.0.10")}));
}

TEST(Inventory, HostWithTwoAddressesIsNotAGateway) {
  Inventory inv;
  inv.OnPacket(IpPacket("00:0c:29:00:00:01", "00:0c:29:00:00:02", "10.10.0.5", "10.10.0.6"), {}, 0,
               1);
  inv.OnPacket(IpPacket("00:0c:29:00:00:01", "00:0c:29:00:00:02", "10.40.0.5", "10.10.0.6"), {}, 0,
               2);
  auto assets = inv.Finalize(VendorDb{});
  const Asset* a = ByMac(assets, "00:0c:29:00:00:01");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->gateway);
  EXPECT_EQ(a->ips.size(), 2u);
}

TEST(Inventory, NeighborAnnouncementsGiveNamesRolesAndIdentity) {
  Inventory inv;
  dissect::FrameContext ctx;
  ctx.src_mac = Mac("00:1b:1b:11:22:33");
  ctx.frame = 7;
  dissect::NeighborObservation n;
  n.protocol = "lldp";
  n.system_name = "crane3-sw1";
  n.system_description = "SCALANCE X208";
  n.capabilities = {"bridge"};
  n.enabled_capabilities = {"bridge"};
  n.management_addresses = {Ip("10.50.3.2")};
  n.serial = "VPH1234567";
  inv.OnNeighbor(ctx, n);
  auto assets = inv.Finalize(VendorDb{});
  ASSERT_EQ(assets.size(), 1u);
  const Asset& a = assets[0];
  ASSERT_EQ(a.names.size(), 1u);
  EXPECT_EQ(a.names[0].name, "crane3-sw1");
  EXPECT_EQ(a.names[0].source, "lldp");
  ASSERT_EQ(a.roles.size(), 1u);
  EXPECT_EQ(a.roles[0].role, "switch");
  EXPECT_EQ(a.identity.at("serial"), "VPH1234567");
  EXPECT_EQ(a.identity.at("description"), "SCALANCE X208");
  ASSERT_EQ(a.ips.size(), 1u);  // the management address is the switch's own
  EXPECT_EQ(a.ips[0], Ip("10.50.3.2"));
  EXPECT_EQ(a.first_seen.frame, 7u);
  // The frame of the announcement is the identity's evidence.
  EXPECT_EQ(a.identity_evidence.at("serial").frame, 7u);
}

TEST(Inventory, ServicesComeFromAnsweredFlowsOnly) {
  Inventory inv;
  inv.OnPacket(IpPacket("00:0c:29:00:00:01", "00:1b:1b:00:00:01", "10.40.0.5", "10.50.1.10"), {}, 0,
               1);
  flow::Flow f;
  f.proto = 6;
  f.initiator_ip = Ip("10.40.0.5");
  f.responder_ip = Ip("10.50.1.10");
  f.responder_port = 102;
  f.tcp_state = flow::TcpState::kEstablished;
  f.packets = {3, 3};
  f.payload_bytes = {100, 100};
  inv.OnFlowEnd(f);
  flow::Flow refused;
  refused.proto = 6;
  refused.initiator_ip = f.initiator_ip;
  refused.responder_ip = f.responder_ip;
  refused.responder_port = 23;
  refused.tcp_state = flow::TcpState::kSynSent;
  refused.packets = {1, 0};
  refused.payload_bytes = {0, 0};
  inv.OnFlowEnd(refused);
  auto assets = inv.Finalize(VendorDb{});
  const Asset* plc = ByIp(assets, "10.50.1.10");
  ASSERT_TRUE(plc);
  ASSERT_EQ(plc->served.size(), 1u);
  EXPECT_EQ(plc->served.begin()->first.port, 102);
  const Asset* ews = ByIp(assets, "10.40.0.5");
  ASSERT_TRUE(ews);
  ASSERT_EQ(ews->used.size(), 1u);
}

TEST(Inventory, MacTableIsBoundedAndSaysSo) {
  InventoryLimits limits;
  limits.max_macs = 10;
  Inventory inv(limits);
  for (uint32_t i = 0; i < 1000; ++i) {
    decode::Packet p;
    p.has_mac = true;
    p.src_mac.b = {0x00,
                   0x0c,
                   0x29,
                   static_cast<uint8_t>(i >> 16),
                   static_cast<uint8_t>(i >> 8),
                   static_cast<uint8_t>(i)};
    p.dst_mac = p.src_mac;
    p.dst_mac.b[0] = 0x01;  // multicast: not an asset
    inv.OnPacket(p, {}, 0, i + 1);
  }
  EXPECT_EQ(inv.Finalize(VendorDb{}).size(), 10u);
  EXPECT_EQ(inv.anomalies().Count("inventory.mac_table_full"), 990u);
}

TEST(Inventory, MergeOfShardsEqualsOneInventory) {
  Inventory whole, a, b;
  auto p1 = IpPacket("00:0c:29:00:00:01", "00:0c:29:00:00:02", "10.10.0.5", "10.10.0.6", 10);
  auto p2 = IpPacket("00:0c:29:00:00:02", "00:0c:29:00:00:01", "10.10.0.6", "10.10.0.5", 10);
  whole.OnPacket(p1, core::Timestamp{5}, 0, 1);
  whole.OnPacket(p2, core::Timestamp{9}, 0, 2);
  a.OnPacket(p1, core::Timestamp{5}, 0, 1);
  b.OnPacket(p2, core::Timestamp{9}, 0, 2);
  Inventory merged;
  merged.Merge(b);
  merged.Merge(a);
  auto x = whole.Finalize(VendorDb{});
  auto y = merged.Finalize(VendorDb{});
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x[i].mac, y[i].mac);
    EXPECT_EQ(x[i].ips, y[i].ips);
    EXPECT_EQ(x[i].packets, y[i].packets);
    EXPECT_EQ(x[i].first_ts, y[i].first_ts);
    EXPECT_EQ(x[i].last_ts, y[i].last_ts);
    EXPECT_EQ(x[i].first_seen.frame, y[i].first_seen.frame);
  }
}

dissect::IcsOperation Op(const char* requester, const char* device, dissect::IcsCategory c,
                         uint64_t frame) {
  dissect::IcsOperation op;
  op.protocol = "s7comm";
  op.category = c;
  op.where.requester_ip = Ip(requester);
  op.where.device_ip = Ip(device);
  op.request_frame = frame;
  return op;
}

TEST(Inventory, IndustrialOperationsGiveRolesAndIdentityTheEarliestWins) {
  Inventory inv;
  // The PLC and the engineering station talk over a flow first, so both hold addresses.
  inv.OnPacket(IpPacket("00:1b:1b:00:00:01", "00:0c:29:00:00:02", "10.50.1.10", "10.10.5.20"),
               core::Timestamp{1}, 0, 1);
  inv.OnPacket(IpPacket("00:0c:29:00:00:03", "00:1b:1b:00:00:01", "10.20.0.7", "10.50.1.10"),
               core::Timestamp{2}, 0, 2);
  inv.OnIcsOperation(Op("10.10.5.20", "10.50.1.10", dissect::IcsCategory::kProgramChange, 3));
  inv.OnIcsOperation(Op("10.20.0.7", "10.50.1.10", dissect::IcsCategory::kRead, 4));
  dissect::DeviceIdentity later;
  later.protocol = "s7comm";
  later.frame = 9;
  later.ip = Ip("10.50.1.10");
  later.fields = {{"order_number", "6ES7 315-2EH14-0AB0"}, {"firmware", "V3.3.0"}};
  dissect::DeviceIdentity earlier = later;
  earlier.frame = 5;
  earlier.fields = {{"firmware", "V3.2.8"}, {"device_type", "Programmable Logic Controller"}};
  inv.OnIdentity(later);
  inv.OnIdentity(earlier);
  auto assets = inv.Finalize(VendorDb{});
  const Asset* plc = ByIp(assets, "10.50.1.10");
  ASSERT_NE(plc, nullptr);
  EXPECT_EQ(plc->identity.at("order_number"), "6ES7 315-2EH14-0AB0");
  EXPECT_EQ(plc->identity.at("firmware"), "V3.2.8");  // frame 5 said it first
  EXPECT_EQ(plc->identity_sources.at("firmware"), "s7comm");
  EXPECT_EQ(plc->ics_served.at("s7comm"), 2u);
  ASSERT_FALSE(plc->roles.empty());
  EXPECT_EQ(plc->roles[0].role, "plc");
  const Asset* eng = ByIp(assets, "10.10.5.20");
  ASSERT_NE(eng, nullptr);
  ASSERT_EQ(eng->roles.size(), 1u);
  EXPECT_EQ(eng->roles[0].role, "engineering-workstation");
  const Asset* hmi = ByIp(assets, "10.20.0.7");
  ASSERT_NE(hmi, nullptr);
  ASSERT_EQ(hmi->roles.size(), 1u);
  EXPECT_EQ(hmi->roles[0].role, "hmi");
}

TEST(Inventory, CyclicFramesCountPerDeviceByMacAndMergeAcrossShards) {
  Inventory a, b;
  dissect::CyclicObservation rt;
  rt.protocol = "pn_rt";
  rt.mac = Mac("00:0e:8c:00:00:07");
  a.OnCyclic(rt);
  b.OnCyclic(rt);
  b.OnCyclic(rt);
  Inventory merged;
  merged.Merge(a);
  merged.Merge(b);
  auto assets = merged.Finalize(VendorDb{});
  const Asset* dev = ByMac(assets, "00:0e:8c:00:00:07");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->cyclic_frames.at("pn_rt"), 3u);
}

// Repeated operations and cyclic frames are counted through remembered counters; the counts
// must be those of counting each one afresh, and a full cap must be raised every time.
TEST(Inventory, RepeatedOperationsCountEveryOneAndACapIsRaisedEachTime) {
  InventoryLimits limits;
  limits.max_ics_protocols = 1;
  Inventory inv(limits);
  const std::string other_text = "s7comm";  // same name at another address
  for (int i = 0; i < 5; ++i) {
    inv.OnIcsOperation(Op("10.10.5.20", "10.50.1.10", dissect::IcsCategory::kProgramChange, 3));
    auto op = Op("10.10.5.20", "10.50.1.10", dissect::IcsCategory::kRead, 4);
    op.protocol = other_text.c_str();
    inv.OnIcsOperation(op);
  }
  auto modbus = Op("10.10.5.20", "10.50.1.10", dissect::IcsCategory::kWrite, 5);
  modbus.protocol = "modbus";  // past the cap of one protocol per device
  inv.OnIcsOperation(modbus);
  inv.OnIcsOperation(modbus);
  dissect::CyclicObservation rt;
  rt.protocol = "pn_rt";
  rt.mac = Mac("00:0e:8c:00:00:07");
  for (int i = 0; i < 7; ++i) inv.OnCyclic(rt);
  Inventory merged(limits);
  merged.Merge(inv);
  merged.OnCyclic(rt);  // after a merge, counting goes on into the merged counter
  auto assets = merged.Finalize(VendorDb{});
  const Asset* plc = ByIp(assets, "10.50.1.10");
  ASSERT_NE(plc, nullptr);
  EXPECT_EQ(plc->ics_served.at("s7comm"), 10u);
  EXPECT_EQ(plc->ics_served.count("modbus"), 0u);
  const Asset* eng = ByIp(assets, "10.10.5.20");
  ASSERT_NE(eng, nullptr);
  EXPECT_EQ(eng->ics_requested.at("s7comm"), 10u);
  ASSERT_FALSE(eng->roles.empty());
  EXPECT_NE(eng->roles[0].evidence.find("asked for 5 program or firmware changes"),
            std::string::npos)
      << eng->roles[0].evidence;
  const Asset* dev = ByMac(assets, "00:0e:8c:00:00:07");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->cyclic_frames.at("pn_rt"), 8u);
  // Two modbus operations, each refused for the PLC and for the requester.
  EXPECT_EQ(inv.anomalies().Count("inventory.too_many_ics_protocols"), 4u);
}

// A DNS-family answer from `server` to `client` with the given records (type, name, data).
dissect::DnsObservation Answer(const char* protocol, const char* server, const char* client,
                               const char* qname,
                               std::vector<std::tuple<uint16_t, const char*, const char*>> rrs) {
  dissect::DnsObservation m;
  m.protocol = protocol;
  m.src_ip = Ip(server);
  m.dst_ip = Ip(client);
  m.src_port = std::string_view(protocol) == "dns" ? 53 : 5353;
  m.flags = 0x8180;  // response, RD, RA, NOERROR
  m.has_question = qname != nullptr;
  if (qname) m.qname.Append(qname);
  static std::deque<std::vector<dissect::DnsRecordObservation>> kept;  // outlives the test
  auto& records = kept.emplace_back();
  for (const auto& [type, name, data] : rrs) {
    auto& r = records.emplace_back();
    r.type = type;
    r.rclass = 1;
    r.name.Append(name);
    r.data.Append(data);
  }
  m.records = records;
  return m;
}

TEST(Inventory, DnsAnswersNameTheAddressesTheyBind) {
  Inventory inv;
  // The resolver, a client, the web server and the client's own host name all talk.
  inv.OnPacket(IpPacket("02:00:00:00:00:53", "02:00:00:00:00:01", "10.0.0.53", "10.0.0.1"),
               core::Timestamp{1}, 0, 1);
  inv.OnPacket(IpPacket("02:00:00:00:00:05", "02:00:00:00:00:01", "10.0.0.5", "10.0.0.1"),
               core::Timestamp{1}, 0, 2);
  inv.OnPacket(IpPacket("02:00:00:00:00:fe", "02:00:00:00:00:01", "198.51.100.7", "10.0.0.1"),
               core::Timestamp{1}, 0, 3);
  // www.example.org is a CNAME of web.example.net, whose A record is 198.51.100.7.
  inv.OnDns(Answer("dns", "10.0.0.53", "10.0.0.5", "www.example.org",
                   {{5, "www.example.org", "web.example.net"},
                    {1, "web.example.net", "198.51.100.7"},
                    {1, "never-talks.example.net", "203.0.113.9"}}));
  // A PTR answer names 10.0.0.5; a failed answer names nobody.
  inv.OnDns(Answer("dns", "10.0.0.53", "10.0.0.5", "5.0.0.10.in-addr.arpa",
                   {{12, "5.0.0.10.in-addr.arpa", "pc5.example.org"}}));
  auto failed = Answer("dns", "10.0.0.53", "10.0.0.5", "x", {{1, "x", "10.0.0.1"}});
  failed.flags |= 3;  // NXDOMAIN
  inv.OnDns(failed);
  // NetBIOS: a unique name names its host, a group name (workgroup) does not.
  inv.OnDns(Answer("nbns", "10.0.0.5", "10.0.0.255", nullptr,
                   {{32, "PC5<00>", "10.0.0.5"}, {32, "WORKGROUP<00>", "10.0.0.5 group"}}));
  VendorDb vendors;
  auto assets = inv.Finalize(vendors);
  auto names = [&](const char* ip) {
    std::vector<std::string> out;
    const Asset* a = ByIp(assets, ip);
    if (!a) return out;
    for (const auto& n : a->names) out.push_back(n.name + "/" + n.source);
    return out;
  };
  EXPECT_EQ(names("198.51.100.7"),
            (std::vector<std::string>{"web.example.net/dns", "www.example.org/dns"}));
  EXPECT_EQ(names("10.0.0.5"), (std::vector<std::string>{"PC5<00>/nbns", "pc5.example.org/dns"}));
  EXPECT_TRUE(names("10.0.0.1").empty());
  EXPECT_EQ(ByIp(assets, "203.0.113.9"), nullptr);  // an answer alone makes no device
  const Asset* resolver = ByIp(assets, "10.0.0.53");
  ASSERT_TRUE(resolver);
  ASSERT_EQ(resolver->roles.size(), 1u);
  EXPECT_EQ(resolver->roles[0].role, "server");
  EXPECT_EQ(resolver->roles[0].evidence, "answered 2 DNS queries");
}

// The names hosts ask for (DNS queries, a response whose query was missed, TLS server
// names, HTTP hosts) reach the communication map with the asker and the frame.
TEST(Inventory, NamesHostsContactedReachTheCommunicationMap) {
  Inventory inv;
  auto query = Answer("dns", "10.0.0.5", "10.0.0.53", "WWW.Example.ORG.", {});
  query.flags = 0x0100;  // a query, RD
  query.frame = 4;
  inv.OnDns(query);
  auto answered = Answer("dns", "10.0.0.53", "10.0.0.5", "www.example.org", {});
  answered.query_frame = 4;  // its query was seen: not counted twice
  answered.frame = 5;
  inv.OnDns(answered);
  auto orphan = Answer("dns", "10.0.0.53", "10.0.0.6", "logink.cn", {});
  orphan.frame = 6;  // the capture missed the query: the response names the asker
  inv.OnDns(orphan);
  auto mdns = Answer("mdns", "10.0.0.7", "224.0.0.251", "printer.local", {});
  inv.OnDns(mdns);  // local names: not contacts
  dissect::TlsObservation hs;
  hs.client_ip = Ip("10.0.0.5");
  hs.server_ip = Ip("192.0.2.9");
  hs.sni.Append("api.example.net");
  hs.client_hello_frame = 8;
  inv.OnTls(hs);
  dissect::HttpObservation x;
  x.protocol = "http";
  x.client_ip = Ip("10.0.0.5");
  x.server_ip = Ip("192.0.2.10");
  x.host.Append("Updates.Example.NET:8080");
  x.request_frame = 9;
  inv.OnHttp(x);
  std::vector<std::string> seen;
  for (const auto* entry : inv.communications().names()) {
    const auto& [k, s] = *entry;
    seen.push_back(k.via + " " + k.client.ToString() + " " + k.name + " " + k.server.ToString() +
                   " #" + std::to_string(s.frame) + " x" + std::to_string(s.count));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "dns 10.0.0.5 www.example.org 10.0.0.53 #4 x1",
                      "tls 10.0.0.5 api.example.net 192.0.2.9 #8 x1",
                      "http 10.0.0.5 updates.example.net 192.0.2.10 #9 x1",
                      "dns 10.0.0.6 logink.cn 10.0.0.53 #6 x1",
                  }));
}

TEST(Inventory, DnsNamesAreBoundedAndMergeAcrossShards) {
  InventoryLimits limits;
  limits.max_named_addresses = 2;
  limits.max_names_per_address = 1;
  Inventory a(limits), b(limits);
  a.OnDns(Answer("mdns", "10.0.0.7", "224.0.0.251", nullptr, {{1, "h7.local", "10.0.0.7"}}));
  b.OnDns(Answer("mdns", "10.0.0.8", "224.0.0.251", nullptr,
                 {{1, "h8.local", "10.0.0.8"}, {28, "h8.local", "fe80::8"}}));
  b.OnDns(Answer("mdns", "10.0.0.8", "224.0.0.251", nullptr, {{1, "other.local", "10.0.0.8"}}));
  EXPECT_EQ(b.anomalies().Count("inventory.names_per_address_full"), 1u);
  a.Merge(b);
  EXPECT_EQ(a.anomalies().Count("inventory.dns_names_full"), 1u);  // fe80::8 found no room
  a.OnPacket(IpPacket("02:00:00:00:00:07", "02:00:00:00:00:01", "10.0.0.7", "10.0.0.1"),
             core::Timestamp{1}, 0, 1);
  a.OnPacket(IpPacket("02:00:00:00:00:08", "02:00:00:00:00:01", "10.0.0.8", "10.0.0.1"),
             core::Timestamp{1}, 0, 2);
  VendorDb vendors;
  auto assets = a.Finalize(vendors);
  ASSERT_TRUE(ByIp(assets, "10.0.0.8"));
  ASSERT_EQ(ByIp(assets, "10.0.0.8")->names.size(), 1u);
  EXPECT_EQ(ByIp(assets, "10.0.0.8")->names[0].name, "h8.local");
  EXPECT_EQ(ByIp(assets, "10.0.0.7")->names[0].source, "mdns");
}

TEST(Inventory, DhcpClientsNameThemselvesAndServersGetTheServerRole) {
  Inventory inv;
  const auto client = Mac("90:b1:1c:99:49:29");
  inv.OnPacket(IpPacket("90:b1:1c:99:49:29", "ff:ff:ff:ff:ff:ff", "0.0.0.0", "255.255.255.255"),
               core::Timestamp{1}, 0, 1);
  inv.OnPacket(IpPacket("02:00:00:00:00:67", "90:b1:1c:99:49:29", "10.0.0.67", "10.0.0.9"),
               core::Timestamp{2}, 0, 2);
  dissect::DhcpObservation discover;
  discover.protocol = "dhcp";
  discover.frame = 1;
  discover.src_port = 68;
  discover.client_mac = client;
  discover.host_name.Append("crane-pc-7");
  discover.fqdn.Append("crane-pc-7.terminal.example");
  discover.vendor_class.Append("MSFT 5.0");
  inv.OnDhcp(discover);
  inv.OnDhcp(discover);  // the same names again count once
  dissect::DhcpObservation ack;
  ack.protocol = "dhcp";
  ack.frame = 2;
  ack.from_server = true;
  ack.src_ip = Ip("10.0.0.67");
  ack.src_port = 67;
  ack.client_mac = client;
  inv.OnDhcp(ack);
  VendorDb vendors;
  auto assets = inv.Finalize(vendors);
  const Asset* pc = ByMac(assets, "90:b1:1c:99:49:29");
  ASSERT_TRUE(pc);
  ASSERT_EQ(pc->names.size(), 2u);
  EXPECT_EQ(pc->names[0].name, "crane-pc-7");
  EXPECT_EQ(pc->names[0].source, "dhcp");
  EXPECT_EQ(pc->names[1].name, "crane-pc-7.terminal.example");
  EXPECT_EQ(pc->identity.at("dhcp_vendor_class"), "MSFT 5.0");
  EXPECT_EQ(pc->identity_sources.at("dhcp_vendor_class"), "dhcp");
  const Asset* server = ByIp(assets, "10.0.0.67");
  ASSERT_TRUE(server);
  ASSERT_EQ(server->roles.size(), 1u);
  EXPECT_EQ(server->roles[0].role, "server");
  EXPECT_EQ(server->roles[0].evidence, "sent 1 DHCP server messages");
}

TEST(VendorDb, LongestPrefixWins) {
  VendorDb db;
  db.Add("70B3D5", "IEEE Registration Authority");
  db.Add("70B3D5F2F", "TELEPLATFORMS");
  db.Add("741AE09", "Private");
  EXPECT_EQ(db.Lookup(*core::MacAddr::Parse("70:b3:d5:f2:f1:23")), "TELEPLATFORMS");
  EXPECT_EQ(db.Lookup(*core::MacAddr::Parse("70:b3:d5:00:00:01")), "IEEE Registration Authority");
  EXPECT_EQ(db.Lookup(*core::MacAddr::Parse("74:1a:e0:9f:00:01")), "Private");
  EXPECT_EQ(db.Lookup(*core::MacAddr::Parse("02:1a:e0:9f:00:01")), "");  // locally administered
}

TEST(VendorDb, LoadsQuotedCsvAndWarnsAboutMissingFiles) {
  std::string dir = testing::TempDir() + "/ieee";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/oui.csv")
      << "Registry,Assignment,Organization Name,Organization Address\n"
      << "MA-L,001B1B,Siemens AG,Nuernberg DE\n"
      << "MA-L,0080F4,\"Telemecanique Electrique, \"\"Schneider\"\"\",Paris FR\n";
  VendorDb db;
  std::string warning;
  EXPECT_EQ(db.Load(dir, &warning), 1u);
  EXPECT_NE(warning.find("mam.csv"), std::string::npos);
  EXPECT_EQ(db.Lookup(*core::MacAddr::Parse("00:80:f4:01:02:03")),
            "Telemecanique Electrique, \"Schneider\"");
  VendorDb none;
  EXPECT_EQ(none.Load(dir + "/absent", &warning), 0u);
  EXPECT_NE(warning.find("oui.csv"), std::string::npos);
  // A registry that is there but cannot be read is not called missing.
  std::filesystem::create_directories(dir + "/mam.csv");
  VendorDb odd;
  EXPECT_EQ(odd.Load(dir, &warning), 1u);
  EXPECT_NE(warning.find("IEEE registry not found (" + dir + "/oui36.csv)"), std::string::npos)
      << warning;
  EXPECT_NE(warning.find("IEEE registry unreadable (" + dir + "/mam.csv: not a regular file)"),
            std::string::npos)
      << warning;
  std::filesystem::remove(dir + "/mam.csv");
}

TEST(VendorDb, ReadsDebiansRegistriesWhenInstalled) {
  VendorDb db;
  std::string warning;
  if (db.Load("/usr/share/ieee-data", &warning) == 0) {
    GTEST_SKIP() << "SKIPPED: ieee-data is not installed";
  }
  EXPECT_GT(db.size(), 30000u);
  EXPECT_EQ(db.Lookup(*core::MacAddr::Parse("00:1b:1b:00:00:01")), "Siemens AG");
}

}  // namespace
}  // namespace qw::model
