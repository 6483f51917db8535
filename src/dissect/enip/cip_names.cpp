// Sources: ODVA CIP Vol 1 appendix A (service codes), appendix B (general status codes),
// 3-5.5 (Connection Manager services), 5A-42 (File object); ODVA Vol 2 tables 2-3.2 and 2-3.3
// (encapsulation commands and statuses); the ODVA vendor id registry (as Wireshark's
// cip_vendor_vals lists it); Rockwell Automation 1756-PM020 (Logix 5000 data access: tag
// services 0x4c-0x55 on symbolic paths and the Symbol 0x6b / Template 0x6c classes);
// Rockwell publication 1404-UM001 and 1203-5.13 (Non-Volatile Storage object, class 0xa1:
// Update 0x4b and Transfer 0x4d, the firmware update ControlFLASH performs); Rockwell
// 1770-6.5.16 (PCCC commands).
#include "dissect/enip/cip_names.h"

#include <iterator>

namespace qw::dissect::enip {

namespace {

// Rockwell Logix classes that hold the user program: Program 0x68, Symbol (tag) 0x6b,
// Template (user-defined type) 0x6c, Routine 0x6d, Task 0x70. Creating, deleting or setting
// their instances is an online edit or a download.
bool IsLogixProgramClass(uint32_t cls) {
  return cls == 0x68 || cls == 0x6b || cls == 0x6c || cls == 0x6d || cls == 0x70;
}

// The Logix controller object (class 0x8e) answers Start/Stop as Run/Program mode changes.
constexpr uint32_t kLogixControllerClass = 0x8e;
// Rockwell's Non-Volatile Storage object: firmware images written by ControlFLASH.
constexpr uint32_t kNvsClass = 0xa1;
constexpr uint32_t kSymbolClass = 0x6b;
constexpr uint32_t kTemplateClass = 0x6c;

CipMeaning Common(uint8_t service, const CipPath* path) {
  using C = IcsCategory;
  uint32_t cls = path && path->has_class ? path->class_id : 0;
  bool program = path && IsLogixProgramClass(cls);
  switch (service) {
    case 0x01:
      // Get_Attributes_All of the Identity object is how tools ask a device who it is.
      if (cls == kCipClassIdentity) return {"get-attributes-all", C::kIdentity};
      return {"get-attributes-all", C::kRead};
    case 0x02:
      return {"set-attributes-all", program ? C::kProgramChange : C::kWrite};
    case 0x03:
      return {"get-attribute-list", C::kRead};
    case 0x04:
      return {"set-attribute-list", program ? C::kProgramChange : C::kWrite};
    case 0x05:
      // Reset of the Identity object restarts the device; of the Logix controller, the program.
      if (!path || cls == kCipClassIdentity || cls == kLogixControllerClass) {
        return {"reset", C::kControllerState};
      }
      return {"reset", C::kWrite};
    case 0x06:
      return {"start", C::kControllerState};
    case 0x07:
      return {"stop", C::kControllerState};
    case 0x08:
      return {"create", program ? C::kProgramChange : C::kOther};
    case 0x09:
      return {"delete", program ? C::kProgramChange : C::kOther};
    case 0x0a:
      return {"multiple-service-packet", C::kOther};
    case 0x0d:
      return {"apply-attributes", C::kWrite};
    case 0x0e:
      return {"get-attribute-single", C::kRead};
    case 0x10:
      return {"set-attribute-single", program ? C::kProgramChange : C::kWrite};
    case 0x11:
      return {"find-next-object-instance", C::kRead};
    case 0x14:
      return {"error-response", C::kOther};
    case 0x15:
      return {"restore", C::kWrite};
    case 0x16:
      return {"save", C::kWrite};
    case 0x17:
      return {"no-operation", C::kOther};
    case 0x18:
      return {"get-member", C::kRead};
    case 0x19:
      return {"set-member", C::kWrite};
    case 0x1a:
      return {"insert-member", C::kWrite};
    case 0x1b:
      return {"remove-member", C::kWrite};
    case 0x1c:
      return {"group-sync", C::kOther};
    default:
      return {service < 0x4b ? "common-service" : "object-specific-service", C::kOther};
  }
}

CipMeaning ConnectionManager(uint8_t service) {
  using C = IcsCategory;
  switch (service) {
    case kCipForwardClose:
      return {"forward-close", C::kSession};
    case kCipUnconnectedSend:
      return {"unconnected-send", C::kOther};
    case kCipForwardOpen:
      return {"forward-open", C::kSession};
    case 0x56:
      return {"get-connection-data", C::kDiagnostic};
    case 0x57:
      return {"search-connection-data", C::kDiagnostic};
    case 0x5a:
      return {"get-connection-owner", C::kDiagnostic};
    case kCipLargeForwardOpen:
      return {"large-forward-open", C::kSession};
    default:
      return {"object-specific-service", C::kOther};
  }
}

CipMeaning Pccc(const PcccCommand* pccc) {
  using C = IcsCategory;
  if (!pccc) return {"execute-pccc", C::kOther};
  uint8_t cmd = pccc->command & 0x0f;
  if (cmd == 0x0f && pccc->has_function) {
    switch (pccc->function) {
      case 0x80:  // change mode: program, run, test
        return {"pccc-change-mode", C::kControllerState};
      case 0x3a:  // set CPU mode (PLC-5)
        return {"pccc-set-cpu-mode", C::kControllerState};
      case 0x01:  // word range read
      case 0x17:  // read bytes physical
      case 0x68:  // typed read
      case 0xa1:  // protected typed logical read, 2 address fields
      case 0xa2:  // protected typed logical read, 3 address fields
        return {"pccc-read", C::kRead};
      case 0x00:  // word range write
      case 0x02:  // bit write
      case 0x18:  // write bytes physical
      case 0x26:  // read-modify-write
      case 0x67:  // typed write
      case 0x79:  // read-modify-write N
      case 0xa9:  // protected typed logical write, 2 address fields
      case 0xaa:  // protected typed logical write, 3 address fields
      case 0xab:  // protected typed logical masked write, 3 address fields
        return {"pccc-write", C::kWrite};
      default:
        return {"pccc-command", C::kOther};
    }
  }
  switch (cmd) {
    case 0x01:  // unprotected read
      return {"pccc-read", C::kRead};
    case 0x00:  // protected write
    case 0x02:  // protected bit write
    case 0x05:  // unprotected bit write
    case 0x08:  // unprotected write
      return {"pccc-write", C::kWrite};
    case 0x06:  // diagnostic status, echo, counters
      return {"pccc-diagnostic", C::kDiagnostic};
    default:
      return {"pccc-command", C::kOther};
  }
}

CipMeaning File(uint8_t service) {
  // Every File object service moves a file (a program, an EDS) to or from the device.
  using C = IcsCategory;
  switch (service) {
    case 0x4b:
      return {"file-initiate-upload", C::kProgramChange};
    case 0x4c:
      return {"file-initiate-download", C::kProgramChange};
    case 0x4d:
      return {"file-initiate-partial-read", C::kProgramChange};
    case 0x4e:
      return {"file-initiate-partial-write", C::kProgramChange};
    case 0x4f:
      return {"file-upload-transfer", C::kProgramChange};
    case 0x50:
      return {"file-download-transfer", C::kProgramChange};
    case 0x51:
      return {"file-clear", C::kProgramChange};
    default:
      return {"object-specific-service", C::kOther};
  }
}

CipMeaning Nvs(uint8_t service) {
  switch (service) {
    case 0x4b:
      return {"nvs-update", IcsCategory::kFirmware};
    case 0x4d:
      return {"nvs-transfer", IcsCategory::kFirmware};
    default:
      return {"nvs-service", IcsCategory::kFirmware};
  }
}

CipMeaning Tag(uint8_t service, uint32_t cls) {
  using C = IcsCategory;
  switch (service) {
    case 0x4c:
      return cls == kTemplateClass ? CipMeaning{"read-template", C::kRead}
                                   : CipMeaning{"read-tag", C::kRead};
    case 0x4d:
      return {"write-tag", C::kWrite};
    case 0x4e:
      return {"read-modify-write-tag", C::kWrite};
    case 0x52:
      return {"read-tag-fragmented", C::kRead};
    case 0x53:
      return {"write-tag-fragmented", C::kWrite};
    case 0x55:
      return {"get-instance-attribute-list", C::kRead};
    default:
      return {"object-specific-service", C::kOther};
  }
}

}  // namespace

const char* EnipCommandName(uint16_t command) {
  switch (command) {
    case 0x0000:
      return "nop";
    case 0x0001:
      return "list-targets";
    case 0x0004:
      return "list-services";
    case 0x0063:
      return "list-identity";
    case 0x0064:
      return "list-interfaces";
    case 0x0065:
      return "register-session";
    case 0x0066:
      return "unregister-session";
    case 0x006f:
      return "send-rr-data";
    case 0x0070:
      return "send-unit-data";
    case 0x0072:
      return "indicate-status";
    case 0x0073:
      return "cancel";
    default:
      return "unknown";
  }
}

const char* EnipStatusName(uint32_t status) {
  switch (status) {
    case 0x0000:
      return "success";
    case 0x0001:
      return "invalid-command";
    case 0x0002:
      return "insufficient-memory";
    case 0x0003:
      return "incorrect-data";
    case 0x0064:
      return "invalid-session-handle";
    case 0x0065:
      return "invalid-length";
    case 0x0069:
      return "unsupported-protocol-revision";
    default:
      return nullptr;
  }
}

CipMeaning ClassifyCipRequest(uint8_t service, const CipPath& path, const PcccCommand* pccc) {
  service &= 0x7f;
  if (service < 0x4b) return Common(service, &path);
  uint32_t cls = path.has_class ? path.class_id : 0;
  if (path.symbolic) return Tag(service, kSymbolClass);
  switch (cls) {
    case kCipClassConnectionManager:
      return ConnectionManager(service);
    case kCipClassPccc:
      // Execute PCCC (0x4b) and Execute Local PCCC (0x4d) carry a PCCC command; 0x4c
      // (Execute DH+) addresses a DH+ node with one.
      if (service == 0x4b || service == 0x4d) return Pccc(pccc);
      return {"execute-dhplus", IcsCategory::kOther};
    case kCipClassFile:
      return File(service);
    case kNvsClass:
      return Nvs(service);
    case kSymbolClass:
    case kTemplateClass:
      return Tag(service, cls);
    default:
      return {"object-specific-service", IcsCategory::kOther};
  }
}

CipMeaning ClassifyCipService(uint8_t service) {
  service &= 0x7f;
  if (service < 0x4b) return Common(service, nullptr);
  // Without the request, a class-specific code could mean one of several services.
  return {"object-specific-service", IcsCategory::kOther};
}

const char* CipGeneralStatusName(uint8_t status) {
  static constexpr const char* kNames[] = {
      "success",                                // 0x00
      "connection-failure",                     // 0x01
      "resource-unavailable",                   // 0x02
      "invalid-parameter-value",                // 0x03
      "path-segment-error",                     // 0x04
      "path-destination-unknown",               // 0x05
      "partial-transfer",                       // 0x06
      "connection-lost",                        // 0x07
      "service-not-supported",                  // 0x08
      "invalid-attribute-value",                // 0x09
      "attribute-list-error",                   // 0x0a
      "already-in-requested-mode",              // 0x0b
      "object-state-conflict",                  // 0x0c
      "object-already-exists",                  // 0x0d
      "attribute-not-settable",                 // 0x0e
      "privilege-violation",                    // 0x0f
      "device-state-conflict",                  // 0x10
      "reply-data-too-large",                   // 0x11
      "fragmentation-of-a-primitive-value",     // 0x12
      "not-enough-data",                        // 0x13
      "attribute-not-supported",                // 0x14
      "too-much-data",                          // 0x15
      "object-does-not-exist",                  // 0x16
      "service-fragmentation-not-in-progress",  // 0x17
      "no-stored-attribute-data",               // 0x18
      "store-operation-failure",                // 0x19
      "routing-failure-request-too-large",      // 0x1a
      "routing-failure-response-too-large",     // 0x1b
      "missing-attribute-list-entry-data",      // 0x1c
      "invalid-attribute-value-list",           // 0x1d
      "embedded-service-error",                 // 0x1e
      "vendor-specific-error",                  // 0x1f
      "invalid-parameter",                      // 0x20
      "write-once-already-written",             // 0x21
      "invalid-reply-received",                 // 0x22
      "buffer-overflow",                        // 0x23
      "message-format-error",                   // 0x24
      "key-failure-in-path",                    // 0x25
      "path-size-invalid",                      // 0x26
      "unexpected-attribute-in-list",           // 0x27
      "invalid-member-id",                      // 0x28
      "member-not-settable",                    // 0x29
      "group-2-only-server-general-failure",    // 0x2a
      "unknown-modbus-error",                   // 0x2b
      "attribute-not-gettable",                 // 0x2c
  };
  return status < std::size(kNames) ? kNames[status] : nullptr;
}

bool IsCipError(uint8_t status) { return status != 0x00 && status != 0x06; }

const char* CipVendorName(uint16_t vendor_id) {
  switch (vendor_id) {
    case 1:
      return "Rockwell Automation/Allen-Bradley";
    case 5:
      return "Rockwell Automation/Reliance Electric";
    case 7:
      return "SMC Corporation";
    case 8:
      return "Molex Incorporated";
    case 12:
      return "Banner Engineering Corp.";
    case 26:
      return "Festo Corporation";
    case 40:
      return "WAGO Corporation";
    case 44:
      return "Yaskawa Electric America, Inc.";
    case 46:
      return "ABB Industrial Systems";
    case 47:
      return "Omron Corporation";
    case 48:
      return "Turck, Inc.";
    case 50:
      return "Real Time Automation";
    case 57:
      return "Pepperl+Fuchs";
    case 68:
      return "Eaton Electrical";
    case 74:
      return "Hitachi, Ltd.";
    case 77:
      return "Rockwell Software, Inc.";
    case 82:
      return "Mitsubishi Electric Automation, Inc.";
    case 83:
      return "Opto 22";
    case 90:
      return "HMS Industrial Networks AB";
    case 97:
      return "Danfoss";
    case 108:
      return "Beckhoff Automation GmbH";
    case 109:
      return "National Instruments";
    case 121:
      return "KUKA Roboter GmbH";
    case 145:
      return "Siemens Energy & Automation/Drives";
    case 161:
      return "Mitsubishi Electric Corporation";
    case 176:
      return "Red Lion Controls";
    case 181:
      return "Pilz GmbH & Co";
    case 243:
      return "Schneider Automation, Inc.";
    case 250:
      return "Yokogawa Electric Corporation";
    case 255:
      return "Bosch Rexroth";
    case 283:
      return "Hilscher GmbH";
    case 309:
      return "ProSoft Technology";
    case 315:
      return "SEW Eurodrive GmbH";
    case 319:
      return "Fuji Electric Co., Ltd.";
    case 326:
      return "GE Fanuc Automation North America, Inc.";
    case 345:
      return "Endress+Hauser";
    case 356:
      return "FANUC Robotics America";
    case 367:
      return "Keyence Corporation";
    case 445:
      return "Lenze Drive Systems GmbH";
    case 562:
      return "Phoenix Contact";
    case 591:
      return "FANUC Ltd.";
    case 634:
      return "Hirschmann, Inc.";
    case 640:
      return "Murrelektronik GmbH";
    case 660:
      return "AutomationDirect.com";
    case 678:
      return "Cognex Corporation";
    case 796:
      return "Siemens Energy & Automation, Inc.";
    case 808:
      return "SICK AG";
    default:
      return nullptr;
  }
}

const char* CipDeviceTypeName(uint16_t device_type) {
  switch (device_type) {
    case 0x00:
      return "Generic Device";
    case 0x02:
      return "AC Drive";
    case 0x03:
      return "Motor Overload";
    case 0x04:
      return "Limit Switch";
    case 0x05:
      return "Inductive Proximity Switch";
    case 0x06:
      return "Photoelectric Sensor";
    case 0x07:
      return "General Purpose Discrete I/O";
    case 0x09:
      return "Resolver";
    case 0x0c:
      return "Communications Adapter";
    case 0x0e:
      return "Programmable Logic Controller";
    case 0x10:
      return "Position Controller";
    case 0x13:
      return "DC Drive";
    case 0x15:
      return "Contactor";
    case 0x16:
      return "Motor Starter";
    case 0x17:
      return "Soft Start";
    case 0x18:
      return "Human-Machine Interface";
    case 0x1a:
      return "Mass Flow Controller";
    case 0x1b:
      return "Pneumatic Valve";
    case 0x1c:
      return "Vacuum Pressure Gauge";
    case 0x22:
      return "Encoder";
    case 0x23:
      return "Safety Discrete I/O Device";
    case 0x25:
      return "CIP Motion Drive";
    case 0x2a:
      return "Safety Analog I/O Device";
    case 0x2b:
      return "Generic Device (keyable)";
    case 0x2c:
      return "Managed Switch";
    case 0x32:
      return "ControlNet Physical Layer Component";
    default:
      return nullptr;
  }
}

}  // namespace qw::dissect::enip
