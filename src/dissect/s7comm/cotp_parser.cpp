// RFC 1006 (ISO transport services on top of TCP), section 6, and ISO 8073 / ITU-T X.224
// section 13 (TPDU structure), class 0 as S7 devices use it.
//
// clang-format off
//  TPKT:    | version:1 (=3) | reserved:1 (=0) | length:2 (whole TPKT, >= 7) | TPDU:length-4 |
//  TPDU:    | LI:1 (header octets after LI) | type:1 | fixed part | variable part | user data |
//  CR, CC:  | LI | type 0xe0 / 0xd0 (low nibble: credit) | dst-ref:2 | src-ref:2 | class+options:1 |
//           | parameters: code:1 | length:1 | value:length | ... up to LI |
//             0xc0 TPDU size (log2), 0xc1 calling TSAP, 0xc2 called TSAP
//  DR:      | LI | 0x80 | dst-ref:2 | src-ref:2 | reason:1 | parameters |
//  DC:      | LI | 0xc0 | dst-ref:2 | src-ref:2 | parameters |
//  DT:      | LI (=2 in class 0) | 0xf0 | EOT:1 bit, TPDU-NR:7 bits | user data to the TPKT end |
//           (other classes: | LI | 0xf0 | dst-ref:2 | EOT+NR:1 | parameters |)
// clang-format on
#include "dissect/s7comm/cotp_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect {
namespace {

constexpr uint8_t kTpktVersion = 3;
constexpr uint8_t kParamTpduSize = 0xc0;
constexpr uint8_t kParamCallingTsap = 0xc1;
constexpr uint8_t kParamCalledTsap = 0xc2;
// The header of a TPDU is at most 254 octets, so at most 127 parameters fit; a cap keeps
// the loop's bound explicit.
constexpr size_t kMaxCotpParameters = 127;

bool KnownType(uint8_t code) {
  switch (static_cast<CotpType>(code)) {
    case CotpType::kExpeditedData:
    case CotpType::kExpeditedAck:
    case CotpType::kReject:
    case CotpType::kDataAck:
    case CotpType::kError:
    case CotpType::kDisconnectRequest:
    case CotpType::kDisconnectConfirm:
    case CotpType::kConnectConfirm:
    case CotpType::kConnectRequest:
    case CotpType::kData:
      return true;
  }
  return false;
}

void KeepTsap(std::span<const uint8_t> value, CotpTsap& tsap) {
  core::ByteReader r(value);
  tsap.present = true;
  tsap.size = 0;
  while (!r.empty() && tsap.size < kMaxTsapBytes) tsap.bytes[tsap.size++] = r.U8();
}

// The variable part of a CR, CC, DR or DC header: TSAPs and TPDU size are kept, the rest
// skipped. A parameter that runs past the header ends the walk (what was read stays).
void ReadParameters(core::ByteReader& header, CotpTpdu& out) {
  for (size_t i = 0; i < kMaxCotpParameters && header.remaining() >= 2; ++i) {
    uint8_t code = header.U8();
    uint8_t len = header.U8();
    std::span<const uint8_t> value = header.Bytes(len);
    if (!header.ok()) return;
    if (code == kParamCallingTsap) {
      KeepTsap(value, out.calling_tsap);
    } else if (code == kParamCalledTsap) {
      KeepTsap(value, out.called_tsap);
    } else if (code == kParamTpduSize && len == 1) {
      out.tpdu_size_code = core::ByteReader(value).U8();
    }
  }
}

}  // namespace

TpktFrame ReadTpkt(std::span<const uint8_t> bytes) {
  TpktFrame f;
  core::ByteReader r(bytes);
  if (r.remaining() < kTpktHeaderBytes) {
    // Judge what is there already, so garbage is refused without waiting for more.
    if ((r.remaining() >= 1 && r.PeekU8(0) != kTpktVersion) ||
        (r.remaining() >= 2 && r.PeekU8(1) != 0)) {
      return f;
    }
    f.status = TpktStatus::kNeedMore;
    f.need = kTpktHeaderBytes - r.remaining();
    return f;
  }
  uint8_t version = r.U8();
  uint8_t reserved = r.U8();
  uint16_t length = r.U16Be();
  if (version != kTpktVersion || reserved != 0 || length < kMinTpktLength) return f;
  if (bytes.size() < length) {
    f.status = TpktStatus::kNeedMore;
    f.need = length - bytes.size();
    return f;
  }
  f.status = TpktStatus::kOk;
  f.length = length;
  f.tpdu = r.Bytes(length - kTpktHeaderBytes);
  return f;
}

