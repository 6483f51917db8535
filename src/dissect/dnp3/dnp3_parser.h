// DNP3 parser: link frames (header CRC and per-block CRCs checked), the transport octet, and
// application fragments (control, function, IIN, object headers walked far enough to name
// what a request targets and to read device attributes). Pure: no state, no I/O, no
// allocation. Reassembly of transport segments into fragments is per-flow state and lives
// in the dissector.
//
// Follows IEEE 1815-2012 (DNP3): clause 9 (data link layer), clause 8 (transport function),
// clause 4 and 10 (application layer, object headers), clause 11 and annex A (object library:
// group 0 device attributes, group 12 controls, group 70 file transfer).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace qw::dissect {

/// Bytes of a link header: start (2), length, control, destination (2), source (2), CRC (2).
inline constexpr size_t kDnp3HeaderBytes = 10;
/// User data bytes between two block CRCs.
inline constexpr size_t kDnp3BlockBytes = 16;
/// Most user data one link frame carries: the length octet (255 at most) counts control,
/// destination and source (5 octets) besides the user data.
inline constexpr size_t kDnp3MaxUserDataBytes = 250;
/// Most bytes one link frame occupies on the wire (header, 250 data bytes, 16 block CRCs).
inline constexpr size_t kDnp3MaxFrameBytes = kDnp3HeaderBytes + kDnp3MaxUserDataBytes + 16 * 2;
/// Least value of the length octet: control, destination and source.
inline constexpr uint8_t kDnp3MinLength = 5;

/// Most object headers read from one application fragment (`dnp3.too_many_objects`).
inline constexpr size_t kMaxDnp3ObjectHeaders = 32;
/// Most objects (points) walked one by one in one fragment (`dnp3.too_many_objects`); packed
/// and fixed-size objects without prefixes are skipped in one step and do not count.
inline constexpr size_t kMaxDnp3ObjectsWalked = 4096;
/// Most device attributes (group 0 objects) kept from one fragment (`dnp3.too_many_objects`).
inline constexpr size_t kMaxDnp3Attributes = 16;
/// Point indices remembered per object header, to name targets ("idx 3,4,7").
inline constexpr size_t kDnp3IndicesKept = 3;

/// Link control octet bits (IEEE 1815-2012 9.2.4.1.3).
inline constexpr uint8_t kDnp3CtlDir = 0x80;  // set: sent by a master
inline constexpr uint8_t kDnp3CtlPrm = 0x40;  // set: primary (initiating) frame
inline constexpr uint8_t kDnp3CtlFcb = 0x20;  // primary: frame count bit
inline constexpr uint8_t kDnp3CtlFcv = 0x10;  // primary: frame count valid
inline constexpr uint8_t kDnp3CtlFunction = 0x0f;

/// Link function codes that carry no transport segment (as tshark 4.0 decides, whatever
/// the PRM bit: reset link / ACK 0, request link status 9, link status 11).
inline constexpr uint8_t kDnp3LinkResetOrAck = 0;
inline constexpr uint8_t kDnp3LinkRequestStatus = 9;
inline constexpr uint8_t kDnp3LinkStatus = 11;

/// Transport octet bits (IEEE 1815-2012 8.2.1).
inline constexpr uint8_t kDnp3TransportFin = 0x80;
inline constexpr uint8_t kDnp3TransportFir = 0x40;
inline constexpr uint8_t kDnp3TransportSeq = 0x3f;

/// Application control octet bits (IEEE 1815-2012 4.2.2.4).
inline constexpr uint8_t kDnp3AppFir = 0x80;
inline constexpr uint8_t kDnp3AppFin = 0x40;
inline constexpr uint8_t kDnp3AppCon = 0x20;
inline constexpr uint8_t kDnp3AppUns = 0x10;
inline constexpr uint8_t kDnp3AppSeq = 0x0f;

