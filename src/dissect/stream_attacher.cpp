#include "dissect/stream_attacher.h"

#include <algorithm>
#include <cassert>

namespace qw::dissect {

namespace {
size_t Index(flow::Direction dir) { return static_cast<size_t>(dir); }
constexpr uint8_t kUdp = 17;
// Datagrams a UDP flow may be probed with while every probe still says "maybe".
constexpr uint32_t kMaxProbedDatagrams = 8;
}  // namespace

StreamAttacher::StreamAttacher(const flow::Flow& flow,
                               std::vector<const StreamDissectorInfo*> candidates,
                               ObservationSink& sink, core::Anomalies& anomalies,
                               AttachStats& stats, AttachLimits limits, Expectations* expectations)
    : flow_(flow),
      candidates_(std::move(candidates)),
      sink_(sink),
      anomalies_(anomalies),
      stats_(stats),
      limits_(limits),
      expectations_(expectations) {
  done_ = candidates_.empty();
}

StreamAttacher::StreamAttacher(const flow::Flow& flow, const StreamDissectorInfo& info,
                               std::unique_ptr<Dissector> dissector, ObservationSink& sink,
                               core::Anomalies& anomalies, AttachStats& stats, AttachLimits limits,
                               Expectations* expectations)
    : flow_(flow),
      sink_(sink),
      anomalies_(anomalies),
      stats_(stats),
      limits_(limits),
      expectations_(expectations),
      active_(&info),
      recognised_(info.name),
      dissector_(std::move(dissector)) {
  ++stats_.attached;
}

StreamContext StreamAttacher::Context(uint64_t frame, core::Timestamp ts) const {
  StreamContext ctx;
  ctx.flow = &flow_;
  ctx.capture_index = flow_.capture_index;
  ctx.frame = frame;
  ctx.ts = ts;
  ctx.sink = &sink_;
  ctx.anomalies = &anomalies_;
  ctx.max_hashed_file_bytes = limits_.max_hashed_file_bytes;
  ctx.expectations = expectations_;
  return ctx;
}

void StreamAttacher::OnData(flow::Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
                            core::Timestamp ts) {
  if (done_ || bytes.empty()) return;
  last_frame_ = frame;
  last_ts_ = ts;
  if (flow_.proto == kUdp) {
    OnDatagram(dir, bytes, frame, ts);
    return;
  }
  if (active_) {
    Feed(dir, bytes, frame, ts);
    return;
  }
  auto& buf = buffer_[Index(dir)];
  size_t room = limits_.max_probe_bytes - std::min(limits_.max_probe_bytes, buf.size());
  buf.insert(buf.end(), bytes.begin(),
             bytes.begin() + static_cast<ptrdiff_t>(std::min(room, bytes.size())));
  Probe(dir, frame, ts);
}

bool StreamAttacher::ProbeCandidates(flow::Direction dir, std::span<const uint8_t> bytes,
                                     bool& any_maybe) {
  for (auto it = candidates_.begin(); it != candidates_.end();) {
    ProbeResult r = (*it)->probe(dir, bytes);
    if (r == ProbeResult::kYes) {
      active_ = *it;
      recognised_ = active_->name;
      dissector_ = active_->create();
      ++stats_.attached;
      candidates_.clear();
      return true;
    }
    if (r == ProbeResult::kNo) {
      it = candidates_.erase(it);
    } else {
      any_maybe = true;
      ++it;
    }
  }
  return false;
}

void StreamAttacher::OnDatagram(flow::Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
                                core::Timestamp ts) {
  if (!active_) {
    bool any_maybe = false;
    ProbeCandidates(dir, bytes, any_maybe);
    if (!active_) {
      if (!any_maybe || ++probed_datagrams_ >= kMaxProbedDatagrams) {
        done_ = true;
        ++stats_.undetected;
      }
      return;
    }
  }
  // A datagram is a whole message: offer it alone and drop what the dissector leaves.
  StreamContext ctx = Context(frame, ts);
  size_t used = 0;
  while (used < bytes.size() && !done_) {
    ParseResult r = dissector_->OnData(dir, bytes.subspan(used), ctx);
    if (r.verdict == Verdict::kNotThisProtocol) {
      if (++violations_ >= limits_.max_violations) Detach("dissect.protocol_violation");
      return;
    }
    if (r.verdict == Verdict::kNeedMore || r.consumed == 0) return;
    used += std::min(r.consumed, bytes.size() - used);
  }
}

void StreamAttacher::Probe(flow::Direction dir, uint64_t frame, core::Timestamp ts) {
  auto& buf = buffer_[Index(dir)];
  bool any_maybe = false;
  if (ProbeCandidates(dir, buf, any_maybe)) {
    // Offer what was held while probing, the initiator's side first.
    std::vector<uint8_t> held[2] = {std::move(buffer_[0]), std::move(buffer_[1])};
    buffer_[0].clear();
    buffer_[1].clear();
    for (size_t d = 0; d < 2 && !done_; ++d) {
      if (!held[d].empty()) Feed(static_cast<flow::Direction>(d), held[d], frame, ts);
    }
    return;
  }
  if (!any_maybe || buf.size() >= limits_.max_probe_bytes) {
    // Nothing accepts these bytes, or the probes would not decide within the cap.
    done_ = true;
    ++stats_.undetected;
    buffer_[0] = {};
    buffer_[1] = {};
  }
}

void StreamAttacher::Feed(flow::Direction dir, std::span<const uint8_t> bytes, uint64_t frame,
                          core::Timestamp ts) {
  auto& buf = buffer_[Index(dir)];
  StreamContext ctx = Context(frame, ts);
  std::span<const uint8_t> data = bytes;
  if (!buf.empty()) {
    if (buf.size() + bytes.size() > limits_.max_pending_bytes) {
      // The dissector keeps asking for more than we hold for it: give up on these bytes.
      anomalies_.Raise("dissect.pending_overflow");
      uint64_t lost = buf.size() + bytes.size();
      buf.clear();
      dissector_->OnGap(dir, lost, ctx);
      return;
    }
    buf.insert(buf.end(), bytes.begin(), bytes.end());
    data = buf;
  }
  size_t used = 0;
  while (used < data.size() && !done_) {
    ParseResult r = dissector_->OnData(dir, data.subspan(used), ctx);
    if (r.verdict == Verdict::kNotThisProtocol) {
      if (++violations_ >= limits_.max_violations) {
        Detach("dissect.protocol_violation");
        return;
      }
      used = data.size();  // drop what it could not parse and carry on
      break;
    }
    if (r.verdict == Verdict::kNeedMore || r.consumed == 0) break;
    assert(r.consumed <= data.size() - used);
    used += std::min(r.consumed, data.size() - used);
  }
  if (done_) return;
  size_t left = data.size() - used;
  if (left > limits_.max_pending_bytes) {
    anomalies_.Raise("dissect.pending_overflow");
    buf.clear();
    dissector_->OnGap(dir, left, ctx);
    return;
  }
  if (data.data() == buf.data()) {
    buf.erase(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(used));
  } else if (left > 0) {
    buf.assign(data.begin() + static_cast<ptrdiff_t>(used), data.end());
  }
}

void StreamAttacher::OnGap(flow::Direction dir, uint64_t n) {
  if (done_) return;
  buffer_[Index(dir)].clear();
  if (active_) dissector_->OnGap(dir, n, Context(last_frame_, last_ts_));
}

void StreamAttacher::OnEnd(flow::EndReason) {
  if (active_ && dissector_) {
    dissector_->OnEnd(Context(last_frame_, last_ts_));
  } else if (!done_) {
    ++stats_.undetected;
  }
  done_ = true;
}

void StreamAttacher::Detach(const char* anomaly) {
  anomalies_.Raise(anomaly);
  ++stats_.detached;
  if (dissector_) dissector_->OnEnd(Context(last_frame_, last_ts_));
  dissector_.reset();
  active_ = nullptr;
  done_ = true;
  buffer_[0] = {};
  buffer_[1] = {};
}

std::vector<const StreamDissectorInfo*> OrderCandidates(uint8_t transport, uint16_t port_a,
                                                        uint16_t port_b) {
  // One allocation per flow: the port matches in a first pass, the others in a second.
  const auto& all = StreamDissectors();
  std::vector<const StreamDissectorInfo*> out;
  out.reserve(all.size());
  auto hit = [&](const StreamDissectorInfo& info) {
    return std::any_of(info.ports.begin(), info.ports.end(),
                       [&](uint16_t p) { return p == port_a || p == port_b; });
  };
  for (const auto& info : all) {
    if (info.transport == transport && hit(info)) out.push_back(&info);
  }
  for (const auto& info : all) {
    if (info.transport == transport && !hit(info)) out.push_back(&info);
  }
  return out;
}

}  // namespace qw::dissect
