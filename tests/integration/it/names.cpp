// Name protocols against tshark: DNS, mDNS, LLMNR, NetBIOS Name Service, DHCP and DHCPv6.
// DNS family: messages (dns.flags.response, one per message, so several on one TCP
// segment count several), queries and responses, responses with an error rcode, and the
// opcode, question type and rcode histograms; tshark names a message mDNS or LLMNR by
// port, as quaywatch does. The names themselves (questions, answers, DHCP host names) are
// compared frame by frame in ics_compare_test.cpp.
#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

// tshark's counts for the messages of one flavour ("dns", "mdns", "llmnr").
Counters DnsFamilyExpect(const std::vector<TsharkFrame>& frames, const char* flavour) {
  Counters c;
  for (const auto& f : frames) {
    // A message quoted inside an ICMP error is not traffic of its own.
    if (!f.HasProtocol(flavour) || f.HasProtocol("icmp") || f.HasProtocol("icmpv6")) continue;
    ++c["frames"];
    for (const auto& v : f.Values("dns.flags.response")) {
      ++c["pdus"];
      ++c[Number(v) ? "responses" : "requests"];
    }
    for (const auto& v : f.Values("dns.flags.opcode")) ++c["opcodes:" + std::to_string(Number(v))];
    for (const auto& v : f.Values("dns.flags.rcode")) {
      ++c["rcodes:" + std::to_string(Number(v))];
      if (Number(v) != 0) ++c["exceptions"];
    }
    for (const auto& v : f.Values("dns.qry.type")) ++c["qtypes:" + std::to_string(Number(v))];
  }
  return c;
}

const std::vector<std::string> kFields = {"dns.flags.response", "dns.flags.opcode",
                                          "dns.flags.rcode", "dns.qry.type"};
const std::vector<std::string> kCompared = {"pdus",       "frames",   "requests", "responses",
                                            "exceptions", "opcodes:", "rcodes:",  "qtypes:"};

const Register kDns({
    "dns",
    {"dns", "mixed_it", "modbus"},
    kFields,
    [](const std::vector<TsharkFrame>& frames) { return DnsFamilyExpect(frames, "dns"); },
    kCompared,
    {},
    "",
});

const Register kMdns({
    "mdns",
    {"mixed_it"},
    kFields,
    [](const std::vector<TsharkFrame>& frames) { return DnsFamilyExpect(frames, "mdns"); },
    kCompared,
    {},
    "",
});

const Register kLlmnr({
    "llmnr",
    {"mixed_it", "profinet"},
    kFields,
    [](const std::vector<TsharkFrame>& frames) { return DnsFamilyExpect(frames, "llmnr"); },
    kCompared,
    {},
    "",
});

// NetBIOS Name Service: tshark's nbns fields. Its nbns.type names question and record types
// alike, so only the header's counts are compared.
Counters NbnsExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("nbns") || f.HasProtocol("icmp")) continue;
    ++c["frames"];
    for (const auto& v : f.Values("nbns.flags.response")) {
      ++c["pdus"];
      ++c[Number(v) ? "responses" : "requests"];
    }
    for (const auto& v : f.Values("nbns.flags.opcode")) ++c["opcodes:" + std::to_string(Number(v))];
    for (const auto& v : f.Values("nbns.flags.rcode")) {
      ++c["rcodes:" + std::to_string(Number(v))];
      if (Number(v) != 0) ++c["exceptions"];
    }
  }
  return c;
}

const Register kNbns({
    "nbns",
    {"mixed_it", "enip_cip", "profinet"},
    {"nbns.flags.response", "nbns.flags.opcode", "nbns.flags.rcode"},
    NbnsExpect,
    {"pdus", "frames", "requests", "responses", "exceptions", "opcodes:", "rcodes:"},
    {},
    "",
});

// DHCP and DHCPv6: messages (dhcp.type, dhcpv6.msgtype of the outermost message), client
// and server messages, NAKs, and message types (option 53; BOOTP without it is type 0).
Counters DhcpExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("dhcp") || f.HasProtocol("icmp")) continue;
    ++c["frames"];
    const auto& op = f.Values("dhcp.type");
    if (op.empty()) continue;
    ++c["pdus"];
    ++c[Number(op[0]) == 2 ? "responses" : "requests"];
    const auto& type = f.Values("dhcp.option.dhcp");
    const int64_t t = type.empty() ? 0 : Number(type[0]);
    ++c["message_types:" + std::to_string(t)];
    if (t == 6) ++c["exceptions"];
  }
  return c;
}

Counters Dhcpv6Expect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("dhcpv6") || f.HasProtocol("icmpv6")) continue;
    ++c["frames"];
    const auto& type = f.Values("dhcpv6.msgtype");
    if (type.empty()) continue;
    const int64_t t = Number(type[0]);
    ++c["pdus"];
    const bool server =
        t == 2 || t == 7 || t == 10 || t == 13 || t == 15 || t == 17 || t == 21 || t == 31;
    ++c[server ? "responses" : "requests"];
    ++c["message_types:" + std::to_string(t)];
  }
  return c;
}

const Register kDhcp({
    "dhcp",
    {"dhcp", "mixed_ics", "modbus", "profinet"},
    {"dhcp.type", "dhcp.option.dhcp"},
    DhcpExpect,
    {"pdus", "frames", "requests", "responses", "exceptions", "message_types:"},
    {},
    "",
});

const Register kDhcpv6({
    "dhcpv6",
    {"profinet"},
    {"dhcpv6.msgtype"},
    Dhcpv6Expect,
    {"pdus", "frames", "requests", "responses", "message_types:"},
    {},
    "",
});

}  // namespace
}  // namespace qw::ics_compare
