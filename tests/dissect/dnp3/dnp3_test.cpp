// Tests of the DNP3 parser and dissector: real frames of the shared captures annotated
// field by field as tshark 4.0.17 dissects them, every truncated prefix, stream cutting,
// gaps, pairing, transport reassembly, identities, anomalies and probe rejections.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dissect/dnp3/dnp3_dissector.h"
#include "dissect/dnp3/dnp3_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::Hex;
using testing::StreamHarness;

// dnp3/dnp3_select_operate.pcap frame 4: master 3 selects CROB point 1.
constexpr std::string_view kSelect = R"(
  05 64                 # start
  1a                    # length 26: control, addresses and 21 octets of user data
  c4                    # control: DIR, PRM, function 4 unconfirmed user data
  02 00                 # destination 2
  03 00                 # source 3
  40 f2                 # header CRC
  c6                    # transport: FIN, FIR, sequence 6
    c7                  #   application control: FIR, FIN, sequence 7
    03                  #   function 3 select
    0c 01 28            #   g12v1 CROB, qualifier 0x28: 2-octet index prefix, 16-bit count
    01 00               #   count 1
    01 00               #   index 1
    03 01               #   control code 3 latch on, count 1
    64 00 00 00         #   on-time 100 ms
  8f da                 # block CRC
    64 00 00 00         #   off-time 100 ms
    00                  #   status 0
  00 5b                 # block CRC
)";

// dnp3/dnp3_select_operate.pcap frame 6: outstation 2 echoes the CROB.
constexpr std::string_view kSelectResponse = R"(
  05 64 1c 44           # start, length 28, control: PRM, unconfirmed user data
  03 00 02 00           # destination 3, source 2
  4b 91                 # header CRC
  fc                    # transport: FIN, FIR, sequence 60
    c7 81               #   application: FIR, FIN, sequence 7; function 129 response
    00 00               #   IIN 0x0000
    0c 01 28 01 00      #   g12v1, qualifier 0x28, count 1
    01 00               #   index 1
    03 01 64 00         #   latch on, count 1, on-time ...
  01 a4                 # block CRC
    00 00 64 00 00 00   #   ... on-time 100, off-time 100
    00                  #   status 0 success
  00 5b                 # block CRC
)";

// dnp3/dnp3_select_operate.pcap frame 7: operate, the same CROB, sequence 8.
constexpr std::string_view kOperate = R"(
  05 64 1a c4 02 00 03 00 40 f2
  c7 c8 04 0c 01 28 01 00 01 00 03 01 64 00 00 00  a9 cf
  64 00 00 00 00                                   00 5b
)";

// dnp3/dnp3_select_operate.pcap frame 9: its response.
constexpr std::string_view kOperateResponse = R"(
  05 64 1c 44 03 00 02 00 4b 91
  fd c8 81 00 00 0c 01 28 01 00 01 00 03 01 64 00  f7 09
  00 00 64 00 00 00 00                             00 5b
)";

// dnp3/dnp3_udp_read.pcap frame 1 (UDP): outstation 1 asks master 100 for link status.
constexpr std::string_view kRequestLinkStatus = R"(
  05 64 05              # start, length 5 (no user data)
  49                    # control: PRM, function 9 request link status
  64 00 01 00           # destination 100, source 1
  7e 5f                 # header CRC
)";

// dnp3/dnp3_udp_read.pcap frame 2 (UDP): the master's link status.
constexpr std::string_view kLinkStatus = R"(
  05 64 05
  8b                    # control: DIR, function 11 link status (secondary)
  01 00 64 00           # destination 1, source 100
  a0 97
)";

// dnp3/dnp3_udp_read.pcap frame 5 (UDP): master 100 reads classes 1, 2, 3 and 0.
constexpr std::string_view kUdpRead = R"(
  05 64 14 c4 01 00 64 00  67 d6   # destination 1, source 100
  c6                    # transport: FIN, FIR, sequence 6
    c7 01               #   application: FIR, FIN, sequence 7; function 1 read
    3c 02 06            #   g60v2 class 1, qualifier 0x06 all
    3c 03 06            #   g60v3 class 2
    3c 04 06            #   g60v4 class 3
    3c 01 06            #   g60v1 class 0
  73 c0
)";

// dnp3/opendnp3_conformance_6.1.2.pcap frame 12: reset link states (master 1 to 1024).
constexpr std::string_view kResetLink = R"(
  05 64 05 c0           # control: DIR, PRM, function 0 reset link states
  00 04 01 00  d7 f7
)";

// dnp3/opendnp3_conformance_6.1.2.pcap frame 14: the outstation's ACK.
constexpr std::string_view kAck = R"(
  05 64 05 00           # control: secondary, function 0 ACK
  01 00 00 04  27 70
)";

// dnp3/dnp3_test_data_part1.pcap frame 4: outstation 4 sends an empty unsolicited response.
constexpr std::string_view kUnsolicited = R"(
  05 64 0a 44 03 00 04 00  7c ae
  e6                    # transport: FIN, FIR, sequence 38
    f7 82               #   FIR, FIN, CON, UNS, sequence 7; function 130 unsolicited
    10 00               #   IIN 0x1000 time sync required
  4f bd
)";

// dnp3/dnp3_test_data_part1.pcap frame 6: the master confirms it.
constexpr std::string_view kConfirm = R"(
  05 64 08 c4 04 00 03 00  b4 b8
  c0 d7 00              # transport FIR FIN seq 0; FIR, FIN, UNS, sequence 7; function 0
  7a ce
)";

// dnp3/dnp3_test_data_part1.pcap frame 19: not a frame (0x05 0x05): tshark shows data.
constexpr std::string_view kGarbage = R"(
  05 05 11 c4 04 00 03 00 46 a2 c2 c2 14 3c 02 06 3c 03 06 3c 04 06 d3 2f
)";

// dnp3/dnp3_test_data_part1.pcap frame 164: a response whose sequence (3) answers no
// request, with IIN2.0 set: function code not implemented.
constexpr std::string_view kNotImplemented = R"(
  05 64 0a 44 03 00 04 00  7c ae
  dc c3 81              # transport FIR FIN seq 28; FIR, FIN, sequence 3; response
  10 01                 # IIN 0x1001: time sync required, function code not implemented
  68 78
)";

