// Hostile captures through the whole Engine: traffic built to exhaust memory (millions of
// flows, endless IP fragments, a flood of MAC addresses, a stream of 1-byte TCP segments)
// must stay within the limits the Engine was given, and each cap must say so in a named
// anomaly.
//
// Frames are built in one reused buffer and handed to Engine::OnFrame directly, as a capture
// reader would hand them over; writing millions of frames to a file first would only test
// the readers again, which have tests of their own. Packet time advances by a fixed step.
// Checksums: the IPv4 header checksum is computed; UDP carries none (0 is legal) and the
// TCP one is left 0 (the decoder does not verify it).
//
// Under AddressSanitizer every count is ten times smaller, so the suite stays quick there.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "app/engine.h"
#include "capture/frame.h"
#include "model/vendor_db.h"

#if defined(__SANITIZE_ADDRESS__)
#define QW_HOSTILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QW_HOSTILE_ASAN 1
#endif
#endif
#ifndef QW_HOSTILE_ASAN
#define QW_HOSTILE_ASAN 0
#endif

namespace qw::app {
namespace {

constexpr uint64_t kScale = QW_HOSTILE_ASAN ? 10 : 1;
constexpr int64_t kMicrosecond = 1000;
constexpr int64_t kMillisecond = 1000 * kMicrosecond;
constexpr int64_t kSecond = 1000 * kMillisecond;
constexpr uint16_t kEthertypeIpv4 = 0x0800;
constexpr uint16_t kEthertypeArp = 0x0806;
constexpr uint16_t kEthertypeLocalExperimental = 0x88b5;  // IEEE 802: no protocol behind it
constexpr uint64_t kBroadcast = 0xffffffffffff;
constexpr uint32_t kServer = 0xc0a80a0a;  // 192.168.10.10

// One frame under construction, big-endian fields appended in order; reused for every frame.
class WireBytes {
 public:
  void Clear() { b_.clear(); }
  void U8(uint8_t v) { b_.push_back(v); }
  void U16(uint16_t v) {
    U8(static_cast<uint8_t>(v >> 8));
    U8(static_cast<uint8_t>(v));
  }
  void U32(uint32_t v) {
    U16(static_cast<uint16_t>(v >> 16));
    U16(static_cast<uint16_t>(v));
  }
  void Mac(uint64_t v) {
    for (int shift = 40; shift >= 0; shift -= 8) U8(static_cast<uint8_t>(v >> shift));
  }
  void Zeros(size_t n) { b_.insert(b_.end(), n, uint8_t{0}); }
  void Set16(size_t at, uint16_t v) {
    b_.at(at) = static_cast<uint8_t>(v >> 8);
    b_.at(at + 1) = static_cast<uint8_t>(v);
  }
  size_t size() const { return b_.size(); }
  std::span<const uint8_t> view() const { return b_; }

