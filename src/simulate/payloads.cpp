#include "simulate/payloads.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "simulate/byte_writer.h"
#include "simulate/ics_payloads.h"

namespace qw::simulate {

void RandomBytes(ByteWriter& w, Rng& rng, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t v = rng.Next();
    for (size_t k = 0; k < 8 && i + k < n; ++k) w.U8(static_cast<uint8_t>(v >> (8 * k)));
  }
}

namespace {

// Filler pools: bodies are slices of these, at a per-session offset below kPoolSpan; the
// extra tail lets one frame's slice run past kPoolSpan without wrapping.
constexpr size_t kPoolSpan = 1 << 16;
constexpr size_t kPoolSize = kPoolSpan + 2048;

struct Pools {
  std::array<uint8_t, kPoolSize> random;
  std::array<uint8_t, kPoolSize> text;
  Pools() {
    Rng rng(0x5157c0ffee);  // fixed: pools are the same for every seed
    for (size_t i = 0; i < kPoolSize; i += 8) {
      const uint64_t v = rng.Next();
      for (size_t k = 0; k < 8 && i + k < kPoolSize; ++k) {
        const auto byte = static_cast<uint8_t>(v >> (8 * k));
        // 0x80 and 0x82 open Thrift binary and compact messages; Wireshark's heuristic
        // takes filler that starts a segment with them for Thrift and then finds it broken.
        random[i + k] = byte == 0x80 || byte == 0x82 ? 0x81 : byte;
      }
    }
    static constexpr std::string_view kWords[] = {"<p>",
                                                  "vessel",
                                                  "berth",
                                                  "crane",
                                                  "container",
                                                  "yard",
                                                  "gate",
                                                  "</p>\n",
                                                  "schedule",
                                                  "reefer",
                                                  "moves",
                                                  "quay",
                                                  "terminal",
                                                  "the",
                                                  "and",
                                                  "of",
                                                  "<div class=\"row\">",
                                                  "</div>\n",
                                                  "status",
                                                  "ETA",
                                                  "discharge",
                                                  "load",
                                                  "block",
                                                  "bay",
                                                  "row",
                                                  "tier"};
    size_t pos = 0;
    while (pos < kPoolSize) {
      const std::string_view word = kWords[rng.Below(std::size(kWords))];
      for (size_t k = 0; k < word.size() && pos < kPoolSize; ++k)
        text[pos++] = static_cast<uint8_t>(word[k]);
      if (pos < kPoolSize) text[pos++] = ' ';
    }
  }
};

const Pools& GetPools() {
  static const Pools pools;
  return pools;
}

// Copies filler from `pool` starting at `start` (taken modulo the pool span).
void CopyPool(const uint8_t* pool, uint64_t start, std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    const size_t at = static_cast<size_t>((start + done) % kPoolSpan);
    const size_t n = std::min(out.size() - done, kPoolSize - at);
    std::memcpy(out.data() + done, pool + at, n);
    done += n;
  }
}

// Log-uniform size in [lo, hi]: many small objects, a few large ones.
uint32_t LogUniform(Rng& rng, uint32_t lo, uint32_t hi) {
  double v = lo;
  const double top = hi;
  while (v * 2 <= top && rng.Chance(0.5)) v *= 2;
  return static_cast<uint32_t>(v + rng.Unit() * v);
}

std::string ContainerNumber(Rng& rng) {
  static constexpr const char* kOwners[] = {"MSCU", "MAEU", "CMAU", "HLXU", "TGHU", "OOLU"};
  std::string id = kOwners[rng.Below(std::size(kOwners))];
  for (int i = 0; i < 7; ++i) id.push_back(static_cast<char>('0' + rng.Below(10)));
  return id;
}

// Sets the message to `w`'s bytes followed by `body` bytes of filler.
void Finish(Session& s, const ByteWriter& w, uint64_t body, Body kind, bool more) {
  s.head_len = static_cast<uint32_t>(w.size());
  s.msg_len = static_cast<uint32_t>(w.size() + body);
  s.body = kind;
  s.more = more;
}

// ---- HTTP/1.1 (RFC 9112) ----

