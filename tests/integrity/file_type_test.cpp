#include "integrity/file_type.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "archive_test_util.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;
using testing::BuildArchive;
using testing::TestMember;

FileTypeClassifier NewClassifier() {
  auto c = FileTypeClassifier::Create();
  EXPECT_TRUE(c.ok()) << c.error().message;
  return std::move(c).value();
}

FileType Of(FileTypeClassifier& c, const std::string& bytes) {
  return c.Classify(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::string_view CategoryOf(FileTypeClassifier& c, const std::string& bytes) {
  return FileCategoryName(Of(c, bytes).category);
}

TEST(FileType, NamesRoundTrip) {
  for (auto c : {FileCategory::kExecutable, FileCategory::kScript, FileCategory::kArchive,
                 FileCategory::kDocument, FileCategory::kImage, FileCategory::kText,
                 FileCategory::kFirmware, FileCategory::kData}) {
    EXPECT_EQ(ParseFileCategory(FileCategoryName(c)), c);
  }
  EXPECT_FALSE(ParseFileCategory("exe").has_value());
}

TEST(FileType, Executables) {
  FileTypeClassifier c = NewClassifier();
  auto elf = c.ClassifyFile("/proc/self/exe");
  ASSERT_TRUE(elf.ok()) << elf.error().message;
  EXPECT_EQ(elf->category, FileCategory::kExecutable) << elf->mime;
  EXPECT_NE(elf->mime, "");

  FileType pe = Of(c, testing::PeStub(false));
  EXPECT_EQ(pe.category, FileCategory::kExecutable) << pe.mime << " " << pe.description;
  FileType dll = Of(c, testing::PeStub(true));
  EXPECT_EQ(dll.category, FileCategory::kExecutable) << dll.mime << " " << dll.description;
  // Java class file: magic, minor and major version 52 (Java 8).
  EXPECT_EQ(CategoryOf(c, std::string("\xca\xfe\xba\xbe\x00\x00\x00\x34\x00\x10", 10)),
            "executable");
  // 64-bit Mach-O, x86-64, MH_EXECUTE.
  EXPECT_EQ(CategoryOf(c, std::string("\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00"
                                      "\x02\x00\x00\x00\x00\x00\x00\x00",
                                      20)),
            "executable");
}

TEST(FileType, ScriptsByLibmagicAndByOurMarkers) {
  FileTypeClassifier c = NewClassifier();
  EXPECT_EQ(CategoryOf(c, "#!/bin/sh\necho hello\n"), "script");
  EXPECT_EQ(CategoryOf(c, "#!/usr/bin/env python3\nprint('x')\n"), "script");
  EXPECT_EQ(CategoryOf(c, "import os\ndef f():\n    return os.getcwd()\n"), "script");
  EXPECT_EQ(CategoryOf(c, "@echo off\r\ndel /q C:\\temp\\*\r\n"), "script");

  // libmagic calls these text/plain; our markers make them scripts and say why.
  FileType ps = Of(c, "$c = New-Object System.Net.WebClient\nInvoke-Expression $c\n");
  EXPECT_EQ(ps.category, FileCategory::kScript) << ps.mime;
  EXPECT_NE(ps.reason.find("marker"), std::string::npos);
  EXPECT_EQ(CategoryOf(c, "Set o = CreateObject(\"WScript.Shell\")\no.Run \"cmd\"\n"), "script");
  EXPECT_EQ(CategoryOf(c, "var s = new ActiveXObject(\"WScript.Shell\");\n"), "script");
  EXPECT_EQ(CategoryOf(c, "<html><head><HTA:APPLICATION ID=\"a\"/></head><body></body></html>"),
            "script");
  // PowerShell saved as UTF-16LE with a byte order mark.
  std::string utf16("\xff\xfe", 2);
  for (char ch : std::string("powershell -NoProfile -Command Get-Process\r\n")) {
    utf16.push_back(ch);
    utf16.push_back('\0');
  }
  EXPECT_EQ(CategoryOf(c, utf16), "script");
}

TEST(FileType, Archives) {
  FileTypeClassifier c = NewClassifier();
  const std::vector<TestMember> one = {{"a.txt", "hello archive\n"}};
  EXPECT_EQ(CategoryOf(c, BuildArchive("zip", "", one)), "archive");
  EXPECT_EQ(CategoryOf(c, BuildArchive("ustar", "", one)), "archive");
  EXPECT_EQ(CategoryOf(c, BuildArchive("ustar", "gzip", one)), "archive");
  EXPECT_EQ(CategoryOf(c, BuildArchive("ustar", "bzip2", one)), "archive");
  EXPECT_EQ(CategoryOf(c, BuildArchive("ustar", "xz", one)), "archive");
  EXPECT_EQ(CategoryOf(c, BuildArchive("ustar", "zstd", one)), "archive");
  EXPECT_EQ(CategoryOf(c, BuildArchive("7zip", "", one)), "archive");
  EXPECT_EQ(CategoryOf(c, BuildArchive("iso9660", "", one)), "archive");
  EXPECT_EQ(CategoryOf(c, BuildArchive("cpio", "", one)), "archive");
}

TEST(FileType, DocumentsImagesTextData) {
  FileTypeClassifier c = NewClassifier();
  EXPECT_EQ(CategoryOf(c, "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), "document");
  EXPECT_EQ(CategoryOf(c, "{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hello}"), "document");
  // An OOXML document is a zip: libmagic tells it apart by its first members.
  FileType docx = Of(c, BuildArchive("zip", "",
                                     {{"[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"},
                                      {"_rels/.rels", "<Relationships/>"},
                                      {"word/document.xml", "<w:document/>"}}));
  EXPECT_EQ(docx.category, FileCategory::kDocument) << docx.mime;
  EXPECT_EQ(CategoryOf(c, std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x02"
                                      "\0\0\0",
                                      29)),
            "image");
  EXPECT_EQ(CategoryOf(c, "Crane 3 maintenance notes.\nReplace hoist brake pads.\n"), "text");
  EXPECT_EQ(CategoryOf(c, "{\"crane\": 3, \"ok\": true}"), "text");
  std::string random;
  for (int i = 0; i < 4096; ++i) random.push_back(static_cast<char>((i * 7919 + 13) % 251));
  EXPECT_EQ(CategoryOf(c, random), "data");
  FileType empty = Of(c, "");
  EXPECT_EQ(empty.category, FileCategory::kData);
  EXPECT_EQ(empty.mime, "application/x-empty");
}

TEST(FileType, FirmwareContainers) {
  FileTypeClassifier c = NewClassifier();
  // A legacy U-Boot image header (magic 0x27051956), which libmagic describes by name.
  std::string uimage(64, '\0');
  const char magic[] = {0x27, 0x05, 0x19, 0x56};
  uimage.replace(0, 4, magic, 4);
  uimage[28] = 5;  // OS Linux
  uimage[29] = 2;  // ARM
  uimage[30] = 2;  // kernel
  uimage.replace(32, 12, "crane-plc-fw");
  uimage += std::string(1024, '\x5a');
  FileType t = Of(c, uimage);
  EXPECT_EQ(t.category, FileCategory::kFirmware) << t.mime << " / " << t.description;
}

TEST(FileType, ClassifiesAFileFromItsHeadOnly) {
  fs::path d = testing::TempDir("type-file");
  // A 3 MiB file: only the first kFileTypeSniffBytes are read.
  std::string zip = BuildArchive("zip", "", {{"big.bin", "\x01\x02", 3u << 20}});
  testing::WriteAll(d / "x.bin", zip);
  auto t = NewClassifier().ClassifyFile((d / "x.bin").string());
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->category, FileCategory::kArchive);
  auto missing = NewClassifier().ClassifyFile((d / "missing").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("missing: cannot open"), std::string::npos);
  auto dir = NewClassifier().ClassifyFile(d.string());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message.find("not a regular file"), std::string::npos);
  fs::remove_all(d);
}

TEST(FileType, EveryTruncatedPrefixIsClassified) {
  FileTypeClassifier c = NewClassifier();
  const std::string zip = BuildArchive("zip", "", {{"a.txt", "hello"}});
  const std::string pe = testing::PeStub(false);
  for (const std::string* s : {&zip, &pe}) {
    for (size_t n = 0; n <= s->size(); ++n) {
      FileType t = Of(c, s->substr(0, n));
      EXPECT_FALSE(t.mime.empty());
    }
  }
}

}  // namespace
}  // namespace qw::integrity
