# FTP (TCP 21): control-connection commands and replies, data connections announced by
# PORT/PASV/EPRT/EPSV and the files they carry (appended to the dissect library by
# ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES ftp/ftp_parser.cpp ftp/ftp_dissector.cpp)
