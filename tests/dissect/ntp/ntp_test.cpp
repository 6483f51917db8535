// Tests of the NTP parser and dissector. No shared capture holds NTP, so the fixtures are
// built for the test from RFC 5905 7.3 (time packets), RFC 9327 (control messages) and the
// mode 7 header of ntpd's ntpdc (the eight-octet monlist request is the one scanners send):
// each is annotated field by field, fed whole and in every truncated prefix.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "dissect/ntp/ntp_dissector.h"
#include "dissect/ntp/ntp_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// A client's request: NTPv4, mode 3.
const std::vector<uint8_t> kClient = Hex(R"(
  23                          # LI 0, VN 4, mode 3 (client)
  00                          # stratum 0 (unspecified)
  06                          # poll 2^6 s
  ec                          # precision 2^-20 s
  00 00 00 00                 # root delay
  00 00 00 00                 # root dispersion
  00 00 00 00                 # reference id
  00 00 00 00 00 00 00 00     # reference timestamp
  00 00 00 00 00 00 00 00     # origin timestamp
  00 00 00 00 00 00 00 00     # receive timestamp
  e8 9a 2b 1c 12 34 56 78     # transmit timestamp
)");

// A stratum 1 server's answer, its source a GPS receiver.
const std::vector<uint8_t> kServerGps = Hex(R"(
  24                          # LI 0, VN 4, mode 4 (server)
  01                          # stratum 1 (primary)
  06 e9                       # poll 6, precision -23
  00 00 00 10                 # root delay 16/65536 s
  00 00 00 1a                 # root dispersion
  47 50 53 00                 # reference id "GPS"
  e8 9a 2b 10 00 00 00 00     # reference timestamp
  e8 9a 2b 1c 12 34 56 78     # origin: the client's transmit time
  e8 9a 2b 1c 20 00 00 00     # receive timestamp
  e8 9a 2b 1c 20 01 00 00     # transmit timestamp
)");

// A stratum 3 server's answer, synchronised to 192.168.1.1, NTPv3 with an MD5 MAC.
const std::vector<uint8_t> kServerStratum3 = Hex(R"(
  1c 03 0a ea                 # VN 3, mode 4; stratum 3; poll 10; precision -22
  00 00 08 00 00 00 10 00     # root delay, root dispersion
  c0 a8 01 01                 # reference id 192.168.1.1
  e8 9a 2b 10 00 00 00 00 e8 9a 2b 1c 12 34 56 78
  e8 9a 2b 1c 20 00 00 00 e8 9a 2b 1c 20 01 00 00
  00 00 00 01                 # key id 1
  00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff  # MD5 digest
)");

// A kiss-o'-death: stratum 0, kiss code "RATE".
const std::vector<uint8_t> kKissRate = Hex(R"(
  e4 00 06 e9                 # LI 3 (unsynchronised), VN 4, mode 4; stratum 0
  00 00 00 00 00 00 00 00
  52 41 54 45                 # "RATE"
  00 00 00 00 00 00 00 00 e8 9a 2b 1c 12 34 56 78
  00 00 00 00 00 00 00 00 e8 9a 2b 1c 20 01 00 00
)");

// ntpq's read-variables request: VN 2, mode 6.
const std::vector<uint8_t> kControlRead = Hex(R"(
  16                          # VN 2, mode 6 (control)
  02                          # R 0, E 0, M 0, opcode 2 (read variables)
  00 01                       # sequence 1
  00 00 00 00 00 00           # status, association id, offset
  00 00                       # count 0
)");

// Its answer with eight octets of data.
const std::vector<uint8_t> kControlAnswer = Hex(R"(
  16 82                       # VN 2, mode 6; R 1, opcode 2
  00 01 06 15 00 00 00 00     # sequence 1, status 0x0615, association 0, offset 0
  00 08                       # count 8
  73 74 72 61 74 75 6d 3d     # "stratum="
)");

