#include "dissect/tls/tls_parser.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/ascii.h"
#include "core/byte_reader.h"

namespace qw::dissect::tls {

namespace {

// Signature algorithms kept for JA4; more are left out of its hash (and raise an anomaly).
constexpr size_t kMaxSignatureAlgorithms = 64;

constexpr char kHex[] = "0123456789abcdef";

template <size_t N>
void AppendHex4(uint16_t v, core::FixedText<N>& out) {
  out.Append(kHex[v >> 12]).Append(kHex[(v >> 8) & 0xf]).Append(kHex[(v >> 4) & 0xf]);
  out.Append(kHex[v & 0xf]);
}

// A JA3 list: decimal values joined by '-'.
template <size_t N>
void AppendJa3List(std::span<const uint16_t> values, core::FixedText<N>& out) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out.Append('-');
    out.AppendUint(values[i]);
  }
}

// The first 12 hex digits of the SHA-256 of `text`, or twelve zeros for an empty list
// (JA4's rule for a hello with no ciphers or no extensions).
core::FixedText<12> Truncated(std::string_view text, bool empty) {
  core::FixedText<12> out;
  if (empty) return core::FixedText<12>("000000000000");
  out.Append(core::Sha256(text).view().substr(0, 12));
  return out;
}

// JA4's two version characters.
const char* Ja4Version(uint16_t v) {
  switch (v) {
    case 0x0304:
      return "13";
    case 0x0303:
      return "12";
    case 0x0302:
      return "11";
    case 0x0301:
      return "10";
    case 0x0300:
      return "s3";
    case 0x0200:
      return "s2";
    case 0x0100:
      return "s1";
    case 0xfeff:
      return "d1";
    case 0xfefd:
      return "d2";
    case 0xfefc:
      return "d3";
    default:
      return "00";
  }
}

// A fixed-size list of 16-bit values that remembers whether it overflowed.
template <size_t N>
struct List {
  std::array<uint16_t, N> v{};
  size_t n = 0;
  bool overflow = false;
  void Add(uint16_t x) {
    if (n < N) {
      v[n++] = x;
    } else {
      overflow = true;
    }
  }
  std::span<const uint16_t> span() const { return std::span<const uint16_t>(v.data(), n); }
};

}  // namespace

std::optional<RecordHeader> ParseRecordHeader(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  RecordHeader h;
  h.type = r.U8();
  h.version = r.U16Be();
  h.length = r.U16Be();
  if (!r.ok() || h.type < 20 || h.type > 24 || (h.version >> 8) != 3 || h.length > kMaxRecordBody) {
    return std::nullopt;
  }
  return h;
}