// dnp3/dnp3_test_data_part1.pcap frame 174: stop application to the broadcast address.
constexpr std::string_view kBroadcastStop = R"(
  05 64 11 c4 ff ff 03 00  d0 d0   # destination 65535
  c1 c1 12              # transport FIR FIN seq 1; FIR, FIN, sequence 1; function 18 stop
  3c 02 06              # g60v2 all
  01 07 06              # g1v7 all
  3c 04 ed              # g60v4, qualifier 0xed: range code 13 is reserved
  87 63
)";

// dnp3/dnp3_test_data_part1.pcap frame 91: a class 0 response, five object headers.
constexpr std::string_view kClass0Response = R"(
  05 64 4e 44 03 00 04 00  6f 4d
  d8                    # transport: FIN, FIR, sequence 24
    c5 81 00 00         #   FIR, FIN, sequence 5; response; IIN 0
    01 01 00 00 05      #   g1v1 packed binary inputs, start 0 stop 5: one octet
    02                  #     bits
    0a 02 00 00 05      #   g10v2 binary output status, 0-5: six octets
  ac 11
    01 01 01 01 01 01
    14 05 00 00 00      #   g20v5 counter without flag, 0-0: four octets
    00 00 00 00
    15                  #   g21v9 frozen counter without flag ...
  4e 0d
    09 00 00 00         #   ... 0-0
    00 00 00 00
    1e 03 00 00 06      #   g30v3 32-bit analog input without flag, 0-6: 7 x 4 octets
    c5 00 00
  f0 ff
    00 c7 00 00 00 c8 00 00 00 01 00 00 00 25 1c 00
  68 ac
    00 0e 1c 00 00 10 1c 00 00
  2a 73
)";

// dnp3/dnp3_auth_control_challenge_response.pcap frames 1-4: a direct operate, the
// outstation's challenge (131), the master's reply (32), the response to the operate.
constexpr std::string_view kAuthOperate = R"(
  05 64 1a c4 04 00 03 00  c2 e6
  c7 c6 05              # transport; FIR, FIN, sequence 6; function 5 direct operate
  0c 01 28 01 00 01 00 03 01 64 00 00 00  3b 7f   # g12v1 idx 1 latch on
  64 00 00 00 00                          00 5b
)";
constexpr std::string_view kAuthChallenge = R"(
  05 64 1c 44 03 00 04 00  64 bd
  c7 c6 83 90 00        # sequence 6, function 131 authentication response, IIN 0x9000
  78 01 5b 01 0c 00     # g120v1 challenge, qualifier 0x5b, one object of 12 octets
  03 00 00 00 00 92 87
  00 04 01 73 74 65 76  8d 5c
)";
constexpr std::string_view kAuthReply = R"(
  05 64 24 c4 04 00 03 00  84 9e
  c8 c6 20              # sequence 6, function 32 authentication request
  78 02 5b 01 16 00     # g120v2 reply, one object of 22 octets
  03 00 00 00 01 00 06 c2 95 fa  e1 91
  1a 2c ce 2d da 8a bf ec e1 ca c8 c4 14 f5
)";
constexpr std::string_view kAuthResponse = R"(
  05 64 1c 44 03 00 04 00  64 bd
  c8 c6 81 90 00        # sequence 6, response, IIN 0x9000
  0c 01 28 01 00 01 00 03 01 64 00  55 0a
  00 00 64 00 00 00 00              00 5b
)";

// dnp3/dnp3_file_read.pcap frame 4: open ./test.xml for reading.
constexpr std::string_view kOpenFile = R"(
  05 64 32 c4 04 00 03 00  9c 8d
  f7                    # transport: FIN, FIR, sequence 55
    ce 19               #   FIR, FIN, sequence 14; function 25 open file
    46 03 5b            #   g70v3 file command, qualifier 0x5b: 2-octet size, free format
    01                  #   one object
    24 00               #   36 octets
    1a 00 0a 00         #   name at offset 26, 10 octets
    00 00 00            #   time of creation ...
  b3 c5
    00 00 00            #   ... time of creation
    00 00               #   permissions
    00 00 00 00         #   authentication key
    00 00 00 00         #   file size
    01 00               #   mode 1 read
    00                  #   maximum block size 1024 ...
  47 e6
    04                  #   ...
    04 00               #   request id 4
    2e 2f 74 65 73 74 2e 78 6d 6c   # "./test.xml"
  ed 8f
)";
// Frame 6: the file status, handle 0x12345678.
constexpr std::string_view kOpenFileResponse = R"(
  05 64 1d 44 03 00 04 00  83 08
  f2 ce 81 10 00        # sequence 14, response, IIN 0x1000
  46 04 5b 01 0d 00     # g70v4 file status, one object of 13 octets
  78 56 34 12 3e 7a bf  # handle 0x12345678, size 0x33e ...
  03 00 00 00 04 04 00 00 02 7f
)";
// Frame 7: read block 0 of the handle.
constexpr std::string_view kReadFile = R"(
  05 64 16 c4 04 00 03 00  70 31
  f8 cf 01              # sequence 15, read
  46 05 5b 01 08 00     # g70v5 file transport, one object of 8 octets
  78 56 34 12 00 00 00  # handle 0x12345678, block 0 ...
  95 38
  00                    # ...
  ff ff
)";
// Frames 9, 11, 13 and 15: the response to the read, in four transport segments (sequence
// 51, 52, 53, 54; FIR on the first, FIN on the last), 838 octets of XML.
constexpr std::string_view kReadFileSegment1 = R"(
0564ff4403000400486073ef81100046055b01460378563412005875000080efbbbf3c3f786d6c2076657273e942696f6e3d22312e302220656e636f64694a376e673d227574662d38223f3e0d0a3c3fecfc786d6c2d7374796c657368656574207418af7970653d27746578742f78736c272068b8267265663d27444e503344657669636550d766726f66696c654a616e323031302e7873062b6c7427206d656469613d2773637265650f446e273f3e0d0a3c444e503344657669634de76550726f66696c65446f63756d656e74cbca20786d6c6e733a7873693d226874747099033a2f2f7777772e77332e6f72672f32305b9630312f584d4c536368656d612d696e73657f74616e63652220786d6c6e733a7873645b343d22687474703a2f2f7763cb
)";
constexpr std::string_view kReadFileSegment2 = R"(
0564ff440300040048603477772e77332e6f72672f323030312ffe0e584d4c536368656d612220736368656d50c86156657273696f6e3d22322e30372e30eeca302220786d6c6e733d22687474703a2fd7c32f7777772e646e70332e6f72672f444ef44050332f44657669636550726f66696c654b882f4a616e32303130223e0d0a20203c21011f2d2d446f63756d656e742048656164655ece722d2d3e0d0a20203c646f63756d656e02c8744865616465723e0d0a202020203c6402d26f63756d656e744e616d653e4120444e9cb6503320584d4c2046696c653c2f646f630fc4756d656e744e616d653e0d0a20202020df4e3c646f63756d656e7444657363726970206b74696f6e3e546869732069732061204461404e503320436f6d706c65b814
)";
constexpr std::string_view kReadFileSegment3 = R"(
0564ff44030004004860357465204465766963652050726f6669c21e6c6520666f7220444e50204f757473742c3b6174696f6e20696e2074686520544d5728fe20436f6d6d756e69636174696f6e20504090726f746f636f6c2054657374204861729ac16e6573733c2f646f63756d656e74446532ba736372697074696f6e3e0d0a202020209d603c7265766973696f6e486973746f7279c9ae2076657273696f6e3d2232223e0d0a208c1d20202020203c646174653e323031302d6a6031322d30313c2f646174653e0d0a2020fe94202020203c617574686f723e53746576e79765204d63436f793c2f617574686f723ecb2c0d0a2020202020203c726561736f6e3e33fb446f63756d656e746564205465737420f83d4861726e6573732053442e1c
)";
constexpr std::string_view kReadFileSegment4 = R"(
05646b44030004006444b64e50204465766963652050726f6669bd0c6c653c2f726561736f6e3e0d0a2020206f23203c2f7265766973696f6e486973746f605972793e0d0a20203c2f646f63756d656e4be4744865616465723e0d0a3c2f444e50331f8e44657669636550726f66696c65446f635919756d656e743ebf7c
)";
// Frame 24: close the handle; frame 26: its response.
constexpr std::string_view kCloseFile = R"(
  05 64 1b c4 04 00 03 00  25 53
  fc c2 1a              # sequence 2, function 26 close file
  46 04 5b 01 0d 00     # g70v4 file status, 13 octets
  78 56 34 12 00 00 00  # handle 0x12345678, file size 0 ...
  5d 20
  00 00 00 05 00 00     # ... maximum block 0, request id 5, status 0
  a7 80
)";
constexpr std::string_view kCloseFileResponse = R"(
  05 64 1d 44 03 00 04 00  83 08
  f9 c2 81 00 00 46 04 5b 01 0d 00 78 56 34 12 00  f3 da
  00 00 00 00 00 05 00 00                          a7 80
)";

