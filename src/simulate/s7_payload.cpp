// S7comm conversations with the cranes' S7-300 CPUs, over COTP (ISO 8073 class 0) over
// TPKT (RFC 1006) on TCP 102.
//
// S7comm has no public specification; the layouts follow Wireshark's S7comm dissector
// (packet-s7comm.c, Thomas Wiens) and Snap7's telegrams, which describe the same wire.
// clang-format off
//  TPKT     | version:1 (=3) | reserved:1 | length:2 (whole TPKT) |
//  COTP CR  | length:1 | 0xe0 | dst ref:2 | src ref:2 | class:1 | (param code:1 | len:1 | value)... |
//  COTP CC  | length:1 | 0xd0 | ... as CR, references swapped ... |
//  COTP DT  | length:1 (=2) | 0xf0 | 0x80 (EOT, TPDU 0) |
//  S7 header| 0x32 | rosctr:1 | reserved:2 | pdu ref:2 | param len:2 | data len:2 |
//           | (ack-data only) error class:1 | error code:1 |
//  job/ack  | function:1 | ... |   0xf0 setup, 0x04 read, 0x05 write, 0x1a-0x1c download,
//                                  0x28 PI service, 0x29 PLC stop
//  userdata | 0x00 0x01 0x12 | param len:1 | method:1 | type<<4|group:1 | subfunction:1 |
//           | sequence:1 | (response) data unit ref:1 | last unit:1 | error code:2 |
//  item     | 0x12 | 0x0a | 0x10 (S7ANY) | transport size:1 | count:2 | DB:2 | area:1 | bit address:3 |
// clang-format on
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "simulate/ics_payloads.h"

