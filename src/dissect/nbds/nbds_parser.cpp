#include "dissect/nbds/nbds_parser.h"

#include <array>
#include <string_view>

#include "core/byte_reader.h"
#include "dissect/smb2/smb2_parser.h"

namespace qw::dissect::nbds {

namespace {

// Octets of the header every type has: type, flags, id, source IP and port.
constexpr size_t kHeaderBytes = 10;
// Octets of an SMB1 header ([MS-CIFS] 2.2.3.1).
constexpr size_t kSmb1HeaderBytes = 32;
// The Transaction command and its word count with the mailslot's three setup words.
constexpr uint8_t kSmbTrans = 0x25;
constexpr uint8_t kTransWords = 17;
// Most scope labels read after a name (RFC 1001 14: the scope is a domain name).
constexpr int kMaxScopeLabels = 16;

// Reads a first-level encoded NetBIOS name and its scope (RFC 1001 14.1) into `out`.
bool ReadName(core::ByteReader& r, NetbiosName& out) {
  if (r.U8() != 0x20) return false;
  std::array<char, 16> plain{};
  for (char& c : plain) {
    const uint8_t hi = r.U8(), lo = r.U8();
    if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P') return false;
    c = static_cast<char>((hi - 'A') << 4 | (lo - 'A'));
  }
  // The scope: labels up to the root.
  for (int i = 0;; ++i) {
    const uint8_t len = r.U8();
    if (!r.ok() || len > 63 || i > kMaxScopeLabels) return false;
    if (len == 0) break;
    r.Skip(len);
  }
  std::string_view name(plain.data(), 15);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\0')) name.remove_suffix(1);
  out.name.Clear();
  out.name.AppendPrintable(name);
  out.suffix = static_cast<uint8_t>(plain[15]);
  return r.ok();
}

// A NUL-terminated string of at most `max` octets before its NUL, from `r`.
std::string_view ReadCString(core::ByteReader& r, size_t max) {
  size_t n = 0;
  while (n < r.remaining() && n <= max && r.PeekU8(n) != 0) ++n;
  if (n >= r.remaining() || n > max) {
    r.Fail();
    return {};
  }
  const std::string_view s = r.Chars(n);
  r.Skip(1);
  return s;
}

}  // namespace

std::optional<Datagram> ParseDatagram(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes) return std::nullopt;
  core::ByteReader r(bytes);
  Datagram d;
  d.type = r.U8();
  d.flags = r.U8();
  d.id = r.U16Be();
  r.Skip(6);  // source IP and port
  if (!r.ok() || (d.flags & 0xf0) != 0) return std::nullopt;
  switch (d.type) {
    case kDirectUnique:
    case kDirectGroup:
    case kBroadcast: {
      const uint16_t length = r.U16Be();  // from the source name to the end
      const uint16_t offset = r.U16Be();
      if (!r.ok() || length > r.remaining()) return std::nullopt;
      core::ByteReader body = r.Sub(length);
      if (!ReadName(body, d.source) || !ReadName(body, d.destination)) return std::nullopt;
      d.user_data = body.Rest();
      d.more_fragments = (d.flags & 0x01) != 0;
      d.first_fragment = (d.flags & 0x02) != 0 && offset == 0;
      return d;
    }
    case kError: {
      // Destination name not present, invalid source name, invalid packet format.
      const uint8_t code = r.U8();
      if (!r.ok() || !r.empty() || code < 0x82 || code > 0x84) return std::nullopt;
      return d;
    }
    case kQueryRequest:
    case kPositiveQueryResponse:
    case kNegativeQueryResponse:
      if (!ReadName(r, d.destination) || !r.empty()) return std::nullopt;
      return d;
    default:
      return std::nullopt;
  }
}

std::optional<uint8_t> Smb1Command(std::span<const uint8_t> user_data) {
  if (user_data.size() < kSmb1HeaderBytes) return std::nullopt;
  const auto h = smb2::ParseSmb1(user_data);
  return h ? std::optional<uint8_t>(h->command) : std::nullopt;
}

std::optional<Announcement> ParseAnnouncement(std::span<const uint8_t> smb) {
  if (Smb1Command(smb) != kSmbTrans) return std::nullopt;
  core::ByteReader r(smb);
  r.Skip(kSmb1HeaderBytes);
  if (r.U8() != kTransWords) return std::nullopt;
  core::ByteReader words = r.Sub(2 * kTransWords);
  words.Skip(22);  // total counts, maxima, flags, timeout, reserved, parameter count/offset
  const uint16_t data_count = words.U16Le();
  const uint16_t data_offset = words.U16Le();
  r.Skip(2);  // byte count
  const std::string_view name = ReadCString(r, 64);
  if (!r.ok() || name != "\\MAILSLOT\\BROWSE") return std::nullopt;
  core::ByteReader data(smb);
  if (!data.Skip(data_offset)) return std::nullopt;
  data = data.Sub(data_count);
  Announcement a;
  a.command = data.U8();
  if (a.command != kHostAnnouncement && a.command != kDomainAnnouncement &&
      a.command != kLocalMasterAnnouncement) {
    return std::nullopt;
  }
  data.Skip(5);  // update count, periodicity
  std::string_view server = data.Chars(16);
  server = server.substr(0, server.find('\0'));
  a.server_name.AppendPrintable(server);
  a.os_major = data.U8();
  a.os_minor = data.U8();
  a.server_type = data.U32Le();
  data.Skip(4);  // browser version, signature
  if (!data.ok()) return std::nullopt;
  // The comment: NUL-terminated, or cut by the end of the data.
  const std::span<const uint8_t> rest = data.PeekRest();
  core::ByteReader comment(rest);
  std::string_view text = comment.Chars(rest.size());
  a.comment.AppendPrintable(text.substr(0, text.find('\0')));
  return a;
}

core::FixedText<160> ServerTypeNames(uint32_t type) {
  // [MS-RAP] 5.1.1 and [MS-BRWS] 2.2.1.4.1: SV_TYPE_* bits, those that say what a host is.
  static constexpr std::pair<uint32_t, std::string_view> kBits[] = {
      {0x00000001, "workstation"},
      {0x00000002, "server"},
      {0x00000004, "sql-server"},
      {0x00000008, "domain-controller"},
      {0x00000010, "backup-controller"},
      {0x00000020, "time-source"},
      {0x00000040, "apple"},
      {0x00000080, "novell"},
      {0x00000100, "domain-member"},
      {0x00000200, "print-server"},
      {0x00000400, "dial-in"},
      {0x00000800, "unix"},
      {0x00001000, "nt-workstation"},
      {0x00002000, "wfw"},
      {0x00008000, "nt-server"},
      {0x00010000, "potential-browser"},
      {0x00020000, "backup-browser"},
      {0x00040000, "master-browser"},
      {0x00080000, "domain-master-browser"},
      {0x00400000, "windows-95"},
      {0x00800000, "dfs"},
  };
  core::FixedText<160> out;
  for (const auto& [bit, name] : kBits) {
    if ((type & bit) != 0) {
      if (!out.empty()) out.Append(',');
      out.Append(name);
    }
  }
  return out;
}

}  // namespace qw::dissect::nbds
