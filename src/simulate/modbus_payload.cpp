// Modbus/TCP conversations of the simulated cranes.
//
// Modbus Messaging on TCP/IP Implementation Guide V1.0b, 3.1.3; Modbus Application Protocol
// Specification V1.1b3, 6.1-6.12 (functions 1-6, 15, 16), 6.21 (43/14), 7 (exceptions).
// clang-format off
//  | transaction:2 | protocol:2 (=0) | length:2 | unit:1 | function:1 | data:length-2 |
//  read request        | function | start:2 | quantity:2 |
//  read bits response  | function | byte count:1 | bits, LSB first |
//  read regs response  | function | byte count:1 | registers:2 each |
//  write single (6)    | function | address:2 | value:2 |          (response echoes it)
//  write multiple (16) | function | start:2 | quantity:2 | byte count:1 | registers |
//  (16) response       | function | start:2 | quantity:2 |
//  exception           | function | 0x80 | exception code:1 |
//  43/14 request       | 0x2b | MEI 0x0e | read device id code:1 | object id:1 |
//  43/14 response      | 0x2b | 0x0e | code | conformity | more:1 | next id:1 | count:1 |
//                      | (object id:1 | length:1 | value)... |
// clang-format on
#include <algorithm>
#include <string_view>

#include "simulate/ics_payloads.h"