 private:
  std::vector<uint8_t> b_;
};

// The IPv4 header fields the tests vary.
struct Ipv4Header {
  uint32_t src = 0;
  uint32_t dst = kServer;
  uint8_t protocol = 17;
  uint16_t id = 0;
  bool more_fragments = false;
  uint16_t offset_units = 0;  // fragment offset in 8-byte units
};

// RFC 791 header checksum of a 20-byte header.
uint16_t HeaderChecksum(std::span<const uint8_t> header) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < header.size(); i += 2) {
    sum += static_cast<uint32_t>(header[i] << 8 | header[i + 1]);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Ethernet II and an IPv4 header without options announcing `ip_payload` bytes after it.
void PutEthernetIpv4(WireBytes& w, uint64_t dst_mac, uint64_t src_mac, const Ipv4Header& ip,
                     size_t ip_payload) {
  w.Clear();
  w.Mac(dst_mac);
  w.Mac(src_mac);
  w.U16(kEthertypeIpv4);
  const size_t at = w.size();
  w.U8(0x45);  // version 4, 5 words
  w.U8(0);
  w.U16(static_cast<uint16_t>(20 + ip_payload));
  w.U16(ip.id);
  w.U16(static_cast<uint16_t>((ip.more_fragments ? 0x2000 : 0) | ip.offset_units));
  w.U8(64);
  w.U8(ip.protocol);
  w.U16(0);
  w.U32(ip.src);
  w.U32(ip.dst);
  w.Set16(at + 10, HeaderChecksum(w.view().subspan(at, 20)));
}

void PutUdp(WireBytes& w, uint16_t sport, uint16_t dport, size_t payload) {
  w.U16(sport);
  w.U16(dport);
  w.U16(static_cast<uint16_t>(8 + payload));
  w.U16(0);
  w.Zeros(payload);
}

// TCP flag bits.
constexpr uint8_t kSyn = 0x02, kAck = 0x10, kPsh = 0x08;

void PutTcp(WireBytes& w, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
            size_t payload) {
  w.U16(sport);
  w.U16(dport);
  w.U32(seq);
  w.U32(ack);
  w.U8(0x50);  // 5 words, no options
  w.U8(flags);
  w.U16(65535);
  w.U16(0);  // checksum
  w.U16(0);  // urgent pointer
  w.Zeros(payload);
}

// Hands frames to an Engine with times and numbers as a capture would have them.
class Feeder {
 public:
  explicit Feeder(Engine& engine) : engine_(engine) {}
  void Send(const WireBytes& w, int64_t step_ns) {
    capture::Frame f;
    f.ts = core::Timestamp{ns_};
    f.link_type = capture::kLinkEthernet;
    f.orig_len = static_cast<uint32_t>(w.size());
    f.number = ++frames_;
    f.data = w.view();
    engine_.OnFrame(f, 0);
    ns_ += step_ns;
  }
  uint64_t frames() const { return frames_; }

 private:
  Engine& engine_;
  int64_t ns_ = 1'700'000'000 * kSecond;
  uint64_t frames_ = 0;
};

// Keeps every ended flow's packet counts.
class RecordSink final : public FlowRecordSink {
 public:
  bool OnFlowRecord(const model::FlowRecord& r) override {
    records.push_back(r);
    return true;
  }
  std::vector<model::FlowRecord> records;
};

// A bijection of 32-bit numbers that scatters consecutive ones, so that addresses and
// ports of consecutive flows look random but never repeat.
uint32_t Scatter(uint32_t i) { return i * 2654435761u; }

TEST(HostileCapture, TwoMillionUdpFlowsStayWithinMaxFlows) {
  const uint64_t n = 2'000'000 / kScale;
  EngineLimits limits;
  limits.flows.max_flows = 10'000;
  limits.inventory.max_ips = 10'000;  // every flow brings a new address
  Engine engine(limits, nullptr);
  Feeder feed(engine);
  WireBytes w;
  for (uint64_t i = 0; i < n; ++i) {
    const uint32_t x = Scatter(static_cast<uint32_t>(i));
    Ipv4Header ip;
    ip.src = 0x0a000000 | (x & 0xffffff);  // 10.x.y.z
    PutEthernetIpv4(w, 0x00000c000001, 0x00000c000002, ip, 8 + 4);
    PutUdp(w, static_cast<uint16_t>(1024 + (x >> 24)), 2222, 4);
    feed.Send(w, kMicrosecond);
  }
  engine.Finish();

  const auto flows = engine.flow_counts();
  EXPECT_LE(flows.peak_live, limits.flows.max_flows);
  EXPECT_GT(flows.evicted, 0u);
  // No flow times out (an hour of idle time is allowed), so every flow beyond the table's
  // size made room by evicting one.
  EXPECT_EQ(flows.evicted, n - limits.flows.max_flows);
  EXPECT_EQ(engine.anomalies().Count("flow.evicted"), flows.evicted);
  EXPECT_EQ(flows.udp, n) << "every flow ends exactly once, evicted or at the end";
  EXPECT_EQ(engine.frame_counts().udp, n);
  EXPECT_GT(engine.anomalies().Count("inventory.ip_table_full"), 0u);
  const auto assets = engine.inventory().Finalize(model::VendorDb{});
  EXPECT_LE(assets.size(), limits.inventory.max_macs + limits.inventory.max_ips);
}

// Sends `n` first fragments (offset 0, more fragments) of datagrams that never complete,
// each with its own key, `payload` bytes each, `step_ns` apart; then one datagram in two
// fragments that does complete, to show reassembly still works after the flood.
void SendEndlessFragments(Engine& engine, uint64_t n, size_t payload, int64_t step_ns) {
  Feeder feed(engine);
  WireBytes w;
  for (uint64_t i = 0; i < n; ++i) {
    Ipv4Header ip;
    ip.src = 0x0a000000 | static_cast<uint32_t>(i >> 16);  // the id wraps every 65536
    ip.id = static_cast<uint16_t>(i);
    ip.more_fragments = true;
    PutEthernetIpv4(w, 0x00000c000001, 0x00000c000002, ip, payload);
    w.Zeros(payload);
    feed.Send(w, step_ns);
  }
  Ipv4Header whole;
  whole.src = 0x0b000001;
  whole.id = 7;
  whole.more_fragments = true;
  PutEthernetIpv4(w, 0x00000c000001, 0x00000c000002, whole, 16);
  PutUdp(w, 40000, 2222, 8);  // UDP length says 8 + 24 bytes: the second fragment has 16
  w.Set16(w.size() - 8 - 4, 8 + 24);
  feed.Send(w, step_ns);
  whole.more_fragments = false;
  whole.offset_units = 2;
  PutEthernetIpv4(w, 0x00000c000001, 0x00000c000002, whole, 16);
  w.Zeros(16);
  feed.Send(w, step_ns);
  engine.Finish();
}

TEST(HostileCapture, EndlessFragmentsStayWithinDatagramCap) {
  const uint64_t n = 200'000 / kScale;
  EngineLimits limits;
  limits.decoder.max_fragment_datagrams = 4096;
  Engine engine(limits, nullptr);
  SendEndlessFragments(engine, n, 64, kMicrosecond);

  const auto& anomalies = engine.anomalies();
  // At most max_fragment_datagrams wait at once and none times out (the flood lasts a
  // fraction of the timeout), so all the others were evicted.
  EXPECT_EQ(anomalies.Count("ipv4.fragment_timeout"), 0u);
  EXPECT_GE(anomalies.Count("ipv4.fragment_evicted"), n - limits.decoder.max_fragment_datagrams);
  EXPECT_LE(anomalies.Count("ipv4.fragment_evicted"), n);
  // The frame that completes a datagram counts as reassembled, every other as a fragment.
  EXPECT_EQ(engine.frame_counts().ipv4_fragments, n + 1);
  EXPECT_EQ(engine.frame_counts().ipv4_reassembled, 1u);
  EXPECT_EQ(engine.flow_counts().udp, 1u) << "only the completed datagram makes a flow";
}

TEST(HostileCapture, EndlessFragmentsTimeOut) {
  const uint64_t n = 200'000 / kScale;
  EngineLimits limits;
  limits.decoder.fragment_timeout_ns = 1 * kSecond;
  const int64_t step = 10 * kMillisecond;
  Engine engine(limits, nullptr);
  SendEndlessFragments(engine, n, 64, step);

  const auto& anomalies = engine.anomalies();
  // A hundred fragments arrive within the timeout; every older one has expired.
  const uint64_t alive = static_cast<uint64_t>(limits.decoder.fragment_timeout_ns / step) + 1;
  EXPECT_GE(anomalies.Count("ipv4.fragment_timeout"), n - alive);
  EXPECT_LE(anomalies.Count("ipv4.fragment_timeout"), n);
  EXPECT_EQ(anomalies.Count("ipv4.fragment_evicted"), 0u);
  EXPECT_EQ(engine.frame_counts().ipv4_reassembled, 1u);
}

TEST(HostileCapture, LargeFragmentsStayWithinByteCap) {
  const uint64_t n = 50'000 / kScale;
  const size_t payload = 1480;  // a full-size first fragment
  EngineLimits limits;
  limits.decoder.max_fragment_bytes = 256 << 10;
  Engine engine(limits, nullptr);
  SendEndlessFragments(engine, n, payload, kMicrosecond);

  const auto& anomalies = engine.anomalies();
  const uint64_t fit = limits.decoder.max_fragment_bytes / payload;
  EXPECT_GE(anomalies.Count("ipv4.fragment_evicted"), n - fit);
  EXPECT_LE(anomalies.Count("ipv4.fragment_evicted"), n);
  EXPECT_EQ(anomalies.Count("ipv4.fragment_timeout"), 0u);
  EXPECT_EQ(engine.frame_counts().ipv4_reassembled, 1u);
}

// One TCP segment between a client (`client`:`port`) and the server (kServer:`server_port`),
// either way, carrying `payload` and then `zeros` zero bytes; the next frame comes `step_ns`
// later.
struct TcpLink {
  uint32_t client;
  uint16_t port, server_port;
  void Send(Feeder& feed, WireBytes& w, bool from_client, uint32_t seq, uint32_t ack, uint8_t flags,
            std::span<const uint8_t> payload, size_t zeros = 0,
            int64_t step_ns = kMicrosecond) const {
    Ipv4Header ip;
    ip.protocol = 6;
    ip.src = from_client ? client : kServer;
    ip.dst = from_client ? kServer : client;
    const uint64_t src_mac = from_client ? 0x00000c000002 : 0x00000c000001;
    const uint64_t dst_mac = from_client ? 0x00000c000001 : 0x00000c000002;
    PutEthernetIpv4(w, dst_mac, src_mac, ip, 20 + payload.size() + zeros);
    PutTcp(w, from_client ? port : server_port, from_client ? server_port : port, seq, ack, flags,
           0);
    for (uint8_t b : payload) w.U8(b);
    w.Zeros(zeros);
    feed.Send(w, step_ns);
  }
};

TEST(HostileCapture, TinyOutOfOrderSegmentsKeepOneFlow) {
  const uint64_t n = 200'000 / kScale;
  RecordSink sink;
  Engine engine(EngineLimits{}, &sink);
  Feeder feed(engine);
  WireBytes w;
  const uint32_t client = 0x0a000001, isn_c = 1000, isn_s = 50000;
  const TcpLink link{client, 40001, 502};
  auto segment = [&](bool from_client, uint32_t seq, uint32_t ack, uint8_t flags, size_t len) {
    link.Send(feed, w, from_client, seq, ack, flags, {}, len);
  };
  segment(true, isn_c, 0, kSyn, 0);
  segment(false, isn_s, isn_c + 1, kSyn | kAck, 0);
  segment(true, isn_c + 1, isn_s + 1, kAck, 0);
  // 1-byte segments in blocks of 1000 sent last byte first, so nearly all arrive early.
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t block = i / 1000 * 1000, in_block = 999 - i % 1000;
    const auto offset = static_cast<uint32_t>(block + in_block);
    segment(true, isn_c + 1 + offset, isn_s + 1, kPsh | kAck, 1);
  }
  engine.Finish();

  const auto flows = engine.flow_counts();
  EXPECT_EQ(flows.tcp, 1u);
  EXPECT_EQ(flows.peak_live, 1u);
  EXPECT_EQ(flows.evicted, 0u);
  EXPECT_EQ(engine.frame_counts().tcp, n + 3);
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0].packets_from_initiator, n + 2);
  EXPECT_EQ(sink.records[0].packets_from_responder, 1u);
  EXPECT_EQ(sink.records[0].tcp_state, "established");
}

