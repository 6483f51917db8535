# Modbus/TCP: the pure ADU/PDU parser and the per-flow dissector (appended to the dissect
# library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES modbus/modbus_parser.cpp modbus/modbus_dissector.cpp)
