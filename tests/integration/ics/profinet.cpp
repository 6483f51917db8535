// PROFINET against tshark: "pn_rt" counts every frame of EtherType 0x8892 (tshark puts
// pn_rt in every such frame, DCP and PTCP included) with its frame id under "frame_ids"
// (cyclic ranges folded to their first id, as FrameIdKey does); "pn_dcp" counts DCP PDUs
// by service id ("functions") and service type ("service_types").
#include <cstdint>
#include <string>

#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

// The histogram key of a frame id: kept in step with profinet::FrameIdKey.
int64_t FrameIdKey(int64_t id) {
  if (id >= 0x0100 && id <= 0x7fff) return 0x0100;
  if (id >= 0x8000 && id <= 0xbfff) return 0x8000;
  if (id >= 0xc000 && id <= 0xfbff) return 0xc000;
  return id;
}

Counters ExpectRt(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("pn_rt")) continue;
    ++c["pdus"];
    ++c["frames"];
    for (const auto& id : f.Values("pn_rt.frame_id")) {
      ++c["frame_ids:" + std::to_string(FrameIdKey(Number(id)))];
    }
  }
  return c;
}

Counters ExpectDcp(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("pn_dcp")) continue;
    ++c["pdus"];
    ++c["frames"];
    for (const auto& s : f.Values("pn_dcp.service_id")) ++c["functions:" + s];
    bool response = false, error = false;
    for (const auto& t : f.Values("pn_dcp.service_type")) {
      ++c["service_types:" + t];
      int64_t type = Number(t);
      if (type == 0) ++c["requests"];
      if (type == 1 || type == 5) {
        ++c["responses"];
        response = true;
      }
      error = error || type == 5;
    }
    for (const auto& e : f.Values("pn_dcp.block_error")) error = error || Number(e) != 0;
    if (response && error) ++c["exceptions"];
  }
  return c;
}

const Register kRt(Spec{
    "pn_rt",
    {"profinet", "mixed_ics"},
    {"pn_rt.frame_id"},
    ExpectRt,
    {"pdus", "frames", "frame_ids:"},
    {},
    "",
});

const Register kDcp(Spec{
    "pn_dcp",
    {"profinet", "mixed_ics"},
    {"pn_dcp.service_id", "pn_dcp.service_type", "pn_dcp.block_error"},
    ExpectDcp,
    {"pdus", "frames", "requests", "responses", "exceptions", "functions:", "service_types:"},
    {},
    "",
});

}  // namespace
}  // namespace qw::ics_compare
