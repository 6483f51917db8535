# HTTP/1.x (TCP 80): message heads, chunked bodies, pipelining, file transfers, and the
# per-flow message engine RTSP shares (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES http/http_parser.cpp http/http_dissector.cpp)
