// Tests of the BACnet/IP dissector: real datagrams of the shared captures (UDP payloads,
// annotated field by field as tshark 4.0.17 dissects them; capture and frame named), a few
// made-up ones for what the captures lack, malformed and truncated datagrams, pairing,
// identities and the probe.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissect/bacnet/bacnet_dissector.h"
#include "dissect/bacnet/bacnet_names.h"
#include "dissect/bacnet/bacnet_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

constexpr auto kInit = flow::Direction::kFromInitiator;

// bacnet/BACnetARRAY-element-0.pcap frame 1: ReadProperty of binary-output 1.
constexpr std::string_view kReadProperty = R"(
  81 0a 00 13   # BVLC: BACnet/IP, Original-Unicast-NPDU, length 19
  01 04         # NPDU: version 1, control 0x04 (expecting reply)
  00            # APDU: Confirmed-Request, no segmentation
  00            #   max segments unspecified, max APDU 50
  1e            #   invoke id 30
  0c            #   service 12 readProperty
  0c 01 00 00 01   # [0] object identifier: binary-output 1
  19 55            # [1] property identifier 85 present-value
  29 00            # [2] array index 0
)";

// bacnet/BACnetARRAY-element-0.pcap frame 2: its Complex-ACK.
constexpr std::string_view kReadPropertyAck = R"(
  81 0a 00 16   # BVLC: Original-Unicast-NPDU, length 22
  01 00         # NPDU: version 1, control 0
  30 1e 0c      # APDU: Complex-ACK, invoke id 30, service 12 readProperty
  0c 01 00 00 01   # [0] binary-output 1
  19 55            # [1] present-value
  29 00            # [2] array index 0
  3e 91 00 3f      # [3] { enumerated 0 }
)";

// bacnet/bacnet_test.pcap frame 13: ReadProperty of the device's object-name.
constexpr std::string_view kReadName = R"(
  81 0a 00 11 01 04   # BVLC Original-Unicast (17), NPDU expecting reply
  00 05 01 0c         # Confirmed-Request, max APDU 1476, invoke id 1, readProperty
  0c 02 3f ff ff      # [0] device 4194303 (the wildcard instance)
  19 4d               # [1] property 77 object-name
)";

// bacnet/bacnet_test.pcap frame 14: the ack, a UCS-2 character string.
constexpr std::string_view kReadNameAck = R"(
  81 0a 00 21 01 00   # BVLC Original-Unicast (33), NPDU
  30 01 0c            # Complex-ACK, invoke id 1, readProperty
  0c 02 3f ff ff      # [0] device 4194303
  19 4d               # [1] object-name
  3e                  # [3] opening
    75 0d             #   character string, 13 octets
    04                #   character set 4 (UCS-2)
    00 4b 00 42 00 52 00 4e 00 41 00 45   # "KBRNAE"
  3f                  # [3] closing
)";

// bacnet/bacnet_test.pcap frames 21 and 22: Read-BDT, refused.
constexpr std::string_view kReadBdt = "81 02 00 04   # Read-Broadcast-Distribution-Table";
constexpr std::string_view kReadBdtNak = R"(
  81 00 00 06   # BVLC-Result, length 6
  00 20         # result 0x0020: Read-Broadcast-Distribution-Table NAK
)";

// bacnet/bacnet_test.pcap frames 25 and 26: Register-Foreign-Device, refused.
constexpr std::string_view kRegisterFd = R"(
  81 05 00 06   # Register-Foreign-Device, length 6
  00 10         # time-to-live 16 s
)";
constexpr std::string_view kRegisterFdNak = "81 00 00 06 00 30   # BVLC-Result: Register-FD NAK";

// bacnet/BACnet-BBMD-on-same-subnet.pcap frame 6: an I-Am forwarded by the BBMD.
constexpr std::string_view kForwardedIAm = R"(
  81 04 00 1f         # BVLC: Forwarded-NPDU, length 31
  c0 a8 00 69 ba c0   # originally from 192.168.0.105:47808
  01 20               # NPDU: version 1, control 0x20 (DNET present)
  ff ff 00 ff         # DNET 65535 (global broadcast), DLEN 0, hop count 255
  10 00               # Unconfirmed-Request, service 0 i-Am
  c4 02 00 00 7b      # object identifier: device 123
  22 05 c4            # unsigned 1476 (max APDU)
  91 03               # enumerated 3 (no-segmentation)
  22 01 04            # unsigned 260 (vendor: BACnet Stack at SourceForge)
)";

// bacnet/BACnet-BBMD-on-same-subnet.pcap frame 11: an I-Am of a device behind a router.
constexpr std::string_view kRoutedIAm = R"(
  81 0b 00 1c         # Original-Broadcast-NPDU, length 28
  01 28               # NPDU: control 0x28 (DNET and SNET present)
  ff ff 00            # DNET 65535, DLEN 0
  65 91 01 72         # SNET 26001, SLEN 1, SADR 0x72
  fe                  # hop count 254
  10 00               # i-Am
  c4 02 01 50 62      # device 86114
  21 32 91 03 22 01 04   # max APDU 50, no-segmentation, vendor 260
)";

// bacnet/bacnet_error_reject_abort.pcap frame 15: WriteProperty.
constexpr std::string_view kWriteProperty = R"(
  81 0a 00 1a 01 04   # Original-Unicast (26), NPDU expecting reply
  00 05 01 0f         # Confirmed-Request, invoke id 1, service 15 writeProperty
  0c 00 40 00 00      # [0] analog-output 0
  19 55               # [1] present-value
  3e 44 42 a0 00 00 3f   # [3] { real 80.0 }
  49 05               # [4] priority 5
)";

// bacnet/bacnet_error_reject_abort.pcap frame 16: WritePropertyMultiple of two objects.
constexpr std::string_view kWritePropertyMultiple = R"(
  81 0a 00 2e 01 04 00 05 01 10   # invoke id 1, service 16 writePropertyMultiple
  0c 01 00 00 00      # [0] binary-output 0
  1e                  # [1] {
    09 55             #   [0] present-value
    2e 44 00 00 00 00 2f   #   [2] { real 0.0 }
    39 05             #   [3] priority 5
  1f                  # }
  0c 01 00 00 01      # [0] binary-output 1
  1e 09 55 2e 44 00 00 00 00 2f 39 05 1f   # the same for it
)";