// ntpdc's monlist request as scanners send it: eight octets.
const std::vector<uint8_t> kMonlist = Hex(R"(
  17                          # R 0, M 0, VN 2, mode 7 (private)
  00                          # A 0, sequence 0
  03                          # implementation 3 (xntpd)
  2a                          # request code 42 (MON_GETLIST_1)
  00 00                       # err 0, items 0
  00 00                       # MBZ 0, item size 0
)");

// An answer to it with one item of 72 octets.
std::vector<uint8_t> MonlistAnswer() {
  auto m = Hex(R"(
    97                        # R 1, VN 2, mode 7
    00 03 2a
    00 01                     # err 0, one item
    00 48                     # item size 72
  )");
  m.insert(m.end(), 72, 0x5a);
  return m;
}

TEST(NtpParser, TimePackets) {
  auto c = ntp::ParseMessage(kClient);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->version, 4);
  EXPECT_EQ(c->mode, ntp::kClient);
  EXPECT_EQ(c->poll, 6);
  EXPECT_EQ(c->precision, -20);
  EXPECT_EQ(c->transmit, 0xe89a2b1c12345678u);
  auto s = ntp::ParseMessage(kServerGps);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->stratum, 1);
  EXPECT_EQ(s->root_delay, 16u);
  EXPECT_EQ(s->root_dispersion, 0x1au);
  EXPECT_EQ(ntp::ReferenceText(*s).view(), "GPS");
  auto s3 = ntp::ParseMessage(kServerStratum3);
  ASSERT_TRUE(s3.has_value());
  EXPECT_EQ(s3->version, 3);
  EXPECT_EQ(ntp::ReferenceText(*s3).view(), "192.168.1.1");
  auto k = ntp::ParseMessage(kKissRate);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->leap, 3);
  EXPECT_EQ(ntp::ReferenceText(*k).view(), "RATE");
  EXPECT_STREQ(ntp::ModeName(k->mode), "server");
}

TEST(NtpParser, ControlAndPrivate) {
  auto q = ntp::ParseMessage(kControlRead);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->mode, ntp::kControl);
  EXPECT_FALSE(q->response);
  EXPECT_EQ(q->opcode, 2);
  auto a = ntp::ParseMessage(kControlAnswer);
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->response);
  auto m = ntp::ParseMessage(kMonlist);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->mode, ntp::kPrivate);
  EXPECT_EQ(m->implementation, 3);
  EXPECT_EQ(m->opcode, ntp::kMonGetList1);
  auto r = ntp::ParseMessage(MonlistAnswer());
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->response);
  EXPECT_FALSE(r->error);
}

TEST(NtpParser, MalformedMessages) {
  auto changed = [](std::vector<uint8_t> m, size_t at, uint8_t v) {
    m.at(at) = v;
    return m;
  };
  EXPECT_FALSE(ntp::ParseMessage(changed(kClient, 0, 0x20)).has_value());   // mode 0
  EXPECT_FALSE(ntp::ParseMessage(changed(kClient, 0, 0x2b)).has_value());   // VN 5
  EXPECT_FALSE(ntp::ParseMessage(changed(kServerGps, 1, 17)).has_value());  // stratum 17
  EXPECT_FALSE(ntp::ParseMessage(changed(kServerGps, 2, 40)).has_value());  // poll 2^40
  auto longer = kClient;
  longer.insert(longer.end(), 7, 0);  // neither a MAC nor extension fields
  EXPECT_FALSE(ntp::ParseMessage(longer).has_value());
  EXPECT_FALSE(ntp::ParseMessage(changed(kControlAnswer, 11, 9)).has_value());  // count > data
  EXPECT_FALSE(ntp::ParseMessage(changed(kMonlist, 2, 5)).has_value());         // implementation 5
  EXPECT_FALSE(ntp::ParseMessage(changed(kMonlist, 6, 0x10)).has_value());      // MBZ set
  EXPECT_FALSE(ntp::ParseMessage({}).has_value());
}

