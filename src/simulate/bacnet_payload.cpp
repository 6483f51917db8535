// BACnet/IP in the office and gate-house buildings: the building management server's
// Who-Is, the controllers' I-Am, ReadProperty of present values and one WriteProperty of a
// setpoint, UDP 47808.
//
// ANSI/ASHRAE 135-2020: Annex J (BVLL: type 0x81, function, length), 6.2 (NPDU), 20.1
// (APDU headers), 20.2 (tags), 15.5 (ReadProperty), 15.9 (WriteProperty), 16.10 (Who-Is,
// I-Am). Multi-octet fields big-endian.
// clang-format off
//  BVLC      | 0x81 | function:1 (0x0a unicast, 0x0b broadcast) | length:2 (whole BVLL) |
//  NPDU      | version:1 (=1) | control:1 | (control & 0x20) DNET:2 DLEN:1 | (DNET) hop count:1 |
//  confirmed | 0x00 | max segments, max APDU:1 | invoke id:1 | service:1 | tagged parameters |
//  unconfirm.| 0x10 | service:1 | tagged parameters |
//  ComplexACK| 0x30 | invoke id:1 | service:1 | tagged results |   SimpleACK | 0x20 | invoke id:1 | service:1 |
// clang-format on
#include <bit>

#include "simulate/ics_payloads.h"

namespace qw::simulate {
namespace {

constexpr uint8_t kUnicast = 0x0a, kBroadcast = 0x0b;
constexpr uint8_t kIAm = 0x00, kWhoIs = 0x08;
constexpr uint8_t kReadProperty = 12, kWriteProperty = 15;
constexpr uint8_t kPresentValue = 85;
constexpr uint32_t kAnalogInput = 0, kAnalogValue = 2, kDevice = 8;

uint32_t ObjectId(uint32_t type, uint32_t instance) { return type << 22 | instance; }

// The objects the server reads, by index kept in Session::counter bits 8 and up.
struct Point {
  uint32_t type, instance;
  float nominal;
};
constexpr Point kPoints[] = {{kAnalogInput, 1, 19.5f},   // supply air temperature
                             {kAnalogInput, 2, 22.0f},   // return air temperature
                             {kAnalogInput, 3, 41.0f},   // relative humidity
                             {kAnalogValue, 1, 21.0f}};  // room setpoint (written)
constexpr size_t kSetpoint = 3;

void Bvlc(ByteWriter& w, uint8_t function) {
  w.U8(0x81);
  w.U8(function);
  w.U16(0);  // length, patched by Finish
}

size_t Finish(ByteWriter& w) {
  w.PatchBe(2, w.size(), 2);
  return w.size();
}

// NPDU for a global broadcast: DNET 0xffff, no DADR, hop count 255.
void GlobalNpdu(ByteWriter& w) {
  w.U8(0x01);
  w.U8(0x20);
  w.U16(0xffff);
  w.U8(0);
  w.U8(0xff);
}

void Real(ByteWriter& w, float value) {
  w.U8(0x44);  // application tag 4 (REAL), length 4
  w.U32(std::bit_cast<uint32_t>(value));
}

void ObjectAndProperty(ByteWriter& w, const Point& p) {
  w.U8(0x0c);  // context tag 0, length 4: object identifier
  w.U32(ObjectId(p.type, p.instance));
  w.U8(0x19);  // context tag 1, length 1: property identifier
  w.U8(kPresentValue);
}

}  // namespace

size_t WriteBacnetWhoIs(std::span<uint8_t> out) {
  ByteWriter w(out);
  Bvlc(w, kBroadcast);
  GlobalNpdu(w);
  w.U8(0x10);
  w.U8(kWhoIs);  // no range: every device answers
  return Finish(w);
}

size_t WriteBacnetIAm(std::span<uint8_t> out, uint32_t instance, uint16_t vendor) {
  ByteWriter w(out);
  Bvlc(w, kBroadcast);
  GlobalNpdu(w);
  w.U8(0x10);
  w.U8(kIAm);
  w.U8(0xc4);  // application tag 12 (object identifier), length 4
  w.U32(ObjectId(kDevice, instance));
  w.U8(0x22);  // unsigned, length 2: max APDU length accepted
  w.U16(1476);
  w.U8(0x91);  // enumerated, length 1: segmentation supported
  w.U8(3);     // no segmentation
  w.U8(0x21);  // unsigned, length 1: vendor identifier
  w.U8(static_cast<uint8_t>(vendor));
  return Finish(w);
}

size_t WriteBacnet(std::span<uint8_t> out, const Session& s, bool response, Rng& rng) {
  ByteWriter w(out);
  const auto invoke = static_cast<uint8_t>(s.counter);
  const bool write = s.variant == kBacnetWrite;
  const Point& point = kPoints[write ? kSetpoint : (s.counter >> 8) % kSetpoint];
  const uint8_t service = write ? kWriteProperty : kReadProperty;
  Bvlc(w, kUnicast);
  w.U8(0x01);
  w.U8(response ? 0x00 : 0x04);  // a confirmed request expects a reply
  if (response) {
    if (write) {
      w.U8(0x20);  // SimpleACK
      w.U8(invoke);
      w.U8(service);
      return Finish(w);
    }
    w.U8(0x30);  // ComplexACK, not segmented
    w.U8(invoke);
    w.U8(service);
    ObjectAndProperty(w, point);
    w.U8(0x3e);  // opening tag 3: property value
    Real(w, point.nominal + static_cast<float>(rng.Below(200)) / 100.0f - 1.0f);
    w.U8(0x3f);
    return Finish(w);
  }
  w.U8(0x00);  // confirmed request, unsegmented
  w.U8(0x05);  // up to 1476 octets accepted
  w.U8(invoke);
  w.U8(service);
  ObjectAndProperty(w, point);
  if (write) {
    w.U8(0x3e);
    Real(w, 20.0f + static_cast<float>(rng.Below(5)) / 2.0f);
    w.U8(0x3f);
    w.U8(0x49);  // context tag 4, length 1: priority 8 (manual operator)
    w.U8(8);
  }
  return Finish(w);
}

uint32_t BacnetInstanceOf(const Scenario& scenario, uint32_t host) {
  const uint32_t ip = scenario.hosts[host].ip;
  return 100000 + (ip >> 8 & 0xff) * 1000 + (ip & 0xff);
}

uint16_t BacnetVendorOf(const Scenario& scenario, uint32_t host) {
  // ASHRAE vendor ids: 5 Johnson Controls, 8 Delta Controls.
  return scenario.hosts[host].mac.b[2] == 0x8d ? 5 : 8;
}

}  // namespace qw::simulate
