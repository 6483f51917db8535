// PROFINET on the cranes whose drives and I/O run on it: DCP Identify (an engineering
// tool's "accessible devices") and RT class 1 cyclic data between the PLC and its devices,
// directly on Ethernet (EtherType 0x8892) in the crane's VLAN.
//
// IEC 61158-6-10:2014 (PROFINET IO application layer protocol), 4.3 (DCP: Identify
// request and response, blocks), 4.7.2 and 4.2.2 (RT frame: FrameID, C_SDU, APDU_Status
// = CycleCounter, DataStatus, TransferStatus). All fields big-endian.
// clang-format off
//  frame      | FrameID:2 | ... |  0xfefe Identify request (multicast), 0xfeff response,
//                                  0x8000.. cyclic RT
//  DCP        | ServiceID:1 (5 Identify) | ServiceType:1 | Xid:4 | ResponseDelay:2 (request)
//             | or reserved:2 (response) | DCPDataLength:2 | blocks |
//  block      | Option:1 | Suboption:1 | BlockLength:2 | (response) BlockInfo:2 | value | pad to even |
//  cyclic     | FrameID:2 | C_SDU:40 | CycleCounter:2 | DataStatus:1 | TransferStatus:1 |
// clang-format on
#include "simulate/ics_payloads.h"

namespace qw::simulate {
namespace {

constexpr uint8_t kIdentify = 0x05;
constexpr uint8_t kRequest = 0x00, kResponseSuccess = 0x01;
constexpr uint8_t kOptionIp = 0x01, kOptionDevice = 0x02, kOptionAll = 0xff;
constexpr uint8_t kSubIpParameter = 0x02;
constexpr uint8_t kSubVendor = 0x01, kSubName = 0x02, kSubDeviceId = 0x03, kSubRole = 0x04,
                  kSubOptions = 0x05;
constexpr uint16_t kIpSet = 0x0001;  // BlockInfo of the IP parameter: address set
constexpr size_t kCSdu = 40;
// DataStatus: primary, data valid, provider run, station problem indicator normal.
constexpr uint8_t kDataStatusGood = 0x35;

void ResponseBlock(ByteWriter& w, uint8_t option, uint8_t suboption, size_t value_length) {
  w.U8(option);
  w.U8(suboption);
  w.U16(static_cast<uint16_t>(2 + value_length));
  w.U16(0);  // BlockInfo: reserved
}

void Pad(ByteWriter& w, size_t value_length) {
  if ((2 + value_length) % 2 != 0) w.U8(0);
}

void StringBlock(ByteWriter& w, uint8_t suboption, std::string_view text) {
  ResponseBlock(w, kOptionDevice, suboption, text.size());
  w.Str(text);
  Pad(w, text.size());
}

}  // namespace

size_t WriteDcpIdentifyRequest(std::span<uint8_t> out, uint32_t xid, uint16_t response_delay) {
  ByteWriter w(out);
  w.U16(0xfefe);
  w.U8(kIdentify);
  w.U8(kRequest);
  w.U32(xid);
  w.U16(response_delay);  // factor of 10 ms over which devices spread their answers
  w.U16(4);
  w.U8(kOptionAll);  // all selector: every device answers
  w.U8(0xff);
  w.U16(0);
  return w.size();
}

size_t WriteDcpIdentifyResponse(std::span<uint8_t> out, uint32_t xid, const DcpIdentity& id) {
  ByteWriter w(out);
  w.U16(0xfeff);
  w.U8(kIdentify);
  w.U8(kResponseSuccess);
  w.U32(xid);
  w.U16(0);  // reserved
  const size_t length_at = w.size();
  w.U16(0);  // DCPDataLength, below
  const size_t start = w.size();
  // Device options: the option/suboption pairs this device supports.
  static constexpr uint8_t kOptions[][2] = {
      {kOptionIp, kSubIpParameter},  {kOptionDevice, kSubVendor}, {kOptionDevice, kSubName},
      {kOptionDevice, kSubDeviceId}, {kOptionDevice, kSubRole},   {kOptionDevice, kSubOptions}};
  ResponseBlock(w, kOptionDevice, kSubOptions, 2 * std::size(kOptions));
  for (const auto& pair : kOptions) {
    w.U8(pair[0]);
    w.U8(pair[1]);
  }
  StringBlock(w, kSubVendor, id.station_type);
  StringBlock(w, kSubName, id.station_name);
  ResponseBlock(w, kOptionDevice, kSubDeviceId, 4);
  w.U16(id.vendor_id);
  w.U16(id.device_id);
  ResponseBlock(w, kOptionDevice, kSubRole, 2);
  w.U8(id.role);
  w.U8(0);  // reserved
  w.U8(kOptionIp);
  w.U8(kSubIpParameter);
  w.U16(2 + 12);
  w.U16(kIpSet);
  w.U32(id.ip);
  w.U32(id.mask);
  w.U32(id.gateway);
  w.PatchBe(length_at, w.size() - start, 2);
  return w.size();
}

size_t WritePnRtCyclic(std::span<uint8_t> out, uint16_t frame_id, uint16_t cycle_counter,
                       bool output, Rng& rng) {
  ByteWriter w(out);
  w.U16(frame_id);
  // C_SDU: the controller's outputs (PROFIdrive control word and speed setpoint) or the
  // device's inputs (status word and actual speed), each followed by its provider status
  // (IOPS 0x80: good), then the consumer statuses of the other direction, zero padded.
  const size_t start = w.size();
  w.U16(output ? 0x047f : 0xe3b1);  // STW1 "run" / ZSW1 "operation enabled"
  w.U16(static_cast<uint16_t>(0x2000 + rng.Below(0x400)));
  w.U8(0x80);
  w.U8(0x80);
  w.U8(0x80);
  while (w.size() - start < kCSdu) w.U8(0);
  w.U16(cycle_counter);
  w.U8(kDataStatusGood);
  w.U8(0x00);  // transfer status: no error
  return w.size();
}

DcpIdentity DcpIdentityOf(const Scenario& scenario, uint32_t host) {
  const Host& h = scenario.hosts[host];
  DcpIdentity id;
  id.station_name = h.name;
  id.ip = h.ip;
  id.mask = 0xffffff00;
  id.gateway = (h.ip & 0xffffff00) | 1;
  // Vendor ids of the PROFINET vendor list: 0x002a Siemens, 0x00b0 Phoenix Contact.
  switch (h.role) {
    case Role::kPlc:
      id.station_type = "S7-300";
      id.vendor_id = 0x002a;
      id.device_id = 0x0101;
      id.role = 0x02;  // IO controller
      break;
    case Role::kDrive:
      id.station_type = "SINAMICS G120";
      id.vendor_id = 0x002a;
      id.device_id = 0x050c;
      id.role = 0x01;  // IO device
      break;
    default:
      id.station_type = "AXL F BK PN";
      id.vendor_id = 0x00b0;
      id.device_id = 0x0127;
      id.role = 0x01;
      break;
  }
  return id;
}

}  // namespace qw::simulate
