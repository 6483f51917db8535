// SSH against tshark: identification lines (ssh.protocol, counted by major version) and the
// message code of every clear-text packet (ssh.message_code). tshark also labels SSH every
// segment of encrypted packets, which have no boundary anyone can read, so frames are not
// compared; the PDUs both count are the lines and clear-text packets. HASSH and
// HASSHServer are compared in ics_compare_test.cpp.
#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

Counters SshExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("ssh")) continue;
    for (const auto& v : f.Values("ssh.protocol")) {
      const bool v1 = v.rfind("SSH-1.", 0) == 0 && v.rfind("SSH-1.99", 0) != 0;
      ++c[v1 ? "banners:1" : "banners:2"];
      ++c["pdus"];
    }
    for (const auto& v : f.Values("ssh.message_code")) {
      ++c["message_codes:" + std::to_string(Number(v))];
      ++c["pdus"];
    }
  }
  return c;
}

const Register kSsh({
    "ssh",
    {"ssh"},
    {"ssh.protocol", "ssh.message_code"},
    SshExpect,
    {"pdus", "banners:", "message_codes:"},
    {},
    "",
});

}  // namespace
}  // namespace qw::ics_compare