// bacnet/bacnet_error_reject_abort.pcap frame 17: DeviceCommunicationControl.
constexpr std::string_view kDcc = R"(
  81 0a 00 19 01 04 00 05 01 11   # invoke id 1, service 17 deviceCommunicationControl
  09 3c               # [0] time duration 60 min
  19 01               # [1] enable-disable 1 (disable)
  2d 09 00 66 69 6c 69 73 74 65 72   # [2] password "filister" (charset 0)
)";

// bacnet/bacnet_error_reject_abort.pcap frame 8: the NPDU of an AtomicWriteFile up to its
// file object (the 466 bytes of stream access and file data after it are left out; Bvlc()
// puts a BVLC of the new length around it).
constexpr std::string_view kAtomicWriteFileHead = R"(
  01 24 00 0d 01 3d ff   # NPDU: DNET 13, DLEN 1, DADR 0x3d, hop count 255
  00 03 01 07            # Confirmed-Request, invoke id 1, service 7 atomicWriteFile
  c4 02 80 00 00         # object identifier: file 0
)";

// bacnet/bacnet_example.pcap frame 572: ReinitializeDevice whose BVLC length (17) is
// shorter than the datagram (25): the password is cut by the BVLC length.
constexpr std::string_view kReinitialize = R"(
  81 0a 00 11         # Original-Unicast, BVLC length 17
  01 04 00 05 01 14   # invoke id 1, service 20 reinitializeDevice
  09 06               # [0] reinitialized state 6 (abortrestore)
  1d 0b 00 44 65 6c 63 61 74 74 79 37 30   # [1] password "Delcatty70"
)";

// bacnet/bacnet_example.pcap frame 573: the Error (BVLC length 17, datagram 13).
constexpr std::string_view kReinitializeError = R"(
  81 0a 00 11 01 04   # Original-Unicast, BVLC length 17
  50 01 14            # Error, invoke id 1, service 20
  91 05               # error class 5 (services)
  91 1a               # error code 26 (password-failure)
)";

// bacnet/bacnet_error_reject_abort.pcap frame 19: ReinitializeDevice coldstart.
constexpr std::string_view kColdstart = "81 0a 00 0c 01 04 00 05 01 14 09 00";
// bacnet/bacnet_error_reject_abort.pcap frame 44: Reject of invoke id 58.
constexpr std::string_view kReject = R"(
  81 0a 00 0e 01 20 00 0d 01 3d ff   # NPDU with DNET 13
  60 3a 09            # Reject, invoke id 58, reason 9 (unrecognized-service)
)";
// bacnet/bacnet_error_reject_abort.pcap frame 45: Abort by the server of invoke id 1.
constexpr std::string_view kAbort = "81 0b 00 09 01 00 71 01 00   # Abort SRV, invoke 1, other";

// bacnet/bacnet_q-in-q.pcap frame 1: Who-Is for one device.
constexpr std::string_view kWhoIsRange = R"(
  81 0b 00 12 01 20 ff ff 00 ff   # Original-Broadcast, NPDU DNET 65535, hop count 255
  10 08               # Unconfirmed-Request, service 8 who-Is
  0a 1b 59            # [0] low limit 7001
  1a 1b 59            # [1] high limit 7001
)";

// bacnet/bacnet_error_reject_abort.pcap frame 35: TimeSynchronization.
constexpr std::string_view kTimeSync = R"(
  81 09 00 16 01 20 ff ff 00 ff   # Distribute-Broadcast-To-Network
  10 06               # timeSynchronization
  a4 d9 0a 01 01      # date 2117-10-01 (Monday)
  b4 0a 2c 2f 33      # time 10:44:47.51
)";

