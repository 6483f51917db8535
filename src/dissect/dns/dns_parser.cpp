#include "dissect/dns/dns_parser.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/address.h"

namespace qw::dissect::dns {

namespace {

// RFC 1035 4.1.1
// clang-format off
//  | id:2 | QR:1 opcode:4 AA:1 TC:1 RD:1 | RA:1 Z:1 AD:1 CD:1 rcode:4 |
//  | qdcount:2 | ancount:2 | nscount:2 | arcount:2 |
// clang-format on
constexpr size_t kHeaderBytes = 12;

// Least octets a question (root name, type, class) and a record (plus ttl and rdlength)
// take: what bounds the counts a message of a given size can honestly declare.
constexpr size_t kMinQuestionBytes = 5;
constexpr size_t kMinRecordBytes = 11;

// Whether a label octet shows as itself in master-file text: printable, and neither the
// label separator nor the escape.
constexpr bool ShowsAsItself(uint8_t c) { return c > 0x20 && c < 0x7f && c != '.' && c != '\\'; }

// Appends one label octet as RFC 1035 5.1 master-file text: '.' and '\' escaped, bytes
// that are not printable as \DDD.
void AppendLabelOctet(uint8_t c, DnsText& out) {
  if (ShowsAsItself(c)) {
    out.Append(static_cast<char>(c));
  } else if (c == '.' || c == '\\') {
    out.Append('\\').Append(static_cast<char>(c));
  } else {
    out.Append('\\');
    out.Append(static_cast<char>('0' + c / 100));
    out.Append(static_cast<char>('0' + c / 10 % 10));
    out.Append(static_cast<char>('0' + c % 10));
  }
}

// Appends a <character-string> (RFC 1035 3.3) quoted, with '"' and '\' escaped.
void AppendCharacterString(core::ByteReader& r, DnsText& out) {
  const uint8_t n = r.U8();
  core::ByteReader s = r.Sub(n);
  out.Append('"');
  while (!s.empty()) {
    const uint8_t c = s.U8();
    if (c == '"' || c == '\\') {
      out.Append('\\').Append(static_cast<char>(c));
    } else if (c >= 0x20 && c < 0x7f) {
      out.Append(static_cast<char>(c));
    } else {
      out.Append('\\');
      out.Append(static_cast<char>('0' + c / 100));
      out.Append(static_cast<char>('0' + c / 10 % 10));
      out.Append(static_cast<char>('0' + c % 10));
    }
  }
  out.Append('"');
}

// RFC 3597 5: "\# length hex".
void AppendGeneric(std::span<const uint8_t> data, DnsText& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out.Append("\\# ").AppendUint(data.size());
  if (data.empty()) return;
  out.Append(' ');
  core::ByteReader r(data);
  while (!r.empty() && !out.truncated()) {
    const uint8_t c = r.U8();
    out.Append(kDigits[c >> 4]).Append(kDigits[c & 0xf]);
  }
}

void AppendAddress(const core::IpAddr& ip, DnsText& out) {
  std::array<char, core::IpAddr::kMaxText> buf;
  out.Append(std::string_view(buf.data(), ip.Format(buf)));
}

// Reads a name inside record data at reader position `r` (an offset into the message),
// appends it, and moves r past it. False when it is malformed.
bool AppendNameAt(std::span<const uint8_t> message, size_t data_offset, core::ByteReader& r,
                  DnsText& out, core::Anomalies& anomalies) {
  DnsText name;
  auto end = ReadName(message, data_offset + r.position(), name, anomalies);
  if (!end || *end > data_offset + r.position() + r.remaining()) return false;
  r.Skip(*end - data_offset - r.position());
  out.Append(name.view());
  return true;
}

}  // namespace

std::optional<size_t> ReadName(std::span<const uint8_t> message, size_t offset, DnsText& out,
                               core::Anomalies& anomalies) {
  core::ByteReader r(message);
  if (!r.Skip(offset)) {
    anomalies.Raise("dns.truncated");
    return std::nullopt;
  }
  std::optional<size_t> end;  // set at the first pointer: the name in place ends there
  size_t labels = 0, pointers = 0;
  for (;;) {
    const uint8_t len = r.U8();
    if (!r.ok()) {
      anomalies.Raise("dns.truncated");
      return std::nullopt;
    }
    if (len == 0) break;
    switch (len & 0xc0) {
      case 0xc0: {
        // RFC 1035 4.1.4: a pointer to an earlier occurrence of the rest of the name.
        const uint8_t low = r.U8();
        if (!r.ok()) {
          anomalies.Raise("dns.truncated");
          return std::nullopt;
        }
        if (!end) end = r.position();
        if (++pointers > kMaxDnsPointers) {
          anomalies.Raise("dns.pointer_loop");
          return std::nullopt;
        }
        const size_t target = static_cast<size_t>(len & 0x3f) << 8 | low;
        r = core::ByteReader(message);
        if (!r.Skip(target)) {
          anomalies.Raise("dns.bad_pointer");
          return std::nullopt;
        }
        continue;
      }
      case 0x00: {
        if (++labels > kMaxDnsLabels) {
          anomalies.Raise("dns.too_many_labels");
          return std::nullopt;
        }
        core::ByteReader label = r.Sub(len);
        if (!r.ok()) {
          anomalies.Raise("dns.truncated");
          return std::nullopt;
        }
        if (!out.empty()) out.Append('.');
        const std::span<const uint8_t> octets = label.Bytes(len);
        // (A lambda, not the function's address, so that the test is inlined per octet.)
        if (std::all_of(octets.begin(), octets.end(), [](uint8_t c) { return ShowsAsItself(c); })) {
          // The usual label, printable as it is: appended whole.
          out.Append(std::string_view(reinterpret_cast<const char*>(octets.data()), octets.size()));
        } else {
          for (uint8_t c : octets) AppendLabelOctet(c, out);
        }
        continue;
      }
      default:
        // 0x40 (extended label types, RFC 6891 retired them) and 0x80 are reserved.
        anomalies.Raise("dns.bad_label_type");
        return std::nullopt;
    }
  }
  if (out.empty()) out.Append('.');
  return end ? *end : r.position();
}

MessageReader::MessageReader(std::span<const uint8_t> message) : message_(message), r_(message) {
  header_.id = r_.U16Be();
  header_.flags = r_.U16Be();
  header_.qdcount = r_.U16Be();
  header_.ancount = r_.U16Be();
  header_.nscount = r_.U16Be();
  header_.arcount = r_.U16Be();
  ok_ = r_.ok();
  total_ = size_t{header_.qdcount} + header_.ancount + header_.nscount + header_.arcount;
  done_ = ok_ && total_ == 0;
}

bool MessageReader::Next(Record& out, core::Anomalies& anomalies) {
  if (!ok_ || failed_ || done_) return false;
  if (index_ == kMaxDnsRecords) {
    anomalies.Raise("dns.too_many_records");
    failed_ = true;
    return false;
  }
  const size_t qd = header_.qdcount, an = qd + header_.ancount, ns = an + header_.nscount;
  out.section = index_ < qd   ? Section::kQuestion
                : index_ < an ? Section::kAnswer
                : index_ < ns ? Section::kAuthority
                              : Section::kAdditional;
  out.name.Clear();
  auto end = ReadName(message_, r_.position(), out.name, anomalies);
  if (!end) {
    failed_ = true;
    return false;
  }
  r_.Skip(*end - r_.position());
  out.type = r_.U16Be();
  out.rclass = r_.U16Be();
  out.ttl = 0;
  out.data = {};
  out.data_offset = 0;
  if (out.section != Section::kQuestion) {
    out.ttl = r_.U32Be();
    const uint16_t rdlength = r_.U16Be();
    out.data_offset = r_.position();
    out.data = r_.Bytes(rdlength);
  }
  if (!r_.ok()) {
    anomalies.Raise("dns.truncated");
    failed_ = true;
    return false;
  }
  done_ = ++index_ == total_;
  return true;
}

void FormatData(std::span<const uint8_t> message, const Record& record, DnsText& out,
                core::Anomalies& anomalies) {
  out.Clear();
  core::ByteReader r(record.data);
  bool ok = true;
  switch (record.type) {
    case 1:  // A
      ok = r.remaining() == 4;
      if (ok) AppendAddress(core::IpAddr::V4(r.Bytes(4)), out);
      break;
    case 28:  // AAAA
      ok = r.remaining() == 16;
      if (ok) AppendAddress(core::IpAddr::V6(r.Bytes(16)), out);
      break;
    case 2:   // NS
    case 5:   // CNAME
    case 12:  // PTR
    case 39:  // DNAME
      ok = AppendNameAt(message, record.data_offset, r, out, anomalies) && r.empty();
      break;
    case 15:  // MX: preference, exchange
      out.AppendUint(r.U16Be()).Append(' ');
      ok = r.ok() && AppendNameAt(message, record.data_offset, r, out, anomalies) && r.empty();
      break;
    case 33: {  // SRV (RFC 2782): priority, weight, port, target
      const uint16_t priority = r.U16Be(), weight = r.U16Be(), port = r.U16Be();
      out.AppendUint(priority).Append(' ').AppendUint(weight).Append(' ').AppendUint(port);
      out.Append(' ');
      ok = r.ok() && AppendNameAt(message, record.data_offset, r, out, anomalies) && r.empty();
      break;
    }
    case 6: {  // SOA: mname, rname, serial, refresh, retry, expire, minimum
      ok = AppendNameAt(message, record.data_offset, r, out, anomalies);
      out.Append(' ');
      ok = ok && AppendNameAt(message, record.data_offset, r, out, anomalies);
      for (int i = 0; ok && i < 5; ++i) out.Append(' ').AppendUint(r.U32Be());
      ok = ok && r.ok() && r.empty();
      break;
    }
    case 16:  // TXT: one or more character-strings
    case 13:  // HINFO: cpu, os
      ok = !r.empty();
      for (bool first = true; ok && !r.empty(); first = false) {
        if (!first) out.Append(' ');
        AppendCharacterString(r, out);
        ok = r.ok();
      }
      break;
    default:
      AppendGeneric(record.data, out);
      return;
  }
  if (!ok) {
    anomalies.Raise("dns.bad_record_data");
    // Keep what the wire said, raw, rather than half a presentation.
    DnsText generic;
    AppendGeneric(record.data, generic);
    out.Clear();
    out.Append(generic.view());
  }
}

bool IsNetbiosEncoded(std::string_view name) {
  if (name.size() < 32 || (name.size() > 32 && name[32] != '.')) return false;
  for (size_t i = 0; i < 32; ++i) {
    if (name[i] < 'A' || name[i] > 'P') return false;
  }
  return true;
}

void DecodeNetbiosName(DnsText& name) {
  const std::string_view encoded = name.view();
  if (!IsNetbiosEncoded(encoded)) return;
  std::array<uint8_t, 16> raw{};
  for (size_t i = 0; i < 16; ++i) {
    raw[i] = static_cast<uint8_t>((encoded[2 * i] - 'A') << 4 | (encoded[2 * i + 1] - 'A'));
  }
  DnsText out;
  size_t end = 15;
  while (end > 0 && raw[end - 1] == ' ') --end;
  for (size_t i = 0; i < end; ++i) {
    const uint8_t c = raw[i];
    out.Append(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.');
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  out.Append('<').Append(kDigits[raw[15] >> 4]).Append(kDigits[raw[15] & 0xf]).Append('>');
  out.Append(encoded.substr(32));  // ".scope", or nothing
  name = out;
}

void FormatNetbiosData(std::span<const uint8_t> message, const Record& record, DnsText& out,
                       core::Anomalies& anomalies) {
  out.Clear();
  if (record.type == 33) {  // NBSTAT: the node status list, kept raw
    AppendGeneric(record.data, out);
    return;
  }
  if (record.type != 32) {
    FormatData(message, record, out, anomalies);
    return;
  }
  // RFC 1002 4.2.1.3: NB_FLAGS:2 (group, owner node type), NB_ADDRESS:4, repeated.
  core::ByteReader r(record.data);
  if (r.remaining() % 6 != 0) {
    anomalies.Raise("dns.bad_record_data");
    AppendGeneric(record.data, out);
    return;
  }
  while (!r.empty() && !out.truncated()) {
    const bool group = (r.U16Be() & 0x8000) != 0;
    if (!out.empty()) out.Append(", ");
    AppendAddress(core::IpAddr::V4(r.Bytes(4)), out);
    if (group) out.Append(" group");
  }
}

const char* TypeName(uint16_t type) {
  switch (type) {
    case 1:
      return "A";
    case 2:
      return "NS";
    case 5:
      return "CNAME";
    case 6:
      return "SOA";
    case 12:
      return "PTR";
    case 13:
      return "HINFO";
    case 15:
      return "MX";
    case 16:
      return "TXT";
    case 28:
      return "AAAA";
    case 32:
      return "NB";
    case 33:
      return "SRV";
    case 35:
      return "NAPTR";
    case 39:
      return "DNAME";
    case 41:
      return "OPT";
    case 43:
      return "DS";
    case 46:
      return "RRSIG";
    case 47:
      return "NSEC";
    case 48:
      return "DNSKEY";
    case 50:
      return "NSEC3";
    case 51:
      return "NSEC3PARAM";
    case 52:
      return "TLSA";
    case 64:
      return "SVCB";
    case 65:
      return "HTTPS";
    case 99:
      return "SPF";
    case 251:
      return "IXFR";
    case 252:
      return "AXFR";
    case 255:
      return "ANY";
    case 257:
      return "CAA";
    default:
      return nullptr;
  }
}

const char* RcodeName(uint8_t rcode) {
  static constexpr const char* kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                           "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                           "NXRRSET", "NOTAUTH", "NOTZONE"};
  return rcode < std::size(kNames) ? kNames[rcode] : nullptr;
}

bool LooksLikeMessage(std::span<const uint8_t> message) {
  MessageReader m(message);
  if (!m.ok()) return false;
  const Header& h = m.header();
  // Opcodes 0 query, 1 inverse query, 2 status, 4 notify, 5 update (NetBIOS: registration),
  // 6 DSO (NetBIOS: release), 7-9 NetBIOS WACK and refresh; 3 is unassigned. The Z bit is 0.
  const uint8_t op = h.opcode();
  if (op == 3 || op > 9 || (h.flags & 0x0040) != 0) return false;
  // A query asks something; an answer without a question (mDNS announcements) answers.
  if (h.qdcount == 0 && (!h.response() || h.ancount + h.nscount + h.arcount == 0)) return false;
  const size_t body = message.size() - kHeaderBytes;
  if (h.qdcount * kMinQuestionBytes +
          (size_t{h.ancount} + h.nscount + h.arcount) * kMinRecordBytes >
      body) {
    return false;
  }
  core::Anomalies ignored;
  Record rec;
  while (m.Next(rec, ignored)) {
  }
  // A truncated answer (TC) may stop mid-record; anything else must read whole.
  if (!m.complete()) return h.truncated() && h.response() && h.qdcount > 0;
  return m.trailing() <= 16;
}

}  // namespace qw::dissect::dns
