// Modbus Messaging on TCP/IP Implementation Guide V1.0b 3.1.3; Modbus Application Protocol
// Specification V1.1b3 clauses 6 (function layouts) and 7 (exceptions); UMAS as Wireshark's
// packet-umas.h and the public UMAS analyses describe it.
//
// clang-format off
//  ADU:  | transaction:2 | protocol:2 (=0) | length:2 (unit + PDU) | unit:1 | function:1 | data:length-2 |
//  Exception response:  | function|0x80 | exception code:1 |
//
//  function                       request data                                  response data
//   1 read coils, 2 read DI       | address:2 | quantity:2 |                      | byte count:1 | bits:n |
//   3 read HR, 4 read IR          | address:2 | quantity:2 |                      | byte count:1 | registers:n |
//   5 write coil, 6 write reg.    | address:2 | value:2 |                          (echo of the request)
//   7 read exception status       (none)                                         | status:1 |
//   8 diagnostics                 | sub-function:2 | data:n |                     | sub-function:2 | data:n |
//  11 get comm event counter      (none)                                         | status:2 | event count:2 |
//  12 get comm event log          (none)                                         | byte count:1 | status:2 | counts:4 | events |
//  15 write coils                 | address:2 | quantity:2 | byte count:1 | bits:n |   | address:2 | quantity:2 |
//  16 write registers             | address:2 | quantity:2 | byte count:1 | regs:n |   | address:2 | quantity:2 |
//  17 report server id            (none)                                         | byte count:1 | id, run status, data:n |
//  20 read file record            | byte count:1 | { ref type:1 (6) | file:2 | record:2 | length:2 } |
//                                                 | byte count:1 | { length:1 | ref type:1 | data:length-1 } |
//  21 write file record           | byte count:1 | { ref type:1 | file:2 | record:2 | length:2 | data:2*length } |  (echo)
//  22 mask write register         | address:2 | and mask:2 | or mask:2 |           (echo of the request)
//  23 read/write registers        | read addr:2 | read qty:2 | write addr:2 | write qty:2 | byte count:1 | regs:n |
//                                                                                | byte count:1 | registers:n |
//  24 read FIFO queue             | pointer address:2 |                           | byte count:2 | FIFO count:2 | regs:2*count |
//  43 encapsulated interface      | MEI type:1 | MEI data |                      | MEI type:1 | MEI data |
//     MEI 14 read device id       | read code:1 | object id:1 |
//                                 answer: | read code:1 | conformity:1 | more follows:1 | next object:1 | count:1 |
//                                         { object id:1 | length:1 | value:length } x count |
//  90 UMAS (Schneider)            | pairing key:1 | UMAS code:1 | data |        | pairing key:1 | 0xfe ok / 0xfd error | data |
//     UMAS 0x02 read id answer data: | range:2 | ident:4 | model:2 | versions:8 | crash code:4 | ?:2 |
//                                    | name length:1 | name:length | ... |
// clang-format on
#include "dissect/modbus/modbus_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::modbus {
namespace {

// Bytes a Read File Record sub-request takes: reference type, file, record, length.
constexpr size_t kFileSubRequestBytes = 7;
// The reference type every file sub-request carries.
constexpr uint8_t kFileReferenceType = 6;
// Offset of the name length in a UMAS Read ID answer's data.
constexpr size_t kUmasReadIdNameOffset = 22;

// Reads `| address:2 | quantity:2 |` into the PDU's range.
void ReadRange(core::ByteReader& r, Pdu& p) {
  p.address = r.U16Be();
  p.quantity = r.U16Be();
  p.has_range = r.ok();
}

// A byte count followed by exactly that many bytes, and nothing after them.
bool CountedRest(core::ByteReader& r) {
  uint8_t count = r.U8();
  return r.ok() && r.remaining() == count;
}

// Function 20 request: 7-byte sub-requests, the byte count a multiple of 7.
bool ReadFileRequest(core::ByteReader& r, Pdu& p) {
  uint8_t count = r.U8();
  if (!r.ok() || r.remaining() != count || count % kFileSubRequestBytes != 0) return false;
  while (!r.empty()) {
    if (p.file_subrequests == kMaxFileSubRequests) {
      p.file_subrequests_capped = true;
      return true;
    }
    uint8_t type = r.U8();
    uint16_t file = r.U16Be(), record = r.U16Be(), length = r.U16Be();
    if (!r.ok() || type != kFileReferenceType) return false;
    if (p.file_subrequests++ == 0) {
      p.file_number = file;
      p.record_number = record;
      p.record_length = length;
    }
  }
  return true;
}

// Function 21 request and response (the response echoes the request): each sub-request
// carries its record data, 2 bytes per register.
bool WriteFileRecords(core::ByteReader& r, Pdu& p) {
  uint8_t count = r.U8();
  if (!r.ok() || r.remaining() != count) return false;
  core::ByteReader all = r.Sub(count);
  while (!all.empty()) {
    if (p.file_subrequests == kMaxFileSubRequests) {
      p.file_subrequests_capped = true;
      return true;
    }
    uint8_t type = all.U8();
    uint16_t file = all.U16Be(), record = all.U16Be(), length = all.U16Be();
    all.Skip(size_t{length} * 2);
    if (!all.ok() || type != kFileReferenceType) return false;
    if (p.file_subrequests++ == 0) {
      p.file_number = file;
      p.record_number = record;
      p.record_length = length;
    }
  }
  return true;
}

// Function 20 response: sub-responses of | length:1 | reference type:1 | data:length-1 |.
bool ReadFileResponse(core::ByteReader& r, Pdu& p) {
  uint8_t count = r.U8();
  if (!r.ok() || r.remaining() != count) return false;
  core::ByteReader all = r.Sub(count);
  while (!all.empty()) {
    if (p.file_subrequests == kMaxFileSubRequests) {
      p.file_subrequests_capped = true;
      return true;
    }
    uint8_t length = all.U8();
    uint8_t type = all.U8();
    // The length counts the reference type, then pairs of data bytes.
    if (!all.ok() || length == 0 || type != kFileReferenceType) return false;
    all.Skip(length - 1u);
    if (!all.ok()) return false;
    ++p.file_subrequests;
  }
  return true;
}

// The request layouts; false when the data does not fit.
bool ParseRequest(core::ByteReader& r, Pdu& p) {
  switch (p.function) {
    case kReadCoils:
    case kReadDiscreteInputs:
    case kReadHoldingRegisters:
    case kReadInputRegisters:
      ReadRange(r, p);
      return r.ok() && r.empty();
    case kWriteSingleCoil:
    case kWriteSingleRegister:
      p.address = r.U16Be();
      r.Skip(2);  // the value
      p.quantity = 1;
      p.has_range = r.ok();
      return r.ok() && r.empty();
    case kMaskWriteRegister:
      p.address = r.U16Be();
      r.Skip(4);  // AND and OR masks
      p.quantity = 1;
      p.has_range = r.ok();
      return r.ok() && r.empty();
    case kWriteMultipleCoils: {
      ReadRange(r, p);
      uint8_t count = r.U8();
      return r.ok() && count == (p.quantity + 7u) / 8u && r.remaining() == count;
    }
    case kWriteMultipleRegisters: {
      ReadRange(r, p);
      uint8_t count = r.U8();
      return r.ok() && count == p.quantity * 2u && r.remaining() == count;
    }
    case kReadWriteMultipleRegisters: {
      ReadRange(r, p);
      p.write_address = r.U16Be();
      p.write_quantity = r.U16Be();
      p.has_write_range = r.ok();
      uint8_t count = r.U8();
      return r.ok() && count == p.write_quantity * 2u && r.remaining() == count;
    }
    case kReadFifoQueue:
      p.fifo_address = r.U16Be();
      p.has_fifo = r.ok();
      return r.ok() && r.empty();
    case kReadExceptionStatus:
    case kGetCommEventCounter:
    case kGetCommEventLog:
    case kReportServerId:
      return r.empty();
    case kDiagnostics:
      p.subfunction = r.U16Be();
      p.has_subfunction = r.ok();
      return r.ok();
    case kReadFileRecord:
      return ReadFileRequest(r, p);
    case kWriteFileRecord:
      return WriteFileRecords(r, p);
    case kEncapsulatedInterface:
      p.subfunction = r.U8();
      p.has_subfunction = r.ok();
      p.payload = r.PeekRest();
      if (r.ok() && p.subfunction == kMeiReadDeviceId) {
        p.read_device_id_code = r.U8();
        p.device_id_object = r.U8();
        return r.ok() && r.empty();
      }
      return r.ok();
    case kUmas:
      p.umas_pairing_key = r.U8();
      p.subfunction = r.U8();
      p.has_subfunction = r.ok();
      p.payload = r.PeekRest();
      return r.ok();
    default:
      return true;  // user-defined or reserved: raw data
  }
}

// The response layouts; false when the data does not fit.
bool ParseResponse(core::ByteReader& r, Pdu& p) {
  switch (p.function) {
    case kReadCoils:
    case kReadDiscreteInputs:
    case kReadWriteMultipleRegisters:
    case kReadHoldingRegisters:
    case kReadInputRegisters:
    case kGetCommEventLog:
    case kReportServerId:
      return CountedRest(r);
    case kWriteSingleCoil:
    case kWriteSingleRegister:
      p.address = r.U16Be();
      r.Skip(2);
      p.quantity = 1;
      p.has_range = r.ok();
      return r.ok() && r.empty();
    case kMaskWriteRegister:
      p.address = r.U16Be();
      r.Skip(4);
      p.quantity = 1;
      p.has_range = r.ok();
      return r.ok() && r.empty();
    case kWriteMultipleCoils:
    case kWriteMultipleRegisters:
      ReadRange(r, p);
      return r.ok() && r.empty();
    case kReadExceptionStatus:
      r.Skip(1);
      return r.ok() && r.empty();
    case kGetCommEventCounter:
      r.Skip(4);
      return r.ok() && r.empty();
    case kReadFifoQueue: {
      uint16_t count = r.U16Be();
      uint16_t fifo = r.U16Be();
      // The byte count covers the FIFO count and the registers.
      return r.ok() && count == 2u + fifo * 2u && r.remaining() == fifo * 2u;
    }
    case kDiagnostics:
      p.subfunction = r.U16Be();
      p.has_subfunction = r.ok();
      return r.ok();
    case kReadFileRecord:
      return ReadFileResponse(r, p);
    case kWriteFileRecord:
      return WriteFileRecords(r, p);
    case kEncapsulatedInterface:
      p.subfunction = r.U8();
      p.has_subfunction = r.ok();
      p.payload = r.PeekRest();
      if (r.ok() && p.subfunction == kMeiReadDeviceId) {
        // Rare enough to read twice: here for its shape, later for the identity.
        DeviceIdResponse answer;
        return ParseDeviceIdResponse(p.payload, answer);
      }
      return r.ok();
    case kUmas:
      p.umas_pairing_key = r.U8();
      p.subfunction = r.U8();  // the status: 0xfe ok, 0xfd error
      p.has_subfunction = r.ok();
      p.payload = r.PeekRest();
      return r.ok();
    default:
      return true;
  }
}

}  // namespace

