// RDP and VNC against tshark. RDP: the X.224 TPDU of every TPKT read (cotp.type, which
// tshark shows as the code's high nibble) and the negotiation structures of the connection
// sequence with their values (rdp.neg_type, rdp.negReq.requestedProtocols,
// rdp.negReq.selectedProtocol, rdp.negFailure.failureCode). VNC: the version lines, the
// security types offered and chosen, and the security results. Cookies, client builds and
// names, and version lines are compared as values in ics_compare_test.cpp.
#include <string>

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

const Register kVnc({
    "vnc",
    {"vnc"},
    {"vnc.server_proto_ver", "vnc.client_proto_ver", "vnc.security_type",
     "vnc.server_security_type", "vnc.client_security_type", "vnc.auth_result"},
    VncExpect,
    {"versions:", "security_types:", "chosen_types:", "security_results:"},
    {},
    "",
});

}  // namespace
}  // namespace qw::ics_compare
