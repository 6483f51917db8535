// EtherNet/IP with CIP on the Rockwell-fitted cranes: an HMI's explicit messages to the
// spreader ControlLogix (TCP 44818), the ControlLogix opening a class 1 connection to its
// Rockwell I/O adapter, the cyclic I/O that follows (UDP 2222), and ListIdentity.
//
// The CIP Networks Library Vol 2 (EtherNet/IP adaptation of CIP), 2-3 (encapsulation),
// 2-4 (ListIdentity), 2-6 (common packet format, class 1 I/O); Vol 1, 3-5.5 (Forward_Open),
// 4-4 (logical and symbolic segments), 5-2 (Identity object); Logix 5000 Data Access
// (Read Tag Service 0x4c, Write Tag Service 0x4d). All integers little-endian except the
// socket address, which is in network order.
// clang-format off
//  encapsulation | command:2 | length:2 | session handle:4 | status:4 | sender context:8 | options:4 |
//  SendRRData    | interface handle:4 | timeout:2 | item count:2 | (type:2 | length:2 | data)... |
//  CIP request   | service:1 | path size (words):1 | path | data |
//  CIP response  | service|0x80:1 | reserved:1 | general status:1 | extended size:1 | data |
//  I/O datagram  | item count:2 | 0x8002 | 8 | connection id:4 | sequence:4 |
//                | 0x00b1 | length:2 | CIP sequence count:2 | (O->T) run/idle:4 | data |
// clang-format on
#include <array>
#include <bit>
#include <string_view>

#include "simulate/ics_payloads.h"

