// SNMP message parser: SNMPv1 (RFC 1157), SNMPv2c (RFC 1901, PDUs of RFC 3416) and SNMPv3
// (RFC 3412 message, RFC 3414 USM security parameters), read with a bounded BER reader
// (X.690: definite lengths only, single-octet tags). Pure: no state, no I/O, no allocation;
// every span it hands out is a view into the datagram and dies with it.
//
// clang-format off
//  v1/v2c: SEQUENCE { version INTEGER (0|1), community OCTET STRING, PDU }
//  v3:     SEQUENCE { version INTEGER (3),
//                     msgGlobalData SEQUENCE { msgID INTEGER, msgMaxSize INTEGER,
//                                              msgFlags OCTET STRING (1), msgSecurityModel INTEGER },
//                     msgSecurityParameters OCTET STRING (USM: SEQUENCE { engineID OCTET STRING,
//                                              boots INTEGER, time INTEGER, userName OCTET STRING,
//                                              authParams OCTET STRING, privParams OCTET STRING }),
//                     msgData: ScopedPDU SEQUENCE { contextEngineID, contextName, PDU }
//                              | encryptedPDU OCTET STRING (privacy flag set) }
//  PDU:    [0..8] { request-id INTEGER, error-status INTEGER, error-index INTEGER,
//                   variable-bindings SEQUENCE OF SEQUENCE { name OID, value } }
//          (GetBulk: non-repeaters and max-repetitions in place of error-status and index)
//  Trap:   [4] { enterprise OID, agent-addr IpAddress, generic-trap INTEGER,
//                specific-trap INTEGER, time-stamp TimeTicks, variable-bindings }
// clang-format on
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "core/fixed_text.h"

