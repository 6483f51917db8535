# OpenVPN (UDP and TCP 1194): packet framing and the per-flow dissector (appended to the
# dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES openvpn/openvpn_parser.cpp openvpn/openvpn_dissector.cpp)
