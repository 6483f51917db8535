#include "dissect/ftp/ftp_dissector.h"

#include <memory>
#include <string_view>
#include <vector>

#include "core/ascii.h"
#include "core/byte_reader.h"
#include "dissect/expectations.h"
#include "dissect/file_content.h"
#include "dissect/ftp/ftp_parser.h"
#include "dissect/ics_common.h"
#include "dissect/tls/tls_dissector.h"

namespace qw::dissect::ftp {

namespace {

// The commands that move a file, as static text, and whether they upload.
struct TransferVerb {
  const char* name;
  bool upload;
  bool listing;
};
constexpr TransferVerb kTransferVerbs[] = {
    {"RETR", false, false}, {"STOR", true, false}, {"STOU", true, false}, {"APPE", true, false},
    {"LIST", false, true},  {"NLST", false, true}, {"MLSD", false, true},
};

const TransferVerb* FindTransferVerb(std::string_view verb) {
  for (const auto& v : kTransferVerbs) {
    if (core::EqualsNoCase(verb, v.name)) return &v;
  }
  return nullptr;
}

// One data connection and the transfer it carries, shared by the control connection that
// announced it and the data connection's dissector.
struct Transfer {
  explicit Transfer(uint64_t hash_limit) : content(hash_limit) {}
  FileTransferObservation obs;
  FileContent content;
  int64_t declared = -1;
  bool claimed = false;       // a transfer command took this data connection
  bool listing = false;       // LIST, NLST, MLSD: not a file
  bool data_opened = false;   // the data connection started
  bool data_done = false;     // ... and ended
  bool reply_done = false;    // the command's final reply came
  bool reply_ok = false;      // ... and it was a success (2xx)
  bool control_gone = false;  // the control connection ended
  bool reported = false;

  // Reports the transfer once nothing more can come for it.
  void TryReport(ObservationSink* sink) {
    if (reported || !claimed || listing) return;
    const bool data_over = data_done || (!data_opened && (reply_done || control_gone));
    if (!data_over || !(reply_done || control_gone)) return;
    reported = true;
    content.Finish(declared, obs);
    // Complete needs the server's word for it (a 2xx final reply) or the announced size;
    // a data connection that merely ended may have been cut.
    if (!reply_ok && declared < 0) obs.complete = false;
    if (reply_done && !reply_ok) obs.complete = false;
    if (!obs.complete) obs.sha256.Clear();
    if (sink) sink->OnFileTransfer(obs);
  }
};

// The dissector of a data connection: every byte either way is the file's.
class DataDissector final : public Dissector {
 public:
  explicit DataDissector(std::shared_ptr<Transfer> t) : t_(std::move(t)) {}

  ParseResult OnData(flow::Direction, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    Open(ctx);
    t_->content.Append(bytes);
    t_->obs.end_frame = ctx.frame;
    CountPdu(ctx, "ftp-data", 0, PduKind::kOther, false, "");
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  void OnGap(flow::Direction, uint64_t n, const StreamContext& ctx) override {
    Open(ctx);
    t_->content.Gap(n);
    ctx.anomalies->Raise("ftp.data_gap");
  }

  void OnEnd(const StreamContext& ctx) override {
    Open(ctx);
    t_->data_done = true;
    t_->TryReport(ctx.sink);
  }

 private:
  void Open(const StreamContext& ctx) {
    if (t_->data_opened) return;
    t_->data_opened = true;
    if (ctx.flow) t_->obs.data_flow_id = ctx.flow->RecordId();
  }

  std::shared_ptr<Transfer> t_;
};

ProbeResult NeverProbe(flow::Direction, std::span<const uint8_t>) { return ProbeResult::kNo; }
std::unique_ptr<Dissector> NoDissector() { return nullptr; }

// How data connections are named in the flows table; never probed for.
const StreamDissectorInfo kDataInfo = {"ftp-data", 6, {}, &NeverProbe, &NoDissector};

class ControlDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    const auto d = static_cast<size_t>(dir);
    if (lost_[d]) return {Verdict::kConsumed, bytes.size(), 0};
    if (tls_) return OnTls(dir, bytes, ctx);
    auto end = LineEnd(bytes);
    if (!end) {
      if (bytes.size() >= kMaxLineBytes) {
        ctx.anomalies->Raise("ftp.long_line");
        lost_[d] = true;
        return {Verdict::kConsumed, bytes.size(), 0};
      }
      return {Verdict::kNeedMore, 0, 1};
    }
    core::ByteReader r(bytes.first(*end));
    const std::string_view line = r.Chars(r.remaining());
    if (dir == flow::Direction::kFromInitiator) {
      OnCommandLine(line, ctx);
    } else {
      OnReplyLine(line, ctx);
    }
    return {Verdict::kConsumed, *end, 0};
  }

  void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) override {
    const auto d = static_cast<size_t>(dir);
    if (tls_ && !lost_[d]) {
      tls_->OnGap(dir, n, ctx);  // TLS finds the next record after the hole
      return;
    }
    // Lines may resume at any byte: read no further on that side.
    if (!lost_[d]) ctx.anomalies->Raise("ftp.gap");
    lost_[d] = true;
  }

