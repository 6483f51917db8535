// S7comm, as Wireshark's packet-s7comm.c (Thomas Wiens) dissects it, and the SZL records of
// Siemens' "System Software for S7-300/400 System and Standard Functions", chapter 34.
//
// clang-format off
//  header:   | protocol id:1 (0x32) | ROSCTR:1 | redundancy id:2 | PDU reference:2 |
//            | parameter length:2 | data length:2 | [ack, ack-data: error class:1 | error code:1] |
//            | parameter:parameter length | data:data length |
//  job / ack-data parameter: | function:1 | ... |
//    0xf0 setup communication: | reserved:1 | max AmQ calling:2 | max AmQ called:2 | PDU length:2 |
//    0x04 read var, 0x05 write var (job): | item count:1 | item... |
//      item: | spec type:1 (0x12) | spec length:1 | syntax id:1 | spec length-1 more |
//        S7ANY (0x10, length 10): | transport size:1 | count:2 | DB:2 | area:1 | address:3 (byte<<3|bit) |
//        DBREAD (0xb0): | areas:1 | { length:1 | DB:2 | start:2 } ... |
//        1200 symbolic (0xb2): | reserved:1 | area 1:2 | area 2 or DB:2 | CRC:4 | LIDs:4 each |
//        NCK (0x82, length 8): | area<<5|unit:1 | column:2 | line:2 | module:1 | line count:1 |
//    0x04 read var, 0x05 write var (ack-data): | item count:1 |
//      data, read: { | return code:1 | transport size:1 | length:2 (bits for sizes 3-5) | value | fill to even |
//      data, write: { | return code:1 } per item
//    0x1a request download, 0x1b download block, 0x1c download ended (job):
//        | status:1 | unknown or error code:2 | unknown:4 | file name length:1 | file name | ... |
//    0x1d start upload (job): | status:1 | unknown:2 | upload id:4 | file name length:1 | file name |
//    0x1e upload (job): | status:1 | unknown:2 | upload id:4 |
//    0x1f end upload (job): | status:1 | error code:2 | upload id:4 |
//    0x1b download block, 0x1e upload (ack-data): | status:1 (bit 0 more data follows, bit 1 error) |
//      data: | length:2 | unknown:2 (0x00 0xfb) | block bytes:length |
//      (the PLC answers upload jobs, the programming device the PLC's download-block jobs)
//      PLC file name (9 characters): | '_' | block type:2 ("08" OB ... "0F" SFB) | number:5 | file system:1 |
//    0x28 PI service (job): | unknown:7 | parameter block length:2 | parameter block | name length:1 | name |
//      _INSE, _DELE parameter block: | blocks:1 | unknown:1 | { type:2 | number:5 | file system:1 } ... |
//      P_PROGRAM, _MODU, _GARB parameter block: the argument string
//    0x29 PLC stop (job): | unknown:5 | name length:1 | name ("P_PROGRAM") |
//  userdata parameter: | head:3 (0x000112) | length:1 (4 or 8) | method:1 (0x11 request, 0x12 response) |
//            | type:4 bits (0 push, 4 request, 8 response) | group:4 bits | subfunction:1 | sequence:1 |
//            [ length 8: | data unit reference:1 | last data unit:1 (0 = last) | error code:2 | ]
//  userdata data: | return code:1 (0xff ok) | transport size:1 | length:2 | data:length |
//    CPU functions / read SZL request: | SZL id:2 | index:2 |
//    CPU functions / read SZL answer:  | SZL id:2 | index:2 | record length:2 | records:2 | records |
//       (an answer longer than one PDU continues in further PDUs of raw record bytes)
//    block functions / block info request: | type:2 | number:5 | file system:1 |
//    block functions / list blocks of type request: | type:2 |
//  SZL 0x0011 record (28): | index:2 | MLFB:20 | module type:2 | version 1:2 | version 2:2 |
//    index 1 module, 6 hardware, 7 firmware; a version 1 high octet 'V' means V<lo>.<v2 hi>.<v2 lo>
//  SZL 0x001C record (34): | index:2 | text:32 | (index 9: | manufacturer id:2 | profile:2 | ...)
//    1 automation system, 2 module name, 3 plant designation, 4 copyright, 5 serial, 7 module type
// clang-format on
#include "dissect/s7comm/s7comm_parser.h"

