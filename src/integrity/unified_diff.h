// Unified diffs of text configurations (switch and firewall configurations, drive register
// snapshots) between a baseline and what is there now.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace qw::integrity {

/// Most differing lines a diff is computed for (Myers' D); beyond it the two texts have
/// little in common and a diff would say less than "replaced".
inline constexpr int kMaxDiffEdits = 2000;

/// The unified diff (3 lines of context, `---`/`+++` headers with the labels) that turns
/// `before` into `after`; empty when they are equal; nullopt when more than kMaxDiffEdits
/// lines differ.
std::optional<std::string> UnifiedDiff(std::string_view before, std::string_view after,
                                       std::string_view before_label, std::string_view after_label);

}  // namespace qw::integrity
