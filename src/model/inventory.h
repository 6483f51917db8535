// The asset inventory: one asset per device, built from every packet, every ended flow and
// the observations of the link-layer dissectors.
//
// During the run the inventory only counts, from ended flows and from the frames no flow
// carries: per MAC (a link-layer device) and per IP it
// keeps packets, bytes, times, VLANs, the addresses a MAC used, ARP bindings, neighbour
// announcements and the services that ended flows show. Finalize() then decides which
// MACs are gateways (routers and firewalls forward other hosts' traffic, so the addresses
// behind them are not theirs) and builds the assets. State is bounded by caps that raise
// anomalies, and everything is merged in a fixed order so output is deterministic.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/address.h"
#include "core/anomalies.h"
#include "core/timestamp.h"
#include "decode/packet.h"
#include "dissect/observation.h"
#include "flow/flow.h"
#include "model/communications.h"
#include "model/plc_blocks.h"
#include "model/vendor_db.h"

namespace qw::model {

/// A transport and port a device serves or uses.
struct ServiceKey {
  uint8_t transport = 0;  // 6 TCP, 17 UDP
  uint16_t port = 0;
  auto operator<=>(const ServiceKey&) const = default;
};

/// An outer/inner VLAN pair a device was seen on (0 = untagged).
struct VlanTag {
  uint16_t outer = 0, inner = 0;
  auto operator<=>(const VlanTag&) const = default;
};

/// A name a device goes by, and which protocol said so.
struct AssetName {
  std::string name;
  std::string source;  // "lldp", "cdp", ...
  auto operator<=>(const AssetName&) const = default;
};

/// A role and the evidence for it.
struct AssetRole {
  std::string role;      // "switch", "router", ...
  std::string evidence;  // why, in words
};

/// Where a device was first seen.
struct Evidence {
  uint32_t capture_index = 0;
  uint64_t frame = 0;
};

/// When one address of a device was heard, and the first frame that shows it.
struct AddressActivity {
  core::Timestamp first_ts, last_ts;
  Evidence first_seen;
};

/// Why a device is taken for an untrusted supplier's: which supplier pattern matched what,
/// and the frame that showed it (filled by the site policy).
struct SupplierAttribution {
  std::string supplier;  // the policy's pattern, or its explicit attribution's supplier
  std::string by;        // "oui", "identity" or "policy"
  std::string field;     // what matched: "vendor" (OUI), an identity key, "mac" or "ip"
  std::string text;      // the text or address that matched
  std::string protocol;  // the protocol that said it; empty for the OUI and the policy
  Evidence evidence;
};

/// One device of the inventory, as written to assets.json and the database.
struct Asset {
  uint64_t id = 0;                   // 1-based, in output order
  std::optional<core::MacAddr> mac;  // absent for devices seen only behind a router
  std::string vendor;                // IEEE registry organisation of the MAC
  std::optional<core::MacAddr> via;  // for MAC-less assets: the gateway they are seen through
  std::vector<core::IpAddr> ips;
  std::vector<VlanTag> vlans;
  std::vector<AssetName> names;
  std::vector<AssetRole> roles;
  std::map<std::string, std::string> identity;          // vendor, product, model, firmware, ...
  std::map<std::string, std::string> identity_sources;  // identity key -> protocol that said it
  std::map<std::string, Evidence> identity_evidence;    // identity key -> the frame that said it
  std::map<std::string, uint64_t> ics_served;     // industrial operations answered, by protocol
  std::map<std::string, uint64_t> ics_requested;  // industrial operations asked, by protocol
  std::map<std::string, uint64_t> cyclic_frames;  // real-time frames sent, by protocol
  std::vector<dissect::NeighborObservation> neighbors;  // what it announced, per protocol
  std::map<ServiceKey, uint64_t> served, used;          // flows per service
  bool gateway = false;
  core::Timestamp first_ts, last_ts;
  uint64_t packets = 0, bytes = 0;  // sent and received
  Evidence first_seen;
  std::map<core::IpAddr, AddressActivity> ip_activity;  // per address that carried IP traffic
  std::vector<std::string> zones;  // the site policy's zones it sits in (filled with a policy)
  std::vector<SupplierAttribution> untrusted_supplier;  // empty: none (filled with a policy)
};

/// Bounds of the inventory's state.
struct InventoryLimits {
  size_t max_macs = 200'000;
  size_t max_ips = 500'000;
  size_t max_ips_per_mac = 1024;  // beyond this a MAC is a gateway anyway
  size_t max_services_per_ip = 512;
  size_t max_vlans_per_device = 64;
  size_t gateway_foreign_ips = 3;        // a MAC sourcing this many IPv4 addresses not its own
  size_t max_identity_fields = 32;       // identity keys kept per device
  size_t max_ics_protocols = 32;         // protocols counted per device
  size_t max_named_addresses = 100'000;  // addresses that DNS-family answers named
  size_t max_names_per_address = 8;
  CommunicationLimits communications;
  PlcBlockLimits plc_blocks;
};

/// Accumulates per-device evidence and builds the asset list.
class Inventory : public dissect::ObservationSink {
 public:
  explicit Inventory(InventoryLimits limits = {});
  ~Inventory() override;

