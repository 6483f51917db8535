#include "dissect/teamviewer/teamviewer_dissector.h"

#include "dissect/ics_common.h"
#include "dissect/teamviewer/teamviewer_parser.h"

namespace qw::dissect::teamviewer {

namespace {

class TeamViewerDissector final : public Dissector {
 public:
  explicit TeamViewerDissector(bool udp) : udp_(udp) {}

  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    Start(ctx);
    if (udp_) {
      CountPdu(ctx, "teamviewer", 0, PduKind::kOther, false, "");
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    const auto d = static_cast<size_t>(dir);
    if (opaque_[d]) return {Verdict::kConsumed, bytes.size(), 0};
    const Command c = ReadCommand(bytes);
    if (c.status == Status::kNeedMore) return {Verdict::kNeedMore, 0, c.length - bytes.size()};
    if (c.status == Status::kInvalid) {
      ctx.anomalies->Raise("teamviewer.bad_command");
      opaque_[d] = true;
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    if (!framing_) framing_ = c.long_framing ? 2 : 1;
    const bool from_client = dir == flow::Direction::kFromInitiator;
    CountPdu(ctx, "teamviewer", c.code, from_client ? PduKind::kRequest : PduKind::kResponse,
             c.code == kCmdEncryptionRequestFailed, "commands");
    switch (c.code) {
      case kCmdRequestEncryption:
        encryption_requested_ = true;
        break;
      case kCmdConfirmEncryption:
        encryption_confirmed_ = true;
        break;
      case kCmdEncryptionRequestFailed:
        encryption_failed_ = true;
        break;
      case kCmdRequestNoEncryption:
        no_encryption_ = true;
        break;
      default:
        break;
    }
    return {Verdict::kConsumed, c.length, 0};
  }

  void OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) override {
    // Command boundaries are lost with the bytes: read no further on this side.
    const auto d = static_cast<size_t>(dir);
    if (!udp_ && !opaque_[d]) ctx.anomalies->Raise("teamviewer.gap");
    opaque_[d] = true;
  }

  void OnEnd(const StreamContext& ctx) override {
    if (!started_) return;
    obs_.tool = "teamviewer";
    obs_.capture_index = ctx.capture_index;
    obs_.protocol_version.Append(udp_ ? "udp" : framing_ == 2 ? "0x1130" : "0x1724");
    auto& s = obs_.security;
    if (encryption_requested_) {
      s.Append("encryption requested");
      if (encryption_confirmed_) s.Append(", confirmed");
      if (encryption_failed_) s.Append(", failed");
    }
    if (no_encryption_) {
      if (!s.empty()) s.Append("; ");
      s.Append("no encryption requested");
    }
    FillClientServer(ctx, flow::Direction::kFromInitiator, obs_);
    ctx.sink->OnRemoteAccess(obs_);
  }

 private:
  void Start(const StreamContext& ctx) {
    if (started_) return;
    started_ = true;
    obs_.frame = ctx.frame;
    obs_.ts = ctx.ts;
  }

  bool udp_ = false;
  bool started_ = false;
  bool opaque_[2] = {false, false};
  uint8_t framing_ = 0;  // 1 short, 2 long
  bool encryption_requested_ = false, encryption_confirmed_ = false;
  bool encryption_failed_ = false, no_encryption_ = false;
  RemoteAccessObservation obs_;
};

}  // namespace

ProbeResult ProbeTcp(flow::Direction, std::span<const uint8_t> first_bytes) {
  const Command c = ReadCommand(first_bytes);
  if (c.status == Status::kInvalid) return ProbeResult::kNo;
  const size_t header = c.long_framing ? kLongHeaderBytes : kShortHeaderBytes;
  if (first_bytes.size() < header) return ProbeResult::kMaybe;
  // The command codes known run from 10 (identify) to 113 (flush send buffer).
  return c.code >= kMinCommand && c.code <= kMaxCommand ? ProbeResult::kYes : ProbeResult::kNo;
}

ProbeResult ProbeUdp(flow::Direction, std::span<const uint8_t> datagram) {
  return LooksLikeDatagram(datagram) ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> CreateTcp() { return std::make_unique<TeamViewerDissector>(false); }
std::unique_ptr<Dissector> CreateUdp() { return std::make_unique<TeamViewerDissector>(true); }

}  // namespace qw::dissect::teamviewer
