#include "dissect/onvif/onvif_dissector.h"

#include <string_view>

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/onvif/onvif_parser.h"

namespace qw::dissect::onvif {

namespace {

class DiscoveryDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    const uint8_t code = DiscoveryMessage(bytes);
    const PduKind kind = code == 1 || code == 5   ? PduKind::kRequest
                         : code == 2 || code == 6 ? PduKind::kResponse
                                                  : PduKind::kOther;
    CountPdu(ctx, "ws_discovery", code, kind, false, "messages");
    if ((code == 2 || code == 3) && !named_) {
      if (auto scopes = ParseProbeMatch(bytes)) {
        named_ = true;
        if (scopes->too_many && ctx.anomalies) ctx.anomalies->Raise("onvif.too_many_scopes");
        if (scopes->capped && ctx.anomalies) ctx.anomalies->Raise("onvif.search_capped");
        DeviceIdentity id = SenderIdentity(ctx, dir, "onvif");
        if (!scopes->hardware.empty()) id.fields.emplace_back("model", scopes->hardware.str());
        if (!scopes->name.empty()) id.fields.emplace_back("name", scopes->name.str());
        ctx.sink->OnIdentity(id);
      }
    }
    return {Verdict::kConsumed, bytes.size(), 0};
  }
  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}
  void OnEnd(const StreamContext&) override {}

 private:
  bool named_ = false;
};

}  // namespace

ProbeResult ProbeDiscovery(flow::Direction, std::span<const uint8_t> datagram) {
  core::ByteReader r(datagram);
  const std::string_view text = r.Chars(r.remaining());
  if (text.find("Envelope") == std::string_view::npos) return ProbeResult::kNo;
  const bool wsd =
      text.find("schemas.xmlsoap.org/ws/2005/04/discovery") != std::string_view::npos ||
      text.find("docs.oasis-open.org/ws-dd/ns/discovery") != std::string_view::npos;
  return wsd ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> CreateDiscovery() { return std::make_unique<DiscoveryDissector>(); }

}  // namespace qw::dissect::onvif
