#include "dissect/ike/ike_dissector.h"

#include "dissect/ics_common.h"
#include "dissect/ike/ike_parser.h"

namespace qw::dissect::ike {

namespace {

constexpr uint16_t kNatTraversalPort = 4500;

class IkeDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    const bool encapsulated = ctx.flow && (ctx.flow->initiator_port == kNatTraversalPort ||
                                           ctx.flow->responder_port == kNatTraversalPort);
    const Datagram d = ReadDatagram(bytes, encapsulated);
    switch (d.kind) {
      case Kind::kInvalid:
        ctx.anomalies->Raise("ike.bad_message");
        break;
      case Kind::kKeepalive:
        break;
      case Kind::kEsp:
        ++esp_;
        break;
      case Kind::kIke:
        OnMessage(dir, d, ctx);
        break;
    }
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  // Datagrams are whole messages: a lost one leaves nothing to resynchronise.
  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}

  void OnEnd(const StreamContext& ctx) override {
    if (!started_) return;
    obs_.tool = "ike";
    obs_.capture_index = ctx.capture_index;
    obs_.protocol_version.Append(major_ == 2 ? "IKEv2" : "IKEv1");
    core::FixedText<127>& s = obs_.security;
    if (aggressive_) s.AppendListItem("aggressive mode");
    if (main_mode_) s.AppendListItem("main mode");
    s.AppendListItem(answered_ ? "answered" : "unanswered");
    if (nat_traversal_) s.AppendListItem("NAT traversal");
    if (esp_) s.AppendListItem("ESP");
    FillClientServer(ctx, flow::Direction::kFromInitiator, obs_);
    ctx.sink->OnRemoteAccess(obs_);
  }

 private:
  void OnMessage(flow::Direction dir, const Datagram& d, const StreamContext& ctx) {
    const Header& h = d.header;
    if (!started_) {
      started_ = true;
      major_ = h.major;
      obs_.frame = ctx.frame;
      obs_.ts = ctx.ts;
    }
    const bool from_initiator = dir == flow::Direction::kFromInitiator;
    const bool response = h.major == 2 ? (h.flags & kFlagResponse) != 0 : !from_initiator;
    CountPdu(ctx, "ike", h.exchange, response ? PduKind::kResponse : PduKind::kRequest, false,
             "exchanges");
    answered_ = answered_ || response;
    nat_traversal_ = nat_traversal_ || d.marker;
    if (h.major == 1 && h.exchange == kV1Aggressive) aggressive_ = true;
    if (h.major == 1 && h.exchange == kV1IdentityProtection) main_mode_ = true;
  }

  bool started_ = false;
  uint8_t major_ = 0;
  bool answered_ = false, nat_traversal_ = false, aggressive_ = false, main_mode_ = false;
  uint64_t esp_ = 0;
  RemoteAccessObservation obs_;
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> datagram) {
  // The probe does not know the ports: a bare message, or one behind the marker.
  if (ReadDatagram(datagram, false).kind == Kind::kIke) return ProbeResult::kYes;
  const Datagram d = ReadDatagram(datagram, true);
  return d.kind == Kind::kIke ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<IkeDissector>(); }

}  // namespace qw::dissect::ike
