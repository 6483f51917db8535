// libFuzzer target for FTP. The input is records | tag:1 | length:2 LE | bytes |: tag 0 a
// client line, 1 a server line (both on the control connection 10.0.0.1:50000 ->
// 10.0.0.2:21), 2 opens a data connection 10.0.0.1:40000 -> 10.0.0.2:<first two bytes, big
// endian> (attached only if the control connection announced it), 3 bytes on that data
// connection, 0xff a gap on the control connection. Each record's bytes also go to the
// parsers. Nothing may crash or read out of bounds, and every transfer reported must be
// consistent, as the TLS session an accepted AUTH TLS turns the control connection into.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/dissector.h"
#include "dissect/expectations.h"
#include "dissect/ftp/ftp_parser.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every transfer the dissectors report, and the TLS session of an AUTH TLS.
struct CheckingSink : ObservationSink {
  void OnTls(const TlsObservation& t) override {
    if (t.client_hello_frame == 0 && t.server_hello_frame == 0) std::abort();
    // The side that sent the ServerHello is the server, whichever it is.
    if ((t.server_port != 21 && t.server_port != 50000) || ++tls_sessions > 1) std::abort();
  }
  int tls_sessions = 0;
  void OnFileTransfer(const FileTransferObservation& t) override {
    if (std::string_view(t.protocol) != "ftp" || t.frame == 0) std::abort();
    if (t.complete && t.declared_size >= 0 && t.bytes != static_cast<uint64_t>(t.declared_size))
      std::abort();
    if (!t.sha256.empty() && (!t.complete || t.sha256.size() != 64)) std::abort();
  }
};

void Parse(std::span<const uint8_t> bytes) {
  qw::core::ByteReader r(bytes);
  const std::string_view text = r.Chars(bytes.size());
  (void)LineEnd(bytes);
  (void)ftp::ParseCommand(text);
  (void)ftp::ParseReply(text);
  (void)ftp::ParseHostPort(text);
  (void)ftp::ParseEprt(text);
  (void)ftp::ParseEpsv(text);
  (void)ftp::ParseSize(text, true);
  (void)ftp::ParseSize(text, false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckingSink sink;
  qw::core::Anomalies anomalies;
  AttachStats stats;
  Expectations expectations;
  qw::flow::Flow control;
  control.proto = 6;
  control.initiator_ip = *qw::core::IpAddr::Parse("10.0.0.1");
  control.responder_ip = *qw::core::IpAddr::Parse("10.0.0.2");
  control.initiator_port = 50000;
  control.responder_port = 21;
  control.first_frame = 1;
  StreamAttacher attacher(control,
                          qw::dissect::Candidates(std::span(qw::fuzz::Registered("ftp", 6), 1)),
                          sink, anomalies, stats, AttachLimits{}, &expectations);
  qw::flow::Flow data_flow;
  std::unique_ptr<StreamAttacher> data_attacher;
  qw::core::ByteReader r(std::span<const uint8_t>(data, size));
  uint64_t frame = 1;
  while (r.remaining() >= 3) {
    const uint8_t tag = r.U8();
    const uint16_t length = r.U16Le();
    auto bytes = r.Bytes(std::min<size_t>(length, r.remaining()));
    const qw::core::Timestamp ts{static_cast<int64_t>(++frame) * 1'000'000};
    Parse(bytes);
    if (tag == 0xff) {
      attacher.OnGap(qw::flow::Direction::kFromInitiator, length);
    } else if ((tag & 3) < 2) {
      attacher.OnData(static_cast<qw::flow::Direction>(tag & 1), bytes, frame, ts);
    } else if ((tag & 3) == 2 && !data_attacher && bytes.size() >= 2) {
      data_flow.proto = 6;
      data_flow.initiator_ip = control.initiator_ip;
      data_flow.responder_ip = control.responder_ip;
      data_flow.initiator_port = 40000;
      data_flow.responder_port = static_cast<uint16_t>(bytes[0] << 8 | bytes[1]);
      data_flow.first_frame = frame;
      data_flow.first_ts = ts;
      const StreamDissectorInfo* info = nullptr;
      if (auto d = expectations.Take(data_flow, info)) {
        data_attacher = std::make_unique<StreamAttacher>(
            data_flow, *info, std::move(d), sink, anomalies, stats, AttachLimits{}, &expectations);
      }
    } else if ((tag & 3) == 3 && data_attacher) {
      data_attacher->OnData(qw::flow::Direction::kFromResponder, bytes, frame, ts);
    }
  }
  if (data_attacher) data_attacher->OnEnd(qw::flow::EndReason::kEndOfInput);
  attacher.OnEnd(qw::flow::EndReason::kEndOfInput);
  return 0;
}
