// Tests of EtherNet/IP, CIP and implicit I/O: the parsers on real PDUs field by field (as
// tshark 4.0.17 dissects them; each fixture names its capture under shared/pcaps and its
// frame), the dissectors behind the real StreamAttacher (counts, pairing, operation fields,
// identities, cyclic frames), every truncated prefix, segmentation, gaps, and probes that
// must refuse other protocols. Fixtures marked "synthetic" cover commands the shared
// captures do not hold.
#include <algorithm>
#include <string>
#include <vector>

#include "dissect/enip/cip_names.h"
#include "dissect/enip/cip_parser.h"
#include "dissect/enip/enip_dissector.h"
#include "dissect/enip/enip_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using enip::ParseCipRequest;
using enip::ParseCipResponse;
using enip::ParseEnipHeader;
using enip::ParseEnipMessage;
using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// --- Fixtures ---------------------------------------------------------------------------

// enip_cip/enip_test.pcap frame 6: ListIdentity request (TCP, client to 44818).
constexpr std::string_view kListIdentityRequest = R"(
  63 00                    # command 0x0063 List Identity
  00 00                    # length 0
  00 00 00 00              # session handle 0
  00 00 00 00              # status success
  00 00 00 00 c1 de be d1  # sender context
  00 00 00 00              # options
)";

// enip_cip/enip_test.pcap frame 7: its reply, one CIP Identity item.
constexpr std::string_view kListIdentityReply = R"(
  63 00 33 00              # List Identity, length 51
  00 00 00 00 00 00 00 00  # session 0, status success
  00 00 00 00 c1 de be d1  # sender context (echoed)
  00 00 00 00              # options
  01 00                    # item count 1
  0c 00 2d 00              #   type 0x000c CIP Identity, length 45
  01 00                    #   encapsulation protocol version 1
  00 02 af 12              #   sin_family 2, sin_port 44818 (big-endian)
  0a 01 01 a4              #   sin_addr 10.1.1.164
  00 00 00 00 00 00 00 00  #   sin_zero
  01 00                    #   vendor 1 Rockwell Automation/Allen-Bradley
  0c 00                    #   device type 12 Communications Adapter
  3a 00                    #   product code 58
  04 03                    #   revision 4.03
  30 00                    #   status 0x0030
  8e 4d 52 00              #   serial 0x00524d8e
  0b 31 37 35 36 2d 45 4e 42 54 2f 41   # product name (11) "1756-ENBT/A"
  03                       #   state 3
)";

// enip_cip/ENIP_CIP-CM.pcap frames 8 and 9: RegisterSession request and reply.
constexpr std::string_view kRegisterRequest = R"(
  65 00 04 00  00 00 00 00  00 00 00 00   # Register Session, length 4, session 0
  00 00 00 00 00 00 00 00  00 00 00 00    # context, options
  01 00 00 00                             # protocol version 1, option flags 0
)";
constexpr std::string_view kRegisterReply = R"(
  65 00 04 00  01 00 00 00  00 00 00 00   # Register Session, length 4, session 0x00000001
  00 00 00 00 00 00 00 00  00 00 00 00    # context, options
  01 00 00 00                             # protocol version 1, option flags 0
)";

// enip_cip/ENIP_CIP-CM.pcap frames 6 and 7: ListServices request and reply.
constexpr std::string_view kListServicesRequest = R"(
  04 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 00
)";
constexpr std::string_view kListServicesReply = R"(
  04 00 1a 00  00 00 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 00
  01 00                    # item count 1
  00 01 14 00              #   type 0x0100 List Services Response, length 20
  01 00                    #   version 1
  20 01                    #   capability flags 0x0120: CIP over TCP, class 0/1 over UDP
  43 6f 6d 6d 75 6e 69 63 61 74 69 6f 6e 73 00 00   # "Communications"
)";

// mixed_ics/CL5000EIP-Firmware_Change.pcap frames 10674 and 10679: ListInterfaces.
constexpr std::string_view kListInterfacesRequest = R"(
  64 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 00
)";
constexpr std::string_view kListInterfacesReply = R"(
  64 00 02 00  00 00 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 00
  00 00                    # item count 0
)";

// enip_cip/CL5000EIP-Reboot_or_Restart.pcap frame 8: SendRRData carrying an Unconnected
// Send to the Connection Manager that embeds Get_Attributes_All of the Identity object.
constexpr std::string_view kUnconnectedSendRequest = R"(
  6f 00 24 00              # Send RR Data, length 36
  00 01 02 11              # session 0x11020100
  00 00 00 00              # status
  b3 9b 02 00 20 08 e1 00  # sender context
  00 00 00 00              # options
  00 00 00 00              # interface handle CIP
  20 00                    # timeout 32
  02 00                    # item count 2
  00 00 00 00              #   Null Address Item
  b2 00 14 00              #   Unconnected Data Item, length 20
  52 02 20 06 24 01        #     Unconnected Send, path class 0x06 instance 1
  07 f9                    #     priority/time tick 7, timeout ticks 249
  06 00                    #     embedded message size 6
  01 02 20 01 24 01        #       Get_Attributes_All, class 0x01 instance 1
  01 00                    #     route path size 1 word, reserved
  01 00                    #     port 1 (backplane), link address 0
)";

// Same capture, frame 10: the target's reply (the embedded service's, 0x81).
constexpr std::string_view kUnconnectedSendReply = R"(
  6f 00 37 00  00 01 02 11  00 00 00 00  b3 9b 02 00 20 08 e1 00  00 00 00 00
  00 00 00 00 20 00 02 00  00 00 00 00
  b2 00 27 00              # Unconnected Data Item, length 39
  81 00 00 00              #   Get_Attributes_All reply, status success, no additional status
  01 00 0e 00 36 00        #   vendor 1, device type 0x0e PLC, product code 54
  10 14 60 30              #   revision 16.20, status 0x3060
  3f 82 51 00              #   serial 0x0051823f
  14 31 37 35 36 2d 4c 36 31 2f 42 20 4c 4f 47 49 58 35 35 36 31   # "1756-L61/B LOGIX5561"
)";

// mixed_ics/CL5000EIP-Firmware_Change.pcap frames 10682 and 10683: Get_Attributes_All of
// the Identity object straight to the device (not routed), and its reply.
constexpr std::string_view kIdentityRequest = R"(
  6f 00 16 00  00 01 02 12  00 00 00 00  8d 3f 00 00 48 9a e0 00  00 00 00 00
  00 00 00 00 14 00 02 00  00 00 00 00
  b2 00 06 00              # Unconnected Data Item, length 6
  01 02 20 01 24 01        #   Get_Attributes_All, class 0x01 instance 1
)";
constexpr std::string_view kIdentityReply = R"(
  6f 00 2e 00  00 01 02 12  00 00 00 00  8d 3f 00 00 48 9a e0 00  00 00 00 00
  00 00 00 00 14 00 02 00  00 00 00 00
  b2 00 1e 00              # Unconnected Data Item, length 30
  81 00 00 00              #   reply, success
  01 00 0c 00 3a 00        #   vendor 1, device type 0x0c, product code 58
  04 03 30 00              #   revision 4.03, status 0x0030
  c3 ae 51 00              #   serial 0x0051aec3
  0b 31 37 35 36 2d 45 4e 42 54 2f 41   # "1756-ENBT/A"
)";