  void OnEnd(const StreamContext& ctx) override {
    if (tls_) tls_->OnEnd(ctx);
    for (auto& t : transfers_) {
      t->control_gone = true;
      t->TryReport(ctx.sink);
    }
    if (next_) next_->control_gone = true;
    transfers_.clear();
  }

 private:
  void OnCommandLine(std::string_view line, const StreamContext& ctx) {
    auto cmd = ParseCommand(line);
    if (!cmd) {
      ctx.anomalies->Raise("ftp.bad_command");
      return;
    }
    CountWordPdu(ctx, "ftp", cmd->verb, PduKind::kRequest, false, "commands");
    const std::string_view verb = cmd->verb;
    auth_asked_ = core::EqualsNoCase(verb, "AUTH");
    if (core::EqualsNoCase(verb, "PORT")) {
      if (auto hp = ParseHostPort(cmd->argument)) {
        Announce(ctx, {Server(ctx), 0}, {hp->ip, hp->port});
      } else {
        ctx.anomalies->Raise("ftp.bad_address");
      }
    } else if (core::EqualsNoCase(verb, "EPRT")) {
      if (auto hp = ParseEprt(cmd->argument)) {
        Announce(ctx, {Server(ctx), 0}, {hp->ip, hp->port});
      } else {
        ctx.anomalies->Raise("ftp.bad_address");
      }
    } else if (core::EqualsNoCase(verb, "REST")) {
      std::string_view arg = cmd->argument;
      restart_ = ParseSize(arg, true).value_or(0);
    } else if (core::EqualsNoCase(verb, "SIZE")) {
      size_name_.Clear();
      size_name_.Append(cmd->argument);
      size_ = -1;
    } else if (const TransferVerb* tv = FindTransferVerb(verb)) {
      Claim(*tv, cmd->argument, ctx);
    }
  }

  void OnReplyLine(std::string_view line, const StreamContext& ctx) {
    if (in_multiline_) {
      // Lines of a multi-line reply up to "ddd " with the same code (RFC 959 4.2).
      auto last = ParseReply(line);
      if (last && last->code == multiline_code_ && !last->continued && line.size() > 3 &&
          line[3] == ' ') {
        in_multiline_ = false;
        if (multiline_code_ == 234) StartTlsIfAsked();
      }
      return;
    }
    auto reply = ParseReply(line);
    if (!reply) {
      ctx.anomalies->Raise("ftp.bad_reply");
      return;
    }
    if (reply->continued) {
      in_multiline_ = true;
      multiline_code_ = reply->code;
    }
    CountPdu(ctx, "ftp", reply->code, PduKind::kResponse, reply->code >= 400, "replies");
    const uint16_t code = reply->code;
    if (code == 234 && !reply->continued) {
      StartTlsIfAsked();
    } else if (code == 227) {
      if (auto hp = ParseHostPort(reply->text)) {
        Announce(ctx, {Client(ctx), 0}, {hp->ip, hp->port});
      } else {
        ctx.anomalies->Raise("ftp.bad_address");
      }
    } else if (code == 229) {
      if (auto hp = ParseEpsv(reply->text)) {
        Announce(ctx, {Client(ctx), 0}, {Server(ctx), hp->port});
      } else {
        ctx.anomalies->Raise("ftp.bad_address");
      }
    } else if (code == 213) {
      if (auto n = ParseSize(reply->text, true)) size_ = static_cast<int64_t>(*n);
    } else if (code == 150 || code == 125) {
      if (current_ && current_->declared < 0) {
        if (auto n = ParseSize(reply->text, false)) current_->declared = static_cast<int64_t>(*n);
      }
    } else if (code >= 200 && current_) {
      // The final reply of the transfer command in progress.
      current_->reply_done = true;
      current_->reply_ok = code < 300;
      current_->obs.result.Clear();
      current_->obs.result.AppendUint(code);
      if (!reply->text.empty()) current_->obs.result.Append(' ').AppendPrintable(reply->text);
      current_->TryReport(ctx.sink);
      current_.reset();
    }
  }

  // RFC 4217 4: a 234 reply to AUTH TLS (or SSL) accepts it; both sides go on in TLS, the
  // commands, replies and the data connections they announce with them.
  void StartTlsIfAsked() {
    if (auth_asked_ && !tls_) tls_ = tls::Create();
  }

