#include "integrity/file_type.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <magic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "integrity/regular_file.h"

namespace qw::integrity {
namespace {

constexpr std::array<std::pair<FileCategory, std::string_view>, 8> kCategoryNames = {{
    {FileCategory::kExecutable, "executable"},
    {FileCategory::kScript, "script"},
    {FileCategory::kArchive, "archive"},
    {FileCategory::kDocument, "document"},
    {FileCategory::kImage, "image"},
    {FileCategory::kText, "text"},
    {FileCategory::kFirmware, "firmware"},
    {FileCategory::kData, "data"},
}};

// libmagic 5.44's MIME types, by category. Anything under image/ is an image; anything else
// under text/ that is not listed as a script is text.
constexpr std::string_view kExecutableMimes[] = {
    "application/x-executable",
    "application/x-pie-executable",
    "application/x-sharedlib",
    "application/x-object",
    "application/x-dosexec",
    "application/x-msdownload",
    "application/vnd.microsoft.portable-executable",
    "application/x-ms-ne-executable",
    "application/x-ms-w3-executable",
    "application/x-ms-w4-executable",
    "application/x-lx-executable",
    "application/x-dosdriver",
    "application/x-mach-binary",
    "application/x-java-applet",  // a Java class file
    "application/x-msi",
    "application/x-ms-installer",
    "application/x-bytecode.python",
    "application/wasm",
    "application/x-ms-shortcut",    // a .lnk runs its target with its arguments
    "application/vnd.ms-htmlhelp",  // CHM runs the scripts it holds
    "application/x-c32-comboot-syslinux-exec",
};
constexpr std::string_view kScriptMimes[] = {
    "text/x-shellscript",
    "text/x-sh",
    "text/x-script.python",
    "text/x-python",
    "text/x-perl",
    "text/x-php",
    "text/x-ruby",
    "text/x-lua",
    "text/x-tcl",
    "text/x-awk",
    "text/x-gawk",
    "text/x-nawk",
    "text/x-msdos-batch",
    "text/x-ms-regedit",
    "text/x-ms-scf",
    "text/x-execline",
    "text/javascript",
    "application/javascript",
    "application/x-setupscript",
    "application/x-shellscript",
    "text/x-systemtap",
};
constexpr std::string_view kArchiveMimes[] = {
    "application/zip",
    "application/x-zip",
    "application/x-zip-compressed",
    "application/gzip",
    "application/x-gzip",
    "application/x-bzip",
    "application/x-bzip2",
    "application/x-xz",
    "application/x-lzma",
    "application/x-lzip",
    "application/x-lz4",
    "application/x-lrzip",
    "application/zstd",
    "application/x-zstd",
    "application/x-compress",
    "application/x-7z-compressed",
    "application/x-rar",
    "application/vnd.rar",
    "application/x-rar-compressed",
    "application/x-tar",
    "application/x-gtar",
    "application/x-ustar",
    "application/x-cpio",
    "application/x-archive",
    "application/vnd.ms-cab-compressed",
    "application/x-iso9660-image",
    "application/x-compressed-iso",
    "application/x-ms-wim",
    "application/x-arj",
    "application/x-lzh-compressed",
    "application/x-ace-compressed",
    "application/java-archive",
    "application/vnd.android.package-archive",
    "application/x-chrome-extension",
    "application/x-apple-diskimage",
    "application/x-rpm",
    "application/vnd.debian.binary-package",
};
constexpr std::string_view kDocumentMimes[] = {
    "application/pdf",
    "application/postscript",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.ms-office",
    "application/rtf",
    "text/rtf",
    "application/x-ole-storage",
    "application/CDFV2",
    "application/x-cdf",
    "application/vnd.ms-outlook",
    "application/vnd.ms-project",
    "application/vnd.ms-publisher",
    "application/x-msaccess",
    "application/x-mswrite",
    "application/epub+zip",
    "text/html",
};
constexpr std::string_view kDocumentMimePrefixes[] = {
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
    "application/vnd.ms-excel.",
    "application/vnd.ms-word.",
    "application/vnd.ms-powerpoint.",
    "application/vnd.visio",
};
constexpr std::string_view kTextMimes[] = {
    "application/json",
    "application/xml",
    "application/x-ndjson",
    "application/csv",
};
// Words of libmagic descriptions of firmware containers (lower case). Only consulted for
// content whose MIME type says nothing more than application/octet-stream.
constexpr std::string_view kFirmwareWords[] = {
    "firmware", "u-boot",          "uimage", "squashfs",    "ubi image",
    "ubifs",    "jffs2",           "cramfs", "romfs",       "device tree blob",
    "bios",     "android bootimg", "eeprom", "flash image",
};
// Markers of Windows script content, searched case-insensitively in the first
// kScriptMarkerSearchBytes of text libmagic calls text/plain (or text/html, text/xml). This is
// deliberately broad: a text that quotes a PowerShell command line is classed a script, since
// a gate that lets a script through as text is worse than one that asks an operator to look
// at a README. The marker found is given as the reason.
constexpr std::string_view kWindowsScriptMarkers[] = {
    "@echo off",             // batch
    "powershell",            // a PowerShell invocation (powershell.exe -enc ...)
    "invoke-expression",     // PowerShell
    "set-executionpolicy",   // PowerShell
    "-encodedcommand",       // PowerShell
    "new-object system.",    // PowerShell .NET objects
    "wscript.",              // Windows Script Host (VBScript, JScript)
    "cscript.",              // Windows Script Host
    "createobject(",         // VBScript
    "activexobject(",        // JScript
    "<hta:application",      // HTML application
    "getobject(\"winmgmts",  // VBScript WMI
};

bool IsOneOf(std::string_view mime, std::span<const std::string_view> list) {
  return std::find(list.begin(), list.end(), mime) != list.end();
}

bool StartsWithAny(std::string_view mime, std::span<const std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](std::string_view p) { return mime.starts_with(p); });
}

