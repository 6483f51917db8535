#include "dissect/ssh/ssh_dissector.h"

#include <string_view>

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/ssh/ssh_parser.h"

namespace qw::dissect::ssh {

namespace {

// Where one side of the connection stands.
enum class Phase : uint8_t { kIdentification, kPackets, kOpaque };

class SshDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    const auto d = static_cast<size_t>(dir);
    switch (phase_[d]) {
      case Phase::kIdentification:
        return OnLine(dir, bytes, ctx);
      case Phase::kPackets:
        return OnPacket(dir, bytes, ctx);
      case Phase::kOpaque:
        break;
    }
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  void OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) override {
    // Packet boundaries are lost with the bytes: read no further on this side.
    const auto d = static_cast<size_t>(dir);
    if (phase_[d] != Phase::kOpaque) ctx.anomalies->Raise("ssh.gap");
    phase_[d] = Phase::kOpaque;
  }

  void OnEnd(const StreamContext& ctx) override { Emit(ctx); }

 private:
  ParseResult OnLine(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) {
    const auto d = static_cast<size_t>(dir);
    auto end = LineEnd(bytes);
    if (!end) {
      if (bytes.size() >= kMaxBannerBytes) {
        ctx.anomalies->Raise("ssh.bad_banner");
        return {Verdict::kNotThisProtocol, 0, 0};
      }
      return {Verdict::kNeedMore, 0, 1};
    }
    auto banner = ParseBanner(bytes.first(*end));
    if (!banner) {
      // RFC 4253 4.2: a server may send other lines first.
      if (++lines_[d] > kMaxPreBannerLines) {
        ctx.anomalies->Raise("ssh.too_many_lines");
        phase_[d] = Phase::kOpaque;
      }
      return {Verdict::kConsumed, *end, 0};
    }
    const std::string_view version = banner->proto_version.view();
    const bool v2 = version == "2.0" || version == "1.99";
    CountPdu(ctx, "ssh", v2 ? 2 : 1, PduKind::kOther, false, "banners");
    if (!seen_any_) {
      seen_any_ = true;
      client_dir_ = dir;  // the side that speaks first is the client, unless told otherwise
      obs_.frame = ctx.frame;
      obs_.ts = ctx.ts;
    }
    const bool from_client = IsClient(dir, ctx);
    auto& software = from_client ? obs_.client_software : obs_.server_software;
    software.Clear();
    software.Append(banner->software.view());
    if (!banner->comments.empty()) software.Append(' ').Append(banner->comments.view());
    if (obs_.protocol_version.empty() || !from_client)
      obs_.protocol_version = banner->proto_version;
    // SSH 1 packets are framed otherwise and encrypted from the first: not read.
    phase_[d] = v2 ? Phase::kPackets : Phase::kOpaque;
    return {Verdict::kConsumed, *end, 0};
  }

  // The client is the flow's initiator when it speaks SSH at all; a banner from the other
  // side makes that side the server.
  bool IsClient(flow::Direction dir, const StreamContext& ctx) const {
    if (ctx.flow) return dir == flow::Direction::kFromInitiator;
    return dir == client_dir_;
  }

  ParseResult OnPacket(flow::Direction dir, std::span<const uint8_t> bytes,
                       const StreamContext& ctx) {
    const auto d = static_cast<size_t>(dir);
    if (bytes.size() < 6) return {Verdict::kNeedMore, 0, 6 - bytes.size()};
    auto header = ParsePacketHeader(bytes);
    if (!header) {
      ctx.anomalies->Raise("ssh.bad_packet");
      phase_[d] = Phase::kOpaque;
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    const size_t whole = 4 + size_t{header->packet_length};
    if (bytes.size() < whole) return {Verdict::kNeedMore, 0, whole - bytes.size()};
    core::ByteReader r(bytes.first(whole));
    r.Skip(5);
    std::span<const uint8_t> payload = r.Bytes(header->packet_length - 1u - header->padding_length);
    core::ByteReader p(payload);
    const uint8_t code = p.U8();
    CountPdu(ctx, "ssh", code, PduKind::kOther, code == 1, "message_codes");
    if (code == 20) {
      if (auto kex = ParseKexInit(payload, *ctx.anomalies)) {
        const bool from_client = IsClient(dir, ctx);
        if (from_client) {
          obs_.client_fingerprint.Clear();
          obs_.client_fingerprint.Append(kex->hassh.view());
        } else {
          obs_.server_fingerprint.Clear();
          obs_.server_fingerprint.Append(kex->hassh_server.view());
        }
      }
    } else if (code == 21) {
      // NEWKEYS: what this side sends next is encrypted; MACs may follow each packet.
      phase_[d] = Phase::kOpaque;
      Emit(ctx);
    }
    return {Verdict::kConsumed, whole, 0};
  }

  void Emit(const StreamContext& ctx) {
    if (emitted_ || !seen_any_) return;
    emitted_ = true;
    obs_.tool = "ssh";
    obs_.capture_index = ctx.capture_index;
    FillClientServer(ctx, flow::Direction::kFromInitiator, obs_);
    ctx.sink->OnRemoteAccess(obs_);
  }

  Phase phase_[2] = {Phase::kIdentification, Phase::kIdentification};
  size_t lines_[2] = {0, 0};
  bool seen_any_ = false, emitted_ = false;
  flow::Direction client_dir_ = flow::Direction::kFromInitiator;
  RemoteAccessObservation obs_;
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  static constexpr std::string_view kPrefix = "SSH-";
  core::ByteReader r(first_bytes);
  const std::string_view head = r.Chars(std::min(first_bytes.size(), kPrefix.size()));
  if (head != kPrefix.substr(0, head.size())) return ProbeResult::kNo;
  return head.size() < kPrefix.size() ? ProbeResult::kMaybe : ProbeResult::kYes;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<SshDissector>(); }

}  // namespace qw::dissect::ssh
