// Names and meanings of EtherNet/IP and CIP codes: encapsulation commands and statuses, CIP
// services (what each does to the device, by object class where the code is class-specific),
// general statuses, PCCC commands, and a small table of well-known vendors and device types.
// Every returned name is static text.
#pragma once

#include <cstdint>

#include "dissect/enip/cip_parser.h"
#include "dissect/observation.h"

namespace qw::dissect::enip {

/// What a service does: its name (kebab-case, static) and its category for the policy.
struct CipMeaning {
  const char* name = "";
  IcsCategory category = IcsCategory::kOther;
};

/// Kebab-case name of an encapsulation command ("send-rr-data"); "unknown" otherwise.
const char* EnipCommandName(uint16_t command);
/// Kebab-case name of an encapsulation status (table 2-3.3), or nullptr when not defined.
const char* EnipStatusName(uint32_t status);

/// Meaning of a request with service `service` (response bit clear) addressed by `path`.
/// Class-specific codes (0x4b and up) are read by the path's last class: 0x52 is Unconnected
/// Send on the Connection Manager and Read Tag Fragmented on a tag (symbolic path or Symbol
/// class 0x6b). `pccc` is the PCCC command of an Execute PCCC, when it could be read.
CipMeaning ClassifyCipRequest(uint8_t service, const CipPath& path, const PcccCommand* pccc);

/// Meaning of a service seen only in a response (its request was not seen): by the code
/// alone, since the object it addressed is unknown.
CipMeaning ClassifyCipService(uint8_t service);

/// Kebab-case name of a CIP general status (CIP Vol 1 appendix B), or nullptr when reserved.
const char* CipGeneralStatusName(uint8_t status);

/// True when a response with this general status reports a failure. 0x06 (partial
/// transfer) is how fragmented reads and file uploads say "more follows", not an error.
bool IsCipError(uint8_t status);

/// Name of a well-known CIP vendor id (the ODVA registry), or nullptr for the others.
const char* CipVendorName(uint16_t vendor_id);
/// Name of a CIP device type (device profile, CIP Vol 1 table 6-7.1), or nullptr.
const char* CipDeviceTypeName(uint16_t device_type);

}  // namespace qw::dissect::enip
