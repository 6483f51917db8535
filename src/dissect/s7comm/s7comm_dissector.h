// S7comm on TPKT/COTP (TCP 102), and the port-102 flow dissector that S7comm and S7comm-plus
// share.
//
// One TCP connection to an S7 PLC carries a COTP connection (CR/CC with the TSAPs) and then
// COTP data whose messages are S7comm (0x32) or S7comm-plus (0x72). The registry has two
// entries, "s7comm" and "s7comm_plus", whose probes look past CR/CC to the first DT user
// data, so the flow is named after what it really carries (and IEC 61850 MMS, also on TPKT/
// COTP port 102, is left to its own probe). Both entries create the same
// IsoTransportDissector: it frames TPKTs, reports the COTP connection, reassembles COTP
// segments (DT with EOT 0 continues) and hands each whole message to the S7comm or the
// S7comm-plus half by its first octet, so PDUs are counted under "s7comm" or "s7comm_plus"
// per message whichever entry named the flow.
//
// What is counted (summary.json protocols.s7comm): every S7 PDU, one per message; "functions"
// is the parameter function code of job, ack and ack-data PDUs (4 read var, 5 write var,
// 0xf0 setup communication, ...; an ack without parameter counts in no histogram),
// "userdata" is function group << 8 | subfunction of userdata PDUs (0x0401 read SZL, 0x0301
// list blocks, ...), and "rosctr" the header's ROSCTR of every PDU. Operations: one per job
// or userdata request and its answer (paired by PDU reference and direction), and one per
// COTP connection (function "cotp-connect", code 0xe0, target the called TSAP with rack and
// slot). Pushed userdata (alarms, diagnostic messages, mode transitions) is counted only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dissect/dissector.h"
#include "dissect/ics_common.h"
#include "dissect/s7comm/cotp_parser.h"
#include "dissect/s7comm/s7_operation.h"
#include "dissect/s7comm/s7comm_parser.h"
#include "dissect/s7comm_plus/s7comm_plus_dissector.h"

namespace qw::dissect::s7comm {

/// Ports tried first for the probe (ISO-TSAP, RFC 1006).
inline constexpr uint16_t kPorts[] = {102};
/// Requests (jobs and userdata requests) remembered per flow while unanswered; S7 PLCs
/// allow a handful in parallel (the negotiated AmQ).
inline constexpr size_t kMaxPendingRequests = 32;
/// Largest COTP message reassembled from segments; S7 PDUs are at most 960 octets and
/// S7comm-plus fragments itself below the TPDU size, so more is hostile or broken
/// (`cotp.reassembly_overflow`).
inline constexpr size_t kMaxCotpMessageBytes = 16384;
/// Largest SZL answer reassembled from userdata fragments for its identity records
/// (`s7comm.szl_reassembly_overflow`); 0x0011 and 0x001C answers are a few hundred octets.
inline constexpr size_t kMaxSzlBytes = 2048;
/// Upload ids remembered to name the block of later upload and end-upload jobs.
inline constexpr size_t kMaxUploads = 4;
/// Block transfers (uploads and downloads) followed at once per flow; STEP 7 runs one at a
/// time. Another one reports the oldest incomplete (`s7comm.too_many_block_transfers`).
inline constexpr size_t kMaxBlockTransfers = 4;
/// Largest block rebuilt: S7-300/400 blocks are at most 64 KiB of MC7 code, S7-1500 load
/// memory images a few hundred KiB. A transfer past it keeps its first kMaxBlockBytes,
/// raises `s7comm.block_too_large` and is reported incomplete.
inline constexpr size_t kMaxBlockBytes = 1u << 20;

/// TPKT/COTP whose first DT user data opens with 0x32 and a known ROSCTR.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);
/// The shared port-102 flow dissector, naming its COTP operations "s7comm".
std::unique_ptr<Dissector> Create();

/// S7comm state of one flow: jobs and userdata requests waiting for answers (by PDU
/// reference), an SZL answer arriving in fragments, the blocks of running uploads, and the
/// blocks being uploaded or downloaded, rebuilt piece by piece.
///
/// Upload (from the PLC): the station's start upload (0x1d) names the block and the PLC's
/// ack-data gives the upload id; each upload job (0x1e) is answered by ack-data carrying
/// the next piece (status bit 0: more follow); end upload (0x1f) closes it. Download (into
/// the PLC): the station's request download (0x1a) names the block; the PLC then sends
/// download block jobs (0x1b, naming the block), which the station answers with ack-data
/// carrying the pieces, and download ended (0x1c). A transfer is reported (OnBlockTransfer)
/// at the answer to its end, or incomplete at a gap, at the flow's end, or when displaced.
class S7commSession {
 public:
  /// One whole COTP message that opens with 0x32, sent in `dir`.
  void OnMessage(flow::Direction dir, std::span<const uint8_t> message, const StreamContext& ctx,
                 FrameSeq& seq);
  /// Bytes were lost: an SZL answer in fragments cannot be completed, and block transfers
  /// under way are reported incomplete.
  void OnGap(const StreamContext& ctx);
  /// The flow ended: every request still waiting is reported unanswered.
  void OnEnd(const StreamContext& ctx, FrameSeq& seq);

