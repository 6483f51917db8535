#include "flow/flow_table.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <tuple>

namespace qw::flow {
namespace {

constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr size_t kInitialBuckets = 1024;
constexpr size_t kMinChunk = 256;      // nodes in the pool's first chunk
constexpr size_t kMaxChunk = 1 << 16;  // nodes added at once at most

uint8_t Bit(Direction d) { return static_cast<uint8_t>(1u << static_cast<unsigned>(d)); }
size_t Index(Direction d) { return static_cast<size_t>(d); }
Direction Other(Direction d) {
  return d == Direction::kFromInitiator ? Direction::kFromResponder : Direction::kFromInitiator;
}
bool IsPureSyn(uint8_t flags) { return (flags & (decode::kSyn | decode::kAck)) == decode::kSyn; }

// Intrusive doubly linked list operations over a pair of link members.
template <typename List, typename N, typename Link>
void PushBack(List& list, N* n, Link prev, Link next) {
  n->*prev = list.tail;
  n->*next = nullptr;
  if (list.tail != nullptr) {
    list.tail->*next = n;
  } else {
    list.head = n;
  }
  list.tail = n;
}
template <typename List, typename N, typename Link>
void Unlink(List& list, N* n, Link prev, Link next) {
  if (n->*prev != nullptr) {
    (n->*prev)->*next = n->*next;
  } else {
    list.head = n->*next;
  }
  if (n->*next != nullptr) {
    (n->*next)->*prev = n->*prev;
  } else {
    list.tail = n->*prev;
  }
  n->*prev = nullptr;
  n->*next = nullptr;
}

// The addresses a flow is keyed on: those of the inner datagram when the frame carries a
// tunnel (the transport fields describe that one), as tshark keys conversations.
struct Addresses {
  core::IpAddr src, dst;
  uint8_t proto = 0;  // IP protocol of the datagram that holds the transport header
};
Addresses AddressesOf(const decode::Packet& pkt) {
  if (pkt.has_inner_ipv4 || pkt.has_inner_ipv6) {
    return {pkt.inner_src_ip, pkt.inner_dst_ip, pkt.inner_ip_proto};
  }
  return {pkt.src_ip, pkt.dst_ip, pkt.ip_proto};
}

// Builds the canonical key of an IP packet; false when the packet belongs to no flow.
bool MakeKey(const decode::Packet& pkt, const Addresses& a, FlowKey& key) {
  if (pkt.l3 != decode::L3::kIpv4 && pkt.l3 != decode::L3::kIpv6) return false;
  if (!a.src.IsSet() || !a.dst.IsSet()) return false;
  // Fragments that do not complete a datagram have no transport header to key on; tshark
  // leaves them out of its conversations too.
  if (pkt.ip_fragment) return false;
  uint16_t sport = 0, dport = 0;
  if (pkt.l4 == decode::L4::kTcp) {
    key.proto = kProtoTcp;
  } else if (pkt.l4 == decode::L4::kUdp) {
    key.proto = kProtoUdp;
  } else if (a.proto == kProtoTcp || a.proto == kProtoUdp) {
    return false;  // a TCP or UDP header too broken to decode: no ports to key on
  } else {
    key.proto = a.proto;
  }
  if (key.proto == kProtoTcp || key.proto == kProtoUdp) {
    sport = pkt.src_port;
    dport = pkt.dst_port;
  }
  const bool src_low = std::tie(a.src, sport) <= std::tie(a.dst, dport);
  key.lo_ip = src_low ? a.src : a.dst;
  key.hi_ip = src_low ? a.dst : a.src;
  key.lo_port = src_low ? sport : dport;
  key.hi_port = src_low ? dport : sport;
  key.vlan = pkt.outer_vlan;
  key.inner_vlan = pkt.inner_vlan;
  return true;
}

}  // namespace

struct FlowTable::Node {
  Flow flow;
  uint64_t hash = 0;
  int64_t touch_ns = 0;  // table time of the last packet, for the LRU lanes
  Node* hash_next = nullptr;
  Node* lru_prev = nullptr;
  Node* lru_next = nullptr;
  Node* order_prev = nullptr;
  Node* order_next = nullptr;
  Lane lane = Lane::kOther;
  bool streaming = false;  // the consumer still takes bytes
  uint8_t base_set = 0;    // Bit(dir) when base_seq[dir] is known
  uint8_t fin_seen = 0;    // Bit(dir) when that direction sent FIN
  // tshark's per-direction base sequence numbers, which decide when a SYN starts a new
  // connection on the same ports.
  std::array<uint32_t, 2> base_seq{};
  std::array<TcpReassembler, 2> reassembler;
};

FlowTable::FlowTable(FlowLimits limits, FlowObserver& observer)
    : limits_(limits), observer_(observer), stream_memory_(limits.max_stream_memory) {
  limits_.max_flows = std::max<size_t>(limits_.max_flows, 1);
  reassembly_limits_.max_buffer_bytes = limits_.max_stream_buffer;
  reassembly_limits_.max_segments = std::max<size_t>(limits_.max_ooo_segments, 1);
  max_buckets_ = std::bit_ceil(limits_.max_flows);
  buckets_.assign(std::min(kInitialBuckets, max_buckets_), nullptr);
}

FlowTable::~FlowTable() = default;

FlowTable::Node* FlowTable::Find(const FlowKey& key, uint64_t hash) const {
  for (Node* n = buckets_[hash & (buckets_.size() - 1)]; n != nullptr; n = n->hash_next) {
    if (n->hash == hash && n->flow.key == key) return n;
  }
  return nullptr;
}

FlowUpdate FlowTable::Process(const decode::Packet& pkt, core::Timestamp ts, uint32_t capture_index,
                              uint64_t frame_number, core::Anomalies& anomalies) {
  const Addresses addr = AddressesOf(pkt);
  FlowKey key;
  if (!MakeKey(pkt, addr, key)) return {};
  Advance(ts, anomalies);
  const uint64_t hash = key.Hash();
  const bool tcp = key.proto == kProtoTcp;

  // Which side of a flow sent this packet.
  auto direction_of = [&](const Flow& f) {
    return addr.src == f.initiator_ip && pkt.src_port == f.initiator_port
               ? Direction::kFromInitiator
               : Direction::kFromResponder;
  };

  Node* node = Find(key, hash);
  if (node != nullptr) {
    const Direction d = direction_of(node->flow);
    if (tcp && IsPureSyn(pkt.tcp_flags) && (node->base_set & Bit(d)) != 0 &&
        pkt.tcp_seq != node->base_seq[Index(d)]) {
      End(node, EndReason::kReused, anomalies);
      node = nullptr;
    } else if (limits_.active_timeout_ns > 0 &&
               ts.ns - node->flow.first_ts.ns >= limits_.active_timeout_ns) {
      End(node, EndReason::kActive, anomalies);
      node = nullptr;
    }
  }
  bool created = false;
  if (node == nullptr) {
    node = Create(key, hash, pkt, addr.src, addr.dst, ts, capture_index, frame_number, anomalies);
    created = true;
  }

  Flow& f = node->flow;
  const Direction dir = direction_of(f);
  const size_t i = Index(dir);
  ++f.packets[i];
  f.bytes[i] += pkt.frame_len;
  f.payload_bytes[i] += pkt.payload.size();
  f.last_ts = std::max(f.last_ts, ts);
  if (pkt.has_mac) {
    core::MacAddr& sender = dir == Direction::kFromInitiator ? f.initiator_mac : f.responder_mac;
    core::MacAddr& receiver = dir == Direction::kFromInitiator ? f.responder_mac : f.initiator_mac;
    if (sender.IsZero()) sender = pkt.src_mac;
    if (receiver.IsZero()) receiver = pkt.dst_mac;
  }
  if (tcp) UpdateTcp(node, dir, pkt);
  Touch(node);
  Feed(node, dir, pkt, frame_number, ts, anomalies);
  return {&f, dir, created};
}

FlowTable::Node* FlowTable::Create(const FlowKey& key, uint64_t hash, const decode::Packet& pkt,
                                   const core::IpAddr& src, const core::IpAddr& dst,
                                   core::Timestamp ts, uint32_t capture_index,
                                   uint64_t frame_number, core::Anomalies& anomalies) {
  if (stats_.live >= limits_.max_flows) {
    anomalies.Raise("flow.evicted");
    End(OldestIdle(), EndReason::kEvicted, anomalies);
  }
  if (stats_.live + 1 > buckets_.size() && buckets_.size() < max_buckets_) GrowBuckets();
  Node* node = Allocate();
  node->hash = hash;
  Flow& f = node->flow;
  f.key = key;
  f.id = next_id_++;
  f.proto = key.proto;
  f.vlan = key.vlan;
  f.inner_vlan = key.inner_vlan;
  f.first_ts = ts;
  f.last_ts = ts;
  f.capture_index = capture_index;
  f.first_frame = frame_number;

  // The initiator sent the first SYN; a SYN+ACK seen first was sent by the responder.
  bool from_responder = false;
  Lane lane = Lane::kOther;
  if (key.proto == kProtoTcp) {
    lane = Lane::kTcp;
    const uint8_t fl = pkt.tcp_flags;
    if (IsPureSyn(fl)) {
      f.tcp_state = TcpState::kSynSent;
    } else if ((fl & (decode::kSyn | decode::kAck)) == (decode::kSyn | decode::kAck)) {
      f.tcp_state = TcpState::kSynAckSeen;
      from_responder = true;
    } else {
      f.tcp_state = TcpState::kEstablished;
      f.midstream = true;
    }
    ++stats_.created_tcp;
  } else if (key.proto == kProtoUdp) {
    lane = Lane::kUdp;
    ++stats_.created_udp;
  } else {
    ++stats_.created_other;
  }
  const bool l4_ports = key.proto == kProtoTcp || key.proto == kProtoUdp;
  f.initiator_ip = from_responder ? dst : src;
  f.responder_ip = from_responder ? src : dst;
  if (l4_ports) {
    f.initiator_port = from_responder ? pkt.dst_port : pkt.src_port;
    f.responder_port = from_responder ? pkt.src_port : pkt.dst_port;
  }

  node->touch_ns = now_ns_;
  node->lane = lane;
  PushBack(lanes_[static_cast<size_t>(lane)], node, &Node::lru_prev, &Node::lru_next);
  PushBack(order_, node, &Node::order_prev, &Node::order_next);
  Node*& bucket = buckets_[hash & (buckets_.size() - 1)];
  node->hash_next = bucket;
  bucket = node;
  ++stats_.live;
  stats_.peak_live = std::max(stats_.peak_live, stats_.live);

  observer_.OnNewFlow(f);
  node->streaming = f.consumer != nullptr;
  return node;
}

FlowTable::Node* FlowTable::Allocate() {
  if (free_ == nullptr) {
    const size_t room = limits_.max_flows - allocated_;
    const size_t n = std::min({std::max(allocated_, kMinChunk), kMaxChunk, room});
    assert(n > 0);  // live < max_flows here, so a node is free or room is left
    chunks_.push_back(std::make_unique<Node[]>(n));
    Node* chunk = chunks_.back().get();
    for (size_t k = n; k-- > 0;) {
      chunk[k].hash_next = free_;
      free_ = &chunk[k];
    }
    allocated_ += n;
  }
  Node* node = free_;
  free_ = node->hash_next;
  node->hash_next = nullptr;
  return node;
}

void FlowTable::GrowBuckets() {
  std::vector<Node*> grown(buckets_.size() * 2, nullptr);
  const size_t mask = grown.size() - 1;
  for (Node* head : buckets_) {
    while (head != nullptr) {
      Node* next = head->hash_next;
      Node*& b = grown[head->hash & mask];
      head->hash_next = b;
      b = head;
      head = next;
    }
  }
  buckets_.swap(grown);
}

void FlowTable::UpdateTcp(Node* node, Direction dir, const decode::Packet& pkt) {
  Flow& f = node->flow;
  const uint8_t fl = pkt.tcp_flags;
  const bool syn = (fl & decode::kSyn) != 0;
  const bool ack = (fl & decode::kAck) != 0;
  const Direction other = Other(dir);
  // tshark's base sequence numbers (epan/dissectors/packet-tcp.c, analysis of sequence
  // numbers): the first SYN's number, else one less than the first segment's; for the
  // other side, one less than the first acknowledgement number.
  if ((node->base_set & Bit(dir)) == 0) {
    node->base_seq[Index(dir)] = syn ? pkt.tcp_seq : pkt.tcp_seq - 1;
    node->base_set |= Bit(dir);
  }
  if ((node->base_set & Bit(other)) == 0 && ack) {
    node->base_seq[Index(other)] = pkt.tcp_ack - 1;
    node->base_set |= Bit(other);
  }

  if ((fl & decode::kRst) != 0) {
    f.tcp_state = TcpState::kReset;
  } else if (syn && !ack) {
    // A SYN on a closed or reset flow that did not start a new one (same ISN) reopens it.
    if (f.tcp_state == TcpState::kClosed || f.tcp_state == TcpState::kReset) {
      f.tcp_state = TcpState::kSynSent;
      node->fin_seen = 0;
    }
  } else if (syn && ack) {
    if (f.tcp_state == TcpState::kSynSent && dir == Direction::kFromResponder) {
      f.tcp_state = TcpState::kSynAckSeen;
    }
  } else if (f.tcp_state == TcpState::kSynAckSeen && dir == Direction::kFromInitiator && ack) {
    f.tcp_state = TcpState::kEstablished;
  } else if (f.tcp_state == TcpState::kSynSent && !pkt.payload.empty()) {
    f.tcp_state = TcpState::kEstablished;  // handshake partly missed
  }
  if ((fl & decode::kFin) != 0 && f.tcp_state != TcpState::kReset) {
    node->fin_seen |= Bit(dir);
    f.tcp_state =
        node->fin_seen == (Bit(dir) | Bit(other)) ? TcpState::kClosed : TcpState::kClosing;
  }
  const bool done = f.tcp_state == TcpState::kClosed || f.tcp_state == TcpState::kReset;
  SetLane(node, done ? Lane::kTcpClosed : Lane::kTcp);
}

void FlowTable::Feed(Node* node, Direction dir, const decode::Packet& pkt, uint64_t frame_number,
                     core::Timestamp ts, core::Anomalies& anomalies) {
  if (!node->streaming) return;
  Flow& f = node->flow;
  if (!f.consumer->WantsData()) {
    node->streaming = false;
    for (auto& r : node->reassembler) r.Reset(&stream_memory_);
    return;
  }
  if (f.proto == kProtoTcp) {
    // The acknowledgement speaks of the other direction's bytes, which the sender had
    // before it sent this segment: a request the capture held back behind a hole goes to
    // the consumer before the response that acknowledges it.
    if ((pkt.tcp_flags & decode::kAck) != 0) {
      const Direction peer = Reverse(dir);
      const ReassemblySink peer_sink{*f.consumer, peer, reassembly_limits_, anomalies,
                                     &stream_memory_};
      node->reassembler[Index(peer)].OnPeerAck(pkt.tcp_ack, peer_sink);
      if (!f.consumer->WantsData()) return;
    }
    const ReassemblySink sink{*f.consumer, dir, reassembly_limits_, anomalies, &stream_memory_};
    node->reassembler[Index(dir)].AddSegment(pkt.tcp_flags, pkt.tcp_seq, pkt.payload, frame_number,
                                             ts, sink);
  } else if (f.proto == kProtoUdp && !pkt.payload.empty()) {
    f.consumer->OnData(dir, pkt.payload, frame_number, ts);
  }
}

void FlowTable::Touch(Node* node) {
  node->touch_ns = now_ns_;
  List& lane = lanes_[static_cast<size_t>(node->lane)];
  Unlink(lane, node, &Node::lru_prev, &Node::lru_next);
  PushBack(lane, node, &Node::lru_prev, &Node::lru_next);
}

void FlowTable::SetLane(Node* node, Lane lane) {
  if (node->lane == lane) return;
  Unlink(lanes_[static_cast<size_t>(node->lane)], node, &Node::lru_prev, &Node::lru_next);
  node->lane = lane;
  PushBack(lanes_[static_cast<size_t>(lane)], node, &Node::lru_prev, &Node::lru_next);
}

int64_t FlowTable::TimeoutOf(Lane lane) const {
  switch (lane) {
    case Lane::kTcp:
      return limits_.tcp_idle_ns;
    case Lane::kTcpClosed:
      return limits_.tcp_closed_linger_ns;
    case Lane::kUdp:
      return limits_.udp_idle_ns;
    case Lane::kOther:
      return limits_.other_idle_ns;
  }
  return 0;
}

// The lane heads are each lane's least recently active flow; among them the oldest goes
// first, and equal times go by creation order.
namespace {
template <typename N>
bool Older(const N* a, const N* b) {
  if (b == nullptr) return true;
  return a->touch_ns != b->touch_ns ? a->touch_ns < b->touch_ns : a->flow.id < b->flow.id;
}
}  // namespace

FlowTable::Node* FlowTable::OldestExpired() {
  Node* best = nullptr;
  for (size_t l = 0; l < kLanes; ++l) {
    Node* head = lanes_[l].head;
    const int64_t timeout = TimeoutOf(static_cast<Lane>(l));
    if (head == nullptr || timeout <= 0) continue;
    if (now_ns_ - head->touch_ns <= timeout) continue;
    if (Older(head, best)) best = head;
  }
  return best;
}

FlowTable::Node* FlowTable::OldestIdle() {
  Node* best = nullptr;
  for (const List& lane : lanes_) {
    if (lane.head != nullptr && Older(lane.head, best)) best = lane.head;
  }
  return best;
}

void FlowTable::Advance(core::Timestamp now, core::Anomalies& anomalies) {
  now_ns_ = std::max(now_ns_, now.ns);
  while (Node* n = OldestExpired()) {
    End(n, n->lane == Lane::kTcpClosed ? EndReason::kClosed : EndReason::kIdle, anomalies);
  }
}

void FlowTable::ForEachLive(const std::function<void(const Flow&)>& fn) const {
  for (const Node* n = order_.head; n != nullptr; n = n->order_next) fn(n->flow);
}

void FlowTable::Flush(core::Anomalies& anomalies) {
  while (order_.head != nullptr) End(order_.head, EndReason::kEndOfInput, anomalies);
  // Nothing is live: the node pool and the grown buckets go back, for at the end of the input
  // the table stays only for its statistics while the outputs are written.
  free_ = nullptr;
  chunks_.clear();
  chunks_.shrink_to_fit();
  allocated_ = 0;
  buckets_.assign(std::min(kInitialBuckets, max_buckets_), nullptr);
  buckets_.shrink_to_fit();
}

void FlowTable::End(Node* node, EndReason reason, core::Anomalies& anomalies) {
  Flow& f = node->flow;
  if (node->streaming && f.proto == kProtoTcp && f.consumer->WantsData()) {
    for (Direction d : {Direction::kFromInitiator, Direction::kFromResponder}) {
      const ReassemblySink sink{*f.consumer, d, reassembly_limits_, anomalies, &stream_memory_};
      node->reassembler[Index(d)].Finish(sink);
    }
  }
  observer_.OnFlowEnd(f, reason);
  if (f.consumer != nullptr) f.consumer->OnEnd(reason);
  observer_.OnFlowGone(f);

  Node** link = &buckets_[node->hash & (buckets_.size() - 1)];
  while (*link != node) link = &(*link)->hash_next;
  *link = node->hash_next;
  Unlink(lanes_[static_cast<size_t>(node->lane)], node, &Node::lru_prev, &Node::lru_next);
  Unlink(order_, node, &Node::order_prev, &Node::order_next);
  for (auto& r : node->reassembler) r.Reset(&stream_memory_);
  f = Flow{};
  node->streaming = false;
  node->base_set = 0;
  node->fin_seen = 0;
  node->base_seq = {};
  node->hash_next = free_;
  free_ = node;

  --stats_.live;
  ++stats_.ended;
  switch (reason) {
    case EndReason::kIdle:
    case EndReason::kActive:
      ++stats_.timed_out;
      break;
    case EndReason::kClosed:
      ++stats_.closed;
      break;
    case EndReason::kEvicted:
      ++stats_.evicted;
      break;
    case EndReason::kReused:
      ++stats_.reused;
      break;
    case EndReason::kEndOfInput:
      break;
  }
}

}  // namespace qw::flow
