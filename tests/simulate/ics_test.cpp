// The industrial payloads of `quaywatch simulate`: both traffic profiles are deterministic
// and write exactly the frames asked for; every industrial protocol appears, its framing
// checked here by a reader written apart from the simulator (DNP3 CRCs included); and
// tshark, as an independent oracle, finds each protocol and no malformed frame or expert
// error among them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "capture/capture_file.h"
#include "frame_check.h"
#include "simulate/simulate.h"

namespace qw::simulate {
namespace {

using testing::Be16;
using testing::Be32;
using testing::FrameView;
using testing::ParseFrame;

constexpr uint64_t kPackets = 30000;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/qw-ics-" + std::to_string(::getpid()) + "-" + name;
}

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 65536> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  pclose(pipe);
  return out;
}

uint16_t Le16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>(b[at] | b[at + 1] << 8);
}
uint32_t Le32(std::span<const uint8_t> b, size_t at) {
  return uint32_t{b[at]} | uint32_t{b[at + 1]} << 8 | uint32_t{b[at + 2]} << 16 |
         uint32_t{b[at + 3]} << 24;
}

// DNP3 CRC (IEEE 1815-2012, 9.2.4.2), bit by bit from the polynomial 0x3d65, MSB first and
// then reflected, so that it shares nothing with the simulator's table-free loop.
uint16_t Dnp3Crc(std::span<const uint8_t> bytes) {
  uint32_t crc = 0;
  for (uint8_t byte : bytes) {
    for (int bit = 0; bit < 8; ++bit) {  // LSB first on the wire: reflect the input
      const uint32_t in = (byte >> bit) & 1u;
      const uint32_t top = (crc >> 15) & 1u;
      crc = (crc << 1) & 0xffff;
      if ((top ^ in) != 0) crc ^= 0x3d65;
    }
  }
  uint16_t reflected = 0;  // reflect the register, then complement
  for (int bit = 0; bit < 16; ++bit) {
    if ((crc >> bit) & 1u) reflected = static_cast<uint16_t>(reflected | 1u << (15 - bit));
  }
  return static_cast<uint16_t>(~reflected);
}

// True when `f` is a whole DNP3 link frame whose header and block CRCs all hold.
bool Dnp3FrameOk(std::span<const uint8_t> f) {
  if (f.size() < 10 || f[0] != 0x05 || f[1] != 0x64) return false;
  const size_t user = f[2] - 5u;
  if (Dnp3Crc(f.first(8)) != Le16(f, 8)) return false;
  size_t at = 10, left = user;
  while (left > 0) {
    const size_t n = std::min<size_t>(16, left);
    if (at + n + 2 > f.size() || Dnp3Crc(f.subspan(at, n)) != Le16(f, at + n)) return false;
    at += n + 2;
    left -= n;
  }
  return at == f.size();
}

// Counts of what the independent reader found in one capture.
struct IcsCensus {
  std::map<std::string, size_t> frames;  // protocol -> frames
  std::map<std::string, size_t> bad;     // protocol -> frames whose framing is wrong
  std::set<std::string> features;        // planted operations seen, e.g. "s7.download"
  uint64_t total = 0;
  bool read_error = false;
};

