#include "dissect/telnet/telnet_dissector.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/telnet/telnet_parser.h"

namespace qw::dissect::telnet {

namespace {

// The server's last printable characters, enough to hold "username: ".
class Tail {
 public:
  void Push(char c) {
    if (n_ == buf_.size()) {
      std::copy(buf_.begin() + 1, buf_.end(), buf_.begin());
      --n_;
    }
    buf_[n_++] = c;
  }
  void Clear() { n_ = 0; }
  std::string_view view() const { return std::string_view(buf_.data(), n_); }

 private:
  std::array<char, 16> buf_{};
  size_t n_ = 0;
};

class TelnetDissector final : public Dissector, private ScanSink {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    if (!started_) {
      started_ = true;
      obs_.frame = ctx.frame;
      obs_.ts = ctx.ts;
    }
    dir_ = dir;
    ctx_ = &ctx;
    Scan(bytes, state_[static_cast<size_t>(dir)], *this);
    if (FromServer() && !awaiting_user_ && !user_done_ && IsLoginPrompt(tail_.view())) {
      awaiting_user_ = true;
      obs_.user.Clear();
    }
    if (user_done_) Emit(ctx);
    ctx_ = nullptr;
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  void OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) override {
    // A command may have been cut: start the scanner afresh; a user line is lost.
    state_[static_cast<size_t>(dir)] = ScanState{};
    ctx.anomalies->Raise("telnet.gap");
    if (dir == flow::Direction::kFromInitiator && awaiting_user_) obs_.user.Clear();
    tail_.Clear();
  }

  void OnEnd(const StreamContext& ctx) override { Emit(ctx); }

 private:
  bool FromServer() const { return dir_ == flow::Direction::kFromResponder; }

  void OnDataByte(uint8_t b) override {
    const bool printable = b >= 0x20 && b < 0x7f;
    if (FromServer()) {
      if (printable) {
        tail_.Push(static_cast<char>(b));
      } else if (b == '\r' || b == '\n') {
        tail_.Clear();
      }
      return;
    }
    if (!awaiting_user_) return;
    if (b == '\r' || b == '\n' || b == 0) {
      if (!obs_.user.empty()) {
        awaiting_user_ = false;
        user_done_ = true;
      }
      return;
    }
    if (!printable) return;  // editing keys and other controls are not part of the name
    if (obs_.user.size() == kMaxUserBytes) {
      if (!user_cut_) ctx_->anomalies->Raise("telnet.long_user");
      user_cut_ = true;
      return;
    }
    obs_.user.Append(static_cast<char>(b));
  }

  void OnNegotiation(uint8_t command, uint8_t option) override {
    CountPdu(*ctx_, "telnet", command, FromServer() ? PduKind::kResponse : PduKind::kRequest, false,
             "commands");
    CountDetail(*ctx_, "telnet", "options", option);
  }

  void OnSubnegotiation(std::string_view bytes, bool truncated) override {
    if (truncated) ctx_->anomalies->Raise("telnet.long_subnegotiation");
    CountPdu(*ctx_, "telnet", kSb, FromServer() ? PduKind::kResponse : PduKind::kRequest, false,
             "commands");
    // `bytes` is the scanner's own copy of the subnegotiation; its first octet names the option.
    if (!bytes.empty())
      CountDetail(*ctx_, "telnet", "options", static_cast<uint8_t>(bytes.front()));
  }

  void OnCommand(uint8_t command) override {
    CountPdu(*ctx_, "telnet", command, PduKind::kOther, false, "commands");
  }

  void Emit(const StreamContext& ctx) {
    if (emitted_ || !started_) return;
    emitted_ = true;
    obs_.tool = "telnet";
    obs_.capture_index = ctx.capture_index;
    if (!user_done_) obs_.user.Clear();  // a line never finished names nobody for sure
    FillClientServer(ctx, flow::Direction::kFromInitiator, obs_);
    ctx.sink->OnRemoteAccess(obs_);
  }

  ScanState state_[2];
  Tail tail_;
  flow::Direction dir_ = flow::Direction::kFromInitiator;
  const StreamContext* ctx_ = nullptr;  // set only during OnData
  bool started_ = false, emitted_ = false;
  bool awaiting_user_ = false, user_done_ = false, user_cut_ = false;
  RemoteAccessObservation obs_;
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  core::ByteReader r(first_bytes);
  const uint8_t iac = r.U8();
  if (!r.ok()) return ProbeResult::kMaybe;
  if (iac != kIac) return ProbeResult::kNo;
  const uint8_t command = r.U8();
  if (!r.ok()) return ProbeResult::kMaybe;
  if (command != kSb && (command < kWill || command > kDont)) return ProbeResult::kNo;
  r.U8();  // the option
  return r.ok() ? ProbeResult::kYes : ProbeResult::kMaybe;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<TelnetDissector>(); }

}  // namespace qw::dissect::telnet
