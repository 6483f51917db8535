#include "dissect/ssh/ssh_parser.h"

#include <string_view>

#include "core/byte_reader.h"

namespace qw::dissect::ssh {

std::optional<Banner> ParseBanner(std::span<const uint8_t> line) {
  core::ByteReader r(line);
  std::string_view text = r.Chars(r.remaining());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  // RFC 4253 4.2: SSH-protoversion-softwareversion SP comments
  if (text.substr(0, 4) != "SSH-") return std::nullopt;
  text.remove_prefix(4);
  const size_t dash = text.find('-');
  if (dash == 0 || dash == std::string_view::npos) return std::nullopt;
  Banner b;
  b.proto_version.AppendPrintable(text.substr(0, dash));
  text.remove_prefix(dash + 1);
  const size_t space = text.find(' ');
  const std::string_view software = text.substr(0, space);
  if (software.empty()) return std::nullopt;
  b.software.AppendPrintable(software);
  if (space != std::string_view::npos) b.comments.AppendPrintable(text.substr(space + 1));
  return b;
}

std::optional<PacketHeader> ParsePacketHeader(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  PacketHeader h;
  h.packet_length = r.U32Be();
  h.padding_length = r.U8();
  if (!r.ok() || h.packet_length > kMaxPacketBytes || h.padding_length < 4 ||
      h.packet_length < h.padding_length + 2u) {
    return std::nullopt;
  }
  return h;
}

namespace {

// RFC 4251 5: a name-list is a uint32 length and comma-separated ASCII names.
template <size_t N>
bool ReadNameList(core::ByteReader& r, core::FixedText<N>& out) {
  std::string_view names = r.Chars(r.U32Be());
  if (!r.ok()) return false;
  out.AppendPrintable(names);
  return true;
}

}  // namespace

std::optional<KexInit> ParseKexInit(std::span<const uint8_t> payload, core::Anomalies& anomalies) {
  // RFC 4253 7.1: byte SSH_MSG_KEXINIT, cookie[16], ten name-lists, boolean, uint32.
  core::ByteReader r(payload);
  KexInit k;
  const uint8_t code = r.U8();
  r.Skip(16);
  core::FixedText<1023> skip;
  const bool ok = code == 20 && ReadNameList(r, k.kex) && ReadNameList(r, k.host_keys) &&
                  ReadNameList(r, k.ciphers_c2s) && ReadNameList(r, k.ciphers_s2c) &&
                  ReadNameList(r, k.macs_c2s) && ReadNameList(r, k.macs_s2c) &&
                  ReadNameList(r, k.compression_c2s) && ReadNameList(r, k.compression_s2c) &&
                  ReadNameList(r, skip) && ReadNameList(r, skip) &&  // languages
                  r.Skip(1 + 4);  // first_kex_packet_follows, reserved
  if (!ok) {
    anomalies.Raise("ssh.bad_kexinit");
    return std::nullopt;
  }
  core::FixedText<4095> text;
  text.Append(k.kex.view()).Append(';').Append(k.ciphers_c2s.view()).Append(';');
  text.Append(k.macs_c2s.view()).Append(';').Append(k.compression_c2s.view());
  if (!text.truncated() && !k.kex.truncated() && !k.ciphers_c2s.truncated() &&
      !k.macs_c2s.truncated()) {
    k.hassh = core::Md5(text.view());
  }
  text.Clear();
  text.Append(k.kex.view()).Append(';').Append(k.ciphers_s2c.view()).Append(';');
  text.Append(k.macs_s2c.view()).Append(';').Append(k.compression_s2c.view());
  if (!text.truncated() && !k.kex.truncated() && !k.ciphers_s2c.truncated() &&
      !k.macs_s2c.truncated()) {
    k.hassh_server = core::Md5(text.view());
  }
  return k;
}

}  // namespace qw::dissect::ssh
