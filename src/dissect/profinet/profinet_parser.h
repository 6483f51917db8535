// PROFINET parser: the real-time frame header (EtherType 0x8892) and DCP, the Discovery and
// basic Configuration Protocol that names devices and sets their IP addresses. Pure: no
// state, no I/O, no allocation. Every span in a parsed struct is a view into the frame the
// parser was given and lives only as long as that frame (one frame dissector call).
//
// Follows IEC 61158-6-10:2014 clause 4.3 (DCP) and 4.2.x (RT frame ids), as Wireshark's
// packet-pn-rt.c and packet-pn-dcp.c read them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/address.h"
#include "core/anomalies.h"

namespace qw::dissect::profinet {

/// EtherType of PROFINET real-time frames.
inline constexpr uint16_t kPnEthertype = 0x8892;
/// Most blocks read from one DCP PDU (a full frame holds at most ~370 empty ones; real
/// identify responses carry about ten). Hitting it raises `pn_dcp.too_many_blocks`.
inline constexpr size_t kMaxDcpBlocks = 64;
/// Longest text kept from a DCP string (NameOfStation is at most 240 octets by the spec).
inline constexpr size_t kMaxDcpTextBytes = 240;

/// DCP frame ids (IEC 61158-6-10 table "FrameID").
inline constexpr uint16_t kFrameIdDcpHello = 0xfefc;
inline constexpr uint16_t kFrameIdDcpGetSet = 0xfefd;
inline constexpr uint16_t kFrameIdDcpIdentifyRequest = 0xfefe;
inline constexpr uint16_t kFrameIdDcpIdentifyResponse = 0xfeff;
/// Acyclic alarm frame ids.
inline constexpr uint16_t kFrameIdAlarmHigh = 0xfc01;
inline constexpr uint16_t kFrameIdAlarmLow = 0xfe01;

/// DCP ServiceID values.
enum class DcpService : uint8_t { kGet = 3, kSet = 4, kIdentify = 5, kHello = 6 };
/// DCP ServiceType values.
inline constexpr uint8_t kDcpRequest = 0;
inline constexpr uint8_t kDcpResponseSuccess = 1;
inline constexpr uint8_t kDcpResponseUnsupported = 5;

/// DCP options (first byte of a block).
inline constexpr uint8_t kDcpOptionIp = 1;
inline constexpr uint8_t kDcpOptionDevice = 2;
inline constexpr uint8_t kDcpOptionDhcp = 3;
inline constexpr uint8_t kDcpOptionControl = 5;
inline constexpr uint8_t kDcpOptionDeviceInitiative = 6;
inline constexpr uint8_t kDcpOptionAll = 0xff;

/// The PROFINET frame header: the frame id, and what follows it.
struct PnFrame {
  uint16_t frame_id = 0;
  std::span<const uint8_t> data;  // after the frame id, padding included (a view)
};

/// Reads the frame id of a PROFINET frame (the bytes after the EtherType). nullopt when
/// fewer than the 6 bytes Wireshark wants for any RT frame are there.
std::optional<PnFrame> ParsePnFrame(std::span<const uint8_t> l2_payload);

/// True for the frame ids of cyclic real-time data: RT_CLASS_3 (0x0100-0x7fff, streams
/// included), RT_CLASS_1/2 (0x8000-0xbfff) and RT_CLASS_1 legacy/UDP (0xc000-0xfbff).
constexpr bool IsCyclicFrameId(uint16_t id) { return id >= 0x0100 && id <= 0xfbff; }
/// True for the alarm frame ids (0xfc01 high, 0xfe01 low priority).
constexpr bool IsAlarmFrameId(uint16_t id) {
  return id == kFrameIdAlarmHigh || id == kFrameIdAlarmLow;
}
/// True for the four DCP frame ids (0xfefc-0xfeff).
constexpr bool IsDcpFrameId(uint16_t id) {
  return id >= kFrameIdDcpHello && id <= kFrameIdDcpIdentifyResponse;
}
/// The key a frame id is counted under in the "frame_ids" histogram: the first id of its
/// cyclic range (0x0100, 0x8000, 0xc000), so that thousands of cyclic connections do not
/// flood the histogram, and the id itself for everything acyclic (alarms, DCP, PTCP...).
constexpr uint16_t FrameIdKey(uint16_t id) {
  if (id >= 0x0100 && id <= 0x7fff) return 0x0100;
  if (id >= 0x8000 && id <= 0xbfff) return 0x8000;
  if (id >= 0xc000 && id <= 0xfbff) return 0xc000;
  return id;
}

/// One DCP block. For requests of Get, the block is only an option/suboption pair.
struct DcpBlock {
  uint8_t option = 0;
  uint8_t suboption = 0;
  uint16_t length = 0;  // DCPBlockLength as on the wire
  // BlockInfo (identify and get responses, hello) or BlockQualifier (set requests) that
  // led the block's value; absent in filters, selectors and Control/Response blocks.
  bool has_qualifier = false;
  uint16_t qualifier = 0;
  std::span<const uint8_t> value;  // after any BlockInfo/BlockQualifier (a view)
};

/// One DCP PDU: header and blocks, in wire order.
struct DcpPdu {
  uint16_t frame_id = 0;
  uint8_t service_id = 0;    // 3 get, 4 set, 5 identify, 6 hello; others kept raw
  uint8_t service_type = 0;  // 0 request, 1 response success, 5 response unsupported
  uint32_t xid = 0;
  uint16_t response_delay = 0;  // identify requests; reserved in every other PDU
  uint16_t data_length = 0;     // DCPDataLength
  std::array<DcpBlock, kMaxDcpBlocks> blocks{};
  size_t block_count = 0;