/// Application function codes (IEEE 1815-2012 table 4-1) this code treats specially.
enum Dnp3Function : uint8_t {
  kDnp3Confirm = 0,
  kDnp3Read = 1,
  kDnp3Write = 2,
  kDnp3Select = 3,
  kDnp3Operate = 4,
  kDnp3DirectOperate = 5,
  kDnp3DirectOperateNoAck = 6,
  kDnp3ImmediateFreeze = 7,
  kDnp3ImmediateFreezeNoAck = 8,
  kDnp3FreezeClear = 9,
  kDnp3FreezeClearNoAck = 10,
  kDnp3FreezeAtTime = 11,
  kDnp3FreezeAtTimeNoAck = 12,
  kDnp3ColdRestart = 13,
  kDnp3WarmRestart = 14,
  kDnp3InitializeData = 15,
  kDnp3InitializeApplication = 16,
  kDnp3StartApplication = 17,
  kDnp3StopApplication = 18,
  kDnp3SaveConfiguration = 19,
  kDnp3EnableUnsolicited = 20,
  kDnp3DisableUnsolicited = 21,
  kDnp3AssignClass = 22,
  kDnp3DelayMeasure = 23,
  kDnp3RecordCurrentTime = 24,
  kDnp3OpenFile = 25,
  kDnp3CloseFile = 26,
  kDnp3DeleteFile = 27,
  kDnp3GetFileInfo = 28,
  kDnp3AuthenticateFile = 29,
  kDnp3AbortFile = 30,
  kDnp3ActivateConfig = 31,
  kDnp3AuthenticateRequest = 32,
  kDnp3AuthenticateError = 33,
  kDnp3Response = 129,
  kDnp3UnsolicitedResponse = 130,
  kDnp3AuthenticateResponse = 131,
};

/// IIN bits as a 16-bit value, first octet (IIN1) high (IEEE 1815-2012 4.2.2.7).
inline constexpr uint16_t kDnp3IinDeviceRestart = 0x8000;
inline constexpr uint16_t kDnp3IinNoFunctionSupport = 0x0001;  // IIN2.0
inline constexpr uint16_t kDnp3IinObjectUnknown = 0x0002;      // IIN2.1
inline constexpr uint16_t kDnp3IinParameterError = 0x0004;     // IIN2.2
inline constexpr uint16_t kDnp3IinAlreadyExecuting = 0x0010;   // IIN2.4
/// IIN bits that say the outstation refused or could not carry out the request.
inline constexpr uint16_t kDnp3IinRequestFailed = kDnp3IinNoFunctionSupport |
                                                  kDnp3IinObjectUnknown | kDnp3IinParameterError |
                                                  kDnp3IinAlreadyExecuting;

/// CRC-16/DNP (polynomial 0x3d65, reflected, complemented) of the bytes.
uint16_t Dnp3Crc(std::span<const uint8_t> bytes);

/// Bytes a link frame with length octet `length` occupies on the wire: the header, the user
/// data (length - 5 octets) and a CRC after every block of up to 16 of them.
size_t Dnp3FrameBytes(uint8_t length);

/// The fixed part of a link frame.
struct Dnp3LinkHeader {
  uint8_t length = 0;  // octets after the length octet, CRCs excluded (5 + user data)
  uint8_t control = 0;
  uint16_t destination = 0;
  uint16_t source = 0;

  bool from_master() const { return (control & kDnp3CtlDir) != 0; }
  bool primary() const { return (control & kDnp3CtlPrm) != 0; }
  uint8_t function() const { return control & kDnp3CtlFunction; }
  /// The link function as summary.json keys it: the function code with the PRM bit (0x40),
  /// so primary and secondary codes stay apart (68 = primary unconfirmed user data, 0 = ACK).
  uint8_t keyed_function() const { return control & (kDnp3CtlPrm | kDnp3CtlFunction); }
  /// True when the frame carries a transport segment (tshark 4.0: any function but 0, 9
  /// and 11, and some user data).
  bool carries_data() const;
};

/// What ParseDnp3Link found at the start of the bytes.
enum class Dnp3LinkStatus : uint8_t {
  kOk,            // a whole frame; its data CRCs may still have failed (see data_crc_ok)
  kNeedMore,      // a frame starts here but is not complete yet
  kBadStart,      // the bytes do not start with 0x05 0x64
  kBadLength,     // the length octet is below 5
  kBadHeaderCrc,  // the header CRC does not match: the length cannot be trusted
};

/// One link frame with its user data copied out of the blocks (CRCs removed).
struct Dnp3LinkFrame {
  Dnp3LinkHeader header;
  size_t wire_bytes = 0;    // bytes the frame occupies on the wire
  bool data_crc_ok = true;  // every block CRC matched
  size_t user_data_bytes = 0;
  std::array<uint8_t, kDnp3MaxUserDataBytes> user_data{};

  /// The user data: transport octet, then application bytes. A view into this object.
  std::span<const uint8_t> UserData() const {
    return std::span<const uint8_t>(user_data).first(user_data_bytes);
  }
};

/// Parses the link frame at the start of `bytes`. With kNeedMore, `need` says how many more
/// bytes are wanted at least; with kOk, `out` holds the frame.
Dnp3LinkStatus ParseDnp3Link(std::span<const uint8_t> bytes, Dnp3LinkFrame& out, size_t& need);

