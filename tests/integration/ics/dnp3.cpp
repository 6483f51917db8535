// DNP3 against tshark 4.0: link frames, application functions, requests, responses and IIN
// errors, on the DNP3 captures and on the EtherNet/IP folder (one capture there carries a
// DNP3 exchange on port 20000).
//
// How tshark's fields become our counters:
// - frames: frames whose protocol stack names dnp3 (`tshark -Y dnp3`);
// - pdus: link frames, one dnp3.ctl each (a frame may hold several);
// - link_functions:<code>: every link frame's function with the PRM bit (0x40) added for
//   primary frames: dnp3.ctl.prifunc + 64, dnp3.ctl.secfunc;
// - functions:<code>: dnp3.al.func, which tshark shows once per application fragment, in
//   the frame where its last transport segment arrives;
// - requests: functions 1-127; responses: 129 and 131 (confirms, 0, and unsolicited
//   responses, 130, are neither);
// - exceptions: fragments whose IIN says the request failed (IIN2.0 function not
//   supported, 2.1 object unknown, 2.2 parameter error, 2.4 already executing).
#include <string>
#include <vector>

#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

Counters Expect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("dnp3")) continue;
    ++c["frames"];
    c["pdus"] += static_cast<int64_t>(f.Values("dnp3.ctl").size());
    for (const auto& v : f.Values("dnp3.ctl.prifunc")) {
      ++c["link_functions:" + std::to_string(64 + Number(v))];
    }
    for (const auto& v : f.Values("dnp3.ctl.secfunc")) {
      ++c["link_functions:" + std::to_string(Number(v))];
    }
    for (const auto& v : f.Values("dnp3.al.func")) {
      int64_t func = Number(v);
      ++c["functions:" + std::to_string(func)];
      if (func >= 1 && func <= 127) ++c["requests"];
      if (func == 129 || func == 131) ++c["responses"];
    }
    for (const auto& v : f.Values("dnp3.al.iin")) {
      if ((Number(v) & 0x0017) != 0) ++c["exceptions"];
    }
  }
  return c;
}

const Register kDnp3{Spec{
    "dnp3",
    {"dnp3", "enip_cip"},
    {"dnp3.ctl", "dnp3.ctl.prifunc", "dnp3.ctl.secfunc", "dnp3.al.func", "dnp3.al.iin"},
    Expect,
    {"frames", "pdus", "requests", "responses", "exceptions", "functions:", "link_functions:"},
    {
        {"dnp3/DNP3-Malformed.pcap", "frames", -1,
         "frame 1 (a connection of one segment) carries a link header with length 2, below the "
         "5 octets that control, destination and source take: not a DNP3 frame. tshark "
         "checks only the start octets and the header CRC (which is right) before it names "
         "the frame dnp3, then throws on the 7-byte PDU that length implies (Malformed "
         "Packet, no dnp3.ctl: no PDU on either side). Our probe also rejects a length "
         "below 5, so that connection is never attached and the frame is not counted"},
    },
    ""}};

}  // namespace
}  // namespace qw::ics_compare
