// tshark's answers, remembered across the test binaries of one `make test`: the g++ build's
// tests and the sanitizer build's ask tshark the same questions about the same captures,
// and tshark's time is most of what the comparisons take. An answer is keyed by tshark's
// version, the capture's SHA-256 and the command, and kept under $QW_TSHARK_CACHE (default
// ${TMPDIR:-/tmp}/quaywatch-tshark-cache); only successful runs are kept, written under a
// temporary name and renamed, so a run cut short leaves nothing half-written.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace qw::tshark_cache {

/// Runs `cmd` (a tshark command over `file`, its stderr already redirected) through `run`
/// unless the same question was answered before; sets *ok as `run` does.
template <typename Run>
std::string Ask(const std::string& cmd, const std::string& file, bool* ok, Run&& run) {
  namespace fs = std::filesystem;
  static const std::string version = [&] {
    bool version_ok = false;
    std::string v = run("tshark --version 2>/dev/null | head -1", &version_ok);
    return version_ok ? v : std::string();
  }();
  fs::path dir;
  if (const char* env = std::getenv("QW_TSHARK_CACHE")) {
    dir = env;
  } else {
    const char* tmp = std::getenv("TMPDIR");
    dir = fs::path(tmp && *tmp ? tmp : "/tmp") / "quaywatch-tshark-cache";
  }
  std::string quoted_file = "'";
  for (char c : file) quoted_file += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted_file += "'";
  bool key_ok = false;
  const std::string content = run("sha256sum < " + quoted_file + " 2>/dev/null", &key_ok);
  if (version.empty() || !key_ok || content.size() < 64) return run(cmd, ok);
  // The key: a hash of everything that decides the answer.
  const std::string material = version + "\n" + content.substr(0, 64) + "\n" + cmd;
  const std::string key = std::to_string(std::hash<std::string>{}(material)) + "-" +
                          content.substr(0, 16) + "-" + std::to_string(material.size());
  const fs::path path = dir / key;
  {
    std::ifstream in(path, std::ios::binary);
    std::string stored_material;
    if (in && std::getline(in, stored_material, '\0') && stored_material == material) {
      std::ostringstream rest;
      rest << in.rdbuf();
      *ok = true;
      return rest.str();
    }
  }
  std::string out = run(cmd, ok);
  if (*ok) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    const fs::path tmp = path.string() + ".tmp" + std::to_string(::getpid());
    {
      std::ofstream o(tmp, std::ios::binary);
      o << material << '\0' << out;
    }
    fs::rename(tmp, path, ec);
  }
  return out;
}

}  // namespace qw::tshark_cache