// bacnet/bacnet_segmented_data.pcap frames 14 to 19: a ReadProperty answered in three
// segments, each acknowledged.
constexpr std::string_view kSegRequest = R"(
  81 0a 00 11 01 04   # Original-Unicast (17)
  02 34 5e 0c         # Confirmed-Request (segmented response accepted), invoke id 94, readProperty
  0c 02 00 00 fe 19 4c   # device 254 object-list
)";
constexpr std::string_view kSegAck0 = R"(
  81 0a 04 06 01 04   # Original-Unicast (1030)
  3c 5e 00 03 0c      # Complex-ACK segmented, more follows, invoke id 94, seq 0, window 3, readProperty
)"
                                      R"(
    0c 02 00 00 fe 19 4c 3e c4 00 c0 00 00 c4 00 c0 4e 21 c4 00 c0 4e 22 c4 00 c0 4e 23 c4 00 c0 4e
    24 c4 01 00 00 00 c4 01 00 27 10 c4 01 00 27 11 c4 01 00 27 12 c4 01 00 27 13 c4 01 00 27 14 c4
    01 00 27 15 c4 01 00 27 16 c4 01 00 27 17 c4 01 00 27 18 c4 01 00 27 19 c4 01 00 27 1a c4 01 00
    27 1b c4 01 00 27 1c c4 01 00 27 1d c4 01 00 27 1e c4 01 00 27 1f c4 01 00 27 20 c4 01 00 27 21
    c4 01 00 27 22 c4 01 00 27 23 c4 01 00 27 24 c4 01 00 27 25 c4 01 00 27 26 c4 01 00 27 27 c4 01
    00 27 28 c4 01 00 27 29 c4 01 00 27 2a c4 01 00 27 2b c4 01 00 27 2c c4 01 00 27 2d c4 01 00 27
    2e c4 01 00 27 2f c4 01 00 27 30 c4 01 00 27 31 c4 01 00 27 32 c4 01 00 27 33 c4 01 00 27 34 c4
    01 00 27 35 c4 01 00 27 36 c4 01 00 27 37 c4 01 00 27 38 c4 01 00 27 39 c4 01 00 27 3a c4 01 00
    27 3b c4 01 00 27 3c c4 01 00 27 3d c4 01 00 27 3e c4 01 00 27 3f c4 01 00 27 40 c4 01 00 27 41
    c4 01 00 27 42 c4 01 00 27 43 c4 01 00 27 44 c4 01 00 27 45 c4 01 00 27 46 c4 01 00 27 47 c4 01
    00 27 48 c4 01 00 27 49 c4 01 00 27 4a c4 01 00 27 4b c4 01 00 27 4c c4 01 00 27 4d c4 01 00 27
    4e c4 01 00 27 4f c4 01 00 27 50 c4 01 00 27 51 c4 01 00 27 52 c4 01 00 27 53 c4 01 00 27 54 c4
    01 00 27 55 c4 01 00 27 56 c4 01 00 27 57 c4 01 00 27 58 c4 01 00 27 59 c4 01 00 27 5a c4 01 00
    27 5b c4 01 00 27 5c c4 01 00 27 5d c4 01 00 27 5e c4 01 00 27 5f c4 01 00 27 60 c4 01 00 27 61
    c4 01 00 27 62 c4 01 00 27 63 c4 01 00 27 64 c4 01 00 27 65 c4 01 00 27 66 c4 01 00 27 67 c4 01
    00 27 68 c4 01 00 27 69 c4 01 00 27 6a c4 01 00 27 6b c4 01 00 27 6c c4 01 00 27 6d c4 01 00 27
    6e c4 01 00 27 6f c4 01 00 27 70 c4 01 00 27 71 c4 01 00 27 72 c4 01 00 27 73 c4 01 00 4e 21 c4
    01 00 4e 22 c4 01 00 4e 23 c4 01 00 4e 24 c4 01 40 00 00 c4 02 00 00 fe c4 02 c0 00 00 c4 02 c0
    00 01 c4 02 c0 00 02 c4 02 c0 00 03 c4 02 c0 00 04 c4 02 c0 00 05 c4 02 c0 00 06 c4 02 c0 00 07
    c4 02 c0 00 08 c4 02 c0 00 09 c4 02 c0 00 0a c4 02 c0 00 0b c4 02 c0 00 0c c4 02 c0 00 0d c4 02
    c0 00 0e c4 02 c0 00 0f c4 02 c0 00 10 c4 02 c0 00 11 c4 02 c0 00 12 c4 02 c0 00 13 c4 02 c0 00
    14 c4 02 c0 00 15 c4 02 c0 00 16 c4 02 c0 00 17 c4 02 c0 00 18 c4 02 c0 00 19 c4 02 c0 00 1a c4
    02 c0 00 1b c4 02 c0 00 1c c4 02 c0 00 1d c4 02 c0 00 1e c4 02 c0 00 1f c4 02 c0 00 20 c4 02 c0
    00 21 c4 02 c0 00 22 c4 02 c0 00 23 c4 02 c0 00 24 c4 02 c0 00 25 c4 02 c0 00 26 c4 02 c0 00 27
    c4 02 c0 00 28 c4 02 c0 00 29 c4 02 c0 00 2a c4 02 c0 00 2b c4 02 c0 00 2c c4 02 c0 00 2d c4 02
    c0 00 2e c4 02 c0 00 2f c4 02 c0 00 30 c4 02 c0 00 31 c4 02 c0 00 32 c4 02 c0 00 33 c4 02 c0 00
    34 c4 02 c0 00 35 c4 02 c0 00 36 c4 02 c0 00 37 c4 02 c0 00 38 c4 02 c0 00 39 c4 02 c0 00 3a c4
    02 c0 00 3b c4 02 c0 00 3c c4 02 c0 00 3d c4 02 c0 00 3e c4 02 c0 00 3f c4 02 c0 00 64 c4 02 c0
    00 65 c4 02 c0 00 66 c4 02 c0 00 67 c4 02 c0 00 c8 c4 02 c0 00 c9 c4 02 c0 00 ca c4 02 c0 00 cb
    c4 02 c0 00 cc c4 02 c0 00 cd c4 02 c0 00 ce c4 02 c0 00 cf c4 02 c0 00 d0 c4 02 c0 00 d1 c4 02
    c0 00 d2 c4 02 c0 00 d3 c4 02 c0 00 d4 c4 02 c0 00 d5 c4 02 c0 00 d6 c4 02 c0 00 d7 c4 02 c0 00
    d8 c4 02 c0 00 d9 c4 02 c0 00 da c4 02 c0 00 db c4 02 c0 00 dc c4 02 c0 00 dd c4
)";
constexpr std::string_view kSegAck1 = R"(
  81 0a 04 06 01 04   # Original-Unicast (1030)
  3c 5e 01 03 0c      # Complex-ACK segmented, more follows, invoke id 94, seq 1, window 3
)"
                                      R"(
    02 c0 00 de c4 02 c0 00 df c4 02 c0 00 e0 c4 02 c0 00 e1 c4 02 c0 00 e2 c4 02 c0 00 e3 c4 02 c0
    00 e4 c4 02 c0 00 e5 c4 02 c0 00 e6 c4 02 c0 00 e7 c4 02 c0 00 e8 c4 02 c0 00 e9 c4 02 c0 00 ea
    c4 02 c0 00 eb c4 02 c0 00 ec c4 02 c0 00 ed c4 02 c0 00 ee c4 02 c0 00 ef c4 02 c0 01 2c c4 02
    c0 01 2d c4 02 c0 01 2e c4 02 c0 01 2f c4 02 c0 01 30 c4 02 c0 01 31 c4 02 c0 01 32 c4 02 c0 01
    33 c4 02 c0 01 34 c4 02 c0 01 35 c4 02 c0 01 36 c4 02 c0 01 37 c4 02 c0 01 38 c4 02 c0 01 39 c4
    02 c0 01 3a c4 02 c0 01 3b c4 02 c0 01 3c c4 02 c0 01 3d c4 02 c0 01 3e c4 02 c0 01 3f c4 02 c0
    01 40 c4 02 c0 01 41 c4 02 c0 01 42 c4 02 c0 01 43 c4 02 c0 01 44 c4 02 c0 01 45 c4 02 c0 01 46
    c4 02 c0 01 47 c4 02 c0 01 48 c4 02 c0 01 49 c4 02 c0 01 4a c4 02 c0 01 4b c4 02 c0 01 4c c4 02
    c0 01 4d c4 02 c0 01 4e c4 02 c0 01 4f c4 02 c0 01 50 c4 02 c0 01 51 c4 02 c0 01 52 c4 02 c0 01
    53 c4 02 c0 01 54 c4 02 c0 01 55 c4 02 c0 01 56 c4 02 c0 01 57 c4 02 c0 01 58 c4 02 c0 01 59 c4
    02 c0 01 5a c4 02 c0 01 5b c4 02 c0 01 5c c4 02 c0 01 5d c4 02 c0 01 5e c4 02 c0 01 5f c4 02 c0
    01 60 c4 02 c0 01 61 c4 02 c0 01 62 c4 02 c0 01 63 c4 02 c0 01 64 c4 02 c0 01 65 c4 02 c0 01 66
    c4 02 c0 01 67 c4 02 c0 01 68 c4 02 c0 01 69 c4 02 c0 01 6a c4 02 c0 01 6b c4 02 c0 01 6c c4 02
    c0 01 6d c4 02 c0 01 6e c4 02 c0 01 6f c4 02 c0 01 70 c4 02 c0 01 71 c4 02 c0 01 72 c4 02 c0 01
    73 c4 02 c0 01 74 c4 02 c0 01 75 c4 02 c0 01 76 c4 02 c0 01 77 c4 02 c0 01 78 c4 02 c0 01 79 c4
    02 c0 01 7a c4 02 c0 01 7b c4 02 c0 01 7c c4 02 c0 01 7d c4 02 c0 01 7e c4 02 c0 01 7f c4 02 c0
    01 80 c4 02 c0 01 81 c4 02 c0 01 82 c4 02 c0 01 83 c4 02 c0 01 84 c4 02 c0 01 85 c4 02 c0 01 86
    c4 02 c0 01 87 c4 02 c0 01 88 c4 02 c0 01 89 c4 02 c0 01 8a c4 02 c0 01 8b c4 02 c0 01 8c c4 02
    c0 01 8d c4 02 c0 01 8e c4 02 c0 01 8f c4 03 c0 00 00 c4 04 40 01 2c c4 04 40 01 2d c4 04 40 01
    2e c4 04 40 01 2f c4 04 40 01 30 c4 04 40 01 31 c4 04 40 01 32 c4 04 40 01 33 c4 04 40 01 34 c4
    04 40 01 35 c4 04 40 01 36 c4 04 40 01 37 c4 04 40 01 38 c4 04 40 01 39 c4 04 40 01 3a c4 04 40
    01 3b c4 04 40 01 3c c4 04 40 01 3d c4 04 40 01 3e c4 04 40 01 3f c4 04 40 01 40 c4 04 40 01 41
    c4 04 40 01 42 c4 04 40 01 43 c4 04 40 01 44 c4 04 40 01 45 c4 04 40 01 46 c4 04 40 01 47 c4 04
    40 01 48 c4 04 40 01 49 c4 04 40 01 4a c4 04 40 01 4b c4 04 40 01 4c c4 04 40 01 4d c4 04 40 01
    4e c4 04 40 01 4f c4 04 40 01 50 c4 04 40 01 51 c4 04 40 01 52 c4 04 40 01 53 c4 04 40 01 54 c4
    04 40 01 55 c4 04 40 01 56 c4 04 40 01 57 c4 04 40 01 58 c4 04 40 01 59 c4 04 40 01 5a c4 04 40
    01 5b c4 04 40 01 5c c4 04 40 01 5d c4 04 40 01 5e c4 04 40 01 5f c4 04 40 01 60 c4 04 40 01 61
    c4 04 40 01 62 c4 04 40 01 63 c4 04 40 01 64 c4 04 40 01 65 c4 04 40 01 66 c4 04 40 01 67 c4 04
    40 01 68 c4 04 40 01 69 c4 04 40 01 6a c4 04 40 01 6b c4 04 40 01 6c c4 04 40 01 6d c4 04 40 01
    6e c4 04 40 01 6f c4 04 40 01 70 c4 04 40 01 71 c4 04 40 01 72 c4 04 40 01 73 c4 04 40 01 74 c4
    04 40 01 75 c4 04 40 01 76 c4 04 40 01 77 c4 04 40 01 78 c4 04 40 01 79 c4 04 40 01 7a c4 04 40
    01 7b c4 04 40 01 7c c4 04 40 01 7d c4 04 40 01 7e c4 04 40 01 7f c4 04 40 01 80
)";
constexpr std::string_view kSegAck2 = R"(
  81 0a 00 70 01 04   # Original-Unicast (112)
  38 5e 02 03 0c      # Complex-ACK segmented, last segment, invoke id 94, seq 2
  c4 04 40 01 81 c4 04 40 01 82 c4 04 40 01 83 c4 04 40 01 84 c4 04 40 01 85 c4 04 40 01 86
  c4 04 40 01 87 c4 04 40 01 88 c4 04 40 01 89 c4 04 40 01 8a c4 04 40 01 8b c4 04 40 01 8c
  c4 04 40 01 8d c4 04 40 01 8e c4 04 40 01 8f c4 05 c0 00 01 c4 05 c0 00 02 c4 05 c0 00 03
  c4 05 c0 00 04 c4 05 c0 00 05   # object identifiers
  3f                  # [3] closing
)";
constexpr std::string_view kSegmentAck0 = "81 0a 00 0a 01 00 40 5e 00 03   # Segment-ACK seq 0";
constexpr std::string_view kSegmentAck2 = "81 0a 00 0a 01 00 40 5e 02 03   # Segment-ACK seq 2";

