# WireGuard (UDP 51820): message parser and the per-flow dissector (appended to the dissect
# library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES wireguard/wireguard_parser.cpp wireguard/wireguard_dissector.cpp)