FrameResult FrameAdu(std::span<const uint8_t> bytes) {
  FrameResult out;
  core::ByteReader r(bytes);
  // Decide from whatever part of the header is there: protocol id, then length.
  if (r.remaining() >= 4 && r.PeekU16Be(2) != 0) {
    out.status = FrameStatus::kBadProtocolId;
    return out;
  }
  if (r.remaining() >= 6) {
    uint16_t length = r.PeekU16Be(4);
    if (length < kMinMbapLength || length > kMaxMbapLength) {
      out.status = FrameStatus::kBadLength;
      return out;
    }
  }
  if (r.remaining() < kMbapBytes + 1) {
    out.status = FrameStatus::kNeedMore;
    out.size = r.remaining() >= 6 ? 6u + r.PeekU16Be(4) : kMbapBytes + 1;
    return out;
  }
  Adu& adu = out.adu;
  adu.mbap.transaction = r.U16Be();
  adu.mbap.protocol = r.U16Be();
  adu.mbap.length = r.U16Be();
  // The length counts the unit id and the PDU that follow it.
  size_t size = 6u + adu.mbap.length;
  if (r.remaining() < adu.mbap.length) {
    out.status = FrameStatus::kNeedMore;
    out.size = size;
    return out;
  }
  core::ByteReader body = r.Sub(adu.mbap.length);
  adu.mbap.unit = body.U8();
  adu.function_byte = body.U8();
  adu.data = body.Rest();
  out.status = FrameStatus::kAdu;
  out.size = size;
  return out;
}

