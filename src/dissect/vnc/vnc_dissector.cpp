#include "dissect/vnc/vnc_dissector.h"

#include <array>
#include <string_view>

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/tls/tls_dissector.h"
#include "dissect/vnc/vnc_parser.h"

namespace qw::dissect::vnc {

namespace {

// The handshake messages, as counted in the "messages" histogram.
enum class Message : uint8_t {
  kVersion = 1,
  kSecurityTypes = 2,
  kChosenType = 3,
  kChallenge = 4,
  kResponse = 5,
  kArdParameters = 6,
  kArdResponse = 7,
  kSecurityResult = 8,
  kClientInit = 9,
  kServerInit = 10,
  kVencryptVersion = 11,   // either side's VeNCrypt version
  kVencryptSubtypes = 12,  // the server's ack and subtypes
  kVencryptChoice = 13,    // the client's subtype
  kVencryptAck = 14,       // the server's acceptance before TLS
  kPlainCredentials = 15,  // VeNCrypt Plain's user and password
};

// What the server sends next.
enum class ServerState : uint8_t {
  kVersion,
  kSecurity,
  kAwaitChoice,  // waits for the client's choice to know what follows
  kChallenge,
  kArd,
  kResult,
  kReason,  // the reason after a failed SecurityResult
  kServerInit,
  kVencryptVersion,
  kVencryptSubtypes,
  kAwaitSubtype,  // waits for the client's VeNCrypt subtype to know what follows
  kVencryptAck,
  kTls,  // the handshake a TLS or X.509 subtype opens with, read by a TLS dissector
  kDone,
};

// What the client sends next.
enum class ClientState : uint8_t {
  kVersion,
  kChoice,
  kAwaitType,  // 3.3: waits for the server's security type to know what follows
  kResponse,
  kArd,
  kClientInit,
  kVencryptVersion,
  kVencryptSubtype,
  kPlain,
  kTls,
  kDone,
};

constexpr ParseResult Consumed(size_t n) { return {Verdict::kConsumed, n, 0}; }

class VncDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    // The server speaks first: a version line from the initiator makes it the client,
    // unless the server's was seen first from the other side.
    if (ReadingTls(dir)) return OnTls(dir, bytes, ctx);
    if (dir == flow::Direction::kFromResponder) return OnServer(bytes, ctx);
    return OnClient(bytes, ctx);
  }

