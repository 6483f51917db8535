// Real CDP PDUs that the tests and the benchmarks both read.
#pragma once

#include <string_view>

namespace qw::dissect::testing {

/// lldp_cdp/3560_CDP.pcap frame 1 (Catalyst WS-C3560G-24PS), bytes after the LLC/SNAP
/// header (aa aa 03 00 00 0c 20 00), 378 bytes as the 802.3 length says.
inline constexpr std::string_view kCdp3560 = R"(
  02                      # version 2
  b4                      # TTL 180 s
  b0 bd                   # checksum 0xb0bd (correct)
  00 01 00 0a             # type 1 Device ID, length 10
    53 77 69 74 63 68     #   "Switch"
  00 05 00 c4             # type 5 Software Version, length 196
    43 69 73 63 6f 20 49 4f 53 20 53 6f 66 74 77 61 72 65 2c 20 43 33 35 36 30 20 53 6f
    66 74 77 61 72 65 20 28 43 33 35 36 30 2d 41 44 56 49 50 53 45 52 56 49 43 45 53 4b
    39 2d 4d 29 2c 20 56 65 72 73 69 6f 6e 20 31 32 2e 32 28 32 35 29 53 45 42 34 2c 20
    52 45 4c 45 41 53 45 20 53 4f 46 54 57 41 52 45 20 28 66 63 31 29 0a 43 6f 70 79 72
    69 67 68 74 20 28 63 29 20 31 39 38 36 2d 32 30 30 35 20 62 79 20 43 69 73 63 6f 20
    53 79 73 74 65 6d 73 2c 20 49 6e 63 2e 0a 43 6f 6d 70 69 6c 65 64 20 54 75 65 20 33
    30 2d 41 75 67 2d 30 35 20 31 37 3a 35 36 20 62 79 20 79 65 6e 61 6e 68
                          #   "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M),
                          #   Version 12.2(25)SEB4, RELEASE SOFTWARE (fc1)\nCopyright (c)
                          #   1986-2005 by Cisco Systems, Inc.\nCompiled Tue 30-Aug-05 17:56
                          #   by yenanh"
  00 06 00 18             # type 6 Platform, length 24
    63 69 73 63 6f 20 57 53 2d 43 33 35 36 30 47 2d 32 34 50 53   # "cisco WS-C3560G-24PS"
  00 02 00 11             # type 2 Addresses, length 17
    00 00 00 01           #   1 address
    01 01 cc              #   protocol type 1 NLPID, length 1, 0xcc IP
    00 04 c0 a8 00 01     #   address length 4, 192.168.0.1
  00 03 00 16             # type 3 Port ID, length 22
    47 69 67 61 62 69 74 45 74 68 65 72 6e 65 74 30 2f 35   # "GigabitEthernet0/5"
  00 04 00 08             # type 4 Capabilities, length 8
    00 00 00 28           #   switch, IGMP
  00 08 00 24             # type 8 Protocol Hello, length 36 (kept raw)
    00 00 0c 01 12        #   OUI 00-00-0c, protocol 0x0112 cluster management
    00 00 00 00 ff ff ff ff 01 02 21 ff 00 00 00 00 00 00 00 19 06 ea b8 80 ff 00 00
  00 09 00 07             # type 9 VTP Management Domain, length 7
    4c 61 62              #   "Lab"
  00 0a 00 06  00 01      # type 10 Native VLAN 1
  00 0b 00 05  01         # type 11 Duplex: full
  00 12 00 05  00         # type 18 Trust Bitmap 0x00
  00 13 00 05  00         # type 19 Untrusted port CoS 0x00
  00 16 00 11             # type 22 Management Addresses, length 17
    00 00 00 01  01 01 cc  00 04 c0 a8 00 01     #   1 address: IPv4 192.168.0.1
  00 1a 00 10             # type 26 Power Available, length 16 (kept raw)
    00 00 00 01 00 00 00 00 ff ff ff ff
)";

}  // namespace qw::dissect::testing
