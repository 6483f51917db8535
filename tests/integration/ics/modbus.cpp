// Modbus/TCP against tshark 4.0: PDUs (one mbtcp.trans_id per ADU), frames that carry mbtcp,
// requests and responses as tshark classifies them (by port 502), exceptions, the function
// histogram, MEI types of function 43 and sub-functions of function 8.
#include <string>
#include <vector>

#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

constexpr int64_t kModbusPort = 502;
constexpr int64_t kExceptionBit = 0x80;

// tshark wrong: it marks a segment that overlaps bytes it has seen as "TCP Retransmission"
// and hands none of it to Modbus, also the part never seen before. Three such segments
// carry new ADUs: frame 1131 (stream 0: bytes 151-199 after frame 1014's 139-151) holds the
// four read-input-registers requests 22506-22509, whose answers tshark itself shows in frame
// 3008; frame 3674 fills the hole before frame 3008 (bytes 371-384, "previous segment not
// captured" at frame 2878) with the answer to request 22505; frame 13176 (stream 15) adds
// bytes 5471-5501 after frame 13142 with the answers to 9824 (function 4) and 9825 (function 2).
// quaywatch's reassembly keeps the first copy of each byte and delivers the new ones.
constexpr const char* kMb2 = "mixed_ics/mb2_modbus_s7_enip_pn_lldp.pcap";
constexpr const char* kMb2Retransmissions =
    "tshark skips the never-seen bytes of overlapping retransmissions: frame 1131 (requests "
    "22506-22509, function 4), 3674 (answer to 22505, function 4) and 13176 (answers to 9824, "
    "function 4, and 9825, function 2); quaywatch delivers them";

Counters ExpectModbus(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("mbtcp")) continue;
    ++c["frames"];
    auto pdus = static_cast<int64_t>(f.Values("mbtcp.trans_id").size());
    c["pdus"] += pdus;
    // tshark classifies by port: to 502 a query, from 502 a response, else neither.
    const auto& src = f.Values("tcp.srcport");
    const auto& dst = f.Values("tcp.dstport");
    if (!src.empty() && !dst.empty()) {
      bool from_server = Number(src[0]) == kModbusPort;
      bool to_server = Number(dst[0]) == kModbusPort;
      if (to_server && !from_server) c["requests"] += pdus;
      if (from_server && !to_server) c["responses"] += pdus;
    }
    // modbus.func_code is masked with 0x7f (packet-mbtcp.c); a PDU with the exception bit
    // shows modbus.exception_code instead. Frames here hold either no exception or only
    // exceptions; a mix could not be told apart PDU by PDU and is counted on its own key.
    const auto& functions = f.Values("modbus.func_code");
    const auto& exceptions = f.Values("modbus.exception_code");
    c["exceptions"] += static_cast<int64_t>(exceptions.size());
    bool all_exceptions = !exceptions.empty() && exceptions.size() == functions.size();
    if (!exceptions.empty() && !all_exceptions) ++c["frames_mixing_exceptions"];
    for (const auto& fn : functions) {
      ++c["functions:" + std::to_string(Number(fn) | (all_exceptions ? kExceptionBit : 0))];
    }
    for (const auto& mei : f.Values("modbus.mei")) ++c["mei:" + std::to_string(Number(mei))];
    for (const auto& sub : f.Values("modbus.diagnostic_code")) {
      ++c["diagnostics:" + std::to_string(Number(sub))];
    }
  }
  return c;
}

const Register kModbus(Spec{
    "modbus",
    {"modbus", "mixed_ics"},
    {"mbtcp.trans_id", "modbus.func_code", "modbus.exception_code", "modbus.mei",
     "modbus.diagnostic_code", "tcp.srcport", "tcp.dstport"},
    &ExpectModbus,
    {"pdus", "frames", "requests", "responses", "exceptions",
     "functions:", "mei:", "diagnostics:", "frames_mixing_exceptions"},
    {
        {kMb2, "frames", 3, kMb2Retransmissions},
        {kMb2, "pdus", 7, kMb2Retransmissions},
        {kMb2, "requests", 4, kMb2Retransmissions},
        {kMb2, "responses", 3, kMb2Retransmissions},
        {kMb2, "functions:4", 6, kMb2Retransmissions},
        {kMb2, "functions:2", 1, kMb2Retransmissions},
    },
    "",
});

}  // namespace
}  // namespace qw::ics_compare
