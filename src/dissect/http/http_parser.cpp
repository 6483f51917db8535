#include "dissect/http/http_parser.h"

#include <algorithm>
#include <array>
#include <optional>

#include "core/ascii.h"
#include "core/byte_reader.h"

namespace qw::dissect::http {

namespace {

struct MethodEntry {
  std::string_view name;
  uint8_t code;
  bool http, rtsp;  // which dialects use it
};

constexpr std::array<MethodEntry, 26> kMethods = {{
    {"GET", 1, true, false},
    {"HEAD", 2, true, false},
    {"POST", 3, true, false},
    {"PUT", 4, true, false},
    {"DELETE", 5, true, false},
    {"CONNECT", 6, true, false},
    {"OPTIONS", 7, true, true},
    {"TRACE", 8, true, false},
    {"PATCH", 9, true, false},
    {"PROPFIND", 10, true, false},
    {"PROPPATCH", 11, true, false},
    {"MKCOL", 12, true, false},
    {"COPY", 13, true, false},
    {"MOVE", 14, true, false},
    {"LOCK", 15, true, false},
    {"UNLOCK", 16, true, false},
    {"DESCRIBE", 20, false, true},
    {"ANNOUNCE", 21, false, true},
    {"GET_PARAMETER", 22, false, true},
    {"PAUSE", 23, false, true},
    {"PLAY", 24, false, true},
    {"RECORD", 25, false, true},
    {"REDIRECT", 26, false, true},
    {"SETUP", 27, false, true},
    {"SET_PARAMETER", 28, false, true},
    {"TEARDOWN", 29, false, true},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 5.6.2 tchar.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The line without its CR LF or LF.
std::string_view StripEol(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

const MethodEntry* FindMethod(std::string_view name, Dialect d) {
  for (const auto& m : kMethods) {
    if (m.name == name && (d == Dialect::kHttp ? m.http : m.rtsp)) return &m;
  }
  return nullptr;
}

std::string_view VersionPrefix(Dialect d) { return d == Dialect::kHttp ? "HTTP/1." : "RTSP/1."; }

// "HTTP/1.x" or "RTSP/1.x" exactly; the minor digit goes to `minor`.
bool ParseVersion(std::string_view v, Dialect d, uint8_t& minor) {
  const std::string_view prefix = VersionPrefix(d);
  if (v.size() != prefix.size() + 1 || v.substr(0, prefix.size()) != prefix) return false;
  if (!IsDigit(v.back())) return false;
  minor = static_cast<uint8_t>(v.back() - '0');
  return true;
}

// A decimal number of at most 18 digits (fits int64).
std::optional<int64_t> Decimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Parses the start line (without its end of line) into `out`.
bool ParseStartLine(std::string_view line, Dialect d, bool request, Head& out) {
  if (request) {
    // RFC 9112 3: a recipient may split the request line on runs of whitespace, as servers
    // do; a monitor that did not would be blind to a request padded to evade it.
    const size_t sp1 = line.find_first_of(" \t");
    const size_t sp2 = line.find_last_of(" \t");
    if (sp1 == std::string_view::npos || sp2 == sp1) return false;
    const MethodEntry* m = FindMethod(line.substr(0, sp1), d);
    if (!m || !ParseVersion(line.substr(sp2 + 1), d, out.minor)) return false;
    const std::string_view target = Trim(line.substr(sp1 + 1, sp2 - sp1 - 1));
    if (target.empty() || target.find_first_of(" \t") != std::string_view::npos) return false;
    if (target.size() != sp2 - sp1 - 1 || line.substr(sp1, 1) != " " ||
        line.substr(sp2, 1) != " ") {
      out.anomaly = "loose_request_line";
    }
    out.request = true;
    out.method.Clear();
    out.method.Append(m->name);
    out.method_code = m->code;
    out.uri.AppendPrintable(target);
    return true;
  }
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  if (!ParseVersion(line.substr(0, sp1), d, out.minor)) return false;
  // RFC 9112 4: status-code is 3DIGIT, followed by SP and an optional reason.
  const std::string_view code = line.substr(sp1 + 1, 3);
  const std::string_view after = line.substr(std::min(line.size(), sp1 + 4), 1);
  const auto status = Decimal(code);
  if (code.size() != 3 || !status || (!after.empty() && after != " ")) return false;
  out.request = false;
  out.status = static_cast<uint16_t>(*status);
  return out.status >= 100;
}

// The value of parameter `name` (filename=) in a Content-Disposition value, quotes removed.
std::string_view DispositionParameter(std::string_view value, std::string_view name) {
  size_t at = 0;
  // Each ';' starts one parameter; the value's length bounds the loop.
  while (at < value.size()) {
    const size_t semi = value.find(';', at);
    if (semi == std::string_view::npos) return {};
    at = semi + 1;
    std::string_view rest = Trim(value.substr(at));
    const size_t eq = rest.find('=');
    if (eq == std::string_view::npos) continue;
    if (!core::EqualsNoCase(Trim(rest.substr(0, eq)), name)) continue;
    std::string_view v = Trim(rest.substr(eq + 1));
    if (!v.empty() && v.front() == '"') {
      v.remove_prefix(1);
      return v.substr(0, v.find('"'));
    }
    return Trim(v.substr(0, v.find(';')));
  }
  return {};
}

// The file name a Content-Disposition value gives: filename*= (RFC 6266 4.3; the charset
// and language dropped, percent-encoding kept) or filename=, without any path.
std::string_view DispositionName(std::string_view value) {
  std::string_view name = DispositionParameter(value, "filename*");
  if (!name.empty()) {
    const size_t quotes = name.find("''");
    name = quotes == std::string_view::npos ? std::string_view() : name.substr(quotes + 2);
  }
  if (name.empty()) name = DispositionParameter(value, "filename");
  const size_t slash = name.find_last_of("/\\");
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

template <size_t N>
void SetText(core::FixedText<N>& out, std::string_view v) {
  out.Clear();
  out.AppendPrintable(v);
}

// Applies one field line (without its end of line) to `out`.
void ApplyField(std::string_view line, Dialect d, Head& out) {
  const size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) {
    out.anomaly = "bad_field";
    return;
  }
  const std::string_view name = line.substr(0, colon);
  for (char c : name) {
    if (!IsTokenChar(c)) {
      out.anomaly = "bad_field";
      return;
    }
  }
  const std::string_view value = Trim(line.substr(colon + 1));
  if (core::EqualsNoCase(name, "Content-Length")) {
    const auto n = Decimal(value);
    if (!n || (out.content_length >= 0 && out.content_length != *n)) {
      out.anomaly = "bad_content_length";
      out.content_length = -2;  // conflicting or unreadable: never trusted again
    } else if (out.content_length != -2) {
      out.content_length = *n;
    }
  } else if (core::EqualsNoCase(name, "Transfer-Encoding")) {
    // RFC 9112 6.1: chunked, when present, is the last coding applied.
    std::string_view last = value.substr(value.find_last_of(',') + 1);
    out.chunked = d == Dialect::kHttp && core::EqualsNoCase(Trim(last), "chunked");
  } else if (core::EqualsNoCase(name, "Host")) {
    SetText(out.host, value);
  } else if (core::EqualsNoCase(name, "User-Agent")) {
    SetText(out.user_agent, value);
  } else if (core::EqualsNoCase(name, "Server")) {
    SetText(out.server, value);
  } else if (core::EqualsNoCase(name, "Content-Type")) {
    SetText(out.content_type, value);
  } else if (core::EqualsNoCase(name, "Content-Disposition")) {
    SetText(out.disposition_name, DispositionName(value));
  } else if (core::EqualsNoCase(name, "Connection")) {
    out.close = core::ContainsNoCase(value, "close");
  } else if (core::EqualsNoCase(name, "CSeq")) {
    const auto n = Decimal(value);
    out.has_cseq = n && *n <= 0xffffffff;
    out.cseq = out.has_cseq ? static_cast<uint32_t>(*n) : 0;
  }
}

}  // namespace

uint8_t MethodCode(std::string_view method) {
  for (const auto& m : kMethods) {
    if (m.name == method) return m.code;
  }
  return 0;
}

const char* MethodName(uint8_t code) {
  // The table's names are literals, so their views end in a NUL.
  for (const auto& m : kMethods) {
    if (m.code == code) return m.name.data();
  }
  return "OTHER";
}

Check CheckStartLine(std::span<const uint8_t> bytes, Dialect dialect, bool request) {
  core::ByteReader r(bytes);
  const auto end = LineEnd(bytes);
  const std::string_view text = r.Chars(std::min(bytes.size(), end.value_or(kMaxLineBytes)));
  if (end) {
    if (*end > kMaxLineBytes) return Check::kNo;
    Head scratch;
    return ParseStartLine(StripEol(text), dialect, request, scratch) ? Check::kYes : Check::kNo;
  }
  if (bytes.size() >= kMaxLineBytes) return Check::kNo;
  // Incomplete: the part seen must begin a method and a space, or the version.
  if (!request) {
    const std::string_view v = VersionPrefix(dialect);
    const std::string_view head = text.substr(0, v.size());
    return head == v.substr(0, head.size()) ? Check::kMaybe : Check::kNo;
  }
  const size_t sp = text.find(' ');
  if (sp != std::string_view::npos) {
    return FindMethod(text.substr(0, sp), dialect) ? Check::kMaybe : Check::kNo;
  }
  for (const auto& m : kMethods) {
    if ((dialect == Dialect::kHttp ? m.http : m.rtsp) && m.name.substr(0, text.size()) == text) {
      return Check::kMaybe;
    }
  }
  return Check::kNo;
}

HeadResult ParseHead(std::span<const uint8_t> bytes, Dialect dialect, bool request, Head& out,
                     HeadProgress* progress) {
  core::ByteReader r(bytes);
  size_t fields = 0;
  size_t searched = 0;  // no line end lies after r.position() and before this
  // Whatever the outcome, `progress` describes this call's bytes only when it needs more.
  HeadProgress resume;
  if (progress) {
    resume = *progress;
    *progress = {};
  }
  if (resume.at > 0 && resume.searched <= bytes.size()) {
    // The start line and the field lines before `at` were read into `out` already, and the
    // bytes up to `searched` end no line: a head sent a byte at a time costs its bytes once.
    r.Skip(resume.at);
    fields = resume.fields;
    searched = resume.searched;
  } else {
    out = Head{};
    const auto first = LineEnd(bytes);
    if (!first) {
      if (bytes.size() >= kMaxLineBytes) return {HeadStatus::kInvalid, "line_too_long"};
      if (CheckStartLine(bytes, dialect, request) == Check::kNo) {
        return {HeadStatus::kInvalid, "bad_start_line"};
      }
      return {HeadStatus::kNeedMore, nullptr};
    }
    if (*first > kMaxLineBytes) return {HeadStatus::kInvalid, "line_too_long"};
    if (!ParseStartLine(StripEol(r.Chars(*first)), dialect, request, out)) {
      return {HeadStatus::kInvalid, "bad_start_line"};
    }
  }
  // Each pass consumes one line of at least one byte; kMaxHeadBytes bounds the loop.
  for (;;) {
    const size_t from = std::max(r.position(), searched);
    std::optional<size_t> end = LineEnd(bytes.subspan(from));
    if (end) *end += from - r.position();
    if (!end) {
      if (r.remaining() >= kMaxLineBytes) return {HeadStatus::kInvalid, "line_too_long"};
      if (r.position() + r.remaining() >= kMaxHeadBytes) {
        return {HeadStatus::kInvalid, "head_too_long"};
      }
      if (progress) *progress = {r.position(), fields, bytes.size()};
      return {HeadStatus::kNeedMore, nullptr};
    }
    if (*end > kMaxLineBytes) return {HeadStatus::kInvalid, "line_too_long"};
    if (r.position() + *end > kMaxHeadBytes) return {HeadStatus::kInvalid, "head_too_long"};
    const std::string_view line = StripEol(r.Chars(*end));
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') continue;  // obs-fold: not interpreted
    if (++fields > kMaxFields) {
      out.anomaly = "too_many_fields";
      continue;
    }
    ApplyField(line, dialect, out);
  }
  if (out.content_length == -2) out.content_length = -1;
  out.length = r.position();
  return {HeadStatus::kComplete, nullptr};
}

ChunkLine ParseChunkLine(std::span<const uint8_t> bytes) {
  ChunkLine c;
  core::ByteReader r(bytes);
  const auto end = LineEnd(bytes);
  if (!end) {
    c.status = bytes.size() >= kMaxLineBytes ? HeadStatus::kInvalid : HeadStatus::kNeedMore;
    return c;
  }
  if (*end > kMaxLineBytes) {
    c.status = HeadStatus::kInvalid;
    return c;
  }
  std::string_view line = StripEol(r.Chars(*end));
  line = Trim(line.substr(0, line.find(';')));
  // RFC 9112 7.1: chunk-size is 1*HEXDIG; 15 digits keep it far from overflow.
  c.status = HeadStatus::kInvalid;
  if (line.empty() || line.size() > 15) return c;
  for (char ch : line) {
    const char l = core::AsciiLower(ch);
    uint64_t digit = 0;
    if (IsDigit(l)) {
      digit = static_cast<uint64_t>(l - '0');
    } else if (l >= 'a' && l <= 'f') {
      digit = static_cast<uint64_t>(l - 'a' + 10);
    } else {
      return c;
    }
    c.size = c.size * 16 + digit;
  }
  c.status = HeadStatus::kComplete;
  c.length = *end;
  return c;
}

std::string_view UriFileName(std::string_view uri) {
  std::string_view path = uri.substr(0, uri.find_first_of("?#"));
  const size_t scheme = path.find("://");
  if (scheme != std::string_view::npos) {
    const size_t slash = path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  const size_t last = path.rfind('/');
  return last == std::string_view::npos ? path : path.substr(last + 1);
}

bool IsFileBody(std::string_view content_type, bool has_disposition_name) {
  if (has_disposition_name) return true;
  const std::string_view type = Trim(content_type.substr(0, content_type.find(';')));
  if (type.empty()) return true;
  static constexpr std::array<std::string_view, 13> kPages = {"text/html",
                                                              "application/xhtml+xml",
                                                              "text/css",
                                                              "text/javascript",
                                                              "application/javascript",
                                                              "application/x-javascript",
                                                              "text/xml",
                                                              "application/xml",
                                                              "application/json",
                                                              "text/json",
                                                              "text/event-stream",
                                                              "application/x-www-form-urlencoded",
                                                              "application/ecmascript"};
  for (auto page : kPages) {
    if (core::EqualsNoCase(type, page)) return false;
  }
  if (core::StartsWithNoCase(type, "image/") || core::StartsWithNoCase(type, "font/")) return false;
  // Structured-syntax suffixes (RFC 6839): "application/soap+xml", "application/ld+json".
  if (type.size() > 4 &&
      (core::EqualsNoCase(type.substr(type.size() - 4), "+xml") ||
       (type.size() > 5 && core::EqualsNoCase(type.substr(type.size() - 5), "+json")))) {
    return false;
  }
  return true;
}

}  // namespace qw::dissect::http