// Keeps, in order, each operation's flow and each flow said done.
class OperationOrderSink final : public FlowRecordSink {
 public:
  bool OnFlowRecord(const model::FlowRecord&) override { return true; }
  bool OnIcsOperation(const dissect::IcsOperation& op) override {
    events.emplace_back(false, op.where.flow_id);
    return true;
  }
  bool OnFlowDone(uint64_t flow_id) override {
    events.emplace_back(true, flow_id);
    return true;
  }
  std::vector<std::pair<bool, uint64_t>> events;  // (done, flow id)
};

// A master that connects for every poll: each connection's operations, the unanswered one its
// dissector hands on only when the flow ends among them, reach the sink before the flow is
// said done, once, so that the store may write its runs then.
TEST(HostileCapture, ConnectionPerPollSaysEachFlowDoneAfterItsOperations) {
  constexpr uint32_t kPolls = 300;
  OperationOrderSink sink;
  Engine engine(EngineLimits{}, &sink);
  Feeder feed(engine);
  WireBytes w;
  const uint32_t client = 0x0a000002, isn_c = 1000, isn_s = 50000;
  for (uint32_t i = 0; i < kPolls; ++i) {
    const auto port = static_cast<uint16_t>(40000 + i);
    const bool answered = i % 10 != 9;
    const TcpLink link{client, port, 502};
    auto segment = [&](bool from_client, uint32_t seq, uint32_t ack, uint8_t flags,
                       std::span<const uint8_t> payload) {
      link.Send(feed, w, from_client, seq, ack, flags, payload, 0, kMillisecond);
    };
    const auto tid = static_cast<uint8_t>(i);
    // Read holding registers 0+2 of unit 1, and its answer of 4 bytes.
    const std::vector<uint8_t> request = {0, tid, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2};
    const std::vector<uint8_t> response = {0, tid, 0, 0, 0, 7, 1, 3, 4, 0, 1, 0, 2};
    constexpr uint8_t kFin = 0x01;
    const auto req = static_cast<uint32_t>(request.size());
    const auto rsp = answered ? static_cast<uint32_t>(response.size()) : 0u;
    segment(true, isn_c, 0, kSyn, {});
    segment(false, isn_s, isn_c + 1, kSyn | kAck, {});
    segment(true, isn_c + 1, isn_s + 1, kAck, {});
    segment(true, isn_c + 1, isn_s + 1, kPsh | kAck, request);
    if (answered) segment(false, isn_s + 1, isn_c + 1 + req, kPsh | kAck, response);
    segment(true, isn_c + 1 + req, isn_s + 1 + rsp, kFin | kAck, {});
    segment(false, isn_s + 1 + rsp, isn_c + 2 + req, kFin | kAck, {});
    // The next poll comes a few seconds later, past the linger of a closed connection.
    link.Send(feed, w, true, isn_c + 2 + req, isn_s + 2 + rsp, kAck, {}, 0, 5 * kSecond);
  }
  size_t done_before_finish = 0;
  for (const auto& e : sink.events) done_before_finish += e.first;
  engine.Finish();

  std::map<uint64_t, int> ops_of, done_of;
  size_t ops = 0, late = 0;
  for (const auto& [done, flow] : sink.events) {
    if (done) {
      ++done_of[flow];
      continue;
    }
    ++ops;
    ++ops_of[flow];
    late += done_of.count(flow);
  }
  EXPECT_EQ(engine.flow_counts().tcp, kPolls);
  EXPECT_EQ(ops, kPolls) << "every poll, answered or not, is an operation";
  EXPECT_EQ(late, 0u) << "no operation of a flow after it was said done";
  EXPECT_EQ(ops_of.size(), kPolls);
  EXPECT_EQ(done_of.size(), kPolls);
  for (const auto& [flow, n] : done_of) {
    EXPECT_EQ(n, 1) << "flow " << flow;
    EXPECT_EQ(ops_of.count(flow), 1u) << "flow " << flow;
  }
  // The connections end one by one as the capture goes on, not all at its end.
  EXPECT_GT(done_before_finish, kPolls / 2);
}