std::optional<ClientHello> ParseClientHello(std::span<const uint8_t> body, char transport,
                                            core::Anomalies& anomalies) {
  // RFC 8446 4.1.2: legacy_version, random, legacy_session_id, cipher_suites,
  // legacy_compression_methods, extensions.
  core::ByteReader r(body);
  ClientHello out;
  out.legacy_version = r.U16Be();
  r.Skip(32);
  r.Sub(r.U8());  // session id
  core::ByteReader ciphers = r.Sub(r.U16Be());
  r.Sub(r.U8());  // compression methods
  if (!r.ok() || ciphers.remaining() % 2 != 0) {
    anomalies.Raise("tls.bad_hello");
    return std::nullopt;
  }
  List<kMaxTlsCiphers> suites;
  while (!ciphers.empty()) {
    const uint16_t c = ciphers.U16Be();
    if (!out.ciphers.empty()) out.ciphers.Append(',');
    AppendHex4(c, out.ciphers);
    if (!IsGrease(c)) suites.Add(c);
  }
  List<kMaxTlsExtensions> extensions, groups;
  List<256> point_formats;
  List<kMaxSignatureAlgorithms> signatures;
  out.highest_version = out.legacy_version;
  uint16_t highest = 0;
  bool has_sni = false, has_alpn = false;
  core::FixedText<255> first_alpn;
  // Extensions are optional in SSL 3.0 and TLS 1.0 hellos.
  if (!r.empty()) {
    core::ByteReader exts = r.Sub(r.U16Be());
    if (!r.ok()) {
      anomalies.Raise("tls.bad_hello");
      return std::nullopt;
    }
    size_t read = 0;
    while (!exts.empty()) {
      if (++read > kMaxTlsExtensions) {
        anomalies.Raise("tls.too_many_extensions");
        break;
      }
      const uint16_t type = exts.U16Be();
      core::ByteReader v = exts.Sub(exts.U16Be());
      if (!exts.ok()) {
        anomalies.Raise("tls.bad_hello");
        return std::nullopt;
      }
      if (IsGrease(type)) continue;
      extensions.Add(type);
      switch (type) {
        case 0: {  // server_name (RFC 6066 3): a list of (type, name)
          has_sni = true;
          core::ByteReader list = v.Sub(v.U16Be());
          while (list.ok() && !list.empty()) {
            const uint8_t name_type = list.U8();
            std::string_view name = list.Chars(list.U16Be());
            if (list.ok() && name_type == 0 && out.sni.empty()) out.sni.AppendPrintable(name);
          }
          break;
        }
        case 16: {  // ALPN (RFC 7301 3.1): length-led protocol names
          has_alpn = true;
          core::ByteReader list = v.Sub(v.U16Be());
          while (list.ok() && !list.empty()) {
            std::span<const uint8_t> name = list.Bytes(list.U8());
            if (!list.ok()) break;
            if (!out.alpn.empty()) out.alpn.Append(',');
            const std::string_view text(reinterpret_cast<const char*>(name.data()), name.size());
            out.alpn.AppendPrintable(text);
            if (first_alpn.empty() && !name.empty()) {
              // JA4: the first and last characters, or of its hex when either is not
              // alphanumeric.
              core::ByteReader n(name);
              const uint8_t first = n.U8();
              const uint8_t last = name.size() > 1 ? n.PeekRest().back() : first;
              if (core::AsciiAlnum(static_cast<char>(first)) &&
                  core::AsciiAlnum(static_cast<char>(last))) {
                first_alpn.Append(static_cast<char>(first)).Append(static_cast<char>(last));
              } else {
                first_alpn.Append(kHex[first >> 4]).Append(kHex[last & 0xf]);
              }
            }
          }
          break;
        }
        case 10: {  // supported_groups
          core::ByteReader list = v.Sub(v.U16Be());
          while (list.remaining() >= 2) {
            const uint16_t g = list.U16Be();
            if (!IsGrease(g)) groups.Add(g);
          }
          break;
        }
        case 11: {  // ec_point_formats
          core::ByteReader list = v.Sub(v.U8());
          while (!list.empty()) point_formats.Add(list.U8());
          break;
        }
        case 13: {  // signature_algorithms
          core::ByteReader list = v.Sub(v.U16Be());
          while (list.remaining() >= 2) {
            const uint16_t s = list.U16Be();
            if (!IsGrease(s)) signatures.Add(s);
          }
          break;
        }
        case 43: {  // supported_versions (RFC 8446 4.2.1)
          core::ByteReader list = v.Sub(v.U8());
          while (list.remaining() >= 2) {
            const uint16_t ver = list.U16Be();
            if (IsGrease(ver)) continue;
            if (!out.versions.empty()) out.versions.Append(',');
            out.versions.Append("0x");
            AppendHex4(ver, out.versions);
            // DTLS counts down (0xfeff is 1.0, 0xfefd 1.2): take the newest either way.
            const bool dtls = (ver >> 8) == 0xfe;
            if (highest == 0 || (dtls ? ver < highest : ver > highest)) highest = ver;
          }
          break;
        }
        default:
          break;
      }
    }
  }
  if (highest) out.highest_version = highest;
  out.cipher_count = static_cast<uint16_t>(suites.n);

  // JA3: version,ciphers,extensions,groups,point formats; decimal, '-' within a field.
  if (!suites.overflow && !extensions.overflow && !groups.overflow && !point_formats.overflow) {
    core::FixedText<4095> ja3;
    ja3.AppendUint(out.legacy_version).Append(',');
    AppendJa3List(suites.span(), ja3);
    ja3.Append(',');
    AppendJa3List(extensions.span(), ja3);
    ja3.Append(',');
    AppendJa3List(groups.span(), ja3);
    ja3.Append(',');
    AppendJa3List(point_formats.span(), ja3);
    if (!ja3.truncated()) out.ja3 = core::Md5(ja3.view());
  } else {
    anomalies.Raise("tls.too_many_ciphers");
  }

  // JA4 (FoxIO, "JA4: TLS Client Fingerprinting"): a_b_c.
  const size_t ext_count = std::min<size_t>(extensions.n, 99);
  const size_t cipher_count = std::min<size_t>(suites.n, 99);
  out.ja4.Append(transport).Append(Ja4Version(out.highest_version)).Append(has_sni ? 'd' : 'i');
  out.ja4.Append(static_cast<char>('0' + cipher_count / 10))
      .Append(static_cast<char>('0' + cipher_count % 10));
  out.ja4.Append(static_cast<char>('0' + ext_count / 10))
      .Append(static_cast<char>('0' + ext_count % 10));
  out.ja4.Append(has_alpn && !first_alpn.empty() ? first_alpn.view() : std::string_view("00"));
  std::array<uint16_t, kMaxTlsCiphers> sorted{};
  std::copy(suites.v.begin(), suites.v.begin() + static_cast<std::ptrdiff_t>(suites.n),
            sorted.begin());
  std::sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(suites.n));
  core::FixedText<4095> list;
  for (size_t i = 0; i < suites.n; ++i) {
    if (i) list.Append(',');
    AppendHex4(sorted[i], list);
  }
  out.ja4.Append('_').Append(Truncated(list.view(), suites.n == 0).view());
  std::array<uint16_t, kMaxTlsExtensions> ext_sorted{};
  size_t kept = 0;
  for (size_t i = 0; i < extensions.n; ++i) {
    if (extensions.v[i] != 0 && extensions.v[i] != 16) ext_sorted[kept++] = extensions.v[i];
  }
  std::sort(ext_sorted.begin(), ext_sorted.begin() + static_cast<std::ptrdiff_t>(kept));
  list.Clear();
  for (size_t i = 0; i < kept; ++i) {
    if (i) list.Append(',');
    AppendHex4(ext_sorted[i], list);
  }
  if (signatures.n > 0) {
    list.Append('_');
    for (size_t i = 0; i < signatures.n; ++i) {
      if (i) list.Append(',');
      AppendHex4(signatures.v[i], list);
    }
  }
  out.ja4.Append('_').Append(Truncated(list.view(), kept == 0).view());
  return out;
}

