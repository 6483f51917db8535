// DNS message parser (RFC 1035 4.1; the same wire format carries mDNS, RFC 6762, and LLMNR,
// RFC 4795): header, questions and resource records, names with compression pointers, and
// the presentation form of record data. Pure: no state, no I/O, no allocation. Spans in a
// parsed struct are views into the message the parser was given and live only as long as
// it does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/anomalies.h"
#include "core/byte_reader.h"
#include "core/fixed_text.h"

namespace qw::dissect::dns {

/// Labels read for one name, pointers followed included; hitting it raises
/// `dns.too_many_labels` (a name of 255 octets holds at most 127).
inline constexpr size_t kMaxDnsLabels = 128;
/// Compression pointers followed for one name; more raises `dns.pointer_loop`.
inline constexpr size_t kMaxDnsPointers = 32;
/// Questions and records walked in one message; more raises `dns.too_many_records`.
inline constexpr size_t kMaxDnsRecords = 512;
/// Longest presentation text kept for a name or for record data (longer is cut, marked).
inline constexpr size_t kMaxDnsText = 255;

/// Presentation text of a name or of record data, bounded.
using DnsText = core::FixedText<kMaxDnsText>;

/// The fixed header (RFC 1035 4.1.1).
struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;  // the 16 flag bits as on the wire
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

  bool response() const { return (flags & 0x8000) != 0; }
  uint8_t opcode() const { return static_cast<uint8_t>((flags >> 11) & 0xf); }
  bool truncated() const { return (flags & 0x0200) != 0; }
  uint8_t rcode() const { return static_cast<uint8_t>(flags & 0xf); }
};

/// Which part of a message a record came from.
enum class Section : uint8_t { kQuestion, kAnswer, kAuthority, kAdditional };

/// A question or a resource record. A question has no ttl and no data.
struct Record {
  Section section = Section::kQuestion;
  DnsText name;  // owner name, presentation form ("." for the root)
  uint16_t type = 0;
  uint16_t rclass = 0;  // mDNS uses the top bit (unicast-response / cache-flush)
  uint32_t ttl = 0;
  size_t data_offset = 0;         // where the data starts in the message
  std::span<const uint8_t> data;  // the record data (a view)
};

/// Reads the name that starts at `offset` of `message` into `out`, following compression
/// pointers anywhere in the message. Returns the offset just past the name as written at
/// `offset` (after its first pointer, if any), or nullopt when the name runs off the
/// message, loops, or uses a reserved label type (each raises a named anomaly).
std::optional<size_t> ReadName(std::span<const uint8_t> message, size_t offset, DnsText& out,
                               core::Anomalies& anomalies);

/// Walks a message in order: header, then each question and record.
class MessageReader {
 public:
  /// Reads the header; ok() is false when the message is shorter than one.
  explicit MessageReader(std::span<const uint8_t> message);

  bool ok() const { return ok_; }
  const Header& header() const { return header_; }
  /// Reads the next question or record into `out`. False when every one the header
  /// counts is read, or when one is malformed (then failed() is true and an anomaly says
  /// why).
  bool Next(Record& out, core::Anomalies& anomalies);
  /// True when a question or record could not be read.
  bool failed() const { return failed_; }
  /// Octets after the last record the header counts (0 until every one is read).
  size_t trailing() const { return done_ && !failed_ ? r_.remaining() : 0; }
  /// True when every question and record the header counts was read.
  bool complete() const { return done_ && !failed_; }

 private:
  std::span<const uint8_t> message_;
  core::ByteReader r_;
  Header header_;
  size_t index_ = 0;  // questions and records read so far
  size_t total_ = 0;
  bool ok_ = false, failed_ = false, done_ = false;
};

/// Writes (replacing what `out` held) the presentation form of a NetBIOS Name Service
/// record's data: for NB (type 32), the address of each entry, ", "-separated, with
/// " group" after a group name's (RFC 1002 4.2.1.3); NBSTAT (33) raw; other types as FormatData
/// writes them.
void FormatNetbiosData(std::span<const uint8_t> message, const Record& record, DnsText& out,
                       core::Anomalies& anomalies);

/// Writes (replacing what `out` held) the presentation form of a record's data: addresses for A and
/// AAAA, names for NS, CNAME, PTR and DNAME, "preference exchange" for MX, "priority weight port
/// target" for SRV, the seven SOA fields, quoted strings for TXT and HINFO, and RFC 3597's generic
/// "\# length hex" for every other type (and for data that does not parse as its type).
void FormatData(std::span<const uint8_t> message, const Record& record, DnsText& out,
                core::Anomalies& anomalies);

/// True when `name` (presentation form) starts with a NetBIOS name in RFC 1001 14.1
/// first-level encoding: a label of 32 letters 'A' to 'P'. NetBIOS Name Service (RFC 1002)
/// uses the DNS message format with such names.
bool IsNetbiosEncoded(std::string_view name);
/// Rewrites an encoded NetBIOS name as Wireshark shows it: the 15-character name without
/// its padding and the 16th byte as a suffix ("WORKGROUP<1d>"), then the scope, if any.
/// Names that are not encoded are left as they are.
void DecodeNetbiosName(DnsText& name);

/// The mnemonic of a record type ("A", "AAAA", "TYPE65280" is not returned: nullptr).
const char* TypeName(uint16_t type);
/// The name of a response code ("NOERROR", "NXDOMAIN", ...), or nullptr when unassigned.
const char* RcodeName(uint8_t rcode);

/// True when the whole datagram is one well-formed DNS message: a header, every counted
/// question and record readable, at most a few stray octets after them, and counts a
/// message of that size could hold. What probes use to recognise DNS by content.
bool LooksLikeMessage(std::span<const uint8_t> message);

}  // namespace qw::dissect::dns
