# BACnet/IP (UDP 47808): BVLC, NPDU and APDU parser, names, and the per-flow dissector
# (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES bacnet/bacnet_names.cpp bacnet/bacnet_parser.cpp
     bacnet/bacnet_dissector.cpp)
