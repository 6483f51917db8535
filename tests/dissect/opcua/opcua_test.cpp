// Tests of the OPC UA binary parser and dissector: real chunks from the shared captures,
// field by field as tshark 4.0.17 dissects them; every truncated prefix; ciphertext
// channels; chunking, large chunks, gaps, pairing, identities and the probe.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissect/opcua/opcua_dissector.h"
#include "dissect/opcua/opcua_parser.h"
#include "dissect_harness.h"
#include "opcua/opcua_fixtures.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::kOpcuaRead;
using testing::Registered;
using testing::StreamHarness;

// ---- Fixtures: opcua/open62541_client-server-getEndpoints.pcap ------------------------------

// Frame 5 (client 63501 -> 4840).
constexpr std::string_view kHello = R"(
  48 45 4c 46 38 00 00 00   # "HEL" "F", size 56
  00 00 00 00               # protocol version 0
  ff ff 00 00 ff ff 00 00   # receive and send buffer 65535
  00 00 00 00 00 00 00 00   # max message size, max chunk count: no limit
  18 00 00 00               # endpoint URL, 24 octets:
  6f 70 63 2e 74 63 70 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 3a 34 38 34 30
                            #   "opc.tcp://localhost:4840"
)";
// Frame 7.
constexpr std::string_view kAck = R"(
  41 43 4b 46 1c 00 00 00   # "ACK" "F", size 28
  00 00 00 00 ff ff 00 00 ff ff 00 00 00 00 00 00 00 00 00 00
)";
// Frame 9: OpenSecureChannelRequest under SecurityPolicy None.
constexpr std::string_view kOpenRequest = R"(
  4f 50 4e 46 84 00 00 00   # "OPN" "F", size 132
  00 00 00 00               # secure channel id 0 (a new channel)
  2f 00 00 00               # SecurityPolicyUri, 47 octets:
  68 74 74 70 3a 2f 2f 6f 70 63 66 6f 75 6e 64 61 74 69 6f 6e 2e 6f 72 67 2f 55 41 2f
  53 65 63 75 72 69 74 79 50 6f 6c 69 63 79 23 4e 6f 6e 65
                            #   "http://opcfoundation.org/UA/SecurityPolicy#None"
  ff ff ff ff ff ff ff ff   # sender certificate, receiver thumbprint: null
  01 00 00 00 01 00 00 00   # sequence number 1, request id 1
  01 00 be 01               # type id i=446 OpenSecureChannelRequest
  00 00                     # RequestHeader: authentication token i=0
  60 ac d9 9b 55 95 d7 01   #   timestamp
  00 00 00 00 00 00 00 00   #   request handle 0, return diagnostics 0
  ff ff ff ff 00 00 00 00   #   audit entry null, timeout hint 0
  00 00 00                  #   additional header: none
  00 00 00 00               # client protocol version 0
  00 00 00 00               # request type 0 issue
  01 00 00 00               # security mode 1 None
  ff ff ff ff               # client nonce null
  c0 27 09 00               # requested lifetime 600000 ms
)";
// Frame 11: OpenSecureChannelResponse naming channel 8.
constexpr std::string_view kOpenResponse = R"(
  4f 50 4e 46 87 00 00 00   # "OPN" "F", size 135
  08 00 00 00               # secure channel id 8
  2f 00 00 00
  68 74 74 70 3a 2f 2f 6f 70 63 66 6f 75 6e 64 61 74 69 6f 6e 2e 6f 72 67 2f 55 41 2f
  53 65 63 75 72 69 74 79 50 6f 6c 69 63 79 23 4e 6f 6e 65
  ff ff ff ff ff ff ff ff
  01 00 00 00 01 00 00 00   # sequence number 1, request id 1
  01 00 c1 01               # type id i=449 OpenSecureChannelResponse
  f2 b0 d9 9b 55 95 d7 01   # ResponseHeader: timestamp
  00 00 00 00 00 00 00 00   #   request handle 0, service result Good
  00 ff ff ff ff 00 00 00   #   no diagnostics, no string table, no additional header
  00 00 00 00               # server protocol version
  08 00 00 00 08 00 00 00   # security token: channel 8, token 8
  e8 b0 d9 9b 55 95 d7 01   #   created at
  c0 27 09 00               #   revised lifetime
  ff ff ff ff               # server nonce null
)";
// Frame 13: GetEndpointsRequest for opc.tcp://localhost:4840.
constexpr std::string_view kGetEndpoints = R"(
  4d 53 47 46 4a 01 00 00   # "MSG" "F", size 330
  08 00 00 00 08 00 00 00   # channel 8, token 8
  02 00 00 00 02 00 00 00   # sequence number 2, request id 2
  01 00 ac 01               # type id i=428 GetEndpointsRequest
  00 00 7a ba d9 9b 55 95 d7 01 01 00 00 00 00 00 00 00 ff ff ff ff 10 27 00 00 00 00 00
                            # RequestHeader (handle 1, timeout 10000)
  18 00 00 00               # endpoint URL "opc.tcp://localhost:4840"
  6f 70 63 2e 74 63 70 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 3a 34 38 34 30
  02 00 00 00               # locale ids: "LOCALE 0", "LOCALE 1"
  08 00 00 00 4c 4f 43 41 4c 45 20 30  08 00 00 00 4c 4f 43 41 4c 45 20 31
  03 00 00 00               # profile URIs: three of 67 octets
  43 00 00 00 68 74 74 70 3a 2f 2f 6f 70 63 66 6f 75 6e 64 61 74 69 6f 6e 2e 6f 72 67 2f 55
  41 2d 50 72 6f 66 69 6c 65 2f 54 72 61 6e 73 70 6f 72 74 2f 75 61 74 63 70 2d 75 61 73 63
  2d 75 61 62 69 6e 61 72 79 2d 30
  43 00 00 00 68 74 74 70 3a 2f 2f 6f 70 63 66 6f 75 6e 64 61 74 69 6f 6e 2e 6f 72 67 2f 55
  41 2d 50 72 6f 66 69 6c 65 2f 54 72 61 6e 73 70 6f 72 74 2f 75 61 74 63 70 2d 75 61 73 63
  2d 75 61 62 69 6e 61 72 79 2d 31
  43 00 00 00 68 74 74 70 3a 2f 2f 6f 70 63 66 6f 75 6e 64 61 74 69 6f 6e 2e 6f 72 67 2f 55
  41 2d 50 72 6f 66 69 6c 65 2f 54 72 61 6e 73 70 6f 72 74 2f 75 61 74 63 70 2d 75 61 73 63
  2d 75 61 62 69 6e 61 72 79 2d 32
)";
// Frame 15: GetEndpointsResponse with no endpoints.
constexpr std::string_view kGetEndpointsResponse = R"(
  4d 53 47 46 38 00 00 00 08 00 00 00 08 00 00 00 02 00 00 00 02 00 00 00
  01 00 af 01               # type id i=431 GetEndpointsResponse
  ee be d9 9b 55 95 d7 01 01 00 00 00 00 00 00 00 00 ff ff ff ff 00 00 00
  ff ff ff ff               # endpoints: null
)";
// Frame 17: CloseSecureChannelRequest.
constexpr std::string_view kClose = R"(
  43 4c 4f 46 39 00 00 00   # "CLO" "F", size 57
  08 00 00 00 08 00 00 00 03 00 00 00 03 00 00 00
  01 00 c4 01               # type id i=452 CloseSecureChannelRequest
  00 00 ee c3 d9 9b 55 95 d7 01 01 00 00 00 00 00 00 00 ff ff ff ff 10 27 00 00 00 00 00
)";

// ---- Fixtures: opcua/open62541_client-server_minimal.pcap (channel 6, port 50122) ------------

