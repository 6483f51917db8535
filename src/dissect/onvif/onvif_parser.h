// ONVIF device identity from SOAP bodies (ONVIF Core Specification, device management
// GetDeviceInformation: Manufacturer, Model, FirmwareVersion, SerialNumber, HardwareId) and
// from WS-Discovery ProbeMatch scopes (onvif://www.onvif.org/hardware/X, .../name/Y).
// Not an XML parser: element text is found by its local name, whatever the namespace
// prefix, within a bounded body. Pure: no state, no I/O, no allocation.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "core/fixed_text.h"

namespace qw::dissect::onvif {

/// Bytes of a SOAP response body kept to look for the device information in.
inline constexpr size_t kMaxBodyBytes = 8192;
/// Occurrences of an element's name looked at before giving up on it.
inline constexpr size_t kMaxNameHits = 64;
/// Scopes read from one ProbeMatch.
inline constexpr size_t kMaxScopes = 64;

/// What GetDeviceInformationResponse says.
struct DeviceInformation {
  core::FixedText<127> manufacturer, model, firmware, serial, hardware_id;
  bool capped = false;  // an element search gave up at kMaxNameHits
};

/// The text of the first element named `local_name` (any prefix) in `xml`, trimmed; empty
/// when absent or after kMaxNameHits non-matching occurrences (then `capped` is set). The
/// view lives as long as `xml`.
std::string_view ElementText(std::string_view xml, std::string_view local_name, bool& capped);

/// Reads a GetDeviceInformationResponse body; nullopt when the body is not one or names
/// neither manufacturer nor model.
std::optional<DeviceInformation> ParseDeviceInformation(std::span<const uint8_t> body);

/// WS-Discovery message kinds, the "messages" histogram code (summary.json
/// protocols.ws_discovery): 0 other, 1 Probe, 2 ProbeMatches, 3 Hello, 4 Bye, 5 Resolve,
/// 6 ResolveMatches.
uint8_t DiscoveryMessage(std::span<const uint8_t> datagram);

/// What a WS-Discovery ProbeMatch's or Hello's ONVIF scopes say.
struct DiscoveryScopes {
  core::FixedText<127> hardware;  // onvif://www.onvif.org/hardware/<model>
  core::FixedText<127> name;      // onvif://www.onvif.org/name/<name>
  bool too_many = false;          // more than kMaxScopes scopes; the rest not read
  bool capped = false;            // the Scopes element search gave up at kMaxNameHits
};

/// Reads the Scopes of a WS-Discovery ProbeMatches or Hello message (UDP 3702); nullopt
/// when the datagram is neither or names no hardware and no name. Percent-escapes stay
/// as sent.
std::optional<DiscoveryScopes> ParseProbeMatch(std::span<const uint8_t> datagram);

}  // namespace qw::dissect::onvif
