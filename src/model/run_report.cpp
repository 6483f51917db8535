#include "model/run_report.h"

namespace qw::model {

void FrameCounts::Add(const FrameCounts& o) {
  vlan += o.vlan;
  arp += o.arp;
  ipv4 += o.ipv4;
  ipv6 += o.ipv6;
  tcp += o.tcp;
  udp += o.udp;
  icmp += o.icmp;
  icmpv6 += o.icmpv6;
  lldp += o.lldp;
  cdp += o.cdp;
  stp += o.stp;
  ipv4_fragments += o.ipv4_fragments;
  ipv4_reassembled += o.ipv4_reassembled;
}

uint64_t RunReport::frames() const {
  uint64_t n = 0;
  for (const auto& f : files) n += f.frames;
  return n;
}

uint64_t RunReport::bytes() const {
  uint64_t n = 0;
  for (const auto& f : files) n += f.bytes;
  return n;
}

std::optional<core::Timestamp> RunReport::first_ts() const {
  std::optional<core::Timestamp> t;
  for (const auto& f : files) {
    if (f.first_ts && (!t || *f.first_ts < *t)) t = f.first_ts;
  }
  return t;
}

std::optional<core::Timestamp> RunReport::last_ts() const {
  std::optional<core::Timestamp> t;
  for (const auto& f : files) {
    if (f.last_ts && (!t || *f.last_ts > *t)) t = f.last_ts;
  }
  return t;
}

}  // namespace qw::model
