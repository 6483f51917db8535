# LLDP and CDP parser tests (appended to the dissect test binary by CMakeLists.txt here).
list(APPEND QW_DISSECT_TEST_SOURCES lldp_parser_test.cpp cdp_parser_test.cpp)
