// Helpers of the capture tests: annotated fixtures, a small independent pcap and pcapng
// encoder for variants, gzip via zlib, and reading every frame of a buffer.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/capture_file.h"
#include "core/hex.h"

namespace qw::capture::testing {

// Classic pcap, little-endian, microseconds, Ethernet, two records.
inline constexpr std::string_view kPcapLeMicro = R"(
  d4 c3 b2 a1   # magic a1b2c3d4 as written little-endian: microsecond stamps
  02 00 04 00   # version 2.4
  00 00 00 00   # thiszone
  00 00 00 00   # sigfigs
  ff ff 00 00   # snaplen 65535
  01 00 00 00   # link type 1, Ethernet
  # record 1
  00 f1 53 65   # ts_sec 1700000000
  40 e2 01 00   # ts_usec 123456
  06 00 00 00   # captured length 6
  3c 00 00 00   # original length 60
  01 02 03 04 05 06
  # record 2
  01 f1 53 65   # ts_sec 1700000001
  00 00 00 00   # ts_usec 0
  02 00 00 00   # captured length 2
  02 00 00 00   # original length 2
  aa bb
)";

// Classic pcap, big-endian, nanoseconds, Linux cooked capture, one record.
inline constexpr std::string_view kPcapBeNano = R"(
  a1 b2 3c 4d   # magic a1b23c4d as written big-endian: nanosecond stamps
  00 02 00 04   # version 2.4
  00 00 00 00   # thiszone
  00 00 00 00   # sigfigs
  00 04 00 00   # snaplen 262144
  00 00 00 71   # link type 113, Linux cooked capture v1
  # record 1
  65 53 f1 00   # ts_sec 1700000000
  07 5b cd 15   # ts_nsec 123456789
  00 00 00 03   # captured length 3
  00 00 00 03   # original length 3
  de ad be
)";

