#include "model/protocol_stats.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qw::model {
namespace {

dissect::PduObservation Pdu(const char* protocol, uint32_t code, uint64_t frame,
                            dissect::PduKind kind = dissect::PduKind::kRequest) {
  dissect::PduObservation p;
  p.protocol = protocol;
  p.code = code;
  p.frame = frame;
  p.kind = kind;
  return p;
}

TEST(ProtocolCounter, CountsPdusFramesAndCodesOnEitherSideOfTheDenseRange) {
  ProtocolCounter c;
  core::Anomalies a;
  c.OnPdu(Pdu("modbus", 3, 1), a);
  c.OnPdu(Pdu("modbus", 3, 1, dissect::PduKind::kResponse), a);  // same frame
  auto exc = Pdu("modbus", 3, 2, dissect::PduKind::kResponse);
  exc.exception = true;
  c.OnPdu(exc, a);
  c.OnPdu(Pdu("modbus", 0x5a0, 3), a);  // above the dense codes
  dissect::PduDetail d;
  d.protocol = "modbus";
  d.histogram = "umas";
  d.code = 0x41;
  c.OnDetail(d, a);
  const auto r = c.Result();
  ASSERT_EQ(r.size(), 1u);
  const ProtocolStats& m = r.at("modbus");
  EXPECT_EQ(m.pdus, 4u);
  EXPECT_EQ(m.requests, 2u);
  EXPECT_EQ(m.responses, 2u);
  EXPECT_EQ(m.exceptions, 1u);
  EXPECT_EQ(m.frames, 3u);
  EXPECT_EQ(m.histograms.at("functions").at(3), 3u);
  EXPECT_EQ(m.histograms.at("functions").at(0x5a0), 1u);
  EXPECT_EQ(m.histograms.at("umas").at(0x41), 1u);
  EXPECT_TRUE(a.empty());
}

TEST(ProtocolCounter, AFrameMarkedAsCarryingPartOfAPduCountsAsAFrameOnly) {
  ProtocolCounter c;
  core::Anomalies a;
  auto first = Pdu("s7comm_plus", 0, 127, dissect::PduKind::kOther);
  first.frame_only = true;
  first.histogram = "";
  c.OnPdu(first, a);
  c.OnPdu(Pdu("s7comm_plus", 0x54c, 129), a);
  const auto r = c.Result();
  const ProtocolStats& m = r.at("s7comm_plus");
  EXPECT_EQ(m.frames, 2u);
  EXPECT_EQ(m.pdus, 1u);
  EXPECT_EQ(m.requests, 1u);
  EXPECT_EQ(m.histograms.at("functions").size(), 1u);
}

// Names are matched by their text, not only by the address they come at.
TEST(ProtocolCounter, NamesAtDifferentAddressesAreOneProtocol) {
  ProtocolCounter c;
  core::Anomalies a;
  const std::string first = "dnp3", second = "dnp3";
  const std::string hist1 = "functions", hist2 = "functions";
  auto p = Pdu(first.c_str(), 1, 1);
  p.histogram = hist1.c_str();
  c.OnPdu(p, a);
  auto q = Pdu(second.c_str(), 1, 2);
  q.histogram = hist2.c_str();
  c.OnPdu(q, a);
  c.OnPdu(Pdu("iec104", 100, 3), a);
  const auto r = c.Result();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.at("dnp3").pdus, 2u);
  EXPECT_EQ(r.at("dnp3").histograms.at("functions").at(1), 2u);
  EXPECT_EQ(r.at("iec104").pdus, 1u);
}

