// Tests of TPKT/COTP and S7comm: the parsers field by field on real frames (TCP payloads,
// annotated as tshark 4.0.17 dissects them; capture and frame named on each), every
// truncated prefix, the probes against other protocols, and the port-102 flow dissector
// through the real StreamAttacher: pairing, targets, results, identities, several PDUs in
// one segment, PDUs split across segments, COTP segments, gaps and unanswered requests.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"
#include "core/digest.h"
#include "dissect/s7comm/cotp_parser.h"
#include "dissect/s7comm/s7comm_dissector.h"
#include "dissect/s7comm/s7comm_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// ---------------------------------------------------------------------------------------
// Fixtures: s7comm/s7comm_downloading_block_db1.pcap (STEP 7 downloads DB1 to an S7-300)

// Frame 5, client to PLC: COTP connection request.
constexpr std::string_view kCr = R"(
  03 00 00 16             # TPKT version 3, reserved, length 22
  11                      # COTP length indicator 17
  e0                      # CR Connect Request, credit 0
  00 00                   # destination reference 0x0000
  00 07                   # source reference 0x0007
  00                      # class 0, no extended formats, explicit flow control
  c1 02 01 00             # parameter src-tsap (0xc1), length 2: 0100
  c2 02 01 02             # parameter dst-tsap (0xc2), length 2: 0102 (PG, rack 0, slot 2)
  c0 01 0a                # parameter tpdu-size (0xc0), length 1: 2^10 = 1024
)";

// Frame 6, PLC to client: COTP connection confirm.
constexpr std::string_view kCc = R"(
  03 00 00 16             # TPKT, length 22
  11 d0                   # LI 17, CC Connect Confirm
  00 07 00 03             # destination reference 0x0007, source reference 0x0003
  00                      # class 0
  c0 01 0a                # tpdu-size 1024
  c1 02 01 00             # src-tsap 0100
  c2 02 01 02             # dst-tsap 0102
)";

// Frame 7: setup communication job.
constexpr std::string_view kSetupJob = R"(
  03 00 00 19             # TPKT, length 25
  02 f0 80                # COTP LI 2, DT, EOT, TPDU number 0
  32 01                   # S7 protocol id, ROSCTR 1 Job
  00 00                   # redundancy identification
  02 00                   # PDU reference 512
  00 08 00 00             # parameter length 8, data length 0
  f0                      # function 0xf0 setup communication
  00                      # reserved
  00 01 00 01             # max AmQ calling 1, max AmQ called 1
  01 e0                   # PDU length 480
)";

// Frame 8: setup communication ack-data.
constexpr std::string_view kSetupAck = R"(
  03 00 00 1b 02 f0 80    # TPKT length 27, COTP DT EOT
  32 03 00 00 02 00       # S7, ROSCTR 3 Ack_Data, PDU reference 512
  00 08 00 00             # parameter length 8, data length 0
  00 00                   # error class 0, error code 0
  f0 00 00 01 00 01 00 f0 # setup communication: AmQ 1/1, PDU length 240
)";

// Frame 45: an empty COTP DT fragment (EOT 0), which STEP 7 sends before each PDU.
constexpr std::string_view kEmptyDt = R"(
  03 00 00 07             # TPKT length 7
  02 f0 00                # COTP LI 2, DT, EOT 0, TPDU number 0; no user data
)";

// Frame 43, client to PLC: request download of DB1.
constexpr std::string_view kRequestDownload = R"(
  03 00 00 31 02 f0 80    # TPKT length 49, COTP DT EOT
  32 01 00 00 0e 00       # Job, PDU reference 0x0e00
  00 20 00 00             # parameter length 32, data length 0
  1a                      # function 0x1a request download
  00                      # function status
  01 00 00 00 00 00       # unknown
  09 5f 30 41 30 30 30 30 31 50
                          # file name length 9: "_0A00001P" (DB 1, passive file system)
  0d 31 30 30 30 35 30 30 30 30 30 34 30 30
                          # part 2 length 13: "1000500000400" (load memory / MC7 lengths)
)";

// Frame 44, PLC to client: its ack-data.
constexpr std::string_view kRequestDownloadAck = R"(
  03 00 00 14 02 f0 80    # TPKT length 20, COTP DT EOT
  32 03 00 00 0e 00       # Ack_Data, PDU reference 0x0e00
  00 01 00 00 00 00       # parameter length 1, data length 0, no error
  1a                      # function request download
)";

// Frame 46, PLC to client: the PLC pulls the block ("download block" job).
constexpr std::string_view kDownloadBlockJob = R"(
  03 00 00 23 02 f0 80    # TPKT length 35, COTP DT EOT
  32 01 00 00 01 00       # Job, PDU reference 0x0100
  00 12 00 00             # parameter length 18, data length 0
  1b 00                   # function 0x1b download block, status 0
  00 00 00 00 00 00       # unknown
  09 5f 30 41 30 30 30 30 31 50   # "_0A00001P"
)";

// Frame 52, PLC to client: the third "download block" job.
constexpr std::string_view kDownloadBlockJob3 = R"(
  03 00 00 23 02 f0 80    # TPKT length 35, COTP DT EOT
  32 01 00 00 05 00       # Job, PDU reference 0x0500
  00 12 00 00             # parameter length 18, data length 0
  1b 00                   # function 0x1b download block, status 0
  00 00 00 00 00 00       # unknown
  09 5f 30 41 30 30 30 30 31 50   # "_0A00001P"
)";

// Frame 54, client to PLC: its ack-data with the last piece of DB1 (56 of its 500 bytes).
constexpr std::string_view kDownloadBlockData3 = R"(
  03 00 00 51 02 f0 80    # TPKT length 81, COTP DT EOT
  32 03 00 00 05 00       # Ack_Data, PDU reference 0x0500
  00 02 00 3c 00 00       # parameter length 2, data length 60, no error
  1b 00                   # download block, function status 0: no more data follows
  00 38                   # data: length 56
  00 fb                   # unknown
  04 01 10 0c 01 00 00 c7 00 05 04 01 00 00 01 01   # the block's last 56 bytes
  00 00 00 52 54 57 49 00 00 00 00 00 54 65 73 74   #   (interface and footer:
  48 4d 49 00 44 41 54 41 44 42 00 00 01 00 c0 df   #   "RTWI", "TestHMI", "DATADB")
  00 00 00 00 00 00 00 00
)";

// Frame 55, PLC to client: download ended.
constexpr std::string_view kDownloadEndedJob = R"(
  03 00 00 23 02 f0 80    # TPKT length 35, COTP DT EOT
  32 01 00 00 07 00       # Job, PDU reference 0x0700
  00 12 00 00             # parameter length 18, data length 0
  1c 00 00 00             # function 0x1c download ended, status 0, error code 0
  00 00 00 00             # unknown
  09 5f 30 41 30 30 30 30 31 50   # "_0A00001P"
)";

// Frame 57, client to PLC: its ack-data.
constexpr std::string_view kDownloadEndedAck = R"(
  03 00 00 14 02 f0 80 32 03 00 00 07 00   # Ack_Data, PDU reference 0x0700
  00 01 00 00 00 00 1c                     # parameter length 1, no error, function 0x1c
)";

// Frame 58, client to PLC: PI service _INSE activates DB1.
constexpr std::string_view kPiInse = R"(
  03 00 00 2b 02 f0 80    # TPKT length 43, COTP DT EOT
  32 01 00 00 0f 00       # Job, PDU reference 0x0f00
  00 1a 00 00             # parameter length 26, data length 0
  28                      # function 0x28 PI service
  00 00 00 00 00 00 fd    # unknown
  00 0a                   # parameter block length 10
    01 00                 #   1 block, unknown
    30 41 30 30 30 30 31 50   # "0A" DB, "00001", 'P'
  05 5f 49 4e 53 45       # service name length 5: "_INSE"
)";

// Frame 59, PLC to client: its ack-data.
constexpr std::string_view kPiInseAck = R"(
  03 00 00 14 02 f0 80 32 03 00 00 0f 00   # Ack_Data, PDU reference 0x0f00
  00 01 00 00 00 00 28                     # parameter length 1, no error, function 0x28
)";

// ---------------------------------------------------------------------------------------
// Fixtures: s7comm/s7comm_varservice_libnodavedemo.pcap

// Frame 13: read var, one item.
constexpr std::string_view kReadJob = R"(
  03 00 00 1f 02 f0 80    # TPKT length 31, COTP DT EOT
  32 01 00 00 00 01       # Job, PDU reference 1
  00 0e 00 00             # parameter length 14, data length 0
  04 01                   # function 0x04 read var, 1 item
  12 0a 10                # variable specification, length 10, syntax id S7ANY
  02 00 10                # transport size BYTE, length 16
  00 00 83                # DB 0, area 0x83 flags (M)
  00 00 00                # address 0.0
)";

// Frame 14: its ack-data, 16 bytes of data.
constexpr std::string_view kReadAck = R"(
  03 00 00 29 02 f0 80    # TPKT length 41, COTP DT EOT
  32 03 00 00 00 01       # Ack_Data, PDU reference 1
  00 02 00 14 00 00       # parameter length 2, data length 20, no error
  04 01                   # read var, 1 item
  ff 04 00 80             # return code 0xff success, transport size BYTE/WORD/DWORD, 128 bits
  a9 10 00 00 00 00 01 01 00 00 00 00 00 00 00 00   # 16 bytes of M0..M15
)";

// Frame 15: write var, one item.
constexpr std::string_view kWriteJob = R"(
  03 00 00 27 02 f0 80    # TPKT length 39, COTP DT EOT
  32 01 00 00 00 02       # Job, PDU reference 2
  00 0e 00 08             # parameter length 14, data length 8
  05 01                   # function 0x05 write var, 1 item
  12 0a 10 02 00 04       # S7ANY, BYTE x4
  00 00 83 00 00 00       # DB 0, area M, address 0.0
  00 04 00 20             # data: reserved return code, transport size 4, 32 bits
  a9 10 00 01             # the 4 bytes written
)";

