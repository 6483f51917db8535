// TPKT (RFC 1006) and COTP (ISO 8073 / X.224 class 0) on TCP port 102: the transport that
// both S7comm (protocol id 0x32) and S7comm-plus (protocol id 0x72) ride on. Pure: bytes in,
// structs out, no state. Views handed out (payloads) point into the caller's bytes and live
// only as long as those bytes do.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect {

/// Bytes of a TPKT header (version, reserved, length).
inline constexpr size_t kTpktHeaderBytes = 4;
/// Shortest TPKT that can carry a TPDU: header, COTP length indicator, type, one more octet.
inline constexpr size_t kMinTpktLength = 7;
/// Longest TSAP kept; ISO 8073 allows up to 32 octets ("SIMATIC-ROOT-HMI" is 16).
inline constexpr size_t kMaxTsapBytes = 32;
/// TPDUs a probe walks through (CR, CC, empty DT fragments...) before it must have seen a
/// DT that names its protocol.
inline constexpr size_t kMaxProbedTpdus = 16;
/// Protocol identifiers that open an S7 message inside a COTP DT.
inline constexpr uint8_t kS7commProtocolId = 0x32;
inline constexpr uint8_t kS7commPlusProtocolId = 0x72;

/// COTP TPDU codes (the high nibble of the type octet, ISO 8073 table 8).
enum class CotpType : uint8_t {
  kExpeditedData = 0x10,
  kExpeditedAck = 0x20,
  kReject = 0x50,
  kDataAck = 0x60,
  kError = 0x70,
  kDisconnectRequest = 0x80,
  kDisconnectConfirm = 0xc0,
  kConnectConfirm = 0xd0,
  kConnectRequest = 0xe0,
  kData = 0xf0,
};

/// What reading a TPKT from the front of a byte stream found.
enum class TpktStatus : uint8_t { kOk, kNeedMore, kInvalid };

/// One TPKT read from the front of a stream.
struct TpktFrame {
  TpktStatus status = TpktStatus::kInvalid;
  size_t length = 0;              // kOk: bytes of the whole TPKT, header included
  size_t need = 0;                // kNeedMore: how many more bytes make the TPKT whole
  std::span<const uint8_t> tpdu;  // kOk: the COTP TPDU (a view into the input)
};

/// A transport selector as the wire carried it (S7: 2 octets, S7-1200/1500: text).
struct CotpTsap {
  std::array<uint8_t, kMaxTsapBytes> bytes{};
  uint8_t size = 0;
  bool present = false;
  /// The octets kept (a view into this object).
  std::span<const uint8_t> view() const { return std::span<const uint8_t>(bytes).first(size); }
};

/// One COTP TPDU; which fields mean something depends on `type`.
struct CotpTpdu {
  uint8_t type = 0;  // the type octet's high nibble, raw (see CotpType)
  // CR, CC, DR, DC
  uint16_t dst_ref = 0, src_ref = 0;
  uint8_t class_options = 0;   // CR, CC: class (high nibble) and options
  uint8_t reason = 0;          // DR: disconnect reason
  CotpTsap calling_tsap;       // parameter 0xc1 ("source TSAP")
  CotpTsap called_tsap;        // parameter 0xc2 ("destination TSAP")
  uint8_t tpdu_size_code = 0;  // parameter 0xc0: log2 of the largest TPDU; 0 when absent
  // DT
  bool eot = false;                    // the last DT of a message (TSDU)
  uint8_t tpdu_number = 0;             // class 0: 7-bit send sequence number
  std::span<const uint8_t> user_data;  // DT: the payload (a view into the input)
};

/// Reads the TPKT at the front of `bytes`: kNeedMore with how many more bytes it needs,
/// kInvalid when the header is not RFC 1006 (version 3, reserved 0, length >= 7).
TpktFrame ReadTpkt(std::span<const uint8_t> bytes);

/// Parses one COTP TPDU (the payload of a TPKT). Returns nullopt when the length indicator
/// does not fit the TPDU or a fixed part is cut short; unknown types and parameters are
/// kept raw or skipped, never an error.
std::optional<CotpTpdu> ParseCotp(std::span<const uint8_t> tpdu);

/// True when `bytes` could be the start of a TPKT carrying a COTP TPDU (used to find the
/// next TPKT after a gap): version 3, reserved 0, a sane length, a known TPDU type.
bool LooksLikeTpkt(std::span<const uint8_t> bytes);

/// The probe both S7 flavours share: walks the TPKTs at the start of one direction (CR, CC,
/// DR, empty DT fragments) to the first DT with user data, and says kYes when it opens with
/// `protocol_id` (and a plausible second octet), kNo when it opens with anything else or the
/// bytes are not TPKT/COTP, kMaybe while the deciding DT has not arrived.
ProbeResult ProbeIsoTransport(std::span<const uint8_t> first_bytes, uint8_t protocol_id);

}  // namespace qw::dissect