  /// The blocks read, in wire order.
  std::span<const DcpBlock> Blocks() const { return {blocks.data(), block_count}; }
  /// True for the response service types (success or unsupported).
  bool IsResponse() const {
    return service_type == kDcpResponseSuccess || service_type == kDcpResponseUnsupported;
  }
};

/// Parses the DCP PDU that follows a DCP frame id. nullopt when the 10-byte header is not
/// all there; otherwise the header and every block that could be read, with anomalies
/// raised for data length, block length and cap problems. Blocks are read only for the
/// four known services and the three known service types (others stay raw).
std::optional<DcpPdu> ParseDcp(uint16_t frame_id, std::span<const uint8_t> data,
                               core::Anomalies& anomalies);

/// What a device's DCP blocks (identify or get response, hello) say about it. Spans are
/// views into the frame.
struct DcpStation {
  std::span<const uint8_t> name_of_station;  // empty when absent
  std::span<const uint8_t> vendor_value;     // DeviceVendorValue ("type of station")
  std::span<const uint8_t> alias_name;
  bool has_device_id = false;
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  bool has_role = false;
  uint8_t role =
      0;  // bits: 0x01 IO-Device, 0x02 IO-Controller, 0x04 IO-Multidevice, 0x08 supervisor
  bool has_ip = false;
  uint16_t ip_info =
      0;  // BlockInfo of the IP block: 0 not set, 1 set, 2 set by DHCP, +0x80 conflict
  core::IpAddr ip, netmask, gateway;
  bool has_mac = false;
  core::MacAddr mac;
};

/// Collects the device facts of `pdu`'s blocks; `pn_dcp.bad_block_value` for a known block
/// whose value is too short for its fields.
DcpStation StationOf(const DcpPdu& pdu, core::Anomalies& anomalies);

/// The error of a Control/Response block (option 5, suboption 4) of a set or get response:
/// the option and suboption it answers and its BlockError (0 ok).
struct DcpBlockError {
  uint8_t option = 0;
  uint8_t suboption = 0;
  uint8_t error = 0;
};

/// The first Control/Response block of `pdu` whose BlockError is not 0, if any.
std::optional<DcpBlockError> FirstBlockError(const DcpPdu& pdu);

/// Name of a DCP service id ("get", "set", "identify", "hello"), or "unknown".
const char* DcpServiceName(uint8_t service_id);
/// Name of a BlockError value ("option-unsupported", ...), or "unknown".
const char* DcpBlockErrorName(uint8_t error);

}  // namespace qw::dissect::profinet
