// Message digests as lower-case hex: MD5 (what JA3 fingerprints are, not a security use)
// and SHA-256 (JA4's hashed parts, file contents). Both come from OpenSSL's libcrypto
// (SHA-256 through its SHA extensions code where the CPU has them).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/fixed_text.h"

namespace qw::core {

/// 32 hex digits of an MD5 digest.
using Md5Hex = FixedText<32>;
/// 64 hex digits of a SHA-256 digest.
using Sha256Hex = FixedText<64>;

/// The MD5 of `bytes`, in hex.
Md5Hex Md5(std::span<const uint8_t> bytes);
/// The MD5 of `text`, in hex.
Md5Hex Md5(std::string_view text);
/// The SHA-256 of `text`, in hex.
Sha256Hex Sha256(std::string_view text);

/// A SHA-256 fed piece by piece (a file transfer's content as its segments come).
class Sha256Stream {
 public:
  Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  /// Adds bytes.
  void Update(std::span<const uint8_t> bytes);
  /// The digest of everything added; the stream starts over.
  Sha256Hex Finish();

  /// Room for libcrypto's SHA256_CTX (112 octets), which the header does not include.
  struct alignas(8) State {
    unsigned char bytes[128];
  };

 private:
  State state_;
};

}  // namespace qw::core