Pdu ParsePdu(const Adu& adu, Role role) {
  Pdu p;
  p.function = adu.function_byte & static_cast<uint8_t>(~kExceptionBit);
  p.exception = (adu.function_byte & kExceptionBit) != 0;
  switch (p.function) {
    case kReadCoils:
    case kWriteSingleCoil:
    case kWriteMultipleCoils:
      p.table = Table::kCoils;
      break;
    case kReadDiscreteInputs:
      p.table = Table::kDiscreteInputs;
      break;
    case kReadHoldingRegisters:
    case kWriteSingleRegister:
    case kWriteMultipleRegisters:
    case kMaskWriteRegister:
    case kReadWriteMultipleRegisters:
      p.table = Table::kHoldingRegisters;
      break;
    case kReadInputRegisters:
      p.table = Table::kInputRegisters;
      break;
    default:
      break;
  }
  core::ByteReader r(adu.data);
  if (p.exception) {
    p.exception_code = r.U8();
    p.well_formed = r.ok() && r.empty();
    return p;
  }
  p.well_formed = role == Role::kRequest ? ParseRequest(r, p) : ParseResponse(r, p);
  return p;
}

bool ParseDeviceIdResponse(std::span<const uint8_t> payload, DeviceIdResponse& out) {
  core::ByteReader r(payload);
  out.read_code = r.U8();
  out.conformity_level = r.U8();
  out.more_follows = r.U8();
  out.next_object_id = r.U8();
  out.object_count = r.U8();
  if (!r.ok()) return false;
  for (size_t i = 0; i < out.object_count; ++i) {
    if (out.objects_read == kMaxDeviceIdObjects) {
      out.capped = true;
      return true;
    }
    DeviceIdObject o;
    o.id = r.U8();
    uint8_t length = r.U8();
    o.value = r.Bytes(length);
    if (!r.ok()) return false;
    out.objects[out.objects_read++] = o;
  }
  return r.empty();
}