std::optional<ServerHello> ParseServerHello(std::span<const uint8_t> body,
                                            core::Anomalies& anomalies) {
  core::ByteReader r(body);
  ServerHello out;
  out.legacy_version = r.U16Be();
  r.Skip(32);
  r.Sub(r.U8());  // session id
  out.cipher = r.U16Be();
  r.Skip(1);  // compression method
  if (!r.ok()) {
    anomalies.Raise("tls.bad_hello");
    return std::nullopt;
  }
  out.selected_version = out.legacy_version;
  List<kMaxTlsExtensions> extensions;
  if (!r.empty()) {
    core::ByteReader exts = r.Sub(r.U16Be());
    while (!exts.empty()) {
      const uint16_t type = exts.U16Be();
      core::ByteReader v = exts.Sub(exts.U16Be());
      if (!exts.ok()) {
        anomalies.Raise("tls.bad_hello");
        return std::nullopt;
      }
      extensions.Add(type);
      if (type == 43 && v.remaining() == 2) out.selected_version = v.U16Be();
      if (type == 16) {
        core::ByteReader list = v.Sub(v.U16Be());
        std::string_view name = list.Chars(list.U8());
        if (list.ok()) out.alpn.AppendPrintable(name);
      }
    }
  }
  if (extensions.overflow) {
    anomalies.Raise("tls.too_many_extensions");
    return out;
  }
  core::FixedText<1023> ja3s;
  ja3s.AppendUint(out.legacy_version).Append(',').AppendUint(out.cipher).Append(',');
  AppendJa3List(extensions.span(), ja3s);
  out.ja3s = core::Md5(ja3s.view());
  return out;
}

