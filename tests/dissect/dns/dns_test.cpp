// Tests of the DNS-family parser and dissector: real messages of the shared captures (UDP
// or TCP payloads, annotated field by field as tshark 4.0 dissects them; capture and frame
// named), made-up ones for hostile names, every truncated prefix, pairing, TCP framing,
// NetBIOS names and the probes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissect/dns/dns_dissector.h"
#include "dissect/dns/dns_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// dns/dns_udp.pcap frame 1: a query for www.tcpdump.org A, with an EDNS OPT record.
constexpr std::string_view kQuery = R"(
  59 34         # id 0x5934
  01 20         # flags: query, opcode 0, RD, AD
  00 01 00 00 00 00 00 01   # 1 question, 0 answers, 0 authority, 1 additional
  03 77 77 77 07 74 63 70 64 75 6d 70 03 6f 72 67 00   # www.tcpdump.org
  00 01 00 01   # type A, class IN
  00            # <Root>
  00 29 10 00   # type OPT, UDP payload size 4096
  00 00 00 00   # extended rcode 0, version 0, Z 0
  00 0c         # data length 12
  00 0a 00 08 42 f5 d0 09 96 f9 0b 13   # option COOKIE, client cookie
)";

// dns/dns_udp.pcap frame 2: the answer: two A records, two NS records and five additional
// records, names compressed by pointers (c0 0c is www.tcpdump.org, c0 10 tcpdump.org).
constexpr std::string_view kResponse = R"(
  59 34 85 00   # id 0x5934; response, AA, RD, rcode 0
  00 01 00 02 00 02 00 05   # 1 question, 2 answers, 2 authority, 5 additional
  03 77 77 77 07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01 00 01   # www.tcpdump.org A IN
  c0 0c 00 01 00 01 00 00 00 3c 00 04 c0 8b 2e 42   # A 192.139.46.66, ttl 60
  c0 0c 00 01 00 01 00 00 00 3c 00 04 c6 c7 58 68   # A 198.199.88.104
  c0 10 00 02 00 01 00 01 51 80 00 12               # tcpdump.org NS, ttl 86400, 18 octets
    03 73 6e 73 08 63 6f 6f 70 65 72 69 78 03 6e 65 74 00   # sns.cooperix.net
  c0 10 00 02 00 01 00 01 51 80 00 12               # tcpdump.org NS
    03 6e 69 63 09 73 61 6e 64 65 6c 6d 61 6e 02 63 61 00   # nic.sandelman.ca
  c0 6b 00 01 00 01 00 00 01 2c 00 04 d1 57 f9 12   # nic.sandelman.ca A 209.87.249.18
  c0 6b 00 1c 00 01 00 00 01 2c 00 10               # nic.sandelman.ca AAAA
    26 07 f0 b0 00 0f 00 00 00 00 00 00 ba be f0 0d #   2607:f0b0:f::babe:f00d
  c0 4d 00 01 00 01 00 00 1c 20 00 04 61 6b 85 0f   # sns.cooperix.net A 97.107.133.15
  c0 4d 00 1c 00 01 00 00 1c 20 00 10               # sns.cooperix.net AAAA
    26 00 3c 03 00 00 00 00 f0 3c 91 ff fe 96 e8 ef #   2600:3c03::f03c:91ff:fe96:e8ef
  00 00 29 10 00 00 00 00 00 00 00                  # <Root> OPT, no options
)";

// dns/dns_tcp.pcap frame 4: the same question over TCP, led by its length.
constexpr std::string_view kTcpQuery = R"(
  00 38         # length 56
  43 19 01 20 00 01 00 00 00 00 00 01   # id 0x4319, query, RD AD, 1 question, 1 additional
  03 77 77 77 07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01 00 01   # www.tcpdump.org A IN
  00 00 29 10 00 00 00 00 00 00 0c 00 0a 00 08 8f 06 be 7d 69 14 42 f0   # OPT, cookie
)";