// Frame 39: CreateSessionRequest from a client named only by its application URI.
constexpr std::string_view kCreateSession = R"(
  4d 53 47 46 a6 00 00 00 06 00 00 00 06 00 00 00 03 00 00 00 03 00 00 00
  01 00 cd 01               # type id i=461 CreateSessionRequest
  00 00 d0 2e c4 f2 75 ca d5 01 03 00 00 00 00 00 00 00 ff ff ff ff 10 27 00 00 00 00 00
  1c 00 00 00               # client application URI "urn:unconfigured:application"
  75 72 6e 3a 75 6e 63 6f 6e 66 69 67 75 72 65 64 3a 61 70 70 6c 69 63 61 74 69 6f 6e
  ff ff ff ff               # product URI null
  00                        # application name: empty LocalizedText
  01 00 00 00               # application type 1 client
  ff ff ff ff ff ff ff ff ff ff ff ff   # gateway, discovery profile, discovery URLs: null
  ff ff ff ff               # server URI null
  18 00 00 00 6f 70 63 2e 74 63 70 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 3a 34 38 34 30
                            # endpoint URL "opc.tcp://localhost:4840"
  ff ff ff ff ff ff ff ff ff ff ff ff   # session name, client nonce, certificate: null
  00 00 00 00 80 4f 32 41   # requested session timeout 1200000 ms
  ff ff ff 7f               # max response message size
)";
// Frame 41: CreateSessionResponse; its endpoint names the server application.
constexpr std::string_view kCreateSessionResponse = R"(
  4d 53 47 46 42 02 00 00 06 00 00 00 06 00 00 00 03 00 00 00 03 00 00 00
  01 00 d0 01               # type id i=464 CreateSessionResponse
  d6 25 cc f2 75 ca d5 01 03 00 00 00 00 00 00 00 00 ff ff ff ff 00 00 00
  04 01 00 8e c3 39 e3 05 e0 25 27 73 f7 6f d6 70 47 a4 ca   # session id (GUID, ns 1)
  04 01 00 02 49 89 f8 84 6a 01 2a 40 54 35 33 b2 5b 45 24   # authentication token
  00 00 00 00 80 4f 32 41   # revised session timeout
  20 00 00 00 1f f2 f4 27 5e 49 01 aa 91 66 c8 78 06 76 72 25 48 31 44 b4 47 d9 a0 0a 11 69
  8a e3 1b ba f1 c5         # server nonce, 32 octets
  ff ff ff ff               # server certificate null
  01 00 00 00               # server endpoints: 1
  18 00 00 00 6f 70 63 2e 74 63 70 3a 2f 2f 6c 6f 63 61 6c 68 6f 73 74 3a 34 38 34 30
  20 00 00 00               # application URI "urn:open62541.server.application"
  75 72 6e 3a 6f 70 65 6e 36 32 35 34 31 2e 73 65 72 76 65 72 2e 61 70 70 6c 69 63 61 74 69
  6f 6e
  14 00 00 00               # product URI "http://open62541.org"
  68 74 74 70 3a 2f 2f 6f 70 65 6e 36 32 35 34 31 2e 6f 72 67
  03 02 00 00 00 65 6e      # application name: locale "en",
  22 00 00 00               #   text "open62541-based OPC UA Application"
  6f 70 65 6e 36 32 35 34 31 2d 62 61 73 65 64 20 4f 50 43 20 55 41 20 41 70 70 6c 69 63 61
  74 69 6f 6e
  00 00 00 00               # application type 0 server
  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff   # ..., server certificate null
  01 00 00 00               # security mode None
  2f 00 00 00 68 74 74 70 3a 2f 2f 6f 70 63 66 6f 75 6e 64 61 74 69 6f 6e 2e 6f 72 67 2f 55
  41 2f 53 65 63 75 72 69 74 79 50 6f 6c 69 63 79 23 4e 6f 6e 65
  02 00 00 00               # user identity token policies: anonymous, user name
  1a 00 00 00 6f 70 65 6e 36 32 35 34 31 2d 61 6e 6f 6e 79 6d 6f 75 73 2d 70 6f 6c 69 63 79
  00 00 00 00 ff ff ff ff ff ff ff ff ff ff ff ff
  19 00 00 00 6f 70 65 6e 36 32 35 34 31 2d 75 73 65 72 6e 61 6d 65 2d 70 6f 6c 69 63 79
  01 00 00 00 ff ff ff ff ff ff ff ff
  2f 00 00 00 68 74 74 70 3a 2f 2f 6f 70 63 66 6f 75 6e 64 61 74 69 6f 6e 2e 6f 72 67 2f 55
  41 2f 53 65 63 75 72 69 74 79 50 6f 6c 69 63 79 23 4e 6f 6e 65
  41 00 00 00 68 74 74 70 3a 2f 2f 6f 70 63 66 6f 75 6e 64 61 74 69 6f 6e 2e 6f 72 67 2f 55
  41 2d 50 72 6f 66 69 6c 65 2f 54 72 61 6e 73 70 6f 72 74 2f 75 61 74 63 70 2d 75 61 73 63
  2d 75 61 62 69 6e 61 72 79
  01                        # security level 1
  ff ff ff ff ff ff ff ff ff ff ff ff 00 00 00 00   # software certificates, signature, ...
)";
// Frame 43: ActivateSessionRequest with a UserNameIdentityToken (policy None: the password
// travels in clear).
constexpr std::string_view kActivateSession = R"(
  4d 53 47 46 a1 00 00 00 06 00 00 00 06 00 00 00 04 00 00 00 04 00 00 00
  01 00 d3 01               # type id i=467 ActivateSessionRequest
  04 01 00 02 49 89 f8 84 6a 01 2a 40 54 35 33 b2 5b 45 24   # authentication token
  b2 2b cc f2 75 ca d5 01 05 00 00 00 00 00 00 00 ff ff ff ff c0 27 09 00 00 00 00
  ff ff ff ff ff ff ff ff   # client signature: null algorithm and signature
  ff ff ff ff ff ff ff ff   # software certificates, locale ids: null
  01 00 44 01 01 36 00 00 00   # user identity token: i=324 UserNameIdentityToken, 54 octets:
  19 00 00 00 6f 70 65 6e 36 32 35 34 31 2d 75 73 65 72 6e 61 6d 65 2d 70 6f 6c 69 63 79
                            #   policy id "open62541-username-policy"
  05 00 00 00 75 73 65 72 31                  #   user name "user1"
  08 00 00 00 70 61 73 73 77 6f 72 64         #   password "password"
  ff ff ff ff               #   encryption algorithm null
  ff ff ff ff ff ff ff ff   # user token signature null
)";
// Frame 45: ActivateSessionResponse.
constexpr std::string_view kActivateSessionResponse = R"(
  4d 53 47 46 60 00 00 00 06 00 00 00 06 00 00 00 04 00 00 00 04 00 00 00
  01 00 d6 01 dc c7 d3 f2 75 ca d5 01 05 00 00 00 00 00 00 00 00 ff ff ff ff 00 00 00
  20 00 00 00 f9 30 86 6b 7e e1 f6 6d 9e 30 63 b6 95 55 41 2c ab 99 4f 67 4e 5e 84 56 ad 2c
  b4 25 7f 75 79 4a ff ff ff ff ff ff ff ff
)";
// Frame 87: ReadResponse; the one result is BadNodeIdUnknown.
constexpr std::string_view kReadResponse = R"(
  4d 53 47 46 41 00 00 00 06 00 00 00 06 00 00 00
  0a 00 00 00 14 00 00 00   # sequence number 10, request id 20
  01 00 7a 02               # type id i=634 ReadResponse
  50 84 3e f3 75 ca d5 01 15 00 00 00 00 00 00 00 00 ff ff ff ff 00 00 00
  01 00 00 00               # results: 1
  02 00 00 34 80            # DataValue: status only, 0x80340000 BadNodeIdUnknown
  ff ff ff ff               # diagnostic infos null
)";
// Frame 89: WriteRequest of Int32 1 to ns=1;s=the.answer.
constexpr std::string_view kWrite = R"(
  4d 53 47 46 6d 00 00 00 06 00 00 00 06 00 00 00 15 00 00 00 15 00 00 00
  01 00 a1 02               # type id i=673 WriteRequest
  04 01 00 02 49 89 f8 84 6a 01 2a 40 54 35 33 b2 5b 45 24
  98 8c 3e f3 75 ca d5 01 16 00 00 00 00 00 00 00 ff ff ff ff 00 00 00 00 00 00 00
  01 00 00 00               # nodes to write: 1
  03 01 00 0a 00 00 00 74 68 65 2e 61 6e 73 77 65 72   # ns=1;s=the.answer
  0d 00 00 00 ff ff ff ff   # attribute Value, no index range
  01 06 01 00 00 00         # DataValue: Variant Int32 1
)";
// Frame 91: WriteResponse; the item failed with BadNodeIdUnknown.
constexpr std::string_view kWriteResponse = R"(
  4d 53 47 46 40 00 00 00 06 00 00 00 06 00 00 00 0b 00 00 00 15 00 00 00
  01 00 a4 02 ae 28 46 f3 75 ca d5 01 16 00 00 00 00 00 00 00 00 ff ff ff ff 00 00 00
  01 00 00 00 00 00 34 80   # results: 0x80340000
  ff ff ff ff
)";
// Frame 121: CallRequest of method ns=1;i=62541 on the Objects folder i=85.
constexpr std::string_view kCall = R"(
  4d 53 47 46 69 00 00 00 06 00 00 00 06 00 00 00 18 00 00 00 18 00 00 00
  01 00 c8 02               # type id i=712 CallRequest
  04 01 00 02 49 89 f8 84 6a 01 2a 40 54 35 33 b2 5b 45 24
  6c f6 64 f3 75 ca d5 01 19 00 00 00 00 00 00 00 ff ff ff ff 00 00 00 00 00 00 00
  01 00 00 00               # methods to call: 1
  00 55                     # object i=85
  01 01 4d f4               # method ns=1;i=62541
  01 00 00 00 0c 0c 00 00 00 48 65 6c 6c 6f 20 53 65 72 76 65 72   # input: "Hello Server"
)";
// Frame 123: CallResponse.
constexpr std::string_view kCallResponse = R"(
  4d 53 47 46 4c 00 00 00 06 00 00 00 06 00 00 00 18 00 00 00 18 00 00 00
  01 00 cb 02 66 63 6c f3 75 ca d5 01 19 00 00 00 00 00 00 00 00 ff ff ff ff 00 00 00
  01 00 00 00 00 00 34 80   # results: CallMethodResult status 0x80340000
  ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff
)";
// Frame 125: AddNodesRequest of ReferenceType ns=1;i=12133 "NewReference" under i=35.
constexpr std::string_view kAddNodes = R"(
  4d 53 47 46 00 01 00 00 06 00 00 00 06 00 00 00 19 00 00 00 19 00 00 00
  01 00 e8 01               # type id i=488 AddNodesRequest
  04 01 00 02 49 89 f8 84 6a 01 2a 40 54 35 33 b2 5b 45 24
  42 6e 6c f3 75 ca d5 01 1a 00 00 00 00 00 00 00 ff ff ff ff 00 00 00 00 00 00 00
  01 00 00 00               # nodes to add: 1
  00 23                     # parent i=35
  00 2d                     # reference type i=45
  01 01 65 2f               # requested new node ns=1;i=12133
  01 00 0c 00 00 00 4e 65 77 52 65 66 65 72 65 6e 63 65   # browse name 1:"NewReference"
  20 00 00 00               # node class 32 ReferenceType
  01 00 71 01 01 89 00 00 00   # attributes: i=369 ReferenceTypeAttributes, 137 octets
  00 00 00 00 03 05 00 00 00 65 6e 2d 55 53 0c 00 00 00 4e 65 77 52 65 66 65 72 65 6e 63 65
  03 05 00 00 00 65 6e 2d 55 53 32 00 00 00 52 65 66 65 72 65 6e 63 65 73 20 73 6f 6d 65 74
  68 69 6e 67 20 74 68 61 74 20 6d 69 67 68 74 20 6f 72 20 6d 69 67 68 74 20 6e 6f 74 20 65
  78 69 73 74 00 00 00 00 00 00 00 00 00 00 03 05 00 00 00 65 6e 2d 55 53 13 00 00 00 49
  73 4e 65 77 6c 79 52 65 66 65 72 65 6e 63 65 64 42 79
  00 00                     # type definition i=0
)";
// Frame 127: AddNodesResponse: 0x805e0000 BadNodeIdExists.
constexpr std::string_view kAddNodesResponse = R"(
  4d 53 47 46 42 00 00 00 06 00 00 00 06 00 00 00 19 00 00 00 19 00 00 00
  01 00 eb 01 d6 09 74 f3 75 ca d5 01 1a 00 00 00 00 00 00 00 00 ff ff ff ff 00 00 00
  01 00 00 00 00 00 5e 80 00 00 ff ff ff ff
)";
// Frame 47: BrowseRequest of the Objects folder i=85.
constexpr std::string_view kBrowse = R"(
  4d 53 47 46 71 00 00 00 06 00 00 00 06 00 00 00 05 00 00 00 05 00 00 00
  01 00 0f 02               # type id i=527 BrowseRequest
  04 01 00 02 49 89 f8 84 6a 01 2a 40 54 35 33 b2 5b 45 24
  de d4 d3 f2 75 ca d5 01 06 00 00 00 00 00 00 00 ff ff ff ff 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00   # view: i=0, no timestamp, version 0
  00 00 00 00               # max references per node
  01 00 00 00 00 55         # nodes to browse: 1, i=85
  00 00 00 00 00 00 00 00 00 00 00 3f 00 00 00   # forward, any reference, all classes
)";
// Frame 63: PublishRequest (never answered before the capture ends, in this test).
constexpr std::string_view kPublish = R"(
  4d 53 47 46 4e 00 00 00 06 00 00 00 06 00 00 00 09 00 00 00 09 00 00 00
  01 00 3a 03               # type id i=826 PublishRequest
  04 01 00 02 49 89 f8 84 6a 01 2a 40 54 35 33 b2 5b 45 24
  8e 5b f2 f2 75 ca d5 01 0a 00 00 00 00 00 00 00 ff ff ff ff 60 ea 00 00 00 00 00
  00 00 00 00               # subscription acknowledgements: none
)";

