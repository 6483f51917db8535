// S7comm (S7 communication, protocol id 0x32) parser: one S7 PDU, as a COTP DT message
// carries it, into an S7Pdu. Pure: no state, no I/O, no allocation. Views in the result
// (userdata data, SZL records) point into the input and live only as long as it does.
//
// There is no public specification; the layouts follow Wireshark's packet-s7comm.c and
// packet-s7comm_szl_ids.c (Thomas Wiens) and Siemens' "System Software for S7-300/400
// System and Standard Functions" manual (SZL lists 0x0011 and 0x001C).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/anomalies.h"
#include "core/fixed_text.h"

namespace qw::dissect {

/// Bytes of the S7 header without and with the error octets of ack and ack-data.
inline constexpr size_t kS7HeaderBytes = 10;
inline constexpr size_t kS7AckHeaderBytes = 12;
/// Variable items read from one read/write var request or response (the wire allows 255;
/// a 960-byte PDU holds at most 79). More raise `s7comm.too_many_items`.
inline constexpr size_t kMaxS7Items = 64;
/// Blocks read from one PI service parameter block (_INSE, _DELE). More raise
/// `s7comm.too_many_items`.
inline constexpr size_t kMaxS7PiBlocks = 16;
/// SZL records walked in one answer. More raise `s7comm.too_many_szl_records`.
inline constexpr size_t kMaxS7SzlRecords = 64;

/// ROSCTR: what kind of S7 PDU it is.
enum class S7Rosctr : uint8_t { kJob = 1, kAck = 2, kAckData = 3, kUserdata = 7 };

/// Parameter function codes of job and ack-data PDUs.
enum class S7Function : uint8_t {
  kCpuServices = 0x00,
  kReadVar = 0x04,
  kWriteVar = 0x05,
  kRequestDownload = 0x1a,
  kDownloadBlock = 0x1b,
  kDownloadEnded = 0x1c,
  kStartUpload = 0x1d,
  kUpload = 0x1e,
  kEndUpload = 0x1f,
  kPiService = 0x28,
  kPlcStop = 0x29,
  kSetupCommunication = 0xf0,
};

/// Userdata function groups (the low nibble of the type/group octet).
enum class S7UserdataGroup : uint8_t {
  kModeTransition = 0x0,
  kProgrammer = 0x1,
  kCyclicData = 0x2,
  kBlockFunctions = 0x3,
  kCpuFunctions = 0x4,
  kSecurity = 0x5,
  kPbc = 0x6,
  kTime = 0x7,
  kNcProgramming = 0xf,
};

/// Userdata types (the high nibble of the type/group octet).
enum class S7UserdataType : uint8_t { kPush = 0x0, kRequest = 0x4, kResponse = 0x8 };

/// The S7 header.
struct S7Header {
  uint8_t rosctr = 0;
  uint16_t redundancy_id = 0;
  uint16_t pdu_ref = 0;
  uint16_t param_length = 0;
  uint16_t data_length = 0;
  bool has_error = false;  // ack and ack-data carry error class and code
  uint8_t error_class = 0;
  uint8_t error_code = 0;
};

/// One variable of a read or write var request (parameter part).
struct S7VarItem {
  uint8_t syntax_id = 0;       // 0x10 S7ANY, 0xb0 DBREAD, 0xb2 1200 symbolic, 0x82 NCK, ...
  uint8_t transport_size = 0;  // S7ANY: 1 BIT, 2 BYTE, 4 WORD, 6 DWORD, 0x1c COUNTER, ...
  uint16_t count = 0;          // S7ANY: elements of transport_size; DBREAD: bytes of area 1
  uint16_t db = 0;             // S7ANY, DBREAD: DB number; symbolic: DB or area selector
  uint8_t area = 0;            // S7ANY: 0x81 I, 0x82 Q, 0x83 M, 0x84 DB, 0x1c C, 0x1d T, ...
  uint32_t address = 0;        // S7ANY: byte << 3 | bit (timers, counters: the number);
                               // DBREAD: start byte of area 1
  uint8_t areas = 0;           // DBREAD: number of areas
  uint16_t area1 = 0;          // 1200 symbolic: root area (0x8a0e DB; else I/Q/M/C/T)
  uint8_t nck_area_unit = 0;   // NCK
  uint16_t nck_column = 0, nck_line = 0;
  uint8_t nck_module = 0;

