# SNMP (UDP 161, 162): BER reader and message parser (v1, v2c, v3 USM), and the per-flow
# dissector (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES snmp/snmp_parser.cpp snmp/snmp_dissector.cpp)
