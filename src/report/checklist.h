// The advisory checklist of the report: every guidance item of Maritime Advisory 2023-009,
// with what the traffic says of it (violated, with its findings; supported by what was
// seen; not judged without a site policy) or, for what no capture can show (backups kept
// offline, physical security, spare hardware, contract terms), left for a person to attest;
// each with the 33 CFR 101.650 measure it supports.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "report/report_data.h"

namespace qw::report {

/// One row per guidance item, in the advisory's order: {ref, title, guidance, observable,
/// status ("violated", "supported", "not-judged", "not-seen", "attest"), status_text,
/// evidence, cfr, findings: [{anchor, severity, title}]}.
nlohmann::json AdvisoryChecklist(const ReportData& data);

/// The guidance references findings serve, as events.jsonl names them, with their
/// plain-words titles, in the checklist's order:
/// [["MA-2023-009/segment-crane-networks", "Segment crane networks"], ...].
const std::vector<std::pair<std::string, std::string>>& GuidanceTitles();

}  // namespace qw::report
