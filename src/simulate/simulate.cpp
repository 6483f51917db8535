#include "simulate/simulate.h"

#include "capture/pcap_writer.h"
#include "simulate/engine.h"
#include "simulate/plants.h"
#include "simulate/scenario.h"

namespace qw::simulate {

namespace {

// The frames of the planted violations, kept in memory (a few hundred) until the regular
// traffic reaches their time.
class PlantBuffer final : public FrameSink {
 public:
  struct Held {
    core::Timestamp ts;
    FrameTag tag;
    std::vector<uint8_t> bytes;
  };
  core::Status Write(core::Timestamp ts, std::span<const uint8_t> frame,
                     const FrameTag& tag) override {
    frames_.push_back({ts, tag, std::vector<uint8_t>(frame.begin(), frame.end())});
    return {};
  }
  std::vector<Held>& frames() { return frames_; }

 private:
  std::vector<Held> frames_;
};

// Writes the regular traffic to the pcap file, each held plant frame before the first
// regular frame later than it, and notes where the plant frames landed.
class MergingWriter final : public FrameSink {
 public:
  MergingWriter(capture::PcapWriter& out, std::vector<PlantBuffer::Held>* plants)
      : out_(out), plants_(plants) {}
  core::Status Write(core::Timestamp ts, std::span<const uint8_t> frame, const FrameTag&) override {
    if (auto s = FlushUntil(&ts); !s) return s;
    ++written_;
    return out_.Write(ts, frame);
  }
  /// Writes the plant frames still held (those after the last regular frame).
  core::Status Finish() { return FlushUntil(nullptr); }
  const PlantFrames& frames() const { return frames_; }
  uint64_t plant_frames() const { return next_; }

 private:
  core::Status FlushUntil(const core::Timestamp* ts) {
    if (!plants_) return {};
    while (next_ < plants_->size() && (!ts || (*plants_)[next_].ts <= *ts)) {
      const auto& held = (*plants_)[next_++];
      if (auto s = out_.Write(held.ts, held.bytes); !s) return s;
      ++written_;
      frames_.Note(held.tag.plant, held.tag.round, held.tag.side, held.tag.message, written_);
    }
    return {};
  }

  capture::PcapWriter& out_;
  std::vector<PlantBuffer::Held>* plants_;
  size_t next_ = 0;
  uint64_t written_ = 0;
  PlantFrames frames_;
};

}  // namespace

std::vector<std::string> ProfileNames() { return {"mixed", "ics"}; }

core::Result<std::string> ScenarioPolicy(const std::string& scenario) {
  // "terminal" shares the plan of the shipped example; its policy is the simulated
  // terminal's too, under which its planted program change is a finding.
  auto plan = BuildScenario(scenario == "terminal" ? "clean" : scenario);
  if (!plan.ok()) return plan.error();
  return PlantPolicy(*plan);
}

core::Status Simulate(const SimulateOptions& options, const std::string& out_path,
                      SimulateStats* stats) {
  const Profile* profile = FindProfile(options.profile);
  if (profile == nullptr) {
    return core::MakeError("simulate: unknown profile '" + options.profile +
                           "' (known: mixed, ics)");
  }
  auto scenario = BuildScenario(options.scenario);
  if (!scenario.ok()) return scenario.error();
  SimulateStats local;
  SimulateStats& out = stats != nullptr ? *stats : local;
  // The plants first, into memory, from a random stream of their own.
  PlantBuffer plants;
  const bool planted = options.scenario == "violations";
  if (planted) {
    SimulateStats ignored;
    Engine plant_engine(*scenario, options, *profile, Traffic::kPlants, plants);
    if (auto s = plant_engine.Run(ignored); !s.ok()) return s;
  }
  auto writer = capture::PcapWriter::Create(out_path);
  if (!writer.ok()) return writer.error();
  MergingWriter merged(**writer, planted ? &plants.frames() : nullptr);
  const Traffic traffic = options.scenario == "terminal" ? Traffic::kTerminal : Traffic::kClean;
  Engine engine(*scenario, options, *profile, traffic, merged);
  if (auto s = engine.Run(out); !s.ok()) return s;
  if (auto s = merged.Finish(); !s.ok()) return s;
  if (planted) {
    out.packets += merged.plant_frames();
    for (const auto& held : plants.frames()) out.bytes += held.bytes.size();
    if (!plants.frames().empty()) {
      out.last_ts = std::max(out.last_ts, plants.frames().back().ts);
    }
    out.plants = DescribePlants(*scenario, merged.frames());
  }
  return (*writer)->Close();
}

}  // namespace qw::simulate
