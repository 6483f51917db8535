// Pieces the policy's judges share (evaluate.cpp, suppliers.cpp, contacts.cpp, baseline.cpp):
// how a finding names its sides and devices, and which devices are controllers.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/inventory.h"
#include "policy/findings.h"

namespace qw::policy {

/// A side of a finding: the address and MAC it has (unset ones left out), its zone and port.
FindingEndpoint Endpoint(const core::IpAddr& ip, const core::MacAddr& mac, std::string_view zone,
                         uint16_t port);
/// A zone's name for titles: "no zone" when unassigned.
std::string ZoneText(std::string_view zone);
/// True when the device was given one of the roles.
bool HasRole(const model::Asset& a, std::initializer_list<std::string_view> roles);
/// A device's name in titles: its first address, else its MAC.
std::string DeviceName(const model::Asset& a);
/// The device's own record as a finding's times and evidence.
void AssetEvidence(Finding& f, const model::Asset& a);
/// The first controller (role plc, drive or io) seen on each tagged VLAN.
std::map<uint16_t, const model::Asset*> ControllersByVlan(const std::vector<model::Asset>& assets);

}  // namespace qw::policy