// ---- Fixtures: opcua/open62541_client-server_encrypted.pcap (Basic128Rsa15, port 61713) -----

// Frame 31, shortened: OPN under Basic128Rsa15 with its 993-octet certificate cut to its
// first 8 octets and its ciphertext to its last 64 (the size field is the shortened one).
constexpr std::string_view kSecretOpen = R"(
  4f 50 4e 46 ac 00 00 00   # "OPN" "F", size 172
  00 00 00 00               # channel 0
  38 00 00 00               # SecurityPolicyUri, 56 octets:
  68 74 74 70 3a 2f 2f 6f 70 63 66 6f 75 6e 64 61 74 69 6f 6e 2e 6f 72 67 2f 55 41 2f
  53 65 63 75 72 69 74 79 50 6f 6c 69 63 79 23 42 61 73 69 63 31 32 38 52 73 61 31 35
                            #   "http://opcfoundation.org/UA/SecurityPolicy#Basic128Rsa15"
  08 00 00 00 30 82 03 dd 30 82 02 c5   # sender certificate (cut)
  14 00 00 00 02 ef 7d 93 ab 6c bb 3a 6f 9c 20 23 07 18 8d df 17 1e c9 91   # thumbprint
  e6 15 06 7c 53 5d 0e d2 8e 79 45 16 ac 9f cf 4b 48 9b 59 b8 05 46 73 08 45 81 20 e6 a9 0f
  17 66 24 ec ab d4 ec d0 dd c6 63 63 fb 77 8b a0 a1 e7 22 15 ec 89 11 d6 53 b9 b8 4c b4 0a
  71 c0 36 92               # ciphertext: sequence header and body
)";
// An application instance certificate made for this test (openssl req -x509 -newkey ec
// -subj "/C=CN/O=Crane Maker/CN=RCMS OPC UA Server" -days 730 -outform DER; openssl x509
// prints its notAfter as Nov 26 23:24:30 2028 GMT).
constexpr std::string_view kApplicationCertificate = R"(
  30 82 01 d5 30 82 01 7b a0 03 02 01 02 02 14 4d 34 d3 6e 81 3a 1f 73 b1 ce 24 a4 8c 50 ea 55 ad
  43 c3 5f 30 0a 06 08 2a 86 48 ce 3d 04 03 02 30 40 31 0b 30 09 06 03 55 04 06 13 02 43 4e 31 14
  30 12 06 03 55 04 0a 0c 0b 43 72 61 6e 65 20 4d 61 6b 65 72 31 1b 30 19 06 03 55 04 03 0c 12 52
  43 4d 53 20 4f 50 43 20 55 41 20 53 65 72 76 65 72 30 1e 17 0d 32 36 31 31 32 37 32 33 32 34 33
  30 5a 17 0d 32 38 31 31 32 36 32 33 32 34 33 30 5a 30 40 31 0b 30 09 06 03 55 04 06 13 02 43 4e
  31 14 30 12 06 03 55 04 0a 0c 0b 43 72 61 6e 65 20 4d 61 6b 65 72 31 1b 30 19 06 03 55 04 03 0c
  12 52 43 4d 53 20 4f 50 43 20 55 41 20 53 65 72 76 65 72 30 59 30 13 06 07 2a 86 48 ce 3d 02 01
  06 08 2a 86 48 ce 3d 03 01 07 03 42 00 04 c0 87 21 f3 d0 a7 4a 83 6b e5 af b4 5d 3d 65 30 9d d4
  2d 90 9d 77 60 76 18 91 44 42 29 70 c5 30 d5 2f eb 88 56 66 94 22 13 6d 61 46 95 b8 be 3a f8 b9
  1f 68 c7 d9 10 1c 33 f3 8c 4a c7 78 dd cd a3 53 30 51 30 1d 06 03 55 1d 0e 04 16 04 14 c1 50 d7
  b9 f2 27 eb 02 35 4e 70 28 46 92 1a 04 48 2c 27 85 30 1f 06 03 55 1d 23 04 18 30 16 80 14 c1 50
  d7 b9 f2 27 eb 02 35 4e 70 28 46 92 1a 04 48 2c 27 85 30 0f 06 03 55 1d 13 01 01 ff 04 05 30 03
  01 01 ff 30 0a 06 08 2a 86 48 ce 3d 04 03 02 03 48 00 30 45 02 21 00 d5 62 fe 98 8b 46 f8 e6 a8
  69 27 07 6a b0 bb 17 0f b3 e5 f2 4a 82 6a 41 6d c4 34 69 9f cd 70 14 02 20 2c 68 37 3f 49 55 51
  ba b2 23 f8 32 9e 49 6d ea 7f a6 e9 03 82 0c c1 bb 85 88 66 47 0e 57 4a ad
)";