// Constructed (no shared capture reads device attributes), checked with tshark 4.0.17:
// master 3 reads all device attributes of outstation 4 ...
constexpr std::string_view kReadAttributes = R"(
  05 64 0b c4 04 00 03 00  e4 2b
  c0 c3 01              # transport FIR FIN seq 0; FIR, FIN, sequence 3; read
  00 fe 06              # g0v254 all attributes, qualifier 0x06
  57 dc
)";
// ... and the outstation answers with four of them, each a visible string.
constexpr std::string_view kAttributesResponse = R"(
  05 64 42 44 03 00 04 00  dd 9a
  c0 c3 81 00 00        # transport; FIR, FIN, sequence 3; response; IIN 0
  00 fc 00 00 00        #   g0v252 manufacturer, start 0 stop 0
  01 09 41 43 4d 45     #     visible string, 9 octets: "ACME Grid"
  3c 80
  20 47 72 69 64
  00 fa 00 00 00        #   g0v250 product and model
  01 07 52 54 55 2d     #     "RTU-500"
  24 a5
  35 30 30
  00 f2 00 00 00        #   g0v242 software version
  01 05 32 2e 34 2e 31  #     "2.4.1"
  00                    #   g0v248 serial number ...
  2b e9
  f8 00 00 00 01 07 53 4e 2d 30 30 34 32   # ... "SN-0042"
  a1 00
)";

