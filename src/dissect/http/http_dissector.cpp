#include "dissect/http/http_dissector.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/ascii.h"
#include "core/byte_reader.h"
#include "dissect/file_content.h"
#include "dissect/ics_common.h"
#include "dissect/onvif/onvif_parser.h"
#include "dissect/rtsp/rtsp_parser.h"

namespace qw::dissect::http {

namespace {

constexpr size_t kClient = 0;  // the initiator sends requests
constexpr size_t kServer = 1;

// Where one side of the connection stands.
enum class Phase : uint8_t { kHead, kBody, kResync, kOpaque };
// How the body being read ends.
enum class Framing : uint8_t { kLength, kChunked, kUntilClose, kInterleaved };
// Where a chunked body stands.
enum class ChunkStep : uint8_t { kSize, kData, kDataEnd, kTrailer };

// A request waiting for its response.
struct Pending {
  uint64_t id = 0;
  core::FixedText<16> method;
  uint8_t method_code = 0;
  core::FixedText<255> uri, host, user_agent, file_name;
  core::FixedText<127> content_type;
  uint64_t frame = 0;
  core::Timestamp ts;
  uint64_t body_bytes = 0;
  bool has_cseq = false;
  uint32_t cseq = 0;
};

// The body being read on one side.
struct Side {
  Phase phase = Phase::kHead;
  Framing framing = Framing::kLength;
  ChunkStep chunk = ChunkStep::kSize;
  uint64_t left = 0;  // bytes of the body (kLength) or of the chunk (kData) still to come
  uint64_t body_bytes = 0;
  uint64_t resync_bytes = 0;
  size_t trailer_fields = 0;
  uint64_t request_id = 0;          // client side: the request whose body this is
  std::optional<FileContent> file;  // the body is a file transfer
  int64_t declared = -1;
  // The body's file transfer, made at the first body that is a file (and reused): a flow of
  // requests without file bodies, a flood of GETs, holds none.
  std::unique_ptr<FileTransferObservation> transfer;
  bool capture = false;  // keep the body's first bytes (ONVIF SOAP, RTSP SDP)
  // The head being read: what ParseHead made of it so far, and where to go on from when it
  // was unfinished (a head sent a few bytes at a time is not read again from its start). A
  // head read whole in one call needs no room of the side's own (it is read into one Head
  // per thread): `head` is made when one is first found unfinished, and kept.
  std::unique_ptr<Head> head;
  HeadProgress progress;
};

class MessageDissector final : public Dissector {
 public:
  explicit MessageDissector(Dialect dialect)
      : dialect_(dialect), proto_(dialect == Dialect::kHttp ? "http" : "rtsp") {}

  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    const size_t d = static_cast<size_t>(dir);
    switch (side_[d].phase) {
      case Phase::kHead:
        return OnHead(d, bytes, ctx);
      case Phase::kBody:
        return OnBody(d, bytes, ctx);
      case Phase::kResync:
        return Resync(d, bytes, ctx);
      case Phase::kOpaque:
        break;
    }
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) override {
    const size_t d = static_cast<size_t>(dir);
    Side& s = side_[d];
    s.progress = {};
    switch (s.phase) {
      case Phase::kOpaque:
      case Phase::kResync:
        return;
      case Phase::kHead:
        Raise(ctx, "gap");
        s.phase = Phase::kResync;
        s.resync_bytes = 0;
        return;
      case Phase::kBody:
        break;
    }
    Raise(ctx, "gap");
    capture_len_ = 0;
    capture_broken_ = true;
    if (s.framing == Framing::kUntilClose) {
      if (s.file) s.file->Gap(n);
      return;
    }
    if (s.framing == Framing::kLength || s.framing == Framing::kInterleaved) {
      const uint64_t lost = std::min(n, s.left);
      if (s.file) s.file->Gap(lost);
      s.left -= lost;
      if (s.left > 0) return;
      EndBody(d, ctx);
      if (n > lost) {
        s.phase = Phase::kResync;
        s.resync_bytes = 0;
      }
      return;
    }
    // Chunked: the framing is lost with the bytes.
    if (s.file) s.file->Gap(n);
    EndBody(d, ctx);
    s.phase = Phase::kResync;
    s.resync_bytes = 0;
  }

