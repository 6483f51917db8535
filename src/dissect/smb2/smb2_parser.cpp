#include "dissect/smb2/smb2_parser.h"

#include <algorithm>

#include "core/byte_reader.h"

namespace qw::dissect::smb2 {

const char* StatusName(uint32_t status) {
  switch (status) {
    case 0x00000000:
      return "STATUS_SUCCESS";
    case 0x00000103:
      return "STATUS_PENDING";
    case 0x0000010C:
      return "STATUS_NOTIFY_ENUM_DIR";
    case 0x80000005:
      return "STATUS_BUFFER_OVERFLOW";
    case 0x80000006:
      return "STATUS_NO_MORE_FILES";
    case 0xC000000D:
      return "STATUS_INVALID_PARAMETER";
    case 0xC0000010:
      return "STATUS_INVALID_DEVICE_REQUEST";
    case 0xC0000011:
      return "STATUS_END_OF_FILE";
    case 0xC0000016:
      return "STATUS_MORE_PROCESSING_REQUIRED";
    case 0xC0000022:
      return "STATUS_ACCESS_DENIED";
    case 0xC0000033:
      return "STATUS_OBJECT_NAME_INVALID";
    case 0xC0000034:
      return "STATUS_OBJECT_NAME_NOT_FOUND";
    case 0xC0000035:
      return "STATUS_OBJECT_NAME_COLLISION";
    case 0xC000003A:
      return "STATUS_OBJECT_PATH_NOT_FOUND";
    case 0xC0000043:
      return "STATUS_SHARING_VIOLATION";
    case 0xC0000056:
      return "STATUS_DELETE_PENDING";
    case 0xC000006D:
      return "STATUS_LOGON_FAILURE";
    case 0xC000007F:
      return "STATUS_DISK_FULL";
    case 0xC00000BA:
      return "STATUS_FILE_IS_A_DIRECTORY";
    case 0xC00000BB:
      return "STATUS_NOT_SUPPORTED";
    case 0xC00000C9:
      return "STATUS_NETWORK_NAME_DELETED";
    case 0xC00000CC:
      return "STATUS_BAD_NETWORK_NAME";
    case 0xC0000103:
      return "STATUS_NOT_A_DIRECTORY";
    case 0xC0000120:
      return "STATUS_CANCELLED";
    case 0xC0000128:
      return "STATUS_FILE_CLOSED";
    case 0xC000019C:
      return "STATUS_FS_DRIVER_REQUIRED";
    case 0xC0000203:
      return "STATUS_USER_SESSION_DELETED";
    case 0xC0000225:
      return "STATUS_NOT_FOUND";
    default:
      return nullptr;
  }
}

std::optional<NbssHeader> ParseNbss(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes);
  NbssHeader h;
  h.type = r.U8();
  h.length = r.U24Be();
  if (!r.ok()) return std::nullopt;
  return h;
}

MessageKind Classify(std::span<const uint8_t> message) {
  core::ByteReader r(message);
  const uint8_t id = r.U8();
  const std::string_view smb = r.Chars(3);
  if (!r.ok() || smb != "SMB") return MessageKind::kUnknown;
  switch (id) {
    case 0xFE:
      return MessageKind::kSmb2;
    case 0xFD:
      return MessageKind::kTransform;
    case 0xFC:
      return MessageKind::kCompressed;
    case 0xFF:
      return MessageKind::kSmb1;
    default:
      return MessageKind::kUnknown;
  }
}

std::optional<Header> ParseHeader(std::span<const uint8_t> member) {
  if (Classify(member) != MessageKind::kSmb2) return std::nullopt;
  core::ByteReader r(member);
  r.Skip(4);
  const uint16_t structure_size = r.U16Le();
  r.Skip(2);  // credit charge
  Header h;
  h.status = r.U32Le();
  h.command = r.U16Le();
  r.Skip(2);  // credits
  h.flags = r.U32Le();
  h.next_command = r.U32Le();
  h.message_id = r.U64Le();
  if (h.async()) {
    h.async_id = r.U64Le();
  } else {
    r.Skip(4);  // reserved (process id)
    h.tree_id = r.U32Le();
  }
  h.session_id = r.U64Le();
  r.Skip(16);  // signature
  if (!r.ok() || structure_size != kHeaderBytes) return std::nullopt;
  return h;
}

std::optional<Smb1Header> ParseSmb1(std::span<const uint8_t> message) {
  if (Classify(message) != MessageKind::kSmb1) return std::nullopt;
  core::ByteReader r(message);
  r.Skip(4);
  Smb1Header h;
  h.command = r.U8();
  h.status = r.U32Le();
  h.response = (r.U8() & 0x80) != 0;
  if (!r.ok()) return std::nullopt;
  return h;
}

