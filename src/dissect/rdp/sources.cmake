# RDP (TCP 3389): the X.224 connection sequence with its security negotiation and, under
# standard RDP security, the client core data of MCS Connect Initial; the per-flow
# dissector (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES rdp/rdp_parser.cpp rdp/rdp_dissector.cpp)
