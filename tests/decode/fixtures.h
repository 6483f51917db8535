// Hand-annotated frames for the decoder tests: one per layer and link type. Shared by the
// layer tests, the every-prefix truncation test and the fuzz corpus.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/frame.h"

namespace qw::decode::testing {

/// One annotated frame and the link type it is captured with.
struct Fixture {
  const char* name;
  uint32_t link_type;
  std::string hex;
};

// A small IPv4/UDP datagram that several link-layer fixtures carry.
inline const std::string kIpv4Udp = R"(
  # IPv4
  45                  # version 4, IHL 5 (20 bytes)
  00                  # TOS
  00 1e               # total length 30
  00 07               # identification
  00 00               # no flags, offset 0
  40                  # TTL 64
  11                  # protocol UDP
  00 00               # header checksum (not checked)
  0a 32 01 0a         # source 10.50.1.10
  0a 32 01 14         # destination 10.50.1.20
  # UDP
  c0 00               # source port 49152
  00 a1               # destination port 161
  00 0a               # length 10 (8 header + 2 payload)
  00 00               # checksum
  30 00               # payload
)";

// A small IPv6/UDP datagram for the link-layer fixtures.
inline const std::string kIpv6Udp = R"(
  # IPv6
  60 00 00 00         # version 6, traffic class 0, flow label 0
  00 0a               # payload length 10
  11                  # next header UDP
  40                  # hop limit 64
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # source 2001:db8::1
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   # destination 2001:db8::2
  # UDP
  02 22               # source port 546
  02 23               # destination port 547
  00 0a               # length 10
  00 00               # checksum
  ab cd               # payload
)";

inline const std::string kEthHeaderIpv4 = R"(
  00 1b 1b 00 00 01   # destination
  00 0c 29 aa bb cc   # source
  08 00               # ethertype IPv4
)";

