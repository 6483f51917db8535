// Payloads of the IT services around the crane network that simulate writes: SNMP polls
// of switches, syslog from them, and TFTP backups of their configuration.
#include <array>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "core/hex.h"
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

namespace {

// Octets that look random (a key exchange value, a nonce, cipher text), from `state`.
void Noise(ByteWriter& w, size_t n, uint64_t& state) {
  for (size_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    w.U8(static_cast<uint8_t>(state >> 56));
  }
}

// A vendor ID payload of `hex` (16 or 20 octets as hex) followed by payload `next`.
void VendorId(ByteWriter& w, uint8_t next, std::string_view hex) {
  const std::vector<uint8_t> vid = core::ParseHex(hex).value_or(std::vector<uint8_t>{});
  w.U8(next);
  w.U8(0);
  w.U16(static_cast<uint16_t>(4 + vid.size()));
  w.Bytes(vid);
}

}  // namespace

size_t WriteIke(std::span<uint8_t> out, uint32_t message, uint64_t ispi, uint64_t rspi,
                std::string_view user, uint32_t gateway_ip, uint64_t fill) {
  // ISAKMP payload types (RFC 2408): SA, KE, ID, hash, nonce, vendor ID.
  constexpr uint8_t kSa = 1, kKe = 4, kId = 5, kHash = 8, kNonce = 10, kVid = 13;
  ByteWriter w(out);
  const bool aggressive = message <= 2;
  const bool encrypted = message >= 2;
  w.U64(ispi);
  w.U64(message == 0 ? 0 : rspi);
  w.U8(encrypted ? kHash : kSa);
  w.U8(0x10);                     // version 1.0
  w.U8(aggressive ? 4 : 32);      // aggressive mode; quick mode
  w.U8(encrypted ? 0x01 : 0x00);  // the encryption flag
  w.U32(aggressive ? 0 : 0x5a17c0de);
  const size_t length_at = w.size();
  w.U32(0);
  uint64_t state = fill;
  if (encrypted) {
    Noise(w, message == 2 ? 32 : 96, state);  // the hash, or quick mode's payloads
  } else {
    // SA: one proposal with one transform: 3DES, SHA-1, XAUTH with a pre-shared key, group 2
    // (MODP-1024), a lifetime of 28800 s.
    const uint8_t sa[] = {kKe,  0,    0,    56,   0,    0,    0,    1,    0,    0,    0,    1,
                          0,    0,    0,    44,   1,    1,    0,    1,    0,    0,    0,    36,
                          1,    1,    0,    0,    0x80, 0x01, 0x00, 0x05, 0x80, 0x02, 0x00, 0x02,
                          0x80, 0x03, 0xfd, 0xe9, 0x80, 0x04, 0x00, 0x02, 0x80, 0x0b, 0x00, 0x01,
                          0x00, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x70, 0x80};
    w.Bytes(sa);
    w.U8(kNonce);  // key exchange: 128 octets for MODP-1024
    w.U8(0);
    w.U16(4 + 128);
    Noise(w, 128, state);
    w.U8(kId);  // nonce
    w.U8(0);
    w.U16(4 + 20);
    Noise(w, 20, state);
    if (message == 0) {
      // The client's identity, in clear: a user at the crane maker.
      w.U8(kVid);
      w.U8(0);
      w.U16(static_cast<uint16_t>(8 + user.size()));
      w.U8(3);   // ID_USER_FQDN
      w.U8(17);  // UDP
      w.U16(500);
      w.Str(user);
      VendorId(w, kVid, "09002689dfd6b71280a224dec33b81e5");  // XAUTH
      VendorId(w, kVid, "afcad71368a1f1c96b8696fc77570100");  // DPD
      VendorId(w, kVid, "4a131c81070358455c5728f20e95452f");  // RFC 3947 NAT-T
      VendorId(w, 0, "12f5f28c457168a9702d9fe274cc0100");     // Cisco Unity 1.0
    } else {
      // The gateway's identity (its address) and hash.
      w.U8(kHash);
      w.U8(0);
      w.U16(12);
      w.U8(1);  // ID_IPV4_ADDR
      w.U8(17);
      w.U16(500);
      w.U32(gateway_ip);
      w.U8(kVid);
      w.U8(0);
      w.U16(4 + 20);
      Noise(w, 20, state);
      VendorId(w, kVid, "1f07f70eaa6514d3b0fa96542a500100");  // Cisco VPN concentrator
      VendorId(w, kVid, "12f5f28c457168a9702d9fe274cc0100");  // Cisco Unity 1.0
      VendorId(w, 0, "afcad71368a1f1c96b8696fc77570100");     // DPD
    }
  }
  w.PatchBe(length_at, w.size(), 4);
  return w.ok() ? w.size() : 0;
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
