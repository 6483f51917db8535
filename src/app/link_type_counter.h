// Frames per link type of one capture file: counted by number on the hot path, named once
// at the end.
#pragma once

#include <cstdint>
#include <map>

#include "capture/frame.h"
#include "model/run_report.h"

namespace qw::app {

/// Counts frames per link type; remembers the last type so a file of one type costs no lookup.
class LinkTypeCounter {
 public:
  /// Counts one frame of `link_type`.
  void Count(uint32_t link_type) {
    if (link_type != last_ || !last_count_) {
      last_ = link_type;
      last_count_ = &counts_[link_type];
    }
    ++*last_count_;
  }
  /// Adds the counts, by link-type name, to the file's report.
  void WriteTo(model::FileReport& file) const {
    for (const auto& [type, n] : counts_) file.link_types[capture::LinkTypeLabel(type)] += n;
  }

 private:
  std::map<uint32_t, uint64_t> counts_;
  uint32_t last_ = 0;
  uint64_t* last_count_ = nullptr;
};

}  // namespace qw::app
