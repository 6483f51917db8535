// Ed25519 key pairs (libsodium) that sign integrity manifests and transfer allow-lists.
//
// Files, text, one field per line:
//   quaywatch-ed25519-secret-key v1 | key-id: <16 hex> | <base64 of the 64-octet secret key>
//   quaywatch-ed25519-public-key v1 | key-id: <16 hex> | <base64 of the 32-octet public key>
// The key id is the first 16 hex digits of the SHA-256 of the public key; a manifest names
// the key that signed it by this id. The secret key file is created 0600 and refused when
// others may read it (as OpenSSH refuses a private key that is too open).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "core/result.h"

namespace qw::integrity {

/// Octets of an Ed25519 public key, secret key (seed and public key) and signature.
inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSecretKeyBytes = 64;
inline constexpr size_t kSignatureBytes = 64;

/// A public key that verifies signatures.
struct PublicKey {
  std::array<uint8_t, kPublicKeyBytes> bytes{};
  /// First 16 hex digits of the SHA-256 of the key: how manifests name their signer.
  std::string Id() const;
};

/// A secret key; its octets are wiped when it goes away and never leave this object except
/// to sign.
class SecretKey {
 public:
  SecretKey() = default;
  ~SecretKey();
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;

  /// The public half.
  PublicKey Public() const;
  /// An Ed25519 signature of `message`.
  std::array<uint8_t, kSignatureBytes> Sign(std::span<const uint8_t> message) const;

 private:
  friend core::Result<SecretKey> LoadSecretKey(const std::string& path);
  friend core::Result<PublicKey> GenerateKeyPair(const std::string& prefix, bool overwrite);
  std::array<uint8_t, kSecretKeyBytes> bytes_{};
};

/// True when `signature` is `key`'s Ed25519 signature of `message`.
bool VerifySignature(const PublicKey& key, std::span<const uint8_t> message,
                     std::span<const uint8_t> signature);

/// Makes a key pair and writes PREFIX.key (0600) and PREFIX.pub; refuses to replace either
/// unless `overwrite`. The secret key is never printed.
core::Result<PublicKey> GenerateKeyPair(const std::string& prefix, bool overwrite);
/// Reads a secret key file; refuses one that group or others may read.
core::Result<SecretKey> LoadSecretKey(const std::string& path);
/// Reads a public key file (or a secret key file, whose public half it takes).
core::Result<PublicKey> LoadPublicKey(const std::string& path);

/// Standard base64 (with padding) of `bytes`.
std::string Base64(std::span<const uint8_t> bytes);
/// Decodes standard base64 into exactly `out.size()` octets; false otherwise.
bool DecodeBase64(std::string_view text, std::span<uint8_t> out);

}  // namespace qw::integrity