void Classify(std::span<const uint8_t> f, const FrameView& v, IcsCensus& c) {
  // The transport payload without Ethernet padding; for PROFINET, the rest of the frame.
  const auto p = v.ipv4 ? f.subspan(v.payload_at, v.l4_payload) : f.subspan(v.payload_at);
  const auto tcp = [&](uint16_t port) {
    return v.protocol == 6 && (v.sport == port || v.dport == port) && !p.empty();
  };
  const auto udp = [&](uint16_t port) {
    return v.protocol == 17 && (v.sport == port || v.dport == port) && p.size() >= 4;
  };
  const auto count = [&](const char* name, bool ok) {
    ++c.frames[name];
    if (!ok) ++c.bad[name];
  };
  if (v.ethertype == 0x8892) {  // PROFINET
    const uint16_t id = Be16(p, 0);
    if (id == 0xfefe || id == 0xfeff) {
      const size_t length = Be16(p, 10);
      count("pn_dcp", p[2] == 5 && 12 + length <= p.size());
      c.features.insert(id == 0xfefe ? "pn.identify" : "pn.identify_ok");
    } else {
      // Frame id, 40 bytes of C_SDU, then cycle counter, data and transfer status.
      count("pn_rt", id >= 0x8000 && id < 0xc000 && p.size() == 2 + 40 + 4 && p[44] == 0x35);
    }
  } else if (tcp(502)) {
    count("modbus", Be16(p, 2) == 0 && Be16(p, 4) + 6u == p.size());
    if (p.size() > 7 && p[7] == 43) c.features.insert("modbus.device_id");
    if (p.size() > 8 && p[7] == 0x83 && p[8] == 2) c.features.insert("modbus.exception");
    if (p.size() > 7 && (p[7] == 6 || p[7] == 16)) c.features.insert("modbus.write");
  } else if (tcp(102)) {
    const bool tpkt = p[0] == 3 && Be16(p, 2) == p.size();
    if (p.size() > 7 && p[5] == 0xf0 && p[7] == 0x32) {
      count("s7comm", tpkt);
      const uint8_t rosctr = p[8];
      const size_t param = 7 + (rosctr == 3 ? 12 : 10);
      const uint8_t function = p[param];
      if (rosctr == 1 && function == 0x1a) c.features.insert("s7.request_download");
      if (rosctr == 1 && function == 0x1b) c.features.insert("s7.download_block");
      if (rosctr == 1 && function == 0x1c) c.features.insert("s7.download_ended");
      if (rosctr == 1 && function == 0x29) c.features.insert("s7.plc_stop");
      if (rosctr == 1 && function == 0x28) c.features.insert("s7.pi_service");
      if (rosctr == 1 && function == 0x05) c.features.insert("s7.write_var");
      if (rosctr == 7 && p.size() > param + 6 && p[param + 6] == 0x01) {
        c.features.insert("s7.szl_read");
      }
      const std::string text(p.begin(), p.end());
      if (text.find("6ES7 315-2EH14-0AB0") != std::string::npos) c.features.insert("s7.order");
    } else if (p.size() > 11 && p[5] == 0xf0 && p[7] == 0x72) {
      // S7comm-plus: | 0x72 | version | data length | data | and the trailer | 0x72 | version
      // | 0 0 | closing the packet.
      const size_t data = Be16(p, 9);
      const bool framed = tpkt && 7 + 4 + data + 4 == p.size() && p[p.size() - 4] == 0x72 &&
                          p[p.size() - 3] == p[8] && Be16(p, p.size() - 2) == 0;
      count("s7comm_plus", framed);
      const std::string text(p.begin(), p.end());
      if (text.find("1;6ES7 516-3AN01-0AB0 ;V2.8") != std::string::npos) {
        c.features.insert("s7plus.session_version");
      }
      // A V3 packet's data starts after the 33 octets of its integrity digest.
      const size_t op = p[8] == 0x03 ? 11 + 33 : 11;
      if (p.size() > op + 4 && p[op] == 0x31 && Be16(p, op + 3) == 0x0542) {
        c.features.insert("s7plus.set_multi_variables");
      }
    } else {
      count("cotp", tpkt);
    }
  } else if (tcp(44818) || udp(44818)) {
    count("enip", p.size() >= 24 && Le16(p, 2) + 24u == p.size());
    const std::string text(p.begin(), p.end());
    if (text.find("1756-L71/B LOGIX5571") != std::string::npos) c.features.insert("enip.identity");
    if (Le16(p, 0) == 0x6f && p.size() > 40) {
      const uint8_t service = p[40];
      if (service == 0x4c) c.features.insert("cip.read_tag");
      if (service == 0x4d) c.features.insert("cip.write_tag");
      if (service == 0x0e) c.features.insert("cip.get_attribute_single");
      if (service == 0x54) c.features.insert("cip.forward_open");
    }
  } else if (udp(2222)) {
    count("cip_io", Le16(p, 0) == 2 && Le16(p, 2) == 0x8002 && Le16(p, 14) == 0x00b1 &&
                        18u + Le16(p, 16) == p.size());
  } else if (tcp(4840)) {
    const std::string type(p.begin(), p.begin() + std::min<size_t>(3, p.size()));
    const std::set<std::string> types = {"HEL", "ACK", "OPN", "MSG", "CLO"};
    count("opcua", types.count(type) && p.size() >= 8 && p[3] == 'F' && Le32(p, 4) == p.size());
    c.features.insert("opcua." + type);
    if (type == "MSG" && p.size() > 28 && p[24] == 0x01 && Le16(p, 26) == 673) {
      c.features.insert("opcua.write");
    }
  } else if (tcp(20000)) {
    count("dnp3", Dnp3FrameOk(p));
    if (p.size() > 12 && p[12] == 0x05) c.features.insert("dnp3.direct_operate");
  } else if (tcp(2404)) {
    count("iec104", p[0] == 0x68 && p[1] + 2u == p.size());
    if (p.size() > 6 && (p[2] & 1) == 0) c.features.insert("iec104.type" + std::to_string(p[6]));
  } else if (udp(47808)) {
    count("bacnet", p.size() >= 4 && p[0] == 0x81 && Be16(p, 2) == p.size());
    if (p.size() > 10 && p[1] == 0x0a && p[6] == 0x00 && p[9] == 15) {
      c.features.insert("bacnet.write_property");
    }
  }
}

