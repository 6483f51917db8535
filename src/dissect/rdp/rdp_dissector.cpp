#include "dissect/rdp/rdp_dissector.h"

#include <memory>
#include <string_view>

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/rdp/rdp_parser.h"
#include "dissect/s7comm/cotp_parser.h"
#include "dissect/tls/tls_dissector.h"

namespace qw::dissect::rdp {

namespace {

constexpr uint8_t kCotpConnectRequest = 0xe0;
constexpr uint8_t kCotpConnectConfirm = 0xd0;
constexpr uint8_t kCotpData = 0xf0;
constexpr uint8_t kTpktVersion = 3;

// Where one side of the connection stands: TPKTs and fast-path PDUs, the TLS handshake
// the negotiated security protocol opens with, or bytes no longer read.
enum class Phase : uint8_t { kFramed, kTls, kOpaque };

class RdpDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    const auto d = static_cast<size_t>(dir);
    if (phase_[d] == Phase::kOpaque) return {Verdict::kConsumed, bytes.size(), 0};
    if (phase_[d] == Phase::kTls) return OnTls(dir, bytes, ctx);
    core::ByteReader r(bytes);
    if (r.PeekU8() == kTpktVersion) return OnTpkt(dir, bytes, ctx);
    auto length = FastPathLength(bytes);
    if (!length) {
      ctx.anomalies->Raise("rdp.bad_pdu");
      phase_[d] = Phase::kOpaque;
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    const size_t want = *length == 0 ? 3 : *length;
    if (bytes.size() < want) return {Verdict::kNeedMore, 0, want - bytes.size()};
    CountPdu(ctx, "rdp", 0, PduKind::kOther, false, "fastpath");
    return {Verdict::kConsumed, want, 0};
  }

  void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) override {
    const auto d = static_cast<size_t>(dir);
    if (phase_[d] == Phase::kTls) {
      tls_.Gap(dir, n, ctx);
      return;
    }
    // PDU boundaries are lost with the bytes: read no further on this side.
    if (phase_[d] != Phase::kOpaque) ctx.anomalies->Raise("rdp.gap");
    phase_[d] = Phase::kOpaque;
  }

  void OnEnd(const StreamContext& ctx) override {
    tls_.End(ctx);
    Emit(ctx);
  }

 private:
  // The security protocol's TLS handshake, read by a TLS dissector; the session is
  // reported once TLS has reported its own (when application data flows), or at the end.
  ParseResult OnTls(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    bool not_tls = false;
    ParseResult r = tls_.Feed(dir, bytes, ctx, not_tls);
    if (not_tls) {
      // Not TLS after all: read no further; the session carries what TLS read before.
      phase_[0] = phase_[1] = Phase::kOpaque;
      Emit(ctx);
    } else if (tls_.Reported()) {
      Emit(ctx);
    }
    return r;
  }

