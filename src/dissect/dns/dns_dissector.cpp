#include "dissect/dns/dns_dissector.h"

#include <vector>

#include "core/byte_reader.h"
#include "dissect/dns/dns_parser.h"
#include "dissect/ics_common.h"

namespace qw::dissect::dns {

namespace {

// RFC 1035 4.2.2: on TCP each message is led by its length.
constexpr size_t kTcpLengthBytes = 2;
// Smallest message: the header.
constexpr size_t kHeaderBytes = 12;
// Queries remembered per flow for pairing with their answers.
constexpr size_t kPendingQueries = 32;

// The flavour of a flow's messages: NetBIOS Name Service by its encoded names, the others
// by the well-known port either side uses.
const char* FlavourOf(const flow::Flow* f, std::span<const uint8_t> message) {
  MessageReader peek(message);
  Record first;
  core::Anomalies ignored;
  if (peek.Next(first, ignored) && IsNetbiosEncoded(first.name.view())) return "nbns";
  if (!f) return "dns";
  auto uses = [&](uint16_t port) { return f->initiator_port == port || f->responder_port == port; };
  if (uses(5353)) return "mdns";
  if (uses(5355)) return "llmnr";
  return "dns";
}

// Whether `bytes` (at least a length and a header) start with a DNS-over-TCP message.
bool PlausibleAt(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  const uint16_t length = r.U16Be();
  if (length < kHeaderBytes) return false;
  if (r.remaining() >= length) return LooksLikeMessage(r.Bytes(length));
  MessageReader m(r.PeekRest());
  const Header& h = m.header();
  const uint8_t op = h.opcode();
  const size_t least = size_t{h.qdcount} * 5 + (size_t{h.ancount} + h.nscount + h.arcount) * 11;
  // Stricter than a probe: over TCP only DNS opcodes, and one question at most (RFC 9619).
  return m.ok() && op != 3 && op <= 6 && (h.flags & 0x0040) == 0 && h.qdcount <= 1 &&
         least <= length - kHeaderBytes;
}

// What a message is read into before it is reported, shared by every DNS dissector of a
// thread: a message is emitted before the next one is read, so a flow keeps only its own
// state (a thousand-odd octets less per flow, and most flows carry one query and its
// answer). The records grow to the largest message seen (at most kMaxDnsRecords), never
// per packet after that; every field of the observation is set for each message.
struct Scratch {
  std::vector<DnsRecordObservation> records;
  Record record;
  DnsObservation obs;
};
Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

class DnsDissector final : public Dissector {
 public:
  explicit DnsDissector(bool tcp) : tcp_(tcp) {}

  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    if (!tcp_) {
      OnMessage(dir, bytes, ctx);
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    core::ByteReader r(bytes);
    const auto d = static_cast<size_t>(dir);
    if (resync_[d]) {
      // After a hole, octets are skipped up to a length and header that hold together: a
      // whole message that reads as one, or (while it is incomplete) a header whose counts
      // fit its length.
      if (bytes.size() < kTcpLengthBytes + kHeaderBytes) {
        return {Verdict::kNeedMore, 0, kTcpLengthBytes + kHeaderBytes - bytes.size()};
      }
      if (!PlausibleAt(bytes)) {
        ctx.anomalies->Raise("dns.resync_skipped");
        return {Verdict::kConsumed, 1, 0};
      }
      resync_[d] = false;
    }
    const uint16_t length = r.U16Be();
    if (!r.ok()) return {Verdict::kNeedMore, 0, kTcpLengthBytes - bytes.size()};
    if (length < kHeaderBytes) {
      // Not a message: some peers send a zero length before closing; others are junk.
      ctx.anomalies->Raise("dns.short_message");
      return {Verdict::kConsumed,
              kTcpLengthBytes + length > bytes.size() ? bytes.size() : kTcpLengthBytes + length, 0};
    }
    if (r.remaining() < length) {
      return {Verdict::kNeedMore, 0, length - r.remaining()};
    }
    OnMessage(dir, r.Bytes(length), ctx);
    return {Verdict::kConsumed, kTcpLengthBytes + length, 0};
  }

  void OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) override {
    // Where the next length prefix stands is unknown after a hole in TCP: look for one.
    if (!tcp_) return;
    ctx.anomalies->Raise("dns.gap");
    resync_[static_cast<size_t>(dir)] = true;
  }

  void OnEnd(const StreamContext&) override {}

