# CDP: the pure CDP parser (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES cdp/cdp_parser.cpp)
