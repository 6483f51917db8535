// Helpers for flow tests: hand-built decoded packets and a consumer that records what the
// flow table delivers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "decode/packet.h"
#include "flow/flow.h"

namespace qw::flow::testing {

/// An IPv4 address from text; the tests use only valid literals.
inline core::IpAddr Ip(const char* text) { return *core::IpAddr::Parse(text); }

/// A decoded Ethernet/IPv4 TCP packet. `payload` must outlive the packet's use.
inline decode::Packet Tcp(const char* src, uint16_t sport, const char* dst, uint16_t dport,
                          uint8_t flags, uint32_t seq, uint32_t ack = 0,
                          std::span<const uint8_t> payload = {}) {
  decode::Packet p;
  p.has_mac = true;
  p.src_mac = core::MacAddr{{0x02, 0, 0, 0, 0, static_cast<uint8_t>(Ip(src).b[3])}};
  p.dst_mac = core::MacAddr{{0x02, 0, 0, 0, 0, static_cast<uint8_t>(Ip(dst).b[3])}};
  p.ethertype = 0x0800;
  p.l3 = decode::L3::kIpv4;
  p.src_ip = Ip(src);
  p.dst_ip = Ip(dst);
  p.ip_proto = 6;
  p.l4 = decode::L4::kTcp;
  p.src_port = sport;
  p.dst_port = dport;
  p.tcp_flags = flags;
  p.tcp_seq = seq;
  p.tcp_ack = ack;
  p.payload = payload;
  p.frame_len = static_cast<uint32_t>(54 + payload.size());
  return p;
}

/// A decoded Ethernet/IPv4 UDP packet.
inline decode::Packet Udp(const char* src, uint16_t sport, const char* dst, uint16_t dport,
                          std::span<const uint8_t> payload = {}) {
  decode::Packet p = Tcp(src, sport, dst, dport, 0, 0, 0, payload);
  p.ip_proto = 17;
  p.l4 = decode::L4::kUdp;
  p.frame_len = static_cast<uint32_t>(42 + payload.size());
  return p;
}

/// Bytes of a string, for payloads.
inline std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

/// Records every call, rebuilding each direction's stream with gaps as '?'.
class RecordingConsumer : public StreamConsumer {
 public:
  struct Log {
    std::array<std::string, 2> stream;  // delivered bytes, '?' for each lost byte
    std::array<uint64_t, 2> gaps{};     // OnGap calls per direction
    std::array<uint64_t, 2> gap_bytes{};
    std::vector<uint64_t> frames;  // frame of each OnData call
    std::vector<const uint8_t*> data_ptrs;
    int ends = 0;
    EndReason reason = EndReason::kIdle;
    bool wants = true;
  };
  explicit RecordingConsumer(Log& log) : log_(log) {}
  void OnData(Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
              core::Timestamp) override {
    log_.stream[static_cast<size_t>(dir)].append(bytes.begin(), bytes.end());
    log_.frames.push_back(frame);
    log_.data_ptrs.push_back(bytes.data());
  }
  void OnGap(Direction dir, uint64_t n) override {
    log_.stream[static_cast<size_t>(dir)].append(n, '?');
    ++log_.gaps[static_cast<size_t>(dir)];
    log_.gap_bytes[static_cast<size_t>(dir)] += n;
  }
  void OnEnd(EndReason reason) override {
    ++log_.ends;
    log_.reason = reason;
  }
  bool WantsData() const override { return log_.wants; }

 private:
  Log& log_;
};

}  // namespace qw::flow::testing
