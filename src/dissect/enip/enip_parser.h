// EtherNet/IP encapsulation parser: the 24-byte encapsulation header, the Common Packet
// Format (CPF) items of SendRRData / SendUnitData and of implicit I/O datagrams, and the
// replies that describe a device (ListIdentity, ListServices, RegisterSession). Pure: bytes
// in, structs out, no state, no I/O, no allocation.
//
// Every span in a parsed struct is a view into the bytes the parser was given: it lives
// only as long as those bytes, i.e. for the dissector callback that received them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dissect/enip/cip_parser.h"

namespace qw::dissect::enip {

/// Bytes of the encapsulation header that precedes every command.
inline constexpr size_t kEnipHeaderSize = 24;
/// Most CPF items read from one message (real traffic carries 2, rarely 4); more raises
/// `enip.cpf_item_cap` and the rest are left unread.
inline constexpr size_t kMaxCpfItems = 8;
/// Most items read from a ListIdentity / ListServices / ListInterfaces reply
/// (`enip.list_item_cap`).
inline constexpr size_t kMaxListItems = 4;

/// Encapsulation commands (ODVA Vol 2 table 2-3.2). 0x0001 is a legacy command that older
/// Rockwell tools still send ("list targets"); it is kept as a known code.
enum EnipCommand : uint16_t {
  kNop = 0x0000,
  kLegacyListTargets = 0x0001,
  kListServices = 0x0004,
  kListIdentity = 0x0063,
  kListInterfaces = 0x0064,
  kRegisterSession = 0x0065,
  kUnregisterSession = 0x0066,
  kSendRRData = 0x006f,
  kSendUnitData = 0x0070,
  kIndicateStatus = 0x0072,
  kCancel = 0x0073,
};

/// CPF item type ids (ODVA Vol 2 table 2-6.3).
enum CpfItemType : uint16_t {
  kCpfNullAddress = 0x0000,
  kCpfListIdentity = 0x000c,
  kCpfConnectedAddress = 0x00a1,
  kCpfConnectedData = 0x00b1,
  kCpfUnconnectedData = 0x00b2,
  kCpfListServices = 0x0100,
  kCpfSockaddrOT = 0x8000,
  kCpfSockaddrTO = 0x8001,
  kCpfSequencedAddress = 0x8002,
};

/// The encapsulation header, all fields little-endian on the wire.
struct EnipHeader {
  uint16_t command = 0;
  uint16_t length = 0;  // bytes of command-specific data after the header
  uint32_t session = 0;
  uint32_t status = 0;
  uint64_t context = 0;  // sender context, echoed by the receiver (kept as its 8 raw bytes)
  uint32_t options = 0;
};

/// True for the commands of table 2-3.2 (and the legacy 0x0001).
bool IsKnownCommand(uint16_t command);

/// Reads the header from the first 24 bytes; nullopt when fewer are given.
std::optional<EnipHeader> ParseEnipHeader(std::span<const uint8_t> bytes);

/// One CPF item: its type and a view of its data.
struct CpfItem {
  uint16_t type = 0;
  std::span<const uint8_t> data;
};

/// A Common Packet Format list: `| count:2 | { type:2 | length:2 | data:length } ... |`.
struct Cpf {
  std::array<CpfItem, kMaxCpfItems> items{};
  size_t count = 0;       // items read (at most kMaxCpfItems)
  uint16_t declared = 0;  // the item count field
  bool capped = false;    // the count exceeded kMaxCpfItems
};

/// Parses a CPF list that must fill `bytes` exactly; nullopt when an item runs past the end.
std::optional<Cpf> ParseCpf(std::span<const uint8_t> bytes);

/// What SendRRData / SendUnitData carry: `| interface handle:4 | timeout:2 | CPF |`, and the
/// message found in its items.
struct EnipMessage {
  uint32_t interface_handle = 0;
  uint16_t timeout = 0;
  Cpf cpf;
  bool connected = false;        // a connected (0x00a1) or sequenced (0x8002) address item
  uint32_t connection_id = 0;    // from the address item when connected
  bool has_sequence = false;     // the connected data item began with a sequence count
  uint16_t sequence = 0;         // CIP sequence count of a connected data item
  bool has_data = false;         // a connected or unconnected data item was found
  std::span<const uint8_t> cip;  // the CIP message of the data item (after the sequence count)
};

/// Parses SendRRData / SendUnitData command data; nullopt when it is malformed (too short,
/// CPF items past the end, a connected data item shorter than its sequence count).
std::optional<EnipMessage> ParseEnipMessage(std::span<const uint8_t> data);

/// One implicit I/O datagram (UDP 2222): a CPF with a sequenced address item and a
/// connected data item (ODVA Vol 2 2-6.3.3, 3-2.1).
struct EnipIoFrame {
  uint32_t connection_id = 0;
  uint32_t encap_sequence = 0;    // from the sequenced address item (0 with a 0x00a1 item)
  std::span<const uint8_t> data;  // connected data item payload (class 1: sequence + data)
  bool capped = false;
};

/// Parses an implicit I/O datagram; nullopt unless it is a CPF filling the datagram whose
/// first item is a sequenced (0x8002, 8 bytes) or connected (0x00a1, 4 bytes) address item
/// followed by a connected data item (0x00b1).
std::optional<EnipIoFrame> ParseEnipIo(std::span<const uint8_t> datagram);

/// The identity item (type 0x0c) of a ListIdentity reply (ODVA Vol 2 table 2-4.4).
struct EnipIdentity {
  uint16_t encap_version = 0;
  uint16_t sin_family = 0;  // big-endian on the wire, like the port and address
  uint16_t sin_port = 0;
  std::array<uint8_t, 4> sin_addr{};
  CipIdentityAttributes attributes;  // the Identity object's attributes 1-7, as sent
  bool has_state = false;            // the optional trailing state byte was present
  uint8_t state = 0;
};

/// The items of a ListIdentity reply: identity items only, others skipped.
struct EnipIdentityList {
  std::array<EnipIdentity, kMaxListItems> items{};
  size_t count = 0;
  bool capped = false;
};

/// Parses ListIdentity reply data; nullopt when the item list or an identity item is malformed.
std::optional<EnipIdentityList> ParseListIdentityReply(std::span<const uint8_t> data);

/// One ListServices reply item (type 0x100).
struct EnipService {
  uint16_t version = 0;
  uint16_t capability_flags = 0;  // bit 5: CIP over TCP, bit 8: class 0/1 over UDP
  std::span<const uint8_t> name;  // 16 bytes, NUL padded
};

/// The items of a ListServices reply.
struct EnipServiceList {
  std::array<EnipService, kMaxListItems> items{};
  size_t count = 0;
  bool capped = false;
};

/// Parses ListServices reply data; nullopt when malformed.
std::optional<EnipServiceList> ParseListServicesReply(std::span<const uint8_t> data);

/// RegisterSession data: `| protocol version:2 | options:2 |` (both directions).
struct EnipRegisterSession {
  uint16_t version = 0;
  uint16_t options = 0;
};

/// Parses RegisterSession data; nullopt unless exactly 4 bytes.
std::optional<EnipRegisterSession> ParseRegisterSession(std::span<const uint8_t> data);

}  // namespace qw::dissect::enip
