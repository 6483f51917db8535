// EtherNet/IP, CIP and implicit I/O against tshark 4.0.
//
// enip:    one PDU per enip.command occurrence (every encapsulation header tshark dissects),
//          a frame per frame whose protocol stack names "enip"; functions keyed by command.
// cip:     one PDU per cip.service occurrence: tshark adds cip.service (the whole service
//          byte, response bit included, unlike cip.sc which masks it) once for every CIP
//          message, including the request embedded in an Unconnected Send and every member
//          of a Multiple Service Packet, as we count them. Requests and responses by the 0x80
//          bit; exceptions are the cip.genstat values other than 0x00 (success) and 0x06
//          (partial transfer, which fragmented reads and file uploads use to say "more").
// enip_io: one PDU per frame whose stack names "cipio" (implicit I/O on UDP 2222, which
//          tshark shows as cipio without enip), keyed by the sequenced address item's
//          connection id.
#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

Counters EnipCounts(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("enip")) continue;
    ++c["frames"];
    for (const auto& cmd : f.Values("enip.command")) {
      ++c["pdus"];
      ++c["functions:" + std::to_string(Number(cmd))];
    }
  }
  return c;
}

Counters CipCounts(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("cip")) continue;
    ++c["frames"];
    for (const auto& s : f.Values("cip.service")) {
      int64_t service = Number(s);
      ++c["pdus"];
      ++c[(service & 0x80) ? "responses" : "requests"];
      ++c["functions:" + std::to_string(service)];
    }
    for (const auto& g : f.Values("cip.genstat")) {
      int64_t status = Number(g);
      if (status != 0x00 && status != 0x06) ++c["exceptions"];
    }
  }
  return c;
}

Counters IoCounts(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("cipio")) continue;
    ++c["frames"];
    ++c["pdus"];
    const auto& ids = f.Values("enip.cpf.sai.connid");
    if (!ids.empty()) ++c["connections:" + std::to_string(Number(ids.front()))];
  }
  return c;
}

const Register kEnip(Spec{
    "enip",
    {"enip_cip", "mixed_ics"},
    {"enip.command"},
    EnipCounts,
    {"pdus", "frames", "functions:"},
    {},
    "",
});

const Register kCip(Spec{
    "cip",
    {"enip_cip", "mixed_ics"},
    {"cip.service", "cip.genstat"},
    CipCounts,
    {"pdus", "frames", "requests", "responses", "exceptions", "functions:"},
    {},
    "",
});

const Register kEnipIo(Spec{
    "enip_io",
    {"enip_cip"},
    {"enip.cpf.sai.connid"},
    IoCounts,
    {"pdus", "frames", "connections:"},
    {},
    "",
});

}  // namespace
}  // namespace qw::ics_compare
