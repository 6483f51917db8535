#include "dissect/ntp/ntp_dissector.h"

#include <string>

#include "dissect/ics_common.h"
#include "dissect/ntp/ntp_parser.h"

namespace qw::dissect::ntp {

namespace {

class NtpDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    OnMessage(dir, bytes, ctx);
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}
  void OnEnd(const StreamContext&) override {}

 private:
  void OnMessage(flow::Direction dir, std::span<const uint8_t> datagram, const StreamContext& ctx) {
    auto m = ParseMessage(datagram);
    if (!m) {
      ctx.anomalies->Raise("ntp.malformed");
      return;
    }
    PduKind kind = PduKind::kOther;
    bool exception = false;
    if (m->mode == kClient) kind = PduKind::kRequest;
    if (m->mode == kServer) {
      kind = PduKind::kResponse;
      exception = m->stratum == 0;  // a kiss-o'-death code in place of a reference
    }
    if (m->mode == kControl || m->mode == kPrivate) {
      kind = m->response ? PduKind::kResponse : PduKind::kRequest;
      exception = m->error;
    }
    CountPdu(ctx, "ntp", m->mode, kind, exception, "modes");
    CountDetail(ctx, "ntp", "versions", m->version);
    if (m->mode == kPrivate) {
      ctx.anomalies->Raise("ntp.mode7");
      if (!m->response && (m->opcode == kMonGetList || m->opcode == kMonGetList1)) {
        ctx.anomalies->Raise("ntp.monlist");
      }
    }
    if (m->mode == kServer && m->stratum != 0 && !identified_) {
      identified_ = true;
      DeviceIdentity id = SenderIdentity(ctx, dir, "ntp");
      id.fields.emplace_back("ntp_stratum", std::to_string(m->stratum));
      const auto ref = ReferenceText(*m);
      if (!ref.empty()) id.fields.emplace_back("ntp_reference", ref.str());
      ctx.sink->OnIdentity(id);
    }
  }

  bool identified_ = false;  // the server's identity was given for this flow
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  auto m = ParseMessage(first_bytes);
  if (!m) return ProbeResult::kNo;
  // Every sender of a time packet but a client stamps its transmit time (a client may
  // leave it random or zero); a zero one there is more likely other bytes.
  const bool timed = m->mode >= kSymmetricActive && m->mode <= kBroadcast && m->mode != kClient;
  return timed && m->transmit == 0 ? ProbeResult::kNo : ProbeResult::kYes;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<NtpDissector>(); }

}  // namespace qw::dissect::ntp
