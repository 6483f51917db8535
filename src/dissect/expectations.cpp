#include "dissect/expectations.h"

#include <algorithm>

namespace qw::dissect {

namespace {

bool Matches(const Expectations::Side& s, const core::IpAddr& ip, uint16_t port) {
  return s.ip == ip && (s.port == 0 || s.port == port) &&
         (s.except_port == 0 || s.except_port != port);
}

}  // namespace

void Expectations::Expect(uint8_t transport, uint16_t vlan, Side a, Side b, core::Timestamp expires,
                          uint64_t owner, const StreamDissectorInfo& info,
                          std::unique_ptr<Dissector> dissector, core::Anomalies& anomalies) {
  std::erase_if(entries_, [&](const Entry& e) { return e.owner == owner; });
  if (entries_.size() >= kMaxExpectations) {
    anomalies.Raise("dissect.expectations_full");
    entries_.erase(entries_.begin());
  }
  entries_.push_back({transport, vlan, a, b, expires, owner, &info, std::move(dissector)});
}

std::unique_ptr<Dissector> Expectations::Take(const flow::Flow& f,
                                              const StreamDissectorInfo*& info) {
  if (entries_.empty()) return nullptr;
  // Expired ones go first: an expectation lives until its time, whatever came since.
  std::erase_if(entries_, [&](const Entry& e) { return e.expires < f.first_ts; });
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->transport != f.proto || it->vlan != f.vlan) continue;
    const bool forward = Matches(it->a, f.initiator_ip, f.initiator_port) &&
                         Matches(it->b, f.responder_ip, f.responder_port);
    const bool backward = Matches(it->b, f.initiator_ip, f.initiator_port) &&
                          Matches(it->a, f.responder_ip, f.responder_port);
    if (!forward && !backward) continue;
    info = it->info;
    std::unique_ptr<Dissector> d = std::move(it->dissector);
    entries_.erase(it);
    return d;
  }
  return nullptr;
}

}  // namespace qw::dissect
