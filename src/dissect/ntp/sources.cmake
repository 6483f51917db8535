# NTP (UDP 123): time, control and private message parser, and the per-flow dissector
# (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES ntp/ntp_parser.cpp ntp/ntp_dissector.cpp)