  void OnEnd(const StreamContext& ctx) override {
    for (size_t d : {kClient, kServer}) {
      Side& s = side_[d];
      if (s.phase != Phase::kBody) continue;
      // A chunked body cut off by the end never showed its last chunk.
      if (s.framing == Framing::kChunked && s.file) s.file->Gap(1);
      EndBody(d, ctx);
    }
    if (upload_ready_) EmitUpload(ctx);
    if (exchange_open_) EmitExchange(exchange_, ctx);
    while (count_ > 0) EmitUnanswered(Pop(0), ctx);
  }

 private:
  // Raises "<proto>.<what>".
  void Raise(const StreamContext& ctx, std::string_view what) const {
    if (!ctx.anomalies) return;
    core::FixedText<64> name;
    name.Append(proto_).Append('.').Append(what);
    ctx.anomalies->Raise(name.view());
  }

  ParseResult OnHead(size_t d, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    core::ByteReader r(bytes);
    const uint8_t first = r.PeekU8();
    // RFC 9112 2.2: empty lines before a request line are ignored.
    if (first == '\n') return {Verdict::kConsumed, 1, 0};
    if (first == '\r') {
      if (bytes.size() < 2) return {Verdict::kNeedMore, 0, 1};
      if (r.PeekU8(1) == '\n') return {Verdict::kConsumed, 2, 0};
    }
    // RFC 2326 10.12: interleaved binary data, '$' channel:1 length:2 data.
    if (dialect_ == Dialect::kRtsp && first == '$') {
      auto frame = rtsp::ParseInterleaved(bytes);
      if (!frame) return {Verdict::kNeedMore, 0, 4 - bytes.size()};
      Side& s = side_[d];
      s.phase = Phase::kBody;
      s.framing = Framing::kInterleaved;
      s.left = frame->length;
      if (s.left == 0) s.phase = Phase::kHead;
      return {Verdict::kConsumed, 4, 0};
    }
    const bool request = d == kClient;
    Side& side = side_[d];
    static thread_local Head whole;
    Head& head = side.head ? *side.head : whole;
    const HeadResult res = ParseHead(bytes, dialect_, request, head, &side.progress);
    if (res.status == HeadStatus::kNeedMore) {
      if (!side.head) side.head = std::make_unique<Head>(head);  // read on into it next time
      return {Verdict::kNeedMore, 0, 1};
    }
    if (res.status == HeadStatus::kInvalid) {
      // Skip the line that failed (its start line, or all of it when it has no end): the
      // search for the next message begins after it.
      Raise(ctx, res.anomaly);
      side_[d].phase = Phase::kResync;
      side_[d].resync_bytes = 0;
      return {Verdict::kConsumed, LineEnd(bytes).value_or(bytes.size()), 0};
    }
    if (head.anomaly) Raise(ctx, head.anomaly);
    if (request) {
      OnRequest(ctx, head);
    } else {
      OnResponse(ctx, head);
    }
    return {Verdict::kConsumed, head.length, 0};
  }

  void OnRequest(const StreamContext& ctx, const Head& h) {
    CountPdu(ctx, proto_, h.method_code, PduKind::kRequest, false, "methods");
    if (!h.user_agent.empty() && !client_named_) {
      client_named_ = true;
      Identify(ctx, flow::Direction::kFromInitiator,
               dialect_ == Dialect::kHttp ? "http_user_agent" : "rtsp_user_agent",
               h.user_agent.view());
    }
    if (count_ == kMaxPendingRequests) {
      Raise(ctx, "too_many_pending");
      EmitUnanswered(Pop(0), ctx);
    }
    if (count_ == queue_.size()) GrowQueue();
    Pending& p = At(count_++);
    p = Pending{};
    p.id = ++next_id_;
    p.method = h.method;
    p.method_code = h.method_code;
    p.uri = h.uri;
    p.host = h.host;
    p.user_agent = h.user_agent;
    p.content_type = h.content_type;
    p.frame = ctx.frame;
    p.ts = ctx.ts;
    p.has_cseq = h.has_cseq;
    p.cseq = h.cseq;
    if (!h.disposition_name.empty()) {
      p.file_name = h.disposition_name;
    } else {
      p.file_name.AppendPrintable(UriFileName(h.uri.view()));
    }
    Side& s = side_[kClient];
    s.request_id = p.id;
    uint64_t length = 0;
    if (h.chunked) {
      BeginBody(s, Framing::kChunked, 0);
    } else if (h.content_length > 0) {
      length = static_cast<uint64_t>(h.content_length);
      BeginBody(s, Framing::kLength, length);
    }
    if (s.phase != Phase::kBody || dialect_ != Dialect::kHttp) return;
    const bool upload_method = h.method_code == 3 || h.method_code == 4;  // POST, PUT
    if (!upload_method || !IsFileBody(h.content_type.view(), !h.disposition_name.empty())) return;
    if (upload_ready_) EmitUpload(ctx);
    StartTransfer(s, p, ctx, true);
    s.transfer->media_type = h.content_type;
    s.declared = h.content_length;
  }