// profinet/profinet_io_cm_mixed_1.pcap frame 120: a NetBIOS name registration (opcode 5)
// of KW-VLIPC<00> for 192.168.1.1, broadcast.
constexpr std::string_view kNbnsRegistration = R"(
  92 f9 29 10   # id 0x92f9; query, opcode 5 registration, RD, broadcast
  00 01 00 00 00 00 00 01   # 1 question, 1 additional
  20 45 4c 46 48 43 4e 46 47 45 4d 45 4a 46 41 45 44 43 41 43 41 43 41 43 41 43 41 43 41
     43 41 41 41 00         # 32 letters: "KW-VLIPC" padded with spaces, suffix 0x00
  00 20 00 01   # type NB, class IN
  c0 0c 00 20 00 01 00 04 93 e0 00 06   # the same name, NB IN, ttl 300000, 6 octets
  60 00 c0 a8 01 01                     # flags 0x6000 (unique, H-node), 192.168.1.1
)";

// The registered DNS dissector of one transport (6 TCP, 17 UDP).
const StreamDissectorInfo& DnsInfo(uint8_t transport) {
  for (const auto& d : StreamDissectors()) {
    if (std::string_view(d.name) == "dns" && d.transport == transport) return d;
  }
  ADD_FAILURE() << "no dns dissector for transport " << int{transport};
  return Registered("dns");
}

std::vector<dns::Record> ReadAll(std::span<const uint8_t> message, core::Anomalies& an,
                                 bool* complete = nullptr) {
  dns::MessageReader m(message);
  std::vector<dns::Record> out;
  dns::Record r;
  while (m.Next(r, an)) out.push_back(r);
  if (complete) *complete = m.complete();
  return out;
}

TEST(DnsParser, ReadsAQueryWithItsOptRecord) {
  auto bytes = Hex(kQuery);
  dns::MessageReader m(bytes);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.header().id, 0x5934);
  EXPECT_FALSE(m.header().response());
  EXPECT_EQ(m.header().opcode(), 0);
  core::Anomalies an;
  bool complete = false;
  auto records = ReadAll(bytes, an, &complete);
  ASSERT_TRUE(complete);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].section, dns::Section::kQuestion);
  EXPECT_EQ(records[0].name.view(), "www.tcpdump.org");
  EXPECT_EQ(records[0].type, 1);
  EXPECT_EQ(records[0].rclass, 1);
  EXPECT_EQ(records[1].section, dns::Section::kAdditional);
  EXPECT_EQ(records[1].name.view(), ".");
  EXPECT_EQ(records[1].type, 41);
  EXPECT_EQ(records[1].rclass, 4096);  // OPT: the UDP payload size
  dns::DnsText data;
  dns::FormatData(bytes, records[1], data, an);
  EXPECT_EQ(data.view(), "\\# 12 000a000842f5d00996f90b13");  // RFC 3597, kept raw
  EXPECT_TRUE(an.empty());
}

TEST(DnsParser, FollowsCompressionPointersAndPresentsEveryRecord) {
  auto bytes = Hex(kResponse);
  core::Anomalies an;
  bool complete = false;
  auto records = ReadAll(bytes, an, &complete);
  ASSERT_TRUE(complete);
  ASSERT_EQ(records.size(), 10u);
  std::vector<std::string> seen;
  for (const auto& r : records) {
    dns::DnsText data;
    if (r.section != dns::Section::kQuestion) dns::FormatData(bytes, r, data, an);
    seen.push_back(std::string(r.name.view()) + " " + std::to_string(r.type) + " " +
                   std::to_string(r.ttl) + " " + std::string(data.view()));
  }
  const std::vector<std::string> expected = {
      "www.tcpdump.org 1 0 ",
      "www.tcpdump.org 1 60 192.139.46.66",
      "www.tcpdump.org 1 60 198.199.88.104",
      "tcpdump.org 2 86400 sns.cooperix.net",
      "tcpdump.org 2 86400 nic.sandelman.ca",
      "nic.sandelman.ca 1 300 209.87.249.18",
      "nic.sandelman.ca 28 300 2607:f0b0:f::babe:f00d",
      "sns.cooperix.net 1 7200 97.107.133.15",
      "sns.cooperix.net 28 7200 2600:3c03::f03c:91ff:fe96:e8ef",
      ". 41 0 \\# 0",
  };
  EXPECT_EQ(seen, expected);
  EXPECT_TRUE(an.empty());
}

