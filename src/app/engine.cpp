#include "app/engine.h"

#include <functional>
#include <string_view>

#include "core/address.h"
#include "dissect/dissector.h"

namespace qw::app {

namespace {

model::FlowRecord ToRecord(const flow::Flow& f, flow::EndReason reason) {
  model::FlowRecord r;
  r.id = f.RecordId();
  r.capture_index = f.capture_index;
  r.first_frame = f.first_frame;
  r.proto = f.proto;
  r.vlan = f.vlan;
  r.inner_vlan = f.inner_vlan;
  r.initiator_ip = f.initiator_ip.ToString();
  r.responder_ip = f.responder_ip.ToString();
  if (!f.initiator_mac.IsZero()) r.initiator_mac = f.initiator_mac.ToString();
  if (!f.responder_mac.IsZero()) r.responder_mac = f.responder_mac.ToString();
  r.initiator_port = f.initiator_port;
  r.responder_port = f.responder_port;
  r.midstream = f.midstream;
  if (f.proto == 6) r.tcp_state = TcpStateName(f.tcp_state);
  r.end_reason = EndReasonName(reason);
  r.first_ts = f.first_ts;
  r.last_ts = f.last_ts;
  r.packets_from_initiator = f.packets[0];
  r.packets_from_responder = f.packets[1];
  r.bytes_from_initiator = f.bytes[0];
  r.bytes_from_responder = f.bytes[1];
  return r;
}

}  // namespace

const char* TcpStateName(flow::TcpState state) {
  switch (state) {
    case flow::TcpState::kNone:
      return "none";
    case flow::TcpState::kSynSent:
      return "syn-sent";
    case flow::TcpState::kSynAckSeen:
      return "syn-ack-seen";
    case flow::TcpState::kEstablished:
      return "established";
    case flow::TcpState::kClosing:
      return "closing";
    case flow::TcpState::kClosed:
      return "closed";
    case flow::TcpState::kReset:
      return "reset";
  }
  return "unknown";
}

const char* EndReasonName(flow::EndReason reason) {
  switch (reason) {
    case flow::EndReason::kIdle:
      return "idle-timeout";
    case flow::EndReason::kActive:
      return "active-timeout";
    case flow::EndReason::kClosed:
      return "closed";
    case flow::EndReason::kEvicted:
      return "evicted";
    case flow::EndReason::kEndOfInput:
      return "end-of-input";
    case flow::EndReason::kReused:
      return "port-reused";
  }
  return "unknown";
}

Engine::Engine(EngineLimits limits, FlowRecordSink* sink)
    : limits_(limits),
      sink_(sink),
      decoder_(limits.decoder),
      inventory_(limits.inventory),
      flows_(std::make_unique<flow::FlowTable>(limits.flows, *this)) {}

Engine::~Engine() = default;

void Engine::Count(const decode::Packet& p) {
  using decode::L3;
  using decode::L4;
  counts_.vlan += p.vlan_count > 0;
  counts_.arp += p.l3 == L3::kArp;
  counts_.ipv4 += p.l3 == L3::kIpv4 || p.has_inner_ipv4;
  counts_.ipv6 += p.l3 == L3::kIpv6 || p.has_inner_ipv6;
  counts_.tcp += p.l4 == L4::kTcp || p.icmp_quoted_l4 == L4::kTcp;
  counts_.udp += p.l4 == L4::kUdp || p.icmp_quoted_l4 == L4::kUdp;
  counts_.icmp += p.l4 == L4::kIcmp;
  counts_.icmpv6 += p.l4 == L4::kIcmpv6;
  counts_.lldp += p.l3 == L3::kLldp;
  counts_.cdp += p.l3 == L3::kCdp;
  counts_.stp += p.l3 == L3::kStp;
  counts_.ipv4_fragments += p.l3 == L3::kIpv4 && p.ip_fragment;
  counts_.ipv4_reassembled += p.ip_reassembled;
}

void Engine::OnFrame(const capture::Frame& frame, uint32_t capture_index) {
  if (!decoder_.Decode(frame.link_type, frame.ts, frame.data, pkt_, anomalies_, frame.orig_len)) {
    anomalies_.Raise("capture.unsupported_link_type");
    return;
  }
  OnDecoded(frame, capture_index, pkt_);
}

void Engine::OnDecoded(const capture::Frame& frame, uint32_t capture_index,
                       const decode::Packet& pkt) {
  Count(pkt);
  if (pkt.l3 != decode::L3::kIpv4 && pkt.l3 != decode::L3::kIpv6) {
    for (const auto& d : dissect::FrameDissectors()) {
      if (!dissect::Handles(d, pkt)) continue;
      if (limits_.no_dissectors && d.l3 == decode::L3::kOther) continue;
      dissect::FrameContext ctx;
      ctx.capture_index = capture_index;
      ctx.frame = frame.number;
      ctx.ts = frame.ts;
      ctx.vlan = pkt.outer_vlan;
      ctx.inner_vlan = pkt.inner_vlan;
      ctx.src_mac = pkt.src_mac;
      ctx.dst_mac = pkt.dst_mac;
      if (d.l3 == decode::L3::kLldp || d.l3 == decode::L3::kCdp) {
        OnNeighborFrame(d, pkt, ctx);
      } else {
        d.dissect(pkt, ctx, observations_, anomalies_);
      }
    }
    inventory_.OnPacket(pkt, frame.ts, capture_index, frame.number);
  } else {
    // Flows account for their packets in the inventory when they end; only what no flow
    // carries (a fragment still waiting for the rest) is counted here.
    flow::Flow* f = nullptr;
    if (!pkt.ip_fragment) {
      f = flows_->Process(pkt, frame.ts, capture_index, frame.number, anomalies_).flow;
    }
    if (!f) inventory_.OnPacket(pkt, frame.ts, capture_index, frame.number);
  }
  flows_->Advance(frame.ts, anomalies_);
}

// Switches announce themselves every 30 or 60 seconds with the same frame. Reading one builds
// the strings and lists of a NeighborObservation; a repeat of what the inventory holds for
// its sender only updates the time and frame, which costs no allocation.
void Engine::OnNeighborFrame(const dissect::FrameDissectorInfo& d, const decode::Packet& pkt,
                             const dissect::FrameContext& ctx) {
  const std::span<const uint8_t> bytes = pkt.l2_payload;
  const uint64_t hash = std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  NeighborSlot& slot =
      neighbor_slots_[core::Mix64(ctx.src_mac.AsU64() ^ reinterpret_cast<uintptr_t>(d.name)) %
                      neighbor_slots_.size()];
  const bool same_sender = slot.protocol == d.name && slot.mac == ctx.src_mac;
  if (same_sender && slot.hash == hash && slot.size == bytes.size() &&
      inventory_.OnNeighborRepeat(ctx, d.name)) {
    return;
  }
  // Read into a set of its own, so that a frame that raised anything, or announced nothing,
  // is read every time (and counted every time, as any other).
  core::Anomalies raised;
  neighbor_noted_ = false;
  d.dissect(pkt, ctx, observations_, raised);
  anomalies_.Merge(raised);
  if (raised.empty() && neighbor_noted_) {
    slot = NeighborSlot{ctx.src_mac, d.name, hash, bytes.size()};
  } else if (same_sender) {
    slot = NeighborSlot{};
  }
}

void Engine::AdvanceTo(core::Timestamp now) { flows_->Advance(now, anomalies_); }

void Engine::OnNewFlow(flow::Flow& f) {
  if (limits_.no_dissectors || dissect::StreamDissectors().empty()) return;
  const dissect::StreamDissectorInfo* expected = nullptr;
  if (auto d = expectations_.Take(f, expected)) {
    f.consumer = std::make_unique<dissect::StreamAttacher>(
        f, *expected, std::move(d), observations_, anomalies_, attach_stats_, limits_.attach,
        &expectations_, &flows_->stream_memory());
    return;
  }
  auto candidates = dissect::OrderCandidates(f.proto, f.initiator_port, f.responder_port);
  if (candidates.empty()) return;
  f.consumer = std::make_unique<dissect::StreamAttacher>(f, candidates, observations_, anomalies_,
                                                         attach_stats_, limits_.attach,
                                                         &expectations_, &flows_->stream_memory());
}

void Engine::Observations::OnIcsOperation(const dissect::IcsOperation& op) {
  e_.inventory_.OnIcsOperation(op);
  if (e_.sink_ && !e_.sink_->OnIcsOperation(op)) e_.sink_ = nullptr;
}

void Engine::Observations::OnDns(const dissect::DnsObservation& o) {
  e_.inventory_.OnDns(o);
  if (e_.sink_ && !e_.sink_->OnDns(o)) e_.sink_ = nullptr;
}

void Engine::Observations::OnDhcp(const dissect::DhcpObservation& o) {
  e_.inventory_.OnDhcp(o);
  if (e_.sink_ && !e_.sink_->OnDhcp(o)) e_.sink_ = nullptr;
}

void Engine::Observations::OnTls(const dissect::TlsObservation& o) {
  e_.inventory_.OnTls(o);
  if (e_.sink_ && !e_.sink_->OnTls(o)) e_.sink_ = nullptr;
}

void Engine::Observations::OnRemoteAccess(const dissect::RemoteAccessObservation& o) {
  e_.inventory_.OnRemoteAccess(o);
  e_.protocols_.OnSession("remote_access", o.tool);
  if (e_.sink_ && !e_.sink_->OnRemoteAccess(o)) e_.sink_ = nullptr;
}

void Engine::Observations::OnFileTransfer(const dissect::FileTransferObservation& o) {
  e_.inventory_.OnFileTransfer(o);
  e_.protocols_.OnSession("file_transfers", o.protocol);
  if (e_.sink_ && !e_.sink_->OnFileTransfer(o)) e_.sink_ = nullptr;
}

void Engine::Observations::OnHttp(const dissect::HttpObservation& o) {
  e_.inventory_.OnHttp(o);
  if (e_.sink_ && !e_.sink_->OnHttp(o)) e_.sink_ = nullptr;
}

void Engine::Observations::OnSnmp(const dissect::SnmpObservation& o) {
  if (e_.sink_ && !e_.sink_->OnSnmp(o)) e_.sink_ = nullptr;
}

void Engine::OnFlowEnd(flow::Flow& f, flow::EndReason reason) {
  ++flows_by_proto_[f.proto == 6 ? 0 : f.proto == 17 ? 1 : 2];
  inventory_.OnFlowEnd(f);
  // The consumer ends after this call, so operations it still holds reach the sink later;
  // the record only needs the protocol's name.
  model::FlowRecord record = ToRecord(f, reason);
  if (f.consumer) {
    if (const char* p = f.consumer->Protocol()) record.protocol = p;
  }
  if (limits_.zones) {
    record.initiator_zone = limits_.zones->Of(f.initiator_ip);
    record.responder_zone = limits_.zones->Of(f.responder_ip);
  }
  // A sink that failed has kept its error for the caller; stop feeding it.
  if (sink_ && !sink_->OnFlowRecord(record)) sink_ = nullptr;
}

void Engine::OnFlowGone(const flow::Flow& f) {
  if (f.consumer && sink_ && !sink_->OnFlowDone(f.RecordId())) sink_ = nullptr;
}

void Engine::Finish() {
  flows_->Flush(anomalies_);
  anomalies_.Merge(inventory_.anomalies());
}

model::FlowCounts Engine::flow_counts() const {
  model::FlowCounts c;
  c.tcp = flows_by_proto_[0];
  c.udp = flows_by_proto_[1];
  c.other = flows_by_proto_[2];
  const auto& s = flows_->stats();
  c.peak_live = s.peak_live;
  c.evicted = s.evicted;
  return c;
}

std::unique_ptr<model::Inventory> Engine::InventoryWithLiveFlows() const {
  auto copy = std::make_unique<model::Inventory>(limits_.inventory);
  copy->Merge(inventory_);
  flows_->ForEachLive([&](const flow::Flow& f) { copy->OnFlowEnd(f); });
  return copy;
}

}  // namespace qw::app
