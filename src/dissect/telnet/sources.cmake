# Telnet (TCP 23): option negotiation and the user typed at the login prompt; the per-flow
# dissector (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES telnet/telnet_parser.cpp telnet/telnet_dissector.cpp)
