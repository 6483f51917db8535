#include "dissect/snmp/snmp_dissector.h"

#include <string>
#include <string_view>

#include "core/byte_reader.h"
#include "core/digest.h"
#include "dissect/ics_common.h"
#include "dissect/snmp/snmp_parser.h"
#include "dissect/text_field.h"

namespace qw::dissect::snmp {

namespace {

// Requests remembered per flow for pairing with their responses.
constexpr size_t kPendingRequests = 16;
// Octets of an engine id shown in hex (RFC 3411 5: at most 32).
constexpr size_t kMaxEngineIdOctets = 32;
// Longest identity text kept (sysDescr and the like are at most 255 octets).
constexpr size_t kMaxIdentityText = 255;
// The pairing key's bit for SNMPv3 msgIDs, apart from v1/v2c request-ids.
constexpr uint64_t kV3Key = uint64_t{1} << 40;

// Identity fields a flow has reported already (bits), so a polling manager does not
// repeat them with every answer.
enum IdentityBit : uint8_t {
  kDescription = 1,
  kObjectId = 2,
  kVendor = 4,
  kName = 8,
  kContact = 16,
  kLocation = 32,
};

// Appends up to kMaxEngineIdOctets of `bytes` as lower-case hex.
void AppendHex(std::span<const uint8_t> bytes, core::FixedText<64>& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  core::ByteReader r(bytes);
  for (size_t i = 0; i < kMaxEngineIdOctets && !r.empty(); ++i) {
    const uint8_t b = r.U8();
    out.Append(kDigits[b >> 4]).Append(kDigits[b & 0xf]);
  }
}

// Whether a varbind value's content fits its type (RFC 2578 7.1, RFC 3416 3).
bool ValueFits(const Varbind& vb) {
  const size_t n = vb.value.size();
  switch (vb.value_tag) {
    case kTagInteger:
      return DecodeInteger(vb.value).has_value();
    case kTagIpAddress:
      return n == 4;
    case kTagCounter32:
    case kTagGauge32:
    case kTagTimeTicks:
      return n >= 1 && n <= 5 && DecodeUnsigned(vb.value).value_or(~uint64_t{0}) <= 0xffffffffu;
    case kTagCounter64:
      return DecodeUnsigned(vb.value).has_value();
    case kTagNull:
    case kTagNoSuchObject:
    case kTagNoSuchInstance:
    case kTagEndOfMibView:
      return n == 0;
    case kTagOid:
      return n > 0;
    default:
      return true;  // OCTET STRING, Opaque and others are any octets
  }
}

class SnmpDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    OnMessage(dir, bytes, ctx);
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}

  void OnEnd(const StreamContext& ctx) override {
    pending_.Drain([&](const SnmpObservation& p) { Emit(p, ctx); });
  }

 private:
  void OnMessage(flow::Direction dir, std::span<const uint8_t> datagram, const StreamContext& ctx) {
    auto m = ParseMessage(datagram, *ctx.anomalies);
    if (!m) return;
    if (m->trailing) ctx.anomalies->Raise("snmp.trailing_bytes");

    SnmpObservation obs;
    obs.capture_index = ctx.capture_index;
    obs.ts = ctx.ts;
    obs.version = m->version;
    if (m->version == 3) {
      if (m->has_usm) {
        obs.user.AppendPrintable(core::ByteReader(m->user_name).Chars(m->user_name.size()));
        AppendHex(m->engine_id, obs.engine_id);
      }
    } else {
      core::ByteReader c(m->community);
      obs.community_sha256 = core::Sha256(c.Chars(c.remaining()));
      obs.default_community = IsDefaultCommunity(m->community);
      if (obs.default_community) ctx.anomalies->Raise("snmp.default_community");
    }
    obs.has_pdu = m->has_pdu;
    obs.pdu_type = m->pdu_type;
    obs.request_id = m->version == 3 ? m->msg_id : m->request_id;
    obs.error_status = m->error_status;
    obs.error_index = m->error_index;
    CountDetail(ctx, "snmp", "versions", m->version);

    if (!m->has_pdu) {
      // An encrypted SNMPv3 PDU: its kind shows only in which port it goes to.
      CountPdu(ctx, "snmp", 0, PduKind::kOther, false, "");
      OnEncrypted(dir, obs, ctx);
      return;
    }
    const uint8_t type = m->pdu_type;
    if (type > kReport) ctx.anomalies->Raise("snmp.unknown_pdu_type");
    const bool response = type == kResponse || type == kReport;
    PduKind kind = PduKind::kOther;
    if (IsRequest(type)) kind = PduKind::kRequest;
    if (response) kind = PduKind::kResponse;
    CountPdu(ctx, "snmp", type, kind, type == kResponse && m->error_status != 0);

    ReadVarbinds(*m, dir, obs, ctx);
    if (type == kTrapV1) TrapIdentity(*m, dir, ctx);

    const uint64_t key = Key(*m);
    if (IsRequest(type)) {
      Expect(dir, key, obs, ctx);
    } else if (response) {
      Answer(dir, key, obs, ctx);
    } else {
      // Notifications (traps) and unknown PDUs stand alone; a trap's sender is the agent.
      Sides(obs, ctx, type == kTrapV1 || type == kTrapV2 ? Reverse(dir) : dir);
      obs.request_frame = ctx.frame;
      Emit(obs, ctx);
    }
  }

