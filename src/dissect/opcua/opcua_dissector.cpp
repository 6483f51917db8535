#include "dissect/opcua/opcua_dissector.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "core/byte_reader.h"
#include "dissect/tls/tls_parser.h"

namespace qw::dissect::opcua {
namespace {

constexpr const char* kProtocol = "opcua";
constexpr uint32_t kSeverityBad = 0x80000000;
constexpr uint32_t kSeverityUncertain = 0x40000000;

size_t Index(flow::Direction d) { return static_cast<size_t>(d); }

// Pairing keys: a service's request id (OpenSecureChannel apart, since its response names a
// new channel), and one slot each for a Hello and an OpenSecureChannel whose sequence header
// is ciphertext.
uint64_t ServiceKey(bool open, uint32_t request_id) {
  return (open ? uint64_t{1} << 32 : 0) | request_id;
}
constexpr uint64_t kHelloKey = uint64_t{2} << 32;
constexpr uint64_t kSecretOpenKey = uint64_t{3} << 32;

// "0x80340000 BadNodeIdUnknown".
void AppendStatus(core::FixedText<64>& t, uint32_t code) {
  t.AppendHex(code, 8);
  if (const char* name = OpcuaStatusName(code)) t.Append(' ').Append(name);
}

core::FixedText<64> Result(const OpcuaServiceBody& b) {
  core::FixedText<64> r;
  if (b.type_id == kOpcuaServiceFault) {
    r.Append("fault ");
    AppendStatus(r, b.service_result);
  } else if (b.service_result & kSeverityBad) {
    r.Append("bad ");
    AppendStatus(r, b.service_result);
  } else if (b.service_result & kSeverityUncertain) {
    r.Append("uncertain ");
    AppendStatus(r, b.service_result);
  } else if (b.has_item_status && (b.item_status & kSeverityBad)) {
    r.Append("item ");
    AppendStatus(r, b.item_status);
  } else {
    r.Append("ok");
  }
  return r;
}

// The organisation a product URI names: the host of "http://open62541.org", the first part
// of "urn:freeopcua.github.io:python:server"; empty when it names none.
std::string_view VendorFromUri(std::string_view uri) {
  std::string_view rest;
  if (uri.rfind("urn:", 0) == 0) {
    rest = uri.substr(4);
  } else if (size_t scheme = uri.find("://"); scheme != std::string_view::npos) {
    rest = uri.substr(scheme + 3);
  } else {
    return {};
  }
  rest = rest.substr(0, rest.find_first_of(":/"));
  if (rest.rfind("www.", 0) == 0) rest = rest.substr(4);
  return rest;
}

void AddField(DeviceIdentity& id, const char* key, std::string_view value) {
  if (!value.empty()) id.fields.emplace_back(key, std::string(value));
}

void AddApplication(DeviceIdentity& id, const OpcuaApplication& app) {
  AddField(id, "product", app.application_name.view());
  AddField(id, "vendor", VendorFromUri(app.product_uri.view()));
}

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  return LooksLikeOpcua(first_bytes);
}

std::unique_ptr<Dissector> Create() { return std::make_unique<OpcuaDissector>(); }

ParseResult OpcuaDissector::OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                                   const StreamContext& ctx) {
  size_t d = Index(dir);
  if (skip_[d] > 0) {
    // The rest of a chunk too large to keep: counted when its last octet arrives.
    size_t n = static_cast<size_t>(std::min<uint64_t>(skip_[d], bytes.size()));
    skip_[d] -= n;
    if (skip_[d] == 0 && held_[d].held) {
      Tally t = held_[d];
      held_[d] = {};
      Count(dir, t, ctx);
    }
    return {Verdict::kConsumed, n, 0};
  }
  if (resync_[d]) return Resync(dir, bytes, ctx);
  OpcuaFraming f = FrameOpcua(bytes);
  switch (f.status) {
    case OpcuaFraming::Status::kBad:
      // No chunk starts here: skip to the next that looks whole rather than lose the flow.
      ctx.anomalies->Raise("opcua.bad_header");
      resync_[d] = true;
      resync_skipped_[d] = 0;
      return {Verdict::kConsumed, 1, 0};
    case OpcuaFraming::Status::kNeedMore:
      if (f.size > kMaxKeptChunkBytes && bytes.size() >= kMaxKeptChunkBytes) break;
      return {Verdict::kNeedMore, 0, std::min(f.size, kMaxKeptChunkBytes) - bytes.size()};
    case OpcuaFraming::Status::kOk:
      break;
  }
  if (f.size > kMaxKeptChunkBytes) {
    // Read the services from the chunk's start now; count the chunk at its end.
    holding_[d] = true;
    OnChunk(dir, bytes.first(kMaxKeptChunkBytes), false, ctx);
    holding_[d] = false;
    skip_[d] = f.size - kMaxKeptChunkBytes;
    return {Verdict::kConsumed, kMaxKeptChunkBytes, 0};
  }
  OnChunk(dir, bytes.first(f.size), true, ctx);
  return {Verdict::kConsumed, f.size, 0};
}

