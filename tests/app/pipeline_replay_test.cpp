// Replays, through the whole pipeline (capture reader, Engine, inventory), every input a fuzz
// target kept (tests/fuzz/regressions/<target>/) and every seed of the whole-pipeline fuzz
// target (tests/fuzz/corpus/pipeline/).
//
// Inputs that are no capture file (the parsers' crashers are single PDUs or frames) are fed
// as one frame of every link type the decoder knows. Every input must run safely, within
// the limits, twice with the same result. The seeds, which are valid captures, must also be
// read to their end, and the frames and per-protocol frame counts must be tshark's.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../fuzz/pipeline_limits.h"
#include "app/engine.h"
#include "capture/capture_file.h"
#include "model/vendor_db.h"

namespace qw::app {
namespace {

namespace fs = std::filesystem;

const fs::path kFuzzDir = fs::path(QW_SOURCE_DIR) / "tests/fuzz";

std::vector<uint8_t> ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The regular files of a folder but hidden ones (.gitkeep), sorted so failures read the same
// on every machine.
std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && !entry.path().filename().string().starts_with('.')) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The fuzz target's limits, so the replay runs the pipeline the fuzzer ran.
EngineLimits SmallLimits() { return fuzz::SmallPipelineLimits(); }

// Keeps every ended flow as one line of text, in the order they ended.
class TextSink final : public FlowRecordSink {
 public:
  bool OnFlowRecord(const model::FlowRecord& r) override {
    std::ostringstream s;
    s << r.id << ' ' << int{r.proto} << ' ' << r.vlan << '/' << r.inner_vlan << ' '
      << r.initiator_mac << ' ' << r.initiator_ip << ':' << r.initiator_port << " > "
      << r.responder_mac << ' ' << r.responder_ip << ':' << r.responder_port << ' ' << r.tcp_state
      << ' ' << r.end_reason << ' ' << r.first_ts.ns << '-' << r.last_ts.ns << ' '
      << r.packets_from_initiator << '/' << r.packets_from_responder << ' '
      << r.bytes_from_initiator << '/' << r.bytes_from_responder;
    lines.push_back(s.str());
    packets += r.packets_from_initiator + r.packets_from_responder;
    return true;
  }
  std::vector<std::string> lines;
  uint64_t packets = 0;
};

std::string AssetText(const model::Asset& a) {
  std::ostringstream s;
  s << (a.mac ? a.mac->ToString() : "-") << ' ' << (a.via ? a.via->ToString() : "-");
  for (const auto& ip : a.ips) s << ' ' << ip.ToString();
  s << ' ' << a.gateway << ' ' << a.packets << ' ' << a.bytes << ' ' << a.first_ts.ns << ' '
    << a.last_ts.ns;
  for (const auto& [k, n] : a.served) s << " s" << int{k.transport} << ':' << k.port << 'x' << n;
  for (const auto& [k, n] : a.used) s << " u" << int{k.transport} << ':' << k.port << 'x' << n;
  return s.str();
}

// What one pass of the pipeline over one input produced.
struct PipelineRun {
  bool opened = false;     // the bytes are a capture file
  bool clean_end = false;  // and its reader reached the end without an error
  uint64_t frames = 0;     // frames fed to the Engine
  model::FrameCounts counts;
  model::FlowCounts flows;
  uint64_t flow_packets = 0;
  std::vector<std::string> flow_lines;
  std::map<std::string, uint64_t, std::less<>> anomalies;
  std::vector<std::string> assets;
};

// Runs the frames of the capture in `bytes` (or, when the bytes are no capture, the bytes as
// one frame of every link type) through an Engine and finalises its inventory.
PipelineRun RunPipeline(const std::vector<uint8_t>& bytes, const std::string& name,
                        const EngineLimits& limits) {
  PipelineRun run;
  TextSink sink;
  Engine engine(limits, &sink);
  auto reader = capture::OpenCaptureBuffer(bytes, name);
  if (reader.ok()) {
    run.opened = true;
    capture::Frame frame;
    while ((*reader)->Next(frame)) {
      engine.OnFrame(frame, 0);
      ++run.frames;
    }
    run.clean_end = !(*reader)->error().has_value();
  } else {
    for (uint32_t link : {capture::kLinkEthernet, capture::kLinkNull, capture::kLinkRaw,
                          capture::kLinkLoop, capture::kLinkLinuxSll, capture::kLinkIpv4,
                          capture::kLinkIpv6, capture::kLinkLinuxSll2}) {
      capture::Frame frame;
      frame.ts = core::Timestamp{static_cast<int64_t>(run.frames) * 1'000'000};
      frame.link_type = link;
      frame.orig_len = static_cast<uint32_t>(bytes.size());
      frame.number = ++run.frames;
      frame.data = bytes;
      engine.OnFrame(frame, 0);
    }
  }
  engine.Finish();
  run.counts = engine.frame_counts();
  run.flows = engine.flow_counts();
  run.flow_packets = sink.packets;
  run.flow_lines = std::move(sink.lines);
  for (const auto& [k, n] : engine.anomalies().counts()) run.anomalies.emplace(k, n);
  for (const auto& a : engine.inventory().Finalize(model::VendorDb{})) {
    run.assets.push_back(AssetText(a));
  }
  return run;
}

// What holds for any input: the caps, and counts that cannot exceed the frames.
void ExpectWithinBounds(const PipelineRun& r, const EngineLimits& limits) {
  EXPECT_LE(r.flows.peak_live, limits.flows.max_flows);
  EXPECT_EQ(r.flows.tcp + r.flows.udp + r.flows.other, r.flow_lines.size());
  // A flow counts each datagram once, and a reassembled one from several frames.
  EXPECT_LE(r.flow_packets, r.frames);
  for (uint64_t c : {r.counts.ipv4, r.counts.ipv6, r.counts.tcp, r.counts.udp, r.counts.arp,
                     r.counts.vlan, r.counts.lldp, r.counts.cdp}) {
    EXPECT_LE(c, r.frames);
  }
  EXPECT_LE(r.assets.size(), limits.inventory.max_macs + limits.inventory.max_ips);
}

// Same input, same everything: nothing may depend on addresses or hash order.
void ExpectSameRun(const PipelineRun& a, const PipelineRun& b) {
  EXPECT_EQ(a.frames, b.frames);
  EXPECT_EQ(a.flow_lines, b.flow_lines);
  EXPECT_EQ(a.anomalies, b.anomalies);
  EXPECT_EQ(a.assets, b.assets);
}

TEST(PipelineReplay, EveryKeptFuzzInputRunsThroughThePipeline) {
  size_t replayed = 0;
  const fs::path root = kFuzzDir / "regressions";
  if (fs::is_directory(root)) {
    for (const auto& target : fs::directory_iterator(root)) {
      for (const auto& path : FilesIn(target.path())) {
        SCOPED_TRACE(path.string());
        const auto bytes = ReadBytes(path);
        for (const EngineLimits& limits : {EngineLimits{}, SmallLimits()}) {
          const PipelineRun first = RunPipeline(bytes, path.filename().string(), limits);
          ExpectWithinBounds(first, limits);
          ExpectSameRun(first, RunPipeline(bytes, path.filename().string(), limits));
        }
        ++replayed;
      }
    }
  }
  // Kept crashers are in the repository: none found means the test looked in the wrong place.
  EXPECT_GT(replayed, 0u);
  RecordProperty("replayed", static_cast<int>(replayed));
}

// A seed's frames as tshark 4.0.17 counts them: `tshark -n -r SEED -T fields -e ip -e ipv6
// -e tcp -e udp -e arp -e lldp -e cdp -e vlan -E occurrence=f`, one count per column of
// frames where it is non-empty (ip and vlan count once however many layers).
struct TsharkCounts {
  const char* seed;
  uint64_t frames, ipv4, ipv6, tcp, udp, arp, lldp, cdp, vlan;
};
constexpr TsharkCounts kSeeds[] = {
    {"LLDP_and_CDP.pcap", 12, 0, 0, 0, 0, 0, 8, 4, 0},
    {"arp-leak.pcap", 6, 0, 0, 0, 0, 6, 0, 0, 0},
    {"dns_tcp.pcap", 11, 11, 0, 11, 0, 0, 0, 0, 0},
    {"http_basic-auth-with-colon.pcap", 12, 12, 0, 12, 0, 0, 0, 0, 0},
    {"opendnp3_conformance_6.1.2.pcap", 79, 79, 0, 79, 0, 0, 0, 0, 0},
    {"profinet_io_cm_connect_minimal.pcapng", 2, 2, 0, 0, 2, 0, 0, 0, 0},
    {"simulate_seed1.pcap", 50, 50, 0, 38, 12, 0, 0, 0, 50},
    {"simulate_seed2.pcap", 50, 50, 0, 41, 9, 0, 0, 0, 50},
    {"simulate_seed3.pcap", 50, 50, 0, 42, 8, 0, 0, 0, 50},
    {"vlan-qinqinq.pcap", 14, 14, 0, 14, 0, 0, 0, 0, 14},
};

TEST(PipelineReplay, EverySeedIsReadWholeWithTsharksFrameCounts) {
  std::map<std::string, const TsharkCounts*> expected;
  for (const auto& s : kSeeds) expected[s.seed] = &s;
  size_t checked = 0;
  for (const auto& path : FilesIn(kFuzzDir / "corpus/pipeline")) {
    const std::string name = path.filename().string();
    SCOPED_TRACE(name);
    const auto bytes = ReadBytes(path);
    const PipelineRun run = RunPipeline(bytes, name, EngineLimits{});
    ExpectWithinBounds(run, EngineLimits{});
    ExpectSameRun(run, RunPipeline(bytes, name, EngineLimits{}));
    // Small limits end flows early and drop state, but every frame is still counted.
    const PipelineRun small = RunPipeline(bytes, name, SmallLimits());
    ExpectWithinBounds(small, SmallLimits());
    EXPECT_EQ(small.frames, run.frames);
    EXPECT_EQ(small.counts.tcp, run.counts.tcp);
    EXPECT_EQ(small.counts.udp, run.counts.udp);
    if (!run.opened || !run.clean_end) continue;  // not a valid capture: safety only

    // The mapped-file reader delivers what the buffer reader did.
    auto file = capture::OpenCaptureFile(path.string());
    ASSERT_TRUE(file.ok()) << file.error().message;
    uint64_t file_frames = 0;
    capture::Frame frame;
    while ((*file)->Next(frame)) ++file_frames;
    EXPECT_EQ(file_frames, run.frames);

    auto it = expected.find(name);
    if (it == expected.end()) {
      ADD_FAILURE() << name << " is a valid capture without tshark's counts in kSeeds";
      continue;
    }
    const TsharkCounts& t = *it->second;
    EXPECT_EQ(run.frames, t.frames);
    EXPECT_EQ(run.counts.ipv4, t.ipv4);
    EXPECT_EQ(run.counts.ipv6, t.ipv6);
    EXPECT_EQ(run.counts.tcp, t.tcp);
    EXPECT_EQ(run.counts.udp, t.udp);
    EXPECT_EQ(run.counts.arp, t.arp);
    EXPECT_EQ(run.counts.lldp, t.lldp);
    EXPECT_EQ(run.counts.cdp, t.cdp);
    EXPECT_EQ(run.counts.vlan, t.vlan);
    // Each IP frame not a fragment belongs to a flow here (no seed has fragments).
    EXPECT_EQ(run.flow_packets, run.counts.ipv4 + run.counts.ipv6 - run.counts.ipv4_fragments);
    expected.erase(it);
    ++checked;
  }
  for (const auto& [name, counts] : expected) {
    ADD_FAILURE() << "seed " << name << " of kSeeds is missing from tests/fuzz/corpus/pipeline";
  }
  EXPECT_GT(checked, 0u);
}

}  // namespace
}  // namespace qw::app
