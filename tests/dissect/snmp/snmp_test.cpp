// Tests of the SNMP parser and dissector: real messages of shared/pcaps/snmp (v1 get and
// trap, v2c get-next, v3 discovery and USM, v3 encrypted), messages built for the test
// (an agent's system group, an error response, caps), malformed BER, every truncated prefix
// of each fixture, pairing and the probe. tshark's counts of the shared captures are
// compared in tests/integration/it/snmp.cpp.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dissect/snmp/snmp_dissector.h"
#include "dissect/snmp/snmp_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// snmp/snmpv1_get.pcap frame 1: get-request for sysObjectID.0.
const std::vector<uint8_t> kV1Get = Hex(R"(
  30 26                              # Message SEQUENCE, 38 octets
    02 01 00                         # version 0 (SNMPv1)
    04 06 70 75 62 6c 69 63          # community "public"
    a0 19                            # GetRequest-PDU [0]
      02 01 26                       # request-id 38
      02 01 00                       # error-status 0
      02 01 00                       # error-index 0
      30 0e                          # variable-bindings
        30 0c                        # VarBind
          06 08 2b 06 01 02 01 01 02 00  # 1.3.6.1.2.1.1.2.0 sysObjectID
          05 00                      # NULL
)");

// Frame 2: its response, sysObjectID = 1.3.6.1.4.1.2001.1.1.1.297.93.1.27.2.2.1.
const std::vector<uint8_t> kV1GetResponse = Hex(R"(
  30 38 02 01 00 04 06 70 75 62 6c 69 63
    a2 2b                            # GetResponse-PDU [2]
      02 01 26 02 01 00 02 01 00     # request-id 38, no error
      30 20 30 1e
        06 08 2b 06 01 02 01 01 02 00
        06 12 2b 06 01 04 01 8f 51 01 01 01 82 29 5d 01 1b 02 02 01  # OID value
)");

// Frame 4: response with sysName.0 "B6300" and sysLocation.0 "Chandra's cube".
const std::vector<uint8_t> kV1NameLocation = Hex(R"(
  30 47 02 01 00 04 06 70 75 62 6c 69 63
    a2 3a 02 01 27 02 01 00 02 01 00
      30 2f
        30 11 06 08 2b 06 01 02 01 01 05 00   # sysName.0
              04 05 42 36 33 30 30            # "B6300"
        30 1a 06 08 2b 06 01 02 01 01 06 00   # sysLocation.0
              04 0e 43 68 61 6e 64 72 61 27 73 20 63 75 62 65  # "Chandra's cube"
)");

// snmp/snmpv1_trap.pcap frame 1: a v1 trap from agent 127.0.0.1.
const std::vector<uint8_t> kV1Trap = Hex(R"(
  30 3b 02 01 00 04 06 70 75 62 6c 69 63
    a4 2e                            # Trap-PDU [4]
      06 09 2b 06 01 04 01 81 f4 69 00  # enterprise 1.3.6.1.4.1.31337.0
      40 04 7f 00 00 01              # agent-addr IpAddress 127.0.0.1
      02 01 00                       # generic-trap coldStart
      02 01 00                       # specific-trap 0
      43 04 00 00 00 00              # time-stamp TimeTicks 0
      30 0f 30 0d
        06 08 2b 06 01 02 01 02 01 00  # 1.3.6.1.2.1.2.1.0 ifNumber.0
        02 01 21                     # INTEGER 33
)");

// snmp/snmpv2_get_next.pcap frame 1: v2c get-next-request for 0.1.
const std::vector<uint8_t> kV2GetNext = Hex(R"(
  30 27
    02 01 01                         # version 1 (SNMPv2c)
    04 0b 5b 52 30 5f 43 40 63 74 69 21 5d  # community "[R0_C@cti!]"
    a1 15                            # GetNextRequest-PDU [1]
      02 04 2b 13 3f 85              # request-id 722681733
      02 01 00 02 01 00
      30 07 30 05 06 01 01 05 00     # 0.1, NULL
)");

// snmp/snmpv3_get_next.pcap frame 1: engine id discovery (no user, no engine id).
const std::vector<uint8_t> kV3Discovery = Hex(R"(
  30 3d
    02 01 03                         # msgVersion 3
    30 10                            # msgGlobalData
      02 04 20 7b 2f 72              # msgID 544943986
      02 02 40 00                    # msgMaxSize 16384
      04 01 04                       # msgFlags: reportable
      02 01 03                       # msgSecurityModel 3 (USM)
    04 10 30 0e                      # msgSecurityParameters: USM SEQUENCE
      04 00 02 01 2a 02 01 2a        # engine id "", boots 42, time 42
      04 00 04 00 04 00              # user "", auth params "", priv params ""
    30 14                            # ScopedPDU
      04 00 04 00                    # contextEngineID "", contextName ""
      a0 0e 02 04 20 7b 2f 72 02 01 00 02 01 00 30 00  # get-request, no varbinds
)");