// Frame 16: its ack-data.
constexpr std::string_view kWriteAck = R"(
  03 00 00 16 02 f0 80    # TPKT length 22, COTP DT EOT
  32 03 00 00 00 02       # Ack_Data, PDU reference 2
  00 02 00 01 00 00       # parameter length 2, data length 1, no error
  05 01                   # write var, 1 item
  ff                      # item 1: success
)";

// ---------------------------------------------------------------------------------------
// Fixtures: s7comm/snap7_s300_everything.pcapng (Snap7 client against a CPU 315-2 PN/DP)

// Frame 3: userdata, read SZL 0x0011 index 0 (module identification).
constexpr std::string_view kSzl11Request = R"(
  03 00 00 21 02 f0 80    # TPKT length 33, COTP DT EOT
  32 07 00 00 01 00       # Userdata, PDU reference 0x0100
  00 08 00 08             # parameter length 8, data length 8
  00 01 12 04 11          # parameter head, length 4, method 0x11 request
  44 01 00                # type 4 request, group 4 CPU functions; subfunction 1 read SZL; seq 0
  ff 09 00 04             # return code 0xff, transport size octet string, length 4
  00 11 00 00             # SZL id 0x0011, index 0x0000
)";

// Frame 4: its answer, four records of 28 bytes.
constexpr std::string_view kSzl11Response = R"(
  03 00 00 99 02 f0 80    # TPKT length 153, COTP DT EOT
  32 07 00 00 01 00       # Userdata, PDU reference 0x0100
  00 0c 00 7c             # parameter length 12, data length 124
  00 01 12 08 12          # parameter head, length 8, method 0x12 response
  84 01 02                # type 8 response, group 4; subfunction 1 read SZL; seq 2
  00 00 00 00             # data unit reference 0, last data unit, error code 0
  ff 09 00 78             # return code success, octet string, length 120
  00 11 00 00 00 1c 00 04 # SZL 0x0011 index 0, record length 28, 4 records
  00 01 36 45 53 37 20 33 31 35 2d 32 45 48 31 34 2d 30 41 42 30 20 00 c0 00 03 00 01
          # index 1 module: "6ES7 315-2EH14-0AB0 ", type 0x00c0, version 3, 1
  00 06 36 45 53 37 20 33 31 35 2d 32 45 48 31 34 2d 30 41 42 30 20 00 c0 00 03 00 01
          # index 6 basic hardware: same order number, version 3
  00 07 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 00 c0 56 03 02 07
          # index 7 basic firmware: 'V' 3 . 2 . 7
  00 81 42 6f 6f 74 20 4c 6f 61 64 65 72 20 20 20 20 20 20 20 20 20 00 00 41 20 09 09
          # index 0x81 boot loader "Boot Loader", version "A " 9.9
)";

// Frame 5: read SZL 0x001C index 0 (component identification).
constexpr std::string_view kSzl1cRequest = R"(
  03 00 00 21 02 f0 80 32 07 00 00 02 00 00 08 00 08   # Userdata, PDU reference 0x0200
  00 01 12 04 11 44 01 00                               # request, CPU functions, read SZL
  ff 09 00 04 00 1c 00 00                               # SZL 0x001c index 0
)";

// Frame 6: first part of the answer (data unit reference 0xd5, more follows).
constexpr std::string_view kSzl1cResponse1 = R"(
  03 00 00 f7 02 f0 80    # TPKT length 247, COTP DT EOT
  32 07 00 00 02 00       # Userdata, PDU reference 0x0200
  00 0c 00 da             # parameter length 12, data length 218
  00 01 12 08 12 84 01 02 # response, CPU functions, read SZL, seq 2
  d5 01 00 00             # data unit reference 0xd5, last data unit 1 (more follows), no error
  ff 09 00 d6             # success, octet string, length 214
  00 1c 00 00 00 22 00 0a # SZL 0x001c index 0, record length 34, 10 records
  00 01 53 37 33 30 30 2f 45 54 32 30 30 4d 20 73 74 61 74 69 6f 6e 5f 31
        00 00 00 00 00 00 00 00 00 00   # index 1 automation system "S7300/ET200M station_1"
  00 02 50 4c 43 5f 31 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00   # index 2 module name "PLC_1"
  00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00   # index 3 plant designation (empty)
  00 04 4f 72 69 67 69 6e 61 6c 20 53 69 65 6d 65 6e 73 20 45 71 75 69 70
        6d 65 6e 74 00 00 00 00 00 00   # index 4 copyright "Original Siemens Equipment"
  00 05 53 20 43 2d 42 31 55 33 39 33 31 34 32 30 31 31 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00   # index 5 serial "S C-B1U393142011"
  00 07 43 50 55 20 33 31 35 2d 32 20 50 4e 2f 44 50 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00   # index 7 module type "CPU 315-2 PN/DP"
  00 08   # index 8 (serial of the memory card); its text continues in the next part
)";

// Frame 7: the client asks for the rest (seq 2, return code 0x0a, no data).
constexpr std::string_view kSzl1cFollowUp = R"(
  03 00 00 21 02 f0 80 32 07 00 00 03 00 00 0c 00 04   # Userdata, PDU reference 0x0300
  00 01 12 08 12 44 01 02 # parameter length 8, type 4 request, read SZL, seq 2
  00 00 00 00             # data unit reference 0, last data unit, error 0
  0a 00 00 00             # return code 0x0a, no data
)";

// Frame 8: the rest of the answer (same data unit reference 0xd5, last).
constexpr std::string_view kSzl1cResponse2 = R"(
  03 00 00 a7 02 f0 80 32 07 00 00 03 00 00 0c 00 8a   # Userdata, PDU reference 0x0300
  00 01 12 08 12 84 01 02 d5 00 00 00   # response, read SZL, seq 2, unit 0xd5, last
  ff 09 00 86             # success, octet string, length 134
  4d 4d 43 20 34 41 31 41 43 30 31 39 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 # rest of index 8: "MMC 4A1AC019"
  00 09 00 2a f6 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00   # index 9: manufacturer 0x002a, profile 0xf600, type 1
  00 0a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00   # index 0x0a OEM id
  00 0b 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 00 00 00   # index 0x0b location
)";

// Frame 17: start upload of SDB 0.
constexpr std::string_view kStartUploadJob = R"(
  03 00 00 23 02 f0 80 32 01 00 00 08 00 00 12 00 00   # Job, PDU reference 0x0800
  1d 00 00 00             # function 0x1d start upload, status 0, unknown
  00 00 00 00             # upload id 0
  09 5f 30 42 30 30 30 30 30 41   # "_0B00000A": SDB 0, active file system
)";

// Frame 18: its ack-data with the upload id 7.
constexpr std::string_view kStartUploadAck = R"(
  03 00 00 23 02 f0 80 32 03 00 00 08 00 00 10 00 00 00 00   # Ack_Data, no error
  1d 00 01 00             # start upload, status 0, unknown
  00 00 00 07             # upload id 7
  07 30 30 30 30 32 31 36 # block length string "0000216"
)";

// Frame 19: upload with id 7.
constexpr std::string_view kUploadJob = R"(
  03 00 00 19 02 f0 80 32 01 00 00 09 00 00 08 00 00   # Job, PDU reference 0x0900
  1e 00 00 00 00 00 00 07 # function 0x1e upload, status 0, unknown, upload id 7
)";

// Frame 20: the upload's ack-data with the whole of SDB 0 (216 bytes, one piece).
constexpr std::string_view kUploadData = R"(
  03 00 00 f1 02 f0 80    # TPKT length 241, COTP DT EOT
  32 03 00 00 09 00       # Ack_Data, PDU reference 0x0900
  00 02 00 dc 00 00       # parameter length 2, data length 220, no error
  1e 00                   # upload, function status 0: no more data follows
  00 d8                   # data: length 216
  00 fb                   # unknown
  70 70 03 02 07 0b 00 00 00 00 00 d8 80 00 00 00   # block header: 0x7070, SDB (0x0b) 0,
  00 39 21 00 2d 98 04 ef 6d 80 12 2c 00 00 00 00   # load length 216, ...
  00 00 00 90 1c 03 10 01 01 01 00 00 1f 02 02 04
  00 01 21 05 00 14 00 00 01 9f 00 3c 01 90 00 27
  74 15 53 37 33 30 30 2f 45 54 32 30 30 4d 20 73   # "S7300/ET200M station_1"
  74 61 74 69 6f 6e 5f 31 00 00 50 4c 43 5f 31 00   # "PLC_1"
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 53 54 45 50 20 37 20 23 20 20 20 20   # "STEP 7 " ...
  20 20 20 20 20 20 20 20 20 20 20 20 00 00 d1 cc
  31 52 48 14 00 00 00 00
)";

// Frame 21: end upload with id 7.
constexpr std::string_view kEndUploadJob = R"(
  03 00 00 19 02 f0 80 32 01 00 00 0a 00 00 08 00 00   # Job, PDU reference 0x0a00
  1f 00 00 00 00 00 00 07 # function 0x1f end upload, status 0, error code 0, upload id 7
)";

// Frame 22: its ack-data.
constexpr std::string_view kEndUploadAck = R"(
  03 00 00 14 02 f0 80 32 03 00 00 0a 00 00 01 00 00 00 00 1f
)";

// Frame 23: userdata block info request for DB 0.
constexpr std::string_view kBlockInfoRequest = R"(
  03 00 00 25 02 f0 80 32 07 00 00 0b 00 00 08 00 0c   # Userdata, PDU reference 0x0b00
  00 01 12 04 11 43 03 00 # request, group 3 block functions, subfunction 3 block info
  ff 09 00 08             # success, octet string, length 8
  30 41 30 30 30 30 30 41 # "0A" DB, "00000", 'A'
)";

// Frame 24: its answer, error 0xd209 (block not found).
constexpr std::string_view kBlockInfoResponse = R"(
  03 00 00 21 02 f0 80 32 07 00 00 0b 00 00 0c 00 04
  00 01 12 08 12 83 03 00 # response, block functions, block info
  00 00 d2 09             # data unit 0, last, error code 0xd209
  0a 00 00 00             # return code 0x0a, no data
)";