// A link frame with the right CRCs around `user` (transport octet and application bytes).
std::vector<uint8_t> MakeFrame(uint8_t control, uint16_t dst, uint16_t src,
                               const std::vector<uint8_t>& user) {
  std::vector<uint8_t> f = {0x05,
                            0x64,
                            static_cast<uint8_t>(5 + user.size()),
                            control,
                            static_cast<uint8_t>(dst & 0xff),
                            static_cast<uint8_t>(dst >> 8),
                            static_cast<uint8_t>(src & 0xff),
                            static_cast<uint8_t>(src >> 8)};
  uint16_t crc = Dnp3Crc(f);
  f.push_back(static_cast<uint8_t>(crc & 0xff));
  f.push_back(static_cast<uint8_t>(crc >> 8));
  for (size_t i = 0; i < user.size(); i += 16) {
    std::vector<uint8_t> block(
        user.begin() + static_cast<ptrdiff_t>(i),
        user.begin() + static_cast<ptrdiff_t>(std::min(user.size(), i + 16)));
    uint16_t c = Dnp3Crc(block);
    f.insert(f.end(), block.begin(), block.end());
    f.push_back(static_cast<uint8_t>(c & 0xff));
    f.push_back(static_cast<uint8_t>(c >> 8));
  }
  return f;
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const StreamDissectorInfo& Registered(uint8_t transport) {
  for (const auto& d : StreamDissectors()) {
    if (std::string_view(d.name) == "dnp3" && d.transport == transport) return d;
  }
  ADD_FAILURE() << "dnp3 is not registered for transport " << int{transport};
  return StreamDissectors().front();
}

// Codes counted in one histogram: those of counted PDUs in order, then those added as
// details (a link frame that completes a fragment adds its link function as a detail).
std::vector<uint32_t> Codes(const testing::RecordingSink& sink, std::string_view histogram) {
  std::vector<uint32_t> out;
  for (const auto& p : sink.pdus) {
    if (histogram == p.histogram) out.push_back(p.code);
  }
  for (const auto& d : sink.details) {
    if (histogram == d.histogram) out.push_back(d.code);
  }
  return out;
}

// The link functions counted, smallest first.
std::vector<uint32_t> LinkCodes(const testing::RecordingSink& sink) {
  std::vector<uint32_t> out = Codes(sink, "link_functions");
  std::sort(out.begin(), out.end());
  return out;
}

// A fixture's link frame and its application fragment. The fragment's views point into the
// frame's user data, so the two live together and are never copied.
struct Parsed {
  explicit Parsed(std::string_view fixture) {
    size_t need = 0;
    auto bytes = Hex(fixture);
    EXPECT_EQ(ParseDnp3Link(bytes, frame, need), Dnp3LinkStatus::kOk);
    EXPECT_TRUE(frame.data_crc_ok);
    EXPECT_TRUE(ParseDnp3Application(frame.UserData().subspan(1), apdu));
  }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;

  Dnp3LinkFrame frame;
  Dnp3Apdu apdu;
};

// ---------------------------------------------------------------------------------------
// Parser

TEST(Dnp3Parser, CrcIsCrc16Dnp) {
  std::string check = "123456789";
  std::vector<uint8_t> bytes(check.begin(), check.end());
  EXPECT_EQ(Dnp3Crc(bytes), 0xea82);  // the catalogue check value of CRC-16/DNP
  EXPECT_EQ(Dnp3FrameBytes(5), 10u);
  EXPECT_EQ(Dnp3FrameBytes(26), 35u);    // 21 octets of data: two blocks
  EXPECT_EQ(Dnp3FrameBytes(255), 292u);  // 250 octets: sixteen blocks
  EXPECT_EQ(Dnp3FrameBytes(2), 10u);
}

TEST(Dnp3Parser, SelectLinkFrame) {
  auto bytes = Hex(kSelect);
  Dnp3LinkFrame f;
  size_t need = 0;
  ASSERT_EQ(ParseDnp3Link(bytes, f, need), Dnp3LinkStatus::kOk);
  EXPECT_EQ(f.wire_bytes, bytes.size());
  EXPECT_EQ(f.header.length, 26);
  EXPECT_TRUE(f.header.from_master());
  EXPECT_TRUE(f.header.primary());
  EXPECT_EQ(f.header.function(), 4);
  EXPECT_EQ(f.header.keyed_function(), 0x44);
  EXPECT_EQ(f.header.destination, 2);
  EXPECT_EQ(f.header.source, 3);
  EXPECT_TRUE(f.header.carries_data());
  EXPECT_TRUE(f.data_crc_ok);
  ASSERT_EQ(f.user_data_bytes, 21u);
  Dnp3Transport t = ParseDnp3Transport(f.user_data[0]);
  EXPECT_TRUE(t.fir);
  EXPECT_TRUE(t.fin);
  EXPECT_EQ(t.seq, 6);
}

TEST(Dnp3Parser, SelectApplication) {
  Parsed p(kSelect);
  const Dnp3Apdu& a = p.apdu;
  EXPECT_EQ(a.function, kDnp3Select);
  EXPECT_TRUE(a.fir());
  EXPECT_TRUE(a.fin());
  EXPECT_EQ(a.seq(), 7);
  EXPECT_FALSE(a.has_iin);
  ASSERT_EQ(a.object_count, 1u);
  const Dnp3ObjectHeader& h = a.objects[0];
  EXPECT_EQ(h.group, 12);
  EXPECT_EQ(h.variation, 1);
  EXPECT_EQ(h.qualifier, 0x28);
  EXPECT_EQ(h.range, Dnp3Range::kCount);
  EXPECT_EQ(h.count, 1u);
  ASSERT_EQ(h.indices_seen, 1u);
  EXPECT_EQ(h.indices[0], 1u);
  ASSERT_EQ(h.first_data.size(), 11u);
  EXPECT_EQ(h.first_data[0], 0x03);  // latch on
  EXPECT_FALSE(a.objects_bad || a.objects_capped || a.objects_unsized);
}

TEST(Dnp3Parser, ResponseIinAndEcho) {
  Parsed p(kSelectResponse);
  const Dnp3Apdu& a = p.apdu;
  EXPECT_EQ(a.function, kDnp3Response);
  ASSERT_TRUE(a.has_iin);
  EXPECT_EQ(a.iin, 0);
  ASSERT_EQ(a.object_count, 1u);
  EXPECT_EQ(a.objects[0].first_data.size(), 11u);
  Parsed p_error(kNotImplemented);
  const Dnp3Apdu& e = p_error.apdu;
  EXPECT_EQ(e.iin, 0x1001);
  EXPECT_EQ(e.iin & kDnp3IinRequestFailed, kDnp3IinNoFunctionSupport);
}

TEST(Dnp3Parser, ClassZeroResponseWalksEveryHeader) {
  Parsed p(kClass0Response);
  const Dnp3Apdu& a = p.apdu;
  ASSERT_EQ(a.object_count, 5u);
  const uint8_t groups[] = {1, 10, 20, 21, 30};
  const uint8_t variations[] = {1, 2, 5, 9, 3};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(a.objects[i].group, groups[i]) << i;
    EXPECT_EQ(a.objects[i].variation, variations[i]) << i;
  }
  EXPECT_EQ(a.objects[4].start, 0u);
  EXPECT_EQ(a.objects[4].stop, 6u);
  EXPECT_FALSE(a.objects_bad || a.objects_capped || a.objects_unsized);
}

TEST(Dnp3Parser, FileCommandAndAttributes) {
  Parsed p_open(kOpenFile);
  const Dnp3Apdu& open = p_open.apdu;
  ASSERT_EQ(open.object_count, 1u);
  EXPECT_EQ(open.objects[0].range, Dnp3Range::kFreeFormat);
  EXPECT_EQ(open.objects[0].first_data.size(), 36u);
  Parsed p_attrs(kAttributesResponse);
  const Dnp3Apdu& attrs = p_attrs.apdu;
  ASSERT_EQ(attrs.attribute_count, 4u);
  EXPECT_EQ(attrs.attributes[0].variation, 252);
  EXPECT_EQ(attrs.attributes[0].data_type, 1);
  EXPECT_EQ(std::string(attrs.attributes[0].value.begin(), attrs.attributes[0].value.end()),
            "ACME Grid");
  EXPECT_EQ(attrs.attributes[3].variation, 248);
}

TEST(Dnp3Parser, LinkOnlyFramesCarryNoData) {
  for (auto fixture : {kResetLink, kAck, kRequestLinkStatus, kLinkStatus}) {
    auto bytes = Hex(fixture);
    Dnp3LinkFrame f;
    size_t need = 0;
    ASSERT_EQ(ParseDnp3Link(bytes, f, need), Dnp3LinkStatus::kOk);
    EXPECT_FALSE(f.header.carries_data());
    EXPECT_EQ(f.user_data_bytes, 0u);
  }
}

