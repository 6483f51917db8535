// RDP and VNC against tshark. RDP: the X.224 TPDU of every TPKT read (cotp.type, which
// tshark shows as the code's high nibble) and the negotiation structures of the connection
// sequence with their values (rdp.neg_type, rdp.negReq.requestedProtocols,
// rdp.negReq.selectedProtocol, rdp.negFailure.failureCode). VNC: the version lines, the
// security types offered and chosen, and the security results. Cookies, client builds and
// names, and version lines are compared as values in ics_compare_test.cpp.
#include <string>
#include <utility>
#include <vector>

#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

Counters RdpExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    for (const auto& v : f.Values("cotp.type")) {
      ++c["tpdu_codes:" + std::to_string(Number(v) << 4)];
    }
    for (const auto& v : f.Values("rdp.neg_type")) ++c["neg_types:" + std::to_string(Number(v))];
    for (const auto& v : f.Values("rdp.negReq.requestedProtocols")) {
      ++c["requested_protocols:" + std::to_string(Number(v))];
    }
    for (const auto& v : f.Values("rdp.negReq.selectedProtocol")) {
      ++c["selected_protocols:" + std::to_string(Number(v))];
    }
    for (const auto& v : f.Values("rdp.negFailure.failureCode")) {
      ++c["failure_codes:" + std::to_string(Number(v))];
    }
  }
  return c;
}

const Register kRdp({
    "rdp",
    {"rdp"},
    {"cotp.type", "rdp.neg_type", "rdp.negReq.requestedProtocols", "rdp.negReq.selectedProtocol",
     "rdp.negFailure.failureCode"},
    RdpExpect,
    {"tpdu_codes:", "neg_types:", "requested_protocols:", "selected_protocols:", "failure_codes:"},
    {},
    "",
});

// "003.008" as major * 1000 + minor.
std::string VersionKey(const std::string& v) {
  const size_t dot = v.find('.');
  if (dot == std::string::npos) return "versions:?";
  return "versions:" +
         std::to_string(std::stoll(v.substr(0, dot)) * 1000 + std::stoll(v.substr(dot + 1)));
}

Counters VncExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("vnc")) continue;
    for (const auto& v : f.Values("vnc.server_proto_ver")) ++c[VersionKey(v)];
    for (const auto& v : f.Values("vnc.client_proto_ver")) ++c[VersionKey(v)];
    for (const auto& v : f.Values("vnc.security_type")) {
      ++c["security_types:" + std::to_string(Number(v))];
    }
    for (const auto& v : f.Values("vnc.server_security_type")) {
      ++c["security_types:" + std::to_string(Number(v))];
    }
    for (const auto& v : f.Values("vnc.client_security_type")) {
      ++c["chosen_types:" + std::to_string(Number(v))];
    }
    for (const auto& v : f.Values("vnc.auth_result")) {
      ++c["security_results:" + std::to_string(v == "True" || v == "1" ? 1 : 0)];
    }
  }
  return c;
}

// vnc-scanner.pcap: tshark 4.0 reads every segment of the RFB handshake on its own, and
// this server sends its type count and its two types in three segments (frames 6 to 8: 02,
// 02, 10). tshark takes each of them, and the client's choice (frame 10), as a security-type
// list cut short (malformed, no types), the 16-octet challenge and response (frames 11, 12)
// as type lists (first octet a count, the rest types), the failed SecurityResult (frame 13)
// as an empty list, and the reason's length (frame 14) and text (frame 15, "Authentication
// failed ...": 'A' is 65) as client choices 0 and 65; it sees no SecurityResult. Read as a
// stream, the server offers 2 and 16, the client chooses 2, the result is 1 (failed), as
// the reason text says and quaywatch counts.
// Each counter's difference, quaywatch minus tshark:
const std::pair<const char*, int64_t> kScannerDeltas[] = {
    {"chosen_types:0", -1},     {"chosen_types:2", 1},      {"chosen_types:65", -1},
    {"security_results:1", 1},  {"security_types:2", 1},    {"security_types:16", 1},
    {"security_types:20", -1},  {"security_types:35", -1},  {"security_types:38", -1},
    {"security_types:45", -1},  {"security_types:49", -1},  {"security_types:50", -1},
    {"security_types:53", -1},  {"security_types:56", -1},  {"security_types:59", -1},
    {"security_types:63", -2},  {"security_types:82", -1},  {"security_types:84", -1},
    {"security_types:87", -1},  {"security_types:96", -1},  {"security_types:105", -1},
    {"security_types:113", -1}, {"security_types:115", -1}, {"security_types:158", -1},
    {"security_types:170", -1}, {"security_types:171", -1}, {"security_types:174", -1},
    {"security_types:175", -1}, {"security_types:200", -1}, {"security_types:229", -1},
    {"security_types:233", -2}, {"security_types:235", -2}, {"security_types:253", -1},
};

std::vector<Explained> ScannerExplained() {
  std::vector<Explained> out;
  for (const auto& [counter, delta] : kScannerDeltas) {
    out.push_back({"vnc/vnc-scanner.pcap", counter, delta,
                   "tshark reads each handshake segment alone (see kScannerDeltas)"});
  }
  return out;
}

const Register kVnc({
    "vnc",
    {"vnc"},
    {"vnc.server_proto_ver", "vnc.client_proto_ver", "vnc.security_type",
     "vnc.server_security_type", "vnc.client_security_type", "vnc.auth_result"},
    VncExpect,
    {"versions:", "security_types:", "chosen_types:", "security_results:"},
    ScannerExplained(),
    "",
});

}  // namespace
}  // namespace qw::ics_compare
