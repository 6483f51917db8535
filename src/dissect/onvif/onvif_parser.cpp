#include "dissect/onvif/onvif_parser.h"

#include <utility>

#include "core/byte_reader.h"

namespace qw::dissect::onvif {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// True when `prefix` is a namespace prefix: a non-empty run without markup or spaces.
bool IsPrefix(std::string_view prefix) {
  if (prefix.empty()) return false;
  for (char c : prefix) {
    if (IsSpace(c) || c == '<' || c == '>' || c == '/' || c == ':' || c == '"') return false;
  }
  return true;
}

std::string_view AsText(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  return r.Chars(r.remaining());
}

}  // namespace

std::string_view ElementText(std::string_view xml, std::string_view local_name, bool& capped) {
  size_t at = 0;
  for (size_t hits = 0; hits < kMaxNameHits; ++hits) {
    const size_t hit = xml.find(local_name, at);
    if (hit == std::string_view::npos || hit == 0) return {};
    at = hit + local_name.size();
    // The name must be a whole start tag: "<Name>" or "<prefix:Name>" (no attributes seen).
    if (xml.substr(at, 1) != ">") continue;
    const size_t open = xml.rfind('<', hit - 1);
    if (open == std::string_view::npos) continue;
    const std::string_view between = xml.substr(open + 1, hit - open - 1);
    const bool bare = between.empty();
    const bool prefixed = !between.empty() && between.back() == ':' &&
                          IsPrefix(between.substr(0, between.size() - 1));
    if (!bare && !prefixed) continue;
    const std::string_view rest = xml.substr(at + 1);
    return Trim(rest.substr(0, rest.find('<')));
  }
  capped = true;
  return {};
}

std::optional<DeviceInformation> ParseDeviceInformation(std::span<const uint8_t> body) {
  const std::string_view xml = AsText(body);
  if (xml.find("GetDeviceInformationResponse") == std::string_view::npos) return std::nullopt;
  DeviceInformation info;
  bool& capped = info.capped;
  info.manufacturer.AppendPrintable(ElementText(xml, "Manufacturer", capped));
  info.model.AppendPrintable(ElementText(xml, "Model", capped));
  info.firmware.AppendPrintable(ElementText(xml, "FirmwareVersion", capped));
  info.serial.AppendPrintable(ElementText(xml, "SerialNumber", capped));
  info.hardware_id.AppendPrintable(ElementText(xml, "HardwareId", capped));
  if (info.manufacturer.empty() && info.model.empty()) return std::nullopt;
  return info;
}

uint8_t DiscoveryMessage(std::span<const uint8_t> datagram) {
  const std::string_view xml = AsText(datagram);
  // The Action header names the message: .../discovery/ProbeMatches and so on.
  static constexpr std::pair<std::string_view, uint8_t> kActions[] = {
      {"/ProbeMatches<", 2}, {"/Probe<", 1},          {"/Hello<", 3},
      {"/Bye<", 4},          {"/ResolveMatches<", 6}, {"/Resolve<", 5}};
  for (const auto& [suffix, code] : kActions) {
    if (xml.find(suffix) != std::string_view::npos) return code;
  }
  return 0;
}

std::optional<DiscoveryScopes> ParseProbeMatch(std::span<const uint8_t> datagram) {
  const std::string_view xml = AsText(datagram);
  if (xml.find("ProbeMatches") == std::string_view::npos &&
      xml.find("Hello>") == std::string_view::npos) {
    return std::nullopt;
  }
  DiscoveryScopes out;
  std::string_view scopes = ElementText(xml, "Scopes", out.capped);
  static constexpr std::string_view kHardware = "onvif://www.onvif.org/hardware/";
  static constexpr std::string_view kName = "onvif://www.onvif.org/name/";
  // Scopes are a space-separated list of URIs.
  for (size_t n = 0; !scopes.empty(); ++n) {
    if (n == kMaxScopes) {
      out.too_many = true;
      break;
    }
    const size_t end = scopes.find_first_of(" \t\r\n");
    const std::string_view scope = scopes.substr(0, end);
    scopes = end == std::string_view::npos ? std::string_view() : Trim(scopes.substr(end));
    if (scope.substr(0, kHardware.size()) == kHardware && out.hardware.empty()) {
      out.hardware.AppendPrintable(scope.substr(kHardware.size()));
    } else if (scope.substr(0, kName.size()) == kName && out.name.empty()) {
      out.name.AppendPrintable(scope.substr(kName.size()));
    }
  }
  if (out.hardware.empty() && out.name.empty()) return std::nullopt;
  return out;
}

}  // namespace qw::dissect::onvif
