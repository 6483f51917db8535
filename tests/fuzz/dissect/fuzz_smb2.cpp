// libFuzzer target for SMB2/3. The input is records of a two-way TCP stream
// | direction:1 (0xff: a gap) | length:2 LE | bytes |, fed to the SMB2 dissector the way the
// StreamAttacher offers them; each record's bytes also go to every body parser as a member.
// Nothing may crash or read out of bounds, and every file transfer reported must be
// consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dissect/dissector.h"
#include "dissect/smb2/smb2_dissector.h"
#include "dissect/smb2/smb2_parser.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every file transfer the dissector reports.
struct CheckingSink : ObservationSink {
  void OnFileTransfer(const FileTransferObservation& f) override {
    const std::string_view command(f.command);
    if (std::string_view(f.protocol) != "smb2") std::abort();
    if (command != "write" && command != "read") std::abort();
    if (f.upload != (command == "write")) std::abort();
    if (!f.sha256.empty() && (f.sha256.size() != 64 || !f.complete)) std::abort();
    if (f.complete && f.declared_size >= 0 && f.bytes != static_cast<uint64_t>(f.declared_size))
      std::abort();
    if (f.frame == 0 || f.result.empty()) std::abort();
  }
};

void Parse(std::span<const uint8_t> bytes) {
  (void)smb2::ParseNbss(bytes);
  (void)smb2::ParseHeader(bytes);
  (void)smb2::ParseSmb1(bytes);
  (void)smb2::ParseTreeConnectRequest(bytes);
  (void)smb2::ParseCreateRequest(bytes);
  (void)smb2::ParseCreateResponse(bytes);
  (void)smb2::ParseCloseRequest(bytes);
  (void)smb2::ParseCloseResponse(bytes);
  (void)smb2::ParseReadRequest(bytes);
  (void)smb2::ParseReadResponse(bytes);
  (void)smb2::ParseWriteRequest(bytes);
  (void)smb2::Probe(qw::flow::Direction::kFromInitiator, bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunTcpRecords("smb2", 445, std::span<const uint8_t>(data, size), sink,
                          smb2::kNbssHeaderBytes + smb2::kMaxParsedMessageBytes, Parse);
  return 0;
}