// Frame 2: the agent's report with its engine id and usmStatsUnknownEngineIDs.
const std::vector<uint8_t> kV3Report = Hex(R"(
  30 6a 02 01 03
    30 10 02 04 20 7b 2f 72 02 02 40 00 04 01 00 02 01 03
    04 1d 30 1b
      04 0d 80 00 1f 88 80 a9 49 8e 5e 3a 2c 30 43  # engine id (13 octets)
      02 01 dd 02 01 dd 04 00 04 00 04 00
    30 34
      04 0d 80 00 1f 88 80 a9 49 8e 5e 3a 2c 30 43 04 00
      a8 21                          # Report-PDU [8]
        02 04 20 7b 2f 72 02 01 00 02 01 00
        30 13 30 11
          06 09 2b 06 01 06 03 0f 01 01 00  # 1.3.6.1.6.3.15.1.1.0, as this agent names it
          41 04 00 00 00 03          # Counter32 3
)");

// Frame 3: get-next-request by user "username", authenticated and in clear.
const std::vector<uint8_t> kV3GetNext = Hex(R"(
  30 79 02 01 03
    30 10 02 04 20 7b 2f 72 02 02 40 00 04 01 04 02 01 03
    04 31 30 2f
      04 0d 80 00 1f 88 80 a9 49 8e 5e 3a 2c 30 43
      02 01 dd 02 01 dd
      04 08 75 73 65 72 6e 61 6d 65  # user "username"
      04 0c 00 00 00 00 00 00 00 00 00 00 00 00  # auth params
      04 00
    30 2f
      04 0d 80 00 1f 88 80 a9 49 8e 5e 3a 2c 30 43 04 00
      a1 1c 02 04 20 7b 2f 72 02 01 00 02 01 00
        30 0e 30 0c 06 08 2b 06 01 02 01 01 06 00 05 00  # sysLocation.0
)");

// snmp/snmp-ipv4.pcap frame 3: authenticated and private (flags 07), user "tachyon".
const std::vector<uint8_t> kV3Encrypted = Hex(R"(
  30 81 90                           # long-form length 144
    02 01 03
    30 11 02 04 5d 05 5b a2          # msgID 1560632226
          02 03 00 ff e3             # msgMaxSize 65507
          04 01 07                   # msgFlags: auth, priv, reportable
          02 01 03
    04 41 30 3f
      04 14 80 00 4f 4d b1 aa dc ad bc 89 af fa 11 8d bd 53 82 4c 6b 05  # engine id
      02 01 03 02 03 01 09 f5
      04 07 74 61 63 68 79 6f 6e     # user "tachyon"
      04 0c 6a 91 d8 74 66 6a 35 a2 00 af 66 b1  # auth params
      04 08 57 1d b2 98 63 e6 f5 d8  # priv params
    04 35                            # encryptedPDU, 53 octets
      dd c9 64 6b 26 4b da cc e9 85 f0 13 19 44 49 2d d6 61 10 65 5b 7d a0 dd
      fd 83 1b 1e dc 69 17 81 90 99 67 14 33 d0 dc 2e da 11 d5 b7 39 b6 da b8
      29 ea 06 5e ea
)");

// Frame 4: the agent's encrypted answer under the same msgID.
const std::vector<uint8_t> kV3EncryptedAnswer = Hex(R"(
  30 81 b9 02 01 03
    30 11 02 04 5d 05 5b a2 02 03 00 ff e3 04 01 03 02 01 03   # flags: auth, priv
    04 41 30 3f
      04 14 80 00 4f 4d b1 aa dc ad bc 89 af fa 11 8d bd 53 82 4c 6b 05
      02 01 03 02 03 01 09 f5 04 07 74 61 63 68 79 6f 6e
      04 0c bc 95 c8 2a e5 21 2e 95 0a e1 c4 3a
      04 08 8c 8c 11 0c 5b bf 5a b9
    04 5e
      e6 92 77 16 e9 e1 c8 e9 37 7a 8b 59 e3 30 e1 2d ba 99 42 a1 f5 50 a1 1c
      57 ce c4 d1 ae e3 c4 3e c1 0a 91 a2 e8 b0 99 35 f7 1c 93 4e f2 4a c4 8a
      8e 6d f9 c3 d9 f7 b6 27 34 72 0a ad 9c 22 b2 3d 24 d2 82 04 ef 0e 52 8e
      22 31 0b 19 0c 45 aa d1 3d 7e 53 e3 7e ae af e6 ac ac 32 4a 50 2b
)");

