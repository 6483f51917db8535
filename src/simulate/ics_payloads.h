// Industrial and building-automation payloads of simulated sessions: the TCP conversations
// (Modbus/TCP, S7comm, EtherNet/IP with CIP, OPC UA binary, DNP3, IEC 60870-5-104) are
// planned message by message like the others of payloads.h, and the datagrams and frames
// (BACnet/IP, ListIdentity, CIP implicit I/O, PROFINET DCP and RT) are written here for the
// engine to send. Each protocol lives in its own file and follows its specification byte
// for byte; tshark dissects all of it without a malformed packet or an expert error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "simulate/byte_writer.h"
#include "simulate/rng.h"
#include "simulate/scenario.h"
#include "simulate/session.h"

namespace qw::simulate {

/// Session::variant of Modbus/TCP sessions: who polls whom, which decides the functions.
enum ModbusVariant : uint8_t {
  kModbusHmi,         // crane PC polls the PLC: reads of every kind, writes, an exception
  kModbusDrive,       // PLC reads a drive's status words and writes its setpoint
  kModbusIo,          // PLC reads a remote I/O's inputs and coils
  kModbusIoIdentify,  // as kModbusIo, opened with a device identification (FC 43/14)
  kModbusHistorian,   // historian reads holding and input registers
};

/// Session::variant of S7comm sessions.
enum S7Variant : uint8_t {
  kS7Hmi,            // OP connection: DB and merker reads, now and then a write
  kS7Monitor,        // S7 basic connection from crane management: SZL read, then DB reads
  kS7SafetyMonitor,  // the same against the fail-safe CPU
  kS7Program,        // PG connection: stop, download of OB1, restart (the planted change)
};

/// Session::variant of EtherNet/IP TCP sessions.
enum EnipVariant : uint8_t {
  kEnipHmi,      // ListIdentity, RegisterSession, identity read, then tag reads and writes
  kEnipScanner,  // RegisterSession, Forward_Open of a class 1 connection, UnRegisterSession
};

/// Session::variant of IEC 60870-5-104 sessions.
enum Iec104Variant : uint8_t {
  kIec104Monitor,  // interrogation and spontaneous measurements only
  kIec104Control,  // as kIec104Monitor, with one single command early in the session
};

/// Session::variant of BACnet/IP sessions.
enum BacnetVariant : uint8_t { kBacnetRead, kBacnetWrite };

/// Rounds an OPC UA session spends on HEL, OPN, CreateSession and ActivateSession.
inline constexpr uint32_t kOpcUaSetupRounds = 4;
/// Rounds a closing OPC UA session spends on CloseSession and CLO.
inline constexpr uint32_t kOpcUaCloseRounds = 2;

/// Writes `n` pseudo-random bytes (keys, nonces, digests, opaque data).
void RandomBytes(ByteWriter& w, Rng& rng, size_t n);

/// Makes the bytes `w` wrote into `s.head` the whole current message (no filler body);
/// `more`: the same side sends another message right after this one.
inline void SetMessage(Session& s, const ByteWriter& w, bool more = false) {
  s.head_len = static_cast<uint32_t>(w.size());
  s.msg_len = s.head_len;
  s.body = Body::kRandom;
  s.more = more;
}

/// Plans the next Modbus/TCP message of `s` (see ModbusVariant).
void PlanModbus(Session& s, Rng& rng);
/// Plans the next S7comm message of `s` (see S7Variant); a PLC's own jobs during a
/// download follow its acknowledgements in the same round.
void PlanS7(Session& s, Rng& rng);
/// Plans the next S7comm-plus message of `s`: the COTP connection to "SIMATIC-ROOT-HMI", the
/// server session's CreateObject (its answer names the CPU, "1;6ES7 516-3AN01-0AB0 ;V2.8"),
/// then integrity-protected (V3) GetMultiVariables and, every twentieth round, a
/// SetMultiVariables.
void PlanS7Plus(Session& s, Rng& rng);
/// The S7-1500's order number and firmware, as its session version string carries them.
inline constexpr std::string_view kS7PlusOrderNumber = "6ES7 516-3AN01-0AB0";
inline constexpr std::string_view kS7PlusFirmware = "V2.8";
/// Plans the next EtherNet/IP message of `s` (see EnipVariant).
void PlanEnip(Session& s, const Scenario& scenario, Rng& rng);
/// Plans the next OPC UA message of `s`; `unix_ns` stamps request and response headers.
void PlanOpcUa(Session& s, const Scenario& scenario, Rng& rng, int64_t unix_ns);
/// Plans the next DNP3 message of `s`: polls and responses, one direct operate.
void PlanDnp3(Session& s, Rng& rng);
/// Plans the next IEC 60870-5-104 message of `s` (see Iec104Variant).
void PlanIec104(Session& s, Rng& rng);

/// Connection ids of the class 1 connection a kEnipScanner session opens: O->T chosen by
/// the target, T->O proposed by the originator, both derived from the session's `fill`.
struct CipConnection {
  uint32_t o_to_t = 0;
  uint32_t t_to_o = 0;
};
/// The connection a scanner session with this `fill` opens.
CipConnection CipConnectionOf(uint64_t fill);
/// Bytes of output data in an O->T datagram, after the run/idle header.
inline constexpr size_t kCipOutputBytes = 4;
/// Bytes of input data in a T->O datagram.
inline constexpr size_t kCipInputBytes = 6;

/// One class 1 I/O datagram (CIP Vol 2, 2-6.3): sequenced address and connected data items.
/// O->T datagrams carry the 32-bit run/idle header.
size_t WriteCipIo(std::span<uint8_t> out, uint32_t connection_id, uint32_t sequence, bool o_to_t,
                  Rng& rng);

/// What a device says about itself in an EtherNet/IP ListIdentity reply.
struct EnipIdentity {
  uint16_t vendor = 1;       // 1: Rockwell Automation/Allen-Bradley
  uint16_t device_type = 0;  // 0x0e programmable logic controller, 0x0c adapter
  uint16_t product_code = 0;
  uint8_t major = 1, minor = 1;
  uint16_t status = 0;
  uint32_t serial = 0;
  std::string_view product_name;
  uint32_t ip = 0;
};
/// The identity a host of the plan announces (ControlLogix or Rockwell I/O adapter).
EnipIdentity EnipIdentityOf(const Scenario& scenario, uint32_t host);
/// An encapsulated ListIdentity request (command 0x63, no data).
size_t WriteEnipListIdentityRequest(std::span<uint8_t> out, uint64_t context);
/// A ListIdentity reply with one CIP identity item.
size_t WriteEnipListIdentityReply(std::span<uint8_t> out, uint64_t context,
                                  const EnipIdentity& identity);

/// What a PROFINET device says about itself in a DCP Identify response.
struct DcpIdentity {
  std::string_view station_type;  // "DeviceVendorValue", e.g. "S7-300"
  std::string_view station_name;  // NameOfStation
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  uint8_t role = 1;  // 1 IO device, 2 IO controller
  uint32_t ip = 0, mask = 0, gateway = 0;
};
/// The PROFINET identity of a host of the plan (PLC, Siemens drive or Phoenix I/O).
DcpIdentity DcpIdentityOf(const Scenario& scenario, uint32_t host);
/// Multicast address of DCP Identify requests.
inline constexpr core::MacAddr kDcpMulticast{{0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00}};
/// EtherType of PROFINET.
inline constexpr uint16_t kEtherProfinet = 0x8892;
/// A DCP Identify-All request (frame id 0xfefe).
size_t WriteDcpIdentifyRequest(std::span<uint8_t> out, uint32_t xid, uint16_t response_delay);
/// A DCP Identify response (frame id 0xfeff).
size_t WriteDcpIdentifyResponse(std::span<uint8_t> out, uint32_t xid, const DcpIdentity& id);
/// A PROFINET RT cyclic frame: frame id, 40 bytes of C_SDU, cycle counter, data status,
/// transfer status.
size_t WritePnRtCyclic(std::span<uint8_t> out, uint16_t frame_id, uint16_t cycle_counter,
                       bool output, Rng& rng);

/// BACnet/IP port.
inline constexpr uint16_t kBacnetPort = 47808;
/// A BACnet Who-Is, broadcast (BVLC Original-Broadcast-NPDU).
size_t WriteBacnetWhoIs(std::span<uint8_t> out);
/// A BACnet I-Am of device `instance`, broadcast.
size_t WriteBacnetIAm(std::span<uint8_t> out, uint32_t instance, uint16_t vendor);
/// A ReadProperty (present-value) or WriteProperty confirmed request, per `s.variant`, and
/// its ComplexACK or SimpleACK (`response`). `s.counter` holds invoke id and object.
size_t WriteBacnet(std::span<uint8_t> out, const Session& s, bool response, Rng& rng);
/// BACnet device instance of a controller of the plan (from its address).
uint32_t BacnetInstanceOf(const Scenario& scenario, uint32_t host);
/// BACnet vendor identifier of a controller of the plan.
uint16_t BacnetVendorOf(const Scenario& scenario, uint32_t host);

}  // namespace qw::simulate