// Frame 63: PI service P_PROGRAM with argument "C " (start).
constexpr std::string_view kPiProgram = R"(
  03 00 00 27 02 f0 80 32 01 00 00 1f 00 00 16 00 00   # Job, PDU reference 0x1f00
  28 00 00 00 00 00 00 fd # PI service, unknown
  00 02 43 20             # parameter block length 2: "C "
  09 50 5f 50 52 4f 47 52 41 4d   # "P_PROGRAM"
)";

// ---------------------------------------------------------------------------------------
// Fixtures: s7comm/step7_s300_stop.pcapng

// Frame 1: PLC stop.
constexpr std::string_view kPlcStop = R"(
  03 00 00 21 02 f0 80    # TPKT length 33, COTP DT EOT
  32 01 00 00 35 00       # Job, PDU reference 0x3500
  00 10 00 00             # parameter length 16, data length 0
  29 00 00 00 00 00       # function 0x29 PLC stop, unknown
  09 50 5f 50 52 4f 47 52 41 4d   # "P_PROGRAM"
)";

// Frame 2: its ack-data.
constexpr std::string_view kPlcStopAck = R"(
  03 00 00 14 02 f0 80 32 03 00 00 35 00 00 01 00 00 00 00 29
)";

// ---------------------------------------------------------------------------------------
// Fixtures: mixed_ics/mb2_modbus_s7_enip_pn_lldp.pcap

// Frame 138: two read var jobs in one TCP segment.
constexpr std::string_view kTwoJobs = R"(
  03 00 00 2b 02 f0 80    # TPKT length 43, COTP DT EOT
  32 01 00 00 00 00       # Job, PDU reference 0
  00 1a 00 00 04 02       # parameter length 26, read var, 2 items
  12 0a 10 02 00 17 00 17 84 00 00 00   # DB23.DBX 0.0 BYTE x23
  12 0a 10 02 00 59 00 15 84 00 00 00   # DB21.DBX 0.0 BYTE x89
  03 00 00 1f 02 f0 80    # TPKT length 31, COTP DT EOT
  32 01 00 00 00 01       # Job, PDU reference 1
  00 0e 00 00 04 01       # read var, 1 item
  12 0a 10 02 00 31 00 17 84 00 00 18   # DB23.DBX 3.0 BYTE x49
)";

// Frame 271: an empty DT fragment and the DT with the job in one segment.
constexpr std::string_view kEmptyDtAndJob = R"(
  03 00 00 07 02 f0 00    # TPKT length 7, DT, EOT 0, no data
  03 00 00 2b 02 f0 80    # TPKT length 43, DT, EOT
  32 01 00 00 00 03       # Job, PDU reference 3
  00 1a 00 00 04 02       # read var, 2 items
  12 0a 10 02 00 02 03 e8 84 00 00 00   # DB1000.DBX 0.0 BYTE x2
  12 0a 10 02 00 02 03 e9 84 00 00 00   # DB1001.DBX 0.0 BYTE x2
)";

// ---------------------------------------------------------------------------------------
// Helpers

std::vector<uint8_t> Concat(std::initializer_list<std::string_view> parts) {
  std::vector<uint8_t> out;
  for (auto p : parts) {
    auto b = Hex(p);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

// The S7 message (COTP user data) of a one-DT fixture.
std::vector<uint8_t> S7Message(std::string_view fixture) {
  auto b = Hex(fixture);
  return std::vector<uint8_t>(b.begin() + 7, b.end());
}

// A fixture's PDU for the fields that are values (its views die with the call).
std::optional<S7Pdu> Parse(std::string_view fixture, core::Anomalies& a) {
  auto m = S7Message(fixture);
  return ParseS7comm(m, a);
}

const std::vector<std::string_view>& AllFixtures() {
  static const std::vector<std::string_view> all = {kCr,
                                                    kCc,
                                                    kSetupJob,
                                                    kSetupAck,
                                                    kEmptyDt,
                                                    kRequestDownload,
                                                    kRequestDownloadAck,
                                                    kDownloadBlockJob,
                                                    kDownloadEndedJob,
                                                    kDownloadEndedAck,
                                                    kPiInse,
                                                    kPiInseAck,
                                                    kReadJob,
                                                    kReadAck,
                                                    kWriteJob,
                                                    kWriteAck,
                                                    kSzl11Request,
                                                    kSzl11Response,
                                                    kSzl1cRequest,
                                                    kSzl1cResponse1,
                                                    kSzl1cFollowUp,
                                                    kSzl1cResponse2,
                                                    kStartUploadJob,
                                                    kStartUploadAck,
                                                    kUploadJob,
                                                    kUploadData,
                                                    kDownloadBlockJob3,
                                                    kDownloadBlockData3,
                                                    kEndUploadJob,
                                                    kEndUploadAck,
                                                    kBlockInfoRequest,
                                                    kBlockInfoResponse,
                                                    kPiProgram,
                                                    kPlcStop,
                                                    kPlcStopAck,
                                                    kTwoJobs,
                                                    kEmptyDtAndJob};
  return all;
}

const IcsOperation* FindOp(const testing::RecordingSink& sink, std::string_view function) {
  for (const auto& op : sink.ops) {
    if (function == op.function) return &op;
  }
  return nullptr;
}

uint64_t Histogram(const testing::RecordingSink& sink, std::string_view histogram, uint32_t code) {
  uint64_t n = 0;
  for (const auto& p : sink.pdus) n += histogram == p.histogram && p.code == code;
  for (const auto& d : sink.details) n += histogram == d.histogram && d.code == code;
  return n;
}

// ---------------------------------------------------------------------------------------
// TPKT and COTP

TEST(CotpParser, ConnectRequestFieldByField) {
  auto bytes = Hex(kCr);
  TpktFrame f = ReadTpkt(bytes);
  ASSERT_EQ(f.status, TpktStatus::kOk);
  EXPECT_EQ(f.length, 22u);
  auto t = ParseCotp(f.tpdu);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->type, static_cast<uint8_t>(CotpType::kConnectRequest));
  EXPECT_EQ(t->dst_ref, 0x0000);
  EXPECT_EQ(t->src_ref, 0x0007);
  EXPECT_EQ(t->class_options, 0);
  EXPECT_EQ(t->tpdu_size_code, 0x0a);
  ASSERT_TRUE(t->calling_tsap.present);
  ASSERT_TRUE(t->called_tsap.present);
  EXPECT_EQ(t->calling_tsap.view().size(), 2u);
  EXPECT_EQ(core::ByteReader(t->called_tsap.view()).U16Be(), 0x0102);
}

TEST(CotpParser, ConnectConfirmAndData) {
  auto cc = Hex(kCc);
  auto t = ParseCotp(ReadTpkt(cc).tpdu);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->type, static_cast<uint8_t>(CotpType::kConnectConfirm));
  EXPECT_EQ(t->dst_ref, 0x0007);
  EXPECT_EQ(t->src_ref, 0x0003);
  auto dt = Hex(kSetupJob);
  auto d = ParseCotp(ReadTpkt(dt).tpdu);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, static_cast<uint8_t>(CotpType::kData));
  EXPECT_TRUE(d->eot);
  EXPECT_EQ(d->tpdu_number, 0);
  EXPECT_EQ(d->user_data.size(), 18u);
  auto empty = Hex(kEmptyDt);
  auto e = ParseCotp(ReadTpkt(empty).tpdu);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->eot);
  EXPECT_TRUE(e->user_data.empty());
}

TEST(CotpParser, TpktNeedsMoreAndRefusesGarbage) {
  auto bytes = Hex(kSetupJob);
  for (size_t n = 0; n < bytes.size(); ++n) {
    TpktFrame f = ReadTpkt(std::span<const uint8_t>(bytes).first(n));
    EXPECT_EQ(f.status, TpktStatus::kNeedMore) << n;
    EXPECT_EQ(f.need, n < kTpktHeaderBytes ? kTpktHeaderBytes - n : bytes.size() - n) << n;
  }
  auto http = Hex("47 45 54 20 2f 20 48 54 54 50");  // "GET / HTTP"
  EXPECT_EQ(ReadTpkt(http).status, TpktStatus::kInvalid);
  auto short_len = Hex("03 00 00 06 01 f0");  // length 6 < 7
  EXPECT_EQ(ReadTpkt(short_len).status, TpktStatus::kInvalid);
}

TEST(CotpParser, LengthIndicatorBeyondTpduIsRefused) {
  auto bad = Hex("03 00 00 09 07 f0 80 32 01");  // LI 7 but only 4 octets follow
  EXPECT_FALSE(ParseCotp(ReadTpkt(bad).tpdu));
  auto tiny = Hex("03 00 00 07 01 f0 80");  // LI 1: no room for DT's EOT/NR octet
  EXPECT_FALSE(ParseCotp(ReadTpkt(tiny).tpdu));
}

TEST(CotpParser, EveryPrefixOfEveryFixtureIsSafe) {
  for (auto fixture : AllFixtures()) {
    auto bytes = Hex(fixture);
    size_t first = ReadTpkt(bytes).length;  // a fixture may hold several TPKTs
    ForEachPrefix(bytes, [&](std::span<const uint8_t> p) {
      TpktFrame f = ReadTpkt(p);
      if (p.size() < first) {
        EXPECT_EQ(f.status, TpktStatus::kNeedMore);
      }
      (void)ParseCotp(p);
      (void)LooksLikeTpkt(p);
      (void)ProbeIsoTransport(p, kS7commProtocolId);
      (void)ProbeIsoTransport(p, kS7commPlusProtocolId);
    });
  }
}

// ---------------------------------------------------------------------------------------
// Probes

TEST(S7commProbe, WaitsPastConnectRequestForTheFirstData) {
  auto cr = Hex(kCr);
  EXPECT_EQ(s7comm::Probe(flow::Direction::kFromInitiator, cr), ProbeResult::kMaybe);
  EXPECT_EQ(s7comm_plus::Probe(flow::Direction::kFromInitiator, cr), ProbeResult::kMaybe);
  auto cr_setup = Concat({kCr, kSetupJob});
  EXPECT_EQ(s7comm::Probe(flow::Direction::kFromInitiator, cr_setup), ProbeResult::kYes);
  EXPECT_EQ(s7comm_plus::Probe(flow::Direction::kFromInitiator, cr_setup), ProbeResult::kNo);
  auto cc_ack = Concat({kCc, kSetupAck});
  EXPECT_EQ(s7comm::Probe(flow::Direction::kFromResponder, cc_ack), ProbeResult::kYes);
}

