// report.html: one self-contained page (styles, scripts and the map inlined; nothing fetched)
// that a security officer reads, prints to PDF and hands on: overview, findings by the
// guidance they serve with their evidence and Wireshark filters, the zone map, the
// inventory, industrial operations, remote access and file transfers, and the advisory
// checklist.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "report/report_data.h"

namespace qw::report {

/// The view the report template renders (exposed for tests and the dashboard): every value
/// as the page shows it, with `map_svg` the laid-out zone map.
core::Result<nlohmann::json> ReportView(const ReportData& data);

/// The whole page.
core::Result<std::string> RenderReportHtml(const ReportData& data);

/// Reads DIR's outputs and writes the page to `out` (DIR/report.html when empty), atomically.
core::Status WriteReport(const std::string& dir, const std::string& out);

/// Wireshark display filters for a finding: the evidence frame, and its conversation.
nlohmann::json FindingFilters(const nlohmann::json& finding);

/// "1.2 MB", "340 kB", "512 B".
std::string HumanBytes(int64_t bytes);

}  // namespace qw::report
