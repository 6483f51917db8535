// OPC UA binary as a stream dissector: chunks of a UA TCP flow become PDU counts (by service
// encoding id and by message type), operations (each request paired with its response by
// request id; Hello with Acknowledge or Error; OpenSecureChannel), the channel's security
// policy, and the identities that GetEndpoints, CreateSession and Reads of the server's
// BuildInfo reveal. A secured channel's OpenSecureChannel carries its sender's application
// instance certificate in clear: its subject and expiry go to the sender's identity
// ("certificate", "certificate_expires"), once per side.
//
// Counting: a readable chunk that completes a message counts once in "functions" under its
// body's encoding id (ServiceFault 397 included) and once in "message_types"; every other
// chunk (HEL, ACK, ERR, RHE, intermediate and abort chunks, and chunks whose body is
// ciphertext) counts only in "message_types". Ciphertext chunks also count in "encrypted",
// keyed by message type: a channel with SecurityMode SignAndEncrypt hides its services, and
// they are never guessed at.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "core/fixed_text.h"
#include "core/timestamp.h"
#include "dissect/dissector.h"
#include "dissect/ics_common.h"
#include "dissect/opcua/opcua_parser.h"

namespace qw::dissect::opcua {

/// The registered IANA port of OPC UA TCP (any port is recognised by content).
inline constexpr uint16_t kPorts[] = {4840};
/// Requests a flow may have waiting (Publish keeps several outstanding); more push the
/// oldest out as unanswered.
inline constexpr size_t kMaxPendingRequests = 32;
/// Octets of a chunk the dissector holds and parses; the rest of a larger chunk is counted
/// and skipped (every field the monitor keeps comes early in a body).
inline constexpr size_t kMaxKeptChunkBytes = 65536;
/// Chunks one message may span before the dissector stops following it.
inline constexpr uint32_t kMaxChunksPerMessage = 4096;
/// Octets skipped while looking for the next chunk after a gap before giving the flow up.
inline constexpr size_t kMaxResyncBytes = size_t{kMaxOpcuaChunkBytes} + kOpcuaHeaderBytes;

/// Whether the first bytes of one direction are OPC UA (see LooksLikeOpcua).
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);
/// A dissector for one flow.
std::unique_ptr<Dissector> Create();

/// Per-flow OPC UA state: the secure channel's policy, requests waiting for responses,
/// messages spread over chunks, and resynchronisation after a gap.
class OpcuaDissector final : public Dissector {
 public:
  ParseResult OnData(flow::Direction dir, std::span<const uint8_t> bytes,
                     const StreamContext& ctx) override;
  void OnGap(flow::Direction dir, uint64_t n, const StreamContext& ctx) override;
  void OnEnd(const StreamContext& ctx) override;

 private:
  // A request waiting for its response.
  struct Pending : PendingRequest {
    OpcuaReadTracking read;  // build-information nodes a Read asked for
  };
  // A message whose first chunk arrived and whose final chunk has not.
  struct OpenMessage {
    bool active = false;
    uint32_t request_id = 0;
    uint32_t chunks = 0;
    OpcuaServiceBody body;  // parsed from the first chunk
  };
  // A PDU count held until the last octet of a chunk larger than kMaxKeptChunkBytes.
  struct Tally {
    bool held = false;
    uint32_t message_type = 0;
    bool has_function = false;
    uint32_t function = 0;
    PduKind kind = PduKind::kOther;
    bool exception = false;
    bool encrypted = false;
  };
  enum class Security : uint8_t { kUnknown, kNone, kSecured };

  ParseResult Resync(flow::Direction dir, std::span<const uint8_t> bytes, const StreamContext& ctx);
  void OnChunk(flow::Direction dir, std::span<const uint8_t> chunk, bool whole,
               const StreamContext& ctx);
  void OnSecureChunk(flow::Direction dir, const OpcuaChunk& chunk, bool whole,
                     const StreamContext& ctx);
  void OnService(flow::Direction dir, const OpcuaChunk& chunk, const OpcuaServiceBody& body,
                 std::optional<Pending> request, const StreamContext& ctx);
  void OnHandshake(flow::Direction dir, const OpcuaChunk& chunk, const StreamContext& ctx);
  void OnCiphertext(flow::Direction dir, const OpcuaChunk& chunk, const StreamContext& ctx);
  void Count(flow::Direction dir, const Tally& t, const StreamContext& ctx);
  void Expect(const Pending& p, const StreamContext& ctx);
  void Emit(const Pending& p, uint64_t response_frame, std::string_view result,
            const StreamContext& ctx);
  void EmitOrphan(flow::Direction response_dir, uint32_t function_code, const char* function,
                  IcsCategory category, std::string_view result, const StreamContext& ctx);
  void ReportServer(flow::Direction dir, const OpcuaServiceBody& body, const StreamContext& ctx);
  void ReportClient(flow::Direction dir, const OpcuaServiceBody& body, const StreamContext& ctx);
  void ReportPolicy(flow::Direction server_dir, const StreamContext& ctx);
  void ReportCertificate(flow::Direction dir, std::span<const uint8_t> der,
                         const StreamContext& ctx);

  RequestTable<Pending, kMaxPendingRequests> pending_;
  OpenMessage open_[2];
  Tally held_[2];
  bool holding_[2] = {false, false};  // counts go to held_ while a large chunk's start is read
  uint64_t skip_[2] = {0, 0};
  bool resync_[2] = {false, false};
  size_t resync_skipped_[2] = {0, 0};
  Security security_ = Security::kUnknown;
  uint32_t channel_id_ = 0;
  core::FixedText<64> policy_;  // short name of the channel's SecurityPolicy ("None")
  bool policy_reported_ = false;
  bool certificate_reported_[2] = {false, false};  // per side: its OpenSecureChannel's
  bool server_reported_ = false;
  bool client_reported_ = false;
  bool build_reported_ = false;
  FrameSeq seq_;
};

}  // namespace qw::dissect::opcua