namespace {

// One DER value (X.690 8.1): tag, length, contents.
struct Der {
  uint8_t tag = 0;
  std::span<const uint8_t> value;
};

// Reads the next DER value of `r`. Only definite lengths of up to four octets (RFC 5280
// certificates use nothing else).
std::optional<Der> ReadDer(core::ByteReader& r) {
  Der d;
  d.tag = r.U8();
  uint8_t len = r.U8();
  size_t n = len;
  if (len & 0x80) {
    const uint8_t octets = len & 0x7f;
    if (octets == 0 || octets > 4) return std::nullopt;
    n = 0;
    for (uint8_t i = 0; i < octets; ++i) n = n << 8 | r.U8();
  }
  d.value = r.Bytes(n);
  if (!r.ok()) return std::nullopt;
  return d;
}

// The short name of an attribute type by its DER-encoded OID, or nullptr.
const char* AttributeName(std::span<const uint8_t> oid) {
  static constexpr struct {
    uint8_t bytes[10];
    size_t size;
    const char* name;
  } kNames[] = {
      {{0x55, 0x04, 0x03}, 3, "CN"},
      {{0x55, 0x04, 0x06}, 3, "C"},
      {{0x55, 0x04, 0x07}, 3, "L"},
      {{0x55, 0x04, 0x08}, 3, "ST"},
      {{0x55, 0x04, 0x0a}, 3, "O"},
      {{0x55, 0x04, 0x0b}, 3, "OU"},
      {{0x55, 0x04, 0x05}, 3, "serialNumber"},
      {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, 9, "emailAddress"},
      {{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19}, 10, "DC"},
  };
  for (const auto& n : kNames) {
    if (oid.size() == n.size && std::equal(oid.begin(), oid.end(), n.bytes)) return n.name;
  }
  return nullptr;
}

// A Name (RFC 5280 4.1.2.4) as "CN=..., O=..." in the order it is encoded.
bool AppendName(std::span<const uint8_t> name, core::FixedText<255>& out) {
  core::ByteReader rdns(name);
  while (!rdns.empty()) {
    auto set = ReadDer(rdns);
    if (!set || set->tag != 0x31) return false;
    core::ByteReader atvs(set->value);
    while (!atvs.empty()) {
      auto atv = ReadDer(atvs);
      if (!atv || atv->tag != 0x30) return false;
      core::ByteReader parts(atv->value);
      auto oid = ReadDer(parts);
      auto value = ReadDer(parts);
      if (!oid || !value || oid->tag != 0x06) return false;
      if (!out.empty()) out.Append(", ");
      if (const char* n = AttributeName(oid->value)) {
        out.Append(n);
      } else {
        out.Append("OID");  // an attribute type without a short name
      }
      out.Append('=');
      out.AppendPrintable(std::string_view(reinterpret_cast<const char*>(value->value.data()),
                                           value->value.size()));
    }
  }
  return true;
}

// UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) as ISO 8601.
bool AppendTime(const Der& t, core::FixedText<20>& out) {
  const std::string_view s(reinterpret_cast<const char*>(t.value.data()), t.value.size());
  std::string_view digits;
  if (t.tag == 0x17 && s.size() == 13 && s.back() == 'Z') {
    out.Append(s[0] < '5' ? "20" : "19");  // RFC 5280 4.1.2.5.1
    digits = s.substr(0, 12);
  } else if (t.tag == 0x18 && s.size() == 15 && s.back() == 'Z') {
    digits = s.substr(0, 14);
  } else {
    return false;
  }
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  const size_t y = digits.size() - 10;  // year digits already written for UTCTime
  out.Append(digits.substr(0, y)).Append('-').Append(digits.substr(y, 2)).Append('-');
  out.Append(digits.substr(y + 2, 2)).Append('T').Append(digits.substr(y + 4, 2)).Append(':');
  out.Append(digits.substr(y + 6, 2)).Append(':').Append(digits.substr(y + 8, 2)).Append('Z');
  return true;
}

}  // namespace