ParseResult OpcuaDissector::Resync(flow::Direction dir, std::span<const uint8_t> bytes,
                                   const StreamContext& ctx) {
  size_t d = Index(dir);
  core::ByteReader scan(bytes);
  size_t skipped = 0;
  while (!scan.empty()) {
    std::span<const uint8_t> here = scan.PeekRest();
    ProbeResult p = LooksLikeOpcua(here);
    if (p == ProbeResult::kYes) {
      // A secure chunk must also name this flow's channel, when it is known.
      core::ByteReader h(here);
      uint32_t type = h.U24Be();
      h.Skip(5);
      uint32_t channel = h.U32Le();
      bool secure = type == kOpcuaMessage || type == kOpcuaClose || type == kOpcuaOpen;
      if (!secure || channel_id_ == 0 || (h.ok() && channel == channel_id_)) {
        if (secure && !h.ok()) break;  // the channel id has not arrived yet
        resync_[d] = false;
        resync_skipped_[d] = 0;
        if (skipped == 0) return OnData(dir, bytes, ctx);
        return {Verdict::kConsumed, skipped, 0};
      }
      if (!h.ok()) break;
    } else if (p == ProbeResult::kMaybe) {
      break;
    }
    scan.Skip(1);
    ++skipped;
  }
  resync_skipped_[d] += skipped;
  if (resync_skipped_[d] > kMaxResyncBytes) {
    ctx.anomalies->Raise("opcua.resync_failed");
    return {Verdict::kNotThisProtocol, 0, 0};
  }
  if (skipped > 0) return {Verdict::kConsumed, skipped, 0};
  return {Verdict::kNeedMore, 0, 1};
}

void OpcuaDissector::OnChunk(flow::Direction dir, std::span<const uint8_t> bytes, bool whole,
                             const StreamContext& ctx) {
  size_t d = Index(dir);
  // Intermediate chunks of a readable message carry no type id to recognise plain text by.
  bool plain = security_ == Security::kNone || open_[d].active;
  auto chunk = ParseOpcuaChunk(bytes, plain, *ctx.anomalies);
  Tally t;
  if (!chunk) {
    // Framed but unreadable: counted by its header alone.
    core::ByteReader h(bytes);
    t.message_type = h.U24Be();
    Count(dir, t, ctx);
    return;
  }
  switch (chunk->type) {
    case kOpcuaOpen:
    case kOpcuaMessage:
    case kOpcuaClose:
      OnSecureChunk(dir, *chunk, whole, ctx);
      return;
    default:
      OnHandshake(dir, *chunk, ctx);
      return;
  }
}

void OpcuaDissector::OnHandshake(flow::Direction dir, const OpcuaChunk& chunk,
                                 const StreamContext& ctx) {
  Tally t;
  t.message_type = chunk.type;
  switch (chunk.type) {
    case kOpcuaHello: {
      t.kind = PduKind::kRequest;
      Count(dir, t, ctx);
      Pending p;
      p.key = kHelloKey;
      p.function_code = kOpcuaHello;
      p.function = "hello";
      p.category = IcsCategory::kSession;
      p.target.Append(chunk.endpoint_url.view());
      p.request_frame = ctx.frame;
      p.ts = ctx.ts;
      p.dir = dir;
      Expect(p, ctx);
      return;
    }
    case kOpcuaAcknowledge:
    case kOpcuaError: {
      bool error = chunk.type == kOpcuaError;
      t.kind = PduKind::kResponse;
      t.exception = error;
      Count(dir, t, ctx);
      core::FixedText<64> result;
      if (error) {
        result.Append("error ");
        AppendStatus(result, chunk.error);
      } else {
        result.Append("ok");
      }
      auto hello = pending_.Take(kHelloKey);
      if (hello && hello->dir != dir) {
        Emit(*hello, ctx.frame, result.view(), ctx);
        return;
      }
      if (hello) pending_.Put(kHelloKey, *hello);
      // An Error may end a connection at any time, not only answer a Hello.
      if (error) {
        EmitOrphan(dir, kOpcuaError, "transport-error", IcsCategory::kSession, result.view(), ctx);
      } else {
        EmitOrphan(dir, kOpcuaHello, "hello", IcsCategory::kSession, result.view(), ctx);
      }
      return;
    }
    default:
      // ReverseHello: a server offering itself to a client that then says Hello.
      Count(dir, t, ctx);
      return;
  }
}

