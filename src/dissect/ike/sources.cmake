# IKE (UDP 500 and 4500): message header parser and the per-flow dissector (appended to the
# dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES ike/ike_parser.cpp ike/ike_dissector.cpp)
