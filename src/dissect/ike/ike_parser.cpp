#include "dissect/ike/ike_parser.h"

#include <iterator>
#include <string_view>

#include "core/byte_reader.h"

namespace qw::dissect::ike {

namespace {

// A vendor ID payload's content: hex of the whole of it, or of its start where the rest
// varies (a version, a product's flags).
struct KnownVendorId {
  const char* name;
  std::string_view hex;
  bool prefix;
};

// Products first, then the protocol features vendor IDs announce; the values are those
// Wireshark's packet-isakmp.c names. Several NetScreen IDs name one product.
constexpr KnownVendorId kVendorIds[] = {
    {"Cisco Unity", "12f5f28c457168a9702d9fe274cc", true},
    {"Cisco VPN concentrator", "1f07f70eaa6514d3b0fa96542a500100", false},
    {"Check Point", "f4ed19e0c114eb516faaac0ee37daf2807b4381f", true},
    {"Juniper NetScreen", "299ee8289f40a8973bc78687e2e7226b532c3b76", false},
    {"Juniper NetScreen", "3a15e1f3cf2a63582e3ac82d1c64cbe3b6d779e7", false},
    {"Juniper NetScreen", "47d2b126bfcd83489760e2cf8c5d4d5a03497c15", false},
    {"Juniper NetScreen", "4a4340b543e02b84c88a8b96a8af9ebe77d9accc", false},
    {"Juniper NetScreen", "64405f46f03b7660a23be116a1975058e69e8387", false},
    {"Juniper NetScreen", "699369228741c6d4ca094c93e242c9de19e7b7c6", false},
    {"Juniper NetScreen", "8c0dc6cf62a0ef1b5c6eabd1b67ba69866adf16a", false},
    {"Juniper NetScreen", "92d27a9ecb31d99246986d3453d0c3d57a222a61", false},
    {"Juniper NetScreen", "9b096d9ac3275a7d6fe8b91c583111b09efed1a0", false},
    {"Juniper NetScreen", "bf03746108d746c904f1f3547de24f78479fed12", false},
    {"Juniper NetScreen", "c2e80500f4cc5fbf5daaeed3bb59abaeee56c652", false},
    {"Juniper NetScreen", "c8660a62b03b1b6130bf781608d32a6a8d0fb89f", false},
    {"Juniper NetScreen", "f885da40b1e7a9abd17655ec5bbec0f21f0ed52e", false},
    {"Juniper NetScreen", "2a2bcac19b8e91b426107807e02e7249569d6fd3", false},
    {"Juniper NetScreen", "166f932d55eb64d8e4df4fd37e2313f0d0fd8451", false},
    {"Juniper NetScreen", "a35bfd05ca1ac0b3d2f24e9e82bfcbff9c9e52b5", false},
    {"SonicWall", "404bf439522ca3f6", true},
    {"ZyXEL ZyWALL", "625027749d5ab97f5616c1602765cf480a3b7d0b", false},
    {"Sidewinder", "8404adf9cda05760b2ca292e4bff537b", false},
    {"CyberGuard", "9aa1f3b43472a45d5f506aeb26c0f214", false},
    {"Aruba remote AP", "ca3e2b854ba8030017dc1023a4fde2041f9f7463", false},
    {"Aruba controller", "3c8e70bdf9c7d74add53e4100915dc2e4bb51274", false},
    {"Aruba VIA client", "88f0e3149b3fa48b05aa7f685f0b766be186ccb8", false},
    {"strongSwan", "882fe56d6fd20dbc2251613b2ebe5beb", false},
    {"KAME/racoon", "7003cbc1097dbe9c2600ba6983bc8b35", false},
    {"IPsec-Tools", "20a3622c1cea7ce37bee3ca484425276", false},
    {"Shrew Soft", "f14b94b7bff1fef02773b8c49feded26", false},
    {"Microsoft Windows", "1e2b516905991c7d7c96fcbfb587e461", true},
    {"Microsoft L2TP/IPsec client", "4048b7d56ebce88525e7de7f00d6c2d3", false},
    {"XAUTH", "09002689dfd6b712", true},
    {"DPD", "afcad71368a1f1c96b8696fc77570100", false},
    {"RFC 3947 NAT-T", "4a131c81070358455c5728f20e95452f", false},
    {"NAT-T draft 09", "42ea5b6f898d9773a575df26e7dd19e1", false},
    {"Cisco fragmentation", "4048b7d56ebce88525e7de7f00d6c2d380000000", false},
    {"Microsoft initial contact", "26244d38eddb61b3172a36e3d0cfb819", false},
    {"heartbeat notify", "4865617274426561745f4e6f74696679", true},
};
static_assert(std::size(kVendorIds) <= 64, "the dissector keeps known vendor IDs in a bitmask");

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool Matches(std::span<const uint8_t> vid, const KnownVendorId& k) {
  const size_t n = k.hex.size() / 2;
  if (k.prefix ? vid.size() < n : vid.size() != n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (vid[i] != HexDigit(k.hex[2 * i]) * 16 + HexDigit(k.hex[2 * i + 1])) return false;
  }
  return true;
}

// A registry number and the name it has.
struct Named {
  uint16_t id;
  const char* name;
};

// IKEv1 encryption algorithms (RFC 2409 appendix A, RFC 3602, RFC 4312).
constexpr Named kV1Encryption[] = {{1, "DES"},  {2, "IDEA"}, {3, "Blowfish"}, {4, "RC5"},
                                   {5, "3DES"}, {6, "CAST"}, {7, "AES-CBC"},  {8, "Camellia-CBC"}};
// IKEv1 hash algorithms (RFC 2409 appendix A, RFC 4868).
constexpr Named kV1Hash[] = {{1, "MD5"},      {2, "SHA1"},     {3, "Tiger"},
                             {4, "SHA2-256"}, {5, "SHA2-384"}, {6, "SHA2-512"}};
// IKEv1 authentication methods (RFC 2409 appendix A, RFC 4754, and XAUTH's private ones).
constexpr Named kV1Auth[] = {{1, "PSK"},           {2, "DSS"},           {3, "RSA-sig"},
                             {4, "RSA-enc"},       {5, "RSA-enc-rev"},   {9, "ECDSA-256"},
                             {10, "ECDSA-384"},    {11, "ECDSA-521"},    {65001, "PSK+XAUTH"},
                             {65002, "PSK+XAUTH"}, {65003, "DSS+XAUTH"}, {65004, "DSS+XAUTH"},
                             {65005, "RSA+XAUTH"}, {65006, "RSA+XAUTH"}};
// IKEv2 transform type 1, encryption (RFC 7296 and the IANA registry).
constexpr Named kV2Encryption[] = {{1, "DES-IV64"},
                                   {2, "DES"},
                                   {3, "3DES"},
                                   {4, "RC5"},
                                   {5, "IDEA"},
                                   {6, "CAST"},
                                   {7, "Blowfish"},
                                   {8, "3IDEA"},
                                   {9, "DES-IV32"},
                                   {11, "NULL"},
                                   {12, "AES-CBC"},
                                   {13, "AES-CTR"},
                                   {14, "AES-CCM-8"},
                                   {15, "AES-CCM-12"},
                                   {16, "AES-CCM-16"},
                                   {18, "AES-GCM-8"},
                                   {19, "AES-GCM-12"},
                                   {20, "AES-GCM-16"},
                                   {21, "NULL-AES-GMAC"},
                                   {23, "Camellia-CBC"},
                                   {28, "ChaCha20-Poly1305"}};
// IKEv2 transform type 2, pseudo-random function.
constexpr Named kV2Prf[] = {{1, "PRF-HMAC-MD5"},      {2, "PRF-HMAC-SHA1"},
                            {3, "PRF-HMAC-Tiger"},    {4, "PRF-AES128-XCBC"},
                            {5, "PRF-HMAC-SHA2-256"}, {6, "PRF-HMAC-SHA2-384"},
                            {7, "PRF-HMAC-SHA2-512"}, {8, "PRF-AES128-CMAC"}};
// IKEv2 transform type 3, integrity.
constexpr Named kV2Integrity[] = {
    {1, "HMAC-MD5-96"},        {2, "HMAC-SHA1-96"},      {3, "DES-MAC"},
    {4, "KPDK-MD5"},           {5, "AES-XCBC-96"},       {6, "HMAC-MD5-128"},
    {7, "HMAC-SHA1-160"},      {8, "AES-CMAC-96"},       {12, "HMAC-SHA2-256-128"},
    {13, "HMAC-SHA2-384-192"}, {14, "HMAC-SHA2-512-256"}};
// Diffie-Hellman groups: IKEv1's group description and IKEv2's transform type 4 share them.
constexpr Named kGroups[] = {
    {1, "MODP-768"},       {2, "MODP-1024"},      {5, "MODP-1536"},      {14, "MODP-2048"},
    {15, "MODP-3072"},     {16, "MODP-4096"},     {17, "MODP-6144"},     {18, "MODP-8192"},
    {19, "ECP-256"},       {20, "ECP-384"},       {21, "ECP-521"},       {22, "MODP-1024-160"},
    {23, "MODP-2048-224"}, {24, "MODP-2048-256"}, {25, "ECP-192"},       {26, "ECP-224"},
    {27, "brainpoolP224"}, {28, "brainpoolP256"}, {29, "brainpoolP384"}, {30, "brainpoolP512"},
    {31, "Curve25519"},    {32, "Curve448"}};

const char* NameOf(std::span<const Named> table, uint16_t id) {
  for (const Named& n : table) {
    if (n.id == id) return n.name;
  }
  return nullptr;
}

// Appends a named number, or "<what> <number>" for one the table lacks.
void AppendNamed(core::FixedText<96>& t, std::span<const Named> table, uint16_t id,
                 const char* what) {
  if (t.size() != 0) t.Append('/');
  if (const char* name = NameOf(table, id)) {
    t.Append(name);
  } else {
    t.Append(what).Append(' ').AppendUint(id);
  }
}

// IKEv1 SA attribute types read (RFC 2409 appendix A).
constexpr uint16_t kAttrEncryption = 1;
constexpr uint16_t kAttrHash = 2;
constexpr uint16_t kAttrAuth = 3;
constexpr uint16_t kAttrGroup = 4;
constexpr uint16_t kAttrKeyLength = 14;
// Attribute format bit: a two-octet value in place of a length (TV, not TLV).
constexpr uint16_t kAttrTv = 0x8000;
// IKEv1 protocol id of the ISAKMP SA itself (RFC 2407 section 4.4.1); IKEv2's IKE (RFC 7296).
constexpr uint8_t kV1ProtoIsakmp = 1;
constexpr uint8_t kV2ProtoIke = 1;
// IPsec's domain of interpretation (RFC 2407): its SA payload carries a situation.
constexpr uint32_t kDoiIpsec = 1;

// Reads the attributes of a transform: IKEv1's into the suite; IKEv2's key length only.
// False when one overruns.
bool ReadAttributes(core::ByteReader r, Suite& s, bool v1) {
  for (size_t n = 0; !r.empty() && n < kMaxAttributes; ++n) {
    const uint16_t type = r.U16Be();
    uint16_t value = 0;
    if (type & kAttrTv) {
      value = r.U16Be();
    } else {
      r.Skip(r.U16Be());  // a variable-length value (a lifetime): not needed
    }
    if (!r.ok()) return false;
    switch (type & ~kAttrTv) {
      case kAttrKeyLength:
        s.key_bits = value;
        break;
      case kAttrEncryption:
        if (v1) s.encryption = value;
        break;
      case kAttrHash:
        if (v1) s.integrity = value;
        break;
      case kAttrAuth:
        if (v1) s.auth = value;
        break;
      case kAttrGroup:
        if (v1) s.group = value;
        break;
      default:
        break;
    }
  }
  return true;
}

// Reads the four-octet head that payloads, proposals and transforms share (the next one's
// type or a "more" mark, a reserved octet, the length with the head) and the body it
// announces. False when the length is below `min` or runs past `r`.
bool ReadChunk(core::ByteReader& r, size_t min, uint8_t& next, core::ByteReader& body) {
  next = r.U8();
  r.U8();
  const uint16_t length = r.U16Be();
  if (!r.ok() || length < min || length - 4u > r.remaining()) return false;
  body = r.Sub(length - 4u);
  return true;
}

// Reads a proposal's fixed part (number, protocol, SPI size, transform count, SPI), alike in
// IKEv1 and IKEv2; false when it is cut short.
bool ReadProposalHead(core::ByteReader& proposal, uint8_t& protocol) {
  proposal.U8();  // proposal number
  protocol = proposal.U8();
  const uint8_t spi_size = proposal.U8();
  proposal.U8();  // number of transforms
  proposal.Skip(spi_size);
  return proposal.ok();
}

// IKEv1's SA payload: a DOI, a situation, then proposal payloads each with its transform
// payloads. The ISAKMP SA's first transform is the suite; its transforms are the offers.
void ReadV1Sa(core::ByteReader r, Payloads& p) {
  if (r.U32Be() == kDoiIpsec) r.U32Be();  // the situation
  uint8_t next = kV1PayloadProposal;
  for (size_t n = 0; next == kV1PayloadProposal && n < kMaxProposals; ++n) {
    core::ByteReader proposal;
    uint8_t protocol = 0;
    if (!ReadChunk(r, 8, next, proposal) || !ReadProposalHead(proposal, protocol)) {
      p.malformed = true;
      return;
    }
    uint8_t tnext = kV1PayloadTransform;
    for (size_t t = 0; tnext == kV1PayloadTransform && t < kMaxTransforms; ++t) {
      core::ByteReader transform;
      if (!ReadChunk(proposal, 8, tnext, transform)) {
        p.malformed = true;
        return;
      }
      if (protocol != kV1ProtoIsakmp) continue;
      transform.Skip(4);  // transform number, transform id (KEY_IKE), reserved
      Suite s;
      if (!ReadAttributes(transform, s, true)) {
        p.malformed = true;
        return;
      }
      if (!p.has_suite) {
        p.has_suite = true;
        p.suite = s;
      }
      ++p.offers;
    }
  }
}

// IKEv2's SA payload: proposal substructures, each with transform substructures. The first
// IKE proposal's first transform of each type is the suite; IKE proposals are the offers.
void ReadV2Sa(core::ByteReader r, Payloads& p) {
  constexpr uint8_t kMoreProposals = 2, kMoreTransforms = 3;
  uint8_t more = kMoreProposals;
  for (size_t n = 0; more == kMoreProposals && n < kMaxProposals; ++n) {
    core::ByteReader proposal;
    uint8_t protocol = 0;
    if (!ReadChunk(r, 8, more, proposal) || !ReadProposalHead(proposal, protocol)) {
      p.malformed = true;
      return;
    }
    Suite s;
    uint8_t tmore = kMoreTransforms;
    for (size_t t = 0; tmore == kMoreTransforms && t < kMaxTransforms; ++t) {
      core::ByteReader transform;
      if (!ReadChunk(proposal, 8, tmore, transform)) {
        p.malformed = true;
        return;
      }
      const uint8_t type = transform.U8();
      transform.U8();
      const uint16_t id = transform.U16Be();
      Suite attrs;
      if (!ReadAttributes(transform, attrs, false)) {
        p.malformed = true;
        return;
      }
      uint16_t* slot = type == 1   ? &s.encryption
                       : type == 2 ? &s.prf
                       : type == 3 ? &s.integrity
                       : type == 4 ? &s.group
                                   : nullptr;
      if (slot && *slot == 0) {
        *slot = id;
        if (type == 1) s.key_bits = attrs.key_bits;
      }
    }
    if (protocol != kV2ProtoIke) continue;
    if (!p.has_suite) {
      p.has_suite = true;
      p.suite = s;
    }
    ++p.offers;
  }
}

bool KnownExchange(uint8_t major, uint8_t exchange) {
  if (major == 2) return exchange >= kIkeSaInit && exchange <= 44;  // to IKE_FOLLOWUP_KE
  // IKEv1: base, identity protection, authentication only, aggressive, informational,
  // transaction (mode config), quick mode, new group mode.
  return (exchange >= 1 && exchange <= 6) || exchange == 32 || exchange == 33;
}

bool KnownFirstPayload(uint8_t major, uint8_t next) {
  if (next == 0) return true;
  if (major == 2) return next >= 33 && next <= 55;
  // IKEv1: SA to vendor id (1-13), NAT-D and NAT-OA (20, 21), and the private range.
  return next <= 13 || next == 20 || next == 21 || next >= 128;
}

}  // namespace

bool ParseMessage(std::span<const uint8_t> bytes, Header& out) {
  core::ByteReader r(bytes);
  Header h;
  h.initiator_spi = r.U64Be();
  h.responder_spi = r.U64Be();
  h.next_payload = r.U8();
  const uint8_t version = r.U8();
  h.major = version >> 4;
  h.minor = version & 0x0f;
  h.exchange = r.U8();
  h.flags = r.U8();
  h.message_id = r.U32Be();
  h.length = r.U32Be();
  if (!r.ok() || h.length != bytes.size() || h.initiator_spi == 0) return false;
  if (h.major != 1 && h.major != 2) return false;
  if (!KnownExchange(h.major, h.exchange) || !KnownFirstPayload(h.major, h.next_payload)) {
    return false;
  }
  out = h;
  return true;
}

Datagram ReadDatagram(std::span<const uint8_t> bytes, bool encapsulated) {
  Datagram d;
  if (!encapsulated) {
    if (ParseMessage(bytes, d.header)) {
      d.kind = Kind::kIke;
      d.message = bytes;
    }
    return d;
  }
  core::ByteReader r(bytes);
  if (bytes.size() == 1) {
    if (r.U8() == 0xff) d.kind = Kind::kKeepalive;
    return d;
  }
  const uint32_t first = r.U32Be();
  if (!r.ok()) return d;
  if (first == 0) {
    if (ParseMessage(bytes.subspan(kMarkerBytes), d.header)) {
      d.kind = Kind::kIke;
      d.marker = true;
      d.message = bytes.subspan(kMarkerBytes);
    }
    return d;
  }
  // ESP: SPI, sequence number, then the encrypted payload and its check value.
  r.U32Be();
  if (r.ok()) {
    d.kind = Kind::kEsp;
    d.esp_spi = first;
  }
  return d;
}

const char* ExchangeName(uint8_t major, uint8_t exchange) {
  if (major == 2) {
    switch (exchange) {
      case kIkeSaInit:
        return "IKE_SA_INIT";
      case kIkeAuth:
        return "IKE_AUTH";
      case kCreateChildSa:
        return "CREATE_CHILD_SA";
      case kInformational:
        return "INFORMATIONAL";
      default:
        return "";
    }
  }
  switch (exchange) {
    case kV1IdentityProtection:
      return "main-mode";
    case kV1Aggressive:
      return "aggressive-mode";
    case kV1Informational:
      return "informational";
    case kV1QuickMode:
      return "quick-mode";
    default:
      return "";
  }
}

Payloads ReadPayloads(std::span<const uint8_t> message, const Header& h) {
  Payloads p;
  if (h.major == 1 && (h.flags & kV1FlagEncryption)) {
    p.encrypted = true;
    return p;
  }
  core::ByteReader r(message);
  r.Skip(kHeaderBytes);
  uint8_t next = h.next_payload;
  bool sa_read = false;  // a message has one SA payload; a second one is not read
  for (size_t n = 0; next != 0 && n < kMaxPayloads; ++n) {
    if (h.major == 2 && (next == kV2PayloadEncrypted || next == kV2PayloadEncryptedFragment)) {
      p.encrypted = true;
      break;
    }
    const uint8_t type = next;
    core::ByteReader body;
    if (!ReadChunk(r, 4, next, body)) {  // the reserved octet holds IKEv2's critical bit
      p.malformed = true;
      break;
    }
    if (type == (h.major == 1 ? kV1PayloadVendorId : kV2PayloadVendorId)) {
      if (p.vendor_id_count < kMaxVendorIds) {
        p.vendor_ids[p.vendor_id_count++] = body.Rest();
      }
    } else if (type == (h.major == 1 ? kV1PayloadSa : kV2PayloadSa) && !sa_read) {
      sa_read = true;
      if (h.major == 1) {
        ReadV1Sa(body, p);
      } else {
        ReadV2Sa(body, p);
      }
    } else if (h.major == 1 && type == kV1PayloadId && p.id_type == 0) {
      const uint8_t id_type = body.U8();
      body.Skip(3);  // protocol id, port
      if (body.ok() && id_type != 0) {
        p.id_type = id_type;
        p.id_data = body.Rest();
      }
    }
  }
  return p;
}

const char* VendorIdName(std::span<const uint8_t> vid, size_t* index) {
  for (size_t i = 0; i < std::size(kVendorIds); ++i) {
    if (Matches(vid, kVendorIds[i])) {
      if (index) *index = i;
      return kVendorIds[i].name;
    }
  }
  return nullptr;
}

size_t VendorIdCount() { return std::size(kVendorIds); }

const char* VendorIdNameAt(size_t index) {
  return index < std::size(kVendorIds) ? kVendorIds[index].name : "";
}

core::FixedText<96> SuiteText(uint8_t major, const Suite& s) {
  core::FixedText<96> t;
  const bool v1 = major == 1;
  if (s.encryption) {
    AppendNamed(t, v1 ? std::span<const Named>(kV1Encryption) : kV2Encryption, s.encryption,
                "encr");
    if (s.key_bits) t.Append('-').AppendUint(s.key_bits);
  }
  if (s.integrity)
    AppendNamed(t, v1 ? std::span<const Named>(kV1Hash) : kV2Integrity, s.integrity, "integ");
  if (s.prf) AppendNamed(t, kV2Prf, s.prf, "prf");
  if (s.group) AppendNamed(t, kGroups, s.group, "group");
  if (s.auth) AppendNamed(t, kV1Auth, s.auth, "auth");
  return t;
}

bool IsWeak(uint8_t major, const Suite& s) {
  const bool v1 = major == 1;
  const bool weak_cipher =
      v1 ? s.encryption == 1
         : (s.encryption == 1 || s.encryption == 2 || s.encryption == 9 || s.encryption == 11);
  const bool weak_integrity =
      v1 ? s.integrity == 1
         : (s.integrity == 1 || s.integrity == 3 || s.integrity == 4 || s.integrity == 6);
  const bool weak_group = s.group == 1 || s.group == 2 || s.group == 22;
  return weak_cipher || weak_integrity || s.prf == 1 || weak_group;
}

}  // namespace qw::dissect::ike
