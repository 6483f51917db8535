// Engine limits small enough that a few kilobytes of input reach every cap: shared by the
// whole-pipeline fuzz target and the test that replays its corpus, so both run the same
// pipeline.
#pragma once

#include "app/engine.h"

namespace qw::fuzz {

/// Limits a few frames can exhaust.
inline app::EngineLimits SmallPipelineLimits() {
  app::EngineLimits l;
  l.decoder.max_fragment_bytes = 16 << 10;
  l.decoder.max_fragment_datagrams = 8;
  l.decoder.fragment_timeout_ns = 1'000'000'000;
  l.flows.max_flows = 64;
  l.flows.udp_idle_ns = 10'000'000'000;
  l.flows.other_idle_ns = 10'000'000'000;
  l.flows.tcp_closed_linger_ns = 1'000'000'000;
  l.flows.max_stream_buffer = 4096;
  l.flows.max_ooo_segments = 16;
  l.flows.max_stream_memory = 16 << 10;
  l.inventory.max_macs = 32;
  l.inventory.max_ips = 64;
  l.inventory.max_ips_per_mac = 8;
  l.inventory.max_services_per_ip = 8;
  l.inventory.max_vlans_per_device = 4;
  l.attach.max_probe_bytes = 512;
  l.attach.max_pending_bytes = 4096;
  return l;
}

}  // namespace qw::fuzz
