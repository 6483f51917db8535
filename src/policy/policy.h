// The site policy of ../shared/DESIGN.md ("Site policy (YAML)"): zones with their subnets and
// VLANs, conduits (the conversations allowed between zones, by initiator), untrusted
// suppliers and explicit device attributions, the watchlist, and the data-sharing
// agreements. Loading checks every field and collects every error with its file, line,
// column and field; a policy with one error is not returned at all, so it can never be
// half-applied.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"

namespace qw::policy {

/// One thing wrong in a policy file, and where.
struct PolicyError {
  std::string file;
  int line = 0;       // 1-based; 0 when the error concerns the whole file
  int column = 0;     // 1-based
  std::string field;  // "zones[2].subnets[0]", empty for the whole file
  std::string message;

  /// "site.yaml:12:5: zones[2].subnets[0]: ..." (the form compilers use).
  std::string Text() const;
};

/// An IPv4 or IPv6 prefix: "10.50.1.0/24", or one address (a /32 or /128).
struct Subnet {
  core::IpAddr base;  // host bits cleared
  int prefix = 0;

  /// Parses "ADDRESS/PREFIX" or "ADDRESS"; nullopt when malformed or when host bits are
  /// set ("10.50.1.7/24" names no network and is most likely a typing slip).
  static std::optional<Subnet> Parse(std::string_view text);
  /// True when `ip` lies in the prefix.
  bool Contains(const core::IpAddr& ip) const;
  /// True when the two prefixes share an address (one then holds the other).
  bool Overlaps(const Subnet& o) const;
  std::string ToString() const;
};

/// What a zone is for (DESIGN.md's kinds).
enum class ZoneKind : uint8_t {
  kEnterprise,
  kOperations,
  kCraneManagement,
  kCraneControl,
  kCraneAuxiliary,
  kRemoteAccess,
  kSecureTransfer,
  kUntrustedSupplier,
  kScanning,
  kDmz,
};
/// The policy-file spelling of a kind ("crane-control").
const char* ZoneKindName(ZoneKind kind);

/// A network zone: the addresses and VLANs it holds.
struct Zone {
  std::string name;
  ZoneKind kind = ZoneKind::kEnterprise;
  std::vector<Subnet> subnets;
  std::vector<uint16_t> vlans;
  std::string inside;  // the zone this one is declared inside of, or empty
  std::string description;
  int line = 0;
};

/// A service a conduit allows: a named protocol (with the ports it is recognised on), or a
/// transport with a port range ("tcp/102", "udp/161", "tcp/1024-65535").
struct Service {
  std::string name;       // the protocol's name, or "tcp/102" as written
  std::string protocol;   // dissector name ("s7comm"), empty for a port form or "any"
  uint8_t transport = 0;  // 6 TCP, 17 UDP, 0 either (named services)
  uint16_t first_port = 0, last_port = 0;  // port forms only
  bool any = false;                        // "any": every service
};

/// What a conduit allows beyond reading (bits).
enum Allowance : uint32_t {
  kAllowWrites = 1,
  kAllowProgramChanges = 2,
  kAllowFileTransfer = 4,
  kAllowRemoteAccess = 8,
};

/// The policy-file spellings of the allowance bits set in `bits` ("writes", ...).
std::vector<std::string> AllowanceNames(uint32_t bits);

/// An allowed conversation: initiators in `from` may open `services` to responders in `to`.
struct Conduit {
  std::string from, to;  // zone names, or "external"
  std::vector<Service> services;
  uint32_t allow = 0;  // Allowance bits
  std::string purpose;
  int line = 0;
};

/// A device attributed to a supplier by its MAC or its IP.
struct DeviceAttribution {
  std::optional<core::MacAddr> mac;
  std::optional<core::IpAddr> ip;
  std::string supplier;
};

/// A name to watch for: domains (exact or "*.suffix") and addresses.
struct WatchEntry {
  std::string label;
  std::vector<std::string> domains;
  std::vector<Subnet> ips;
};

/// What a contract lets leave the site: to whom, from which zones.
struct DataSharing {
  std::string party;
  std::vector<std::string> domains;  // endpoints given as names
  std::vector<Subnet> networks;      // endpoints given as addresses or prefixes
  std::vector<std::string> from_zones;
};

/// A whole, checked site policy.
struct Policy {
  std::string file;
  std::string site;
  std::vector<Zone> zones;
  std::vector<Conduit> conduits;
  std::vector<std::string> untrusted_suppliers;  // patterns; '*' matches any run of characters
  std::vector<DeviceAttribution> devices;
  std::vector<WatchEntry> watchlist;
  std::vector<DataSharing> data_sharing;

  /// The zone of that name, or nullptr.
  const Zone* FindZone(std::string_view name) const;
};

/// A policy, or every error that kept it from loading.
struct LoadResult {
  std::optional<Policy> policy;
  std::vector<PolicyError> errors;
};

/// Reads and checks the policy file at `path`.
LoadResult LoadPolicy(const std::string& path);
/// Checks policy text; `file` names it in errors.
LoadResult ParsePolicy(std::string_view text, const std::string& file);

/// A service name a conduit may use, with the protocol it stands for and its usual ports.
struct KnownService {
  const char* name;      // as written in a policy
  const char* protocol;  // the dissector's name in summary.json and the database
  const char* ports;     // where it is usually found (documentation; recognition is by content)
};
/// Every service name a conduit may use.
std::span<const KnownService> KnownServices();

/// True for a domain name or a "*.suffix" pattern of valid labels.
bool DomainPatternValid(std::string_view pattern);

}  // namespace qw::policy