// Frame 33, shortened likewise: the server's OPN naming channel 2.
constexpr std::string_view kSecretOpenResponse = R"(
  4f 50 4e 46 ac 00 00 00 02 00 00 00 38 00 00 00
  68 74 74 70 3a 2f 2f 6f 70 63 66 6f 75 6e 64 61 74 69 6f 6e 2e 6f 72 67 2f 55 41 2f
  53 65 63 75 72 69 74 79 50 6f 6c 69 63 79 23 42 61 73 69 63 31 32 38 52 73 61 31 35
  08 00 00 00 30 82 03 e1 30 82 02 c9
  14 00 00 00 85 ef 23 55 74 b9 ee 5b 51 4d e6 d9 97 28 bf c8 80 cc 7d 5c
  00 ef bb bd 62 71 54 ba 5a bf d5 ef 4f 2c 40 4e 93 e2 07 78 82 2d a4 c6 c8 30 23 e7 56 8e
  06 44 d1 56 76 0d 76 ea a5 46 38 89 4b 41 5e 6e 5f 07 a6 03 02 71 8e 4d 5f 19 d5 0a 7e 39
  11 3e ef f8
)";
// Frame 47: a MSG whose sequence header and body are ciphertext (SignAndEncrypt).
constexpr std::string_view kSecretMsg = R"(
  4d 53 47 46 70 00 00 00   # "MSG" "F", size 112
  02 00 00 00 02 00 00 00   # channel 2, token 2
  d4 90 82 19 b4 cf ef 0d 5f cf fa 72 63 fc 93 39 fb ac 43 af b8 d8 54 94 35 e9 d7 ed ba c4
  fb b9 3d 61 af 24 f4 cb 7b e7 ee ba 8c 40 48 74 bf ff c3 8f 0e d2 34 71 a8 a8 81 f8 5e 69
  88 53 77 7b af 58 f6 49 aa 01 73 bb 64 f6 24 24 d1 6c a0 1c f1 1c 2d 07 1b 1f 1c 1c 04 9f
  c9 67 c1 8a ae c2
)";
// Frame 49: the server's ciphertext answer.
constexpr std::string_view kSecretMsgResponse = R"(
  4d 53 47 46 50 00 00 00 02 00 00 00 02 00 00 00
  3c 89 1c c2 b3 7d 17 50 ed f2 d7 02 db e6 07 be 6f a9 d8 ee 1f 2a bf 61 da df 3a f6 14 e2
  3f fc b5 b5 a5 32 12 50 eb ae 10 b8 17 65 b2 9c 45 66 fb 03 21 5f ab 85 0c 74 78 8f a3 c5
  31 35 15 ac
)";
// Frame 51: a ciphertext CloseSecureChannel.
constexpr std::string_view kSecretClose = R"(
  43 4c 4f 46 50 00 00 00 02 00 00 00 02 00 00 00
  a6 ed 52 39 93 b6 2a e7 df 7d 01 4b 2f db 14 b7 5c 34 cc af aa 50 24 b6 ab 91 9c 2d 96 06
  8b f0 9c 34 7d 14 8d 68 91 0c 80 d9 4b 57 fd 83 20 71 91 a8 1d 01 6b 5c 0b 03 d2 c0 26 7f
  c7 df 50 5c
)";

// ---- Constructed chunks ------------------------------------------------------------------

// The message header with its size computed, then `rest`.
std::vector<uint8_t> Chunk(std::string_view type, char chunk, std::string_view rest_hex) {
  std::vector<uint8_t> rest = Hex(rest_hex);
  std::vector<uint8_t> out(type.begin(), type.end());
  out.push_back(static_cast<uint8_t>(chunk));
  uint32_t size = static_cast<uint32_t>(rest.size() + 8);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(size >> (8 * i)));
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

// A RequestHeader and ResponseHeader with nothing in them.
constexpr std::string_view kRequestHeader =
    "00 00  00 00 00 00 00 00 00 00  01 00 00 00  00 00 00 00  ff ff ff ff  10 27 00 00 "
    "00 00 00 ";
constexpr std::string_view kResponseHeader =
    "00 00 00 00 00 00 00 00  01 00 00 00  00 00 00 00  00  ff ff ff ff  00 00 00 ";

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (auto p : parts) s.append(p).append(" ");
  return s;
}

// ReadRequest of i=2256 ServerStatus, Value, on channel 6 with request id 0x30.
std::vector<uint8_t> ServerStatusRead() {
  return Chunk("MSG", 'F',
               Cat({"06 00 00 00 06 00 00 00 30 00 00 00 30 00 00 00  01 00 77 02", kRequestHeader,
                    "00 00 00 00 00 00 00 00  00 00 00 00  01 00 00 00",
                    "01 00 d0 08  0d 00 00 00  ff ff ff ff  00 00 ff ff ff ff"}));
}

