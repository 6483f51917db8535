#include "core/digest.h"

// MD5_Init, SHA256_Init and their kin are deprecated in OpenSSL 3 in favour of EVP, which
// looks the algorithm up through a provider and allocates a context for every digest
// (several thousand instructions for a 40-octet JA3 string). The structure-based calls run
// the same assembly (SHA extensions where the CPU has them) on a context on the stack.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <array>

namespace qw::core {

namespace {

template <size_t N>
FixedText<N> ToHex(const unsigned char* md, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  FixedText<N> out;
  for (size_t i = 0; i < n; ++i) out.Append(kDigits[md[i] >> 4]).Append(kDigits[md[i] & 0xf]);
  return out;
}

}  // namespace

Md5Hex Md5(std::span<const uint8_t> bytes) {
  std::array<unsigned char, MD5_DIGEST_LENGTH> md;
  MD5_CTX ctx;
  MD5_Init(&ctx);
  MD5_Update(&ctx, bytes.data(), bytes.size());
  MD5_Final(md.data(), &ctx);
  return ToHex<32>(md.data(), md.size());
}

Md5Hex Md5(std::string_view text) {
  return Md5(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

static_assert(sizeof(SHA256_CTX) <= sizeof(Sha256Stream::State) &&
              alignof(SHA256_CTX) <= alignof(Sha256Stream::State));

Sha256Hex Sha256(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> md;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, text.data(), text.size());
  SHA256_Final(md.data(), &ctx);
  return ToHex<64>(md.data(), md.size());
}

Sha256Stream::Sha256Stream() { SHA256_Init(reinterpret_cast<SHA256_CTX*>(&state_)); }

void Sha256Stream::Update(std::span<const uint8_t> bytes) {
  SHA256_Update(reinterpret_cast<SHA256_CTX*>(&state_), bytes.data(), bytes.size());
}

Sha256Hex Sha256Stream::Finish() {
  auto* ctx = reinterpret_cast<SHA256_CTX*>(&state_);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> md;
  SHA256_Final(md.data(), ctx);
  SHA256_Init(ctx);
  return ToHex<64>(md.data(), md.size());
}

}  // namespace qw::core