  bool operator==(const S7VarItem&) const = default;
};

/// A PLC block named by an S7 file name ("_0A00001P": type "0A" = DB, number 1, 'P').
struct S7BlockRef {
  bool valid = false;
  uint16_t type = 0;       // two ASCII characters: 0x3038 "08" OB, 0x3041 "0A" DB, ...
  uint32_t number = 0;     // five ASCII digits
  uint8_t filesystem = 0;  // 'P' passive, 'A' active, 'B' both
};

/// Block transfer parameters (request/download/upload functions 0x1a to 0x1f).
struct S7BlockTransfer {
  uint8_t status = 0;            // function status: bit 0 more data follows, bit 1 error
  uint16_t error_code = 0;       // end upload / download ended job
  uint32_t upload_id = 0;        // start upload, upload, end upload
  S7BlockRef block;              // from the file name when it is a PLC block file name
  core::FixedText<32> filename;  // the file name as printable text
};

/// The data part of an upload (0x1e) or download block (0x1b) ack-data: one piece of a block
/// being transferred. `bytes` is a view into the input and lives as long as it does.
struct S7BlockData {
  bool present = false;            // the ack-data carried a data part
  bool more = false;               // function status bit 0: further pieces of the block follow
  bool error = false;              // function status bit 1
  bool malformed = false;          // the data part is shorter than its head, or its length field
                                   // disagrees with the bytes there (`s7comm.block_data_malformed`)
  uint16_t length = 0;             // the length field
  uint16_t unknown = 0;            // the two octets after it (0x00fb as STEP 7 sends them)
  std::span<const uint8_t> bytes;  // the block's bytes in this piece (a view)
};

/// Function status bits of block transfer parameters.
inline constexpr uint8_t kS7StatusMoreData = 0x01;
inline constexpr uint8_t kS7StatusError = 0x02;

/// PI service (0x28) or PLC stop (0x29) parameters.
struct S7PiService {
  core::FixedText<16> service;  // "_INSE", "_DELE", "P_PROGRAM", "_MODU", "_GARB", "_N_..."
  std::array<S7BlockRef, kMaxS7PiBlocks> blocks{};  // _INSE, _DELE: the blocks named
  size_t block_count = 0;                           // blocks kept
  size_t blocks_on_wire = 0;                        // the block count field
  core::FixedText<32> argument;                     // P_PROGRAM, _MODU, _GARB: the argument string
};

/// Setup communication parameters.
struct S7Setup {
  uint16_t max_amq_calling = 0;
  uint16_t max_amq_called = 0;
  uint16_t pdu_length = 0;
};

/// Userdata parameters and the head of its data part.
struct S7Userdata {
  uint8_t method = 0;  // 0x11 request, 0x12 response
  uint8_t type = 0;    // S7UserdataType, raw
  uint8_t group = 0;   // S7UserdataGroup, raw
  uint8_t subfunction = 0;
  uint8_t sequence = 0;
  bool has_extension = false;  // parameter length 8: data unit reference and error code
  uint8_t data_unit_ref = 0;
  uint8_t last_data_unit = 0;  // 0 last, otherwise more data units follow
  uint16_t error_code = 0;
  bool has_data = false;    // the 4-octet data head was there
  uint8_t return_code = 0;  // 0xff success
  uint8_t transport_size = 0;
  std::span<const uint8_t> data;  // the data after its 4-octet head (a view into the input)
};

/// The head of an SZL (system status list) read: request or first answer part.
struct S7SzlHead {
  bool present = false;
  uint16_t id = 0;
  uint16_t index = 0;
};

/// Everything read from one S7 PDU. Views live as long as the input.
struct S7Pdu {
  S7Header header;
  bool truncated = false;  // parameter or data ran past the message
  // Job and ack-data
  bool has_function = false;
  uint8_t function = 0;
  uint8_t item_count = 0;                      // read/write var: the item count field
  std::array<S7VarItem, kMaxS7Items> items{};  // job: the variables
  size_t items_kept = 0;
  std::array<uint8_t, kMaxS7Items> item_results{};  // ack-data: return code per item
  size_t results_kept = 0;
  S7Setup setup;
  S7BlockTransfer transfer;
  S7BlockData block_data;  // ack-data of upload and download block: the piece of the block
  S7PiService pi;
  // Userdata
  S7Userdata userdata;
  S7SzlHead szl;              // userdata CPU function "read SZL": request, or first response part
  S7BlockRef userdata_block;  // userdata block functions: block info request (list blocks
                              // of type: only `type`)

