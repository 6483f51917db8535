// libFuzzer target: arbitrary bytes as an S7comm-plus packet and as a port-102 stream named
// "s7comm_plus" (see s7_fuzz_flow.h). Nothing may crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/s7comm/cotp_parser.h"
#include "dissect/s7comm_plus/s7comm_plus_parser.h"
#include "s7_fuzz_flow.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace qw::dissect;
  // The first octet chooses: odd, the rest is flow records (s7_fuzz_flow.h); even, it is
  // one TCP segment of TPKTs, read by the parsers too.
  std::span<const uint8_t> input(data, size);
  if (input.empty()) return 0;
  bool records = (qw::core::ByteReader(input).U8() & 1) != 0;
  std::span<const uint8_t> bytes = input.subspan(1);
  if (records) {
    qw::fuzz::RunFlow("s7comm_plus", bytes, true);
    return 0;
  }
  qw::core::Anomalies anomalies;
  // The packet is the first DT's user data when the bytes start with one, else all.
  std::span<const uint8_t> message = bytes;
  TpktFrame tpkt = ReadTpkt(bytes);
  if (tpkt.status == TpktStatus::kOk) {
    if (auto dt = ParseCotp(tpkt.tpdu); dt && !dt->user_data.empty()) message = dt->user_data;
  }
  if (auto packet = ParseS7PlusPacket(message, anomalies)) {
    if (packet->data.size() > message.size()) std::abort();
    if (auto head = ParseS7PlusHead(packet->data)) {
      if (head->body.size() > packet->data.size()) std::abort();
    }
  }
  S7PlusSessionVersion version;
  if (FindS7PlusSessionVersion(message, version, anomalies)) {
    if (version.order_number.empty() || version.firmware.empty()) std::abort();
  }
  (void)ParseS7PlusHead(bytes);
  qw::fuzz::RunFlow("s7comm_plus", bytes, false);
  return 0;
}