TEST(DnsParser, PresentsMxSrvSoaAndTxt) {
  // A made-up answer: owner "a" at offset 12 (question), then MX, SRV, SOA and TXT data.
  auto bytes = Hex(R"(
    00 01 84 00 00 01 00 04 00 00 00 00
    01 61 00 00 ff 00 01                       # question: a ANY IN (offset 12)
    c0 0c 00 0f 00 01 00 00 00 01 00 06 00 0a 01 6d c0 0c             # MX 10 m.a
    c0 0c 00 21 00 01 00 00 00 01 00 08 00 01 00 02 01 f6 c0 0c       # SRV 1 2 502 a
    c0 0c 00 06 00 01 00 00 00 01 00 18 c0 0c c0 0c                   # SOA a a
      00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00 05     #   1 2 3 4 5
    c0 0c 00 10 00 01 00 00 00 01 00 07 02 68 69 03 22 5c 01          # TXT "hi" "\"\\\001"
  )");
  core::Anomalies an;
  auto records = ReadAll(bytes, an);
  ASSERT_EQ(records.size(), 5u);
  std::vector<std::string> data;
  for (size_t i = 1; i < records.size(); ++i) {
    dns::DnsText t;
    dns::FormatData(bytes, records[i], t, an);
    data.emplace_back(t.view());
  }
  EXPECT_EQ(data, (std::vector<std::string>{"10 m.a", "1 2 502 a", "a a 1 2 3 4 5",
                                            "\"hi\" \"\\\"\\\\\\001\""}));
  EXPECT_TRUE(an.empty());
}

TEST(DnsParser, EscapesLabelOctetsAsMasterFilesDo) {
  auto bytes = Hex("00 00 00 00 00 01 00 00 00 00 00 00  03 61 2e 00 01 5c 00  00 01 00 01");
  core::Anomalies an;
  auto records = ReadAll(bytes, an);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].name.view(), "a\\.\\000.\\\\");
}

// The edges of what a label shows as it is: '~' and '!' plain; space and DEL as \DDD, in a
// label that also holds plain octets, and after a plain label.
TEST(DnsParser, EscapesOnlyTheOctetsThatNeedIt) {
  auto bytes =
      Hex("00 00 00 00 00 01 00 00 00 00 00 00  03 21 7e 41  04 78 20 79 7f  00 00 01 00 01");
  core::Anomalies an;
  auto records = ReadAll(bytes, an);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].name.view(), "!~A.x\\032y\\127");
}

TEST(DnsParser, APointerLoopEndsWithAnAnomaly) {
  // The question's name is a pointer to itself.
  auto bytes = Hex("00 00 00 00 00 01 00 00 00 00 00 00  c0 0c 00 01 00 01");
  core::Anomalies an;
  bool complete = true;
  auto records = ReadAll(bytes, an, &complete);
  EXPECT_TRUE(records.empty());
  EXPECT_FALSE(complete);
  EXPECT_EQ(an.Count("dns.pointer_loop"), 1u);
}

