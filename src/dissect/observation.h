// Observations: what dissectors tell the model. A dissector never writes output; it emits
// owned, typed facts (an ARP binding, a neighbour announcement, later ICS operations, DNS
// answers, file transfers) to an ObservationSink, which the model implements.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/address.h"
#include "core/fixed_text.h"
#include "core/timestamp.h"

namespace qw::dissect {

/// Where an observation was seen: which capture, which frame, when, on which VLANs.
struct FrameContext {
  uint32_t capture_index = 0;
  uint64_t frame = 0;  // 1-based, per capture file
  core::Timestamp ts;
  uint16_t vlan = 0, inner_vlan = 0;
  core::MacAddr src_mac;  // the frame's source MAC (zero when the link layer has none)
  core::MacAddr dst_mac;  // the frame's destination MAC (zero when the link layer has none)
};

/// An ARP packet: sender binds an IPv4 address to a MAC.
struct ArpObservation {
  uint16_t op = 0;  // 1 request, 2 reply
  core::MacAddr sender_mac, target_mac;
  core::IpAddr sender_ip, target_ip;
  bool gratuitous = false;  // sender announces its own address (sender ip == target ip)
};

/// One TLV of a neighbour protocol, kept raw so nothing the wire said is lost.
struct RawTlv {
  uint32_t type = 0;      // TLV type; LLDP org-specific: 127
  std::string subtype;    // LLDP org-specific "00-80-c2/1"; empty otherwise
  std::string value_hex;  // value bytes as hex (bounded by the parser)
};

/// What a switch, router or device announces about itself over LLDP or CDP.
struct NeighborObservation {
  std::string protocol;  // "lldp" or "cdp"
  std::string chassis_id, chassis_id_subtype;
  std::string port_id, port_id_subtype;
  std::string port_description;
  std::string system_name;
  std::string system_description;  // LLDP system description, CDP software version
  std::string platform;            // CDP platform; LLDP-MED model name
  std::string manufacturer;        // LLDP-MED manufacturer
  std::string firmware, software, hardware, serial;  // LLDP-MED inventory
  std::vector<std::string> capabilities;             // announced
  std::vector<std::string> enabled_capabilities;     // enabled (LLDP); CDP: same as announced
  std::vector<core::IpAddr> management_addresses;
  uint16_t port_vlan = 0;  // LLDP 802.1 port VLAN id or CDP native VLAN; 0 if absent
  uint32_t ttl = 0;
  std::vector<RawTlv> tlvs;
};

/// What an industrial operation does, as the policy judges it.
enum class IcsCategory : uint8_t {
  kRead,
  kWrite,
  kProgramChange,    // download, upload or delete of programs or blocks; program file services
  kFirmware,         // firmware update
  kControllerState,  // run, stop, start, reset, mode change
  kIdentity,         // who-are-you queries and answers
  kDiagnostic,
  kSession,  // connection, login, session set-up and tear-down
  kOther,
};

/// The output name of a category: "read", "program-change", ...
const char* IcsCategoryName(IcsCategory c);

/// Where an industrial operation ran: the requester (the side that asked) and the device
/// (the side that answered or was addressed). Copied from the flow or the frame.
struct OpEndpoints {
  uint32_t capture_index = 0;
  uint64_t flow_id = 0;   // flows.id of the flow it came over; 0 for link-layer protocols
  uint8_t transport = 0;  // that flow's IP protocol (6 TCP, 17 UDP); 0 for link-layer protocols
  bool requester_is_initiator = true;  // whether the requester opened that flow
  uint16_t vlan = 0;
  core::IpAddr requester_ip, device_ip;  // unset for link-layer protocols
  uint16_t requester_port = 0, device_port = 0;
  core::MacAddr requester_mac, device_mac;  // zero when unknown
};

/// One industrial operation: a request and, where the protocol has them, its response.
/// Bounded, so that emitting one allocates nothing.
struct IcsOperation {
  const char* protocol = "";   // registry name: "modbus", "s7comm", ...
  uint32_t function_code = 0;  // as on the wire, without a response or exception bit
  const char* function = "";   // its name ("read-holding-registers"), static text
  IcsCategory category = IcsCategory::kOther;
  core::FixedText<112> target;  // unit, area/DB/address, block, class/instance/attribute, node
  core::FixedText<64> result;   // "ok", "exception 2 illegal-data-address", empty if unanswered
  OpEndpoints where;
  uint64_t request_frame = 0;   // 0 when only the response was seen
  uint64_t response_frame = 0;  // 0 when no response was seen
  core::Timestamp ts;           // of the request, or of the response when no request was seen
  uint32_t seq = 0;             // index among operations keyed on the same frame (ordering)

