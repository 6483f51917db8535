// BACnet/IP against tshark. One PDU per BVLC message (tshark's "bvlc"); the APDU type,
// confirmed and unconfirmed service choices, BVLC function and network-layer message type
// become the histograms the dissector keeps. BACnet carried straight over Ethernet/LLC
// (bacnet/bacnet-ethernet.pcap: tshark's bacnet/bacapp without bvlc) is out of scope: the
// decoder hands 802.2 payloads on without their SAP, so no frame dissector can claim them.
// Those frames are left out of tshark's side here, and the capture's BACnet/IP frames are
// compared like any others.
#include <cstdint>
#include <string>

#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

// The first occurrence of a field, or nullptr.
const std::string* First(const TsharkFrame& f, const std::string& field) {
  const auto& v = f.Values(field);
  return v.empty() ? nullptr : &v.front();
}

Counters Expect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("bvlc")) continue;
    ++c["pdus"];
    ++c["frames"];
    const std::string* function = First(f, "bvlc.function");
    int64_t bvlc = function ? Number(*function) : -1;
    if (function) ++c["bvlc_functions:" + std::to_string(bvlc)];
    const std::string* control = First(f, "bacnet.control");
    if (control && (Number(*control) & 0x80) != 0) {
      if (const std::string* m = First(f, "bacnet.mesgtyp")) {
        ++c["network_messages:" + std::to_string(Number(*m))];
      }
    }
    const std::string* type = First(f, "bacapp.type");
    if (type) {
      int64_t t = Number(*type);
      ++c["apdu_types:" + std::to_string(t)];
      const std::string* confirmed = First(f, "bacapp.confirmed_service");
      if (confirmed && (t == 0 || t == 2 || t == 3 || t == 5)) {
        ++c["functions:" + std::to_string(Number(*confirmed))];
      }
      const std::string* unconfirmed = First(f, "bacapp.unconfirmed_service");
      if (unconfirmed && t == 1) ++c["unconfirmed:" + std::to_string(Number(*unconfirmed))];
      if (t == 0) ++c["requests"];
      if (t == 2 || t == 3 || t >= 5) ++c["responses"];
      if (t >= 5) ++c["exceptions"];
    } else if (!f.HasProtocol("bacnet")) {
      // BVLC management without an NPDU.
      if (bvlc == 1 || bvlc == 2 || bvlc == 5 || bvlc == 6 || bvlc == 8) ++c["requests"];
      if (bvlc == 0 || bvlc == 3 || bvlc == 7) ++c["responses"];
      const std::string* result = First(f, "bvlc.result");
      if (bvlc == 0 && result && Number(*result) != 0) ++c["exceptions"];
    }
  }
  return c;
}

const Register kBacnet(Spec{
    "bacnet",
    {"bacnet"},
    {"bvlc.function", "bvlc.result", "bacnet.control", "bacnet.mesgtyp", "bacapp.type",
     "bacapp.confirmed_service", "bacapp.unconfirmed_service"},
    Expect,
    {"pdus", "frames", "requests", "responses", "exceptions",
     "functions:", "unconfirmed:", "apdu_types:", "bvlc_functions:", "network_messages:"},
    {},
    "",
});

}  // namespace
}  // namespace qw::ics_compare
