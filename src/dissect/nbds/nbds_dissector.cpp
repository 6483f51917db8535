#include "dissect/nbds/nbds_dissector.h"

#include <string>

#include "dissect/ics_common.h"
#include "dissect/nbds/nbds_parser.h"

namespace qw::dissect::nbds {

namespace {

class NbdsDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    OnDatagram(dir, bytes, ctx);
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}
  void OnEnd(const StreamContext&) override {}

 private:
  void OnDatagram(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    auto d = ParseDatagram(bytes);
    if (!d) {
      ctx.anomalies->Raise("nbds.malformed");
      return;
    }
    CountPdu(ctx, "nbds", d->type, PduKind::kOther, d->type == kError, "message_types");
    // Only a first fragment holds the SMB header.
    if (d->user_data.empty() || !d->first_fragment) return;
    const auto command = Smb1Command(d->user_data);
    if (!command) return;
    CountPdu(ctx, "smb", *command, PduKind::kRequest, false, "commands");
    const auto a = ParseAnnouncement(d->user_data);
    if (!a || a->command == kDomainAnnouncement || a->server_name.empty()) return;
    // A host repeats its announcement every few minutes: one identity per content.
    const uint64_t digest = Digest(*a, d->destination);
    if (digest == last_identity_) return;
    last_identity_ = digest;
    DeviceIdentity id = SenderIdentity(ctx, dir, "browser");
    id.fields.emplace_back("netbios_name", std::string(a->server_name.view()));
    id.fields.emplace_back(
        "os", "Windows " + std::to_string(a->os_major) + "." + std::to_string(a->os_minor));
    const auto roles = ServerTypeNames(a->server_type);
    if (!roles.empty()) id.fields.emplace_back("server_type", std::string(roles.view()));
    if (!d->destination.name.empty()) {
      id.fields.emplace_back("workgroup", std::string(d->destination.name.view()));
    }
    if (!a->comment.empty()) id.fields.emplace_back("comment", std::string(a->comment.view()));
    ctx.sink->OnIdentity(id);
  }

  // What an announcement says, folded into one number (FNV-1a), to tell a repeat.
  static uint64_t Digest(const Announcement& a, const NetbiosName& workgroup) {
    uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&h](std::string_view s) {
      for (const char c : s) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
      h = (h ^ 0xff) * 0x100000001b3ull;
    };
    mix(a.server_name.view());
    mix(a.comment.view());
    mix(workgroup.name.view());
    h ^= uint64_t{a.os_major} << 40 | uint64_t{a.os_minor} << 32 | a.server_type;
    return h == 0 ? 1 : h;
  }

  uint64_t last_identity_ = 0;  // Digest of the identity given last, 0 for none
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  return ParseDatagram(first_bytes) ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<NbdsDissector>(); }

}  // namespace qw::dissect::nbds