// The first kScriptMarkerSearchBytes as lower-case text with NULs dropped: UTF-16LE scripts
// (PowerShell's default) become searchable as ASCII.
std::string FoldedText(std::span<const uint8_t> bytes) {
  std::string out;
  const size_t n = std::min(bytes.size(), kScriptMarkerSearchBytes);
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t c = bytes[i];
    if (c == 0) continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
  }
  return out;
}

std::string_view WindowsScriptMarker(std::span<const uint8_t> bytes) {
  const std::string text = FoldedText(bytes);
  for (std::string_view marker : kWindowsScriptMarkers) {
    if (text.find(marker) != std::string::npos) return marker;
  }
  return {};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string MagicText(magic_set* m, std::span<const uint8_t> bytes) {
  const char* r = ::magic_buffer(m, bytes.data(), bytes.size());
  return r == nullptr ? std::string() : std::string(r);
}

void CategoryOf(std::span<const uint8_t> bytes, FileType& t) {
  const std::string_view mime = t.mime;
  if (IsOneOf(mime, kExecutableMimes)) {
    t.category = FileCategory::kExecutable;
    return;
  }
  if (IsOneOf(mime, kScriptMimes)) {
    t.category = FileCategory::kScript;
    return;
  }
  if (IsOneOf(mime, kArchiveMimes)) {
    t.category = FileCategory::kArchive;
    return;
  }
  if (mime == "text/plain" || mime == "text/html" || mime == "text/xml") {
    if (bytes.size() >= 2 && bytes[0] == '#' && bytes[1] == '!') {
      t.category = FileCategory::kScript;
      t.reason = "starts with #!";
      return;
    }
    if (std::string_view marker = WindowsScriptMarker(bytes); !marker.empty()) {
      t.category = FileCategory::kScript;
      t.reason = fmt::format("Windows script marker \"{}\"", marker);
      return;
    }
  }
  if (IsOneOf(mime, kDocumentMimes) || StartsWithAny(mime, kDocumentMimePrefixes)) {
    t.category = FileCategory::kDocument;
    return;
  }
  if (mime.starts_with("image/")) {
    t.category = FileCategory::kImage;
    return;
  }
  if (mime.starts_with("text/") || IsOneOf(mime, kTextMimes)) {
    t.category = FileCategory::kText;
    return;
  }
  if (mime.ends_with("-rom") || mime == "application/x-raspberry-eeprom") {
    t.category = FileCategory::kFirmware;
    return;
  }
  if (mime == "application/octet-stream") {
    const std::string d = Lower(t.description);
    for (std::string_view word : kFirmwareWords) {
      if (d.find(word) != std::string::npos) {
        t.category = FileCategory::kFirmware;
        t.reason = fmt::format("libmagic describes it as \"{}\"", t.description);
        return;
      }
    }
  }
  t.category = FileCategory::kData;
}

}  // namespace