// Its response: a ServerStatusDataType (i=864) holding the BuildInfo of an S7-1500.
std::vector<uint8_t> ServerStatusResponse() {
  std::string build = Cat({
      "00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 00",  // times, state
      "1f 00 00 00",  // product URI "http://www.siemens.com/s7-opcua"
      "68 74 74 70 3a 2f 2f 77 77 77 2e 73 69 65 6d 65 6e 73 2e 63 6f 6d 2f 73 37 2d 6f 70 63 75 "
      "61",
      "0a 00 00 00 53 69 65 6d 65 6e 73 20 41 47",                 // "Siemens AG"
      "0f 00 00 00 53 49 4d 41 54 49 43 20 53 37 2d 31 35 30 30",  // "SIMATIC S7-1500"
      "06 00 00 00 56 32 2e 39 2e 34",                             // "V2.9.4"
      "04 00 00 00 32 34 30 30",                                   // "2400"
      "00 00 00 00 00 00 00 00  00 00 00 00  00",                  // build date, shutdown
  });
  size_t body = Hex(build).size();
  std::string length;
  for (int i = 0; i < 4; ++i) {
    static constexpr char kDigits[] = "0123456789abcdef";
    uint8_t b = static_cast<uint8_t>(body >> (8 * i));
    length += kDigits[b >> 4];
    length += kDigits[b & 0xf];
    length += ' ';
  }
  return Chunk("MSG", 'F',
               Cat({"06 00 00 00 06 00 00 00 31 00 00 00 30 00 00 00  01 00 7a 02", kResponseHeader,
                    "01 00 00 00  01  16  01 00 60 03  01", length, build, "ff ff ff ff"}));
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const std::vector<std::string_view> kFixtures = {kHello,
                                                 kAck,
                                                 kOpenRequest,
                                                 kOpenResponse,
                                                 kGetEndpoints,
                                                 kGetEndpointsResponse,
                                                 kClose,
                                                 kCreateSession,
                                                 kCreateSessionResponse,
                                                 kActivateSession,
                                                 kActivateSessionResponse,
                                                 kOpcuaRead,
                                                 kReadResponse,
                                                 kWrite,
                                                 kWriteResponse,
                                                 kCall,
                                                 kCallResponse,
                                                 kAddNodes,
                                                 kAddNodesResponse,
                                                 kBrowse,
                                                 kPublish,
                                                 kSecretOpen,
                                                 kSecretOpenResponse,
                                                 kSecretMsg,
                                                 kSecretMsgResponse,
                                                 kSecretClose};

OpcuaChunk ChunkOk(const std::vector<uint8_t>& bytes, bool plain, core::Anomalies& anomalies) {
  auto chunk = ParseOpcuaChunk(bytes, plain, anomalies);
  EXPECT_TRUE(chunk.has_value());
  return chunk.value_or(OpcuaChunk{});
}

OpcuaServiceBody BodyOf(std::string_view hex, core::Anomalies& anomalies,
                        const OpcuaReadTracking* read = nullptr) {
  auto bytes = Hex(hex);
  OpcuaChunk c = ChunkOk(bytes, true, anomalies);
  EXPECT_TRUE(c.sequence_readable);
  return ParseOpcuaServiceBody(c.body, read, true, anomalies);
}

// ---- Parser -------------------------------------------------------------------------------

TEST(OpcuaParser, HelloAndAcknowledge) {
  core::Anomalies anomalies;
  auto hello = Hex(kHello);
  OpcuaFraming f = FrameOpcua(hello);
  EXPECT_EQ(f.status, OpcuaFraming::Status::kOk);
  EXPECT_EQ(f.type, kOpcuaHello);
  EXPECT_EQ(f.chunk, 'F');
  EXPECT_EQ(f.size, 56u);
  OpcuaChunk c = ChunkOk(hello, false, anomalies);
  EXPECT_EQ(c.endpoint_url.view(), "opc.tcp://localhost:4840");
  EXPECT_EQ(ChunkOk(Hex(kAck), false, anomalies).type, kOpcuaAcknowledge);
  EXPECT_TRUE(anomalies.empty());
}

TEST(OpcuaParser, OpenSecureChannelUnderPolicyNone) {
  core::Anomalies anomalies;
  auto bytes = Hex(kOpenRequest);
  OpcuaChunk c = ChunkOk(bytes, false, anomalies);
  EXPECT_EQ(c.type, kOpcuaOpen);
  EXPECT_EQ(c.channel_id, 0u);
  EXPECT_EQ(c.security_policy.view(), "http://opcfoundation.org/UA/SecurityPolicy#None");
  EXPECT_TRUE(IsOpcuaPolicyNone(c.security_policy.view()));
  EXPECT_FALSE(c.has_certificate());
  EXPECT_TRUE(c.sequence_readable);
  EXPECT_EQ(c.sequence_number, 1u);
  EXPECT_EQ(c.request_id, 1u);
  OpcuaServiceBody b = ParseOpcuaServiceBody(c.body, nullptr, true, anomalies);
  EXPECT_EQ(b.type_id, kOpcuaOpenRequest);
  ASSERT_NE(b.service, nullptr);
  EXPECT_STREQ(b.service->name, "open-secure-channel");
  EXPECT_FALSE(b.is_response);
  EXPECT_EQ(b.security_mode, 1u);
  EXPECT_EQ(b.request_type, 0u);
  EXPECT_TRUE(b.complete);
  OpcuaServiceBody r = BodyOf(kOpenResponse, anomalies);
  EXPECT_EQ(r.type_id, kOpcuaOpenResponse);
  EXPECT_TRUE(r.is_response);
  EXPECT_EQ(r.service_result, 0u);
  EXPECT_TRUE(anomalies.empty());
}

TEST(OpcuaParser, ServiceTargets) {
  core::Anomalies anomalies;
  EXPECT_EQ(BodyOf(kOpcuaRead, anomalies).target.view(), "ns=1;s=the.answer");
  EXPECT_EQ(BodyOf(kWrite, anomalies).target.view(), "ns=1;s=the.answer");
  EXPECT_EQ(BodyOf(kCall, anomalies).target.view(), "ns=1;i=62541 on i=85");
  EXPECT_EQ(BodyOf(kAddNodes, anomalies).target.view(), "ns=1;i=12133 under i=35");
  EXPECT_EQ(BodyOf(kBrowse, anomalies).target.view(), "i=85");
  EXPECT_EQ(BodyOf(kGetEndpoints, anomalies).target.view(), "opc.tcp://localhost:4840");
  EXPECT_EQ(BodyOf(kCreateSession, anomalies).target.view(), "opc.tcp://localhost:4840");
  OpcuaServiceBody activate = BodyOf(kActivateSession, anomalies);
  EXPECT_EQ(activate.identity_token, OpcuaIdentityToken::kUserName);
  EXPECT_EQ(activate.target.view(), "user user1");
  EXPECT_TRUE(anomalies.empty());
}

TEST(OpcuaParser, ResponseStatuses) {
  core::Anomalies anomalies;
  OpcuaServiceBody read = BodyOf(kReadResponse, anomalies);
  EXPECT_EQ(read.service_result, 0u);
  EXPECT_TRUE(read.has_item_status);
  EXPECT_EQ(read.item_status, 0x80340000u);
  EXPECT_EQ(BodyOf(kWriteResponse, anomalies).item_status, 0x80340000u);
  EXPECT_EQ(BodyOf(kCallResponse, anomalies).item_status, 0x80340000u);
  EXPECT_EQ(BodyOf(kAddNodesResponse, anomalies).item_status, 0x805e0000u);
  EXPECT_STREQ(OpcuaStatusName(0x805e0000), "BadNodeIdExists");
  EXPECT_STREQ(OpcuaStatusName(0), "Good");
  EXPECT_EQ(OpcuaStatusName(0x80ff0001), nullptr);
  EXPECT_TRUE(anomalies.empty());
}

TEST(OpcuaParser, CreateSessionResponseNamesTheServer) {
  core::Anomalies anomalies;
  OpcuaServiceBody b = BodyOf(kCreateSessionResponse, anomalies);
  ASSERT_TRUE(b.application.present);
  EXPECT_EQ(b.application.application_uri.view(), "urn:open62541.server.application");
  EXPECT_EQ(b.application.product_uri.view(), "http://open62541.org");
  EXPECT_EQ(b.application.application_name.view(), "open62541-based OPC UA Application");
  EXPECT_EQ(b.application.application_type, 0u);
  EXPECT_TRUE(anomalies.empty());
}

TEST(OpcuaParser, BuildInfoFromServerStatusRead) {
  core::Anomalies anomalies;
  auto request = ServerStatusRead();
  OpcuaChunk rc = ChunkOk(request, true, anomalies);
  OpcuaServiceBody req = ParseOpcuaServiceBody(rc.body, nullptr, true, anomalies);
  EXPECT_EQ(req.target.view(), "i=2256");
  ASSERT_EQ(req.read.count, 1);
  EXPECT_EQ(req.read.reads[0].node, 2256);
  auto response = ServerStatusResponse();
  OpcuaChunk pc = ChunkOk(response, true, anomalies);
  OpcuaServiceBody resp = ParseOpcuaServiceBody(pc.body, &req.read, true, anomalies);
  ASSERT_TRUE(resp.build.present);
  EXPECT_EQ(resp.build.manufacturer.view(), "Siemens AG");
  EXPECT_EQ(resp.build.product_name.view(), "SIMATIC S7-1500");
  EXPECT_EQ(resp.build.software_version.view(), "V2.9.4");
  EXPECT_EQ(resp.build.build_number.view(), "2400");
  EXPECT_TRUE(resp.complete);
  EXPECT_TRUE(anomalies.empty());
}

TEST(OpcuaParser, CiphertextIsNeverReadAsAService) {
  core::Anomalies anomalies;
  OpcuaChunk open = ChunkOk(Hex(kSecretOpen), false, anomalies);
  EXPECT_EQ(OpcuaPolicyName(open.security_policy.view()), "Basic128Rsa15");
  EXPECT_TRUE(open.has_certificate());
  EXPECT_FALSE(open.sequence_readable);
  EXPECT_FALSE(ChunkOk(Hex(kSecretMsg), false, anomalies).sequence_readable);
  EXPECT_FALSE(ChunkOk(Hex(kSecretMsgResponse), false, anomalies).sequence_readable);
  EXPECT_FALSE(ChunkOk(Hex(kSecretClose), false, anomalies).sequence_readable);
  // A plain body is recognised even when the channel's policy is not known.
  EXPECT_TRUE(ChunkOk(Hex(kOpcuaRead), false, anomalies).sequence_readable);
  EXPECT_TRUE(anomalies.empty());
}

TEST(OpcuaParser, NodeIdNotations) {
  core::Anomalies anomalies;
  // A Read of a GUID node and of an opaque node in namespace 3.
  auto read = Chunk("MSG", 'F',
                    Cat({"01 00 00 00 01 00 00 00 05 00 00 00 05 00 00 00  01 00 77 02",
                         kRequestHeader, "00 00 00 00 00 00 00 00  00 00 00 00  02 00 00 00",
                         "04 02 00  33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff",
                         "03 00 00 00 ff ff ff ff 00 00 ff ff ff ff",
                         "05 03 00 02 00 00 00 ca fe  0d 00 00 00 ff ff ff ff 00 00 ff ff ff ff"}));
  OpcuaChunk c = ChunkOk(read, true, anomalies);
  OpcuaServiceBody b = ParseOpcuaServiceBody(c.body, nullptr, true, anomalies);
  EXPECT_EQ(b.target.view(), "ns=2;g=00112233-4455-6677-8899-aabbccddeeff attr 3 +1");
  EXPECT_EQ(b.item_count, 2u);
  EXPECT_TRUE(b.complete);
  EXPECT_TRUE(anomalies.empty());
}

TEST(OpcuaParser, Utf8NamesStayWholeInTargets) {
  core::Anomalies anomalies;
  // A Read of ns=2;s="Förderband" (ö: c3 b6), and one of 60 "ö" that the target cannot hold.
  auto read = [](std::string_view name_hex, size_t octets) {
    std::string length;
    static constexpr char kDigits[] = "0123456789abcdef";
    length += kDigits[(octets >> 4) & 0xf];
    length += kDigits[octets & 0xf];
    return Chunk(
        "MSG", 'F',
        Cat({"01 00 00 00 01 00 00 00 05 00 00 00 05 00 00 00  01 00 77 02", kRequestHeader,
             "00 00 00 00 00 00 00 00  00 00 00 00  01 00 00 00", "03 02 00", length, "00 00 00",
             name_hex, "0d 00 00 00 ff ff ff ff 00 00 ff ff ff ff"}));
  };
  auto short_read = read("46 c3 b6 72 64 65 72 62 61 6e 64", 11);
  OpcuaChunk c = ChunkOk(short_read, true, anomalies);
  EXPECT_EQ(ParseOpcuaServiceBody(c.body, nullptr, true, anomalies).target.view(),
            "ns=2;s=F\xc3\xb6rderband");
  std::string many;
  for (int i = 0; i < 60; ++i) many += "c3 b6 ";
  auto long_read = read(many, 120);
  OpcuaChunk l = ChunkOk(long_read, true, anomalies);
  OpcuaServiceBody body = ParseOpcuaServiceBody(l.body, nullptr, true, anomalies);
  std::string_view target = body.target.view();
  // "ns=2;s=" is 7 octets; 52 whole two-octet characters fit in the remaining 105.
  EXPECT_EQ(target.size(), 7u + 104u);
  EXPECT_EQ(target.substr(target.size() - 2), "\xc3\xb6");
  EXPECT_TRUE(anomalies.empty());
}

TEST(OpcuaParser, EveryPrefixIsSafe) {
  for (auto fixture : kFixtures) {
    auto bytes = Hex(fixture);
    ASSERT_EQ(FrameOpcua(bytes).status, OpcuaFraming::Status::kOk) << fixture.substr(0, 60);
    EXPECT_EQ(LooksLikeOpcua(bytes), ProbeResult::kYes);
    ForEachPrefix(bytes, [&](std::span<const uint8_t> prefix) {
      core::Anomalies anomalies;
      EXPECT_EQ(FrameOpcua(prefix).status, OpcuaFraming::Status::kNeedMore);
      EXPECT_NE(LooksLikeOpcua(prefix), ProbeResult::kNo);
      // A prefix of a chunk parses as its first part, never past it.
      if (auto c = ParseOpcuaChunk(prefix, true, anomalies)) {
        ParseOpcuaServiceBody(c->body, nullptr, false, anomalies);
        ParseOpcuaServiceBody(c->body, nullptr, true, anomalies);
      }
    });
    // And every prefix of the body on its own.
    core::Anomalies anomalies;
    auto whole = ParseOpcuaChunk(bytes, true, anomalies);
    ASSERT_TRUE(whole.has_value());
    bool plain = ParseOpcuaServiceBody(whole->body, nullptr, true, anomalies).service != nullptr;
    ForEachPrefix(whole->body, [&](std::span<const uint8_t> body) {
      core::Anomalies a;
      OpcuaServiceBody b = ParseOpcuaServiceBody(body, nullptr, false, a);
      if (b.type_id == 631) {
        EXPECT_FALSE(b.complete);  // a cut ReadRequest is never complete
      }
      // A plain body cut short is expected, not an anomaly (ciphertext may be anything).
      if (plain) {
        EXPECT_TRUE(a.empty());
      }
    });
  }
}

TEST(OpcuaParser, NegativeStringLengthIsBadLength) {
  core::Anomalies anomalies;
  auto hello = Chunk("HEL", 'F',
                     "00 00 00 00 ff ff 00 00 ff ff 00 00 00 00 00 00 00 00 00 00 "
                     "fb ff ff ff");
  EXPECT_FALSE(ParseOpcuaChunk(hello, false, anomalies).has_value());
  EXPECT_EQ(anomalies.Count("opcua.bad_length"), 1u);
}

TEST(OpcuaParser, DeepVariantsStopAtTheDepthCap) {
  core::Anomalies anomalies;
  // A ReadResponse whose one DataValue holds Variants nested inside Variants.
  std::string nested;
  for (int i = 0; i < kMaxOpcuaDepth + 2; ++i) nested += "18 ";  // Variant of type Variant
  nested += "06 01 00 00 00";
  auto response = Chunk("MSG", 'F',
                        Cat({"06 00 00 00 06 00 00 00 31 00 00 00 30 00 00 00  01 00 7a 02",
                             kResponseHeader, "01 00 00 00  01", nested, "ff ff ff ff"}));
  OpcuaChunk c = ChunkOk(response, true, anomalies);
  OpcuaReadTracking read;
  read.reads[0] = {0, 2256};
  read.count = 1;
  OpcuaServiceBody b = ParseOpcuaServiceBody(c.body, &read, true, anomalies);
  EXPECT_FALSE(b.complete);
  EXPECT_EQ(anomalies.Count("opcua.too_deep"), 1u);
}

TEST(OpcuaParser, ProbeRejectsOtherProtocols) {
  auto text = [](std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); };
  EXPECT_EQ(LooksLikeOpcua(text("GET / HTTP/1.1\r\n")), ProbeResult::kNo);
  EXPECT_EQ(LooksLikeOpcua(Hex("16 03 01 02 00 01 00 01 fc 03 03")), ProbeResult::kNo);
  EXPECT_EQ(LooksLikeOpcua(Hex("68 04 07 00 00 00")), ProbeResult::kNo);  // IEC 104 STARTDT
  EXPECT_EQ(LooksLikeOpcua(Hex("00 01 00 00 00 06 01 03 00 00 00 0a")), ProbeResult::kNo);
  // HEL whose URL length disagrees with its size; MSG with a chunk type no message has.
  EXPECT_EQ(LooksLikeOpcua(Chunk("HEL", 'F',
                                 "00 00 00 00 ff ff 00 00 ff ff 00 00 00 00 00 00 "
                                 "00 00 00 00 05 00 00 00 61 62")),
            ProbeResult::kNo);
  EXPECT_EQ(LooksLikeOpcua(Chunk("MSG", 'X', "06 00 00 00 06 00 00 00 01 00 00 00 01 00 00 00")),
            ProbeResult::kNo);
  EXPECT_EQ(LooksLikeOpcua(text("HE")), ProbeResult::kMaybe);
}