// More (protocol, histogram) pairs than the lookup cache has slots, interleaved so that they
// keep displacing one another: every count still lands where its names say.
TEST(ProtocolCounter, ManyInterleavedProtocolsAndHistogramsCountApart) {
  ProtocolCounter c;
  core::Anomalies a;
  std::vector<std::string> protocols, histograms;
  for (int i = 0; i < 40; ++i) protocols.push_back("p" + std::to_string(i));
  for (int i = 0; i < 7; ++i) histograms.push_back("h" + std::to_string(i));
  uint64_t frame = 0;
  for (int round = 0; round < 3; ++round) {
    for (size_t p = 0; p < protocols.size(); ++p) {
      for (size_t h = 0; h < histograms.size(); ++h) {
        auto pdu = Pdu(protocols[p].c_str(), static_cast<uint32_t>(p * 10 + h), ++frame);
        pdu.histogram = histograms[h].c_str();
        c.OnPdu(pdu, a);
      }
    }
  }
  const auto r = c.Result();
  ASSERT_EQ(r.size(), protocols.size());
  for (size_t p = 0; p < protocols.size(); ++p) {
    const ProtocolStats& s = r.at(protocols[p]);
    EXPECT_EQ(s.pdus, 3 * histograms.size());
    ASSERT_EQ(s.histograms.size(), histograms.size());
    for (size_t h = 0; h < histograms.size(); ++h) {
      const auto& codes = s.histograms.at(histograms[h]);
      ASSERT_EQ(codes.size(), 1u) << protocols[p] << " " << histograms[h];
      EXPECT_EQ(codes.at(static_cast<uint32_t>(p * 10 + h)), 3u);
    }
  }
}

TEST(ProtocolCounter, CapsDistinctCodesAndCountsTheRestAsOverflow) {
  ProtocolCounter c;
  core::Anomalies a;
  const uint32_t n = ProtocolCounter::kMaxCodesPerHistogram;
  for (uint32_t code = 0; code < n + 10; ++code) c.OnPdu(Pdu("opcua", code, code + 1), a);
  c.OnPdu(Pdu("opcua", 7, n + 20), a);  // a known code still counts as itself
  const auto r = c.Result();
  const auto& h = r.at("opcua").histograms.at("functions");
  EXPECT_EQ(h.size(), n + 1);
  EXPECT_EQ(h.at(ProtocolCounter::kOverflowCode), 10u);
  EXPECT_EQ(h.at(7), 2u);
  EXPECT_EQ(a.Count("protocols.histogram_full"), 10u);
}

TEST(ProtocolCounter, MergeAddsShardsByName) {
  ProtocolCounter one, two, all;
  core::Anomalies a;
  one.OnPdu(Pdu("s7comm", 4, 1), a);
  one.OnPdu(Pdu("s7comm", 0x31, 2), a);
  two.OnPdu(Pdu("s7comm", 4, 5), a);
  two.OnPdu(Pdu("bacnet", 300, 6), a);
  all.Merge(one);
  all.Merge(two);
  const auto r = all.Result();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.at("s7comm").pdus, 3u);
  EXPECT_EQ(r.at("s7comm").frames, 3u);
  EXPECT_EQ(r.at("s7comm").histograms.at("functions").at(4), 2u);
  EXPECT_EQ(r.at("bacnet").histograms.at("functions").at(300), 1u);
}

// Cyclic traffic repeats a few codes past the dense range: counted through a small cache of
// the histogram's counters. More codes than the cache holds, interleaved, each count apart,
// and a copy of the counter counts on its own (its cache must not reach into the original).
TEST(ProtocolCounter, RecentHighCodesCountApartAndCopiesStayApart) {
  ProtocolCounter c;
  core::Anomalies a;
  const std::vector<uint32_t> codes = {0x8000,     0x8001, 0xc000, 0x8000 + 64, 0x10000,
                                       0xfffffffe, 256,    0x8004, 0x12345678};
  uint64_t frame = 0;
  for (int round = 0; round < 50; ++round) {
    for (size_t i = 0; i < codes.size(); ++i) {
      for (size_t k = 0; k <= i; ++k) c.OnPdu(Pdu("pn_rt", codes[i], ++frame), a);
    }
  }
  ProtocolCounter copy = c;
  for (uint32_t code : codes) copy.OnPdu(Pdu("pn_rt", code, ++frame), a);
  const auto original = c.Result(), copied = copy.Result();
  const auto& mine = original.at("pn_rt").histograms.at("functions");
  const auto& theirs = copied.at("pn_rt").histograms.at("functions");
  ASSERT_EQ(mine.size(), codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    EXPECT_EQ(mine.at(codes[i]), 50u * (i + 1)) << codes[i];
    EXPECT_EQ(theirs.at(codes[i]), 50u * (i + 1) + 1) << codes[i];
  }
  EXPECT_TRUE(a.empty());
}

}  // namespace
}  // namespace qw::model
