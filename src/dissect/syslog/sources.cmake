# Syslog (UDP 514, TCP 601): header parser (RFC 3164, RFC 5424, RFC 6587 framing) and the
# per-flow dissector (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES syslog/syslog_parser.cpp syslog/syslog_dissector.cpp)