void PlanHttp(Session& s, const Scenario& sc, Rng& rng) {
  ByteWriter w(s.head);
  const std::string host = s.name != nullptr ? *s.name : "intranet." + sc.domain;
  if (s.dir == 0) {
    static constexpr const char* kPaths[] = {"/",
                                             "/index.html",
                                             "/news/today",
                                             "/static/app.js",
                                             "/static/site.css",
                                             "/images/logo.png",
                                             "/schedule/vessels",
                                             "/favicon.ico"};
    std::string body;
    std::string request;
    switch (s.variant) {
      case kHttpProxy:
        request = "GET http://" + host + kPaths[rng.Below(std::size(kPaths))] + " HTTP/1.1\r\n";
        break;
      case kHttpApi:
        request = "GET /api/v2/berths/" + std::to_string(1 + rng.Below(4)) +
                  "/moves?status=planned HTTP/1.1\r\n";
        break;
      case kHttpGateOcr: {
        // One draw per statement: operands of + are evaluated in no fixed order.
        const std::string container = ContainerNumber(rng);
        const uint32_t confidence = rng.Below(10);
        body = "{\"lane\":" + std::to_string(s.host[0] % 4 + 1) + ",\"container\":\"" + container +
               "\",\"iso\":\"45G1\",\"confidence\":0.9" + std::to_string(confidence) + "}";
        request = "POST /api/v1/gate/ocr HTTP/1.1\r\n";
        break;
      }
      case kHttpReefer: {
        const std::string unit = ContainerNumber(rng);
        const uint32_t supply = rng.Below(10);
        const uint32_t back = rng.Below(10);
        body = "{\"unit\":\"" + unit + "\",\"setpoint\":-18.0,\"supply\":-18." +
               std::to_string(supply) + ",\"return\":-17." + std::to_string(back) + ",\"alarm\":0}";
        request = "POST /api/v1/reefers/readings HTTP/1.1\r\n";
        break;
      }
      default:
        request = std::string("GET ") + kPaths[rng.Below(std::size(kPaths))] + " HTTP/1.1\r\n";
    }
    w.Str(request);
    w.Str("Host: " + host + "\r\n");
    if (s.variant == kHttpBrowse || s.variant == kHttpProxy) {
      w.Str(
          "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
          "like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0\r\n"
          "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"
          "Accept-Language: en-GB,en;q=0.9\r\n");
    } else {
      w.Str("User-Agent: terminal-client/3.2\r\nAccept: application/json\r\n");
    }
    if (!body.empty()) {
      w.Str("Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n");
    }
    w.Str("Connection: keep-alive\r\n\r\n");
    w.Str(body);
    Finish(s, w, 0, Body::kText, false);
    return;
  }
  if (s.variant == kHttpGateOcr || s.variant == kHttpReefer || s.variant == kHttpApi) {
    std::string body =
        "{\"id\":" + std::to_string(100000 + rng.Below(900000)) + ",\"status\":\"accepted\"}";
    if (s.variant == kHttpApi) {
      body = "{\"moves\":[";
      const uint32_t n = 1 + rng.Below(12);
      for (uint32_t i = 0; i < n; ++i) {
        const std::string container = ContainerNumber(rng);
        const uint32_t block = rng.Below(40);
        const uint32_t row = rng.Below(20);
        body += (i ? "," : "") + std::string("{\"container\":\"") + container + "\",\"from\":\"" +
                std::to_string(block) + "-" + std::to_string(row) + "\",\"to\":\"vessel\"}";
      }
      body += "]}";
    }
    w.Str(s.variant == kHttpApi ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 201 Created\r\n");
    w.Str("Server: Kestrel\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n");
    w.Str(body);
    Finish(s, w, 0, Body::kText, false);
    return;
  }
  const uint32_t length = LogUniform(rng, 400, 400000);
  w.Str(
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=utf-8\r\n"
      "Cache-Control: max-age=300\r\nContent-Length: " +
      std::to_string(length) + "\r\n\r\n");
  Finish(s, w, length, Body::kText, false);
}

// ---- TLS 1.3 (RFC 8446) ----

constexpr uint32_t kTlsRecordMax = 16384 + 17;  // full record: content, type byte, AEAD tag

void TlsRecordHeader(ByteWriter& w, uint8_t type, size_t length) {
  w.U8(type);
  w.U16(0x0303);
  w.U16(static_cast<uint16_t>(length));
}

void TlsClientHello(ByteWriter& w, std::string_view sni, Rng& rng) {
  const size_t record = w.size();
  w.U8(22);
  w.U16(0x0301);
  w.U16(0);  // record length, patched
  const size_t handshake = w.size();
  w.U8(1);  // client_hello
  w.U24(0);
  w.U16(0x0303);
  RandomBytes(w, rng, 32);
  w.U8(32);
  RandomBytes(w, rng, 32);
  static constexpr uint16_t kSuites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                         0xc02c, 0xc030, 0xcca9, 0xcca8};
  w.U16(sizeof(kSuites));
  for (uint16_t suite : kSuites) w.U16(suite);
  w.U8(1);  // compression methods: null
  w.U8(0);
  const size_t extensions = w.size();
  w.U16(0);
  if (!sni.empty()) {
    w.U16(0x0000);  // server_name
    w.U16(static_cast<uint16_t>(sni.size() + 5));
    w.U16(static_cast<uint16_t>(sni.size() + 3));
    w.U8(0);  // host_name
    w.U16(static_cast<uint16_t>(sni.size()));
    w.Str(sni);
  }
  w.U16(0x000a);  // supported_groups: x25519, secp256r1, secp384r1
  w.U16(8);
  w.U16(6);
  w.U16(0x001d);
  w.U16(0x0017);
  w.U16(0x0018);
  w.U16(0x000b);  // ec_point_formats: uncompressed
  w.U16(2);
  w.U8(1);
  w.U8(0);
  static constexpr uint16_t kSigs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806};
  w.U16(0x000d);  // signature_algorithms
  w.U16(sizeof(kSigs) + 2);
  w.U16(sizeof(kSigs));
  for (uint16_t sig : kSigs) w.U16(sig);
  w.U16(0x0010);  // ALPN: h2, http/1.1
  w.U16(14);
  w.U16(12);
  w.U8(2);
  w.Str("h2");
  w.U8(8);
  w.Str("http/1.1");
  w.U16(0x002b);  // supported_versions: TLS 1.3, 1.2
  w.U16(5);
  w.U8(4);
  w.U16(0x0304);
  w.U16(0x0303);
  w.U16(0x002d);  // psk_key_exchange_modes: psk_dhe_ke
  w.U16(2);
  w.U8(1);
  w.U8(1);
  w.U16(0x0033);  // key_share: one x25519 share
  w.U16(38);
  w.U16(36);
  w.U16(0x001d);
  w.U16(32);
  RandomBytes(w, rng, 32);
  w.PatchBe(extensions, w.size() - extensions - 2, 2);
  w.PatchBe(handshake + 1, w.size() - handshake - 4, 3);
  w.PatchBe(record + 3, w.size() - record - 5, 2);
}

