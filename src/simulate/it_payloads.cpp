// Payloads of the IT services around the crane network that simulate writes: SNMP polls
// of switches, syslog from them, and TFTP backups of their configuration.
#include <array>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "simulate/byte_writer.h"
#include "simulate/payloads.h"

namespace qw::simulate {

namespace {

// BER: a TLV with a definite length (short form, or 0x81/0x82 long form).
void Tlv(std::vector<uint8_t>& out, uint8_t tag, const std::vector<uint8_t>& content) {
  out.push_back(tag);
  const size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else if (n < 0x100) {
    out.push_back(0x81);
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  }
  out.insert(out.end(), content.begin(), content.end());
}

// A non-negative INTEGER in its shortest two's-complement form.
std::vector<uint8_t> Integer(uint32_t v) {
  std::vector<uint8_t> c;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto b = static_cast<uint8_t>(v >> shift);
    if (c.empty() && b == 0 && shift > 0) continue;
    if (c.empty() && (b & 0x80) != 0) c.push_back(0);
    c.push_back(b);
  }
  std::vector<uint8_t> out;
  Tlv(out, 0x02, c);
  return out;
}

std::vector<uint8_t> Oid(const std::vector<uint32_t>& arcs) {
  std::vector<uint8_t> c = {static_cast<uint8_t>(arcs[0] * 40 + arcs[1])};
  for (size_t i = 2; i < arcs.size(); ++i) {
    uint8_t tmp[5];
    int n = 0;
    uint32_t v = arcs[i];
    do {
      tmp[n++] = static_cast<uint8_t>(v & 0x7f);
      v >>= 7;
    } while (v != 0);
    while (n > 0) {
      --n;
      c.push_back(static_cast<uint8_t>(tmp[n] | (n > 0 ? 0x80 : 0)));
    }
  }
  std::vector<uint8_t> out;
  Tlv(out, 0x06, c);
  return out;
}

std::vector<uint8_t> Octets(std::string_view text) {
  std::vector<uint8_t> out;
  Tlv(out, 0x04, std::vector<uint8_t>(text.begin(), text.end()));
  return out;
}

std::vector<uint8_t> Cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

size_t Emit(std::span<uint8_t> out, const std::vector<uint8_t>& bytes) {
  ByteWriter w(out);
  w.Bytes(bytes);
  return w.size();
}

}  // namespace

size_t WriteSnmp(std::span<uint8_t> out, const SnmpPoll& poll) {
  const std::vector<uint32_t> kSysDescr = {1, 3, 6, 1, 2, 1, 1, 1, 0};
  const std::vector<uint32_t> kSysObjectId = {1, 3, 6, 1, 2, 1, 1, 2, 0};
  const std::vector<uint32_t> kSysName = {1, 3, 6, 1, 2, 1, 1, 5, 0};
  std::vector<uint8_t> null;
  Tlv(null, 0x05, {});
  auto varbind = [](const std::vector<uint8_t>& oid, const std::vector<uint8_t>& value) {
    std::vector<uint8_t> vb;
    Tlv(vb, 0x30, Cat({oid, value}));
    return vb;
  };
  std::vector<uint8_t> list;
  if (poll.response) {
    Tlv(list, 0x30,
        Cat({varbind(Oid(kSysDescr), Octets(poll.description)),
             varbind(Oid(kSysObjectId), Oid({1, 3, 6, 1, 4, 1, poll.enterprise, 1})),
             varbind(Oid(kSysName), Octets(poll.name))}));
  } else {
    Tlv(list, 0x30,
        Cat({varbind(Oid(kSysDescr), null), varbind(Oid(kSysObjectId), null),
             varbind(Oid(kSysName), null)}));
  }
  std::vector<uint8_t> pdu;
  Tlv(pdu, poll.response ? 0xa2 : 0xa0,
      Cat({Integer(poll.request_id), Integer(0), Integer(0), list}));
  std::vector<uint8_t> message;
  Tlv(message, 0x30, Cat({Integer(1), Octets(poll.community), pdu}));  // version 1: v2c
  return Emit(out, message);
}

size_t WriteSyslog(std::span<uint8_t> out, uint8_t pri, int64_t unix_ns, std::string_view host,
                   std::string_view text) {
  // RFC 3164: "<PRI>Mmm dd hh:mm:ss HOST TAG: text".
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(unix_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char head[48];
  const int n =
      std::snprintf(head, sizeof head, "<%u>%s %2d %02d:%02d:%02d ", unsigned{pri},
                    kMonths[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  ByteWriter w(out);
  w.Str(std::string_view(head, static_cast<size_t>(n)));
  w.Str(host);
  w.Str(" ");
  w.Str(text);
  return w.size();
}

size_t WriteTftp(std::span<uint8_t> out, uint16_t opcode, uint16_t block, std::string_view text) {
  ByteWriter w(out);
  w.U16(opcode);
  if (opcode == 2) {  // WRQ: file name and mode
    w.Str(text);
    w.U8(0);
    w.Str("octet");
    w.U8(0);
    return w.size();
  }
  w.U16(block);
  if (opcode == 3) w.Str(text);  // DATA
  return w.size();
}

std::string SwitchConfig(std::string_view host, std::string_view description) {
  std::string c = "!\n! Last configuration change by crane-admin\n!\nhostname ";
  c += host;
  c += "\n!\nsnmp-server community public RO\nlogging host 10.40.0.10\n!\n";
  for (int port = 1; port <= 12; ++port) {
    c += "interface GigabitEthernet1/0/" + std::to_string(port) + "\n description ";
    c += port <= 8 ? "crane control" : "uplink";
    c += "\n switchport access vlan " + std::to_string(port <= 8 ? 501 : 1) + "\n!\n";
  }
  c += "banner motd ^";
  c += description;
  c += "^\nend\n";
  return c;
}

}  // namespace qw::simulate
