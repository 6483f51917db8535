#include "dissect/tls/tls_dissector.h"

#include <algorithm>
#include <vector>

#include "core/byte_reader.h"
#include "dissect/ics_common.h"
#include "dissect/tls/tls_parser.h"

namespace qw::dissect::tls {

namespace {

// RFC 8446 4: | msg_type:1 | length:3 | body |.
constexpr size_t kHandshakeHeaderBytes = 4;
// Longest handshake message reassembled across records (a certificate chain, say); longer
// ones raise `tls.handshake_too_large` and are skipped.
constexpr size_t kMaxHandshakeBytes = 64 * 1024;

// Whether `bytes` start with a record header that holds together.
bool PlausibleRecord(std::span<const uint8_t> bytes) {
  auto h = ParseRecordHeader(bytes);
  return h && h->version <= 0x0304 && h->version >= 0x0300;
}

class TlsDissector final : public Dissector {
 public:
  TlsDissector() = default;
  explicit TlsDissector(TlsObservation* seen) : seen_(seen) {}

  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    const auto d = static_cast<size_t>(dir);
    if (skip_left_[d] > 0) return Skip(dir, bytes, ctx);
    if (bytes.size() < kRecordHeaderBytes) {
      return {Verdict::kNeedMore, 0, kRecordHeaderBytes - bytes.size()};
    }
    if (resync_[d]) {
      // After a hole: octets up to the next header that holds together are skipped.
      if (!PlausibleRecord(bytes)) {
        ctx.anomalies->Raise("tls.resync_skipped");
        return {Verdict::kConsumed, 1, 0};
      }
      resync_[d] = false;
    }
    if (!seen_record_[d] && (bytes[0] & 0x80) != 0) return OnSslv2(dir, bytes, ctx);
    seen_record_[d] = true;
    auto header = ParseRecordHeader(bytes);
    if (!header) {
      ctx.anomalies->Raise("tls.bad_record");
      return {Verdict::kNotThisProtocol, 0, 0};
    }
    const size_t whole = kRecordHeaderBytes + header->length;
    if (bytes.size() < whole) {
      if (BodyUnread(dir, *header)) {
        // Encrypted bulk: pass its octets by as they come instead of holding up to 16 KiB
        // until the record is whole; it counts when its last octet arrives, as before.
        skipped_[d] = *header;
        skip_left_[d] = whole - bytes.size();
        return {Verdict::kConsumed, bytes.size(), 0};
      }
      return {Verdict::kNeedMore, 0, whole - bytes.size()};
    }
    OnRecord(dir, *header, bytes.subspan(kRecordHeaderBytes, header->length), ctx);
    return {Verdict::kConsumed, whole, 0};
  }

  // An SSL 2.0 record (the two-octet header with the top bit set), which old clients use
  // for a ClientHello that offers SSL 3.0 or TLS too (RFC 6101 E.1).
  ParseResult OnSslv2(flow::Direction dir, std::span<const uint8_t> bytes,
                      const StreamContext& ctx) {
    core::ByteReader r(bytes);
    const size_t length = (r.U8() & 0x7fu) << 8 | r.U8();
    if (r.remaining() < length) return {Verdict::kNeedMore, 0, length - r.remaining()};
    core::ByteReader msg = r.Sub(length);
    const uint8_t type = msg.U8();
    CountPdu(ctx, "tls", type, PduKind::kOther, false, "sslv2_message_types");
    if (type == 1) {
      CountDetail(ctx, "tls", "handshake_types", 1);
      // version, cipher spec length, session id length, challenge length, cipher specs
      const uint16_t version = msg.U16Be();
      const uint16_t specs = msg.U16Be();
      msg.Skip(4);
      core::ByteReader list = msg.Sub(specs);
      if (msg.ok() && !obs_.client_hello_frame) {
        server_dir_ = Reverse(dir);
        SetEndpoints(dir, ctx);
        obs_.client_hello_frame = ctx.frame;
        obs_.ts = ctx.ts;
        obs_.client_version = obs_.offered_version = version;
        static constexpr char kHex[] = "0123456789abcdef";
        while (list.remaining() >= 3) {
          const uint32_t spec = list.U24Be();
          if (!obs_.ciphers_offered.empty()) obs_.ciphers_offered.Append(',');
          for (int shift = 20; shift >= 0; shift -= 4) {
            obs_.ciphers_offered.Append(kHex[(spec >> shift) & 0xf]);
          }
        }
      }
    }
    seen_record_[static_cast<size_t>(dir)] = true;
    return {Verdict::kConsumed, 2 + length, 0};
  }