std::span<const uint8_t> UmasReadIdName(std::span<const uint8_t> payload) {
  core::ByteReader r(payload);
  r.Skip(kUmasReadIdNameOffset);
  uint8_t length = r.U8();
  std::span<const uint8_t> name = r.Bytes(length);
  return r.ok() ? name : std::span<const uint8_t>{};
}

namespace {

// One UMAS function code: its name, the operation's name and what it does. Strategy upload
// and download (0x30-0x35) move the PLC program, whichever way; start and stop change the
// controller's state; reservations and keep-alives are the engineering session.
struct UmasCode {
  uint8_t code;
  const char* name;
  const char* function;
  IcsCategory category;
};

constexpr UmasCode kUmasCodes[] = {
    {0x01, "init-comm", "umas-init-comm", IcsCategory::kSession},
    {0x02, "read-id", "umas-read-id", IcsCategory::kIdentity},
    {0x03, "read-project-info", "umas-read-project-info", IcsCategory::kRead},
    {0x04, "read-plc-info", "umas-read-plc-info", IcsCategory::kDiagnostic},
    {0x06, "read-card-info", "umas-read-card-info", IcsCategory::kDiagnostic},
    {0x0a, "repeat", "umas-repeat", IcsCategory::kDiagnostic},
    {0x10, "take-plc-reservation", "umas-take-plc-reservation", IcsCategory::kSession},
    {0x11, "release-plc-reservation", "umas-release-plc-reservation", IcsCategory::kSession},
    {0x12, "keep-alive", "umas-keep-alive", IcsCategory::kSession},
    {0x20, "read-memory-block", "umas-read-memory-block", IcsCategory::kRead},
    {0x22, "read-variables", "umas-read-variables", IcsCategory::kRead},
    {0x23, "write-variables", "umas-write-variables", IcsCategory::kWrite},
    {0x24, "read-coils-registers", "umas-read-coils-registers", IcsCategory::kRead},
    {0x25, "write-coils-registers", "umas-write-coils-registers", IcsCategory::kWrite},
    {0x26, "data-dictionary", "umas-data-dictionary", IcsCategory::kRead},
    {0x30, "initialize-upload", "umas-initialize-upload", IcsCategory::kProgramChange},
    {0x31, "upload-block", "umas-upload-block", IcsCategory::kProgramChange},
    {0x32, "end-strategy-upload", "umas-end-strategy-upload", IcsCategory::kProgramChange},
    {0x33, "initialize-download", "umas-initialize-download", IcsCategory::kProgramChange},
    {0x34, "download-block", "umas-download-block", IcsCategory::kProgramChange},
    {0x35, "end-strategy-download", "umas-end-strategy-download", IcsCategory::kProgramChange},
    {0x39, "read-ethernet-master-data", "umas-read-ethernet-master-data", IcsCategory::kRead},
    {0x40, "start-plc", "umas-start-plc", IcsCategory::kControllerState},
    {0x41, "stop-plc", "umas-stop-plc", IcsCategory::kControllerState},
    {0x50, "monitor-plc", "umas-monitor-plc", IcsCategory::kRead},
    {0x58, "check-plc", "umas-check-plc", IcsCategory::kDiagnostic},
    {0x70, "read-io-object", "umas-read-io-object", IcsCategory::kRead},
    {0x71, "write-io-object", "umas-write-io-object", IcsCategory::kWrite},
    {0x73, "get-status-module", "umas-get-status-module", IcsCategory::kDiagnostic},
};

// The entry of a UMAS code, or nullptr.
const UmasCode* FindUmas(uint8_t code) {
  for (const auto& u : kUmasCodes) {
    if (u.code == code) return &u;
  }
  return nullptr;
}

}  // namespace

