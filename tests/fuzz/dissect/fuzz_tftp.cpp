// libFuzzer target for TFTP. The input is UDP datagrams, each led by two bytes (bit 15: from
// the server side; low 15 bits: length), parsed alone and fed through the registered
// dissector behind the real StreamAttacher on 10.0.0.1:50000 -> 10.0.0.2:69, with an
// Expectations table (the flow the server answers from is not opened here: the request
// flow carries every opcode too). Nothing may crash or read out of bounds, and every
// transfer reported must be consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "dissect/dissector.h"
#include "dissect/expectations.h"
#include "dissect/stream_attacher.h"
#include "dissect/tftp/tftp_parser.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every transfer the dissector reports.
struct CheckingSink : ObservationSink {
  void OnFileTransfer(const FileTransferObservation& t) override {
    if (std::string_view(t.protocol) != "tftp" || t.frame == 0) std::abort();
    if (!t.sha256.empty() && !t.complete) std::abort();
    if (t.file_name.empty()) std::abort();
  }
};

void Parse(std::span<const uint8_t> bytes) {
  auto p = tftp::Parse(bytes);
  if (p && p->file_name.size() > tftp::kMaxFieldBytes) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::fuzz::RunUdpDatagrams("tftp", 69, std::span<const uint8_t>(data, size), sink, Parse);
  return 0;
}
