#include <gtest/gtest.h>

#include <vector>

#include "core/hex.h"
#include "dissect/arp/arp_dissector.h"
#include "dissect/cdp/cdp_dissector.h"
#include "dissect/lldp/lldp_dissector.h"

namespace qw::dissect {
namespace {

// Collects what the frame dissectors report.
struct Collector : ObservationSink {
  std::vector<ArpObservation> arps;
  std::vector<NeighborObservation> neighbors;
  void OnArp(const FrameContext&, const ArpObservation& o) override { arps.push_back(o); }
  void OnNeighbor(const FrameContext&, const NeighborObservation& o) override {
    neighbors.push_back(o);
  }
};

TEST(ArpDissector, ReportsTheBindingAndGratuitousAnnouncements) {
  decode::Packet p;
  p.l3 = decode::L3::kArp;
  p.has_mac = true;
  p.src_mac = *core::MacAddr::Parse("00:1b:1b:00:00:01");
  p.arp.op = 2;
  p.arp.sender_mac = p.src_mac;
  p.arp.sender_ip = *core::IpAddr::Parse("10.50.1.10");
  p.arp.target_ip = p.arp.sender_ip;
  Collector c;
  core::Anomalies an;
  arp::DissectArp(p, {}, c, an);
  ASSERT_EQ(c.arps.size(), 1u);
  EXPECT_TRUE(c.arps[0].gratuitous);
  EXPECT_EQ(an.counts().size(), 0u);
  // An ARP whose sender MAC is not the frame's source is reported and counted.
  p.arp.sender_mac = *core::MacAddr::Parse("00:1b:1b:00:00:02");
  arp::DissectArp(p, {}, c, an);
  EXPECT_EQ(an.Count("arp.sender_mac_mismatch"), 1u);
  // The decoder leaves op 0 for ARP it could not read: nothing to report.
  p.arp.op = 0;
  arp::DissectArp(p, {}, c, an);
  EXPECT_EQ(c.arps.size(), 2u);
}

TEST(LldpDissector, AnnouncementBecomesANeighborObservation) {
  auto bytes = core::ParseHex(R"(
    02 07  04  00 1b 1b 11 22 33   # chassis id TLV: subtype 4 (MAC address)
    04 03  07  70 31               # port id TLV: subtype 7 (local) "p1"
    06 02  00 78                   # TTL 120 s
    0a 03  73 77 31                # system name "sw1"
    0e 04  00 14  00 14            # capabilities: bridge and router, both enabled
    00 00                          # end of LLDPDU
  )");
  ASSERT_TRUE(bytes);
  decode::Packet p;
  p.l3 = decode::L3::kLldp;
  p.l2_payload = *bytes;
  Collector c;
  core::Anomalies an;
  lldp::DissectLldp(p, {}, c, an);
  ASSERT_EQ(c.neighbors.size(), 1u);
  const auto& n = c.neighbors[0];
  EXPECT_EQ(n.protocol, "lldp");
  EXPECT_EQ(n.chassis_id, "00:1b:1b:11:22:33");
  EXPECT_EQ(n.port_id, "p1");
  EXPECT_EQ(n.system_name, "sw1");
  EXPECT_EQ(n.ttl, 120u);
  EXPECT_EQ(n.enabled_capabilities, (std::vector<std::string>{"bridge", "router"}));
  EXPECT_EQ(n.tlvs.size(), 6u);  // every TLV kept raw, the end TLV included
}

TEST(LldpDissector, GarbageReportsNothing) {
  std::vector<uint8_t> junk = {0xff, 0xff, 0x01};
  decode::Packet p;
  p.l3 = decode::L3::kLldp;
  p.l2_payload = junk;
  Collector c;
  core::Anomalies an;
  lldp::DissectLldp(p, {}, c, an);
  EXPECT_TRUE(c.neighbors.empty());
  EXPECT_FALSE(an.counts().empty());
}

}  // namespace
}  // namespace qw::dissect