// Built for the test: a v2c get of the system group and the agent's answer.
const std::vector<uint8_t> kSystemGet = Hex(R"(
  30 43 02 01 01
    04 07 70 72 69 76 61 74 65       # community "private"
    a0 35 02 01 01 02 01 00 02 01 00
      30 2a
        30 0c 06 08 2b 06 01 02 01 01 01 00 05 00  # sysDescr.0
        30 0c 06 08 2b 06 01 02 01 01 02 00 05 00  # sysObjectID.0
        30 0c 06 08 2b 06 01 02 01 01 05 00 05 00  # sysName.0
)");
const std::vector<uint8_t> kSystemAnswer = Hex(R"(
  30 5b 02 01 01 04 07 70 72 69 76 61 74 65
    a2 4d 02 01 01 02 01 00 02 01 00
      30 42
        30 17 06 08 2b 06 01 02 01 01 01 00
              04 0b 53 43 41 4c 41 4e 43 45 20 58 32  # "SCALANCE X2"
        30 15 06 08 2b 06 01 02 01 01 02 00
              06 09 2b 06 01 04 01 a1 69 01 02        # 1.3.6.1.4.1.4329.1.2 (Siemens)
        30 10 06 08 2b 06 01 02 01 01 05 00
              04 04 63 72 6e 31                       # "crn1"
)");

// Built for the test: kV1Get answered with noSuchName (2) at index 1.
const std::vector<uint8_t> kV1Error = Hex(R"(
  30 26 02 01 00 04 06 70 75 62 6c 69 63
    a2 19 02 01 26
      02 01 02                       # error-status noSuchName
      02 01 01                       # error-index 1
      30 0e 30 0c 06 08 2b 06 01 02 01 01 02 00 05 00
)");

// SHA-256 of "public" and of "[R0_C@cti!]".
constexpr std::string_view kPublicSha256 =
    "efa1f375d76194fa51a3556a97e641e61685f914d446979da50a551a4333ffd7";
constexpr std::string_view kCtiSha256 =
    "00ad53bb74e535c9f82096cafc2c01615ceda49559e4c55fd272c8d7e3c42bb3";

std::string Oid(std::span<const uint8_t> content) {
  core::FixedText<127> t;
  EXPECT_TRUE(snmp::AppendOid(content, t));
  return t.str();
}

std::string Text(std::span<const uint8_t> bytes) { return std::string(bytes.begin(), bytes.end()); }

TEST(SnmpParser, V1GetAndResponse) {
  core::Anomalies an;
  auto req = snmp::ParseMessage(kV1Get, an);
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->version, 0);
  EXPECT_EQ(Text(req->community), "public");
  EXPECT_TRUE(req->has_pdu);
  EXPECT_EQ(req->pdu_type, snmp::kGetRequest);
  EXPECT_EQ(req->request_id, 38);
  EXPECT_FALSE(req->trailing);
  snmp::VarbindReader vr(req->varbinds);
  snmp::Varbind vb;
  ASSERT_TRUE(vr.Next(vb, an));
  EXPECT_EQ(Oid(vb.oid), "1.3.6.1.2.1.1.2.0");
  EXPECT_EQ(vb.value_tag, snmp::kTagNull);
  EXPECT_FALSE(vr.Next(vb, an));
  EXPECT_FALSE(vr.failed());

  auto resp = snmp::ParseMessage(kV1GetResponse, an);
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->pdu_type, snmp::kResponse);
  snmp::VarbindReader rr(resp->varbinds);
  ASSERT_TRUE(rr.Next(vb, an));
  EXPECT_TRUE(snmp::SameOid(vb.oid, snmp::kSysObjectId));
  EXPECT_EQ(vb.value_tag, snmp::kTagOid);
  EXPECT_EQ(Oid(vb.value), "1.3.6.1.4.1.2001.1.1.1.297.93.1.27.2.2.1");
  EXPECT_EQ(snmp::EnterpriseNumber(vb.value), 2001u);
  EXPECT_EQ(snmp::EnterpriseVendor(2001), nullptr);  // not in the table
  EXPECT_TRUE(an.empty());
}

