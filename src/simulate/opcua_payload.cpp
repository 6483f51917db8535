// OPC UA binary conversations with the crane-management OPC UA server (TCP 4840): the
// historian's long session and the terminal operating system's short ones.
//
// OPC 10000-6 (UA Part 6: Mappings) 1.04, 5.2 (binary encoding), 6.7 (UA Secure
// Conversation), 7.1 (UA Connection Protocol); OPC 10000-4 (Part 4: Services) 5.5, 5.6,
// 5.10.2, 5.10.4 and 7.28/7.29 (request and response headers). Security policy None.
// Integers little-endian; String and ByteString are an Int32 length (-1: null) and bytes.
// clang-format off
//  message header | type:3 ("HEL" "ACK" "OPN" "MSG" "CLO") | chunk:1 ('F') | size:4 |
//  HEL            | version:4 | receive buffer:4 | send buffer:4 | max message:4 | max chunks:4 | endpoint url |
//  ACK            | version:4 | receive buffer:4 | send buffer:4 | max message:4 | max chunks:4 |
//  OPN            | channel id:4 | policy uri | sender certificate | receiver thumbprint |
//                 | sequence number:4 | request id:4 | body |
//  MSG, CLO       | channel id:4 | token id:4 | sequence number:4 | request id:4 | body |
//  body           | type id (four-byte NodeId: 0x01 ns:1 id:2) | encoded request or response |
// clang-format on
#include <bit>
#include <string>
#include <string_view>

#include "simulate/ics_payloads.h"

