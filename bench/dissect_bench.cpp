// Microbenchmarks of the protocol parsers of src/dissect: the cost of turning one PDU's bytes
// into the parser's structs (the pure functions of src/dissect/<proto>/*_parser.h), one
// benchmark per protocol folder that has a parser. Each parses a real, valid PDU of the kind
// live traffic carries, copied from the annotated fixtures of tests/dissect (which name the
// capture and frame), and checks once before timing that the parse succeeds and yields what
// the PDU holds. Where a protocol's parser is a chain (TPKT, COTP, S7; BVLC, NPDU, APDU), the
// chain is timed as the dissector runs it on one PDU.
//
// Left out: TCP reassembly and the cutting of a stream into PDUs across segments, probes, the
// per-flow dissectors' state (pairing, operations, observations, anomaly counting), and the
// decoding of the frame around the PDU. The BM_Dissector* benchmarks at the end add the
// dissector back for four protocols: a request and its response fed through the stream
// dissector of one long-lived flow (still without the StreamAttacher and the flow table).
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "core/fixed_text.h"
#include "core/hex.h"
#include "core/timestamp.h"
#include "dissect/bacnet/bacnet_parser.h"
#include "dissect/cdp/cdp_parser.h"
#include "dissect/cdp_fixtures.h"
#include "dissect/dhcp/dhcp_parser.h"
#include "dissect/dissector.h"
#include "dissect/dnp3/dnp3_parser.h"
#include "dissect/dns/dns_dissector.h"
#include "dissect/dns/dns_parser.h"
#include "dissect/enip/cip_parser.h"
#include "dissect/enip/enip_parser.h"
#include "dissect/ftp/ftp_parser.h"
#include "dissect/http/http_dissector.h"
#include "dissect/http/http_parser.h"
#include "dissect/iec104/iec104_parser.h"
#include "dissect/ike/ike_parser.h"
#include "dissect/lldp/lldp_parser.h"
#include "dissect/modbus/modbus_dissector.h"
#include "dissect/modbus/modbus_parser.h"
#include "dissect/ntp/ntp_parser.h"
#include "dissect/observation.h"
#include "dissect/onvif/onvif_parser.h"
#include "dissect/opcua/opcua_fixtures.h"
#include "dissect/opcua/opcua_parser.h"
#include "dissect/openvpn/openvpn_parser.h"
#include "dissect/profinet/profinet_parser.h"
#include "dissect/rdp/rdp_parser.h"
#include "dissect/rlogin/rlogin_parser.h"
#include "dissect/rtsp/rtsp_parser.h"
#include "dissect/s7comm/cotp_parser.h"
#include "dissect/s7comm/s7comm_dissector.h"
#include "dissect/s7comm/s7comm_parser.h"
#include "dissect/s7comm_plus/s7comm_plus_parser.h"
#include "dissect/smb2/smb2_parser.h"
#include "dissect/snmp/snmp_parser.h"
#include "dissect/ssh/ssh_parser.h"
#include "dissect/syslog/syslog_parser.h"
#include "dissect/teamviewer/teamviewer_parser.h"
#include "dissect/telnet/telnet_parser.h"
#include "dissect/tftp/tftp_parser.h"
#include "dissect/tls/tls_parser.h"
#include "dissect/tls_handshake_fixtures.h"
#include "dissect/vnc/vnc_fixtures.h"
#include "dissect/vnc/vnc_parser.h"
#include "dissect/wireguard/wireguard_parser.h"
#include "flow/flow.h"

namespace qw::dissect {
namespace {

using Bytes = std::span<const uint8_t>;

// The bytes of an annotated hex fixture ("# comments" ignored); empty when it is not hex.
std::vector<uint8_t> Hex(std::string_view text) {
  return core::ParseHex(text).value_or(std::vector<uint8_t>{});
}

// The bytes of a text PDU, as the wire carries them.
std::vector<uint8_t> Text(std::string_view text) { return {text.begin(), text.end()}; }

// The view of a FixedText or similar, for comparing with an expected value.
template <class T>
std::string_view View(const T& text) {
  return text.view();
}

// Times `parse` (the PDU's bytes in, the parser's result out) once per iteration, after
// `check` has accepted the result of one parse (it returns why not, or nullptr); counts one
// PDU and its bytes per iteration.
template <class Parse, class Check>
void RunParser(benchmark::State& state, const std::vector<uint8_t>& pdu, Parse parse, Check check) {
  if (pdu.empty()) return state.SkipWithError("the fixture is empty or not hex");
  const Bytes bytes(pdu);
  if (const char* why = check(parse(bytes))) return state.SkipWithError(why);
  for (auto _ : state) {
    Bytes in = bytes;
    benchmark::DoNotOptimize(in);  // the input is opaque: no parse is hoisted out of the loop
    auto out = parse(in);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * pdu.size()));
}

// --- Industrial protocols ------------------------------------------------------------------

// modbus/modbus_test_data_part1.pcap frame 58: read holding registers response.
constexpr std::string_view kModbusReadHrResponse = R"(
  00 01 00 00 00 07 0a   # transaction 1, protocol 0, length 7, unit 10
  03 04                  # function 3, byte count 4
  00 09 00 18            # registers 9, 24
)";

// Modbus: MBAP framing and the PDU of a read holding registers response.
void BM_Modbus(benchmark::State& state) {
  RunParser(
      state, Hex(kModbusReadHrResponse),
      [](Bytes b) {
        modbus::FrameResult f = modbus::FrameAdu(b);
        return std::pair(f.status, modbus::ParsePdu(f.adu, modbus::Role::kResponse));
      },
      [](const auto& r) -> const char* {
        const auto& [status, pdu] = r;
        if (status != modbus::FrameStatus::kAdu) return "modbus: no whole ADU";
        if (pdu.function != modbus::kReadHoldingRegisters || pdu.exception || !pdu.well_formed) {
          return "modbus: not a well-formed read holding registers response";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Modbus);

// mixed_ics/mb2_modbus_s7_enip_pn_lldp.pcap frame 138: read var job of two items.
constexpr std::string_view kS7ReadVarJob = R"(
  03 00 00 2b 02 f0 80    # TPKT length 43, COTP DT EOT
  32 01 00 00 00 00       # Job, PDU reference 0
  00 1a 00 00 04 02       # parameter length 26, data length 0, read var, 2 items
  12 0a 10 02 00 17 00 17 84 00 00 00   # DB23.DBX 0.0 BYTE x23
  12 0a 10 02 00 59 00 15 84 00 00 00   # DB21.DBX 0.0 BYTE x89
)";

// S7comm: TPKT, COTP DT and the S7 PDU of a read var job, into one reused S7Pdu (as the
// dissector parses).
void BM_S7comm(benchmark::State& state) {
  S7Pdu pdu;
  core::Anomalies an;
  RunParser(
      state, Hex(kS7ReadVarJob),
      [&](Bytes b) {
        TpktFrame f = ReadTpkt(b);
        if (f.status != TpktStatus::kOk) return false;
        std::optional<CotpTpdu> t = ParseCotp(f.tpdu);
        return t && t->eot && ParseS7commInto(t->user_data, pdu, an);
      },
      [&](bool ok) -> const char* {
        if (!ok || !an.empty()) return "s7comm: the PDU did not parse cleanly";
        if (pdu.function != static_cast<uint8_t>(S7Function::kReadVar) || pdu.items_kept != 2 ||
            pdu.items[1].db != 21) {
          return "s7comm: not a read var of DB23 and DB21";
        }
        return nullptr;
      });
}
BENCHMARK(BM_S7comm);

// S7comm through ParseS7comm, which builds a new S7Pdu (its 64 item slots included) per PDU:
// what the reuse above saves.
void BM_S7commFreshPdu(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kS7ReadVarJob),
      [&](Bytes b) -> std::optional<S7Pdu> {
        std::optional<CotpTpdu> t = ParseCotp(ReadTpkt(b).tpdu);
        if (!t) return std::nullopt;
        return ParseS7comm(t->user_data, an);
      },
      [&](const std::optional<S7Pdu>& pdu) -> const char* {
        if (!pdu || !an.empty() || pdu->items_kept != 2) return "s7comm: not a read var of 2";
        return nullptr;
      });
}
BENCHMARK(BM_S7commFreshPdu);