const char* UmasName(uint8_t code) {
  const UmasCode* u = FindUmas(code);
  return u ? u->name : nullptr;
}

const char* FunctionName(uint8_t function, bool has_sub, uint16_t sub) {
  switch (function) {
    case kReadCoils:
      return "read-coils";
    case kReadDiscreteInputs:
      return "read-discrete-inputs";
    case kReadHoldingRegisters:
      return "read-holding-registers";
    case kReadInputRegisters:
      return "read-input-registers";
    case kWriteSingleCoil:
      return "write-single-coil";
    case kWriteSingleRegister:
      return "write-single-register";
    case kReadExceptionStatus:
      return "read-exception-status";
    case kDiagnostics:
      return "diagnostics";
    case kGetCommEventCounter:
      return "get-comm-event-counter";
    case kGetCommEventLog:
      return "get-comm-event-log";
    case kWriteMultipleCoils:
      return "write-multiple-coils";
    case kWriteMultipleRegisters:
      return "write-multiple-registers";
    case kReportServerId:
      return "report-server-id";
    case kReadFileRecord:
      return "read-file-record";
    case kWriteFileRecord:
      return "write-file-record";
    case kMaskWriteRegister:
      return "mask-write-register";
    case kReadWriteMultipleRegisters:
      return "read-write-multiple-registers";
    case kReadFifoQueue:
      return "read-fifo-queue";
    case kEncapsulatedInterface:
      if (has_sub && sub == kMeiReadDeviceId) return "read-device-identification";
      if (has_sub && sub == kMeiCanopen) return "canopen-general-reference";
      return "encapsulated-interface-transport";
    case kUmas:
      if (has_sub) {
        const UmasCode* u = FindUmas(static_cast<uint8_t>(sub));
        if (u) return u->function;
      }
      return "umas";
    default:
      // Application Protocol 5.3: two ranges are left to vendors.
      if ((function >= 65 && function <= 72) || (function >= 100 && function <= 110)) {
        return "user-defined";
      }
      return "unknown";
  }
}

