// pcapng: sections, interfaces, time stamp resolutions, packet block kinds, corrupt blocks.
#include "capture/pcapng_reader.h"

#include <gtest/gtest.h>

#include <limits>

#include "capture/capture_file.h"
#include "capture_test_util.h"
#include "core/timestamp.h"

namespace qw::capture {
namespace {

using testing::Block;
using testing::Cat;
using testing::Drain;
using testing::EnhancedPacket;
using testing::Hex;
using testing::InterfaceBlock;
using testing::OpenOk;
using testing::PutU16;
using testing::PutU32;
using testing::ReadAll;
using testing::SectionHeader;

// Reads a buffer that must open, returning everything it yields.
ReadAll ReadBytes(const std::vector<uint8_t>& bytes) {
  auto reader = OpenOk(bytes);
  if (reader == nullptr) return {};
  return Drain(*reader);
}

TEST(PcapngReader, TwoSectionsThreeInterfacesEveryPacketKind) {
  const auto bytes = Hex(testing::kPcapngTwoSections);
  auto reader = OpenOk(bytes);
  ASSERT_NE(reader, nullptr);
  EXPECT_STREQ(reader->format(), "pcapng");
  const ReadAll all = Drain(*reader);
  EXPECT_FALSE(all.error) << all.error->ToString();
  ASSERT_EQ(all.frames.size(), 6u);

  // Values from the fixture's annotations (checked against tshark 4.0.17).
  const struct {
    uint64_t number;
    uint32_t interface_id;
    uint32_t link_type;
    int64_t ts_ns;
    uint32_t orig_len;
    std::vector<uint8_t> data;
  } want[] = {
      {1, 0, kLinkEthernet, 1700000000'123456000, 60, {0x11, 0x22, 0x33, 0x44, 0x55}},
      // Frame 2 is the custom block: numbered, not delivered.
      {3, 1, kLinkRaw, 1700000011'000000007, 4, {0x45, 0x00, 0x00, 0x14}},
      {4, 2, kLinkLinuxSll, 1700000002'500000000, 16, {0x00, 0x04}},
      // A simple packet block has no stamp: it keeps the one before.
      {5, 0, kLinkEthernet, 1700000002'500000000, 6, {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6}},
      {6, 1, kLinkRaw, 1700000011'500000000, 3, {0xc1, 0xc2, 0xc3}},
      {7, 3, kLinkNull, 1700000003'250000000, 4, {0x02, 0x00, 0x00, 0x00}},
  };
  for (size_t i = 0; i < all.frames.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "frame " << want[i].number);
    EXPECT_EQ(all.frames[i].number, want[i].number);
    EXPECT_EQ(all.frames[i].interface_id, want[i].interface_id);
    EXPECT_EQ(all.frames[i].link_type, want[i].link_type);
    EXPECT_EQ(all.frames[i].ts_ns, want[i].ts_ns);
    EXPECT_EQ(all.frames[i].orig_len, want[i].orig_len);
    EXPECT_EQ(all.frames[i].data, want[i].data);
  }
  auto* ng = dynamic_cast<PcapngReader*>(reader.get());
  ASSERT_NE(ng, nullptr);
  EXPECT_EQ(ng->interface_count(), 4u);
  EXPECT_EQ(reader->position(), bytes.size());
}

TEST(PcapngReader, TimeStampResolutions) {
  struct Case {
    std::optional<uint8_t> tsresol;
    uint64_t units;
    int64_t want_ns;
  };
  const Case cases[] = {
      {std::nullopt, 1'500'000, 1'500'000'000},     // default 10^-6
      {3, 2'500, 2'500'000'000},                    // milliseconds
      {9, 7, 7},                                    // nanoseconds
      {12, 123'456'789'000, 123'456'789},           // picoseconds: finer than we keep
      {0x80, 5, 5'000'000'000},                     // 2^-0: seconds
      {0x80 | 1, 3, 1'500'000'000},                 // 2^-1: half seconds
      {0x80 | 32, uint64_t{1} << 31, 500'000'000},  // 2^-32: half a second
      {0x80 | 127, ~uint64_t{0}, 0},                // 2^-127: every stamp is under 1 ns
      {40, ~uint64_t{0}, 0},                        // 10^-40: likewise
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "tsresol " << (c.tsresol ? int{*c.tsresol} : -1));
    const ReadAll all = ReadBytes(
        Cat({SectionHeader(), InterfaceBlock(1, 0, c.tsresol), EnhancedPacket(0, c.units, {1})}));
    EXPECT_FALSE(all.error);
    ASSERT_EQ(all.frames.size(), 1u);
    EXPECT_EQ(all.frames[0].ts_ns, c.want_ns);
  }
}

// An interface block (Ethernet, default microseconds) whose if_tsoffset is `seconds`.
std::vector<uint8_t> OffsetInterfaceBlock(int64_t seconds) {
  std::vector<uint8_t> body;
  PutU16(body, 1, false);
  PutU16(body, 0, false);
  PutU32(body, 0, false);
  PutU16(body, 14, false);
  PutU16(body, 8, false);
  for (int i = 0; i < 8; ++i)
    body.push_back(static_cast<uint8_t>(static_cast<uint64_t>(seconds) >> (8 * i)));
  return Block(1, body);
}

TEST(PcapngReader, NegativeTimeStampOffset) {
  // if_tsoffset of -100 s on an interface with default microseconds.
  const ReadAll all = ReadBytes(
      Cat({SectionHeader(), OffsetInterfaceBlock(-100), EnhancedPacket(0, 1'000'000'000, {1})}));
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].ts_ns, 900'000'000'000);
}

// Hostile stamps and offsets are held to [0, kMaxFrameNs], so that later sums and
// differences of frame times cannot overflow.
TEST(PcapngReader, StampsOutsideTheFrameTimesAreHeldToThem) {
  const struct {
    const char* what;
    std::vector<uint8_t> interface;
    uint64_t units;
    int64_t want_ns;
  } cases[] = {
      {"the largest microsecond stamp", InterfaceBlock(1, 0), ~uint64_t{0}, core::kMaxFrameNs},
      {"the largest nanosecond stamp", InterfaceBlock(1, 0, 9), ~uint64_t{0}, core::kMaxFrameNs},
      {"the last frame time", InterfaceBlock(1, 0, 9), uint64_t{1} << 62, core::kMaxFrameNs},
      {"a 2^-0 stamp past 2^64 ns", InterfaceBlock(1, 0, 0x80), ~uint64_t{0}, core::kMaxFrameNs},
      {"an offset before 1970", OffsetInterfaceBlock(-100), 1'000'000, 0},
      {"the most negative offset", OffsetInterfaceBlock(std::numeric_limits<int64_t>::min()), 0, 0},
      {"the most negative offset and the largest stamp",
       OffsetInterfaceBlock(std::numeric_limits<int64_t>::min()), ~uint64_t{0},
       core::kMaxFrameNs % 1'000'000'000},
      {"the largest offset", OffsetInterfaceBlock(std::numeric_limits<int64_t>::max()), 0,
       core::kMaxFrameNs / 1'000'000'000 * 1'000'000'000},
      {"the largest offset and stamp", OffsetInterfaceBlock(std::numeric_limits<int64_t>::max()),
       ~uint64_t{0}, core::kMaxFrameNs},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const ReadAll all =
        ReadBytes(Cat({SectionHeader(), c.interface, EnhancedPacket(0, c.units, {1})}));
    EXPECT_FALSE(all.error);
    ASSERT_EQ(all.frames.size(), 1u);
    EXPECT_EQ(all.frames[0].ts_ns, c.want_ns);
  }
}

TEST(PcapngReader, SimplePacketCapturedLengthIsSmallestOfOriginalSnapAndBlock) {
  auto spb = [](uint32_t orig_len, size_t data_len) {
    std::vector<uint8_t> body;
    PutU32(body, orig_len, false);
    for (size_t i = 0; i < data_len; ++i) body.push_back(static_cast<uint8_t>(i + 1));
    return Block(3, body);
  };
  // Original length beyond the block: what the block holds (its padding included).
  ReadAll all = ReadBytes(Cat({SectionHeader(), InterfaceBlock(1, 0), spb(100, 6)}));
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].data.size(), 8u);
  EXPECT_EQ(all.frames[0].orig_len, 100u);
  // Snap length of interface 0 smaller still.
  all = ReadBytes(Cat({SectionHeader(), InterfaceBlock(1, 4), spb(100, 8)}));
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].data, (std::vector<uint8_t>{1, 2, 3, 4}));
  // Original length smallest: the padding is not data.
  all = ReadBytes(Cat({SectionHeader(), InterfaceBlock(1, 0), spb(3, 3)}));
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].data, (std::vector<uint8_t>{1, 2, 3}));
}

TEST(PcapngReader, SimplePacketWithoutInterfaceIsAnError) {
  std::vector<uint8_t> body;
  PutU32(body, 1, false);
  body.push_back(9);
  const ReadAll all = ReadBytes(Cat({SectionHeader(), Block(3, body)}));
  EXPECT_TRUE(all.frames.empty());
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->record, 2u);
  EXPECT_EQ(all.error->offset, 28u);
  EXPECT_EQ(all.error->message,
            "simple packet block: interface 0 not described (the section has 0)");
}

TEST(PcapngReader, PacketOnUndescribedInterfaceIsAnError) {
  const auto bytes = Cat({SectionHeader(), InterfaceBlock(1, 0), EnhancedPacket(0, 1, {1}),
                          EnhancedPacket(1, 2, {2})});
  const ReadAll all = ReadBytes(bytes);
  ASSERT_EQ(all.frames.size(), 1u);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->record, 4u);
  EXPECT_EQ(all.error->offset, 28u + 20u + 36u);
  EXPECT_EQ(all.error->message,
            "enhanced packet block: interface 1 not described (the section has 1)");
}

TEST(PcapngReader, NewSectionForgetsInterfaces) {
  const auto bytes = Cat({SectionHeader(), InterfaceBlock(1, 0), InterfaceBlock(101, 0),
                          SectionHeader(true), InterfaceBlock(0, 0, std::nullopt, true),
                          EnhancedPacket(0, 1, {1}, 0, true), EnhancedPacket(1, 1, {1}, 0, true)});
  const ReadAll all = ReadBytes(bytes);
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].interface_id, 2u);
  EXPECT_EQ(all.frames[0].link_type, kLinkNull);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->record, 7u);
  EXPECT_EQ(all.error->message,
            "enhanced packet block: interface 1 not described (the section has 1)");
}

TEST(PcapngReader, BadBlockLengths) {
  const auto head = Cat({SectionHeader(), InterfaceBlock(1, 0)});
  const size_t at = head.size();
  struct Case {
    const char* name;
    std::vector<uint8_t> block;
    std::string want;
  };
  auto block_with = [](uint32_t lead, uint32_t trail, size_t body) {
    std::vector<uint8_t> b;
    PutU32(b, 0x77, false);
    PutU32(b, lead, false);
    b.resize(b.size() + body);
    PutU32(b, trail, false);
    return b;
  };
  const Case cases[] = {
      {"shorter than 12", block_with(8, 8, 0), "block: block length 8 is less than 12"},
      {"not a multiple of 4", block_with(18, 18, 6),
       "block: block length 18 is not a multiple of 4"},
      {"past the end", block_with(400, 400, 4),
       "block: block length 400 runs past the end of the file (16 bytes left)"},
      {"trailer differs", block_with(16, 20, 4),
       "block: trailing block length 20 differs from leading length 16"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ReadAll all = ReadBytes(Cat({head, c.block}));
    EXPECT_TRUE(all.frames.empty());
    ASSERT_TRUE(all.error);
    EXPECT_EQ(all.error->record, 3u);
    EXPECT_EQ(all.error->offset, at);
    EXPECT_EQ(all.error->message, c.want);
  }
  // An enhanced packet block must hold its 20 bytes of fixed fields.
  std::vector<uint8_t> short_epb = Block(6, std::vector<uint8_t>(16, 0));
  ReadAll all = ReadBytes(Cat({head, short_epb}));
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->message, "enhanced packet block: block length 28 is less than 32");
  // Three bytes after the last block: not even a block header.
  all = ReadBytes(Cat({head, {0, 0, 0}}));
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->record, 3u);
  EXPECT_EQ(all.error->message, "block header truncated (3 of 12 bytes)");
}

TEST(PcapngReader, CapturedLengthBeyondBlockIsAnError) {
  auto epb = EnhancedPacket(0, 1, {1, 2, 3, 4});
  epb[8 + 12] = 9;  // captured length 9, but the block holds 4 bytes of data
  const ReadAll all = ReadBytes(Cat({SectionHeader(), InterfaceBlock(1, 0), epb}));
  EXPECT_TRUE(all.frames.empty());
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->message,
            "enhanced packet block: captured length 9 exceeds the block (4 bytes of data)");
}

TEST(PcapngReader, BadFirstSectionIsRefused) {
  auto shb = SectionHeader();
  shb[8] = 0x00;  // byte-order magic 1a2b3c00
  auto reader = OpenCaptureBuffer(shb, "x.pcapng");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message,
            "x.pcapng: not a valid pcapng file: section header block: byte-order magic "
            "1a2b3c00 is not 1a2b3c4d in either order");
}

