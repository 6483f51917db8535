// libFuzzer target for DNS, mDNS, LLMNR and NetBIOS Name Service. The first byte picks the
// transport (bit 0: TCP). UDP: the rest is datagrams, each led by two bytes (bit 15: from
// the responder; low 15 bits: length), parsed as one message each and fed through the
// registered UDP dissector behind the real StreamAttacher. TCP: the rest is records
// | direction:1 (0xff: a gap) | length:2 LE | bytes | fed to the TCP dissector as a stream.
// Nothing may crash or read out of bounds, and every observation must stay within its
// bounds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "dissect/dissector.h"
#include "dissect/dns/dns_dissector.h"
#include "dissect/dns/dns_parser.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"
#include "stream_fuzz.h"

namespace {

using namespace qw::dissect;

// Checks every message the dissector reports.
struct CheckingSink : ObservationSink {
  void OnDns(const DnsObservation& m) override {
    const std::string_view p = m.protocol;
    if (p != "dns" && p != "mdns" && p != "llmnr" && p != "nbns") std::abort();
    if (m.records.size() > dns::kMaxDnsRecords) std::abort();
    if (m.qname.size() > m.qname.capacity()) std::abort();
    if (!m.has_question && !m.qname.empty()) std::abort();
    if (m.query_frame != 0 && (!m.response() || m.query_frame > m.frame)) std::abort();
    for (const auto& r : m.records) {
      if (r.section < 1 || r.section > 3) std::abort();
    }
  }
};

// The parser's functions over one message.
void Parse(std::span<const uint8_t> bytes) {
  qw::core::Anomalies an;
  (void)dns::LooksLikeMessage(bytes);
  dns::MessageReader m(bytes);
  dns::Record r;
  size_t n = 0;
  while (m.Next(r, an)) {
    if (++n > dns::kMaxDnsRecords) std::abort();
    dns::DnsText text;
    dns::FormatData(bytes, r, text, an);
    dns::FormatNetbiosData(bytes, r, text, an);
    dns::DecodeNetbiosName(r.name);
    if (r.data.size() > bytes.size()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool tcp = (data[0] & 1) != 0;
  std::span<const uint8_t> bytes(data + 1, size - 1);
  qw::flow::Flow flow;
  flow.proto = tcp ? 6 : 17;
  flow.initiator_ip = *qw::core::IpAddr::Parse("10.0.0.1");
  flow.responder_ip = *qw::core::IpAddr::Parse("10.0.0.2");
  flow.initiator_port = 50000;
  flow.responder_port = 53;
  CheckingSink sink;
  if (tcp) {
    // The length-led messages also go to the parser alone.
    qw::core::ByteReader r(bytes);
    while (r.remaining() >= 3) {
      r.U8();
      auto record = r.Bytes(std::min<size_t>(r.U16Le(), r.remaining()));
      if (record.size() > 2) Parse(record.subspan(2));
    }
    auto dissector = qw::fuzz::Registered("dns", 6)->create();
    qw::fuzz::FeedStreamRecords(*dissector, flow, sink, bytes, true, 70'000);
    return 0;
  }
  qw::fuzz::RunUdpDatagrams("dns", 53, bytes, sink, Parse);
  return 0;
}