// ---- Dissector ----------------------------------------------------------------------------

class OpcuaDissector : public ::testing::Test {
 protected:
  StreamHarness h{Registered("opcua")};
  void Request(std::string_view hex, uint64_t frame) { h.Request(Hex(hex), frame); }
  void Response(std::string_view hex, uint64_t frame) { h.Response(Hex(hex), frame); }
  size_t CountCode(const char* histogram, uint32_t code) const {
    size_t n = 0;
    for (const auto& p : h.sink.pdus)
      n += std::string_view(p.histogram) == histogram && p.code == code;
    for (const auto& d : h.sink.details) {
      n += std::string_view(d.histogram) == histogram && d.code == code;
    }
    return n;
  }
  const IcsOperation* Op(std::string_view function) const {
    for (const auto& op : h.sink.ops) {
      if (function == op.function) return &op;
    }
    return nullptr;
  }
};

TEST_F(OpcuaDissector, HandshakeGetEndpointsAndClose) {
  Request(kHello, 5);
  Response(kAck, 7);
  Request(kOpenRequest, 9);
  Response(kOpenResponse, 11);
  Request(kGetEndpoints, 13);
  Response(kGetEndpointsResponse, 15);
  Request(kClose, 17);
  h.End();
  EXPECT_STREQ(h.Protocol(), "opcua");
  EXPECT_EQ(h.sink.pdus.size(), 7u);
  EXPECT_EQ(CountCode("message_types", kOpcuaHello), 1u);
  EXPECT_EQ(CountCode("message_types", kOpcuaAcknowledge), 1u);
  EXPECT_EQ(CountCode("message_types", kOpcuaOpen), 2u);
  EXPECT_EQ(CountCode("message_types", kOpcuaMessage), 2u);
  EXPECT_EQ(CountCode("message_types", kOpcuaClose), 1u);
  for (uint32_t code : {446u, 449u, 428u, 431u, 452u}) EXPECT_EQ(CountCode("functions", code), 1u);
  ASSERT_EQ(h.sink.ops.size(), 4u);
  const IcsOperation* hello = Op("hello");
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(hello->function_code, kOpcuaHello);
  EXPECT_EQ(hello->category, IcsCategory::kSession);
  EXPECT_EQ(hello->target.view(), "opc.tcp://localhost:4840");
  EXPECT_EQ(hello->response_frame, 7u);
  const IcsOperation* open = Op("open-secure-channel");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->target.view(), "policy None mode None");
  EXPECT_EQ(open->result.view(), "ok");
  EXPECT_EQ(open->request_frame, 9u);
  EXPECT_EQ(open->response_frame, 11u);
  const IcsOperation* endpoints = Op("get-endpoints");
  ASSERT_NE(endpoints, nullptr);
  EXPECT_EQ(endpoints->function_code, 428u);
  EXPECT_EQ(endpoints->category, IcsCategory::kIdentity);
  EXPECT_EQ(endpoints->response_frame, 15u);
  const IcsOperation* close = Op("close-secure-channel");
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->result.view(), "no-response");
  EXPECT_EQ(close->response_frame, 0u);
  EXPECT_EQ(h.sink.Identity("security_policy"), "None");
  ASSERT_FALSE(h.sink.identities.empty());
  EXPECT_EQ(h.sink.identities[0].ip, h.flow().responder_ip);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST_F(OpcuaDissector, ReadWriteCallAndAddNodes) {
  Request(kOpcuaRead, 85);
  Response(kReadResponse, 87);
  Request(kWrite, 89);
  Response(kWriteResponse, 91);
  Request(kCall, 121);
  Response(kCallResponse, 123);
  Request(kAddNodes, 125);
  Response(kAddNodesResponse, 127);
  ASSERT_EQ(h.sink.ops.size(), 4u);
  const IcsOperation& read = h.sink.ops[0];
  EXPECT_EQ(read.function_code, 631u);
  EXPECT_STREQ(read.function, "read");
  EXPECT_EQ(read.category, IcsCategory::kRead);
  EXPECT_EQ(read.target.view(), "ns=1;s=the.answer");
  EXPECT_EQ(read.result.view(), "item 0x80340000 BadNodeIdUnknown");
  EXPECT_EQ(read.request_frame, 85u);
  EXPECT_EQ(read.response_frame, 87u);
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kWrite);
  EXPECT_STREQ(h.sink.ops[2].function, "call");
  EXPECT_EQ(h.sink.ops[2].category, IcsCategory::kWrite);
  EXPECT_EQ(h.sink.ops[2].target.view(), "ns=1;i=62541 on i=85");
  EXPECT_EQ(h.sink.ops[3].category, IcsCategory::kProgramChange);
  EXPECT_EQ(h.sink.ops[3].result.view(), "item 0x805e0000 BadNodeIdExists");
  EXPECT_EQ(h.sink.pdus[0].kind, PduKind::kRequest);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  EXPECT_FALSE(h.sink.pdus[1].exception);  // the service succeeded; only the item failed
}