TEST(SnmpParser, V1Trap) {
  core::Anomalies an;
  auto m = snmp::ParseMessage(kV1Trap, an);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->pdu_type, snmp::kTrapV1);
  EXPECT_EQ(Oid(m->enterprise), "1.3.6.1.4.1.31337.0");
  EXPECT_EQ(snmp::EnterpriseNumber(m->enterprise), 31337u);
  EXPECT_EQ(core::IpAddr::V4(m->agent_addr).ToString(), "127.0.0.1");
  EXPECT_EQ(m->generic_trap, 0);
  EXPECT_EQ(m->time_stamp, 0u);
  snmp::VarbindReader vr(m->varbinds);
  snmp::Varbind vb;
  ASSERT_TRUE(vr.Next(vb, an));
  EXPECT_EQ(snmp::DecodeInteger(vb.value), 33);
}

TEST(SnmpParser, V2cGetNext) {
  core::Anomalies an;
  auto m = snmp::ParseMessage(kV2GetNext, an);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->version, 1);
  EXPECT_EQ(m->pdu_type, snmp::kGetNextRequest);
  EXPECT_EQ(m->request_id, 722681733);
  EXPECT_FALSE(snmp::IsDefaultCommunity(m->community));
  snmp::VarbindReader vr(m->varbinds);
  snmp::Varbind vb;
  ASSERT_TRUE(vr.Next(vb, an));
  EXPECT_EQ(Oid(vb.oid), "0.1");
}

TEST(SnmpParser, V3DiscoveryReportAndUser) {
  core::Anomalies an;
  auto d = snmp::ParseMessage(kV3Discovery, an);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->version, 3);
  EXPECT_EQ(d->msg_id, 544943986);
  EXPECT_EQ(d->msg_max_size, 16384);
  EXPECT_EQ(d->msg_flags, 0x04);
  EXPECT_TRUE(d->has_usm);
  EXPECT_TRUE(d->engine_id.empty());
  EXPECT_TRUE(d->user_name.empty());
  EXPECT_FALSE(d->encrypted);
  EXPECT_EQ(d->pdu_type, snmp::kGetRequest);

  auto r = snmp::ParseMessage(kV3Report, an);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->pdu_type, snmp::kReport);
  EXPECT_EQ(r->engine_id.size(), 13u);
  EXPECT_EQ(r->context_engine_id.size(), 13u);
  snmp::VarbindReader vr(r->varbinds);
  snmp::Varbind vb;
  ASSERT_TRUE(vr.Next(vb, an));
  EXPECT_EQ(Oid(vb.oid), "1.3.6.1.6.3.15.1.1.0");
  EXPECT_EQ(vb.value_tag, snmp::kTagCounter32);
  EXPECT_EQ(snmp::DecodeUnsigned(vb.value), 3u);

  auto g = snmp::ParseMessage(kV3GetNext, an);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(Text(g->user_name), "username");
  EXPECT_EQ(g->pdu_type, snmp::kGetNextRequest);
  EXPECT_EQ(g->request_id, 544943986);
  EXPECT_TRUE(an.empty());
}

TEST(SnmpParser, V3EncryptedPduIsNotRead) {
  core::Anomalies an;
  auto m = snmp::ParseMessage(kV3Encrypted, an);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->msg_flags, 0x07);
  EXPECT_TRUE(m->encrypted);
  EXPECT_FALSE(m->has_pdu);
  EXPECT_EQ(Text(m->user_name), "tachyon");
  EXPECT_EQ(m->engine_id.size(), 20u);
  EXPECT_TRUE(an.empty());
}

TEST(SnmpParser, BerLengthsAreDefiniteAndBounded) {
  auto read = [](std::string_view hex) {
    auto bytes = Hex(hex);
    core::ByteReader r(bytes);
    return snmp::ReadTlv(r);
  };
  auto t = read("04 81 03 61 62 63");  // long form, one length octet
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->tag, snmp::kTagOctetString);
  EXPECT_EQ(t->value.size(), 3u);
  EXPECT_FALSE(read("30 80 02 01 00 00 00").has_value());     // indefinite length
  EXPECT_FALSE(read("04 85 00 00 00 00 01 61").has_value());  // five length octets
  EXPECT_FALSE(read("1f 81 01 01 00").has_value());           // multi-octet tag
  EXPECT_FALSE(read("04 05 61 62").has_value());              // content past the end
  EXPECT_FALSE(read("04").has_value());
  // A length within the datagram but past its enclosing element fails the inner reader.
  auto outer = Hex("30 03 04 05 61 62 63 64 65");
  core::ByteReader r(outer);
  auto seq = snmp::ReadTlv(r);
  ASSERT_TRUE(seq.has_value());
  core::ByteReader inner(seq->value);
  EXPECT_FALSE(snmp::ReadTlv(inner).has_value());
}