TEST(NtpParser, EveryTruncatedPrefixIsRefused) {
  const auto answer = MonlistAnswer();
  for (const auto* fixture : {&kClient, &kServerGps, &kServerStratum3, &kKissRate, &kControlRead,
                              &kControlAnswer, &kMonlist, &answer}) {
    ASSERT_TRUE(ntp::ParseMessage(*fixture).has_value());
    ForEachPrefix(*fixture, [&](std::span<const uint8_t> p) {
      // A time packet with a MAC cut to its bare header, or to a key id alone (a
      // crypto-NAK), is still a time packet.
      if (fixture == &kServerStratum3 &&
          (p.size() == ntp::kHeaderBytes || p.size() == ntp::kHeaderBytes + 4)) {
        return;
      }
      EXPECT_FALSE(ntp::ParseMessage(p).has_value()) << p.size();
    });
  }
}

TEST(NtpDissector, ServerIdentityAndCounts) {
  StreamHarness h(Registered("ntp"));
  h.Request(kClient, 1);
  h.Response(kServerGps, 2);
  h.Request(kClient, 3);
  h.Response(kServerGps, 4);  // the same server again: identity given once
  h.Response(kKissRate, 5);
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_STREQ(h.sink.identities[0].protocol, "ntp");
  EXPECT_EQ(h.sink.identities[0].ip.ToString(), "10.0.0.2");
  EXPECT_EQ(h.sink.Identity("ntp_stratum"), "1");
  EXPECT_EQ(h.sink.Identity("ntp_reference"), "GPS");
  int requests = 0, responses = 0, exceptions = 0, servers = 0;
  for (const auto& p : h.sink.pdus) {
    EXPECT_STREQ(p.protocol, "ntp");
    EXPECT_STREQ(p.histogram, "modes");
    requests += p.kind == PduKind::kRequest;
    responses += p.kind == PduKind::kResponse;
    exceptions += p.exception;
    servers += p.code == ntp::kServer;
  }
  EXPECT_EQ(requests, 2);
  EXPECT_EQ(responses, 3);
  EXPECT_EQ(exceptions, 1);  // the kiss-o'-death
  EXPECT_EQ(servers, 3);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(NtpDissector, MonlistRaisesModeSevenAnomalies) {
  StreamHarness h(Registered("ntp"));
  h.Request(kMonlist, 1);
  h.Response(MonlistAnswer(), 2);
  h.Request(kControlRead, 3);
  EXPECT_EQ(h.anomalies.Count("ntp.mode7"), 2u);
  EXPECT_EQ(h.anomalies.Count("ntp.monlist"), 1u);
  ASSERT_EQ(h.sink.pdus.size(), 3u);
  EXPECT_EQ(h.sink.pdus[0].code, ntp::kPrivate);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  EXPECT_EQ(h.sink.pdus[2].code, ntp::kControl);
  EXPECT_TRUE(h.sink.identities.empty());
}

TEST(NtpDissector, MalformedAndTruncatedDatagramsAreSafe) {
  ForEachPrefix(kServerGps, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("ntp"));
    h.Request(kClient, 1);
    h.Response(p, 2);
    h.End();
    EXPECT_EQ(h.sink.pdus.size(), 1u);
    EXPECT_EQ(h.anomalies.Count("ntp.malformed"), p.empty() ? 0u : 1u);  // empty: no datagram
  });
}

TEST(NtpDissector, ProbeWantsAWellFormedMessage) {
  const auto d = flow::Direction::kFromInitiator;
  EXPECT_EQ(ntp::Probe(d, kClient), ProbeResult::kYes);
  EXPECT_EQ(ntp::Probe(d, kMonlist), ProbeResult::kYes);
  EXPECT_EQ(ntp::Probe(d, kControlRead), ProbeResult::kYes);
  // A server packet without a transmit time, such as 48 zero-ish octets, is not taken.
  auto untimed = kServerGps;
  for (size_t i = 40; i < 48; ++i) untimed.at(i) = 0;
  EXPECT_EQ(ntp::Probe(d, untimed), ProbeResult::kNo);
  EXPECT_EQ(ntp::Probe(d, Hex("12 34 01 00 00 01 00 00 00 00 00 00")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
