#include "dissect/smb2/smb2_dissector.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/byte_reader.h"
#include "dissect/file_content.h"
#include "dissect/ics_common.h"
#include "dissect/smb2/smb2_parser.h"

namespace qw::dissect::smb2 {

namespace {

// Bytes of a long message read before its data is streamed: the largest fixed part read.
constexpr size_t kStreamHeadBytes = kWriteRequestFixedBytes;

// A request waiting for its response, with what the response needs to be understood.
struct Pending {
  uint64_t key = 0;  // MessageId
  uint16_t command = 0;
  uint64_t frame = 0;
  core::Timestamp ts;
  uint32_t tree_id = 0;
  bool chained = false;  // a related request naming the file of the one before it
  FileId file_id;
  uint64_t offset = 0;
  Name name;  // TREE_CONNECT path, CREATE file name
};

// A share the client connected to.
struct Tree {
  bool used = false;
  uint32_t id = 0;
  Name path;
};

// One direction of an open file's content.
struct Content {
  std::optional<FileContent> data;  // made at the first byte
  bool error = false;
  uint32_t status = kStatusSuccess;  // the first error a read or write of it met
  uint64_t end_frame = 0;
};

// A file opened by CREATE (or first seen in a READ or WRITE), until it is closed.
struct OpenFile {
  bool used = false;
  uint64_t order = 0;  // when it was opened, for evicting the oldest and ordering reports
  FileId id;
  Name name, location;
  uint64_t frame = 0;
  core::Timestamp ts;
  uint32_t seq = 0;          // the first of two numbers kept for its reports
  int64_t end_of_file = -1;  // CREATE response
  int64_t close_size = -1;   // CLOSE response with attributes
  Content write, read;
};

// Where the data of the message being read lies, and whose it is.
struct DataTarget {
  bool active = false;
  bool upload = false;  // WRITE request data, else READ response data
  FileId file;
  uint64_t file_offset = 0;
  uint64_t begin = 0, end = 0;  // in the message's coordinates
};

// How a direction of the flow is being read.
enum class Mode : uint8_t { kFrame, kStream, kResync, kOpaque };

// The PDU a long message counts once it has all come.
struct DeferredCount {
  bool active = false;
  const char* protocol = "smb2";
  const char* histogram = "commands";
  uint32_t code = 0;
  PduKind kind = PduKind::kOther;
  bool exception = false;
};

// How one direction of the flow is being read, and what its current message holds.
struct Side {
  Mode mode = Mode::kFrame;
  uint64_t pos = 0, left = 0;  // kStream: offset in the message, bytes still to come
  DataTarget target;
  DeferredCount count;
  uint64_t resync_bytes = 0;
};

class Smb2Dissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    Side& s = side_[static_cast<size_t>(dir)];
    switch (s.mode) {
      case Mode::kFrame:
        return OnFrame(dir, bytes, ctx);
      case Mode::kStream:
        return OnStream(s, bytes, ctx);
      case Mode::kResync:
        return OnResync(dir, bytes, ctx);
      case Mode::kOpaque:
        break;
    }
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) override {
    Side& s = side_[static_cast<size_t>(dir)];
    if (s.mode == Mode::kOpaque) return;
    if (s.mode == Mode::kStream && n < s.left) {
      // The hole lies inside the message being streamed: its framing survives.
      if (OpenFile* f = s.target.active ? Find(s.target.file) : nullptr) {
        const uint64_t from = std::max(s.pos, s.target.begin);
        const uint64_t to = std::min(s.pos + n, s.target.end);
        Content& c = Of(*f, s.target.upload);
        if (!c.data) c.data.emplace(ctx.max_hashed_file_bytes);
        if (to > from) c.data->Gap(to - from);
      }
      s.pos += n;
      s.left -= n;
      return;
    }
    ctx.anomalies->Raise("smb2.gap");
    s.target.active = false;
    s.count.active = false;
    s.mode = Mode::kResync;
    s.resync_bytes = 0;
  }

  void OnEnd(const StreamContext& ctx) override {
    for (;;) {
      OpenFile* oldest = nullptr;
      for (auto& f : files_) {
        if (f.used && (!oldest || f.order < oldest->order)) oldest = &f;
      }
      if (!oldest) break;
      Report(*oldest, ctx);
    }
  }

 private:
  // Content of one direction of a file.
  static Content& Of(OpenFile& f, bool upload) { return upload ? f.write : f.read; }

