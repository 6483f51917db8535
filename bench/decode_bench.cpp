// Microbenchmarks of the decoder: frames per second through Decoder::Decode for a few frames
// typical of a terminal network. Each frame is checked at setup to decode to the layers it
// holds without an anomaly, so a broken fixture cannot make a fast figure out of an early stop.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/frame.h"
#include "core/anomalies.h"
#include "core/hex.h"
#include "decode/decoder.h"
#include "decode/packet.h"

namespace qw::decode {
namespace {

// Ethernet II, IPv4, TCP carrying a Modbus/TCP "read holding registers" request.
constexpr std::string_view kIpv4Tcp = R"(
  00 1b 1b 01 02 03  00 0e 8c 0a 0b 0c  08 00   # dst, src, ethertype IPv4
  45 00 00 34  12 34 40 00  40 06 00 00        # v4 IHL 5, total 52, id, DF, TTL 64, TCP, csum
  0a 32 01 0a  0a 32 01 14                     # 10.50.1.10 -> 10.50.1.20
  c3 50 01 f6  00 00 00 01  00 00 00 01        # 50000 -> 502, seq 1, ack 1
  50 18 20 00  00 00 00 00                     # offset 5, PSH|ACK, window, csum, urgent
  00 01 00 00 00 06 01  03 00 00 00 0a         # MBAP (tid 1, len 6, unit 1), fc 3, addr 0, qty 10
)";

// Ethernet II with an 802.1Q tag (VLAN 100), IPv4, UDP carrying 16 bytes to SNMP.
constexpr std::string_view kVlanUdp = R"(
  00 1b 1b 01 02 03  00 0e 8c 0a 0b 0c         # dst, src
  81 00 00 64  08 00                           # 802.1Q, PCP 0 VID 100, ethertype IPv4
  45 00 00 2c  00 07 00 00  40 11 00 00        # v4 IHL 5, total 44, id, no flags, TTL 64, UDP
  0a 32 64 0b  0a 32 64 01                     # 10.50.100.11 -> 10.50.100.1
  c3 51 00 a1  00 18 00 00                     # 50001 -> 161, length 24, csum
  30 0e 02 01 01 04 06 70 75 62 6c 69 63 a0 01 # 16 payload bytes (start of an SNMP message)
  00
)";

// Ethernet II, IPv6, TCP with 8 payload bytes.
constexpr std::string_view kIpv6Tcp = R"(
  00 1b 1b 01 02 03  00 0e 8c 0a 0b 0c  86 dd   # dst, src, ethertype IPv6
  60 00 00 00  00 1c 06 40                     # v6, payload 28, next header TCP, hop limit 64
  fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01   # fe80::1
  fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 02   # fe80::2
  c3 52 01 bb  00 00 10 00  00 00 20 00        # 50002 -> 443, seq, ack
  50 18 20 00  00 00 00 00                     # offset 5, PSH|ACK, window, csum, urgent
  17 03 03 00 03 01 02 03                      # 8 payload bytes (a TLS record)
)";

// Ethernet II broadcast ARP request, padded to the 60-byte minimum.
constexpr std::string_view kArp = R"(
  ff ff ff ff ff ff  00 0e 8c 0a 0b 0c  08 06   # broadcast, src, ethertype ARP
  00 01 08 00 06 04  00 01                     # Ethernet, IPv4, sizes 6 and 4, request
  00 0e 8c 0a 0b 0c  0a 32 01 0a               # sender 00:0e:8c:0a:0b:0c 10.50.1.10
  00 00 00 00 00 00  0a 32 01 14               # target unknown, 10.50.1.20
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   # padding
)";

// Decodes the fixture over and over, reporting frames and bytes per second.
void BM_Decode(benchmark::State& state, std::string_view hex, L3 want_l3, L4 want_l4) {
  std::optional<std::vector<uint8_t>> frame = core::ParseHex(hex);
  if (!frame) {
    state.SkipWithError("fixture is not hex");
    return;
  }
  Decoder decoder;
  Packet pkt;
  core::Anomalies anomalies;
  core::Timestamp ts{1'772'431'200'000'000'000};
  decoder.Decode(capture::kLinkEthernet, ts, *frame, pkt, anomalies);
  if (pkt.l3 != want_l3 || pkt.l4 != want_l4 || !anomalies.empty()) {
    state.SkipWithError("fixture does not decode to the layers it holds");
    return;
  }
  for (auto _ : state) {
    ts.ns += 1000;
    bool ok = decoder.Decode(capture::kLinkEthernet, ts, *frame, pkt, anomalies);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(pkt.payload.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * frame->size()));
  state.SetLabel(std::to_string(frame->size()) + " bytes");
}
BENCHMARK_CAPTURE(BM_Decode, ipv4_tcp, kIpv4Tcp, L3::kIpv4, L4::kTcp);
BENCHMARK_CAPTURE(BM_Decode, vlan_udp, kVlanUdp, L3::kIpv4, L4::kUdp);
BENCHMARK_CAPTURE(BM_Decode, ipv6_tcp, kIpv6Tcp, L3::kIpv6, L4::kTcp);
BENCHMARK_CAPTURE(BM_Decode, arp, kArp, L3::kArp, L4::kNone);

}  // namespace
}  // namespace qw::decode

BENCHMARK_MAIN();
