# DNS, mDNS and LLMNR (UDP and TCP 53, UDP 5353, UDP/TCP 5355): message parser and the
# per-flow dissector (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES dns/dns_parser.cpp dns/dns_dissector.cpp)