  /// Counts one decoded packet that no flow carries (ARP, LLDP, fragments, other L2).
  void OnPacket(const decode::Packet& pkt, core::Timestamp ts, uint32_t capture_index,
                uint64_t frame);
  /// Counts an ended flow's packets for both endpoints and records the services it shows.
  void OnFlowEnd(const flow::Flow& flow);
  void OnArp(const dissect::FrameContext& ctx, const dissect::ArpObservation& obs) override;
  void OnNeighbor(const dissect::FrameContext& ctx,
                  const dissect::NeighborObservation& obs) override;
  /// Notes again the announcement of `protocol` ("lldp", "cdp") last stored for the frame's
  /// sender, which the frame repeats byte for byte: its time and frame, as OnNeighbor would
  /// with the same observation. False when none is stored (the frame must then be read).
  bool OnNeighborRepeat(const dissect::FrameContext& ctx, std::string_view protocol);
  void OnIdentity(const dissect::DeviceIdentity& id) override;
  void OnCyclic(const dissect::CyclicObservation& obs) override;
  void OnIcsOperation(const dissect::IcsOperation& op) override;
  /// Names that answers bind to addresses (A, AAAA, PTR), which hosts answer DNS, and the
  /// names hosts ask resolvers for.
  void OnDns(const dissect::DnsObservation& msg) override;
  /// Host names, FQDNs and vendor classes clients give, and which hosts serve DHCP.
  void OnDhcp(const dissect::DhcpObservation& msg) override;
  /// The name a TLS client asked the server by (SNI) names the server's address, and is a
  /// name the client contacted.
  void OnTls(const dissect::TlsObservation& hs) override;
  /// The software each side of a remote-access session runs goes to its identity; who
  /// accepts and who opens sessions is counted for roles.
  void OnRemoteAccess(const dissect::RemoteAccessObservation& session) override;
  /// The responder of a file transfer is counted as serving files, for roles.
  void OnFileTransfer(const dissect::FileTransferObservation& transfer) override;
  /// A host answering RTSP is counted as serving video streams (the camera role); an HTTP
  /// request's Host is a name its client contacted.
  void OnHttp(const dissect::HttpObservation& exchange) override;
  /// A PLC block upload or download goes to the block ledger.
  void OnBlockTransfer(const dissect::BlockTransferObservation& transfer) override;

  /// Adds another inventory's evidence (per-thread shards); order-independent.
  void Merge(const Inventory& other);
  /// Decides gateways and builds the assets, sorted (MAC assets by MAC, then by IP).
  std::vector<Asset> Finalize(const VendorDb& vendors) const;
  /// Caps the inventory hit (table full and the like).
  const core::Anomalies& anomalies() const { return anomalies_; }
  /// Who talked to whom, and the acts the site policy judges.
  const Communications& communications() const { return comms_; }
  /// The PLC blocks uploaded and downloaded, in (capture, first frame) order.
  const PlcBlockLedger& plc_blocks() const { return plc_blocks_; }

 private:
  struct MacState;
  struct IpState;
  struct DeviceFacts;
  MacState* Mac(const core::MacAddr& mac);
  IpState* Ip(const core::IpAddr& ip);
  void Bind(MacState* m, const core::IpAddr& ip, uint64_t n);
  void AddDnsName(const core::IpAddr& ip, std::string_view name, std::string_view source);
  static void ApplyFacts(Asset& a, const DeviceFacts& f);
  void Account(const core::MacAddr* mac, const core::IpAddr* ip, VlanTag tag, core::Timestamp first,
               core::Timestamp last, Evidence ev, uint64_t packets, uint64_t bytes);

  // The counters one operation bumps, remembered for its endpoints and protocol so that a
  // poll loop does not look its devices up again. The pointers stay valid: states are never
  // erased and map nodes do not move.
  struct OpCounters {
    const char* protocol = nullptr;  // static text; nullptr marks an empty slot
    core::IpAddr device_ip, requester_ip;
    core::MacAddr device_mac, requester_mac;
    uint64_t* served = nullptr;     // nullptr when the device is nobody to count
    uint64_t* requested = nullptr;  // nullptr when the requester is nobody to count
    uint64_t* program_changes = nullptr;
  };
  static constexpr size_t kOpCacheSlots = 512;
  bool CountOpSlow(const dissect::IcsOperation& op, OpCounters& out);

  // The cyclic-frame counter of one sender and protocol, remembered likewise.
  struct CyclicCounter {
    const char* protocol = nullptr;
    core::IpAddr ip;
    core::MacAddr mac;
    uint64_t* counter = nullptr;  // nullptr marks an empty slot
  };

  InventoryLimits limits_;
  std::array<OpCounters, kOpCacheSlots> op_cache_{};
  std::array<CyclicCounter, kOpCacheSlots> cyclic_cache_{};
  std::unordered_map<core::MacAddr, std::unique_ptr<MacState>, core::MacHash> macs_;
  std::unordered_map<core::IpAddr, std::unique_ptr<IpState>, core::IpHash> ips_;
  // Names DNS-family answers gave each address, kept apart from the address states: an
  // answer names addresses that may never talk, and those are not devices of the network.
  std::unordered_map<core::IpAddr, std::vector<AssetName>, core::IpHash> dns_names_;
  core::Anomalies anomalies_;
  Communications comms_{limits_.communications, anomalies_};  // after anomalies_: it raises there
  PlcBlockLedger plc_blocks_{limits_.plc_blocks};
};

/// "tcp", "udp" or the protocol number as text.
std::string TransportName(uint8_t transport);

}  // namespace qw::model
