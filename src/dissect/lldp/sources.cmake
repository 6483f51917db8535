# LLDP: the pure LLDPDU parser (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES lldp/lldp_parser.cpp)