  void OnResponse(const StreamContext& ctx, const Head& h) {
    CountPdu(ctx, proto_, h.status, PduKind::kResponse, h.status >= 400, "status");
    if (!h.server.empty() && !server_named_) {
      server_named_ = true;
      Identify(ctx, flow::Direction::kFromResponder,
               dialect_ == Dialect::kHttp ? "http_server" : "rtsp_server", h.server.view());
    }
    // An interim response answers nothing yet (RFC 9110 15.2), 101 excepted.
    if (h.status < 200 && h.status != 101) return;
    if (exchange_open_) EmitExchange(exchange_, ctx);
    StartExchange(TakeFor(h));
    exchange_.response_frame = ctx.frame;
    exchange_.status = h.status;
    exchange_.server = h.server;
    if (!h.content_type.empty()) exchange_.content_type = h.content_type;
    if (exchange_.request_frame == 0) exchange_.ts = ctx.ts;
    SetUploadResult(exchange_id_, h.status, ctx);
    const uint8_t method = exchange_method_;
    // A switch of protocols, or a tunnel: what follows is not HTTP.
    if (h.status == 101 || (method == 6 && h.status < 300)) {
      EmitExchange(exchange_, ctx);
      side_[kClient].phase = Phase::kOpaque;
      side_[kServer].phase = Phase::kOpaque;
      return;
    }
    Side& s = side_[kServer];
    const bool no_body = method == 2 || h.status == 204 || h.status == 304;
    if (no_body) {
      EmitExchange(exchange_, ctx);
      return;
    }
    if (h.chunked) {
      BeginBody(s, Framing::kChunked, 0);
    } else if (h.content_length >= 0) {
      if (h.content_length > 0)
        BeginBody(s, Framing::kLength, static_cast<uint64_t>(h.content_length));
    } else if (dialect_ == Dialect::kHttp) {
      BeginBody(s, Framing::kUntilClose, 0);
    }
    if (s.phase != Phase::kBody) {
      EmitExchange(exchange_, ctx);
      return;
    }
    capture_len_ = 0;
    capture_broken_ = false;
    s.capture = WantsCapture(h);
    if (s.capture && !capture_) capture_ = std::make_unique<CaptureBuffer>();
    if (dialect_ != Dialect::kHttp || h.status < 200 || h.status >= 300) return;
    if (!IsFileBody(h.content_type.view(), !h.disposition_name.empty())) return;
    Pending p;
    p.method.Append(exchange_.method.view());
    p.method_code = method;
    p.host = exchange_.host;
    p.frame = exchange_.request_frame != 0 ? exchange_.request_frame : ctx.frame;
    p.ts = exchange_.ts;
    p.file_name = h.disposition_name.empty() ? exchange_.file_name : h.disposition_name;
    StartTransfer(s, p, ctx, false);
    s.transfer->media_type = h.content_type;
    s.transfer->result.AppendUint(h.status);
    s.declared = h.chunked ? -1 : h.content_length;
  }

  // Bodies kept whole (the first bytes): ONVIF SOAP answers and RTSP session descriptions.
  bool WantsCapture(const Head& h) const {
    if (dialect_ == Dialect::kRtsp) return core::ContainsNoCase(h.content_type.view(), "sdp");
    return core::ContainsNoCase(exchange_.uri.view(), "/onvif/") &&
           core::ContainsNoCase(h.content_type.view(), "xml");
  }

  void BeginBody(Side& s, Framing framing, uint64_t length) {
    s.phase = Phase::kBody;
    s.framing = framing;
    s.chunk = ChunkStep::kSize;
    s.left = length;
    s.body_bytes = 0;
    s.trailer_fields = 0;
    s.capture = false;
    s.file.reset();
    s.declared = -1;
  }

