// Modbus/TCP parser: frames one MBAP ADU at the start of a byte run and reads its PDU into
// small bounded structs. Pure: no state, no I/O, no allocation. Every span a function here
// returns is a view into the bytes it was given and lives only as long as they do (for a
// dissector: the OnData call).
//
// Follows the Modbus Messaging on TCP/IP Implementation Guide V1.0b (MBAP header, 3.1.3),
// the Modbus Application Protocol Specification V1.1b3 (function codes, PDU layouts,
// exception codes 7; Read Device Identification 6.21) and, for function 90, Schneider
// Electric's UMAS header as public analyses describe it (Wireshark's packet-umas.h,
// "The Unity (UMAS) protocol", lirasenlared 2017): only the header and the Read ID answer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dissect/observation.h"

namespace qw::dissect::modbus {

/// The TCP port servers listen on (IANA "mbap"); it tells requests from responses.
inline constexpr uint16_t kModbusPort = 502;
/// Bytes of the MBAP header: transaction, protocol, length, unit.
inline constexpr size_t kMbapBytes = 7;
/// The least MBAP length: it counts the unit id and the function code.
inline constexpr uint16_t kMinMbapLength = 2;
/// The most the specification allows: unit id and a PDU of 253 bytes.
inline constexpr uint16_t kSpecMaxMbapLength = 254;
/// The most this parser accepts: UMAS answers overshoot the specification by a byte; anything
/// longer is not Modbus (a random 16-bit value would make the stream wait for 64 KiB).
inline constexpr uint16_t kMaxMbapLength = 260;
/// The bit a server sets in the function code of an exception response.
inline constexpr uint8_t kExceptionBit = 0x80;
/// Most file sub-requests read from one function 20 or 21 PDU (a 253-byte PDU holds up to
/// 35); past it the rest is left unread (`modbus.too_many_file_subrequests`).
inline constexpr size_t kMaxFileSubRequests = 16;
/// Most objects read from one Read Device Identification answer (devices send the 7 standard
/// ones and a few private ones; a PDU could hold 123 empty ones): past it,
/// `modbus.too_many_device_id_objects`.
inline constexpr size_t kMaxDeviceIdObjects = 32;

/// Public function codes (Application Protocol V1.1b3, 5.1) and Schneider's UMAS.
enum Function : uint8_t {
  kReadCoils = 1,
  kReadDiscreteInputs = 2,
  kReadHoldingRegisters = 3,
  kReadInputRegisters = 4,
  kWriteSingleCoil = 5,
  kWriteSingleRegister = 6,
  kReadExceptionStatus = 7,
  kDiagnostics = 8,
  kGetCommEventCounter = 11,
  kGetCommEventLog = 12,
  kWriteMultipleCoils = 15,
  kWriteMultipleRegisters = 16,
  kReportServerId = 17,
  kReadFileRecord = 20,
  kWriteFileRecord = 21,
  kMaskWriteRegister = 22,
  kReadWriteMultipleRegisters = 23,
  kReadFifoQueue = 24,
  kEncapsulatedInterface = 43,
  kUmas = 90,
};

/// MEI types of function 43.
inline constexpr uint8_t kMeiCanopen = 13;
inline constexpr uint8_t kMeiReadDeviceId = 14;

/// UMAS function codes (Wireshark packet-umas.h) that the dissector treats specially.
inline constexpr uint8_t kUmasReadId = 0x02;
/// UMAS status codes a response carries where the request had its function code.
inline constexpr uint8_t kUmasResponseOk = 0xfe;
inline constexpr uint8_t kUmasResponseError = 0xfd;

/// The MBAP header (Implementation Guide 3.1.3).
struct Mbap {
  uint16_t transaction = 0;  // pairs a response with its request
  uint16_t protocol = 0;     // 0 for Modbus
  uint16_t length = 0;       // bytes that follow: unit id and PDU
  uint8_t unit = 0;          // the addressed device behind a gateway (255 or 0 when direct)
};

/// What FrameAdu found at the start of the bytes.
enum class FrameStatus : uint8_t {
  kAdu,            // a whole ADU
  kNeedMore,       // a plausible header, but the ADU is not complete yet
  kBadProtocolId,  // the protocol id is not 0
  kBadLength,      // the length is below kMinMbapLength or above kMaxMbapLength
};

/// One ADU: its header, the function byte and the rest of the PDU.
struct Adu {
  Mbap mbap;
  uint8_t function_byte = 0;      // as on the wire, exception bit included
  std::span<const uint8_t> data;  // PDU bytes after the function code (view into the input)
};

/// FrameAdu's answer.
struct FrameResult {
  FrameStatus status = FrameStatus::kNeedMore;
  size_t size = 0;  // kAdu: bytes of the ADU; kNeedMore: bytes the ADU (or header) needs in all
  Adu adu;
};

/// Frames the ADU at the start of `bytes`; decides as soon as the bytes allow.
FrameResult FrameAdu(std::span<const uint8_t> bytes);

/// Which side sent a PDU: requests and responses of one function are laid out differently.
enum class Role : uint8_t { kRequest, kResponse };

/// The data table a function addresses (Application Protocol 4.3).
enum class Table : uint8_t { kNone, kCoils, kDiscreteInputs, kHoldingRegisters, kInputRegisters };

/// What one PDU says, as far as operations need it. Views point into the ADU's bytes.
struct Pdu {
  uint8_t function = 0;  // without the exception bit
  bool exception = false;
  uint8_t exception_code = 0;
  bool well_formed = true;  // the data fits the function's layout (unknown functions: always)
  Table table = Table::kNone;
  bool has_range = false;  // address and quantity were on the wire
  uint16_t address = 0, quantity = 0;
  bool has_write_range = false;  // function 23 request: the range written
  uint16_t write_address = 0, write_quantity = 0;
  bool has_fifo = false;  // function 24 request: the FIFO pointer address
  uint16_t fifo_address = 0;
  bool has_subfunction = false;  // function 8 sub-function, 43 MEI type, 90 UMAS code
  uint16_t subfunction = 0;
  uint8_t umas_pairing_key = 0;          // function 90: the reservation's key (0 before one)
  uint8_t read_device_id_code = 0;       // function 43/14: 1 basic, 2 regular, 3 extended, 4 one
  uint8_t device_id_object = 0;          // function 43/14 request: the first object wanted
  uint8_t file_subrequests = 0;          // functions 20/21: sub-requests read (capped)
  bool file_subrequests_capped = false;  // more than kMaxFileSubRequests were on the wire
  uint16_t file_number = 0, record_number = 0, record_length = 0;  // the first sub-request
  std::span<const uint8_t> payload;  // 43: after the MEI type; 90: after the UMAS code
};

/// Reads the PDU of `adu` as a request or a response. Never fails: what does not fit the
/// function's layout clears well_formed and keeps what was read before it.
Pdu ParsePdu(const Adu& adu, Role role);

/// One object of a Read Device Identification answer (value: view into the input).
struct DeviceIdObject {
  uint8_t id = 0;  // 0 VendorName, 1 ProductCode, 2 MajorMinorRevision, 3 VendorUrl,
                   // 4 ProductName, 5 ModelName, 6 UserApplicationName, 0x80+ private
  std::span<const uint8_t> value;
};

/// A Read Device Identification answer (function 43, MEI 14; Application Protocol 6.21).
struct DeviceIdResponse {
  uint8_t read_code = 0;
  uint8_t conformity_level = 0;
  uint8_t more_follows = 0;  // 0xff when the device has more objects for a next request
  uint8_t next_object_id = 0;
  uint8_t object_count = 0;  // as the device said
  std::array<DeviceIdObject, kMaxDeviceIdObjects> objects{};
  size_t objects_read = 0;
  bool capped = false;  // more objects than kMaxDeviceIdObjects
};

/// Reads the bytes after the MEI type of a 43/14 answer (Pdu::payload). False when the
/// objects do not fit their lengths or the count; `out` keeps the objects read before.
bool ParseDeviceIdResponse(std::span<const uint8_t> payload, DeviceIdResponse& out);

/// Reads the PLC's reference name ("140 CPU 311 10") from a UMAS Read ID answer's data
/// (Pdu::payload of an 0xfe response to UMAS code 0x02). Empty when it is not there.
std::span<const uint8_t> UmasReadIdName(std::span<const uint8_t> payload);

/// The kebab-case name of a function ("read-holding-registers"); `sub` refines 43 (MEI type)
/// and 90 (UMAS code) when `has_sub`. Static text.
const char* FunctionName(uint8_t function, bool has_sub, uint16_t sub);
/// What an operation of this function does, for the policy.
IcsCategory FunctionCategory(uint8_t function, bool has_sub, uint16_t sub);
/// The name of an exception code ("illegal-data-address"), or nullptr when unassigned.
const char* ExceptionName(uint8_t code);
/// The name of a function 8 sub-function ("force-listen-only-mode"), or nullptr.
const char* DiagnosticName(uint16_t sub);
/// The name of a UMAS function code ("stop-plc"), or nullptr.
const char* UmasName(uint8_t code);
/// The short name of a data table in targets ("coils", "di", "hr", "ir"), or "".
const char* TableName(Table t);

}  // namespace qw::dissect::modbus
