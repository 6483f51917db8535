// Application bytes of simulated sessions: each TCP message is planned here (its head
// written into the session, its length and body kind decided), and the UDP payloads (DNS,
// NTP, DHCP, RTP) are written here; the industrial ones are in ics_payloads.h. Every
// message follows the wire format of its protocol closely enough that Wireshark dissects
// it without complaint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "simulate/rng.h"
#include "simulate/scenario.h"
#include "simulate/session.h"

namespace qw::simulate {

/// Session::variant of HTTP sessions.
enum HttpVariant : uint8_t {
  kHttpBrowse,   // GET of pages and assets
  kHttpProxy,    // GET through the proxy, absolute URI
  kHttpApi,      // JSON GET of an internal API
  kHttpGateOcr,  // gate lane posts a container number reading
  kHttpReefer,   // reefer gateway posts temperatures
};

/// FTP control rounds (App::kFtp): 0 the server's greeting, 1 USER, 2 PASS, 3 TYPE I, 4 PASV
/// and its 227, 5 STOR and 150, 6 the server's 226 once the data connection is done, 7 QUIT.
/// Session::remaining holds the passive port (high word) and the file's size (low word).
inline constexpr uint32_t kFtpRounds = 8;
/// The round before which the client opens the passive data connection (227 has come).
inline constexpr uint32_t kFtpDataRound = 5;
/// The round in which the server reports the transfer complete.
inline constexpr uint32_t kFtpCompleteRound = 6;
/// What an FTP control session keeps in Session::remaining: its passive port and file size.
inline uint64_t FtpPlan(uint16_t passive_port, uint32_t file_size) {
  return uint64_t{passive_port} << 32 | file_size;
}
/// The passive port an FTP control session announces (see FtpPlan).
inline uint16_t FtpPassivePort(const Session& s) {
  return static_cast<uint16_t>(s.remaining >> 32);
}
/// The size of the file an FTP control session stores (see FtpPlan).
inline uint32_t FtpFileSize(const Session& s) { return static_cast<uint32_t>(s.remaining); }

/// Plans the next message that side `s.dir` sends in this round: writes its head into
/// `s.head`, sets `msg_len` (0: this side says nothing this round), `body` and `more`.
/// `unix_ns` is the time of sending, for protocols that stamp their messages.
void PlanMessage(Session& s, const Scenario& scenario, Rng& rng, int64_t unix_ns);

/// Copies bytes [offset, offset + out.size()) of the current message into `out`: the head,
/// then filler from the session's place in the shared filler pools.
void FillMessage(const Session& s, uint32_t offset, std::span<uint8_t> out);

/// A DNS query (RFC 1035) for the A record of `name`; returns its length.
size_t WriteDnsQuery(std::span<uint8_t> out, uint16_t id, std::string_view name, bool recursion);

/// A DNS response with one A record, or NXDOMAIN when `address` is 0.
size_t WriteDnsResponse(std::span<uint8_t> out, uint16_t id, std::string_view name,
                        uint32_t address, uint32_t ttl);

/// An NTPv4 client request (mode 3) or server reply (mode 4) at `unix_ns`.
size_t WriteNtp(std::span<uint8_t> out, bool reply, int64_t unix_ns, uint64_t cookie);

/// One SNMPv2c poll of a switch's system group (sysDescr, sysObjectID, sysName): the
/// manager's get-request, or the agent's response.
struct SnmpPoll {
  bool response = false;
  uint32_t request_id = 0;
  std::string_view community;
  std::string_view description;  // sysDescr (response)
  std::string_view name;         // sysName (response)
  uint32_t enterprise = 9;       // sysObjectID 1.3.6.1.4.1.<enterprise>.1 (response)
};

/// The SNMP message of `poll`.
size_t WriteSnmp(std::span<uint8_t> out, const SnmpPoll& poll);

/// One RFC 3164 syslog message from `host` at `unix_ns`: "<pri>Mmm dd hh:mm:ss host text".
size_t WriteSyslog(std::span<uint8_t> out, uint8_t pri, int64_t unix_ns, std::string_view host,
                   std::string_view text);

/// A TFTP write request (opcode 2, `text` the file name), DATA (3, `text` the block's bytes)
/// or ACK (4) of `block`.
size_t WriteTftp(std::span<uint8_t> out, uint16_t opcode, uint16_t block, std::string_view text);

/// Message `message` of an IKEv1 tunnel set-up as a crane maker's remote-service client and
/// its VPN gateway run it: 0 the client's aggressive-mode offer (3DES, SHA-1, MODP-1024,
/// pre-shared key with XAUTH; its identity `user` in clear; XAUTH, DPD, NAT-T and Cisco Unity
/// vendor IDs), 1 the gateway's answer (a Cisco VPN concentrator's vendor IDs), 2 the client's
/// encrypted hash, 3 to 5 quick mode, encrypted. `ispi` and `rspi` are the two cookies;
/// `fill` seeds the key exchange, nonce and cipher text.
size_t WriteIke(std::span<uint8_t> out, uint32_t message, uint64_t ispi, uint64_t rspi,
                std::string_view user, uint32_t gateway_ip, uint64_t fill);

/// The running configuration of a switch, as its TFTP backup carries it.
std::string SwitchConfig(std::string_view host, std::string_view description);

/// The fields of one DHCP message (RFC 2131, options RFC 2132).
struct DhcpMessage {
  uint8_t type = 1;  // 1 discover, 2 offer, 3 request, 5 ack
  uint32_t xid = 0;
  core::MacAddr client;
  uint32_t client_ip = 0;  // ciaddr, for renewals
  uint32_t your_ip = 0;    // yiaddr, in offers and acks
  uint32_t requested = 0;  // option 50
  uint32_t server = 0;     // option 54
  uint32_t router = 0;
  uint32_t dns = 0;
  std::string_view host_name;
  std::string_view domain;
};

/// A BOOTP/DHCP message padded to the customary 300 bytes.
size_t WriteDhcp(std::span<uint8_t> out, const DhcpMessage& m);

/// An RTP packet (RFC 3550) carrying H.264 (RFC 6184): a single NAL unit when `first` and
/// `last`, otherwise an FU-A fragment. `size` is the whole RTP payload length.
size_t WriteRtpH264(std::span<uint8_t> out, uint16_t seq, uint32_t timestamp, uint32_t ssrc,
                    bool first, bool last, bool key_frame, size_t size, uint64_t fill);

}  // namespace qw::simulate