std::optional<CotpTpdu> ParseCotp(std::span<const uint8_t> tpdu) {
  core::ByteReader r(tpdu);
  uint8_t li = r.U8();
  // The header (LI octets after LI itself) must hold the type and fit the TPDU; 255 is
  // reserved by ISO 8073.
  if (!r.ok() || li < 2 || li == 255 || li > r.remaining()) return std::nullopt;
  core::ByteReader header = r.Sub(li);
  CotpTpdu out;
  uint8_t type_octet = header.U8();
  out.type = type_octet & 0xf0;
  switch (static_cast<CotpType>(out.type)) {
    case CotpType::kConnectRequest:
    case CotpType::kConnectConfirm:
    case CotpType::kDisconnectRequest:
      out.dst_ref = header.U16Be();
      out.src_ref = header.U16Be();
      if (out.type == static_cast<uint8_t>(CotpType::kDisconnectRequest)) {
        out.reason = header.U8();
      } else {
        out.class_options = header.U8();
      }
      if (!header.ok()) return std::nullopt;
      ReadParameters(header, out);
      break;
    case CotpType::kDisconnectConfirm:
      out.dst_ref = header.U16Be();
      out.src_ref = header.U16Be();
      if (!header.ok()) return std::nullopt;
      break;
    case CotpType::kData: {
      // Class 0 carries only the EOT/NR octet; the other classes put dst-ref before it.
      if (header.remaining() >= 3) out.dst_ref = header.U16Be();
      uint8_t nr = header.U8();
      if (!header.ok()) return std::nullopt;
      out.eot = (nr & 0x80) != 0;
      out.tpdu_number = nr & 0x7f;
      out.user_data = r.Rest();
      break;
    }
    default:
      // Other TPDUs (AK, ED, RJ, ER, unknown codes) are kept as their type only.
      break;
  }
  return out;
}

bool LooksLikeTpkt(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  uint8_t version = r.U8();
  uint8_t reserved = r.U8();
  uint16_t length = r.U16Be();
  uint8_t li = r.U8();
  uint8_t type = r.U8();
  return r.ok() && version == kTpktVersion && reserved == 0 && length >= kMinTpktLength &&
         li >= 2 && li != 255 && li + 1u <= length - kTpktHeaderBytes && KnownType(type & 0xf0);
}

ProbeResult ProbeIsoTransport(std::span<const uint8_t> first_bytes, uint8_t protocol_id) {
  core::ByteReader r(first_bytes);
  for (size_t i = 0; i < kMaxProbedTpdus; ++i) {
    if (r.empty()) return ProbeResult::kMaybe;
    std::span<const uint8_t> rest = r.PeekRest();
    TpktFrame tpkt = ReadTpkt(rest);
    if (tpkt.status == TpktStatus::kInvalid) return ProbeResult::kNo;
    // The COTP header is judged as soon as its first octets are there, whole TPKT or not.
    core::ByteReader head(rest);
    head.Skip(2);
    uint16_t length = head.U16Be();  // >= kMinTpktLength: ReadTpkt refused anything less
    if (!head.ok() || head.remaining() < 2) return ProbeResult::kMaybe;
    uint8_t li = head.U8();
    uint8_t code = head.U8() & 0xf0;
    if (li < 2 || li == 255 || li + 1u > length - kTpktHeaderBytes || !KnownType(code)) {
      return ProbeResult::kNo;
    }
    if (code == static_cast<uint8_t>(CotpType::kConnectRequest)) {
      // ISO 8073 13.3.4: a CR names no destination reference yet; a class above 4 is none.
      if (li < 6) return ProbeResult::kNo;
      if (head.remaining() < 5) return ProbeResult::kMaybe;
      uint16_t dst_ref = head.U16Be();
      head.Skip(2);
      uint8_t cls = head.U8() >> 4;
      if (dst_ref != 0 || cls > 4) return ProbeResult::kNo;
    } else if (code == static_cast<uint8_t>(CotpType::kData)) {
      // S7 uses class 0, whose DT header is exactly the type and EOT/NR octets.
      if (li != 2) return ProbeResult::kNo;
      size_t user_bytes = length - kTpktHeaderBytes - 3u;
      if (user_bytes > 0) {
        if (head.remaining() < 2) return ProbeResult::kMaybe;
        head.Skip(1);
        uint8_t id = head.U8();
        if (id != protocol_id) return ProbeResult::kNo;
        if (user_bytes < 2 || head.remaining() < 1) return ProbeResult::kMaybe;
        uint8_t second = head.U8();
        if (protocol_id == kS7commProtocolId) {
          // ROSCTR: job, ack, ack-data, userdata (4 to 6 are not assigned).
          bool ok = second == 1 || second == 2 || second == 3 || second == 7;
          return ok ? ProbeResult::kYes : ProbeResult::kNo;
        }
        // S7comm-plus protocol version: V1 to V3, system event 0xfe, keep-alive 0xff.
        bool ok = (second >= 1 && second <= 3) || second == 0xfe || second == 0xff;
        return ok ? ProbeResult::kYes : ProbeResult::kNo;
      }
    } else if (code != static_cast<uint8_t>(CotpType::kConnectConfirm) &&
               code != static_cast<uint8_t>(CotpType::kDisconnectRequest) &&
               code != static_cast<uint8_t>(CotpType::kDisconnectConfirm)) {
      // AK, ED, RJ, ER do not occur in class 0 before data.
      return ProbeResult::kNo;
    }
    if (tpkt.status == TpktStatus::kNeedMore) return ProbeResult::kMaybe;
    r.Skip(tpkt.length);
  }
  return ProbeResult::kNo;
}

}  // namespace qw::dissect