TEST(S7commProbe, SkipsEmptyDataFragmentsAndNeedsTheRosctr) {
  auto both = Hex(kEmptyDtAndJob);
  EXPECT_EQ(s7comm::Probe(flow::Direction::kFromInitiator, both), ProbeResult::kYes);
  auto job = Hex(kSetupJob);
  // Up to the ROSCTR octet the answer is "maybe"; partial TPKTs are judged as they come.
  for (size_t n = 0; n < 9; ++n) {
    EXPECT_EQ(s7comm::Probe(flow::Direction::kFromInitiator, std::span(job).first(n)),
              ProbeResult::kMaybe)
        << n;
  }
  EXPECT_EQ(s7comm::Probe(flow::Direction::kFromInitiator, std::span(job).first(9)),
            ProbeResult::kYes);
  auto bad_rosctr = Hex("03 00 00 19 02 f0 80 32 05 00 00 00 02");
  EXPECT_EQ(s7comm::Probe(flow::Direction::kFromInitiator, bad_rosctr), ProbeResult::kNo);
}

TEST(S7commProbe, RejectsOtherProtocolsOnPort102) {
  auto http = Hex("47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a");  // "GET / HTTP/1.1"
  auto tls = Hex("16 03 01 00 c8 01 00 00 c4 03 03");                  // TLS ClientHello
  auto modbus = Hex("00 01 00 00 00 06 01 03 00 00 00 0a");            // Modbus/TCP
  // IEC 61850 MMS on TPKT/COTP: the DT carries an ISO session CONNECT SPDU (0x0d).
  auto mms =
      Hex("03 00 00 16 11 e0 00 00 00 01 00 c1 02 00 01 c2 02 00 01 c0 01 0a"
          "03 00 00 0f 02 f0 80 0d 08 05 06 13 01 00 16");
  auto cr_with_ref = Hex("03 00 00 16 11 e0 12 34 00 07 00 c1 02 01 00 c2 02 01 02 c0 01 0a");
  for (const auto& b : {http, tls, modbus, mms, cr_with_ref}) {
    EXPECT_EQ(s7comm::Probe(flow::Direction::kFromInitiator, b), ProbeResult::kNo);
    EXPECT_EQ(s7comm_plus::Probe(flow::Direction::kFromInitiator, b), ProbeResult::kNo);
  }
}

// ---------------------------------------------------------------------------------------
// S7comm parser

TEST(S7commParser, SetupCommunication) {
  core::Anomalies a;
  auto job = Parse(kSetupJob, a);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->header.rosctr, 1);
  EXPECT_EQ(job->header.pdu_ref, 0x0200);
  EXPECT_EQ(job->function, 0xf0);
  EXPECT_EQ(job->setup.pdu_length, 480);
  EXPECT_EQ(job->setup.max_amq_calling, 1);
  auto ack = Parse(kSetupAck, a);
  ASSERT_TRUE(ack);
  EXPECT_TRUE(ack->header.has_error);
  EXPECT_EQ(ack->header.error_class, 0);
  EXPECT_EQ(ack->setup.pdu_length, 240);
  EXPECT_TRUE(a.empty());
}

TEST(S7commParser, ReadAndWriteVarItems) {
  core::Anomalies a;
  auto read = Parse(kReadJob, a);
  ASSERT_TRUE(read);
  ASSERT_EQ(read->items_kept, 1u);
  const S7VarItem& item = read->items[0];
  EXPECT_EQ(item.syntax_id, 0x10);
  EXPECT_EQ(item.transport_size, 0x02);
  EXPECT_EQ(item.count, 16);
  EXPECT_EQ(item.area, 0x83);
  core::FixedText<112> t;
  AppendS7Item(item, t);
  EXPECT_EQ(t.view(), "M 0.0 BYTE x16");
  auto ack = Parse(kReadAck, a);
  ASSERT_TRUE(ack);
  ASSERT_EQ(ack->results_kept, 1u);
  EXPECT_EQ(ack->item_results[0], 0xff);
  auto write = Parse(kWriteJob, a);
  ASSERT_TRUE(write);
  EXPECT_EQ(write->function, 0x05);
  EXPECT_EQ(write->items[0].count, 4);
  auto wack = Parse(kWriteAck, a);
  ASSERT_TRUE(wack);
  EXPECT_EQ(wack->results_kept, 1u);
  EXPECT_TRUE(a.empty());
}

TEST(S7commParser, DataBlockTargetsReadAsAPersonWritesThem) {
  core::Anomalies a;
  auto two = Hex(kTwoJobs);
  auto pdu = ParseS7comm(std::span(two).subspan(7, 36), a);
  ASSERT_TRUE(pdu);
  ASSERT_EQ(pdu->items_kept, 2u);
  core::FixedText<112> t;
  AppendS7Item(pdu->items[0], t);
  EXPECT_EQ(t.view(), "DB23.DBX 0.0 BYTE x23");
  S7VarItem bit;
  bit.syntax_id = 0x10;
  bit.transport_size = 0x01;
  bit.count = 1;
  bit.db = 5;
  bit.area = 0x84;
  bit.address = 8 * 12 + 3;
  t.Clear();
  AppendS7Item(bit, t);
  EXPECT_EQ(t.view(), "DB5.DBX 12.3 BIT x1");
  S7VarItem timer;
  timer.syntax_id = 0x10;
  timer.transport_size = 0x1d;
  timer.count = 1;
  timer.area = 0x1d;
  timer.address = 5;
  t.Clear();
  AppendS7Item(timer, t);
  EXPECT_EQ(t.view(), "T 5");
}

TEST(S7commParser, BlockTransfersNameTheirBlock) {
  core::Anomalies a;
  auto req = Parse(kRequestDownload, a);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->function, 0x1a);
  ASSERT_TRUE(req->transfer.block.valid);
  EXPECT_EQ(req->transfer.block.type, 0x3041);
  EXPECT_EQ(req->transfer.block.number, 1u);
  EXPECT_EQ(req->transfer.block.filesystem, 'P');
  EXPECT_EQ(req->transfer.filename.view(), "_0A00001P");
  auto start = Parse(kStartUploadJob, a);
  ASSERT_TRUE(start);
  EXPECT_EQ(start->transfer.block.type, 0x3042);  // SDB
  auto start_ack = Parse(kStartUploadAck, a);
  ASSERT_TRUE(start_ack);
  EXPECT_EQ(start_ack->transfer.upload_id, 7u);
  auto up = Parse(kUploadJob, a);
  ASSERT_TRUE(up);
  EXPECT_EQ(up->transfer.upload_id, 7u);
  auto end = Parse(kEndUploadJob, a);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->function, 0x1f);
  EXPECT_EQ(end->transfer.upload_id, 7u);
  EXPECT_TRUE(a.empty());
}

TEST(S7commParser, PiServicesAndPlcStop) {
  core::Anomalies a;
  auto inse = Parse(kPiInse, a);
  ASSERT_TRUE(inse);
  EXPECT_EQ(inse->pi.service.view(), "_INSE");
  ASSERT_EQ(inse->pi.block_count, 1u);
  EXPECT_EQ(inse->pi.blocks[0].type, 0x3041);
  EXPECT_EQ(inse->pi.blocks[0].number, 1u);
  auto program = Parse(kPiProgram, a);
  ASSERT_TRUE(program);
  EXPECT_EQ(program->pi.service.view(), "P_PROGRAM");
  EXPECT_EQ(program->pi.argument.view(), "C");
  auto stop = Parse(kPlcStop, a);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->function, 0x29);
  EXPECT_EQ(stop->pi.service.view(), "P_PROGRAM");
  EXPECT_TRUE(a.empty());
}

TEST(S7commParser, UserdataAndSzlIdentity) {
  core::Anomalies a;
  auto req = Parse(kSzl11Request, a);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->userdata.type, 4);
  EXPECT_EQ(req->userdata.group, 4);
  EXPECT_EQ(req->userdata.subfunction, 1);
  ASSERT_TRUE(req->szl.present);
  EXPECT_EQ(req->szl.id, 0x0011);
  auto res_bytes = S7Message(kSzl11Response);  // the answer's data is a view into these
  auto res = ParseS7comm(res_bytes, a);
  ASSERT_TRUE(res);
  EXPECT_TRUE(res->userdata.has_extension);
  EXPECT_EQ(res->userdata.return_code, 0xff);
  auto list = ParseS7SzlList(res->userdata.data);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->record_length, 28);
  EXPECT_EQ(list->record_count, 4);
  S7DeviceInfo info;
  EXPECT_TRUE(ReadS7SzlIdentity(*list, info, a));
  EXPECT_EQ(info.order_number.view(), "6ES7 315-2EH14-0AB0");
  EXPECT_EQ(info.firmware.view(), "V3.2.7");
  EXPECT_EQ(info.hardware.view(), "3");
  auto block = Parse(kBlockInfoRequest, a);
  ASSERT_TRUE(block);
  EXPECT_TRUE(block->userdata_block.valid);
  EXPECT_EQ(block->userdata_block.type, 0x3041);
  auto err = Parse(kBlockInfoResponse, a);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->userdata.error_code, 0xd209);
  EXPECT_TRUE(a.empty());
}

