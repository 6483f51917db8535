#include "dissect/openvpn/openvpn_dissector.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/openvpn/openvpn_parser.h"
#include "dissect/tls/tls_dissector.h"
#include "dissect/tls/tls_parser.h"

namespace qw::dissect::openvpn {

namespace {

// Control messages held while one before them is missing (lost, or overtaken by a
// retransmission), per side, and the octets they may hold together; past either, the
// side's control channel is no longer read.
constexpr size_t kMaxHeldMessages = 16;
constexpr size_t kMaxHeldBytes = 64 * 1024;
// TLS octets kept for the TLS dissector until a record is whole: the longest record
// (tls::kMaxRecordBody) and its header.
constexpr size_t kMaxPendingBytes = tls::kRecordHeaderBytes + tls::kMaxRecordBody;

// Whether `bytes` open with a TLS handshake record header, as a side's first control
// message does (ClientHello, ServerHello).
bool OpensHandshake(std::span<const uint8_t> bytes) {
  auto h = tls::ParseRecordHeader(bytes);
  return h && h->type == 22;
}

// Whether `bytes` open with a handshake record whose first message is a ClientHello or a
// ServerHello: the start of a side's TLS, whatever message id it came in.
bool OpensHello(std::span<const uint8_t> bytes) {
  return OpensHandshake(bytes) && bytes.size() > tls::kRecordHeaderBytes &&
         (bytes[tls::kRecordHeaderBytes] == 1 || bytes[tls::kRecordHeaderBytes] == 2);
}

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
    if (tls_) tls_->OnEnd(ctx);
    if (!started_) return;
    obs_.tool = kToolOpenVpn;
    obs_.capture_index = ctx.capture_index;
    if (reset_version_) obs_.protocol_version.Append("v").AppendUint(reset_version_);
    const bool tls_seen =
        tls_seen_ && (tls_seen_->client_hello_frame || tls_seen_->server_hello_frame);
    auto& s = obs_.security;
    // A SHA-256 tls-auth channel and a tls-crypt one have resets of one length; only the
    // first leaves the TLS in clear.
    s.Append(protection_ == ControlProtection::kTlsAuthSha256OrTlsCrypt && tls_seen
                 ? "tls-auth (SHA-256)"
                 : ProtectionName(protection_));
    s.AppendListItem(server_reset_ ? "server answered" : "no server answer");
    if (tls_seen) {
      // What the control channel's TLS showed: its version and suite, the server's
      // certificate and both sides' fingerprints.
      s.AppendListItem(tls::SessionSummary(*tls_seen_).view());
      tls::FillRemoteAccess(*tls_seen_, obs_);
    }
    if (data_packets_) s.AppendListItem("tunnel data");
    if (soft_resets_) s.AppendListItem("keys renegotiated");
    FillClientServer(ctx, flow::Direction::kFromInitiator, obs_);
    ctx.sink->OnRemoteAccess(obs_);
  }

