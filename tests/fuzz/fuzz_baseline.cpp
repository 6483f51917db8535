// Fuzz target: baseline text through the reader and every check (policy/baseline.h); a
// baseline read back is written and read again to the same text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/baseline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto result = qw::policy::ParseBaseline(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  if (!result) {
    if (result.error().message.empty()) __builtin_trap();
    return 0;
  }
  const std::string text = qw::policy::BaselineText(*result);
  auto again = qw::policy::ParseBaseline(text, "again.json");
  if (!again || qw::policy::BaselineText(*again) != text) __builtin_trap();
  return 0;
}