  void StartTransfer(Side& s, const Pending& p, const StreamContext& ctx, bool upload) {
    s.file.emplace(ctx.max_hashed_file_bytes);
    if (!s.transfer) s.transfer = std::make_unique<FileTransferObservation>();
    FileTransferObservation& t = *s.transfer;
    t = FileTransferObservation{};
    t.protocol = "http";
    t.command = MethodName(p.method_code);
    if (p.method.empty()) t.command = "";
    t.capture_index = ctx.capture_index;
    t.frame = p.frame;
    t.ts = p.ts;
    t.upload = upload;
    t.file_name = p.file_name;
    t.location = p.host;
    FillClientServer(ctx, flow::Direction::kFromInitiator, t);
  }

  ParseResult OnBody(size_t d, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    Side& s = side_[d];
    if (s.framing == Framing::kChunked && s.chunk != ChunkStep::kData) {
      return OnChunkFraming(d, bytes, ctx);
    }
    const uint64_t n =
        s.framing == Framing::kUntilClose ? bytes.size() : std::min<uint64_t>(s.left, bytes.size());
    core::ByteReader r(bytes);
    const std::span<const uint8_t> part = r.Bytes(static_cast<size_t>(n));
    if (s.framing != Framing::kInterleaved) {
      s.body_bytes += n;
      if (s.file) s.file->Append(part);
      if (s.capture) Capture(part);
    }
    if (s.framing == Framing::kUntilClose) return {Verdict::kConsumed, part.size(), 0};
    s.left -= n;
    if (s.left == 0) {
      if (s.framing == Framing::kChunked) {
        s.chunk = ChunkStep::kDataEnd;
      } else if (s.framing == Framing::kInterleaved) {
        s.phase = Phase::kHead;
      } else {
        EndBody(d, ctx);
      }
    }
    return {Verdict::kConsumed, part.size(), 0};
  }

  ParseResult OnChunkFraming(size_t d, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    Side& s = side_[d];
    if (s.chunk == ChunkStep::kSize) {
      const ChunkLine c = ParseChunkLine(bytes);
      if (c.status == HeadStatus::kNeedMore) return {Verdict::kNeedMore, 0, 1};
      if (c.status == HeadStatus::kInvalid) return BadChunk(d, bytes, ctx);
      if (c.size == 0) {
        s.chunk = ChunkStep::kTrailer;
      } else {
        s.chunk = ChunkStep::kData;
        s.left = c.size;
      }
      return {Verdict::kConsumed, c.length, 0};
    }
    const auto end = LineEnd(bytes);
    if (!end) {
      if (bytes.size() >= kMaxLineBytes) return BadChunk(d, bytes, ctx);
      return {Verdict::kNeedMore, 0, 1};
    }
    const bool empty = *end == 1 || (*end == 2 && core::ByteReader(bytes).PeekU8() == '\r');
    if (s.chunk == ChunkStep::kDataEnd) {
      if (!empty) return BadChunk(d, bytes, ctx);
      s.chunk = ChunkStep::kSize;
      return {Verdict::kConsumed, *end, 0};
    }
    // Trailer fields until the empty line.
    if (empty) {
      EndBody(d, ctx);
      return {Verdict::kConsumed, *end, 0};
    }
    if (++s.trailer_fields > kMaxFields) {
      Raise(ctx, "too_many_fields");
      return BadChunk(d, bytes, ctx);
    }
    return {Verdict::kConsumed, *end, 0};
  }

  ParseResult BadChunk(size_t d, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    Raise(ctx, "bad_chunk");
    Side& s = side_[d];
    if (s.file) s.file->Gap(1);  // the body's end is unknown: never complete
    EndBody(d, ctx);
    s.phase = Phase::kResync;
    s.resync_bytes = 0;
    return Resync(d, bytes, ctx);
  }

  void Capture(std::span<const uint8_t> part) {
    if (!capture_ || capture_broken_) return;
    core::ByteReader r(part);
    const size_t room = capture_->size() - capture_len_;
    for (uint8_t b : r.Bytes(std::min(room, part.size()))) (*capture_)[capture_len_++] = b;
  }

