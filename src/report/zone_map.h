// The zone map of the report and the dashboard: each zone a box listing its devices, each
// pair of zones that talked an edge labelled with the services seen, told apart as allowed
// (a conduit admits it), violating (a finding between the two zones) or unjudged (no
// policy). Without a policy, addresses are grouped by their /24 instead of zones. The DOT
// text is laid out by Graphviz (libgvc) into SVG that the report inlines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "report/report_data.h"

namespace qw::report {

/// The map in both forms, and its edges as data.
struct ZoneMapDrawing {
  std::string dot;
  /// {from, to, status ("violating", "allowed", "unjudged"), flows, services, findings}
  nlohmann::json edges = nlohmann::json::array();
  /// {name, id, kind, assets} per box, in drawing order; `assets` counts every device in it,
  /// those the report did not read (ReportData::unread_groups) too
  nlohmann::json groups = nlohmann::json::array();
  /// The ids of the devices drawn in a box (a box draws its first few hundred), each a link
  /// to its inventory row.
  std::vector<int64_t> drawn;
};

/// Builds the DOT text of the map; every name from the wire or the policy is escaped.
ZoneMapDrawing BuildZoneMap(const ReportData& data);

/// Lays `dot` out with Graphviz's dot engine and returns the <svg> element (without the XML
/// prologue); an error carries what Graphviz said. Each layout runs in a child process.
core::Result<std::string> RenderSvg(const std::string& dot);

/// Starts the process that forks those children from now on. Call it while this process has
/// one thread (before a server or a capture starts others): a child forked from a process
/// whose other threads may hold a lock (the allocator's, under ASan too) can wait on it
/// forever; the worker stays single-threaded, so its children never do.
core::Status StartLayoutWorker();

/// An identifier safe in HTML ids and CSS selectors: letters, digits, '-' and '_' kept,
/// anything else '_'.
std::string SafeId(std::string_view text);

}  // namespace qw::report
