// DNP3 between the power SCADA (master) and the substation RTU (outstation), TCP 20000.
//
// IEEE 1815-2012: 9.2 (data link frame, CRC), 8.2 (transport header), 4.2.2 (application
// header), A.2 (g1v2), A.5 (g10v2), A.8 (g12v1 CROB), A.11 (g20v1), A.14 (g30v1), A.32
// (g60 class data); object headers 4.2.2.7. Link fields little-endian.
// clang-format off
//  link header | 0x05 0x64 | length:1 (control..user data, no CRCs) | control:1 | dest:2 | src:2 | CRC:2 |
//  user data   | (up to 16 bytes | CRC:2)... |
//  transport   | FIN:1 FIR:1 sequence:6 |
//  application | control: FIR FIN CON UNS sequence:4 | function:1 | (responses) IIN:2 | objects |
//  object      | group:1 | variation:1 | qualifier:1 | range | points |
// clang-format on
#include <algorithm>
#include <array>

#include "simulate/ics_payloads.h"

namespace qw::simulate {
namespace {

constexpr uint16_t kMasterAddress = 3;
constexpr uint16_t kOutstationAddress = 10;
constexpr uint8_t kRead = 0x01, kDirectOperate = 0x05, kResponse = 0x81;
// Link control: DIR (from the master), PRM, function 4 unconfirmed user data.
constexpr uint8_t kLinkFromMaster = 0xc4, kLinkFromOutstation = 0x44;
constexpr size_t kBlock = 16;

// CRC of IEEE 1815 9.2.4.2: polynomial 0x3d65 bit-reversed (0xa6bc), initial 0, inverted,
// sent low byte first.
uint16_t Crc(std::span<const uint8_t> bytes) {
  uint16_t crc = 0;
  for (uint8_t b : bytes) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xa6bc : crc >> 1;
  }
  return static_cast<uint16_t>(~crc);
}

// Wraps `user` (transport header and application fragment) in one link frame.
void LinkFrame(ByteWriter& w, bool from_master, std::span<const uint8_t> user) {
  uint8_t header[8] = {0x05, 0x64, static_cast<uint8_t>(5 + user.size()),
                       from_master ? kLinkFromMaster : kLinkFromOutstation};
  const uint16_t dest = from_master ? kOutstationAddress : kMasterAddress;
  const uint16_t src = from_master ? kMasterAddress : kOutstationAddress;
  header[4] = static_cast<uint8_t>(dest);
  header[5] = static_cast<uint8_t>(dest >> 8);
  header[6] = static_cast<uint8_t>(src);
  header[7] = static_cast<uint8_t>(src >> 8);
  w.Bytes(header);
  w.U16Le(Crc(header));
  for (size_t at = 0; at < user.size(); at += kBlock) {
    const auto block = user.subspan(at, std::min(kBlock, user.size() - at));
    w.Bytes(block);
    w.U16Le(Crc(block));
  }
}

// A range header with 8-bit start and stop indexes (qualifier 0x00).
void Range8(ByteWriter& w, uint8_t group, uint8_t variation, uint8_t start, uint8_t stop) {
  w.U8(group);
  w.U8(variation);
  w.U8(0x00);
  w.U8(start);
  w.U8(stop);
}

// The outstation's static data, as a class 0 poll returns it.
void StaticData(ByteWriter& w, Rng& rng) {
  Range8(w, 1, 2, 0, 7);  // binary inputs with flags: breaker and isolator positions
  for (int i = 0; i < 8; ++i) w.U8(static_cast<uint8_t>(0x01 | (rng.Chance(0.5) ? 0x80 : 0)));
  Range8(w, 10, 2, 0, 1);  // binary output status with flags
  w.U8(0x81);
  w.U8(0x01);
  Range8(w, 20, 1, 0, 1);  // 32-bit counters with flag: energy, operations
  for (int i = 0; i < 2; ++i) {
    w.U8(0x01);
    w.U32Le(100000 + rng.Below(900000));
  }
  Range8(w, 30, 1, 0, 5);  // 32-bit analog inputs with flag: voltages, currents, power
  static constexpr uint32_t kBase[] = {11000, 11000, 11000, 420, 415, 7800};
  for (uint32_t base : kBase) {
    w.U8(0x01);
    w.U32Le(base - 50 + rng.Below(100));
  }
}

// Control relay output block for point 2: close (trip/close 10), pulse on, once, 500 ms.
void Crob(ByteWriter& w, uint8_t status) {
  w.U8(12);
  w.U8(1);
  w.U8(0x28);  // 16-bit count, 16-bit index prefix
  w.U16Le(1);
  w.U16Le(2);
  w.U8(0x41);  // close, pulse on
  w.U8(1);     // count
  w.U32Le(500);
  w.U32Le(0);
  w.U8(status);
}

}  // namespace

// Rounds: 0 and every tenth a class 0 poll (g60v1); round 3 a direct operate of breaker 2;
// otherwise event polls (g60v2-v4) that find nothing new.
void PlanDnp3(Session& s, Rng& rng) {
  const bool master = s.dir == 0;
  std::array<uint8_t, 256> user{};
  ByteWriter a(user);
  const auto seq = static_cast<uint8_t>(s.round & 0x0f);
  a.U8(static_cast<uint8_t>(0xc0 | (s.round & 0x3f)));  // transport: FIN, FIR, sequence
  a.U8(static_cast<uint8_t>(0xc0 | seq));               // application: FIR, FIN
  const bool operate = s.round == 3;
  const bool integrity = s.round % 10 == 0;
  if (master) {
    a.U8(operate ? kDirectOperate : kRead);
    if (operate) {
      Crob(a, 0);
    } else if (integrity) {
      static constexpr uint8_t kClass0[] = {60, 1, 0x06};  // class 0, all objects
      a.Bytes(kClass0);
    } else {
      static constexpr uint8_t kEvents[] = {60, 2, 0x06, 60, 3, 0x06, 60, 4, 0x06};  // 1-3
      a.Bytes(kEvents);
    }
  } else {
    a.U8(kResponse);
    a.U8(0x00);  // IIN1
    a.U8(0x00);  // IIN2
    if (operate) {
      Crob(a, 0);  // echoed with status 0: success
    } else if (integrity) {
      StaticData(a, rng);
    }
  }
  ByteWriter w(s.head);
  LinkFrame(w, master, a.written());
  SetMessage(s, w);
}

}  // namespace qw::simulate