namespace qw::dissect::snmp {

/// Octets of a BER length in the long form; longer lengths are refused (a datagram is less
/// than 64 KiB, so four is plenty).
inline constexpr size_t kMaxLengthOctets = 4;
/// Nesting levels followed inside a constructed varbind value (no SNMP type nests, so a
/// deeper one raises `snmp.too_deep`).
inline constexpr size_t kMaxBerDepth = 8;
/// TLVs checked inside one constructed varbind value; more raise `snmp.too_many_elements`.
inline constexpr size_t kMaxBerElements = 256;
/// Varbinds read from one message; more raise `snmp.too_many_varbinds`.
inline constexpr size_t kMaxVarbinds = 128;
/// Octets of one OID subidentifier (a 64-bit value needs at most 10).
inline constexpr size_t kMaxSubidOctets = 10;

// X.690 tags (universal, application and context-specific, single octet).
inline constexpr uint8_t kTagInteger = 0x02;
inline constexpr uint8_t kTagOctetString = 0x04;
inline constexpr uint8_t kTagNull = 0x05;
inline constexpr uint8_t kTagOid = 0x06;
inline constexpr uint8_t kTagSequence = 0x30;
inline constexpr uint8_t kTagIpAddress = 0x40;  // [APPLICATION 0]
inline constexpr uint8_t kTagCounter32 = 0x41;  // [APPLICATION 1]
inline constexpr uint8_t kTagGauge32 = 0x42;    // [APPLICATION 2], also Unsigned32
inline constexpr uint8_t kTagTimeTicks = 0x43;  // [APPLICATION 3]
inline constexpr uint8_t kTagOpaque = 0x44;     // [APPLICATION 4]
inline constexpr uint8_t kTagCounter64 = 0x46;  // [APPLICATION 6]
inline constexpr uint8_t kTagNoSuchObject = 0x80;
inline constexpr uint8_t kTagNoSuchInstance = 0x81;
inline constexpr uint8_t kTagEndOfMibView = 0x82;
/// PDU tags are [0] to [8], constructed: 0xa0 + the PDU type.
inline constexpr uint8_t kTagPduBase = 0xa0;

/// PDU types: the number of the context-specific tag (RFC 3416 3; RFC 1157 4.1 for Trap).
enum PduType : uint8_t {
  kGetRequest = 0,
  kGetNextRequest = 1,
  kResponse = 2,
  kSetRequest = 3,
  kTrapV1 = 4,
  kGetBulkRequest = 5,
  kInformRequest = 6,
  kTrapV2 = 7,
  kReport = 8,
};

/// Name of a PDU type ("get-request", "trap-v2"); "unknown" outside 0..8.
const char* PduTypeName(uint8_t type);

/// True for the PDU types a manager sends and expects an answer to (RFC 3411 2.8,
/// Confirmed Class).
bool IsRequest(uint8_t type);

/// One BER element: its tag and a view of its content.
struct Tlv {
  uint8_t tag = 0;
  std::span<const uint8_t> value;
};

/// Reads one TLV from `r`. nullopt (and `r` failed) when the tag uses the multi-octet form,
/// the length is indefinite or longer than kMaxLengthOctets, or the content runs past the
/// end of `r`, which is the enclosing element.
std::optional<Tlv> ReadTlv(core::ByteReader& r);

/// True when `bytes` are whole, definite-length TLVs all the way down, at most kMaxBerDepth
/// levels and kMaxBerElements elements deep (raising `snmp.too_deep` or
/// `snmp.too_many_elements` past them).
bool WellFormed(std::span<const uint8_t> bytes, core::Anomalies& anomalies);

/// A signed INTEGER's content (1 to 8 octets, two's complement); nullopt otherwise.
std::optional<int64_t> DecodeInteger(std::span<const uint8_t> content);

/// An unsigned value's content (Counter32, Gauge32, TimeTicks, Counter64: at most 8 octets
/// after a leading zero); nullopt otherwise.
std::optional<uint64_t> DecodeUnsigned(std::span<const uint8_t> content);

/// Appends an OID's content as dotted decimal ("1.3.6.1.2.1.1.1.0"). False when the
/// encoding is broken (empty, a subidentifier over kMaxSubidOctets or left unfinished);
/// `out` then holds what was decoded so far. A text cut by `out`'s capacity is truncated.
template <size_t N>
bool AppendOid(std::span<const uint8_t> content, core::FixedText<N>& out);

/// The enterprise number N of an OID under 1.3.6.1.4.1.N (sysObjectID, a trap's
/// enterprise), or nullopt.
std::optional<uint32_t> EnterpriseNumber(std::span<const uint8_t> oid_content);

/// The vendor a small table knows for an IANA private enterprise number (network and
/// industrial equipment), or nullptr.
const char* EnterpriseVendor(uint32_t number);

/// True when `community` is one of the factory defaults that scanners try first ("public",
/// "private", ...; the list is in snmp_parser.cpp and docs/anomalies.md).
bool IsDefaultCommunity(std::span<const uint8_t> community);

/// One message as the wire showed it. Every span is a view into the parsed datagram.
struct Message {
  uint8_t version = 0;                 // 0 v1, 1 v2c, 3 v3 (the wire's INTEGER)
  std::span<const uint8_t> community;  // v1 and v2c
  // SNMPv3 header and USM parameters.
  int64_t msg_id = 0;
  int64_t msg_max_size = 0;
  uint8_t msg_flags = 0;  // bit 0 auth, bit 1 priv, bit 2 reportable
  int64_t security_model = 0;
  std::span<const uint8_t> engine_id;  // msgAuthoritativeEngineID
  std::span<const uint8_t> user_name;  // msgUserName
  bool has_usm = false;                // the security parameters read as USM
  bool encrypted = false;              // the scoped PDU is an encryptedPDU
  std::span<const uint8_t> context_engine_id, context_name;
  // The PDU, when it could be read (not for encrypted v3).
  bool has_pdu = false;
  uint8_t pdu_type = 0;  // PduType, or another tag number as it stood
  int64_t request_id = 0;
  int64_t error_status = 0;  // GetBulk: non-repeaters
  int64_t error_index = 0;   // GetBulk: max-repetitions
  // Trap (v1) fields.
  std::span<const uint8_t> enterprise;  // OID content
  std::span<const uint8_t> agent_addr;  // 4 octets of IPv4 address (as the wire had it)
  int64_t generic_trap = 0, specific_trap = 0;
  uint64_t time_stamp = 0;
  std::span<const uint8_t> varbinds;  // content of variable-bindings
  bool trailing = false;              // bytes after the message in the datagram
};

/// Parses one SNMP message (one UDP datagram). nullopt when the version and framing are not
/// SNMP's or the message is cut short; anomalies name what was wrong (`snmp.malformed`,
/// `snmp.bad_pdu`, `snmp.bad_v3_header`, `snmp.bad_usm`).
std::optional<Message> ParseMessage(std::span<const uint8_t> datagram, core::Anomalies& anomalies);

/// True when the first bytes of a datagram could start an SNMP message: a SEQUENCE holding
/// INTEGER version 0, 1 or 3 followed by a community (v1/v2c) or a header SEQUENCE (v3).
bool LooksLikeSnmp(std::span<const uint8_t> bytes);

/// One variable binding: the OID's and the value's content, views into the datagram.
struct Varbind {
  std::span<const uint8_t> oid;
  uint8_t value_tag = 0;
  std::span<const uint8_t> value;
};

/// Walks the variable-bindings of a message, at most kMaxVarbinds of them.
class VarbindReader {
 public:
  /// A reader over the content of a variable-bindings SEQUENCE.
  explicit VarbindReader(std::span<const uint8_t> list) : r_(list) {}
  /// The next varbind; false at the end, at a malformed one (`snmp.bad_varbind`) or past
  /// the cap (`snmp.too_many_varbinds`).
  bool Next(Varbind& out, core::Anomalies& anomalies);
  /// Varbinds read so far.
  size_t count() const { return count_; }
  /// True when the list stopped at a malformed varbind or the cap.
  bool failed() const { return failed_; }

