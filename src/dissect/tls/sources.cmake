# TLS over TCP: record and handshake parser, fingerprints, certificates, and the per-flow
# dissector (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES tls/tls_parser.cpp tls/tls_dissector.cpp)