  // The body on side d ended (complete, or given up on).
  void EndBody(size_t d, const StreamContext& ctx) {
    Side& s = side_[d];
    s.phase = Phase::kHead;
    if (s.framing == Framing::kInterleaved) return;
    if (d == kClient) {
      for (size_t i = 0; i < count_; ++i) {
        Pending& p = At(i);
        if (p.id == s.request_id) p.body_bytes = s.body_bytes;
      }
      if (exchange_open_ && exchange_id_ == s.request_id) {
        exchange_.request_body_bytes = s.body_bytes;
      }
      if (s.file) {
        s.transfer->end_frame = ctx.frame;
        s.file->Finish(s.declared, *s.transfer);
        s.file.reset();
        upload_ready_ = true;
        upload_id_ = s.request_id;
        if (!s.transfer->result.empty()) EmitUpload(ctx);
      }
      return;
    }
    exchange_.response_body_bytes = s.body_bytes;
    if (s.file) {
      s.transfer->end_frame = ctx.frame;
      s.file->Finish(s.declared, *s.transfer);
      s.file.reset();
      if (s.transfer->bytes > 0 || s.transfer->declared_size > 0) {
        s.transfer->seq = transfer_seq_.Next(s.transfer->frame);
        ctx.sink->OnFileTransfer(*s.transfer);
      }
    }
    if (s.capture && capture_ && !capture_broken_) ReadCaptured(ctx);
    s.capture = false;
    if (exchange_open_) EmitExchange(exchange_, ctx);
  }

  void ReadCaptured(const StreamContext& ctx) {
    const std::span<const uint8_t> body(capture_->data(), capture_len_);
    if (dialect_ == Dialect::kRtsp) {
      if (auto sdp = rtsp::ParseSdpNames(body)) {
        DeviceIdentity id = SenderIdentity(ctx, flow::Direction::kFromResponder, "rtsp");
        if (!sdp->session.empty()) id.fields.emplace_back("rtsp_session", sdp->session.str());
        if (!sdp->info.empty()) id.fields.emplace_back("rtsp_session_info", sdp->info.str());
        if (!id.fields.empty()) ctx.sink->OnIdentity(id);
      }
      return;
    }
    auto info = onvif::ParseDeviceInformation(body);
    if (!info) return;
    if (info->capped && ctx.anomalies) ctx.anomalies->Raise("onvif.search_capped");
    DeviceIdentity id = SenderIdentity(ctx, flow::Direction::kFromResponder, "onvif");
    const std::pair<const char*, std::string_view> fields[] = {
        {"vendor", info->manufacturer.view()},
        {"model", info->model.view()},
        {"firmware", info->firmware.view()},
        {"serial", info->serial.view()},
        {"hardware_id", info->hardware_id.view()}};
    for (const auto& [key, value] : fields) {
      if (!value.empty()) id.fields.emplace_back(key, std::string(value));
    }
    ctx.sink->OnIdentity(id);
  }

  // Skips lines until one starts a message of this side.
  ParseResult Resync(size_t d, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    Side& s = side_[d];
    const Check c = CheckStartLine(bytes, dialect_, d == kClient);
    if (c == Check::kYes) {
      s.phase = Phase::kHead;
      return OnHead(d, bytes, ctx);
    }
    const auto end = LineEnd(bytes);
    if (c == Check::kMaybe && !end) return {Verdict::kNeedMore, 0, 1};
    const size_t skip = end.value_or(bytes.size());
    s.resync_bytes += skip;
    if (s.resync_bytes > kMaxResyncBytes) {
      Raise(ctx, "resync_failed");
      s.phase = Phase::kOpaque;
    }
    return {Verdict::kConsumed, skip, 0};
  }

  void Identify(const StreamContext& ctx, flow::Direction dir, const char* key,
                std::string_view value) {
    DeviceIdentity id = SenderIdentity(ctx, dir, proto_);
    id.fields.emplace_back(key, std::string(value));
    ctx.sink->OnIdentity(id);
  }

  // The request at position i of the queue (0: the oldest).
  Pending& At(size_t i) { return queue_[(head_index_ + i) % queue_.size()]; }

  // Doubles the queue's room (kMaxPendingRequests at most), the oldest request first: most
  // flows have one request out at a time, and a flood of them should not each hold room
  // for eight.
  void GrowQueue() {
    std::vector<Pending> grown(std::min(kMaxPendingRequests, std::max<size_t>(1, 2 * count_)));
    for (size_t i = 0; i < count_; ++i) grown[i] = std::move(At(i));
    queue_ = std::move(grown);
    head_index_ = 0;
  }

  // Removes and returns the request at position i of the queue.
  Pending Pop(size_t i) {
    Pending out = At(i);
    for (size_t j = i; j > 0; --j) At(j) = At(j - 1);
    head_index_ = (head_index_ + 1) % queue_.size();
    --count_;
    return out;
  }