  /// The frame the operation is known by: its request's, else its response's.
  uint64_t Frame() const { return request_frame ? request_frame : response_frame; }
};

/// Which way a counted PDU went.
enum class PduKind : uint8_t { kRequest, kResponse, kOther };

/// One PDU of an industrial protocol, for the per-protocol counts of summary.json.
struct PduObservation {
  const char* protocol = "";            // registry name
  const char* histogram = "functions";  // which histogram `code` counts in (static text)
  uint32_t code = 0;                    // function code, service or type as on the wire
  PduKind kind = PduKind::kOther;
  bool exception = false;  // an exception or error response
  uint32_t capture_index = 0;
  uint64_t frame = 0;       // the frame that completed the PDU
  bool text_code = false;   // `code` holds a text protocol's word (see WordCode), not a number
  bool frame_only = false;  // the frame carries part of a PDU that completes later: no PDU
};

/// The code of a text protocol's word ("RETR", "GET"): up to its first four characters,
/// upper-cased, packed big-endian; summary.json shows such codes as the word.
inline uint32_t WordCode(std::string_view word) {
  uint32_t code = 0;
  for (size_t i = 0; i < word.size() && i < 4; ++i) {
    char c = word[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    code = code << 8 | static_cast<uint8_t>(c);
  }
  return code;
}

/// The word a WordCode packed (leading zero bytes skipped).
inline std::string WordOfCode(uint32_t code) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const char c = static_cast<char>((code >> shift) & 0xff);
    if (c != 0 || !out.empty()) out.push_back(c);
  }
  return out;
}

/// A second histogram value of the same PDU (an S7 ROSCTR beside its function, say).
struct PduDetail {
  const char* protocol = "";
  const char* histogram = "";
  uint32_t code = 0;
};

/// What a device said about itself: vendor, product, order number, firmware, serial, ...
/// Rare (a reply to an identity query), so it owns ordinary strings.
struct DeviceIdentity {
  const char* protocol = "";
  uint32_t capture_index = 0;
  uint64_t frame = 0;
  core::IpAddr ip;                                          // the device's address, when it has one
  core::MacAddr mac;                                        // the device's MAC, when known
  std::vector<std::pair<std::string, std::string>> fields;  // "vendor", "product", "firmware", ...
};

/// One frame of cyclic real-time traffic (PROFINET RT, EtherNet/IP implicit I/O).
struct CyclicObservation {
  const char* protocol = "";
  core::MacAddr mac;  // the sending device
  core::IpAddr ip;    // its address, for IP-borne cyclic traffic
};

/// One resource record of a DNS-family message, in presentation form.
struct DnsRecordObservation {
  uint8_t section = 1;  // 1 answer, 2 authority, 3 additional (RFC 1035 4.1)
  uint16_t type = 0;    // as on the wire; unknown types are kept by number
  uint16_t rclass = 0;  // as on the wire (mDNS sets the top bit for cache-flush)
  uint32_t ttl = 0;
  core::FixedText<255> name;  // owner name
  core::FixedText<255> data;  // RFC 1035 master-file text; RFC 3597 "\# n hex" when unknown
};

/// One DNS, mDNS, LLMNR or NetBIOS Name Service message as it crossed the wire: header,
/// first question, and every record read. The records are a view into the dissector's
/// scratch space: they live only during the OnDns call that receives them.
struct DnsObservation {
  const char* protocol = "";  // "dns", "mdns" or "llmnr" (static text)
  uint32_t capture_index = 0;
  uint64_t frame = 0;  // the frame that completed the message
  uint32_t seq = 0;    // index among messages completed by the same frame (several on TCP)
  core::Timestamp ts;
  uint64_t flow_id = 0;    // flows.id of the flow it came over
  uint8_t transport = 17;  // 6 TCP, 17 UDP
  core::IpAddr src_ip, dst_ip;
  uint16_t src_port = 0, dst_port = 0;
  core::MacAddr src_mac, dst_mac;  // zero when unknown
  uint16_t id = 0;
  uint16_t flags = 0;  // the header's 16 flag bits: QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  bool has_question = false;
  core::FixedText<255> qname;  // the first question
  uint16_t qtype = 0, qclass = 0;
  uint64_t query_frame = 0;  // a response's query on the same flow; 0 when not seen
  bool malformed = false;    // a question or record could not be read; those after it are missing
  std::span<const DnsRecordObservation> records;  // answer, authority, additional (a view)

  bool response() const { return (flags & 0x8000) != 0; }
  uint8_t opcode() const { return static_cast<uint8_t>((flags >> 11) & 0xf); }
  uint8_t rcode() const { return static_cast<uint8_t>(flags & 0xf); }
};

