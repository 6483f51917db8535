// Feeds a stream dissector a two-way TCP stream described by fuzz input, the way the
// StreamAttacher does (bytes the dissector left are offered again with more), and checks
// the interface's promises: progress on every call, a positive "need", no more consumed
// than offered, and bounded held bytes.
//
// Input: records of | direction:1 (bit 0; 0xff: a gap in direction 0) | length | bytes |,
// the length one octet, or two (little-endian) with `wide_lengths`.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/dissector.h"
#include "dissect/expectations.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"

namespace qw::fuzz {

/// Runs `dissector` over the records of `input` on `flow`, then ends the flow; aborts when
/// the dissector breaks the interface or holds more than `max_held` bytes of one direction.
inline void FeedStreamRecords(dissect::Dissector& dissector, const flow::Flow& flow,
                              dissect::ObservationSink& sink, std::span<const uint8_t> input,
                              bool wide_lengths, size_t max_held) {
  core::Anomalies anomalies;
  std::vector<uint8_t> held[2];
  core::ByteReader r(input);
  uint64_t frame = 0;
  dissect::StreamContext ctx;
  ctx.flow = &flow;
  ctx.sink = &sink;
  ctx.anomalies = &anomalies;
  while (!r.empty()) {
    uint8_t tag = r.U8();
    uint16_t length = wide_lengths ? r.U16Le() : r.U8();
    std::span<const uint8_t> bytes = r.Bytes(length);
    if (!r.ok()) break;
    ctx.frame = ++frame;
    if (tag == 0xff) {
      held[0].clear();
      dissector.OnGap(flow::Direction::kFromInitiator, length, ctx);
      continue;
    }
    size_t d = tag & 1;
    auto dir = static_cast<flow::Direction>(d);
    auto& buf = held[d];
    buf.insert(buf.end(), bytes.begin(), bytes.end());
    size_t used = 0;
    while (used < buf.size()) {
      auto result = dissector.OnData(dir, std::span<const uint8_t>(buf).subspan(used), ctx);
      if (result.verdict == dissect::Verdict::kNotThisProtocol) {
        used = buf.size();
        break;
      }
      if (result.verdict == dissect::Verdict::kNeedMore) {
        if (result.need == 0) std::abort();
        break;
      }
      if (result.consumed == 0 || result.consumed > buf.size() - used) std::abort();
      used += result.consumed;
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(used));
    if (buf.size() > max_held) std::abort();
  }
  ctx.frame = frame + 1;
  dissector.OnEnd(ctx);
}

/// Hands each record's bytes of `input` (the records FeedStreamRecords reads, with wide
/// lengths) to parse(), then runs the registered TCP dissector `name` over them on a flow
/// from 10.0.0.1:50000 to 10.0.0.2:`port`.
template <typename Parse>
void RunTcpRecords(std::string_view name, uint16_t port, std::span<const uint8_t> input,
                   dissect::ObservationSink& sink, size_t max_held, Parse&& parse) {
  core::ByteReader r(input);
  while (r.remaining() >= 3) {
    r.U8();
    parse(r.Bytes(std::min<size_t>(r.U16Le(), r.remaining())));
  }
  const dissect::StreamDissectorInfo* info = nullptr;
  for (const auto& d : dissect::StreamDissectors()) {
    if (name == d.name && d.transport == 6) info = &d;
  }
  if (!info) std::abort();
  flow::Flow flow;
  flow.proto = 6;
  flow.initiator_ip = *core::IpAddr::Parse("10.0.0.1");
  flow.responder_ip = *core::IpAddr::Parse("10.0.0.2");
  flow.initiator_port = 50000;
  flow.responder_port = port;
  auto dissector = info->create();
  FeedStreamRecords(*dissector, flow, sink, input, true, max_held);
}

/// The registered stream dissector `name` on `transport`; aborts when there is none.
inline const dissect::StreamDissectorInfo* Registered(std::string_view name, uint8_t transport) {
  for (const auto& d : dissect::StreamDissectors()) {
    if (name == d.name && d.transport == transport) return &d;
  }
  std::abort();
}

/// Feeds `input` as UDP datagrams, each led by two bytes (bit 15: from the responder; low
/// 15 bits: length), to `attacher`, calling parse(datagram) on each first; then ends the
/// flow.
template <typename Parse>
void FeedDatagrams(dissect::StreamAttacher& attacher, std::span<const uint8_t> input,
                   Parse&& parse) {
  core::ByteReader r(input);
  uint64_t frame = 0;
  while (r.remaining() >= 2) {
    const uint16_t head = r.U16Be();
    const auto dir =
        (head & 0x8000) != 0 ? flow::Direction::kFromResponder : flow::Direction::kFromInitiator;
    auto datagram = r.Bytes(std::min<size_t>(head & 0x7fff, r.remaining()));
    ++frame;
    parse(datagram);
    attacher.OnData(dir, datagram, frame, core::Timestamp{static_cast<int64_t>(frame)});
  }
  attacher.OnEnd(flow::EndReason::kEndOfInput);
}

/// Runs the registered UDP dissector `name` behind the real StreamAttacher (with an
/// Expectations table) on a flow from 10.0.0.1:50000 to 10.0.0.2:`port`, fed the datagrams
/// of `input` as FeedDatagrams reads them.
template <typename Parse>
void RunUdpDatagrams(std::string_view name, uint16_t port, std::span<const uint8_t> input,
                     dissect::ObservationSink& sink, Parse&& parse) {
  flow::Flow flow;
  flow.proto = 17;
  flow.initiator_ip = *core::IpAddr::Parse("10.0.0.1");
  flow.responder_ip = *core::IpAddr::Parse("10.0.0.2");
  flow.initiator_port = 50000;
  flow.responder_port = port;
  core::Anomalies anomalies;
  dissect::AttachStats stats;
  dissect::Expectations expectations;
  dissect::StreamAttacher attacher(flow,
                                   qw::dissect::Candidates(std::span(Registered(name, 17), 1)),
                                   sink, anomalies, stats, dissect::AttachLimits{}, &expectations);
  FeedDatagrams(attacher, input, parse);
}

}  // namespace qw::fuzz