 private:
  core::ByteReader r_;
  size_t count_ = 0;
  bool failed_ = false;
};

// Encoded content of the system group's OIDs (RFC 3418), compared as bytes.
/// 1.3.6.1.2.1.1.1.0 sysDescr
inline constexpr uint8_t kSysDescr[] = {0x2b, 6, 1, 2, 1, 1, 1, 0};
/// 1.3.6.1.2.1.1.2.0 sysObjectID
inline constexpr uint8_t kSysObjectId[] = {0x2b, 6, 1, 2, 1, 1, 2, 0};
/// 1.3.6.1.2.1.1.4.0 sysContact
inline constexpr uint8_t kSysContact[] = {0x2b, 6, 1, 2, 1, 1, 4, 0};
/// 1.3.6.1.2.1.1.5.0 sysName
inline constexpr uint8_t kSysName[] = {0x2b, 6, 1, 2, 1, 1, 5, 0};
/// 1.3.6.1.2.1.1.6.0 sysLocation
inline constexpr uint8_t kSysLocation[] = {0x2b, 6, 1, 2, 1, 1, 6, 0};

/// True when an OID's content equals the encoded constant `known`.
bool SameOid(std::span<const uint8_t> content, std::span<const uint8_t> known);

template <size_t N>
bool AppendOid(std::span<const uint8_t> content, core::FixedText<N>& out) {
  core::ByteReader r(content);
  if (r.empty()) return false;
  bool first = true;
  while (!r.empty()) {
    uint64_t v = 0;
    size_t octets = 0;
    uint8_t b = 0;
    do {
      if (++octets > kMaxSubidOctets) return false;
      b = r.U8();
      v = v << 7 | (b & 0x7f);
    } while ((b & 0x80) != 0 && !r.empty());
    if ((b & 0x80) != 0) return false;  // the last octet still said "more"
    if (first) {
      // X.690 8.19.4: the first subidentifier packs the first two arcs.
      const uint64_t top = v < 40 ? 0 : (v < 80 ? 1 : 2);
      out.AppendUint(top).Append('.').AppendUint(v - top * 40);
      first = false;
    } else {
      out.Append('.').AppendUint(v);
    }
    if (out.truncated()) return true;  // the text is full: the rest cannot show
  }
  return true;
}

}  // namespace qw::dissect::snmp