// Heap bytes in use (glibc's count; meaningless under AddressSanitizer's allocator).
size_t HeapInUse() { return mallinfo2().uordblks; }

// A flood of flows of one request each, from as many spoofed sources, to a service whose
// dissector pairs requests with answers: what each live flow costs, dissector state, flow
// and inventory together. Each dissector once held room for every request it could pair
// (EtherNet/IP 30 KB a flow, SMB2 25 KB, HTTP 16 KB, DNP3 11 KB); now a flow holds what it
// uses (0.8, 2.9, 4.3 and 1.6 KB with all the rest, Modbus 1.5 KB, at 0.9.15).
TEST(HostileCapture, FloodsOfOneRequestFlowsCostEachFlowLittle) {
  if (QW_HOSTILE_ASAN) GTEST_SKIP() << "glibc's heap count; AddressSanitizer replaces malloc";
  struct Service {
    const char* name;
    uint8_t protocol;
    uint16_t port;
    std::vector<uint8_t> request;
    size_t max_bytes_a_flow;  // what a live flow may cost, with room to spare
  };
  auto hex = [](std::string_view h) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
      out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    }
    return out;
  };
  std::vector<Service> services = {
      // EtherNet/IP ListIdentity over UDP.
      {"enip", 17, 44818, hex("630000000000000000000000000000000000000000000000"), 4096},
      // A DNP3 link frame (reset link states) over UDP, its header CRC right.
      {"dnp3", 17, 20000, hex("056405c903000400bd71"), 4096},
      // Modbus/TCP read holding registers.
      {"modbus", 6, 502, hex("000100000006010300000002"), 4096},
      // SMB2 NEGOTIATE in its NetBIOS session header.
      {"smb2", 6, 445,
       hex("000000b4fe534d4240000000000000000000000000000000000000000000000000000000000000000"
           "000000000000000000000000000000000000000000000000000000000000024000100000000000000"
           "00000000000000000000000000000000000000000000000000000000000202"),
       4096},
      // An HTTP GET: the request whose answer is awaited and the exchange it will be (about
      // 4 KB in all).
      {"http", 6, 80, hex("474554202f20485454502f312e310d0a486f73743a20610d0a0d0a"), 8192},
  };
  for (const Service& svc : services) {
    constexpr uint32_t kFlows = 20'000;
    RecordSink sink;
    Engine engine(EngineLimits{}, &sink);
    Feeder feed(engine);
    WireBytes w;
    const std::vector<uint8_t>& payload = svc.request;
    const size_t before = HeapInUse();
    for (uint32_t i = 0; i < kFlows; ++i) {
      Ipv4Header ip;
      ip.protocol = svc.protocol;
      ip.src = 0x0a000000 | Scatter(i) >> 8;
      const auto sport = static_cast<uint16_t>(1024 + i % 60000);
      auto send = [&](uint8_t flags, std::span<const uint8_t> data, uint32_t seq) {
        const size_t header = svc.protocol == 6 ? 20 : 8;
        PutEthernetIpv4(w, 0x00000c000001, 0x00000c000002, ip, header + data.size());
        if (svc.protocol == 6) {
          PutTcp(w, sport, svc.port, seq, 0, flags, 0);
        } else {
          PutUdp(w, sport, svc.port, 0);
          w.Set16(w.size() - 4, static_cast<uint16_t>(8 + data.size()));
        }
        for (uint8_t b : data) w.U8(b);
        feed.Send(w, kMicrosecond);
      };
      if (svc.protocol == 6) send(kSyn, {}, 1000);
      send(svc.protocol == 6 ? kPsh | kAck : 0, payload, 1001);
    }
    const size_t per_flow = (HeapInUse() - before) / kFlows;
    EXPECT_LE(per_flow, svc.max_bytes_a_flow) << svc.name << ": " << per_flow << " bytes a flow";
    engine.Finish();
    EXPECT_EQ(engine.flow_counts().tcp + engine.flow_counts().udp, kFlows) << svc.name;
    bool recognised = false;
    for (const auto& r : sink.records) recognised |= r.protocol == svc.name;
    EXPECT_TRUE(recognised) << svc.name << " was not recognised: the flood measured nothing";
  }
}