void TlsServerHello(ByteWriter& w, Rng& rng) {
  TlsRecordHeader(w, 22, 122);
  w.U8(2);  // server_hello
  w.U24(118);
  w.U16(0x0303);
  RandomBytes(w, rng, 32);
  w.U8(32);
  RandomBytes(w, rng, 32);
  w.U16(0x1301);  // TLS_AES_128_GCM_SHA256
  w.U8(0);
  w.U16(46);
  w.U16(0x002b);  // supported_versions: TLS 1.3
  w.U16(2);
  w.U16(0x0304);
  w.U16(0x0033);  // key_share
  w.U16(36);
  w.U16(0x001d);
  w.U16(32);
  RandomBytes(w, rng, 32);
  TlsRecordHeader(w, 20, 1);  // change_cipher_spec (middlebox compatibility)
  w.U8(1);
}

// TLS rounds: 0 hellos; 1 client finished and first request; then requests and responses.
void PlanTls(Session& s, uint32_t round, std::string_view sni, Rng& rng) {
  ByteWriter w(s.head);
  if (s.dir == 0) {
    if (round == 0) {
      TlsClientHello(w, sni, rng);
      Finish(s, w, 0, Body::kRandom, false);
      return;
    }
    if (round == 1) {
      TlsRecordHeader(w, 20, 1);
      w.U8(1);
      TlsRecordHeader(w, 23, 53);  // encrypted Finished
      RandomBytes(w, rng, 53);
    }
    const uint32_t request = s.app == App::kRdp ? 40 + rng.Below(200) : 200 + rng.Below(700);
    TlsRecordHeader(w, 23, request);
    Finish(s, w, request, Body::kRandom, false);
    return;
  }
  if (round == 0) {
    TlsServerHello(w, rng);
    const uint32_t flight = 2400 + rng.Below(2400);  // certificate chain and Finished
    TlsRecordHeader(w, 23, flight);
    Finish(s, w, flight, Body::kRandom, false);
    return;
  }
  if (s.msg_index == 0) {
    s.remaining = s.app == App::kRdp ? 100 + rng.Below(rng.Chance(0.2) ? 30000 : 2000)
                                     : LogUniform(rng, 300, 600000);
  }
  const auto record = static_cast<uint32_t>(std::min<uint64_t>(s.remaining, kTlsRecordMax));
  s.remaining -= record;
  TlsRecordHeader(w, 23, record);
  Finish(s, w, record, Body::kRandom, s.remaining > 0);
}

// ---- SMB2 READ (MS-SMB2 2.2.1, 2.2.19, 2.2.20) over NetBIOS session service ----

constexpr uint32_t kSmbRead = 65536;

void Smb2Header(ByteWriter& w, uint16_t command, bool response, uint64_t message_id,
                uint64_t session_id) {
  w.U8(0xfe);
  w.Str("SMB");
  w.U16Le(64);
  w.U16Le(1);  // credit charge
  w.U32Le(0);  // status: success
  w.U16Le(command);
  w.U16Le(response ? 32 : 1);  // credits granted / requested
  w.U32Le(response ? 1 : 0);   // flags: server to redirector
  w.U32Le(0);                  // next command
  w.U64Le(message_id);
  w.U32Le(0xfeff);  // process id
  w.U32Le(1);       // tree id
  w.U64Le(session_id);
  w.Fill(16, 0);  // signature
}

// UTF-16LE of ASCII text, as SMB2 carries names.
void Utf16(ByteWriter& w, std::string_view text) {
  for (char c : text) w.U16Le(static_cast<uint8_t>(c));
}

// The share and the file a file-share session reads, by the session's filler position.
constexpr std::string_view kSmbShare = "\\\\fs1\\departments";
constexpr std::string_view kSmbFiles[] = {
    "Operations\\berth-plan-week48.xlsx", "Engineering\\sts-crane-electrical-drawings.pdf",
    "IT\\firmware\\hirschmann-rsp35-hios-09.0.02.bin", "HSE\\isps-drill-report.docx",
    "Engineering\\plc\\sts1-s7-project-backup.zap16"};

