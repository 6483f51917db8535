// The policy engine: reads the model (the inventory) and the site policy, and nothing else
// (../shared/DESIGN.md, "Architecture"). It places assets in zones and raises the findings
// that follow from placement.
#pragma once

#include <vector>

#include "model/inventory.h"
#include "policy/findings.h"
#include "policy/zones.h"

namespace qw::policy {

/// The advisory guidance a finding type serves, as `advisory` lists it (see
/// docs/findings.md for the text each reference stands for).
std::vector<std::string> AdvisoryOf(std::string_view finding_type);

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

/// True for the crane zones of DESIGN.md: crane-management, crane-control, crane-auxiliary.
bool IsCraneZone(const Zone* zone);

}  // namespace qw::policy
