# OPC UA binary: the pure chunk and service-body parser and the per-flow dissector (appended
# to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES opcua/opcua_parser.cpp opcua/opcua_dissector.cpp)