IcsCensus Census(const std::string& path) {
  IcsCensus c;
  auto reader = capture::OpenCaptureFile(path);
  if (!reader.ok()) {
    c.read_error = true;
    return c;
  }
  capture::Frame frame;
  while ((*reader)->Next(frame)) {
    ++c.total;
    auto view = ParseFrame(frame.data);
    if (!view) {
      ++c.bad["frame"];
      continue;
    }
    Classify(frame.data, *view, c);
  }
  c.read_error = (*reader)->error().has_value();
  return c;
}

class IcsTest : public ::testing::TestWithParam<const char*> {
 protected:
  static void SetUpTestSuite() {
    for (const char* profile : {"mixed", "ics"}) {
      SimulateOptions options;
      options.packets = kPackets;
      options.profile = profile;
      const std::string path = TempPath(std::string(profile) + ".pcap");
      ASSERT_TRUE(Simulate(options, path).ok()) << profile;
      paths_[profile] = path;
      census_[profile] = Census(path);
    }
  }
  static void TearDownTestSuite() {
    for (const auto& [profile, path] : paths_) std::remove(path.c_str());
  }
  static std::map<std::string, std::string> paths_;
  static std::map<std::string, IcsCensus> census_;
};

std::map<std::string, std::string> IcsTest::paths_;
std::map<std::string, IcsCensus> IcsTest::census_;

constexpr const char* kProtocols[] = {"modbus", "s7comm", "s7comm_plus", "enip",
                                      "cip_io", "pn_dcp", "pn_rt",       "opcua",
                                      "dnp3",   "iec104", "bacnet"};

TEST_P(IcsTest, SameSeedGivesIdenticalBytes) {
  SimulateOptions options;
  options.packets = kPackets;
  options.profile = GetParam();
  const std::string again = TempPath(std::string(GetParam()) + "-again.pcap");
  ASSERT_TRUE(Simulate(options, again).ok());
  EXPECT_TRUE(ReadAll(again) == ReadAll(paths_[GetParam()]));
  std::remove(again.c_str());
}

TEST_P(IcsTest, EveryIndustrialProtocolAppearsWellFramed) {
  const IcsCensus& c = census_[GetParam()];
  ASSERT_FALSE(c.read_error);
  EXPECT_EQ(c.total, kPackets);
  for (const char* protocol : kProtocols) {
    EXPECT_GT(c.frames.count(protocol) ? c.frames.at(protocol) : 0u, 0u) << protocol;
  }
  for (const auto& [protocol, n] : c.bad) ADD_FAILURE() << n << " bad " << protocol << " frames";
}

TEST_P(IcsTest, PlantedAndCharacteristicOperationsAppear) {
  const IcsCensus& c = census_[GetParam()];
  for (const char* feature : {"modbus.device_id",
                              "modbus.exception",
                              "modbus.write",
                              "s7.szl_read",
                              "s7.order",
                              "s7.write_var",
                              "s7.plc_stop",
                              "s7.request_download",
                              "s7.download_block",
                              "s7.download_ended",
                              "s7.pi_service",
                              "s7plus.session_version",
                              "s7plus.set_multi_variables",
                              "enip.identity",
                              "cip.read_tag",
                              "cip.write_tag",
                              "cip.get_attribute_single",
                              "cip.forward_open",
                              "pn.identify",
                              "pn.identify_ok",
                              "opcua.HEL",
                              "opcua.ACK",
                              "opcua.OPN",
                              "opcua.MSG",
                              "opcua.CLO",
                              "opcua.write",
                              "dnp3.direct_operate",
                              "iec104.type100",
                              "iec104.type13",
                              "iec104.type45",
                              "bacnet.write_property"}) {
    EXPECT_TRUE(c.features.count(feature)) << feature;
  }
}

TEST(IcsProfile, IndustrialFramesAreMostOfTheIcsProfile) {
  // The reader above counts frames that carry industrial payloads (not their bare ACKs):
  // a large minority of the mixed profile, most of the ics one.
  for (const auto& [profile, low, high] :
       {std::tuple{"mixed", 0.15, 0.6}, std::tuple{"ics", 0.6, 1.0}}) {
    SimulateOptions options;
    options.packets = 20000;
    options.profile = profile;
    const std::string path = TempPath(std::string("share-") + profile + ".pcap");
    ASSERT_TRUE(Simulate(options, path).ok());
    const IcsCensus c = Census(path);
    std::remove(path.c_str());
    size_t industrial = 0;
    for (const auto& [protocol, n] : c.frames) industrial += n;
    const double share = static_cast<double>(industrial) / static_cast<double>(c.total);
    EXPECT_GT(share, low) << profile;
    EXPECT_LE(share, high) << profile;
  }
}