// mixed_ics/CL5000EIP-Firmware_Change.pcap frames 29 and 30: Update (0x4b) on Rockwell's
// Non-Volatile Storage object (class 0xa1): the start of a ControlFLASH firmware update.
constexpr std::string_view kNvsUpdateRequest = R"(
  6f 00 1e 00  00 01 02 12  00 00 00 00  0a 02 00 00 48 9a e0 00  00 00 00 00
  00 00 00 00 8b 00 02 00  00 00 00 00
  b2 00 0e 00              # Unconnected Data Item, length 14
  4b 02 20 a1 24 01        #   service 0x4b, class 0xa1 instance 1
  16 ff 1b 00 00 00 00 00  #   update size and base address
)";
constexpr std::string_view kNvsUpdateReply = R"(
  6f 00 20 00  00 01 02 12  00 00 00 00  0a 02 00 00 48 9a e0 00  00 00 00 00
  00 00 00 00 8b 00 02 00  00 00 00 00
  b2 00 10 00              # Unconnected Data Item, length 16
  cb 00 00 00              #   reply 0xcb, success
  00 00 7b 14 5e 01 04 03 00 00 00 00   # boot flag, burn count, transfer size, revision ...
)";

// enip_cip/cip_stop_plc.pcap frame 1: connected Stop (0x07) of the Logix controller object.
constexpr std::string_view kStopRequest = R"(
  70 00 1c 00              # Send Unit Data, length 28
  01 00 2a 00 00 00 00 00  # session 0x002a0001, status
  00 00 00 00 00 00 00 00  # context
  00 00 00 00              # options
  00 00 00 00 01 00        # interface handle, timeout 1
  02 00                    # item count 2
  a1 00 04 00 22 40 95 ff  #   Connected Address Item, connection id 0xff954022
  b1 00 08 00              #   Connected Data Item, length 8
  06 01                    #     CIP sequence count 262
  07 02 20 8e 24 01        #     Stop, class 0x8e instance 1
)";

// enip_cip/cip-multiple-1.pcap frame 1: a connected Multiple Service Packet of eleven
// Get_Attribute_List requests; enip_cip/cip-multiple-2.pcap frame 1 is its reply (same
// CIP sequence count 0x0789).
constexpr std::string_view kMspRequest = R"(
  70 00 ba 00 00 01 02 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 01 00 02 00
  a1 00 04 00 01 0b 7c 00  # Connected Address Item, connection 0x007c0b01
  b1 00 a6 00 89 07        # Connected Data Item, length 166, sequence 0x0789
  0a 02 20 02 24 01        #   Multiple Service Packet to the Message Router
  0b 00                    #   11 services
  18 00 22 00 2c 00 36 00 4c 00 58 00 64 00 72 00 7c 00 8a 00 94 00   # offsets
  03 02 20 01 24 01 01 00 05 00
  03 02 20 69 24 00 01 00 0b 00
  03 02 20 73 24 01 01 00 02 00
  03 02 20 ac 24 01 07 00 01 00 02 00 03 00 05 00 07 00 09 00 0a 00
  03 03 20 68 25 00 20 24 01 00 13 00   # class 0x68 Program, 16-bit instance 0x2420
  03 02 20 70 24 01 02 00 12 00 13 00
  03 02 20 8e 24 01 03 00 03 00 08 00 10 00
  03 02 20 69 24 00 01 00 09 00
  03 02 20 68 24 00 03 00 0f 00 18 00 19 00
  03 02 20 77 24 01 01 00 02 00
  03 02 20 8b 24 01 01 00 06 00
)";
constexpr std::string_view kMspReply = R"(
  70 00 0d 01 00 01 02 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 02 00
  a1 00 04 00 28 00 fe 80  # Connected Address Item, connection 0x80fe0028
  b1 00 f9 00 89 07        # Connected Data Item, length 249, sequence 0x0789
  8a 00 00 00              #   Multiple Service Packet reply, success
  0b 00                    #   11 replies
  18 00 24 00 30 00 3c 00 74 00 7f 00 95 00 ad 00 b9 00 d5 00 e1 00   # offsets
  83 00 00 00 01 00 05 00 00 00 60 30
  83 00 00 00 01 00 0b 00 00 00 03 00
  83 00 00 00 01 00 02 00 00 00 00 00
  83 00 00 00 07 00 01 00 00 00 05 00 02 00 00 00 01 00 03 00 00 00 95 29 1f 04 05 00 00 00
  00 00 07 00 00 00 02 00 00 00 09 00 00 00 01 00 01 00 0a 00 00 00 84 22 df 48
  83 00 00 00 01 00 13 00 00 00 00
  83 00 00 00 02 00 12 00 00 00 00 00 00 00 13 00 00 00 00 00 00 00
  83 00 00 00 03 00 03 00 00 00 14 00 08 00 00 00 00 00 10 00 00 00 01 00
  83 00 00 00 01 00 09 00 00 00 00 00
  83 00 00 00 03 00 0f 00 00 00 00 00 18 00 00 00 00 00 00 00 19 00 00 00 00 00 00 00
  83 00 00 00 01 00 02 00 00 00 02 01
  83 00 00 00 01 00 06 00 00 00 73 b4 ea 05 f4 59 04 00
)";

// enip_cip/CL5000EIP-Reboot_or_Restart.pcap frames 279 and 280: Get_Attribute_List of an
// object the controller does not have, answered "path destination unknown".
constexpr std::string_view kMissingObjectRequest = R"(
  70 00 22 00 00 01 02 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 01 00 02 00
  a1 00 04 00 01 0b 79 00  # Connected Address Item
  b1 00 0e 00 56 00        # Connected Data Item, length 14, sequence 86
  03 03 21 00 1a 03 24 01  #   Get_Attribute_List, 16-bit class 0x031a, instance 1
  01 00 01 00              #   1 attribute: 1
)";
constexpr std::string_view kMissingObjectReply = R"(
  70 00 1c 00 00 01 02 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 02 00
  a1 00 04 00 17 00 fe 80  # Connected Address Item
  b1 00 08 00 56 00        # Connected Data Item, length 8, sequence 86
  83 00 05 01 00 00        #   reply 0x83, status 0x05, 1 word of additional status 0x0000
)";

// enip_cip/emre_enip.pcap frames 2 and 3: connected Read Tag of "_IO_EM_DO_00".
constexpr std::string_view kReadTagRequest = R"(
  70 00 28 00 7d b2 ae 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 02 00
  a1 00 04 00 e7 d0 50 e0  # Connected Address Item
  b1 00 14 00 0a 85        # Connected Data Item, length 20, sequence 0x850a
  4c 07                    #   Read Tag, path 7 words
  91 0c 5f 49 4f 5f 45 4d 5f 44 4f 5f 30 30   # ANSI symbol (12) "_IO_EM_DO_00"
  01 00                    #   1 element
)";
constexpr std::string_view kReadTagReply = R"(
  70 00 1d 00 7d b2 ae 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 02 00
  a1 00 04 00 8d 83 b1 00  # Connected Address Item
  b1 00 09 00 0a 85        # Connected Data Item, length 9, sequence 0x850a
  cc 00 00 00              #   Read Tag reply, success
  c1 00 01                 #   BOOL, value 1
)";

// enip_cip/emre_enip.pcap frames 381 and 383: Initiate Upload (0x4b) on the File object.
constexpr std::string_view kFileUploadRequest = R"(
  70 00 1f 00 e2 8c 9f f0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 01 00 02 00
  a1 00 04 00 f6 c3 cd 92  # Connected Address Item
  b1 00 0b 00 de 04        # Connected Data Item, length 11, sequence 1246
  4b 03 20 37 25 00 41 01  #   service 0x4b, class 0x37 File, 16-bit instance 0x0141
  80                       #   maximum transfer size 128
)";
constexpr std::string_view kFileUploadReply = R"(
  70 00 1f 00 e2 8c 9f f0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 02 00
  a1 00 04 00 0b 00 fe 80  # Connected Address Item
  b1 00 0b 00 de 04        # Connected Data Item, length 11, sequence 1246
  cb 00 00 00              #   reply, success
  20 00 00 00 80           #   file size 32, transfer size 128
)";