TEST(S7commParser, UploadAndDownloadPiecesExposeTheirBytes) {
  core::Anomalies a;
  // The parser's result holds views into these bytes: they must outlive it.
  const auto upload_bytes = Hex(kUploadData);
  const auto piece_bytes = Hex(kDownloadBlockData3);
  const auto job_bytes = Hex(kDownloadBlockJob3);
  auto upload = ParseS7comm(std::span<const uint8_t>(upload_bytes).subspan(7), a);
  ASSERT_TRUE(upload);
  const S7BlockData& u = upload->block_data;
  EXPECT_TRUE(u.present);
  EXPECT_FALSE(u.more);
  EXPECT_FALSE(u.malformed);
  EXPECT_EQ(u.length, 216u);
  EXPECT_EQ(u.unknown, 0x00fbu);
  ASSERT_EQ(u.bytes.size(), 216u);
  EXPECT_EQ(core::ByteReader(u.bytes).U16Be(), 0x7070u);  // the block header's magic

  auto piece = ParseS7comm(std::span<const uint8_t>(piece_bytes).subspan(7), a);
  ASSERT_TRUE(piece);
  EXPECT_TRUE(piece->block_data.present);
  EXPECT_EQ(piece->block_data.bytes.size(), 56u);
  EXPECT_EQ(core::ByteReader(piece->block_data.bytes).U8(), 0x04);
  // The job that asks for a piece carries none.
  auto job = ParseS7comm(std::span<const uint8_t>(job_bytes).subspan(7), a);
  ASSERT_TRUE(job);
  EXPECT_FALSE(job->block_data.present);
  EXPECT_TRUE(a.empty());
}

TEST(S7commParser, MoreDataBitAndLengthFieldOfAPiece) {
  auto bytes = Hex(kDownloadBlockData3);
  bytes[7 + 12 + 1] = 0x01;  // function status: more data follows
  core::Anomalies a;
  auto more = ParseS7comm(std::span<const uint8_t>(bytes).subspan(7), a);
  ASSERT_TRUE(more);
  EXPECT_TRUE(more->block_data.more);
  EXPECT_FALSE(more->block_data.malformed);
  bytes[7 + 12 + 2 + 1] = 0x39;  // data length field 57: one more than the bytes there
  auto wrong = ParseS7comm(std::span<const uint8_t>(bytes).subspan(7), a);
  ASSERT_TRUE(wrong);
  EXPECT_TRUE(wrong->block_data.malformed);
  EXPECT_EQ(wrong->block_data.bytes.size(), 56u);
  EXPECT_EQ(a.Count("s7comm.block_data_malformed"), 1u);
}

TEST(S7commParser, EveryPrefixOfEveryMessageIsSafe) {
  for (auto fixture : AllFixtures()) {
    auto bytes = Hex(fixture);
    if (bytes.size() <= 7) continue;
    std::span<const uint8_t> message = std::span<const uint8_t>(bytes).subspan(7);
    ForEachPrefix(message, [](std::span<const uint8_t> p) {
      core::Anomalies a;
      auto pdu = ParseS7comm(p, a);
      if (pdu) {
        EXPECT_LE(pdu->items_kept, kMaxS7Items);
        EXPECT_LE(pdu->pi.block_count, kMaxS7PiBlocks);
        EXPECT_LE(pdu->block_data.bytes.size(), p.size());
        if (auto list = ParseS7SzlList(pdu->userdata.data)) {
          S7DeviceInfo info;
          ReadS7SzlIdentity(*list, info, a);
        }
      }
    });
  }
}

TEST(S7commParser, HeaderShorterThanTenOctetsIsNotAPdu) {
  core::Anomalies a;
  EXPECT_FALSE(ParseS7comm(Hex("32 01 00 00 00 01 00 0e 00"), a));
  EXPECT_EQ(a.Count("s7comm.header_malformed"), 1u);
  EXPECT_FALSE(ParseS7comm(Hex("32 09 00 00 00 01 00 00 00 00"), a));
  EXPECT_EQ(a.Count("s7comm.unknown_rosctr"), 1u);
}

TEST(S7commParser, ParameterLengthBeyondMessageIsReadAsFarAsItGoes) {
  core::Anomalies a;
  // Read var job claiming 14 parameter octets, 8 there.
  auto pdu = ParseS7comm(Hex("32 01 00 00 00 01 00 0e 00 00 04 01 12 0a 10 02 00 10"), a);
  ASSERT_TRUE(pdu);
  EXPECT_TRUE(pdu->truncated);
  EXPECT_EQ(pdu->items_kept, 0u);
  EXPECT_EQ(a.Count("s7comm.length_mismatch"), 1u);
  EXPECT_EQ(a.Count("s7comm.item_malformed"), 1u);
}

TEST(S7commParser, ItemCountAboveCapRaisesTooManyItems) {
  core::Anomalies a;
  std::vector<uint8_t> m = Hex("32 01 00 00 00 01 00 00 00 00 04 ff");
  size_t items = 255;
  for (size_t i = 0; i < items; ++i) {
    auto item = Hex("12 0a 10 02 00 01 00 00 83 00 00 00");
    m.insert(m.end(), item.begin(), item.end());
  }
  size_t plen = m.size() - 10;
  m[6] = static_cast<uint8_t>(plen >> 8);
  m[7] = static_cast<uint8_t>(plen & 0xff);
  auto pdu = ParseS7comm(m, a);
  ASSERT_TRUE(pdu);
  EXPECT_EQ(pdu->items_kept, kMaxS7Items);
  EXPECT_EQ(a.Count("s7comm.too_many_items"), 1u);
}

// ---------------------------------------------------------------------------------------
// The flow dissector

TEST(S7commDissector, DownloadSessionBecomesOperations) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kCr), 5);
  h.Response(Hex(kCc), 6);
  h.Request(Hex(kSetupJob), 7);
  EXPECT_STREQ(h.Protocol(), "s7comm");
  h.Response(Hex(kSetupAck), 8);
  h.Request(Hex(kEmptyDt), 42);
  h.Request(Hex(kRequestDownload), 43);
  h.Response(Hex(kRequestDownloadAck), 44);
  h.Response(Hex(kDownloadBlockJob), 46);
  h.Response(Hex(kDownloadEndedJob), 55);
  h.Request(Hex(kDownloadEndedAck), 57);
  h.Request(Hex(kPiInse), 58);
  h.Response(Hex(kPiInseAck), 59);
  h.End();
  EXPECT_TRUE(h.anomalies.empty());

  const IcsOperation* connect = FindOp(h.sink, "cotp-connect");
  ASSERT_TRUE(connect);
  EXPECT_STREQ(connect->protocol, "s7comm");
  EXPECT_EQ(connect->category, IcsCategory::kSession);
  EXPECT_EQ(connect->target.view(), "tsap 0x0102 pg rack 0 slot 2");
  EXPECT_EQ(connect->result.view(), "ok");
  // The probe decided on frame 7; the CR and CC it held are fed with their own frames.
  EXPECT_EQ(connect->request_frame, 5u);
  EXPECT_EQ(connect->response_frame, 6u);

  const IcsOperation* setup = FindOp(h.sink, "setup-communication");
  ASSERT_TRUE(setup);
  EXPECT_EQ(setup->category, IcsCategory::kSession);
  EXPECT_EQ(setup->target.view(), "pdu 480 amq 1/1");
  EXPECT_EQ(setup->result.view(), "ok pdu 240");
  EXPECT_EQ(setup->response_frame, 8u);

  const IcsOperation* request = FindOp(h.sink, "request-download");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->category, IcsCategory::kProgramChange);
  EXPECT_EQ(request->function_code, 0x1au);
  EXPECT_EQ(request->target.view(), "block DB1");
  EXPECT_EQ(request->request_frame, 43u);
  EXPECT_EQ(request->response_frame, 44u);
  EXPECT_EQ(request->where.device_ip, h.flow().responder_ip);

  // The PLC sends the download-block job; the operation's device is still the PLC.
  const IcsOperation* block = FindOp(h.sink, "download-block");
  ASSERT_TRUE(block);
  EXPECT_EQ(block->target.view(), "block DB1");
  EXPECT_EQ(block->result.view(), "");
  EXPECT_EQ(block->response_frame, 0u);
  EXPECT_EQ(block->where.device_ip, h.flow().responder_ip);
  EXPECT_EQ(block->where.requester_ip, h.flow().initiator_ip);

  const IcsOperation* ended = FindOp(h.sink, "download-ended");
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->request_frame, 55u);
  EXPECT_EQ(ended->response_frame, 57u);
  EXPECT_EQ(ended->where.device_ip, h.flow().responder_ip);

  const IcsOperation* pi = FindOp(h.sink, "pi-service");
  ASSERT_TRUE(pi);
  EXPECT_EQ(pi->category, IcsCategory::kProgramChange);
  EXPECT_EQ(pi->target.view(), "PI _INSE DB1");
  EXPECT_EQ(pi->result.view(), "ok");

  // PDUs: setup x2, request download x2, download block job, download ended x2, PI x2.
  EXPECT_EQ(h.sink.pdus.size(), 9u);
  EXPECT_EQ(Histogram(h.sink, "functions", 0x1a), 2u);
  EXPECT_EQ(Histogram(h.sink, "rosctr", 3), 4u);
}

// ---------------------------------------------------------------------------------------
// Block transfers: pieces built field by field as the fixtures above show them.

// An S7 PDU in TPKT and COTP DT: header (ack-data with error class and code), parameter,
// data.
std::vector<uint8_t> S7Message(uint8_t rosctr, uint16_t ref, const std::vector<uint8_t>& param,
                               const std::vector<uint8_t>& data, uint16_t error = 0) {
  const bool ack = rosctr == 3;
  const size_t total = 4 + 3 + (ack ? 12 : 10) + param.size() + data.size();
  std::vector<uint8_t> m = {0x03,
                            0x00,
                            static_cast<uint8_t>(total >> 8),
                            static_cast<uint8_t>(total),
                            0x02,
                            0xf0,
                            0x80,
                            0x32,
                            rosctr,
                            0x00,
                            0x00,
                            static_cast<uint8_t>(ref >> 8),
                            static_cast<uint8_t>(ref),
                            static_cast<uint8_t>(param.size() >> 8),
                            static_cast<uint8_t>(param.size()),
                            static_cast<uint8_t>(data.size() >> 8),
                            static_cast<uint8_t>(data.size())};
  if (ack) {
    m.push_back(static_cast<uint8_t>(error >> 8));
    m.push_back(static_cast<uint8_t>(error));
  }
  m.insert(m.end(), param.begin(), param.end());
  m.insert(m.end(), data.begin(), data.end());
  return m;
}