TEST(Dnp3Parser, EveryPrefixIsIncompleteOrRejected) {
  for (auto fixture : {kSelect, kSelectResponse, kUdpRead, kResetLink, kClass0Response, kOpenFile,
                       kAttributesResponse, kReadFileSegment1, kAuthReply}) {
    auto bytes = Hex(fixture);
    testing::ForEachPrefix(bytes, [&](std::span<const uint8_t> prefix) {
      Dnp3LinkFrame f;
      size_t need = 0;
      auto status = ParseDnp3Link(prefix, f, need);
      ASSERT_EQ(status, Dnp3LinkStatus::kNeedMore) << prefix.size();
      EXPECT_GE(prefix.size() + need, std::min<size_t>(bytes.size(), kDnp3HeaderBytes));
      EXPECT_LE(prefix.size() + need, bytes.size());
    });
    // Every prefix of the application bytes parses safely, never past its end.
    Dnp3LinkFrame f;
    size_t need = 0;
    ASSERT_EQ(ParseDnp3Link(bytes, f, need), Dnp3LinkStatus::kOk);
    if (f.user_data_bytes == 0) continue;
    std::vector<uint8_t> app(f.user_data.begin() + 1,
                             f.user_data.begin() + static_cast<ptrdiff_t>(f.user_data_bytes));
    testing::ForEachPrefix(app, [&](std::span<const uint8_t> prefix) {
      Dnp3Apdu a;
      bool ok = ParseDnp3Application(prefix, a);
      EXPECT_EQ(ok, prefix.size() >= 2);
      for (size_t i = 0; i < a.object_count && ok; ++i) {
        const auto& d = a.objects[i].first_data;
        if (!d.empty()) {
          EXPECT_GE(d.data(), prefix.data());
          EXPECT_LE(d.data() + d.size(), prefix.data() + prefix.size());
        }
      }
    });
  }
}

TEST(Dnp3Parser, BadCrcsAndLengths) {
  auto bytes = Hex(kSelect);
  Dnp3LinkFrame f;
  size_t need = 0;
  auto header = bytes;
  header[4] ^= 0x01;  // destination changed under the header CRC
  EXPECT_EQ(ParseDnp3Link(header, f, need), Dnp3LinkStatus::kBadHeaderCrc);
  auto data = bytes;
  data[12] ^= 0x01;  // the function code changed under the first block CRC
  ASSERT_EQ(ParseDnp3Link(data, f, need), Dnp3LinkStatus::kOk);
  EXPECT_FALSE(f.data_crc_ok);
  // dnp3/DNP3-Malformed.pcap frame 1: length 2, below the 5 control and addresses take.
  auto short_length = Hex("05 64 02 c4 0a 00 01 00 97 fe c1 c1 01 25 32 35");
  EXPECT_EQ(ParseDnp3Link(short_length, f, need), Dnp3LinkStatus::kBadLength);
  EXPECT_EQ(ParseDnp3Link(Hex("05 65"), f, need), Dnp3LinkStatus::kBadStart);
}

TEST(Dnp3Parser, ReservedQualifierStopsTheWalk) {
  Parsed p(kBroadcastStop);
  const Dnp3Apdu& a = p.apdu;
  EXPECT_EQ(a.function, kDnp3StopApplication);
  EXPECT_TRUE(a.objects_bad);
  ASSERT_EQ(a.object_count, 3u);  // the bad header still names its object
  EXPECT_EQ(a.objects[2].group, 60);
}

TEST(Dnp3Parser, ObjectHeaderCap) {
  std::vector<uint8_t> app = {0xc0, kDnp3Read};
  for (int i = 0; i < 40; ++i) app.insert(app.end(), {0x3c, 0x01, 0x06});
  Dnp3Apdu a;
  ASSERT_TRUE(ParseDnp3Application(app, a));
  EXPECT_EQ(a.object_count, kMaxDnp3ObjectHeaders);
  EXPECT_TRUE(a.objects_capped);
}

TEST(Dnp3Parser, HugeCountsDoNotOverrun) {
  // g30v1 with a 32-bit count of 0xffffffff objects of 5 octets, in a response.
  std::vector<uint8_t> app = {0xc0, kDnp3Response, 0, 0, 0x1e, 0x01, 0x09, 0xff, 0xff, 0xff, 0xff};
  app.insert(app.end(), 20, 0);
  Dnp3Apdu a;
  ASSERT_TRUE(ParseDnp3Application(app, a));
  EXPECT_TRUE(a.objects_bad);
  // g2v1 with a one-octet index prefix and a huge count: walked object by object.
  std::vector<uint8_t> indexed = {0xc0, kDnp3Response, 0,    0,    0x02, 0x01,
                                  0x19, 0xff,          0xff, 0xff, 0xff};
  indexed.insert(indexed.end(), 9000, 1);
  ASSERT_TRUE(ParseDnp3Application(indexed, a));
  EXPECT_TRUE(a.objects_capped);
}

// ---------------------------------------------------------------------------------------
// Dissector

