#include <gtest/gtest.h>

#include <compare>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/anomalies.h"
#include "core/decimal.h"
#include "core/digest.h"
#include "core/fixed_text.h"
#include "core/hex.h"
#include "core/timestamp.h"

namespace qw::core {
namespace {

TEST(MacAddr, ParsesAndPrints) {
  auto m = MacAddr::Parse("00:1B:1b:00:00:01");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->ToString(), "00:1b:1b:00:00:01");
  EXPECT_FALSE(MacAddr::Parse("00:1b:1b:00:00"));
  EXPECT_FALSE(MacAddr::Parse("00:1b:1b:00:00:0g"));
  EXPECT_TRUE(MacAddr::Parse("ff-ff-ff-ff-ff-ff")->IsBroadcast());
  EXPECT_TRUE(MacAddr::Parse("01:00:5e:00:00:01")->IsMulticast());
  EXPECT_TRUE(MacAddr::Parse("02:00:00:00:00:01")->IsLocal());
  EXPECT_EQ(MacAddr::Parse("ff:a0:0f:09:90:fe")->ToString(), "ff:a0:0f:09:90:fe");
  EXPECT_TRUE(MacAddr{}.IsZero());
  EXPECT_FALSE(MacAddr::Parse("00:00:00:00:00:01")->IsZero());
  EXPECT_FALSE(MacAddr::Parse("ff:ff:ff:ff:ff:fe")->IsBroadcast());
  EXPECT_NE(*MacAddr::Parse("00:00:00:00:00:01"), *MacAddr::Parse("00:00:00:00:01:01"));
  // The integer form reads the bytes first to last, highest first (OUI lookups shift it).
  EXPECT_EQ(MacAddr::Parse("01:02:03:04:05:06")->AsU64(), 0x010203040506ULL);
  EXPECT_EQ(MacAddr::Parse("ff:a0:0f:09:90:fe")->AsU64(), 0xffa00f0990feULL);
  EXPECT_EQ(MacAddr::Parse("00:1b:1b:00:00:01")->AsU64() >> 24, 0x001b1bULL);
}

TEST(IpAddr, ParsesPrintsAndClassifies) {
  EXPECT_EQ(IpAddr::Parse("10.50.1.10")->ToString(), "10.50.1.10");
  EXPECT_EQ(IpAddr::Parse("fe80::1")->ToString(), "fe80::1");
  EXPECT_FALSE(IpAddr::Parse("10.50.1"));
  EXPECT_TRUE(IpAddr::Parse("172.16.0.1")->IsPrivate());
  EXPECT_TRUE(IpAddr::Parse("172.31.255.255")->IsPrivate());
  EXPECT_FALSE(IpAddr::Parse("172.32.0.1")->IsPrivate());
  EXPECT_TRUE(IpAddr::Parse("192.168.3.4")->IsPrivate());
  EXPECT_TRUE(IpAddr::Parse("100.64.0.1")->IsPrivate());
  EXPECT_FALSE(IpAddr::Parse("198.51.100.7")->IsPrivate());
  EXPECT_TRUE(IpAddr::Parse("fd00::1")->IsPrivate());
  EXPECT_FALSE(IpAddr::Parse("2001:db8::1")->IsPrivate());
  EXPECT_TRUE(IpAddr::Parse("224.0.0.251")->IsMulticastOrBroadcast());
  EXPECT_TRUE(IpAddr::Parse("255.255.255.255")->IsMulticastOrBroadcast());
  EXPECT_TRUE(IpAddr::Parse("ff02::1")->IsMulticastOrBroadcast());
  EXPECT_TRUE(IpAddr::Parse("0.0.0.0")->IsUnspecified());
  EXPECT_EQ(IpAddr::V4(0x0a320101).ToString(), "10.50.1.1");
  for (const char* text : {"0.0.0.0", "255.255.255.255", "100.9.10.99", "1.20.200.0"}) {
    EXPECT_EQ(IpAddr::Parse(text)->ToString(), text);
  }
  EXPECT_EQ(IpAddr::Parse("10.50.1.1")->V4Value(), 0x0a320101u);
}

TEST(IpAddr, OrdersV4BeforeV6AndHashesEqualValuesEqually) {
  auto a = *IpAddr::Parse("10.0.0.2");
  auto b = *IpAddr::Parse("10.0.0.10");
  EXPECT_LT(a, b);
  EXPECT_EQ(HashIp(a), HashIp(*IpAddr::Parse("10.0.0.2")));
  EXPECT_NE(HashIp(a), HashIp(b));
}

// Addresses order as their bytes do, then (IP) by family: the integer compares agree with
// a byte-wise lexicographic compare on every pair, high bits and ties included.
TEST(Address, OrderIsTheOrderOfTheBytes) {
  std::vector<IpAddr> ips;
  std::vector<MacAddr> macs;
  const uint8_t values[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
  for (size_t at : {size_t{0}, size_t{3}, size_t{7}, size_t{8}, size_t{15}}) {
    for (uint8_t v : values) {
      for (uint8_t family : {uint8_t{4}, uint8_t{6}}) {
        IpAddr ip;
        ip.b[at] = v;
        ip.family = family;
        ips.push_back(ip);
      }
    }
  }
  for (size_t at = 0; at < 6; ++at) {
    for (uint8_t v : values) {
      MacAddr m;
      m.b[at] = v;
      macs.push_back(m);
    }
  }
  for (const auto& x : ips) {
    for (const auto& y : ips) {
      const int bytes = std::memcmp(x.b.data(), y.b.data(), 16);
      const auto expected = bytes != 0 ? bytes <=> 0 : x.family <=> y.family;
      EXPECT_EQ(x <=> y, expected);
      EXPECT_EQ(x == y, expected == 0);
    }
  }
  for (const auto& x : macs) {
    for (const auto& y : macs) {
      EXPECT_EQ(x <=> y, std::memcmp(x.b.data(), y.b.data(), 6) <=> 0);
    }
  }
}

// List items are separated by ", "; the first has none, and a full text is cut as Append cuts.
TEST(FixedText, ListItems) {
  FixedText<12> t;
  t.AppendListItem("a").AppendListItem("bc").AppendListItem("def");
  EXPECT_EQ(t.view(), "a, bc, def");
  t.AppendListItem("gh");
  EXPECT_EQ(t.view(), "a, bc, def, ");
  EXPECT_TRUE(t.truncated());
}

// Numbers of every length, and either side of each power of ten, come out as std::to_string
// writes them, through PutDecimal and FixedText::AppendUint alike.
TEST(Decimal, EveryLengthAndEachPowerOfTenAsToString) {
  std::vector<uint64_t> values = {0, 1, 9, std::numeric_limits<uint64_t>::max()};
  for (uint64_t p = 10; p != 0 && p <= std::numeric_limits<uint64_t>::max() / 10; p *= 10) {
    values.insert(values.end(), {p - 1, p, p + 1, p * 7 + 3});
  }
  values.push_back(10'000'000'000'000'000'000u - 1);
  values.push_back(10'000'000'000'000'000'000u);
  for (uint64_t v : values) {
    char buf[kMaxDecimalDigits];
    const std::string_view put(buf, static_cast<size_t>(PutDecimal(buf, v) - buf));
    EXPECT_EQ(put, std::to_string(v));
    FixedText<24> t;
    t.Append('x').AppendUint(v);
    EXPECT_EQ(t.view(), "x" + std::to_string(v));
  }
}

// Copies carry the text and the cut, whatever lies past the text in either buffer.
TEST(FixedText, CopiesCarryTextAndTruncation) {
  FixedText<8> a;
  a.Append("abc").AppendUint(42);
  FixedText<8> b(a);
  EXPECT_EQ(b.view(), "abc42");
  FixedText<8> c("zzzzzzzz");
  c = a;
  EXPECT_EQ(c.view(), "abc42");
  EXPECT_FALSE(c.truncated());
  FixedText<8> full;
  full.Append("0123456789");
  EXPECT_EQ(full.view(), "01234567");
  c = full;
  EXPECT_TRUE(c.truncated());
  EXPECT_EQ(c.view(), "01234567");
  c = FixedText<8>();
  EXPECT_TRUE(c.empty());
  EXPECT_FALSE(c.truncated());
  FixedText<12> hex;
  hex.AppendHex(0x2a, 4).Append(' ').AppendInt(-7);
  EXPECT_EQ(hex.view(), "0x002a -7");
}

TEST(Hex, ParsesAnnotatedFixtures) {
  auto b = ParseHex("00 1b  # first two bytes\n ff|0a # comment with digits 12\n");
  ASSERT_TRUE(b);
  EXPECT_EQ(ToHex(*b), "001bff0a");
  EXPECT_FALSE(ParseHex("abc"));
  EXPECT_FALSE(ParseHex("zz"));
}

TEST(Timestamp, FormatsUtcWithMicroseconds) {
  Timestamp t{1709287200123456789};
  EXPECT_EQ(FormatIso8601(t), "2024-03-01T10:00:00.123456Z");
  EXPECT_EQ(FormatIso8601(Timestamp{0}), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatIso8601(Timestamp{-1}), "1969-12-31T23:59:59.999999Z");
}

TEST(Anomalies, CountsAndMergesByName) {
  Anomalies a, b;
  a.Raise("ipv4.bad_header_length");
  a.Raise("ipv4.bad_header_length", 2);
  b.Raise("tcp.gap");
  a.Merge(b);
  EXPECT_EQ(a.Count("ipv4.bad_header_length"), 3u);
  EXPECT_EQ(a.Count("tcp.gap"), 1u);
  EXPECT_EQ(a.Count("nothing"), 0u);
  EXPECT_EQ(a.counts().begin()->first, "ipv4.bad_header_length");
}

}  // namespace
}  // namespace qw::core

