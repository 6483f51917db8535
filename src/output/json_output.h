// The JSON outputs of ../shared/DESIGN.md: summary.json, assets.json and events.jsonl.
#pragma once

#include <string>

#include "core/result.h"
#include "model/run_report.h"

namespace qw::output {

/// summary.json: what was read and what was in it.
std::string SummaryJson(const model::RunReport& report);
/// assets.json: one object per device.
std::string AssetsJson(const model::RunReport& report);
/// One asset as the JSON object assets.json holds, compact.
std::string AssetJsonText(const model::Asset& asset);
/// Writes summary.json, assets.json and events.jsonl into `dir`, each atomically.
core::Status WriteJsonOutputs(const model::RunReport& report, const std::string& dir);

}  // namespace qw::output
