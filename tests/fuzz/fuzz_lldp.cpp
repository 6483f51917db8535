// libFuzzer target: arbitrary bytes as an LLDPDU. The parser must never crash, read out of
// bounds or return strings past its caps.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/anomalies.h"
#include "dissect/lldp/lldp_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qw::core::Anomalies anomalies;
  auto pdu = qw::dissect::ParseLldp(std::span<const uint8_t>(data, size), anomalies);
  if (!pdu) return 0;
  // Invariants the inventory relies on.
  if (pdu->tlvs.size() > qw::dissect::kMaxLldpTlvs) std::abort();
  if (pdu->chassis_id.value.size() > qw::dissect::kMaxLldpStringBytes) std::abort();
  if (pdu->system_name.size() > qw::dissect::kMaxLldpStringBytes) std::abort();
  if (pdu->system_description.size() > qw::dissect::kMaxLldpStringBytes) std::abort();
  if (pdu->port_id && pdu->port_id->value.size() > qw::dissect::kMaxLldpStringBytes) std::abort();
  return 0;
}
