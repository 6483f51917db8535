// FTP and TFTP against tshark. FTP: every command (ftp.request.command, keyed by its word)
// and every reply (ftp.response.code; a multi-line reply counts once, on its first line,
// as tshark gives the code only there). TFTP: the opcode of every datagram, on the request
// flow and on the flow the server answers from (tshark follows it as quaywatch does).
// File names of the transfers are compared in ics_compare_test.cpp.
#include <cctype>

#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Counters FtpExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("ftp")) continue;
    for (const auto& v : f.Values("ftp.request.command")) {
      ++c["commands:" + Upper(v).substr(0, 4)];
      ++c["requests"];
      ++c["pdus"];
    }
    for (const auto& v : f.Values("ftp.response.code")) {
      ++c["replies:" + std::to_string(Number(v))];
      ++c["responses"];
      ++c["pdus"];
    }
  }
  return c;
}

const Register kFtp({
    "ftp",
    {"ftp"},
    {"ftp.request.command", "ftp.response.code"},
    FtpExpect,
    {"pdus", "requests", "responses", "commands:", "replies:"},
    {},
    "",
});

Counters TftpExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("tftp")) continue;
    ++c["frames"];
    for (const auto& v : f.Values("tftp.opcode")) {
      ++c["opcodes:" + std::to_string(Number(v))];
      ++c["pdus"];
    }
  }
  return c;
}

const Register kTftp({
    "tftp",
    {"tftp"},
    {"tftp.opcode"},
    TftpExpect,
    {"pdus", "frames", "opcodes:"},
    {},
    "",
});

}  // namespace
}  // namespace qw::ics_compare