// enip_cip/cip_only.pcap frames 473 and 476: Execute PCCC with a PCCC change-mode command
// (CMD 0x0f, FNC 0x80, mode 0x01 program).
constexpr std::string_view kPcccModeRequest = R"(
  70 00 29 00 09 a6 18 3f 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 01 00 02 00
  a1 00 04 00 ac 6f a5 09  # Connected Address Item
  b1 00 15 00 4b e3        # Connected Data Item, length 21, sequence 0xe34b
  4b 02 20 67 24 01        #   Execute PCCC, class 0x67 instance 1
  07 4d 00 e0 31 2b 3d     #   requestor id: length 7, vendor 0x004d, serial 0x3d2b31e0
  0f 00 4e c6              #   CMD 0x0f, STS 0, TNS 0xc64e
  80 01                    #   FNC 0x80 change mode, mode 0x01
)";
constexpr std::string_view kPcccModeReply = R"(
  70 00 25 00 09 a6 18 3f 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 02 00
  a1 00 04 00 01 00 fe 80  # Connected Address Item
  b1 00 11 00 4b e3        # Connected Data Item, length 17, sequence 0xe34b
  cb 00 00 00              #   reply, success
  07 4d 00 e0 31 2b 3d     #   requestor id
  4f 00 4e c6              #   CMD 0x4f reply, STS 0, TNS 0xc64e
)";

// enip_cip/ENIP_CIP-CM.pcap frames 10 and 11: Forward Open to an assembly.
constexpr std::string_view kForwardOpenRequest = R"(
  6f 00 4c 00 01 00 00 00 00 00 00 00 c0 a8 64 1c 00 00 48 57 00 00 00 00
  00 00 00 00 00 00 02 00 00 00 00 00
  b2 00 3c 00              # Unconnected Data Item, length 60
  54 02 20 06 24 01        #   Forward Open, class 0x06 instance 1
  05 9b                    #   priority/time tick, timeout ticks
  00 00 00 00 00 00 00 00  #   O->T and T->O connection ids (chosen by the target / 0)
  0e 00 01 00 22 f5 13 00  #   connection serial, originator vendor, originator serial
  02 00 00 00              #   timeout multiplier, reserved
  10 27 00 00 1a 48        #   O->T RPI 10 ms, parameters
  10 27 00 00 1a 28        #   T->O RPI 10 ms, parameters
  01                       #   transport class 1
  09                       #   connection path 9 words
  34 04 00 00 00 00 00 00 00 00   # electronic key (format 4, wildcard)
  20 04 24 06 2c 02 2c 01  #   class 0x04 Assembly, instance 6, connection points 2 and 1
)";
constexpr std::string_view kForwardOpenReply = R"(
  6f 00 56 00 01 00 00 00 00 00 00 00 c0 a8 64 1c 00 00 48 57 00 00 00 00
  00 00 00 00 00 00 04 00 00 00 00 00
  b2 00 1e 00              # Unconnected Data Item, length 30
  d4 00 00 00              #   Forward Open reply, success
                           #   O->T id 0xf1a20002, T->O id 0xf1a20003, serial 14, vendor 1,
                           #   originator serial, APIs 10 ms, reply size 0; then the CPF's
                           #   sockaddr info items 0x8000 and 0x8001 (port 2222)
  02 00 a2 f1 03 00 a2 f1 0e 00 01 00 22 f5 13 00 10 27 00 00 10 27 00 00 00 00
  00 80 10 00 00 02 08 ae 00 00 00 00 00 00 00 00 00 00 00 00 01 80 10 00 00 02
  08 ae ef c0 05 80 00 00 00 00 00 00 00 00
)";

// enip_cip/ndpi_cip_io.pcap frame 1: a class 1 I/O datagram on UDP 2222.
constexpr std::string_view kIoFrame = R"(
  02 00                    # item count 2
  02 80 08 00              #   Sequenced Address Item, length 8
  78 7b 3a 00              #     connection id 0x003a7b78
  e8 cb 5e 04              #     encapsulation sequence number 73321448
  b1 00 0c 00              #   Connected Data Item, length 12
  03 00 fd ff ff ff ff ff ff ff 00 00   # CIP sequence 3 and I/O data
)";

// Synthetic (no shared capture holds these commands): NOP with two bytes of data,
// UnRegisterSession, IndicateStatus and Cancel, each with zero options and status.
constexpr std::string_view kNop = R"(
  00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   ab cd
)";
constexpr std::string_view kUnregister = R"(
  66 00 00 00 00 01 02 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
)";
constexpr std::string_view kIndicateStatus = R"(
  72 00 00 00 00 01 02 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
)";
constexpr std::string_view kCancel = R"(
  73 00 00 00 00 01 02 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
)";

// The CIP message of a SendRRData / SendUnitData fixture (a view into `pdu`).
std::span<const uint8_t> CipOf(const std::vector<uint8_t>& pdu) {
  auto m = ParseEnipMessage(std::span<const uint8_t>(pdu).subspan(enip::kEnipHeaderSize));
  EXPECT_TRUE(m.has_value());
  return m ? m->cip : std::span<const uint8_t>{};
}

std::vector<uint8_t> Concat(std::initializer_list<std::string_view> parts) {
  std::vector<uint8_t> out;
  for (auto p : parts) {
    auto b = Hex(p);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

// Counts of one protocol's PDUs with one code.
size_t Count(const testing::RecordingSink& s, std::string_view proto, uint32_t code) {
  return static_cast<size_t>(std::count_if(s.pdus.begin(), s.pdus.end(), [&](const auto& p) {
    return proto == p.protocol && p.code == code;
  }));
}
size_t Count(const testing::RecordingSink& s, std::string_view proto) {
  return static_cast<size_t>(std::count_if(s.pdus.begin(), s.pdus.end(),
                                           [&](const auto& p) { return proto == p.protocol; }));
}

// --- Parsers ----------------------------------------------------------------------------

TEST(EnipParser, ListIdentityReplyFieldByField) {
  auto pdu = Hex(kListIdentityReply);
  auto h = ParseEnipHeader(pdu);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->command, enip::kListIdentity);
  EXPECT_EQ(h->length, 51);
  EXPECT_EQ(h->context, 0xd1bedec100000000ULL);
  auto list = enip::ParseListIdentityReply(std::span<const uint8_t>(pdu).subspan(24));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->count, 1u);
  const auto& id = list->items[0];
  EXPECT_EQ(id.encap_version, 1);
  EXPECT_EQ(id.sin_family, 2);
  EXPECT_EQ(id.sin_port, 44818);
  EXPECT_EQ(core::IpAddr::V4(id.sin_addr).ToString(), "10.1.1.164");
  EXPECT_EQ(id.attributes.vendor_id, 1);
  EXPECT_EQ(id.attributes.device_type, 0x0c);
  EXPECT_EQ(id.attributes.product_code, 58);
  EXPECT_EQ(id.attributes.revision_major, 4);
  EXPECT_EQ(id.attributes.revision_minor, 3);
  EXPECT_EQ(id.attributes.status, 0x0030);
  EXPECT_EQ(id.attributes.serial, 0x00524d8eu);
  EXPECT_EQ(std::string(id.attributes.product_name.begin(), id.attributes.product_name.end()),
            "1756-ENBT/A");
  ASSERT_TRUE(id.has_state);
  EXPECT_EQ(id.state, 3);
}

TEST(EnipParser, ListServicesReplyNamesTheService) {
  auto pdu = Hex(kListServicesReply);
  auto list = enip::ParseListServicesReply(std::span<const uint8_t>(pdu).subspan(24));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->count, 1u);
  EXPECT_EQ(list->items[0].version, 1);
  EXPECT_EQ(list->items[0].capability_flags, 0x0120);
}

TEST(EnipParser, RegisterSessionIsExactlyFourBytes) {
  auto pdu = Hex(kRegisterReply);
  auto rs = enip::ParseRegisterSession(std::span<const uint8_t>(pdu).subspan(24));
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->version, 1);
  EXPECT_FALSE(enip::ParseRegisterSession(std::span<const uint8_t>(pdu).subspan(25)));
}

