#include "decode/ipv4_reassembly.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture/frame.h"
#include "core/hex.h"
#include "decode/decoder.h"

namespace qw::decode {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// A UDP datagram of 8 header bytes and 16 payload bytes (0x10..0x1f), split below.
// clang-format off
const std::vector<uint8_t> kUdpDatagram = {
    0x30, 0x39, 0x00, 0x35, 0x00, 0x18, 0x00, 0x00,  // UDP 12345 -> 53, length 24
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
// clang-format on

std::vector<uint8_t> Slice(const std::vector<uint8_t>& v, size_t from, size_t n) {
  return {v.begin() + static_cast<std::ptrdiff_t>(from),
          v.begin() + static_cast<std::ptrdiff_t>(from + n)};
}

// An Ethernet frame holding one IPv4 fragment of protocol UDP from 10.0.0.1 (+ src_low).
std::vector<uint8_t> Fragment(uint16_t id, uint32_t offset, bool more,
                              const std::vector<uint8_t>& data, uint8_t src_low = 1) {
  const auto total = static_cast<uint16_t>(20 + data.size());
  const auto flags_offset = static_cast<uint16_t>((more ? 0x2000 : 0) | (offset / 8));
  std::vector<uint8_t> f = {0x00,
                            0x1b,
                            0x1b,
                            0x00,
                            0x00,
                            0x01,
                            0x00,
                            0x0c,
                            0x29,
                            0xaa,
                            0xbb,
                            0xcc,
                            0x08,
                            0x00,
                            0x45,
                            0x00,
                            static_cast<uint8_t>(total >> 8),
                            static_cast<uint8_t>(total),
                            static_cast<uint8_t>(id >> 8),
                            static_cast<uint8_t>(id),
                            static_cast<uint8_t>(flags_offset >> 8),
                            static_cast<uint8_t>(flags_offset),
                            0x40,
                            0x11,
                            0x00,
                            0x00,
                            0x0a,
                            0x00,
                            0x00,
                            src_low,
                            0x0a,
                            0x00,
                            0x00,
                            0x02};
  f.reserve(f.size() + data.size());
  for (uint8_t b : data) f.push_back(b);  // (insert() trips a g++ 12 -Warray-bounds false alarm)
  return f;
}

struct Harness {
  Decoder decoder;
  core::Anomalies anomalies;
  Packet p;
  std::vector<uint8_t> frame;  // kept alive for the views in p

  explicit Harness(DecoderLimits limits = {}) : decoder(limits) {}
  const Packet& Feed(std::vector<uint8_t> bytes, int64_t ns = 0) {
    frame = std::move(bytes);
    decoder.Decode(capture::kLinkEthernet, core::Timestamp{ns}, frame, p, anomalies);
    return p;
  }
};

TEST(Ipv4ReassemblyTest, InOrderFragmentsCompleteOnLast) {
  Harness h;
  const Packet& first = h.Feed(Fragment(7, 0, true, Slice(kUdpDatagram, 0, 16)));
  EXPECT_EQ(first.l3, L3::kIpv4);
  EXPECT_TRUE(first.ip_fragment);
  EXPECT_FALSE(first.ip_reassembled);
  EXPECT_EQ(first.l4, L4::kNone);  // as tshark: a non-final fragment shows ip but not udp
  const Packet& last = h.Feed(Fragment(7, 16, false, Slice(kUdpDatagram, 16, 8)));
  EXPECT_FALSE(last.ip_fragment);
  EXPECT_TRUE(last.ip_reassembled);
  EXPECT_EQ(last.ip_total_len, 20u + 24u);
  EXPECT_EQ(last.l4, L4::kUdp);
  EXPECT_EQ(last.dst_port, 53);
  EXPECT_EQ(std::vector<uint8_t>(last.payload.begin(), last.payload.end()),
            Slice(kUdpDatagram, 8, 16));
  EXPECT_EQ(h.decoder.pending_fragment_datagrams(), 0u);
  EXPECT_EQ(h.decoder.pending_fragment_bytes(), 0u);
  EXPECT_TRUE(h.anomalies.counts().empty());
}

TEST(Ipv4ReassemblyTest, OutOfOrderFragmentsComplete) {
  Harness h;
  EXPECT_TRUE(h.Feed(Fragment(8, 16, false, Slice(kUdpDatagram, 16, 8))).ip_fragment);
  EXPECT_TRUE(h.Feed(Fragment(8, 8, true, Slice(kUdpDatagram, 8, 8))).ip_fragment);
  const Packet& p = h.Feed(Fragment(8, 0, true, Slice(kUdpDatagram, 0, 8)));
  EXPECT_TRUE(p.ip_reassembled);
  EXPECT_EQ(p.l4, L4::kUdp);
  EXPECT_EQ(p.payload.size(), 16u);
}

TEST(Ipv4ReassemblyTest, OverlapKeepsFirstBytes) {
  Harness h;
  h.Feed(Fragment(9, 0, true, Slice(kUdpDatagram, 0, 16)));
  // Resends bytes 8..15 with other content, then the tail.
  std::vector<uint8_t> forged(16, 0xee);
  for (size_t i = 8; i < 16; ++i) forged[i] = kUdpDatagram[i + 8];
  const Packet& p = h.Feed(Fragment(9, 8, false, forged));
  ASSERT_TRUE(p.ip_reassembled);
  EXPECT_EQ(std::vector<uint8_t>(p.payload.begin(), p.payload.end()), Slice(kUdpDatagram, 8, 16));
  EXPECT_EQ(h.anomalies.Count("ipv4.fragment_overlap"), 1u);
}

TEST(Ipv4ReassemblyTest, ConflictingEndIsIgnored) {
  Harness h;
  h.Feed(Fragment(10, 16, false, Slice(kUdpDatagram, 16, 8)));
  h.Feed(Fragment(10, 8, false, Slice(kUdpDatagram, 8, 8)));  // a second, shorter end
  EXPECT_EQ(h.anomalies.Count("ipv4.fragment_inconsistent"), 1u);
  EXPECT_TRUE(h.Feed(Fragment(10, 0, true, Slice(kUdpDatagram, 0, 16))).ip_reassembled);
}

TEST(Ipv4ReassemblyTest, TimeoutDropsIncompleteDatagram) {
  DecoderLimits limits;
  limits.fragment_timeout_ns = 30 * kSecond;
  Harness h(limits);
  h.Feed(Fragment(11, 0, true, Slice(kUdpDatagram, 0, 16)), 0);
  const Packet& late = h.Feed(Fragment(11, 16, false, Slice(kUdpDatagram, 16, 8)), 31 * kSecond);
  EXPECT_FALSE(late.ip_reassembled);
  EXPECT_TRUE(late.ip_fragment);
  EXPECT_EQ(h.anomalies.Count("ipv4.fragment_timeout"), 1u);
  EXPECT_EQ(h.decoder.pending_fragment_datagrams(), 1u);  // the late tail waits alone
}

TEST(Ipv4ReassemblyTest, DatagramCapEvictsOldest) {
  DecoderLimits limits;
  limits.max_fragment_datagrams = 2;
  Harness h(limits);
  for (uint16_t id = 1; id <= 3; ++id) h.Feed(Fragment(id, 0, true, Slice(kUdpDatagram, 0, 16)));
  EXPECT_EQ(h.anomalies.Count("ipv4.fragment_evicted"), 1u);
  EXPECT_EQ(h.decoder.pending_fragment_datagrams(), 2u);
  // Datagram 1 was evicted: its tail cannot complete it; datagram 3's can.
  EXPECT_FALSE(h.Feed(Fragment(1, 16, false, Slice(kUdpDatagram, 16, 8))).ip_reassembled);
  EXPECT_TRUE(h.Feed(Fragment(3, 16, false, Slice(kUdpDatagram, 16, 8))).ip_reassembled);
}

TEST(Ipv4ReassemblyTest, ByteCapEvictsAndNeverExceeds) {
  DecoderLimits limits;
  limits.max_fragment_bytes = 4000;
  Harness h(limits);
  std::vector<uint8_t> chunk(1480, 0x41);
  for (uint16_t id = 1; id <= 10; ++id) {
    h.Feed(Fragment(id, 0, true, chunk));
    EXPECT_LE(h.decoder.pending_fragment_bytes(), limits.max_fragment_bytes);
  }
  EXPECT_GT(h.anomalies.Count("ipv4.fragment_evicted"), 0u);
  // A datagram that alone needs more than the cap is dropped, not kept.
  h.Feed(Fragment(99, 8000, true, chunk));
  EXPECT_LE(h.decoder.pending_fragment_bytes(), limits.max_fragment_bytes);
}

TEST(Ipv4ReassemblyTest, DatagramOver65535IsDropped) {
  Harness h;
  h.Feed(Fragment(12, 0, true, Slice(kUdpDatagram, 0, 16)));
  const Packet& p = h.Feed(Fragment(12, 65528, false, Slice(kUdpDatagram, 0, 16)));
  EXPECT_FALSE(p.ip_reassembled);
  EXPECT_EQ(h.anomalies.Count("ipv4.fragment_too_large"), 1u);
  EXPECT_EQ(h.decoder.pending_fragment_datagrams(), 0u);
}

TEST(Ipv4ReassemblyTest, TooManyHolesDropsDatagram) {
  Ipv4Reassembler r;
  core::Anomalies anomalies;
  std::vector<uint8_t> eight(8, 1);
  FragmentKey key{core::IpAddr::V4(0x0a000001), core::IpAddr::V4(0x0a000002), 5, 17};
  for (uint32_t i = 0; i <= Ipv4Reassembler::kMaxFragmentRanges; ++i) {
    r.Add(IpFamily::kV4, key, {}, i * 16, true, eight, anomalies);  // every other 8 bytes
  }
  EXPECT_EQ(anomalies.Count("ipv4.too_many_fragments"), 1u);
  EXPECT_EQ(r.pending_datagrams(), 0u);
}

TEST(Ipv4ReassemblyTest, MemoryBombStaysWithinCaps) {
  DecoderLimits limits;
  limits.max_fragment_datagrams = 1000;
  limits.max_fragment_bytes = 1 << 20;
  Harness h(limits);
  constexpr uint32_t kDatagrams = 100'000;
  std::vector<uint8_t> chunk(1480, 0x42);
  for (uint32_t i = 0; i < kDatagrams; ++i) {
    h.Feed(Fragment(static_cast<uint16_t>(i), 0, true, chunk, static_cast<uint8_t>(i >> 16)),
           i);  // 1 ns apart: nothing times out
    ASSERT_LE(h.decoder.pending_fragment_datagrams(), limits.max_fragment_datagrams);
    ASSERT_LE(h.decoder.pending_fragment_bytes(), limits.max_fragment_bytes);
  }
  EXPECT_EQ(h.anomalies.Count("ipv4.fragment_evicted") + h.decoder.pending_fragment_datagrams(),
            kDatagrams);
}

TEST(Ipv6ReassemblyTest, FragmentHeaderReassembles) {
  auto first = core::ParseHex(R"(
    60 00 00 00 00 18 2c 40   # payload 24, next header fragment, hop limit 64
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # source 2001:db8::1
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   # destination 2001:db8::2
    11 00 00 01 00 00 ab cd   # fragment: next UDP, offset 0, M=1, id 0xabcd
    30 39 00 35 00 14 00 00   # UDP 12345 -> 53, length 20
    01 02 03 04 05 06 07 08   # payload, first 8 bytes
  )");
  auto last = core::ParseHex(R"(
    60 00 00 00 00 0c 2c 40   # payload 12, next header fragment
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
    11 00 00 10 00 00 ab cd   # fragment: next UDP, offset 2 (16 bytes), M=0, id 0xabcd
    09 0a 0b 0c               # payload, last 4 bytes
  )");
  ASSERT_TRUE(first && last);
  Decoder decoder;
  core::Anomalies anomalies;
  Packet p;
  decoder.Decode(capture::kLinkIpv6, {}, *first, p, anomalies);
  EXPECT_EQ(p.l3, L3::kIpv6);
  EXPECT_TRUE(p.ip_fragment);
  EXPECT_EQ(p.ip_proto, 17);
  EXPECT_EQ(p.l4, L4::kNone);
  decoder.Decode(capture::kLinkIpv6, {}, *last, p, anomalies);
  EXPECT_TRUE(p.ip_reassembled);
  EXPECT_EQ(p.l4, L4::kUdp);
  EXPECT_EQ(p.payload.size(), 12u);
  EXPECT_TRUE(anomalies.counts().empty());
}

}  // namespace
}  // namespace qw::decode
