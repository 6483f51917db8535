// Fuzzes the integrity inputs a person or an attacker may hand quaywatch: Modbus target URLs,
// manifests (parsed, read and signature-checked), backup catalogs and gate configurations
// (YAML, from an in-memory file), and the diff of two texts. The first octet picks the
// reader; the rest is its input.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "integrity/backup_catalog.h"
#include "integrity/gate_config.h"
#include "integrity/manifest.h"
#include "integrity/modbus_snapshot.h"
#include "integrity/signed_document.h"
#include "integrity/unified_diff.h"

namespace {

// A path to an in-memory file holding `text`; the descriptor stays open for the process.
std::string MemoryFile(std::string_view text) {
  static int fd = ::memfd_create("fuzz", 0);
  ::ftruncate(fd, 0);
  ::pwrite(fd, text.data(), text.size(), 0);
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto t = qw::integrity::ParseModbusUrl(input);
      if (t) (void)qw::integrity::ModbusSnapshotName(*t);
      break;
    }
    case 1: {
      auto doc = nlohmann::json::parse(input, nullptr, false);
      if (doc.is_discarded()) break;
      qw::integrity::PublicKey key;  // all zeros: no signature verifies, every path is walked
      (void)qw::integrity::CheckDocumentSignature(doc, key, "fuzz");
      auto m = qw::integrity::ManifestFromJson(doc, "fuzz");
      if (m) (void)qw::integrity::ManifestToJson(*m);
      break;
    }
    case 2: {
      size_t half = input.size() / 2;
      (void)qw::integrity::UnifiedDiff(input.substr(0, half), input.substr(half), "a", "b");
      break;
    }
    case 3: {
      auto c = qw::integrity::LoadBackupCatalog(MemoryFile(input));
      (void)c;
      break;
    }
    default: {
      auto g = qw::integrity::LoadGateConfig(MemoryFile(input));
      (void)g;
      break;
    }
  }
  return 0;
}
