// One simulated conversation: a TCP connection, a UDP exchange or stream, an ARP exchange
// or a PROFINET exchange or stream, advanced one packet at a time by the engine (engine.h).
// The application bytes of each message are planned by payloads.h into the session's head
// buffer; a message longer than its head continues with filler bytes, so a 10 MB transfer
// needs no 10 MB buffer. A round is the client's message and the server's answer; either
// side may have nothing to say in a round (a station's spontaneous data, a close).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace qw::simulate {

/// The application protocol a session speaks.
enum class App : uint8_t {
  // TCP
  kHttp,
  kTls,
  kSmb,
  kPgsql,
  kModbus,
  kS7,
  kEnip,    // EtherNet/IP encapsulation with CIP explicit messages, TCP 44818
  kOpcUa,   // OPC UA binary, TCP 4840
  kDnp3,    // DNP3 over TCP 20000
  kIec104,  // IEC 60870-5-104, TCP 2404
  kRtsp,
  kSsh,
  kRdp,
  kVnc,      // RFB 3.8 to a crane HMI's panel: VNC authentication, then framebuffer updates
  kFtp,      // an FTP control connection that stores one file over a passive data connection
  kFtpData,  // that data connection: the file's bytes from the client, then its close
  kS7Plus,   // S7comm-plus from a crane HMI to an S7-1500: session set-up, then variable reads
             // and, now and then, a write
  kBulk,     // scanner images: opaque data on a vendor port
  // UDP and link layer
  kDns,
  kNtp,
  kDhcp,
  kRtp,
  kBacnet,        // BACnet/IP confirmed request and its acknowledgement, UDP 47808
  kBacnetIAm,     // one I-Am broadcast answering a Who-Is
  kEnipIdentity,  // one ListIdentity reply to a broadcast request, UDP 44818
  kCipIo,         // CIP class 1 implicit I/O both ways, UDP 2222
  kArp,
  kPnDcp,   // one PROFINET DCP Identify response (link layer)
  kPnRt,    // PROFINET RT cyclic data both ways (link layer)
  kSnmp,    // an SNMPv2c poll of a switch's system group and its answer
  kSyslog,  // one syslog message
  kTftp,    // a switch's configuration backed up over TFTP (request, blocks, acknowledgements)
  kIke,     // an IKEv1 aggressive-mode tunnel set-up, then quick mode, on UDP 500 both ways
};

/// True for the applications carried over TCP.
inline bool IsTcp(App app) { return app <= App::kBulk; }

/// What a TCP session does next.
enum class Phase : uint8_t {
  kSyn,
  kSynAck,
  kHandshakeAck,
  kData,     // `dir` sends the next segment of its message
  kMidAck,   // the receiver acknowledges two full segments
  kIdleAck,  // the client acknowledges a response before a long pause
  kFin1,
  kFin2,
  kFinAck,
  kReset,
};

/// How a TCP session ends.
enum class Close : uint8_t { kClientFin, kServerFin, kServerReset, kClientReset };

/// Body of a message after its head: random bytes (encrypted or binary) or text.
enum class Body : uint8_t { kRandom, kText };

/// Largest message head the payload planner writes.
inline constexpr size_t kHeadMax = 1600;

/// The state of one conversation between a client (side 0) and a server (side 1).
struct Session {
  App app = App::kHttp;
  Phase phase = Phase::kSyn;
  Close close = Close::kClientFin;
  Body body = Body::kRandom;
  uint8_t dir = 0;      // side sending the current message
  uint8_t unacked = 0;  // full segments since the receiver last acknowledged
  bool more = false;    // another message from the same side follows this one
  uint8_t variant = 0;  // which conversation of its application (see payloads.h)
  uint8_t plant = 0;    // the planted violation it belongs to (1-based), or 0
  uint32_t host[2] = {0, 0};
  uint16_t port[2] = {0, 0};
  uint32_t seq[2] = {0, 0};  // next TCP sequence number each side sends
  uint16_t ip_id[2] = {0, 0};
  uint16_t window[2] = {64240, 64240};
  uint16_t mss = 1460;
  uint32_t round = 0;      // request/response exchanges completed
  uint32_t rounds = 1;     // exchanges before the session closes
  uint32_t msg_index = 0;  // messages `dir` has started in this round
  uint32_t msg_len = 0;
  uint32_t msg_off = 0;
  uint32_t head_len = 0;
  uint32_t counter = 0;          // transaction ids, sequence numbers of the application
  uint32_t app_seq[2] = {0, 0};  // per-side sequence numbers of the application (IEC 104
                                 // N(S), OPC UA sequence numbers, PROFINET cycle counters)
  uint64_t remaining = 0;        // bytes left of a transfer spread over several messages;
                                 // industrial sessions keep a request or setting here
  uint64_t fill = 0;             // where in the filler pool this session's bodies start
  int64_t rtt_ns = 200000;
  int64_t gap_ns = 20000;             // between back-to-back segments
  int64_t think_ns = 0;               // client pause between exchanges
  int64_t wait_ns = 0;                // pause still due after an idle acknowledgement
  int64_t reply_ns = 500000;          // server processing time
  const std::string* name = nullptr;  // DNS name, HTTP host or TLS server name
  uint32_t then = 0;                  // DNS: index + 1 of a connection to open once resolved
  uint32_t upstream = 0;              // DNS: index + 1 of the resolver the server forwards to
  std::array<uint8_t, kHeadMax> head{};
};

}  // namespace qw::simulate