TEST(EnipParser, ConnectedMessageHasConnectionAndSequence) {
  auto pdu = Hex(kStopRequest);
  auto m = ParseEnipMessage(std::span<const uint8_t>(pdu).subspan(24));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->connected);
  EXPECT_EQ(m->connection_id, 0xff954022u);
  ASSERT_TRUE(m->has_sequence);
  EXPECT_EQ(m->sequence, 262);
  EXPECT_EQ(m->cip.size(), 6u);
}

TEST(EnipParser, IoFrameHasConnectionAndData) {
  auto bytes = Hex(kIoFrame);
  auto f = enip::ParseEnipIo(bytes);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->connection_id, 0x003a7b78u);
  EXPECT_EQ(f->encap_sequence, 73321448u);
  EXPECT_EQ(f->data.size(), 12u);
  bytes.push_back(0);  // a CPF that does not fill the datagram is something else
  EXPECT_FALSE(enip::ParseEnipIo(bytes));
}

TEST(EnipParser, CpfItemsPastTheCapAreWalkedButNotKept) {
  std::vector<uint8_t> cpf = {10, 0};  // ten empty null address items
  for (int i = 0; i < 10; ++i) cpf.insert(cpf.end(), {0, 0, 0, 0});
  auto parsed = enip::ParseCpf(cpf);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->capped);
  EXPECT_EQ(parsed->count, enip::kMaxCpfItems);
  cpf.pop_back();  // the last item's header now runs past the end
  EXPECT_FALSE(enip::ParseCpf(cpf));
}

TEST(CipParser, UnconnectedSendEmbedsTheTargetsRequestAndRoute) {
  auto pdu = Hex(kUnconnectedSendRequest);
  auto req = ParseCipRequest(CipOf(pdu));
  ASSERT_TRUE(req);
  EXPECT_EQ(req->service, enip::kCipUnconnectedSend);
  EXPECT_EQ(req->path.class_id, 0x06u);
  auto us = enip::ParseUnconnectedSend(req->data);
  ASSERT_TRUE(us);
  EXPECT_EQ(us->timeout_ticks, 0xf9);
  auto inner = ParseCipRequest(us->message);
  ASSERT_TRUE(inner);
  EXPECT_EQ(inner->service, 0x01);
  EXPECT_EQ(inner->path.class_id, 0x01u);
  EXPECT_EQ(inner->path.instance, 1u);
  ASSERT_EQ(us->route.count, 1u);
  EXPECT_EQ(us->route.segments[0].kind, enip::CipSegmentKind::kPort);
  EXPECT_EQ(us->route.segments[0].value, 1u);
  EXPECT_EQ(us->route.segments[0].link, 0u);
}

TEST(CipParser, IdentityAttributesFromGetAttributesAll) {
  auto pdu = Hex(kUnconnectedSendReply);
  auto resp = ParseCipResponse(CipOf(pdu));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->service, 0x81);
  EXPECT_EQ(resp->general_status, 0);
  auto id = enip::ParseIdentityAttributes(resp->data);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->vendor_id, 1);
  EXPECT_EQ(id->device_type, 0x0e);
  EXPECT_EQ(id->product_code, 54);
  EXPECT_EQ(id->revision_major, 16);
  EXPECT_EQ(id->revision_minor, 20);
  EXPECT_EQ(id->serial, 0x0051823fu);
  EXPECT_EQ(std::string(id->product_name.begin(), id->product_name.end()), "1756-L61/B LOGIX5561");
}

TEST(CipParser, MultipleServicePacketMembers) {
  auto pdu = Hex(kMspRequest);
  auto req = ParseCipRequest(CipOf(pdu));
  ASSERT_TRUE(req);
  auto msp = enip::ParseMultipleService(req->data);
  ASSERT_TRUE(msp);
  ASSERT_EQ(msp->count, 11u);
  for (size_t i = 0; i < msp->count; ++i) {
    auto member = ParseCipRequest(msp->members[i]);
    ASSERT_TRUE(member) << i;
    EXPECT_EQ(member->service, 0x03) << i;
  }
  EXPECT_EQ(ParseCipRequest(msp->members[4])->path.class_id, 0x68u);
  EXPECT_EQ(ParseCipRequest(msp->members[4])->path.instance, 0x2420u);  // 16-bit instance
}

TEST(CipParser, MultipleServiceOffsetsMustStayInside) {
  // count 2, offsets 6 and 4: the second member would start before the first ends.
  std::vector<uint8_t> backwards = {2, 0, 6, 0, 4, 0, 0x0e, 0};
  EXPECT_FALSE(enip::ParseMultipleService(backwards));
  std::vector<uint8_t> outside = {1, 0, 9, 0, 0x0e, 0};
  EXPECT_FALSE(enip::ParseMultipleService(outside));
  std::vector<uint8_t> into_table = {1, 0, 2, 0, 0x0e, 0};
  EXPECT_FALSE(enip::ParseMultipleService(into_table));
}

TEST(CipParser, ErrorResponseKeepsStatusAndExtendedStatus) {
  auto pdu = Hex(kMissingObjectReply);
  auto resp = ParseCipResponse(CipOf(pdu));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->general_status, 0x05);
  EXPECT_EQ(resp->additional_words, 1);
  EXPECT_EQ(resp->extended_status, 0);
  EXPECT_TRUE(resp->data.empty());
  auto req_pdu = Hex(kMissingObjectRequest);
  auto req = ParseCipRequest(CipOf(req_pdu));
  ASSERT_TRUE(req);
  EXPECT_EQ(req->path.class_id, 0x031au);  // 16-bit class segment 0x21
}

TEST(CipParser, SymbolicPathIsATag) {
  auto pdu = Hex(kReadTagRequest);
  auto req = ParseCipRequest(CipOf(pdu));
  ASSERT_TRUE(req);
  EXPECT_TRUE(req->path.symbolic);
  ASSERT_EQ(req->path.count, 1u);
  const auto& s = req->path.segments[0];
  EXPECT_EQ(std::string(s.bytes.begin(), s.bytes.end()), "_IO_EM_DO_00");
}

TEST(CipParser, PathSegmentsOfEveryForm) {
  // Synthetic path: port 2 with the text link address "10.0.0.7" (extended, padded), 32-bit
  // class 0x12345678, 8-bit attribute 3, symbolic segment "ab" (0x62), member 5, ANSI
  // symbol "Tag" (padded), 16-bit member 0x0102, an electronic key and a network segment.
  std::vector<uint8_t> path = Hex(R"(
    12 08 31 30 2e 30 2e 30 2e 37     # port 2, link address size 8, "10.0.0.7"
    22 00 78 56 34 12                 # 32-bit class 0x12345678
    30 03                             # attribute 3
    62 61 62 00                       # symbolic "ab" + pad
    28 05                             # member 5
    91 03 54 61 67 00                 # ANSI extended symbol "Tag" + pad
    29 00 02 01                       # 16-bit member 0x0102
    34 04 01 00 0e 00 36 00 10 14     # electronic key
    43 01                             # network segment: schedule
  )");
  auto p = enip::ParseCipPath(path);
  EXPECT_FALSE(p.malformed);
  ASSERT_EQ(p.count, 9u);
  EXPECT_EQ(p.segments[0].kind, enip::CipSegmentKind::kPort);
  EXPECT_EQ(p.segments[0].value, 2u);
  EXPECT_EQ(std::string(p.segments[0].bytes.begin(), p.segments[0].bytes.end()), "10.0.0.7");
  EXPECT_EQ(p.class_id, 0x12345678u);
  EXPECT_EQ(p.attribute, 3u);
  EXPECT_EQ(p.segments[3].kind, enip::CipSegmentKind::kSymbol);
  EXPECT_EQ(p.segments[6].value, 0x0102u);
  EXPECT_EQ(p.segments[7].kind, enip::CipSegmentKind::kElectronicKey);
  EXPECT_TRUE(p.routed);
  EXPECT_TRUE(p.symbolic);
}