// Round 0 of a file-share session: TREE_CONNECT to the share (MS-SMB2 2.2.9, 2.2.10);
// round 1: CREATE of the file (2.2.13, 2.2.14) whose reads follow.
void PlanSmbSetup(Session& s, ByteWriter& w, uint64_t session_id) {
  const bool tree = s.round == 0;
  const std::string_view name = kSmbFiles[s.fill % std::size(kSmbFiles)];
  if (s.dir == 0) {
    const size_t text = 2 * (tree ? kSmbShare.size() : name.size());
    const size_t body = tree ? 8 : 56;
    w.U8(0);
    w.U24(static_cast<uint32_t>(64 + body + text));
    Smb2Header(w, tree ? 3 : 5, false, s.round + 10, session_id);
    if (tree) {
      w.U16Le(9);
      w.U16Le(0);                            // flags
      w.U16Le(64 + 8);                       // path offset
      w.U16Le(static_cast<uint16_t>(text));  // path length
      Utf16(w, kSmbShare);
    } else {
      w.U16Le(57);
      w.U8(0);                               // security flags
      w.U8(0);                               // oplock level: none
      w.U32Le(2);                            // impersonation
      w.U64Le(0);                            // create flags
      w.U64Le(0);                            // reserved
      w.U32Le(0x00120089);                   // desired access: read
      w.U32Le(0x80);                         // attributes: normal
      w.U32Le(1);                            // share access: read
      w.U32Le(1);                            // disposition: open
      w.U32Le(0x40);                         // options: non-directory file
      w.U16Le(64 + 56);                      // name offset
      w.U16Le(static_cast<uint16_t>(text));  // name length
      w.U32Le(0);                            // create contexts offset
      w.U32Le(0);                            // create contexts length
      Utf16(w, name);
    }
    Finish(s, w, 0, Body::kRandom, false);
    return;
  }
  w.U8(0);
  w.U24(tree ? 64 + 16 : 64 + 88);
  Smb2Header(w, tree ? 3 : 5, true, s.round + 10, session_id);
  if (tree) {
    w.U16Le(16);
    w.U8(1);  // share type: disk
    w.U8(0);
    w.U32Le(0);           // share flags
    w.U32Le(0);           // capabilities
    w.U32Le(0x001f01ff);  // maximal access
  } else {
    w.U16Le(89);
    w.U8(0);                                                     // oplock level
    w.U8(0);                                                     // flags
    w.U32Le(1);                                                  // create action: opened
    for (int i = 0; i < 4; ++i) w.U64Le(0x01db1f0a00000000ULL);  // times
    w.U64Le((s.remaining + 4095) / 4096 * 4096);                 // allocation size
    w.U64Le(s.remaining);                                        // end of file
    w.U32Le(0x80);                                               // attributes
    w.U32Le(0);                                                  // reserved
    w.U64Le(0x0000000400000001ULL);                              // file id, persistent
    w.U64Le(s.fill);                                             // file id, volatile
    w.U32Le(0);                                                  // create contexts offset
    w.U32Le(0);                                                  // create contexts length
  }
  Finish(s, w, 0, Body::kRandom, false);
}

void PlanSmb(Session& s, Rng& rng) {
  ByteWriter w(s.head);
  const uint64_t session_id = 0x0000100000000000ULL | (s.fill & 0xffffff);
  if (s.round < 2) {
    PlanSmbSetup(s, w, session_id);
    return;
  }
  const uint32_t read_round = s.round - 2;
  const uint32_t length = static_cast<uint32_t>(std::min<uint64_t>(s.remaining, kSmbRead));
  if (s.dir == 0) {
    w.U8(0);  // NBSS session message
    w.U24(64 + 49);
    Smb2Header(w, 8, false, s.round + 10, session_id);
    w.U16Le(49);
    w.U8(0x50);  // padding: data offset wanted in the response
    w.U8(0);
    w.U32Le(length);
    w.U64Le(uint64_t{read_round} * kSmbRead);
    w.U64Le(0x0000000400000001ULL);  // file id, persistent
    w.U64Le(s.fill);                 // file id, volatile
    w.U32Le(1);                      // minimum count
    w.U32Le(0);                      // channel
    w.U32Le(0);                      // remaining bytes
    w.U16Le(0);
    w.U16Le(0);
    w.U8(0);
    Finish(s, w, 0, Body::kRandom, false);
    return;
  }
  (void)rng;
  w.U8(0);
  w.U24(64 + 16 + length);
  Smb2Header(w, 8, true, s.round + 10, session_id);
  w.U16Le(17);
  w.U8(0x50);  // data offset from the SMB2 header
  w.U8(0);
  w.U32Le(length);
  w.U32Le(0);
  w.U32Le(0);
  s.remaining -= length;
  Finish(s, w, length, Body::kRandom, false);
}

// ---- PostgreSQL frontend/backend protocol 3.0 ----

void PgMessage(ByteWriter& w, char type, const std::string& content) {
  w.U8(static_cast<uint8_t>(type));
  w.U32(static_cast<uint32_t>(content.size() + 4));
  w.Str(content);
}

std::string Cstr(std::string_view text) { return std::string(text) + '\0'; }

void PlanPgsql(Session& s, Rng& rng) {
  ByteWriter w(s.head);
  if (s.round == 0) {
    if (s.dir == 0) {
      const std::string params = Cstr("user") + Cstr("tos") + Cstr("database") + Cstr("tos") +
                                 Cstr("application_name") + Cstr("tos-app") + '\0';
      w.U32(static_cast<uint32_t>(params.size() + 8));
      w.U32(196608);  // protocol 3.0
      w.Str(params);
    } else {
      PgMessage(w, 'R', std::string("\0\0\0\0", 4));  // authentication ok
      PgMessage(w, 'S', Cstr("server_version") + Cstr("15.6"));
      PgMessage(w, 'S', Cstr("client_encoding") + Cstr("UTF8"));
      w.U8('K');
      w.U32(12);
      w.U32(4000 + rng.Below(60000));
      w.U32(static_cast<uint32_t>(rng.Next()));
      PgMessage(w, 'Z', "I");
    }
    Finish(s, w, 0, Body::kRandom, false);
    return;
  }
  static constexpr const char* kColumns[] = {"container_id", "iso_code", "position", "status"};
  if (s.dir == 0) {
    PgMessage(w, 'Q',
              Cstr("SELECT container_id, iso_code, position, status FROM moves WHERE "
                   "crane_id = " +
                   std::to_string(1 + rng.Below(6)) + " AND status <> 'done' LIMIT 20"));
    Finish(s, w, 0, Body::kRandom, false);
    return;
  }
  std::string description;
  description.push_back(0);
  description.push_back(static_cast<char>(std::size(kColumns)));
  for (const char* column : kColumns) {
    description += Cstr(column);
    description += std::string("\0\0\0\0\0\0\0\0\x19\xff\xff\xff\xff\xff\xff\x00\x00", 18);
  }
  PgMessage(w, 'T', description);
  const uint32_t rows = rng.Below(12);
  for (uint32_t r = 0; r < rows; ++r) {
    const std::string container = ContainerNumber(rng);
    const uint32_t bay = rng.Below(40);
    const uint32_t tier = rng.Below(9);
    const bool planned = rng.Chance(0.5);
    const std::string values[] = {container, "45G1",
                                  std::to_string(bay) + "-" + std::to_string(tier),
                                  planned ? "planned" : "active"};
    std::string row;
    row.push_back(0);
    row.push_back(static_cast<char>(std::size(values)));
    for (const std::string& v : values) {
      row.append(3, '\0');
      row.push_back(static_cast<char>(v.size()));
      row += v;
    }
    PgMessage(w, 'D', row);
  }
  PgMessage(w, 'C', Cstr("SELECT " + std::to_string(rows)));
  PgMessage(w, 'Z', "I");
  Finish(s, w, 0, Body::kRandom, false);
}