// Made up: a ReadPropertyMultiple-ACK naming a device (no capture reads these of a device).
constexpr std::string_view kRpmAckDevice = R"(
  81 0a 00 2d 01 00   # Original-Unicast (45)
  30 07 0e            # Complex-ACK, invoke id 7, service 14 readPropertyMultiple
  0c 02 00 01 f4      # [0] device 500
  1e                  # [1] {
    29 4d             #   [2] object-name
    4e 75 04 00 41 48 55 4f   #   [4] { string "AHU" } (one octet of charset 0 and 3 chars)
    29 46             #   [2] model-name
    4e 75 05 00 58 2d 31 30 4f   #   [4] { string "X-10" }
    29 2c             #   [2] firmware-revision
    5e 91 02 91 20 5f #   [5] { error property unknown-property }
  1f                  # }
)";

// Made up: Who-Is-Router-To-Network, a network-layer message.
constexpr std::string_view kWhoIsRouter = R"(
  81 0b 00 07   # Original-Broadcast (7)
  01 80         # NPDU: network-layer message
  00            # message type 0 Who-Is-Router-To-Network
)";

// An Original-Unicast-NPDU around the NPDU `npdu_hex`.
std::vector<uint8_t> Bvlc(std::string_view npdu_hex) {
  auto npdu = Hex(npdu_hex);
  const size_t length = npdu.size() + 4;
  std::vector<uint8_t> out;
  out.reserve(length);
  out.push_back(0x81);
  out.push_back(0x0a);
  out.push_back(static_cast<uint8_t>(length >> 8));
  out.push_back(static_cast<uint8_t>(length));
  for (uint8_t b : npdu) out.push_back(b);
  return out;
}