TEST(CipParser, PathCapAndReservedSegments) {
  std::vector<uint8_t> many;
  for (size_t i = 0; i <= enip::kMaxCipPathSegments; ++i) many.insert(many.end(), {0x24, 1});
  auto p = enip::ParseCipPath(many);
  EXPECT_TRUE(p.capped);
  EXPECT_EQ(p.count, enip::kMaxCipPathSegments);
  std::vector<uint8_t> reserved = {0x20, 0x01, 0xe0, 0x00};
  auto r = enip::ParseCipPath(reserved);
  EXPECT_TRUE(r.malformed);
  EXPECT_EQ(r.count, 1u);
}

TEST(CipParser, PcccChangeModeCommand) {
  auto pdu = Hex(kPcccModeRequest);
  auto req = ParseCipRequest(CipOf(pdu));
  ASSERT_TRUE(req);
  auto c = enip::ParseExecutePccc(req->data, false);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->command, 0x0f);
  EXPECT_EQ(c->transaction, 0xc64e);
  ASSERT_TRUE(c->has_function);
  EXPECT_EQ(c->function, 0x80);
  auto meaning = enip::ClassifyCipRequest(req->service, req->path, &*c);
  EXPECT_STREQ(meaning.name, "pccc-change-mode");
  EXPECT_EQ(meaning.category, IcsCategory::kControllerState);
}

TEST(CipParser, ServiceCodesAreReadByClass) {
  auto path = [](std::vector<uint8_t> bytes) { return enip::ParseCipPath(bytes); };
  // 0x52: Unconnected Send on the Connection Manager, Read Tag Fragmented on a tag.
  EXPECT_STREQ(enip::ClassifyCipRequest(0x52, path({0x20, 0x06, 0x24, 0x01}), nullptr).name,
               "unconnected-send");
  EXPECT_EQ(enip::ClassifyCipRequest(0x52, path({0x91, 0x01, 'A', 0}), nullptr).category,
            IcsCategory::kRead);
  EXPECT_EQ(enip::ClassifyCipRequest(0x53, path({0x20, 0x6b, 0x24, 0x05}), nullptr).category,
            IcsCategory::kWrite);
  // 0x4e: Forward Close on the Connection Manager, Read-Modify-Write on a tag.
  EXPECT_EQ(enip::ClassifyCipRequest(0x4e, path({0x20, 0x06, 0x24, 0x01}), nullptr).category,
            IcsCategory::kSession);
  EXPECT_EQ(enip::ClassifyCipRequest(0x4e, path({0x91, 0x01, 'A', 0}), nullptr).category,
            IcsCategory::kWrite);
  EXPECT_EQ(enip::ClassifyCipRequest(0x5b, path({0x20, 0x06, 0x24, 0x01}), nullptr).category,
            IcsCategory::kSession);
  // 0x4d: Transfer on the Non-Volatile Storage object is a firmware image.
  EXPECT_EQ(enip::ClassifyCipRequest(0x4d, path({0x20, 0xa1, 0x24, 0x01}), nullptr).category,
            IcsCategory::kFirmware);
  EXPECT_EQ(enip::ClassifyCipRequest(0x05, path({0x20, 0x01, 0x24, 0x01}), nullptr).category,
            IcsCategory::kControllerState);
  EXPECT_EQ(enip::ClassifyCipRequest(0x10, path({0x20, 0x04, 0x24, 0x01}), nullptr).category,
            IcsCategory::kWrite);
  EXPECT_EQ(enip::ClassifyCipRequest(0x08, path({0x20, 0x68, 0x24, 0x00}), nullptr).category,
            IcsCategory::kProgramChange);
  EXPECT_EQ(enip::ClassifyCipRequest(0x50, path({0x20, 0x37, 0x24, 0x01}), nullptr).category,
            IcsCategory::kProgramChange);
  EXPECT_STREQ(enip::CipGeneralStatusName(0x05), "path-destination-unknown");
  EXPECT_EQ(enip::CipGeneralStatusName(0xff), nullptr);
  EXPECT_STREQ(enip::CipDeviceTypeName(0x0e), "Programmable Logic Controller");
  EXPECT_STREQ(enip::CipVendorName(1), "Rockwell Automation/Allen-Bradley");
}

TEST(EnipParser, EveryTruncatedPrefixIsSafe) {
  for (auto fixture : {kListIdentityRequest,
                       kListIdentityReply,
                       kRegisterRequest,
                       kRegisterReply,
                       kListServicesReply,
                       kListInterfacesReply,
                       kUnconnectedSendRequest,
                       kUnconnectedSendReply,
                       kIdentityReply,
                       kNvsUpdateRequest,
                       kNvsUpdateReply,
                       kStopRequest,
                       kMspRequest,
                       kMspReply,
                       kMissingObjectReply,
                       kReadTagRequest,
                       kFileUploadRequest,
                       kPcccModeRequest,
                       kPcccModeReply,
                       kForwardOpenRequest,
                       kForwardOpenReply,
                       kIoFrame}) {
    auto bytes = Hex(fixture);
    ForEachPrefix(bytes, [](std::span<const uint8_t> prefix) {
      (void)ParseEnipHeader(prefix);
      (void)enip::ParseEnipIo(prefix);
      (void)enip::ParseCpf(prefix);
      if (prefix.size() < 24) return;
      auto body = prefix.subspan(24);
      (void)enip::ParseListIdentityReply(body);
      (void)enip::ParseListServicesReply(body);
      if (auto m = ParseEnipMessage(body)) {
        if (auto req = ParseCipRequest(m->cip)) {
          (void)enip::ParseUnconnectedSend(req->data);
          (void)enip::ParseMultipleService(req->data);
          (void)enip::ParseForwardOpen(req->data, false);
          (void)enip::ParseForwardOpen(req->data, true);
          (void)enip::ParseForwardClose(req->data);
          (void)enip::ParseExecutePccc(req->data, false);
        }
        if (auto resp = ParseCipResponse(m->cip)) {
          (void)enip::ParseIdentityAttributes(resp->data);
          (void)enip::ParseMultipleService(resp->data);
          (void)enip::ParseExecutePccc(resp->data, true);
        }
      }
    });
  }
}

// --- Dissector: encapsulation commands --------------------------------------------------

