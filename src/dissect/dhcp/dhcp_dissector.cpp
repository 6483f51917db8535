#include "dissect/dhcp/dhcp_dissector.h"

#include "dissect/dhcp/dhcp_parser.h"
#include "dissect/ics_common.h"

namespace qw::dissect::dhcp {

namespace {

// DHCPv6 message types a server (or a relay towards the client) sends (RFC 8415 7.3).
bool FromServerV6(uint8_t type) {
  return type == 2 || type == 7 || type == 10 || type == 13 || type == 15 || type == 17 ||
         type == 21 || type == 31;
}

class DhcpDissector final : public Dissector {
 public:
  explicit DhcpDissector(bool v6) : v6_(v6) {}

  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    Reset(dir, ctx);
    if (v6_) {
      OnV6(bytes, ctx);
    } else {
      OnV4(bytes, ctx);
    }
    return {Verdict::kConsumed, bytes.size(), 0};
  }
  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}
  void OnEnd(const StreamContext&) override {}

 private:
  void Reset(flow::Direction dir, const StreamContext& ctx) {
    obs_ = DhcpObservation{};
    obs_.protocol = v6_ ? "dhcpv6" : "dhcp";
    obs_.capture_index = ctx.capture_index;
    obs_.frame = ctx.frame;
    obs_.ts = ctx.ts;
    FillSides(ctx, dir, obs_);
  }

  void OnV4(std::span<const uint8_t> bytes, const StreamContext& ctx) {
    auto msg = ParseDhcp(bytes, *ctx.anomalies);
    if (!msg) {
      ctx.anomalies->Raise("dhcp.malformed");
      return;
    }
    obs_.from_server = msg->op == 2;
    obs_.message_type = obs_.inner_type = msg->message_type;
    obs_.xid = msg->xid;
    obs_.client_mac = msg->client_mac;
    obs_.client_ip = msg->ciaddr.V4Value() ? msg->ciaddr : msg->requested_ip;
    if (msg->yiaddr.V4Value()) obs_.assigned_ip = msg->yiaddr;
    obs_.server_id = msg->server_id;
    obs_.host_name.Append(msg->host_name.view());
    obs_.fqdn.Append(msg->fqdn.view());
    obs_.vendor_class.Append(msg->vendor_class.view());
    obs_.client_id.Append(msg->client_id.view());
    obs_.parameter_list.Append(msg->parameter_list.view());
    CountPdu(ctx, "dhcp", msg->message_type,
             obs_.from_server ? PduKind::kResponse : PduKind::kRequest, msg->message_type == 6,
             "message_types");
    ctx.sink->OnDhcp(obs_);
  }

  void OnV6(std::span<const uint8_t> bytes, const StreamContext& ctx) {
    auto msg = ParseDhcpv6(bytes, *ctx.anomalies);
    if (!msg) {
      ctx.anomalies->Raise("dhcpv6.malformed");
      return;
    }
    obs_.from_server = FromServerV6(msg->msg_type);
    obs_.message_type = msg->msg_type;
    obs_.inner_type = msg->inner_type;
    obs_.xid = msg->transaction_id;
    obs_.assigned_ip = msg->assigned;
    obs_.fqdn.Append(msg->fqdn.view());
    obs_.vendor_class.Append(msg->vendor_class.view());
    obs_.client_id.Append(msg->client_duid.view());
    CountPdu(ctx, "dhcpv6", msg->msg_type,
             obs_.from_server ? PduKind::kResponse : PduKind::kRequest, false, "message_types");
    ctx.sink->OnDhcp(obs_);
  }

  bool v6_;
  DhcpObservation obs_;
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  return LooksLikeDhcp(first_bytes) ? ProbeResult::kYes : ProbeResult::kNo;
}

ProbeResult ProbeV6(flow::Direction, std::span<const uint8_t> first_bytes) {
  return LooksLikeDhcpv6(first_bytes) ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<DhcpDissector>(false); }
std::unique_ptr<Dissector> CreateV6() { return std::make_unique<DhcpDissector>(true); }

}  // namespace qw::dissect::dhcp
