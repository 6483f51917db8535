#include "integrity/keys.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/whole_file.h"

namespace qw::integrity {
namespace {

constexpr std::string_view kSecretHeader = "quaywatch-ed25519-secret-key v1";
constexpr std::string_view kPublicHeader = "quaywatch-ed25519-public-key v1";
// Key files are three short lines; more is not a key file.
constexpr size_t kMaxKeyFileBytes = 1024;

void InitSodium() {
  // Only fails when the system offers no randomness, where no key can be made safely.
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();
}

std::string KeyFileText(std::string_view header, const std::string& id,
                        std::span<const uint8_t> bytes) {
  return fmt::format("{}\nkey-id: {}\n{}\n", header, id, Base64(bytes));
}

// Writes `text` to a new file `path` with `mode`, through a temporary name and a rename so
// that a crash leaves no half key; `overwrite` allows replacing an existing file.
core::Status WriteKeyFile(const std::string& path, const std::string& text, mode_t mode,
                          bool overwrite) {
  if (!overwrite && ::access(path.c_str(), F_OK) == 0) {
    return core::MakeError(
        fmt::format("{}: exists; keygen never replaces a key (use --force "
                    "after moving the old key somewhere safe)",
                    path));
  }
  std::string temp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return core::MakeError(fmt::format("{}: cannot create: {}", temp, std::strerror(errno)));
  // The umask may have taken bits away, never added them; set exactly what is meant.
  bool ok = ::fchmod(fd, mode) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    ::unlink(temp.c_str());
    return core::MakeError(fmt::format("{}: cannot write: {}", path, std::strerror(saved)));
  }
  return {};
}

// The three lines of a key file: header, id, base64 octets.
struct KeyFile {
  std::string header, id, body;
};

core::Result<KeyFile> ReadKeyFile(const std::string& path, struct stat* status = nullptr) {
  auto text = core::ReadWholeFile(path, kMaxKeyFileBytes, "quaywatch key file",
                                  core::FileKinds::kRegularOnly, status);
  if (!text) return core::MakeError(fmt::format("{}: {}", path, text.error().message));
  std::istringstream lines(*text);
  sodium_memzero(text->data(), text->size());
  KeyFile k;
  std::getline(lines, k.header);
  std::getline(lines, k.id);
  std::getline(lines, k.body);
  if (k.id.rfind("key-id: ", 0) != 0) {
    return core::MakeError(fmt::format("{}:2: expected 'key-id: <16 hex digits>'", path));
  }
  k.id = k.id.substr(8);
  return k;
}

}  // namespace

std::string PublicKey::Id() const {
  auto hex =
      core::Sha256(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  return std::string(hex.view().substr(0, 16));
}

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

PublicKey SecretKey::Public() const {
  PublicKey pk;
  crypto_sign_ed25519_sk_to_pk(pk.bytes.data(), bytes_.data());
  return pk;
}

std::array<uint8_t, kSignatureBytes> SecretKey::Sign(std::span<const uint8_t> message) const {
  InitSodium();
  std::array<uint8_t, kSignatureBytes> sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), bytes_.data());
  return sig;
}

bool VerifySignature(const PublicKey& key, std::span<const uint8_t> message,
                     std::span<const uint8_t> signature) {
  InitSodium();
  if (signature.size() != kSignatureBytes) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     key.bytes.data()) == 0;
}

core::Result<PublicKey> GenerateKeyPair(const std::string& prefix, bool overwrite) {
  InitSodium();
  SecretKey sk;
  PublicKey pk;
  crypto_sign_keypair(pk.bytes.data(), sk.bytes_.data());
  std::string secret_text = KeyFileText(kSecretHeader, pk.Id(), sk.bytes_);
  core::Status s = WriteKeyFile(prefix + ".key", secret_text, 0600, overwrite);
  sodium_memzero(secret_text.data(), secret_text.size());
  if (!s) return core::MakeError(s.message());
  s = WriteKeyFile(prefix + ".pub", KeyFileText(kPublicHeader, pk.Id(), pk.bytes), 0644, overwrite);
  if (!s) return core::MakeError(s.message());
  return pk;
}

core::Result<SecretKey> LoadSecretKey(const std::string& path) {
  // The permissions of the file read, not of whatever the name pointed at a moment before.
  struct stat st {};
  auto file = ReadKeyFile(path, &st);
  if (!file) return file.error();
  if ((st.st_mode & 077) != 0) {
    sodium_memzero(file->body.data(), file->body.size());
    return core::MakeError(fmt::format(
        "{}: permissions {:04o} let others read the secret key; chmod 600 it (and consider it "
        "exposed)",
        path, st.st_mode & 07777));
  }
  if (file->header != kSecretHeader) {
    return core::MakeError(
        fmt::format("{}:1: not a quaywatch secret key (expected '{}')", path, kSecretHeader));
  }
  SecretKey sk;
  bool decoded = DecodeBase64(file->body, sk.bytes_);
  sodium_memzero(file->body.data(), file->body.size());
  if (!decoded)
    return core::MakeError(fmt::format("{}:3: the key is not 64 octets of base64", path));
  if (sk.Public().Id() != file->id) {
    return core::MakeError(
        fmt::format("{}:2: key id {} does not belong to this key", path, file->id));
  }
  return sk;
}

core::Result<PublicKey> LoadPublicKey(const std::string& path) {
  auto file = ReadKeyFile(path);
  if (!file) return file.error();
  if (file->header == kSecretHeader) {
    auto sk = LoadSecretKey(path);
    if (!sk) return sk.error();
    return sk->Public();
  }
  if (file->header != kPublicHeader) {
    return core::MakeError(
        fmt::format("{}:1: not a quaywatch public key (expected '{}')", path, kPublicHeader));
  }
  PublicKey pk;
  if (!DecodeBase64(file->body, pk.bytes)) {
    return core::MakeError(fmt::format("{}:3: the key is not 32 octets of base64", path));
  }
  if (pk.Id() != file->id) {
    return core::MakeError(
        fmt::format("{}:2: key id {} does not belong to this key", path, file->id));
  }
  return pk;
}

std::string Base64(std::span<const uint8_t> bytes) {
  InitSodium();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool DecodeBase64(std::string_view text, std::span<uint8_t> out) {
  InitSodium();
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return false;
  }
  return len == out.size() && end == text.data() + text.size();
}

}  // namespace qw::integrity
