// What a report or the dashboard shows, read from an output directory's quaywatch.sqlite
// (the one file that holds all of a run: summary, assets, findings, the policy's zones and
// conduits, flows, industrial operations, remote-access sessions and file transfers), or
// built in memory by a live capture. Rows are JSON objects so that the HTML templates and
// the JSON API serve them alike; every list is bounded, and what a bound cut is counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace qw::report {

/// Devices the report, `serve DIR` and a live snapshot read in full at most (the default of
/// ReportLimits::assets): twice what the report's inventory lists.
inline constexpr size_t kMaxAssetsRead = 10'000;

/// Bounds on what is loaded: the report must stay a file a browser opens.
struct ReportLimits {
  size_t conversations = 200000;  // rows of the conversation aggregate read for the map
  size_t rows = 5000;             // rows of each ledger (operations, sessions, transfers)
  /// Devices read in full; past it, those that matter most to a reader (with findings, of
  /// untrusted suppliers, with roles, with an identity, then the busiest). A capture of
  /// spoofed sources holds hundreds of thousands, each some kilobytes once parsed.
  size_t assets = kMaxAssetsRead;
};

/// A run's outputs, as the report and the dashboard read them.
struct ReportData {
  nlohmann::json summary = nlohmann::json::object();  // summary.json
  nlohmann::json assets = nlohmann::json::array();    // assets.json's objects
  nlohmann::json findings = nlohmann::json::array();  // events.jsonl's lines
  nlohmann::json zones = nlohmann::json::array();     // {name, kind, description, subnets, vlans}
  nlohmann::json conduits = nlohmann::json::array();  // {from, to, services, allow, purpose}
  /// One row per initiator, responder and service: {initiator, initiator_zone, responder,
  /// responder_zone, transport, port, protocol, flows, packets, bytes, first_ts, last_ts,
  /// capture, frame}; zones null where the run had no policy.
  nlohmann::json conversations = nlohmann::json::array();
  /// Industrial operations by requester, device, protocol, category, function and target:
  /// {initiator, initiator_zone, responder, responder_zone, protocol, function, category,
  /// target, count, first_ts, capture, frame}.
  nlohmann::json operations = nlohmann::json::array();
  nlohmann::json remote_access = nlohmann::json::array();   // one row per session
  nlohmann::json file_transfers = nlohmann::json::array();  // one row per file moved
  std::vector<std::string> captures;                        // capture paths, by index
  nlohmann::json plc_blocks = nlohmann::json::array();      // PLC blocks uploaded or downloaded
  size_t conversations_cut = 0, operations_cut = 0, remote_access_cut = 0, transfers_cut = 0;
  size_t blocks_cut = 0;
  size_t assets_unread = 0;        // devices the limit on assets left in the database
  size_t unread_crane_assets = 0;  // of those, the ones in a zone of crane kind
  /// Those devices by the map boxes they belong in (MapGroups), and how many share each
  /// set: the map counts every device in its box, read or not.
  std::map<std::vector<std::string>, size_t> unread_groups;
  bool live = false;  // a live capture's snapshot, not a finished run
};

/// Reads DIR/quaywatch.sqlite; an error names the file and what is wrong with it (missing,
/// not a quaywatch database, a schema this build does not know, a row that is not JSON).
core::Result<ReportData> LoadReportData(const std::string& dir, const ReportLimits& limits = {});

/// The addresses (IP or MAC) that findings, as events.jsonl gives them, name at either end.
std::set<std::string> AddressesFindingsName(const nlohmann::json& findings);

/// The names of the zones, as ReportData::zones gives them, of a crane kind.
std::set<std::string> CraneZones(const nlohmann::json& zones);

/// What ranks a device when only some are read, heaviest first: findings, an untrusted
/// supplier, roles, an identity from the wire, then bytes.
struct DeviceWeight {
  bool findings = false, untrusted = false, roles = false, identity = false;
  uint64_t bytes = 0;
  bool crane = false;  // in a zone of crane kind: not a weight, counted among the unread
  std::vector<std::string> groups;  // its MapGroups: not a weight, counted among the unread
};

/// The indices of the `limit` heaviest of `w` (the earlier among equals), ascending; all of
/// them when there are no more. Counts those left out, and the crane devices among them,
/// into d.assets_unread and d.unread_crane_assets, and their groups into d.unread_groups.
std::vector<size_t> HeaviestDevices(const std::vector<DeviceWeight>& w, size_t limit,
                                    ReportData& d);

/// How a conversation row names its IP protocol: "tcp", "udp", "icmp", "icmpv6", else "ip".
/// The report from the database and the live dashboard both name it so.
const char* ConversationTransport(int64_t proto);

/// The zone an address belongs to for drawing, when the run's policy named none: a private
/// IPv4 address's /24, "link-local" or "ipv6 site", "external" for public addresses, and
/// "no address" for an empty one.
std::string FallbackGroup(const std::string& ip);

/// The map boxes a device belongs in, sorted and distinct: with a policy its zones
/// ("unassigned" when none holds it), otherwise the FallbackGroup of each of its addresses
/// ("no address" when it has none).
std::vector<std::string> MapGroups(const std::vector<std::string>& zones,
                                   const std::vector<std::string>& ips, bool policy);

}  // namespace qw::report
