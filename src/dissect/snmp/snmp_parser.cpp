#include "dissect/snmp/snmp_parser.h"

#include <array>
#include <string_view>

#include "core/ascii.h"

namespace qw::dissect::snmp {

namespace {

// The element of `r` if it has tag `tag`; nullopt (r failed) otherwise.
std::optional<Tlv> Expect(core::ByteReader& r, uint8_t tag) {
  auto t = ReadTlv(r);
  if (!t || t->tag != tag) {
    r.Fail();
    return std::nullopt;
  }
  return t;
}

// An INTEGER element of `r`.
std::optional<int64_t> ReadInteger(core::ByteReader& r) {
  auto t = Expect(r, kTagInteger);
  if (!t) return std::nullopt;
  auto v = DecodeInteger(t->value);
  if (!v) r.Fail();
  return v;
}

bool WellFormedAt(core::ByteReader r, size_t depth, size_t& elements, core::Anomalies& anomalies) {
  while (!r.empty()) {
    if (++elements > kMaxBerElements) {
      anomalies.Raise("snmp.too_many_elements");
      return false;
    }
    auto t = ReadTlv(r);
    if (!t) return false;
    if ((t->tag & 0x20) == 0) continue;
    if (depth + 1 >= kMaxBerDepth) {
      anomalies.Raise("snmp.too_deep");
      return false;
    }
    if (!WellFormedAt(core::ByteReader(t->value), depth + 1, elements, anomalies)) return false;
  }
  return true;
}

// The PDU that follows the community (v1/v2c) or the context name (v3).
bool ParsePdu(core::ByteReader& r, Message& m, core::Anomalies& anomalies) {
  auto pdu = ReadTlv(r);
  // Context-specific and constructed: 0xa0 to 0xbe (0xbf would be a multi-octet tag).
  if (!pdu || (pdu->tag & 0xe0) != kTagPduBase) {
    anomalies.Raise("snmp.bad_pdu");
    return false;
  }
  m.pdu_type = pdu->tag & 0x1f;
  core::ByteReader p(pdu->value);
  if (m.pdu_type == kTrapV1) {
    auto enterprise = Expect(p, kTagOid);
    auto agent = Expect(p, kTagIpAddress);
    auto generic = ReadInteger(p);
    auto specific = ReadInteger(p);
    auto ticks = Expect(p, kTagTimeTicks);
    if (p.ok()) {
      m.enterprise = enterprise->value;
      m.agent_addr = agent->value;
      m.generic_trap = *generic;
      m.specific_trap = *specific;
      m.time_stamp = DecodeUnsigned(ticks->value).value_or(0);
      if (m.agent_addr.size() != 4) p.Fail();
    }
  } else {
    auto id = ReadInteger(p);
    auto status = ReadInteger(p);
    auto index = ReadInteger(p);
    if (p.ok()) {
      m.request_id = *id;
      m.error_status = *status;
      m.error_index = *index;
    }
  }
  auto list = Expect(p, kTagSequence);
  if (!p.ok()) {
    anomalies.Raise("snmp.bad_pdu");
    return false;
  }
  m.varbinds = list->value;
  m.has_pdu = true;
  return true;
}

// RFC 3414 2.4: UsmSecurityParameters inside msgSecurityParameters.
bool ParseUsm(std::span<const uint8_t> params, Message& m) {
  core::ByteReader outer(params);
  auto seq = Expect(outer, kTagSequence);
  if (!seq) return false;
  core::ByteReader r(seq->value);
  auto engine = Expect(r, kTagOctetString);
  ReadInteger(r);  // msgAuthoritativeEngineBoots
  ReadInteger(r);  // msgAuthoritativeEngineTime
  auto user = Expect(r, kTagOctetString);
  Expect(r, kTagOctetString);  // msgAuthenticationParameters
  Expect(r, kTagOctetString);  // msgPrivacyParameters
  if (!r.ok()) return false;
  m.engine_id = engine->value;
  m.user_name = user->value;
  m.has_usm = true;
  return true;
}

// RFC 3412 6: what follows msgVersion 3.
bool ParseV3(core::ByteReader& r, Message& m, core::Anomalies& anomalies) {
  auto header = Expect(r, kTagSequence);
  core::ByteReader h(header ? header->value : std::span<const uint8_t>{});
  auto id = ReadInteger(h);
  auto max_size = ReadInteger(h);
  auto flags = Expect(h, kTagOctetString);
  auto model = ReadInteger(h);
  auto security = Expect(r, kTagOctetString);
  if (!header || !h.ok() || !r.ok() || flags->value.size() != 1) {
    anomalies.Raise("snmp.bad_v3_header");
    return false;
  }
  m.msg_id = *id;
  m.msg_max_size = *max_size;
  m.msg_flags = core::ByteReader(flags->value).U8();
  m.security_model = *model;
  // Model 3 is the User-based Security Model (RFC 3411 5); others are kept opaque.
  if (m.security_model == 3 && !ParseUsm(security->value, m)) anomalies.Raise("snmp.bad_usm");
  auto data = ReadTlv(r);
  if (!data) {
    anomalies.Raise("snmp.bad_v3_header");
    return false;
  }
  if (data->tag == kTagOctetString) {
    m.encrypted = true;
    return true;
  }
  if (data->tag != kTagSequence || (m.msg_flags & 0x02) != 0) {
    // A scoped PDU in clear while the flags say it is private, or neither form.
    anomalies.Raise("snmp.bad_v3_header");
    return false;
  }
  core::ByteReader s(data->value);
  auto context_engine = Expect(s, kTagOctetString);
  auto context_name = Expect(s, kTagOctetString);
  if (!s.ok()) {
    anomalies.Raise("snmp.bad_pdu");
    return false;
  }
  m.context_engine_id = context_engine->value;
  m.context_name = context_name->value;
  return ParsePdu(s, m, anomalies);
}

struct Enterprise {
  uint32_t number;
  const char* vendor;
};

// IANA private enterprise numbers of common network and industrial equipment makers, as
// the IANA registry (Wireshark's enterprises.tsv, 4.0.17) lists them.
constexpr std::array<Enterprise, 11> kEnterprises = {{
    {9, "Cisco"},
    {11, "HP"},
    {95, "Rockwell Automation"},
    {248, "Hirschmann"},
    {2011, "Huawei"},
    {2636, "Juniper"},
    {3833, "Schneider Electric"},
    {4329, "Siemens"},
    {4346, "Phoenix Contact"},
    {8691, "Moxa"},
    {16177, "Westermo"},
}};

// Factory-default and dictionary communities that scanners try first (compared without
// regard to ASCII case).
constexpr std::array<std::string_view, 24> kDefaultCommunities = {
    "public",  "private", "community", "manager",    "admin",    "cisco",  "snmp",     "snmpd",
    "default", "write",   "read",      "monitor",    "secret",   "0392a0", "ilmi",     "all",
    "test",    "guest",   "rmon",      "rmon_admin", "hp_admin", "tivoli", "openview", "system",
};

}  // namespace

const char* PduTypeName(uint8_t type) {
  switch (type) {
    case kGetRequest:
      return "get-request";
    case kGetNextRequest:
      return "get-next-request";
    case kResponse:
      return "response";
    case kSetRequest:
      return "set-request";
    case kTrapV1:
      return "trap";
    case kGetBulkRequest:
      return "get-bulk-request";
    case kInformRequest:
      return "inform-request";
    case kTrapV2:
      return "trap-v2";
    case kReport:
      return "report";
    default:
      return "unknown";
  }
}

bool IsRequest(uint8_t type) {
  return type == kGetRequest || type == kGetNextRequest || type == kSetRequest ||
         type == kGetBulkRequest || type == kInformRequest;
}

std::optional<Tlv> ReadTlv(core::ByteReader& r) {
  const uint8_t tag = r.U8();
  const uint8_t first = r.U8();
  if (!r.ok() || (tag & 0x1f) == 0x1f) {
    r.Fail();
    return std::nullopt;
  }
  size_t length = first;
  if ((first & 0x80) != 0) {
    // Long form; 0x80 alone is the indefinite length, which SNMP never uses (RFC 3417 8).
    const size_t octets = first & 0x7f;
    if (octets == 0 || octets > kMaxLengthOctets) {
      r.Fail();
      return std::nullopt;
    }
    length = 0;
    for (size_t i = 0; i < octets; ++i) length = length << 8 | r.U8();
  }
  auto value = r.Bytes(length);
  if (!r.ok()) return std::nullopt;
  return Tlv{tag, value};
}

bool WellFormed(std::span<const uint8_t> bytes, core::Anomalies& anomalies) {
  size_t elements = 0;
  return WellFormedAt(core::ByteReader(bytes), 0, elements, anomalies);
}

std::optional<int64_t> DecodeInteger(std::span<const uint8_t> content) {
  if (content.empty() || content.size() > 8) return std::nullopt;
  core::ByteReader r(content);
  const uint8_t lead = r.PeekU8();
  uint64_t v = (lead & 0x80) != 0 ? ~uint64_t{0} : 0;  // sign extension
  while (!r.empty()) v = v << 8 | r.U8();
  return static_cast<int64_t>(v);
}

std::optional<uint64_t> DecodeUnsigned(std::span<const uint8_t> content) {
  core::ByteReader r(content);
  if (r.remaining() == 9 && r.PeekU8() == 0) r.U8();  // the sign octet before a 64-bit value
  if (r.empty() || r.remaining() > 8) return std::nullopt;
  uint64_t v = 0;
  while (!r.empty()) v = v << 8 | r.U8();
  return v;
}

std::optional<uint32_t> EnterpriseNumber(std::span<const uint8_t> oid_content) {
  static constexpr uint8_t kPrefix[] = {0x2b, 6, 1, 4, 1};  // 1.3.6.1.4.1
  core::ByteReader r(oid_content);
  if (!SameOid(r.Bytes(sizeof kPrefix), kPrefix)) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < 5; ++i) {  // a 32-bit arc takes at most five octets
    const uint8_t b = r.U8();
    if (!r.ok()) return std::nullopt;
    v = v << 7 | (b & 0x7f);
    if ((b & 0x80) == 0) {
      if (v > 0xffffffffu) return std::nullopt;
      return static_cast<uint32_t>(v);
    }
  }
  return std::nullopt;
}