// | function | status | unknown or error code:2 | unknown:4 | name length:1 | name |
std::vector<uint8_t> BlockJob(uint8_t function, uint16_t ref, std::string_view file,
                              uint16_t error = 0) {
  std::vector<uint8_t> param = {
      function, 0x00, static_cast<uint8_t>(error >> 8), static_cast<uint8_t>(error), 0, 0,
      0,        0,    static_cast<uint8_t>(file.size())};
  param.insert(param.end(), file.begin(), file.end());
  return S7Message(1, ref, param, {});
}

// | 0x1e or 0x1f | status | unknown or error code:2 | upload id:4 |
std::vector<uint8_t> UploadJob(uint8_t function, uint16_t ref, uint32_t id, uint16_t error = 0) {
  return S7Message(1, ref,
                   {function, 0x00, static_cast<uint8_t>(error >> 8), static_cast<uint8_t>(error),
                    static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16),
                    static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)},
                   {});
}

// Start upload ack-data: | 0x1d | status | unknown:2 | upload id:4 | length string |
std::vector<uint8_t> StartUploadAck(uint16_t ref, uint32_t id) {
  return S7Message(3, ref,
                   {0x1d, 0x00, 0x01, 0x00, static_cast<uint8_t>(id >> 24),
                    static_cast<uint8_t>(id >> 16), static_cast<uint8_t>(id >> 8),
                    static_cast<uint8_t>(id), 0x07, '0', '0', '0', '0', '3', '0', '0'},
                   {});
}

// A piece: ack-data | function | status (bit 0 more) | and data | length:2 | 0x00fb | bytes |
std::vector<uint8_t> Piece(uint8_t function, uint16_t ref, bool more,
                           std::span<const uint8_t> bytes) {
  std::vector<uint8_t> data = {static_cast<uint8_t>(bytes.size() >> 8),
                               static_cast<uint8_t>(bytes.size()), 0x00, 0xfb};
  data.insert(data.end(), bytes.begin(), bytes.end());
  return S7Message(3, ref, {function, static_cast<uint8_t>(more ? 0x01 : 0x00)}, data);
}

std::vector<uint8_t> Ack(uint16_t ref, uint8_t function, uint16_t error = 0) {
  return S7Message(3, ref, {function}, {}, error);
}

// A block's bytes: an MC7-like header and a counting body.
std::vector<uint8_t> BlockBytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
  if (n >= 2) b[0] = b[1] = 0x70;
  return b;
}

std::string Sha256Of(std::span<const uint8_t> bytes) {
  core::Sha256Stream h;
  h.Update(bytes);
  return std::string(h.Finish().view());
}

constexpr std::string_view kOb1 = "_0800001P";

// The station downloads OB1 in three pieces the PLC asks for: request download, download
// block x3, download ended.
void DownloadOb1(StreamHarness& h, std::span<const uint8_t> block, bool ended = true) {
  h.Request(BlockJob(0x1a, 0x0e00, kOb1), 10);
  h.Response(Ack(0x0e00, 0x1a), 11);
  const size_t piece = (block.size() + 2) / 3;
  for (size_t i = 0, at = 0; at < block.size(); ++i, at += piece) {
    const auto ref = static_cast<uint16_t>(0x0100 + i);
    const size_t n = std::min(piece, block.size() - at);
    h.Response(BlockJob(0x1b, ref, kOb1), 12 + 2 * i);
    h.Request(Piece(0x1b, ref, at + n < block.size(), block.subspan(at, n)), 13 + 2 * i);
  }
  if (!ended) return;
  h.Response(BlockJob(0x1c, 0x0700, kOb1), 20);
  h.Request(Ack(0x0700, 0x1c), 21);
}

// A read var job for 4 bytes at each (DB, byte) given, and its ack-data.
std::vector<uint8_t> ReadVarJob(uint16_t ref,
                                const std::vector<std::pair<uint16_t, uint16_t>>& at) {
  std::vector<uint8_t> param = {0x04, static_cast<uint8_t>(at.size())};
  for (const auto& [db, byte] : at) {
    const uint32_t address = uint32_t{byte} << 3;
    param.insert(param.end(), {0x12, 0x0a, 0x10, 0x02, 0x00, 0x04, static_cast<uint8_t>(db >> 8),
                               static_cast<uint8_t>(db), 0x84, static_cast<uint8_t>(address >> 16),
                               static_cast<uint8_t>(address >> 8), static_cast<uint8_t>(address)});
  }
  return S7Message(1, ref, param, {});
}
std::vector<uint8_t> ReadVarAck(uint16_t ref, size_t items) {
  std::vector<uint8_t> data;
  for (size_t i = 0; i < items; ++i) data.insert(data.end(), {0xff, 0x04, 0x00, 0x20, 1, 2, 3, 4});
  return S7Message(3, ref, {0x04, static_cast<uint8_t>(items)}, data);
}

// An HMI polling more item lists than the session keeps target texts for, in rounds: each
// operation names what a session seeing that job alone would name.
TEST(S7commDissector, APollLoopNamesEveryItemListAcrossRounds) {
  const std::vector<std::vector<std::pair<uint16_t, uint16_t>>> lists = {
      {{1, 0}},         {{1, 4}},           {{2, 0}}, {{1, 0}, {1, 4}},
      {{1, 4}, {1, 0}}, {{3, 10}, {3, 20}}, {{9, 1}}, {{1, 0}, {1, 4}, {2, 0}}};
  std::vector<std::string> alone;
  for (const auto& items : lists) {
    StreamHarness one(Registered("s7comm"));
    one.Request(ReadVarJob(1, items), 1);
    one.Response(ReadVarAck(1, items.size()), 2);
    ASSERT_EQ(one.sink.ops.size(), 1u);
    alone.emplace_back(one.sink.ops[0].target.view());
  }
  EXPECT_NE(alone[3], alone[4]);  // the order of items is part of the target
  StreamHarness h(Registered("s7comm"));
  uint16_t ref = 0;
  uint64_t frame = 0;
  for (int round = 0; round < 3; ++round) {
    for (const auto& items : lists) {
      ++ref;
      h.Request(ReadVarJob(ref, items), ++frame);
      h.Response(ReadVarAck(ref, items.size()), ++frame);
    }
  }
  ASSERT_EQ(h.sink.ops.size(), 3 * lists.size());
  for (size_t i = 0; i < h.sink.ops.size(); ++i) {
    EXPECT_EQ(h.sink.ops[i].target.view(), alone[i % lists.size()]) << "operation " << i;
  }
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(S7commDissector, DownloadInSeveralPiecesIsRebuiltAndHashed) {
  StreamHarness h(Registered("s7comm"));
  const auto block = BlockBytes(500, 3);
  DownloadOb1(h, block);
  ASSERT_EQ(h.sink.blocks.size(), 1u);  // reported at the answer to download ended
  h.End();
  EXPECT_TRUE(h.anomalies.empty());
  ASSERT_EQ(h.sink.blocks.size(), 1u);
  const BlockTransferObservation& b = h.sink.blocks[0];
  EXPECT_STREQ(b.protocol, "s7comm");
  EXPECT_STREQ(b.direction, "download");
  EXPECT_EQ(b.block.view(), "OB1");
  EXPECT_EQ(b.block_type.view(), "OB");
  EXPECT_EQ(b.block_number, 1u);
  EXPECT_EQ(b.size, 500u);
  EXPECT_EQ(b.bytes, block);
  EXPECT_EQ(b.sha256.view(), Sha256Of(block));
  EXPECT_TRUE(b.complete);
  EXPECT_EQ(b.first_frame, 10u);
  EXPECT_EQ(b.last_frame, 21u);
  EXPECT_EQ(b.plc_ip, h.flow().responder_ip);
  EXPECT_EQ(b.peer_ip, h.flow().initiator_ip);
  EXPECT_EQ(b.plc_port, h.flow().responder_port);
  EXPECT_EQ(b.flow_id, h.flow().RecordId());
}

TEST(S7commDissector, RealUploadOfSdb0HashesAsTsharkSeesIt) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kStartUploadJob), 17);
  h.Response(Hex(kStartUploadAck), 18);
  h.Request(Hex(kUploadJob), 19);
  h.Response(Hex(kUploadData), 20);
  h.Request(Hex(kEndUploadJob), 21);
  h.Response(Hex(kEndUploadAck), 22);
  EXPECT_TRUE(h.anomalies.empty());
  ASSERT_EQ(h.sink.blocks.size(), 1u);
  const BlockTransferObservation& b = h.sink.blocks[0];
  EXPECT_STREQ(b.direction, "upload");
  EXPECT_EQ(b.block.view(), "SDB0");
  EXPECT_EQ(b.size, 216u);
  // `tshark -Y "frame.number==20" -e s7comm.resp.data` of snap7_s300_everything.pcapng,
  // through sha256sum.
  EXPECT_EQ(b.sha256.view(), "87c8f29f58429237a831c5e6723ea3eecefad59705cfbb15b180a87e6a8b3c7d");
  EXPECT_TRUE(b.complete);
  EXPECT_EQ(b.first_frame, 17u);
  EXPECT_EQ(b.last_frame, 22u);
  EXPECT_EQ(b.plc_ip, h.flow().responder_ip);
}

TEST(S7commDissector, UploadInSeveralPiecesIsRebuilt) {
  StreamHarness h(Registered("s7comm"));
  const auto block = BlockBytes(300, 9);
  h.Request(Hex(kStartUploadJob), 17);  // SDB 0
  h.Response(StartUploadAck(0x0800, 7), 18);
  for (size_t i = 0; i < 3; ++i) {
    const auto ref = static_cast<uint16_t>(0x0900 + i);
    h.Request(UploadJob(0x1e, ref, 7), 19 + 2 * i);
    h.Response(Piece(0x1e, ref, i < 2, std::span<const uint8_t>(block).subspan(100 * i, 100)),
               20 + 2 * i);
  }
  h.Request(UploadJob(0x1f, 0x0a00, 7), 30);
  h.Response(Ack(0x0a00, 0x1f), 31);
  EXPECT_TRUE(h.anomalies.empty());
  ASSERT_EQ(h.sink.blocks.size(), 1u);
  EXPECT_EQ(h.sink.blocks[0].bytes, block);
  EXPECT_EQ(h.sink.blocks[0].sha256.view(), Sha256Of(block));
  EXPECT_TRUE(h.sink.blocks[0].complete);
  EXPECT_EQ(h.sink.blocks[0].last_frame, 31u);
}

