# RTSP (TCP 554): interleaved frames, SDP session names, and the dissector (the HTTP
# message engine in its RTSP dialect), appended to the dissect library by ../CMakeLists.txt.
list(APPEND QW_DISSECT_SOURCES rtsp/rtsp_parser.cpp rtsp/rtsp_dissector.cpp)
