# SMB2/3 (TCP 445 and 139) with SMB1 recognition: message framing, compounded headers,
# trees, opens, read and write content, NTLM names (appended to the dissect library by
# ../CMakeLists.txt).
list(APPEND QW_DISSECT_SOURCES smb2/smb2_parser.cpp smb2/smb2_dissector.cpp)