TEST(S7commDissector, GapDuringATransferReportsItIncomplete) {
  StreamHarness h(Registered("s7comm"));
  const auto block = BlockBytes(300, 1);
  h.Request(BlockJob(0x1a, 0x0e00, kOb1), 10);
  h.Response(Ack(0x0e00, 0x1a), 11);
  h.Response(BlockJob(0x1b, 0x0100, kOb1), 12);
  h.Request(Piece(0x1b, 0x0100, true, std::span<const uint8_t>(block).first(100)), 13);
  h.Gap(flow::Direction::kFromInitiator, 120);
  ASSERT_EQ(h.sink.blocks.size(), 1u);
  const BlockTransferObservation& b = h.sink.blocks[0];
  EXPECT_FALSE(b.complete);
  EXPECT_EQ(b.size, 100u);
  EXPECT_EQ(b.sha256.view(), Sha256Of(std::span<const uint8_t>(block).first(100)));
  EXPECT_EQ(b.last_frame, 13u);
  h.End();
  EXPECT_EQ(h.sink.blocks.size(), 1u);  // reported once
}

TEST(S7commDissector, TransferWithoutItsEndIsIncompleteAtFlowEnd) {
  StreamHarness h(Registered("s7comm"));
  const auto block = BlockBytes(240, 2);
  DownloadOb1(h, block, false);
  EXPECT_TRUE(h.sink.blocks.empty());
  h.End();
  ASSERT_EQ(h.sink.blocks.size(), 1u);
  EXPECT_FALSE(h.sink.blocks[0].complete);
  EXPECT_EQ(h.sink.blocks[0].bytes, block);  // every byte came; the end did not
}

TEST(S7commDissector, DownloadEndedWithAnErrorIsIncomplete) {
  StreamHarness h(Registered("s7comm"));
  const auto block = BlockBytes(90, 4);
  DownloadOb1(h, block, false);
  h.Response(BlockJob(0x1c, 0x0700, kOb1, 0x8104), 20);  // the PLC refuses the block
  h.Request(Ack(0x0700, 0x1c), 21);
  ASSERT_EQ(h.sink.blocks.size(), 1u);
  EXPECT_FALSE(h.sink.blocks[0].complete);
}

TEST(S7commDissector, BlockLargerThanTheCapIsCutAndIncomplete) {
  StreamHarness h(Registered("s7comm"));
  h.Request(BlockJob(0x1a, 0x0e00, kOb1), 10);
  h.Response(Ack(0x0e00, 0x1a), 11);
  const auto piece = BlockBytes(16000, 5);
  const size_t pieces = s7comm::kMaxBlockBytes / piece.size() + 3;
  for (size_t i = 0; i < pieces; ++i) {
    const auto ref = static_cast<uint16_t>(0x0100 + i);
    h.Response(BlockJob(0x1b, ref, kOb1), 12 + 2 * i);
    h.Request(Piece(0x1b, ref, i + 1 < pieces, piece), 13 + 2 * i);
  }
  h.Response(BlockJob(0x1c, 0x0700, kOb1), 1000);
  h.Request(Ack(0x0700, 0x1c), 1001);
  EXPECT_EQ(h.anomalies.Count("s7comm.block_too_large"), 1u);
  ASSERT_EQ(h.sink.blocks.size(), 1u);
  EXPECT_FALSE(h.sink.blocks[0].complete);
  EXPECT_EQ(h.sink.blocks[0].size, s7comm::kMaxBlockBytes);
  EXPECT_EQ(h.sink.blocks[0].bytes.size(), s7comm::kMaxBlockBytes);
}

TEST(S7commDissector, InterleavedUploadsKeepTheirOwnPieces) {
  StreamHarness h(Registered("s7comm"));
  const auto sdb0 = BlockBytes(200, 1), db1 = BlockBytes(200, 2);
  h.Request(BlockJob(0x1d, 0x0100, "_0B00000A"), 1);
  h.Response(StartUploadAck(0x0100, 7), 2);
  h.Request(BlockJob(0x1d, 0x0101, "_0A00001A"), 3);
  h.Response(StartUploadAck(0x0101, 8), 4);
  uint64_t frame = 5;
  for (size_t i = 0; i < 2; ++i) {
    for (uint32_t id : {7u, 8u}) {
      const auto ref = static_cast<uint16_t>(0x0200 + 2 * i + id);
      const auto& block = id == 7 ? sdb0 : db1;
      h.Request(UploadJob(0x1e, ref, id), frame++);
      h.Response(Piece(0x1e, ref, i == 0, std::span<const uint8_t>(block).subspan(100 * i, 100)),
                 frame++);
    }
  }
  h.Request(UploadJob(0x1f, 0x0300, 8), frame++);
  h.Response(Ack(0x0300, 0x1f), frame++);
  h.Request(UploadJob(0x1f, 0x0301, 7), frame++);
  h.Response(Ack(0x0301, 0x1f), frame++);
  EXPECT_TRUE(h.anomalies.empty());
  ASSERT_EQ(h.sink.blocks.size(), 2u);
  EXPECT_EQ(h.sink.blocks[0].block.view(), "DB1");
  EXPECT_EQ(h.sink.blocks[0].bytes, db1);
  EXPECT_TRUE(h.sink.blocks[0].complete);
  EXPECT_EQ(h.sink.blocks[1].block.view(), "SDB0");
  EXPECT_EQ(h.sink.blocks[1].bytes, sdb0);
  EXPECT_TRUE(h.sink.blocks[1].complete);
}

TEST(S7commDissector, TooManyTransfersReportTheOldestIncomplete) {
  StreamHarness h(Registered("s7comm"));
  for (uint32_t id = 1; id <= s7comm::kMaxBlockTransfers + 1; ++id) {
    const auto ref = static_cast<uint16_t>(id);
    h.Request(BlockJob(0x1d, ref, "_0800001P"), 2 * id);
    h.Response(StartUploadAck(ref, id), 2 * id + 1);
  }
  EXPECT_EQ(h.anomalies.Count("s7comm.too_many_block_transfers"), 1u);
  ASSERT_EQ(h.sink.blocks.size(), 1u);
  EXPECT_EQ(h.sink.blocks[0].first_frame, 2u);
  EXPECT_FALSE(h.sink.blocks[0].complete);
  h.End();
  EXPECT_EQ(h.sink.blocks.size(), s7comm::kMaxBlockTransfers + 1);
}

TEST(S7commDissector, PieceWhoseJobWasMissedBreaksTheTransfer) {
  StreamHarness h(Registered("s7comm"));
  const auto block = BlockBytes(200, 6);
  h.Request(Hex(kStartUploadJob), 17);
  h.Response(StartUploadAck(0x0800, 7), 18);
  h.Request(UploadJob(0x1e, 0x0900, 7), 19);
  h.Response(Piece(0x1e, 0x0900, true, std::span<const uint8_t>(block).first(100)), 20);
  // The second upload job was lost; its answer arrives.
  h.Response(Piece(0x1e, 0x0901, false, std::span<const uint8_t>(block).subspan(100)), 22);
  h.Request(UploadJob(0x1f, 0x0a00, 7), 23);
  h.Response(Ack(0x0a00, 0x1f), 24);
  ASSERT_EQ(h.sink.blocks.size(), 1u);
  EXPECT_FALSE(h.sink.blocks[0].complete);
}

TEST(S7commDissector, ReadAndWriteVarPairByPduReference) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kReadJob), 13);
  h.Request(Hex(kWriteJob), 15);
  h.Response(Hex(kWriteAck), 16);
  h.Response(Hex(kReadAck), 14);
  ASSERT_EQ(h.sink.ops.size(), 2u);
  const IcsOperation* read = FindOp(h.sink, "read-var");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->category, IcsCategory::kRead);
  EXPECT_EQ(read->target.view(), "M 0.0 BYTE x16");
  EXPECT_EQ(read->request_frame, 13u);
  EXPECT_EQ(read->response_frame, 14u);
  EXPECT_EQ(read->result.view(), "ok");
  const IcsOperation* write = FindOp(h.sink, "write-var");
  ASSERT_TRUE(write);
  EXPECT_EQ(write->category, IcsCategory::kWrite);
  EXPECT_EQ(write->target.view(), "M 0.0 BYTE x4");
  EXPECT_EQ(write->response_frame, 16u);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kRequest);
  EXPECT_EQ(h.sink.pdus[2].kind, PduKind::kResponse);
}

TEST(S7commDissector, WriteItemErrorIsTheResult) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kWriteJob), 15);
  auto ack = Hex(kWriteAck);
  ack.back() = 0x05;  // item 1: invalid address
  h.Response(ack, 16);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].result.view(), "item 1 0x05 invalid-address");
}

TEST(S7commDissector, HeaderErrorIsAnException) {
  StreamHarness h(Registered("s7comm"));
  // snap7_s300_everything frame 43: start upload of OB 0 (PDU reference 0x1500)...
  h.Request(Hex("03 00 00 23 02 f0 80 32 01 00 00 15 00 00 12 00 00"
                "1d 00 00 00 00 00 00 00 09 5f 30 38 30 30 30 30 30 41"),
            43);
  // ...and frame 44: Ack (ROSCTR 2), no parameter, error class 0xd2 code 0x0c.
  h.Response(Hex("03 00 00 13 02 f0 80 32 02 00 00 15 00 00 00 00 00 d2 0c"), 44);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].result.view(), "error 0xd20c");
  EXPECT_EQ(h.sink.ops[0].target.view(), "block OB0");
  EXPECT_EQ(h.sink.ops[0].request_frame, 43u);
  EXPECT_TRUE(h.sink.pdus.back().exception);
  EXPECT_EQ(h.sink.pdus.back().histogram, std::string_view(""));
}