IcsCategory FunctionCategory(uint8_t function, bool has_sub, uint16_t sub) {
  switch (function) {
    case kReadCoils:
    case kReadDiscreteInputs:
    case kReadHoldingRegisters:
    case kReadInputRegisters:
    case kReadFileRecord:
    case kReadFifoQueue:
      return IcsCategory::kRead;
    case kWriteSingleCoil:
    case kWriteSingleRegister:
    case kWriteMultipleCoils:
    case kWriteMultipleRegisters:
    case kWriteFileRecord:
    case kMaskWriteRegister:
    case kReadWriteMultipleRegisters:  // it writes before it reads
      return IcsCategory::kWrite;
    case kReadExceptionStatus:
    case kDiagnostics:
    case kGetCommEventCounter:
    case kGetCommEventLog:
    case kReportServerId:
      return IcsCategory::kDiagnostic;
    case kEncapsulatedInterface:
      return has_sub && sub == kMeiReadDeviceId ? IcsCategory::kIdentity : IcsCategory::kOther;
    case kUmas:
      if (has_sub) {
        const UmasCode* u = FindUmas(static_cast<uint8_t>(sub));
        if (u) return u->category;
      }
      return IcsCategory::kOther;
    default:
      return IcsCategory::kOther;
  }
}

const char* ExceptionName(uint8_t code) {
  switch (code) {
    case 1:
      return "illegal-function";
    case 2:
      return "illegal-data-address";
    case 3:
      return "illegal-data-value";
    case 4:
      return "server-device-failure";
    case 5:
      return "acknowledge";
    case 6:
      return "server-device-busy";
    case 8:
      return "memory-parity-error";
    case 10:
      return "gateway-path-unavailable";
    case 11:
      return "gateway-target-failed-to-respond";
    default:
      return nullptr;
  }
}

const char* DiagnosticName(uint16_t sub) {
  switch (sub) {
    case 0:
      return "return-query-data";
    case 1:
      return "restart-communications-option";
    case 2:
      return "return-diagnostic-register";
    case 3:
      return "change-ascii-input-delimiter";
    case 4:
      return "force-listen-only-mode";
    case 10:
      return "clear-counters-and-diagnostic-register";
    case 11:
      return "return-bus-message-count";
    case 12:
      return "return-bus-communication-error-count";
    case 13:
      return "return-bus-exception-error-count";
    case 14:
      return "return-server-message-count";
    case 15:
      return "return-server-no-response-count";
    case 16:
      return "return-server-nak-count";
    case 17:
      return "return-server-busy-count";
    case 18:
      return "return-bus-character-overrun-count";
    case 20:
      return "clear-overrun-counter-and-flag";
    default:
      return nullptr;
  }
}

const char* TableName(Table t) {
  switch (t) {
    case Table::kCoils:
      return "coils";
    case Table::kDiscreteInputs:
      return "di";
    case Table::kHoldingRegisters:
      return "hr";
    case Table::kInputRegisters:
      return "ir";
    case Table::kNone:
      break;
  }
  return "";
}

}  // namespace qw::dissect::modbus