namespace qw::simulate {
namespace {

// Binary encoding ids of the services (OPC 10000-6 Annex A, NodeIds.csv).
constexpr uint16_t kOpenSecureChannelRequest = 446, kOpenSecureChannelResponse = 449;
constexpr uint16_t kCloseSecureChannelRequest = 452;
constexpr uint16_t kCreateSessionRequest = 461, kCreateSessionResponse = 464;
constexpr uint16_t kActivateSessionRequest = 467, kActivateSessionResponse = 470;
constexpr uint16_t kCloseSessionRequest = 473, kCloseSessionResponse = 476;
constexpr uint16_t kReadRequest = 631, kReadResponse = 634;
constexpr uint16_t kWriteRequest = 673, kWriteResponse = 676;
constexpr uint16_t kAnonymousIdentityToken = 321;

constexpr std::string_view kPolicyNone = "http://opcfoundation.org/UA/SecurityPolicy#None";
constexpr std::string_view kTransportProfile =
    "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary";
constexpr uint32_t kAttributeValue = 13;
constexpr uint8_t kVariantBoolean = 1, kVariantInt32 = 6, kVariantFloat = 10, kVariantDouble = 11;
// 100 ns intervals between 1601-01-01 and 1970-01-01.
constexpr int64_t kUnixEpochTicks = 116444736000000000LL;

// Crane-management variables the clients read (namespace 2, numeric ids), with their types.
struct Variable {
  uint16_t id;
  uint8_t type;
};
constexpr Variable kReadNodes[] = {{1001, kVariantDouble},
                                   {1002, kVariantDouble},
                                   {1003, kVariantFloat},
                                   {1004, kVariantInt32},
                                   {1005, kVariantBoolean}};
constexpr uint16_t kWrittenNode = 2001;

void String(ByteWriter& w, std::string_view text) {
  w.U32Le(static_cast<uint32_t>(text.size()));
  w.Str(text);
}
void Null(ByteWriter& w) { w.U32Le(0xffffffff); }  // null String, ByteString or array
void ByteString(ByteWriter& w, Rng& rng, size_t n) {
  w.U32Le(static_cast<uint32_t>(n));
  for (size_t i = 0; i < n; ++i) w.U8(static_cast<uint8_t>(rng.Below(256)));
}
void TypeId(ByteWriter& w, uint16_t id) {  // four-byte NodeId, namespace 0
  w.U8(0x01);
  w.U8(0);
  w.U16Le(id);
}
void VariableId(ByteWriter& w, uint16_t id) {  // four-byte NodeId, namespace 2
  w.U8(0x01);
  w.U8(2);
  w.U16Le(id);
}
void NumericNodeId(ByteWriter& w, uint16_t ns, uint32_t id) {
  w.U8(0x02);
  w.U16Le(ns);
  w.U32Le(id);
}
void Double(ByteWriter& w, double v) { w.U64Le(std::bit_cast<uint64_t>(v)); }
void LocalizedText(ByteWriter& w, std::string_view text) {
  w.U8(0x02);  // text only
  String(w, text);
}
void EmptyExtensionObject(ByteWriter& w) {
  w.U8(0x00);  // two-byte NodeId 0
  w.U8(0x00);
  w.U8(0x00);  // no body
}

int64_t Ticks(int64_t unix_ns) { return unix_ns / 100 + kUnixEpochTicks; }

// The per-session constants, derived from the session so that both sides agree.
struct Channel {
  uint32_t id;
  uint32_t token;
  uint32_t session;  // numeric id of the session and of its authentication token
};
Channel ChannelOf(const Session& s) {
  return Channel{1 + static_cast<uint32_t>(s.fill % 200000), 1,
                 0x10000 + static_cast<uint32_t>((s.fill >> 20) % 900000)};
}

void RequestHeader(ByteWriter& w, const Session& s, bool authenticated, int64_t unix_ns) {
  if (authenticated) {
    NumericNodeId(w, 1, ChannelOf(s).session + 1);  // authentication token
  } else {
    w.U8(0x00);  // two-byte NodeId 0: no token yet
    w.U8(0x00);
  }
  w.U64Le(static_cast<uint64_t>(Ticks(unix_ns)));
  w.U32Le(s.round + 1);  // request handle
  w.U32Le(0);            // return diagnostics: none
  Null(w);               // audit entry id
  w.U32Le(10000);        // timeout hint, ms
  EmptyExtensionObject(w);
}

void ResponseHeader(ByteWriter& w, const Session& s, int64_t unix_ns) {
  w.U64Le(static_cast<uint64_t>(Ticks(unix_ns)));
  w.U32Le(s.round + 1);  // request handle, echoed
  w.U32Le(0);            // service result: Good
  w.U8(0x00);            // service diagnostics: empty DiagnosticInfo
  w.U32Le(0);            // string table: no strings
  EmptyExtensionObject(w);
}

std::string EndpointUrl(const Scenario& sc, const Session& s) {
  return "opc.tcp://" + Ipv4Text(sc.hosts[s.host[1]].ip) + ":4840";
}

void ServerDescription(ByteWriter& w, const Scenario& sc, const Session& s) {
  const std::string name = sc.hosts[s.host[1]].name;
  String(w, "urn:" + name + ":RCMS:OPCUA");
  String(w, "urn:example:rcms");
  LocalizedText(w, "RCMS OPC UA Server (" + name + ")");
  w.U32Le(0);  // application type: server
  Null(w);     // gateway server uri
  Null(w);     // discovery profile uri
  w.U32Le(1);  // discovery urls
  String(w, EndpointUrl(sc, s));
}

void Endpoint(ByteWriter& w, const Scenario& sc, const Session& s) {
  String(w, EndpointUrl(sc, s));
  ServerDescription(w, sc, s);
  Null(w);     // server certificate
  w.U32Le(1);  // security mode: None
  String(w, kPolicyNone);
  w.U32Le(1);  // user identity tokens: one anonymous policy
  String(w, "anonymous");
  w.U32Le(0);  // token type: anonymous
  Null(w);
  Null(w);
  Null(w);
  String(w, kTransportProfile);
  w.U8(0);  // security level
}

void Variant(ByteWriter& w, uint8_t type, Rng& rng) {
  w.U8(type);
  switch (type) {
    case kVariantBoolean:
      w.U8(rng.Chance(0.5) ? 1 : 0);
      return;
    case kVariantInt32:
      w.U32Le(rng.Below(6));
      return;
    case kVariantFloat:
      w.U32Le(std::bit_cast<uint32_t>(static_cast<float>(rng.Below(2500)) / 100.0f));
      return;
    default:
      Double(w, static_cast<double>(rng.Below(4000000)) / 100.0);
  }
}

// The service of round `round` (after the four set-up rounds).
enum class Service { kRead, kWrite, kCloseSession, kCloseChannel };
Service ServiceOf(const Session& s) {
  const bool forever = s.rounds == 0xffffffff;
  if (!forever && s.round + kOpcUaCloseRounds >= s.rounds) {
    return s.round + 1 == s.rounds ? Service::kCloseChannel : Service::kCloseSession;
  }
  // Only the long-lived session (the historian's) writes; short sessions just read.
  return forever && s.round % 30 == 7 ? Service::kWrite : Service::kRead;
}

void ServiceBody(ByteWriter& w, Session& s, const Scenario& sc, Rng& rng, int64_t unix_ns) {
  const bool request = s.dir == 0;
  const Channel channel = ChannelOf(s);
  switch (s.round) {
    case 1:
      if (request) {
        TypeId(w, kOpenSecureChannelRequest);
        RequestHeader(w, s, false, unix_ns);
        w.U32Le(0);  // client protocol version
        w.U32Le(0);  // request type: issue
        w.U32Le(1);  // security mode: None
        w.U32Le(0);  // client nonce: empty
        w.U32Le(3600000);
      } else {
        TypeId(w, kOpenSecureChannelResponse);
        ResponseHeader(w, s, unix_ns);
        w.U32Le(0);  // server protocol version
        w.U32Le(channel.id);
        w.U32Le(channel.token);
        w.U64Le(static_cast<uint64_t>(Ticks(unix_ns)));
        w.U32Le(3600000);
        w.U32Le(0);  // server nonce: empty
      }
      return;
    case 2:
      if (request) {
        const std::string name = sc.hosts[s.host[0]].name;
        TypeId(w, kCreateSessionRequest);
        RequestHeader(w, s, false, unix_ns);
        String(w, "urn:" + name + ":UaClient");  // client description
        String(w, "urn:example:uaclient");
        LocalizedText(w, name);
        w.U32Le(1);  // application type: client
        Null(w);
        Null(w);
        Null(w);
        Null(w);  // server uri
        String(w, EndpointUrl(sc, s));
        String(w, name + "-session");
        ByteString(w, rng, 32);  // client nonce
        Null(w);                 // client certificate
        Double(w, 1200000.0);    // requested session timeout, ms
        w.U32Le(16777216);       // max response message size
      } else {
        TypeId(w, kCreateSessionResponse);
        ResponseHeader(w, s, unix_ns);
        NumericNodeId(w, 1, channel.session);      // session id
        NumericNodeId(w, 1, channel.session + 1);  // authentication token
        Double(w, 1200000.0);
        ByteString(w, rng, 32);  // server nonce
        Null(w);                 // server certificate
        w.U32Le(1);              // server endpoints
        Endpoint(w, sc, s);
        w.U32Le(0);  // server software certificates
        Null(w);     // server signature: algorithm, signature
        Null(w);
        w.U32Le(16777216);  // max request message size
      }
      return;
    case 3:
      if (request) {
        TypeId(w, kActivateSessionRequest);
        RequestHeader(w, s, true, unix_ns);
        Null(w);  // client signature
        Null(w);
        w.U32Le(0);  // client software certificates
        w.U32Le(1);  // locale ids
        String(w, "en-US");
        TypeId(w, kAnonymousIdentityToken);  // user identity token
        w.U8(0x01);                          // body: binary
        w.U32Le(4 + 9);
        String(w, "anonymous");
        Null(w);  // user token signature
        Null(w);
      } else {
        TypeId(w, kActivateSessionResponse);
        ResponseHeader(w, s, unix_ns);
        ByteString(w, rng, 32);
        w.U32Le(0);  // results
        w.U32Le(0);  // diagnostic infos
      }
      return;
    default:
      break;
  }
  switch (ServiceOf(s)) {
    case Service::kRead:
      if (request) {
        TypeId(w, kReadRequest);
        RequestHeader(w, s, true, unix_ns);
        Double(w, 0.0);  // max age
        w.U32Le(2);      // timestamps to return: both
        w.U32Le(static_cast<uint32_t>(std::size(kReadNodes)));
        for (const Variable& v : kReadNodes) {
          VariableId(w, v.id);
          w.U32Le(kAttributeValue);
          Null(w);     // index range
          w.U16Le(0);  // data encoding: namespace 0, no name
          Null(w);
        }
      } else {
        TypeId(w, kReadResponse);
        ResponseHeader(w, s, unix_ns);
        w.U32Le(static_cast<uint32_t>(std::size(kReadNodes)));
        for (const Variable& v : kReadNodes) {
          w.U8(0x0d);  // value, source and server timestamps
          Variant(w, v.type, rng);
          w.U64Le(static_cast<uint64_t>(Ticks(unix_ns) - 2500000));
          w.U64Le(static_cast<uint64_t>(Ticks(unix_ns)));
        }
        w.U32Le(0);  // diagnostic infos
      }
      return;
    case Service::kWrite:
      if (request) {
        TypeId(w, kWriteRequest);
        RequestHeader(w, s, true, unix_ns);
        w.U32Le(1);
        VariableId(w, kWrittenNode);
        w.U32Le(kAttributeValue);
        Null(w);
        w.U8(0x01);  // data value: value only
        Variant(w, kVariantDouble, rng);
      } else {
        TypeId(w, kWriteResponse);
        ResponseHeader(w, s, unix_ns);
        w.U32Le(1);  // results: Good
        w.U32Le(0);
        w.U32Le(0);
      }
      return;
    case Service::kCloseSession:
      if (request) {
        TypeId(w, kCloseSessionRequest);
        RequestHeader(w, s, true, unix_ns);
        w.U8(1);  // delete subscriptions
      } else {
        TypeId(w, kCloseSessionResponse);
        ResponseHeader(w, s, unix_ns);
      }
      return;
    case Service::kCloseChannel:
      TypeId(w, kCloseSecureChannelRequest);
      RequestHeader(w, s, false, unix_ns);
      return;
  }
}

}  // namespace

void PlanOpcUa(Session& s, const Scenario& scenario, Rng& rng, int64_t unix_ns) {
  ByteWriter w(s.head);
  const bool request = s.dir == 0;
  if (s.round == 0) {
    w.Str(request ? "HELF" : "ACKF");
    w.U32Le(0);  // size, below
    w.U32Le(0);  // protocol version
    w.U32Le(65535);
    w.U32Le(65535);
    w.U32Le(request ? 0 : 16777216);  // max message size
    w.U32Le(request ? 0 : 64);        // max chunk count
    if (request) String(w, EndpointUrl(scenario, s));
    w.PatchLe(4, w.size(), 4);
    SetMessage(s, w);
    return;
  }
  const bool close_channel = s.round >= kOpcUaSetupRounds && ServiceOf(s) == Service::kCloseChannel;
  if (close_channel && !request) {  // the server closes the socket without a word
    s.msg_len = s.head_len = 0;
    s.more = false;
    return;
  }
  if (s.round == 1) {
    s.app_seq[0] = 1 + static_cast<uint32_t>(s.fill % 50);
    s.app_seq[1] = 1 + static_cast<uint32_t>((s.fill >> 8) % 50);
  }
  const Channel channel = ChannelOf(s);
  w.Str(s.round == 1 ? "OPNF" : close_channel ? "CLOF" : "MSGF");
  w.U32Le(0);
  w.U32Le(s.round == 1 && request ? 0 : channel.id);
  if (s.round == 1) {
    String(w, kPolicyNone);
    Null(w);  // sender certificate
    Null(w);  // receiver certificate thumbprint
  } else {
    w.U32Le(channel.token);
  }
  w.U32Le(s.app_seq[s.dir]++);
  w.U32Le(s.round);  // request id: one per request, echoed by the response
  ServiceBody(w, s, scenario, rng, unix_ns);
  w.PatchLe(4, w.size(), 4);
  SetMessage(s, w);
}

}  // namespace qw::simulate