namespace qw::simulate {
namespace {

// One request, remembered between request and response in Session::remaining.
struct Op {
  uint8_t function = 3;
  uint8_t exception = 0;  // non-zero: the server answers with this exception code
  uint16_t address = 0;
  uint16_t count = 0;
  uint16_t value = 0;  // function 6: the value written
};

uint64_t Pack(const Op& op) {
  return uint64_t{op.function} | uint64_t{op.exception} << 8 | uint64_t{op.address} << 16 |
         uint64_t{op.count} << 32 | uint64_t{op.value} << 48;
}

Op Unpack(uint64_t v) {
  Op op;
  op.function = static_cast<uint8_t>(v);
  op.exception = static_cast<uint8_t>(v >> 8);
  op.address = static_cast<uint16_t>(v >> 16);
  op.count = static_cast<uint16_t>(v >> 32);
  op.value = static_cast<uint16_t>(v >> 48);
  return op;
}

constexpr uint8_t kReadDeviceId = 0x2b;
constexpr uint8_t kMeiDeviceId = 0x0e;
// Exception 02: the address is not one the server holds (Application Protocol 7).
constexpr uint8_t kIllegalDataAddress = 0x02;

// The request of this round, decided by the poller's variant and the round number: each
// poller cycles through its list, with writes and a bad address now and then.
Op ChooseOp(const Session& s, Rng& rng) {
  const uint32_t r = s.round;
  Op op;
  switch (s.variant) {
    case kModbusHmi: {
      if (r % 97 == 11) return Op{3, kIllegalDataAddress, 9000, 10, 0};
      if (r % 40 == 13) return Op{6, 0, 510, 1, static_cast<uint16_t>(1000 + rng.Below(500))};
      if (r % 57 == 21) return Op{16, 0, 520, 4, 0};
      static constexpr Op kCycle[] = {{3, 0, 400, 10, 0}, {4, 0, 0, 8, 0},  {1, 0, 0, 16, 0},
                                      {3, 0, 420, 6, 0},  {2, 0, 0, 24, 0}, {3, 0, 400, 10, 0},
                                      {4, 0, 8, 4, 0},    {3, 0, 430, 2, 0}};
      return kCycle[r % std::size(kCycle)];
    }
    case kModbusDrive:
      if (r % 20 == 7) return Op{6, 0, 99, 1, 0x047f};  // control word: run
      return r % 2 == 1 ? Op{16, 0, 100, 2, 0} : Op{3, 0, 0, 10, 0};
    case kModbusIo:
    case kModbusIoIdentify: {
      if (r == 0 && s.variant == kModbusIoIdentify) return Op{kReadDeviceId, 0, 0, 0, 0};
      static constexpr Op kCycle[] = {{2, 0, 0, 32, 0}, {1, 0, 0, 16, 0}, {4, 0, 0, 4, 0}};
      return kCycle[r % std::size(kCycle)];
    }
    case kModbusHistorian:
    default:
      return r % 2 == 0 ? Op{3, 0, 1000, 20, 0} : Op{4, 0, 0, 16, 0};
  }
  return op;
}

// Device identification objects 0-2 (basic, stream access) of the Schneider I/O island.
constexpr std::string_view kIdentity[] = {"Schneider Electric", "STBNIP2311", "V4.10"};

void Request(ByteWriter& w, const Op& op, Rng& rng) {
  switch (op.function) {
    case 6:
      w.U16(6);
      w.U8(1);
      w.U8(6);
      w.U16(op.address);
      w.U16(op.value);
      return;
    case 16:
      w.U16(static_cast<uint16_t>(7 + 2 * op.count));
      w.U8(1);
      w.U8(16);
      w.U16(op.address);
      w.U16(op.count);
      w.U8(static_cast<uint8_t>(2 * op.count));
      for (uint16_t i = 0; i < op.count; ++i) w.U16(static_cast<uint16_t>(0x0400 + rng.Below(64)));
      return;
    case kReadDeviceId:
      w.U16(5);
      w.U8(1);
      w.U8(kReadDeviceId);
      w.U8(kMeiDeviceId);
      w.U8(0x01);  // read device id code: basic identification, stream access
      w.U8(0x00);  // from object 0, the vendor name
      return;
    default:  // reads: 1, 2, 3, 4
      w.U16(6);
      w.U8(1);
      w.U8(op.function);
      w.U16(op.address);
      w.U16(op.count);
  }
}

void Response(ByteWriter& w, const Op& op, Rng& rng) {
  if (op.exception != 0) {
    w.U16(3);
    w.U8(1);
    w.U8(static_cast<uint8_t>(op.function | 0x80));
    w.U8(op.exception);
    return;
  }
  switch (op.function) {
    case 1:
    case 2: {
      const auto bytes = static_cast<uint8_t>((op.count + 7) / 8);
      w.U16(static_cast<uint16_t>(3 + bytes));
      w.U8(1);
      w.U8(op.function);
      w.U8(bytes);
      for (uint8_t i = 0; i < bytes; ++i) {
        // Bits past the quantity in the last byte are zero (6.1, 6.2).
        const uint32_t used = std::min<uint32_t>(8, op.count - 8u * i);
        w.U8(static_cast<uint8_t>(rng.Below(256) & ((1u << used) - 1)));
      }
      return;
    }
    case 3:
    case 4:
      w.U16(static_cast<uint16_t>(3 + 2 * op.count));
      w.U8(1);
      w.U8(op.function);
      w.U8(static_cast<uint8_t>(2 * op.count));
      for (uint16_t i = 0; i < op.count; ++i) w.U16(static_cast<uint16_t>(1000 + rng.Below(200)));
      return;
    case 6:
      w.U16(6);
      w.U8(1);
      w.U8(6);
      w.U16(op.address);
      w.U16(op.value);
      return;
    case 16:
      w.U16(6);
      w.U8(1);
      w.U8(16);
      w.U16(op.address);
      w.U16(op.count);
      return;
    case kReadDeviceId: {
      size_t objects = 0;
      for (std::string_view v : kIdentity) objects += 2 + v.size();
      w.U16(static_cast<uint16_t>(1 + 7 + objects));  // unit id and PDU
      w.U8(1);
      w.U8(kReadDeviceId);
      w.U8(kMeiDeviceId);
      w.U8(0x01);  // read device id code, as asked
      w.U8(0x01);  // conformity level: basic, stream access only
      w.U8(0x00);  // more follows: no
      w.U8(0x00);  // next object id
      w.U8(static_cast<uint8_t>(std::size(kIdentity)));
      for (uint8_t id = 0; id < std::size(kIdentity); ++id) {
        w.U8(id);
        w.U8(static_cast<uint8_t>(kIdentity[id].size()));
        w.Str(kIdentity[id]);
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace

void PlanModbus(Session& s, Rng& rng) {
  ByteWriter w(s.head);
  w.U16(static_cast<uint16_t>(s.round + 1));  // transaction id
  w.U16(0);                                   // protocol: Modbus
  if (s.dir == 0) {
    const Op op = ChooseOp(s, rng);
    s.remaining = Pack(op);
    Request(w, op, rng);
  } else {
    Response(w, Unpack(s.remaining), rng);
  }
  SetMessage(s, w);
}

}  // namespace qw::simulate
