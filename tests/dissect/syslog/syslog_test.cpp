// Tests of the syslog parser and dissector. No shared capture holds syslog, so the messages
// are written for the test in the formats of RFC 3164 4.1, RFC 5424 6 and RFC 6587 3.4
// (octet counting and LF framing over TCP), fed whole and in every truncated prefix.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dissect/syslog/syslog_dissector.h"
#include "dissect/syslog/syslog_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Registered;
using testing::StreamHarness;

std::vector<uint8_t> Bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

const StreamDissectorInfo& Tcp() {
  for (const auto& d : StreamDissectors()) {
    if (std::string_view(d.name) == "syslog" && d.transport == 6) return d;
  }
  ADD_FAILURE() << "no TCP syslog dissector";
  return Registered("syslog");
}

// RFC 3164: PRI 34 (facility 4 auth, severity 2 critical), a space-padded day, HOSTNAME,
// TAG with a process id.
constexpr std::string_view kBsd = "<34>Oct  1 22:14:15 crane-plc01 sshd[812]: login failed";
// RFC 5424: PRI 165 (facility 20 local4, severity 5 notice), VERSION 1, nil PROCID and SD.
constexpr std::string_view kIetf =
    "<165>1 2024-03-01T10:00:00.003Z rtg-gw.example.net evntslog - ID47 - lamp test";
// RFC 3164 without a timestamp: nothing after PRI can be taken for a HOSTNAME.
constexpr std::string_view kBare = "<13>hello there";
// RFC 3164 with the TAG right after the timestamp (no HOSTNAME).
constexpr std::string_view kNoHost = "<86>Mar  5 07:00:01 cron[9]: job done";

TEST(SyslogParser, BsdHeader) {
  auto h = syslog::ParseHeader(Bytes(kBsd));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->pri, 34);
  EXPECT_EQ(h->facility, 4);
  EXPECT_EQ(h->severity, 2);
  EXPECT_FALSE(h->rfc5424);
  EXPECT_EQ(h->timestamp.view(), "Oct  1 22:14:15");
  EXPECT_EQ(h->hostname.view(), "crane-plc01");
  EXPECT_EQ(h->app_name.view(), "sshd");
  auto n = syslog::ParseHeader(Bytes(kNoHost));
  ASSERT_TRUE(n.has_value());
  EXPECT_TRUE(n->hostname.empty());
  EXPECT_EQ(n->app_name.view(), "cron");
  auto b = syslog::ParseHeader(Bytes(kBare));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->severity, 5);
  EXPECT_TRUE(b->timestamp.empty());
  EXPECT_TRUE(b->hostname.empty());
  auto iso = syslog::ParseHeader(Bytes("<14>2024-03-01T10:00:00Z hmi-3 app: x"));
  ASSERT_TRUE(iso.has_value());
  EXPECT_EQ(iso->hostname.view(), "hmi-3");
}

TEST(SyslogParser, Rfc5424Header) {
  auto h = syslog::ParseHeader(Bytes(kIetf));
  ASSERT_TRUE(h.has_value());
  EXPECT_TRUE(h->rfc5424);
  EXPECT_EQ(h->version, 1);
  EXPECT_EQ(h->facility, 20);
  EXPECT_EQ(h->severity, 5);
  EXPECT_EQ(h->timestamp.view(), "2024-03-01T10:00:00.003Z");
  EXPECT_EQ(h->hostname.view(), "rtg-gw.example.net");
  EXPECT_EQ(h->app_name.view(), "evntslog");
  auto nil = syslog::ParseHeader(Bytes("<0>1 - - - - - -"));
  ASSERT_TRUE(nil.has_value());
  EXPECT_TRUE(nil->hostname.empty());
  EXPECT_TRUE(nil->timestamp.empty());
}

TEST(SyslogParser, PriAndOctetCounts) {
  uint8_t pri = 0;
  EXPECT_EQ(syslog::PriLength(Bytes("<191>x"), pri), 5u);
  EXPECT_EQ(pri, 191);
  EXPECT_EQ(syslog::PriLength(Bytes("<192>x"), pri), 0u);  // facility 24
  EXPECT_EQ(syslog::PriLength(Bytes("<>x"), pri), 0u);
  EXPECT_EQ(syslog::PriLength(Bytes("<1234>x"), pri), 0u);
  EXPECT_EQ(syslog::PriLength(Bytes("<12"), pri), 0u);
  EXPECT_EQ(syslog::PriLength(Bytes("<1a>"), pri), 0u);
  bool more = false;
  auto c = syslog::ReadOctetCount(Bytes("57 <34>"), more);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->length, 57u);
  EXPECT_EQ(c->prefix, 3u);
  EXPECT_FALSE(syslog::ReadOctetCount(Bytes("057 <34>"), more).has_value());  // leading zero
  EXPECT_FALSE(more);
  EXPECT_FALSE(syslog::ReadOctetCount(Bytes("123456 <"), more).has_value());  // six digits
  EXPECT_FALSE(syslog::ReadOctetCount(Bytes("12"), more).has_value());
  EXPECT_TRUE(more);
}

