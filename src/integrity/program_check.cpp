#include "integrity/program_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include "policy/judging.h"

namespace qw::integrity {

ProgramCheckCounts CheckProgramBlocks(const Manifest& known_good, const std::string& manifest_path,
                                      const std::vector<model::PlcBlock>& blocks,
                                      const policy::ZoneMap* zones, policy::FindingSet& findings) {
  // PLC address -> block name -> known-good hashes.
  std::map<std::string, std::map<std::string, std::set<std::string>>> good;
  for (const ManifestItem& i : known_good.items) {
    if (i.kind != "plc-block" || i.device.empty() || i.block.empty()) continue;
    good[i.device][i.block].insert(i.sha256);
  }
  ProgramCheckCounts counts;
  // The start of each transfer already judged, by what makes two sightings one transfer.
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>,
           std::vector<core::Timestamp>>
      seen;
  for (const model::PlcBlock& b : blocks) {
    if (!b.complete) {
      ++counts.incomplete;
      continue;
    }
    auto& starts =
        seen[{b.plc_ip.ToString(), b.peer_ip.ToString(), b.direction, b.block, b.sha256}];
    const int64_t window = kDuplicateTransferSeconds * 1'000'000'000;
    if (std::any_of(starts.begin(), starts.end(),
                    [&](core::Timestamp t) { return std::abs(t.ns - b.first_ts.ns) <= window; })) {
      ++counts.duplicates;
      continue;
    }
    starts.push_back(b.first_ts);
    std::string plc = b.plc_ip.ToString();
    auto device = good.find(plc);
    if (device == good.end()) {
      ++counts.not_covered;
      continue;
    }
    ++counts.compared;
    auto known = device->second.find(b.block);
    if (known != device->second.end() && known->second.count(b.sha256)) {
      ++counts.matched;
      continue;
    }
    ++counts.mismatched;
    bool listed = known != device->second.end();
    policy::Finding f;
    f.type = kProgramMismatch;
    f.severity = policy::Severity::kHigh;
    f.title = fmt::format("{} {} {} {} differs from the known-good block{}",
                          b.direction == std::string("upload") ? "Uploaded" : "Downloaded", b.block,
                          b.direction == std::string("upload") ? "from" : "to", plc,
                          listed ? "" : " (the manifest has no such block on this PLC)");
    f.first_ts = b.first_ts;
    f.last_ts = b.last_ts;
    std::string_view peer_zone = zones ? zones->Of(b.peer_ip) : std::string_view();
    std::string_view plc_zone = zones ? zones->Of(b.plc_ip) : std::string_view();
    // The engineering station started the transfer; the PLC answered it.
    f.src = policy::Endpoint(b.peer_ip, b.peer_mac, peer_zone, 0);
    f.dst = policy::Endpoint(b.plc_ip, b.plc_mac, plc_zone, b.plc_port);
    f.protocol = b.protocol;
    f.vlan = b.vlan;
    f.detail["block"] = b.block;
    f.detail["direction"] = b.direction;
    f.detail["sha256"] = b.sha256;
    f.detail["size"] = std::to_string(b.size);
    std::string expected;
    if (listed) {
      for (const std::string& h : known->second) expected += (expected.empty() ? "" : " ") + h;
    }
    f.detail["expected_sha256"] = listed ? expected : "none: not in the manifest";
    f.detail["manifest"] = manifest_path;
    f.detail["asset"] = known_good.asset;
    f.detail["frames"] = fmt::format("{}-{}", b.first_frame, b.last_frame);
    f.advisory = {"MA-2023-009/plc-integrity", "MA-2023-009/crane-management-separation"};
    f.capture_index = b.capture_index;
    f.frame = b.first_frame;
    findings.Add(std::move(f));
  }
  return counts;
}

}  // namespace qw::integrity