TEST(Dnp3Dissector, SelectOperatePairsAndCounts) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kSelect), 4);
  h.Response(Hex(kSelectResponse), 6);
  h.Request(Hex(kOperate), 7);
  h.Response(Hex(kOperateResponse), 9);
  h.End();
  EXPECT_STREQ(h.Protocol(), "dnp3");
  EXPECT_EQ(Codes(h.sink, "functions"), (std::vector<uint32_t>{3, 129, 4, 129}));
  EXPECT_EQ(LinkCodes(h.sink), (std::vector<uint32_t>{0x44, 0x44, 0x44, 0x44}));
  ASSERT_EQ(h.sink.pdus.size(), 4u);
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kRequest);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  ASSERT_EQ(h.sink.ops.size(), 2u);
  const IcsOperation& select = h.sink.ops[0];
  EXPECT_STREQ(select.protocol, "dnp3");
  EXPECT_EQ(select.function_code, 3u);
  EXPECT_STREQ(select.function, "select");
  EXPECT_EQ(select.category, IcsCategory::kWrite);
  EXPECT_EQ(select.target.view(), "g12v1 crob idx 1 latch-on");
  EXPECT_EQ(select.result.view(), "ok");
  EXPECT_EQ(select.request_frame, 4u);
  EXPECT_EQ(select.response_frame, 6u);
  EXPECT_EQ(select.where.device_port, 20000);
  EXPECT_EQ(select.where.requester_ip.ToString(), "10.0.0.1");
  EXPECT_STREQ(h.sink.ops[1].function, "operate");
  EXPECT_EQ(h.sink.ops[1].response_frame, 9u);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(Dnp3Dissector, SeveralFramesInOneSegment) {
  StreamHarness h(Registered(6));
  h.Request(Concat({Hex(kSelect), Hex(kResetLink), Hex(kOperate)}), 4);
  EXPECT_EQ(Codes(h.sink, "functions"), (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(LinkCodes(h.sink), (std::vector<uint32_t>{0x40, 0x44, 0x44}));
  EXPECT_EQ(h.sink.pdus.size(), 3u);
}

TEST(Dnp3Dissector, FrameSplitAcrossSegments) {
  for (size_t chunk : {1u, 3u, 9u, 10u, 17u}) {
    StreamHarness h(Registered(6));
    h.SendInChunks(flow::Direction::kFromInitiator, Hex(kSelect), chunk, 4);
    h.SendInChunks(flow::Direction::kFromResponder, Hex(kSelectResponse), chunk, 6);
    h.End();
    ASSERT_EQ(h.sink.ops.size(), 1u) << chunk;
    EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
    EXPECT_EQ(Codes(h.sink, "functions"), (std::vector<uint32_t>{3, 129}));
    EXPECT_TRUE(h.anomalies.empty()) << chunk;
  }
}

TEST(Dnp3Dissector, LinkOnlyFramesAreCountedButNotFunctions) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kResetLink), 12);
  h.Response(Hex(kAck), 14);
  EXPECT_EQ(LinkCodes(h.sink), (std::vector<uint32_t>{0x00, 0x40}));
  EXPECT_TRUE(Codes(h.sink, "functions").empty());
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kOther);
  EXPECT_TRUE(h.sink.ops.empty());
}

TEST(Dnp3Dissector, UnsolicitedAndConfirmAreNotOperations) {
  StreamHarness h(Registered(6));
  h.Response(Hex(kUnsolicited), 4);
  h.Request(Hex(kConfirm), 6);
  h.End();
  EXPECT_EQ(Codes(h.sink, "functions"), (std::vector<uint32_t>{130, 0}));
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kOther);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kOther);
  EXPECT_TRUE(h.sink.ops.empty());
}

TEST(Dnp3Dissector, UdpLinkStatusAndRead) {
  StreamHarness h(Registered(17));
  h.Request(Hex(kRequestLinkStatus), 1);
  h.Response(Hex(kLinkStatus), 2);
  h.Request(Hex(kUdpRead), 5);
  // The response, built in two transport segments of one datagram each.
  std::vector<uint8_t> app = {0xc7, 0x81, 0x00, 0x00, 0x1e, 0x05, 0x00, 0x00,
                              0x00, 0x01, 0x00, 0x00, 0x00, 0x00};  // g30v5 0-0, flags + float
  std::vector<uint8_t> first = {0x40};                              // FIR, sequence 0
  first.insert(first.end(), app.begin(), app.begin() + 6);
  std::vector<uint8_t> last = {0x81};  // FIN, sequence 1
  last.insert(last.end(), app.begin() + 6, app.end());
  h.Response(MakeFrame(0x44, 100, 1, first), 6);
  h.Response(MakeFrame(0x44, 100, 1, last), 7);
  h.End();
  EXPECT_EQ(Codes(h.sink, "functions"), (std::vector<uint32_t>{1, 129}));
  EXPECT_EQ(LinkCodes(h.sink), (std::vector<uint32_t>{0x0b, 0x44, 0x44, 0x44, 0x49}));
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "g60v2 class1, g60v3 class2, g60v4 class3, g60v1 class0");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kRead);
  EXPECT_EQ(h.sink.ops[0].request_frame, 5u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 7u);  // where the fragment completed
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(Dnp3Dissector, FileReadReassemblesAcrossFourFrames) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kOpenFile), 4);
  h.Response(Hex(kOpenFileResponse), 6);
  h.Request(Hex(kReadFile), 7);
  h.Response(Hex(kReadFileSegment1), 9);
  h.Response(Hex(kReadFileSegment2), 11);
  h.Response(Hex(kReadFileSegment3), 13);
  h.Response(Hex(kReadFileSegment4), 15);
  h.Request(Hex(kCloseFile), 24);
  h.Response(Hex(kCloseFileResponse), 26);
  h.End();
  // tshark shows dnp3.al.func only in frame 15, where the fragment completes.
  EXPECT_EQ(Codes(h.sink, "functions"), (std::vector<uint32_t>{25, 129, 1, 129, 26, 129}));
  EXPECT_EQ(h.sink.pdus.size(), 9u);
  ASSERT_EQ(h.sink.ops.size(), 3u);
  EXPECT_STREQ(h.sink.ops[0].function, "open-file");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kRead);
  EXPECT_EQ(h.sink.ops[0].target.view(), "g70v3 file ./test.xml read");
  EXPECT_EQ(h.sink.ops[1].target.view(), "g70v5 file handle 0x12345678 block 0");
  EXPECT_EQ(h.sink.ops[1].response_frame, 15u);
  EXPECT_STREQ(h.sink.ops[2].function, "close-file");
  EXPECT_EQ(h.sink.ops[2].category, IcsCategory::kRead);  // the handle was opened to read
  EXPECT_EQ(h.sink.ops[2].target.view(), "g70v4 file handle 0x12345678");
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(Dnp3Dissector, FileOpenedForWritingIsProgramChange) {
  StreamHarness h(Registered(6));
  // The open of kOpenFile with mode 2 (write); CRCs rebuilt.
  auto open = Hex(kOpenFile);
  Dnp3LinkFrame f;
  size_t need = 0;
  ASSERT_EQ(ParseDnp3Link(open, f, need), Dnp3LinkStatus::kOk);
  std::vector<uint8_t> user(f.UserData().begin(), f.UserData().end());
  user[9 + 20] = 2;  // after transport, control, function, header, count, size: mode
  h.Request(MakeFrame(0xc4, 4, 3, user), 4);
  h.Response(Hex(kOpenFileResponse), 6);
  h.Request(Hex(kCloseFile), 24);
  h.Response(Hex(kCloseFileResponse), 26);
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kProgramChange);
  EXPECT_EQ(h.sink.ops[0].target.view(), "g70v3 file ./test.xml write");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kProgramChange);
}