// Counted PDUs whose detail histogram `name` holds `code`.
int DetailCount(const testing::RecordingSink& s, std::string_view name, uint32_t code) {
  int n = 0;
  for (const auto& d : s.details) n += name == d.histogram && d.code == code;
  return n;
}

TEST(BacnetProbe, AcceptsBacnetIpDatagrams) {
  for (auto fixture :
       {kReadProperty, kReadPropertyAck, kReadBdt, kReadBdtNak, kRegisterFd, kForwardedIAm,
        kRoutedIAm, kWhoIsRange, kTimeSync, kReinitialize, kSegAck0, kWhoIsRouter}) {
    auto bytes = Hex(fixture);
    EXPECT_EQ(bacnet::Probe(kInit, bytes), ProbeResult::kYes) << fixture;
  }
}

TEST(BacnetProbe, RejectsOtherProtocols) {
  const std::vector<std::string_view> others = {
      "47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a",                 // HTTP request
      "16 03 01 00 2e 01 00 00 2a 03 03",                                // TLS ClientHello
      "00 01 00 00 00 06 01 03 00 00 00 0a",                             // Modbus/TCP request
      "12 34 01 00 00 01 00 00 00 00 00 00 03 77 77 77 00 00 01 00 01",  // DNS query
      "82 01 00 0a 00 00 01 00 00 01",  // BACnet/IPv6 (Annex U): not ours
      "81 0c 00 08 00 00 00 00",        // Secured-BVLL
      "81 05 00 08 00 10 00 00",        // Register-FD of the wrong size
      "81 0a 00 08 02 00 10 08",        // NPDU version 2
      "81 0a 00 08 01 40 10 08",        // NPDU with a reserved control bit
      "81 0a 00 02",                    // BVLC length below 4
      "81 0a",                          // too short
  };
  for (auto hex : others) {
    auto bytes = Hex(hex);
    EXPECT_EQ(bacnet::Probe(kInit, bytes), ProbeResult::kNo) << hex;
  }
}

TEST(BacnetParser, ReadPropertyRequestFields) {
  auto bytes = Hex(kReadProperty);
  core::Anomalies an;
  auto bvlc = bacnet::ParseBvlc(bytes, an);
  ASSERT_TRUE(bvlc);
  EXPECT_EQ(bvlc->function, 0x0a);
  EXPECT_EQ(bvlc->length, 19);
  auto npdu = bacnet::ParseNpdu(bvlc->npdu, an);
  ASSERT_TRUE(npdu);
  EXPECT_TRUE(npdu->expecting_reply);
  EXPECT_FALSE(npdu->has_dnet);
  auto apdu = bacnet::ParseApdu(npdu->apdu, an);
  ASSERT_TRUE(apdu);
  EXPECT_EQ(apdu->type, 0);
  EXPECT_EQ(apdu->invoke_id, 30);
  EXPECT_EQ(apdu->service, 12);
  auto s = bacnet::SummarizeConfirmedRequest(apdu->service, apdu->params, an);
  EXPECT_TRUE(s.has_object);
  EXPECT_EQ(s.object.type, 4);
  EXPECT_EQ(s.object.instance, 1u);
  EXPECT_EQ(s.property, 85u);
  EXPECT_TRUE(s.has_index);
  EXPECT_EQ(s.index, 0u);
  EXPECT_FALSE(s.malformed);
  EXPECT_TRUE(an.empty());
}

TEST(BacnetParser, ForwardedNpduCarriesTheOrigin) {
  auto bytes = Hex(kForwardedIAm);
  core::Anomalies an;
  auto bvlc = bacnet::ParseBvlc(bytes, an);
  ASSERT_TRUE(bvlc);
  EXPECT_TRUE(bvlc->forwarded);
  EXPECT_EQ(bvlc->origin_ip.ToString(), "192.168.0.105");
  EXPECT_EQ(bvlc->origin_port, 47808);
  auto npdu = bacnet::ParseNpdu(bvlc->npdu, an);
  ASSERT_TRUE(npdu);
  EXPECT_TRUE(npdu->has_dnet);
  EXPECT_EQ(npdu->dnet, 0xffff);
  EXPECT_EQ(npdu->hop_count, 255);
  auto apdu = bacnet::ParseApdu(npdu->apdu, an);
  ASSERT_TRUE(apdu);
  auto iam = bacnet::ParseIAm(apdu->params, an);
  ASSERT_TRUE(iam);
  EXPECT_EQ(iam->device.instance, 123u);
  EXPECT_EQ(iam->max_apdu, 1476u);
  EXPECT_EQ(iam->segmentation, 3u);
  EXPECT_EQ(iam->vendor_id, 260u);
  EXPECT_TRUE(an.empty());
}

TEST(BacnetParser, NamesOfEnumerations) {
  EXPECT_STREQ(bacnet::ConfirmedServiceName(12), "read-property");
  EXPECT_STREQ(bacnet::ConfirmedServiceName(28), "subscribe-cov-property");
  EXPECT_STREQ(bacnet::UnconfirmedServiceName(8), "who-is");
  EXPECT_STREQ(bacnet::ObjectTypeName(8), "device");
  EXPECT_STREQ(bacnet::PropertyName(85), "present-value");
  EXPECT_STREQ(bacnet::PropertyName(73), "number-of-apdu-retries");
  EXPECT_EQ(bacnet::PropertyName(100000), nullptr);
  EXPECT_STREQ(bacnet::ErrorCodeName(32), "unknown-property");
  EXPECT_STREQ(bacnet::VendorName(5), "Johnson Controls");
  EXPECT_EQ(bacnet::VendorName(99999), nullptr);
}

