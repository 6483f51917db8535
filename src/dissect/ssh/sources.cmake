# SSH (TCP 22): identification strings, clear-text binary packets, KEXINIT and HASSH, and
# the per-flow dissector (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES ssh/ssh_parser.cpp ssh/ssh_dissector.cpp)
