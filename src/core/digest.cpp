#include "core/digest.h"

#include <openssl/evp.h>

#include <array>

namespace qw::core {

namespace {

template <size_t N>
FixedText<N> ToHex(const unsigned char* md, unsigned int n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  FixedText<N> out;
  for (unsigned int i = 0; i < n; ++i) out.Append(kDigits[md[i] >> 4]).Append(kDigits[md[i] & 0xf]);
  return out;
}

template <size_t N>
FixedText<N> Digest(const void* data, size_t size, const EVP_MD* type) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  if (EVP_Digest(data, size, md.data(), &n, type, nullptr) != 1) return {};
  return ToHex<N>(md.data(), n);
}

}  // namespace

Md5Hex Md5(std::span<const uint8_t> bytes) {
  return Digest<32>(bytes.data(), bytes.size(), EVP_md5());
}

Md5Hex Md5(std::string_view text) { return Digest<32>(text.data(), text.size(), EVP_md5()); }

Sha256Hex Sha256(std::string_view text) {
  return Digest<64>(text.data(), text.size(), EVP_sha256());
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
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
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  return ToHex<64>(md.data(), n);
}

}  // namespace qw::core