  void OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) override {
    const auto d = static_cast<size_t>(dir);
    skip_left_[d] = 0;  // the record in passage is lost with the hole
    resync_[d] = true;
    handshake_[d].clear();  // a message cut by the hole cannot be read
    ctx.anomalies->Raise("tls.gap");
  }

  void OnEnd(const StreamContext& ctx) override { Emit(ctx); }

 private:
  // Records whose body is never looked at: application data, and handshake records sent
  // after change_cipher_spec (encrypted).
  bool BodyUnread(flow::Direction dir, const RecordHeader& h) const {
    return h.type == 23 || (h.type == 22 && encrypted_[static_cast<size_t>(dir)]);
  }

  // Octets of a record being passed by; the record is handled (without its body) when the
  // last of them comes.
  ParseResult Skip(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    const auto d = static_cast<size_t>(dir);
    const size_t n = std::min(skip_left_[d], bytes.size());
    skip_left_[d] -= n;
    if (skip_left_[d] == 0) OnRecord(dir, skipped_[d], {}, ctx);
    return {Verdict::kConsumed, n, 0};
  }

  void OnRecord(flow::Direction dir, const RecordHeader& h, std::span<const uint8_t> body,
                const StreamContext& ctx) {
    const auto d = static_cast<size_t>(dir);
    CountPdu(ctx, "tls", h.type, PduKind::kOther, h.type == 21, "content_types");
    switch (h.type) {
      case 20:  // change_cipher_spec: what this side sends next is encrypted
        encrypted_[d] = true;
        break;
      case 22:
        if (!encrypted_[d]) OnHandshakeBytes(dir, body, ctx);
        break;
      case 23:  // application data: the handshake is over (or hidden, in TLS 1.3)
        Emit(ctx);
        break;
      default:
        break;
    }
  }

  // Handshake messages may share a record or span several (RFC 8446 5.1).
  void OnHandshakeBytes(flow::Direction dir, std::span<const uint8_t> body,
                        const StreamContext& ctx) {
    auto& held = handshake_[static_cast<size_t>(dir)];
    std::span<const uint8_t> data = body;
    if (!held.empty()) {
      if (held.size() + body.size() > kMaxHandshakeBytes) {
        ctx.anomalies->Raise("tls.handshake_too_large");
        held.clear();
        return;
      }
      held.insert(held.end(), body.begin(), body.end());
      data = held;
    }
    core::ByteReader r(data);
    while (r.remaining() >= kHandshakeHeaderBytes) {
      const uint8_t type = r.PeekU8(0);
      const uint32_t length =
          uint32_t{r.PeekU8(1)} << 16 | uint32_t{r.PeekU8(2)} << 8 | r.PeekU8(3);
      if (r.remaining() < kHandshakeHeaderBytes + length) break;
      r.Skip(kHandshakeHeaderBytes);
      OnHandshake(dir, type, r.Bytes(length), ctx);
    }
    // Keep what is left of a message for the next record.
    std::span<const uint8_t> rest = r.PeekRest();
    if (rest.size() > kMaxHandshakeBytes) {
      ctx.anomalies->Raise("tls.handshake_too_large");
      rest = {};
    }
    if (held.empty()) {
      held.assign(rest.begin(), rest.end());
    } else {
      std::vector<uint8_t> keep(rest.begin(), rest.end());
      held.swap(keep);
    }
  }