// pcapng: a little-endian section with three interfaces of different link types and time
// stamp resolutions, packets on each, a simple and an obsolete packet block, a custom block
// (which Wireshark counts as a frame) and an unknown block; then a big-endian section with
// one interface. tshark 4.0 reads it as 7 frames, the custom block being frame 2.
inline constexpr std::string_view kPcapngTwoSections = R"(
  # block 1: section header, little-endian
  0a 0d 0d 0a   # type SHB
  1c 00 00 00   # total length 28
  4d 3c 2b 1a   # byte-order magic 1a2b3c4d
  01 00 00 00   # version 1.0
  ff ff ff ff ff ff ff ff   # section length unknown
  1c 00 00 00   # total length 28
  # block 2: interface 0, Ethernet, snaplen 65535, default resolution 10^-6
  01 00 00 00   # type IDB
  14 00 00 00   # total length 20
  01 00 00 00   # link type 1, reserved
  ff ff 00 00   # snaplen 65535
  14 00 00 00   # total length 20
  # block 3: interface 1, raw IP, no snaplen, nanoseconds, offset 10 s
  01 00 00 00   # type IDB
  2c 00 00 00   # total length 44
  65 00 00 00   # link type 101, reserved
  00 00 00 00   # snaplen 0 (none)
  09 00 01 00 09 00 00 00               # if_tsresol 9: 10^-9 s
  0e 00 08 00 0a 00 00 00 00 00 00 00   # if_tsoffset 10 s
  00 00 00 00   # opt_endofopt
  2c 00 00 00   # total length 44
  # block 4: interface 2, Linux cooked, 2^-20 s
  01 00 00 00   # type IDB
  1c 00 00 00   # total length 28
  71 00 00 00   # link type 113, reserved
  00 00 04 00   # snaplen 262144
  09 00 01 00 94 00 00 00   # if_tsresol 0x94: 2^-20 s
  1c 00 00 00   # total length 28
  # block 5: enhanced packet on interface 0 -> frame 1
  06 00 00 00   # type EPB
  28 00 00 00   # total length 40
  00 00 00 00   # interface 0
  24 0a 06 00   # ts high   } 1700000000123456 us
  40 22 20 18   # ts low    }
  05 00 00 00   # captured length 5
  3c 00 00 00   # original length 60
  11 22 33 44 55 00 00 00   # data and padding
  28 00 00 00   # total length 40
  # block 6: custom block (PEN 32473): frame 2 for Wireshark, not a packet
  ad 0b 00 00   # type 0xbad
  14 00 00 00   # total length 20
  59 7e 00 00   # private enterprise number 32473
  de ad be ef   # custom data
  14 00 00 00   # total length 20
  # block 7: enhanced packet on interface 1 -> frame 3
  06 00 00 00   # type EPB
  24 00 00 00   # total length 36
  01 00 00 00   # interface 1
  fe 9c 97 17   # ts high   } 1700000001000000007 ns
  07 ca c4 71   # ts low    }
  04 00 00 00   # captured length 4
  04 00 00 00   # original length 4
  45 00 00 14   # data
  24 00 00 00   # total length 36
  # block 8: unknown block type 0x12345678, skipped
  78 56 34 12   # type
  10 00 00 00   # total length 16
  01 02 03 04   # body
  10 00 00 00   # total length 16
  # block 9: enhanced packet on interface 2 -> frame 4
  06 00 00 00   # type EPB
  24 00 00 00   # total length 36
  02 00 00 00   # interface 2
  3f 55 06 00   # ts high   } (1700000002 << 20) + 2^19: 1700000002.5 s
  00 00 28 10   # ts low    }
  02 00 00 00   # captured length 2
  10 00 00 00   # original length 16
  00 04 00 00   # data and padding
  24 00 00 00   # total length 36
  # block 10: simple packet, interface 0 -> frame 5
  03 00 00 00   # type SPB
  18 00 00 00   # total length 24
  06 00 00 00   # original length 6
  a1 a2 a3 a4 a5 a6 00 00   # data and padding
  18 00 00 00   # total length 24
  # block 11: obsolete packet block on interface 1 -> frame 6
  02 00 00 00   # type PB
  24 00 00 00   # total length 36
  01 00         # interface 1
  00 00         # drops count
  fe 9c 97 17   # ts high   } 1700000001500000000 ns
  00 2f 92 8f   # ts low    }
  03 00 00 00   # captured length 3
  03 00 00 00   # original length 3
  c1 c2 c3 00   # data and padding
  24 00 00 00   # total length 36
  # block 12: interface statistics (type 5), skipped
  05 00 00 00   # type ISB
  18 00 00 00   # total length 24
  00 00 00 00   # interface 0
  24 0a 06 00 40 22 20 18   # time stamp
  18 00 00 00   # total length 24
  # block 13: section header, big-endian
  0a 0d 0d 0a   # type SHB
  00 00 00 1c   # total length 28
  1a 2b 3c 4d   # byte-order magic
  00 01 00 00   # version 1.0
  ff ff ff ff ff ff ff ff   # section length unknown
  00 00 00 1c   # total length 28
  # block 14: interface 0 of section 2 (interface 3 of the file), BSD null, 10^-6
  00 00 00 01   # type IDB
  00 00 00 14   # total length 20
  00 00 00 00   # link type 0, reserved
  00 00 ff ff   # snaplen 65535
  00 00 00 14   # total length 20
  # block 15: enhanced packet on interface 0 -> frame 7
  00 00 00 06   # type EPB
  00 00 00 24   # total length 36
  00 00 00 00   # interface 0
  00 06 0a 24   # ts high   } 1700000003250000 us
  18 4f d7 50   # ts low    }
  00 00 00 04   # captured length 4
  00 00 00 04   # original length 4
  02 00 00 00   # data: AF_INET in host order
  00 00 00 24   # total length 36
)";

/// Bytes of an annotated hex fixture (fails the test on bad hex).
inline std::vector<uint8_t> Hex(std::string_view text) {
  auto bytes = core::ParseHex(text);
  EXPECT_TRUE(bytes.has_value()) << "bad hex fixture";
  return bytes.value_or(std::vector<uint8_t>{});
}