TEST(SnmpParser, IntegersAndUnsigned) {
  EXPECT_EQ(snmp::DecodeInteger(Hex("ff")), -1);
  EXPECT_EQ(snmp::DecodeInteger(Hex("00 80")), 128);
  EXPECT_EQ(snmp::DecodeInteger(Hex("80 00 00 00 00 00 00 00")), INT64_MIN);
  EXPECT_FALSE(snmp::DecodeInteger(Hex("01 00 00 00 00 00 00 00 00")).has_value());
  EXPECT_FALSE(snmp::DecodeInteger({}).has_value());
  EXPECT_EQ(snmp::DecodeUnsigned(Hex("00 ff ff ff ff ff ff ff ff")), UINT64_MAX);
  EXPECT_FALSE(snmp::DecodeUnsigned(Hex("01 ff ff ff ff ff ff ff ff")).has_value());
}

TEST(SnmpParser, OidText) {
  EXPECT_EQ(Oid(Hex("88 37 01")), "2.999.1");  // first arcs 2.999 (X.690 8.19.4)
  EXPECT_EQ(Oid(Hex("28 c4 62 01")), "1.0.8802.1");
  core::FixedText<127> t;
  EXPECT_FALSE(snmp::AppendOid(Hex("2b 86"), t));  // unfinished subidentifier
  t.Clear();
  EXPECT_FALSE(snmp::AppendOid({}, t));
  t.Clear();
  EXPECT_FALSE(snmp::AppendOid(Hex("2b ff ff ff ff ff ff ff ff ff ff 01"), t));  // 11 octets
  core::FixedText<8> small;
  EXPECT_TRUE(snmp::AppendOid(Hex("2b 06 01 02 01 01 01 00"), small));
  EXPECT_TRUE(small.truncated());
  EXPECT_FALSE(snmp::EnterpriseNumber(Hex("2b 06 01 04 01 ff ff ff ff 7f")).has_value());
  EXPECT_EQ(snmp::EnterpriseNumber(Hex("2b 06 01 04 01 09")), 9u);
  EXPECT_FALSE(snmp::EnterpriseNumber(Hex("2b 06 01 02 01")).has_value());
}