// ---- TPKT (RFC 1006), for RDP's X.224 ----

void Tpkt(ByteWriter& w, size_t length) {
  w.U8(3);
  w.U8(0);
  w.U16(static_cast<uint16_t>(length));
}

// ---- RTSP 1.0 (RFC 2326) ----

void PlanRtsp(Session& s, const Scenario& sc, Rng& rng) {
  ByteWriter w(s.head);
  const std::string url =
      "rtsp://" + Ipv4Text(sc.hosts[s.host[1]].ip) + ":554/Streaming/Channels/102";
  const std::string cseq = "CSeq: " + std::to_string(s.round + 2) + "\r\n";
  const uint32_t client_port = static_cast<uint32_t>(s.remaining >> 16);
  const uint32_t server_port = static_cast<uint32_t>(s.remaining & 0xffff);
  const std::string ports =
      "client_port=" + std::to_string(client_port) + "-" + std::to_string(client_port + 1);
  const std::string session = "Session: " + std::to_string(0x10000000 + (s.fill & 0xfffffff));
  if (s.dir == 0) {
    switch (s.round) {
      case 0:
        w.Str("OPTIONS " + url + " RTSP/1.0\r\n" + cseq);
        break;
      case 1:
        w.Str("DESCRIBE " + url + " RTSP/1.0\r\n" + cseq + "Accept: application/sdp\r\n");
        break;
      case 2:
        w.Str("SETUP " + url + "/trackID=1 RTSP/1.0\r\n" + cseq + "Transport: RTP/AVP;unicast;" +
              ports + "\r\n");
        break;
      case 3:
        w.Str("PLAY " + url + " RTSP/1.0\r\n" + cseq + session + "\r\nRange: npt=0.000-\r\n");
        break;
      default:
        w.Str("GET_PARAMETER " + url + " RTSP/1.0\r\n" + cseq + session + "\r\n");
    }
    w.Str("User-Agent: NVR RTSP client/4.62\r\n\r\n");
    Finish(s, w, 0, Body::kText, false);
    return;
  }
  w.Str("RTSP/1.0 200 OK\r\n" + cseq);
  switch (s.round) {
    case 0:
      w.Str(
          "Public: OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, "
          "GET_PARAMETER\r\n\r\n");
      break;
    case 1: {
      const std::string sdp =
          "v=0\r\no=- 1709362800" + std::to_string(rng.Below(1000)) + " 1 IN IP4 " +
          Ipv4Text(sc.hosts[s.host[1]].ip) +
          "\r\ns=Media Presentation\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
          "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n";
      w.Str("Content-Base: " + url + "/\r\nContent-Type: application/sdp\r\nContent-Length: " +
            std::to_string(sdp.size()) + "\r\n\r\n" + sdp);
      break;
    }
    case 2:
      w.Str(session + ";timeout=60\r\nTransport: RTP/AVP;unicast;" + ports + ";server_port=" +
            std::to_string(server_port) + "-" + std::to_string(server_port + 1) + "\r\n\r\n");
      break;
    case 3:
      w.Str(session + "\r\nRTP-Info: url=" + url + "/trackID=1;seq=1;rtptime=0\r\n\r\n");
      break;
    default:
      w.Str(session + "\r\n\r\n");
  }
  Finish(s, w, 0, Body::kText, false);
}

// ---- SSH transport (RFC 4253), key exchange curve25519 (RFC 8731) ----

void SshString(ByteWriter& w, std::string_view text) {
  w.U32(static_cast<uint32_t>(text.size()));
  w.Str(text);
}

// Binary packet with padding to a multiple of 8; `payload` is written by `fill`.
template <typename F>
void SshPacket(ByteWriter& w, size_t payload, F&& fill) {
  size_t padding = 8 - (5 + payload) % 8;
  if (padding < 4) padding += 8;
  w.U32(static_cast<uint32_t>(1 + payload + padding));
  w.U8(static_cast<uint8_t>(padding));
  fill();
  w.Fill(padding, 0);
}