  void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) override {
    if (ReadingTls(dir)) {
      tls_.Gap(dir, n, ctx);
      return;
    }
    // Message boundaries are lost with the bytes: read no further on this side.
    if (dir == flow::Direction::kFromResponder) {
      if (server_ != ServerState::kDone) ctx.anomalies->Raise("vnc.gap");
      server_ = ServerState::kDone;
    } else {
      if (client_ != ClientState::kDone) ctx.anomalies->Raise("vnc.gap");
      client_ = ClientState::kDone;
    }
  }

  void OnEnd(const StreamContext& ctx) override {
    tls_.End(ctx);
    Emit(ctx);
  }

 private:
  // True when this side's bytes belong to the TLS handshake of a VeNCrypt TLS subtype.
  bool ReadingTls(flow::Direction dir) const {
    return dir == flow::Direction::kFromResponder ? server_ == ServerState::kTls
                                                  : client_ == ClientState::kTls;
  }

  // The TLS handshake a VeNCrypt TLS or X.509 subtype opens with; the session is reported
  // once TLS has reported its own, or at the end. What follows it is encrypted.
  ParseResult OnTls(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    bool not_tls = false;
    ParseResult r = tls_.Feed(dir, bytes, ctx, not_tls);
    if (not_tls) {
      // Not TLS after all: read no further; the session carries what TLS read before.
      EndExchange(ctx);
    } else if (tls_.Reported()) {
      Emit(ctx);
    }
    return r;
  }

  // 3.7 and later send a list of types and a choice; 3.8 and later a SecurityResult after
  // None and a reason after a failed result. The client's version rules once it is seen.
  const Version& InUse() const { return has_client_version_ ? client_version_ : server_version_; }
  bool AtLeast(uint16_t minor) const {
    const Version& v = InUse();
    return v.major > 3 || (v.major == 3 && v.minor >= minor);
  }

  void Count(const StreamContext& ctx, Message m, bool from_client, bool exception = false) {
    CountPdu(ctx, "vnc", static_cast<uint32_t>(m),
             from_client ? PduKind::kRequest : PduKind::kResponse, exception, "messages");
  }

  void Start(const StreamContext& ctx) {
    if (started_) return;
    started_ = true;
    obs_.frame = ctx.frame;
    obs_.ts = ctx.ts;
  }

  // Reads a version line; nullopt with the side given up when it is not one.
  std::optional<Version> VersionLine(std::span<const uint8_t> bytes, const StreamContext& ctx,
                                     bool from_client) {
    auto v = ParseVersion(bytes);
    if (!v) {
      ctx.anomalies->Raise("vnc.bad_version");
      return std::nullopt;
    }
    Start(ctx);
    Count(ctx, Message::kVersion, from_client);
    CountDetail(ctx, "vnc", "versions", v->major * 1000u + v->minor);
    return v;
  }

  ParseResult OnServer(std::span<const uint8_t> bytes, const StreamContext& ctx) {
    switch (server_) {
      case ServerState::kVersion: {
        if (bytes.size() < kVersionBytes) return Need(kVersionBytes, bytes);
        auto v = VersionLine(bytes, ctx, false);
        if (!v) return GiveUpServer(bytes);
        server_version_ = *v;
        has_server_version_ = true;
        server_ = ServerState::kSecurity;
        return Consumed(kVersionBytes);
      }
      case ServerState::kSecurity:
        return AtLeast(7) ? OnSecurityTypes(bytes, ctx) : OnSecurityType33(bytes, ctx);
      case ServerState::kAwaitChoice:
        // The client's choice has not come yet: hold these bytes until it has.
        return {Verdict::kNeedMore, 0, 1};
      case ServerState::kChallenge:
        if (bytes.size() < kChallengeBytes) return Need(kChallengeBytes, bytes);
        Count(ctx, Message::kChallenge, false);
        server_ = ServerState::kResult;
        return Consumed(kChallengeBytes);
      case ServerState::kArd: {
        const ArdParameters a = ReadArdParameters(bytes);
        if (a.status == Status::kNeedMore) return Need(a.length, bytes);
        if (a.status == Status::kInvalid) {
          ctx.anomalies->Raise("vnc.bad_ard_parameters");
          return GiveUpServer(bytes);
        }
        Count(ctx, Message::kArdParameters, false);
        ard_key_length_ = a.key_length;
        server_ = ServerState::kResult;
        return Consumed(a.length);
      }
      case ServerState::kResult: {
        const Word w = ReadWord(bytes, false, false);
        if (w.status == Status::kNeedMore) return Need(w.length, bytes);
        Count(ctx, Message::kSecurityResult, false, w.value != 0);
        CountDetail(ctx, "vnc", "security_results", w.value);
        has_result_ = true;
        result_ = w.value;
        // From 3.8 on a reason follows a failure (Apple's 3.889 sends none before closing).
        server_ = w.value == 0 ? ServerState::kServerInit
                  : AtLeast(8) ? ServerState::kReason
                               : ServerState::kDone;
        if (server_ == ServerState::kDone) Emit(ctx);
        return Consumed(w.length);
      }
      case ServerState::kReason: {
        const Word w = ReadReason(bytes);
        if (w.status == Status::kNeedMore) return Need(w.length, bytes);
        if (w.status == Status::kInvalid) return LongText(bytes, ctx);
        reason_ = w.reason;
        server_ = ServerState::kDone;
        Emit(ctx);
        return Consumed(w.length);
      }
      case ServerState::kVencryptVersion: {
        core::ByteReader r(bytes);
        vencrypt_major_ = r.U8();
        vencrypt_minor_ = r.U8();
        if (!r.ok()) return Need(2, bytes);
        has_vencrypt_version_ = true;
        Count(ctx, Message::kVencryptVersion, false);
        server_ = ServerState::kVencryptSubtypes;
        return Consumed(2);
      }
      case ServerState::kVencryptSubtypes: {
        const VencryptSubtypes v = ReadVencryptSubtypes(bytes);
        if (v.status == Status::kNeedMore) return Need(v.length, bytes);
        Count(ctx, Message::kVencryptSubtypes, false, v.ack != 0);
        if (v.ack != 0) {  // the client's version is refused; the server closes
          vencrypt_refused_ = true;
          EndExchange(ctx);
          return Consumed(v.length);
        }
        NoteOffer(ctx, v.subtypes, v.count, "vencrypt_subtypes", subtypes_offered_);
        has_subtypes_ = true;
        server_ = has_subtype_ ? AfterSubtype(subtype_) : ServerState::kAwaitSubtype;
        return Consumed(v.length);
      }
      case ServerState::kAwaitSubtype:
        // The client's subtype has not come yet: hold these bytes until it has.
        return {Verdict::kNeedMore, 0, 1};
      case ServerState::kVencryptAck: {
        core::ByteReader r(bytes);
        const uint8_t ack = r.U8();
        if (!r.ok()) return Need(1, bytes);
        Count(ctx, Message::kVencryptAck, false, ack != 1);
        if (ack != 1) {
          subtype_refused_ = true;
          EndExchange(ctx);
          return Consumed(1);
        }
        server_ = ServerState::kTls;
        return Consumed(1);
      }
      case ServerState::kTls:
        break;  // OnData hands these bytes to TLS
      case ServerState::kServerInit: {
        const ServerInit s = ReadServerInit(bytes);
        if (s.status == Status::kNeedMore) return Need(s.length, bytes);
        if (s.status == Status::kInvalid) return LongText(bytes, ctx);
        Count(ctx, Message::kServerInit, false);
        desktop_ = s.name;
        has_desktop_ = true;
        server_ = ServerState::kDone;
        Emit(ctx);
        return Consumed(s.length);
      }
      case ServerState::kDone:
        break;
    }
    return Consumed(bytes.size());
  }

  ParseResult OnSecurityTypes(std::span<const uint8_t> bytes, const StreamContext& ctx) {
    const SecurityTypes s = ReadSecurityTypes(bytes);
    if (s.status == Status::kNeedMore) return Need(s.length, bytes);
    if (s.status == Status::kInvalid) return LongText(bytes, ctx);
    Count(ctx, Message::kSecurityTypes, false, s.count == 0);
    NoteOffer(ctx, s.types, s.count, "security_types", offered_);
    has_offer_ = true;
    if (s.count == 0) {
      reason_ = s.reason;
      refused_ = true;
      server_ = ServerState::kDone;
      Emit(ctx);
    } else if (has_choice_) {
      server_ = AfterChoice(chosen_);
    } else {
      server_ = ServerState::kAwaitChoice;
    }
    return Consumed(s.length);
  }

  ParseResult OnSecurityType33(std::span<const uint8_t> bytes, const StreamContext& ctx) {
    const Word w = ReadWord(bytes, true, false);
    if (w.status == Status::kNeedMore) return Need(w.length, bytes);
    if (w.status == Status::kInvalid) return LongText(bytes, ctx);
    Count(ctx, Message::kSecurityTypes, false, w.value == 0);
    CountDetail(ctx, "vnc", "security_types", w.value);
    offered_.Clear();
    offered_.AppendUint(w.value);
    has_offer_ = true;
    dictated_ = true;
    if (w.value == 0 || w.value > 0xff) {
      reason_ = w.reason;
      refused_ = w.value == 0;
      EndExchange(ctx);
      return Consumed(w.length);
    }
    chosen_ = static_cast<uint8_t>(w.value);
    has_choice_ = true;
    server_ = AfterChoice(chosen_);
    if (client_ == ClientState::kAwaitType) client_ = ClientAfterChoice(chosen_);
    return Consumed(w.length);
  }

  // What the server sends after the security type `type` was chosen.
  ServerState AfterChoice(uint8_t type) const {
    switch (type) {
      case kSecurityNone:
        return AtLeast(8) ? ServerState::kResult : ServerState::kServerInit;
      case kSecurityVncAuth:
        return ServerState::kChallenge;
      case kSecurityArd:
        return ServerState::kArd;
      case kSecurityVeNCrypt:
        return ServerState::kVencryptVersion;
      default:
        return ServerState::kDone;  // an exchange not read
    }
  }

  // What the server sends after the client chose the VeNCrypt subtype `subtype`.
  ServerState AfterSubtype(uint32_t subtype) const {
    if (subtype == kSecurityNone) return AfterChoice(kSecurityNone);
    if (subtype == kSecurityVncAuth) return ServerState::kChallenge;
    if (subtype == kVencryptPlain) return ServerState::kResult;
    if (VencryptUsesTls(subtype)) return ServerState::kVencryptAck;
    return ServerState::kDone;  // an exchange not read
  }

  // What the client sends after choosing the VeNCrypt subtype `subtype`.
  static ClientState ClientAfterSubtype(uint32_t subtype) {
    if (subtype == kSecurityNone) return ClientState::kClientInit;
    if (subtype == kSecurityVncAuth) return ClientState::kResponse;
    if (subtype == kVencryptPlain) return ClientState::kPlain;
    if (VencryptUsesTls(subtype)) return ClientState::kTls;
    return ClientState::kDone;
  }

  // What the client sends after the security type `type` was chosen.
  static ClientState ClientAfterChoice(uint8_t type) {
    switch (type) {
      case kSecurityNone:
        return ClientState::kClientInit;
      case kSecurityVncAuth:
        return ClientState::kResponse;
      case kSecurityArd:
        return ClientState::kArd;
      case kSecurityVeNCrypt:
        return ClientState::kVencryptVersion;
      default:
        return ClientState::kDone;
    }
  }

  ParseResult OnClient(std::span<const uint8_t> bytes, const StreamContext& ctx) {
    switch (client_) {
      case ClientState::kVersion: {
        if (bytes.size() < kVersionBytes) return Need(kVersionBytes, bytes);
        auto v = VersionLine(bytes, ctx, true);
        if (!v) {
          client_ = ClientState::kDone;
          return Consumed(bytes.size());
        }
        client_version_ = *v;
        has_client_version_ = true;
        if (AtLeast(7)) {
          client_ = ClientState::kChoice;
        } else if (has_choice_) {
          client_ = ClientAfterChoice(chosen_);
        } else {
          client_ = ClientState::kAwaitType;
        }
        return Consumed(kVersionBytes);
      }
      case ClientState::kChoice: {
        core::ByteReader r(bytes);
        chosen_ = r.U8();
        has_choice_ = true;
        Count(ctx, Message::kChosenType, true);
        CountDetail(ctx, "vnc", "chosen_types", chosen_);
        if (server_ == ServerState::kAwaitChoice) server_ = AfterChoice(chosen_);
        client_ = ClientAfterChoice(chosen_);
        return Consumed(1);
      }
      case ClientState::kAwaitType:
        // 3.3: the server's security type has not come yet: hold these bytes until it has.
        return {Verdict::kNeedMore, 0, 1};
      case ClientState::kResponse:
        if (bytes.size() < kChallengeBytes) return Need(kChallengeBytes, bytes);
        Count(ctx, Message::kResponse, true);
        client_ = ClientState::kClientInit;
        return Consumed(kChallengeBytes);
      case ClientState::kArd: {
        if (ard_key_length_ == 0) return {Verdict::kNeedMore, 0, 1};  // parameters not seen
        const size_t length = kArdCredentialBytes + ard_key_length_;
        if (bytes.size() < length) return Need(length, bytes);
        Count(ctx, Message::kArdResponse, true);
        client_ = ClientState::kClientInit;
        return Consumed(length);
      }
      case ClientState::kClientInit:
        Count(ctx, Message::kClientInit, true);
        client_ = ClientState::kDone;
        return Consumed(1);
      case ClientState::kVencryptVersion:
        if (bytes.size() < 2) return Need(2, bytes);
        Count(ctx, Message::kVencryptVersion, true);
        client_ = ClientState::kVencryptSubtype;
        return Consumed(2);
      case ClientState::kVencryptSubtype: {
        core::ByteReader r(bytes);
        subtype_ = r.U32Be();
        if (!r.ok()) return Need(4, bytes);
        has_subtype_ = true;
        Count(ctx, Message::kVencryptChoice, true);
        CountDetail(ctx, "vnc", "vencrypt_chosen", subtype_);
        if (server_ == ServerState::kAwaitSubtype) server_ = AfterSubtype(subtype_);
        client_ = ClientAfterSubtype(subtype_);
        if (client_ == ClientState::kTls) tls_.Start();
        return Consumed(4);
      }
      case ClientState::kPlain: {
        const PlainCredentials c = ReadPlainCredentials(bytes);
        if (c.status == Status::kNeedMore) return Need(c.length, bytes);
        if (c.status == Status::kInvalid) {
          ctx.anomalies->Raise("vnc.long_text");
          client_ = ClientState::kDone;
          return Consumed(bytes.size());
        }
        Count(ctx, Message::kPlainCredentials, true);
        obs_.user = c.user;
        plain_password_ = true;
        client_ = ClientState::kClientInit;
        return Consumed(c.length);
      }
      case ClientState::kTls:
        break;  // OnData hands these bytes to TLS
      case ClientState::kDone:
        break;
    }
    return Consumed(bytes.size());
  }

  static ParseResult Need(size_t want, std::span<const uint8_t> bytes) {
    return {Verdict::kNeedMore, 0, want > bytes.size() ? want - bytes.size() : 1};
  }

  ParseResult GiveUpServer(std::span<const uint8_t> bytes) {
    server_ = ServerState::kDone;
    return Consumed(bytes.size());
  }

  // A reason or desktop name longer than the parser keeps: give up on the server's side.
  ParseResult LongText(std::span<const uint8_t> bytes, const StreamContext& ctx) {
    ctx.anomalies->Raise("vnc.long_text");
    return GiveUpServer(bytes);
  }

  // The exchange ends for both sides (a refusal, or bytes that are no TLS): the session is
  // reported with what was read.
  void EndExchange(const StreamContext& ctx) {
    server_ = ServerState::kDone;
    client_ = ClientState::kDone;
    Emit(ctx);
  }

  // Counts each code the server offered (security types or VeNCrypt subtypes) in
  // `histogram` and lists them in `out`, comma-separated.
  template <class Code, size_t N, size_t M>
  static void NoteOffer(const StreamContext& ctx, const std::array<Code, N>& codes, size_t count,
                        const char* histogram, core::FixedText<M>& out) {
    out.Clear();
    for (size_t i = 0; i < count; ++i) {
      CountDetail(ctx, "vnc", histogram, codes[i]);
      if (i > 0) out.Append(',');
      out.AppendUint(codes[i]);
    }
  }

  void Emit(const StreamContext& ctx) {
    if (emitted_ || !started_) return;
    emitted_ = true;
    obs_.tool = "vnc";
    obs_.capture_index = ctx.capture_index;
    const Version& v = InUse();
    obs_.protocol_version.Clear();
    obs_.protocol_version.Append(v.text.view());
    if (has_client_version_)
      obs_.client_software.Append("RFB ").Append(client_version_.text.view());
    if (has_server_version_)
      obs_.server_software.Append("RFB ").Append(server_version_.text.view());
    if (has_desktop_) obs_.server_software.Append("; desktop ").Append(desktop_.view());
    auto& s = obs_.security;
    if (has_offer_) s.Append(dictated_ ? "server chose " : "offered ").Append(offered_.view());
    if (has_choice_ && !dictated_) {
      if (!s.empty()) s.Append("; ");
      s.Append("chosen ").AppendUint(chosen_);
    }
    if (has_choice_) {
      const std::string_view name = SecurityTypeName(chosen_);
      if (!name.empty()) s.Append(" (").Append(name).Append(')');
    }
    if (has_vencrypt_version_) {
      s.Append("; VeNCrypt ").AppendUint(vencrypt_major_).Append('.').AppendUint(vencrypt_minor_);
    }
    if (vencrypt_refused_) s.Append(" refused the client's version");
    if (has_subtypes_) s.Append(" offered ").Append(subtypes_offered_.view());
    if (has_subtype_) {
      s.Append("; chosen ").AppendUint(subtype_);
      const std::string_view name = VencryptSubtypeName(subtype_);
      if (!name.empty()) s.Append(" (").Append(name).Append(')');
    }
    if (plain_password_) s.Append("; password in clear");
    if (refused_ || subtype_refused_) s.Append("; refused");
    if (tls_.Reported()) {
      // What the handshake showed: its version and suite, and with an X.509 subtype the
      // server certificate's subject; both sides' fingerprints.
      s.Append("; ").Append(tls::SessionSummary(tls_.session()).view());
      if (tls_.session().has_certificate && !obs_.server_software.empty()) {
        obs_.server_software.Append("; certificate ");
      }
      tls::FillRemoteAccess(tls_.session(), obs_);
    }
    if (has_result_) s.Append(result_ == 0 ? "; result ok" : "; result failed");
    if (!reason_.empty()) s.Append(": ").Append(reason_.view());
    FillClientServer(ctx, flow::Direction::kFromInitiator, obs_);
    ctx.sink->OnRemoteAccess(obs_);
  }

  ServerState server_ = ServerState::kVersion;
  ClientState client_ = ClientState::kVersion;
  Version server_version_, client_version_;
  bool has_server_version_ = false, has_client_version_ = false;
  bool started_ = false, emitted_ = false;
  bool has_offer_ = false, dictated_ = false, refused_ = false;
  bool has_choice_ = false, has_result_ = false, has_desktop_ = false;
  uint8_t chosen_ = 0;
  uint32_t result_ = 0;
  uint16_t ard_key_length_ = 0;
  core::FixedText<255> offered_, reason_, desktop_;
  // VeNCrypt (security type 19).
  bool has_vencrypt_version_ = false, vencrypt_refused_ = false, has_subtypes_ = false;
  bool has_subtype_ = false, subtype_refused_ = false, plain_password_ = false;
  uint8_t vencrypt_major_ = 0, vencrypt_minor_ = 0;
  uint32_t subtype_ = 0;
  core::FixedText<127> subtypes_offered_;
  RemoteAccessObservation obs_;
  tls::Carried tls_;  // started when the client chose a TLS subtype
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  // "RFB ddd.ddd\n", judged octet by octet as they arrive.
  static constexpr std::string_view kPattern = "RFB 000.000\n";
  core::ByteReader r(first_bytes);
  const std::string_view head = r.Chars(std::min(first_bytes.size(), kPattern.size()));
  for (size_t i = 0; i < head.size(); ++i) {
    const char want = kPattern.substr(i, 1).front();
    const char got = head.substr(i, 1).front();
    const bool ok = want == '0' ? (got >= '0' && got <= '9') : got == want;
    if (!ok) return ProbeResult::kNo;
  }
  return head.size() < kPattern.size() ? ProbeResult::kMaybe : ProbeResult::kYes;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<VncDissector>(); }

}  // namespace qw::dissect::vnc
