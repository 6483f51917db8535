# S7comm and the TPKT/COTP transport it shares with S7comm-plus (appended to the dissect
# library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES s7comm/cotp_parser.cpp s7comm/s7comm_parser.cpp
     s7comm/s7comm_dissector.cpp)
