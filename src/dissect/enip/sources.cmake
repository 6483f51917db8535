# EtherNet/IP encapsulation, CIP and implicit I/O (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES enip/enip_parser.cpp enip/cip_parser.cpp enip/cip_names.cpp
     enip/enip_dissector.cpp)