std::optional<CertificateInfo> ParseCertificate(std::span<const uint8_t> der) {
  core::ByteReader first(der);
  auto cert = ReadDer(first);
  if (!cert || cert->tag != 0x30) return std::nullopt;
  core::ByteReader c(cert->value);
  auto tbs = ReadDer(c);
  if (!tbs || tbs->tag != 0x30) return std::nullopt;
  core::ByteReader t(tbs->value);
  // [0] version (optional), serialNumber, signature, issuer, validity, subject.
  auto field = ReadDer(t);
  if (field && field->tag == 0xa0) field = ReadDer(t);  // version; then the serial
  auto signature = ReadDer(t);
  auto issuer = ReadDer(t);
  auto validity = ReadDer(t);
  auto subject = ReadDer(t);
  if (!field || !signature || !issuer || !validity || !subject || issuer->tag != 0x30 ||
      validity->tag != 0x30 || subject->tag != 0x30) {
    return std::nullopt;
  }
  CertificateInfo info;
  core::ByteReader v(validity->value);
  auto not_before = ReadDer(v);
  auto not_after = ReadDer(v);
  if (!AppendName(subject->value, info.subject) || !AppendName(issuer->value, info.issuer) ||
      !not_before || !not_after || !AppendTime(*not_before, info.not_before) ||
      !AppendTime(*not_after, info.not_after)) {
    return std::nullopt;
  }
  return info;
}

std::optional<CertificateInfo> ParseFirstCertificate(std::span<const uint8_t> body,
                                                     core::Anomalies& anomalies) {
  // RFC 5246 7.4.2: certificate_list<0..2^24-1>, each ASN.1Cert<1..2^24-1>.
  core::ByteReader r(body);
  core::ByteReader list = r.Sub(r.U24Be());
  core::ByteReader first = list.Sub(list.U24Be());
  if (!r.ok() || !list.ok() || first.empty()) return std::nullopt;
  auto info = ParseCertificate(first.PeekRest());
  if (!info) anomalies.Raise("tls.bad_certificate");
  return info;
}

core::FixedText<16> VersionName(uint16_t version) {
  core::FixedText<16> out;
  switch (version) {
    case 0x0300:
      return core::FixedText<16>("SSL 3.0");
    case 0x0301:
      return core::FixedText<16>("TLS 1.0");
    case 0x0302:
      return core::FixedText<16>("TLS 1.1");
    case 0x0303:
      return core::FixedText<16>("TLS 1.2");
    case 0x0304:
      return core::FixedText<16>("TLS 1.3");
    case 0xfeff:
      return core::FixedText<16>("DTLS 1.0");
    case 0xfefd:
      return core::FixedText<16>("DTLS 1.2");
    case 0xfefc:
      return core::FixedText<16>("DTLS 1.3");
    default:
      out.Append("0x");
      AppendHex4(version, out);
      return out;
  }
}