void OpcuaDissector::OnSecureChunk(flow::Direction dir, const OpcuaChunk& chunk, bool whole,
                                   const StreamContext& ctx) {
  size_t d = Index(dir);
  if (chunk.type == kOpcuaOpen) {
    std::string_view policy = OpcuaPolicyName(chunk.security_policy.view());
    policy_.Clear();
    policy_.Append(policy);
    security_ =
        IsOpcuaPolicyNone(chunk.security_policy.view()) ? Security::kNone : Security::kSecured;
    if (!chunk.sender_certificate.empty()) ReportCertificate(dir, chunk.sender_certificate, ctx);
  }
  if (chunk.channel_id != 0) channel_id_ = chunk.channel_id;
  if (!chunk.sequence_readable) {
    OnCiphertext(dir, chunk, ctx);
    return;
  }
  Tally t;
  t.message_type = chunk.type;
  OpenMessage& open = open_[d];
  if (chunk.chunk == 'A') {
    // The sender gave the message up: its first chunks are forgotten.
    if (open.active && open.request_id == chunk.request_id) open = {};
    Count(dir, t, ctx);
    return;
  }
  bool continues = open.active && open.request_id == chunk.request_id;
  if (chunk.chunk == 'C' && continues) {
    if (++open.chunks > kMaxChunksPerMessage) {
      ctx.anomalies->Raise("opcua.too_many_chunks");
      open = {};
    }
    Count(dir, t, ctx);
    return;
  }
  if (open.active && !continues) {
    // "MessageChunks belonging to the same Message shall be sent sequentially" (Part 6,
    // MessageChunks and error handling).
    ctx.anomalies->Raise("opcua.interleaved_chunks");
    open = {};
  }
  // The request this chunk may answer: sent the other way under the same request id.
  uint64_t key = ServiceKey(chunk.type == kOpcuaOpen, chunk.request_id);
  std::optional<Pending> request = pending_.Take(key);
  if (request && request->dir == dir) {
    pending_.Put(key, *request);
    request.reset();
  }
  const OpcuaReadTracking* read = request ? &request->read : nullptr;
  if (chunk.chunk == 'C') {
    // The first chunk: the type id and the first fields are here, the rest follows.
    open.active = true;
    open.request_id = chunk.request_id;
    open.chunks = 1;
    open.body = ParseOpcuaServiceBody(chunk.body, read, false, *ctx.anomalies);
    if (request) pending_.Put(key, *request);
    Count(dir, t, ctx);
    return;
  }
  OpcuaServiceBody body;
  if (continues) {
    body = open.body;
    open = {};
  } else {
    body = ParseOpcuaServiceBody(chunk.body, read, whole, *ctx.anomalies);
  }
  OnService(dir, chunk, body, request, ctx);
}