  ParseResult Garbage(flow::Direction dir, const char* anomaly, const StreamContext& ctx) {
    // Before any message the bytes were never SMB: let go of the flow.
    if (!seen_message_) return {Verdict::kNotThisProtocol, 0, 0};
    ctx.anomalies->Raise(anomaly);
    Side& s = side_[static_cast<size_t>(dir)];
    s.mode = Mode::kResync;
    s.resync_bytes = 0;
    return {Verdict::kConsumed, 1, 0};
  }

  ParseResult OnFrame(flow::Direction dir, std::span<const uint8_t> bytes,
                      const StreamContext& ctx) {
    auto nbss = ParseNbss(bytes);
    if (!nbss) return {Verdict::kNeedMore, 0, kNbssHeaderBytes - bytes.size()};
    if (nbss->type != kNbssMessage) {
      // RFC 1002 4.3: session request, responses, retarget and keep-alive carry no SMB.
      if (nbss->type < kNbssSessionRequest || nbss->type > kNbssKeepAlive ||
          nbss->length > kMaxControlPacketBytes) {
        return Garbage(dir, "smb2.bad_framing", ctx);
      }
      const size_t whole = kNbssHeaderBytes + nbss->length;
      if (bytes.size() < whole) return {Verdict::kNeedMore, 0, whole - bytes.size()};
      return {Verdict::kConsumed, whole, 0};
    }
    if (nbss->length > kMaxMessageBytes) return Garbage(dir, "smb2.message_too_long", ctx);
    core::ByteReader r(bytes);
    r.Skip(kNbssHeaderBytes);
    if (nbss->length < 4) return Garbage(dir, "smb2.bad_framing", ctx);
    if (r.remaining() < 4) return {Verdict::kNeedMore, 0, 4 - r.remaining()};
    const MessageKind kind = Classify(r.PeekRest());
    if (kind == MessageKind::kUnknown) return Garbage(dir, "smb2.bad_framing", ctx);
    seen_message_ = true;
    if (nbss->length <= kMaxParsedMessageBytes) {
      if (r.remaining() < nbss->length) {
        return {Verdict::kNeedMore, 0, nbss->length - r.remaining()};
      }
      DataTarget target;
      OnMessage(dir, r.Bytes(nbss->length), nullptr, target, ctx);
      return {Verdict::kConsumed, kNbssHeaderBytes + nbss->length, 0};
    }
    // A long message: read its head, then stream the rest.
    const size_t head = std::min<size_t>(nbss->length, kStreamHeadBytes);
    if (r.remaining() < head) return {Verdict::kNeedMore, 0, head - r.remaining()};
    Side& s = side_[static_cast<size_t>(dir)];
    s.target = {};
    s.count = {};
    OnMessage(dir, r.Bytes(head), &s.count, s.target, ctx);
    s.mode = Mode::kStream;
    s.pos = 0;
    s.left = nbss->length;
    return {Verdict::kConsumed, kNbssHeaderBytes, 0};
  }

  ParseResult OnStream(Side& s, std::span<const uint8_t> bytes, const StreamContext& ctx) {
    core::ByteReader r(bytes);
    const size_t n = static_cast<size_t>(std::min<uint64_t>(bytes.size(), s.left));
    std::span<const uint8_t> chunk = r.Bytes(n);
    if (s.target.active) {
      const uint64_t from = std::max(s.pos, s.target.begin);
      const uint64_t to = std::min(s.pos + n, s.target.end);
      if (to > from) {
        core::ByteReader c(chunk);
        c.Skip(static_cast<size_t>(from - s.pos));
        Deliver(s.target, s.target.file_offset + (from - s.target.begin),
                c.Bytes(static_cast<size_t>(to - from)), ctx);
      }
    }
    s.pos += n;
    s.left -= n;
    if (s.left == 0) {
      s.mode = Mode::kFrame;
      s.target.active = false;
      if (s.count.active) {
        CountPdu(ctx, s.count.protocol, s.count.code, s.count.kind, s.count.exception,
                 s.count.histogram);
        s.count.active = false;
      }
    }
    return {Verdict::kConsumed, n, 0};
  }

