#include "dissect/wireguard/wireguard_dissector.h"

#include "dissect/ics_common.h"
#include "dissect/wireguard/wireguard_parser.h"

namespace qw::dissect::wireguard {

namespace {

class WireGuardDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    Message m;
    if (!ParseMessage(bytes, m)) {
      ctx.anomalies->Raise("wireguard.bad_message");
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    if (!started_) {
      started_ = true;
      obs_.frame = ctx.frame;
      obs_.ts = ctx.ts;
    }
    const bool from_initiator = dir == flow::Direction::kFromInitiator;
    PduKind kind = PduKind::kOther;
    if (m.type == kHandshakeInitiation) kind = PduKind::kRequest;
    if (m.type == kHandshakeResponse || m.type == kCookieReply) kind = PduKind::kResponse;
    CountPdu(ctx, "wireguard", m.type, kind, false, "messages");
    switch (m.type) {
      case kHandshakeInitiation:
        ++initiations_;
        // Either peer may start a later handshake; the first says who began the tunnel.
        if (initiations_ == 1) first_from_initiator_ = from_initiator;
        break;
      case kHandshakeResponse:
        answered_ = true;
        break;
      case kCookieReply:
        cookie_ = true;
        break;
      default:
        data_ = data_ || !m.keepalive;
        break;
    }
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  // Datagrams are whole messages: a lost one leaves nothing to resynchronise.
  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}

  void OnEnd(const StreamContext& ctx) override {
    if (!started_) return;
    obs_.tool = kToolWireGuard;
    obs_.capture_index = ctx.capture_index;
    auto& s = obs_.security;
    if (initiations_) {
      s.Append(answered_ ? "handshake answered" : "handshake unanswered");
      if (initiations_ > 1) s.Append(", ").AppendUint(initiations_).Append(" handshakes");
    } else {
      s.Append("picked up after the handshake");
    }
    if (cookie_) s.AppendListItem("cookie reply (responder under load)");
    if (data_) s.AppendListItem("tunnel data");
    // The peer that sent the first initiation is the client; without one, the flow's.
    const bool reversed = initiations_ && !first_from_initiator_;
    FillClientServer(
        ctx, reversed ? flow::Direction::kFromResponder : flow::Direction::kFromInitiator, obs_);
    ctx.sink->OnRemoteAccess(obs_);
  }

 private:
  bool started_ = false;
  uint64_t initiations_ = 0;
  bool first_from_initiator_ = true;
  bool answered_ = false, cookie_ = false, data_ = false;
  RemoteAccessObservation obs_;
};

}  // namespace

ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> datagram) {
  Message m;
  if (!ParseMessage(datagram, m)) return ProbeResult::kNo;
  if (m.type == kTransportData) return ProbeResult::kYes;
  return m.type == kHandshakeInitiation && dir == flow::Direction::kFromInitiator
             ? ProbeResult::kYes
             : ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<WireGuardDissector>(); }

}  // namespace qw::dissect::wireguard