TEST(BacnetDissector, ReadPropertyPairsWithItsAck) {
  StreamHarness h(Registered("bacnet"));
  auto req = Hex(kReadProperty);
  auto ack = Hex(kReadPropertyAck);
  h.Request(req, 1);
  h.Response(ack, 2);
  EXPECT_STREQ(h.Protocol(), "bacnet");
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const auto& op = h.sink.ops[0];
  EXPECT_STREQ(op.protocol, "bacnet");
  EXPECT_EQ(op.function_code, 12u);
  EXPECT_STREQ(op.function, "read-property");
  EXPECT_EQ(op.category, IcsCategory::kRead);
  EXPECT_EQ(op.target.view(), "binary-output 1 present-value[0]");
  EXPECT_EQ(op.result.view(), "ok");
  EXPECT_EQ(op.request_frame, 1u);
  EXPECT_EQ(op.response_frame, 2u);
  EXPECT_EQ(op.ts.ns, 1'000'000);
  EXPECT_EQ(op.where.requester_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(op.where.device_ip.ToString(), "10.0.0.2");
  EXPECT_EQ(op.where.device_port, 47808);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kRequest);
  EXPECT_STREQ(h.sink.pdus[0].histogram, "functions");
  EXPECT_EQ(h.sink.pdus[0].code, 12u);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  EXPECT_EQ(DetailCount(h.sink, "apdu_types", 0), 1);
  EXPECT_EQ(DetailCount(h.sink, "apdu_types", 3), 1);
  EXPECT_EQ(DetailCount(h.sink, "bvlc_functions", 0x0a), 2);
  h.End();
  EXPECT_EQ(h.sink.ops.size(), 1u);  // nothing left unanswered
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(BacnetDissector, ReadOfTheDeviceNameFillsIdentity) {
  StreamHarness h(Registered("bacnet"));
  auto req = Hex(kReadName);
  auto ack = Hex(kReadNameAck);
  h.Request(req, 13);
  h.Response(ack, 14);
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_EQ(h.sink.identities[0].ip.ToString(), "10.0.0.2");
  EXPECT_EQ(h.sink.identities[0].mac, h.flow().responder_mac);
  EXPECT_EQ(h.sink.Identity("name"), "KBRNAE");
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "device 4194303 object-name");
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(BacnetDissector, ReadPropertyMultipleAckFillsIdentity) {
  StreamHarness h(Registered("bacnet"));
  auto ack = Hex(kRpmAckDevice);
  h.Response(ack, 5);  // its request was not captured
  EXPECT_EQ(h.sink.Identity("name"), "AHU");
  EXPECT_EQ(h.sink.Identity("model"), "X-10");
  EXPECT_EQ(h.sink.Identity("firmware"), "");  // read back as an error
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const auto& op = h.sink.ops[0];
  EXPECT_EQ(op.request_frame, 0u);
  EXPECT_EQ(op.response_frame, 5u);
  EXPECT_EQ(op.target.view(), "device 500: object-name, model-name");
  EXPECT_EQ(op.result.view(), "ok");
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(BacnetDissector, IAmFillsIdentityOfTheOriginalSender) {
  StreamHarness h(Registered("bacnet"));
  auto forwarded = Hex(kForwardedIAm);
  auto routed = Hex(kRoutedIAm);
  h.Request(forwarded, 6);
  h.Request(routed, 11);
  EXPECT_TRUE(h.sink.ops.empty());          // an I-Am is counted and names the device; no operation
  ASSERT_EQ(h.sink.identities.size(), 1u);  // the routed device has no IP of its own here
  const auto& id = h.sink.identities[0];
  EXPECT_STREQ(id.protocol, "bacnet");
  EXPECT_EQ(id.ip.ToString(), "192.168.0.105");
  EXPECT_TRUE(id.mac.IsZero());
  EXPECT_EQ(h.sink.Identity("device_instance"), "123");
  EXPECT_EQ(h.sink.Identity("vendor_id"), "260");
  EXPECT_EQ(h.sink.Identity("vendor"), "BACnet Stack at SourceForge");
  EXPECT_EQ(h.sink.Identity("max_apdu"), "1476");
  EXPECT_EQ(h.sink.Identity("segmentation"), "no-segmentation");
  EXPECT_EQ(DetailCount(h.sink, "unconfirmed", 0), 2);
  EXPECT_EQ(DetailCount(h.sink, "bvlc_functions", 0x04), 1);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(BacnetDissector, WritesAndControlAreCategorised) {
  StreamHarness h(Registered("bacnet"));
  auto wp = Hex(kWriteProperty);
  auto wpm = Hex(kWritePropertyMultiple);
  auto dcc = Hex(kDcc);
  auto file = Bvlc(kAtomicWriteFileHead);
  h.Request(wp, 15);
  h.Request(wpm, 16);  // reuses invoke id 1: the write before is left unanswered
  h.Request(dcc, 17);
  h.Request(file, 8);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 4u);
  const auto& w = h.sink.ops[0];
  EXPECT_STREQ(w.function, "write-property");
  EXPECT_EQ(w.category, IcsCategory::kWrite);
  EXPECT_EQ(w.target.view(), "analog-output 0 present-value = 80 priority 5");
  EXPECT_TRUE(w.result.empty());
  EXPECT_EQ(w.request_frame, 15u);
  EXPECT_EQ(w.response_frame, 0u);
  EXPECT_EQ(h.sink.ops[1].target.view(), "binary-output 0: present-value = 0; +1 objects");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kWrite);
  EXPECT_STREQ(h.sink.ops[2].function, "device-communication-control");
  EXPECT_EQ(h.sink.ops[2].category, IcsCategory::kControllerState);
  EXPECT_EQ(h.sink.ops[2].target.view(), "disable for 60 min with password");
  EXPECT_STREQ(h.sink.ops[3].function, "atomic-write-file");
  EXPECT_EQ(h.sink.ops[3].category, IcsCategory::kProgramChange);
  EXPECT_EQ(h.sink.ops[3].target.view(), "file 0");
  EXPECT_EQ(h.anomalies.Count("bacnet.unanswered_overflow"), 0u);
}

TEST(BacnetDissector, ErrorAnswerCarriesClassAndCode) {
  StreamHarness h(Registered("bacnet"));
  auto req = Hex(kReinitialize);
  auto err = Hex(kReinitializeError);
  h.Request(req, 572);
  h.Response(err, 573);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const auto& op = h.sink.ops[0];
  EXPECT_STREQ(op.function, "reinitialize-device");
  EXPECT_EQ(op.category, IcsCategory::kControllerState);
  EXPECT_EQ(op.target.view(), "abortrestore");  // the password lies past the BVLC length
  EXPECT_EQ(op.result.view(), "error services password-failure");
  EXPECT_EQ(op.response_frame, 573u);
  EXPECT_TRUE(h.sink.pdus[1].exception);
  EXPECT_EQ(h.anomalies.Count("bacnet.bvlc_length_mismatch"), 2u);
  EXPECT_EQ(h.anomalies.Count("bacnet.bad_tag"), 1u);
}

TEST(BacnetDissector, RejectAndAbortEndTheirRequest) {
  StreamHarness h(Registered("bacnet"));
  auto coldstart = Hex(kColdstart);
  auto abort = Hex(kAbort);
  auto reject = Hex(kReject);
  h.Request(coldstart, 19);
  h.Response(abort, 45);   // the server aborts invoke id 1
  h.Response(reject, 44);  // invoke id 58: no such request; counted only
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "coldstart");
  EXPECT_EQ(h.sink.ops[0].result.view(), "abort other");
  ASSERT_EQ(h.sink.pdus.size(), 3u);
  EXPECT_TRUE(h.sink.pdus[1].exception);
  EXPECT_TRUE(h.sink.pdus[2].exception);
  EXPECT_STREQ(h.sink.pdus[2].histogram, "");  // a reject names no service
  EXPECT_EQ(DetailCount(h.sink, "apdu_types", 6), 1);
  EXPECT_EQ(DetailCount(h.sink, "apdu_types", 7), 1);
}

