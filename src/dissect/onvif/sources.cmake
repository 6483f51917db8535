# ONVIF: device information in SOAP bodies (read by the HTTP dissector) and WS-Discovery
# ProbeMatch scopes on UDP 3702 (appended to the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES onvif/onvif_parser.cpp onvif/onvif_dissector.cpp)
