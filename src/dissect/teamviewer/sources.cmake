# TeamViewer (TCP and UDP 5938): command framing and the per-flow dissector (appended to
# the dissect library by ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES teamviewer/teamviewer_parser.cpp
     teamviewer/teamviewer_dissector.cpp)