void PlanSsh(Session& s, Rng& rng) {
  ByteWriter w(s.head);
  const bool client = s.dir == 0;
  switch (s.round) {
    case 0:
      w.Str(client ? "SSH-2.0-OpenSSH_for_Windows_8.6\r\n"
                   : "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n");
      break;
    case 1: {
      static constexpr std::string_view kLists[] = {
          "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
          "diffie-hellman-group14-sha256",
          "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256",
          "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-ctr",
          "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-ctr",
          "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
          "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
          "none,zlib@openssh.com",
          "none,zlib@openssh.com",
          "",
          ""};
      size_t payload = 1 + 16 + 1 + 4;
      for (std::string_view list : kLists) payload += 4 + list.size();
      SshPacket(w, payload, [&] {
        w.U8(20);  // SSH_MSG_KEXINIT
        RandomBytes(w, rng, 16);
        for (std::string_view list : kLists) SshString(w, list);
        w.U8(0);
        w.U32(0);
      });
      break;
    }
    case 2:
      if (client) {
        SshPacket(w, 1 + 4 + 32, [&] {
          w.U8(30);  // SSH_MSG_KEX_ECDH_INIT
          w.U32(32);
          RandomBytes(w, rng, 32);
        });
      } else {
        SshPacket(w, 1 + 4 + 51 + 4 + 32 + 4 + 83, [&] {
          w.U8(31);  // SSH_MSG_KEX_ECDH_REPLY
          w.U32(51);
          SshString(w, "ssh-ed25519");
          w.U32(32);
          RandomBytes(w, rng, 32);
          w.U32(32);
          RandomBytes(w, rng, 32);
          w.U32(83);
          SshString(w, "ssh-ed25519");
          w.U32(64);
          RandomBytes(w, rng, 64);
        });
        SshPacket(w, 1, [&] { w.U8(21); });  // SSH_MSG_NEWKEYS
      }
      break;
    default:
      if (client && s.round == 3) SshPacket(w, 1, [&] { w.U8(21); });
      // Encrypted packets: length, ciphertext and MAC, indistinguishable from random here.
      const uint32_t size =
          client ? 36 + 16 * rng.Below(4) : 36 + 16 * rng.Below(rng.Chance(0.2) ? 200 : 8);
      Finish(s, w, size, Body::kRandom, false);
      return;
  }
  Finish(s, w, 0, Body::kRandom, false);
}

// ---- RDP: X.224 connection with RDP negotiation (MS-RDPBCGR 2.2.1.1, 2.2.1.2), then TLS ----

void PlanRdp(Session& s, Rng& rng) {
  if (s.round > 0) {
    PlanTls(s, s.round - 1, "", rng);
    return;
  }
  ByteWriter w(s.head);
  if (s.dir == 0) {
    const std::string cookie = "Cookie: mstshash=eng" + std::to_string(s.host[0] % 10) + "\r\n";
    Tpkt(w, 4 + 7 + cookie.size() + 8);
    w.U8(static_cast<uint8_t>(6 + cookie.size() + 8));
    w.U8(0xe0);
    w.U16(0);
    w.U16(0);
    w.U8(0);
    w.Str(cookie);
    w.U8(1);  // RDP_NEG_REQ
    w.U8(0);
    w.U16Le(8);
    w.U32Le(3);  // TLS | CredSSP
  } else {
    Tpkt(w, 4 + 7 + 8);
    w.U8(14);
    w.U8(0xd0);
    w.U16(0);
    w.U16(0x1234);
    w.U8(0);
    w.U8(2);  // RDP_NEG_RSP
    w.U8(0x1f);
    w.U16Le(8);
    w.U32Le(2);  // CredSSP
  }
  Finish(s, w, 0, Body::kRandom, false);
}

// ---- VNC: RFB 3.8 (RFC 6143 7.1-7.6) with VNC authentication, then framebuffer updates ----

// The panel's screen, as ServerInit announces it and the viewer asks for it.
constexpr uint16_t kPanelWidth = 800, kPanelHeight = 480;

void PlanVnc(Session& s, Rng& rng) {
  ByteWriter w(s.head);
  const bool client = s.dir == 0;
  switch (s.round) {
    case 0:  // the server speaks first; the viewer waits
      if (!client) w.Str("RFB 003.008\n");
      break;
    case 1:
      if (client) {
        w.Str("RFB 003.008\n");
      } else {
        w.U8(1);  // one security type: VNC authentication
        w.U8(2);
      }
      break;
    case 2:
      if (client) {
        w.U8(2);  // VNC authentication chosen
      } else {
        RandomBytes(w, rng, 16);  // the challenge
      }
      break;
    case 3:
      if (client) {
        RandomBytes(w, rng, 16);  // the response
      } else {
        w.U32(0);  // SecurityResult: ok
      }
      break;
    case 4:
      if (client) {
        w.U8(1);  // ClientInit: share the desktop
      } else {
        const std::string name = "HMI panel " + std::to_string(s.host[1] % 1000);
        w.U16(kPanelWidth);
        w.U16(kPanelHeight);
        w.U8(32);  // bits per pixel
        w.U8(24);  // depth
        w.U8(0);   // little-endian pixels
        w.U8(1);   // true colour
        w.U16(255);
        w.U16(255);
        w.U16(255);
        w.U8(16);  // red, green and blue shifts
        w.U8(8);
        w.U8(0);
        w.Fill(3, 0);
        w.U32(static_cast<uint32_t>(name.size()));
        w.Str(name);
      }
      break;
    default:
      if (client) {
        w.U8(3);  // FramebufferUpdateRequest, incremental, the whole screen
        w.U8(1);
        w.U16(0);
        w.U16(0);
        w.U16(kPanelWidth);
        w.U16(kPanelHeight);
      } else {
        // One changed rectangle in Raw encoding: width x height pixels of 4 octets.
        const uint16_t width = static_cast<uint16_t>(16 * (1 + rng.Below(8)));
        const uint16_t height = static_cast<uint16_t>(8 * (1 + rng.Below(8)));
        w.U8(0);  // FramebufferUpdate
        w.U8(0);
        w.U16(1);
        w.U16(static_cast<uint16_t>(rng.Below(kPanelWidth - width)));
        w.U16(static_cast<uint16_t>(rng.Below(kPanelHeight - height)));
        w.U16(width);
        w.U16(height);
        w.U32(0);  // Raw
        Finish(s, w, uint64_t{width} * height * 4, Body::kRandom, false);
        return;
      }
      break;
  }
  Finish(s, w, 0, Body::kRandom, false);
}

