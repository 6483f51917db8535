#include "dissect/rlogin/rlogin_dissector.h"

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/rlogin/rlogin_parser.h"

namespace qw::dissect::rlogin {

namespace {

class RloginDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    const auto d = static_cast<size_t>(dir);
    if (done_[d]) return {Verdict::kConsumed, bytes.size(), 0};
    if (dir == flow::Direction::kFromResponder) {
      // The server acknowledges the opening with one zero.
      core::ByteReader r(bytes);
      if (r.U8() == 0) {
        CountPdu(ctx, "rlogin", 2, PduKind::kResponse, false, "messages");
        done_[d] = true;
        return {Verdict::kConsumed, 1, 0};
      }
      done_[d] = true;
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    const ClientHello h = ReadClientHello(bytes);
    if (h.status == Status::kNeedMore) return {Verdict::kNeedMore, 0, 1};
    done_[d] = true;
    if (h.status == Status::kInvalid) {
      ctx.anomalies->Raise("rlogin.bad_opening");
      return {Verdict::kNotThisProtocol, 0, 0};
    }
    CountPdu(ctx, "rlogin", 1, PduKind::kRequest, false, "messages");
    RemoteAccessObservation o;
    o.tool = "rlogin";
    o.capture_index = ctx.capture_index;
    o.frame = ctx.frame;
    o.ts = ctx.ts;
    o.user.Append(h.server_user.view());
    o.security.Append("client user ").Append(h.client_user.view());
    o.security.Append("; terminal ").Append(h.terminal.view());
    FillClientServer(ctx, flow::Direction::kFromInitiator, o);
    ctx.sink->OnRemoteAccess(o);
    return {Verdict::kConsumed, h.length, 0};
  }

  void OnGap(flow::Direction dir, uint64_t, const StreamContext&) override {
    done_[static_cast<size_t>(dir)] = true;
  }

  void OnEnd(const StreamContext&) override {}

 private:
  bool done_[2] = {false, false};
};

}  // namespace

ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes) {
  if (dir != flow::Direction::kFromInitiator) return ProbeResult::kNo;
  switch (ReadClientHello(first_bytes).status) {
    case Status::kOk:
      return ProbeResult::kYes;
    case Status::kNeedMore:
      return ProbeResult::kMaybe;
    case Status::kInvalid:
      break;
  }
  return ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<RloginDissector>(); }

}  // namespace qw::dissect::rlogin
