// The JSON outputs of ../shared/DESIGN.md: summary.json, assets.json and events.jsonl.
#pragma once

#include <string>

#include "core/result.h"
#include "model/run_report.h"
#include "policy/findings.h"

namespace qw::output {

/// summary.json: what was read and what was in it (and, with a policy, what it found).
std::string SummaryJson(const model::RunReport& report,
                        const policy::PolicyOutcome* policy = nullptr);
/// assets.json: one object per device.
std::string AssetsJson(const model::RunReport& report);
/// Writes assets.json, as AssetsJson gives it, to `path` atomically, a device at a time.
core::Status WriteAssetsJson(const model::RunReport& report, const std::string& path);
/// One asset as the JSON object assets.json holds, compact.
std::string AssetJsonText(const model::Asset& asset);
/// One finding as its line of events.jsonl (without the newline); `report` names captures.
std::string FindingJsonText(const policy::Finding& f, const model::RunReport& report);
/// Writes summary.json, assets.json and events.jsonl into `dir`, each atomically.
core::Status WriteJsonOutputs(const model::RunReport& report, const std::string& dir,
                              const policy::PolicyOutcome* policy = nullptr);

}  // namespace qw::output
