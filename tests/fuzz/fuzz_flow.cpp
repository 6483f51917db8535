// libFuzzer target: arbitrary bytes as a script of TCP and UDP packets among a few
// endpoints, through a small flow table with stream consumers. Payload bytes are the low
// byte of their own sequence number, so every byte a consumer receives must sit at an
// offset that agrees with all the others of its direction; the table must stay within its
// caps and never call a consumer after its end.
//
// Script record: | what:1 | flags:1 | seq:4 | ack:4 | len:1 | dt:1 |
//   what bits 0-1 client port, bit 2 direction, bit 3 UDP, bits 4-5 VLAN, bit 6 fragment.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "flow/flow_table.h"

namespace {

using qw::flow::Direction;

// Checks that stream bytes keep their places and that nothing follows OnEnd.
class CheckingConsumer : public qw::flow::StreamConsumer {
 public:
  explicit CheckingConsumer(bool datagrams) : datagrams_(datagrams) {}
  void OnData(Direction dir, std::span<const uint8_t> bytes, uint64_t,
              qw::core::Timestamp) override {
    if (ended_ || bytes.empty()) std::abort();
    if (datagrams_) return;  // UDP payloads come as they arrive, not as a stream
    const auto d = static_cast<size_t>(dir);
    for (uint8_t b : bytes) {
      const auto shift = static_cast<uint8_t>(b - static_cast<uint8_t>(offset_[d]));
      if (!known_[d]) {
        known_[d] = true;
        shift_[d] = shift;
      } else if (shift != shift_[d]) {
        std::abort();  // a byte landed at the wrong offset
      }
      ++offset_[d];
    }
  }
  void OnGap(Direction dir, uint64_t n) override {
    if (ended_ || n == 0) std::abort();
    offset_[static_cast<size_t>(dir)] += n;
  }
  void OnEnd(qw::flow::EndReason) override {
    if (ended_) std::abort();
    ended_ = true;
  }
  bool WantsData() const override { return true; }

 private:
  bool datagrams_;
  bool ended_ = false;
  bool known_[2] = {false, false};
  uint8_t shift_[2] = {0, 0};
  uint64_t offset_[2] = {0, 0};
};

class Observer : public qw::flow::FlowObserver {
 public:
  void OnNewFlow(qw::flow::Flow& f) override {
    f.consumer = std::make_unique<CheckingConsumer>(f.proto == 17);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qw::flow::FlowLimits limits;
  limits.max_flows = 6;
  limits.udp_idle_ns = 100;
  limits.tcp_idle_ns = 200;
  limits.tcp_closed_linger_ns = 50;
  limits.max_stream_buffer = 300;
  limits.max_ooo_segments = 5;
  limits.max_stream_memory = 1024;  // below 6 flows' buffers at their caps
  Observer observer;
  qw::flow::FlowTable table(limits, observer);
  qw::core::Anomalies anomalies;
  std::vector<uint8_t> payload(255);

  qw::core::ByteReader r(std::span<const uint8_t>(data, size));
  int64_t now = 0;
  uint64_t frame = 0;
  constexpr size_t kMaxPackets = 4096;
  while (r.remaining() >= 12 && frame < kMaxPackets) {
    const uint8_t what = r.U8();
    const uint8_t flags = r.U8();
    const uint32_t seq = r.U32Be();
    const uint32_t ack = r.U32Be();
    const uint8_t len = r.U8();
    now += r.U8();
    for (size_t i = 0; i < len; ++i)
      payload[i] = static_cast<uint8_t>(seq + ((flags & 2) != 0) + i);

    qw::decode::Packet p;
    p.l3 = qw::decode::L3::kIpv4;
    const bool to_client = (what & 4) != 0;
    const auto client = qw::core::IpAddr::V4(0x0a000001u);
    const auto server = qw::core::IpAddr::V4(0x0a000002u);
    const auto cport = static_cast<uint16_t>(40000 + (what & 3));
    p.src_ip = to_client ? server : client;
    p.dst_ip = to_client ? client : server;
    p.src_port = to_client ? 80 : cport;
    p.dst_port = to_client ? cport : 80;
    p.l4 = (what & 8) != 0 ? qw::decode::L4::kUdp : qw::decode::L4::kTcp;
    p.ip_proto = (what & 8) != 0 ? 17 : 6;
    p.outer_vlan = static_cast<uint16_t>((what >> 4) & 3);
    p.ip_fragment = (what & 0x40) != 0;
    p.tcp_flags = flags;
    p.tcp_seq = seq;
    p.tcp_ack = ack;
    p.payload = std::span<const uint8_t>(payload).first(len);
    p.frame_len = 54u + len;
    table.Process(p, qw::core::Timestamp{now}, 0, ++frame, anomalies);
    if (table.stats().live > limits.max_flows) std::abort();
    if (table.stream_memory().held() > limits.max_stream_memory) std::abort();
  }
  table.Flush(anomalies);
  if (table.stats().live != 0) std::abort();
  if (table.stream_memory().held() != 0) std::abort();  // every buffer gave its bytes back
  return 0;
}
