# S7comm-plus (appended to the dissect library by ../CMakeLists.txt); its flows run on the
# shared port-102 dissector of ../s7comm.
list(APPEND QW_DISSECT_SOURCES s7comm_plus/s7comm_plus_parser.cpp
     s7comm_plus/s7comm_plus_dissector.cpp)