std::string_view FileCategoryName(FileCategory category) {
  for (const auto& [c, name] : kCategoryNames) {
    if (c == category) return name;
  }
  return "data";
}

std::optional<FileCategory> ParseFileCategory(std::string_view name) {
  for (const auto& [c, n] : kCategoryNames) {
    if (n == name) return c;
  }
  return std::nullopt;
}

core::Result<FileTypeClassifier> FileTypeClassifier::Create() {
  // No decompression (MAGIC_NO_CHECK_COMPRESS): archives are the archive walker's business,
  // and libmagic expanding a hostile stream is what the walker's bounds exist to prevent.
  constexpr int kFlags = MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR;
  magic_set* mime = ::magic_open(kFlags | MAGIC_MIME_TYPE);
  magic_set* text = ::magic_open(kFlags);
  FileTypeClassifier c(mime, text);
  if (mime == nullptr || text == nullptr) {
    return core::MakeError(fmt::format("libmagic: cannot open: {}", std::strerror(errno)));
  }
  for (magic_set* m : {mime, text}) {
    size_t bytes_max = kFileTypeSniffBytes;
    ::magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &bytes_max);
    if (::magic_load(m, nullptr) != 0) {
      const char* e = ::magic_error(m);
      return core::MakeError(fmt::format("libmagic: cannot load its default database: {}",
                                         e != nullptr ? e : "unknown error"));
    }
  }
  return c;
}

FileTypeClassifier::FileTypeClassifier(FileTypeClassifier&& other) noexcept
    : mime_(std::exchange(other.mime_, nullptr)), text_(std::exchange(other.text_, nullptr)) {}

FileTypeClassifier& FileTypeClassifier::operator=(FileTypeClassifier&& other) noexcept {
  if (this != &other) {
    Close();
    mime_ = std::exchange(other.mime_, nullptr);
    text_ = std::exchange(other.text_, nullptr);
  }
  return *this;
}

FileTypeClassifier::~FileTypeClassifier() { Close(); }

void FileTypeClassifier::Close() {
  if (mime_ != nullptr) ::magic_close(mime_);
  if (text_ != nullptr) ::magic_close(text_);
  mime_ = nullptr;
  text_ = nullptr;
}

FileType FileTypeClassifier::Classify(std::span<const uint8_t> bytes) {
  bytes = bytes.first(std::min(bytes.size(), kFileTypeSniffBytes));
  FileType t;
  if (bytes.empty()) {
    t.mime = "application/x-empty";
    t.description = "empty";
    return t;
  }
  t.mime = MagicText(mime_, bytes);
  t.description = MagicText(text_, bytes);
  if (t.description.size() > kMaxDescriptionBytes) t.description.resize(kMaxDescriptionBytes);
  if (t.mime.empty()) {
    const char* e = ::magic_error(mime_);
    t.mime = "application/octet-stream";
    t.reason = fmt::format("libmagic failed: {}", e != nullptr ? e : "unknown error");
    return t;
  }
  CategoryOf(bytes, t);
  return t;
}

core::Result<FileType> FileTypeClassifier::ClassifyFile(const std::string& path) {
  auto f = OpenRegularFile(path);
  if (!f) return f.error();
  const struct stat& st = f->status();
  std::vector<uint8_t> head(
      std::min<uint64_t>(static_cast<uint64_t>(st.st_size), kFileTypeSniffBytes));
  size_t have = 0;
  while (have < head.size()) {
    const ssize_t n = ::read(f->fd(), head.data() + have, head.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::MakeError(
          fmt::format("{}: read failed at octet {}: {}", path, have, std::strerror(errno)));
    }
    if (n == 0) break;  // shrank since fstat: classify what is there
    have += static_cast<size_t>(n);
  }
  head.resize(have);
  return Classify(head);
}

}  // namespace qw::integrity