  // What pairs a request with its response: the v3 msgID, or the PDU's request-id.
  static uint64_t Key(const Message& m) {
    if (m.version == 3) return kV3Key | static_cast<uint32_t>(m.msg_id);
    return static_cast<uint32_t>(m.request_id);
  }

  // An encrypted PDU goes to an agent (161) as a request and comes from it as a response;
  // anything else (a notification to 162) stands alone.
  void OnEncrypted(flow::Direction dir, SnmpObservation& obs, const StreamContext& ctx) {
    const uint64_t key = kV3Key | static_cast<uint32_t>(obs.request_id);
    uint16_t src_port = 0, dst_port = 0;
    if (ctx.flow) {
      const bool init = dir == flow::Direction::kFromInitiator;
      src_port = init ? ctx.flow->initiator_port : ctx.flow->responder_port;
      dst_port = init ? ctx.flow->responder_port : ctx.flow->initiator_port;
    }
    if (src_port == 161 && dst_port != 161) {
      Answer(dir, key, obs, ctx);
    } else if (dst_port == 162) {
      Sides(obs, ctx, Reverse(dir));
      obs.request_frame = ctx.frame;
      Emit(obs, ctx);
    } else {
      Expect(dir, key, obs, ctx);
    }
  }

  // Keeps a request until its response comes the other way.
  void Expect(flow::Direction dir, uint64_t key, SnmpObservation& obs, const StreamContext& ctx) {
    Sides(obs, ctx, dir);
    obs.request_frame = ctx.frame;
    const uint64_t k = key << 1 | static_cast<uint64_t>(dir);
    Store(k, obs, ctx);
  }

  // Pairs a response with its request, or reports it alone.
  void Answer(flow::Direction dir, uint64_t key, const SnmpObservation& resp,
              const StreamContext& ctx) {
    const uint64_t k = key << 1 | static_cast<uint64_t>(Reverse(dir));
    if (auto req = pending_.Take(k)) {
      req->response_frame = ctx.frame;
      req->error_status = resp.error_status;
      req->error_index = resp.error_index;
      if (req->first_oid.empty()) req->first_oid = resp.first_oid;
      Emit(*req, ctx);
      return;
    }
    SnmpObservation alone = resp;
    Sides(alone, ctx, Reverse(dir));
    alone.response_frame = ctx.frame;
    Emit(alone, ctx);
  }

  // Stores a request; one waiting under the same key, or the oldest when the table is full
  // (`snmp.too_many_pending`), is reported unanswered.
  void Store(uint64_t key, const SnmpObservation& obs, const StreamContext& ctx) {
    if (auto earlier = pending_.Take(key)) Emit(*earlier, ctx);
    const bool full = pending_.size() == pending_.capacity();
    if (auto displaced = pending_.Put(key, obs)) {
      if (full) ctx.anomalies->Raise("snmp.too_many_pending");
      Emit(*displaced, ctx);
    }
  }

  // Fills flow id and both sides: the requester sent in `requester_dir`.
  static void Sides(SnmpObservation& obs, const StreamContext& ctx, flow::Direction requester_dir) {
    const OpEndpoints e = EndpointsFor(ctx, requester_dir);
    obs.flow_id = e.flow_id;
    obs.requester_ip = e.requester_ip;
    obs.agent_ip = e.device_ip;
    obs.requester_port = e.requester_port;
    obs.agent_port = e.device_port;
    obs.requester_mac = e.requester_mac;
    obs.agent_mac = e.device_mac;
  }