  // The control connection after AUTH TLS: its TLS handshake, read by a TLS dissector
  // (version, suites, the server's certificate in TLS 1.2 and older); the rest is
  // encrypted.
  ParseResult OnTls(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    const ParseResult r = tls_->OnData(dir, bytes, ctx);
    if (r.verdict != Verdict::kNotThisProtocol) return r;
    // Not TLS after all (it raised why): read no further.
    lost_[0] = lost_[1] = true;
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  core::IpAddr Client(const StreamContext& ctx) const {
    return ctx.flow ? ctx.flow->initiator_ip : core::IpAddr{};
  }
  core::IpAddr Server(const StreamContext& ctx) const {
    return ctx.flow ? ctx.flow->responder_ip : core::IpAddr{};
  }

  // A data connection was announced: expect it, with a transfer for it to fill.
  void Announce(const StreamContext& ctx, Expectations::Side a, Expectations::Side b) {
    if (!b.ip.IsSet()) return;
    next_ = std::make_shared<Transfer>(ctx.max_hashed_file_bytes);
    if (ctx.expectations && ctx.anomalies) {
      core::Timestamp expires = ctx.ts;
      expires.ns += kExpectSeconds * 1'000'000'000;
      ctx.expectations->Expect(6, ctx.flow ? ctx.flow->vlan : 0, a, b, expires,
                               ctx.flow ? ctx.flow->RecordId() : 0, kDataInfo,
                               std::make_unique<DataDissector>(next_), *ctx.anomalies);
    }
  }

  // A transfer command takes the data connection announced last (or, when none was seen,
  // one the capture missed).
  void Claim(const TransferVerb& tv, std::string_view argument, const StreamContext& ctx) {
    std::shared_ptr<Transfer> t = next_ ? std::move(next_) : std::make_shared<Transfer>(0);
    next_.reset();
    t->claimed = true;
    t->listing = tv.listing;
    FileTransferObservation& o = t->obs;
    o.protocol = "ftp";
    o.command = tv.name;
    o.upload = tv.upload;
    o.capture_index = ctx.capture_index;
    o.frame = ctx.frame;
    o.seq = seq_.Next(ctx.frame);
    o.ts = ctx.ts;
    FillClientServer(ctx, flow::Direction::kFromInitiator, o);
    o.file_name.Clear();
    o.file_name.AppendPrintable(argument);
    if (!tv.upload && size_ >= 0 && size_name_.view() == argument) t->declared = size_;
    if (restart_ > 0) t->content.Gap(restart_);  // a resumed transfer never holds it all
    restart_ = 0;
    if (current_) {
      // The previous command never got its final reply.
      current_->control_gone = true;
      current_->TryReport(ctx.sink);
    }
    current_ = t;
    if (transfers_.size() >= kMaxOpenTransfers) {
      ctx.anomalies->Raise("ftp.too_many_transfers");
      transfers_.front()->control_gone = true;
      transfers_.front()->TryReport(ctx.sink);
      transfers_.erase(transfers_.begin());
    }
    std::erase_if(transfers_, [](const auto& x) { return x->reported; });
    transfers_.push_back(std::move(t));
  }

  bool lost_[2] = {false, false};
  bool auth_asked_ = false;         // the last command was AUTH
  std::unique_ptr<Dissector> tls_;  // made when the server accepts AUTH
  bool in_multiline_ = false;
  uint16_t multiline_code_ = 0;
  uint64_t restart_ = 0;
  core::FixedText<255> size_name_;                    // the file a SIZE command asked about
  int64_t size_ = -1;                                 // its size, from the 213 reply
  std::shared_ptr<Transfer> next_;                    // announced, not yet claimed by a command
  std::shared_ptr<Transfer> current_;                 // claimed, waiting for its final reply
  std::vector<std::shared_ptr<Transfer>> transfers_;  // claimed, not yet all reported
  FrameSeq seq_;
};

// Commands a client opens an FTP session with; SMTP's HELO and EHLO are not among them.
constexpr std::string_view kOpeningCommands[] = {"USER", "AUTH", "FEAT", "SYST", "OPTS",
                                                 "HOST", "PASV", "EPSV", "PWD",  "CLNT"};

}  // namespace

ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes) {
  auto end = LineEnd(first_bytes);
  if (!end) return first_bytes.size() < kMaxLineBytes ? ProbeResult::kMaybe : ProbeResult::kNo;
  core::ByteReader r(first_bytes.first(*end));
  const std::string_view line = r.Chars(r.remaining());
  if (dir == flow::Direction::kFromResponder) {
    auto reply = ParseReply(line);
    if (!reply || (reply->code != 220 && reply->code != 120 && reply->code != 421)) {
      return ProbeResult::kNo;
    }
    if (core::ContainsNoCase(reply->text, "SMTP") || core::ContainsNoCase(reply->text, "POP") ||
        core::ContainsNoCase(reply->text, "IMAP")) {
      return ProbeResult::kNo;
    }
    // Many FTP greetings name FTP; the others are settled by the client's first command.
    return core::ContainsNoCase(reply->text, "FTP") ? ProbeResult::kYes : ProbeResult::kMaybe;
  }
  auto cmd = ParseCommand(line);
  if (!cmd) return ProbeResult::kNo;
  for (std::string_view c : kOpeningCommands) {
    if (core::EqualsNoCase(cmd->verb, c)) return ProbeResult::kYes;
  }
  return ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<ControlDissector>(); }

}  // namespace qw::dissect::ftp