TEST(EnipDissector, ListIdentityPairsAndNamesTheDevice) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kListIdentityRequest), 6);
  h.Response(Hex(kListIdentityReply), 7);
  EXPECT_STREQ(h.Protocol(), "enip");
  EXPECT_EQ(Count(h.sink, "enip", 0x63), 2u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const auto& op = h.sink.ops[0];
  EXPECT_STREQ(op.protocol, "enip");
  EXPECT_STREQ(op.function, "list-identity");
  EXPECT_EQ(op.function_code, 0x63u);
  EXPECT_EQ(op.category, IcsCategory::kIdentity);
  EXPECT_EQ(op.result.view(), "ok");
  EXPECT_EQ(op.target.view(), "1756-ENBT/A");
  EXPECT_EQ(op.request_frame, 6u);
  EXPECT_EQ(op.response_frame, 7u);
  EXPECT_EQ(op.where.requester_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(op.where.device_ip.ToString(), "10.0.0.2");
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_EQ(h.sink.identities[0].ip.ToString(), "10.0.0.2");  // the device, from the flow
  EXPECT_EQ(h.sink.Identity("vendor"), "Rockwell Automation/Allen-Bradley");
  EXPECT_EQ(h.sink.Identity("vendor_id"), "1");
  EXPECT_EQ(h.sink.Identity("device_type"), "Communications Adapter");
  EXPECT_EQ(h.sink.Identity("product_code"), "58");
  EXPECT_EQ(h.sink.Identity("firmware"), "4.03");
  EXPECT_EQ(h.sink.Identity("serial"), "0x00524d8e");
  EXPECT_EQ(h.sink.Identity("product"), "1756-ENBT/A");
  EXPECT_EQ(h.sink.Identity("socket_address"), "10.1.1.164:44818");
}

TEST(EnipDissector, SessionAndDiscoveryCommandsPair) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kListServicesRequest), 6);
  h.Response(Hex(kListServicesReply), 7);
  h.Request(Hex(kRegisterRequest), 8);
  h.Response(Hex(kRegisterReply), 9);
  h.Request(Hex(kListInterfacesRequest), 10);
  h.Response(Hex(kListInterfacesReply), 11);
  ASSERT_EQ(h.sink.ops.size(), 3u);
  EXPECT_STREQ(h.sink.ops[0].function, "list-services");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kIdentity);
  EXPECT_STREQ(h.sink.ops[1].function, "register-session");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kSession);
  EXPECT_EQ(h.sink.ops[1].target.view(), "session 0x00000001");
  EXPECT_EQ(h.sink.ops[1].request_frame, 8u);
  EXPECT_EQ(h.sink.ops[1].response_frame, 9u);
  EXPECT_STREQ(h.sink.ops[2].function, "list-interfaces");
  for (const auto& op : h.sink.ops) EXPECT_EQ(op.result.view(), "ok");
  EXPECT_EQ(Count(h.sink, "enip"), 6u);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(EnipDissector, CommandsWithoutRepliesAreCountedAndUnregisterIsASession) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kRegisterRequest), 1);
  h.Response(Hex(kRegisterReply), 2);
  h.Request(Hex(kNop), 3);
  h.Request(Hex(kIndicateStatus), 4);
  h.Request(Hex(kCancel), 5);
  h.Request(Hex(kUnregister), 6);
  EXPECT_EQ(Count(h.sink, "enip", 0x00), 1u);
  EXPECT_EQ(Count(h.sink, "enip", 0x72), 1u);
  EXPECT_EQ(Count(h.sink, "enip", 0x73), 1u);
  EXPECT_EQ(Count(h.sink, "enip", 0x66), 1u);
  ASSERT_EQ(h.sink.ops.size(), 4u);  // register, indicate-status, cancel, unregister
  const auto& unreg = h.sink.ops.back();
  EXPECT_STREQ(unreg.function, "unregister-session");
  EXPECT_EQ(unreg.category, IcsCategory::kSession);
  EXPECT_EQ(unreg.target.view(), "session 0x11020100");
  EXPECT_EQ(unreg.request_frame, 6u);
  EXPECT_EQ(unreg.response_frame, 0u);
  // NOP is neither a request nor a response.
  for (const auto& p : h.sink.pdus) {
    if (p.code == 0) {
      EXPECT_EQ(p.kind, PduKind::kOther);
    }
  }
}

TEST(EnipDissector, ListIdentityReplyOverUdpStandsAlone) {
  // A broadcast ListIdentity's replies come back on flows of their own.
  StreamHarness h(Registered("enip", 17));
  h.Response(Hex(kListIdentityReply), 7);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 0u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 7u);
  EXPECT_EQ(h.sink.ops[0].where.device_ip.ToString(), "10.0.0.2");
  EXPECT_EQ(h.sink.Identity("product"), "1756-ENBT/A");
}

// --- Dissector: CIP ---------------------------------------------------------------------

TEST(CipDissector, UnconnectedSendIsTheEmbeddedRequestRoutedToTheTarget) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kUnconnectedSendRequest), 8);
  h.Response(Hex(kUnconnectedSendReply), 10);
  // tshark counts 0x52 and the embedded 0x01 in the request, 0x81 in the reply.
  EXPECT_EQ(Count(h.sink, "cip", 0x52), 1u);
  EXPECT_EQ(Count(h.sink, "cip", 0x01), 1u);
  EXPECT_EQ(Count(h.sink, "cip", 0x81), 1u);
  EXPECT_EQ(Count(h.sink, "enip", 0x6f), 2u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const auto& op = h.sink.ops[0];
  EXPECT_STREQ(op.protocol, "cip");
  EXPECT_STREQ(op.function, "get-attributes-all");
  EXPECT_EQ(op.function_code, 0x01u);
  EXPECT_EQ(op.category, IcsCategory::kIdentity);
  EXPECT_EQ(op.target.view(), "class 0x01 inst 1 via port 1 link 0");
  EXPECT_EQ(op.result.view(), "ok");
  EXPECT_EQ(op.request_frame, 8u);
  EXPECT_EQ(op.response_frame, 10u);
  // The reply describes the controller behind the adapter, not the adapter's address.
  EXPECT_TRUE(h.sink.identities.empty());
}

TEST(CipDissector, IdentityObjectReplyNamesTheDevice) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kIdentityRequest), 10682);
  h.Response(Hex(kIdentityReply), 10683);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "class 0x01 inst 1");
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_STREQ(h.sink.identities[0].protocol, "cip");
  EXPECT_EQ(h.sink.identities[0].ip.ToString(), "10.0.0.2");
  EXPECT_EQ(h.sink.identities[0].frame, 10683u);
  EXPECT_EQ(h.sink.Identity("product"), "1756-ENBT/A");
  EXPECT_EQ(h.sink.Identity("serial"), "0x0051aec3");
  EXPECT_EQ(h.sink.Identity("firmware"), "4.03");
}

TEST(CipDissector, NonVolatileStorageUpdateIsFirmware) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kNvsUpdateRequest), 29);
  h.Response(Hex(kNvsUpdateReply), 30);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const auto& op = h.sink.ops[0];
  EXPECT_STREQ(op.function, "nvs-update");
  EXPECT_EQ(op.function_code, 0x4bu);
  EXPECT_EQ(op.category, IcsCategory::kFirmware);
  EXPECT_EQ(op.target.view(), "class 0xa1 inst 1");
  EXPECT_EQ(op.result.view(), "ok");
  EXPECT_EQ(Count(h.sink, "cip", 0xcb), 1u);
}

TEST(CipDissector, ConnectedStopUnansweredAtEnd) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kStopRequest), 1);
  EXPECT_TRUE(h.sink.ops.empty());
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const auto& op = h.sink.ops[0];
  EXPECT_STREQ(op.function, "stop");
  EXPECT_EQ(op.category, IcsCategory::kControllerState);
  EXPECT_EQ(op.target.view(), "class 0x8e inst 1");
  EXPECT_TRUE(op.result.empty());
  EXPECT_EQ(op.request_frame, 1u);
  EXPECT_EQ(op.response_frame, 0u);
}

TEST(CipDissector, MultipleServicePacketMembersAreEachCountedAndEachAnOperation) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kMspRequest), 1);
  h.Response(Hex(kMspReply), 2);
  EXPECT_EQ(Count(h.sink, "cip", 0x0a), 1u);
  EXPECT_EQ(Count(h.sink, "cip", 0x03), 11u);
  EXPECT_EQ(Count(h.sink, "cip", 0x8a), 1u);
  EXPECT_EQ(Count(h.sink, "cip", 0x83), 11u);
  ASSERT_EQ(h.sink.ops.size(), 11u);
  for (const auto& op : h.sink.ops) {
    EXPECT_STREQ(op.function, "get-attribute-list");
    EXPECT_EQ(op.category, IcsCategory::kRead);
    EXPECT_EQ(op.result.view(), "ok");
    EXPECT_EQ(op.request_frame, 1u);
    EXPECT_EQ(op.response_frame, 2u);
  }
  EXPECT_EQ(h.sink.ops[0].target.view(), "class 0x01 inst 1");
  EXPECT_EQ(h.sink.ops[4].target.view(), "class 0x68 inst 9248");
  // Numbered in order within the request frame.
  for (uint32_t i = 0; i < 11; ++i) EXPECT_EQ(h.sink.ops[i].seq, i);
}

