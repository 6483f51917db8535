#include "core/digest.h"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace qw::core {

namespace {

template <size_t N>
FixedText<N> ToHex(const unsigned char* md, unsigned int n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  FixedText<N> out;
  for (unsigned int i = 0; i < n; ++i) out.Append(kDigits[md[i] >> 4]).Append(kDigits[md[i] & 0xf]);
  return out;
}

// The algorithms, fetched once: OpenSSL 3 looks an algorithm up again on every use of
// EVP_md5() and EVP_sha256(), which costs more than hashing a TLS hello.
const EVP_MD* Md5Algorithm() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}

const EVP_MD* Sha256Algorithm() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// One digest context per thread, reused.
EVP_MD_CTX* ThreadContext() {
  thread_local std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(),
                                                                      &EVP_MD_CTX_free);
  return ctx.get();
}

template <size_t N>
FixedText<N> Digest(const void* data, size_t size, const EVP_MD* type) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  EVP_MD_CTX* ctx = ThreadContext();
  if (!type || !ctx || EVP_DigestInit_ex(ctx, type, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data, size) != 1 || EVP_DigestFinal_ex(ctx, md.data(), &n) != 1) {
    return {};
  }
  return ToHex<N>(md.data(), n);
}

}  // namespace

Md5Hex Md5(std::span<const uint8_t> bytes) {
  return Digest<32>(bytes.data(), bytes.size(), Md5Algorithm());
}

Md5Hex Md5(std::string_view text) { return Digest<32>(text.data(), text.size(), Md5Algorithm()); }

Sha256Hex Sha256(std::string_view text) {
  return Digest<64>(text.data(), text.size(), Sha256Algorithm());
}

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
