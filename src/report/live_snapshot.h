// What a live capture shows on the dashboard between its start and its end: the data of a
// report built from the engine's state in memory (summary, inventory, findings so far, and
// the communication map of the flows that have ended), since quaywatch.sqlite is only
// written, whole, when the capture stops.
#pragma once

#include "model/communications.h"
#include "model/run_report.h"
#include "policy/findings.h"
#include "policy/zones.h"
#include "report/report_data.h"

namespace qw::report {

/// The snapshot of a run in progress. `report` holds the counts and finalized assets so far;
/// `outcome` the findings (nullptr without policy or baseline); `zones` the policy's map
/// (nullptr without one). Operations list the acts the policy judges (writes, program,
/// firmware and state changes), not reads; conversations, sessions and transfers those of
/// flows that have ended.
ReportData LiveSnapshot(const model::RunReport& report, const policy::PolicyOutcome* outcome,
                        const model::Communications& comms, const policy::ZoneMap* zones,
                        const ReportLimits& limits = {});

}  // namespace qw::report