TEST(BacnetDissector, UnconfirmedOperations) {
  StreamHarness h(Registered("bacnet"));
  auto whois = Hex(kWhoIsRange);
  auto sync = Hex(kTimeSync);
  h.Request(whois, 1);
  h.Request(sync, 2);
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_STREQ(h.sink.ops[0].function, "who-is");
  EXPECT_EQ(h.sink.ops[0].function_code, 8u);
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kIdentity);
  EXPECT_EQ(h.sink.ops[0].target.view(), "devices 7001-7001");
  EXPECT_EQ(h.sink.ops[0].request_frame, 1u);
  EXPECT_TRUE(h.sink.ops[0].result.empty());
  EXPECT_STREQ(h.sink.ops[1].function, "time-synchronization");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kWrite);
  EXPECT_EQ(h.sink.ops[1].target.view(), "2117-10-01 10:44:47");
  EXPECT_EQ(DetailCount(h.sink, "unconfirmed", 8), 1);
  EXPECT_EQ(DetailCount(h.sink, "bvlc_functions", 0x09), 1);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kOther);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(BacnetDissector, SegmentedAckIsOneOperationAndEverySegmentAPdu) {
  StreamHarness h(Registered("bacnet"));
  auto req = Hex(kSegRequest);
  auto a0 = Hex(kSegAck0);
  auto s0 = Hex(kSegmentAck0);
  auto a1 = Hex(kSegAck1);
  auto a2 = Hex(kSegAck2);
  auto s2 = Hex(kSegmentAck2);
  ASSERT_EQ(a0.size(), 1030u);
  ASSERT_EQ(a1.size(), 1030u);
  h.Request(req, 14);
  h.Response(a0, 15);
  h.Request(s0, 16);
  h.Response(a1, 17);
  h.Response(a2, 18);
  h.Request(s2, 19);
  h.End();
  EXPECT_EQ(h.sink.pdus.size(), 6u);
  EXPECT_EQ(DetailCount(h.sink, "apdu_types", 3), 3);
  EXPECT_EQ(DetailCount(h.sink, "apdu_types", 4), 2);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 14u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 15u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "device 254 object-list");
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
  EXPECT_TRUE(h.anomalies.empty());  // segments that stop mid-value are no defect
}

TEST(BacnetDissector, BvlcManagementPairsWithItsResult) {
  StreamHarness h(Registered("bacnet"));
  auto read_bdt = Hex(kReadBdt);
  auto nak = Hex(kReadBdtNak);
  auto reg = Hex(kRegisterFd);
  auto reg_nak = Hex(kRegisterFdNak);
  h.Request(read_bdt, 21);
  h.Response(nak, 22);
  h.Request(reg, 25);
  h.Response(reg_nak, 26);
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_STREQ(h.sink.ops[0].function, "bvlc-read-bdt");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kRead);
  EXPECT_EQ(h.sink.ops[0].result.view(), "nak 0x0020");
  EXPECT_EQ(h.sink.ops[0].request_frame, 21u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 22u);
  EXPECT_STREQ(h.sink.ops[1].function, "bvlc-register-foreign-device");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kSession);
  EXPECT_EQ(h.sink.ops[1].target.view(), "ttl 16 s");
  ASSERT_EQ(h.sink.pdus.size(), 4u);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kRequest);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  EXPECT_TRUE(h.sink.pdus[1].exception);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(BacnetDissector, NetworkLayerMessagesAreCounted) {
  StreamHarness h(Registered("bacnet"));
  auto msg = Hex(kWhoIsRouter);
  h.Request(msg, 1);
  ASSERT_EQ(h.sink.pdus.size(), 1u);
  EXPECT_EQ(DetailCount(h.sink, "network_messages", 0), 1);
  EXPECT_EQ(DetailCount(h.sink, "apdu_types", 0), 0);
  EXPECT_TRUE(h.sink.ops.empty());
}

