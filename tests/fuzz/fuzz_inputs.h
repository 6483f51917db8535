// The inputs a fuzz target keeps in the repository (its seeds and the crashers found), for
// the unit tests that replay them in every build.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

namespace qw::fuzz {

/// One kept input of a fuzz target.
struct FuzzInput {
  std::filesystem::path path;
  bool seed = false;  // from corpus/<target>; otherwise a crasher from regressions/<target>
  std::vector<uint8_t> bytes;
};

/// Every seed (tests/fuzz/corpus/<target>/) and kept crasher (tests/fuzz/regressions/<target>/)
/// of `target`, seeds first, each folder in path order; a missing folder gives none.
inline std::vector<FuzzInput> FuzzInputs(const std::string& target) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(QW_SOURCE_DIR) / "tests" / "fuzz";
  std::vector<FuzzInput> out;
  for (const char* kind : {"corpus", "regressions"}) {
    const fs::path dir = root / kind / target;
    if (!fs::is_directory(dir)) continue;  // no crasher kept yet
    std::vector<fs::path> paths;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file()) paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const fs::path& path : paths) {
      std::ifstream in(path, std::ios::binary);
      out.push_back({path, std::string_view(kind) == "corpus",
                     std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {})});
    }
  }
  return out;
}

/// What ReplayKept found: how many seeds there were, and the paths of those refused.
struct Replayed {
  size_t seeds = 0;
  std::vector<std::string> refused_seeds;
};

/// Feeds every kept input of `target` to `parses` (true when it took the bytes); none may
/// crash it, and every seed is expected to be taken.
template <class Parses>
Replayed ReplayKept(const std::string& target, Parses parses) {
  Replayed out;
  for (const FuzzInput& input : FuzzInputs(target)) {
    const bool took = parses(std::span<const uint8_t>(input.bytes));
    if (!input.seed) continue;
    ++out.seeds;
    if (!took) out.refused_seeds.push_back(input.path.string());
  }
  return out;
}

}  // namespace qw::fuzz