TEST(Dnp3Dissector, AuthenticationChallengeKeepsTheOperatePending) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kAuthOperate), 1);
  h.Response(Hex(kAuthChallenge), 2);
  h.Request(Hex(kAuthReply), 3);
  h.Response(Hex(kAuthResponse), 4);
  h.End();
  EXPECT_EQ(Codes(h.sink, "functions"), (std::vector<uint32_t>{5, 131, 32, 129}));
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "direct-operate");
  EXPECT_EQ(h.sink.ops[0].request_frame, 1u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 4u);
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
}

TEST(Dnp3Dissector, ResponseWithoutRequestIsReportedAlone) {
  StreamHarness h(Registered(6));
  h.Response(Hex(kNotImplemented), 164);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  const IcsOperation& op = h.sink.ops[0];
  EXPECT_EQ(op.function_code, 129u);
  EXPECT_EQ(op.request_frame, 0u);
  EXPECT_EQ(op.response_frame, 164u);
  EXPECT_EQ(op.result.view(), "error function-not-supported");
  EXPECT_EQ(op.where.device_ip.ToString(), "10.0.0.2");
  ASSERT_EQ(h.sink.pdus.size(), 1u);
  EXPECT_TRUE(h.sink.pdus[0].exception);
}

TEST(Dnp3Dissector, BroadcastAndNoAckRequestsAreNotAwaited) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kBroadcastStop), 174);
  // Direct operate no ack of kSelect's CROB.
  auto select = Hex(kSelect);
  Dnp3LinkFrame f;
  size_t need = 0;
  ASSERT_EQ(ParseDnp3Link(select, f, need), Dnp3LinkStatus::kOk);
  std::vector<uint8_t> user(f.UserData().begin(), f.UserData().end());
  user[2] = kDnp3DirectOperateNoAck;
  h.Request(MakeFrame(0xc4, 2, 3, user), 175);
  ASSERT_EQ(h.sink.ops.size(), 2u);  // both before the flow ends
  EXPECT_STREQ(h.sink.ops[0].function, "stop-application");
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kControllerState);
  EXPECT_EQ(h.sink.ops[0].result.view(), "broadcast");
  EXPECT_EQ(h.anomalies.Count("dnp3.bad_object"), 1u);
  EXPECT_STREQ(h.sink.ops[1].function, "direct-operate-no-ack");
  EXPECT_EQ(h.sink.ops[1].result.view(), "no-ack");
  h.End();
  EXPECT_EQ(h.sink.ops.size(), 2u);
}

TEST(Dnp3Dissector, UnansweredRequestsAreReportedAtEnd) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kSelect), 4);
  h.Request(Hex(kOperate), 7);
  EXPECT_TRUE(h.sink.ops.empty());
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 2u);
  for (const auto& op : h.sink.ops) {
    EXPECT_TRUE(op.result.empty());
    EXPECT_EQ(op.response_frame, 0u);
  }
  EXPECT_EQ(h.sink.ops[0].request_frame, 4u);
}

TEST(Dnp3Dissector, GapInResponsesGivesUpOnPendingRequests) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kSelect), 4);
  h.Gap(flow::Direction::kFromResponder, 100);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_TRUE(h.sink.ops[0].result.empty());
  // After the gap the responder's bytes resume mid-frame: the tail of one frame, then a
  // whole one, which is found again.
  auto response = Hex(kSelectResponse);
  std::vector<uint8_t> resumed(response.begin() + 13, response.end());
  resumed.insert(resumed.end(), response.begin(), response.end());
  h.Response(resumed, 6);
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_EQ(h.sink.ops[1].request_frame, 0u);       // its request was given up on
  EXPECT_EQ(h.anomalies.Count("dnp3.resync"), 0u);  // finding the way back after a gap is silent
}

TEST(Dnp3Dissector, GapInRequestsKeepsPendingRequests) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kSelect), 4);
  h.Gap(flow::Direction::kFromInitiator, 100);
  EXPECT_TRUE(h.sink.ops.empty());
  h.Response(Hex(kSelectResponse), 6);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 4u);
}

TEST(Dnp3Dissector, IdentityFromDeviceAttributes) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kReadAttributes), 1);
  h.Response(Hex(kAttributesResponse), 2);
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_EQ(h.sink.Identity("vendor"), "ACME Grid");
  EXPECT_EQ(h.sink.Identity("model"), "RTU-500");
  EXPECT_EQ(h.sink.Identity("firmware"), "2.4.1");
  EXPECT_EQ(h.sink.Identity("serial"), "SN-0042");
  EXPECT_EQ(h.sink.identities[0].ip.ToString(), "10.0.0.2");
  EXPECT_EQ(h.sink.identities[0].frame, 2u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kIdentity);
  EXPECT_EQ(h.sink.ops[0].target.view(), "g0v254 attr all");
}

TEST(Dnp3Dissector, BadDataCrcDropsTheFragment) {
  StreamHarness h(Registered(6));
  auto bytes = Hex(kSelect);
  bytes[12] ^= 0x01;
  h.Request(bytes, 4);
  EXPECT_EQ(h.anomalies.Count("dnp3.bad_crc"), 1u);
  EXPECT_EQ(LinkCodes(h.sink), (std::vector<uint32_t>{0x44}));
  EXPECT_TRUE(Codes(h.sink, "functions").empty());
  h.End();
  EXPECT_TRUE(h.sink.ops.empty());
}

TEST(Dnp3Dissector, BadHeaderCrcResynchronises) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kSelect), 4);
  auto broken = Hex(kOperate);
  broken[5] ^= 0x01;
  h.Request(Concat({broken, Hex(kResetLink)}), 7);
  EXPECT_EQ(h.anomalies.Count("dnp3.bad_crc"), 1u);
  EXPECT_EQ(h.anomalies.Count("dnp3.resync"), 0u);
  EXPECT_EQ(LinkCodes(h.sink), (std::vector<uint32_t>{0x40, 0x44}));
}

TEST(Dnp3Dissector, GarbageBetweenFramesIsSkipped) {
  StreamHarness h(Registered(6));
  h.Response(Hex(kUnsolicited), 17);
  h.Request(Hex(kGarbage), 19);
  h.Request(Hex(kGarbage), 21);
  h.Request(Hex(kConfirm), 22);
  EXPECT_EQ(h.anomalies.Count("dnp3.resync"), 1u);  // one per loss of sync
  EXPECT_EQ(Codes(h.sink, "functions"), (std::vector<uint32_t>{130, 0}));
  EXPECT_EQ(h.stats.detached, 0u);
}