 private:
  void OnMessage(flow::Direction dir, std::span<const uint8_t> message, const StreamContext& ctx) {
    MessageReader m(message);
    if (!m.ok()) {
      ctx.anomalies->Raise("dns.short_message");
      return;
    }
    const Header& h = m.header();
    if (!protocol_) {
      protocol_ = FlavourOf(ctx.flow, message);
      netbios_ = std::string_view(protocol_) == "nbns";
    }

    Scratch& scratch = ThreadScratch();
    DnsObservation& obs = scratch.obs;
    Record& rec = scratch.record;
    obs.protocol = protocol_;
    obs.capture_index = ctx.capture_index;
    obs.frame = ctx.frame;
    obs.seq = seq_.Next(ctx.frame);
    obs.ts = ctx.ts;
    obs.transport = tcp_ ? 6 : 17;
    obs.flow_id = 0;
    FillSides(ctx, dir, obs);
    obs.id = h.id;
    obs.flags = h.flags;
    obs.qdcount = h.qdcount;
    obs.ancount = h.ancount;
    obs.nscount = h.nscount;
    obs.arcount = h.arcount;
    obs.has_question = false;
    obs.qname.Clear();
    obs.qtype = obs.qclass = 0;
    std::vector<DnsRecordObservation>& records = scratch.records;
    records.clear();
    obs.malformed = false;

    const bool response = h.response();
    CountPdu(ctx, protocol_, h.opcode(), response ? PduKind::kResponse : PduKind::kRequest,
             response && h.rcode() != 0, "opcodes");
    if (response) CountDetail(ctx, protocol_, "rcodes", h.rcode());

    while (m.Next(rec, *ctx.anomalies)) {
      if (rec.section == Section::kQuestion) {
        CountDetail(ctx, protocol_, "qtypes", rec.type);
        if (!obs.has_question) {
          obs.has_question = true;
          if (netbios_) DecodeNetbiosName(rec.name);
          obs.qname.Append(rec.name.view());
          obs.qtype = rec.type;
          obs.qclass = rec.rclass;
        }
        continue;
      }
      DnsRecordObservation& out = records.emplace_back();
      out.section = static_cast<uint8_t>(rec.section);
      out.type = rec.type;
      out.rclass = rec.rclass;
      out.ttl = rec.ttl;
      if (netbios_) {
        DecodeNetbiosName(rec.name);
        FormatNetbiosData(message, rec, out.data, *ctx.anomalies);
      } else {
        FormatData(message, rec, out.data, *ctx.anomalies);
      }
      out.name.Clear();
      out.name.Append(rec.name.view());
    }
    obs.malformed = m.failed();
    obs.records = records;

    // Pair by id: a query waits under its direction, its answer comes the other way.
    const uint64_t key_self = uint64_t{h.id} << 1 | static_cast<uint64_t>(dir);
    const uint64_t key_peer = uint64_t{h.id} << 1 | static_cast<uint64_t>(Reverse(dir));
    obs.query_frame = 0;
    if (response) {
      if (auto q = pending_.Take(key_peer)) obs.query_frame = *q;
    } else {
      pending_.Put(key_self, ctx.frame);
    }
    ctx.sink->OnDns(obs);
  }

  bool tcp_;
  bool resync_[2] = {false, false};  // per direction: a hole came, the next length is unsure
  const char* protocol_ = nullptr;
  bool netbios_ = false;
  RequestTable<uint64_t, kPendingQueries> pending_;
  FrameSeq seq_;
};

}  // namespace

ProbeResult ProbeUdp(flow::Direction, std::span<const uint8_t> first_bytes) {
  return LooksLikeMessage(first_bytes) ? ProbeResult::kYes : ProbeResult::kNo;
}

ProbeResult ProbeTcp(flow::Direction, std::span<const uint8_t> first_bytes) {
  core::ByteReader r(first_bytes);
  const uint16_t length = r.U16Be();
  if (!r.ok()) return ProbeResult::kMaybe;
  if (length < kHeaderBytes) return ProbeResult::kNo;
  if (r.remaining() < length) {
    // Judge what has come of the header; a whole message decides.
    return r.remaining() >= kHeaderBytes && (r.PeekU8(2) & 0x78) > 0x28 ? ProbeResult::kNo
                                                                        : ProbeResult::kMaybe;
  }
  return LooksLikeMessage(r.Bytes(length)) ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> CreateUdp() { return std::make_unique<DnsDissector>(false); }
std::unique_ptr<Dissector> CreateTcp() { return std::make_unique<DnsDissector>(true); }

}  // namespace qw::dissect::dns
