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

}  // namespace
}  // namespace qw::model
