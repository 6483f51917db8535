// What the S7comm and S7comm-plus fuzz targets share: a port-102 flow run through the real
// StreamAttacher with the registered dissector, fed by the fuzzer's bytes in chunks and
// directions the input chooses, with invariants checked on every observation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/dissector.h"
#include "dissect/observation.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"

namespace qw::fuzz {

/// Aborts on an observation the model could not take.
class CheckingSink : public dissect::ObservationSink {
 public:
  void OnIcsOperation(const dissect::IcsOperation& op) override {
    if (!Known(op.protocol) || op.function == nullptr || *op.function == '\0') std::abort();
    if (op.request_frame == 0 && op.response_frame == 0) std::abort();
    if (op.target.size() > op.target.capacity()) std::abort();
  }
  void OnPdu(const dissect::PduObservation& p) override {
    if (!Known(p.protocol) || p.histogram == nullptr) std::abort();
  }
  void OnBlockTransfer(const dissect::BlockTransferObservation& b) override {
    if (!Known(b.protocol) || b.size != b.bytes.size() || b.sha256.size() != 64) std::abort();
    if (b.block.empty() || b.first_frame == 0 || b.last_frame < b.first_frame) std::abort();
    const std::string_view dir = b.direction;
    if (dir != "upload" && dir != "download") std::abort();
    if (b.bytes.size() > (1u << 20)) std::abort();  // s7comm::kMaxBlockBytes
  }
  void OnIdentity(const dissect::DeviceIdentity& id) override {
    if (!Known(id.protocol) || id.fields.empty()) std::abort();
    for (const auto& [k, v] : id.fields) {
      if (k.empty() || v.empty() || v.size() > 64) std::abort();
    }
  }

 private:
  static bool Known(const char* p) {
    return p && (std::string_view(p) == "s7comm" || std::string_view(p) == "s7comm_plus");
  }
};

/// Runs `data` through the stream dissector named `name`. With `records`, each record is a
/// control octet (bit 0 direction, 0xff a gap in that direction, otherwise up to
/// (octet >> 1) + 1 bytes follow); without, all of `data` is one segment of the initiator.
inline void RunFlow(const char* name, std::span<const uint8_t> data, bool records) {
  const dissect::StreamDissectorInfo* info = nullptr;
  for (const auto& d : dissect::StreamDissectors()) {
    if (std::strcmp(d.name, name) == 0) info = &d;
  }
  if (!info) std::abort();
  flow::Flow f;
  f.proto = 6;
  f.initiator_port = 50000;
  f.responder_port = 102;
  CheckingSink sink;
  core::Anomalies anomalies;
  dissect::AttachStats stats;
  dissect::StreamAttacher attacher(f, qw::dissect::Candidates(std::span(info, 1)), sink, anomalies,
                                   stats);
  core::ByteReader r(data);
  uint64_t frame = 1;
  if (!records) {
    attacher.OnData(flow::Direction::kFromInitiator, data, frame, core::Timestamp{1});
    r.Rest();
  }
  while (!r.empty()) {
    uint8_t control = r.U8();
    auto dir = (control & 1) ? flow::Direction::kFromResponder : flow::Direction::kFromInitiator;
    if (control == 0xff) {
      attacher.OnGap(dir, 100);
      continue;
    }
    size_t n = (control >> 1) + 1u;
    std::span<const uint8_t> chunk = r.Bytes(std::min(n, r.remaining()));
    attacher.OnData(dir, chunk, frame, core::Timestamp{static_cast<int64_t>(frame)});
    ++frame;
  }
  attacher.OnEnd(flow::EndReason::kEndOfInput);
}

}  // namespace qw::fuzz