/// One DHCP or DHCPv6 message: what it says about its client and the addresses it hands
/// out. Bounded, so that emitting one allocates nothing.
struct DhcpObservation {
  const char* protocol = "";  // "dhcp" or "dhcpv6" (static text)
  uint32_t capture_index = 0;
  uint64_t frame = 0;
  core::Timestamp ts;
  uint64_t flow_id = 0;
  core::IpAddr src_ip, dst_ip;
  uint16_t src_port = 0, dst_port = 0;
  core::MacAddr src_mac;
  bool from_server = false;  // BOOTREPLY, or a DHCPv6 server or relay-reply message
  uint8_t message_type = 0;  // DHCP option 53 (0: plain BOOTP); DHCPv6 msg-type, outermost
  uint8_t inner_type = 0;    // DHCPv6: the message inside relays; DHCP: as message_type
  uint32_t xid = 0;
  core::MacAddr client_mac;             // DHCP chaddr (zero when not Ethernet)
  core::IpAddr client_ip;               // ciaddr, or the requested address (option 50)
  core::IpAddr assigned_ip;             // yiaddr, or DHCPv6's first IA address
  core::IpAddr server_id;               // option 54
  core::FixedText<255> host_name;       // option 12
  core::FixedText<255> fqdn;            // option 81 / DHCPv6 option 39
  core::FixedText<255> vendor_class;    // option 60 / DHCPv6 option 16
  core::FixedText<255> client_id;       // option 61 / DHCPv6 DUID, hex
  core::FixedText<255> parameter_list;  // option 55 codes, comma-separated
};

/// One TLS handshake as the wire showed it: what the client offered, what the server chose,
/// fingerprints, and the server certificate where it travelled in clear (TLS 1.2 and
/// older). Bounded, so that emitting one allocates nothing.
struct TlsObservation {
  uint32_t capture_index = 0;
  uint64_t flow_id = 0;
  core::IpAddr client_ip, server_ip;
  uint16_t client_port = 0, server_port = 0;
  core::MacAddr client_mac, server_mac;
  uint64_t client_hello_frame = 0;  // 0 when the capture missed it
  uint64_t server_hello_frame = 0;
  core::Timestamp ts;            // of the first hello seen
  uint16_t client_version = 0;   // ClientHello legacy_version
  uint16_t offered_version = 0;  // the newest version offered (supported_versions)
  uint16_t server_version = 0;   // the version the server chose
  uint16_t cipher = 0;           // the suite the server chose
  core::FixedText<255> sni;
  core::FixedText<255> alpn_offered;  // comma-separated
  core::FixedText<255> alpn_chosen;
  core::FixedText<255> versions_offered;  // supported_versions, "0x0304,0x0303"
  core::FixedText<1023> ciphers_offered;  // 4-digit hex, comma-separated, in order
  core::FixedText<32> ja3, ja3s;          // MD5 hex
  core::FixedText<36> ja4;
  bool has_certificate = false;
  core::FixedText<255> subject, issuer;
  core::FixedText<20> not_before, not_after;
};

/// A remote-access session: which tool, between whom, the software each side runs, the user
/// where the wire shows one, and fingerprints. Start, duration and bytes each way are its
/// flow's. Bounded, so that emitting one allocates nothing.
struct RemoteAccessObservation {
  const char* tool = "";  // "ssh", ... (static text)
  uint32_t capture_index = 0;
  uint64_t flow_id = 0;
  uint64_t frame = 0;  // the first frame that showed the tool
  core::Timestamp ts;
  core::IpAddr client_ip, server_ip;
  uint16_t client_port = 0, server_port = 0;
  uint8_t transport = 0;  // the flow's IP protocol (6 TCP, 17 UDP)
  core::MacAddr client_mac, server_mac;
  core::FixedText<16> protocol_version;  // "2.0"
  core::FixedText<255> client_software;  // "OpenSSH_8.9p1 Ubuntu-3"
  core::FixedText<255> server_software;
  core::FixedText<255> user;               // empty when the wire does not show one
  core::FixedText<64> client_fingerprint;  // SSH: HASSH
  core::FixedText<64> server_fingerprint;  // SSH: HASSHServer
  core::FixedText<255> security;  // RDP: requested and selected protocols; VNC: security type
};