void OpcuaDissector::OnService(flow::Direction dir, const OpcuaChunk& chunk,
                               const OpcuaServiceBody& body, std::optional<Pending> request,
                               const StreamContext& ctx) {
  Tally t;
  t.message_type = chunk.type;
  uint64_t key = ServiceKey(chunk.type == kOpcuaOpen, chunk.request_id);
  if (!body.type_id_numeric) {
    if (request) pending_.Put(key, *request);
    Count(dir, t, ctx);
    return;
  }
  const OpcuaServiceInfo* service = body.service;
  t.has_function = true;
  t.function = body.type_id;
  t.kind = !service ? PduKind::kOther : (body.is_response ? PduKind::kResponse : PduKind::kRequest);
  t.exception = body.is_response &&
                (body.type_id == kOpcuaServiceFault || (body.service_result & kSeverityBad) != 0);
  Count(dir, t, ctx);
  if (!service) {
    if (request) pending_.Put(key, *request);
    return;
  }

  if (!body.is_response) {
    if (request) pending_.Put(key, *request);
    Pending p;
    p.key = key;
    p.function_code = service->request_id;
    p.function = service->name;
    p.category = service->category;
    p.target = body.target;
    p.request_frame = ctx.frame;
    p.ts = ctx.ts;
    p.dir = dir;
    p.read = body.read;
    if (body.type_id == kOpcuaOpenRequest) {
      p.target.Append("policy ").Append(policy_.view());
      static constexpr const char* kModes[] = {"invalid", "None", "Sign", "SignAndEncrypt"};
      p.target.Append(" mode ");
      if (body.security_mode < 4) {
        p.target.Append(kModes[body.security_mode]);
      } else {
        p.target.AppendUint(body.security_mode);
      }
      if (body.request_type == 1) p.target.Append(" renew");
      ReportPolicy(Reverse(dir), ctx);
    }
    if (body.type_id == 461) ReportClient(dir, body, ctx);
    if (body.type_id == kOpcuaCloseRequest) {
      // CloseSecureChannel has no response: the server closes the connection (Part 4 5.5.3).
      Emit(p, 0, "no-response", ctx);
      return;
    }
    Expect(p, ctx);
    return;
  }

  core::FixedText<64> result = Result(body);
  if (body.application.present) ReportServer(dir, body, ctx);
  if (body.build.present && !build_reported_) {
    build_reported_ = true;
    DeviceIdentity id = SenderIdentity(ctx, dir, kProtocol);
    AddField(id, "vendor", body.build.manufacturer.view());
    AddField(id, "product", body.build.product_name.view());
    std::string software(body.build.software_version.view());
    if (!body.build.build_number.empty()) {
      software.append(" build ").append(body.build.build_number.view());
    }
    AddField(id, "software", software);
    if (!id.fields.empty() && ctx.sink) ctx.sink->OnIdentity(id);
  }
  if (request) {
    Emit(*request, ctx.frame, result.view(), ctx);
  } else {
    uint32_t code = body.type_id == kOpcuaServiceFault ? kOpcuaServiceFault : service->request_id;
    EmitOrphan(dir, code, service->name, service->category, result.view(), ctx);
  }
}

void OpcuaDissector::OnCiphertext(flow::Direction dir, const OpcuaChunk& chunk,
                                  const StreamContext& ctx) {
  Tally t;
  t.message_type = chunk.type;
  t.encrypted = true;
  Count(dir, t, ctx);
  // Only the message type is known. An OpenSecureChannel names its policy in clear and
  // is answered by the other side's; a CloseSecureChannel is never answered; what a
  // ciphertext MSG asks is not guessed.
  if (chunk.type == kOpcuaOpen) {
    auto request = pending_.Take(kSecretOpenKey);
    if (request && request->dir != dir) {
      Emit(*request, ctx.frame, "ok", ctx);
      return;
    }
    if (request) Emit(*request, 0, "", ctx);
    Pending p;
    p.key = kSecretOpenKey;
    p.function_code = kOpcuaOpenRequest;
    p.function = "open-secure-channel";
    p.category = IcsCategory::kSession;
    p.target.Append("policy ").Append(policy_.view());
    p.request_frame = ctx.frame;
    p.ts = ctx.ts;
    p.dir = dir;
    Expect(p, ctx);
    ReportPolicy(Reverse(dir), ctx);
  } else if (chunk.type == kOpcuaClose && chunk.chunk == 'F') {
    Pending p;
    p.function_code = kOpcuaCloseRequest;
    p.function = "close-secure-channel";
    p.category = IcsCategory::kSession;
    p.request_frame = ctx.frame;
    p.ts = ctx.ts;
    p.dir = dir;
    Emit(p, 0, "no-response", ctx);
  }
}

