# IEC 60870-5-104: the pure APDU parser and the per-flow dissector (appended to the dissect
# library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES iec104/iec104_parser.cpp iec104/iec104_dissector.cpp)
