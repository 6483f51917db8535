// The planted violations of the "violations" scenario (plants.cpp): where their frames
// landed, the findings each must raise, and the site policy the simulated terminal is
// judged by.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "simulate/scenario.h"
#include "simulate/simulate.h"

namespace qw::simulate {

/// Where the plants' frames landed in the output: each plant's first and last frame, and
/// the first frame of each of its messages (by round, side and index within the round).
class PlantFrames {
 public:
  /// Records output frame `frame` (1-based) as one of plant `plant` (1-based), the first of
  /// a message when `round` is not negative.
  void Note(uint8_t plant, int32_t round, uint8_t side, uint8_t message, uint64_t frame) {
    auto& span = spans_[plant];
    if (span.first == 0) span.first = frame;
    span.second = frame;
    if (round >= 0) messages_.emplace(std::tuple{plant, round, side, message}, frame);
  }
  /// The first and last frames of plant `plant` (0-based), 0 when it wrote none.
  uint64_t First(uint32_t plant) const { return Span(plant).first; }
  uint64_t Last(uint32_t plant) const { return Span(plant).second; }
  /// The first frame of a message of plant `plant` (0-based), 0 when it was not sent.
  uint64_t Message(uint32_t plant, int32_t round, uint8_t side, uint8_t message) const {
    auto it = messages_.find(std::tuple{static_cast<uint8_t>(plant + 1), round, side, message});
    return it == messages_.end() ? 0 : it->second;
  }

 private:
  std::pair<uint64_t, uint64_t> Span(uint32_t plant) const {
    auto it = spans_.find(static_cast<uint8_t>(plant + 1));
    return it == spans_.end() ? std::pair<uint64_t, uint64_t>{0, 0} : it->second;
  }
  std::map<uint8_t, std::pair<uint64_t, uint64_t>> spans_;
  std::map<std::tuple<uint8_t, int32_t, uint8_t, uint8_t>, uint64_t> messages_;
};

/// Each planted violation with its frames, expected findings, new devices and
/// communications.
std::vector<PlantedViolation> DescribePlants(const Scenario& scenario, const PlantFrames& frames);

/// The site policy of the simulated terminal ("clean" and "violations"): every regular
/// conversation allowed, the plants not.
std::string PlantPolicy(const Scenario& scenario);

}  // namespace qw::simulate
