# DNP3: the pure link/transport/application parser and the per-flow dissector.
list(APPEND QW_DISSECT_SOURCES dnp3/dnp3_parser.cpp dnp3/dnp3_dissector.cpp)