namespace qw::simulate {
namespace {

constexpr uint8_t kJob = 0x01, kAckData = 0x03, kUserdata = 0x07;
constexpr uint8_t kFuncSetup = 0xf0, kFuncRead = 0x04, kFuncWrite = 0x05;
constexpr uint8_t kFuncRequestDownload = 0x1a, kFuncDownloadBlock = 0x1b, kFuncDownloadEnded = 0x1c,
                  kFuncPiService = 0x28, kFuncPlcStop = 0x29;
constexpr uint8_t kAreaMerker = 0x83, kAreaDb = 0x84;
constexpr uint8_t kTransportByte = 0x02;  // item transport size BYTE
// Data transport size of read/write data: BYTE/WORD/DWORD, length in bits.
constexpr uint8_t kDataBits = 0x04;
constexpr uint8_t kDataOctets = 0x09;  // octet string, length in bytes (SZL data)

// OB1 as a load-memory file name: '_' complete module, "08" OB, "00001", 'P' passive file
// system; its load-memory and MC7 code lengths as the request-download part 2 gives them.
constexpr std::string_view kBlockFile = "_0800001P";
// The load-memory image: a 36-byte block header, the MC7 code, a 36-byte footer.
constexpr uint32_t kBlockHeaderLength = 36;
constexpr uint32_t kBlockCodeLength = 472;
constexpr uint32_t kBlockFooterLength = 36;
constexpr uint32_t kBlockLoadLength = kBlockHeaderLength + kBlockCodeLength + kBlockFooterLength;
// Bytes of the block in one download-block answer: three pieces (200, 200, 144), as a PG
// with a 240-byte PDU sends them.
constexpr uint32_t kBlockPiece = 200;
constexpr uint32_t kBlockPieces = (kBlockLoadLength + kBlockPiece - 1) / kBlockPiece;

// Order numbers the CPUs report in SZL 0x0011.
constexpr std::string_view kCpuOrderNumber = "6ES7 315-2EH14-0AB0 ";
constexpr std::string_view kSafetyCpuOrderNumber = "6ES7 315-2FJ14-0AB0 ";

void Tpkt(ByteWriter& w, size_t length) {
  w.U8(3);
  w.U8(0);
  w.U16(static_cast<uint16_t>(length));
}

// TPKT, COTP data and the S7comm header of a PDU with `param` and `data` bytes.
void Header(ByteWriter& w, uint8_t rosctr, uint16_t pdu_ref, size_t param, size_t data) {
  const size_t header = rosctr == kAckData ? 12 : 10;
  Tpkt(w, 4 + 3 + header + param + data);
  w.U8(2);  // COTP DT: length indicator
  w.U8(0xf0);
  w.U8(0x80);  // last data unit, TPDU number 0
  w.U8(0x32);
  w.U8(rosctr);
  w.U16(0);
  w.U16(pdu_ref);
  w.U16(static_cast<uint16_t>(param));
  w.U16(static_cast<uint16_t>(data));
  if (rosctr == kAckData) w.U16(0);  // error class, error code: none
}

// COTP connection request (client) or confirm, with calling and called TSAPs. The called
// TSAP's high byte is the connection type (1 PG, 2 OP, 3 S7 basic), its low byte rack 0,
// slot 2.
void Connect(ByteWriter& w, bool request, uint8_t connection_type) {
  Tpkt(w, 22);
  w.U8(17);
  w.U8(request ? 0xe0 : 0xd0);
  w.U16(request ? 0x0000 : 0x0001);  // destination reference
  w.U16(request ? 0x0001 : 0x4431);  // source reference
  w.U8(0);                           // class 0
  w.U8(0xc1);                        // calling TSAP
  w.U8(2);
  w.U16(0x0100);
  w.U8(0xc2);  // called TSAP
  w.U8(2);
  w.U16(static_cast<uint16_t>(connection_type << 8 | 0x02));
  w.U8(0xc0);  // TPDU size 1024
  w.U8(1);
  w.U8(0x0a);
}

void Setup(ByteWriter& w, bool request, uint16_t pdu_ref) {
  Header(w, request ? kJob : kAckData, pdu_ref, 8, 0);
  w.U8(kFuncSetup);
  w.U8(0);
  w.U16(1);  // max AmQ calling
  w.U16(1);  // max AmQ called
  w.U16(request ? 480 : 240);
}

struct Item {
  uint8_t area = kAreaDb;
  uint16_t db = 0;
  uint16_t start = 0;  // byte address
  uint16_t bytes = 0;
};

void ItemSpec(ByteWriter& w, const Item& item) {
  w.U8(0x12);
  w.U8(0x0a);
  w.U8(0x10);  // syntax id: S7ANY
  w.U8(kTransportByte);
  w.U16(item.bytes);
  w.U16(item.db);
  w.U8(item.area);
  w.U24(uint32_t{item.start} * 8);  // bit address
}

// Data of one item: return code, transport size, length in bits, bytes; an item of odd
// length that is not the last is followed by a fill byte.
size_t ItemDataSize(const Item& item, bool last) {
  return 4 + item.bytes + (!last && item.bytes % 2 != 0 ? 1 : 0);
}

void ItemData(ByteWriter& w, const Item& item, bool last, uint8_t return_code, Rng& rng) {
  w.U8(return_code);
  w.U8(kDataBits);
  w.U16(static_cast<uint16_t>(item.bytes * 8));
  for (uint16_t i = 0; i < item.bytes; ++i) w.U8(static_cast<uint8_t>(rng.Below(256)));
  if (!last && item.bytes % 2 != 0) w.U8(0);
}

// Items an HMI or crane management reads in round `round`.
size_t ReadItems(const Session& s, Item (&items)[3]) {
  if (s.variant == kS7Hmi && s.round % 2 == 1) {
    items[0] = Item{kAreaMerker, 0, 0, 16};  // MB0..MB15: status flags
    items[1] = Item{kAreaDb, 20, 0, 12};     // DB20: drive summary
    items[2] = Item{kAreaMerker, 0, 100, 3};
    return 3;
  }
  items[0] = Item{kAreaDb, 10, 0, 8};
  items[1] = Item{kAreaDb, 11, 0, 8};
  return 2;
}

void ReadVar(ByteWriter& w, const Session& s, bool request, uint16_t pdu_ref, Rng& rng) {
  Item items[3];
  const size_t n = ReadItems(s, items);
  if (request) {
    Header(w, kJob, pdu_ref, 2 + 12 * n, 0);
    w.U8(kFuncRead);
    w.U8(static_cast<uint8_t>(n));
    for (size_t i = 0; i < n; ++i) ItemSpec(w, items[i]);
    return;
  }
  size_t data = 0;
  for (size_t i = 0; i < n; ++i) data += ItemDataSize(items[i], i + 1 == n);
  Header(w, kAckData, pdu_ref, 2, data);
  w.U8(kFuncRead);
  w.U8(static_cast<uint8_t>(n));
  for (size_t i = 0; i < n; ++i) ItemData(w, items[i], i + 1 == n, 0xff, rng);
}

// An operator's setpoint: DB10.DBW20, one word.
void WriteVar(ByteWriter& w, bool request, uint16_t pdu_ref, Rng& rng) {
  const Item item{kAreaDb, 10, 20, 2};
  if (request) {
    Header(w, kJob, pdu_ref, 2 + 12, ItemDataSize(item, true));
    w.U8(kFuncWrite);
    w.U8(1);
    ItemSpec(w, item);
    ItemData(w, item, true, 0x00, rng);  // return code 0 (reserved) in a request
    return;
  }
  Header(w, kAckData, pdu_ref, 2, 1);
  w.U8(kFuncWrite);
  w.U8(1);
  w.U8(0xff);  // success
}

// Userdata, CPU functions, read SZL 0x0011 index 0 (module identification), and the answer:
// three 28-byte records (index, 20-character order number, module type, versions).
void ReadSzl(ByteWriter& w, bool request, uint16_t pdu_ref, std::string_view order_number) {
  if (request) {
    Header(w, kUserdata, pdu_ref, 8, 8);
    w.U24(0x000112);  // parameter head
    w.U8(4);          // parameter length
    w.U8(0x11);       // method: request
    w.U8(0x44);       // type 4 request, function group 4 CPU functions
    w.U8(0x01);       // subfunction: read SZL
    w.U8(0x00);       // sequence number
    w.U8(0xff);       // return code: success
    w.U8(kDataOctets);
    w.U16(4);
    w.U16(0x0011);  // SZL-ID
    w.U16(0x0000);  // SZL-Index
    return;
  }
  constexpr uint16_t kRecords = 3;
  constexpr uint16_t kRecordLength = 28;
  const size_t szl = 8 + kRecords * kRecordLength;
  Header(w, kUserdata, pdu_ref, 12, 4 + szl);
  w.U24(0x000112);
  w.U8(8);
  w.U8(0x12);  // method: response
  w.U8(0x84);  // type 8 response, function group 4
  w.U8(0x01);
  w.U8(0x01);  // sequence number
  w.U8(0x00);  // data unit reference
  w.U8(0x00);  // last data unit: yes
  w.U16(0);    // error code
  w.U8(0xff);
  w.U8(kDataOctets);
  w.U16(static_cast<uint16_t>(szl));
  w.U16(0x0011);
  w.U16(0x0000);
  w.U16(kRecordLength);
  w.U16(kRecords);
  // Index 1 module, 6 basic hardware, 7 basic firmware ("V3.2.6" as 'V' 3 . 2 6).
  const std::string_view blank = "                    ";
  const struct {
    uint16_t index;
    std::string_view mlfb;
    uint16_t ausbg, ausbe;
  } records[kRecords] = {{0x0001, order_number, 0x0001, 0x0001},
                         {0x0006, order_number, 0x0001, 0x0001},
                         {0x0007, blank, 0x5603, 0x0206}};
  for (const auto& r : records) {
    w.U16(r.index);
    w.Str(r.mlfb);
    w.U16(0x0000);  // BGTyp
    w.U16(r.ausbg);
    w.U16(r.ausbe);
  }
}

// PLC stop: function 0x29, five unknown bytes, the PI service name "P_PROGRAM".
void PlcStop(ByteWriter& w, bool request, uint16_t pdu_ref) {
  constexpr std::string_view kService = "P_PROGRAM";
  if (!request) {
    Header(w, kAckData, pdu_ref, 1, 0);
    w.U8(kFuncPlcStop);
    return;
  }
  Header(w, kJob, pdu_ref, 1 + 5 + 1 + kService.size(), 0);
  w.U8(kFuncPlcStop);
  w.Fill(5, 0);
  w.U8(static_cast<uint8_t>(kService.size()));
  w.Str(kService);
}

// PI service (0x28): seven unknown bytes, the parameter block, the service name. "_INSE"
// takes one block (count, unknown, block type and number as ASCII, file system); a warm
// restart ("P_PROGRAM") takes none.
void PiService(ByteWriter& w, bool request, uint16_t pdu_ref, bool insert) {
  if (!request) {
    Header(w, kAckData, pdu_ref, 1, 0);
    w.U8(kFuncPiService);
    return;
  }
  const std::string_view service = insert ? "_INSE" : "P_PROGRAM";
  const size_t block = insert ? 10 : 0;
  Header(w, kJob, pdu_ref, 1 + 7 + 2 + block + 1 + service.size(), 0);
  w.U8(kFuncPiService);
  w.Fill(6, 0);
  w.U8(0xfd);
  w.U16(static_cast<uint16_t>(block));
  if (insert) {
    w.U8(1);  // number of blocks
    w.U8(0);
    w.Str(kBlockFile.substr(1, 2));  // "08": OB
    w.Str(kBlockFile.substr(3, 5));  // "00001"
    w.U8('P');
  }
  w.U8(static_cast<uint8_t>(service.size()));
  w.Str(service);
}

// Request download (PG), download block and download ended (PLC): function, function
// status, error code, upload id, file name; request download adds part 2 (a '1', the
// load-memory length and the MC7 code length as six ASCII digits each).
void BlockControl(ByteWriter& w, uint8_t function, uint16_t pdu_ref) {
  const bool request_download = function == kFuncRequestDownload;
  const size_t param = 1 + 1 + 2 + 4 + 1 + kBlockFile.size() + (request_download ? 1 + 13 : 0);
  Header(w, kJob, pdu_ref, param, 0);
  w.U8(function);
  w.U8(0x00);  // function status
  w.U16(0x0000);
  w.U32(0x00000000);  // upload id
  w.U8(static_cast<uint8_t>(kBlockFile.size()));
  w.Str(kBlockFile);
  if (request_download) {
    const std::string lengths = "1" +
                                std::string(6 - std::to_string(kBlockLoadLength).size(), '0') +
                                std::to_string(kBlockLoadLength) +
                                std::string(6 - std::to_string(kBlockCodeLength).size(), '0') +
                                std::to_string(kBlockCodeLength);
    w.U8(static_cast<uint8_t>(lengths.size()));
    w.Str(lengths);
  }
}

// OB1's load-memory image, the same for every piece of one download: `key` (the session's
// own draw from the seed) decides its code bytes and time stamps.
// clang-format off
//  header: | 0x70 0x70 | version:1 | attributes:1 | language:1 | type:1 (0x08 OB) | number:2 |
//          | load length:4 | security:4 | code time stamp:6 | interface time stamp:6 |
//          | SSB length:2 | ADD length:2 | local data length:2 | MC7 code length:2 |
//  code:   | MC7:MC7 code length |
//  footer: | author:8 | family:8 | name:8 | version:1 | unknown:1 | checksum:2 | reserved:8 |
// clang-format on
std::array<uint8_t, kBlockLoadLength> BlockImage(uint64_t key) {
  std::array<uint8_t, kBlockLoadLength> image{};
  ByteWriter w(image);
  Rng code(key);
  // An S7 time stamp: milliseconds since midnight, days since 1984-01-01.
  auto stamp = [&](uint32_t days) {
    w.U32(static_cast<uint32_t>(code.Below(86'400'000)));
    w.U16(static_cast<uint16_t>(days));
  };
  w.U16(0x7070);
  w.U8(0x01);  // block version
  w.U8(0x01);  // attributes
  w.U8(0x01);  // language: STL
  w.U8(0x08);  // OB
  w.U16(1);
  w.U32(kBlockLoadLength);
  w.U32(0);  // no know-how protection
  stamp(14'600 + code.Below(365));
  stamp(14'600);
  w.U16(0);   // SSB
  w.U16(0);   // ADD
  w.U16(20);  // local data
  w.U16(static_cast<uint16_t>(kBlockCodeLength));
  for (uint32_t i = 0; i < kBlockCodeLength; ++i) w.U8(static_cast<uint8_t>(code.Below(256)));
  // Author, family and name: up to eight characters, padded with NULs.
  for (std::string_view text : {"QUAYSIM", "CRANE", "OB1"}) {
    w.Str(text);
    w.Fill(8 - text.size(), 0);
  }
  w.U8(0x01);  // version 0.1
  w.U8(0x00);
  w.U16(static_cast<uint16_t>(code.Below(65536)));  // checksum
  w.Fill(8, 0);
  return image;
}

// The PG's answer to the PLC's n-th "download block" job (from 0): the n-th piece of OB1,
// as a length, an unknown 0x00fb and the bytes; function status bit 0 says more follow.
void DownloadBlockData(ByteWriter& w, uint16_t pdu_ref, uint32_t piece, uint64_t key) {
  const std::array<uint8_t, kBlockLoadLength> image = BlockImage(key);
  const uint32_t start = piece * kBlockPiece;
  const uint32_t length = std::min(kBlockPiece, kBlockLoadLength - start);
  const bool more = piece + 1 < kBlockPieces;
  Header(w, kAckData, pdu_ref, 2, 4 + length);
  w.U8(kFuncDownloadBlock);
  w.U8(more ? 0x01 : 0x00);
  w.U16(static_cast<uint16_t>(length));
  w.U16(0x00fb);
  for (uint32_t i = 0; i < length; ++i) w.U8(image[start + i]);
}

void SimpleAck(ByteWriter& w, uint8_t function, uint16_t pdu_ref) {
  Header(w, kAckData, pdu_ref, 1, 0);
  w.U8(function);
}

// The planted program change, from round 2 on (0 connect, 1 setup):
//  2 SZL read; 3 stop; 4 request download -> ack, PLC: download block;
//  5, 6 PG: a piece of the block -> PLC: download block (the next piece);
//  7 PG: the last piece -> PLC: download ended; 8 PG: ack, PI _INSE -> ack; 9 restart -> ack.
void PlanProgramChange(Session& s, ByteWriter& w) {
  const bool pg = s.dir == 0;
  const auto ref = static_cast<uint16_t>(0x0400 + s.round);
  const auto plc_ref = static_cast<uint16_t>(0x0e00 + s.round);  // the PLC's own jobs
  constexpr uint32_t kFirstPiece = 5;
  constexpr uint32_t kLastPiece = kFirstPiece + kBlockPieces - 1;
  if (s.round >= kFirstPiece && s.round <= kLastPiece) {
    if (pg) {
      DownloadBlockData(w, static_cast<uint16_t>(plc_ref - 1), s.round - kFirstPiece, s.fill);
    } else {
      BlockControl(w, s.round < kLastPiece ? kFuncDownloadBlock : kFuncDownloadEnded, plc_ref);
    }
    SetMessage(s, w);
    return;
  }
  switch (s.round) {
    case 2:
      ReadSzl(w, pg, ref, kCpuOrderNumber);
      break;
    case 3:
      PlcStop(w, pg, ref);
      break;
    case 4:
      if (pg) {
        BlockControl(w, kFuncRequestDownload, ref);
      } else if (s.msg_index == 0) {
        SimpleAck(w, kFuncRequestDownload, ref);
        SetMessage(s, w, true);
        return;
      } else {
        BlockControl(w, kFuncDownloadBlock, plc_ref);
      }
      break;
    case kLastPiece + 1:
      if (pg && s.msg_index == 0) {
        SimpleAck(w, kFuncDownloadEnded, static_cast<uint16_t>(plc_ref - 1));
        SetMessage(s, w, true);
        return;
      }
      PiService(w, pg, ref, true);
      break;
    default:
      PiService(w, pg, ref, false);
      break;
  }
  SetMessage(s, w);
}

uint8_t ConnectionType(uint8_t variant) {
  switch (variant) {
    case kS7Hmi:
      return 2;  // OP
    case kS7Program:
      return 1;  // PG
    default:
      return 3;  // S7 basic
  }
}

}  // namespace

void PlanS7(Session& s, Rng& rng) {
  ByteWriter w(s.head);
  const bool request = s.dir == 0;
  const auto pdu_ref = static_cast<uint16_t>(s.round);
  if (s.round == 0) {
    Connect(w, request, ConnectionType(s.variant));
  } else if (s.round == 1) {
    Setup(w, request, pdu_ref);
  } else if (s.variant == kS7Program) {
    PlanProgramChange(s, w);
    return;
  } else if ((s.variant == kS7Monitor || s.variant == kS7SafetyMonitor) && s.round == 2) {
    ReadSzl(w, request, pdu_ref, s.variant == kS7Monitor ? kCpuOrderNumber : kSafetyCpuOrderNumber);
  } else if (s.variant == kS7Hmi && s.round % 50 == 25) {
    WriteVar(w, request, pdu_ref, rng);
  } else {
    ReadVar(w, s, request, pdu_ref, rng);
  }
  SetMessage(s, w);
}

// ---- S7comm-plus (S7-1200/1500), as the dissector's parser reads it (s7comm_plus_parser.cpp) ----

namespace {

constexpr uint8_t kS7PlusId = 0x72;
constexpr uint8_t kS7PlusV1 = 0x01, kS7PlusV3 = 0x03;
constexpr uint8_t kS7PlusRequest = 0x31, kS7PlusResponse = 0x32;
constexpr uint16_t kS7PlusCreateObject = 0x04ca, kS7PlusSetMulti = 0x0542, kS7PlusGetMulti = 0x054c;
constexpr uint32_t kS7PlusServerSession = 0x70000d4e;  // the session the CPU creates

// COTP connection request or confirm between an HMI (calling TSAP 0x0600) and the CPU's
// "SIMATIC-ROOT-HMI" access point.
void S7PlusConnect(ByteWriter& w, bool request) {
  constexpr std::string_view kRoot = "SIMATIC-ROOT-HMI";
  Tpkt(w, 4 + 1 + 6 + 4 + 2 + kRoot.size() + 3);
  w.U8(static_cast<uint8_t>(6 + 4 + 2 + kRoot.size() + 3));
  w.U8(request ? 0xe0 : 0xd0);
  w.U16(request ? 0x0000 : 0x0003);  // destination reference
  w.U16(request ? 0x0003 : 0x1a2b);  // source reference
  w.U8(0);                           // class 0
  w.U8(request ? 0xc1 : 0xc2);       // the HMI's TSAP first
  w.U8(2);
  w.U16(0x0600);
  w.U8(request ? 0xc2 : 0xc1);
  w.U8(static_cast<uint8_t>(kRoot.size()));
  w.Str(kRoot);
  w.U8(0xc0);  // TPDU size 1024
  w.U8(1);
  w.U8(0x0a);
}

// One S7comm-plus packet in a COTP data unit: | 0x72 | version | length | data | trailer |;
// `data` writes the data part (for V3, after the 32-octet integrity digest). The TPKT and
// data lengths are filled in once the data is written.
template <typename F>
void S7PlusPacket(ByteWriter& w, uint8_t version, Rng& rng, F&& data) {
  const size_t start = w.size();
  Tpkt(w, 0);
  w.U8(2);  // COTP DT, last data unit
  w.U8(0xf0);
  w.U8(0x80);
  w.U8(kS7PlusId);
  w.U8(version);
  const size_t length_at = w.size();
  w.U16(0);
  if (version == kS7PlusV3) {
    w.U8(32);
    RandomBytes(w, rng, 32);
  }
  data();
  w.PatchBe(length_at, w.size() - length_at - 2, 2);
  w.U8(kS7PlusId);  // trailer
  w.U8(version);
  w.U16(0);
  w.PatchBe(start + 2, w.size() - start, 2);  // the TPKT length
}

// The fixed head of a request (| 0x31 | 0 | function | 0 | sequence | session | flags |) or
// a response (| 0x32 | 0 | function | 0 | sequence | flags | return value 0 |).
void S7PlusHead(ByteWriter& w, bool request, uint16_t function, uint16_t sequence,
                uint32_t session) {
  w.U8(request ? kS7PlusRequest : kS7PlusResponse);
  w.U16(0);
  w.U16(function);
  w.U16(0);
  w.U16(sequence);
  if (request) w.U32(session);
  w.U8(request ? 0x34 : 0x00);  // transport flags
  if (!request) w.U8(0);        // return value (VLQ): ok
}

}  // namespace

void PlanS7Plus(Session& s, Rng& rng) {
  ByteWriter w(s.head);
  const bool request = s.dir == 0;
  const auto sequence = static_cast<uint16_t>(s.round);
  if (s.round == 0) {
    S7PlusConnect(w, request);
  } else if (s.round == 1) {
    // The server session: CreateObject in a V1 packet, its answer naming the CPU.
    const std::string version =
        "1;" + std::string(kS7PlusOrderNumber) + " ;" + std::string(kS7PlusFirmware);
    S7PlusPacket(w, kS7PlusV1, rng, [&] {
      S7PlusHead(w, request, kS7PlusCreateObject, sequence, request ? 0x00000120 : 0);
      if (request) {
        w.U32(0x0000011d);  // the parent: the server session container
        w.U8(0);            // value: UDInt 0
        w.U8(0x04);
        w.U8(0);
        w.U8(0xa1);  // start of object
        w.U32(0);    // relation id
        w.U8(0x82);  // class id 287, ServerSession (VLQ)
        w.U8(0x1f);
        w.Fill(8, 0);
      } else {
        w.U32(kS7PlusServerSession);
        w.U8(0x00);  // ServerSessionVersion: a WString value
        w.U8(0x15);
        w.U8(static_cast<uint8_t>(version.size()));
        w.Str(version);
        w.U8(0);
      }
    });
  } else {
    // The HMI reads its screen's variables; every twentieth round it sets one.
    const bool write = s.round % 20 == 10;
    const uint16_t function = write ? kS7PlusSetMulti : kS7PlusGetMulti;
    const size_t body = request ? (write ? 28 : 20) : (write ? 4 : 24);
    S7PlusPacket(w, kS7PlusV3, rng, [&] {
      S7PlusHead(w, request, function, sequence, kS7PlusServerSession);
      RandomBytes(w, rng, body);  // the variables' addresses and values
    });
  }
  SetMessage(s, w);
}

}  // namespace qw::simulate
