// SMB2/3 and SMB1 against tshark: every SMB2 header (smb2.cmd, compounded members each
// counted) by command, requests and responses (smb2.flags.response), exceptions (error
// severity statuses in smb2.nt_status, STATUS_MORE_PROCESSING_REQUIRED of SESSION_SETUP
// excepted, as quaywatch counts them), SMB3 transform headers (encrypted messages, one
// smb2.header.transform.msg_size each), and the frames carrying smb2; SMB1 commands
// (smb.cmd) and frames. File names of the files read or written are compared in
// ics_compare_test.cpp.
#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

Counters Smb2Expect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("smb2")) continue;
    ++c["frames"];
    const auto& commands = f.Values("smb2.cmd");
    const auto& responses = f.Values("smb2.flags.response");
    const auto& statuses = f.Values("smb2.nt_status");
    size_t status = 0;  // only responses carry an nt_status field
    for (size_t i = 0; i < commands.size(); ++i) {
      const int64_t cmd = Number(commands[i]);
      ++c["commands:" + std::to_string(cmd)];
      ++c["pdus"];
      const bool response = i < responses.size() && responses[i] == "1";
      ++c[response ? "responses" : "requests"];
      if (!response || status >= statuses.size()) continue;
      const int64_t s = Number(statuses[status++]);
      if ((s >> 30) == 3 && !(cmd == 1 && s == 0xC0000016)) ++c["exceptions"];
    }
    for (size_t i = 0; i < f.Values("smb2.header.transform.msg_size").size(); ++i) {
      ++c["transform:253"];
      ++c["pdus"];
    }
  }
  return c;
}

Counters Smb1Expect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("smb")) continue;
    ++c["frames"];
    for (const auto& v : f.Values("smb.cmd")) {
      // tshark also shows an AndX message's "no further commands" (0xFF) as smb.cmd.
      if (Number(v) == 0xff) continue;
      ++c["commands:" + std::to_string(Number(v))];
      ++c["pdus"];
    }
  }
  return c;
}

const Register kSmb2({
    "smb2",
    {"smb"},
    {"smb2.cmd", "smb2.flags.response", "smb2.nt_status", "smb2.header.transform.msg_size"},
    Smb2Expect,
    {"pdus", "frames", "requests", "responses", "exceptions", "commands:", "transform:"},
    {},
    "",
});

// SMB1 also travels in NetBIOS datagrams (the mailslot announcements of Windows hosts, in
// captures of every kind): every folder.
const Register kSmb1({
    "smb",
    {"arp",   "bacnet",   "dhcp",     "dnp3",     "dns",         "enip_cip", "ftp",
     "http",  "iec104",   "iec61850", "lldp_cdp", "mixed_ics",   "mixed_it", "modbus",
     "opcua", "profinet", "rdp",      "s7comm",   "s7comm_plus", "smb",      "snmp",
     "ssh",   "tftp",     "tls",      "vlan",     "vnc"},
    {"smb.cmd"},
    Smb1Expect,
    {"pdus", "frames", "commands:"},
    {},
    "",
});

}  // namespace
}  // namespace qw::ics_compare
