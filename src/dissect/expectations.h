// Flows that one dissector tells the engine to expect: FTP data connections announced on
// the control connection (PORT, PASV, EPRT, EPSV), TFTP transfers answered from a new port.
// When a flow that matches starts, it gets the dissector made for it instead of probes.
//
// Flows are sharded by address pair, so an expected flow meets its expectation in the same
// engine as long as its addresses are those of the announcing flow (NAT rewriting an FTP
// reply's address defeats it, as it defeats every passive sensor).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/address.h"
#include "core/anomalies.h"
#include "core/timestamp.h"
#include "dissect/dissector.h"
#include "flow/flow.h"

namespace qw::dissect {

/// Expected flows, bounded, oldest dropped first. One per engine (shard).
class Expectations {
 public:
  /// Expectations held at once; beyond it the oldest goes (`dissect.expectations_full`).
  static constexpr size_t kMaxExpectations = 256;

  /// One side of an expected flow; port 0 matches any port but `except_port` (when set):
  /// a TFTP server answers from any port but the one it was asked on.
  struct Side {
    core::IpAddr ip;
    uint16_t port = 0;
    uint16_t except_port = 0;
  };

  /// Expects a `transport` flow on `vlan` between `a` and `b` (either may initiate) before
  /// `expires` (a routed copy of it on another VLAN is another flow, with its own);
  /// such a flow is handed `dissector`, reported under `info`'s name. `owner` identifies the
  /// announcing flow: a new expectation of the same owner replaces its previous one.
  void Expect(uint8_t transport, uint16_t vlan, Side a, Side b, core::Timestamp expires,
              uint64_t owner, const StreamDissectorInfo& info, std::unique_ptr<Dissector> dissector,
              core::Anomalies& anomalies);
  /// Takes the dissector expected for the new flow `f` (and sets `info`), or nullptr.
  std::unique_ptr<Dissector> Take(const flow::Flow& f, const StreamDissectorInfo*& info);
  /// Expectations held now.
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint8_t transport = 0;
    uint16_t vlan = 0;
    Side a, b;
    core::Timestamp expires;
    uint64_t owner = 0;
    const StreamDissectorInfo* info = nullptr;
    std::unique_ptr<Dissector> dissector;
  };
  std::vector<Entry> entries_;  // in the order they were made
};

}  // namespace qw::dissect