  ParseResult OnTpkt(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) {
    const auto d = static_cast<size_t>(dir);
    TpktFrame tpkt = ReadTpkt(bytes);
    if (tpkt.status == TpktStatus::kNeedMore) return {Verdict::kNeedMore, 0, tpkt.need};
    core::ByteReader head(tpkt.tpdu);
    head.Skip(1);  // LI
    const uint8_t code = head.U8() & 0xf0;
    if (tpkt.status != TpktStatus::kOk || !head.ok()) {
      ctx.anomalies->Raise("rdp.bad_tpkt");
      phase_[d] = Phase::kOpaque;
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    const bool from_client = dir == flow::Direction::kFromInitiator;
    CountPdu(ctx, "rdp", code, from_client ? PduKind::kRequest : PduKind::kResponse, false,
             "tpdu_codes");
    if (code == kCotpConnectRequest && from_client) {
      OnConnectionRequest(tpkt.tpdu, ctx);
    } else if (code == kCotpConnectConfirm && !from_client) {
      OnConnectionConfirm(tpkt.tpdu, ctx);
    } else if (code == kCotpData && from_client && !seen_core_) {
      OnClientData(tpkt.tpdu, ctx);
    }
    return {Verdict::kConsumed, tpkt.length, 0};
  }

  void OnConnectionRequest(std::span<const uint8_t> tpdu, const StreamContext& ctx) {
    auto cr = ParseConnectionRequest(tpdu);
    if (!cr) {
      ctx.anomalies->Raise("rdp.bad_connection_request");
      return;
    }
    if (!seen_request_) {
      seen_request_ = true;
      obs_.frame = ctx.frame;
      obs_.ts = ctx.ts;
    }
    if (cr->has_user) obs_.user = cr->user;
    if (cr->has_neg) {
      CountDetail(ctx, "rdp", "neg_types", kNegRequest);
      CountDetail(ctx, "rdp", "requested_protocols", cr->requested);
      requested_ = cr->requested;
    }
    has_neg_request_ = cr->has_neg;
  }

  void OnConnectionConfirm(std::span<const uint8_t> tpdu, const StreamContext& ctx) {
    auto cc = ParseConnectionConfirm(tpdu);
    if (!cc) {
      ctx.anomalies->Raise("rdp.bad_connection_confirm");
      return;
    }
    if (!seen_request_) {
      // The capture missed the request: the session starts here.
      seen_request_ = true;
      obs_.frame = ctx.frame;
      obs_.ts = ctx.ts;
    }
    seen_confirm_ = true;
    confirm_ = *cc;
    if (cc->neg_type != 0) CountDetail(ctx, "rdp", "neg_types", cc->neg_type);
    if (cc->neg_type == kNegResponse) {
      CountDetail(ctx, "rdp", "selected_protocols", cc->selected);
      if (cc->selected != 0 && emitted_) {
        // A second confirmation after the session was reported: nothing more is read.
        phase_[0] = phase_[1] = Phase::kOpaque;
      } else if (cc->selected != 0) {
        // TLS, CredSSP and RDSTLS all open with a TLS handshake on both sides (MS-RDPBCGR
        // 5.4.5); what follows it is encrypted.
        phase_[0] = phase_[1] = Phase::kTls;
        tls_.Start();
      }
    } else if (cc->neg_type == kNegFailure) {
      CountDetail(ctx, "rdp", "failure_codes", cc->failure_code);
      Emit(ctx);
    }
  }

  void OnClientData(std::span<const uint8_t> tpdu, const StreamContext& ctx) {
    // Class 0 DT: LI (2), 0xf0, EOT and number; the MCS PDU follows whole when EOT is set.
    core::ByteReader r(tpdu);
    const uint8_t li = r.U8();
    r.Skip(1);
    const uint8_t eot = r.U8() & 0x80;
    std::span<const uint8_t> user_data = r.Rest();
    if (!r.ok() || li != 2 || eot == 0 || !IsConnectInitial(user_data)) return;
    seen_core_ = true;
    auto core = ParseConnectInitial(user_data, *ctx.anomalies);
    if (!core) return;
    obs_.protocol_version.Clear();
    const std::string_view version = VersionName(core->version);
    if (version.empty()) {
      obs_.protocol_version.AppendHex(core->version, 8);
    } else {
      obs_.protocol_version.Append(version);
    }
    obs_.client_software.Clear();
    obs_.client_software.Append("RDP client build ").AppendUint(core->build);
    if (!core->name.empty()) obs_.client_software.Append(", name ").Append(core->name.view());
    // Standard RDP security: the rest is encrypted or carries nothing the session needs.
    Emit(ctx);
  }

  void Emit(const StreamContext& ctx) {
    if (emitted_ || !seen_request_) return;
    emitted_ = true;
    obs_.tool = "rdp";
    obs_.capture_index = ctx.capture_index;
    auto& s = obs_.security;
    s.Clear();
    if (has_neg_request_) {
      s.Append("requested ");
      AppendProtocols(requested_, s);
    } else {
      s.Append("requested rdp (no negotiation)");
    }
    if (seen_confirm_) {
      if (confirm_.neg_type == kNegResponse) {
        s.Append("; selected ");
        AppendProtocols(confirm_.selected, s);
      } else if (confirm_.neg_type == kNegFailure) {
        s.Append("; failure ").AppendUint(confirm_.failure_code);
        const std::string_view name = FailureName(confirm_.failure_code);
        if (!name.empty()) s.Append(' ').Append(name);
      } else {
        s.Append("; selected rdp (no negotiation)");
      }
    }
    if (tls_.Reported()) {
      // What the handshake showed: its version and suite, the server certificate's subject
      // (a Windows host's certificate names the host) and both sides' fingerprints.
      s.Append("; ").Append(tls::SessionSummary(tls_.session()).view());
      tls::FillRemoteAccess(tls_.session(), obs_);
    }
    FillClientServer(ctx, flow::Direction::kFromInitiator, obs_);
    ctx.sink->OnRemoteAccess(obs_);
  }

  Phase phase_[2] = {Phase::kFramed, Phase::kFramed};
  bool seen_request_ = false, seen_confirm_ = false, seen_core_ = false, emitted_ = false;
  bool has_neg_request_ = false;
  uint32_t requested_ = 0;
  ConnectionConfirm confirm_;
  RemoteAccessObservation obs_;
  tls::Carried tls_;  // started when the server chose a TLS protocol
};

}  // namespace

ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes) {
  // The client speaks first; a server's bytes never decide.
  if (dir != flow::Direction::kFromInitiator) return ProbeResult::kNo;
  TpktFrame tpkt = ReadTpkt(first_bytes);
  if (tpkt.status == TpktStatus::kInvalid) return ProbeResult::kNo;
  if (tpkt.status == TpktStatus::kNeedMore) {
    // Judge the TPDU type as soon as it is there.
    core::ByteReader r(first_bytes);
    r.Skip(5);
    const uint8_t code = r.U8() & 0xf0;
    if (r.ok() && code != kCotpConnectRequest) return ProbeResult::kNo;
    return ProbeResult::kMaybe;
  }
  return ParseConnectionRequest(tpkt.tpdu) ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<RdpDissector>(); }

}  // namespace qw::dissect::rdp