namespace qw::core {
namespace {

TEST(Timestamp, FormatsCalendarEdgesLikeGmtime) {
  // Leap day, end of a leap year, the day after, and far dates, against known values.
  EXPECT_EQ(FormatIso8601(Timestamp{951782400LL * 1'000'000'000}), "2000-02-29T00:00:00.000000Z");
  EXPECT_EQ(FormatIso8601(Timestamp{1483228799LL * 1'000'000'000 + 999'999'999}),
            "2016-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatIso8601(Timestamp{1483228800LL * 1'000'000'000}), "2017-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatIso8601(Timestamp{4102444800LL * 1'000'000'000}), "2100-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatIso8601(Timestamp{-86400LL * 1'000'000'000}), "1969-12-31T00:00:00.000000Z");
}

// A time no Timestamp holds is refused, not wrapped (fuzz_integrity_formats found a year
// whose nanoseconds overflowed); the first and last nanosecond that fit read back exactly.
TEST(Timestamp, ParsesOnlyTimesATimestampHolds) {
  EXPECT_EQ(ParseIso8601("2262-04-11T23:47:16.854775807Z"),
            Timestamp{std::numeric_limits<int64_t>::max()});
  EXPECT_EQ(ParseIso8601("2262-04-11T23:47:16.854775808Z"), std::nullopt);
  EXPECT_EQ(ParseIso8601("1677-09-21T00:12:43.145224192Z"),
            Timestamp{std::numeric_limits<int64_t>::min()});
  EXPECT_EQ(ParseIso8601("1677-09-21T00:12:43.145224191Z"), std::nullopt);
  EXPECT_EQ(ParseIso8601("2826-11-28T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIso8601("9999-12-31T23:59:59.999999999Z"), std::nullopt);
  EXPECT_EQ(ParseIso8601("0000-01-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIso8601("1969-12-31T23:59:59.5Z"), Timestamp{-500'000'000});
  // What FormatIso8601 writes of the extremes reads back to within its microsecond.
  for (int64_t ns : {std::numeric_limits<int64_t>::max() - 999, int64_t{-86'400} * 1'000'000'000}) {
    EXPECT_EQ(ParseIso8601(FormatIso8601(Timestamp{ns})), Timestamp{ns - ns % 1000}) << ns;
  }
}

// The formatter that reuses a second's text must say what FormatIso8601 says, across
// seconds, backwards in time and before 1970.
TEST(Timestamp, SeriesFormatterMatchesTheOneShot) {
  Iso8601Formatter f;
  const int64_t s = 1'000'000'000;
  for (int64_t ns :
       {1483228799LL * s + 999'999'999, 1483228799LL * s + 5'000, 1483228800LL * s,
        1483228800LL * s + 1'000, 1483228799LL * s, -1LL, -2LL * s + 7'000, -1LL, 0LL}) {
    EXPECT_EQ(f.Format(Timestamp{ns}), FormatIso8601(Timestamp{ns})) << ns;
  }
}

}  // namespace
}  // namespace qw::core

namespace qw::core {
namespace {

// Test vectors of RFC 1321 (MD5) and FIPS 180-2 appendix B (SHA-256).
TEST(Digest, OneShotDigestsMatchThePublishedVectors) {
  EXPECT_EQ(Md5(std::string_view()).view(), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5(std::string_view("abc")).view(), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5(std::string_view("12345678901234567890123456789012345678901234567890123456789012"
                                 "345678901234567890"))
                .view(),
            "57edf4a22be3c955ac49da2e2107b67a");
  const uint8_t abc[] = {'a', 'b', 'c'};
  EXPECT_EQ(Md5(std::span<const uint8_t>(abc)).view(), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Sha256("").view(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256("abc").view(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").view(),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Digest, StreamInPiecesEqualsOneShotAndStartsOver) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += static_cast<char>('a' + i % 26);
  Sha256Stream stream;
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t at = 0, step = 1; at < text.size(); at += step, step = step * 2 + 1) {
    stream.Update(std::span(p + at, std::min(step, text.size() - at)));
  }
  EXPECT_EQ(stream.Finish().view(), Sha256(text).view());
  stream.Update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("abc"), 3));
  EXPECT_EQ(stream.Finish().view(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace qw::core
