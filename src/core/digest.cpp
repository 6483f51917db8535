#include "core/digest.h"

#include <nettle/md5.h>
#include <nettle/sha2.h>
#include <openssl/evp.h>

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

// SHA-256 for streams, fetched once: OpenSSL 3 looks an algorithm up again on every use of
// EVP_sha256(). Streams hash file contents, where its SHA extensions code is the fastest.
const EVP_MD* Sha256Algorithm() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

// One-shot digests of short texts (fingerprints) go through Nettle, whose contexts are plain
// structures: OpenSSL 3 allocates and frees a provider context on every EVP_DigestInit_ex,
// several thousand instructions for a 40-octet JA3 string.
Md5Hex Md5(std::span<const uint8_t> bytes) {
  md5_ctx ctx;
  md5_init(&ctx);
  md5_update(&ctx, bytes.size(), bytes.data());
  std::array<unsigned char, MD5_DIGEST_SIZE> md;
  md5_digest(&ctx, md.size(), md.data());
  return ToHex<32>(md.data(), md.size());
}

Md5Hex Md5(std::string_view text) {
  return Md5(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Sha256Hex Sha256(std::string_view text) {
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, text.size(), reinterpret_cast<const uint8_t*>(text.data()));
  std::array<unsigned char, SHA256_DIGEST_SIZE> md;
  sha256_digest(&ctx, md.size(), md.data());
  return ToHex<64>(md.data(), md.size());
}

void PrepareSha256Stream() { (void)Sha256Algorithm(); }

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), Sha256Algorithm(), nullptr);
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Stream::Update(std::span<const uint8_t> bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

Sha256Hex Sha256Stream::Finish() {
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx, md.data(), &n);
  EVP_DigestInit_ex(ctx, Sha256Algorithm(), nullptr);
  return ToHex<64>(md.data(), n);
}

}  // namespace qw::core
