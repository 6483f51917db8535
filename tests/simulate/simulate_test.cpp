#include "simulate/simulate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "capture/capture_file.h"
#include "frame_check.h"

namespace qw::simulate {
namespace {

using testing::FrameView;
using testing::ParseFrame;

constexpr uint64_t kPackets = 30000;

// Unique per process: CTest runs the tests of this binary in parallel processes.
std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/qw-" + std::to_string(::getpid()) + "-" + name;
}

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Decoded {
  core::Timestamp ts;
  std::vector<uint8_t> bytes;
  FrameView view;
};

class SimulateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = TempPath("simulate_seed1.pcap");
    SimulateOptions options;
    options.packets = kPackets;
    ASSERT_TRUE(Simulate(options, path_, &stats_).ok());
    auto reader = capture::OpenCaptureFile(path_);
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    capture::Frame frame;
    while ((*reader)->Next(frame)) {
      auto view = ParseFrame(frame.data);
      ASSERT_TRUE(view.has_value()) << "frame " << frame.number;
      frames_.push_back({frame.ts, {frame.data.begin(), frame.data.end()}, *view});
    }
    read_error_ = (*reader)->error().has_value();
  }
  static void TearDownTestSuite() {
    std::remove(path_.c_str());
    frames_.clear();
  }

  static std::string path_;
  static SimulateStats stats_;
  static std::vector<Decoded> frames_;
  static bool read_error_;
};

std::string SimulateTest::path_;
SimulateStats SimulateTest::stats_;
std::vector<Decoded> SimulateTest::frames_;
bool SimulateTest::read_error_ = false;

TEST_F(SimulateTest, SameSeedGivesIdenticalBytes) {
  const std::string again = TempPath("simulate_seed1_again.pcap");
  SimulateOptions options;
  options.packets = kPackets;
  ASSERT_TRUE(Simulate(options, again).ok());
  EXPECT_TRUE(ReadAll(again) == ReadAll(path_));
  std::remove(again.c_str());
}

TEST_F(SimulateTest, DifferentSeedGivesDifferentBytes) {
  const std::string other = TempPath("simulate_seed2.pcap");
  SimulateOptions options;
  options.packets = kPackets;
  options.seed = 2;
  ASSERT_TRUE(Simulate(options, other).ok());
  EXPECT_FALSE(ReadAll(other) == ReadAll(path_));
  std::remove(other.c_str());
}

TEST_F(SimulateTest, ReadsBackWithRequestedPacketCount) {
  EXPECT_FALSE(read_error_);
  EXPECT_EQ(frames_.size(), kPackets);
  EXPECT_EQ(stats_.packets, kPackets);
  uint64_t bytes = 0;
  for (const Decoded& d : frames_) bytes += d.bytes.size();
  EXPECT_EQ(stats_.bytes, bytes);
}

TEST_F(SimulateTest, TimestampsStartAtFixedEpochAndNeverGoBack) {
  ASSERT_FALSE(frames_.empty());
  // 2026-03-02T06:00:00Z, and no wall clock: the first frame is within a second of it.
  EXPECT_GE(frames_.front().ts.ns, 1772431200LL * 1000000000LL);
  EXPECT_LT(frames_.front().ts.ns, 1772431201LL * 1000000000LL);
  for (size_t i = 1; i < frames_.size(); ++i) {
    ASSERT_LE(frames_[i - 1].ts, frames_[i].ts) << "frame " << i + 1;
  }
}

TEST_F(SimulateTest, EveryIpv4TcpAndUdpChecksumIsValid) {
  size_t tcp = 0, udp = 0;
  for (size_t i = 0; i < frames_.size(); ++i) {
    const FrameView& v = frames_[i].view;
    if (!v.ipv4) continue;
    EXPECT_TRUE(v.ip_checksum_ok) << "frame " << i + 1;
    EXPECT_TRUE(v.l4_checksum_ok) << "frame " << i + 1;
    tcp += v.protocol == 6;
    udp += v.protocol == 17;
  }
  EXPECT_GT(tcp, kPackets / 4);
  EXPECT_GT(udp, kPackets / 20);
}

