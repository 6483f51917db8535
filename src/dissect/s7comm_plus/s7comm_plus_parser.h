// S7comm-plus (S7-1200/1500, protocol id 0x72) parser: one TPKT-level S7comm-plus packet
// (a whole message or one fragment of it) and the fixed head of a message's data part.
// Pure: no state, no I/O, no allocation. Views in the results point into the input and live
// only as long as it does.
//
// There is no public specification; the layout follows Thomas Wiens' s7comm_plus Wireshark
// plugin (packet-s7comm_plus.c) and his S7CommPlusDriver. Stock Wireshark/tshark 4.0 has no
// S7comm-plus dissector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/anomalies.h"
#include "core/fixed_text.h"

namespace qw::dissect {

/// Header and trailer bytes: protocol id, version, data length (trailer: length 0).
inline constexpr size_t kS7PlusHeaderBytes = 4;
inline constexpr size_t kS7PlusTrailerBytes = 4;
/// Length of the integrity digest (HMAC) a V3 packet carries before its data.
inline constexpr size_t kS7PlusDigestBytes = 32;
/// WString candidates examined for the session version in one message. More raise
/// `s7comm_plus.too_many_strings`.
inline constexpr size_t kMaxS7PlusStrings = 256;

/// Protocol versions (Wiens: "PDU types").
enum class S7PlusVersion : uint8_t {
  kV1 = 0x01,           // connection set-up (CreateObject of the server session)
  kV2 = 0x02,           // data, integrity part at the end of the data
  kV3 = 0x03,           // data, integrity digest at the start (firmware >= 1.5 / V4)
  kSystemEvent = 0xfe,  // unsolicited system event, no trailer
  kKeepAlive = 0xff,    // four octets: id, version, sequence, reserved
};

/// Opcodes: the first octet of a message's data part.
enum class S7PlusOpcode : uint8_t {
  kResponse2 = 0x02,  // a response form seen from V13 HMIs (SetVariable)
  kRequest = 0x31,
  kResponse = 0x32,
  kNotification = 0x33,
};

/// Function codes of requests and responses.
enum class S7PlusFunction : uint16_t {
  kExplore = 0x04bb,
  kCreateObject = 0x04ca,
  kDeleteObject = 0x04d4,
  kSetVariable = 0x04f2,
  kGetVariable = 0x04fc,
  kAddLink = 0x0506,
  kRemoveLink = 0x051a,
  kGetLink = 0x0524,
  kSetMultiVariables = 0x0542,
  kGetMultiVariables = 0x054c,
  kBeginSequence = 0x0556,
  kEndSequence = 0x0560,
  kInvoke = 0x056b,
  kSetVarSubStreamed = 0x057c,
  kGetVarSubStreamed = 0x0586,
  kGetVariablesAddress = 0x0590,
  kAbort = 0x059a,
  kError = 0x05a9,
  kInitSsl = 0x05b3,
};

/// Class ids of objects created in sessions (CreateObject).
inline constexpr uint32_t kS7PlusClassServerSession = 287;
inline constexpr uint32_t kS7PlusClassSubscription = 1001;

/// One S7comm-plus packet as one COTP DT message carries it.
struct S7PlusPacket {
  uint8_t version = 0;
  uint16_t data_length = 0;
  bool ends_message = false;  // a trailer closed it (or a system event / keep-alive)
  bool has_digest = false;    // V3: the 32-octet integrity digest was skipped
  uint8_t keepalive_sequence = 0;
  std::span<const uint8_t> data;  // data part, digest and trailer excluded (a view)
};

/// Parses one packet. Returns nullopt when it is not one (wrong id, header cut short, data
/// length beyond the packet); a bad trailer or digest raises an anomaly and is read anyway.
std::optional<S7PlusPacket> ParseS7PlusPacket(std::span<const uint8_t> message,
                                              core::Anomalies& anomalies);

/// The fixed head of a message's data part (the first packet of a message).
struct S7PlusHead {
  uint8_t opcode = 0;
  bool has_function = false;  // requests and responses
  uint16_t function = 0;
  uint16_t sequence = 0;    // pairs a response with its request
  uint32_t session_id = 0;  // requests
  uint8_t transport_flags = 0;
  uint32_t subscription_id = 0;   // notifications
  bool has_return_value = false;  // responses
  uint64_t return_value = 0;      // bit 62 set: an error, its code in the low 16 bits
  bool has_object_id = false;     // CreateObject: the parent; DeleteObject: the object
  uint32_t object_id = 0;
  bool has_class_id = false;  // CreateObject: the class of the new object
  uint32_t class_id = 0;
  std::span<const uint8_t> body;  // what follows the fixed fields (a view)
};

/// Reads the fixed head of a data part; nullopt when it is cut short. Unknown opcodes come
/// back with has_function false.
std::optional<S7PlusHead> ParseS7PlusHead(std::span<const uint8_t> data);

/// True when a response's return value says the request failed.
bool S7PlusIsError(uint64_t return_value);

/// What the PLC's server session version string ("1;6ES7 214-1AG40-0XB0 ;V4.2") says.
struct S7PlusSessionVersion {
  core::FixedText<24> order_number;
  core::FixedText<16> firmware;
};

/// Looks through a message's data for a WString value in the session version form
/// "<n>;<order number>;V<firmware>"; true when one was found and read into `out`.
bool FindS7PlusSessionVersion(std::span<const uint8_t> data, S7PlusSessionVersion& out,
                              core::Anomalies& anomalies);

/// Name of a function code in kebab case ("get-multi-variables"), or "unknown".
const char* S7PlusFunctionName(uint16_t function);

}  // namespace qw::dissect