 private:
  // One side of the control channel.
  struct Side {
    // The message whose TLS octets come next: the one after the side's hard reset (whose id
    // is 0, or an OpenVPN 2.6 client's EARLY_NEG_START).
    uint32_t next = 1;
    bool reset_seen = false;
    bool fed = false;                                             // TLS octets were given
    std::vector<std::pair<uint32_t, std::vector<uint8_t>>> held;  // messages after a missing one
    size_t held_bytes = 0;
    std::vector<uint8_t> pending;  // TLS octets the TLS dissector has not consumed
  };

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
    if (p.key_id == 0 && p.opcode != kDataV1 && p.opcode != kDataV2) OnControl(dir, bytes, ctx);
    return true;
  }

  // The control channel of the first key: its messages carry a TLS session, in clear
  // unless tls-crypt wraps them. Later keys (soft resets) are renegotiations, not read.
  void OnControl(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    if (tls_stopped_) return;
    const std::optional<size_t> auth = AuthBytes(protection_);
    if (!auth) return;
    Control c;
    if (!ParseControl(bytes, *auth, c)) {
      // Under the layout the client's reset showed, every control packet holds together.
      if (protection_ != ControlProtection::kTlsAuthSha256OrTlsCrypt) {
        ctx.anomalies->Raise("openvpn.bad_control");
      }
      tls_stopped_ = true;
      return;
    }
    Side& side = sides_[static_cast<size_t>(dir)];
    const bool reset = c.opcode == kHardResetClientV1 || c.opcode == kHardResetClientV2 ||
                       c.opcode == kHardResetServerV1 || c.opcode == kHardResetServerV2;
    if (reset && !side.reset_seen && !side.fed) {
      side.reset_seen = true;
      side.next = c.message_id + 1;
      return;
    }
    if (c.opcode != kControlV1 || c.payload.empty()) return;
    // A side's hello starts its TLS: where its reset was missed, or numbered the messages
    // otherwise than this reading expects (OpenVPN 2.6's early negotiation), it sets the
    // count.
    if (!side.fed && c.message_id != side.next && OpensHello(c.payload)) {
      side.next = c.message_id;
    }
    if (c.message_id < side.next) return;  // a retransmission
    if (c.message_id > side.next) {
      Hold(side, c.message_id, c.payload);
      return;
    }
    Feed(dir, c.payload, ctx);
    // Messages that were waiting for this one follow it.
    while (!tls_stopped_) {
      auto it = std::find_if(side.held.begin(), side.held.end(),
                             [&](const auto& m) { return m.first == side.next; });
      if (it == side.held.end()) break;
      std::vector<uint8_t> payload = std::move(it->second);
      side.held_bytes -= payload.size();
      side.held.erase(it);
      Feed(dir, payload, ctx);
    }
  }

  // Keeps a message that arrived before one it follows, until that one comes.
  void Hold(Side& side, uint32_t id, std::span<const uint8_t> payload) {
    for (const auto& m : side.held) {
      if (m.first == id) return;  // held already
    }
    if (side.held.size() == kMaxHeldMessages || side.held_bytes + payload.size() > kMaxHeldBytes) {
      tls_stopped_ = true;  // the missing message is not coming: stop reading
      return;
    }
    side.held.emplace_back(id, std::vector<uint8_t>(payload.begin(), payload.end()));
    side.held_bytes += payload.size();
  }

  // Gives the next message's TLS octets to the TLS dissector, as the StreamAttacher gives a
  // stream's: what it leaves unconsumed is offered again with the next message.
  void Feed(flow::Direction dir, std::span<const uint8_t> payload, const StreamContext& ctx) {
    Side& side = sides_[static_cast<size_t>(dir)];
    const bool first = !side.fed;
    side.fed = true;
    ++side.next;
    if (first && !OpensHandshake(payload)) {
      tls_stopped_ = true;  // not TLS in clear (tls-crypt, or a layout misread)
      return;
    }
    if (!tls_) {
      tls_seen_ = std::make_unique<TlsObservation>();
      tls_ = tls::CreateInner(*tls_seen_);
    }
    std::vector<uint8_t>& pending = side.pending;
    std::span<const uint8_t> data = payload;
    if (!pending.empty()) {
      if (pending.size() + payload.size() > kMaxPendingBytes) {
        ctx.anomalies->Raise("openvpn.control_overflow");
        tls_stopped_ = true;
        return;
      }
      pending.insert(pending.end(), payload.begin(), payload.end());
      data = pending;
    }
    size_t used = 0;
    while (used < data.size()) {
      const ParseResult r = tls_->OnData(dir, data.subspan(used), ctx);
      if (r.verdict == Verdict::kNotThisProtocol) {
        tls_stopped_ = true;
        return;
      }
      if (r.verdict == Verdict::kNeedMore || r.consumed == 0) break;
      used += std::min(r.consumed, data.size() - used);
    }
    if (data.data() == pending.data()) {
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(used));
    } else {
      pending.assign(data.begin() + static_cast<std::ptrdiff_t>(used), data.end());
    }
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
  Side sides_[2];
  bool tls_stopped_ = false;                  // the control channel is no longer read
  std::unique_ptr<TlsObservation> tls_seen_;  // the TLS dissector's session, when it reports
  std::unique_ptr<Dissector> tls_;            // made at the first TLS octets
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
