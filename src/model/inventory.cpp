#include "model/inventory.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <set>
#include <string_view>

namespace qw::model {

namespace {

// When and how much a device or address was seen. Every update is a min, max or sum, so
// the result does not depend on the order flows end in or shards merge in.
struct Activity {
  bool seen = false;
  core::Timestamp first_ts, last_ts;
  Evidence first_seen;
  uint64_t packets = 0, bytes = 0;
  std::vector<VlanTag> vlans;

  void Observe(core::Timestamp first, core::Timestamp last, Evidence ev, uint64_t n_packets,
               uint64_t n_bytes) {
    if (!seen || first < first_ts) first_ts = first;
    if (!seen || last > last_ts) last_ts = last;
    if (!seen || std::tie(ev.capture_index, ev.frame) <
                     std::tie(first_seen.capture_index, first_seen.frame)) {
      first_seen = ev;
    }
    seen = true;
    packets += n_packets;
    bytes += n_bytes;
  }
  void AddVlan(VlanTag tag, size_t cap, core::Anomalies& anomalies) {
    for (const auto& v : vlans) {
      if (v == tag) return;
    }
    if (vlans.size() >= cap) {
      anomalies.Raise("inventory.too_many_vlans");
      return;
    }
    vlans.push_back(tag);
  }
  void MergeFrom(const Activity& o, size_t vlan_cap, core::Anomalies& anomalies) {
    if (!o.seen) return;
    Observe(o.first_ts, o.last_ts, o.first_seen, o.packets, o.bytes);
    for (const auto& v : o.vlans) AddVlan(v, vlan_cap, anomalies);
  }
};

// One identity value and the earliest frame that said it: the earliest wins, so shards
// merge to the same answer whatever their order.
struct IdentityValue {
  std::string value;
  std::string protocol;
  Evidence ev;
};

bool Earlier(const Evidence& a, const Evidence& b) {
  return std::tie(a.capture_index, a.frame) < std::tie(b.capture_index, b.frame);
}

bool Assignable(const core::IpAddr& ip) {
  return ip.IsSet() && !ip.IsUnspecified() && !ip.IsMulticastOrBroadcast();
}

}  // namespace

// What industrial protocols revealed about a device (by MAC or by IP).
struct Inventory::DeviceFacts {
  std::map<std::string, IdentityValue, std::less<>> identity;
  std::map<std::string, uint64_t, std::less<>> ics_served, ics_requested, cyclic;
  uint64_t program_changes_requested = 0;
  uint64_t dns_answers = 0;      // DNS responses sent from port 53
  uint64_t dhcp_answers = 0;     // DHCP and DHCPv6 server messages sent from ports 67 and 547
  std::vector<AssetName> names;  // names the device gave itself (DHCP host name, FQDN)
  // Files moved to or from it as the responder, and remote-access sessions it accepted or
  // opened, by protocol or tool.
  std::map<std::string, uint64_t, std::less<>> files_served, remote_accepted, remote_opened;
  uint64_t rtsp_answers = 0;  // RTSP responses it sent

