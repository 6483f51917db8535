// The baseline (issue 5, point 5): what a network looked like while `quaywatch learn`
// watched it (its devices, and who talked to whom over which service with which industrial
// acts), kept as versioned, human-readable JSON; `analyze --baseline` raises
// `baseline.new_asset` and `baseline.new_communication` for what was not seen then.
//
// Hosts on the Internet change by the hour, so they are not devices of the baseline, and a
// conversation with one is recorded against `external` rather than its address: "this PLC
// never talked to the outside" is what a baseline can vouch for.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/address.h"
#include "core/result.h"
#include "model/communications.h"
#include "model/inventory.h"
#include "policy/findings.h"
#include "policy/zones.h"

namespace qw::policy {

/// The format version LearnBaseline writes; LoadBaseline reads this one only.
inline constexpr int kBaselineVersion = 1;

/// One device of the baseline: by its MAC, or by its addresses when it was seen without one
/// (behind a router).
struct BaselineAsset {
  std::optional<core::MacAddr> mac;
  std::vector<core::IpAddr> ips;
  std::string vendor;
  std::vector<std::string> names, roles, zones;  // for the reader; not compared
};

/// One communication: an initiator, a responder and a service, with the industrial acts
/// (write, program-change, firmware, controller-state) the initiator performed on it.
struct BaselineCommunication {
  std::string initiator, responder;  // an address (IP, or MAC without IP), or "external"
  std::string service;               // a protocol ("modbus"), or "tcp/502", "udp/49152-65535"
  std::set<std::string> operations;  // judged categories seen
  uint64_t count = 0;                // flows (or acts, for link-layer acts) while learning
  std::string initiator_zone, responder_zone;  // with a policy; for the reader
};

/// A whole baseline, with indexes for judging.
struct Baseline {
  std::string file;                   // where it was read from (empty when learnt in memory)
  std::string created_by;             // "quaywatch 0.7.0"
  std::vector<std::string> captures;  // what it was learnt from
  std::string policy;                 // the policy it was learnt with, or empty
  std::vector<BaselineAsset> assets;
  std::vector<BaselineCommunication> communications;

  /// Fills the lookup indexes from `assets` and `communications`.
  void Index();
  /// True when the device (by MAC; by any address for a MAC-less one) was learnt.
  bool Knows(const model::Asset& asset) const;
  /// The learnt communication, or nullptr.
  const BaselineCommunication* Find(std::string_view initiator, std::string_view responder,
                                    std::string_view service) const;

 private:
  std::set<core::MacAddr> macs_;
  std::set<core::IpAddr> ips_;
  std::map<std::tuple<std::string, std::string, std::string>, size_t, std::less<>> comms_;
};

/// How an address appears in a baseline: itself, or "external" for a host on the Internet
/// (outside every zone when `zones` is given, else any public address).
std::string BaselineEndpoint(const ZoneMap* zones, const core::IpAddr& ip,
                             const core::MacAddr& mac);
/// How a conversation's service appears in a baseline: the protocol a dissector recognised,
/// else "tcp/N" or "udp/N" ("tcp/49152-65535" for any port of the dynamic range, which
/// changes every session), or "ip/N" for other IP protocols.
std::string BaselineService(std::string_view protocol, uint8_t transport, uint16_t port);

/// Records what a run saw. `zones` (with a policy) names the zones, for the reader, and
/// decides what is `external`; assets must be placed (PlaceAssets) when it is given.
Baseline LearnBaseline(const std::vector<model::Asset>& assets, const model::Communications& comms,
                       const ZoneMap* zones);
/// The baseline as pretty-printed JSON, in a fixed order.
std::string BaselineText(const Baseline& baseline);
/// Reads a baseline file; the error names the file and the line and column, or the entry.
core::Result<Baseline> LoadBaseline(const std::string& path);
/// Reads baseline text; `file` names it in errors.
core::Result<Baseline> ParseBaseline(std::string_view text, const std::string& file);

/// Raises `baseline.new_asset` for each device of the site not learnt, and
/// `baseline.new_communication` for each conversation, and each industrial act on a learnt
/// conversation, not learnt.
void JudgeBaseline(const Baseline& baseline, const ZoneMap* zones,
                   const std::vector<model::Asset>& assets, const model::Communications& comms,
                   FindingSet& findings);

}  // namespace qw::policy