TEST(IcsProfile, ExactPacketCountsForEveryProfile) {
  for (const char* profile : {"mixed", "ics"}) {
    for (uint64_t packets : {1u, 2u, 59u, 1000u, 12345u}) {
      SimulateOptions options;
      options.packets = packets;
      options.profile = profile;
      options.seed = 11;
      SimulateStats stats;
      const std::string path = TempPath("count.pcap");
      ASSERT_TRUE(Simulate(options, path, &stats).ok());
      const IcsCensus c = Census(path);
      std::remove(path.c_str());
      EXPECT_FALSE(c.read_error);
      EXPECT_EQ(c.total, packets) << profile;
      EXPECT_EQ(stats.packets, packets) << profile;
    }
  }
}

TEST(IcsProfile, UnknownProfileFails) {
  SimulateOptions options;
  options.profile = "no-such-profile";
  options.packets = 10;
  const core::Status status = Simulate(options, TempPath("unknown.pcap"));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("no-such-profile"), std::string::npos);
  std::remove(TempPath("unknown.pcap").c_str());
}

TEST(IcsProfile, ProfilesDiffer) {
  std::string paths[2];
  const char* profiles[] = {"mixed", "ics"};
  for (int i = 0; i < 2; ++i) {
    SimulateOptions options;
    options.packets = 2000;
    options.profile = profiles[i];
    paths[i] = TempPath(std::string("differ-") + profiles[i] + ".pcap");
    ASSERT_TRUE(Simulate(options, paths[i]).ok());
  }
  EXPECT_FALSE(ReadAll(paths[0]) == ReadAll(paths[1]));
  for (const std::string& path : paths) std::remove(path.c_str());
}

// tshark names each protocol and finds no malformed frame and no expert error in any frame
// that carries an industrial protocol (its frame.protocols names one of kTsharkNames).
TEST_P(IcsTest, TsharkDissectsEveryIndustrialProtocolWithoutErrors) {
  if (RunCommand("command -v tshark").empty()) {
    GTEST_SKIP() << "SKIPPED: tshark not installed, the industrial payloads were not checked "
                    "against Wireshark's dissectors";
  }
  const std::string out = RunCommand("tshark -n -r " + paths_[GetParam()] +
                                     " -T fields -E separator=/t -e frame.number -e frame.protocols"
                                     " -e _ws.expert.severity 2>/dev/null");
  constexpr const char* kTsharkNames[] = {
      "mbtcp", "s7comm", "enip",         "cip",    "cipio", "pn_dcp", "pn_rt",
      "opcua", "dnp3",   "iec60870_104", "bacapp", "bvlc",  "modbus", "iec60870_asdu"};
  constexpr uint32_t kSeverityError = 0x00800000;
  std::map<std::string, size_t> frames;
  size_t lines = 0, malformed = 0, errors = 0;
  std::string first_problem;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    ++lines;
    std::istringstream fields(line);
    std::string number, protocols, severities;
    std::getline(fields, number, '\t');
    std::getline(fields, protocols, '\t');
    std::getline(fields, severities, '\t');
    std::set<std::string> names;
    std::istringstream parts(protocols);
    for (std::string name; std::getline(parts, name, ':');) names.insert(name);
    bool industrial = false;
    for (const char* name : kTsharkNames) {
      if (names.count(name)) {
        ++frames[name];
        industrial = true;
      }
    }
    if (!industrial) continue;
    bool bad = names.count("_ws.malformed") > 0;
    malformed += bad;
    std::istringstream levels(severities);
    for (std::string level; std::getline(levels, level, ',');) {
      if (!level.empty() && std::stoul(level) >= kSeverityError) {
        ++errors;
        bad = true;
        break;
      }
    }
    if (bad && first_problem.empty()) first_problem = line;
  }
  EXPECT_EQ(lines, kPackets);
  for (const char* name : {"mbtcp", "s7comm", "enip", "cip", "cipio", "pn_dcp", "pn_rt", "opcua",
                           "dnp3", "iec60870_104", "bacapp"}) {
    EXPECT_GT(frames[name], 0u) << name;
  }
  EXPECT_EQ(malformed, 0u) << first_problem;
  EXPECT_EQ(errors, 0u) << first_problem;
  std::string summary;
  for (const auto& [name, n] : frames) summary += " " + name + "=" + std::to_string(n);
  std::printf("tshark frames (%s):%s\n", GetParam(), summary.c_str());
}

INSTANTIATE_TEST_SUITE_P(Profiles, IcsTest, ::testing::Values("mixed", "ics"));

}  // namespace
}  // namespace qw::simulate
