# rlogin (TCP 513): the client's opening user names and terminal, and the per-flow
# dissector (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES rlogin/rlogin_parser.cpp rlogin/rlogin_dissector.cpp)