namespace qw::simulate {
namespace {

constexpr uint16_t kListIdentity = 0x0063, kRegisterSession = 0x0065, kUnRegisterSession = 0x0066,
                   kSendRRData = 0x006f;
constexpr uint16_t kItemNull = 0x0000, kItemUnconnected = 0x00b2, kItemIdentity = 0x000c,
                   kItemSequenced = 0x8002, kItemConnected = 0x00b1;
constexpr uint8_t kGetAttributeSingle = 0x0e, kReadTag = 0x4c, kWriteTag = 0x4d,
                  kForwardOpen = 0x54;
constexpr uint16_t kTypeBool = 0x00c1, kTypeDint = 0x00c4, kTypeReal = 0x00ca;
constexpr uint16_t kEnipPort = 44818;

// The connection the scanner opens: its default requested packet interval, serial numbers.
constexpr uint32_t kRpiUs = 100000;
constexpr uint16_t kConnectionSerial = 0x2a31;
constexpr uint32_t kOriginatorSerial = 0x6010b7e2;

struct Tag {
  std::string_view name;
  uint16_t type;
};
constexpr Tag kTags[] = {{"Hoist_Load_kg", kTypeDint},
                         {"Trolley_Pos_mm", kTypeDint},
                         {"Sway_Angle_deg", kTypeReal},
                         {"Twistlock_Locked", kTypeBool}};
constexpr Tag kWrittenTag = {"Sway_Ctrl_Gain", kTypeReal};

void Encap(ByteWriter& w, uint16_t command, size_t length, uint32_t session, uint64_t context) {
  w.U16Le(command);
  w.U16Le(static_cast<uint16_t>(length));
  w.U32Le(session);
  w.U32Le(0);  // status: success
  w.U64Le(context);
  w.U32Le(0);  // options
}

// SendRRData carrying one unconnected CIP message (null address item, data item).
void SendRRData(ByteWriter& w, uint32_t session, uint64_t context, bool request,
                std::span<const uint8_t> cip) {
  Encap(w, kSendRRData, 16 + cip.size(), session, context);
  w.U32Le(0);                 // interface handle: CIP
  w.U16Le(request ? 10 : 0);  // timeout, seconds
  w.U16Le(2);                 // item count
  w.U16Le(kItemNull);
  w.U16Le(0);
  w.U16Le(kItemUnconnected);
  w.U16Le(static_cast<uint16_t>(cip.size()));
  w.Bytes(cip);
}

// An ANSI extended symbolic segment (0x91), padded to a whole word, after its word count.
void SymbolicPath(ByteWriter& w, std::string_view tag) {
  w.U8(static_cast<uint8_t>((2 + tag.size() + tag.size() % 2) / 2));
  w.U8(0x91);
  w.U8(static_cast<uint8_t>(tag.size()));
  w.Str(tag);
  if (tag.size() % 2 != 0) w.U8(0);
}

void Value(ByteWriter& w, uint16_t type, Rng& rng) {
  switch (type) {
    case kTypeBool:
      w.U8(rng.Chance(0.7) ? 0x01 : 0x00);
      return;
    case kTypeReal:
      w.U32Le(std::bit_cast<uint32_t>(static_cast<float>(rng.Between(-300, 300)) / 100.0f));
      return;
    default:
      w.U32Le(static_cast<uint32_t>(rng.Between(0, 65000)));
  }
}

void ResponseHead(ByteWriter& w, uint8_t service) {
  w.U8(static_cast<uint8_t>(service | 0x80));
  w.U8(0);  // reserved
  w.U8(0);  // general status: success
  w.U8(0);  // no extended status
}

void ForwardOpen(ByteWriter& w, bool request, const CipConnection& c, uint32_t rpi_us) {
  if (!request) {
    ResponseHead(w, kForwardOpen);
    w.U32Le(c.o_to_t);
    w.U32Le(c.t_to_o);
    w.U16Le(kConnectionSerial);
    w.U16Le(1);  // originator vendor: Rockwell Automation
    w.U32Le(kOriginatorSerial);
    w.U32Le(rpi_us);  // actual packet intervals
    w.U32Le(rpi_us);
    w.U8(0);  // application reply size
    w.U8(0);
    return;
  }
  w.U8(kForwardOpen);
  w.U8(2);  // path: connection manager, instance 1
  w.U8(0x20);
  w.U8(0x06);
  w.U8(0x24);
  w.U8(0x01);
  w.U8(0x0a);  // priority, tick time 1024 ms
  w.U8(0x0e);  // timeout ticks
  w.U32Le(0);  // O->T connection id: the target chooses
  w.U32Le(c.t_to_o);
  w.U16Le(kConnectionSerial);
  w.U16Le(1);
  w.U32Le(kOriginatorSerial);
  w.U8(1);  // connection timeout multiplier: x8
  w.Fill(3, 0);
  // Network connection parameters: point to point, scheduled, fixed size; sizes count
  // the CIP sequence count (and O->T the run/idle header).
  w.U32Le(rpi_us);
  w.U16Le(static_cast<uint16_t>(0x4800 | (2 + 4 + kCipOutputBytes)));
  w.U32Le(rpi_us);
  w.U16Le(static_cast<uint16_t>(0x4800 | (2 + kCipInputBytes)));
  w.U8(0x01);  // transport: client, cyclic, class 1
  w.U8(4);     // connection path: assembly, configuration 102, consumed 101, produced 100
  static constexpr uint8_t kPath[] = {0x20, 0x04, 0x24, 0x66, 0x2c, 0x65, 0x2c, 0x64};
  w.Bytes(kPath);
}

void ListIdentityReply(ByteWriter& w, uint64_t context, const EnipIdentity& id) {
  const size_t item = 34 + id.product_name.size();
  Encap(w, kListIdentity, 2 + 4 + item, 0, context);
  w.U16Le(1);  // item count
  w.U16Le(kItemIdentity);
  w.U16Le(static_cast<uint16_t>(item));
  w.U16Le(1);  // encapsulation protocol version
  w.U16(2);    // socket address, network order: AF_INET, port, address, zero
  w.U16(kEnipPort);
  w.U32(id.ip);
  w.Fill(8, 0);
  w.U16Le(id.vendor);
  w.U16Le(id.device_type);
  w.U16Le(id.product_code);
  w.U8(id.major);
  w.U8(id.minor);
  w.U16Le(id.status);
  w.U32Le(id.serial);
  w.U8(static_cast<uint8_t>(id.product_name.size()));
  w.Str(id.product_name);
  w.U8(0x03);  // state: operational
}

uint32_t SessionHandle(const Session& s) {
  return static_cast<uint32_t>(s.fill >> 16) | 0x00010000u;
}

void PlanHmi(Session& s, const Scenario& sc, ByteWriter& w, uint64_t context, Rng& rng) {
  const bool request = s.dir == 0;
  const uint32_t session = SessionHandle(s);
  switch (s.round) {
    case 0:  // ListIdentity over TCP, before registering, as HMI drivers often do
      if (request) {
        Encap(w, kListIdentity, 0, 0, context);
      } else {
        ListIdentityReply(w, context, EnipIdentityOf(sc, s.host[1]));
      }
      return;
    case 1:
      Encap(w, kRegisterSession, 4, request ? 0 : session, context);
      w.U16Le(1);  // protocol version
      w.U16Le(0);  // options
      return;
    default:
      break;
  }
  std::array<uint8_t, 128> buffer{};
  ByteWriter cip(buffer);
  if (s.round == 2) {  // Identity object, instance 1, attribute 7: product name
    if (request) {
      cip.U8(kGetAttributeSingle);
      cip.U8(3);
      static constexpr uint8_t kPath[] = {0x20, 0x01, 0x24, 0x01, 0x30, 0x07};
      cip.Bytes(kPath);
    } else {
      const std::string_view name = EnipIdentityOf(sc, s.host[1]).product_name;
      ResponseHead(cip, kGetAttributeSingle);
      cip.U8(static_cast<uint8_t>(name.size()));
      cip.Str(name);
    }
  } else if (s.round % 20 == 10) {  // the HMI sets the anti-sway gain
    if (request) {
      cip.U8(kWriteTag);
      SymbolicPath(cip, kWrittenTag.name);
      cip.U16Le(kWrittenTag.type);
      cip.U16Le(1);  // elements
      Value(cip, kWrittenTag.type, rng);
    } else {
      ResponseHead(cip, kWriteTag);
    }
  } else {
    const Tag& tag = kTags[s.round % std::size(kTags)];
    if (request) {
      cip.U8(kReadTag);
      SymbolicPath(cip, tag.name);
      cip.U16Le(1);
    } else {
      ResponseHead(cip, kReadTag);
      cip.U16Le(tag.type);
      Value(cip, tag.type, rng);
    }
  }
  SendRRData(w, session, context, request, cip.written());
}

void PlanScanner(Session& s, ByteWriter& w, uint64_t context) {
  const bool request = s.dir == 0;
  const uint32_t session = SessionHandle(s);
  switch (s.round) {
    case 0:
      Encap(w, kRegisterSession, 4, request ? 0 : session, context);
      w.U16Le(1);
      w.U16Le(0);
      return;
    case 1: {
      std::array<uint8_t, 128> buffer{};
      ByteWriter cip(buffer);
      // Session::remaining holds the requested packet interval, in microseconds.
      const auto rpi = static_cast<uint32_t>(s.remaining != 0 ? s.remaining : kRpiUs);
      ForwardOpen(cip, request, CipConnectionOf(s.fill), rpi);
      SendRRData(w, session, context, request, cip.written());
      return;
    }
    default:  // the encapsulation session ends; the I/O connection lives on over UDP
      if (request) Encap(w, kUnRegisterSession, 0, session, context);
      return;
  }
}

}  // namespace

void PlanEnip(Session& s, const Scenario& scenario, Rng& rng) {
  ByteWriter w(s.head);
  const uint64_t context = uint64_t{s.counter} << 32 | s.round;
  if (s.variant == kEnipScanner) {
    PlanScanner(s, w, context);
  } else {
    PlanHmi(s, scenario, w, context, rng);
  }
  SetMessage(s, w);
}

CipConnection CipConnectionOf(uint64_t fill) {
  return CipConnection{0x1b000000u | static_cast<uint32_t>(fill & 0xffffff),
                       0x2d000000u | static_cast<uint32_t>((fill >> 24) & 0xffffff)};
}

size_t WriteCipIo(std::span<uint8_t> out, uint32_t connection_id, uint32_t sequence, bool o_to_t,
                  Rng& rng) {
  ByteWriter w(out);
  const size_t data = 2 + (o_to_t ? 4 + kCipOutputBytes : kCipInputBytes);
  w.U16Le(2);
  w.U16Le(kItemSequenced);
  w.U16Le(8);
  w.U32Le(connection_id);
  w.U32Le(sequence);
  w.U16Le(kItemConnected);
  w.U16Le(static_cast<uint16_t>(data));
  w.U16Le(static_cast<uint16_t>(sequence));  // CIP sequence count
  if (o_to_t) w.U32Le(1);                    // run/idle header: run
  const size_t bytes = o_to_t ? kCipOutputBytes : kCipInputBytes;
  for (size_t i = 0; i < bytes; ++i) w.U8(static_cast<uint8_t>(rng.Below(4)));
  return w.size();
}

EnipIdentity EnipIdentityOf(const Scenario& scenario, uint32_t host) {
  EnipIdentity id;
  id.ip = scenario.hosts[host].ip;
  id.serial = 0x60a10000u + host * 7919u;
  for (const Crane& crane : scenario.cranes) {
    if (host == crane.clx) {
      id.device_type = 0x0e;  // programmable logic controller
      id.product_code = 54;
      id.major = 20;
      id.minor = 11;
      id.status = 0x0064;  // configured, an I/O connection in run mode
      id.product_name = "1756-L71/B LOGIX5571";
      return id;
    }
  }
  id.device_type = 0x0c;  // communications adapter
  id.product_code = 141;
  id.major = 5;
  id.minor = 11;
  id.status = 0x0065;  // owned by the scanner, configured, I/O in run mode
  id.product_name = "1734-AENTR/B";
  return id;
}

size_t WriteEnipListIdentityRequest(std::span<uint8_t> out, uint64_t context) {
  ByteWriter w(out);
  Encap(w, kListIdentity, 0, 0, context);
  return w.size();
}

size_t WriteEnipListIdentityReply(std::span<uint8_t> out, uint64_t context,
                                  const EnipIdentity& id) {
  ByteWriter w(out);
  ListIdentityReply(w, context, id);
  return w.size();
}

}  // namespace qw::simulate