TEST(S7commDissector, UploadBlockIsRememberedByUploadId) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kStartUploadJob), 17);
  h.Response(Hex(kStartUploadAck), 18);
  h.Request(Hex(kUploadJob), 19);
  h.Request(Hex(kEndUploadJob), 21);
  h.Response(Hex(kEndUploadAck), 22);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 3u);
  for (const auto& op : h.sink.ops) {
    EXPECT_EQ(op.category, IcsCategory::kProgramChange) << op.function;
    EXPECT_EQ(op.target.view(), "block SDB0") << op.function;
  }
  const IcsOperation* upload = FindOp(h.sink, "upload");
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->result.view(), "");  // its answer never came
  EXPECT_EQ(upload->response_frame, 0u);
}

TEST(S7commDissector, PlcStopAndProgramStartAreControllerState) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kPlcStop), 1);
  h.Response(Hex(kPlcStopAck), 2);
  h.Request(Hex(kPiProgram), 3);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 2u);
  const IcsOperation* stop = FindOp(h.sink, "plc-stop");
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->category, IcsCategory::kControllerState);
  EXPECT_EQ(stop->target.view(), "PI P_PROGRAM");
  EXPECT_EQ(stop->result.view(), "ok");
  const IcsOperation* start = FindOp(h.sink, "pi-service");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->category, IcsCategory::kControllerState);
  EXPECT_EQ(start->target.view(), "PI P_PROGRAM \"C\"");
}

TEST(S7commDissector, SzlAnswersRevealIdentityAcrossFragments) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kSzl11Request), 3);
  h.Response(Hex(kSzl11Response), 4);
  h.Request(Hex(kSzl1cRequest), 5);
  h.Response(Hex(kSzl1cResponse1), 6);
  EXPECT_EQ(h.sink.identities.size(), 1u);  // 0x001C is not whole yet
  h.Request(Hex(kSzl1cFollowUp), 7);
  h.Response(Hex(kSzl1cResponse2), 8);
  EXPECT_TRUE(h.anomalies.empty());
  ASSERT_EQ(h.sink.identities.size(), 2u);
  EXPECT_EQ(h.sink.Identity("order_number"), "6ES7 315-2EH14-0AB0");
  EXPECT_EQ(h.sink.Identity("firmware"), "V3.2.7");
  EXPECT_EQ(h.sink.Identity("name"), "PLC_1");
  EXPECT_EQ(h.sink.Identity("serial"), "S C-B1U393142011");
  EXPECT_EQ(h.sink.Identity("model"), "CPU 315-2 PN/DP");
  EXPECT_EQ(h.sink.Identity("vendor"), "Siemens");
  EXPECT_EQ(h.sink.Identity("vendor_id"), "42");
  EXPECT_EQ(h.sink.identities[1].ip, h.flow().responder_ip);
  EXPECT_EQ(h.sink.identities[1].frame, 8u);
  ASSERT_EQ(h.sink.ops.size(), 3u);
  for (const auto& op : h.sink.ops) {
    EXPECT_EQ(op.category, IcsCategory::kIdentity);
    EXPECT_EQ(op.function_code, 0x0401u);
    EXPECT_EQ(op.function, std::string_view("read-szl"));
  }
  EXPECT_EQ(h.sink.ops[0].target.view(), "SZL 0x0011 index 0x0000");
  EXPECT_EQ(h.sink.ops[2].target.view(), "SZL 0x001c index 0x0000");
  EXPECT_EQ(h.sink.ops[2].request_frame, 7u);
  EXPECT_EQ(Histogram(h.sink, "userdata", 0x0401), 6u);
}

TEST(S7commDissector, BlockInfoErrorFromUserdataParameter) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kBlockInfoRequest), 23);
  h.Response(Hex(kBlockInfoResponse), 24);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].function, std::string_view("block-info"));
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kDiagnostic);
  EXPECT_EQ(h.sink.ops[0].target.view(), "block DB0");
  EXPECT_EQ(h.sink.ops[0].result.view(), "error 0xd209 block-not-found");
  EXPECT_TRUE(h.sink.pdus.back().exception);
}

TEST(S7commDissector, SeveralPdusInOneSegment) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kTwoJobs), 138);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[0].frame, 138u);
  EXPECT_EQ(h.sink.pdus[1].frame, 138u);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "DB23.DBX 0.0 BYTE x23, DB21.DBX 0.0 BYTE x89");
  EXPECT_EQ(h.sink.ops[1].target.view(), "DB23.DBX 3.0 BYTE x49");
  // Both keyed on frame 138: distinct sequence numbers.
  EXPECT_NE(h.sink.ops[0].seq, h.sink.ops[1].seq);
}

TEST(S7commDissector, PduSplitAcrossSegments) {
  for (size_t chunk : {1u, 2u, 5u, 13u}) {
    StreamHarness h(Registered("s7comm"));
    auto bytes = Concat({kCr, kSetupJob, kReadJob});
    h.SendInChunks(flow::Direction::kFromInitiator, bytes, chunk, 9);
    h.SendInChunks(flow::Direction::kFromResponder, Hex(kReadAck), chunk, 10);
    EXPECT_EQ(h.sink.pdus.size(), 3u) << chunk;
    const IcsOperation* read = FindOp(h.sink, "read-var");
    ASSERT_TRUE(read) << chunk;
    EXPECT_EQ(read->response_frame, 10u);
    EXPECT_TRUE(h.anomalies.empty()) << chunk;
  }
}

TEST(S7commDissector, CotpSegmentsAreReassembled) {
  // The real empty-fragment-then-data pair (mb2 frame 271)...
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kEmptyDtAndJob), 271);
  ASSERT_EQ(h.sink.pdus.size(), 1u);
  // ...and the read job of libnodave frame 13 cut into two DTs (EOT 0, then EOT 1).
  auto job = S7Message(kReadJob);
  std::vector<uint8_t> split = Hex("03 00 00 13 02 f0 00");  // 12 octets of user data
  split.insert(split.end(), job.begin(), job.begin() + 12);
  auto second = Hex("03 00 00 13 02 f0 81");  // TPDU 1, EOT, the other 12 octets
  split.insert(split.end(), second.begin(), second.end());
  split.insert(split.end(), job.begin() + 12, job.end());
  h.Request(split, 300);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[1].code, 0x04u);
  h.Response(Hex(kReadAck), 301);
  const IcsOperation* read = nullptr;
  for (const auto& op : h.sink.ops) {
    if (op.request_frame == 300) read = &op;
  }
  ASSERT_TRUE(read);
  EXPECT_EQ(read->target.view(), "M 0.0 BYTE x16");
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(S7commDissector, CotpSegmentOverflowIsDropped) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kSetupJob), 1);
  std::vector<uint8_t> big = Hex("03 00 03 ff 02 f0 00");  // 1016 octets, EOT 0
  big.resize(0x3ff, 0x32);
  for (size_t i = 0; i < 20; ++i) h.Request(big, 2 + i);
  h.Request(Hex(kReadJob), 30);  // EOT ends the oversized message: dropped with it
  h.Request(Hex(kReadJob), 31);
  EXPECT_EQ(h.anomalies.Count("cotp.reassembly_overflow"), 1u);
  EXPECT_EQ(h.sink.pdus.size(), 2u);  // setup and the last read job
}

TEST(S7commDissector, GapDropsPartialStateAndResynchronises) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kSetupJob), 1);
  h.Request(Hex(kReadJob), 2);
  // The response direction lost bytes; the next segment starts inside a TPKT.
  h.Gap(flow::Direction::kFromResponder, 100);
  auto tail = Hex(kReadAck);
  std::vector<uint8_t> bytes(tail.begin() + 20, tail.end());
  auto ack = Hex(kReadAck);
  bytes.insert(bytes.end(), ack.begin(), ack.end());
  h.Response(bytes, 3);
  EXPECT_EQ(h.anomalies.Count("cotp.resync_skipped"), 1u);
  EXPECT_EQ(h.stats.detached, 0u);
  const IcsOperation* read = FindOp(h.sink, "read-var");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->response_frame, 3u);
}

TEST(S7commDissector, UnansweredRequestsAreReportedAtEnd) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kCr), 1);
  h.Request(Hex(kSetupJob), 2);
  h.Request(Hex(kReadJob), 3);
  EXPECT_TRUE(h.sink.ops.empty());
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 3u);
  for (const auto& op : h.sink.ops) {
    EXPECT_TRUE(op.result.empty());
    EXPECT_EQ(op.response_frame, 0u);
  }
}

TEST(S7commDissector, ResponseWithoutRequestIsReported) {
  StreamHarness h(Registered("s7comm"));
  h.Response(Hex(kSetupAck), 8);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 0u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 8u);
  EXPECT_EQ(h.sink.ops[0].function, std::string_view("setup-communication"));
  EXPECT_EQ(h.sink.ops[0].where.device_ip, h.flow().responder_ip);
}

TEST(S7commDissector, FullTableRaisesUnansweredOverflow) {
  StreamHarness h(Registered("s7comm"));
  auto job = Hex(kReadJob);
  for (uint16_t ref = 0; ref < s7comm::kMaxPendingRequests + 3; ++ref) {
    job[11] = static_cast<uint8_t>(ref >> 8);
    job[12] = static_cast<uint8_t>(ref & 0xff);
    h.Request(job, 10 + ref);
  }
  EXPECT_EQ(h.anomalies.Count("s7comm.unanswered_overflow"), 3u);
  EXPECT_EQ(h.sink.ops.size(), 3u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 10u);  // the oldest gave way
}

TEST(S7commDissector, NotTpktDetachesTheFlow) {
  StreamHarness h(Registered("s7comm"));
  h.Request(Hex(kSetupJob), 1);
  h.Request(Hex("47 45 54 20 2f 20 48 54 54 50"), 2);
  EXPECT_EQ(h.stats.detached, 1u);
  EXPECT_EQ(h.anomalies.Count("cotp.bad_tpkt"), 1u);
}

}  // namespace
}  // namespace qw::dissect
