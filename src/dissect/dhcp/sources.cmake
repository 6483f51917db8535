# DHCP (UDP 67/68) and DHCPv6 (UDP 546/547): message parsers and the per-flow dissector
# (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES dhcp/dhcp_parser.cpp dhcp/dhcp_dissector.cpp)