TEST(DnsParser, TooManyLabelsEndWithAnAnomaly) {
  // 130 labels of one octet, each a pointer-free "a".
  std::string hex = "00 00 00 00 00 01 00 00 00 00 00 00 ";
  for (int i = 0; i < 130; ++i) hex += "01 61 ";
  hex += "00 00 01 00 01";
  auto bytes = Hex(hex);
  core::Anomalies an;
  auto records = ReadAll(bytes, an);
  EXPECT_TRUE(records.empty());
  EXPECT_EQ(an.Count("dns.too_many_labels"), 1u);
}

TEST(DnsParser, APointerPastTheMessageAndReservedLabelTypesAreRefused) {
  core::Anomalies an;
  EXPECT_TRUE(ReadAll(Hex("00 00 00 00 00 01 00 00 00 00 00 00  c0 ff 00 01 00 01"), an).empty());
  EXPECT_EQ(an.Count("dns.bad_pointer"), 1u);
  EXPECT_TRUE(
      ReadAll(Hex("00 00 00 00 00 01 00 00 00 00 00 00  41 61 00 00 01 00 01"), an).empty());
  EXPECT_EQ(an.Count("dns.bad_label_type"), 1u);
}

TEST(DnsParser, BadRecordDataIsKeptRaw) {
  // An A record of three octets.
  auto bytes =
      Hex("00 00 84 00 00 00 00 01 00 00 00 00  00 00 01 00 01 00 00 00 01 00 03 0a 00 00");
  core::Anomalies an;
  auto records = ReadAll(bytes, an);
  ASSERT_EQ(records.size(), 1u);
  dns::DnsText t;
  dns::FormatData(bytes, records[0], t, an);
  EXPECT_EQ(t.view(), "\\# 3 0a0000");
  EXPECT_EQ(an.Count("dns.bad_record_data"), 1u);
}

TEST(DnsParser, DecodesNetbiosNames) {
  auto bytes = Hex(kNbnsRegistration);
  core::Anomalies an;
  auto records = ReadAll(bytes, an);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(dns::IsNetbiosEncoded(records[0].name.view()));
  dns::DecodeNetbiosName(records[0].name);
  EXPECT_EQ(records[0].name.view(), "KW-VLIPC<00>");
  dns::DnsText data;
  dns::FormatNetbiosData(bytes, records[1], data, an);
  EXPECT_EQ(data.view(), "192.168.1.1");
  // A name that is not encoded stays as it was.
  dns::DnsText plain("www.example.org");
  dns::DecodeNetbiosName(plain);
  EXPECT_EQ(plain.view(), "www.example.org");
}

TEST(DnsParser, EveryTruncatedPrefixIsSafe) {
  for (auto fixture : {kQuery, kResponse, kNbnsRegistration}) {
    auto bytes = Hex(fixture);
    size_t complete_prefixes = 0;
    ForEachPrefix(bytes, [&](std::span<const uint8_t> prefix) {
      core::Anomalies an;
      dns::MessageReader m(prefix);
      dns::Record r;
      while (m.Next(r, an)) {
        dns::DnsText t;
        dns::FormatData(prefix, r, t, an);
        dns::FormatNetbiosData(prefix, r, t, an);
        EXPECT_LE(t.size(), t.capacity());
      }
      complete_prefixes += m.complete();
      EXPECT_FALSE(dns::LooksLikeMessage(prefix) && !m.complete() && !m.header().truncated());
    });
    // Only the message's own end completes it (a prefix may end at a record boundary only
    // when the header counts fewer records, which it does not).
    EXPECT_EQ(complete_prefixes, 0u);
  }
}