/// The transport octet of a segment.
struct Dnp3Transport {
  bool fin = false;
  bool fir = false;
  uint8_t seq = 0;  // 0..63
};

/// Reads the transport octet.
inline Dnp3Transport ParseDnp3Transport(uint8_t octet) {
  return Dnp3Transport{(octet & kDnp3TransportFin) != 0, (octet & kDnp3TransportFir) != 0,
                       static_cast<uint8_t>(octet & kDnp3TransportSeq)};
}

/// How an object header's range field counts its objects (qualifier code, table 4-5).
enum class Dnp3Range : uint8_t {
  kStartStop,   // codes 0-2: start and stop indices
  kAddress,     // codes 3-5: one object at a virtual address
  kAll,         // code 6: no range field, no objects follow (all points)
  kCount,       // codes 7-9: a count of objects
  kFreeFormat,  // code 11: a one-octet count of size-prefixed objects
};

/// One object header and what the walk of its objects found.
struct Dnp3ObjectHeader {
  uint8_t group = 0;
  uint8_t variation = 0;
  uint8_t qualifier = 0;
  Dnp3Range range = Dnp3Range::kAll;
  uint32_t start = 0;  // start index, or the address
  uint32_t stop = 0;   // stop index
  uint64_t count = 0;  // objects that follow the header
  /// Point indices of the first objects (index-prefixed objects only).
  std::array<uint32_t, kDnp3IndicesKept> indices{};
  size_t indices_seen = 0;  // index prefixes read (may exceed kDnp3IndicesKept)
  /// The first object's data (after its prefix), when objects carry data and its size is
  /// known. A view into the fragment given to ParseDnp3Application: valid only as long as it.
  std::span<const uint8_t> first_data;

  uint8_t prefix_code() const { return static_cast<uint8_t>((qualifier >> 4) & 0x07); }
  uint8_t range_code() const { return qualifier & 0x0f; }
};

/// One device attribute (a group 0 object with data): variation names the attribute (252
/// manufacturer, 250 model, 242 software version, 248 serial number...).
struct Dnp3Attribute {
  uint8_t variation = 0;
  uint8_t data_type = 0;  // 1 visible string, 2 unsigned, 3 signed, 4 float, 5 octet string...
  /// The value bytes: a view into the fragment, valid only as long as it.
  std::span<const uint8_t> value;
};

/// One application fragment: header, IIN (responses) and its object headers.
struct Dnp3Apdu {
  uint8_t control = 0;
  uint8_t function = 0;
  bool has_iin = false;  // responses (129-131) carry two IIN octets after the function
  uint16_t iin = 0;      // IIN1 in the high byte
  std::array<Dnp3ObjectHeader, kMaxDnp3ObjectHeaders> objects{};
  size_t object_count = 0;
  std::array<Dnp3Attribute, kMaxDnp3Attributes> attributes{};
  size_t attribute_count = 0;
  bool objects_capped = false;   // a cap (headers, objects walked, attributes) stopped the walk
  bool objects_bad = false;      // a reserved qualifier, stop below start, or a truncated object
  bool objects_unsized = false;  // an object whose size this parser does not know ended the walk

  bool fir() const { return (control & kDnp3AppFir) != 0; }
  bool fin() const { return (control & kDnp3AppFin) != 0; }
  bool con() const { return (control & kDnp3AppCon) != 0; }
  bool uns() const { return (control & kDnp3AppUns) != 0; }
  uint8_t seq() const { return control & kDnp3AppSeq; }
  /// Responses (129 solicited, 130 unsolicited, 131 authentication) carry IIN.
  bool is_response() const {
    return function >= kDnp3Response && function <= kDnp3AuthenticateResponse;
  }
};

/// Parses a reassembled application fragment. False when it is too short to hold a
/// function code (nothing usable); a response whose IIN is cut short is returned with
/// has_iin false and objects_bad set. The returned views point into `fragment`.
bool ParseDnp3Application(std::span<const uint8_t> fragment, Dnp3Apdu& out);

/// Name of an application function ("direct-operate"), or "unknown".
const char* Dnp3FunctionName(uint8_t function);
/// Short name of an object group and variation ("crob", "ai", "class1"), or "" when none.
const char* Dnp3ObjectName(uint8_t group, uint8_t variation);
/// Name of a control status code of a CROB or analog output echo ("not-supported"), or "".
const char* Dnp3ControlStatusName(uint8_t status);

}  // namespace qw::dissect