TEST_F(SimulateTest, EveryVlanOfThePlanAppears) {
  auto zones = ScenarioZones("terminal");
  ASSERT_TRUE(zones.ok());
  std::set<uint16_t> seen;
  for (const Decoded& d : frames_) seen.insert(d.view.vlan);
  for (const SimZone& zone : *zones) EXPECT_TRUE(seen.count(zone.vlan)) << zone.name;
}

TEST_F(SimulateTest, AddressesStayInsideTheirZone) {
  auto zones = ScenarioZones("terminal");
  ASSERT_TRUE(zones.ok());
  std::map<uint16_t, std::pair<uint32_t, uint32_t>> subnet_of_vlan;  // network, mask
  for (const SimZone& zone : *zones) {
    unsigned a, b, c, d, len;
    ASSERT_EQ(std::sscanf(zone.subnet.c_str(), "%u.%u.%u.%u/%u", &a, &b, &c, &d, &len), 5);
    const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
    subnet_of_vlan[zone.vlan] = {(a << 24 | b << 16 | c << 8 | d) & mask, mask};
  }
  // On its own VLAN a private source address belongs to that VLAN's subnet.
  for (const Decoded& d : frames_) {
    const FrameView& v = d.view;
    if (!v.ipv4 || v.vlan == 0 || v.src_ip == 0 || (v.src_ip >> 24) != 10) continue;
    const auto [net, mask] = subnet_of_vlan.at(v.vlan);
    const bool here = (v.src_ip & mask) == net;
    const bool routed_in = ((v.dst_ip & mask) == net);  // second leg of a routed packet
    EXPECT_TRUE(here || routed_in) << "vlan " << v.vlan;
  }
}

TEST_F(SimulateTest, AtLeast300DistinctMacs) {
  std::set<uint64_t> macs;
  for (const Decoded& d : frames_) macs.insert(d.view.src_mac);
  EXPECT_GE(macs.size(), 300u);
}

using FlowKey =
    std::tuple<uint16_t, uint32_t, uint16_t, uint32_t, uint16_t>;  // vlan, src, sport, dst, dport

TEST_F(SimulateTest, TcpSequenceNumbersFollowTheBytesSent) {
  std::map<FlowKey, uint32_t> next_seq;
  size_t checked = 0, handshakes = 0;
  for (size_t i = 0; i < frames_.size(); ++i) {
    const FrameView& v = frames_[i].view;
    if (v.protocol != 6) continue;
    const FlowKey key{v.vlan, v.src_ip, v.sport, v.dst_ip, v.dport};
    const bool syn = v.tcp_flags & 0x02, fin = v.tcp_flags & 0x01;
    const uint32_t advance = static_cast<uint32_t>(v.l4_payload) + syn + fin;
    auto it = next_seq.find(key);
    if (syn) {
      handshakes += (v.tcp_flags & 0x10) == 0;
    } else if (it != next_seq.end()) {
      EXPECT_EQ(v.seq, it->second) << "frame " << i + 1;
      ++checked;
    }
    if (syn || it != next_seq.end()) next_seq[key] = v.seq + advance;
  }
  EXPECT_GT(checked, kPackets / 4);
  EXPECT_GT(handshakes, 50u);
}

TEST_F(SimulateTest, ManyConcurrentFlowsAndSomeSpanTheCapture) {
  std::map<FlowKey, std::pair<int64_t, int64_t>> span;  // first, last
  for (const Decoded& d : frames_) {
    const FrameView& v = d.view;
    if (v.protocol != 6 && v.protocol != 17) continue;
    auto [it, inserted] =
        span.try_emplace(FlowKey{v.vlan, v.src_ip, v.sport, v.dst_ip, v.dport}, d.ts.ns, d.ts.ns);
    it->second.second = d.ts.ns;
  }
  const int64_t begin = frames_.front().ts.ns, end = frames_.back().ts.ns;
  const int64_t tenth = (end - begin) / 10;
  size_t long_lived = 0;
  for (const auto& [key, times] : span) {
    long_lived += times.first < begin + tenth && times.second > end - tenth;
  }
  EXPECT_GT(span.size(), 500u);
  EXPECT_GE(long_lived, 20u);
  // Interleaving: within any 1000 consecutive frames, many different flows take part.
  std::set<FlowKey> window;
  for (size_t i = 0; i < 1000 && i < frames_.size(); ++i) {
    const FrameView& v = frames_[i].view;
    window.insert({v.vlan, v.src_ip, v.sport, v.dst_ip, v.dport});
  }
  EXPECT_GT(window.size(), 50u);
}