  // The request a response answers: RTSP by CSeq, else the oldest; empty when none.
  Pending TakeFor(const Head& h) {
    if (count_ == 0) return Pending{};
    if (dialect_ == Dialect::kRtsp && h.has_cseq) {
      for (size_t i = 0; i < count_; ++i) {
        const Pending& p = At(i);
        if (p.has_cseq && p.cseq == h.cseq) return Pop(i);
      }
      return Pending{};
    }
    return Pop(0);
  }

  // The exchange of request p, as far as the request goes.
  void FillRequest(const Pending& p, HttpObservation& e) const {
    e = HttpObservation{};
    e.method = p.method;
    e.uri = p.uri;
    e.host = p.host;
    e.user_agent = p.user_agent;
    e.content_type = p.content_type;
    e.file_name = p.file_name;
    e.request_frame = p.frame;
    e.ts = p.ts;
    e.request_body_bytes = p.body_bytes;
    if (p.id != 0 && side_[kClient].phase == Phase::kBody && side_[kClient].request_id == p.id) {
      e.request_body_bytes = side_[kClient].body_bytes;
    }
  }

  void StartExchange(const Pending& p) {
    FillRequest(p, exchange_);
    exchange_open_ = true;
    exchange_id_ = p.id;
    exchange_method_ = p.method_code;
  }

  // Reports request p as never answered.
  void EmitUnanswered(const Pending& p, const StreamContext& ctx) {
    HttpObservation e;
    FillRequest(p, e);
    EmitExchange(e, ctx);
  }

  void EmitExchange(HttpObservation& e, const StreamContext& ctx) {
    if (&e == &exchange_) exchange_open_ = false;
    e.protocol = proto_;
    e.capture_index = ctx.capture_index;
    FillClientServer(ctx, flow::Direction::kFromInitiator, e);
    e.seq = exchange_seq_.Next(e.request_frame != 0 ? e.request_frame : e.response_frame);
    ctx.sink->OnHttp(e);
  }

  // The response to request `id` came with `status`: the upload of that request says so,
  // and is reported when its body has ended.
  void SetUploadResult(uint64_t id, uint16_t status, const StreamContext& ctx) {
    Side& c = side_[kClient];
    const bool ready = upload_ready_ && upload_id_ == id;
    const bool in_progress = c.file.has_value() && c.request_id == id;
    if (!ready && !in_progress) return;
    c.transfer->result.Clear();
    c.transfer->result.AppendUint(status);
    if (ready) EmitUpload(ctx);
  }

  void EmitUpload(const StreamContext& ctx) {
    upload_ready_ = false;
    FileTransferObservation& t = *side_[kClient].transfer;
    if (t.bytes == 0 && t.declared_size <= 0) return;
    t.seq = transfer_seq_.Next(t.frame);
    ctx.sink->OnFileTransfer(t);
  }

  using CaptureBuffer = std::array<uint8_t, onvif::kMaxBodyBytes>;

  Dialect dialect_;
  const char* proto_;
  Side side_[2];
  // Requests awaiting their responses, a ring from head_index_; grown as more wait at once.
  std::vector<Pending> queue_;
  size_t head_index_ = 0, count_ = 0;
  uint64_t next_id_ = 0;
  HttpObservation exchange_;  // the exchange whose response is being read
  bool exchange_open_ = false;
  uint64_t exchange_id_ = 0;
  uint8_t exchange_method_ = 0;
  bool upload_ready_ = false;  // the client side's transfer ended and waits for its result
  uint64_t upload_id_ = 0;
  bool client_named_ = false, server_named_ = false;
  std::unique_ptr<CaptureBuffer> capture_;  // made at the first body kept, once per flow
  size_t capture_len_ = 0;
  bool capture_broken_ = false;
  FrameSeq exchange_seq_, transfer_seq_;
};

}  // namespace

ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes) {
  switch (CheckStartLine(first_bytes, Dialect::kHttp, dir == flow::Direction::kFromInitiator)) {
    case Check::kYes:
      return ProbeResult::kYes;
    case Check::kMaybe:
      return ProbeResult::kMaybe;
    case Check::kNo:
      break;
  }
  return ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return CreateFor(Dialect::kHttp); }

std::unique_ptr<Dissector> CreateFor(Dialect dialect) {
  return std::make_unique<MessageDissector>(dialect);
}

}  // namespace qw::dissect::http
