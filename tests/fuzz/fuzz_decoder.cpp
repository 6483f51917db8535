// Fuzzes the frame decoder: the first byte picks the link type, the rest is the frame. One
// Decoder persists across inputs, so fragment reassembly state is fuzzed too.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

#include "capture/frame.h"
#include "core/anomalies.h"
#include "decode/decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace qw;
  // Small caps so eviction and timeouts are reached within a run.
  static decode::Decoder decoder([] {
    decode::DecoderLimits limits;
    limits.max_fragment_bytes = 256 << 10;
    limits.max_fragment_datagrams = 16;
    limits.fragment_timeout_ns = 1000;
    return limits;
  }());
  static int64_t clock = 0;
  static constexpr uint32_t kLinks[] = {
      capture::kLinkEthernet, capture::kLinkNull, capture::kLinkRaw,  capture::kLinkLoop,
      capture::kLinkLinuxSll, capture::kLinkIpv4, capture::kLinkIpv6, capture::kLinkLinuxSll2};
  if (size == 0) return 0;
  std::span<const uint8_t> input(data, size);
  decode::Packet packet;
  core::Anomalies anomalies;
  decoder.Decode(kLinks[input.front() % std::size(kLinks)], core::Timestamp{clock++},
                 input.subspan(1), packet, anomalies);
  return 0;
}
