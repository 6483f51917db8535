#include "dissect/openvpn/openvpn_dissector.h"

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/openvpn/openvpn_parser.h"

namespace qw::dissect::openvpn {

namespace {

class OpenVpnDissector final : public Dissector {
 public:
  explicit OpenVpnDissector(bool udp) : udp_(udp) {}

  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    const auto d = static_cast<size_t>(dir);
    if (udp_) {
      OnPacket(dir, bytes, ctx);
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    if (opaque_[d]) return {Verdict::kConsumed, bytes.size(), 0};
    const Framed f = ReadFramed(bytes);
    if (f.status == Status::kNeedMore) return {Verdict::kNeedMore, 0, f.length - bytes.size()};
    if (f.status == Status::kInvalid) {
      ctx.anomalies->Raise("openvpn.bad_length");
      opaque_[d] = true;
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    if (!OnPacket(dir, bytes.subspan(kLengthBytes, f.length - kLengthBytes), ctx)) {
      opaque_[d] = true;  // packet boundaries can no longer be trusted on this side
    }
    return {Verdict::kConsumed, f.length, 0};
  }

  void OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) override {
    // Packet boundaries are lost with the bytes: read no further on this side.
    const auto d = static_cast<size_t>(dir);
    if (!udp_ && !opaque_[d]) ctx.anomalies->Raise("openvpn.gap");
    opaque_[d] = true;
  }

  void OnEnd(const StreamContext& ctx) override {
    if (!started_) return;
    obs_.tool = kToolOpenVpn;
    obs_.capture_index = ctx.capture_index;
    if (reset_version_) obs_.protocol_version.Append("v").AppendUint(reset_version_);
    core::FixedText<127>& s = obs_.security;
    s.Append(ProtectionName(protection_));
    s.AppendListItem(server_reset_ ? "server answered" : "no server answer");
    if (data_packets_) s.AppendListItem("tunnel data");
    if (soft_resets_) s.AppendListItem("keys renegotiated");
    FillClientServer(ctx, flow::Direction::kFromInitiator, obs_);
    ctx.sink->OnRemoteAccess(obs_);
  }

 private:
  // Counts one packet and notes what it says; false when it is no OpenVPN packet.
  bool OnPacket(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    Packet p;
    if (!ParsePacket(bytes, p)) {
      ctx.anomalies->Raise("openvpn.bad_opcode");
      return false;
    }
    if (!started_) {
      started_ = true;
      obs_.frame = ctx.frame;
      obs_.ts = ctx.ts;
    }
    CountPdu(ctx, "openvpn", p.opcode, PduKind::kOther, false, "opcodes");
    const bool from_client = dir == flow::Direction::kFromInitiator;
    switch (p.opcode) {
      case kHardResetClientV1:
      case kHardResetClientV2:
      case kHardResetClientV3:
        if (from_client && !reset_version_) {
          reset_version_ = p.opcode == kHardResetClientV1   ? 1
                           : p.opcode == kHardResetClientV2 ? 2
                                                            : 3;
          (void)LooksLikeClientReset(bytes, &protection_);
        }
        break;
      case kHardResetServerV1:
      case kHardResetServerV2:
        server_reset_ = server_reset_ || !from_client;
        break;
      case kSoftResetV1:
        ++soft_resets_;
        break;
      case kDataV1:
      case kDataV2:
        ++data_packets_;
        break;
      default:
        break;
    }
    return true;
  }

  bool udp_ = false;
  bool started_ = false;
  bool opaque_[2] = {false, false};
  uint8_t reset_version_ = 0;
  ControlProtection protection_ = ControlProtection::kUnknown;
  bool server_reset_ = false;
  uint64_t soft_resets_ = 0;
  uint64_t data_packets_ = 0;
  RemoteAccessObservation obs_;
};

}  // namespace

ProbeResult ProbeTcp(flow::Direction dir, std::span<const uint8_t> first_bytes) {
  if (dir != flow::Direction::kFromInitiator) return ProbeResult::kNo;
  const Framed f = ReadFramed(first_bytes);
  if (f.status == Status::kInvalid) return ProbeResult::kNo;
  // A client's reset is short: tls-crypt-v2's, with the wrapped key, the longest.
  if (f.length > kLengthBytes + 2048) return ProbeResult::kNo;
  if (f.status == Status::kNeedMore) {
    if (first_bytes.size() <= kLengthBytes) return ProbeResult::kMaybe;
    core::ByteReader r(first_bytes.subspan(kLengthBytes));
    const uint8_t first = r.U8();
    const bool reset = first == kHardResetClientV2 << 3 || first == kHardResetClientV3 << 3;
    return reset ? ProbeResult::kMaybe : ProbeResult::kNo;
  }
  return LooksLikeClientReset(first_bytes.subspan(kLengthBytes, f.length - kLengthBytes), nullptr)
             ? ProbeResult::kYes
             : ProbeResult::kNo;
}

ProbeResult ProbeUdp(flow::Direction dir, std::span<const uint8_t> datagram) {
  if (dir != flow::Direction::kFromInitiator) return ProbeResult::kNo;
  return LooksLikeClientReset(datagram, nullptr) ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> CreateTcp() { return std::make_unique<OpenVpnDissector>(false); }
std::unique_ptr<Dissector> CreateUdp() { return std::make_unique<OpenVpnDissector>(true); }

}  // namespace qw::dissect::openvpn