/// The tools of VPN tunnels, as RemoteAccessObservation::tool names them. A VPN's client joins
/// the network at the tunnel's far end, so the policy judges its session as access from that
/// side into the client's zone.
inline constexpr const char* kToolOpenVpn = "openvpn";
inline constexpr const char* kToolWireGuard = "wireguard";
inline constexpr const char* kToolIke = "ike";  // IPsec's key exchange
/// Whether a remote-access session's tool is one of the VPN tunnels above.
inline bool IsVpnTool(std::string_view tool) {
  return tool == kToolOpenVpn || tool == kToolWireGuard || tool == kToolIke;
}

/// One file that crossed the wire over FTP, TFTP, SMB2/3 or HTTP: who moved it which way,
/// its name and size, and the SHA-256 of its content when all of it was seen. Bounded, so
/// that emitting one allocates nothing.
struct FileTransferObservation {
  const char* protocol = "";  // "ftp", "tftp", "smb2", "http" (static text)
  const char* command = "";   // "STOR", "RETR", "WRQ", "RRQ", "write", "read", "GET", ... (static)
  uint32_t capture_index = 0;
  uint64_t flow_id = 0;       // the flow of the request (FTP control, TFTP request, SMB, HTTP)
  uint64_t data_flow_id = 0;  // the flow that carried the content (FTP and TFTP data)
  uint64_t frame = 0;         // the request's frame (the first content frame if it was missed)
  uint64_t end_frame = 0;     // the frame that completed the content; 0 when not seen
  uint32_t seq = 0;           // index among transfers keyed on the same frame
  core::Timestamp ts;
  core::IpAddr client_ip, server_ip;  // requester and responder
  uint16_t client_port = 0, server_port = 0;
  uint8_t transport = 0;  // the request flow's IP protocol (6 TCP, 17 UDP)
  core::MacAddr client_mac, server_mac;
  bool upload = false;              // towards the responder (STOR, WRQ, SMB write, HTTP body)
  core::FixedText<255> file_name;   // as the protocol names it: path, URI path, SMB file name
  core::FixedText<255> location;    // SMB: \\server\share; HTTP: the Host header
  core::FixedText<127> media_type;  // HTTP Content-Type
  uint64_t bytes = 0;               // content bytes seen
  int64_t declared_size = -1;       // the size the protocol announced; -1 when none
  bool complete = false;            // every byte of the content seen, in order
  core::FixedText<64> sha256;       // hex; empty unless complete and within the hash limit
  core::FixedText<64> result;       // the outcome as the protocol put it ("226", "404", ...)
};

/// One HTTP or RTSP exchange: a request and the response paired with it (pipelined
/// requests in order; RTSP by CSeq), or a request never answered, or a response whose
/// request the capture missed. Bounded, so that emitting one allocates nothing.
struct HttpObservation {
  const char* protocol = "";  // "http" or "rtsp" (static text)
  uint32_t capture_index = 0;
  uint64_t flow_id = 0;
  uint64_t request_frame = 0;   // the frame that completed the request's header; 0 if missed
  uint64_t response_frame = 0;  // the frame that completed the response's header; 0 if none
  uint32_t seq = 0;             // index among exchanges keyed on the same frame
  core::Timestamp ts;           // of the request, or of the response without one
  core::IpAddr client_ip, server_ip;
  uint16_t client_port = 0, server_port = 0;
  core::MacAddr client_mac, server_mac;
  core::FixedText<16> method;         // as on the wire; empty when the request was missed
  core::FixedText<255> uri;           // request target as on the wire
  core::FixedText<255> host;          // Host header
  core::FixedText<255> user_agent;    // User-Agent header
  uint16_t status = 0;                // final status code; 0 when unanswered
  core::FixedText<255> server;        // Server header
  core::FixedText<127> content_type;  // the response's Content-Type (the request's without one)
  uint64_t request_body_bytes = 0;    // body bytes seen (after chunked decoding)
  uint64_t response_body_bytes = 0;
  core::FixedText<255> file_name;  // Content-Disposition filename, else the URI path's last segment
};