TEST(BacnetDissector, UnansweredRequestsAreReportedAtTheEnd) {
  StreamHarness h(Registered("bacnet"));
  auto req = Hex(kReadProperty);
  h.Request(req, 1);
  h.Gap(kInit, 10);  // a datagram flow never has gaps; a spurious one changes nothing
  EXPECT_TRUE(h.sink.ops.empty());
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_TRUE(h.sink.ops[0].result.empty());
  EXPECT_EQ(h.sink.ops[0].request_frame, 1u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 0u);
}

TEST(BacnetDissector, FullRequestTableReportsTheOldestUnanswered) {
  StreamHarness h(Registered("bacnet"));
  auto req = Hex(kReadProperty);
  for (int i = 0; i < 33; ++i) {
    req[8] = static_cast<uint8_t>(i);  // invoke id
    h.Request(req, static_cast<uint64_t>(i + 1));
  }
  EXPECT_EQ(h.anomalies.Count("bacnet.unanswered_overflow"), 1u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 1u);
  h.End();
  EXPECT_EQ(h.sink.ops.size(), 33u);
}

TEST(BacnetDissector, RoutedRequestsPairByRemoteAddress) {
  // Two devices behind one router (DNET 5, DADR 1 and 2) answer the same invoke id.
  StreamHarness h(Registered("bacnet"));
  auto to1 = Bvlc("01 24 00 05 01 01 ff  00 05 09 0c 0c 02 00 00 01 19 4d");
  auto to2 = Bvlc("01 24 00 05 01 02 ff  00 05 09 0c 0c 02 00 00 02 19 4d");
  auto from2 = Bvlc("01 08 00 05 01 02  30 09 0c 0c 02 00 00 02 19 4d 3e 75 02 00 42 3f");
  h.Request(to1, 1);
  h.Request(to2, 2);
  h.Response(from2, 3);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 2u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "device 2 object-name");
  EXPECT_TRUE(h.sink.identities.empty());  // the device is behind the router
  h.End();
  EXPECT_EQ(h.sink.ops.size(), 2u);
}

TEST(BacnetDissector, TagCapsRaiseAnomalies) {
  // A ReadProperty with 300 extra context tags, and one nested 20 deep.
  std::string many = "01 04 00 05 01 0c 0c 02 00 00 01 19 4d";
  for (int i = 0; i < 300; ++i) many += " 49 01";
  std::string deep = "01 04 00 05 02 0f 0c 02 00 00 01 19 4d";
  for (int i = 0; i < 20; ++i) deep += " 3e";
  for (int i = 0; i < 20; ++i) deep += " 3f";
  StreamHarness h(Registered("bacnet"));
  h.Request(Bvlc(many), 1);
  h.Request(Bvlc(deep), 2);
  EXPECT_EQ(h.anomalies.Count("bacnet.too_many_tags"), 1u);
  EXPECT_EQ(h.anomalies.Count("bacnet.nesting_too_deep"), 1u);
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "device 1 object-name");  // what came before the cap
}

TEST(BacnetDissector, MalformedDatagramsAreCountedViolations) {
  StreamHarness h(Registered("bacnet"));
  auto req = Hex(kReadProperty);
  h.Request(req, 1);
  auto bad_npdu = Hex("81 0a 00 06 02 00");
  h.Request(bad_npdu, 2);  // BVLC with an NPDU of version 2: counted, raised
  EXPECT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.anomalies.Count("bacnet.bad_npdu_version"), 1u);
  auto cut_apdu = Hex("81 0a 00 08 01 04 00 05");
  h.Request(cut_apdu, 3);
  EXPECT_EQ(h.anomalies.Count("bacnet.truncated"), 1u);
  EXPECT_EQ(h.sink.pdus.size(), 3u);
  auto junk = Hex("47 45 54 20 2f");
  h.Request(junk, 4);  // not BVLC at all: a violation, not a PDU; the flow is detached
  EXPECT_EQ(h.sink.pdus.size(), 3u);
  EXPECT_EQ(h.anomalies.Count("dissect.protocol_violation"), 1u);
  EXPECT_EQ(h.stats.detached, 1u);
  ASSERT_EQ(h.sink.ops.size(), 1u);  // the pending read was reported when it was detached
  EXPECT_EQ(h.sink.ops[0].request_frame, 1u);
}

TEST(BacnetDissector, EveryTruncatedPrefixStaysSafe) {
  for (auto fixture : {kReadProperty, kReadPropertyAck, kReadName,          kReadNameAck,
                       kReadBdt,      kReadBdtNak,      kRegisterFd,        kRegisterFdNak,
                       kForwardedIAm, kRoutedIAm,       kWriteProperty,     kWritePropertyMultiple,
                       kDcc,          kReinitialize,    kReinitializeError, kColdstart,
                       kReject,       kAbort,           kWhoIsRange,        kTimeSync,
                       kSegRequest,   kSegAck2,         kSegmentAck0,       kRpmAckDevice,
                       kWhoIsRouter}) {
    auto bytes = Hex(fixture);
    ForEachPrefix(bytes, [&](std::span<const uint8_t> prefix) {
      core::Anomalies an;
      if (auto bvlc = bacnet::ParseBvlc(prefix, an)) {
        if (auto npdu = bacnet::ParseNpdu(bvlc->npdu, an)) {
          if (auto apdu = bacnet::ParseApdu(npdu->apdu, an)) {
            (void)bacnet::SummarizeConfirmedRequest(apdu->service, apdu->params, an);
            (void)bacnet::SummarizeUnconfirmedRequest(apdu->service, apdu->params, an);
            (void)bacnet::ParseIAm(apdu->params, an);
            (void)bacnet::ParseError(apdu->params, an);
            std::array<bacnet::PropertyValue, 4> out;
            EXPECT_LE(bacnet::ReadPropertyValues(apdu->service, apdu->params, out, an), 4u);
          }
        }
      }
      // The same prefix through the dissector: a datagram cut short is never a crash.
      StreamHarness h(Registered("bacnet"));
      h.Request(bytes, 1);
      h.Response(prefix, 2);
      h.End();
      EXPECT_LE(h.sink.pdus.size(), 2u);
    });
  }
}

}  // namespace
}  // namespace qw::dissect
