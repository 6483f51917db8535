// What a file is by its content, never its name: the transfer gate allows a destination
// only some kinds (executables, scripts, archives, ...). libmagic names the MIME type; a few
// checks of our own catch Windows script content that libmagic calls text/plain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

struct magic_set;  // libmagic's handle (magic_t)

namespace qw::integrity {

/// The kinds of content the gate tells apart.
enum class FileCategory {
  kExecutable,  // ELF, PE/MZ (EXE, DLL, drivers, .NET), Mach-O, Java class, MSI, LNK, .pyc
  kScript,      // shell, Python, Perl, batch, PowerShell, VBScript, JScript, HTA, .reg, ...
  kArchive,     // zip, gzip, bzip2, xz, 7z, rar, tar, cab, zstd, iso9660, cpio, jar, ...
  kDocument,    // PDF, office formats (OOXML is a zip: told apart by libmagic), RTF, HTML
  kImage,       // image/*
  kText,        // plain text, source code, JSON, XML, CSV
  kFirmware,    // containers libmagic names: U-Boot, SquashFS, UBI, JFFS2, device trees, ...
  kData,        // anything else: unknown binary, empty
};

/// The category's name: "executable", "script", "archive", "document", "image", "text",
/// "firmware", "data".
std::string_view FileCategoryName(FileCategory category);
/// The category named `name` (FileCategoryName's text); nullopt for any other text.
std::optional<FileCategory> ParseFileCategory(std::string_view name);

/// What the classifier found, raw values beside the category.
struct FileType {
  FileCategory category = FileCategory::kData;
  std::string mime;         // libmagic's MIME type, e.g. "application/x-dosexec"
  std::string description;  // libmagic's description, at most kMaxDescriptionBytes
  std::string reason;       // what decided the category when the MIME type alone did not
};

/// Octets of content given to libmagic and to our own checks: the first MiB. Every signature
/// we rely on lies well inside it (ISO 9660's is at 32 KiB, tar's at 257).
inline constexpr size_t kFileTypeSniffBytes = size_t{1} << 20;
/// Octets of text searched for Windows script markers.
inline constexpr size_t kScriptMarkerSearchBytes = size_t{64} << 10;
/// Longest libmagic description kept.
inline constexpr size_t kMaxDescriptionBytes = 256;

/// Classifies content with libmagic. Holds its own libmagic handles: use one classifier per
/// thread. Movable, not copyable.
class FileTypeClassifier {
 public:
  /// Opens libmagic and loads its default database; fails, naming the database, when it
  /// cannot.
  static core::Result<FileTypeClassifier> Create();

  FileTypeClassifier(FileTypeClassifier&& other) noexcept;
  FileTypeClassifier& operator=(FileTypeClassifier&& other) noexcept;
  FileTypeClassifier(const FileTypeClassifier&) = delete;
  FileTypeClassifier& operator=(const FileTypeClassifier&) = delete;
  ~FileTypeClassifier();

  /// Classifies `bytes`, looking at no more than the first kFileTypeSniffBytes.
  FileType Classify(std::span<const uint8_t> bytes);
  /// Classifies the file at `path` from its first kFileTypeSniffBytes; fails, naming the
  /// file, when it cannot be opened or read or is not a regular file.
  core::Result<FileType> ClassifyFile(const std::string& path);

 private:
  FileTypeClassifier(magic_set* mime, magic_set* text) : mime_(mime), text_(text) {}
  void Close();

  magic_set* mime_ = nullptr;  // MAGIC_MIME_TYPE
  magic_set* text_ = nullptr;  // the description
};

}  // namespace qw::integrity
