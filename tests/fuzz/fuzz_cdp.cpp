// libFuzzer target: arbitrary bytes as a CDP PDU. The parser must never crash, read out of
// bounds or keep more than its caps allow.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/anomalies.h"
#include "dissect/cdp/cdp_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qw::core::Anomalies anomalies;
  auto pdu = qw::dissect::ParseCdp(std::span<const uint8_t>(data, size), anomalies);
  if (!pdu) return 0;
  // Invariants the inventory relies on.
  if (pdu->tlvs.size() > qw::dissect::kMaxCdpTlvs) std::abort();
  if (pdu->device_id.size() > qw::dissect::kMaxCdpStringBytes) std::abort();
  if (pdu->software_version.size() > qw::dissect::kMaxCdpStringBytes) std::abort();
  if (pdu->addresses.size() > pdu->tlvs.size() * qw::dissect::kMaxCdpAddresses) std::abort();
  for (const auto& tlv : pdu->tlvs) {
    if (tlv.value_hex.size() > 2 * qw::dissect::kMaxCdpRawValueBytes) std::abort();
  }
  return 0;
}