// s7comm_plus/S7-1511_db2_var1_HMI.pcap frame 12: a WinCC HMI's GetMultiVariables request.
constexpr std::string_view kS7PlusGetRequest = R"(
  03 00 00 71 02 f0 80    # TPKT length 113, COTP DT EOT
  72 02 00 62             # S7comm-plus, version 2, data length 98
  31 00 00 05 4c          # request, function 0x054c GetMultiVariables
  00 00 00 03 00 00 03 88 34   # sequence 3, session 0x388, transport flags
  00 00 00 00 03 0e 00 32 01 9a 7b 00 81 49 02 88 0d 87 68 00 81 49 02 88 0d 87 69 00 00
  04 e8 89 69 00 12 00 00 00 00 89 6a 00 13 00 89 6b 00 04 00 00   # 3 items, addresses
  01 20 30 c5 e5 38 98 7a fc 20 0c 34 55 1f ed eb a3 1b 3a 19 1d 2b 62 15 19 e9 ae db 2b 3e
  ec 10 46 9d             # integrity part
  72 02 00 00             # trailer
)";

// S7comm-plus: TPKT, COTP DT, the packet and the head of a GetMultiVariables request.
void BM_S7commPlus(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kS7PlusGetRequest),
      [&](Bytes b) -> std::optional<S7PlusHead> {
        std::optional<CotpTpdu> t = ParseCotp(ReadTpkt(b).tpdu);
        if (!t) return std::nullopt;
        std::optional<S7PlusPacket> p = ParseS7PlusPacket(t->user_data, an);
        if (!p) return std::nullopt;
        return ParseS7PlusHead(p->data);
      },
      [&](const std::optional<S7PlusHead>& h) -> const char* {
        if (!h || !an.empty()) return "s7comm_plus: the packet did not parse cleanly";
        if (h->function != static_cast<uint16_t>(S7PlusFunction::kGetMultiVariables) ||
            h->sequence != 3) {
          return "s7comm_plus: not GetMultiVariables sequence 3";
        }
        return nullptr;
      });
}
BENCHMARK(BM_S7commPlus);

// enip_cip/emre_enip.pcap frame 2: connected Read Tag of "_IO_EM_DO_00".
constexpr std::string_view kEnipReadTag = R"(
  70 00 28 00 7d b2 ae 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   # SendUnitData
  00 00 00 00 00 00 02 00  # interface handle, timeout, 2 items
  a1 00 04 00 e7 d0 50 e0  # Connected Address Item
  b1 00 14 00 0a 85        # Connected Data Item, length 20, sequence 0x850a
  4c 07                    #   Read Tag, path 7 words
  91 0c 5f 49 4f 5f 45 4d 5f 44 4f 5f 30 30   # ANSI symbol "_IO_EM_DO_00"
  01 00                    #   1 element
)";

// EtherNet/IP: encapsulation header, SendUnitData's CPF items and the CIP request in them.
void BM_Enip(benchmark::State& state) {
  RunParser(
      state, Hex(kEnipReadTag),
      [](Bytes b) -> std::optional<enip::CipRequest> {
        std::optional<enip::EnipHeader> h = enip::ParseEnipHeader(b);
        if (!h || b.size() < enip::kEnipHeaderSize + h->length) return std::nullopt;
        std::optional<enip::EnipMessage> m =
            enip::ParseEnipMessage(b.subspan(enip::kEnipHeaderSize, h->length));
        if (!m || !m->has_data) return std::nullopt;
        return enip::ParseCipRequest(m->cip);
      },
      [](const std::optional<enip::CipRequest>& req) -> const char* {
        if (!req) return "enip: the CIP request did not parse";
        if (req->service != 0x4c || !req->path.symbolic) return "enip: not a Read Tag by name";
        return nullptr;
      });
}
BENCHMARK(BM_Enip);

// profinet/ChangeIPUsingDCP.pcap frame 2: a device's DCP identify response (after the
// EtherType).
constexpr std::string_view kPnIdentifyResponse = R"(
  fe ff 05 01 01 00 00 01 00 00 00 5e   # identify response success, xid, data length 94
  02 05 00 1c 00 00 01 01 01 02 02 01 02 02 02 03 02 04 02 05 03 3d 05 01 05 02 05 03 05 04
  ff ff                                 # device options: 13 option pairs
  02 01 00 05 00 00 49 4e 43 00         # vendor value "INC"
  02 02 00 0b 00 00 58 32 30 38 2d 42 4f 52 44 00   # NameOfStation "X208-BORD"
  02 03 00 06 00 00 00 2a 0a 01         # vendor 0x002a, device 0x0a01
  02 04 00 04 00 00 01 00               # role IO-Device
  01 02 00 0e 00 01 c0 a8 00 06 ff ff ff 00 c0 a8 00 01   # IP 192.168.0.6/24, gw .1
)";

// PROFINET: the frame id, the DCP PDU's blocks and the station they describe.
void BM_Profinet(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kPnIdentifyResponse),
      [&](Bytes b) -> std::optional<profinet::DcpStation> {
        std::optional<profinet::PnFrame> f = profinet::ParsePnFrame(b);
        if (!f) return std::nullopt;
        std::optional<profinet::DcpPdu> pdu = profinet::ParseDcp(f->frame_id, f->data, an);
        if (!pdu) return std::nullopt;
        return profinet::StationOf(*pdu, an);
      },
      [&](const std::optional<profinet::DcpStation>& st) -> const char* {
        if (!st || !an.empty()) return "profinet: the DCP PDU did not parse cleanly";
        const std::string_view name(reinterpret_cast<const char*>(st->name_of_station.data()),
                                    st->name_of_station.size());
        if (name != "X208-BORD" || !st->has_ip) return "profinet: not station X208-BORD";
        return nullptr;
      });
}
BENCHMARK(BM_Profinet);

// opcua/open62541_client-server_minimal.pcap frame 85: ReadRequest of ns=1;s=the.answer.
constexpr std::string_view kOpcuaRead = dissect::testing::kOpcuaRead;

// OPC UA: chunk framing, the secure conversation headers and the Read service body.
void BM_Opcua(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kOpcuaRead),
      [&](Bytes b) -> std::optional<OpcuaServiceBody> {
        OpcuaFraming f = FrameOpcua(b);
        if (f.status != OpcuaFraming::Status::kOk || f.size > b.size()) return std::nullopt;
        std::optional<OpcuaChunk> c = ParseOpcuaChunk(b.first(f.size), true, an);
        if (!c || !c->sequence_readable) return std::nullopt;
        return ParseOpcuaServiceBody(c->body, nullptr, true, an);
      },
      [&](const std::optional<OpcuaServiceBody>& body) -> const char* {
        if (!body || !an.empty() || body->service == nullptr) return "opcua: no service body";
        if (std::string_view(body->service->name) != "read" ||
            View(body->target) != "ns=1;s=the.answer") {
          return "opcua: not a Read of ns=1;s=the.answer";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Opcua);

// dnp3/dnp3_test_data_part1.pcap frame 91: a class 0 response with five object headers.
constexpr std::string_view kDnp3Class0Response = R"(
  05 64 4e 44 03 00 04 00  6f 4d   # link header, user data 73 octets
  d8 c5 81 00 00                   # transport FIN FIR; application FIR FIN, response, IIN 0
  01 01 00 00 05 02                # g1v1 0-5
  0a 02 00 00 05  ac 11            # g10v2 0-5 (block CRC)
  01 01 01 01 01 01
  14 05 00 00 00 00 00 00 00       # g20v5 0-0
  15  4e 0d  09 00 00 00 00 00 00 00   # g21v9 0-0
  1e 03 00 00 06 c5 00 00  f0 ff   # g30v3 0-6
  00 c7 00 00 00 c8 00 00 00 01 00 00 00 25 1c 00  68 ac
  00 0e 1c 00 00 10 1c 00 00  2a 73
)";