  void OnHandshake(flow::Direction dir, uint8_t type, std::span<const uint8_t> body,
                   const StreamContext& ctx) {
    CountDetail(ctx, "tls", "handshake_types", type);
    switch (type) {
      case 1:
        if (auto hello = ParseClientHello(body, 't', *ctx.anomalies))
          OnClientHello(dir, *hello, ctx);
        break;
      case 2:
        if (auto hello = ParseServerHello(body, *ctx.anomalies)) OnServerHello(dir, *hello, ctx);
        break;
      case 11:
        if (!obs_.has_certificate && dir == server_dir_ && obs_.server_hello_frame) {
          if (auto cert = ParseFirstCertificate(body, *ctx.anomalies)) {
            obs_.has_certificate = true;
            obs_.subject = cert->subject;
            obs_.issuer = cert->issuer;
            obs_.not_before = cert->not_before;
            obs_.not_after = cert->not_after;
          }
        }
        break;
      default:
        break;
    }
  }

  void SetEndpoints(flow::Direction client_dir, const StreamContext& ctx) {
    if (!ctx.flow) return;
    obs_.capture_index = ctx.capture_index;
    FillClientServer(ctx, client_dir, obs_);
  }

  void OnClientHello(flow::Direction dir, const ClientHello& hello, const StreamContext& ctx) {
    if (obs_.client_hello_frame) return;  // a renegotiation keeps the first
    server_dir_ = Reverse(dir);
    SetEndpoints(dir, ctx);
    obs_.client_hello_frame = ctx.frame;
    if (!obs_.server_hello_frame) obs_.ts = ctx.ts;
    obs_.client_version = hello.legacy_version;
    obs_.offered_version = hello.highest_version;
    obs_.sni = hello.sni;
    obs_.alpn_offered = hello.alpn;
    obs_.versions_offered = hello.versions;
    obs_.ciphers_offered = hello.ciphers;
    obs_.ja3 = hello.ja3;
    obs_.ja4 = hello.ja4;
  }

  void OnServerHello(flow::Direction dir, const ServerHello& hello, const StreamContext& ctx) {
    if (obs_.server_hello_frame) return;
    if (!obs_.client_hello_frame) {
      server_dir_ = dir;
      SetEndpoints(Reverse(dir), ctx);
      obs_.ts = ctx.ts;
    }
    obs_.server_hello_frame = ctx.frame;
    obs_.server_version = hello.selected_version;
    obs_.cipher = hello.cipher;
    obs_.alpn_chosen = hello.alpn;
    obs_.ja3s = hello.ja3s;
    // TLS 1.3 encrypts everything after the ServerHello, handshake included.
    if (hello.selected_version == 0x0304) encrypted_[0] = encrypted_[1] = true;
  }

  void Emit(const StreamContext& ctx) {
    if (emitted_ || (!obs_.client_hello_frame && !obs_.server_hello_frame)) return;
    emitted_ = true;
    ctx.sink->OnTls(obs_);
    if (seen_) *seen_ = obs_;
    if (const char* tool = RemoteAccessTool(obs_.sni.view(), obs_.subject.view())) {
      EmitRemoteAccess(tool, ctx);
    }
  }

  // A TLS session of a remote-access tool (see RemoteAccessTool) is also its session.
  void EmitRemoteAccess(const char* tool, const StreamContext& ctx) const {
    RemoteAccessObservation r;
    r.tool = tool;
    r.capture_index = obs_.capture_index;
    r.flow_id = obs_.flow_id;
    r.frame = obs_.client_hello_frame ? obs_.client_hello_frame : obs_.server_hello_frame;
    r.ts = obs_.ts;
    r.client_ip = obs_.client_ip;
    r.transport = 6;  // TLS runs over TCP
    r.server_ip = obs_.server_ip;
    r.client_port = obs_.client_port;
    r.server_port = obs_.server_port;
    r.client_mac = obs_.client_mac;
    r.server_mac = obs_.server_mac;
    if (obs_.server_version) r.protocol_version.Append("TLS ").AppendHex(obs_.server_version, 4);
    FillRemoteAccess(obs_, r);
    r.security.Append("tls");
    if (obs_.cipher) r.security.Append(", cipher ").AppendHex(obs_.cipher, 4);
    if (!obs_.sni.empty()) r.security.Append(", sni ").Append(obs_.sni.view());
    ctx.sink->OnRemoteAccess(r);
  }