  void MergeFrom(const DeviceFacts& o) {
    for (const auto& [k, v] : o.identity) {
      auto it = identity.find(k);
      if (it == identity.end() || Earlier(v.ev, it->second.ev)) identity[k] = v;
    }
    for (const auto& [k, n] : o.ics_served) ics_served[k] += n;
    for (const auto& [k, n] : o.ics_requested) ics_requested[k] += n;
    for (const auto& [k, n] : o.cyclic) cyclic[k] += n;
    program_changes_requested += o.program_changes_requested;
    dns_answers += o.dns_answers;
    dhcp_answers += o.dhcp_answers;
    for (const auto& [k, n] : o.files_served) files_served[k] += n;
    rtsp_answers += o.rtsp_answers;
    for (const auto& [k, n] : o.remote_accepted) remote_accepted[k] += n;
    for (const auto& [k, n] : o.remote_opened) remote_opened[k] += n;
    for (const auto& n : o.names) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
};

struct Inventory::MacState {
  core::MacAddr mac;
  DeviceFacts facts;
  Activity activity;
  std::vector<std::pair<core::IpAddr, uint64_t>> ips;  // addresses this MAC sent or received
  bool ips_overflow = false;
  std::set<core::IpAddr> arp_ips;  // bound to this MAC by its own ARP
  // The latest announcement per protocol, and the frame that carried it.
  std::map<std::string, std::pair<dissect::NeighborObservation, Evidence>, std::less<>> neighbors;
};

struct Inventory::IpState {
  core::IpAddr ip;
  DeviceFacts facts;
  Activity activity;
  std::map<ServiceKey, uint64_t> served, used;
};

Inventory::Inventory(InventoryLimits limits) : limits_(limits) {}
Inventory::~Inventory() = default;

Inventory::MacState* Inventory::Mac(const core::MacAddr& mac) {
  auto it = macs_.find(mac);
  if (it == macs_.end()) {
    if (macs_.size() >= limits_.max_macs) {
      anomalies_.Raise("inventory.mac_table_full");
      return nullptr;
    }
    auto state = std::make_unique<MacState>();
    state->mac = mac;
    it = macs_.emplace(mac, std::move(state)).first;
  }
  return it->second.get();
}

Inventory::IpState* Inventory::Ip(const core::IpAddr& ip) {
  auto it = ips_.find(ip);
  if (it == ips_.end()) {
    if (ips_.size() >= limits_.max_ips) {
      anomalies_.Raise("inventory.ip_table_full");
      return nullptr;
    }
    auto state = std::make_unique<IpState>();
    state->ip = ip;
    it = ips_.emplace(ip, std::move(state)).first;
  }
  return it->second.get();
}

void Inventory::Bind(MacState* m, const core::IpAddr& ip, uint64_t n) {
  if (!m || !Assignable(ip)) return;
  for (auto& [known, count] : m->ips) {
    if (known == ip) {
      count += n;
      return;
    }
  }
  if (m->ips.size() >= limits_.max_ips_per_mac) {
    m->ips_overflow = true;
    return;
  }
  m->ips.emplace_back(ip, n);
}

void Inventory::Account(const core::MacAddr* mac, const core::IpAddr* ip, VlanTag tag,
                        core::Timestamp first, core::Timestamp last, Evidence ev, uint64_t packets,
                        uint64_t bytes) {
  MacState* m = nullptr;
  if (mac && !mac->IsMulticast() && !mac->IsZero()) {
    m = Mac(*mac);
    if (m) {
      m->activity.Observe(first, last, ev, packets, bytes);
      m->activity.AddVlan(tag, limits_.max_vlans_per_device, anomalies_);
    }
  }
  if (ip && Assignable(*ip)) {
    Bind(m, *ip, packets);
    if (IpState* s = Ip(*ip)) {
      s->activity.Observe(first, last, ev, packets, bytes);
      s->activity.AddVlan(tag, limits_.max_vlans_per_device, anomalies_);
    }
  }
}

void Inventory::OnPacket(const decode::Packet& pkt, core::Timestamp ts, uint32_t capture_index,
                         uint64_t frame) {
  const VlanTag tag{pkt.vlan_count > 0 ? pkt.outer_vlan : uint16_t{0},
                    pkt.vlan_count > 1 ? pkt.inner_vlan : uint16_t{0}};
  const bool has_ip = pkt.l3 == decode::L3::kIpv4 || pkt.l3 == decode::L3::kIpv6;
  const Evidence ev{capture_index, frame};
  Account(pkt.has_mac ? &pkt.src_mac : nullptr, has_ip ? &pkt.src_ip : nullptr, tag, ts, ts, ev, 1,
          pkt.frame_len);
  Account(pkt.has_mac ? &pkt.dst_mac : nullptr, has_ip ? &pkt.dst_ip : nullptr, tag, ts, ts, ev, 1,
          pkt.frame_len);
}

void Inventory::OnFlowEnd(const flow::Flow& f) {
  comms_.OnFlowEnd(f);
  // Both endpoints' activity, in one step per flow rather than one per packet.
  const VlanTag tag{f.vlan, f.inner_vlan};
  const Evidence ev{f.capture_index, f.first_frame};
  const uint64_t packets = f.packets[0] + f.packets[1];
  const uint64_t bytes = f.bytes[0] + f.bytes[1];
  Account(&f.initiator_mac, &f.initiator_ip, tag, f.first_ts, f.last_ts, ev, packets, bytes);
  Account(&f.responder_mac, &f.responder_ip, tag, f.first_ts, f.last_ts, ev, packets, bytes);
  if (f.proto != 6 && f.proto != 17) return;
  // A service is served when the responder answered: a TCP handshake completed (or a
  // stream picked up midway carried data both ways), or a UDP reply came back.
  bool answered;
  if (f.proto == 6) {
    answered = f.tcp_state != flow::TcpState::kSynSent && f.tcp_state != flow::TcpState::kNone &&
               (f.packets[1] > 0) &&
               (!f.midstream || (f.payload_bytes[0] > 0 && f.payload_bytes[1] > 0));
    if (f.tcp_state == flow::TcpState::kReset && f.payload_bytes[1] == 0 && f.packets[1] <= 1) {
      answered = false;  // refused: RST in reply to the SYN
    }
  } else {
    answered = f.packets[1] > 0;
  }
  if (!answered) return;
  const ServiceKey key{f.proto, f.responder_port};
  auto add = [&](const core::IpAddr& ip, bool serve) {
    auto it = ips_.find(ip);
    if (it == ips_.end()) return;
    auto& m = serve ? it->second->served : it->second->used;
    auto s = m.find(key);
    if (s != m.end()) {
      ++s->second;
    } else if (m.size() < limits_.max_services_per_ip) {
      m.emplace(key, 1);
    } else {
      anomalies_.Raise("inventory.too_many_services");
    }
  };
  add(f.responder_ip, true);
  add(f.initiator_ip, false);
}

void Inventory::OnArp(const dissect::FrameContext& ctx, const dissect::ArpObservation& obs) {
  // An ARP probe (sender 0.0.0.0) claims nothing yet.
  if (!Assignable(obs.sender_ip) || obs.sender_mac.IsMulticast() || obs.sender_mac.IsZero()) {
    return;
  }
  MacState* m = Mac(obs.sender_mac);
  if (m) m->activity.Observe(ctx.ts, ctx.ts, {ctx.capture_index, ctx.frame}, 0, 0);
  if (m && m->arp_ips.size() < limits_.max_ips_per_mac) m->arp_ips.insert(obs.sender_ip);
}

void Inventory::OnNeighbor(const dissect::FrameContext& ctx,
                           const dissect::NeighborObservation& obs) {
  if (ctx.src_mac.IsZero() || ctx.src_mac.IsMulticast()) return;
  MacState* m = Mac(ctx.src_mac);
  if (!m) return;
  m->activity.Observe(ctx.ts, ctx.ts, {ctx.capture_index, ctx.frame}, 0, 0);
  // The latest announcement per protocol wins: devices re-announce when they change.
  m->neighbors[obs.protocol] = {obs, Evidence{ctx.capture_index, ctx.frame}};
}

bool Inventory::OnNeighborRepeat(const dissect::FrameContext& ctx, std::string_view protocol) {
  if (ctx.src_mac.IsZero() || ctx.src_mac.IsMulticast()) return true;  // OnNeighbor keeps none
  auto m = macs_.find(ctx.src_mac);
  if (m == macs_.end()) return false;
  auto n = m->second->neighbors.find(protocol);
  if (n == m->second->neighbors.end()) return false;
  m->second->activity.Observe(ctx.ts, ctx.ts, {ctx.capture_index, ctx.frame}, 0, 0);
  n->second.second = Evidence{ctx.capture_index, ctx.frame};
  return true;
}

void Inventory::OnIdentity(const dissect::DeviceIdentity& id) {
  DeviceFacts* facts = nullptr;
  if (Assignable(id.ip)) {
    if (IpState* s = Ip(id.ip)) facts = &s->facts;
  } else if (!id.mac.IsZero() && !id.mac.IsMulticast()) {
    if (MacState* m = Mac(id.mac)) facts = &m->facts;
  }
  if (!facts) return;
  const Evidence ev{id.capture_index, id.frame};
  for (const auto& [key, value] : id.fields) {
    if (value.empty()) continue;
    auto it = facts->identity.find(key);
    if (it == facts->identity.end()) {
      if (facts->identity.size() >= limits_.max_identity_fields) {
        anomalies_.Raise("inventory.too_many_identity_fields");
        continue;
      }
      facts->identity.emplace(key, IdentityValue{value, id.protocol, ev});
    } else if (Earlier(ev, it->second.ev)) {
      it->second = IdentityValue{value, id.protocol, ev};
    }
  }
}

void Inventory::OnCyclic(const dissect::CyclicObservation& obs) {
  // Cyclic frames come by the hundred thousand from a few senders: their counters are
  // remembered per sender and protocol.
  uint64_t ip;
  std::memcpy(&ip, obs.ip.b.data(), sizeof ip);
  const uint64_t h = core::Mix64(ip ^ obs.mac.AsU64() ^ reinterpret_cast<uintptr_t>(obs.protocol));
  CyclicCounter& slot = cyclic_cache_[h % cyclic_cache_.size()];
  if (slot.counter && slot.protocol == obs.protocol && slot.ip == obs.ip && slot.mac == obs.mac) {
    ++*slot.counter;
    return;
  }
  DeviceFacts* facts = nullptr;
  if (Assignable(obs.ip)) {
    if (IpState* s = Ip(obs.ip)) facts = &s->facts;
  } else if (!obs.mac.IsZero() && !obs.mac.IsMulticast()) {
    if (MacState* m = Mac(obs.mac)) facts = &m->facts;
  }
  if (!facts) return;
  auto it = facts->cyclic.find(std::string_view(obs.protocol));
  if (it == facts->cyclic.end()) {
    if (facts->cyclic.size() >= limits_.max_ics_protocols) {
      anomalies_.Raise("inventory.too_many_ics_protocols");
      return;
    }
    it = facts->cyclic.emplace(std::string(obs.protocol), 0).first;
  }
  ++it->second;
  slot = {obs.protocol, obs.ip, obs.mac, &it->second};
}

// Resolves the counters of one operation and bumps them; false when a table or cap was full,
// which must be raised again next time, so the result is not to be remembered.
bool Inventory::CountOpSlow(const dissect::IcsOperation& op, OpCounters& out) {
  bool complete = true;
  auto facts_of = [&](const core::IpAddr& ip, const core::MacAddr& mac) -> DeviceFacts* {
    DeviceFacts* f = nullptr;
    if (Assignable(ip)) {
      IpState* s = Ip(ip);
      f = s ? &s->facts : nullptr;
    } else if (!mac.IsZero() && !mac.IsMulticast()) {
      MacState* m = Mac(mac);
      f = m ? &m->facts : nullptr;
    } else {
      return nullptr;  // nobody to count: not a failure
    }
    complete &= f != nullptr;
    return f;
  };
  auto counter = [&](std::map<std::string, uint64_t, std::less<>>& m) -> uint64_t* {
    auto it = m.find(std::string_view(op.protocol));
    if (it != m.end()) return &it->second;
    if (m.size() < limits_.max_ics_protocols) {
      return &m.emplace(std::string(op.protocol), 0).first->second;
    }
    anomalies_.Raise("inventory.too_many_ics_protocols");
    complete = false;
    return nullptr;
  };
  out = {};
  out.protocol = op.protocol;
  out.device_ip = op.where.device_ip;
  out.device_mac = op.where.device_mac;
  out.requester_ip = op.where.requester_ip;
  out.requester_mac = op.where.requester_mac;
  if (DeviceFacts* d = facts_of(op.where.device_ip, op.where.device_mac)) {
    out.served = counter(d->ics_served);
  }
  if (DeviceFacts* r = facts_of(op.where.requester_ip, op.where.requester_mac)) {
    out.requested = counter(r->ics_requested);
    out.program_changes = &r->program_changes_requested;
  }
  return complete;
}

void Inventory::OnIcsOperation(const dissect::IcsOperation& op) {
  if (op.category != dissect::IcsCategory::kRead) comms_.OnIcsOperation(op);
  const auto& w = op.where;
  uint64_t dev, req;
  std::memcpy(&dev, w.device_ip.b.data(), sizeof dev);
  std::memcpy(&req, w.requester_ip.b.data(), sizeof req);
  const uint64_t h = core::Mix64(dev ^ (req << 1) ^ w.device_mac.AsU64() ^
                                 reinterpret_cast<uintptr_t>(op.protocol));
  OpCounters& slot = op_cache_[h % kOpCacheSlots];
  OpCounters* c = &slot;
  OpCounters fresh;
  if (!(slot.protocol == op.protocol && slot.device_ip == w.device_ip &&
        slot.requester_ip == w.requester_ip && slot.device_mac == w.device_mac &&
        slot.requester_mac == w.requester_mac)) {
    if (CountOpSlow(op, fresh)) {
      slot = fresh;
    } else {
      c = &fresh;  // a cap was hit: counted what could be, and asked again next time
    }
  }
  if (c->served) ++*c->served;
  if (c->requested) {
    ++*c->requested;
    if (op.category == dissect::IcsCategory::kProgramChange ||
        op.category == dissect::IcsCategory::kFirmware) {
      ++*c->program_changes;
    }
  }
}

namespace {

// The address a reverse-mapping name stands for: "4.3.2.1.in-addr.arpa" is 1.2.3.4, and
// 32 nibble labels under ip6.arpa an IPv6 address (RFC 1035 3.5, RFC 3596 2.5).
std::optional<core::IpAddr> ReverseName(std::string_view name) {
  auto ends = [&](std::string_view suffix) {
    return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends(".in-addr.arpa")) {
    std::string_view rest = name.substr(0, name.size() - 13);
    std::array<uint8_t, 4> b{};
    for (int i = 3; i >= 0; --i) {
      const size_t dot = rest.find('.');
      const std::string_view label = rest.substr(0, dot);
      if (label.empty() || label.size() > 3) return std::nullopt;
      unsigned v = 0;
      for (char c : label) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
      }
      if (v > 255) return std::nullopt;
      b[static_cast<size_t>(i)] = static_cast<uint8_t>(v);
      if ((dot == std::string_view::npos) != (i == 0)) return std::nullopt;
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    }
    return core::IpAddr::V4(b);
  }
  if (ends(".ip6.arpa") && name.size() == 64 + 8) {
    std::array<uint8_t, 16> b{};
    for (size_t i = 0; i < 32; ++i) {
      const char c = name[2 * i];
      if (name[2 * i + 1] != '.') return std::nullopt;
      int v = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (v < 0) return std::nullopt;
      const size_t nibble = 31 - i;  // the first label is the lowest nibble
      b[nibble / 2] |= static_cast<uint8_t>(nibble % 2 ? v : v << 4);
    }
    return core::IpAddr::V6(b);
  }
  return std::nullopt;
}

// True when the CNAME records of `msg` lead from `from` to `to` (in at most as many steps
// as the message has records, so a loop of CNAMEs ends).
bool CnameLeads(const dissect::DnsObservation& msg, std::string_view from, std::string_view to) {
  std::string_view at = from;
  for (size_t step = 0; step < msg.records.size(); ++step) {
    bool moved = false;
    for (const auto& r : msg.records) {
      if (r.type == 5 && r.name.view() == at) {
        at = r.data.view();
        moved = true;
        break;
      }
    }
    if (!moved) return false;
    if (at == to) return true;
  }
  return false;
}

}  // namespace

void Inventory::AddDnsName(const core::IpAddr& ip, std::string_view name, std::string_view source) {
  if (!ip.IsSet() || ip.IsUnspecified() || name.empty() || name == ".") return;
  auto it = dns_names_.find(ip);
  if (it == dns_names_.end()) {
    if (dns_names_.size() >= limits_.max_named_addresses) {
      anomalies_.Raise("inventory.dns_names_full");
      return;
    }
    it = dns_names_.emplace(ip, std::vector<AssetName>{}).first;
  }
  for (const auto& n : it->second) {
    if (n.name == name && n.source == source) return;
  }
  if (it->second.size() >= limits_.max_names_per_address) {
    anomalies_.Raise("inventory.names_per_address_full");
    return;
  }
  it->second.push_back({std::string(name), std::string(source)});
}

void Inventory::OnDns(const dissect::DnsObservation& msg) {
  const std::string_view protocol = msg.protocol;
  // The names hosts ask resolvers for: from the query, or from a response whose query the
  // capture missed.
  if (protocol == "dns" && msg.has_question && msg.opcode() == 0 &&
      (!msg.response() || msg.query_frame == 0)) {
    if (msg.response()) {
      comms_.OnName("dns", msg.qname.view(), msg.dst_ip, msg.dst_mac, msg.src_ip, msg.src_mac,
                    msg.ts, msg.capture_index, msg.frame);
    } else {
      comms_.OnName("dns", msg.qname.view(), msg.src_ip, msg.src_mac, msg.dst_ip, msg.dst_mac,
                    msg.ts, msg.capture_index, msg.frame);
    }
  }
  const bool nbns = protocol == "nbns";
  // NetBIOS hosts claim their names in registration and refresh requests (RFC 1002 4.2.2).
  const uint8_t op = msg.opcode();
  const bool claim = nbns && !msg.response() && (op == 5 || op == 8 || op == 9);
  if (!claim && (!msg.response() || msg.rcode() != 0)) return;
  if (protocol == "dns" && msg.src_port == 53) {
    if (IpState* s = Ip(msg.src_ip)) ++s->facts.dns_answers;
  }
  for (const auto& r : msg.records) {
    if ((r.rclass & 0x7fff) != 1) continue;  // IN; mDNS's top bit is cache-flush
    if (nbns) {
      if (r.type != 32) continue;
      // "10.0.0.5, 10.0.0.6 group": group names (workgroups, domains) name no one host.
      std::string_view rest = r.data.view();
      while (!rest.empty()) {
        const size_t comma = rest.find(", ");
        const std::string_view entry = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
        if (entry.find(' ') != std::string_view::npos) continue;
        if (auto ip = core::IpAddr::Parse(entry)) AddDnsName(*ip, r.name.view(), protocol);
      }
    } else if (r.type == 1 || r.type == 28) {
      if (auto ip = core::IpAddr::Parse(r.data.view())) {
        AddDnsName(*ip, r.name.view(), msg.protocol);
        // The name asked for, when CNAMEs of this answer lead from it to this record.
        if (msg.has_question && msg.qname.view() != r.name.view() &&
            CnameLeads(msg, msg.qname.view(), r.name.view())) {
          AddDnsName(*ip, msg.qname.view(), msg.protocol);
        }
      }
    } else if (r.type == 12) {
      if (auto ip = ReverseName(r.name.view())) AddDnsName(*ip, r.data.view(), msg.protocol);
    }
  }
}

void Inventory::OnDhcp(const dissect::DhcpObservation& msg) {
  const std::string_view protocol = msg.protocol;
  const bool v6 = protocol == "dhcpv6";
  if (msg.from_server) {
    if (msg.src_port == (v6 ? 547 : 67)) {
      if (IpState* s = Ip(msg.src_ip)) ++s->facts.dhcp_answers;
    }
    return;
  }
  // The client: DHCP names it by chaddr; DHCPv6 by the frame's source, unless relayed.
  core::MacAddr mac = v6 ? msg.src_mac : msg.client_mac;
  if (v6 && msg.inner_type != msg.message_type) return;
  if (mac.IsZero() || mac.IsMulticast()) return;
  MacState* m = Mac(mac);
  if (!m) return;
  auto name = [&](std::string_view n) {
    if (n.empty()) return;
    AssetName an{std::string(n), std::string(protocol)};
    auto& names = m->facts.names;
    if (std::find(names.begin(), names.end(), an) != names.end()) return;
    if (names.size() >= limits_.max_names_per_address) {
      anomalies_.Raise("inventory.names_per_address_full");
      return;
    }
    names.push_back(std::move(an));
  };
  name(msg.host_name.view());
  name(msg.fqdn.view());
  if (!msg.vendor_class.empty()) {
    dissect::DeviceIdentity id;
    id.protocol = msg.protocol;
    id.capture_index = msg.capture_index;
    id.frame = msg.frame;
    id.mac = mac;
    id.fields.emplace_back("dhcp_vendor_class", msg.vendor_class.str());
    OnIdentity(id);
  }
}

void Inventory::OnTls(const dissect::TlsObservation& hs) {
  if (hs.sni.empty()) return;
  AddDnsName(hs.server_ip, hs.sni.view(), "tls");
  const uint64_t frame = hs.client_hello_frame ? hs.client_hello_frame : hs.server_hello_frame;
  comms_.OnName("tls", hs.sni.view(), hs.client_ip, hs.client_mac, hs.server_ip, hs.server_mac,
                hs.ts, hs.capture_index, frame);
}

void Inventory::OnRemoteAccess(const dissect::RemoteAccessObservation& session) {
  comms_.OnRemoteAccess(session);
  const std::string tool = session.tool;
  if (IpState* s = Ip(session.server_ip)) ++s->facts.remote_accepted[tool];
  if (IpState* s = Ip(session.client_ip)) ++s->facts.remote_opened[tool];
  auto side = [&](const core::IpAddr& ip, const core::MacAddr& mac, std::string_view software,
                  const char* role) {
    if (software.empty()) return;
    dissect::DeviceIdentity id;
    id.protocol = session.tool;
    id.capture_index = session.capture_index;
    id.frame = session.frame;
    id.ip = ip;
    id.mac = mac;
    id.fields.emplace_back(tool + "_" + role, std::string(software));
    OnIdentity(id);
  };
  side(session.server_ip, session.server_mac, session.server_software.view(), "server");
  side(session.client_ip, session.client_mac, session.client_software.view(), "client");
}

void Inventory::OnHttp(const dissect::HttpObservation& x) {
  const bool rtsp = std::string_view(x.protocol) == "rtsp";
  if (!rtsp && x.request_frame != 0 && !x.host.empty()) {
    comms_.OnName("http", x.host.view(), x.client_ip, x.client_mac, x.server_ip, x.server_mac, x.ts,
                  x.capture_index, x.request_frame);
  }
  if (x.status == 0 || !rtsp) return;
  if (IpState* s = Ip(x.server_ip)) ++s->facts.rtsp_answers;
}

void Inventory::OnFileTransfer(const dissect::FileTransferObservation& t) {
  comms_.OnFileTransfer(t);
  if (IpState* s = Ip(t.server_ip)) ++s->facts.files_served[t.protocol];
}

void Inventory::OnBlockTransfer(const dissect::BlockTransferObservation& t) { plc_blocks_.Add(t); }

void Inventory::Merge(const Inventory& other) {
  comms_.Merge(other.comms_);
  plc_blocks_.Merge(other.plc_blocks_);
  anomalies_.Merge(other.anomalies_);
  // In address order, so that which names a cap keeps does not follow hash order.
  std::vector<const std::pair<const core::IpAddr, std::vector<AssetName>>*> named;
  named.reserve(other.dns_names_.size());
  for (const auto& entry : other.dns_names_) named.push_back(&entry);
  std::sort(named.begin(), named.end(), [](auto* x, auto* y) { return x->first < y->first; });
  for (const auto* entry : named) {
    for (const auto& n : entry->second) AddDnsName(entry->first, n.name, n.source);
  }
  for (const auto& [mac, o] : other.macs_) {
    auto& slot = macs_[mac];
    if (!slot) {
      slot = std::make_unique<MacState>();
      slot->mac = mac;
    }
    slot->activity.MergeFrom(o->activity, limits_.max_vlans_per_device, anomalies_);
    for (const auto& [ip, n] : o->ips) Bind(slot.get(), ip, n);
    slot->ips_overflow |= o->ips_overflow;
    slot->arp_ips.insert(o->arp_ips.begin(), o->arp_ips.end());
    // The later announcement of a protocol wins, whichever shard heard it.
    for (const auto& [proto, n] : o->neighbors) {
      auto& mine = slot->neighbors[proto];
      if (mine.second.frame == 0 || Earlier(mine.second, n.second)) mine = n;
    }
    slot->facts.MergeFrom(o->facts);
  }
  for (const auto& [ip, o] : other.ips_) {
    auto& slot = ips_[ip];
    if (!slot) {
      slot = std::make_unique<IpState>();
      slot->ip = ip;
    }
    slot->activity.MergeFrom(o->activity, limits_.max_vlans_per_device, anomalies_);
    for (const auto& [k, n] : o->served) slot->served[k] += n;
    for (const auto& [k, n] : o->used) slot->used[k] += n;
    slot->facts.MergeFrom(o->facts);
  }
}

namespace {

bool HasCapability(const dissect::NeighborObservation& n, std::string_view cap) {
  const auto& caps = n.enabled_capabilities.empty() ? n.capabilities : n.enabled_capabilities;
  return std::find(caps.begin(), caps.end(), cap) != caps.end();
}

// Gives `a` the role, or adds the evidence to the role it has.
void AddRole(Asset& a, std::string role, std::string evidence) {
  for (auto& r : a.roles) {
    if (r.role != role) continue;
    if (r.evidence.find(evidence) == std::string::npos) r.evidence += "; " + evidence;
    return;
  }
  a.roles.push_back({std::move(role), std::move(evidence)});
}

// Names, roles and identity from what the device announced; `frames` holds the frame of
// each announcement, by protocol, as the identity's evidence.
void FillFromNeighbors(Asset& a, const std::map<std::string, Evidence>& frames) {
  for (const auto& n : a.neighbors) {
    if (!n.system_name.empty()) a.names.push_back({n.system_name, n.protocol});
    if (n.protocol == "cdp" && !n.chassis_id.empty() && n.chassis_id != n.system_name) {
      a.names.push_back({n.chassis_id, "cdp"});  // CDP device id
    }
    if (HasCapability(n, "router")) {
      AddRole(a, "router", fmt::format("{} announces the router capability", n.protocol));
    }
    if (HasCapability(n, "bridge") || HasCapability(n, "switch") ||
        HasCapability(n, "transparent-bridge")) {
      AddRole(a, "switch", fmt::format("{} announces the bridge/switch capability", n.protocol));
    }
    auto set = [&](const char* key, const std::string& value) {
      if (value.empty() || a.identity.count(key)) return;
      a.identity[key] = value;
      if (auto f = frames.find(n.protocol); f != frames.end()) a.identity_evidence[key] = f->second;
    };
    set("vendor", n.manufacturer);
    set("model", n.platform);
    set("firmware", n.firmware);
    set("software", n.software);
    set("hardware", n.hardware);
    set("serial", n.serial);
    set("description", n.system_description);
  }
  std::sort(a.names.begin(), a.names.end());
  a.names.erase(std::unique(a.names.begin(), a.names.end()), a.names.end());
}

// Industrial protocols whose server side is a controller (PLC, RTU or outstation).
bool IsControllerProtocol(std::string_view p) {
  return p == "modbus" || p == "s7comm" || p == "s7comm_plus" || p == "enip" || p == "dnp3" ||
         p == "iec104";
}

// A role from what a device called its own type (CIP device type, DCP role, ...).
const char* RoleFromDeviceType(std::string_view t) {
  auto has = [&](std::string_view w) { return t.find(w) != std::string_view::npos; };
  if (has("Programmable Logic Controller") || has("IO-Controller") || has("PLC")) return "plc";
  if (has("Drive") || has("drive")) return "drive";
  if (has("IO-Device") || has("Communications Adapter") || has("I/O")) return "io";
  if (has("Human-Machine") || has("HMI")) return "hmi";
  return nullptr;
}

}  // namespace

void Inventory::ApplyFacts(Asset& a, const DeviceFacts& f) {
  // What a device said of itself over an industrial protocol outranks LLDP's summary.
  for (const auto& [k, v] : f.identity) {
    a.identity[k] = v.value;
    a.identity_sources[k] = v.protocol;
    a.identity_evidence[k] = v.ev;
  }
  for (const auto& [k, v] : a.identity) a.identity_sources.emplace(k, "lldp/cdp");
  a.ics_served.insert(f.ics_served.begin(), f.ics_served.end());
  a.ics_requested.insert(f.ics_requested.begin(), f.ics_requested.end());
  a.cyclic_frames.insert(f.cyclic.begin(), f.cyclic.end());
  if (auto it = f.identity.find("device_type"); it != f.identity.end()) {
    if (const char* role = RoleFromDeviceType(it->second.value)) {
      AddRole(a, role,
              fmt::format("{} reports device type \"{}\"", it->second.protocol, it->second.value));
    }
  }
  for (const auto& [proto, n] : f.ics_served) {
    if (IsControllerProtocol(proto)) {
      AddRole(a, "plc", fmt::format("answers {} {} operations", n, proto));
      break;
    }
  }
  if (f.dns_answers > 0 || f.dhcp_answers > 0) {
    std::string why;
    if (f.dns_answers > 0) why = fmt::format("answered {} DNS queries", f.dns_answers);
    if (f.dhcp_answers > 0) {
      why += fmt::format("{}sent {} DHCP server messages", why.empty() ? "" : "; ", f.dhcp_answers);
    }
    AddRole(a, "server", why);
  }
  // "name 3, other 1": the counts of a per-protocol map, for evidence text.
  auto list = [](const std::map<std::string, uint64_t, std::less<>>& m) {
    std::string out;
    for (const auto& [k, n] : m) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", k, n);
    return out;
  };
  // A device that serves RTSP, or describes itself over ONVIF, is a camera (or a video
  // recorder, which the advisory groups with cameras).
  const bool onvif = std::any_of(f.identity.begin(), f.identity.end(),
                                 [](const auto& kv) { return kv.second.protocol == "onvif"; });
  if (f.rtsp_answers > 0) {
    AddRole(a, "camera", fmt::format("answered {} RTSP requests", f.rtsp_answers));
  }
  if (onvif) AddRole(a, "camera", "describes itself over ONVIF");
  if (!f.files_served.empty()) {
    AddRole(a, "server", fmt::format("served file transfers ({})", list(f.files_served)));
  }
  if (!f.remote_accepted.empty()) {
    // A host that accepts remote sessions and opens others onward is a jump host.
    AddRole(a, f.remote_opened.empty() ? "server" : "remote-access-gateway",
            f.remote_opened.empty()
                ? fmt::format("accepted remote-access sessions ({})", list(f.remote_accepted))
                : fmt::format("accepted remote-access sessions ({}) and opened others ({})",
                              list(f.remote_accepted), list(f.remote_opened)));
  }
  if (!f.names.empty()) {
    a.names.insert(a.names.end(), f.names.begin(), f.names.end());
    std::sort(a.names.begin(), a.names.end());
    a.names.erase(std::unique(a.names.begin(), a.names.end()), a.names.end());
  }
  if (f.program_changes_requested > 0) {
    AddRole(a, "engineering-workstation",
            fmt::format("asked for {} program or firmware changes", f.program_changes_requested));
  } else {
    for (const auto& [proto, n] : f.ics_requested) {
      if (IsControllerProtocol(proto)) {
        AddRole(a, "hmi", fmt::format("asks controllers for {} {} operations", n, proto));
        break;
      }
    }
  }
}

std::vector<Asset> Inventory::Finalize(const VendorDb& vendors) const {
  // Gateways first: a MAC is a router or firewall when it says so, or when it carries
  // traffic of several IPv4 addresses that its own ARP never claimed.
  std::vector<const MacState*> macs;
  macs.reserve(macs_.size());
  for (const auto& [mac, m] : macs_) macs.push_back(m.get());
  std::sort(macs.begin(), macs.end(), [](auto* a, auto* b) { return a->mac < b->mac; });

  // Who claims each address by its own ARP: a MAC that carries an address another MAC
  // claims is forwarding that address's traffic, however few such addresses it carries
  // (a router's interface on a quiet VLAN).
  std::map<core::IpAddr, core::MacAddr> claimed;
  for (const MacState* m : macs) {
    for (const auto& ip : m->arp_ips) claimed.emplace(ip, m->mac);
  }
  std::set<core::MacAddr> gateways;
  for (const MacState* m : macs) {
    bool router = false;
    for (const auto& [proto, n] : m->neighbors) router |= HasCapability(n.first, "router");
    size_t foreign = 0;
    bool others = false;
    for (const auto& [ip, n] : m->ips) {
      if (!ip.IsV4() || m->arp_ips.count(ip)) continue;
      ++foreign;
      auto owner = claimed.find(ip);
      others |= owner != claimed.end() && owner->second != m->mac;
    }
    if (router || m->ips_overflow || foreign >= limits_.gateway_foreign_ips || others) {
      gateways.insert(m->mac);
    }
  }

  // Which addresses a MAC holds: all it used unless it is a gateway, then only those its
  // own ARP or its announcements bind to it.
  std::map<core::IpAddr, std::vector<core::MacAddr>> holders;
  std::vector<Asset> out;
  out.reserve(macs.size());
  std::map<core::IpAddr, core::MacAddr> seen_via;  // address -> gateway it was seen behind
  for (const MacState* m : macs) {
    Asset a;
    a.mac = m->mac;
    a.vendor = std::string(vendors.Lookup(m->mac));
    a.gateway = gateways.count(m->mac) > 0;
    a.first_ts = m->activity.first_ts;
    a.last_ts = m->activity.last_ts;
    a.first_seen = m->activity.first_seen;
    a.packets = m->activity.packets;
    a.bytes = m->activity.bytes;
    a.vlans = m->activity.vlans;
    std::sort(a.vlans.begin(), a.vlans.end());
    std::map<std::string, Evidence> announced;
    for (const auto& [proto, n] : m->neighbors) {
      a.neighbors.push_back(n.first);
      announced.emplace(proto, n.second);
    }
    std::set<core::IpAddr> own(m->arp_ips.begin(), m->arp_ips.end());
    for (const auto& n : a.neighbors) {
      for (const auto& ip : n.management_addresses) {
        if (Assignable(ip)) own.insert(ip);
      }
    }
    if (!a.gateway) {
      for (const auto& [ip, n] : m->ips) own.insert(ip);
    } else {
      size_t forwarded = 0;
      for (const auto& [ip, n] : m->ips) {
        if (!own.count(ip)) {
          ++forwarded;
          seen_via.emplace(ip, m->mac);
        }
      }
      // A router that said so over LLDP/CDP may forward nothing here; its own words are
      // then the evidence (FillFromNeighbors below).
      if (forwarded > 0 || m->ips_overflow) {
        AddRole(a, "router",
                fmt::format("forwards traffic of {}{} addresses that are not its own", forwarded,
                            m->ips_overflow ? "+" : ""));
      }
    }
    a.ips.assign(own.begin(), own.end());
    for (const auto& ip : a.ips) holders[ip].push_back(m->mac);
    FillFromNeighbors(a, announced);
    out.push_back(std::move(a));
  }

  // Addresses no MAC holds: devices behind a router, or on a link type without MACs.
  std::vector<const IpState*> ips;
  ips.reserve(ips_.size());
  for (const auto& [ip, s] : ips_) ips.push_back(s.get());
  std::sort(ips.begin(), ips.end(), [](auto* a, auto* b) { return a->ip < b->ip; });
  std::map<core::IpAddr, size_t> ip_asset;  // address -> index in out
  for (size_t i = 0; i < out.size(); ++i) {
    for (const auto& ip : out[i].ips) ip_asset.emplace(ip, i);
  }
  std::vector<const IpState*> unheld;
  for (const IpState* s : ips) {
    if (!ip_asset.count(s->ip)) unheld.push_back(s);
  }
  // Room for every asset at once: grown by doubling, a list of many devices was held
  // twice over while it moved.
  out.reserve(out.size() + unheld.size());
  for (const IpState* s : unheld) {
    Asset a;
    a.ips = {s->ip};
    if (auto v = seen_via.find(s->ip); v != seen_via.end()) a.via = v->second;
    a.first_ts = s->activity.first_ts;
    a.last_ts = s->activity.last_ts;
    a.first_seen = s->activity.first_seen;
    a.packets = s->activity.packets;
    a.bytes = s->activity.bytes;
    a.vlans = s->activity.vlans;
    std::sort(a.vlans.begin(), a.vlans.end());
    ip_asset.emplace(s->ip, out.size());
    out.push_back(std::move(a));
  }

  // Services and what industrial protocols revealed belong to whoever holds the address;
  // facts learnt by MAC (link-layer protocols) belong to that MAC's asset.
  std::vector<DeviceFacts> facts(out.size());
  for (size_t i = 0; i < macs.size(); ++i) facts[i].MergeFrom(macs[i]->facts);
  for (const IpState* s : ips) {
    auto it = ip_asset.find(s->ip);
    if (it == ip_asset.end()) continue;
    Asset& a = out[it->second];
    if (s->activity.seen) {
      a.ip_activity[s->ip] = {s->activity.first_ts, s->activity.last_ts, s->activity.first_seen};
    }
    for (const auto& [k, n] : s->served) a.served[k] += n;
    for (const auto& [k, n] : s->used) a.used[k] += n;
    facts[it->second].MergeFrom(s->facts);
  }
  for (size_t i = 0; i < out.size(); ++i) ApplyFacts(out[i], facts[i]);
  // Names DNS-family answers gave the addresses an asset holds.
  for (Asset& a : out) {
    const size_t before = a.names.size();
    for (const auto& ip : a.ips) {
      if (auto it = dns_names_.find(ip); it != dns_names_.end()) {
        a.names.insert(a.names.end(), it->second.begin(), it->second.end());
      }
    }
    if (a.names.size() != before) {
      std::sort(a.names.begin(), a.names.end());
      a.names.erase(std::unique(a.names.begin(), a.names.end()), a.names.end());
    }
  }
  for (size_t i = 0; i < out.size(); ++i) out[i].id = i + 1;
  return out;
}

std::string TransportName(uint8_t transport) {
  switch (transport) {
    case 6:
      return "tcp";
    case 17:
      return "udp";
    default:
      return std::to_string(transport);
  }
}

}  // namespace qw::model
