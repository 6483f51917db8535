#include "dissect/syslog/syslog_dissector.h"

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/syslog/syslog_parser.h"
#include "dissect/text_field.h"

namespace qw::dissect::syslog {

namespace {

// Longest "<PRI>": '<', three digits, '>'.
constexpr size_t kMaxPriBytes = 5;

// How one direction of a TCP flow frames its messages.
enum class Framing : uint8_t { kUnknown, kOctetCounting, kLineFeed, kLost };

// Where the first LF of `bytes` is, or bytes.size() when there is none.
size_t LineLength(std::span<const uint8_t> bytes) {
  const auto end = LineEnd(bytes);
  return end ? *end - 1 : bytes.size();
}

class SyslogDissector final : public Dissector {
 public:
  explicit SyslogDissector(bool tcp) : tcp_(tcp) {}

  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    if (!tcp_) {
      OnMessage(dir, bytes, ctx);
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    Framing& framing = framing_[static_cast<size_t>(dir)];
    if (framing == Framing::kLost) return {Verdict::kConsumed, bytes.size(), 0};
    if (framing == Framing::kUnknown) {
      core::ByteReader r(bytes);
      const uint8_t first = r.PeekU8();
      framing = first >= '1' && first <= '9' ? Framing::kOctetCounting : Framing::kLineFeed;
    }
    if (framing == Framing::kOctetCounting) return OnCounted(dir, bytes, ctx);
    return OnLine(dir, bytes, ctx);
  }

  void OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) override {
    // A count's frame cannot be found again after a hole; a line ends at the next LF.
    Framing& framing = framing_[static_cast<size_t>(dir)];
    if (framing == Framing::kOctetCounting) {
      ctx.anomalies->Raise("syslog.gap");
      framing = Framing::kLost;
    } else if (framing == Framing::kLineFeed) {
      skip_line_[static_cast<size_t>(dir)] = true;
    }
  }

  void OnEnd(const StreamContext&) override {}

 private:
  ParseResult OnCounted(flow::Direction dir, std::span<const uint8_t> bytes,
                        const StreamContext& ctx) {
    bool need_more = false;
    auto count = ReadOctetCount(bytes, need_more);
    if (!count) {
      if (need_more) return {Verdict::kNeedMore, 0, 1};
      ctx.anomalies->Raise("syslog.bad_frame");
      return {Verdict::kNotThisProtocol, 0, 0};
    }
    if (count->length > kMaxMessageBytes) {
      ctx.anomalies->Raise("syslog.too_long");
      framing_[static_cast<size_t>(dir)] = Framing::kLost;
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    const size_t whole = count->prefix + count->length;
    if (bytes.size() < whole) return {Verdict::kNeedMore, 0, whole - bytes.size()};
    core::ByteReader r(bytes);
    r.Skip(count->prefix);
    OnMessage(dir, r.Bytes(count->length), ctx);
    return {Verdict::kConsumed, whole, 0};
  }

  ParseResult OnLine(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) {
    const size_t length = LineLength(bytes);
    if (length == bytes.size()) {
      if (length < kMaxMessageBytes) return {Verdict::kNeedMore, 0, 1};
      // No LF within the longest message: read what there is as one.
      ctx.anomalies->Raise("syslog.too_long");
    }
    const size_t consumed = length < bytes.size() ? length + 1 : length;
    bool& skip = skip_line_[static_cast<size_t>(dir)];
    if (skip) {
      skip = false;  // the rest of a line a hole cut
    } else if (length > 0) {
      core::ByteReader r(bytes);
      OnMessage(dir, r.Bytes(length), ctx);
    }
    return {Verdict::kConsumed, consumed, 0};
  }

  void OnMessage(flow::Direction dir, std::span<const uint8_t> message, const StreamContext& ctx) {
    auto h = ParseHeader(message);
    if (!h) {
      ctx.anomalies->Raise("syslog.bad_pri");
      return;
    }
    CountPdu(ctx, "syslog", h->facility, PduKind::kOther, false, "facilities");
    CountDetail(ctx, "syslog", "severities", h->severity);
    if (!identified_ && !h->hostname.empty()) {
      identified_ = true;
      DeviceIdentity id = SenderIdentity(ctx, dir, "syslog");
      id.fields.emplace_back("syslog_hostname", h->hostname.str());
      ctx.sink->OnIdentity(id);
    }
  }

  bool tcp_;
  Framing framing_[2] = {Framing::kUnknown, Framing::kUnknown};
  bool skip_line_[2] = {false, false};  // per direction: a hole cut the current line
  bool identified_ = false;             // the sender's host name was given for this flow
};

// Whether `bytes` start with "<PRI>" and a printable octet; kMaybe while too few.
ProbeResult ProbePri(std::span<const uint8_t> bytes) {
  uint8_t pri = 0;
  const size_t n = PriLength(bytes, pri);
  if (n == 0) {
    // Undecided while every octet so far could begin a PRI.
    core::ByteReader r(bytes);
    if (bytes.size() >= kMaxPriBytes || r.U8() != '<') return ProbeResult::kNo;
    while (!r.empty()) {
      const uint8_t c = r.U8();
      if (c < '0' || c > '9') return ProbeResult::kNo;
    }
    return ProbeResult::kMaybe;
  }
  core::ByteReader r(bytes);
  r.Skip(n);
  if (r.empty()) return ProbeResult::kMaybe;
  const uint8_t c = r.U8();
  return c >= 0x20 && c < 0x7f ? ProbeResult::kYes : ProbeResult::kNo;
}

}  // namespace

ProbeResult ProbeUdp(flow::Direction, std::span<const uint8_t> first_bytes) {
  const ProbeResult r = ProbePri(first_bytes);
  return r == ProbeResult::kMaybe ? ProbeResult::kNo : r;  // a datagram is all there is
}

ProbeResult ProbeTcp(flow::Direction, std::span<const uint8_t> first_bytes) {
  bool need_more = false;
  if (auto count = ReadOctetCount(first_bytes, need_more)) {
    core::ByteReader r(first_bytes);
    r.Skip(count->prefix);
    return ProbePri(r.Rest());
  }
  if (need_more) return ProbeResult::kMaybe;
  return ProbePri(first_bytes);
}

std::unique_ptr<Dissector> CreateUdp() { return std::make_unique<SyslogDissector>(false); }
std::unique_ptr<Dissector> CreateTcp() { return std::make_unique<SyslogDissector>(true); }

}  // namespace qw::dissect::syslog