  size_t skip_left_[2] = {0, 0};  // octets of the record in passage still to come
  RecordHeader skipped_[2];       // that record's header
  bool resync_[2] = {false, false};
  bool seen_record_[2] = {false, false};  // an SSL 2.0 record may only open a direction
  bool encrypted_[2] = {false, false};
  bool emitted_ = false;
  flow::Direction server_dir_ = flow::Direction::kFromResponder;
  std::vector<uint8_t> handshake_[2];  // a handshake message spanning records, per direction
  TlsObservation obs_;
  TlsObservation* seen_ = nullptr;  // CreateInner's copy of the session reported
};

// A handshake record that opens a session: a ClientHello or a ServerHello.
ProbeResult ProbeHello(std::span<const uint8_t> first_bytes) {
  core::ByteReader r(first_bytes);
  r.Skip(kRecordHeaderBytes);
  const uint8_t type = r.U8();
  return type == 1 || type == 2 ? ProbeResult::kYes : ProbeResult::kNo;
}

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  if (first_bytes.size() < kRecordHeaderBytes + 1) return ProbeResult::kMaybe;
  core::ByteReader v2(first_bytes);
  const uint8_t b0 = v2.U8();
  if (b0 & 0x80) {
    // SSL 2.0 ClientHello offering SSL 2.0, SSL 3.0 or TLS up to 1.2.
    v2.Skip(1);
    const uint8_t type = v2.U8();
    const uint16_t version = v2.U16Be();
    return type == 1 && (version == 0x0002 || (version >= 0x0300 && version <= 0x0303))
               ? ProbeResult::kYes
               : ProbeResult::kNo;
  }
  auto h = ParseRecordHeader(first_bytes);
  if (!h || h->version < 0x0301 || h->version > 0x0304) {
    return h && h->type == 22 && h->version == 0x0300 ? ProbeHello(first_bytes) : ProbeResult::kNo;
  }
  if (h->type == 22) return ProbeHello(first_bytes);
  // A connection picked up mid-stream starts at a record of application data, an alert or
  // a change_cipher_spec, as a session that was open before the capture does: tshark reads
  // such records on any port, and so do we. One more record header, when the bytes reach
  // it, must be one too.
  if (h->type == 24 || h->length == 0 || (h->type == 20 && h->length != 1)) {
    return ProbeResult::kNo;
  }
  const size_t next = kRecordHeaderBytes + h->length;
  if (first_bytes.size() < next + kRecordHeaderBytes) return ProbeResult::kYes;
  const auto after = ParseRecordHeader(first_bytes.subspan(next));
  return after && after->version == h->version ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<TlsDissector>(); }

core::FixedText<48> SessionSummary(const TlsObservation& t) {
  core::FixedText<48> out;
  const uint16_t version = t.server_version ? t.server_version : t.offered_version;
  if (version) out.Append(VersionName(version).view());
  if (t.cipher) out.AppendListItem("cipher ").AppendHex(t.cipher, 4);
  return out;
}

void FillRemoteAccess(const TlsObservation& t, RemoteAccessObservation& session) {
  if (t.has_certificate) session.server_software.Append(t.subject.view());
  session.client_fingerprint.Append(t.ja3.view());
  session.server_fingerprint.Append(t.ja3s.view());
}

std::unique_ptr<Dissector> CreateInner(TlsObservation& seen) {
  return std::make_unique<TlsDissector>(&seen);
}

void Carried::Start() {
  if (dissector_) return;
  seen_ = std::make_unique<TlsObservation>();
  dissector_ = CreateInner(*seen_);
}

ParseResult Carried::Feed(flow::Direction dir, std::span<const uint8_t> bytes,
                          const StreamContext& ctx, bool& not_tls) {
  ParseResult r = dissector_->OnData(dir, bytes, ctx);
  not_tls = r.verdict == Verdict::kNotThisProtocol;
  if (!not_tls) return r;
  dissector_->OnEnd(ctx);  // what TLS read before goes out first
  return {Verdict::kConsumed, bytes.size(), 0};
}

void Carried::Gap(flow::Direction dir, uint64_t n, const StreamContext& ctx) {
  dissector_->OnGap(dir, n, ctx);
}

void Carried::End(const StreamContext& ctx) {
  if (dissector_) dissector_->OnEnd(ctx);
}

bool Carried::Reported() const {
  return seen_ && (seen_->client_hello_frame || seen_->server_hello_frame);
}

}  // namespace qw::dissect::tls
