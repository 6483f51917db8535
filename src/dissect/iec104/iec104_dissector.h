// IEC 60870-5-104 as a stream dissector: APDUs of a TCP flow become PDU counts and
// operations: commands and system commands from their activation to their confirmation,
// file calls, STARTDT and STOPDT. Monitoring data from the outstation (spontaneous, cyclic,
// interrogated) is counted, never reported as an operation.
//
// Counting (summary.json protocols.iec104): every APDU counts once in "apci", keyed by its
// frame format as the control field's format bits give it (0 I, 1 S, 3 U). An I-format APDU
// with a readable ASDU header also counts in "functions" under its type identification and
// in "cot" under its cause of transmission (6 bits, without P/N and T); a U-format APDU also
// counts in "u_functions" under its function bits (1 STARTDT act, 2 con, 4 STOPDT act,
// 8 con, 16 TESTFR act, 32 con).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/fixed_text.h"
#include "core/timestamp.h"
#include "dissect/dissector.h"
#include "dissect/ics_common.h"
#include "dissect/iec104/iec104_parser.h"

namespace qw::dissect::iec104 {

/// The registered IANA port of IEC 60870-5-104 (the outstation listens on it).
inline constexpr uint16_t kPorts[] = {2404};
/// Commands a flow may have waiting for confirmation; more push the oldest out as unanswered.
inline constexpr size_t kMaxPendingCommands = 32;
/// Confirmed commands remembered until their termination, so it is not reported again.
inline constexpr size_t kMaxConfirmedCommands = 16;
/// Bytes skipped while looking for the next APDU after a gap before giving the flow up.
inline constexpr size_t kMaxResyncBytes = 65536;

/// Whether the first bytes of one direction are IEC 104 (see LooksLikeIec104).
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);
/// A dissector for one flow.
std::unique_ptr<Dissector> Create();

/// Per-flow IEC 104 state: commands waiting for their confirmations, and resynchronisation
/// after a gap.
class Iec104Dissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override;
  void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) override;
  void OnEnd(const StreamContext& ctx) override;

 private:
  // A command (or file call, or STARTDT/STOPDT) waiting for its answer.
  using Pending = PendingRequest;

  ParseResult Resync(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx);
  void OnApdu(flow::Direction dir, const Iec104Apdu& apdu, const StreamContext& ctx);
  void OnUFrame(flow::Direction dir, const Iec104Apdu& apdu, const StreamContext& ctx);
  void OnAsdu(flow::Direction dir, const Iec104Asdu& asdu, const StreamContext& ctx);
  // Stores a request; an earlier one under the same key is reported unanswered.
  void Expect(const Pending& p, const StreamContext& ctx);
  // Reports the operation of `p` answered in the current frame (result empty: unanswered).
  void Emit(const Pending& p, uint64_t response_frame, std::string_view result,
            const StreamContext& ctx);
  // Reports an answer whose request was not seen.
  void EmitOrphan(flow::Direction dir, uint32_t function_code, const char* function,
                  IcsCategory category, const core::FixedText<112>& target, std::string_view result,
                  const StreamContext& ctx);

  RequestTable<Pending, kMaxPendingCommands> pending_;
  RequestTable<uint8_t, kMaxConfirmedCommands> confirmed_;
  FrameSeq seq_;
  bool resync_[2] = {false, false};
  size_t resync_skipped_[2] = {0, 0};
};

}  // namespace qw::dissect::iec104