TEST(Dnp3Dissector, EndlessGarbageDetaches) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kSelect), 1);
  std::vector<uint8_t> junk(5000, 0x41);
  h.Request(junk, 2);
  EXPECT_EQ(h.stats.detached, 1u);
}

TEST(Dnp3Dissector, TransportSequenceAndSizeAnomalies) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kSelect), 1);
  // A middle segment with no first one.
  h.Request(MakeFrame(0xc4, 2, 3, {0x05, 0xc0, 0x01}), 2);
  EXPECT_EQ(h.anomalies.Count("dnp3.transport_sequence"), 1u);
  // A fragment that never ends: 17 segments of 249 octets pass the 4096-octet cap.
  std::vector<uint8_t> segment(250, 0);
  for (uint8_t i = 0; i < 17; ++i) {
    segment[0] = static_cast<uint8_t>((i == 0 ? 0x40 : 0x00) | i);
    h.Request(MakeFrame(0xc4, 2, 3, segment), 3 + i);
  }
  EXPECT_EQ(h.anomalies.Count("dnp3.fragment_too_large"), 1u);
  EXPECT_EQ(Codes(h.sink, "functions"), (std::vector<uint32_t>{3}));
  // A first segment while another fragment is unfinished.
  h.Request(MakeFrame(0xc4, 2, 3, {0x40, 0xc0, 0x01}), 30);  // FIR, sequence 0
  h.Request(MakeFrame(0xc4, 2, 3, {0x45, 0xc0, 0x01}), 31);  // FIR, sequence 5
  EXPECT_EQ(h.anomalies.Count("dnp3.transport_incomplete"), 1u);
}

TEST(Dnp3Dissector, RetriedSegmentIsJoinedOnce) {
  StreamHarness h(Registered(6));
  auto first = MakeFrame(0xd3, 2, 3, {0x40, 0xc1, 0x01});  // FIR, sequence 0: read ...
  h.Request(first, 1);
  h.Request(first, 2);  // the link layer sent it again (no ACK seen)
  h.Request(MakeFrame(0xf3, 2, 3, {0x81, 0x3c, 0x01, 0x06}), 3);  // ... g60v1 all; FIN
  EXPECT_EQ(Codes(h.sink, "functions"), (std::vector<uint32_t>{1}));
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(Dnp3Dissector, FullTableRaisesOverflow) {
  StreamHarness h(Registered(6));
  for (uint16_t outstation = 1; outstation <= 17; ++outstation) {
    h.Request(MakeFrame(0xc4, outstation, 3, {0xc0, 0xc0, 0x0d}), outstation);  // cold restart
  }
  EXPECT_EQ(h.anomalies.Count("dnp3.unanswered_overflow"), 1u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 1u);
  EXPECT_EQ(h.sink.ops[0].category, IcsCategory::kControllerState);
}

TEST(Dnp3Dissector, LaterResponseFragmentsDoNotPair) {
  StreamHarness h(Registered(6));
  h.Request(MakeFrame(0xc4, 4, 3, {0xc0, 0xc5, 0x01, 0x3c, 0x01, 0x06}), 1);  // read seq 5
  // A response fragment without FIR whose sequence is 5: a continuation, not the answer.
  h.Response(MakeFrame(0x44, 3, 4, {0xc0, 0x45, 0x81, 0x00, 0x00}), 2);
  EXPECT_TRUE(h.sink.ops.empty());
  h.Response(MakeFrame(0x44, 3, 4, {0xc1, 0xc5, 0x81, 0x00, 0x00}), 3);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 3u);
}

TEST(Dnp3Dissector, ControlStatusIsTheResult) {
  StreamHarness h(Registered(6));
  h.Request(Hex(kSelect), 4);
  auto echo = Hex(kSelectResponse);
  Dnp3LinkFrame f;
  size_t need = 0;
  ASSERT_EQ(ParseDnp3Link(echo, f, need), Dnp3LinkStatus::kOk);
  std::vector<uint8_t> user(f.UserData().begin(), f.UserData().end());
  user.back() = 4;  // status 4: not supported
  h.Response(MakeFrame(0x44, 3, 2, user), 6);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].result.view(), "control status 4 not-supported");
}

// ---------------------------------------------------------------------------------------
// Probe

TEST(Dnp3Probe, AcceptsALinkHeaderAndWaitsForTen) {
  auto bytes = Hex(kSelect);
  EXPECT_EQ(dnp3::Probe(flow::Direction::kFromInitiator, bytes), ProbeResult::kYes);
  EXPECT_EQ(dnp3::Probe(flow::Direction::kFromInitiator, std::span(bytes).first(10)),
            ProbeResult::kYes);
  for (size_t n = 0; n < 10; ++n) {
    EXPECT_EQ(dnp3::Probe(flow::Direction::kFromInitiator, std::span(bytes).first(n)),
              ProbeResult::kMaybe)
        << n;
  }
}

TEST(Dnp3Probe, RejectsOtherProtocols) {
  auto no = [](std::string_view hex) {
    return dnp3::Probe(flow::Direction::kFromInitiator, Hex(hex)) == ProbeResult::kNo;
  };
  std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(dnp3::Probe(flow::Direction::kFromInitiator,
                        std::span(reinterpret_cast<const uint8_t*>(http.data()), http.size())),
            ProbeResult::kNo);
  EXPECT_TRUE(no("16 03 01 00 a5 01 00 00 a1 03 03"));        // TLS client hello
  EXPECT_TRUE(no("00 01 00 00 00 06 01 03 00 00 00 0a"));     // Modbus/TCP read holding
  EXPECT_TRUE(no("03 00 00 16 11 e0 00 00 00 01 00 c1 02"));  // S7 / ISO-TSAP connect
  EXPECT_TRUE(no("05 64 1a c4 02 00 03 00 40 f3"));           // DNP3 start, wrong CRC
  EXPECT_TRUE(no("05 64 02 c4 0a 00 01 00 97 fe"));           // DNP3-Malformed.pcap frame 1
  EXPECT_TRUE(no(kGarbage));
}

TEST(Dnp3Probe, OtherProtocolNeverAttaches) {
  StreamHarness h(Registered(6));
  h.Request(Hex("00 01 00 00 00 06 01 03 00 00 00 0a"), 1);
  h.End();
  EXPECT_EQ(h.Protocol(), nullptr);
  EXPECT_TRUE(h.sink.pdus.empty());
}

}  // namespace
}  // namespace qw::dissect
