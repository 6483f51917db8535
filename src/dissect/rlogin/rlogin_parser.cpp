// RFC 1282 (BSD Rlogin), "Connection Establishment".
//
// clang-format off
//  client: | 0 | client-user-name | 0 | server-user-name | 0 | terminal-type "/" speed | 0 |
//  server: | 0 |   (then the session's bytes)
// clang-format on
#include "dissect/rlogin/rlogin_parser.h"

#include <string_view>

#include "core/byte_reader.h"

namespace qw::dissect::rlogin {

namespace {

// Reads one NUL-terminated field into `out`.
Status ReadField(core::ByteReader& r, core::FixedText<kMaxFieldBytes>& out) {
  for (size_t i = 0; i <= kMaxFieldBytes; ++i) {
    const uint8_t b = r.U8();
    if (!r.ok()) return Status::kNeedMore;
    if (b == 0) return Status::kOk;
    if (b < 0x20 || b >= 0x7f || i == kMaxFieldBytes) return Status::kInvalid;
    out.Append(static_cast<char>(b));
  }
  return Status::kInvalid;
}

}  // namespace

ClientHello ReadClientHello(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  ClientHello h;
  const uint8_t zero = r.U8();
  if (!r.ok()) {
    h.status = Status::kNeedMore;
    return h;
  }
  if (zero != 0) return h;
  for (auto* field : {&h.client_user, &h.server_user, &h.terminal}) {
    const Status s = ReadField(r, *field);
    if (s != Status::kOk) {
      h.status = s;
      return h;
    }
    if (field->empty()) return h;  // each field names something
  }
  if (h.terminal.view().find('/') == std::string_view::npos) return h;
  h.status = Status::kOk;
  h.length = r.position();
  return h;
}

}  // namespace qw::dissect::rlogin