  ParseResult OnResync(flow::Direction dir, std::span<const uint8_t> bytes,
                       const StreamContext& ctx) {
    Side& s = side_[static_cast<size_t>(dir)];
    core::ByteReader r(bytes);
    // A session message header followed by one of the four protocol ids.
    while (r.remaining() >= 8) {
      if (r.PeekU8() == kNbssMessage && (r.PeekU8(4) & 0xFC) == 0xFC && r.PeekU8(5) == 'S' &&
          r.PeekU8(6) == 'M' && r.PeekU8(7) == 'B') {
        break;
      }
      r.Skip(1);
    }
    if (r.remaining() >= 8) {
      s.mode = Mode::kFrame;
      if (r.position() == 0) return OnFrame(dir, bytes, ctx);
      return {Verdict::kConsumed, r.position(), 0};
    }
    if (bytes.size() < 8) return {Verdict::kNeedMore, 0, 8 - bytes.size()};
    const size_t skipped = bytes.size() - 7;
    s.resync_bytes += skipped;
    if (s.resync_bytes > kMaxResyncBytes) {
      ctx.anomalies->Raise("smb2.resync_failed");
      s.mode = Mode::kOpaque;
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    return {Verdict::kConsumed, skipped, 0};
  }

  // One message (or the head of a long one, then `deferred` takes its count and `target`
  // where its data lies).
  void OnMessage(flow::Direction dir, std::span<const uint8_t> msg, DeferredCount* deferred,
                 DataTarget& target, const StreamContext& ctx) {
    switch (Classify(msg)) {
      case MessageKind::kSmb1:
        if (auto h = ParseSmb1(msg)) {
          const bool error = h->response && h->status != kStatusSuccess &&
                             !(h->command == 0x73 && h->status == kStatusMoreProcessingRequired);
          Count(deferred, ctx, "smb", "commands", h->command,
                h->response ? PduKind::kResponse : PduKind::kRequest, error);
        } else {
          ctx.anomalies->Raise("smb.bad_header");
        }
        return;
      case MessageKind::kTransform:
        Count(deferred, ctx, "smb2", "transform", 0xFD, PduKind::kOther, false);
        return;
      case MessageKind::kCompressed:
        Count(deferred, ctx, "smb2", "transform", 0xFC, PduKind::kOther, false);
        return;
      case MessageKind::kSmb2:
        break;
      case MessageKind::kUnknown:
        return;
    }
    core::ByteReader r(msg);
    chain_valid_ = false;
    for (size_t i = 0; !r.empty(); ++i) {
      if (i == kMaxCompoundMembers) {
        ctx.anomalies->Raise("smb2.too_many_compounded");
        return;
      }
      auto h = ParseHeader(r.PeekRest());
      if (!h) {
        ctx.anomalies->Raise("smb2.bad_header");
        return;
      }
      size_t len = r.remaining();
      bool last = h->next_command == 0;
      if (deferred && !last) {
        // Members after the first of a long message lie beyond its head.
        ctx.anomalies->Raise("smb2.long_compound");
        last = true;
      }
      if (!last) {
        if (h->next_command < kHeaderBytes || h->next_command > r.remaining() ||
            h->next_command % 8 != 0) {
          ctx.anomalies->Raise("smb2.bad_next_command");
          last = true;
        } else {
          len = h->next_command;
        }
      }
      const std::span<const uint8_t> member = r.Bytes(len);
      OnMember(dir, *h, member, deferred, target, ctx);
      if (target.active && !deferred) {
        DeliverWithin(member, target, ctx);
        target.active = false;
      }
      if (last) return;
    }
  }

  void Count(DeferredCount* deferred, const StreamContext& ctx, const char* protocol,
             const char* histogram, uint32_t code, PduKind kind, bool exception) {
    if (deferred) {
      *deferred = {true, protocol, histogram, code, kind, exception};
      return;
    }
    CountPdu(ctx, protocol, code, kind, exception, histogram);
  }

  void OnMember(flow::Direction dir, const Header& h, std::span<const uint8_t> member,
                DeferredCount* deferred, DataTarget& target, const StreamContext& ctx) {
    const bool exception =
        h.response() && IsError(h.status) &&
        !(h.command == kSessionSetup && h.status == kStatusMoreProcessingRequired);
    Count(deferred, ctx, "smb2", "commands", h.command,
          h.response() ? PduKind::kResponse : PduKind::kRequest, exception);
    if (h.response()) {
      OnResponse(h, member, target, ctx);
    } else {
      OnRequest(dir, h, member, target, ctx);
    }
  }

  void OnRequest(flow::Direction dir, const Header& h, std::span<const uint8_t> member,
                 DataTarget& target, const StreamContext& ctx) {
    Pending p;
    p.key = h.message_id;
    p.command = h.command;
    p.frame = ctx.frame;
    p.ts = ctx.ts;
    p.tree_id = h.tree_id;
    bool ok = true;
    switch (h.command) {
      case kSessionSetup:
        if (auto a = ParseSessionSetupNtlm(member)) Identify(dir, *a, ctx);
        return;
      case kTreeConnect:
        if (auto t = ParseTreeConnectRequest(member)) {
          p.name = t->path;
        } else {
          ok = false;
        }
        break;
      case kCreate:
        if (auto c = ParseCreateRequest(member)) {
          p.name = c->name;
        } else {
          ok = false;
        }
        break;
      case kRead:
        if (auto q = ParseReadRequest(member)) {
          p.file_id = q->file_id;
          p.offset = q->offset;
          p.chained = h.related() && q->file_id.IsChained();
        } else {
          ok = false;
        }
        break;
      case kWrite:
        if (auto w = ParseWriteRequest(member)) {
          p.file_id = w->file_id;
          p.offset = w->offset;
          // The file of a related write is only known once the CREATE before it is
          // answered; its data is not followed.
          p.chained = h.related() && w->file_id.IsChained();
          if (!p.chained && w->data.data_length > 0) {
            FindOrAdd(w->file_id, ctx);
            target = {true,
                      true,
                      w->file_id,
                      w->offset,
                      w->data.data_offset,
                      uint64_t{w->data.data_offset} + w->data.data_length};
          }
        } else {
          ok = false;
        }
        break;
      case kClose:
        if (auto id = ParseCloseRequest(member)) {
          p.file_id = *id;
          p.chained = h.related() && id->IsChained();
        } else {
          ok = false;
        }
        break;
      default:
        return;  // nothing of its answer is kept
    }
    if (!ok) {
      ctx.anomalies->Raise("smb2.bad_body");
      return;
    }
    ExpectResponse(pending_, p, "smb2.too_many_pending", ctx, [](const Pending&) {});
  }

  void OnResponse(const Header& h, std::span<const uint8_t> member, DataTarget& target,
                  const StreamContext& ctx) {
    // [MS-SMB2] 3.3.4.2: an interim answer; the final one follows under the same id.
    if (h.async() && h.status == kStatusPending) return;
    auto p = pending_.Take(h.message_id);
    if (!p) return;
    if (p->command != h.command) {
      ctx.anomalies->Raise("smb2.response_mismatch");
      return;
    }
    const bool success = h.status == kStatusSuccess;
    FileId id = p->file_id;
    if (p->chained) {
      if (!chain_valid_) return;
      id = chain_file_;
    }
    switch (h.command) {
      case kTreeConnect:
        if (success) RememberTree(h.tree_id, p->name, ctx);
        break;
      case kCreate: {
        if (!success) break;
        auto c = ParseCreateResponse(member);
        if (!c) {
          ctx.anomalies->Raise("smb2.bad_body");
          break;
        }
        chain_file_ = c->file_id;
        chain_valid_ = true;
        OpenFile& f = Open(c->file_id, p->frame, p->ts, ctx);
        f.name = p->name;
        f.location.Clear();
        if (const Tree* t = FindTree(p->tree_id)) f.location = t->path;
        f.end_of_file = static_cast<int64_t>(std::min<uint64_t>(c->end_of_file, INT64_MAX));
        break;
      }
      case kRead: {
        // STATUS_BUFFER_OVERFLOW (a warning) still carries data.
        if (IsError(h.status)) {
          if (h.status != kStatusEndOfFile) Fail(id, false, h.status);
          break;
        }
        auto d = ParseReadResponse(member);
        if (!d) {
          ctx.anomalies->Raise("smb2.bad_body");
          break;
        }
        if (d->data_length == 0) break;
        // A file whose open was missed is keyed on its first READ request.
        if (!Find(id)) Open(id, p->frame, p->ts, ctx);
        target = {true,      false,          id,
                  p->offset, d->data_offset, uint64_t{d->data_offset} + d->data_length};
        break;
      }
      case kWrite:
        if (IsError(h.status)) Fail(id, true, h.status);
        break;
      case kClose: {
        OpenFile* f = Find(id);
        if (!f) break;
        if (success) {
          if (auto c = ParseCloseResponse(member); c && c->has_attributes) {
            f->close_size = static_cast<int64_t>(std::min<uint64_t>(c->end_of_file, INT64_MAX));
          }
        }
        Report(*f, ctx);
        break;
      }
      default:
        break;
    }
  }

  // The client's account and workstation, as its NTLM authentication names them.
  void Identify(flow::Direction dir, const NtlmAuth& a, const StreamContext& ctx) {
    if (a.user.empty() && a.workstation.empty()) return;  // anonymous
    if (!ctx.sink) return;
    DeviceIdentity id = SenderIdentity(ctx, dir, "smb2");
    if (!a.user.empty()) {
      std::string user(a.domain.view());
      if (!user.empty()) user += '\\';
      user += a.user.view();
      id.fields.emplace_back("ntlm_user", std::move(user));
    }
    if (!a.workstation.empty()) {
      id.fields.emplace_back("ntlm_workstation", std::string(a.workstation.view()));
    }
    ctx.sink->OnIdentity(id);
  }

  // Data of a member held whole: what of the target lies inside it.
  void DeliverWithin(std::span<const uint8_t> member, const DataTarget& t,
                     const StreamContext& ctx) {
    core::ByteReader r(member);
    r.Skip(static_cast<size_t>(t.begin));
    const uint64_t want = t.end - t.begin;
    if (r.remaining() < want) ctx.anomalies->Raise("smb2.data_outside_message");
    Deliver(t, t.file_offset, r.Bytes(static_cast<size_t>(std::min<uint64_t>(want, r.remaining()))),
            ctx);
  }

  void Deliver(const DataTarget& t, uint64_t offset, std::span<const uint8_t> bytes,
               const StreamContext& ctx) {
    OpenFile* f = Find(t.file);
    if (!f || bytes.empty()) return;
    Content& c = Of(*f, t.upload);
    if (!c.data) c.data.emplace(ctx.max_hashed_file_bytes);
    c.data->Add(offset, bytes);
    c.end_frame = ctx.frame;
  }

  void Fail(const FileId& id, bool upload, uint32_t status) {
    OpenFile* f = Find(id);
    if (!f) return;
    Content& c = Of(*f, upload);
    if (!c.error) c.status = status;
    c.error = true;
  }

  OpenFile* Find(const FileId& id) {
    for (auto& f : files_) {
      if (f.used && f.id == id) return &f;
    }
    return nullptr;
  }

  // The file `id`, taken into the table when first seen in a READ or WRITE.
  OpenFile& FindOrAdd(const FileId& id, const StreamContext& ctx) {
    if (OpenFile* f = Find(id)) return *f;
    return Open(id, ctx.frame, ctx.ts, ctx);
  }

  // A fresh entry for `id`; an entry under the same id, or the oldest when the table is
  // full, is reported first.
  OpenFile& Open(const FileId& id, uint64_t frame, core::Timestamp ts, const StreamContext& ctx) {
    if (OpenFile* same = Find(id)) Report(*same, ctx);
    OpenFile* slot = nullptr;
    for (auto& f : files_) {
      if (!f.used) {
        slot = &f;
        break;
      }
      if (!slot || f.order < slot->order) slot = &f;
    }
    if ((!slot || slot->used) && files_.size() < kMaxOpenFiles) slot = &files_.emplace_back();
    if (slot->used) {
      ctx.anomalies->Raise("smb2.too_many_open_files");
      Report(*slot, ctx);
    }
    *slot = OpenFile{};
    slot->used = true;
    slot->order = ++order_;
    slot->id = id;
    slot->frame = frame;
    slot->ts = ts;
    slot->seq = seq_.Next(frame);
    seq_.Next(frame);  // the second number, for a file both written and read
    return *slot;
  }

  void RememberTree(uint32_t id, const Name& path, const StreamContext& ctx) {
    Tree* slot = nullptr;
    for (auto& t : trees_) {
      if (t.used && t.id == id) {
        slot = &t;
        break;
      }
      if (!t.used && !slot) slot = &t;
    }
    if (!slot && trees_.size() < kMaxTrees) slot = &trees_.emplace_back();
    if (!slot) {
      ctx.anomalies->Raise("smb2.too_many_trees");
      slot = &trees_[next_tree_victim_++ % kMaxTrees];
    }
    slot->used = true;
    slot->id = id;
    slot->path = path;
  }

  const Tree* FindTree(uint32_t id) const {
    for (const auto& t : trees_) {
      if (t.used && t.id == id) return &t;
    }
    return nullptr;
  }

  // Reports each direction of content of `f` that had reads or writes, and forgets it.
  void Report(OpenFile& f, const StreamContext& ctx) {
    for (const bool upload : {true, false}) {
      Content& c = Of(f, upload);
      if (!c.data && !c.error) continue;
      FileTransferObservation o;
      o.protocol = "smb2";
      o.command = upload ? "write" : "read";
      o.upload = upload;
      o.capture_index = ctx.capture_index;
      o.frame = f.frame;
      o.end_frame = c.end_frame;
      o.seq = f.seq + (upload ? 0 : 1);
      o.ts = f.ts;
      o.file_name = f.name;
      o.location = f.location;
      FillClientServer(ctx, flow::Direction::kFromInitiator, o);
      // A read is measured against the size the open announced; a write against the size
      // the close reported, the open's being the size before writing.
      const int64_t declared =
          upload ? f.close_size : (f.close_size >= 0 ? f.close_size : f.end_of_file);
      if (c.data) {
        c.data->Finish(declared, o);
      } else {
        o.declared_size = declared;
      }
      // A failed read or write leaves the content short of the file: neither complete nor
      // hashed (a hash would name a file nobody has).
      if (c.error) {
        o.complete = false;
        o.sha256.Clear();
      }
      if (const char* name = StatusName(c.status)) {
        o.result.Append(name);
      } else {
        o.result.AppendHex(c.status, 8);
      }
      if (ctx.sink) ctx.sink->OnFileTransfer(o);
    }
    f = OpenFile{};
  }

  Side side_[2];
  bool seen_message_ = false;
  RequestTable<Pending, kMaxPendingRequests> pending_;
  // Trees and open files, grown one at a time up to their caps (a deque keeps every entry
  // where it is): a session with a share and a file or two holds those, not room for all.
  std::deque<Tree> trees_;
  size_t next_tree_victim_ = 0;
  std::deque<OpenFile> files_;
  uint64_t order_ = 0;
  FrameSeq seq_;
  // The file the last CREATE answered in the compounded response being read.
  FileId chain_file_;
  bool chain_valid_ = false;
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  core::ByteReader r(first_bytes);
  // A positive session response or a keep-alive (four octets, no data) says little alone:
  // the message after it decides, as on a server side captured without its client's.
  for (int i = 0; i < 4 && r.remaining() >= 4 &&
                  (r.PeekU8() == kNbssPositiveResponse || r.PeekU8() == kNbssKeepAlive);
       ++i) {
    if (r.PeekU8(1) != 0 || r.PeekU8(2) != 0 || r.PeekU8(3) != 0) return ProbeResult::kNo;
    r.Skip(4);
  }
  if (r.empty()) return ProbeResult::kMaybe;
  const uint8_t type = r.U8();
  if (type == kNbssMessage) {
    // Session message: a length that holds at least a protocol id, then the id.
    const uint32_t length = r.U24Be();
    if (!r.ok()) return ProbeResult::kMaybe;
    if (length < 4 || length > kMaxMessageBytes) return ProbeResult::kNo;
    const uint8_t id = r.U8();
    if (!r.ok()) return ProbeResult::kMaybe;
    if (id < 0xFC) return ProbeResult::kNo;
    static constexpr std::string_view kSmb = "SMB";
    for (char c : kSmb) {
      const uint8_t b = r.U8();
      if (!r.ok()) return ProbeResult::kMaybe;
      if (b != static_cast<uint8_t>(c)) return ProbeResult::kNo;
    }
    // An SMB2 message holds its 64-byte header.
    if (id == 0xFE && length < kHeaderBytes) return ProbeResult::kNo;
    return ProbeResult::kYes;
  }
  if (type == kNbssSessionRequest) {
    // RFC 1002 4.3.2: flags 0, then the called name: length 32 and 32 letters 'A'..'P'.
    const uint8_t flags = r.U8();
    r.Skip(2);
    if (!r.ok()) return ProbeResult::kMaybe;
    if (flags != 0) return ProbeResult::kNo;
    const uint8_t label = r.U8();
    if (!r.ok()) return ProbeResult::kMaybe;
    if (label != 32) return ProbeResult::kNo;
    for (int i = 0; i < 32; ++i) {
      const uint8_t c = r.U8();
      if (!r.ok()) return ProbeResult::kMaybe;
      if (c < 'A' || c > 'P') return ProbeResult::kNo;
    }
    return ProbeResult::kYes;
  }
  return ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<Smb2Dissector>(); }

}  // namespace qw::dissect::smb2