TEST(PcapngReader, BadLaterSectionStopsReading) {
  auto second = SectionHeader(true);
  second[12] = 0;
  second[13] = 2;  // version 2.0
  const ReadAll all =
      ReadBytes(Cat({SectionHeader(), InterfaceBlock(1, 0), EnhancedPacket(0, 1, {1}), second}));
  EXPECT_EQ(all.frames.size(), 1u);
  ASSERT_TRUE(all.error);
  EXPECT_EQ(all.error->record, 4u);
  EXPECT_EQ(all.error->message, "section header block: unsupported pcapng version 2.0");
}

TEST(PcapngReader, SectionHeaderOnlyHasNoFrames) {
  const ReadAll all = ReadBytes(SectionHeader(true));
  EXPECT_TRUE(all.frames.empty());
  EXPECT_FALSE(all.error);
}

TEST(PcapngReader, MalformedInterfaceOptionsKeepTheInterface) {
  std::vector<uint8_t> body;
  PutU16(body, 1, false);
  PutU16(body, 0, false);
  PutU32(body, 0, false);
  PutU16(body, 9, false);
  PutU16(body, 200, false);  // option length beyond the block
  const ReadAll all =
      ReadBytes(Cat({SectionHeader(), Block(1, body), EnhancedPacket(0, 2'000'000, {7})}));
  ASSERT_EQ(all.frames.size(), 1u);
  EXPECT_EQ(all.frames[0].ts_ns, 2'000'000'000) << "default resolution kept";
}

TEST(PcapngReader, EveryPrefixIsSafe) {
  testing::CheckEveryPrefix(Hex(testing::kPcapngTwoSections));
}

}  // namespace
}  // namespace qw::capture