TEST_F(OpcuaDissector, SessionRevealsServerAndUser) {
  Request(kCreateSession, 39);
  Response(kCreateSessionResponse, 41);
  Request(kActivateSession, 43);
  Response(kActivateSessionResponse, 45);
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_STREQ(h.sink.ops[0].function, "create-session");
  EXPECT_EQ(h.sink.ops[1].target.view(), "user user1");
  EXPECT_EQ(h.sink.ops[1].category, IcsCategory::kSession);
  EXPECT_EQ(h.sink.Identity("product"), "open62541-based OPC UA Application");
  EXPECT_EQ(h.sink.Identity("vendor"), "open62541.org");
  ASSERT_EQ(h.sink.identities.size(), 1u);  // the client named no product
  EXPECT_EQ(h.sink.identities[0].ip, h.flow().responder_ip);
  EXPECT_EQ(h.sink.identities[0].mac, h.flow().responder_mac);
}

TEST_F(OpcuaDissector, ServerStatusReadRevealsSoftwareVersion) {
  h.Request(ServerStatusRead(), 1);
  h.Response(ServerStatusResponse(), 2);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
  EXPECT_EQ(h.sink.Identity("vendor"), "Siemens AG");
  EXPECT_EQ(h.sink.Identity("product"), "SIMATIC S7-1500");
  EXPECT_EQ(h.sink.Identity("software"), "V2.9.4 build 2400");
}

TEST_F(OpcuaDissector, EncryptedChannelIsCountedButNotRead) {
  Request(kSecretOpen, 31);
  Response(kSecretOpenResponse, 33);
  Request(kSecretMsg, 47);
  Response(kSecretMsgResponse, 49);
  Request(kSecretClose, 51);
  h.End();
  EXPECT_EQ(h.sink.pdus.size(), 5u);
  EXPECT_EQ(CountCode("functions", 0), 0u);
  for (const auto& p : h.sink.pdus) EXPECT_STREQ(p.histogram, "message_types");
  EXPECT_EQ(CountCode("encrypted", kOpcuaOpen), 2u);
  EXPECT_EQ(CountCode("encrypted", kOpcuaMessage), 2u);
  EXPECT_EQ(CountCode("encrypted", kOpcuaClose), 1u);
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_STREQ(h.sink.ops[0].function, "open-secure-channel");
  EXPECT_EQ(h.sink.ops[0].target.view(), "policy Basic128Rsa15");
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
  EXPECT_EQ(h.sink.ops[0].response_frame, 33u);
  EXPECT_STREQ(h.sink.ops[1].function, "close-secure-channel");
  EXPECT_EQ(h.sink.Identity("security_policy"), "Basic128Rsa15");
  // The fixtures' certificates are cut to 8 octets: each side's is an anomaly, no name.
  EXPECT_EQ(h.anomalies.Count("opcua.bad_certificate"), 2u);
  EXPECT_EQ(h.sink.Identity("certificate"), "");
}