/// One SNMP message, or a request and its response paired by request-id (SNMPv3: msgID):
/// versions, PDU type, error, how the manager authenticated, and the first varbind. The
/// community itself is never kept: only its SHA-256 and whether it is a well-known default.
/// Bounded, so that emitting one allocates nothing.
struct SnmpObservation {
  uint32_t capture_index = 0;
  uint64_t flow_id = 0;
  uint64_t request_frame = 0;   // 0 when only the response (or a trap) was seen
  uint64_t response_frame = 0;  // 0 when unanswered, and for traps
  uint32_t seq = 0;             // index among messages keyed on the same frame
  core::Timestamp ts;           // of the request, or of the message when no request was seen
  core::IpAddr requester_ip, agent_ip;  // the manager and the agent (a trap's sender)
  uint16_t requester_port = 0, agent_port = 0;
  core::MacAddr requester_mac, agent_mac;     // zero when unknown
  uint8_t version = 0;                        // 0 v1, 1 v2c, 3 v3, as on the wire
  uint8_t pdu_type = 0;                       // tag number [0]..[8]; the request's when paired
  bool has_pdu = false;                       // false for an encrypted SNMPv3 PDU
  int64_t request_id = 0;                     // v3: msgID when the PDU is encrypted
  int64_t error_status = 0, error_index = 0;  // the response's
  core::FixedText<64> community_sha256;       // hex; empty for v3
  bool default_community = false;             // a well-known default such as "public"
  core::FixedText<64> user;                   // v3 USM user name
  core::FixedText<64> engine_id;              // v3 authoritative engine id, hex (cut at 32 octets)
  core::FixedText<127> first_oid;             // the first varbind's OID, dotted
  uint32_t varbinds = 0;                      // varbinds read (the request's when paired)
};

/// One PLC program block that crossed the wire in an upload (from the PLC) or a download
/// (into it), rebuilt from the pieces of its transfer: which block, between whom, its size
/// and SHA-256, and its bytes. The PLC is the responder of the connection. Incomplete
/// transfers (a gap, a piece or the end missing, an error, past the size cap) are reported
/// too, with the hash of what was seen. Rare, so it owns its bytes.
struct BlockTransferObservation {
  const char* protocol = "";   // "s7comm" (static text)
  const char* direction = "";  // "upload" (from the PLC) or "download" (into it), static
  uint32_t capture_index = 0;
  uint64_t flow_id = 0;
  uint16_t vlan = 0;
  core::IpAddr plc_ip, peer_ip;  // the PLC (responder) and the engineering station
  uint16_t plc_port = 0, peer_port = 0;
  core::MacAddr plc_mac, peer_mac;  // zero when unknown
  core::FixedText<32> block;        // as a person reads it: "OB1", "FC12", "DB100"
  core::FixedText<8> block_type;    // "OB", "DB", ...; the two type characters when unknown
  uint32_t block_number = 0;
  uint64_t size = 0;           // bytes rebuilt (those hashed)
  core::FixedText<64> sha256;  // hex, of the bytes rebuilt
  bool complete = false;       // started, every piece seen, ended without error, no gap
  uint64_t first_frame = 0;    // the frame that started the transfer (request download,
                               // start upload, or its first piece when the start was missed)
  uint64_t last_frame = 0;     // the last frame of the transfer seen
  core::Timestamp first_ts, last_ts;
  std::vector<uint8_t> bytes;  // the block as rebuilt (size bytes)
};

/// Receives observations; the model implements it. Default implementations ignore.
class ObservationSink {
 public:
  virtual ~ObservationSink() = default;
  /// An ARP packet was seen.
  virtual void OnArp(const FrameContext&, const ArpObservation&) {}
  /// An LLDP or CDP announcement was seen.
  virtual void OnNeighbor(const FrameContext&, const NeighborObservation&) {}
  /// An industrial operation completed (answered, or given up on unanswered).
  virtual void OnIcsOperation(const IcsOperation&) {}
  /// A PDU of an industrial protocol was seen.
  virtual void OnPdu(const PduObservation&) {}
  /// A second histogram value of the PDU just counted.
  virtual void OnPduDetail(const PduDetail&) {}
  /// A device revealed its identity.
  virtual void OnIdentity(const DeviceIdentity&) {}
  /// A cyclic real-time frame was seen.
  virtual void OnCyclic(const CyclicObservation&) {}
  /// A DNS, mDNS or LLMNR message was seen.
  virtual void OnDns(const DnsObservation&) {}
  /// A DHCP or DHCPv6 message was seen.
  virtual void OnDhcp(const DhcpObservation&) {}
  /// A TLS handshake was seen (at its end, or at the flow's).
  virtual void OnTls(const TlsObservation&) {}
  /// A remote-access session was recognised.
  virtual void OnRemoteAccess(const RemoteAccessObservation&) {}
  /// A file transfer ended (its content complete, abandoned, or its flow over).
  virtual void OnFileTransfer(const FileTransferObservation&) {}
  /// An HTTP or RTSP exchange ended (answered, or given up on at the flow's end).
  virtual void OnHttp(const HttpObservation&) {}
  /// An SNMP message or request/response pair was seen (at the response, or when given up).
  virtual void OnSnmp(const SnmpObservation&) {}
  /// A PLC block transfer ended (completed, broken off, or its flow over).
  virtual void OnBlockTransfer(const BlockTransferObservation&) {}
};

}  // namespace qw::dissect
