// The policy engine: reads the model (the inventory) and the site policy, and nothing else
// (../shared/DESIGN.md, "Architecture"). It places assets in zones and raises the findings
// that follow from placement.
#pragma once

#include <set>
#include <string_view>
#include <vector>

#include "model/inventory.h"
#include "policy/findings.h"
#include "policy/zones.h"

namespace qw::policy {

/// The advisory guidance a finding type serves, as `advisory` lists it (see
/// docs/findings.md for the text each reference stands for).
std::vector<std::string> AdvisoryOf(std::string_view finding_type);

/// Data connections that the server opened at its client's request (TFTP answers from a
/// new port, FTP's active mode): they run the other way from the conversation that asked for
/// them, and are judged with it, not as conversations of their own.
std::set<const model::ConversationKey*> ServerOpenedData(const model::Communications& comms);

/// Fills the outcome's site, counts and zone and conduit lists from the policy (the zones a
/// report draws and the conduits it tells allowed edges by).
void DescribePolicy(const Policy& policy, PolicyOutcome& outcome);

/// Fills each asset's `zones` (its addresses' zones; by VLAN for a device without IP) and
/// raises `segmentation.unassigned_address` for every private address no zone holds, with
/// the first frame that address was heard in.
void PlaceAssets(const ZoneMap& zones, std::vector<model::Asset>& assets, FindingSet& findings);

/// Judges the communication map against zones and conduits: `segmentation.unallowed_flow`,
/// `ics.write`, `ics.program_change`, `ics.controller_state`, `remote_access.unapproved` and
/// `file_transfer.unapproved`, each by the rule of docs/findings.md.
void JudgeCommunications(const Policy& policy, const ZoneMap& zones,
                         const model::Communications& comms, FindingSet& findings);

/// Findings about devices: `segmentation.multi_homed_host` (one device with addresses in two
/// zones, gateways aside) and `segmentation.mixed_vlan` (a VLAN carrying controllers and
/// cameras or other auxiliaries). Needs each asset's `zones` (PlaceAssets).
void JudgeAssets(const ZoneMap& zones, const std::vector<model::Asset>& assets,
                 FindingSet& findings);

/// Attributes devices to untrusted suppliers (each asset's `untrusted_supplier`, every
/// attribution with its evidence) by the policy's explicit `devices`, the IEEE vendor of the
/// MAC and the identity strings protocols revealed, and raises `supplier.untrusted_device`
/// for each and `supplier.untrusted_not_isolated` for those outside an untrusted-supplier
/// zone or on a VLAN with controllers. Needs each asset's `zones` (PlaceAssets).
void JudgeSuppliers(const Policy& policy, const ZoneMap& zones, std::vector<model::Asset>& assets,
                    FindingSet& findings);

/// Judges the names and addresses hosts contacted: `watchlist.contact` (a DNS query, TLS
/// server name, HTTP host or address on the watchlist) and `data_sharing.unlisted` (a flow to
/// `external` from a zone under a data-sharing agreement, to a destination no agreement for
/// that zone names). Destinations are named by the DNS answers, TLS server names and HTTP
/// hosts of the run.
void JudgeContacts(const Policy& policy, const ZoneMap& zones,
                   const std::vector<model::Asset>& assets, const model::Communications& comms,
                   FindingSet& findings);

/// True when `text` holds the supplier pattern: ignoring case, as whole words ("Hikvision"
/// in "Hangzhou Hikvision Digital Technology Co.,Ltd." but not in "Hikvisionary"); '*'
/// matches any run of characters.
bool SupplierMatches(std::string_view pattern, std::string_view text);

/// True when a canonical name (model::CanonicalName) is the domain, or lies under it for a
/// "*.suffix" pattern (which the suffix itself does not match). Ignores case.
bool DomainMatches(std::string_view pattern, std::string_view name);

/// Gives a finding the times, count and first frame of what the communication map saw.
void SightingEvidence(Finding& finding, const model::Sighting& seen);

/// True for the crane zones of DESIGN.md: crane-management, crane-control, crane-auxiliary.
bool IsCraneZone(const Zone* zone);

}  // namespace qw::policy
