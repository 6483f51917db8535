# VNC (RFB, TCP 5900-5910): the handshake up to ServerInit and the per-flow dissector
# (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES vnc/vnc_parser.cpp vnc/vnc_dissector.cpp)