void OpcuaDissector::Count(flow::Direction dir, const Tally& t, const StreamContext& ctx) {
  size_t d = Index(dir);
  if (holding_[d]) {
    // A large chunk's start is being read: its count waits for its end (see OnData).
    held_[d] = t;
    held_[d].held = true;
    return;
  }
  if (t.has_function) {
    CountPdu(ctx, kProtocol, t.function, t.kind, t.exception, "functions");
    CountDetail(ctx, kProtocol, "message_types", t.message_type);
  } else {
    CountPdu(ctx, kProtocol, t.message_type, t.kind, t.exception, "message_types");
  }
  if (t.encrypted) CountDetail(ctx, kProtocol, "encrypted", t.message_type);
}

void OpcuaDissector::Expect(const Pending& p, const StreamContext& ctx) {
  ExpectResponse(pending_, p, "opcua.unanswered_overflow", ctx,
                 [&](const Pending& earlier) { Emit(earlier, 0, "", ctx); });
}

void OpcuaDissector::Emit(const Pending& p, uint64_t response_frame, std::string_view result,
                          const StreamContext& ctx) {
  EmitPending(kProtocol, p, response_frame, result, seq_, ctx);
}

void OpcuaDissector::EmitOrphan(flow::Direction response_dir, uint32_t function_code,
                                const char* function, IcsCategory category, std::string_view result,
                                const StreamContext& ctx) {
  Pending p;
  p.function_code = function_code;
  p.function = function;
  p.category = category;
  p.ts = ctx.ts;
  p.dir = Reverse(response_dir);
  Emit(p, ctx.frame, result, ctx);
}

void OpcuaDissector::ReportServer(flow::Direction dir, const OpcuaServiceBody& body,
                                  const StreamContext& ctx) {
  if (server_reported_ || !ctx.sink) return;
  server_reported_ = true;
  DeviceIdentity id = SenderIdentity(ctx, dir, kProtocol);
  AddApplication(id, body.application);
  if (!id.fields.empty()) ctx.sink->OnIdentity(id);
}

void OpcuaDissector::ReportClient(flow::Direction dir, const OpcuaServiceBody& body,
                                  const StreamContext& ctx) {
  if (client_reported_ || !ctx.sink || !body.application.present) return;
  client_reported_ = true;
  DeviceIdentity id = SenderIdentity(ctx, dir, kProtocol);
  AddApplication(id, body.application);
  if (!id.fields.empty()) ctx.sink->OnIdentity(id);
}

void OpcuaDissector::ReportPolicy(flow::Direction server_dir, const StreamContext& ctx) {
  if (policy_reported_ || !ctx.sink || policy_.empty()) return;
  policy_reported_ = true;
  DeviceIdentity id = SenderIdentity(ctx, server_dir, kProtocol);
  AddField(id, "security_policy", policy_.view());
  ctx.sink->OnIdentity(id);
}

// The application instance certificate an OpenSecureChannel sends (Part 6 6.7.2.3): its
// subject names the application (often its product and host), its expiry says when the
// channel stops working.
void OpcuaDissector::ReportCertificate(flow::Direction dir, std::span<const uint8_t> der,
                                       const StreamContext& ctx) {
  bool& reported = certificate_reported_[Index(dir)];
  if (reported || !ctx.sink) return;
  reported = true;
  auto cert = tls::ParseCertificate(der);
  if (!cert) {
    ctx.anomalies->Raise("opcua.bad_certificate");
    return;
  }
  DeviceIdentity id = SenderIdentity(ctx, dir, kProtocol);
  AddField(id, "certificate", cert->subject.view());
  AddField(id, "certificate_expires", cert->not_after.view());
  ctx.sink->OnIdentity(id);
}

void OpcuaDissector::OnGap(flow::Direction dir, uint64_t, const StreamContext& ctx) {
  size_t d = Index(dir);
  // The next chunk starts somewhere in what follows; a chunk being skipped or followed
  // is lost with the gap.
  resync_[d] = true;
  resync_skipped_[d] = 0;
  skip_[d] = 0;
  held_[d] = {};
  open_[d] = {};
  // Responses that travelled in the lost bytes will never be seen.
  pending_.DrainIf([&](const Pending& p) { return Reverse(p.dir) == dir; },
                   [&](const Pending& p) { Emit(p, 0, "", ctx); });
}

void OpcuaDissector::OnEnd(const StreamContext& ctx) {
  pending_.Drain([&](const Pending& p) { Emit(p, 0, "", ctx); });
}

}  // namespace qw::dissect::opcua