TEST(CipDissector, ErrorReplyNamesItsStatus) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kMissingObjectRequest), 279);
  h.Response(Hex(kMissingObjectReply), 280);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].result.view(), "error 0x05 path-destination-unknown ext 0x0000");
  EXPECT_EQ(h.sink.ops[0].target.view(), "class 0x31a inst 1");
  auto reply = std::find_if(h.sink.pdus.begin(), h.sink.pdus.end(), [](const auto& p) {
    return std::string_view(p.protocol) == "cip" && p.kind == PduKind::kResponse;
  });
  ASSERT_NE(reply, h.sink.pdus.end());
  EXPECT_TRUE(reply->exception);
}

TEST(CipDissector, ConnectedReadTagPairsBySequenceCount) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kReadTagRequest), 2);
  h.Response(Hex(kReadTagReply), 3);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "read-tag");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kRead);
  EXPECT_EQ(h.sink.ops[0].target.view(), "tag _IO_EM_DO_00");
  EXPECT_EQ(h.sink.ops[0].response_frame, 3u);
}

TEST(CipDissector, FileObjectUploadIsAProgramChange) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kFileUploadRequest), 381);
  h.Response(Hex(kFileUploadReply), 383);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "file-initiate-upload");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kProgramChange);
  EXPECT_EQ(h.sink.ops[0].target.view(), "class 0x37 inst 321");
}

TEST(CipDissector, PcccChangeModeIsAControllerStateChange) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kPcccModeRequest), 473);
  h.Response(Hex(kPcccModeReply), 476);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "pccc-change-mode");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kControllerState);
  EXPECT_EQ(h.sink.ops[0].target.view(), "class 0x67 inst 1 pccc 0x0f/0x80 mode 0x01");
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
}

TEST(CipDissector, ForwardOpenIsASessionToTheConnectionTarget) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kForwardOpenRequest), 10);
  h.Response(Hex(kForwardOpenReply), 11);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "forward-open");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kSession);
  EXPECT_EQ(h.sink.ops[0].target.view(), "to class 0x04 inst 6 conn-point 2 conn-point 1");
  EXPECT_EQ(Count(h.sink, "cip", 0xd4), 1u);
}

TEST(CipDissector, ReplyWithoutRequestStandsAlone) {
  StreamHarness h(Registered("enip"));
  h.Response(Hex(kMspReply), 2);
  ASSERT_EQ(h.sink.ops.size(), 11u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 0u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 2u);
  EXPECT_STREQ(h.sink.ops[0].function, "get-attribute-list");
  EXPECT_EQ(h.sink.ops[0].where.requester_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(h.sink.ops[10].seq, 10u);
}

// A SendRRData (session 0x11020100, context 01..08) around a CIP message (synthetic framing).
std::vector<uint8_t> SendRR(const std::vector<uint8_t>& cip) {
  auto n = static_cast<uint16_t>(cip.size());
  auto len = static_cast<uint16_t>(16 + n);
  std::vector<uint8_t> out = {0x6f,
                              0x00,
                              static_cast<uint8_t>(len),
                              static_cast<uint8_t>(len >> 8),
                              0x00,
                              0x01,
                              0x02,
                              0x11,
                              0,
                              0,
                              0,
                              0,
                              1,
                              2,
                              3,
                              4,
                              5,
                              6,
                              7,
                              8,
                              0,
                              0,
                              0,
                              0,
                              0,
                              0,
                              0,
                              0,
                              0x0a,
                              0x00,
                              0x02,
                              0x00,
                              0,
                              0,
                              0,
                              0,
                              0xb2,
                              0x00,
                              static_cast<uint8_t>(n),
                              static_cast<uint8_t>(n >> 8)};
  out.insert(out.end(), cip.begin(), cip.end());
  return out;
}

TEST(CipDissector, RoutingErrorAnswersEveryMemberOfAnEmbeddedPacket) {
  // Synthetic: an Unconnected Send embedding a Multiple Service Packet of a read and a write,
  // which the router answers with its own error instead of the target's member replies.
  auto request = SendRR(Hex(R"(
    52 02 20 06 24 01        # Unconnected Send to the Connection Manager
    07 f9 1c 00              # priority/tick, timeout, embedded size 28
    0a 02 20 02 24 01        #   Multiple Service Packet to the Message Router
    02 00 06 00 0e 00        #   2 services at offsets 6 and 14
    0e 03 20 01 24 01 30 07  #     Get_Attribute_Single class 1 instance 1 attribute 7
    10 03 20 04 24 64 30 03  #     Set_Attribute_Single class 4 instance 100 attribute 3
    01 00 01 00              # route: 1 word, port 1 link 0
  )"));
  auto reply = SendRR(Hex("d2 00 01 01 04 02"));  // Unconnected Send failed: 0x01, ext 0x0204
  StreamHarness h(Registered("enip"));
  h.Request(request, 1);
  h.Response(reply, 2);
  EXPECT_EQ(Count(h.sink, "cip"), 5u);  // 0x52, 0x0a, 0x0e, 0x10, 0xd2
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_STREQ(h.sink.ops[0].function, "get-attribute-single");
  EXPECT_EQ(h.sink.ops[0].target.view(), "class 0x01 inst 1 attr 7 via port 1 link 0");
  EXPECT_STREQ(h.sink.ops[1].function, "set-attribute-single");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kWrite);
  for (const auto& op : h.sink.ops) {
    EXPECT_EQ(op.result.view(), "error 0x01 connection-failure ext 0x0204");
    EXPECT_EQ(op.response_frame, 2u);
  }
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(CipDissector, NestedPacketsBeyondTheLeafRangeAreCountedNotPaired) {
  // Synthetic: a Multiple Service Packet of 3 packets of 60 members each (180 requests).
  std::vector<uint8_t> member = Hex("0e 03 20 01 24 01 30 07");
  auto packet = [&](size_t n, const std::vector<uint8_t>& m) {
    std::vector<uint8_t> out = {0x0a, 0x02, 0x20, 0x02, 0x24, 0x01, static_cast<uint8_t>(n), 0};
    size_t off = 2 + 2 * n;
    for (size_t i = 0; i < n; ++i) {
      out.push_back(static_cast<uint8_t>(off + i * m.size()));
      out.push_back(static_cast<uint8_t>((off + i * m.size()) >> 8));
    }
    for (size_t i = 0; i < n; ++i) out.insert(out.end(), m.begin(), m.end());
    return out;
  };
  auto inner = packet(60, member);
  auto outer = packet(3, inner);
  StreamHarness h(Registered("enip"));
  h.Request(SendRR(outer), 1);
  EXPECT_EQ(Count(h.sink, "cip", 0x0e), 180u);
  EXPECT_GT(h.anomalies.Count("cip.msp_service_cap"), 0u);
  h.End();
  EXPECT_EQ(h.sink.ops.size(), 128u);
}

// --- Dissector: framing -----------------------------------------------------------------

TEST(EnipDissector, SeveralPdusInOneSegment) {
  StreamHarness h(Registered("enip"));
  auto both = Concat({kListServicesRequest, kRegisterRequest});
  h.Request(both, 5);
  EXPECT_EQ(Count(h.sink, "enip"), 2u);
  for (const auto& p : h.sink.pdus) EXPECT_EQ(p.frame, 5u);
  h.Response(Concat({kListServicesReply, kRegisterReply}), 6);
  EXPECT_EQ(h.sink.ops.size(), 2u);
}

TEST(EnipDissector, PduSplitAcrossSegments) {
  StreamHarness h(Registered("enip"));
  auto pdu = Hex(kUnconnectedSendRequest);
  h.SendInChunks(flow::Direction::kFromInitiator, pdu, 5, 8);
  EXPECT_EQ(Count(h.sink, "enip"), 1u);
  EXPECT_EQ(Count(h.sink, "cip"), 2u);
  h.SendInChunks(flow::Direction::kFromResponder, Hex(kUnconnectedSendReply), 7, 10);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
}

TEST(EnipDissector, GapReportsPendingAndResynchronises) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kIdentityRequest), 1);
  h.Gap(flow::Direction::kFromResponder, 100);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_TRUE(h.sink.ops[0].result.empty());  // its reply may have been in the gap
  // The responder's stream resumes mid-PDU: the tail of something, then a whole reply.
  auto resumed = Concat({"de ad be ef 01 02 03", kListServicesReply});
  h.Response(resumed, 3);
  EXPECT_EQ(Count(h.sink, "enip", 0x04), 1u);
  EXPECT_EQ(h.anomalies.Count("enip.resynchronised"), 1u);
}