/// Every fixture, by name.
inline const std::vector<Fixture>& AllFixtures() {
  static const std::vector<Fixture> fixtures = {
      {"eth_ipv4_tcp_options", capture::kLinkEthernet, R"(
        00 1b 1b 00 00 01   # destination
        00 0c 29 aa bb cc   # source
        08 00               # ethertype IPv4
        45                  # version 4, IHL 5
        00                  # TOS
        00 34               # total length 52 (20 IP + 28 TCP + 4 payload)
        12 34               # identification
        40 00               # DF, offset 0
        40                  # TTL 64
        06                  # protocol TCP
        00 00               # header checksum
        0a 0a 05 14         # source 10.10.5.20
        0a 32 01 0a         # destination 10.50.1.10
        c3 50               # source port 50000
        00 66               # destination port 102
        00 00 00 01         # sequence 1
        00 00 00 02         # acknowledgment 2
        70                  # data offset 7 (28 bytes)
        18                  # flags PSH ACK
        20 00               # window 8192
        00 00               # checksum
        00 00               # urgent pointer
        02 04 05 b4         # option MSS 1460
        01 03 03 07         # NOP, window scale 7
        03 00 00 04         # payload (TPKT header)
      )"},
      {"eth_ipv4_udp_padded", capture::kLinkEthernet, kEthHeaderIpv4 + kIpv4Udp + R"(
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   # Ethernet padding to 60 bytes
      )"},
      {"eth_qinq_88a8_8100", capture::kLinkEthernet, R"(
        ff ff ff ff ff ff   # destination broadcast
        00 0c 29 aa bb cc   # source
        88 a8               # 802.1ad service tag
        00 64               # PCP 0, DEI 0, VID 100
        81 00               # 802.1Q customer tag
        a1 f5               # PCP 5, DEI 0, VID 501
        08 00               # ethertype IPv4
      )" + kIpv4Udp},
      {"eth_triple_tag_arp", capture::kLinkEthernet, R"(
        ff ff ff ff ff ff   # destination broadcast
        00 0c 29 aa bb cc   # source
        88 a8 00 64         # 802.1ad, VID 100
        81 00 01 f5         # 802.1Q, VID 501
        91 00 00 02         # old QinQ TPID, VID 2
        08 06               # ethertype ARP
        00 01 08 00 06 04   # Ethernet, IPv4, hlen 6, plen 4
        00 01               # request
        00 0c 29 aa bb cc   # sender MAC
        0a 0a 05 14         # sender IP 10.10.5.20
        00 00 00 00 00 00   # target MAC
        0a 0a 05 01         # target IP 10.10.5.1
      )"},
      {"eth_arp_request", capture::kLinkEthernet, R"(
        ff ff ff ff ff ff   # destination broadcast
        00 0c 29 aa bb cc   # source
        08 06               # ethertype ARP
        00 01               # hardware type Ethernet
        08 00               # protocol type IPv4
        06 04               # hardware length 6, protocol length 4
        00 01               # operation request
        00 0c 29 aa bb cc   # sender MAC
        0a 0a 05 14         # sender IP 10.10.5.20
        00 00 00 00 00 00   # target MAC (unknown)
        0a 0a 05 01         # target IP 10.10.5.1
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   # padding
      )"},
      {"eth_arp_reply", capture::kLinkEthernet, R"(
        00 0c 29 aa bb cc   # destination
        00 1b 1b 00 00 09   # source
        08 06               # ethertype ARP
        00 01 08 00 06 04   # Ethernet, IPv4, hlen 6, plen 4
        00 02               # operation reply
        00 1b 1b 00 00 09   # sender MAC
        0a 0a 05 01         # sender IP 10.10.5.1
        00 0c 29 aa bb cc   # target MAC
        0a 0a 05 14         # target IP 10.10.5.20
      )"},
      {"eth_llc_stp", capture::kLinkEthernet, R"(
        01 80 c2 00 00 00   # destination: bridge group address
        00 1b 1b 00 00 02   # source
        00 26               # 802.3 length 38 (LLC 3 + BPDU 35)
        42 42 03            # LLC: DSAP STP, SSAP STP, UI
        00 00 00 00         # BPDU: protocol 0, version 0, type config
        00                  # flags
        80 00 00 1b 1b 00 00 02   # root id
        00 00 00 00         # root path cost
        80 00 00 1b 1b 00 00 02   # bridge id
        80 01               # port id
        00 00 14 00 02 00 0f 00   # message age, max age, hello, forward delay
        00 00 00 00 00 00 00 00   # Ethernet padding
      )"},
      {"eth_snap_cdp", capture::kLinkEthernet, R"(
        01 00 0c cc cc cc   # destination: CDP multicast
        00 1b 1b 00 00 03   # source
        00 16               # 802.3 length 22
        aa aa 03            # LLC: SNAP, SNAP, UI
        00 00 0c            # OUI Cisco
        20 00               # protocol id CDP
        02 b4 00 00         # CDP version 2, TTL 180, checksum
        00 01 00 0a         # TLV device id, length 10
        53 57 2d 31 61 62   # "SW-1ab"
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   # padding
      )"},
      {"eth_lldp", capture::kLinkEthernet, R"(
        01 80 c2 00 00 0e   # destination: nearest bridge
        00 1b 1b 00 00 04   # source
        88 cc               # ethertype LLDP
        02 07 04 00 1b 1b 00 00 04   # chassis id TLV: MAC
        04 04 05 31 2f 31   # port id TLV: interface name "1/1"
        06 02 00 78         # TTL TLV: 120 s
        00 00               # end TLV
      )"},
      {"eth_ipv4_router_alert", capture::kLinkEthernet, R"(
        01 00 5e 00 00 16   # destination: IGMP multicast
        00 0c 29 aa bb cc   # source
        08 00               # ethertype IPv4
        46                  # version 4, IHL 6 (24 bytes)
        c0                  # TOS
        00 20               # total length 32
        00 00 40 00         # identification, DF
        01                  # TTL 1
        02                  # protocol IGMP
        00 00               # checksum
        0a 0a 05 14         # source
        e0 00 00 16         # destination 224.0.0.22
        94 04 00 00         # option router alert (type 148, length 4)
        22 00 00 00 00 00 00 00   # IGMPv3 report (8 bytes)
      )"},
      {"eth_icmp_port_unreachable_udp", capture::kLinkEthernet, R"(
        00 0c 29 aa bb cc   # destination
        00 1b 1b 00 00 01   # source
        08 00               # ethertype IPv4
        45 00 00 38         # IPv4, total length 56
        00 02 00 00         # identification, no flags
        40 01 00 00         # TTL 64, protocol ICMP, checksum
        0a 32 01 0a         # source 10.50.1.10
        0a 0a 05 14         # destination 10.10.5.20
        03 03 00 00         # ICMP destination unreachable, port unreachable, checksum
        00 00 00 00         # unused
        45 00 00 25         # quoted IPv4, total length 37
        00 09 00 00         # identification, no flags
        40 11 00 00         # TTL 64, protocol UDP, checksum
        0a 0a 05 14         # source 10.10.5.20
        0a 32 01 0a         # destination 10.50.1.10
        d4 31 00 45         # quoted UDP: 54321 -> 69
        00 11 00 00         # length 17, checksum
      )"},
      {"eth_ipv6_ext_chain_udp", capture::kLinkEthernet, R"(
        33 33 00 01 00 02   # destination
        00 0c 29 aa bb cc   # source
        86 dd               # ethertype IPv6
        60 00 00 00         # version 6
        00 24               # payload length 36
        00                  # next header: hop-by-hop options
        01                  # hop limit 1
        fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01   # source fe80::1
        ff 02 00 00 00 00 00 00 00 00 00 00 00 01 00 02   # destination ff02::1:2
        2b 00               # hop-by-hop: next routing, length 0 (8 bytes)
        05 02 00 00 01 00   # router alert, PadN
        3c 00               # routing: next destination options, length 0 (8 bytes)
        00 00 00 00 00 00   # type 0, segments left 0, reserved
        11 00               # destination options: next UDP, length 0 (8 bytes)
        01 04 00 00 00 00   # PadN 4
        02 22 02 23         # UDP 546 -> 547
        00 0c 00 00         # length 12, checksum
        de ad be ef         # payload
      )"},
      {"eth_ipv6_icmpv6_echo", capture::kLinkEthernet, R"(
        00 1b 1b 00 00 01   # destination
        00 0c 29 aa bb cc   # source
        86 dd               # ethertype IPv6
        60 00 00 00 00 0c 3a 40   # version 6, payload 12, ICMPv6, hop limit 64
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # source
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   # destination
        80 00 00 00         # echo request, code 0, checksum
        12 34 00 01         # identifier, sequence
        61 62 63 64         # data
      )"},
      {"eth_ipv6_icmpv6_unreachable_tcp", capture::kLinkEthernet, R"(
        00 1b 1b 00 00 01   # destination
        00 0c 29 aa bb cc   # source
        86 dd               # ethertype IPv6
        60 00 00 00 00 38 3a 40   # version 6, payload 56, ICMPv6, hop limit 64
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   # source
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # destination
        01 04 00 00         # destination unreachable, port unreachable, checksum
        00 00 00 00         # unused
        60 00 00 00 00 14 06 40   # quoted IPv6: payload 20, TCP
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # quoted source
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   # quoted destination
        c3 50 00 66         # quoted TCP ports 50000 -> 102 (header cut after 8 bytes)
        00 00 00 01         # quoted sequence
      )"},
      {"eth_6in4_udp", capture::kLinkEthernet, kEthHeaderIpv4 + R"(
        45 00 00 44         # outer IPv4, total length 68
        00 03 00 00         # identification, no flags
        40 29 00 00         # TTL 64, protocol 41 (IPv6), checksum
        c0 00 02 01         # source 192.0.2.1
        c0 00 02 02         # destination 192.0.2.2
        60 00 00 00 00 08 11 40   # inner IPv6: payload 8, UDP, hop limit 64
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # inner source
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   # inner destination
        04 00 04 01 00 08 00 00   # UDP 1024 -> 1025, length 8
      )"},
      {"eth_4in4_tcp", capture::kLinkEthernet, kEthHeaderIpv4 + R"(
        45 00 00 3c         # outer IPv4, total length 60
        00 04 00 00 40 04 00 00   # protocol 4 (IPv4)
        c0 00 02 01 c0 00 02 02   # 192.0.2.1 -> 192.0.2.2
        45 00 00 28 00 05 00 00 40 06 00 00   # inner IPv4, length 40, TCP
        0a 00 00 01 0a 00 00 02   # 10.0.0.1 -> 10.0.0.2
        00 50 c3 51 00 00 00 05 00 00 00 00 50 02 ff ff 00 00 00 00   # TCP 80 -> 50001 SYN
      )"},
      {"eth_gre_ipv4_udp", capture::kLinkEthernet, kEthHeaderIpv4 + R"(
        45 00 00 3a         # outer IPv4, total length 58 (20 + GRE 8 + 30)
        00 05 00 00 40 2f 00 00   # protocol 47 (GRE)
        c0 00 02 01 c0 00 02 02   # 192.0.2.1 -> 192.0.2.2
        20 00 08 00         # GRE: key present, version 0, protocol IPv4
        00 00 00 2a         # key 42
      )" + kIpv4Udp},
      {"sll_ipv4_udp", capture::kLinkLinuxSll, R"(
        00 00               # packet type: to us
        00 01               # ARPHRD_ETHER
        00 06               # address length 6
        00 0c 29 aa bb cc 00 00   # address, padded to 8
        08 00               # protocol IPv4
      )" + kIpv4Udp},
      {"sll_llc_stp", capture::kLinkLinuxSll, R"(
        00 03               # packet type: multicast
        00 01 00 06         # ARPHRD_ETHER, address length 6
        00 1b 1b 00 00 02 00 00   # address
        00 04               # protocol: 802.2 LLC frame
        42 42 03            # LLC: STP
        00 00 00 00 00 80 00 00 1b 1b 00 00 02 00 00 00 00
        80 00 00 1b 1b 00 00 02 80 01 00 00 14 00 02 00 0f 00   # config BPDU
      )"},
      {"sll2_ipv6_udp", capture::kLinkLinuxSll2, R"(
        86 dd               # protocol IPv6
        00 00               # reserved
        00 00 00 02         # interface index 2
        00 01               # ARPHRD_ETHER
        04                  # packet type: outgoing
        06                  # address length 6
        00 0c 29 aa bb cc 00 00   # address
      )" + kIpv6Udp},
      {"null_le_ipv4", capture::kLinkNull,
       "02 00 00 00  # AF_INET, little-endian writer\n" + kIpv4Udp},
      {"null_be_ipv4", capture::kLinkNull,
       "00 00 00 02  # AF_INET, big-endian writer\n" + kIpv4Udp},
      {"null_le_ipv6_darwin", capture::kLinkNull,
       "1e 00 00 00  # AF_INET6 (Darwin 30)\n" + kIpv6Udp},
      {"loop_ipv6", capture::kLinkLoop,
       "00 00 00 18  # AF_INET6 (OpenBSD 24), big-endian\n" + kIpv6Udp},
      {"raw_ipv4", capture::kLinkRaw, kIpv4Udp},
      {"raw_ipv6", capture::kLinkRaw, kIpv6Udp},
      {"linktype_ipv4", capture::kLinkIpv4, kIpv4Udp},
      {"linktype_ipv6", capture::kLinkIpv6, kIpv6Udp},
  };
  return fixtures;
}

}  // namespace qw::decode::testing