  void Emit(const SnmpObservation& obs, const StreamContext& ctx) {
    if (!ctx.sink) return;
    SnmpObservation out = obs;
    out.seq = seq_.Next(out.request_frame ? out.request_frame : out.response_frame);
    ctx.sink->OnSnmp(out);
  }

  // Walks the varbinds: the first OID, the count, value checks, and from a response the
  // agent's system group.
  void ReadVarbinds(const Message& m, flow::Direction dir, SnmpObservation& obs,
                    const StreamContext& ctx) {
    VarbindReader reader(m.varbinds);
    Varbind vb;
    const bool answer = m.pdu_type == kResponse && m.error_status == 0;
    DeviceIdentity id;
    bool bad_value = false;
    while (reader.Next(vb, *ctx.anomalies)) {
      if (reader.count() == 1 && !AppendOid(vb.oid, obs.first_oid)) {
        ctx.anomalies->Raise("snmp.bad_oid");
      }
      if (!ValueFits(vb)) bad_value = true;
      if (answer) AddIdentity(vb, id);
    }
    if (bad_value) ctx.anomalies->Raise("snmp.bad_value");
    obs.varbinds = static_cast<uint32_t>(reader.count());
    if (!id.fields.empty()) {
      DeviceIdentity said = SenderIdentity(ctx, dir, "snmp");
      said.fields = std::move(id.fields);
      ctx.sink->OnIdentity(said);
    }
  }

  // Adds the system-group value `vb` carries to `id`, once per flow and field.
  void AddIdentity(const Varbind& vb, DeviceIdentity& id) {
    auto text = [&](uint8_t bit, const char* key) {
      if ((reported_ & bit) != 0 || vb.value_tag != kTagOctetString) return;
      bool cut = false;
      std::string value = TextField(vb.value, kMaxIdentityText, cut);
      if (value.empty()) return;
      reported_ |= bit;
      id.fields.emplace_back(key, std::move(value));
    };
    if (SameOid(vb.oid, kSysDescr)) {
      text(kDescription, "description");
    } else if (SameOid(vb.oid, kSysName)) {
      text(kName, "name");
    } else if (SameOid(vb.oid, kSysContact)) {
      text(kContact, "contact");
    } else if (SameOid(vb.oid, kSysLocation)) {
      text(kLocation, "location");
    } else if (SameOid(vb.oid, kSysObjectId) && vb.value_tag == kTagOid) {
      if ((reported_ & kObjectId) == 0) {
        core::FixedText<127> oid;
        if (AppendOid(vb.value, oid)) {
          reported_ |= kObjectId;
          id.fields.emplace_back("snmp_object_id", oid.str());
        }
      }
      AddVendor(vb.value, id);
    }
  }

  // The vendor of an OID under 1.3.6.1.4.1, when the table knows its enterprise.
  void AddVendor(std::span<const uint8_t> oid, DeviceIdentity& id) {
    if ((reported_ & kVendor) != 0) return;
    auto number = EnterpriseNumber(oid);
    const char* vendor = number ? EnterpriseVendor(*number) : nullptr;
    if (!vendor) return;
    reported_ |= kVendor;
    id.fields.emplace_back("vendor", vendor);
  }

  // A v1 trap names its agent's address and enterprise (RFC 1157 4.1.6).
  void TrapIdentity(const Message& m, flow::Direction dir, const StreamContext& ctx) {
    DeviceIdentity id = SenderIdentity(ctx, dir, "snmp");
    const core::IpAddr agent = core::IpAddr::V4(m.agent_addr);
    // The agent-addr field names the agent when a proxy forwards its trap.
    if (m.agent_addr.size() == 4 && !(agent == core::IpAddr::V4(uint32_t{0}))) {
      if (!(agent == id.ip)) id.mac = core::MacAddr{};
      id.ip = agent;
    }
    AddVendor(m.enterprise, id);
    if (!id.fields.empty()) ctx.sink->OnIdentity(id);
  }

  uint8_t reported_ = 0;  // IdentityBit of fields this flow reported
  RequestTable<SnmpObservation, kPendingRequests> pending_;
  FrameSeq seq_;
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  return LooksLikeSnmp(first_bytes) ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<SnmpDissector>(); }

}  // namespace qw::dissect::snmp
