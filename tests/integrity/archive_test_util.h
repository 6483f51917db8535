// Archives built at test time with libarchive's write API, and samples of file types, so
// that no test needs a binary fixture or an external tool.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace qw::integrity::testing {

/// A member to write: name and content (or a generator for large ones).
struct TestMember {
  std::string name;
  std::string content;
  uint64_t generated_size = 0;  // when set, `content` is repeated to this size
  bool directory = false;
};

/// Builds an archive in memory. `format` is a libarchive format name ("zip", "ustar",
/// "7zip", "raw"), `filter` a filter name or empty ("gzip", "xz"), `options` as
/// archive_write_set_options takes them, `passphrase` for encrypting formats.
inline std::string BuildArchive(const std::string& format, const std::string& filter,
                                const std::vector<TestMember>& members,
                                const std::string& options = "",
                                const std::string& passphrase = "") {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_by_name(a, format.c_str());
  if (!filter.empty()) archive_write_add_filter_by_name(a, filter.c_str());
  if (!options.empty() && archive_write_set_options(a, options.c_str()) != ARCHIVE_OK) {
    std::string e = archive_error_string(a) ? archive_error_string(a) : "?";
    archive_write_free(a);
    return "OPTIONS FAILED: " + e;
  }
  if (!passphrase.empty()) archive_write_set_passphrase(a, passphrase.c_str());
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(
      a, &out, nullptr,
      [](struct archive*, void* d, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(d)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  for (const TestMember& m : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.name.c_str());
    const uint64_t size = m.generated_size != 0 ? m.generated_size : m.content.size();
    archive_entry_set_filetype(e, m.directory ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e, m.directory ? 0755 : 0644);
    if (!m.directory) archive_entry_set_size(e, static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e, 1700000000, 0);
    archive_write_header(a, e);
    if (!m.directory) {
      if (m.generated_size == 0) {
        archive_write_data(a, m.content.data(), m.content.size());
      } else {
        for (uint64_t done = 0; done < size; done += m.content.size()) {
          archive_write_data(a, m.content.data(), m.content.size());
        }
      }
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

/// A zip of one member, `name`, holding `mib` MiB of zeros, built in milliseconds: one MiB of
/// zeros deflated with a full flush is a block that decodes the same wherever it stands, so
/// the member's data is that block repeated, and its CRC is combined rather than computed.
inline std::string ZeroZipBomb(const std::string& name, uint32_t mib) {
  constexpr uInt kChunk = 1u << 20;
  const std::string zeros(kChunk, '\0');
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
  std::string block(deflateBound(&z, kChunk) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
  z.avail_in = kChunk;
  z.next_out = reinterpret_cast<Bytef*>(block.data());
  z.avail_out = static_cast<uInt>(block.size());
  deflate(&z, Z_FULL_FLUSH);
  block.resize(block.size() - z.avail_out);
  std::string last(64, '\0');
  z.next_out = reinterpret_cast<Bytef*>(last.data());
  z.avail_out = static_cast<uInt>(last.size());
  deflate(&z, Z_FINISH);  // an empty final block
  last.resize(last.size() - z.avail_out);
  deflateEnd(&z);

  const uint64_t chunks = mib;
  uLong crc_chunk = crc32(0, reinterpret_cast<const Bytef*>(zeros.data()), kChunk);
  uLong crc = 0;
  for (uint64_t i = 0; i < chunks; ++i) crc = crc32_combine(crc, crc_chunk, kChunk);
  const uint64_t usize = chunks * kChunk;
  const uint64_t csize = chunks * block.size() + last.size();

  auto le = [](std::string& o, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) o.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  const uint32_t usize32 = usize >= 0xffffffffu ? 0xffffffffu : static_cast<uint32_t>(usize);
  std::string out;
  le(out, 0x04034b50, 4);  // local file header
  le(out, 20, 2);          // version needed
  le(out, 0, 2);           // flags
  le(out, 8, 2);           // deflate
  le(out, 0, 4);           // time, date
  le(out, crc, 4);
  le(out, csize, 4);
  le(out, usize32, 4);
  le(out, name.size(), 2);
  le(out, 0, 2);
  out += name;
  for (uint64_t i = 0; i < chunks; ++i) out += block;
  out += last;
  const uint64_t cd = out.size();
  le(out, 0x02014b50, 4);  // central directory header
  le(out, 20, 2);
  le(out, 20, 2);
  le(out, 0, 2);
  le(out, 8, 2);
  le(out, 0, 4);
  le(out, crc, 4);
  le(out, csize, 4);
  le(out, usize32, 4);
  le(out, name.size(), 2);
  le(out, 0, 2);  // extra
  le(out, 0, 2);  // comment
  le(out, 0, 2);  // disk
  le(out, 0, 2);  // internal attributes
  le(out, 0, 4);  // external attributes
  le(out, 0, 4);  // offset of the local header
  out += name;
  const uint64_t cd_size = out.size() - cd;
  le(out, 0x06054b50, 4);  // end of central directory
  le(out, 0, 4);
  le(out, 1, 2);
  le(out, 1, 2);
  le(out, cd_size, 4);
  le(out, cd, 4);
  le(out, 0, 2);
  return out;
}

/// The bytes of a file.
inline std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Writes bytes to a file.
inline void WriteAll(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

/// A minimal PE: DOS header whose e_lfanew points at a "PE\0\0" COFF header of an i386 DLL
/// with an optional header, enough for libmagic to call it a PE32 executable.
inline std::string PeStub(bool dll) {
  std::string b(512, '\0');
  b[0] = 'M';
  b[1] = 'Z';
  b[0x3c] = static_cast<char>(0x80);  // e_lfanew
  const size_t pe = 0x80;
  b[pe] = 'P';
  b[pe + 1] = 'E';
  b[pe + 4] = static_cast<char>(0x4c);  // machine i386
  b[pe + 5] = static_cast<char>(0x01);
  b[pe + 6] = 1;                         // one section
  b[pe + 20] = static_cast<char>(0xe0);  // size of optional header
  b[pe + 22] = static_cast<char>(0x02);  // characteristics: executable image
  b[pe + 23] = static_cast<char>(dll ? 0x21 : 0x01);
  b[pe + 24] = static_cast<char>(0x0b);  // PE32 magic 0x10b
  b[pe + 25] = static_cast<char>(0x01);
  b[pe + 24 + 68] = 2;  // subsystem: Windows GUI
  return b;
}

/// EICAR's anti-virus test file, put together at run time so that no binary of ours holds it.
inline std::string Eicar() {
  // Each character XORed with 0x55, so the source does not hold the string either.
  const unsigned char masked[] = {
      0x0d, 0x60, 0x1a, 0x74, 0x05, 0x70, 0x15, 0x14, 0x05, 0x0e, 0x61, 0x09, 0x05, 0x0f,
      0x0d, 0x60, 0x61, 0x7d, 0x05, 0x0b, 0x7c, 0x62, 0x16, 0x16, 0x7c, 0x62, 0x28, 0x71,
      0x10, 0x1c, 0x16, 0x14, 0x07, 0x78, 0x06, 0x01, 0x14, 0x1b, 0x11, 0x14, 0x07, 0x11,
      0x78, 0x14, 0x1b, 0x01, 0x1c, 0x03, 0x1c, 0x07, 0x00, 0x06, 0x78, 0x01, 0x10, 0x06,
      0x01, 0x78, 0x13, 0x1c, 0x19, 0x10, 0x74, 0x71, 0x1d, 0x7e, 0x1d, 0x7f};
  std::string s;
  for (unsigned char c : masked) s.push_back(static_cast<char>(c ^ 0x55));
  return s;
}

/// A folder of its own per test process (ctest runs tests in parallel).
inline std::filesystem::path TempDir(const std::string& name) {
  namespace fs = std::filesystem;
  fs::path d = fs::temp_directory_path() / ("qw-gate-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace qw::integrity::testing