const char* EnterpriseVendor(uint32_t number) {
  for (const auto& e : kEnterprises) {
    if (e.number == number) return e.vendor;
  }
  return nullptr;
}

bool IsDefaultCommunity(std::span<const uint8_t> community) {
  core::ByteReader r(community);
  const std::string_view text = r.Chars(r.remaining());
  for (std::string_view known : kDefaultCommunities) {
    if (core::EqualsNoCase(text, known)) return true;
  }
  return false;
}

bool SameOid(std::span<const uint8_t> content, std::span<const uint8_t> known) {
  if (content.size() != known.size()) return false;
  core::ByteReader a(content), b(known);
  while (!a.empty()) {
    if (a.U8() != b.U8()) return false;
  }
  return true;
}

std::optional<Message> ParseMessage(std::span<const uint8_t> datagram, core::Anomalies& anomalies) {
  core::ByteReader outer(datagram);
  auto seq = Expect(outer, kTagSequence);
  core::ByteReader r(seq ? seq->value : std::span<const uint8_t>{});
  auto version = ReadInteger(r);
  if (!seq || !version || (*version != 0 && *version != 1 && *version != 3)) {
    anomalies.Raise("snmp.malformed");
    return std::nullopt;
  }
  Message m;
  m.version = static_cast<uint8_t>(*version);
  m.trailing = !outer.empty();
  if (m.version == 3) {
    if (!ParseV3(r, m, anomalies)) return std::nullopt;
    return m;
  }
  auto community = Expect(r, kTagOctetString);
  if (!community) {
    anomalies.Raise("snmp.malformed");
    return std::nullopt;
  }
  m.community = community->value;
  if (!ParsePdu(r, m, anomalies)) return std::nullopt;
  return m;
}

