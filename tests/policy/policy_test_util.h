// Helpers of the policy tests: a policy from text, addresses from text, a stream consumer
// that only names its protocol, and an ended flow that carries one.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <span>
#include <string>

#include "core/address.h"
#include "flow/flow.h"
#include "model/communications.h"
#include "policy/policy.h"

namespace qw::policy::testing_util {

/// The policy of `text`; a test failure (and an empty policy) when it does not load.
inline Policy Load(const std::string& text) {
  auto r = ParsePolicy(text, "site.yaml");
  EXPECT_TRUE(r.policy) << (r.errors.empty() ? "" : r.errors[0].Text());
  return r.policy ? *r.policy : Policy{};
}

/// The address of `s`, which must be one.
inline core::IpAddr Ip(const char* s) { return *core::IpAddr::Parse(s); }
/// The MAC of `s`, which must be one.
inline core::MacAddr Mac(const char* s) { return *core::MacAddr::Parse(s); }

/// A stream consumer that only names its protocol.
class Named final : public flow::StreamConsumer {
 public:
  explicit Named(const char* p) : p_(p) {}
  void OnData(flow::Direction, std::span<const uint8_t>, uint64_t, core::Timestamp) override {}
  void OnGap(flow::Direction, uint64_t) override {}
  void OnEnd(flow::EndReason) override {}
  bool WantsData() const override { return false; }
  const char* Protocol() const override { return p_; }

 private:
  const char* p_;
};

/// Ends a flow from `from` to `to`'s `port` over `transport` (its time the frame number's
/// nanoseconds), recognised as `protocol` (nullptr: not recognised), into `comms`.
inline void EndFlow(model::Communications& comms, const char* from, const char* to,
                    uint8_t transport, uint16_t port, const char* protocol, uint64_t frame) {
  flow::Flow f;
  f.initiator_ip = Ip(from);
  f.responder_ip = Ip(to);
  f.proto = transport;
  f.responder_port = port;
  f.first_frame = frame;
  f.first_ts = f.last_ts = core::Timestamp{static_cast<int64_t>(frame)};
  if (protocol) f.consumer = std::make_unique<Named>(protocol);
  comms.OnFlowEnd(f);
}

}  // namespace qw::policy::testing_util