TEST_F(SimulateTest, RoutedPacketsAppearOnBothVlansWithTtlOneLess) {
  // A routed packet's two legs share addresses, ports and IP id but not the VLAN.
  std::map<std::tuple<uint32_t, uint32_t, uint16_t, uint16_t, uint32_t>, uint16_t> first_vlan;
  size_t pairs = 0;
  for (const Decoded& d : frames_) {
    const FrameView& v = d.view;
    if (v.protocol != 6 || v.vlan == 0) continue;
    const auto key = std::make_tuple(v.src_ip, v.dst_ip, v.sport, v.dport, v.seq ^ v.ack);
    auto [it, inserted] = first_vlan.try_emplace(key, v.vlan);
    if (!inserted && it->second != v.vlan) ++pairs;
  }
  EXPECT_GT(pairs, 100u);
}

TEST(SimulateScenario, UnknownScenarioFails) {
  SimulateOptions options;
  options.scenario = "no-such-scenario";
  options.packets = 10;
  const std::string path = TempPath("simulate_unknown.pcap");
  const core::Status status = Simulate(options, path);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("no-such-scenario"), std::string::npos);
  EXPECT_FALSE(ScenarioZones("no-such-scenario").ok());
}

TEST(SimulateScenario, ZonePlanNamesEveryCraneVlan) {
  auto zones = ScenarioZones("terminal");
  ASSERT_TRUE(zones.ok());
  std::set<uint16_t> vlans;
  for (const SimZone& zone : *zones) vlans.insert(zone.vlan);
  for (int vlan : {10, 20, 40, 501, 502, 503, 504, 505, 506, 60, 70}) {
    EXPECT_TRUE(vlans.count(static_cast<uint16_t>(vlan))) << vlan;
  }
}

TEST(SimulateScenario, UnwritablePathFails) {
  SimulateOptions options;
  options.packets = 10;
  EXPECT_FALSE(Simulate(options, "/nonexistent-dir/x/out.pcap").ok());
}

// tshark as an independent oracle: no malformed frames, no bad checksums, many TCP
// conversations.
std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  pclose(pipe);
  return out;
}

TEST_F(SimulateTest, TsharkFindsNoMalformedFramesOrBadChecksums) {
  if (RunCommand("command -v tshark").empty()) GTEST_SKIP() << "tshark not installed";
  const std::string checks =
      " -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE";
  const std::string bad = RunCommand(
      "tshark -n -r " + path_ + checks +
      " -Y '_ws.malformed or _ws.expert.severity >= error or ip.checksum.status == bad or "
      "tcp.checksum.status == bad or udp.checksum.status == bad' 2>/dev/null | head -20");
  EXPECT_EQ(bad, "");
  const std::string conversations =
      RunCommand("tshark -n -r " + path_ + " -q -z conv,tcp 2>/dev/null | grep -c '<->'");
  EXPECT_GT(std::atoi(conversations.c_str()), 150);
  const std::string arp = RunCommand("tshark -n -r " + path_ +
                                     " -Y 'arp or lldp or cdp or dns or dhcp or ntp or rtp or "
                                     "modbus or s7comm or tls.handshake.extensions_server_name "
                                     "or smb2 or pgsql or rtsp or ssh or vnc or ftp' -T fields -e "
                                     "frame.protocols 2>/dev/null | tr ':' '\\n' | sort -u");
  for (const char* protocol : {"arp", "lldp", "cdp", "dns", "dhcp", "ntp", "rtp", "mbtcp", "s7comm",
                               "tls", "smb2", "pgsql", "rtsp", "ssh", "vnc", "ftp"}) {
    EXPECT_NE(arp.find(std::string(protocol) + "\n"), std::string::npos) << protocol;
  }
}

}  // namespace
}  // namespace qw::simulate
