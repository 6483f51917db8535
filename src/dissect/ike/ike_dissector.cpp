#include "dissect/ike/ike_dissector.h"

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "core/byte_reader.h"
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
    obs_.tool = kToolIke;
    obs_.capture_index = ctx.capture_index;
    obs_.protocol_version.Append(major_ == 2 ? "IKEv2" : "IKEv1");
    auto& s = obs_.security;
    if (aggressive_) s.AppendListItem("aggressive mode");
    if (main_mode_) s.AppendListItem("main mode");
    s.AppendListItem(answered_ ? "answered" : "unanswered");
    if (nat_traversal_) s.AppendListItem("NAT traversal");
    if (esp_) s.AppendListItem("ESP");
    // The suite the responder chose; failing that, the initiator's first offer.
    if (chosen_ || offered_) {
      const Suite& suite = chosen_ ? chosen_suite_ : offered_suite_;
      core::FixedText<112> text(chosen_ ? "" : "offered ");
      text.Append(SuiteText(major_, suite).view());
      s.AppendListItem(text.view());
      if (IsWeak(major_, suite)) s.AppendListItem("weak crypto");
    }
    AppendVendorIds(vendor_ids_[0], unknown_vendor_ids_[0], obs_.client_software);
    AppendVendorIds(vendor_ids_[1], unknown_vendor_ids_[1], obs_.server_software);
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
    if (h.major != major_) return;  // a peer that changed version mid-flow: headers only
    const Payloads p = ReadPayloads(d.message, h);
    if (p.malformed) ctx.anomalies->Raise("ike.bad_payload");
    const size_t side = from_initiator ? 0 : 1;
    for (size_t i = 0; i < p.vendor_id_count; ++i) {
      size_t index = 0;
      if (VendorIdName(p.vendor_ids[i], &index)) {
        vendor_ids_[side] |= uint64_t{1} << index;
      } else {
        NoteUnknown(side, p.vendor_ids[i]);
      }
    }
    if (p.has_suite) {
      if (response && !chosen_) {
        chosen_ = true;
        chosen_suite_ = p.suite;
      } else if (!response && !offered_) {
        offered_ = true;
        offered_suite_ = p.suite;
      }
    }
    // IKEv1 aggressive mode sends the initiator's identity in clear: often a user's address
    // or a group name.
    if (from_initiator && obs_.user.empty() &&
        (p.id_type == kIdFqdn || p.id_type == kIdUserFqdn || p.id_type == kIdKeyId)) {
      obs_.user.AppendPrintable(core::ByteReader(p.id_data).Chars(p.id_data.size()));
    }
  }

  // Counts an unknown vendor ID once however many messages repeat it (up to kMaxVendorIds
  // of them a side), by a hash of its octets.
  void NoteUnknown(size_t side, std::span<const uint8_t> vid) {
    const uint64_t h = std::hash<std::string_view>{}(core::ByteReader(vid).Chars(vid.size()));
    auto& seen = unknown_[side];
    uint16_t& n = unknown_vendor_ids_[side];
    for (uint16_t i = 0; i < n; ++i) {
      if (seen[i] == h) return;
    }
    if (n < seen.size()) seen[n++] = h;
  }

  // Appends the names of known vendor IDs (a name shared by several IDs once), then how many
  // were not known.
  static void AppendVendorIds(uint64_t known, uint16_t unknown, core::FixedText<255>& out) {
    const char* last = nullptr;
    for (size_t i = 0; i < VendorIdCount(); ++i) {
      if (!(known >> i & 1)) continue;
      const char* name = VendorIdNameAt(i);
      if (last && std::string_view(last) == name) continue;
      out.AppendListItem(name);
      last = name;
    }
    if (unknown != 0) {
      core::FixedText<32> more;
      more.AppendUint(unknown).Append(unknown == 1 ? " unknown vendor ID" : " unknown vendor IDs");
      out.AppendListItem(more.view());
    }
  }

  bool started_ = false;
  uint8_t major_ = 0;
  bool answered_ = false, nat_traversal_ = false, aggressive_ = false, main_mode_ = false;
  bool offered_ = false, chosen_ = false;
  Suite offered_suite_, chosen_suite_;
  uint64_t vendor_ids_[2] = {0, 0};          // known ones seen, by index; initiator, responder
  uint16_t unknown_vendor_ids_[2] = {0, 0};  // distinct IDs no table entry matched
  std::array<uint64_t, kMaxVendorIds> unknown_[2];  // their hashes (the first ones)
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