void AppendUtf16(std::span<const uint8_t> utf16le, Name& out) {
  core::ByteReader r(utf16le);
  while (r.remaining() >= 2) {
    uint32_t cp = r.U16Le();
    if (cp >= 0xD800 && cp <= 0xDBFF && r.remaining() >= 2) {
      const uint16_t low = static_cast<uint16_t>(r.PeekU8() | r.PeekU8(1) << 8);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        r.Skip(2);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
    }
    char buf[4];
    size_t n = 0;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0xD800 && cp <= 0xDFFF)) {
      if (cp == 0) break;  // names may end in a NUL
      buf[n++] = '.';
    } else if (cp < 0x80) {
      buf[n++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
      buf[n++] = static_cast<char>(0xC0 | cp >> 6);
      buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      buf[n++] = static_cast<char>(0xE0 | cp >> 12);
      buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      buf[n++] = static_cast<char>(0xF0 | cp >> 18);
      buf[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
    // A character that does not fit whole ends the text, so it stays valid UTF-8.
    if (out.size() + n > out.capacity()) return;
    out.Append(std::string_view(buf, n));
  }
}

namespace {

// The bytes at `offset` (from the header's start) and `length` of a member; an empty view
// and false when they lie outside it.
bool Field(std::span<const uint8_t> member, size_t offset, size_t length,
           std::span<const uint8_t>& out) {
  core::ByteReader r(member);
  r.Skip(offset);
  out = r.Bytes(length);
  return r.ok();
}

// A reader positioned at the body of a member, its structure size checked.
core::ByteReader Body(std::span<const uint8_t> member, uint16_t structure_size) {
  core::ByteReader r(member);
  r.Skip(kHeaderBytes);
  if ((r.U16Le() & 0xFFFE) != (structure_size & 0xFFFE)) r.Fail();
  return r;
}

FileId ReadFileId(core::ByteReader& r) {
  FileId id;
  id.persistent = r.U64Le();
  id.volatile_id = r.U64Le();
  return id;
}

}  // namespace

std::optional<TreeConnectRequest> ParseTreeConnectRequest(std::span<const uint8_t> member) {
  core::ByteReader r = Body(member, 9);
  r.Skip(2);  // flags (3.1.1) or reserved
  const uint16_t offset = r.U16Le();
  const uint16_t length = r.U16Le();
  std::span<const uint8_t> path;
  if (!r.ok() || !Field(member, offset, length, path)) return std::nullopt;
  TreeConnectRequest t;
  AppendUtf16(path, t.path);
  return t;
}

std::optional<CreateRequest> ParseCreateRequest(std::span<const uint8_t> member) {
  core::ByteReader r = Body(member, 57);
  // security flags, oplock, impersonation, create flags, reserved, access, attributes, share
  r.Skip(1 + 1 + 4 + 8 + 8 + 4 + 4 + 4);
  CreateRequest c;
  c.disposition = r.U32Le();
  r.Skip(4);  // create options
  const uint16_t offset = r.U16Le();
  const uint16_t length = r.U16Le();
  if (!r.ok()) return std::nullopt;
  std::span<const uint8_t> name;
  // An empty name opens the share's root; its offset may then point anywhere.
  if (length > 0 && !Field(member, offset, length, name)) return std::nullopt;
  AppendUtf16(name, c.name);
  return c;
}

std::optional<CreateResponse> ParseCreateResponse(std::span<const uint8_t> member) {
  core::ByteReader r = Body(member, 89);
  r.Skip(1 + 1);  // oplock level, flags
  CreateResponse c;
  c.create_action = r.U32Le();
  r.Skip(4 * 8 + 8);  // four times, allocation size
  c.end_of_file = r.U64Le();
  r.Skip(4 + 4);  // attributes, reserved
  c.file_id = ReadFileId(r);
  r.Skip(4 + 4);  // create contexts offset and length
  if (!r.ok()) return std::nullopt;
  return c;
}

std::optional<FileId> ParseCloseRequest(std::span<const uint8_t> member) {
  core::ByteReader r = Body(member, 24);
  r.Skip(2 + 4);  // flags, reserved
  const FileId id = ReadFileId(r);
  if (!r.ok()) return std::nullopt;
  return id;
}

std::optional<CloseResponse> ParseCloseResponse(std::span<const uint8_t> member) {
  core::ByteReader r = Body(member, 60);
  CloseResponse c;
  c.has_attributes = (r.U16Le() & 0x1) != 0;
  r.Skip(4 + 4 * 8 + 8);  // reserved, four times, allocation size
  c.end_of_file = r.U64Le();
  r.Skip(4);  // file attributes
  if (!r.ok()) return std::nullopt;
  return c;
}

std::optional<ReadRequest> ParseReadRequest(std::span<const uint8_t> member) {
  core::ByteReader r = Body(member, 49);
  r.Skip(1 + 1);  // padding, flags
  ReadRequest q;
  q.length = r.U32Le();
  q.offset = r.U64Le();
  q.file_id = ReadFileId(r);
  // minimum count, channel, remaining, channel info offset and length, one buffer byte
  r.Skip(4 + 4 + 4 + 2 + 2 + 1);
  if (!r.ok()) return std::nullopt;
  return q;
}

std::optional<DataLayout> ParseReadResponse(std::span<const uint8_t> member) {
  core::ByteReader r = Body(member, 17);
  DataLayout d;
  d.data_offset = r.U8();
  r.Skip(1);  // reserved
  d.data_length = r.U32Le();
  r.Skip(4 + 4);  // data remaining, flags
  if (!r.ok()) return std::nullopt;
  // An empty read may say offset 0; data never overlaps the fixed part.
  if (d.data_length > 0 && d.data_offset < kReadResponseFixedBytes) return std::nullopt;
  return d;
}

std::optional<WriteRequest> ParseWriteRequest(std::span<const uint8_t> member) {
  core::ByteReader r = Body(member, 49);
  WriteRequest w;
  w.data.data_offset = r.U16Le();
  w.data.data_length = r.U32Le();
  w.offset = r.U64Le();
  w.file_id = ReadFileId(r);
  r.Skip(4 + 4 + 2 + 2 + 4);  // channel, remaining, channel info offset and length, flags
  if (!r.ok()) return std::nullopt;
  if (w.data.data_length > 0 && w.data.data_offset < kWriteRequestFixedBytes) return std::nullopt;
  return w;
}

namespace {

// One NTLMSSP string field: length:2, allocated:2, offset:4 from the message's start.
bool NtlmString(core::ByteReader& r, std::span<const uint8_t> message, bool unicode, Name& out) {
  const uint16_t length = r.U16Le();
  r.Skip(2);
  const uint32_t offset = r.U32Le();
  std::span<const uint8_t> text;
  if (!r.ok() || (length > 0 && !Field(message, offset, length, text))) return false;
  if (unicode) {
    AppendUtf16(text, out);
  } else {
    core::ByteReader t(text);
    out.AppendPrintable(t.Chars(std::min(t.remaining(), out.capacity())));
  }
  return true;
}

}  // namespace

std::optional<NtlmAuth> ParseSessionSetupNtlm(std::span<const uint8_t> member) {
  core::ByteReader r = Body(member, 25);
  r.Skip(1 + 1 + 4 + 4);  // flags, security mode, capabilities, channel
  const uint16_t offset = r.U16Le();
  const uint16_t length = r.U16Le();
  std::span<const uint8_t> buffer;
  if (!r.ok() || !Field(member, offset, length, buffer)) return std::nullopt;
  static constexpr std::string_view kSignature{"NTLMSSP\0", 8};
  core::ByteReader scan(buffer);
  while (scan.remaining() >= kSignature.size() && scan.position() < kMaxNtlmsspSearchBytes) {
    core::ByteReader probe(scan.PeekRest());
    if (probe.Chars(kSignature.size()) == kSignature) break;
    scan.Skip(1);
  }
  if (scan.remaining() < kSignature.size() || scan.position() >= kMaxNtlmsspSearchBytes) {
    return std::nullopt;
  }
  const std::span<const uint8_t> message = scan.PeekRest();
  core::ByteReader m(message);
  m.Skip(kSignature.size());
  if (m.U32Le() != 3) return std::nullopt;  // AUTHENTICATE
  m.Skip(8 + 8);                            // LM and NT challenge responses
  core::ByteReader names = m.Sub(3 * 8);    // domain, user, workstation
  m.Skip(8);                                // encrypted random session key
  const uint32_t flags = m.U32Le();
  if (!m.ok()) return std::nullopt;
  const bool unicode = (flags & 0x1) != 0;  // NTLMSSP_NEGOTIATE_UNICODE
  NtlmAuth a;
  if (!NtlmString(names, message, unicode, a.domain) ||
      !NtlmString(names, message, unicode, a.user) ||
      !NtlmString(names, message, unicode, a.workstation)) {
    return std::nullopt;
  }
  return a;
}

}  // namespace qw::dissect::smb2