 private:
  // A request kept until its answer, with what is needed to read that answer.
  struct Pending {
    OpRecord op;
    uint8_t function = 0;  // job: the parameter function
    bool userdata = false;
    S7BlockRef block;        // start upload: the block, remembered with the upload id
    uint32_t upload_id = 0;  // upload, end upload: which upload it continues
  };
  // An SZL answer that continues in further userdata PDUs.
  struct SzlProgress {
    bool active = false;
    bool keep = false;  // an identity list: its bytes are collected
    uint8_t data_unit_ref = 0;
    uint16_t id = 0, index = 0;
    size_t size = 0;
    flow::Direction dir = flow::Direction::kFromResponder;
  };
  struct Upload {
    bool used = false;
    uint32_t id = 0;
    S7BlockRef block;
  };
  // A block being uploaded or downloaded: its pieces so far, in order, and whether anything
  // went wrong.
  struct BlockTransfer {
    bool used = false;
    bool upload = false;
    uint32_t upload_id = 0;  // uploads: what the pieces' jobs name
    S7BlockRef block;
    uint64_t order = 0;  // when it started, among this flow's transfers (the oldest gives way)
    uint64_t first_frame = 0, last_frame = 0;
    core::Timestamp first_ts, last_ts;
    std::vector<uint8_t> bytes;  // owned: one allocation per transfer, grown as pieces come
    bool last_piece = false;     // a piece without "more data follows" came
    bool ended = false;          // end upload / download ended said no error after the last piece
    bool broken = false;         // a piece missing, malformed, refused or past the cap; a gap
  };

  S7Pdu pdu_;  // the PDU being handled, reused so that parsing one clears no item array

  // The target text of the last few read and write var jobs with at most kCachedItems
  // items: an HMI polls the same variables again and again.
  static constexpr size_t kCachedItems = 4;
  struct VarTargetEntry {
    bool used = false;
    uint8_t function = 0, item_count = 0;
    size_t kept = 0;
    std::array<S7VarItem, kCachedItems> items{};
    core::FixedText<112> text;
  };
  std::array<VarTargetEntry, 4> var_targets_;
  size_t next_var_target_ = 0;
  // The target text of a read or write var job, from the cache when it was made before.
  const core::FixedText<112>& VarTarget(const S7Pdu& pdu);

  void OnJob(flow::Direction dir, const S7Pdu& pdu, const StreamContext& ctx, FrameSeq& seq);
  void OnAck(flow::Direction dir, const S7Pdu& pdu, const StreamContext& ctx, FrameSeq& seq);
  void OnUserdata(flow::Direction dir, const S7Pdu& pdu, const StreamContext& ctx, FrameSeq& seq);
  void OnSzlAnswer(flow::Direction dir, const S7Pdu& pdu, const StreamContext& ctx);
  void ReportIdentity(flow::Direction dir, const S7SzlList& list, const StreamContext& ctx);
  void Remember(uint64_t key, const Pending& p, const StreamContext& ctx, FrameSeq& seq);
  const S7BlockRef* UploadBlock(uint32_t id) const;
  // Block transfers: started by the answer to start upload or request download (`first`
  // the job's record), fed by the answers to upload and download block, ended by end upload
  // and download ended.
  BlockTransfer* StartTransfer(bool upload, uint32_t upload_id, const S7BlockRef& block,
                               const OpRecord& first, const StreamContext& ctx);
  BlockTransfer* FindTransfer(bool upload, uint32_t upload_id, const S7BlockRef& block);
  void OnBlockPiece(const Pending& p, const S7Pdu& pdu, const StreamContext& ctx);
  void OnBlockEnd(const Pending& p, const S7Pdu& pdu, bool answer, const StreamContext& ctx);
  void EmitTransfer(BlockTransfer& t, const StreamContext& ctx);
  // Reports every transfer under way, oldest first; `broken`: as incomplete.
  void EmitAllTransfers(bool broken, const StreamContext& ctx);

  RequestTable<Pending, kMaxPendingRequests> pending_;
  SzlProgress szl_;
  std::array<uint8_t, kMaxSzlBytes> szl_bytes_{};
  std::array<Upload, kMaxUploads> uploads_{};
  size_t next_upload_ = 0;
  std::array<BlockTransfer, kMaxBlockTransfers> transfers_{};
  uint64_t transfer_order_ = 0;
};

/// The port-102 flow: TPKT framing, COTP connection and reassembly, and dispatch of each
/// COTP message to the S7comm or S7comm-plus half.
class IsoTransportDissector final : public Dissector {
 public:
  /// `flow_protocol` names the COTP connection operations ("s7comm" or "s7comm_plus").
  explicit IsoTransportDissector(const char* flow_protocol) : flow_protocol_(flow_protocol) {}

  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override;
  void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) override;
  void OnEnd(const StreamContext& ctx) override;

 private:
  struct DirectionState {
    std::vector<uint8_t> segments;  // COTP DT user data of a message not yet ended (EOT 0)
    bool dropping = false;          // the message outgrew kMaxCotpMessageBytes
    bool resync = false;            // after a gap: look for the next TPKT header
  };
  struct Connect {
    bool pending = false;
    OpRecord op;
  };

  ParseResult Resync(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx);
  void OnTpdu(flow::Direction dir, const CotpTpdu& tpdu, const StreamContext& ctx);
  void OnDataTpdu(flow::Direction dir, const CotpTpdu& tpdu, const StreamContext& ctx);
  void Dispatch(flow::Direction dir, std::span<const uint8_t> message, const StreamContext& ctx);

  const char* flow_protocol_;
  std::array<DirectionState, 2> dirs_{};
  Connect connect_;
  FrameSeq seq_;
  S7commSession s7_;
  s7comm_plus::S7commPlusSession plus_;
};

}  // namespace qw::dissect::s7comm