// ---- FTP (RFC 959): a drive parameter backup stored over a passive data connection ----

void PlanFtp(Session& s, const Scenario& sc) {
  ByteWriter w(s.head);
  const bool client = s.dir == 0;
  switch (s.round) {
    case 0:  // the server greets first
      if (!client) w.Str("220 Crane management FTP service ready.\r\n");
      break;
    case 1:
      w.Str(client ? "USER drivebackup\r\n" : "331 Please specify the password.\r\n");
      break;
    case 2:
      w.Str(client ? "PASS Hoist#2019\r\n" : "230 Login successful.\r\n");
      break;
    case 3:
      w.Str(client ? "TYPE I\r\n" : "200 Switching to Binary mode.\r\n");
      break;
    case 4:
      if (client) {
        w.Str("PASV\r\n");
      } else {
        const uint32_t ip = sc.hosts[s.host[1]].ip;
        const uint32_t port = FtpPassivePort(s);
        w.Str("227 Entering Passive Mode (" + std::to_string(ip >> 24) + "," +
              std::to_string((ip >> 16) & 0xff) + "," + std::to_string((ip >> 8) & 0xff) + "," +
              std::to_string(ip & 0xff) + "," + std::to_string(port >> 8) + "," +
              std::to_string(port & 0xff) + ").\r\n");
      }
      break;
    case 5:
      if (client) {
        w.Str("STOR crane-" + std::to_string(s.variant + 1) + "-drive-parameters-" +
              std::to_string(s.counter + 1) + ".bak\r\n");
      } else {
        w.Str("150 Ok to send data.\r\n");
      }
      break;
    case kFtpCompleteRound:  // the client waits for the server's word on the transfer
      if (!client) w.Str("226 Transfer complete.\r\n");
      break;
    default:
      w.Str(client ? "QUIT\r\n" : "221 Goodbye.\r\n");
      break;
  }
  Finish(s, w, 0, Body::kText, false);
}

// The passive data connection: the file from the client, then the close.
void PlanFtpData(Session& s) {
  ByteWriter w(s.head);
  Finish(s, w, s.dir == 0 ? s.remaining : 0, Body::kRandom, false);
}

// ---- Scanner image upload: vendor framing on a proprietary port ----

void PlanBulk(Session& s, Rng& rng) {
  ByteWriter w(s.head);
  if (s.dir == 0) {
    w.Str("XIMG");
    w.U32(1);
    w.U64(s.remaining);
    RandomBytes(w, rng, 16);
    Finish(s, w, s.remaining, Body::kRandom, false);
  } else {
    w.Str("XACK");
    w.U32(0);
    w.U32(s.round);
    Finish(s, w, 0, Body::kRandom, false);
  }
}

void PutName(ByteWriter& w, std::string_view name) {
  while (!name.empty()) {
    const size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    w.U8(static_cast<uint8_t>(label.size()));
    w.Str(label);
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  w.U8(0);
}

}  // namespace

void PlanMessage(Session& s, const Scenario& scenario, Rng& rng, int64_t unix_ns) {
  switch (s.app) {
    case App::kHttp:
      PlanHttp(s, scenario, rng);
      break;
    case App::kTls:
      PlanTls(s, s.round, s.name != nullptr ? *s.name : "", rng);
      break;
    case App::kSmb:
      PlanSmb(s, rng);
      break;
    case App::kPgsql:
      PlanPgsql(s, rng);
      break;
    case App::kModbus:
      PlanModbus(s, rng);
      break;
    case App::kS7:
      PlanS7(s, rng);
      break;
    case App::kEnip:
      PlanEnip(s, scenario, rng);
      break;
    case App::kOpcUa:
      PlanOpcUa(s, scenario, rng, unix_ns);
      break;
    case App::kDnp3:
      PlanDnp3(s, rng);
      break;
    case App::kIec104:
      PlanIec104(s, rng);
      break;
    case App::kS7Plus:
      PlanS7Plus(s, rng);
      break;
    case App::kRtsp:
      PlanRtsp(s, scenario, rng);
      break;
    case App::kSsh:
      PlanSsh(s, rng);
      break;
    case App::kRdp:
      PlanRdp(s, rng);
      break;
    case App::kVnc:
      PlanVnc(s, rng);
      break;
    case App::kFtp:
      PlanFtp(s, scenario);
      break;
    case App::kFtpData:
      PlanFtpData(s);
      break;
    case App::kBulk:
      PlanBulk(s, rng);
      break;
    default:
      s.msg_len = s.head_len = 0;
      s.more = false;
  }
}

void FillMessage(const Session& s, uint32_t offset, std::span<uint8_t> out) {
  size_t done = 0;
  if (offset < s.head_len) {
    done = std::min<size_t>(out.size(), s.head_len - offset);
    std::memcpy(out.data(), s.head.data() + offset, done);
  }
  const Pools& pools = GetPools();
  const uint8_t* pool = s.body == Body::kText ? pools.text.data() : pools.random.data();
  CopyPool(pool, s.fill + (offset + done - s.head_len), out.subspan(done));
}