TEST(SyslogParser, EveryTruncatedPrefixIsSafe) {
  for (std::string_view m : {kBsd, kIetf, kBare, kNoHost}) {
    const auto bytes = Bytes(m);
    ForEachPrefix(bytes, [&](std::span<const uint8_t> p) {
      auto h = syslog::ParseHeader(p);
      uint8_t pri = 0;
      EXPECT_EQ(h.has_value(), syslog::PriLength(p, pri) != 0);
      if (h) {
        EXPECT_LE(h->hostname.size(), p.size());
      }
    });
  }
}

TEST(SyslogDissector, UdpMessagesCountFacilitiesSeveritiesAndName) {
  StreamHarness h(Registered("syslog"));
  h.Request(Bytes(kBsd), 1);
  h.Request(Bytes(kIetf), 2);  // another host name: the flow's sender was named already
  h.Request(Bytes("<999>junk"), 3);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_STREQ(h.sink.pdus[0].histogram, "facilities");
  EXPECT_EQ(h.sink.pdus[0].code, 4u);
  EXPECT_EQ(h.sink.pdus[1].code, 20u);
  ASSERT_EQ(h.sink.details.size(), 2u);
  EXPECT_STREQ(h.sink.details[0].histogram, "severities");
  EXPECT_EQ(h.sink.details[0].code, 2u);
  EXPECT_EQ(h.sink.details[1].code, 5u);
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_EQ(h.sink.Identity("syslog_hostname"), "crane-plc01");
  EXPECT_EQ(h.sink.identities[0].ip.ToString(), "10.0.0.1");
  EXPECT_EQ(h.anomalies.Count("syslog.bad_pri"), 1u);
}

TEST(SyslogDissector, TcpOctetCountingAcrossSegments) {
  std::string stream;
  for (std::string_view m : {kIetf, kBsd})
    stream += std::to_string(m.size()) + " " + std::string(m);
  const auto bytes = Bytes(stream);
  StreamHarness h(Tcp());
  h.SendInChunks(flow::Direction::kFromInitiator, bytes, 7, 1);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[0].code, 20u);
  EXPECT_EQ(h.sink.pdus[1].code, 4u);
  EXPECT_EQ(h.sink.Identity("syslog_hostname"), "rtg-gw.example.net");
}

TEST(SyslogDissector, TcpLineFramingAndGap) {
  const std::string stream = std::string(kBsd) + "\n" + std::string(kNoHost) + "\r\n";
  StreamHarness h(Tcp());
  h.SendInChunks(flow::Direction::kFromInitiator, Bytes(stream), 5, 1);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[1].code, 10u);  // PRI 86: facility 10 authpriv
  // A hole: the cut line is dropped, the next one read.
  h.Request(Bytes("<34>Oct  1 22:14:16 crane-plc01 sshd[812]: ag"), 2);
  h.Gap(flow::Direction::kFromInitiator, 30);
  h.Request(Bytes("ain\n<35>Oct  1 22:14:17 crane-plc01 sshd[812]: x\n"), 3);
  ASSERT_EQ(h.sink.pdus.size(), 3u);
  EXPECT_EQ(h.sink.pdus[2].code, 4u);
  EXPECT_EQ(h.sink.details[2].code, 3u);
}

TEST(SyslogDissector, EveryTruncatedStreamIsSafe) {
  const std::string stream = std::to_string(kBsd.size()) + " " + std::string(kBsd);
  const auto bytes = Bytes(stream);
  ForEachPrefix(bytes, [&](std::span<const uint8_t> p) {
    StreamHarness h(Tcp());
    h.Request(p, 1);
    h.End();
    EXPECT_TRUE(h.sink.pdus.empty());
  });
}

TEST(SyslogDissector, Probes) {
  const auto d = flow::Direction::kFromInitiator;
  EXPECT_EQ(syslog::ProbeUdp(d, Bytes(kBsd)), ProbeResult::kYes);
  EXPECT_EQ(syslog::ProbeUdp(d, Bytes("<34")), ProbeResult::kNo);
  EXPECT_EQ(syslog::ProbeUdp(d, Bytes("GET / HTTP/1.1")), ProbeResult::kNo);
  EXPECT_EQ(syslog::ProbeTcp(d, Bytes("57 <34>Oct")), ProbeResult::kYes);
  EXPECT_EQ(syslog::ProbeTcp(d, Bytes("57")), ProbeResult::kMaybe);
  EXPECT_EQ(syslog::ProbeTcp(d, Bytes("<3")), ProbeResult::kMaybe);
  EXPECT_EQ(syslog::ProbeTcp(d, Bytes("220 ftp.example.net FTP server ready\r\n")),
            ProbeResult::kNo);
  EXPECT_EQ(syslog::ProbeTcp(d, Bytes("<?xml version")), ProbeResult::kNo);
  EXPECT_EQ(syslog::ProbeTcp(d, Bytes("\x16\x03\x01\x02\x00")), ProbeResult::kNo);  // TLS
}

}  // namespace
}  // namespace qw::dissect
