// S7comm-plus on TPKT/COTP: the registry entry "s7comm_plus" and the per-flow S7comm-plus
// state. The flow itself (TPKT framing, COTP connection, COTP reassembly) is the shared
// IsoTransportDissector of dissect/s7comm, which hands every COTP message that opens with
// 0x72 to an S7commPlusSession. The registry entry only decides the flow's name: its probe
// accepts a port-102 flow whose first COTP data opens with 0x72.
//
// What is counted (summary.json protocols.s7comm_plus): one PDU per message (a message
// fragmented over several packets counts with its last packet); "functions" is the function
// code of requests and responses (0x054c GetMultiVariables, ...), "opcodes" the opcode of every
// message (0x31 request, 0x32 response, 0x33 notification, 0x02 response), "versions" the
// protocol version of every packet that completes a message (1, 2, 3, 0xfe system event,
// 0xff keep-alive). V3 packets are integrity-protected, not encrypted: their opcode and
// function are read after the digest. After InitSsl the COTP data is TLS and nothing is
// counted. Operations: one per request and its response, paired by sequence number and
// direction; notifications are counted only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"
#include "dissect/ics_common.h"
#include "dissect/s7comm/s7_operation.h"
#include "dissect/s7comm_plus/s7comm_plus_parser.h"

namespace qw::dissect::s7comm_plus {

/// Ports tried first for the probe (ISO-TSAP, RFC 1006).
inline constexpr uint16_t kPorts[] = {102};
/// Requests remembered per flow while their responses are outstanding.
inline constexpr size_t kMaxPendingRequests = 32;

/// TPKT/COTP whose first DT user data opens with 0x72 (see ProbeIsoTransport).
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);
/// The shared port-102 flow dissector, naming its COTP operations "s7comm_plus".
std::unique_ptr<Dissector> Create();

/// S7comm-plus state of one flow: message fragments per direction, requests waiting for
/// their responses (by sequence number), the open transaction (BeginSequence ..
/// EndSequence) and whether the PLC's identity was reported.
class S7commPlusSession {
 public:
  /// One COTP message (TSDU) that opens with 0x72, sent in `dir`.
  void OnMessage(flow::Direction dir, std::span<const uint8_t> message, const StreamContext& ctx,
                 FrameSeq& seq);
  /// Bytes of `dir` were lost: a message in fragments there cannot be completed.
  void OnGap(flow::Direction dir);
  /// The flow ended: every request still waiting is reported unanswered.
  void OnEnd(const StreamContext& ctx, FrameSeq& seq);

 private:
  // The head of a message whose first packet was seen and whose trailer was not yet.
  struct Partial {
    bool active = false;
    bool has_head = false;
    uint8_t version = 0;
    S7PlusHead head;  // body cleared: it pointed into an earlier packet
  };

  void Complete(flow::Direction dir, uint8_t version, const S7PlusHead* head,
                const StreamContext& ctx, FrameSeq& seq);
  void OnRequest(flow::Direction dir, uint8_t version, const S7PlusHead& head,
                 const StreamContext& ctx, FrameSeq& seq);
  void OnResponse(flow::Direction dir, uint8_t version, const S7PlusHead& head,
                  const StreamContext& ctx, FrameSeq& seq);
  void LookForIdentity(flow::Direction dir, const S7PlusHead& head, std::span<const uint8_t> data,
                       const StreamContext& ctx);

  std::array<Partial, 2> partial_{};
  RequestTable<s7comm::OpRecord, kMaxPendingRequests> pending_;
  bool in_transaction_ = false;
  bool identity_reported_ = false;
};

}  // namespace qw::dissect::s7comm_plus