// A secured channel's OpenSecureChannel carries its sender's certificate in clear: its
// subject and expiry name the application. A cut certificate names nothing and is an anomaly.
TEST_F(OpcuaDissector, SecuredOpenNamesTheSendersApplicationCertificate) {
  const auto der = Hex(kApplicationCertificate);
  const std::string_view policy = "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256";
  // Channel 0, then the SecurityPolicyUri as a UA String (length, octets).
  std::string body = fmt::format("00 00 00 00 {:02x} 00 00 00", policy.size());
  for (char c : policy) body += fmt::format(" {:02x}", static_cast<uint8_t>(c));
  body += fmt::format(" {:02x} {:02x} 00 00", der.size() & 0xff, der.size() >> 8);
  for (uint8_t b : der) body += fmt::format(" {:02x}", b);
  body += " 14 00 00 00";  // receiver certificate thumbprint, 20 octets
  for (int i = 0; i < 20; ++i) body += " 5a";
  for (int i = 0; i < 64; ++i) body += " c3";  // ciphertext: sequence header and body
  h.Request(Chunk("OPN", 'F', body), 31);
  h.End();
  EXPECT_EQ(h.sink.Identity("certificate"), "C=CN, O=Crane Maker, CN=RCMS OPC UA Server");
  EXPECT_EQ(h.sink.Identity("certificate_expires"), "2028-11-26T23:24:30Z");
  EXPECT_EQ(h.sink.Identity("security_policy"), "Basic256Sha256");
  EXPECT_EQ(h.anomalies.Count("opcua.bad_certificate"), 0u);
}

TEST_F(OpcuaDissector, ServiceFaultAnswersAnyRequest) {
  Request(kOpcuaRead, 1);
  h.Response(Chunk("MSG", 'F',
                   Cat({"06 00 00 00 06 00 00 00 0a 00 00 00 14 00 00 00  01 00 8d 01",
                        "00 00 00 00 00 00 00 00  15 00 00 00  00 00 25 80  00 ff ff ff ff 00 00 "
                        "00"})),
             2);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "read");
  EXPECT_EQ(h.sink.ops[0].result.view(), "fault 0x80250000 BadSessionIdInvalid");
  EXPECT_EQ(CountCode("functions", kOpcuaServiceFault), 1u);
  EXPECT_TRUE(h.sink.pdus[1].exception);
}

TEST_F(OpcuaDissector, ErrorAnswersHello) {
  Request(kHello, 1);
  h.Response(Chunk("ERR", 'F', "00 00 83 80  07 00 00 00 62 61 64 20 75 72 6c"), 2);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "hello");
  EXPECT_EQ(h.sink.ops[0].result.view(), "error 0x80830000 BadTcpEndpointUrlInvalid");
  EXPECT_TRUE(h.sink.pdus[1].exception);
}

TEST_F(OpcuaDissector, ChunkedMessageCountsItsServiceOnTheFinalChunk) {
  // The Read of frame 85 split into two chunks: the first carries the type id.
  auto read = Hex(kOpcuaRead);
  std::vector<uint8_t> body(read.begin() + 24, read.end());
  std::string first, second;
  auto hex = [](std::span<const uint8_t> b) {
    std::string s;
    static constexpr char kDigits[] = "0123456789abcdef";
    for (uint8_t x : b) {
      s += kDigits[x >> 4];
      s += kDigits[x & 0xf];
    }
    return s;
  };
  auto c1 =
      Chunk("MSG", 'C',
            "06 00 00 00 06 00 00 00 14 00 00 00 14 00 00 00 " + hex(std::span(body).first(88)));
  auto c2 =
      Chunk("MSG", 'F',
            "06 00 00 00 06 00 00 00 15 00 00 00 14 00 00 00 " + hex(std::span(body).subspan(88)));
  h.Request(c1, 1);
  h.Request(c2, 2);
  Response(kReadResponse, 3);
  ASSERT_EQ(h.sink.pdus.size(), 3u);
  EXPECT_STREQ(h.sink.pdus[0].histogram, "message_types");
  EXPECT_STREQ(h.sink.pdus[1].histogram, "functions");
  EXPECT_EQ(h.sink.pdus[1].code, 631u);
  EXPECT_EQ(h.sink.pdus[1].frame, 2u);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].target.view(), "ns=1;s=the.answer");
  EXPECT_EQ(h.sink.ops[0].request_frame, 2u);
}

TEST_F(OpcuaDissector, ChunkLargerThanKeptIsCountedAtItsEnd) {
  Request(kOpcuaRead, 1);
  // A ReadResponse whose one value is a ByteString of 100000 octets.
  std::vector<uint8_t> big =
      Chunk("MSG", 'F',
            Cat({"06 00 00 00 06 00 00 00 0a 00 00 00 14 00 00 00  01 00 7a 02", kResponseHeader,
                 "01 00 00 00  01 0f a0 86 01 00"}));
  big.resize(big.size() + 100000, 0x5a);
  big.insert(big.end(), {0xff, 0xff, 0xff, 0xff});
  uint32_t size = static_cast<uint32_t>(big.size());
  for (int i = 0; i < 4; ++i) big[4 + i] = static_cast<uint8_t>(size >> (8 * i));
  h.SendInChunks(flow::Direction::kFromResponder, std::span(big).first(70000), 1460, 2);
  EXPECT_EQ(h.sink.pdus.size(), 1u);  // not counted before its end
  ASSERT_EQ(h.sink.ops.size(), 1u);   // but paired from its start
  EXPECT_EQ(h.sink.ops[0].result.view(), "ok");
  h.SendInChunks(flow::Direction::kFromResponder, std::span(big).subspan(70000), 1460, 3);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[1].code, 634u);
  EXPECT_EQ(h.sink.pdus[1].frame, 3u);
  Request(kWrite, 4);  // in step after it
  EXPECT_EQ(h.sink.pdus.size(), 3u);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST_F(OpcuaDissector, SplitAcrossSegmentsAndSeveralInOne) {
  h.SendInChunks(flow::Direction::kFromInitiator, Hex(kHello), 5, 1);
  Response(kAck, 2);
  h.Request(Concat({Hex(kOpenRequest), Hex(kGetEndpoints)}), 3);
  EXPECT_EQ(h.sink.pdus.size(), 4u);
  EXPECT_EQ(h.sink.pdus[3].frame, 3u);
  EXPECT_EQ(CountCode("functions", 428), 1u);
}

TEST_F(OpcuaDissector, GapResynchronisesOnTheNextChunk) {
  Request(kOpenRequest, 1);
  Response(kOpenResponse, 2);
  Request(kOpcuaRead, 3);
  h.Gap(flow::Direction::kFromResponder, 500);
  // The read's response was lost: reported unanswered.
  ASSERT_EQ(h.sink.ops.size(), 2u);
  EXPECT_EQ(h.sink.ops[1].request_frame, 3u);
  EXPECT_TRUE(h.sink.ops[1].result.empty());
  // The tail of a lost chunk (with a "MSGF" of another channel in it), then a whole one.
  auto tail = Concat({Hex("00 11 22 4d 53 47 46 20 00 00 00 09 00 00 00"), Hex(kWriteResponse)});
  h.Response(tail, 5);
  EXPECT_EQ(CountCode("functions", 676), 1u);
  EXPECT_EQ(h.anomalies.Count("opcua.bad_header"), 0u);
}

TEST_F(OpcuaDissector, JunkBetweenChunksIsSkipped) {
  Request(kHello, 1);
  Request("00 01 02", 2);
  Request(kOpenRequest, 3);
  EXPECT_EQ(h.stats.detached, 0u);
  EXPECT_EQ(h.anomalies.Count("opcua.bad_header"), 1u);
  EXPECT_EQ(CountCode("functions", 446), 1u);
}

TEST_F(OpcuaDissector, UnansweredRequestsAreReportedAtEnd) {
  Request(kPublish, 63);
  EXPECT_TRUE(h.sink.ops.empty());
  h.End();
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_STREQ(h.sink.ops[0].function, "publish");
  EXPECT_TRUE(h.sink.ops[0].result.empty());
  EXPECT_EQ(h.sink.ops[0].response_frame, 0u);
}

TEST_F(OpcuaDissector, ResponseWithoutRequestHasNoRequestFrame) {
  Response(kWriteResponse, 91);
  ASSERT_EQ(h.sink.ops.size(), 1u);
  EXPECT_EQ(h.sink.ops[0].function_code, 673u);
  EXPECT_EQ(h.sink.ops[0].request_frame, 0u);
  EXPECT_EQ(h.sink.ops[0].response_frame, 91u);
  EXPECT_EQ(h.sink.ops[0].where.device_port, 4840);
}

TEST_F(OpcuaDissector, OtherProtocolsAreNotAttached) {
  h.Request(std::vector<uint8_t>{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc}, 1);
  EXPECT_EQ(h.Protocol(), nullptr);
  EXPECT_TRUE(h.sink.pdus.empty());
}

}  // namespace
}  // namespace qw::dissect