TEST(DnsDissector, PairsAnAnswerWithItsQueryAndCounts) {
  StreamHarness h(DnsInfo(17));
  auto query = Hex(kQuery);
  auto response = Hex(kResponse);
  h.Request(query, 1);
  h.Response(response, 2);
  ASSERT_STREQ(h.Protocol(), "dns");
  ASSERT_EQ(h.sink.dns.size(), 2u);
  const auto& q = h.sink.dns[0];
  EXPECT_STREQ(q.protocol, "dns");
  EXPECT_FALSE(q.response());
  EXPECT_EQ(q.qname.view(), "www.tcpdump.org");
  EXPECT_EQ(q.qtype, 1);
  EXPECT_EQ(q.src_port, 50000);
  EXPECT_EQ(q.dst_port, 53);
  const auto& a = h.sink.dns[1];
  EXPECT_TRUE(a.response());
  EXPECT_EQ(a.query_frame, 1u);
  EXPECT_EQ(a.frame, 2u);
  EXPECT_EQ(a.records.size(), 9u);
  EXPECT_EQ(a.records[0].data.view(), "192.139.46.66");
  EXPECT_EQ(a.records[2].section, 2);  // authority
  EXPECT_EQ(a.records[2].data.view(), "sns.cooperix.net");
  EXPECT_EQ(a.src_ip.ToString(), "10.0.0.2");
  // Counts: a request and a response, opcode 0 twice, the question type twice, rcode 0.
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kRequest);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  EXPECT_STREQ(h.sink.pdus[1].histogram, "opcodes");
  int qtypes = 0, rcodes = 0;
  for (const auto& d : h.sink.details) {
    qtypes += std::string_view(d.histogram) == "qtypes" && d.code == 1;
    rcodes += std::string_view(d.histogram) == "rcodes" && d.code == 0;
  }
  EXPECT_EQ(qtypes, 2);
  EXPECT_EQ(rcodes, 1);
}

TEST(DnsDissector, AnAnswerWithoutItsQueryHasNoQueryFrame) {
  StreamHarness h(DnsInfo(17));
  auto query = Hex(kQuery);
  auto response = Hex(kResponse);
  h.Request(query, 1);
  h.Request(query, 2);      // the same id again, the same way
  h.Response(response, 3);  // pairs with the latest
  h.Response(response, 4);  // nothing left to pair with
  ASSERT_EQ(h.sink.dns.size(), 4u);
  EXPECT_EQ(h.sink.dns[2].query_frame, 2u);
  EXPECT_EQ(h.sink.dns[3].query_frame, 0u);
}

TEST(DnsDissector, ReadsTcpMessagesSplitAndJoined) {
  auto one = Hex(kTcpQuery);
  {
    StreamHarness h(DnsInfo(6));
    // Byte by byte: the length, then the message, as 1-octet segments.
    h.SendInChunks(flow::Direction::kFromInitiator, one, 1, 7);
    ASSERT_EQ(h.sink.dns.size(), 1u);
    EXPECT_EQ(h.sink.dns[0].transport, 6);
    EXPECT_EQ(h.sink.dns[0].id, 0x4319);
  }
  {
    StreamHarness h(DnsInfo(6));
    std::vector<uint8_t> two = one;
    two.insert(two.end(), one.begin(), one.end());
    h.Request(two, 9);
    ASSERT_EQ(h.sink.dns.size(), 2u);
    EXPECT_EQ(h.sink.dns[0].seq, 0u);
    EXPECT_EQ(h.sink.dns[1].seq, 1u);  // two messages of one frame keep their order
  }
}

TEST(DnsDissector, AfterATcpGapSkipsToTheNextWholeMessage) {
  auto one = Hex(kTcpQuery);
  StreamHarness h(DnsInfo(6));
  h.Request(one, 1);
  h.Gap(flow::Direction::kFromInitiator, 20);
  // The segment after the hole starts with the tail of a message, then a whole one.
  std::vector<uint8_t> after(one.begin() + 40, one.end());
  const size_t tail = after.size();
  after.insert(after.end(), one.begin(), one.end());
  h.Request(after, 3);
  ASSERT_EQ(h.sink.dns.size(), 2u);
  EXPECT_EQ(h.sink.dns[1].frame, 3u);
  EXPECT_EQ(h.sink.dns[1].id, 0x4319);
  EXPECT_EQ(h.anomalies.Count("dns.gap"), 1u);
  EXPECT_EQ(h.anomalies.Count("dns.resync_skipped"), tail);
}

