# TFTP (UDP 69): read and write requests and the transfers answered from a new port
# (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES tftp/tftp_parser.cpp tftp/tftp_dissector.cpp)
