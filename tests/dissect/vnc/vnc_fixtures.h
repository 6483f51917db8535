// Real RFB messages that the tests and the benchmarks both read.
#pragma once

#include <string_view>

namespace qw::dissect::testing {

/// vncmac.pcap frame 58: ServerInit (Apple's name holds 22 octets before the text).
inline constexpr std::string_view kAppleServerInit = R"(
  07 80 04 38                    # 1920 x 1080
  20 18 00 01 00 ff 00 ff 00 ff 10 08 00 00 00 00   # pixel format
  00 00 00 21                    # name length 33
  00 00 00 00 00 02 bf fe e7 03 e0 00 00 00 00 00 00 00 00 00 00 00
  4d 61 63 4d 69 6e 69 20 53 53 44                  # "MacMini SSD"
)";

}  // namespace qw::dissect::testing