TEST(SnmpParser, VendorTableAndDefaultCommunities) {
  EXPECT_STREQ(snmp::EnterpriseVendor(9), "Cisco");
  EXPECT_STREQ(snmp::EnterpriseVendor(4329), "Siemens");
  EXPECT_STREQ(snmp::EnterpriseVendor(16177), "Westermo");
  auto community = [](std::string_view s) {
    return snmp::IsDefaultCommunity(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  };
  EXPECT_TRUE(community("public"));
  EXPECT_TRUE(community("PUBLIC"));
  EXPECT_TRUE(community("0392a0"));
  EXPECT_FALSE(community("publicx"));
  EXPECT_FALSE(community(""));
  EXPECT_FALSE(community("[R0_C@cti!]"));
}

// A varbind list of `n` copies of sysDescr.0 = NULL, as a whole v2c get-request.
std::vector<uint8_t> GetWithVarbinds(size_t n) {
  std::vector<uint8_t> list;
  for (size_t i = 0; i < n; ++i) {
    const auto vb = Hex("30 0c 06 08 2b 06 01 02 01 01 01 00 05 00");
    list.insert(list.end(), vb.begin(), vb.end());
  }
  auto tlv = [](uint8_t tag, const std::vector<uint8_t>& content) {
    std::vector<uint8_t> out = {tag, 0x82, static_cast<uint8_t>(content.size() >> 8),
                                static_cast<uint8_t>(content.size())};
    out.insert(out.end(), content.begin(), content.end());
    return out;
  };
  std::vector<uint8_t> pdu = Hex("02 01 07 02 01 00 02 01 00");
  const auto bindings = tlv(0x30, list);
  pdu.insert(pdu.end(), bindings.begin(), bindings.end());
  std::vector<uint8_t> msg = Hex("02 01 01 04 01 78");
  const auto p = tlv(0xa0, pdu);
  msg.insert(msg.end(), p.begin(), p.end());
  return tlv(0x30, msg);
}

TEST(SnmpParser, VarbindCap) {
  core::Anomalies an;
  const auto message = GetWithVarbinds(snmp::kMaxVarbinds + 1);  // the views point into it
  auto m = snmp::ParseMessage(message, an);
  ASSERT_TRUE(m.has_value());
  snmp::VarbindReader vr(m->varbinds);
  snmp::Varbind vb;
  while (vr.Next(vb, an)) {
  }
  EXPECT_EQ(vr.count(), snmp::kMaxVarbinds);
  EXPECT_TRUE(vr.failed());
  EXPECT_EQ(an.Count("snmp.too_many_varbinds"), 1u);
}

TEST(SnmpParser, NestingAndElementCaps) {
  // A constructed value nested kMaxBerDepth + 1 times: 30 xx 30 xx ... 05 00.
  std::vector<uint8_t> nested = {0x05, 0x00};
  for (size_t i = 0; i <= snmp::kMaxBerDepth; ++i) {
    nested.insert(nested.begin(), {0x30, static_cast<uint8_t>(nested.size())});
  }
  core::Anomalies an;
  EXPECT_FALSE(snmp::WellFormed(nested, an));
  EXPECT_EQ(an.Count("snmp.too_deep"), 1u);
  std::vector<uint8_t> flat;
  for (size_t i = 0; i <= snmp::kMaxBerElements; ++i) flat.insert(flat.end(), {0x05, 0x00});
  EXPECT_FALSE(snmp::WellFormed(flat, an));
  EXPECT_EQ(an.Count("snmp.too_many_elements"), 1u);
  EXPECT_TRUE(snmp::WellFormed(Hex("30 04 30 02 05 00 05 00"), an));
}

TEST(SnmpParser, MalformedMessages) {
  core::Anomalies an;
  EXPECT_FALSE(snmp::ParseMessage(Hex("30 03 02 01 02"), an).has_value());  // version 2
  EXPECT_EQ(an.Count("snmp.malformed"), 1u);
  // A v1 message whose PDU tag is a universal SEQUENCE.
  EXPECT_FALSE(
      snmp::ParseMessage(Hex("30 0d 02 01 00 04 01 78 30 05 02 01 01 30 00"), an).has_value());
  EXPECT_EQ(an.Count("snmp.bad_pdu"), 1u);
  // A v3 message whose msgFlags are two octets.
  EXPECT_FALSE(snmp::ParseMessage(Hex("30 14 02 01 03 30 0d 02 01 01 02 01 01 04 02 00 00 "
                                      "02 01 03 04 00"),
                                  an)
                   .has_value());
  EXPECT_EQ(an.Count("snmp.bad_v3_header"), 1u);
  // Trailing octets after the message are kept apart, not read.
  auto padded = kV1Get;
  padded.push_back(0);
  auto m = snmp::ParseMessage(padded, an);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->trailing);
}

TEST(SnmpParser, EveryTruncatedPrefixIsRefused) {
  for (const auto* fixture : {&kV1Get, &kV1GetResponse, &kV1NameLocation, &kV1Trap, &kV2GetNext,
                              &kV3Discovery, &kV3Report, &kV3GetNext, &kV3Encrypted,
                              &kV3EncryptedAnswer, &kSystemGet, &kSystemAnswer, &kV1Error}) {
    core::Anomalies an;
    ASSERT_TRUE(snmp::ParseMessage(*fixture, an).has_value());
    ForEachPrefix(*fixture, [&](std::span<const uint8_t> p) {
      core::Anomalies a;
      EXPECT_FALSE(snmp::ParseMessage(p, a).has_value());
      EXPECT_FALSE(snmp::LooksLikeSnmp(p));  // the outer SEQUENCE is never whole
    });
  }
}

