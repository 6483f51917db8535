// Fuzz target: site policy text through the loader and every check (policy/policy.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto result = qw::policy::ParsePolicy(std::string_view(reinterpret_cast<const char*>(data), size),
                                        "fuzz.yaml");
  // A policy comes back whole or not at all.
  if (result.policy && !result.errors.empty()) __builtin_trap();
  if (!result.policy && result.errors.empty()) __builtin_trap();
  for (const auto& e : result.errors) (void)e.Text();
  return 0;
}
