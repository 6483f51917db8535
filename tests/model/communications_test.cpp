#include "model/communications.h"

#include <gtest/gtest.h>

#include <string>

namespace qw::model {
namespace {

dissect::IcsOperation Write(const char* function, const char* requester, const char* device,
                            uint16_t port, uint64_t frame) {
  dissect::IcsOperation op;
  op.protocol = "modbus";
  op.function = function;
  op.category = dissect::IcsCategory::kWrite;
  op.where.transport = 6;
  op.where.requester_ip = *core::IpAddr::Parse(requester);
  op.where.device_ip = *core::IpAddr::Parse(device);
  op.where.device_port = port;
  op.request_frame = frame;
  op.ts = core::Timestamp{static_cast<int64_t>(frame) * 1'000'000};
  return op;
}

// Repeated writes (found again through the write cache) count on the entry their fields
// name, and writes that differ in any field, or in their function's name, stay apart.
TEST(Communications, RepeatedWritesCountOnTheirOwnEntries) {
  core::Anomalies anomalies;
  Communications c(CommunicationLimits{}, anomalies);
  const std::string same_text = "write-single-register";  // equal text, another address
  uint64_t frame = 0;
  for (int round = 0; round < 5; ++round) {
    for (int host = 0; host < 300; ++host) {
      const std::string device =
          "10.1." + std::to_string(host / 200) + "." + std::to_string(host % 200 + 1);
      c.OnIcsOperation(Write("write-single-register", "10.0.0.1", device.c_str(), 502, ++frame));
      c.OnIcsOperation(Write("write-single-coil", "10.0.0.1", device.c_str(), 502, ++frame));
      c.OnIcsOperation(Write("write-single-register", "10.0.0.2", device.c_str(), 502, ++frame));
      c.OnIcsOperation(Write("write-single-register", "10.0.0.1", device.c_str(), 503, ++frame));
    }
    c.OnIcsOperation(Write(same_text.c_str(), "10.0.0.1", "10.1.0.1", 502, ++frame));
  }
  ASSERT_EQ(c.operations().size(), 4u * 300u);
  for (const auto& [k, s] : c.operations()) {
    const bool extra = k.requester == *core::IpAddr::Parse("10.0.0.1") &&
                       k.device == *core::IpAddr::Parse("10.1.0.1") && k.device_port == 502 &&
                       k.function == "write-single-register";
    EXPECT_EQ(s.count, extra ? 10u : 5u) << k.function << " " << k.device.ToString();
    EXPECT_EQ(k.category, "write");
  }
  // The first sighting keeps the earliest frame.
  const auto& first = *c.operations().begin();
  EXPECT_LE(first.second.frame, 4u * 300u);
  EXPECT_TRUE(anomalies.empty());
}

// Asks `n` names from each of three clients, `rounds` times over, numbering frames from 1.
void AskNames(Communications& c, int n, int rounds, uint64_t first_frame = 1) {
  const core::MacAddr none{};
  const auto resolver = *core::IpAddr::Parse("10.0.0.53");
  uint64_t frame = first_frame;
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < n; ++i) {
      for (const char* client : {"10.0.0.7", "10.0.0.8", "10.0.0.9"}) {
        const std::string name = "Host" + std::to_string(i) + ".Example.ORG.";
        c.OnName("dns", name, *core::IpAddr::Parse(client), none, resolver, none,
                 core::Timestamp{static_cast<int64_t>(frame)}, 0, frame);
        ++frame;
      }
    }
  }
}

// More names than the lookup cache has slots: every key counts its own sightings, keeps its
// first frame, and the names come out in key order.
TEST(Communications, NamesCountPerKeyAndListInKeyOrder) {
  core::Anomalies anomalies;
  Communications c(CommunicationLimits{}, anomalies);
  AskNames(c, 3000, 3);
  const auto names = c.names();
  ASSERT_EQ(names.size(), 9000u);
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& [k, s] = *names[i];
    EXPECT_EQ(s.count, 3u) << k.name;
    EXPECT_LE(s.frame, 9000u) << k.name;
    EXPECT_EQ(k.name.substr(0, 4), "host");
    EXPECT_EQ(k.via, "dns");
    if (i > 0) {
      EXPECT_TRUE(NameKeyLess{}(names[i - 1]->first, k)) << i;
    }
  }
  EXPECT_TRUE(anomalies.empty());
}

// A full table raises its cap once per refused name; merging shards gives the tables one
// engine would have made, whatever the order of the merge.
TEST(Communications, NamesAreCappedAndMergeAlike) {
  core::Anomalies anomalies;
  Communications capped(CommunicationLimits{.max_names = 100}, anomalies);
  AskNames(capped, 50, 1);
  EXPECT_EQ(capped.names().size(), 100u);
  EXPECT_FALSE(anomalies.empty());

  core::Anomalies quiet;
  Communications one(CommunicationLimits{}, quiet), a(CommunicationLimits{}, quiet),
      b(CommunicationLimits{}, quiet), ab(CommunicationLimits{}, quiet),
      ba(CommunicationLimits{}, quiet);
  AskNames(one, 200, 2);
  AskNames(a, 200, 1);
  AskNames(b, 200, 1, 1201);
  ab.Merge(a);
  ab.Merge(b);
  ba.Merge(b);
  ba.Merge(a);
  auto text = [](const Communications& c) {
    std::string out;
    for (const auto* e : c.names()) {
      out += e->first.client.ToString() + " " + e->first.name + " " +
             std::to_string(e->second.count) + " " + std::to_string(e->second.frame) + "\n";
    }
    return out;
  };
  EXPECT_EQ(text(ab), text(one));
  EXPECT_EQ(text(ba), text(one));
  EXPECT_TRUE(quiet.empty());
}

}  // namespace
}  // namespace qw::model
