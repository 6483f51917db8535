#include "flow/tcp_reassembly.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "flow_test_util.h"

namespace qw::flow {
namespace {

using testing::Bytes;
using testing::RecordingConsumer;

constexpr uint8_t kSyn = decode::kSyn;
constexpr uint8_t kAck = decode::kAck;
constexpr uint8_t kFin = decode::kFin;
constexpr size_t kFwd = 0;

// One direction's reassembler with a recording consumer around it.
struct Harness {
  ReassemblyLimits limits;
  core::Anomalies anomalies;
  RecordingConsumer::Log log;
  RecordingConsumer consumer{log};
  TcpReassembler r;
  uint64_t frame = 0;

  ReassemblySink Sink() { return {consumer, Direction::kFromInitiator, limits, anomalies}; }
  void Add(uint8_t flags, uint32_t seq, const std::vector<uint8_t>& bytes) {
    r.AddSegment(flags, seq, bytes, ++frame, core::Timestamp{}, Sink());
  }
  void Add(uint8_t flags, uint32_t seq, const std::string& text) { Add(flags, seq, Bytes(text)); }
  void Finish() { r.Finish(Sink()); }
  const std::string& Stream() const { return log.stream[kFwd]; }
};

TEST(TcpReassembly, InOrderSegmentsGoStraightFromThePacket) {
  Harness h;
  h.Add(kSyn, 1000, "");
  const std::vector<uint8_t> first = Bytes("hello ");
  h.r.AddSegment(kAck, 1001, first, 2, {}, h.Sink());
  h.Add(kAck, 1007, "world");
  EXPECT_EQ(h.Stream(), "hello world");
  ASSERT_FALSE(h.log.data_ptrs.empty());
  EXPECT_EQ(h.log.data_ptrs[0], first.data());  // zero copy
  EXPECT_EQ(h.r.buffered_bytes(), 0u);
}

TEST(TcpReassembly, SynTakesOneSequenceNumberAndCarriesData) {
  Harness h;
  h.Add(kSyn, 500, "ab");  // data on a SYN starts at ISN + 1
  h.Add(kAck, 503, "cd");
  EXPECT_EQ(h.Stream(), "abcd");
}

TEST(TcpReassembly, OutOfOrderWaitsForTheHole) {
  Harness h;
  h.Add(kSyn, 0, "");
  h.Add(kAck, 6, "world");
  EXPECT_EQ(h.Stream(), "");
  EXPECT_EQ(h.r.buffered_bytes(), 5u);
  h.Add(kAck, 1, "hello");
  EXPECT_EQ(h.Stream(), "helloworld");
  EXPECT_EQ(h.r.buffered_bytes(), 0u);
  EXPECT_EQ(h.log.frames, (std::vector<uint64_t>{3, 2}));  // each piece keeps its frame
}

TEST(TcpReassembly, RetransmissionOfDeliveredBytesIsDropped) {
  Harness h;
  h.Add(kAck, 100, "abcdef");
  h.Add(kAck, 100, "abcdef");
  h.Add(kAck, 103, "defghi");  // half old, half new
  EXPECT_EQ(h.Stream(), "abcdefghi");
  EXPECT_EQ(h.anomalies.Count("tcp.overlap_mismatch"), 0u);
}

TEST(TcpReassembly, OverlapWithSameBytesIsQuiet) {
  Harness h;
  h.Add(kAck, 0, "a");
  h.Add(kAck, 5, "fgh");
  h.Add(kAck, 3, "defg");
  h.Add(kAck, 1, "bcdefghij");
  EXPECT_EQ(h.Stream(), "abcdefghij");
  EXPECT_EQ(h.anomalies.Count("tcp.overlap_mismatch"), 0u);
}

TEST(TcpReassembly, OverlapWithDifferentBytesKeepsTheFirstCopy) {
  Harness h;
  h.Add(kAck, 0, "a");
  h.Add(kAck, 3, "DEF");      // buffered first
  h.Add(kAck, 1, "bcdefgh");  // claims other bytes for 3..5
  EXPECT_EQ(h.Stream(), "abcDEFgh");
  EXPECT_EQ(h.anomalies.Count("tcp.overlap_mismatch"), 1u);

  Harness g;  // the same between two buffered copies
  g.Add(kAck, 0, "a");
  g.Add(kAck, 5, "XY");
  g.Add(kAck, 4, "efg");
  g.Add(kAck, 1, "bcd");
  EXPECT_EQ(g.Stream(), "abcdeXY");
  EXPECT_EQ(g.anomalies.Count("tcp.overlap_mismatch"), 1u);
}

TEST(TcpReassembly, HoleNeverFilledBecomesGapAtFinish) {
  Harness h;
  h.Add(kAck, 0, "abc");
  h.Add(kAck, 5, "fg");
  h.Add(kAck | kFin, 9, "j");
  h.Finish();
  EXPECT_EQ(h.Stream(), "abc??fg??j");
  EXPECT_EQ(h.log.gaps[kFwd], 2u);
  EXPECT_EQ(h.anomalies.Count("tcp.gap"), 2u);
}

// The capture missed a segment the receiver got: its acknowledgement passes the hole, and
// the data held after the hole goes on at once instead of waiting for the flow's end.
TEST(TcpReassembly, HoleTheReceiverAcknowledgedIsSkipped) {
  Harness h;
  h.Add(kSyn, 999, "");
  h.Add(kAck, 1000, "abc");
  h.Add(kAck, 1005, "fg");        // [3, 5) never seen
  h.r.OnPeerAck(1004, h.Sink());  // acknowledges part of the hole only: the rest may come
  EXPECT_EQ(h.Stream(), "abc");
  h.r.OnPeerAck(1006, h.Sink());  // past the start of "fg": "de" reached the receiver
  EXPECT_EQ(h.Stream(), "abc??fg");
  EXPECT_EQ(h.anomalies.Count("tcp.hole_acked"), 1u);
  EXPECT_EQ(h.r.buffered_bytes(), 0u);
  h.Add(kAck, 1003, "de");  // a late copy of the lost bytes is dropped
  h.Add(kAck, 1007, "h");
  EXPECT_EQ(h.Stream(), "abc??fgh");
}

// An acknowledgement ahead of the data it acknowledges (a span port may reorder) skips
// nothing when no data is held after the hole; an old or wrapped acknowledgement neither.
TEST(TcpReassembly, AcknowledgementWithNothingHeldAfterTheHoleWaits) {
  Harness h;
  h.Add(kAck, 5000, "abc");
  h.r.OnPeerAck(5010, h.Sink());
  h.r.OnPeerAck(5000 - 0x7000'0000u, h.Sink());
  h.Add(kAck, 5003, "defghij");
  EXPECT_EQ(h.Stream(), "abcdefghij");
  EXPECT_EQ(h.anomalies.Count("tcp.hole_acked"), 0u);
  h.Add(kAck, 5020, "xyz");       // held after a hole the peer already acknowledged in part
  h.r.OnPeerAck(5012, h.Sink());  // not past the held data's start
  EXPECT_EQ(h.Stream(), "abcdefghij");
  h.r.OnPeerAck(5023, h.Sink());
  EXPECT_EQ(h.Stream(), "abcdefghij??????????xyz");
  EXPECT_EQ(h.log.gaps[kFwd], 1u);
}

TEST(TcpReassembly, BytesMissingBeforeFinAreAGap) {
  Harness h;
  h.Add(kAck, 0, "abc");
  h.Add(kAck | kFin, 10, "");  // FIN at offset 10: 7 bytes never seen
  h.Finish();
  EXPECT_EQ(h.Stream(), "abc???????");
}

TEST(TcpReassembly, BufferCapDeclaresTheFirstHoleLost) {
  Harness h;
  h.limits.max_buffer_bytes = 8;
  h.Add(kAck, 0, "a");
  h.Add(kAck, 2, "cdef");
  h.Add(kAck, 7, "hij");
  EXPECT_EQ(h.Stream(), "a");
  h.Add(kAck, 11, "lmn");  // 7 + 3 > 8: the hole at 1 is skipped
  EXPECT_EQ(h.anomalies.Count("tcp.reassembly_buffer_full"), 1u);
  EXPECT_EQ(h.Stream(), "a?cdef");
  EXPECT_LE(h.r.buffered_bytes(), 8u);
  h.Add(kAck, 6, "g");
  h.Add(kAck, 10, "k");
  EXPECT_EQ(h.Stream(), "a?cdefghijklmn");
}

TEST(TcpReassembly, SegmentLargerThanTheBufferSkipsToItself) {
  Harness h;
  h.limits.max_buffer_bytes = 4;
  h.Add(kAck, 0, "a");
  h.Add(kAck, 3, "defghij");
  EXPECT_EQ(h.Stream(), "a??defghij");
  EXPECT_EQ(h.r.buffered_bytes(), 0u);
}

TEST(TcpReassembly, SegmentCapDeclaresTheFirstHoleLost) {
  Harness h;
  h.limits.max_segments = 2;
  h.Add(kAck, 0, "a");
  h.Add(kAck, 2, "c");
  h.Add(kAck, 4, "e");
  h.Add(kAck, 6, "g");
  EXPECT_EQ(h.anomalies.Count("tcp.too_many_segments"), 1u);
  EXPECT_EQ(h.Stream(), "a?c");
  EXPECT_LE(h.r.buffered_segments(), 2u);
}

// Two flows' reassemblers that count their buffers in one StreamMemory.
struct SharedMemoryHarness {
  explicit SharedMemoryHarness(size_t cap) : memory(cap) {}
  StreamMemory memory;
  Harness a, b;
  ReassemblySink SinkOf(Harness& h) {
    return {h.consumer, Direction::kFromInitiator, h.limits, h.anomalies, &memory};
  }
  void Add(Harness& h, uint32_t seq, const std::string& text) {
    const std::vector<uint8_t> bytes = Bytes(text);
    h.r.AddSegment(kAck, seq, bytes, ++h.frame, core::Timestamp{}, SinkOf(h));
  }
};

TEST(TcpReassembly, BuffersOfEveryFlowStayWithinTheStreamMemory) {
  SharedMemoryHarness m(4096);
  m.Add(m.a, 0, "a");
  m.Add(m.a, 2, std::string(3000, 'x'));  // held behind the hole at 1
  EXPECT_EQ(m.a.Stream(), "a");
  EXPECT_GE(m.memory.held(), 3000u);
  EXPECT_LE(m.memory.held(), m.memory.cap());

  // The other flow's out-of-order bytes have no room left: its hole is declared lost and
  // they are delivered after it, as at its own buffer's cap.
  m.Add(m.b, 0, "b");
  m.Add(m.b, 3, std::string(2000, 'y'));
  EXPECT_EQ(m.b.anomalies.Count("tcp.stream_memory_full"), 1u);
  EXPECT_EQ(m.b.anomalies.Count("tcp.reassembly_buffer_full"), 0u);
  EXPECT_EQ(m.b.Stream(), "b??" + std::string(2000, 'y'));
  EXPECT_EQ(m.b.r.buffered_bytes(), 0u);
  EXPECT_LE(m.memory.peak(), m.memory.cap());

  // The first flow's hole fills: what it held goes out, and once the memory is tight the
  // room it kept goes back too.
  m.Add(m.a, 1, "?");
  EXPECT_EQ(m.a.Stream(), "a?" + std::string(3000, 'x'));
  EXPECT_EQ(m.memory.held(), 0u);

  // With the room back, the other flow buffers again.
  m.Add(m.b, 2006, "z");
  EXPECT_EQ(m.b.r.buffered_bytes(), 1u);
  EXPECT_GT(m.memory.held(), 0u);
  m.b.r.Finish(m.SinkOf(m.b));
  EXPECT_EQ(m.memory.held(), 0u);
}

TEST(TcpReassembly, ResetGivesTheStreamMemoryBackWhatWasHeld) {
  SharedMemoryHarness m(1 << 20);
  m.Add(m.a, 0, "a");
  m.Add(m.a, 5, "fgh");
  m.Add(m.a, 10, "k");
  EXPECT_EQ(m.a.r.buffered_bytes(), 4u);
  EXPECT_GT(m.memory.held(), 0u);
  m.a.r.Reset(&m.memory);
  EXPECT_EQ(m.memory.held(), 0u);
  EXPECT_GT(m.memory.peak(), 0u);
}

TEST(TcpReassembly, SequenceNumbersWrapAround) {
  Harness h;
  h.Add(kSyn, 0xfffffffa, "");
  h.Add(kAck, 0xfffffffb, "abc");
  h.Add(kAck, 0x00000001, "ghi");  // after the wrap, out of order
  h.Add(kAck, 0xfffffffe, "def");  // crosses the wrap
  h.Add(kAck, 0x00000004, "jkl");
  EXPECT_EQ(h.Stream(), "abcdefghijkl");
  EXPECT_EQ(h.r.next_offset(), 12u);
}

TEST(TcpReassembly, MidstreamStartsAtFirstSeenSequenceNumber) {
  Harness h;
  h.Add(kAck, 777, "xyz");
  h.Add(kAck, 770, "old");  // before the pickup point: treated as delivered
  EXPECT_EQ(h.Stream(), "xyz");
}

TEST(TcpReassembly, MidstreamKeepAliveBeforeTheFirstDataOpensNoHole) {
  // A keep-alive carries the sequence number one below the next byte and no data; the
  // stream must start at the data that follows, not wait for the byte before it.
  Harness h;
  h.Add(kAck, 999, "");
  h.Add(kAck, 1000, "abc");
  h.Add(kAck, 1003, "def");
  EXPECT_EQ(h.Stream(), "abcdef");
  EXPECT_EQ(h.r.buffered_bytes(), 0u);
  EXPECT_EQ(h.anomalies.Count("tcp.gap"), 0u);
}

TEST(TcpReassembly, MidstreamOneByteKeepAliveIsNoPartOfTheStream) {
  // Windows' keep-alive repeats the last acknowledged byte, flagged ACK alone; picked up
  // mid-stream before any data, it must not become the stream's first byte.
  Harness h;
  h.Add(kAck, 999, std::vector<uint8_t>{0x00});
  h.Add(kAck, 999, std::vector<uint8_t>{0x00});
  h.Add(kAck | decode::kPsh, 1000, "abc");
  h.Add(kAck, 1003, "def");
  EXPECT_EQ(h.Stream(), "abcdef");
  EXPECT_EQ(h.anomalies.Count("tcp.gap"), 0u);
  // One byte pushed, or other than zero, is data: the first of the stream.
  Harness pushed;
  pushed.Add(kAck | decode::kPsh, 999, std::vector<uint8_t>{0x00});
  pushed.Add(kAck, 1000, "yz");
  EXPECT_EQ(pushed.Stream(), std::string(1, '\0') + "yz");
  Harness other;
  other.Add(kAck, 999, "x");
  other.Add(kAck, 1000, "yz");
  EXPECT_EQ(other.Stream(), "xyz");
}

TEST(TcpReassembly, StopsWhenTheConsumerLeaves) {
  Harness h;
  h.Add(kAck, 0, "ab");
  h.Add(kAck, 4, "ef");
  h.log.wants = false;
  h.Add(kAck, 2, "cd");
  EXPECT_EQ(h.Stream(), "ab");
  EXPECT_EQ(h.r.buffered_bytes(), 0u);
}

TEST(TcpReassembly, HundredThousandTinySegmentsStayBounded) {
  // Blocks of 100 one-byte segments arrive last-first; the buffer must stay within its
  // caps and every byte must come out once, as data or as gap.
  Harness h;
  h.limits.max_buffer_bytes = 64;
  h.limits.max_segments = 32;
  constexpr uint32_t kCount = 100'000;
  std::string expect;
  h.Add(kSyn, 0, "");
  for (uint32_t block = 0; block < kCount; block += 100) {
    for (uint32_t i = block + 100; i-- > block;) {
      const auto c = static_cast<char>('a' + i % 26);
      h.Add(kAck, 1 + i, std::string(1, c));
      ASSERT_LE(h.r.buffered_bytes(), 64u);
      ASSERT_LE(h.r.buffered_segments(), 32u);
    }
  }
  h.Finish();
  for (uint32_t i = 0; i < kCount; ++i) expect.push_back(static_cast<char>('a' + i % 26));
  const std::string& got = h.Stream();
  ASSERT_EQ(got.size(), expect.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != '?') {
      ASSERT_EQ(got[i], expect[i]) << "offset " << i;
    }
  }
  EXPECT_GT(h.anomalies.Count("tcp.too_many_segments"), 0u);
}

TEST(TcpReassembly, RandomOrderWithDuplicatesRebuildsTheStream) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::string text;
    const size_t len = 1 + rng() % 3000;
    for (size_t i = 0; i < len; ++i) text.push_back(static_cast<char>('A' + rng() % 26));
    // Cut into segments, duplicate some with shifted edges, shuffle.
    struct Seg {
      size_t at, n;
    };
    std::vector<Seg> segs;
    for (size_t at = 0; at < len;) {
      const size_t n = std::min(len - at, size_t{1} + rng() % 200);
      segs.push_back({at, n});
      if (rng() % 4 == 0) {
        const size_t from = at - std::min(at, size_t{rng() % 50});
        segs.push_back({from, std::min(len - from, n + rng() % 80)});
      }
      at += n;
    }
    std::shuffle(segs.begin(), segs.end(), rng);
    const uint32_t isn = static_cast<uint32_t>(rng());
    Harness h;
    h.limits.max_buffer_bytes = round % 2 == 0 ? (1u << 20) : 256;
    h.limits.max_segments = round % 2 == 0 ? 1024 : 4;
    h.Add(kSyn, isn, "");
    for (const Seg& s : segs) {
      h.Add(kAck, isn + 1 + static_cast<uint32_t>(s.at), text.substr(s.at, s.n));
    }
    h.Finish();
    const std::string& got = h.Stream();
    if (round % 2 == 0) {
      ASSERT_EQ(got, text) << "round " << round;
      ASSERT_EQ(h.log.gaps[kFwd], 0u);
    } else {
      ASSERT_LE(got.size(), text.size()) << "round " << round;
      for (size_t i = 0; i < got.size(); ++i) {
        if (got[i] != '?') {
          ASSERT_EQ(got[i], text[i]) << "round " << round << " offset " << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace qw::flow