// DNP3: the link frame (CRCs checked and removed) and the application fragment's object
// headers, into a reused frame and APDU (as the dissector parses).
void BM_Dnp3(benchmark::State& state) {
  auto frame = std::make_unique<Dnp3LinkFrame>();
  auto apdu = std::make_unique<Dnp3Apdu>();
  RunParser(
      state, Hex(kDnp3Class0Response),
      [&](Bytes b) {
        size_t need = 0;
        if (ParseDnp3Link(b, *frame, need) != Dnp3LinkStatus::kOk || !frame->data_crc_ok ||
            frame->user_data_bytes < 1) {
          return false;
        }
        return ParseDnp3Application(frame->UserData().subspan(1), *apdu);
      },
      [&](bool ok) -> const char* {
        if (!ok) return "dnp3: the frame or fragment did not parse";
        if (apdu->function != kDnp3Response || apdu->object_count != 5 || apdu->objects_bad) {
          return "dnp3: not a response with five object headers";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Dnp3);

// iec104/emre_iec104_62.pcap frame 4, second APDU: a spontaneous M_ME_TE_1 for IOA 500.
constexpr std::string_view kIec104Spontaneous = R"(
  68 17 80 00 2c 00       # start, length 23, I-format N(S) 64 N(R) 22
  23 01 03 00 01 00       # type 35 M_ME_TE_1, 1 object, cause 3 spontaneous, address 1
  f4 01 00 00 00 00       # IOA 500, scaled value 0, QDS 0
  d8 59 34 0d 02 0b 13    # CP56Time2a
)";

// IEC 60870-5-104: APDU framing, APCI and ASDU header with the first object.
void BM_Iec104(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kIec104Spontaneous),
      [&](Bytes b) -> std::optional<Iec104Apdu> {
        Iec104Framing f = FrameIec104(b);
        if (f.status != Iec104Framing::Status::kOk || f.size > b.size()) return std::nullopt;
        return ParseIec104Apdu(b.first(f.size), an);
      },
      [&](const std::optional<Iec104Apdu>& apdu) -> const char* {
        if (!apdu || !an.empty() || !apdu->has_asdu) return "iec104: no ASDU";
        if (apdu->asdu.type_id != 35 || apdu->asdu.first_ioa != 500) {
          return "iec104: not M_ME_TE_1 for IOA 500";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Iec104);

// bacnet/bacnet_test.pcap frame 14: ReadProperty-ACK of a device's object-name.
constexpr std::string_view kBacnetReadNameAck = R"(
  81 0a 00 21 01 00   # BVLC Original-Unicast (33), NPDU
  30 01 0c            # Complex-ACK, invoke id 1, readProperty
  0c 02 3f ff ff      # [0] device 4194303
  19 4d               # [1] object-name
  3e 75 0d 04 00 4b 00 42 00 52 00 4e 00 41 00 45 3f   # [3] { UCS-2 "KBRNAE" }
)";

// BACnet/IP: BVLC, NPDU, APDU header and the property value of a ReadProperty-ACK.
void BM_Bacnet(benchmark::State& state) {
  core::Anomalies an;
  std::array<bacnet::PropertyValue, 4> values{};
  RunParser(
      state, Hex(kBacnetReadNameAck),
      [&](Bytes b) -> size_t {
        std::optional<bacnet::Bvlc> bvlc = bacnet::ParseBvlc(b, an);
        if (!bvlc) return 0;
        std::optional<bacnet::Npdu> npdu = bacnet::ParseNpdu(bvlc->npdu, an);
        if (!npdu) return 0;
        std::optional<bacnet::Apdu> apdu = bacnet::ParseApdu(npdu->apdu, an);
        if (!apdu || !apdu->has_service) return 0;
        return bacnet::ReadPropertyValues(apdu->service, apdu->params, values, an);
      },
      [&](size_t n) -> const char* {
        if (n != 1 || !an.empty()) return "bacnet: not one property value";
        if (values[0].property != 77 || values[0].value.kind != bacnet::Value::Kind::kText) {
          return "bacnet: not the object-name text";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Bacnet);

// --- IT protocols --------------------------------------------------------------------------

// dns/dns_udp.pcap frame 2: two A answers, two NS, five additional, names compressed.
constexpr std::string_view kDnsResponse = R"(
  59 34 85 00 00 01 00 02 00 02 00 05   # id, response AA RD; 1, 2, 2, 5 records
  03 77 77 77 07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01 00 01   # www.tcpdump.org A IN
  c0 0c 00 01 00 01 00 00 00 3c 00 04 c0 8b 2e 42   # A 192.139.46.66
  c0 0c 00 01 00 01 00 00 00 3c 00 04 c6 c7 58 68   # A 198.199.88.104
  c0 10 00 02 00 01 00 01 51 80 00 12               # tcpdump.org NS
    03 73 6e 73 08 63 6f 6f 70 65 72 69 78 03 6e 65 74 00   # sns.cooperix.net
  c0 10 00 02 00 01 00 01 51 80 00 12               # tcpdump.org NS
    03 6e 69 63 09 73 61 6e 64 65 6c 6d 61 6e 02 63 61 00   # nic.sandelman.ca
  c0 6b 00 01 00 01 00 00 01 2c 00 04 d1 57 f9 12   # nic.sandelman.ca A
  c0 6b 00 1c 00 01 00 00 01 2c 00 10               # nic.sandelman.ca AAAA
    26 07 f0 b0 00 0f 00 00 00 00 00 00 ba be f0 0d
  c0 4d 00 01 00 01 00 00 1c 20 00 04 61 6b 85 0f   # sns.cooperix.net A
  c0 4d 00 1c 00 01 00 00 1c 20 00 10               # sns.cooperix.net AAAA
    26 00 3c 03 00 00 00 00 f0 3c 91 ff fe 96 e8 ef
  00 00 29 10 00 00 00 00 00 00 00                  # <Root> OPT
)";

// DNS: every question and record read, names decompressed, and each record's data put in
// presentation form (as the dissector does for every message).
void BM_Dns(benchmark::State& state) {
  core::Anomalies an;
  dns::Record record;
  std::array<dns::DnsText, 16> data{};  // the dissector's scratch records, reused
  RunParser(
      state, Hex(kDnsResponse),
      [&](Bytes b) {
        dns::MessageReader m(b);
        size_t n = 0;
        while (m.Next(record, an)) {
          if (record.section != dns::Section::kQuestion) dns::FormatData(b, record, data[n], an);
          if (++n == data.size()) break;
        }
        return std::pair(n, m.complete());
      },
      [&](const std::pair<size_t, bool>& r) -> const char* {
        if (r.first != 10 || !r.second || !an.empty()) return "dns: not 10 records read cleanly";
        if (View(data[1]) != "192.139.46.66" || View(data[6]) != "2607:f0b0:f::babe:f00d") {
          return "dns: the answers are not the capture's";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Dns);

// dhcp/dhcp.pcap frame 1: a DHCPDISCOVER asking for 192.168.211.194 as "btest.is.cool".
constexpr std::string_view kDhcpDiscover = R"(
  01 01 06 00 00 00 07 c0 00 00 00 00   # BOOTREQUEST, Ethernet, xid 0x7c0
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   # ciaddr, yiaddr, siaddr, giaddr
  90 b1 1c 99 49 29 00 00 00 00 00 00 00 00 00 00   # chaddr
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  63 82 53 63                           # magic cookie (after sname and file, all zero)
  35 01 01  32 04 c0 a8 d3 c2           # DHCPDISCOVER, requested 192.168.211.194
  0c 0d 62 74 65 73 74 2e 69 73 2e 63 6f 6f 6c   # host name btest.is.cool
  ff
)";

// DHCP: the fixed part and the options of a DHCPDISCOVER.
void BM_Dhcp(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kDhcpDiscover), [&](Bytes b) { return dhcp::ParseDhcp(b, an); },
      [&](const std::optional<dhcp::DhcpMessage>& m) -> const char* {
        if (!m || !an.empty()) return "dhcp: the message did not parse cleanly";
        if (m->message_type != 1 || View(m->host_name) != "btest.is.cool") {
          return "dhcp: not the DHCPDISCOVER of btest.is.cool";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Dhcp);

// profinet/profinet_io_cm_mixed_1.pcap frame 160: a Windows host's DHCPv6 Solicit.
constexpr std::string_view kDhcpv6Solicit = R"(
  01 31 7d 40                  # Solicit, transaction 0x317d40
  00 08 00 02 00 00            # Elapsed time 0
  00 01 00 0e 00 01 00 01 18 ec ed 2c 00 a0 45 6d d3 44   # Client Identifier: DUID-LLT
  00 03 00 0c 0e 00 a0 45 00 00 00 00 00 00 00 00         # IA_NA, no addresses
  00 27 00 0a 00 08 6b 77 2d 56 4c 49 50 43               # Client FQDN "kw-VLIPC"
  00 10 00 0e 00 00 01 37 00 08 4d 53 46 54 20 35 2e 30   # Vendor Class 311 "MSFT 5.0"
  00 06 00 08 00 18 00 17 00 11 00 27                     # Option Request
)";

// DHCPv6: the options of a Solicit.
void BM_Dhcpv6(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kDhcpv6Solicit), [&](Bytes b) { return dhcp::ParseDhcpv6(b, an); },
      [&](const std::optional<dhcp::Dhcpv6Message>& m) -> const char* {
        if (!m || !an.empty()) return "dhcpv6: the message did not parse cleanly";
        if (m->msg_type != 1 || View(m->fqdn) != "kw-VLIPC" ||
            View(m->vendor_class) != "311 MSFT 5.0") {
          return "dhcpv6: not the Solicit of kw-VLIPC";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Dhcpv6);

// tests/dissect/snmp: a v2c agent's answer naming its system group (three varbinds).
constexpr std::string_view kSnmpSystemAnswer = R"(
  30 5b 02 01 01 04 07 70 72 69 76 61 74 65   # v2c, community "private"
  a2 4d 02 01 01 02 01 00 02 01 00 30 42      # GetResponse, request-id 1, no error
    30 17 06 08 2b 06 01 02 01 01 01 00 04 0b 53 43 41 4c 41 4e 43 45 20 58 32   # sysDescr
    30 15 06 08 2b 06 01 02 01 01 02 00 06 09 2b 06 01 04 01 a1 69 01 02        # sysObjectID
    30 10 06 08 2b 06 01 02 01 01 05 00 04 04 63 72 6e 31                        # sysName
)";

// SNMP: the message, its PDU, every varbind and the first OID in dotted form.
void BM_Snmp(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kSnmpSystemAnswer),
      [&](Bytes b) {
        std::pair<size_t, core::FixedText<127>> out{};
        std::optional<snmp::Message> m = snmp::ParseMessage(b, an);
        if (!m || !m->has_pdu) return out;
        snmp::VarbindReader vars(m->varbinds);
        snmp::Varbind v;
        while (vars.Next(v, an)) {
          if (out.first++ == 0) snmp::AppendOid(v.oid, out.second);
        }
        return out;
      },
      [&](const std::pair<size_t, core::FixedText<127>>& r) -> const char* {
        if (r.first != 3 || !an.empty()) return "snmp: not three varbinds read cleanly";
        if (View(r.second) != "1.3.6.1.2.1.1.1.0") return "snmp: the first OID is not sysDescr";
        return nullptr;
      });
}
BENCHMARK(BM_Snmp);

// tests/dissect/ntp: a stratum 1 server's answer, its source a GPS receiver.
constexpr std::string_view kNtpServerGps = R"(
  24 01 06 e9                 # NTPv4 server, stratum 1, poll 6, precision -23
  00 00 00 10 00 00 00 1a     # root delay, root dispersion
  47 50 53 00                 # reference id "GPS"
  e8 9a 2b 10 00 00 00 00 e8 9a 2b 1c 12 34 56 78   # reference, origin timestamps
  e8 9a 2b 1c 20 00 00 00 e8 9a 2b 1c 20 01 00 00   # receive, transmit timestamps
)";

// NTP: a time packet's header.
void BM_Ntp(benchmark::State& state) {
  RunParser(
      state, Hex(kNtpServerGps), [](Bytes b) { return ntp::ParseMessage(b); },
      [](const std::optional<ntp::Message>& m) -> const char* {
        if (!m || m->mode != ntp::kServer || m->stratum != 1) return "ntp: not a stratum 1 server";
        return nullptr;
      });
}
BENCHMARK(BM_Ntp);

// tests/dissect/syslog: an RFC 3164 message of an sshd on a PLC's host.
constexpr std::string_view kSyslogBsd = "<34>Oct  1 22:14:15 crane-plc01 sshd[812]: login failed";

// Syslog: PRI, timestamp, host name and tag of an RFC 3164 message.
void BM_Syslog(benchmark::State& state) {
  RunParser(
      state, Text(kSyslogBsd), [](Bytes b) { return syslog::ParseHeader(b); },
      [](const std::optional<syslog::Header>& h) -> const char* {
        if (!h || h->pri != 34 || View(h->hostname) != "crane-plc01") {
          return "syslog: not PRI 34 from crane-plc01";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Syslog);

// tests/dissect/tftp: RRQ "cfg.bin" octet, with blksize 8 and tsize 0.
constexpr std::string_view kTftpRrq = R"(
  00 01                          # RRQ
  63 66 67 2e 62 69 6e 00        # "cfg.bin"
  6f 63 74 65 74 00              # "octet"
  62 6c 6b 73 69 7a 65 00 38 00  # "blksize" "8"
  74 73 69 7a 65 00 30 00        # "tsize" "0"
)";

// TFTP: a read request with its options.
void BM_Tftp(benchmark::State& state) {
  RunParser(
      state, Hex(kTftpRrq), [](Bytes b) { return tftp::Parse(b); },
      [](const std::optional<tftp::Packet>& p) -> const char* {
        if (!p || p->opcode != tftp::kRrq || p->file_name != "cfg.bin" || p->blksize != 8) {
          return "tftp: not the RRQ of cfg.bin";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Tftp);

// http/http_get.pcap frame 4: wget asks bro.org for a text file.
constexpr std::string_view kHttpGet =
    "GET /download/CHANGES.bro-aux.txt HTTP/1.1\r\n"
    "User-Agent: Wget/1.14 (darwin12.2.0)\r\n"
    "Accept: */*\r\n"
    "Host: bro.org\r\n"
    "Connection: Keep-Alive\r\n"
    "\r\n";

// HTTP: a request head (start line and field lines).
void BM_HttpRequest(benchmark::State& state) {
  http::Head head;
  RunParser(
      state, Text(kHttpGet),
      [&](Bytes b) { return http::ParseHead(b, http::Dialect::kHttp, true, head).status; },
      [&](http::HeadStatus s) -> const char* {
        if (s != http::HeadStatus::kComplete || head.anomaly) return "http: the head is not whole";
        if (View(head.host) != "bro.org" || head.method_code != 1) return "http: not GET bro.org";
        return nullptr;
      });
}
BENCHMARK(BM_HttpRequest);

// http/http_post.pcap frames 6 and 8: a gunicorn server's response head.
constexpr std::string_view kHttpResponse =
    "HTTP/1.1 200 OK\r\n"
    "Server: gunicorn/0.16.1\r\n"
    "Date: Tue, 19 Mar 2013 16:05:11 GMT\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 16\r\n"
    "Connection: close\r\n"
    "\r\n";

// HTTP: a response head.
void BM_HttpResponse(benchmark::State& state) {
  http::Head head;
  RunParser(
      state, Text(kHttpResponse),
      [&](Bytes b) { return http::ParseHead(b, http::Dialect::kHttp, false, head).status; },
      [&](http::HeadStatus s) -> const char* {
        if (s != http::HeadStatus::kComplete || head.anomaly) return "http: the head is not whole";
        if (head.status != 200 || head.content_length != 16 || !head.close) {
          return "http: not 200 with 16 bytes and close";
        }
        return nullptr;
      });
}
BENCHMARK(BM_HttpResponse);

// tests/dissect/rtsp: a camera's DESCRIBE answer with its SDP body.
constexpr std::string_view kRtspDescribeAnswer =
    "RTSP/1.0 200 OK\r\nCSeq: 2\r\nServer: Hipcam RealServer/V1.0\r\n"
    "Content-Type: application/sdp\r\nContent-Length: 104\r\n\r\n"
    "v=0\r\n"
    "o=- 1 1 IN IP4 10.0.0.2\r\n"
    "s=IPC-X1 Camera\r\n"
    "i=Main stream\r\n"
    "t=0 0\r\n"
    "m=video 0 RTP/AVP 96\r\n"
    "i=track one\r\n";

// RTSP: the response head (HTTP's parser in RTSP's dialect) and the SDP session names.
void BM_Rtsp(benchmark::State& state) {
  http::Head head;
  RunParser(
      state, Text(kRtspDescribeAnswer),
      [&](Bytes b) -> std::optional<rtsp::SdpNames> {
        if (http::ParseHead(b, http::Dialect::kRtsp, false, head).status !=
                http::HeadStatus::kComplete ||
            head.content_length < 0 ||
            head.length + static_cast<size_t>(head.content_length) > b.size()) {
          return std::nullopt;
        }
        return rtsp::ParseSdpNames(
            b.subspan(head.length, static_cast<size_t>(head.content_length)));
      },
      [&](const std::optional<rtsp::SdpNames>& n) -> const char* {
        if (!n || head.cseq != 2 || View(n->session) != "IPC-X1 Camera") {
          return "rtsp: not the DESCRIBE answer of IPC-X1 Camera";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Rtsp);

// tests/dissect/onvif: a WS-Discovery ProbeMatch naming a camera.
constexpr std::string_view kOnvifProbeMatch =
    "<e:Envelope><e:Body><d:ProbeMatches><d:ProbeMatch>"
    "<d:Scopes>onvif://www.onvif.org/type/video_encoder "
    "onvif://www.onvif.org/hardware/IPC-X1\n onvif://www.onvif.org/name/Berth%203%20cam"
    "</d:Scopes></d:ProbeMatch></d:ProbeMatches></e:Body></e:Envelope>";

// ONVIF: the scopes of a WS-Discovery ProbeMatch.
void BM_Onvif(benchmark::State& state) {
  RunParser(
      state, Text(kOnvifProbeMatch), [](Bytes b) { return onvif::ParseProbeMatch(b); },
      [](const std::optional<onvif::DiscoveryScopes>& s) -> const char* {
        if (!s || View(s->hardware) != "IPC-X1" || View(s->name) != "Berth%203%20cam") {
          return "onvif: not the ProbeMatch of IPC-X1";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Onvif);

// tests/dissect/ftp: a passive mode reply and the address in it.
constexpr std::string_view kFtpPasvReply = "227 Entering Passive Mode (192,168,1,20,195,80).\r\n";

// FTP: a reply line and the data connection's address it announces.
void BM_FtpReply(benchmark::State& state) {
  RunParser(
      state, Text(kFtpPasvReply),
      [](Bytes b) -> std::optional<ftp::HostPort> {
        std::optional<ftp::Reply> r =
            ftp::ParseReply(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
        if (!r || r->code != 227) return std::nullopt;
        return ftp::ParseHostPort(r->text);
      },
      [](const std::optional<ftp::HostPort>& hp) -> const char* {
        if (!hp || hp->port != 195 * 256 + 80) return "ftp: not the 227 reply of port 50000";
        return nullptr;
      });
}
BENCHMARK(BM_FtpReply);

// tests/dissect/ftp: a RETR command line.
constexpr std::string_view kFtpRetr = "RETR pub/firmware v2.bin\r\n";

// FTP: a command line.
void BM_FtpCommand(benchmark::State& state) {
  RunParser(
      state, Text(kFtpRetr),
      [](Bytes b) {
        return ftp::ParseCommand(
            std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
      },
      [](const std::optional<ftp::Command>& c) -> const char* {
        if (!c || c->verb != "RETR" || c->argument != "pub/firmware v2.bin") {
          return "ftp: not RETR pub/firmware v2.bin";
        }
        return nullptr;
      });
}
BENCHMARK(BM_FtpCommand);

// An SMB2 CREATE request for backup\hoist.cfg, laid out as tests/dissect/smb2 builds them
// after [MS-SMB2] 2.2.13.
constexpr std::string_view kSmb2Create = R"(
  00 00 00 98                                       # Direct TCP, 152 bytes
  fe 53 4d 42 40 00 01 00 00 00 00 00 05 00 01 00   # SMB2, status 0, CREATE, 1 credit
  00 00 00 00 00 00 00 00 04 00 00 00 00 00 00 00   # flags 0, message id 4
  00 00 00 00 01 00 00 00 11 22 33 44 55 66 77 88   # tree 1, session
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   # signature
  39 00 00 00 02 00 00 00                           # size 57, impersonation 2
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   # create flags, reserved
  89 00 12 00 80 00 00 00 07 00 00 00 05 00 00 00   # access, attributes, share, overwrite-if
  44 00 00 00 78 00 20 00 00 00 00 00 00 00 00 00   # options, name at 120 (32 bytes)
  62 00 61 00 63 00 6b 00 75 00 70 00 5c 00 68 00   # "backup\h" (UTF-16LE)
  6f 00 69 00 73 00 74 00 2e 00 63 00 66 00 67 00   # "oist.cfg"
)";

// SMB2: the Direct TCP header, the SMB2 header and a CREATE request's name and disposition.
void BM_Smb2(benchmark::State& state) {
  RunParser(
      state, Hex(kSmb2Create),
      [](Bytes b) -> std::optional<smb2::CreateRequest> {
        std::optional<smb2::NbssHeader> nbss = smb2::ParseNbss(b);
        if (!nbss || b.size() < smb2::kNbssHeaderBytes + nbss->length) return std::nullopt;
        const Bytes message = b.subspan(smb2::kNbssHeaderBytes, nbss->length);
        if (smb2::Classify(message) != smb2::MessageKind::kSmb2) return std::nullopt;
        std::optional<smb2::Header> h = smb2::ParseHeader(message);
        if (!h || h->command != smb2::kCreate || h->response()) return std::nullopt;
        return smb2::ParseCreateRequest(message);
      },
      [](const std::optional<smb2::CreateRequest>& c) -> const char* {
        if (!c || c->disposition != 5 || View(c->name) != "backup\\hoist.cfg") {
          return "smb2: not the CREATE of backup\\hoist.cfg";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Smb2);

// tests/dissect/tls: the body of a ClientHello after FoxIO's JA4 example: 15 suites and 16
// extensions (server name example.org, ALPN h2 and http/1.1, TLS 1.3), with GREASE values.
std::vector<uint8_t> Ja4ExampleClientHello() {
  const std::vector<uint8_t> b = dissect::testing::Ja4ExampleHello();
  // The handshake header and the record around the body.
  const size_t n = b.size();
  std::vector<uint8_t> record = {0x16,
                                 0x03,
                                 0x01,
                                 static_cast<uint8_t>((n + 4) >> 8),
                                 static_cast<uint8_t>(n + 4),
                                 0x01,
                                 static_cast<uint8_t>(n >> 16),
                                 static_cast<uint8_t>(n >> 8),
                                 static_cast<uint8_t>(n)};
  record.insert(record.end(), b.begin(), b.end());
  return record;
}

// The body of the handshake message of type `type` that opens the record `b`, or nothing.
std::optional<Bytes> FirstHandshake(Bytes b, uint8_t type) {
  std::optional<tls::RecordHeader> rec = tls::ParseRecordHeader(b);
  if (!rec || rec->type != 22) return std::nullopt;
  core::ByteReader r(b);
  r.Skip(tls::kRecordHeaderBytes);
  core::ByteReader records = r.Sub(rec->length);
  const uint8_t msg = records.U8();
  const Bytes body = records.Bytes(records.U24Be());
  if (!records.ok() || msg != type) return std::nullopt;
  return body;
}

// TLS: the record and handshake headers and a ClientHello's offer, with its JA3 and JA4.
void BM_TlsClientHello(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Ja4ExampleClientHello(),
      [&](Bytes b) -> std::optional<tls::ClientHello> {
        std::optional<Bytes> body = FirstHandshake(b, 1);
        if (!body) return std::nullopt;
        return tls::ParseClientHello(*body, 't', an);
      },
      [&](const std::optional<tls::ClientHello>& h) -> const char* {
        if (!h || !an.empty()) return "tls: the ClientHello did not parse cleanly";
        if (View(h->sni) != "example.org" || View(h->alpn) != "h2,http/1.1" ||
            h->cipher_count != 15 || View(h->ja4) != "t13d1516h2_8daaf6152771_e5627efa2ab1") {
          return "tls: not FoxIO's JA4 example";
        }
        return nullptr;
      });
}
BENCHMARK(BM_TlsClientHello);

// rdp/rdp-no-cookie-mstshash.pcap frame 13 (tests/dissect/tls_handshake_fixtures.h): a
// server's first flight in one record: ServerHello, Certificate, ServerHelloDone.
constexpr std::string_view kTlsServerFlight = dissect::testing::kCredSspServerFlight;

// What a server's first flight says: its choice and its certificate.
struct ServerFlight {
  std::optional<tls::ServerHello> hello;
  std::optional<tls::CertificateInfo> certificate;
};

// TLS: a server's flight in one record: the ServerHello's choice and JA3S, and the subject,
// issuer and validity of the certificate that follows it.
void BM_TlsServerFlight(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kTlsServerFlight),
      [&](Bytes b) {
        ServerFlight out;
        std::optional<tls::RecordHeader> rec = tls::ParseRecordHeader(b);
        if (!rec || rec->type != 22) return out;
        core::ByteReader r(b);
        r.Skip(tls::kRecordHeaderBytes);
        core::ByteReader records = r.Sub(rec->length);
        while (records.ok() && !records.empty()) {
          const uint8_t msg = records.U8();
          const Bytes body = records.Bytes(records.U24Be());
          if (!records.ok()) break;
          if (msg == 2) out.hello = tls::ParseServerHello(body, an);
          if (msg == 11) out.certificate = tls::ParseFirstCertificate(body, an);
        }
        return out;
      },
      [&](const ServerFlight& f) -> const char* {
        if (!f.hello || !f.certificate || !an.empty()) return "tls: the flight did not parse";
        if (f.hello->cipher != 0x009d ||
            View(f.certificate->subject) != "CN=CLK-456040-D.one.phoenix.gov") {
          return "tls: not the CredSSP server's choice and certificate";
        }
        return nullptr;
      });
}
BENCHMARK(BM_TlsServerFlight);

// The name-lists of the KEXINIT an OpenSSH 7.4 client sends (read from the fuzz seed
// tests/fuzz/corpus/ssh/curve25519_exchange.bin): 1,416 octets of payload.
const std::vector<std::string_view> kOpenSsh74Lists = {
    "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
    "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha1,"
    "diffie-hellman-group14-sha256,diffie-hellman-group14-sha1,ext-info-c",
    "ssh-ed25519-cert-v01@openssh.com,ssh-rsa-cert-v01@openssh.com,ssh-ed25519,rsa-sha2-512,"
    "rsa-sha2-256,ssh-rsa,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
    "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
    "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521",
    "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
    "aes256-gcm@openssh.com,aes128-cbc,aes192-cbc,aes256-cbc",
    "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
    "aes256-gcm@openssh.com,aes128-cbc,aes192-cbc,aes256-cbc",
    "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
    "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
    "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
    "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
    "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
    "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
    "none,zlib@openssh.com,zlib",
    "none,zlib@openssh.com,zlib",
    "",
    ""};

// A KEXINIT payload (message code 20, cookie, the ten name-lists, first_kex_packet_follows and
// the reserved word), built as tests/dissect/ssh builds its own.
std::vector<uint8_t> KexInit(const std::vector<std::string_view>& lists) {
  std::vector<uint8_t> p = {20};
  p.insert(p.end(), 16, 0x42);  // cookie
  for (std::string_view l : lists) {
    const size_t n = l.size();
    p.insert(p.end(), {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                       static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
    p.insert(p.end(), l.begin(), l.end());
  }
  p.insert(p.end(), {0, 0, 0, 0, 0});
  return p;
}

// SSH: an OpenSSH client's KEXINIT: its algorithm lists and the HASSH fingerprints of them.
void BM_SshKexInit(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, KexInit(kOpenSsh74Lists), [&](Bytes b) { return ssh::ParseKexInit(b, an); },
      [&](const std::optional<ssh::KexInit>& k) -> const char* {
        if (!k || !an.empty()) return "ssh: the KEXINIT did not parse cleanly";
        if (View(k->kex) != kOpenSsh74Lists[0] || View(k->hassh).size() != 32) {
          return "ssh: not OpenSSH 7.4's lists";
        }
        return nullptr;
      });
}
BENCHMARK(BM_SshKexInit);

// SSH: an identification line.
void BM_SshBanner(benchmark::State& state) {
  RunParser(
      state, Text("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n"),
      [](Bytes b) { return ssh::ParseBanner(b); },
      [](const std::optional<ssh::Banner>& b) -> const char* {
        if (!b || View(b->software) != "OpenSSH_8.9p1" || View(b->comments) != "Ubuntu-3") {
          return "ssh: not OpenSSH_8.9p1 Ubuntu-3";
        }
        return nullptr;
      });
}
BENCHMARK(BM_SshBanner);

// rdp/rdp-proprietary-encryption.pcap frame 4: an X.224 Connection Request with a cookie.
constexpr std::string_view kRdpCookieRequest = R"(
  03 00 00 2f                    # TPKT: version 3, length 47
  2a e0 00 00 00 00 00           # X.224 CR: LI 42, dst-ref 0, src-ref 0, class 0
  43 6f 6f 6b 69 65 3a 20 6d 73 74 73 68 61 73 68 3d   # "Cookie: mstshash="
  46 54 42 43 4f 5c 41 37 30 0d 0a   # "FTBCO\A70" CR LF
  01 00 08 00 01 00 00 00        # RDP_NEG_REQ: requested SSL
)";

// RDP: the TPKT and a Connection Request's cookie, user and requested protocols.
void BM_Rdp(benchmark::State& state) {
  RunParser(
      state, Hex(kRdpCookieRequest),
      [](Bytes b) -> std::optional<rdp::ConnectionRequest> {
        TpktFrame f = ReadTpkt(b);
        if (f.status != TpktStatus::kOk) return std::nullopt;
        return rdp::ParseConnectionRequest(f.tpdu);
      },
      [](const std::optional<rdp::ConnectionRequest>& cr) -> const char* {
        if (!cr || View(cr->user) != "FTBCO\\A70" || cr->requested != rdp::kProtocolSsl) {
          return "rdp: not FTBCO\\A70 asking for SSL";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Rdp);

// vnc/vncmac.pcap frame 58: an Apple Remote Desktop server's ServerInit.
constexpr std::string_view kVncServerInit = dissect::testing::kAppleServerInit;

// VNC: a ServerInit's desktop size and name.
void BM_Vnc(benchmark::State& state) {
  RunParser(
      state, Hex(kVncServerInit), [](Bytes b) { return vnc::ReadServerInit(b); },
      [](const vnc::ServerInit& s) -> const char* {
        if (s.status != vnc::Status::kOk || s.width != 1920 || s.height != 1080 ||
            !View(s.name).ends_with("MacMini SSD")) {
          return "vnc: not the 1920x1080 MacMini SSD";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Vnc);

// tests/dissect/telnet: a BSD client's answer to the server's options, naming its terminal.
constexpr std::string_view kTelnetClientAnswer = R"(
  ff fb 18 ff fc 20 ff fd 01     # WILL TERMINAL-TYPE, WONT TERMINAL-SPEED, DO ECHO
  ff fa 18 00 58 54 45 52 4d ff f0   # SB TERMINAL-TYPE IS "XTERM" SE
)";

// Counts what the Telnet scanner hands back.
struct TelnetCounts : telnet::ScanSink {
  void OnDataByte(uint8_t) override { ++data; }
  void OnNegotiation(uint8_t, uint8_t) override { ++negotiations; }
  void OnSubnegotiation(std::string_view bytes, bool) override { sub_bytes += bytes.size(); }
  void OnCommand(uint8_t) override { ++commands; }
  size_t data = 0, negotiations = 0, sub_bytes = 0, commands = 0;
};

// Telnet: the scanner over negotiations and a subnegotiation, from a fresh scan state.
void BM_Telnet(benchmark::State& state) {
  TelnetCounts counts;
  RunParser(
      state, Hex(kTelnetClientAnswer),
      [&](Bytes b) {
        telnet::ScanState scan;
        telnet::Scan(b, scan, counts);
        return scan.at;
      },
      [&](telnet::ScanState::At at) -> const char* {
        if (at != telnet::ScanState::At::kData || counts.negotiations != 3 ||
            counts.sub_bytes != 7 || counts.data != 0) {
          return "telnet: not three negotiations and the terminal type";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Telnet);

// tests/dissect/rlogin: a client's opening.
constexpr std::string_view kRloginOpening = R"(
  00                                   # opening zero
  61 6c 69 63 65 00                    # client user "alice"
  72 6f 6f 74 00                       # server user "root"
  78 74 65 72 6d 2f 33 38 34 30 30 00  # terminal "xterm/38400"
)";

// rlogin: the client's opening.
void BM_Rlogin(benchmark::State& state) {
  RunParser(
      state, Hex(kRloginOpening), [](Bytes b) { return rlogin::ReadClientHello(b); },
      [](const rlogin::ClientHello& h) -> const char* {
        if (h.status != rlogin::Status::kOk || View(h.server_user) != "root") {
          return "rlogin: not alice as root";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Rlogin);

// tests/dissect/teamviewer: a long-framed request for encryption.
constexpr std::string_view kTeamViewerRequestEncryption = R"(
  11 30 5d 00                # long framing, command 93 request encryption
  04 00 00 00 01 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00   # length 4, ids, class, offset
  de ad be ef                # data
)";

// TeamViewer: a command's framing.
void BM_TeamViewer(benchmark::State& state) {
  RunParser(
      state, Hex(kTeamViewerRequestEncryption), [](Bytes b) { return teamviewer::ReadCommand(b); },
      [](const teamviewer::Command& c) -> const char* {
        if (c.status != teamviewer::Status::kOk || c.code != teamviewer::kCmdRequestEncryption ||
            c.length != 28) {
          return "teamviewer: not a request for encryption";
        }
        return nullptr;
      });
}
BENCHMARK(BM_TeamViewer);

// tests/dissect/openvpn: the server's hard reset, acknowledging the client's.
constexpr std::string_view kOpenVpnServerReset = R"(
  40                        # P_CONTROL_HARD_RESET_SERVER_V2, key id 0
  a1 a2 a3 a4 a5 a6 a7 a8   # the server's session id
  01 00 00 00 00            # one acknowledgement, of packet 0
  11 22 33 44 55 66 77 88   # the session it acknowledges
  00 00 00 00               # message packet id 0
)";

// OpenVPN: a control packet's header and reliability layer.
void BM_OpenVpn(benchmark::State& state) {
  RunParser(
      state, Hex(kOpenVpnServerReset),
      [](Bytes b) {
        openvpn::Packet p;
        openvpn::Control c;
        const bool ok = openvpn::ParsePacket(b, p) && openvpn::ParseControl(b, 0, c);
        return std::pair(ok, c);
      },
      [](const std::pair<bool, openvpn::Control>& r) -> const char* {
        if (!r.first || r.second.opcode != openvpn::kHardResetServerV2 || r.second.acks != 1) {
          return "openvpn: not the server's reset with one acknowledgement";
        }
        return nullptr;
      });
}
BENCHMARK(BM_OpenVpn);

// WireGuard: a handshake initiation (tests/dissect/wireguard: sender 0x11223344, then the
// keys, timestamp and MACs, not read).
void BM_WireGuard(benchmark::State& state) {
  std::vector<uint8_t> initiation = Hex("01 00 00 00 44 33 22 11");
  initiation.resize(wireguard::kInitiationBytes, 0xe1);
  RunParser(
      state, initiation,
      [](Bytes b) {
        wireguard::Message m;
        return std::pair(wireguard::ParseMessage(b, m), m);
      },
      [](const std::pair<bool, wireguard::Message>& r) -> const char* {
        if (!r.first || r.second.type != wireguard::kHandshakeInitiation ||
            r.second.sender != 0x11223344u) {
          return "wireguard: not the initiation of 0x11223344";
        }
        return nullptr;
      });
}
BENCHMARK(BM_WireGuard);

// tests/dissect/ike: strongSwan's IKE_SA_INIT offering two proposals.
constexpr std::string_view kIkeV2Offer = R"(
  11 22 33 44 55 66 77 88 00 00 00 00 00 00 00 00
  21 20 22 08 00 00 00 00 00 00 00 a8   # SA first, IKE_SA_INIT, initiator, length 168
  22 00 00 54 02 00 00 24 01 01 00 03   # SA; proposal 1: 3 transforms
  03 00 00 0c 01 00 00 14 80 0e 01 00 03 00 00 08 02 00 00 05 00 00 00 08 04 00 00 13
  00 00 00 2c 02 01 00 04               # proposal 2: 4 transforms
  03 00 00 0c 01 00 00 0c 80 0e 00 80 03 00 00 08 03 00 00 02
  03 00 00 08 02 00 00 02 00 00 00 08 04 00 00 02
  28 00 00 10 00 13 00 00 4b 45 4b 45 4b 45 4b 45   # KE
  2b 00 00 14 4e 4f 4e 43 4e 4f 4e 43 4e 4f 4e 43 4e 4f 4e 43   # nonce
  00 00 00 14 88 2f e5 6d 6f d2 0d bc 22 51 61 3b 2e be 5b eb   # V strongSwan
)";

// IKE: the header and the clear payloads (proposals, transforms, vendor IDs) of IKE_SA_INIT.
void BM_Ike(benchmark::State& state) {
  RunParser(
      state, Hex(kIkeV2Offer),
      [](Bytes b) {
        ike::Datagram d = ike::ReadDatagram(b, false);
        ike::Payloads p;
        if (d.kind == ike::Kind::kIke) p = ike::ReadPayloads(d.message, d.header);
        return std::pair(d.header.exchange, p);
      },
      [](const std::pair<uint8_t, ike::Payloads>& r) -> const char* {
        const ike::Payloads& p = r.second;
        if (r.first != ike::kIkeSaInit || !p.has_suite || p.offers != 2 || p.vendor_id_count != 1 ||
            p.malformed) {
          return "ike: not IKE_SA_INIT with two offers and a vendor ID";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Ike);

// --- Link-layer protocols ------------------------------------------------------------------

// lldp_cdp/lldp.detailed.pcap frame 1: an Extreme Summit300-48's LLDPDU.
constexpr std::string_view kLldpSummit = R"(
  02 07 04 00 01 30 f9 ad a0   # Chassis ID: MAC
  04 04 05 31 2f 31            # Port ID: interface name "1/1"
  06 02 00 78                  # TTL 120
  08 17 53 75 6d 6d 69 74 33 30 30 2d 34 38 2d 50 6f 72 74 20 31 30 30 31 00   # port descr.
  0a 0d 53 75 6d 6d 69 74 33 30 30 2d 34 38 00   # System Name "Summit300-48"
  0c 4c                        # System Description, 76 octets
    53 75 6d 6d 69 74 33 30 30 2d 34 38 20 2d 20 56 65 72 73 69 6f 6e 20 37 2e 34 65 2e
    31 20 28 42 75 69 6c 64 20 35 29 20 62 79 20 52 65 6c 65 61 73 65 5f 4d 61 73 74 65
    72 20 30 35 2f 32 37 2f 30 35 20 30 34 3a 35 33 3a 31 31 00
  0e 04 00 14 00 14            # capabilities: bridge, router
  10 0e 07 06 00 01 30 f9 ad a0 02 00 00 03 e9 00   # management address, ifIndex 1001
  fe 07 00 12 0f 02 07 01 00   # 802.3 power via MDI
  fe 09 00 12 0f 01 03 6c 00 00 10   # 802.3 MAC/PHY
  fe 09 00 12 0f 03 01 00 00 00 00   # 802.3 link aggregation
  fe 06 00 12 0f 04 05 f2      # 802.3 maximum frame size 1522
  fe 06 00 80 c2 01 01 e8      # 802.1 port VLAN 488
  fe 07 00 80 c2 02 01 00 00   # 802.1 port and protocol VLAN
  fe 17 00 80 c2 03 01 e8 10 76 32 2d 30 34 38 38 2d 30 33 2d 30 35 30 35 00   # VLAN name
  fe 05 00 80 c2 04 00         # 802.1 protocol identity
  00 00                        # End of LLDPDU
)";

// LLDP: every TLV of a switch's LLDPDU, into the owned LldpPdu.
void BM_Lldp(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kLldpSummit), [&](Bytes b) { return ParseLldp(b, an); },
      [&](const std::optional<LldpPdu>& pdu) -> const char* {
        if (!pdu || !an.empty() || !pdu->end_seen) return "lldp: the LLDPDU did not parse";
        if (pdu->system_name != "Summit300-48" || pdu->port_vlan_id != 488) {
          return "lldp: not the Summit300-48 on VLAN 488";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Lldp);

// lldp_cdp/3560_CDP.pcap frame 1: a Catalyst WS-C3560G-24PS's CDP PDU (after LLC/SNAP).
constexpr std::string_view kCdp3560 = dissect::testing::kCdp3560;

// CDP: every TLV of a switch's PDU and its checksum, into the owned CdpPdu.
void BM_Cdp(benchmark::State& state) {
  core::Anomalies an;
  RunParser(
      state, Hex(kCdp3560), [&](Bytes b) { return ParseCdp(b, an); },
      [&](const std::optional<CdpPdu>& pdu) -> const char* {
        if (!pdu || !an.empty() || !pdu->checksum_ok) return "cdp: the PDU did not parse";
        if (pdu->device_id != "Switch" || pdu->platform != "cisco WS-C3560G-24PS") {
          return "cdp: not the WS-C3560G-24PS";
        }
        return nullptr;
      });
}
BENCHMARK(BM_Cdp);

// --- Stream dissectors ---------------------------------------------------------------------

// Counts what a stream dissector emits: operations, DNS messages and HTTP exchanges, and PDUs.
class CountingSink final : public ObservationSink {
 public:
  void OnIcsOperation(const IcsOperation&) override { ++emitted; }
  void OnDns(const DnsObservation&) override { ++emitted; }
  void OnHttp(const HttpObservation&) override { ++emitted; }
  void OnPdu(const PduObservation&) override { ++pdus; }
  size_t emitted = 0, pdus = 0;
};

// Offers `bytes` of one direction to `d` as the StreamAttacher does, until it has taken them
// all; false when it stops short of that or refuses them.
bool Feed(Dissector& d, flow::Direction dir, Bytes bytes, const StreamContext& ctx) {
  size_t used = 0;
  while (used < bytes.size()) {
    const ParseResult r = d.OnData(dir, bytes.subspan(used), ctx);
    if (r.verdict != Verdict::kConsumed || r.consumed == 0) return false;
    used += r.consumed;
  }
  return true;
}

// Per iteration, `request` from the initiator (10.0.0.1:50000) and `response` from the
// responder (10.0.0.2:`port`) through one dissector made by `create`, in frames of their own;
// checks first that a pair is taken whole and emits `emitted` observations, without anomalies.
void RunDissector(benchmark::State& state, std::unique_ptr<Dissector> (*create)(), uint8_t proto,
                  uint16_t port, const std::vector<uint8_t>& request,
                  const std::vector<uint8_t>& response, size_t emitted) {
  if (request.empty() || response.empty()) return state.SkipWithError("a fixture is empty");
  flow::Flow flow;
  flow.proto = proto;
  flow.initiator_ip = core::IpAddr::V4(0x0a000001);
  flow.responder_ip = core::IpAddr::V4(0x0a000002);
  flow.initiator_port = 50000;
  flow.responder_port = port;
  flow.first_frame = 1;
  CountingSink sink;
  core::Anomalies an;
  StreamContext ctx;
  ctx.flow = &flow;
  ctx.sink = &sink;
  ctx.anomalies = &an;
  std::unique_ptr<Dissector> d = create();
  // One exchange: the request's frame, then the response's, a millisecond apart.
  auto exchange = [&] {
    ++ctx.frame;
    ctx.ts.ns += 1'000'000;
    const bool asked = Feed(*d, flow::Direction::kFromInitiator, request, ctx);
    ++ctx.frame;
    ctx.ts.ns += 1'000'000;
    return Feed(*d, flow::Direction::kFromResponder, response, ctx) && asked;
  };
  ctx.ts = core::Timestamp{1'709'287'200'000'000'000};
  if (!exchange()) return state.SkipWithError("the dissector did not take the pair whole");
  if (sink.emitted != emitted || !an.empty()) {
    return state.SkipWithError("the pair did not give its observations cleanly");
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(exchange());
  }
  // Observations per exchange, and anomalies raised over the run (both as checked above).
  state.counters["emitted"] = benchmark::Counter(static_cast<double>(sink.emitted - emitted),
                                                 benchmark::Counter::kAvgIterations);
  state.counters["anomalies"] = static_cast<double>(an.counts().size());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 2);
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * (request.size() + response.size())));
}

// modbus/modbus_test_data_part1.pcap frame 57: the request of kModbusReadHrResponse.
constexpr std::string_view kModbusReadHrRequest = R"(
  00 01 00 00 00 06 0a   # transaction 1, protocol 0, length 6, unit 10
  03 00 05 00 02         # read holding registers 5 and 6
)";

// Modbus/TCP: a read holding registers request and its response become one operation.
void BM_DissectorModbus(benchmark::State& state) {
  RunDissector(state, &modbus::Create, 6, modbus::kModbusPort, Hex(kModbusReadHrRequest),
               Hex(kModbusReadHrResponse), 1);
}
BENCHMARK(BM_DissectorModbus);

// s7comm/s7comm_varservice_libnodavedemo.pcap frames 13 and 14: read var of M0..M15 and its
// ack-data.
constexpr std::string_view kS7ReadJob = R"(
  03 00 00 1f 02 f0 80 32 01 00 00 00 01   # TPKT, COTP DT, Job, PDU reference 1
  00 0e 00 00 04 01                        # read var, 1 item
  12 0a 10 02 00 10 00 00 83 00 00 00      # M 0.0 BYTE x16
)";
constexpr std::string_view kS7ReadAck = R"(
  03 00 00 29 02 f0 80 32 03 00 00 00 01   # TPKT, COTP DT, Ack_Data, PDU reference 1
  00 02 00 14 00 00 04 01                  # read var, 1 item
  ff 04 00 80                              # success, 128 bits
  a9 10 00 00 00 00 01 01 00 00 00 00 00 00 00 00
)";

// S7comm: a read var job and its ack-data become one operation.
void BM_DissectorS7comm(benchmark::State& state) {
  RunDissector(state, &s7comm::Create, 6, 102, Hex(kS7ReadJob), Hex(kS7ReadAck), 1);
}
BENCHMARK(BM_DissectorS7comm);

// dns/dns_udp.pcap frame 1: the query kDnsResponse answers.
constexpr std::string_view kDnsQuery = R"(
  59 34 01 20 00 01 00 00 00 00 00 01   # id 0x5934, query, RD AD; 1 question, 1 additional
  03 77 77 77 07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01 00 01   # www.tcpdump.org A IN
  00 00 29 10 00 00 00 00 00 00 0c 00 0a 00 08 42 f5 d0 09 96 f9 0b 13   # OPT, cookie
)";

// DNS over UDP: a query and its answer, each a message observed (the answer paired with it).
void BM_DissectorDns(benchmark::State& state) {
  RunDissector(state, &dns::CreateUdp, 17, 53, Hex(kDnsQuery), Hex(kDnsResponse), 2);
}
BENCHMARK(BM_DissectorDns);

// HTTP: kHttpGet and a text file in answer (laid out as tests/dissect/http builds responses),
// one exchange on a keep-alive connection.
void BM_DissectorHttp(benchmark::State& state) {
  std::string body;  // a small text file of 512 bytes
  for (int line = 0; line < 16; ++line) body += "hoist 2 speed setpoint 0.75 m/s\n";
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body;
  RunDissector(state, &http::Create, 6, 80, Text(kHttpGet), Text(response), 1);
}
BENCHMARK(BM_DissectorHttp);

}  // namespace
}  // namespace qw::dissect

BENCHMARK_MAIN();
