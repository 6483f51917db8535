#include "output/block_export.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string_view>
#include <utility>

#include "core/ascii.h"
#include "output/atomic_file.h"

namespace qw::output {

namespace {

// Makes `path` a folder unless it is one.
core::Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return core::MakeError(path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return core::MakeError(path + ": not a directory");
  }
  return {};
}

}  // namespace

std::string BlockFileName(const std::string& block, size_t n) {
  std::string name;
  for (char c : block) name.push_back(core::AsciiAlnum(c) ? c : '_');
  if (n > 1) name += "." + std::to_string(n);
  return name + ".mc7";
}

core::Status ExportBlocks(const std::vector<model::PlcBlock>& blocks, const std::string& dir,
                          size_t& written) {
  written = 0;
  if (auto s = MakeDir(dir); !s) return s;
  // Per PLC and block: the hashes of the contents written so far, in order.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> seen;
  for (const auto& b : blocks) {
    if (!b.complete || !b.content) continue;
    const std::string plc = b.plc_ip.ToString();
    auto& hashes = seen[{plc, b.block}];
    bool again = false;
    for (const auto& h : hashes) again = again || h == b.sha256;
    if (again) continue;
    hashes.push_back(b.sha256);
    const std::string folder = dir + "/" + plc;
    if (auto s = MakeDir(folder); !s) return s;
    const std::string path = folder + "/" + BlockFileName(b.block, hashes.size());
    const auto& bytes = *b.content;
    std::string_view content(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (auto s = WriteFileAtomically(path, content); !s) return s;
    ++written;
  }
  return {};
}

}  // namespace qw::output
