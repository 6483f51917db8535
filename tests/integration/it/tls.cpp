// TLS against tshark: records (tls.record.version, which every record has, SSL 2.0 ones
// included), content types (tls.record.content_type, and tls.record.opaque_type for the
// records TLS 1.3 wraps), alerts, and the type of every handshake message read in clear.
// Also the TLS handshake RDP's negotiated security protocols open with, which tshark 4.0
// reads only when told that port 3389 carries TLS. SNI and JA3/JA3S are compared frame by
// frame in ics_compare_test.cpp.
#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

Counters TlsExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("tls")) continue;
    ++c["frames"];
    c["pdus"] += static_cast<int64_t>(f.Values("tls.record.version").size());
    for (const char* field : {"tls.record.content_type", "tls.record.opaque_type"}) {
      for (const auto& v : f.Values(field)) {
        ++c["content_types:" + std::to_string(Number(v))];
        if (Number(v) == 21) ++c["exceptions"];
      }
    }
    for (const auto& v : f.Values("tls.handshake.type")) {
      ++c["handshake_types:" + std::to_string(Number(v))];
    }
  }
  return c;
}

// RDP's TLS as tshark reads it with port 3389 decoded as TLS: the same counts, but not the
// frames, for that view also calls the X.224 and MCS PDUs "SSL" without a record in them.
const Register kRdpTls({
    "tls",
    {"rdp"},
    {"tls.record.version", "tls.record.content_type", "tls.record.opaque_type",
     "tls.handshake.type"},
    TlsExpect,
    {"pdus", "exceptions", "content_types:", "handshake_types:"},
    {
        {"rdp/rdp-proprietary-encryption.pcap", "pdus", -1,
         "frame 498 is a fast-path PDU (c0 82 ...) of a session under standard RDP security; "
         "with port 3389 decoded as TLS, tshark reads it as an SSL 2.0 record. No TLS was "
         "negotiated there, and quaywatch reads none"},
    },
    "-d tcp.port==3389,tls",
});

const Register kTls({
    "tls",
    {"tls", "modbus"},
    {"tls.record.version", "tls.record.content_type", "tls.record.opaque_type",
     "tls.handshake.type"},
    TlsExpect,
    {"pdus", "frames", "exceptions", "content_types:", "handshake_types:"},
    {
        {"tls/ssl.v3.pcap", "frames", -4,
         "tshark also labels TLS the frames where a record begins that ends in a later segment "
         "(89, 106, 122, 153, 184); quaywatch counts a record in the frame that completes it. "
         "And frame 251, see pdus, is one more of ours"},
        {"tls/ssl.v3.pcap", "pdus", 1,
         "frame 251 carries the server's encrypted alert, bytes 3591-3613 that the capture "
         "missed before (the server's later ACK-only segments already stand at 3615); tshark "
         "calls it a retransmission and does not decode it, quaywatch fills the hole with it"},
        {"tls/ssl.v3.pcap", "content_types:21", 1, "frame 251's alert, see pdus"},
        {"tls/ssl.v3.pcap", "exceptions", 1, "frame 251's alert, see pdus"},
        {"tls/tls1.2.pcap", "frames", -1,
         "frame 16 only begins a record (completed in 18); tshark labels it TLS, see ssl.v3"},
        {"tls/tls_client-certificate.pcap", "frames", -3,
         "frames 13, 19 and 29 only begin records; tshark labels them TLS, see ssl.v3"},
    },
    "",
});

}  // namespace
}  // namespace qw::ics_compare