#include <algorithm>
#include <string_view>

#include "core/byte_reader.h"
#include "dissect/s7comm/cotp_parser.h"

namespace qw::dissect {
namespace {

constexpr uint8_t kVarSpecType = 0x12;
constexpr uint8_t kSyntaxS7Any = 0x10;
constexpr uint8_t kSyntaxNck = 0x82;
constexpr uint8_t kSyntaxDbRead = 0xb0;
constexpr uint8_t kSyntax1200Symbolic = 0xb2;
constexpr uint16_t kSymbolicAreaDb = 0x8a0e;  // 1200 symbolic root area 1: a DB
constexpr uint8_t kItemOk = 0xff;
constexpr uint8_t kItemReserved = 0x00;
constexpr uint32_t kUserdataHead = 0x000112;
constexpr uint8_t kSzlSubfunction = 0x01;
constexpr uint8_t kListBlocksOfTypeSubfunction = 0x02;
constexpr uint8_t kBlockInfoSubfunction = 0x03;
constexpr uint16_t kBlockTypeOb = 0x3038;   // "08"
constexpr uint16_t kBlockTypeSfb = 0x3046;  // "0F"

// Appends the printable text of `bytes` without trailing NULs and spaces.
template <size_t N>
void AppendTrimmed(std::span<const uint8_t> bytes, core::FixedText<N>& out) {
  core::ByteReader scan(bytes);
  size_t keep = 0;
  while (!scan.empty()) {
    uint8_t c = scan.U8();
    if (c != 0 && c != ' ') keep = scan.position();
  }
  core::ByteReader text(bytes);
  out.AppendPrintable(text.Chars(keep));
}

// A 2-character block type, 5 ASCII digits and a file system letter; false when the
// characters are not that.
bool ReadBlockName(core::ByteReader& r, S7BlockRef& block) {
  block.type = r.U16Be();
  uint32_t number = 0;
  bool digits = true;
  for (int i = 0; i < 5; ++i) {
    uint8_t c = r.U8();
    digits = digits && c >= '0' && c <= '9';
    number = number * 10 + static_cast<uint32_t>(c >= '0' && c <= '9' ? c - '0' : 0);
  }
  block.filesystem = r.U8();
  block.number = number;
  block.valid = r.ok() && digits;
  return block.valid;
}

// A file name field: kept as text, and as a block when it is a PLC block file name.
void ReadFilename(core::ByteReader& r, S7BlockTransfer& t) {
  uint8_t len = r.U8();
  std::span<const uint8_t> name = r.Bytes(len);
  if (!r.ok()) return;
  t.filename.AppendPrintable(core::ByteReader(name).Chars(name.size()));
  core::ByteReader n(name);
  if (len == 9 && n.U8() == '_') {
    S7BlockRef b;
    if (ReadBlockName(n, b) && b.type >= kBlockTypeOb && b.type <= kBlockTypeSfb) t.block = b;
  }
}

// The data part of an upload or download-block ack-data: one piece of the block, whose
// length field must account for every byte after the 4-octet head. A piece without its
// status octet (`status_ok` false; answers without data may omit it) cannot say whether more
// follow: it is malformed.
void ReadBlockData(core::ByteReader& d, bool status_ok, S7Pdu& pdu, core::Anomalies& anomalies) {
  S7BlockData& b = pdu.block_data;
  b.more = (pdu.transfer.status & kS7StatusMoreData) != 0;
  b.error = (pdu.transfer.status & kS7StatusError) != 0;
  if (d.empty()) return;
  b.present = true;
  if (!status_ok) {
    anomalies.Raise("s7comm.parameter_malformed");
    b.malformed = true;
  }
  b.length = d.U16Be();
  b.unknown = d.U16Be();
  if (!d.ok() || b.length != d.remaining()) {
    anomalies.Raise("s7comm.block_data_malformed");
    b.malformed = true;
    b.length = d.ok() ? b.length : 0;
  }
  b.bytes = d.Bytes(std::min<size_t>(b.length, d.remaining()));
}

void ReadVarItems(core::ByteReader& p, S7Pdu& pdu, core::Anomalies& anomalies) {
  pdu.item_count = p.U8();
  size_t n = pdu.item_count;
  if (n > kMaxS7Items) {
    anomalies.Raise("s7comm.too_many_items");
    n = kMaxS7Items;
  }
  for (size_t i = 0; i < n && p.ok(); ++i) {
    uint8_t spec_type = p.U8();
    uint8_t spec_len = p.U8();
    core::ByteReader spec = p.Sub(spec_len);
    if (!p.ok() || spec_type != kVarSpecType || spec_len < 1) {
      anomalies.Raise("s7comm.item_malformed");
      return;
    }
    S7VarItem item;
    item.syntax_id = spec.U8();
    if (item.syntax_id == kSyntaxS7Any && spec_len == 10) {
      item.transport_size = spec.U8();
      item.count = spec.U16Be();
      item.db = spec.U16Be();
      item.area = spec.U8();
      item.address = spec.U24Be();
    } else if (item.syntax_id == kSyntaxDbRead && spec_len >= 7) {
      item.areas = spec.U8();
      item.count = spec.U8();
      item.db = spec.U16Be();
      item.address = spec.U16Be();
    } else if (item.syntax_id == kSyntax1200Symbolic && spec_len >= 14) {
      spec.Skip(1);
      item.area1 = spec.U16Be();
      item.db = spec.U16Be();
    } else if (item.syntax_id == kSyntaxNck && spec_len == 8) {
      item.nck_area_unit = spec.U8();
      item.nck_column = spec.U16Be();
      item.nck_line = spec.U16Be();
      item.nck_module = spec.U8();
    }
    if (!spec.ok()) anomalies.Raise("s7comm.item_malformed");
    pdu.items[pdu.items_kept++] = item;
  }
  if (!p.ok()) anomalies.Raise("s7comm.item_malformed");
}

// Return codes of a read var answer's data items; the value and its fill byte are skipped.
void ReadReadResults(core::ByteReader& d, uint8_t count, S7Pdu& pdu, core::Anomalies& anomalies) {
  size_t n = count;
  if (n > kMaxS7Items) {
    anomalies.Raise("s7comm.too_many_items");
    n = kMaxS7Items;
  }
  for (size_t i = 0; i < n; ++i) {
    uint8_t ret = d.U8();
    uint8_t tsize = d.U8();
    uint32_t len = d.U16Be();
    if (!d.ok()) {
      anomalies.Raise("s7comm.item_malformed");
      return;
    }
    pdu.item_results[pdu.results_kept++] = ret;
    if (ret != kItemOk && ret != kItemReserved) continue;
    // Sizes 3 (BIT), 4 (BYTE/WORD/DWORD) and 5 (INTEGER) count bits.
    if (tsize == 0x03 || tsize == 0x04 || tsize == 0x05) len = (len + 7) / 8;
    bool fill = (len % 2) != 0 && i + 1 < count;
    if (!d.Skip(len + (fill ? 1 : 0))) {
      anomalies.Raise("s7comm.item_malformed");
      return;
    }
  }
}

void ReadWriteResults(core::ByteReader& d, uint8_t count, S7Pdu& pdu, core::Anomalies& anomalies) {
  size_t n = count;
  if (n > kMaxS7Items) {
    anomalies.Raise("s7comm.too_many_items");
    n = kMaxS7Items;
  }
  for (size_t i = 0; i < n; ++i) {
    uint8_t ret = d.U8();
    if (!d.ok()) {
      anomalies.Raise("s7comm.item_malformed");
      return;
    }
    pdu.item_results[pdu.results_kept++] = ret;
  }
}

void ReadPiService(core::ByteReader& p, S7Pdu& pdu, core::Anomalies& anomalies) {
  p.Skip(7);
  uint16_t block_len = p.U16Be();
  core::ByteReader block = p.Sub(block_len);
  uint8_t name_len = p.U8();
  std::span<const uint8_t> name = p.Bytes(name_len);
  if (!p.ok()) {
    anomalies.Raise("s7comm.parameter_malformed");
    return;
  }
  AppendTrimmed(name, pdu.pi.service);
  std::string_view service = pdu.pi.service.view();
  if (service == "_INSE" || service == "_DELE") {
    pdu.pi.blocks_on_wire = block.U8();
    block.Skip(1);
    size_t n = pdu.pi.blocks_on_wire;
    if (n > kMaxS7PiBlocks) {
      anomalies.Raise("s7comm.too_many_items");
      n = kMaxS7PiBlocks;
    }
    for (size_t i = 0; i < n && block.ok(); ++i) {
      S7BlockRef b;
      ReadBlockName(block, b);
      if (block.ok()) pdu.pi.blocks[pdu.pi.block_count++] = b;
    }
    if (!block.ok()) anomalies.Raise("s7comm.parameter_malformed");
  } else if (service.substr(0, 3) != "_N_") {
    // P_PROGRAM, _MODU, _GARB and the like take one argument string (often empty).
    AppendTrimmed(block.Rest(), pdu.pi.argument);
  }
}

void ReadPlcStop(core::ByteReader& p, S7Pdu& pdu, core::Anomalies& anomalies) {
  p.Skip(5);
  uint8_t name_len = p.U8();
  std::span<const uint8_t> name = p.Bytes(name_len);
  if (!p.ok()) {
    anomalies.Raise("s7comm.parameter_malformed");
    return;
  }
  AppendTrimmed(name, pdu.pi.service);
}

void ReadJobParameter(core::ByteReader& p, core::ByteReader& d, S7Pdu& pdu,
                      core::Anomalies& anomalies) {
  bool job = pdu.header.rosctr == static_cast<uint8_t>(S7Rosctr::kJob);
  S7BlockTransfer& t = pdu.transfer;
  switch (static_cast<S7Function>(pdu.function)) {
    case S7Function::kSetupCommunication:
      p.Skip(1);
      pdu.setup.max_amq_calling = p.U16Be();
      pdu.setup.max_amq_called = p.U16Be();
      pdu.setup.pdu_length = p.U16Be();
      if (!p.ok()) anomalies.Raise("s7comm.parameter_malformed");
      break;
    case S7Function::kReadVar:
    case S7Function::kWriteVar:
      if (job) {
        ReadVarItems(p, pdu, anomalies);
      } else {
        pdu.item_count = p.U8();
        if (pdu.function == static_cast<uint8_t>(S7Function::kReadVar)) {
          ReadReadResults(d, pdu.item_count, pdu, anomalies);
        } else {
          ReadWriteResults(d, pdu.item_count, pdu, anomalies);
        }
      }
      break;
    case S7Function::kRequestDownload:
    case S7Function::kDownloadBlock:
    case S7Function::kDownloadEnded:
      t.status = p.U8();
      if (job) {
        t.error_code = p.U16Be();
        p.Skip(4);
        ReadFilename(p, t);
        if (!p.ok()) anomalies.Raise("s7comm.parameter_malformed");
      } else if (pdu.function == static_cast<uint8_t>(S7Function::kDownloadBlock)) {
        ReadBlockData(d, p.ok(), pdu, anomalies);
      }
      break;
    case S7Function::kStartUpload:
      t.status = p.U8();
      p.Skip(2);
      t.upload_id = p.U32Be();
      if (job) ReadFilename(p, t);
      if (!p.ok()) anomalies.Raise("s7comm.parameter_malformed");
      break;
    case S7Function::kUpload:
    case S7Function::kEndUpload:
      t.status = p.U8();
      if (job) {
        t.error_code = p.U16Be();
        t.upload_id = p.U32Be();
        if (!p.ok()) anomalies.Raise("s7comm.parameter_malformed");
      } else if (pdu.function == static_cast<uint8_t>(S7Function::kUpload)) {
        ReadBlockData(d, p.ok(), pdu, anomalies);
      }
      break;
    case S7Function::kPiService:
      if (job) ReadPiService(p, pdu, anomalies);
      break;
    case S7Function::kPlcStop:
      if (job) ReadPlcStop(p, pdu, anomalies);
      break;
    case S7Function::kCpuServices:
      break;
  }
}

void ReadUserdata(core::ByteReader& p, core::ByteReader& d, S7Pdu& pdu,
                  core::Anomalies& anomalies) {
  S7Userdata& u = pdu.userdata;
  uint32_t head = p.U24Be();
  uint8_t len = p.U8();
  u.method = p.U8();
  uint8_t type_group = p.U8();
  u.type = type_group >> 4;
  u.group = type_group & 0x0f;
  u.subfunction = p.U8();
  u.sequence = p.U8();
  if (!p.ok() || head != kUserdataHead) {
    anomalies.Raise("s7comm.parameter_malformed");
    return;
  }
  if (len >= 8) {
    u.has_extension = true;
    u.data_unit_ref = p.U8();
    u.last_data_unit = p.U8();
    u.error_code = p.U16Be();
    if (!p.ok()) anomalies.Raise("s7comm.parameter_malformed");
  }
  if (d.remaining() < 4) return;
  u.has_data = true;
  u.return_code = d.U8();
  u.transport_size = d.U8();
  uint16_t dlen = d.U16Be();
  if (dlen > d.remaining()) {
    anomalies.Raise("s7comm.length_mismatch");
    dlen = static_cast<uint16_t>(d.remaining());
  }
  u.data = d.Bytes(dlen);
  core::ByteReader data(u.data);
  bool request = u.type == static_cast<uint8_t>(S7UserdataType::kRequest);
  if (request && u.group == static_cast<uint8_t>(S7UserdataGroup::kCpuFunctions) &&
      u.subfunction == kSzlSubfunction && data.remaining() >= 4) {
    pdu.szl.present = true;
    pdu.szl.id = data.U16Be();
    pdu.szl.index = data.U16Be();
  } else if (request && u.group == static_cast<uint8_t>(S7UserdataGroup::kBlockFunctions) &&
             u.subfunction == kBlockInfoSubfunction && data.remaining() >= 8) {
    ReadBlockName(data, pdu.userdata_block);
  } else if (request && u.group == static_cast<uint8_t>(S7UserdataGroup::kBlockFunctions) &&
             u.subfunction == kListBlocksOfTypeSubfunction && data.remaining() >= 2) {
    pdu.userdata_block.type = data.U16Be();  // a type only: valid stays false
  }
}

const char* TransportSizeName(uint8_t t) {
  switch (t) {
    case 0x01:
      return "BIT";
    case 0x02:
      return "BYTE";
    case 0x03:
      return "CHAR";
    case 0x04:
      return "WORD";
    case 0x05:
      return "INT";
    case 0x06:
      return "DWORD";
    case 0x07:
      return "DINT";
    case 0x08:
      return "REAL";
    case 0x09:
      return "DATE";
    case 0x0a:
      return "TOD";
    case 0x0b:
      return "TIME";
    case 0x0c:
      return "S5TIME";
    case 0x0f:
      return "DATE_AND_TIME";
    case 0x1c:
      return "COUNTER";
    case 0x1d:
      return "TIMER";
    case 0x1e:
      return "IEC_TIMER";
    case 0x1f:
      return "IEC_COUNTER";
    case 0x20:
      return "HS_COUNTER";
    default:
      return nullptr;
  }
}

const char* AreaName(uint8_t a) {
  switch (a) {
    case 0x03:
      return "SI";  // S7-200 system info
    case 0x05:
      return "SF";  // S7-200 system flags
    case 0x06:
      return "AI";  // S7-200 analog inputs
    case 0x07:
      return "AQ";  // S7-200 analog outputs
    case 0x1c:
      return "C";  // S7 counters
    case 0x1d:
      return "T";  // S7 timers
    case 0x1e:
      return "IC";  // IEC counters (S7-200)
    case 0x1f:
      return "IT";  // IEC timers (S7-200)
    case 0x80:
      return "P";  // direct peripheral access
    case 0x81:
      return "I";
    case 0x82:
      return "Q";
    case 0x83:
      return "M";
    case 0x84:
      return "DB";
    case 0x85:
      return "DI";
    case 0x86:
      return "L";
    case 0x87:
      return "V";  // previous (caller's) local data
    default:
      return nullptr;
  }
}

template <size_t N>
void AppendSize(uint8_t tsize, uint32_t count, core::FixedText<N>& out) {
  const char* name = TransportSizeName(tsize);
  out.Append(' ');
  if (name) {
    out.Append(name);
  } else {
    out.Append("size ").AppendHex(tsize, 2);
  }
  out.Append(" x").AppendUint(count);
}

}  // namespace

bool ParseS7commInto(std::span<const uint8_t> message, S7Pdu& pdu, core::Anomalies& anomalies) {
  core::ByteReader r(message);
  pdu.Reset();
  S7Header& h = pdu.header;
  uint8_t id = r.U8();
  h.rosctr = r.U8();
  h.redundancy_id = r.U16Be();
  h.pdu_ref = r.U16Be();
  h.param_length = r.U16Be();
  h.data_length = r.U16Be();
  if (!r.ok() || id != kS7commProtocolId) {
    anomalies.Raise("s7comm.header_malformed");
    return false;
  }
  // ROSCTR 1 to 7 is what Wireshark accepts as S7comm; 4 to 6 are not assigned.
  if (h.rosctr < 1 || h.rosctr > 7) {
    anomalies.Raise("s7comm.unknown_rosctr");
    return false;
  }
  if (h.rosctr == static_cast<uint8_t>(S7Rosctr::kAck) ||
      h.rosctr == static_cast<uint8_t>(S7Rosctr::kAckData)) {
    h.has_error = true;
    h.error_class = r.U8();
    h.error_code = r.U8();
    if (!r.ok()) {
      anomalies.Raise("s7comm.header_malformed");
      return false;
    }
  }
  if (size_t{h.param_length} + h.data_length != r.remaining()) {
    // Parameter and data must fill the message exactly; read what is there.
    anomalies.Raise("s7comm.length_mismatch");
    pdu.truncated = size_t{h.param_length} + h.data_length > r.remaining();
  }
  core::ByteReader p = r.Sub(std::min<size_t>(h.param_length, r.remaining()));
  core::ByteReader d = r.Sub(std::min<size_t>(h.data_length, r.remaining()));
  switch (static_cast<S7Rosctr>(h.rosctr)) {
    case S7Rosctr::kJob:
    case S7Rosctr::kAckData:
      if (p.empty()) break;
      pdu.has_function = true;
      pdu.function = p.U8();
      ReadJobParameter(p, d, pdu, anomalies);
      break;
    case S7Rosctr::kUserdata:
      ReadUserdata(p, d, pdu, anomalies);
      break;
    case S7Rosctr::kAck:
      break;
  }
  return true;
}

std::optional<S7Pdu> ParseS7comm(std::span<const uint8_t> message, core::Anomalies& anomalies) {
  std::optional<S7Pdu> pdu(std::in_place);
  if (!ParseS7commInto(message, *pdu, anomalies)) return std::nullopt;
  return pdu;
}

std::optional<S7SzlList> ParseS7SzlList(std::span<const uint8_t> data) {
  core::ByteReader r(data);
  S7SzlList list;
  list.id = r.U16Be();
  list.index = r.U16Be();
  list.record_length = r.U16Be();
  list.record_count = r.U16Be();
  if (!r.ok()) return std::nullopt;
  list.records = r.Rest();
  return list;
}

bool ReadS7SzlIdentity(const S7SzlList& list, S7DeviceInfo& info, core::Anomalies& anomalies) {
  auto kind = static_cast<uint8_t>(list.id & 0xff);
  if (kind != 0x11 && kind != 0x1c) return false;
  size_t need = kind == 0x11 ? 28 : 34;
  if (list.record_length < need) {
    if (list.record_count > 0) anomalies.Raise("s7comm.szl_malformed");
    return true;
  }
  core::ByteReader r(list.records);
  size_t n = list.record_count;
  if (n > kMaxS7SzlRecords) {
    anomalies.Raise("s7comm.too_many_szl_records");
    n = kMaxS7SzlRecords;
  }
  for (size_t i = 0; i < n && r.remaining() >= list.record_length; ++i) {
    core::ByteReader rec = r.Sub(list.record_length);
    uint16_t index = rec.U16Be();
    if (kind == 0x11) {
      std::span<const uint8_t> mlfb = rec.Bytes(20);
      rec.Skip(2);  // module type (BGTyp)
      uint16_t v1 = rec.U16Be();
      uint16_t v2 = rec.U16Be();
      bool v_form = (v1 >> 8) == 'V';
      if (index == 0x0001 && info.order_number.empty()) {
        AppendTrimmed(mlfb, info.order_number);
      } else if ((index == 0x0006 || index == 0x0007) && (v_form || index == 0x0006)) {
        auto& out = index == 0x0007 ? info.firmware : info.hardware;
        if (!out.empty()) continue;
        if (v_form) {
          out.Append('V').AppendUint(v1 & 0xff).Append('.').AppendUint(v2 >> 8);
          out.Append('.').AppendUint(v2 & 0xff);
        } else if (v1 != 0) {
          out.AppendUint(v1);
        }
      }
      continue;
    }
    std::span<const uint8_t> text = rec.Bytes(32);
    switch (index) {
      case 0x0001:
        AppendTrimmed(text, info.system_name);
        break;
      case 0x0002:
        AppendTrimmed(text, info.module_name);
        break;
      case 0x0003:
        AppendTrimmed(text, info.plant_id);
        break;
      case 0x0004:
        AppendTrimmed(text, info.copyright);
        break;
      case 0x0005:
        AppendTrimmed(text, info.serial);
        break;
      case 0x0007:
        AppendTrimmed(text, info.module_type);
        break;
      case 0x0009:
        info.vendor_id = core::ByteReader(text).U16Be();
        info.has_vendor_id = true;
        break;
      default:
        break;
    }
  }
  return true;
}

const char* S7BlockTypeName(uint16_t type) {
  switch (type) {
    case 0x3038:
      return "OB";
    case 0x3041:
      return "DB";
    case 0x3042:
      return "SDB";
    case 0x3043:
      return "FC";
    case 0x3044:
      return "SFC";
    case 0x3045:
      return "FB";
    case 0x3046:
      return "SFB";
    default:
      return nullptr;
  }
}

void AppendS7Block(const S7BlockRef& block, core::FixedText<112>& out) {
  const char* name = S7BlockTypeName(block.type);
  if (name) {
    out.Append(name);
  } else {
    char chars[2] = {static_cast<char>(block.type >> 8), static_cast<char>(block.type & 0xff)};
    out.Append("type ").AppendPrintable(std::string_view(chars, 2)).Append(' ');
  }
  out.AppendUint(block.number);
}

void AppendS7Item(const S7VarItem& item, core::FixedText<112>& out) {
  switch (item.syntax_id) {
    case kSyntaxS7Any: {
      const char* area = AreaName(item.area);
      uint32_t byte = item.address >> 3, bit = item.address & 7;
      if (item.area == 0x84 || item.area == 0x85) {
        const char* a = item.area == 0x84 ? "DB" : "DI";
        out.Append(a).AppendUint(item.db).Append('.').Append(a).Append("X ");
      } else if (item.area == 0x1c || item.area == 0x1d || item.area == 0x1e || item.area == 0x1f) {
        // Timers and counters are addressed by number, not by byte and bit.
        out.Append(area).Append(' ').AppendUint(item.address);
        if (item.count != 1) out.Append(" x").AppendUint(item.count);
        return;
      } else if (area) {
        out.Append(area).Append(' ');
      } else {
        out.Append("area ").AppendHex(item.area, 2).Append(' ');
      }
      out.AppendUint(byte).Append('.').AppendUint(bit);
      AppendSize(item.transport_size, item.count, out);
      return;
    }
    case kSyntaxDbRead:
      out.Append("DB").AppendUint(item.db).Append(".DBB ").AppendUint(item.address);
      out.Append(" BYTE x").AppendUint(item.count);
      if (item.areas > 1) out.Append(" +").AppendUint(item.areas - 1u).Append(" areas");
      return;
    case kSyntax1200Symbolic:
      out.Append("symbolic ");
      if (item.area1 == kSymbolicAreaDb) {
        out.Append("DB").AppendUint(item.db);
      } else {
        out.Append("area ").AppendHex(item.db, 4);
      }
      return;
    case kSyntaxNck:
      out.Append("NCK area ").AppendUint(item.nck_area_unit >> 5).Append(" unit ");
      out.AppendUint(item.nck_area_unit & 0x1f).Append(" column ").AppendUint(item.nck_column);
      out.Append(" line ").AppendUint(item.nck_line);
      return;
    default:
      out.Append("syntax ").AppendHex(item.syntax_id, 2);
      return;
  }
}

}  // namespace qw::dissect
