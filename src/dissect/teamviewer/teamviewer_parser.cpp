// TeamViewer framing, as nDPI and community decoders read it (no published specification).
//
// clang-format off
//  short: | 0x17 0x24 | command:1 | length:2 LE | data:length |
//  long:  | 0x11 0x30 | command:1 | unknown:1 | length:4 LE | packet id:4 LE | request id:4 LE |
//         | command class:4 LE | offset:4 LE | data:length |
//  UDP:   | counter:1 (0 first) | ...:10 | 0x17 0x24 | ...
// clang-format on
#include "dissect/teamviewer/teamviewer_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::teamviewer {

Command ReadCommand(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  Command c;
  const uint8_t m0 = r.U8();
  const uint8_t m1 = r.U8();
  c.code = r.U8();
  if (!r.ok()) {
    // Judge the magic as far as it has arrived.
    core::ByteReader head(bytes);
    const uint8_t first = head.U8();
    if (!head.ok() || first == kShortMagic[0] || first == kLongMagic[0]) {
      const uint8_t second = head.U8();
      const bool short_magic = first == kShortMagic[0] && second == kShortMagic[1];
      const bool long_magic = first == kLongMagic[0] && second == kLongMagic[1];
      if (!head.ok() || short_magic || long_magic) {
        c.status = Status::kNeedMore;
        c.length = 3;
      }
    }
    return c;
  }
  size_t data = 0, header = 0;
  if (m0 == kShortMagic[0] && m1 == kShortMagic[1]) {
    data = r.U16Le();
    header = kShortHeaderBytes;
  } else if (m0 == kLongMagic[0] && m1 == kLongMagic[1]) {
    c.long_framing = true;
    r.Skip(1);
    data = r.U32Le();
    header = kLongHeaderBytes;
  } else {
    return c;
  }
  if (!r.ok()) {
    c.status = Status::kNeedMore;
    c.length = header;
    return c;
  }
  if (data > kMaxCommandBytes) return c;
  c.length = header + data;
  c.status = bytes.size() >= c.length ? Status::kOk : Status::kNeedMore;
  return c;
}

bool LooksLikeDatagram(std::span<const uint8_t> datagram) {
  core::ByteReader r(datagram);
  const uint8_t counter = r.U8();
  r.Skip(10);
  const uint8_t m0 = r.U8();
  const uint8_t m1 = r.U8();
  return r.ok() && counter == 0 && m0 == kShortMagic[0] && m1 == kShortMagic[1];
}

const char* CommandName(uint8_t code) {
  switch (code) {
    case kCmdIdentify:
      return "identify";
    case kCmdRequestConnect:
      return "request-connect";
    case kCmdRequestEncryption:
      return "request-encryption";
    case kCmdConfirmEncryption:
      return "confirm-encryption";
    case kCmdEncryptionRequestFailed:
      return "encryption-request-failed";
    case kCmdRequestNoEncryption:
      return "request-no-encryption";
    default:
      return "";
  }
}

}  // namespace qw::dissect::teamviewer
