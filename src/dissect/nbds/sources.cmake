# NetBIOS Datagram Service (UDP 138) and the browser announcements it carries: parser and
# per-flow dissector (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES nbds/nbds_parser.cpp nbds/nbds_dissector.cpp)