/// What a frame held, copied out of the reader's buffer.
struct FrameCopy {
  int64_t ts_ns = 0;
  uint32_t link_type = 0;
  uint32_t orig_len = 0;
  uint32_t interface_id = 0;
  uint64_t number = 0;
  std::vector<uint8_t> data;
};

/// Every frame a reader delivers, and the error it stopped with, if any.
struct ReadAll {
  std::vector<FrameCopy> frames;
  std::optional<ReadError> error;
  uint64_t position = 0;
  uint64_t size = 0;
};

/// Reads every frame of an open reader.
inline ReadAll Drain(CaptureReader& reader) {
  ReadAll out;
  Frame f;
  while (reader.Next(f)) {
    out.frames.push_back(FrameCopy{f.ts.ns, f.link_type, f.orig_len, f.interface_id, f.number,
                                   std::vector<uint8_t>(f.data.begin(), f.data.end())});
  }
  out.error = reader.error();
  out.position = reader.position();
  out.size = reader.size();
  return out;
}

/// One record for the encoders below.
struct Record {
  uint32_t sec = 0;
  uint32_t frac = 0;  // microseconds or nanoseconds, as the file says
  std::vector<uint8_t> data;
  uint32_t orig_len = 0;  // 0: data.size()
};

/// Appends a 16- or 32-bit value in the given byte order.
inline void PutU16(std::vector<uint8_t>& out, uint16_t v, bool be) {
  if (be) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
  } else {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
  }
}
inline void PutU32(std::vector<uint8_t>& out, uint32_t v, bool be) {
  PutU16(out, static_cast<uint16_t>(be ? v >> 16 : v), be);
  PutU16(out, static_cast<uint16_t>(be ? v : v >> 16), be);
}

/// A classic pcap file, independent of PcapWriter so the two check each other.
inline std::vector<uint8_t> BuildPcap(bool be, bool nano, uint32_t link_word, uint32_t snap_len,
                                      const std::vector<Record>& records) {
  std::vector<uint8_t> out;
  PutU32(out, nano ? 0xa1b23c4d : 0xa1b2c3d4, be);
  PutU16(out, 2, be);
  PutU16(out, 4, be);
  PutU32(out, 0, be);
  PutU32(out, 0, be);
  PutU32(out, snap_len, be);
  PutU32(out, link_word, be);
  for (const Record& r : records) {
    PutU32(out, r.sec, be);
    PutU32(out, r.frac, be);
    PutU32(out, static_cast<uint32_t>(r.data.size()), be);
    PutU32(out, r.orig_len != 0 ? r.orig_len : static_cast<uint32_t>(r.data.size()), be);
    out.insert(out.end(), r.data.begin(), r.data.end());
  }
  return out;
}

/// A pcapng block: type, total length, body padded to 4, total length.
inline std::vector<uint8_t> Block(uint32_t type, std::vector<uint8_t> body, bool be = false) {
  while (body.size() % 4 != 0) body.push_back(0);
  std::vector<uint8_t> out;
  const auto total = static_cast<uint32_t>(body.size() + 12);
  PutU32(out, type, be);
  PutU32(out, total, be);
  out.insert(out.end(), body.begin(), body.end());
  PutU32(out, total, be);
  return out;
}

/// A little-endian pcapng section header block.
inline std::vector<uint8_t> SectionHeader(bool be = false) {
  std::vector<uint8_t> body;
  PutU32(body, 0x1a2b3c4d, be);
  PutU16(body, 1, be);
  PutU16(body, 0, be);
  for (int i = 0; i < 8; ++i) body.push_back(0xff);
  return Block(0x0a0d0d0a, body, be);
}

