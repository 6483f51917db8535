// Real OPC UA messages that the tests and the benchmarks both read
// (open62541_client-server_minimal.pcap).
#pragma once

#include <string_view>

namespace qw::dissect::testing {

/// Frame 85: ReadRequest of ns=1;s=the.answer, Value attribute.
inline constexpr std::string_view kOpcuaRead = R"(
  4d 53 47 46 79 00 00 00 06 00 00 00 06 00 00 00
  14 00 00 00 14 00 00 00   # sequence number 20, request id 20
  01 00 77 02               # type id i=631 ReadRequest
  04 01 00 02 49 89 f8 84 6a 01 2a 40 54 35 33 b2 5b 45 24
  62 0b 37 f3 75 ca d5 01 15 00 00 00 00 00 00 00 ff ff ff ff 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00   # max age 0
  00 00 00 00               # timestamps to return: source
  01 00 00 00               # nodes to read: 1
  03 01 00 0a 00 00 00 74 68 65 2e 61 6e 73 77 65 72   # ns=1;s=the.answer
  0d 00 00 00               # attribute 13 Value
  ff ff ff ff 00 00 ff ff ff ff   # index range, data encoding: null
)";

}  // namespace qw::dissect::testing
