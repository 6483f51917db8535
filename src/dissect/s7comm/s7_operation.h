// What the S7comm and S7comm-plus halves of a port-102 flow share: a request remembered
// until its answer, and how a finished (or abandoned) one becomes an IcsOperation.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/fixed_text.h"
#include "core/timestamp.h"
#include "dissect/dissector.h"
#include "dissect/ics_common.h"
#include "dissect/observation.h"

namespace qw::dissect::s7comm {

/// A request as it will be reported: what it did, on what, and when.
struct OpRecord {
  uint32_t function_code = 0;
  const char* function = "";  // static kebab-case name
  IcsCategory category = IcsCategory::kOther;
  core::FixedText<112> target;
  uint64_t request_frame = 0;
  core::Timestamp ts;
  flow::Direction request_dir = flow::Direction::kFromInitiator;
  // The PLC sends "download block" and "download ended" jobs to the programming device that
  // downloads; the operation's device is still the PLC, so endpoints are swapped for them.
  bool sent_by_device = false;
  // Numbered when the row's frame is current (request, or response without request), so
  // that numbers stay unique per frame however late the answer comes.
  uint32_t seq = 0;
};

/// A record for a request sent in `dir` on the current frame.
inline OpRecord RequestRecord(const StreamContext& ctx, flow::Direction dir, FrameSeq& seq) {
  OpRecord r;
  r.request_frame = ctx.frame;
  r.ts = ctx.ts;
  r.request_dir = dir;
  r.seq = seq.Next(ctx.frame);
  return r;
}

/// A record for a response sent in `dir` on the current frame whose request was not seen.
inline OpRecord ResponseOnlyRecord(const StreamContext& ctx, flow::Direction dir, FrameSeq& seq) {
  OpRecord r;
  r.ts = ctx.ts;
  r.request_dir = Reverse(dir);
  r.seq = seq.Next(ctx.frame);
  return r;
}

/// Reports one operation of `protocol`: answered (`response_frame` set, `result` its
/// outcome) or not (both empty).
inline void EmitOperation(const StreamContext& ctx, const char* protocol, const OpRecord& rec,
                          std::string_view result, uint64_t response_frame) {
  if (!ctx.sink) return;
  IcsOperation op;
  op.protocol = protocol;
  op.function_code = rec.function_code;
  op.function = rec.function;
  op.category = rec.category;
  op.target = rec.target;
  op.result.Append(result);
  op.where = EndpointsFor(ctx, rec.sent_by_device ? Reverse(rec.request_dir) : rec.request_dir);
  op.request_frame = rec.request_frame;
  op.response_frame = response_frame;
  op.ts = rec.ts;
  op.seq = rec.seq;
  ctx.sink->OnIcsOperation(op);
}

}  // namespace qw::dissect::s7comm