size_t WriteDnsQuery(std::span<uint8_t> out, uint16_t id, std::string_view name, bool recursion) {
  ByteWriter w(out);
  w.U16(id);
  w.U16(recursion ? 0x0100 : 0x0000);
  w.U16(1);
  w.U16(0);
  w.U16(0);
  w.U16(0);
  PutName(w, name);
  w.U16(1);  // A
  w.U16(1);  // IN
  return w.size();
}

size_t WriteDnsResponse(std::span<uint8_t> out, uint16_t id, std::string_view name,
                        uint32_t address, uint32_t ttl) {
  ByteWriter w(out);
  w.U16(id);
  w.U16(address != 0 ? 0x8180 : 0x8183);  // response, RD, RA; NXDOMAIN when no address
  w.U16(1);
  w.U16(address != 0 ? 1 : 0);
  w.U16(0);
  w.U16(0);
  PutName(w, name);
  w.U16(1);
  w.U16(1);
  if (address != 0) {
    w.U16(0xc00c);  // name: pointer to the question
    w.U16(1);
    w.U16(1);
    w.U32(ttl);
    w.U16(4);
    w.U32(address);
  }
  return w.size();
}

size_t WriteNtp(std::span<uint8_t> out, bool reply, int64_t unix_ns, uint64_t cookie) {
  constexpr uint64_t kNtpEpochOffset = 2208988800ULL;  // 1900 to 1970
  const auto seconds = static_cast<uint64_t>(unix_ns / 1000000000) + kNtpEpochOffset;
  const auto fraction =
      static_cast<uint64_t>(unix_ns % 1000000000) * (uint64_t{1} << 32) / 1000000000;
  const uint64_t now = seconds << 32 | fraction;
  ByteWriter w(out);
  w.U8(reply ? 0x24 : 0x23);  // LI 0, version 4, mode 4 / 3
  w.U8(reply ? 2 : 0);        // stratum
  w.U8(6);                    // poll 64 s
  w.U8(0xe9);                 // precision 2^-23
  w.U32(reply ? 0x00000a00 : 0);
  w.U32(reply ? 0x00001200 : 0);
  w.U32(reply ? 0xc0000201 : 0);  // reference: 192.0.2.1
  w.U64(reply ? now - (uint64_t{40} << 32) : 0);
  w.U64(reply ? cookie : 0);  // originate: the client's transmit time
  w.U64(reply ? now : 0);
  w.U64(reply ? now + 0x10000 : cookie);
  return w.size();
}

size_t WriteDhcp(std::span<uint8_t> out, const DhcpMessage& m) {
  ByteWriter w(out);
  const bool reply = m.type == 2 || m.type == 5;
  w.U8(reply ? 2 : 1);
  w.U8(1);
  w.U8(6);
  w.U8(0);
  w.U32(m.xid);
  w.U16(0);
  w.U16(m.client_ip == 0 ? 0x8000 : 0);  // broadcast flag while the client has no address
  w.U32(m.client_ip);
  w.U32(m.your_ip);
  w.U32(0);
  w.U32(0);
  w.Bytes(m.client.b);
  w.Fill(10 + 64 + 128, 0);
  w.U32(0x63825363);  // magic cookie
  w.U8(53);
  w.U8(1);
  w.U8(m.type);
  if (!reply) {
    w.U8(61);  // client identifier
    w.U8(7);
    w.U8(1);
    w.Bytes(m.client.b);
    if (m.requested != 0) {
      w.U8(50);
      w.U8(4);
      w.U32(m.requested);
    }
    if (!m.host_name.empty()) {
      w.U8(12);
      w.U8(static_cast<uint8_t>(m.host_name.size()));
      w.Str(m.host_name);
    }
    w.U8(55);  // parameter request list
    w.U8(6);
    for (int option : {1, 3, 6, 15, 31, 33}) w.U8(static_cast<uint8_t>(option));
  }
  if (m.server != 0) {
    w.U8(54);
    w.U8(4);
    w.U32(m.server);
  }
  if (reply) {
    w.U8(51);  // lease time: 8 hours
    w.U8(4);
    w.U32(28800);
    w.U8(1);
    w.U8(4);
    w.U32(0xffff0000);
    w.U8(3);
    w.U8(4);
    w.U32(m.router);
    w.U8(6);
    w.U8(4);
    w.U32(m.dns);
    w.U8(15);
    w.U8(static_cast<uint8_t>(m.domain.size()));
    w.Str(m.domain);
  }
  w.U8(255);
  if (w.size() < 300) w.Fill(300 - w.size(), 0);
  return w.size();
}

size_t WriteRtpH264(std::span<uint8_t> out, uint16_t seq, uint32_t timestamp, uint32_t ssrc,
                    bool first, bool last, bool key_frame, size_t size, uint64_t fill) {
  ByteWriter w(out);
  w.U8(0x80);  // version 2
  w.U8(static_cast<uint8_t>((last ? 0x80 : 0) | 96));
  w.U16(seq);
  w.U32(timestamp);
  w.U32(ssrc);
  const uint8_t nal_type = key_frame ? 5 : 1;
  size_t header = 1;
  if (first && last) {
    w.U8(static_cast<uint8_t>(0x60 | nal_type));
  } else {
    w.U8(0x7c);  // FU-A indicator, NRI 3
    w.U8(static_cast<uint8_t>((first ? 0x80 : 0) | (last ? 0x40 : 0) | nal_type));
    header = 2;
  }
  const size_t body = size > header ? size - header : 0;
  std::span<uint8_t> rest = out.subspan(w.size(), std::min(body, w.remaining()));
  CopyPool(GetPools().random.data(), fill, rest);
  return w.size() + rest.size();
}

}  // namespace qw::simulate
