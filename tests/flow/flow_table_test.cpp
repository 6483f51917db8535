#include "flow/flow_table.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "flow_test_util.h"

namespace qw::flow {
namespace {

using testing::Bytes;
using testing::Ip;
using testing::RecordingConsumer;
using testing::Tcp;
using testing::Udp;

constexpr uint8_t kSyn = decode::kSyn;
constexpr uint8_t kAck = decode::kAck;
constexpr uint8_t kFin = decode::kFin;
constexpr uint8_t kRst = decode::kRst;
constexpr uint8_t kPsh = decode::kPsh;
constexpr int64_t kSec = FlowLimits::kSecond;

// Records flow starts and ends, and attaches recording consumers when asked to.
struct Recorder : FlowObserver {
  struct Ended {
    uint64_t id;
    EndReason reason;
    uint64_t packets;
  };
  std::vector<uint64_t> started;
  std::vector<Ended> ended;
  bool attach = false;
  std::vector<std::unique_ptr<RecordingConsumer::Log>> logs;

  void OnNewFlow(Flow& f) override {
    started.push_back(f.id);
    if (attach) {
      logs.push_back(std::make_unique<RecordingConsumer::Log>());
      f.consumer = std::make_unique<RecordingConsumer>(*logs.back());
    }
  }
  void OnFlowEnd(Flow& f, EndReason reason) override {
    ended.push_back({f.id, reason, f.packets[0] + f.packets[1]});
  }
  void OnFlowGone(const Flow& f) override {
    // The consumer has ended by now, once.
    gone.push_back({f.id, logs.empty() || !f.consumer ? -1 : logs.back()->ends});
  }
  std::vector<std::pair<uint64_t, int>> gone;  // id, and the last consumer's ends then
  std::vector<uint64_t> EndedIds() const {
    std::vector<uint64_t> ids;
    for (const auto& e : ended) ids.push_back(e.id);
    return ids;
  }
};

// A table with its observer and anomalies, fed one packet per second by default.
struct Harness {
  explicit Harness(FlowLimits limits = {}) : table(limits, rec) {}
  FlowUpdate Feed(const decode::Packet& p, int64_t t_ns = -1) {
    if (t_ns >= 0) now = t_ns;
    ++frame;
    FlowUpdate u = table.Process(p, core::Timestamp{now}, 0, frame, anomalies);
    now += kSec;
    return u;
  }
  Recorder rec;
  FlowTable table;
  core::Anomalies anomalies;
  int64_t now = 1'700'000'000 * kSec;
  uint64_t frame = 0;
};

constexpr const char* kC = "10.0.0.1";
constexpr const char* kS = "10.0.0.2";

TEST(FlowTable, TcpInitiatorIsTheSynSender) {
  Harness h;
  // The server's address is the lower one, so the key order differs from the initiator.
  auto u1 = h.Feed(Tcp(kS, 40000, kC, 80, kSyn, 100));
  auto u2 = h.Feed(Tcp(kC, 80, kS, 40000, kSyn | kAck, 500, 101));
  auto u3 = h.Feed(Tcp(kS, 40000, kC, 80, kAck, 101, 501));
  ASSERT_NE(u1.flow, nullptr);
  EXPECT_TRUE(u1.created);
  EXPECT_FALSE(u2.created);
  EXPECT_EQ(u1.flow, u3.flow);
  EXPECT_EQ(u1.dir, Direction::kFromInitiator);
  EXPECT_EQ(u2.dir, Direction::kFromResponder);
  const Flow& f = *u3.flow;
  EXPECT_EQ(f.initiator_ip, Ip(kS));
  EXPECT_EQ(f.initiator_port, 40000);
  EXPECT_EQ(f.responder_ip, Ip(kC));
  EXPECT_EQ(f.responder_port, 80);
  EXPECT_FALSE(f.midstream);
  EXPECT_EQ(f.tcp_state, TcpState::kEstablished);
  EXPECT_EQ(f.packets[0], 2u);
  EXPECT_EQ(f.packets[1], 1u);
  EXPECT_EQ(f.first_frame, 1u);
  EXPECT_EQ(f.id, 1u);
  EXPECT_EQ(h.table.stats().created_tcp, 1u);
}

// Flush ends every flow, then gives the node pool back; the table still takes packets.
// Each flow is said gone after its consumer ended.
TEST(FlowTable, FlushGivesThePoolBackAndSaysEachFlowGoneAfterItsConsumer) {
  Harness h;
  h.rec.attach = true;
  constexpr uint16_t kFlows = 5'000;
  const int64_t t = h.now;  // all at once: none idles out
  for (uint16_t i = 0; i < kFlows; ++i) {
    h.Feed(Udp(kC, static_cast<uint16_t>(1024 + i), kS, 2222), t);
  }
  EXPECT_GE(h.table.pooled(), kFlows);
  h.table.Flush(h.anomalies);
  EXPECT_EQ(h.rec.ended.size(), kFlows);
  EXPECT_EQ(h.table.pooled(), 0u);
  EXPECT_EQ(h.table.stats().live, 0u);
  ASSERT_EQ(h.rec.gone.size(), kFlows);
  EXPECT_EQ(h.rec.gone.back().second, 1) << "the last flow's consumer ended before it went";
  auto u = h.Feed(Udp(kC, 9, kS, 2222));
  ASSERT_NE(u.flow, nullptr);
  EXPECT_TRUE(u.created);
  EXPECT_GT(h.table.pooled(), 0u);
  h.table.Flush(h.anomalies);
  EXPECT_EQ(h.rec.ended.size(), kFlows + 1u);
  EXPECT_EQ(h.table.pooled(), 0u);
}

TEST(FlowTable, SynAckSeenFirstMakesItsReceiverTheInitiator) {
  Harness h;
  auto u = h.Feed(Tcp(kS, 80, kC, 40000, kSyn | kAck, 500, 101));
  ASSERT_NE(u.flow, nullptr);
  EXPECT_EQ(u.dir, Direction::kFromResponder);
  EXPECT_EQ(u.flow->initiator_ip, Ip(kC));
  EXPECT_EQ(u.flow->initiator_port, 40000);
  EXPECT_FALSE(u.flow->midstream);
  EXPECT_EQ(u.flow->tcp_state, TcpState::kSynAckSeen);
  EXPECT_EQ(u.flow->initiator_mac, *core::MacAddr::Parse("02:00:00:00:00:01"));
  EXPECT_EQ(u.flow->responder_mac, *core::MacAddr::Parse("02:00:00:00:00:02"));
}

TEST(FlowTable, MidstreamPickupGuessesTheFirstSender) {
  Harness h;
  const auto data = Bytes("x");
  auto u = h.Feed(Tcp(kS, 502, kC, 40000, kAck | kPsh, 9000, 7000, data));
  ASSERT_NE(u.flow, nullptr);
  EXPECT_TRUE(u.flow->midstream);
  EXPECT_EQ(u.flow->initiator_ip, Ip(kS));
  EXPECT_EQ(u.flow->initiator_port, 502);
  EXPECT_EQ(u.flow->tcp_state, TcpState::kEstablished);
  EXPECT_EQ(u.flow->payload_bytes[0], 1u);
}

TEST(FlowTable, UdpInitiatorIsTheFirstSender) {
  Harness h;
  const auto q = Bytes("query");
  auto u1 = h.Feed(Udp(kS, 53, kC, 3333, q));
  auto u2 = h.Feed(Udp(kC, 3333, kS, 53, q));
  ASSERT_NE(u1.flow, nullptr);
  EXPECT_EQ(u1.flow, u2.flow);
  EXPECT_EQ(u1.flow->initiator_ip, Ip(kS));
  EXPECT_EQ(u1.flow->initiator_port, 53);
  EXPECT_EQ(u2.dir, Direction::kFromResponder);
  EXPECT_EQ(u1.flow->tcp_state, TcpState::kNone);
  EXPECT_EQ(h.table.stats().created_udp, 1u);
}

TEST(FlowTable, BothDirectionsCountSeparately) {
  Harness h;
  const auto a = Bytes("abcd"), b = Bytes("efghijkl");
  h.Feed(Udp(kC, 1000, kS, 2000, a));
  h.Feed(Udp(kS, 2000, kC, 1000, b));
  auto u = h.Feed(Udp(kS, 2000, kC, 1000, b));
  const Flow& f = *u.flow;
  EXPECT_EQ(f.packets, (std::array<uint64_t, 2>{1, 2}));
  EXPECT_EQ(f.bytes, (std::array<uint64_t, 2>{42 + 4, 2 * (42 + 8)}));
  EXPECT_EQ(f.payload_bytes, (std::array<uint64_t, 2>{4, 16}));
  EXPECT_EQ(f.last_ts.ns - f.first_ts.ns, 2 * kSec);
  EXPECT_EQ(f.initiator_mac, *core::MacAddr::Parse("02:00:00:00:00:01"));
  EXPECT_EQ(f.responder_mac, *core::MacAddr::Parse("02:00:00:00:00:02"));
}

TEST(FlowTable, VlanTagsSeparateFlows) {
  Harness h;
  auto p = Udp(kC, 1000, kS, 2000);
  p.outer_vlan = 10;
  auto u1 = h.Feed(p);
  p.outer_vlan = 20;
  auto u2 = h.Feed(p);
  p.inner_vlan = 5;
  auto u3 = h.Feed(p);
  EXPECT_TRUE(u1.created && u2.created && u3.created);
  EXPECT_EQ(u2.flow->vlan, 20);
  EXPECT_EQ(u3.flow->inner_vlan, 5);
  EXPECT_EQ(h.table.stats().live, 3u);
}

TEST(FlowTable, OtherIpProtocolsFormPortlessFlows) {
  Harness h;
  auto p = Tcp(kC, 7, kS, 9, 0, 0);
  p.l4 = decode::L4::kIcmp;
  p.ip_proto = 1;
  auto u = h.Feed(p);
  ASSERT_NE(u.flow, nullptr);
  EXPECT_EQ(u.flow->proto, 1);
  EXPECT_EQ(u.flow->key.lo_port, 0);
  EXPECT_EQ(u.flow->initiator_port, 0);
  EXPECT_EQ(h.table.stats().created_other, 1u);
}

TEST(FlowTable, TunnelledFramesBelongToTheInnerFlow) {
  Harness h;
  auto p = Tcp("192.0.2.1", 40000, "192.0.2.2", 80, kSyn, 1);
  p.ip_proto = 47;  // GRE outside
  p.has_inner_ipv4 = true;
  p.inner_src_ip = Ip(kC);
  p.inner_dst_ip = Ip(kS);
  p.inner_ip_proto = 6;
  auto u1 = h.Feed(p);
  auto u2 = h.Feed(Tcp(kS, 80, kC, 40000, kSyn | kAck, 9, 2));  // the same flow, untunnelled
  ASSERT_NE(u1.flow, nullptr);
  EXPECT_EQ(u1.flow->initiator_ip, Ip(kC));
  EXPECT_EQ(u1.flow->responder_ip, Ip(kS));
  EXPECT_EQ(u2.flow, u1.flow);
  EXPECT_EQ(u2.dir, Direction::kFromResponder);
}

TEST(FlowTable, PacketsWithoutAFlow) {
  Harness h;
  auto frag = Udp(kC, 1, kS, 2);
  frag.ip_fragment = true;
  EXPECT_EQ(h.Feed(frag).flow, nullptr);
  auto broken = Tcp(kC, 1, kS, 2, kSyn, 1);
  broken.l4 = decode::L4::kNone;  // TCP header too short to decode
  EXPECT_EQ(h.Feed(broken).flow, nullptr);
  decode::Packet arp;
  arp.l3 = decode::L3::kArp;
  EXPECT_EQ(h.Feed(arp).flow, nullptr);
  EXPECT_EQ(h.table.stats().live, 0u);
}

// The closing handshake of a connection from kC:40000 to kS:80 with ISN 100.
void OpenAndClose(Harness& h) {
  h.Feed(Tcp(kC, 40000, kS, 80, kSyn, 100));
  h.Feed(Tcp(kS, 80, kC, 40000, kSyn | kAck, 500, 101));
  h.Feed(Tcp(kC, 40000, kS, 80, kAck, 101, 501));
  h.Feed(Tcp(kS, 80, kC, 40000, kFin | kAck, 501, 101));
  h.Feed(Tcp(kC, 40000, kS, 80, kFin | kAck, 101, 502));
}

TEST(FlowTable, NewSynAfterFinStartsANewFlow) {
  Harness h;
  OpenAndClose(h);
  EXPECT_EQ(h.rec.started.size(), 1u);
  auto u = h.Feed(Tcp(kC, 40000, kS, 80, kSyn, 200));
  EXPECT_TRUE(u.created);
  EXPECT_EQ(u.flow->id, 2u);
  EXPECT_FALSE(u.flow->midstream);
  EXPECT_EQ(u.flow->tcp_state, TcpState::kSynSent);
  ASSERT_EQ(h.rec.ended.size(), 1u);
  EXPECT_EQ(h.rec.ended[0].reason, EndReason::kReused);
  EXPECT_EQ(h.rec.ended[0].packets, 5u);
  EXPECT_EQ(h.table.stats().reused, 1u);
  EXPECT_EQ(h.table.stats().created_tcp, 2u);
}

TEST(FlowTable, SynWithTheSameIsnStaysInItsFlowAsInTshark) {
  Harness h;
  OpenAndClose(h);
  auto u = h.Feed(Tcp(kC, 40000, kS, 80, kSyn, 100));  // retransmission or same-ISN reconnect
  EXPECT_FALSE(u.created);
  EXPECT_EQ(u.flow->tcp_state, TcpState::kSynSent);
  EXPECT_TRUE(h.rec.ended.empty());
}

TEST(FlowTable, NewSynDuringAnOpenConnectionSplitsAsInTshark) {
  Harness h;
  h.Feed(Tcp(kC, 40000, kS, 80, kSyn, 100));
  h.Feed(Tcp(kS, 80, kC, 40000, kSyn | kAck, 500, 101));
  auto u = h.Feed(Tcp(kC, 40000, kS, 80, kSyn, 9999));
  EXPECT_TRUE(u.created);
  ASSERT_EQ(h.rec.ended.size(), 1u);
  EXPECT_EQ(h.rec.ended[0].reason, EndReason::kReused);
}

TEST(FlowTable, MidstreamBaseIsOneBeforeTheFirstSequenceNumber) {
  // tshark takes seq - 1 as the base of a direction first seen without SYN, and ack - 1 as
  // the other direction's: a SYN with exactly that number continues the flow.
  Harness h;
  const auto x = Bytes("x");
  h.Feed(Tcp(kC, 40000, kS, 80, kAck | kPsh, 1000, 5000, x));
  EXPECT_FALSE(h.Feed(Tcp(kC, 40000, kS, 80, kSyn, 999)).created);
  EXPECT_FALSE(h.Feed(Tcp(kS, 80, kC, 40000, kSyn, 4999)).created);
  EXPECT_TRUE(h.Feed(Tcp(kS, 80, kC, 40000, kSyn, 5000)).created);
}

TEST(FlowTable, ResetFlowEndsAfterTheLinger) {
  FlowLimits limits;
  limits.tcp_closed_linger_ns = 10 * kSec;
  Harness h(limits);
  h.Feed(Tcp(kC, 40000, kS, 80, kSyn, 100), 0);
  auto u = h.Feed(Tcp(kS, 80, kC, 40000, kRst | kAck, 0, 101), kSec);
  EXPECT_EQ(u.flow->tcp_state, TcpState::kReset);
  h.table.Advance(core::Timestamp{11 * kSec}, h.anomalies);
  EXPECT_TRUE(h.rec.ended.empty());
  h.table.Advance(core::Timestamp{12 * kSec}, h.anomalies);
  ASSERT_EQ(h.rec.ended.size(), 1u);
  EXPECT_EQ(h.rec.ended[0].reason, EndReason::kClosed);
  EXPECT_EQ(h.table.stats().closed, 1u);
}

TEST(FlowTable, FinBothWaysCloses) {
  Harness h;
  OpenAndClose(h);
  auto u = h.Feed(Tcp(kS, 80, kC, 40000, kAck, 502, 102));
  EXPECT_EQ(u.flow->tcp_state, TcpState::kClosed);
}

TEST(FlowTable, IdleFlowsEndInOrderOfLastActivity) {
  FlowLimits limits;
  limits.udp_idle_ns = 100 * kSec;
  Harness h(limits);
  h.Feed(Udp(kC, 1, kS, 9), 0);         // flow 1
  h.Feed(Udp(kC, 2, kS, 9), 1 * kSec);  // flow 2
  h.Feed(Udp(kC, 3, kS, 9), 2 * kSec);  // flow 3
  h.Feed(Udp(kC, 1, kS, 9), 3 * kSec);  // flow 1 again
  h.table.Advance(core::Timestamp{103 * kSec}, h.anomalies);
  EXPECT_EQ(h.rec.EndedIds(), (std::vector<uint64_t>{2, 3}));
  h.table.Advance(core::Timestamp{104 * kSec}, h.anomalies);
  EXPECT_EQ(h.rec.EndedIds(), (std::vector<uint64_t>{2, 3, 1}));
  EXPECT_EQ(h.rec.ended[0].reason, EndReason::kIdle);
  EXPECT_EQ(h.table.stats().timed_out, 3u);
  EXPECT_EQ(h.table.stats().live, 0u);
}

TEST(FlowTable, EachProtocolHasItsOwnIdleTimeout) {
  FlowLimits limits;
  limits.udp_idle_ns = 10 * kSec;
  limits.tcp_idle_ns = 1000 * kSec;
  Harness h(limits);
  h.Feed(Tcp(kC, 40000, kS, 80, kSyn, 1), 0);  // older, but with a longer timeout
  h.Feed(Udp(kC, 1, kS, 9), kSec);
  h.table.Advance(core::Timestamp{20 * kSec}, h.anomalies);
  EXPECT_EQ(h.rec.EndedIds(), (std::vector<uint64_t>{2}));
}

TEST(FlowTable, PacketAfterTheIdleTimeoutStartsANewFlow) {
  FlowLimits limits;
  limits.udp_idle_ns = 10 * kSec;
  Harness h(limits);
  h.Feed(Udp(kC, 1, kS, 9), 0);
  auto u = h.Feed(Udp(kS, 9, kC, 1), 11 * kSec);  // no Advance call in between
  EXPECT_TRUE(u.created);
  EXPECT_EQ(u.flow->initiator_ip, Ip(kS));
  EXPECT_EQ(h.rec.EndedIds(), (std::vector<uint64_t>{1}));
}

TEST(FlowTable, TimeGoingBackwardsExpiresNothingEarly) {
  FlowLimits limits;
  limits.udp_idle_ns = 10 * kSec;
  Harness h(limits);
  h.Feed(Udp(kC, 1, kS, 9), 100 * kSec);
  h.Feed(Udp(kC, 2, kS, 9), 50 * kSec);  // earlier timestamp: counts as now
  h.table.Advance(core::Timestamp{105 * kSec}, h.anomalies);
  EXPECT_TRUE(h.rec.ended.empty());
}

TEST(FlowTable, FullTableEvictsTheLongestIdleFlow) {
  FlowLimits limits;
  limits.max_flows = 3;
  Harness h(limits);
  h.Feed(Udp(kC, 1, kS, 9));
  h.Feed(Tcp(kC, 2, kS, 9, kSyn, 1));
  h.Feed(Udp(kC, 3, kS, 9));
  h.Feed(Udp(kC, 1, kS, 9));  // flow 1 active again; flow 2 is now the longest idle
  auto u = h.Feed(Udp(kC, 4, kS, 9));
  EXPECT_TRUE(u.created);
  EXPECT_EQ(h.rec.EndedIds(), (std::vector<uint64_t>{2}));
  EXPECT_EQ(h.rec.ended[0].reason, EndReason::kEvicted);
  EXPECT_EQ(h.anomalies.Count("flow.evicted"), 1u);
  EXPECT_EQ(h.table.stats().evicted, 1u);
  EXPECT_EQ(h.table.stats().live, 3u);
}

TEST(FlowTable, FlushEndsFlowsInCreationOrder) {
  Harness h;
  h.rec.attach = true;
  h.Feed(Udp(kC, 5, kS, 9));
  h.Feed(Tcp(kC, 4, kS, 9, kSyn, 1));
  h.Feed(Udp(kC, 3, kS, 9));
  h.Feed(Udp(kC, 5, kS, 9));  // activity must not change the order
  h.table.Flush(h.anomalies);
  EXPECT_EQ(h.rec.EndedIds(), (std::vector<uint64_t>{1, 2, 3}));
  for (const auto& e : h.rec.ended) EXPECT_EQ(e.reason, EndReason::kEndOfInput);
  for (const auto& log : h.rec.logs) {
    EXPECT_EQ(log->ends, 1);
    EXPECT_EQ(log->reason, EndReason::kEndOfInput);
  }
  EXPECT_EQ(h.table.stats().live, 0u);
  EXPECT_EQ(h.table.stats().ended, 3u);
}

TEST(FlowTable, ConsumerGetsBothTcpDirectionsInOrder) {
  Harness h;
  h.rec.attach = true;
  const auto req1 = Bytes("GET "), req2 = Bytes("/ HTTP/1.0\r\n"), resp = Bytes("HTTP/1.0 200");
  h.Feed(Tcp(kC, 40000, kS, 80, kSyn, 100));
  h.Feed(Tcp(kS, 80, kC, 40000, kSyn | kAck, 500, 101));
  h.Feed(Tcp(kC, 40000, kS, 80, kAck, 101, 501));
  h.Feed(Tcp(kC, 40000, kS, 80, kAck, 105, 501, req2));  // out of order
  h.Feed(Tcp(kC, 40000, kS, 80, kAck, 101, 501, req1));
  h.Feed(Tcp(kS, 80, kC, 40000, kAck, 501, 117, resp));
  ASSERT_EQ(h.rec.logs.size(), 1u);
  EXPECT_EQ(h.rec.logs[0]->stream[0], "GET / HTTP/1.0\r\n");
  EXPECT_EQ(h.rec.logs[0]->stream[1], "HTTP/1.0 200");
}

// The server's acknowledgement past a request segment the capture missed lets the next
// request through before the flow ends, and before the server's answer.
TEST(FlowTable, PeerAcknowledgementPastAHoleSkipsIt) {
  Harness h;
  h.rec.attach = true;
  const auto one = Bytes("one;"), three = Bytes("three;");
  h.Feed(Tcp(kC, 40000, kS, 102, kSyn, 100));
  h.Feed(Tcp(kS, 102, kC, 40000, kSyn | kAck, 500, 101));
  h.Feed(Tcp(kC, 40000, kS, 102, kAck | kPsh, 101, 501, one));
  // "two;" at 105 never reaches the capture
  h.Feed(Tcp(kC, 40000, kS, 102, kAck | kPsh, 109, 501, three));
  ASSERT_EQ(h.rec.logs.size(), 1u);
  EXPECT_EQ(h.rec.logs[0]->stream[0], "one;");
  // The server had all of it, and answers: the request it acknowledges reaches the
  // consumer before the answer does, as a request-response dissector needs.
  const auto answer = Bytes("ok;");
  h.Feed(Tcp(kS, 102, kC, 40000, kAck | kPsh, 501, 115, answer));
  EXPECT_EQ(h.rec.logs[0]->stream[0], "one;????three;");
  EXPECT_EQ(h.rec.logs[0]->stream[1], "ok;");
  EXPECT_EQ(h.rec.logs[0]->frames, (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(h.anomalies.Count("tcp.hole_acked"), 1u);
}

TEST(FlowTable, HoleBecomesAGapWhenTheFlowEnds) {
  Harness h;
  h.rec.attach = true;
  const auto late = Bytes("late");
  h.Feed(Tcp(kC, 40000, kS, 80, kSyn, 100));
  h.Feed(Tcp(kC, 40000, kS, 80, kAck, 111, 0, late));
  h.table.Flush(h.anomalies);
  EXPECT_EQ(h.rec.logs[0]->stream[0], "??????????late");
  EXPECT_EQ(h.anomalies.Count("tcp.gap"), 1u);
}

TEST(FlowTable, FlowsHoldingOutOfOrderBytesShareOneStreamMemory) {
  // A sender that opens many flows and leaves a hole in each, with data held after it:
  // each flow stays under its own buffer's cap, but together they would hold 64 x 1000
  // bytes; the table's StreamMemory keeps them to 16 KiB.
  FlowLimits limits;
  limits.max_stream_memory = 16 << 10;
  Harness h(limits);
  h.rec.attach = true;
  const auto held = Bytes(std::string(1000, 'x'));
  constexpr int kFlows = 64;
  for (int i = 0; i < kFlows; ++i) {
    const auto port = static_cast<uint16_t>(40000 + i);
    h.Feed(Tcp(kC, port, kS, 80, kSyn, 100));
    h.Feed(Tcp(kC, port, kS, 80, kAck | kPsh, 111, 0, held));  // bytes 101..110 missing
    EXPECT_LE(h.table.stream_memory().held(), limits.max_stream_memory);
  }
  EXPECT_GT(h.table.stream_memory().peak(), 8u << 10);
  EXPECT_LE(h.table.stream_memory().peak(), limits.max_stream_memory);
  const size_t refused = h.anomalies.Count("tcp.stream_memory_full");
  EXPECT_GT(refused, 0u);
  EXPECT_LT(refused, static_cast<size_t>(kFlows));
  h.table.Flush(h.anomalies);
  // Every flow's bytes came out, after its hole; and the memory is all given back.
  ASSERT_EQ(h.rec.logs.size(), static_cast<size_t>(kFlows));
  for (const auto& log : h.rec.logs)
    EXPECT_EQ(log->stream[0], "??????????" + std::string(1000, 'x'));
  EXPECT_EQ(h.table.stream_memory().held(), 0u);
}

TEST(FlowTable, UdpConsumerGetsEachDatagram) {
  Harness h;
  h.rec.attach = true;
  const auto a = Bytes("ping"), b = Bytes("pong");
  h.Feed(Udp(kC, 1, kS, 9, a));
  h.Feed(Udp(kS, 9, kC, 1, b));
  h.Feed(Udp(kC, 1, kS, 9));  // empty datagram: nothing to deliver
  EXPECT_EQ(h.rec.logs[0]->stream[0], "ping");
  EXPECT_EQ(h.rec.logs[0]->stream[1], "pong");
  EXPECT_EQ(h.rec.logs[0]->frames, (std::vector<uint64_t>{1, 2}));
}

TEST(FlowTable, ConsumerThatStopsWantingDataGetsNoMore) {
  Harness h;
  h.rec.attach = true;
  const auto a = Bytes("a");
  h.Feed(Udp(kC, 1, kS, 9, a));
  h.rec.logs[0]->wants = false;
  h.Feed(Udp(kC, 1, kS, 9, a));
  EXPECT_EQ(h.rec.logs[0]->stream[0], "a");
}

TEST(FlowTable, ActiveTimeoutSplitsLongFlowsWhenSet) {
  FlowLimits limits;
  limits.active_timeout_ns = 5 * kSec;
  Harness h(limits);
  for (int i = 0; i < 7; ++i) h.Feed(Udp(kC, 1, kS, 9));
  ASSERT_EQ(h.rec.ended.size(), 1u);
  EXPECT_EQ(h.rec.ended[0].reason, EndReason::kActive);
  EXPECT_EQ(h.rec.ended[0].packets, 5u);
}

TEST(FlowTable, TwoMillionFlowsStayWithinMaxFlows) {
  FlowLimits limits;
  limits.max_flows = 10'000;
  Harness h(limits);
  constexpr uint32_t kFlows = 2'000'000;
  decode::Packet p = Udp(kC, 1, kS, 9);
  for (uint32_t i = 0; i < kFlows; ++i) {
    p.src_ip = core::IpAddr::V4(0x0a000000u + (i >> 16));
    p.src_port = static_cast<uint16_t>(i);
    ASSERT_TRUE(h.table.Process(p, core::Timestamp{i}, 0, i + 1, h.anomalies).created);
    ASSERT_LE(h.table.stats().live, 10'000u);
  }
  EXPECT_EQ(h.table.stats().created_udp, kFlows);
  EXPECT_EQ(h.table.stats().peak_live, 10'000u);
  EXPECT_EQ(h.table.stats().evicted, kFlows - 10'000);
  EXPECT_EQ(h.anomalies.Count("flow.evicted"), kFlows - 10'000);
  h.table.Flush(h.anomalies);
  EXPECT_EQ(h.rec.ended.size(), kFlows);
}

}  // namespace
}  // namespace qw::flow