/// An interface description block with an optional if_tsresol.
inline std::vector<uint8_t> InterfaceBlock(uint16_t link_type, uint32_t snap_len,
                                           std::optional<uint8_t> tsresol = std::nullopt,
                                           bool be = false) {
  std::vector<uint8_t> body;
  PutU16(body, link_type, be);
  PutU16(body, 0, be);
  PutU32(body, snap_len, be);
  if (tsresol) {
    PutU16(body, 9, be);
    PutU16(body, 1, be);
    body.insert(body.end(), {*tsresol, 0, 0, 0});
  }
  return Block(1, body, be);
}

/// An enhanced packet block.
inline std::vector<uint8_t> EnhancedPacket(uint32_t interface, uint64_t units,
                                           const std::vector<uint8_t>& data, uint32_t orig_len = 0,
                                           bool be = false) {
  std::vector<uint8_t> body;
  PutU32(body, interface, be);
  PutU32(body, static_cast<uint32_t>(units >> 32), be);
  PutU32(body, static_cast<uint32_t>(units), be);
  PutU32(body, static_cast<uint32_t>(data.size()), be);
  PutU32(body, orig_len != 0 ? orig_len : static_cast<uint32_t>(data.size()), be);
  body.insert(body.end(), data.begin(), data.end());
  return Block(6, body, be);
}

/// Concatenation of byte vectors.
inline std::vector<uint8_t> Cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

/// A reader borrows its buffer, so a temporary one would dangle.
std::unique_ptr<CaptureReader> OpenOk(std::vector<uint8_t>&& bytes,
                                      const std::string& name = "fixture") = delete;
/// Opens a buffer, failing the test if it is refused.
inline std::unique_ptr<CaptureReader> OpenOk(const std::vector<uint8_t>& bytes,
                                             const std::string& name = "fixture") {
  auto reader = OpenCaptureBuffer(bytes, name);
  EXPECT_TRUE(reader.ok()) << (reader.ok() ? "" : reader.error().message);
  if (!reader.ok()) return nullptr;
  return std::move(*reader);
}

/// Feeds every prefix of `bytes` to the reader: no crash, only frames the whole file also
/// gives (in the same order), and a clean end only where everything given was consumed.
inline void CheckEveryPrefix(const std::vector<uint8_t>& bytes) {
  auto whole_reader = OpenOk(bytes);
  ASSERT_NE(whole_reader, nullptr);
  const ReadAll whole = Drain(*whole_reader);
  for (size_t n = 0; n <= bytes.size(); ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
    auto reader = OpenCaptureBuffer(prefix, "prefix");
    if (!reader.ok()) {
      EXPECT_NE(reader.error().message.find("prefix: "), std::string::npos);
      continue;
    }
    const bool compressed = (*reader)->compressed();
    const ReadAll part = Drain(**reader);
    if (!compressed) {
      EXPECT_EQ(part.size, n);
    }
    ASSERT_LE(part.frames.size(), whole.frames.size()) << "prefix " << n;
    for (size_t i = 0; i < part.frames.size(); ++i) {
      EXPECT_EQ(part.frames[i].number, whole.frames[i].number) << "prefix " << n;
      EXPECT_EQ(part.frames[i].ts_ns, whole.frames[i].ts_ns) << "prefix " << n;
      EXPECT_EQ(part.frames[i].data, whole.frames[i].data) << "prefix " << n;
    }
    if (!part.error) {
      EXPECT_EQ(part.position, part.size) << "clean end before the end of prefix " << n;
    } else {
      EXPECT_LE(part.error->offset, part.size) << "prefix " << n;
      EXPECT_FALSE(part.error->message.empty());
    }
  }
}

/// A fresh directory for files of one test, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/qw-capture-test-XXXXXX";
    if (::mkdtemp(templ.data()) != nullptr) path_ = templ;
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  /// Writes `bytes` to a file in the directory and returns its path.
  std::string Write(const std::string& name, const std::vector<uint8_t>& bytes) const {
    const std::string file = path_ + "/" + name;
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good()) << file;
    return file;
  }

 private:
  std::string path_;
};

}  // namespace qw::capture::testing
