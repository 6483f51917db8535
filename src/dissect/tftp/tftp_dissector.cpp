#include "dissect/tftp/tftp_dissector.h"

#include "dissect/expectations.h"
#include "dissect/file_content.h"
#include "dissect/ics_common.h"
#include "dissect/tftp/tftp_parser.h"

namespace qw::dissect::tftp {

namespace {

// One request and the blocks that answer it, shared by the request's flow and the flow the
// server answers from.
struct Transfer {
  explicit Transfer(uint64_t hash_limit) : content(hash_limit) {}
  FileTransferObservation obs;
  FileContent content;
  int64_t declared = -1;
  uint32_t blksize = kDefaultBlockSize;
  uint16_t next_block = 1;
  bool finished = false;
  bool reported = false;

  // Reports the transfer; only one that ended with its short last block can be complete.
  void Report(ObservationSink* sink) {
    if (reported) return;
    reported = true;
    content.Finish(declared, obs);
    if (!finished) {
      obs.complete = false;
      obs.sha256.Clear();
    }
    if (sink) sink->OnFileTransfer(obs);
  }
};

ProbeResult NeverProbe(flow::Direction, std::span<const uint8_t>) { return ProbeResult::kNo; }
std::unique_ptr<Dissector> NoDissector() { return nullptr; }

// How the flows servers answer from are named in the flows table; never probed for.
const StreamDissectorInfo kTransferInfo = {"tftp", 17, {}, &NeverProbe, &NoDissector};

class TftpDissector final : public Dissector {
 public:
  TftpDissector() = default;
  explicit TftpDissector(std::shared_ptr<Transfer> t) : transfer_(std::move(t)) {}

  ParseResult OnData(flow::Direction, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override {
    auto p = Parse(bytes);
    if (!p) {
      ctx.anomalies->Raise("tftp.malformed");
      return {Verdict::kConsumed, bytes.size(), 0};
    }
    CountPdu(ctx, "tftp", p->opcode,
             p->opcode == kRrq || p->opcode == kWrq ? PduKind::kRequest : PduKind::kOther,
             p->opcode == kError, "opcodes");
    if (p->too_many_options) ctx.anomalies->Raise("tftp.too_many_options");
    switch (p->opcode) {
      case kRrq:
      case kWrq:
        OnRequest(*p, ctx);
        break;
      case kOack:
        if (transfer_) {
          if (p->blksize) transfer_->blksize = p->blksize;
          if (p->tsize >= 0) transfer_->declared = p->tsize;
        }
        break;
      case kData:
        OnDataBlock(*p, ctx);
        break;
      case kError:
        if (transfer_ && !transfer_->reported) {
          auto& result = transfer_->obs.result;
          result.Clear();
          result.Append("error ").AppendUint(p->error_code);
          if (!p->error_text.empty()) result.Append(' ').AppendPrintable(p->error_text);
          transfer_->obs.end_frame = ctx.frame;
          transfer_->Report(ctx.sink);
        }
        break;
      default:
        break;
    }
    return {Verdict::kConsumed, bytes.size(), 0};
  }

  void OnGap(flow::Direction, uint64_t, const StreamContext&) override {}

  void OnEnd(const StreamContext& ctx) override {
    if (transfer_) transfer_->Report(ctx.sink);
  }

 private:
  void OnRequest(const Packet& p, const StreamContext& ctx) {
    const bool upload = p.opcode == kWrq;
    if (transfer_ && !transfer_->reported && transfer_->obs.upload == upload &&
        transfer_->obs.file_name.view() == p.file_name) {
      return;  // a retransmitted request
    }
    if (transfer_) transfer_->Report(ctx.sink);
    transfer_ = std::make_shared<Transfer>(ctx.max_hashed_file_bytes);
    FileTransferObservation& o = transfer_->obs;
    o.protocol = "tftp";
    o.command = upload ? "WRQ" : "RRQ";
    o.upload = upload;
    o.capture_index = ctx.capture_index;
    o.frame = ctx.frame;
    o.ts = ctx.ts;
    o.file_name.AppendPrintable(p.file_name);
    if (p.blksize) transfer_->blksize = p.blksize;
    if (upload && p.tsize >= 0) transfer_->declared = p.tsize;  // RRQ's tsize 0 only asks
    FillClientServer(ctx, flow::Direction::kFromInitiator, o);
    if (!ctx.flow) return;
    const flow::Flow& f = *ctx.flow;
    if (ctx.expectations && ctx.anomalies) {
      core::Timestamp expires = ctx.ts;
      expires.ns += kExpectSeconds * 1'000'000'000;
      ctx.expectations->Expect(17, f.vlan, {f.initiator_ip, f.initiator_port, 0},
                               {f.responder_ip, 0, f.responder_port}, expires, f.RecordId(),
                               kTransferInfo, std::make_unique<TftpDissector>(transfer_),
                               *ctx.anomalies);
    }
  }

  void OnDataBlock(const Packet& p, const StreamContext& ctx) {
    Transfer* t = transfer_.get();
    if (!t || t->reported) return;
    if (ctx.flow && ctx.flow->RecordId() != t->obs.flow_id) {
      t->obs.data_flow_id = ctx.flow->RecordId();
    }
    const uint16_t last = static_cast<uint16_t>(t->next_block - 1);
    if (p.block == last && t->content.next_offset() > 0) return;  // a retransmission
    if (p.block != t->next_block) {
      // Blocks were lost (or the numbering wrapped to 0, as some servers do).
      const bool wrapped = t->next_block == 0 && p.block == 1;
      const bool wrapped_to_zero = t->next_block == 1 && p.block == 0 && t->content.bytes() > 0;
      if (!wrapped && !wrapped_to_zero) {
        ctx.anomalies->Raise("tftp.block_gap");
        const uint16_t missed = static_cast<uint16_t>(p.block - t->next_block);
        t->content.Gap(static_cast<uint64_t>(missed) * t->blksize);
      }
    }
    t->content.Append(p.data);
    t->obs.end_frame = ctx.frame;
    t->next_block = static_cast<uint16_t>(p.block + 1);
    if (p.data.size() < t->blksize) {
      t->finished = true;
      t->obs.result.Clear();
      t->obs.result.Append("complete");
      t->Report(ctx.sink);
    }
  }

  std::shared_ptr<Transfer> transfer_;
};

}  // namespace

ProbeResult Probe(flow::Direction, std::span<const uint8_t> first_bytes) {
  auto p = Parse(first_bytes);
  return p && (p->opcode == kRrq || p->opcode == kWrq) ? ProbeResult::kYes : ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return std::make_unique<TftpDissector>(); }

}  // namespace qw::dissect::tftp
