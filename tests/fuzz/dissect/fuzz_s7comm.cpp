// libFuzzer target: arbitrary bytes as TPKT/COTP and S7comm. The parsers must never crash,
// read out of bounds or keep more than their caps allow; the port-102 flow dissector, fed
// the same bytes as a stream (see s7_fuzz_flow.h), must only report well-formed observations.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/s7comm/cotp_parser.h"
#include "dissect/s7comm/s7comm_parser.h"
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
    qw::fuzz::RunFlow("s7comm", bytes, true);
    return 0;
  }
  qw::core::Anomalies anomalies;
  (void)ProbeIsoTransport(bytes, kS7commProtocolId);
  TpktFrame tpkt = ReadTpkt(bytes);
  if (tpkt.status == TpktStatus::kOk && tpkt.length > size) std::abort();
  if (auto tpdu = ParseCotp(tpkt.status == TpktStatus::kOk ? tpkt.tpdu : bytes)) {
    if (tpdu->calling_tsap.size > kMaxTsapBytes || tpdu->called_tsap.size > kMaxTsapBytes) {
      std::abort();
    }
  }
  // The S7 message is the first DT's user data when the bytes start with one, else all.
  std::span<const uint8_t> message = bytes;
  if (tpkt.status == TpktStatus::kOk) {
    if (auto dt = ParseCotp(tpkt.tpdu); dt && !dt->user_data.empty()) message = dt->user_data;
  }
  if (auto pdu = ParseS7comm(message, anomalies)) {
    if (pdu->items_kept > kMaxS7Items || pdu->results_kept > kMaxS7Items) std::abort();
    if (pdu->pi.block_count > kMaxS7PiBlocks) std::abort();
    if (pdu->block_data.bytes.size() > message.size()) std::abort();
    if (auto list = ParseS7SzlList(pdu->userdata.data)) {
      S7DeviceInfo info;
      ReadS7SzlIdentity(*list, info, anomalies);
    }
    qw::core::FixedText<112> target;
    for (size_t i = 0; i < pdu->items_kept; ++i) AppendS7Item(pdu->items[i], target);
  }
  qw::fuzz::RunFlow("s7comm", bytes, false);
  return 0;
}