TEST(DnsDissector, NetbiosNameServiceIsRecognisedByItsNames) {
  StreamHarness h(DnsInfo(17));  // on port 53: the names decide, not the port
  auto bytes = Hex(kNbnsRegistration);
  h.Request(bytes, 120);
  ASSERT_EQ(h.sink.dns.size(), 1u);
  EXPECT_STREQ(h.sink.dns[0].protocol, "nbns");
  EXPECT_EQ(h.sink.dns[0].qname.view(), "KW-VLIPC<00>");
  EXPECT_EQ(h.sink.dns[0].opcode(), 5);
  ASSERT_EQ(h.sink.dns[0].records.size(), 1u);
  EXPECT_EQ(h.sink.dns[0].records[0].name.view(), "KW-VLIPC<00>");
  EXPECT_EQ(h.sink.dns[0].records[0].data.view(), "192.168.1.1");
  EXPECT_STREQ(h.sink.pdus[0].protocol, "nbns");
}

TEST(DnsDissector, EveryTruncatedDatagramIsSafe) {
  for (auto fixture : {kQuery, kResponse, kNbnsRegistration}) {
    auto bytes = Hex(fixture);
    StreamHarness h(DnsInfo(17));
    h.Request(bytes, 1);  // a whole message first, so the flow is DNS
    ForEachPrefix(bytes, [&](std::span<const uint8_t> prefix) { h.Response(prefix, 2); });
    for (const auto& m : h.sink.dns) EXPECT_LE(m.records.size(), dns::kMaxDnsRecords);
  }
}

TEST(DnsDissector, ProbesAcceptMessagesAndRefuseOtherBytes) {
  const auto udp = DnsInfo(17);
  auto query = Hex(kQuery);
  EXPECT_EQ(dns::ProbeUdp(flow::Direction::kFromInitiator, query), ProbeResult::kYes);
  EXPECT_EQ(dns::ProbeUdp(flow::Direction::kFromInitiator, Hex(kResponse)), ProbeResult::kYes);
  // A Modbus request, a BACnet datagram, and a truncated query are not DNS.
  EXPECT_EQ(
      dns::ProbeUdp(flow::Direction::kFromInitiator, Hex("00 01 00 00 00 06 01 03 00 00 00 0a")),
      ProbeResult::kNo);
  EXPECT_EQ(dns::ProbeUdp(flow::Direction::kFromInitiator,
                          Hex("81 0a 00 11 01 04 00 05 01 0c 0c 02 3f ff ff 19 4d")),
            ProbeResult::kNo);
  EXPECT_EQ(
      dns::ProbeUdp(flow::Direction::kFromInitiator, std::span<const uint8_t>(query).first(20)),
      ProbeResult::kNo);
  // A query with no question asks nothing.
  EXPECT_EQ(
      dns::ProbeUdp(flow::Direction::kFromInitiator, Hex("00 01 01 00 00 00 00 00 00 00 00 00")),
      ProbeResult::kNo);
  auto tcp = Hex(kTcpQuery);
  EXPECT_EQ(dns::ProbeTcp(flow::Direction::kFromInitiator, tcp), ProbeResult::kYes);
  EXPECT_EQ(dns::ProbeTcp(flow::Direction::kFromInitiator, std::span<const uint8_t>(tcp).first(1)),
            ProbeResult::kMaybe);
  EXPECT_EQ(dns::ProbeTcp(flow::Direction::kFromInitiator, std::span<const uint8_t>(tcp).first(30)),
            ProbeResult::kMaybe);
  EXPECT_EQ(dns::ProbeTcp(flow::Direction::kFromInitiator, Hex("00 05 01 02 03 04 05")),
            ProbeResult::kNo);
  EXPECT_EQ(udp.transport, 17);
}

}  // namespace
}  // namespace qw::dissect