TEST(SnmpDissector, V1GetIsOnePairWithTheAgentsIdentity) {
  StreamHarness h(Registered("snmp"));
  h.Request(kV1Get, 1);
  h.Response(kV1GetResponse, 2);
  h.Request(kV1Get, 3);  // asked again under the same request-id: a new pair
  h.Response(kV1NameLocation, 4);
  h.End();
  ASSERT_EQ(h.sink.snmp.size(), 3u);
  const auto& pair = h.sink.snmp[0];
  EXPECT_EQ(pair.request_frame, 1u);
  EXPECT_EQ(pair.response_frame, 2u);
  EXPECT_EQ(pair.version, 0);
  EXPECT_EQ(pair.pdu_type, snmp::kGetRequest);
  EXPECT_EQ(pair.request_id, 38);
  EXPECT_EQ(pair.community_sha256.view(), kPublicSha256);
  EXPECT_TRUE(pair.default_community);
  EXPECT_EQ(pair.first_oid.view(), "1.3.6.1.2.1.1.2.0");
  EXPECT_EQ(pair.varbinds, 1u);
  EXPECT_EQ(pair.requester_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(pair.agent_ip.ToString(), "10.0.0.2");
  EXPECT_EQ(pair.agent_port, 161);
  // Frame 4 answers request-id 39, which was never asked: it stands alone; the second ask
  // of 38 goes unanswered.
  EXPECT_EQ(h.sink.snmp[1].response_frame, 4u);
  EXPECT_EQ(h.sink.snmp[1].request_frame, 0u);
  EXPECT_EQ(h.sink.snmp[1].agent_ip.ToString(), "10.0.0.2");
  EXPECT_EQ(h.sink.snmp[2].request_frame, 3u);
  EXPECT_EQ(h.sink.snmp[2].response_frame, 0u);
  EXPECT_EQ(h.sink.Identity("snmp_object_id"), "1.3.6.1.4.1.2001.1.1.1.297.93.1.27.2.2.1");
  EXPECT_EQ(h.sink.Identity("name"), "B6300");
  EXPECT_EQ(h.sink.Identity("location"), "Chandra's cube");
  EXPECT_EQ(h.sink.Identity("vendor"), "");
  ASSERT_FALSE(h.sink.identities.empty());
  EXPECT_EQ(h.sink.identities[0].ip.ToString(), "10.0.0.2");
  EXPECT_EQ(h.anomalies.Count("snmp.default_community"), 4u);
  int requests = 0, responses = 0, gets = 0, versions0 = 0;
  for (const auto& p : h.sink.pdus) {
    requests += p.kind == PduKind::kRequest;
    responses += p.kind == PduKind::kResponse;
    gets += p.code == snmp::kGetRequest && std::string_view(p.histogram) == "functions";
  }
  for (const auto& d : h.sink.details) {
    versions0 += std::string_view(d.histogram) == "versions" && d.code == 0;
  }
  EXPECT_EQ(requests, 2);
  EXPECT_EQ(responses, 2);
  EXPECT_EQ(gets, 2);
  EXPECT_EQ(versions0, 4);
}

TEST(SnmpDissector, SystemGroupGivesDescriptionObjectIdVendorAndName) {
  StreamHarness h(Registered("snmp"));
  h.Request(kSystemGet, 1);
  h.Response(kSystemAnswer, 2);
  h.Request(kSystemGet, 3);
  h.Response(kSystemAnswer, 4);  // polled again: nothing new to say
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_STREQ(h.sink.identities[0].protocol, "snmp");
  EXPECT_EQ(h.sink.identities[0].frame, 2u);
  EXPECT_EQ(h.sink.Identity("description"), "SCALANCE X2");
  EXPECT_EQ(h.sink.Identity("snmp_object_id"), "1.3.6.1.4.1.4329.1.2");
  EXPECT_EQ(h.sink.Identity("vendor"), "Siemens");
  EXPECT_EQ(h.sink.Identity("name"), "crn1");
  ASSERT_EQ(h.sink.snmp.size(), 2u);
  EXPECT_EQ(h.sink.snmp[0].varbinds, 3u);
  EXPECT_EQ(h.sink.snmp[0].first_oid.view(), "1.3.6.1.2.1.1.1.0");
  EXPECT_TRUE(h.sink.snmp[0].default_community);  // "private"
}

TEST(SnmpDissector, V2cCommunityIsKeptOnlyAsItsHash) {
  StreamHarness h(Registered("snmp"));
  h.Request(kV2GetNext, 1);
  h.End();
  ASSERT_EQ(h.sink.snmp.size(), 1u);
  EXPECT_EQ(h.sink.snmp[0].version, 1);
  EXPECT_EQ(h.sink.snmp[0].community_sha256.view(), kCtiSha256);
  EXPECT_FALSE(h.sink.snmp[0].default_community);
  EXPECT_EQ(h.sink.snmp[0].request_id, 722681733);
  EXPECT_EQ(h.sink.snmp[0].response_frame, 0u);  // unanswered when the flow ended
  EXPECT_EQ(h.anomalies.Count("snmp.default_community"), 0u);
}

TEST(SnmpDissector, ErrorResponseIsAnException) {
  StreamHarness h(Registered("snmp"));
  h.Request(kV1Get, 1);
  h.Response(kV1Error, 2);
  ASSERT_EQ(h.sink.snmp.size(), 1u);
  EXPECT_EQ(h.sink.snmp[0].error_status, 2);
  EXPECT_EQ(h.sink.snmp[0].error_index, 1);
  int exceptions = 0;
  for (const auto& p : h.sink.pdus) exceptions += p.exception;
  EXPECT_EQ(exceptions, 1);
  EXPECT_TRUE(h.sink.identities.empty());  // an error answer says nothing of the agent
}

TEST(SnmpDissector, TrapStandsAloneAndNamesItsAgent) {
  StreamHarness h(Registered("snmp"));
  h.Request(kV1Trap, 1);  // the initiator is the agent sending its trap
  ASSERT_EQ(h.sink.snmp.size(), 1u);
  const auto& t = h.sink.snmp[0];
  EXPECT_EQ(t.pdu_type, snmp::kTrapV1);
  EXPECT_EQ(t.request_frame, 1u);
  EXPECT_EQ(t.agent_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(t.requester_ip.ToString(), "10.0.0.2");
  EXPECT_EQ(t.first_oid.view(), "1.3.6.1.2.1.2.1.0");
  int other = 0;
  for (const auto& p : h.sink.pdus) other += p.kind == PduKind::kOther && p.code == 4;
  EXPECT_EQ(other, 1);
  EXPECT_TRUE(h.sink.identities.empty());  // enterprise 31337 is in no table
}

TEST(SnmpDissector, V3PairsByMsgIdEvenWhenEncrypted) {
  StreamHarness h(Registered("snmp"));
  h.Request(kV3Discovery, 1);
  h.Response(kV3Report, 2);
  h.Request(kV3GetNext, 3);
  h.Request(kV3Encrypted, 4);
  h.Response(kV3EncryptedAnswer, 5);
  h.End();
  ASSERT_EQ(h.sink.snmp.size(), 3u);
  EXPECT_EQ(h.sink.snmp[0].request_frame, 1u);
  EXPECT_EQ(h.sink.snmp[0].response_frame, 2u);
  EXPECT_EQ(h.sink.snmp[0].version, 3);
  EXPECT_TRUE(h.sink.snmp[0].community_sha256.empty());
  EXPECT_EQ(h.sink.snmp[1].request_frame, 4u);  // the encrypted pair
  EXPECT_EQ(h.sink.snmp[1].response_frame, 5u);
  EXPECT_FALSE(h.sink.snmp[1].has_pdu);
  EXPECT_EQ(h.sink.snmp[1].user.view(), "tachyon");
  EXPECT_EQ(h.sink.snmp[1].engine_id.view(), "80004f4db1aadcadbc89affa118dbd53824c6b05");
  EXPECT_EQ(h.sink.snmp[1].request_id, 1560632226);
  EXPECT_EQ(h.sink.snmp[2].request_frame, 3u);  // answered by nobody
  EXPECT_EQ(h.sink.snmp[2].user.view(), "username");
  int unread = 0;
  for (const auto& p : h.sink.pdus) unread += std::string_view(p.histogram).empty();
  EXPECT_EQ(unread, 2);
  EXPECT_EQ(h.sink.pdus.size(), 5u);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(SnmpDissector, EveryTruncatedDatagramIsSafe) {
  for (const auto* fixture :
       {&kV1GetResponse, &kV1Trap, &kV3GetNext, &kV3Encrypted, &kSystemAnswer}) {
    ForEachPrefix(*fixture, [&](std::span<const uint8_t> p) {
      StreamHarness h(Registered("snmp"));
      h.Request(kV2GetNext, 1);  // attaches the dissector
      h.Response(p, 2);
      h.End();
      EXPECT_LE(h.sink.snmp.size(), 1u);
      EXPECT_TRUE(h.sink.identities.empty());
    });
  }
}

TEST(SnmpDissector, ProbeWantsAnSnmpHeader) {
  const auto d = flow::Direction::kFromInitiator;
  EXPECT_EQ(snmp::Probe(d, kV1Get), ProbeResult::kYes);
  EXPECT_EQ(snmp::Probe(d, kV2GetNext), ProbeResult::kYes);
  EXPECT_EQ(snmp::Probe(d, kV3Encrypted), ProbeResult::kYes);
  // CLDAP search: SEQUENCE, message id 1, then an application tag, not a community.
  EXPECT_EQ(snmp::Probe(d, Hex("30 0c 02 01 01 63 07 04 00 0a 01 00 0a 01 00")), ProbeResult::kNo);
  // A DNS query.
  EXPECT_EQ(snmp::Probe(d, Hex("12 34 01 00 00 01 00 00 00 00 00 00")), ProbeResult::kNo);
  EXPECT_EQ(snmp::Probe(d, Hex("30 03 02 01 02")), ProbeResult::kNo);  // version 2
  EXPECT_EQ(snmp::Probe(d, std::span<const uint8_t>(kV1Get).first(10)), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