  /// Clears every field for the next PDU but the item and result arrays, which are only
  /// read below items_kept and results_kept: a reused S7Pdu costs no 2 KiB clear per PDU.
  void Reset() {
    header = {};
    truncated = false;
    has_function = false;
    function = 0;
    item_count = 0;
    items_kept = 0;
    results_kept = 0;
    setup = {};
    transfer = {};
    block_data = {};
    pi.service.Clear();
    pi.argument.Clear();
    pi.block_count = 0;
    pi.blocks_on_wire = 0;
    userdata = {};
    szl = {};
    userdata_block = {};
  }
};

/// Parses one S7 PDU (the whole message of a COTP DT with EOT). Returns nullopt when it is
/// not one (wrong protocol id, header cut short, ROSCTR not 1 to 7); what is malformed
/// inside raises `s7comm.*` anomalies and leaves the affected fields unset.
std::optional<S7Pdu> ParseS7comm(std::span<const uint8_t> message, core::Anomalies& anomalies);

/// ParseS7comm into a caller's `pdu` (Reset first), for a session that parses PDU after PDU
/// without building a new one each time; false where ParseS7comm gives nullopt.
bool ParseS7commInto(std::span<const uint8_t> message, S7Pdu& pdu, core::Anomalies& anomalies);

/// One SZL answer's list: record length and count, and the records (a view).
struct S7SzlList {
  uint16_t id = 0;
  uint16_t index = 0;
  uint16_t record_length = 0;
  uint16_t record_count = 0;
  std::span<const uint8_t> records;
};

/// Reads the SZL list head from the data of a (reassembled) read-SZL answer; nullopt when
/// the data is too short for the head.
std::optional<S7SzlList> ParseS7SzlList(std::span<const uint8_t> data);

/// What SZL 0x0011 (module identification) and 0x001C (component identification) say
/// about the device. Empty fields were not in the answer.
struct S7DeviceInfo {
  core::FixedText<24> order_number;  // 0x0011 index 1: MLFB "6ES7 315-2EH14-0AB0"
  core::FixedText<16> firmware;      // 0x0011 index 7: "V3.2.7"
  core::FixedText<16> hardware;      // 0x0011 index 6: "V..." or the module version number
  core::FixedText<32> system_name;   // 0x001C index 1: name of the automation system
  core::FixedText<32> module_name;   // 0x001C index 2
  core::FixedText<32> plant_id;      // 0x001C index 3: plant designation
  core::FixedText<32> copyright;     // 0x001C index 4
  core::FixedText<32> serial;        // 0x001C index 5
  core::FixedText<32> module_type;   // 0x001C index 7: "CPU 315-2 PN/DP"
  uint16_t vendor_id = 0;            // 0x001C index 9: manufacturer id (0x002a Siemens)
  bool has_vendor_id = false;
  /// True when nothing was found.
  bool empty() const {
    return order_number.empty() && firmware.empty() && hardware.empty() && system_name.empty() &&
           module_name.empty() && plant_id.empty() && copyright.empty() && serial.empty() &&
           module_type.empty() && !has_vendor_id;
  }
};

/// Reads the identity records of an SZL 0x0011/0x0111 or 0x001C/0x011C list into `info`;
/// other lists leave it alone. Returns true when the list was one of those.
bool ReadS7SzlIdentity(const S7SzlList& list, S7DeviceInfo& info, core::Anomalies& anomalies);

/// Name of a block type ("OB", "DB", "SDB", "FC", "SFC", "FB", "SFB"), or nullptr.
const char* S7BlockTypeName(uint16_t type);
/// Appends a block as a person reads it: "OB1", "DB10" (unknown types as their characters).
void AppendS7Block(const S7BlockRef& block, core::FixedText<112>& out);
/// Appends a variable as a person reads it: "DB1.DBX 0.0 BYTE x4", "M 10.0 BIT x1", "T 5".
void AppendS7Item(const S7VarItem& item, core::FixedText<112>& out);

}  // namespace qw::dissect