namespace {

// `name` is `domain` or a name under it.
bool InDomain(std::string_view name, std::string_view domain) {
  if (name.size() < domain.size()) return false;
  const std::string_view tail = name.substr(name.size() - domain.size());
  if (!core::EqualsNoCase(tail, domain)) return false;
  return name.size() == domain.size() || name.substr(name.size() - domain.size() - 1, 1) == ".";
}

// A platform's server name: the name itself or one under it; with `numbered`, only a name
// whose first label is that prefix followed by digits.
struct PlatformDomain {
  std::string_view domain;
  const char* tool;
  std::string_view numbered = {};
};

// The servers that remote-support, remote-management and industrial remote-access
// platforms' clients reach over TLS (relays, brokers, portals), as the public lists of
// these tools' network indicators and the vendors' documents give them. Names that other
// services share (a vendor's whole domain where it also serves unrelated products) are left
// out; a platform that a site hosts itself goes by its own names, which no list can know.
constexpr PlatformDomain kPlatformDomains[] = {
    {"anydesk.com", "anydesk"},
    {"teamviewer.com", "teamviewer"},
    {"splashtop.com", "splashtop"},
    {"splashtop.eu", "splashtop"},
    {"screenconnect.com", "screenconnect"},
    {"control.connectwise.com", "screenconnect"},
    {"logmein.com", "logmein"},
    {"logmein.eu", "logmein"},
    {"logmein-gateway.com", "logmein"},
    {"logme.in", "logmein"},
    {"logmeinrescue.com", "logmein"},
    {"logmeinrescue.eu", "logmein"},
    {"logmeinrescue-enterprise.com", "logmein"},
    {"logmeinrescue-enterprise.eu", "logmein"},
    {"remotelyanywhere.com", "logmein"},
    {"gotoassist.com", "goto"},
    {"gotoassist.me", "goto"},
    {"gotoassist.at", "goto"},
    {"fastsupport.com", "goto"},
    {"gotomypc.com", "goto"},
    {"beyondtrustcloud.com", "beyondtrust"},
    {"bomgarcloud.com", "beyondtrust"},
    {"rustdesk.com", "rustdesk"},
    {"zohoassist.com", "zoho-assist"},
    {"zohoassist.jp", "zoho-assist"},
    {"zohoassist.com.cn", "zoho-assist"},
    {"assist.zoho.com", "zoho-assist"},
    {"assist.zoho.eu", "zoho-assist"},
    {"assist.zoho.in", "zoho-assist"},
    {"assist.zoho.jp", "zoho-assist"},
    {"assist.zoho.uk", "zoho-assist"},
    {"assist.zoho.com.au", "zoho-assist"},
    {"services.vnc.com", "realvnc"},
    {"remotedesktop.google.com", "chrome-remote-desktop"},
    {"remotedesktop-pa.googleapis.com", "chrome-remote-desktop"},
    {"chromoting-host.talkgadget.google.com", "chrome-remote-desktop"},
    {"chromoting-client.talkgadget.google.com", "chrome-remote-desktop"},
    {"chromoting-oauth.talkgadget.google.com", "chrome-remote-desktop"},
    {"relay.kaseya.net", "kaseya"},
    {"swi-tc.com", "n-able"},
    {"swi-rc.com", "n-able"},
    {"beanywhere.com", "n-able"},
    {"centrastage.net", "datto-rmm"},
    {"rmm.datto.com", "datto-rmm"},
    {"atera.com", "atera"},
    {"ninjarmm.com", "ninjaone"},
    {"ninjarmm.net", "ninjaone"},
    {"ninjaone.com", "ninjaone"},
    {"rmmservice.com", "ninjaone"},
    {"islonline.com", "isl-online"},
    {"islonline.net", "isl-online"},
    {"supremocontrol.com", "supremo"},
    {"aeroadmin.com", "aeroadmin"},
    {"ammyy.com", "ammyy"},
    {"dwservice.net", "dwservice"},
    {"parsec.app", "parsec"},
    {"talk2m.com", "ewon-talk2m"},
    {"portal.ixon.cloud", "ixon"},
    // Secomea's hosted GateManagers; the rest of secomea.com is the vendor's web site.
    {"secomea.com", "secomea", "gm"},
};

// Whether `name`'s first label is `prefix` followed by at least one digit.
bool FirstLabelNumbered(std::string_view name, std::string_view prefix) {
  const std::string_view label = name.substr(0, name.find('.'));
  if (label.size() <= prefix.size() || !core::EqualsNoCase(label.substr(0, prefix.size()), prefix))
    return false;
  return std::all_of(label.begin() + static_cast<std::ptrdiff_t>(prefix.size()), label.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const char* RemoteAccessTool(std::string_view sni, std::string_view subject) {
  // The subject reads "C=.., O=.., CN=AnyDesk Client": look at each attribute whole.
  while (!subject.empty()) {
    const size_t comma = subject.find(", ");
    if (core::EqualsNoCase(subject.substr(0, comma), "CN=AnyDesk Client")) return "anydesk";
    if (comma == std::string_view::npos) break;
    subject.remove_prefix(comma + 2);
  }
  if (sni.empty()) return nullptr;
  for (const PlatformDomain& p : kPlatformDomains) {
    if (!InDomain(sni, p.domain)) continue;
    if (p.numbered.empty() || FirstLabelNumbered(sni, p.numbered)) return p.tool;
  }
  return nullptr;
}

std::vector<const char*> RemoteAccessPlatforms() {
  std::vector<const char*> out;
  for (const PlatformDomain& p : kPlatformDomains) {
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const char* t) { return std::string_view(t) == p.tool; });
    if (!seen) out.push_back(p.tool);
  }
  return out;
}

bool IsRemoteAccessPlatform(std::string_view tool) {
  return std::any_of(std::begin(kPlatformDomains), std::end(kPlatformDomains),
                     [&](const PlatformDomain& p) { return tool == p.tool; });
}

}  // namespace qw::dissect::tls