TEST(HostileCapture, MillionMacAddressesStayWithinMacCap) {
  const uint64_t n = 1'000'000 / kScale;
  EngineLimits limits;
  limits.inventory.max_macs = 1000;
  Engine engine(limits, nullptr);
  Feeder feed(engine);
  WireBytes w;
  for (uint64_t i = 0; i < n; ++i) {
    // Locally administered unicast addresses, scattered over 32 bits.
    const uint64_t mac = 0x020000000000 | Scatter(static_cast<uint32_t>(i));
    w.Clear();
    w.Mac(kBroadcast);
    w.Mac(mac);
    if (i % 2 == 0) {
      w.U16(kEthertypeLocalExperimental);
      w.Zeros(46);
    } else {
      // An ARP request from that MAC (RFC 826), so the ARP path fills the table too.
      w.U16(kEthertypeArp);
      w.U16(1);  // Ethernet
      w.U16(kEthertypeIpv4);
      w.U8(6);
      w.U8(4);
      w.U16(1);  // request
      w.Mac(mac);
      w.U32(0x0a000000 | static_cast<uint32_t>(i & 0xffffff));
      w.Mac(0);
      w.U32(kServer);
      w.Zeros(18);
    }
    feed.Send(w, kMicrosecond);
  }
  engine.Finish();

  // Every MAC beyond the cap is refused at least once (the ARP path may ask again).
  EXPECT_GE(engine.anomalies().Count("inventory.mac_table_full"), n - limits.inventory.max_macs);
  EXPECT_EQ(engine.frame_counts().arp, n / 2);
  const auto assets = engine.inventory().Finalize(model::VendorDb{});
  size_t with_mac = 0;
  for (const auto& a : assets) with_mac += a.mac.has_value();
  EXPECT_EQ(with_mac, limits.inventory.max_macs);
  // ARP senders' addresses belong to MACs the table refused; at most they stand alone.
  EXPECT_LE(assets.size(), limits.inventory.max_macs + limits.inventory.max_ips);
}

}  // namespace
}  // namespace qw::app
