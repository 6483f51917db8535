# PROFINET (EtherType 0x8892): RT frame counting and DCP (appended to the dissect library
# by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES profinet/profinet_parser.cpp profinet/profinet_dissector.cpp)
