#include "dissect/rtsp/rtsp_parser.h"

#include <string_view>

#include "core/byte_reader.h"

namespace qw::dissect::rtsp {

std::optional<Interleaved> ParseInterleaved(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  Interleaved f;
  const uint8_t magic = r.U8();
  f.channel = r.U8();
  f.length = r.U16Be();
  if (!r.ok() || magic != '$') return std::nullopt;
  return f;
}

std::optional<SdpNames> ParseSdpNames(std::span<const uint8_t> body) {
  core::ByteReader r(body);
  std::string_view text = r.Chars(r.remaining());
  SdpNames out;
  for (size_t n = 0; n < kMaxSdpLines && !text.empty(); ++n) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (n == 0 && line.substr(0, 2) != "v=") return std::nullopt;
    if (line.substr(0, 2) == "m=") break;
    const std::string_view value = line.size() > 2 ? line.substr(2) : std::string_view();
    if (line.substr(0, 2) == "s=" && value != "-" && value != " ") {
      out.session.AppendPrintable(value);
    } else if (line.substr(0, 2) == "i=" && out.info.empty()) {
      out.info.AppendPrintable(value);
    }
  }
  if (out.session.empty() && out.info.empty()) return std::nullopt;
  return out;
}

}  // namespace qw::dissect::rtsp