bool LooksLikeSnmp(std::span<const uint8_t> bytes) {
  core::ByteReader outer(bytes);
  auto seq = Expect(outer, kTagSequence);
  if (!seq) return false;
  core::ByteReader r(seq->value);
  auto version = ReadInteger(r);
  if (!version) return false;
  if (*version == 0 || *version == 1) {
    // The community, then a PDU tag [0] to [8].
    auto community = Expect(r, kTagOctetString);
    return community && r.PeekU8() >= kTagPduBase && r.PeekU8() <= kTagPduBase + kReport;
  }
  if (*version != 3) return false;
  auto header = Expect(r, kTagSequence);
  return header && r.PeekU8() == kTagOctetString;
}

bool VarbindReader::Next(Varbind& out, core::Anomalies& anomalies) {
  if (failed_ || r_.empty()) return false;
  if (count_ == kMaxVarbinds) {
    anomalies.Raise("snmp.too_many_varbinds");
    failed_ = true;
    return false;
  }
  auto vb = Expect(r_, kTagSequence);
  core::ByteReader v(vb ? vb->value : std::span<const uint8_t>{});
  auto oid = Expect(v, kTagOid);
  auto value = ReadTlv(v);
  if (!vb || !v.ok() || !v.empty()) {
    anomalies.Raise("snmp.bad_varbind");
    failed_ = true;
    return false;
  }
  if ((value->tag & 0x20) != 0 && !WellFormed(value->value, anomalies)) {
    anomalies.Raise("snmp.bad_varbind");
    failed_ = true;
    return false;
  }
  out.oid = oid->value;
  out.value_tag = value->tag;
  out.value = value->value;
  ++count_;
  return true;
}

}  // namespace qw::dissect::snmp