TEST(EnipDissector, GarbageAfterTheFirstPduIsSkippedThenGivenUp) {
  StreamHarness h(Registered("enip"));
  h.Request(Hex(kRegisterRequest), 1);
  // A header with options set is not one: the dissector looks for the next header...
  std::vector<uint8_t> junk(6000, 0x41);
  h.Request(junk, 2);
  EXPECT_EQ(h.anomalies.Count("enip.bad_header"), 1u);
  // ...and gives the flow up when none comes within its scan budget.
  EXPECT_EQ(h.anomalies.Count("enip.resync_failed"), 1u);
  EXPECT_EQ(h.stats.detached, 1u);
}

TEST(EnipDissector, EveryTruncatedPrefixCountsNothing) {
  for (auto fixture : {kListIdentityReply, kUnconnectedSendRequest, kMspRequest, kMspReply,
                       kPcccModeRequest, kForwardOpenReply, kRegisterRequest}) {
    auto bytes = Hex(fixture);
    ForEachPrefix(bytes, [](std::span<const uint8_t> prefix) {
      StreamHarness h(Registered("enip"));
      h.Request(prefix, 1);
      h.End();
      EXPECT_TRUE(h.sink.pdus.empty()) << prefix.size();
      EXPECT_TRUE(h.sink.ops.empty());
    });
  }
}

TEST(EnipDissector, TruncatedCipMessagesRaiseAnomalies) {
  // A SendRRData whose data item holds a CIP request cut inside its path.
  auto pdu = Hex(kIdentityRequest);
  pdu[2] = static_cast<uint8_t>(pdu[2] - 2);  // encapsulation length - 2
  pdu[pdu.size() - 8] = 4;                    // data item length 6 -> 4
  pdu.resize(pdu.size() - 2);
  StreamHarness h(Registered("enip"));
  h.Request(pdu, 1);
  EXPECT_EQ(h.anomalies.Count("cip.bad_request"), 1u);
  EXPECT_EQ(Count(h.sink, "cip"), 1u);
}

// --- Probes -----------------------------------------------------------------------------

TEST(EnipProbe, AcceptsEncapsulationAndRefusesOtherProtocols) {
  using enip::ProbeTcp;
  auto dir = flow::Direction::kFromInitiator;
  EXPECT_EQ(ProbeTcp(dir, Hex(kRegisterRequest)), ProbeResult::kYes);
  EXPECT_EQ(ProbeTcp(dir, Hex(kUnconnectedSendRequest)), ProbeResult::kYes);
  EXPECT_EQ(ProbeTcp(dir, std::span<const uint8_t>(Hex(kRegisterRequest)).first(10)),
            ProbeResult::kMaybe);
  std::string http = "GET / HTTP/1.1\r\nHost: plc\r\n\r\n";
  EXPECT_EQ(ProbeTcp(dir, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(http.data()),
                                                   http.size())),
            ProbeResult::kNo);
  // TLS ClientHello record header.
  EXPECT_EQ(ProbeTcp(dir, Hex("16 03 01 02 00 01 00 01 fc 03 03 5a 5b 5c 5d 5e 5f 60 61 62 63 64 "
                              "65 66 67 68 69 6a")),
            ProbeResult::kNo);
  // Modbus/TCP read holding registers with transaction id 0x0000 (which reads as NOP).
  EXPECT_EQ(ProbeTcp(dir, Hex("00 00 00 00 00 06 01 03 00 00 00 0a 00 00 00 00 00 00 00 00 "
                              "ff ff ff ff")),
            ProbeResult::kNo);
  // Two Modbus/TCP requests of function 0 and 1 read as a NOP of zeros and then no known
  // command; the NOP alone decides nothing.
  auto scan = Hex("00 00 00 00 00 06 01 00 00 00 00 00 00 00 00 00 00 06 01 01 00 00 00 00");
  EXPECT_EQ(ProbeTcp(dir, std::span<const uint8_t>(scan)), ProbeResult::kMaybe);
  scan.insert(scan.end(), {0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 0x01, 0x02});
  EXPECT_EQ(ProbeTcp(dir, scan), ProbeResult::kNo);
  // A NOP and then a RegisterSession is EtherNet/IP.
  auto nop_then_register =
      Hex("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
          "00 00 00 00");
  const auto reg = Hex(kRegisterRequest);
  nop_then_register.insert(nop_then_register.end(), reg.begin(), reg.end());
  EXPECT_EQ(ProbeTcp(dir, nop_then_register), ProbeResult::kYes);
  // S7comm over TPKT.
  EXPECT_EQ(ProbeTcp(dir, Hex("03 00 00 16 11 e0 00 00 00 01 00 c1 02 01 00 c2 02 01 02 c0 01 "
                              "0a 00 00")),
            ProbeResult::kNo);
  // A known command with a non-zero options field is not EtherNet/IP.
  auto bad = Hex(kRegisterRequest);
  bad[20] = 1;
  EXPECT_EQ(ProbeTcp(dir, bad), ProbeResult::kNo);
}

TEST(EnipProbe, UdpAndIoDatagrams) {
  auto dir = flow::Direction::kFromInitiator;
  EXPECT_EQ(enip::ProbeUdp(dir, Hex(kListIdentityRequest)), ProbeResult::kYes);
  auto longer = Hex(kListIdentityRequest);
  longer.push_back(0);
  EXPECT_EQ(enip::ProbeUdp(dir, longer), ProbeResult::kNo);
  EXPECT_EQ(enip::ProbeIo(dir, Hex(kIoFrame)), ProbeResult::kYes);
  EXPECT_EQ(enip::ProbeIo(dir, Hex(kListIdentityRequest)), ProbeResult::kNo);
  // A DNS query is neither.
  auto dns = Hex("12 34 01 00 00 01 00 00 00 00 00 00 03 77 77 77 00 00 01 00 01");
  EXPECT_EQ(enip::ProbeUdp(dir, dns), ProbeResult::kNo);
  EXPECT_EQ(enip::ProbeIo(dir, dns), ProbeResult::kNo);
}

// --- Implicit I/O -----------------------------------------------------------------------

TEST(EnipIoDissector, CountsFramesByConnectionAndReportsCyclicTraffic) {
  StreamHarness h(Registered("enip_io"));
  h.Request(Hex(kIoFrame), 1);
  h.Response(Hex(kIoFrame), 2);
  EXPECT_STREQ(h.Protocol(), "enip_io");
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_STREQ(h.sink.pdus[0].histogram, "connections");
  EXPECT_EQ(h.sink.pdus[0].code, 0x003a7b78u);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kOther);
  ASSERT_EQ(h.sink.cyclic.size(), 2u);
  EXPECT_EQ(h.sink.cyclic[0].ip.ToString(), "10.0.0.1");
  EXPECT_EQ(h.sink.cyclic[1].ip.ToString(), "10.0.0.2");
  EXPECT_TRUE(h.sink.ops.empty());
}

TEST(EnipIoDissector, ConnectionHistogramIsCappedPerFlow) {
  StreamHarness h(Registered("enip_io"));
  auto frame = Hex(kIoFrame);
  for (uint8_t i = 0; i < 40; ++i) {
    frame[6] = i;  // connection id low byte
    h.Request(frame, i + 1u);
  }
  EXPECT_EQ(h.sink.pdus.size(), 40u);
  EXPECT_EQ(h.anomalies.Count("enip_io.connection_cap"), 8u);
  EXPECT_EQ(h.sink.pdus.back().code, 0xffffffffu);
}

}  // namespace
}  // namespace qw::dissect
