// Names of BACnet enumerations (ASHRAE 135-2020 clause 21, as Wireshark 4.0 prints them, in
// kebab-case) for operation functions, targets and results, and a few well-known vendor
// identifiers. Every function returns static text, or nullptr when the value has no name
// here, so that callers can print the raw number instead.
#pragma once

#include <cstdint>

namespace qw::dissect::bacnet {

/// BACnetConfirmedServiceChoice: "read-property", "write-property", ...
const char* ConfirmedServiceName(uint32_t service);
/// BACnetUnconfirmedServiceChoice: "i-am", "who-is", ...
const char* UnconfirmedServiceName(uint32_t service);
/// BACnetObjectType: "analog-input", "device", ...
const char* ObjectTypeName(uint32_t type);
/// BACnetPropertyIdentifier: "present-value", "object-name", ...
const char* PropertyName(uint32_t property);
/// BACnetErrorClass: "object", "property", ...
const char* ErrorClassName(uint32_t error_class);
/// BACnetErrorCode: "unknown-object", "write-access-denied", ...
const char* ErrorCodeName(uint32_t error_code);
/// BACnetRejectReason: "unrecognized-service", ...
const char* RejectReasonName(uint32_t reason);
/// BACnetAbortReason: "segmentation-not-supported", ...
const char* AbortReasonName(uint32_t reason);
/// BVLC function (Annex J): "original-unicast-npdu", "register-foreign-device", ...
const char* BvlcFunctionName(uint32_t function);
/// The vendor of a few well-known BACnet vendor identifiers (ASHRAE's registry), short form.
const char* VendorName(uint32_t vendor_id);

}  // namespace qw::dissect::bacnet
