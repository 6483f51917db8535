// IEC 60870-5-104 parser: one APDU (APCI and, for I-format, its ASDU) into a bounded
// Iec104Apdu. Pure: no state, no I/O, no allocation.
//
// Follows IEC 60870-5-104:2006 clause 5 (APCI, the three frame formats) and IEC
// 60870-5-101:2003 clause 7 (ASDU: type identification, variable structure qualifier, cause
// of transmission, common address, information objects) with the 104 field sizes (cause 2
// octets, common address 2, information object address 3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/anomalies.h"
#include "dissect/dissector.h"
#include "dissect/observation.h"

namespace qw::dissect {

/// The start octet of every APDU.
inline constexpr uint8_t kIec104Start = 0x68;
/// Least value of the length octet: the four control octets alone (S and U formats).
inline constexpr uint8_t kIec104MinApduLength = 4;
/// Greatest value of the length octet (IEC 60870-5-104 5.1: APDU at most 255 octets).
inline constexpr uint8_t kIec104MaxApduLength = 253;
/// Octets of the ASDU header with the 104 field sizes: type, qualifier, cause (2), address (2).
inline constexpr size_t kIec104AsduHeaderBytes = 6;
/// Octets of an information object address in 104.
inline constexpr size_t kIec104IoaBytes = 3;
/// Most information objects one ASDU can declare (the 7-bit number field); the parser reads
/// only the first object's address and qualifier, so no loop runs over them.
inline constexpr uint8_t kMaxIec104Objects = 127;

/// The APCI frame formats (IEC 60870-5-104 5.2-5.4), valued as the format bits of the
/// first control octet (and as tshark's iec60870_104.type).
enum class Iec104Format : uint8_t { kI = 0, kS = 1, kU = 3 };

/// U-format functions: the control octet's bits 2..7 (tshark's iec60870_104.utype).
inline constexpr uint8_t kIec104StartDtAct = 0x01;
inline constexpr uint8_t kIec104StartDtCon = 0x02;
inline constexpr uint8_t kIec104StopDtAct = 0x04;
inline constexpr uint8_t kIec104StopDtCon = 0x08;
inline constexpr uint8_t kIec104TestFrAct = 0x10;
inline constexpr uint8_t kIec104TestFrCon = 0x20;

/// Causes of transmission this dissector acts on (IEC 60870-5-101 7.2.3).
inline constexpr uint8_t kIec104CotRequest = 5;
inline constexpr uint8_t kIec104CotActivation = 6;
inline constexpr uint8_t kIec104CotActivationCon = 7;
inline constexpr uint8_t kIec104CotDeactivation = 8;
inline constexpr uint8_t kIec104CotDeactivationCon = 9;
inline constexpr uint8_t kIec104CotActivationTerm = 10;
inline constexpr uint8_t kIec104CotFileTransfer = 13;
inline constexpr uint8_t kIec104CotUnknownType = 44;
inline constexpr uint8_t kIec104CotUnknownIoa = 47;

/// What a type identification is and how the monitor treats it.
struct Iec104TypeInfo {
  uint8_t id = 0;
  const char* name = "";     // kebab-case function name: "single-command", "interrogation"
  int8_t element_bytes = 0;  // octets of one information element after its address; -1 varies
  bool command = false;      // control direction: an activation is an operation
  IcsCategory category = IcsCategory::kOther;
  int8_t qualifier_at = -1;  // offset of the qualifier holding the select/execute bit, or -1
};

/// The entry for `type_id`, or nullptr for a type the standards do not define.
const Iec104TypeInfo* Iec104Type(uint8_t type_id);

/// An ASDU's header and its first information object. Holds no views.
struct Iec104Asdu {
  uint8_t type_id = 0;
  bool sequence = false;  // SQ: one address, then `count` consecutive elements
  uint8_t count = 0;      // number of information objects or elements (0..127)
  uint8_t cot = 0;        // cause of transmission, 6 bits
  bool negative = false;  // P/N: a negative confirmation
  bool test = false;      // T: test transmission
  uint8_t originator = 0;
  uint16_t common_address = 0;
  bool has_object = false;  // the first information object address could be read
  uint32_t first_ioa = 0;
  bool select = false;  // the first object's qualifier says select (S/E = 1), for commands
};

/// One APDU. Holds no views.
struct Iec104Apdu {
  uint8_t length = 0;  // the length octet: control field plus ASDU
  Iec104Format format = Iec104Format::kI;
  uint16_t send_seq = 0;   // N(S), I-format
  uint16_t recv_seq = 0;   // N(R), I- and S-format
  uint8_t u_function = 0;  // U-format: control bits 2..7 (kIec104StartDtAct, ...)
  bool has_asdu = false;   // an I-format APDU whose ASDU header could be read
  Iec104Asdu asdu;
};

/// How the bytes at the start of a stream frame an APDU.
struct Iec104Framing {
  enum class Status : uint8_t { kOk, kNeedMore, kBadStart, kBadLength } status = Status::kOk;
  size_t size = 0;  // kOk: the APDU's size (2 + length); kNeedMore: bytes wanted in total
};

/// Frames the APDU at the start of `bytes` from its start and length octets only.
Iec104Framing FrameIec104(std::span<const uint8_t> bytes);

/// Parses one whole APDU (exactly the `size` bytes FrameIec104 returned). Malformed control
/// fields and ASDUs raise `iec104.*` anomalies and are still returned as far as they were
/// read; nothing is returned only when `apdu` is not one framed APDU.
std::optional<Iec104Apdu> ParseIec104Apdu(std::span<const uint8_t> apdu,
                                          core::Anomalies& anomalies);

/// Whether `bytes` begin with an APDU as a 104 peer would send it: a valid start, length
/// and control field, and for I-format a defined type whose declared objects fill the ASDU
/// exactly. kMaybe while too few bytes have arrived to tell. Used to recognise the protocol
/// and to find the next APDU after a gap.
ProbeResult LooksLikeIec104(std::span<const uint8_t> bytes);

}  // namespace qw::dissect
