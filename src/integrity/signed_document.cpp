#include "integrity/signed_document.h"

#include <fmt/format.h>

#include <span>

#include "core/whole_file.h"
#include "output/atomic_file.h"

namespace qw::integrity {
namespace {

std::span<const uint8_t> Octets(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

std::string CanonicalBytes(const nlohmann::json& doc) {
  nlohmann::json copy = doc;
  if (copy.is_object()) copy.erase("signature");
  // Strict UTF-8: a document that cannot be serialised exactly cannot be signed.
  return copy.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

void SignDocument(nlohmann::json& doc, const SecretKey& key) {
  doc.erase("signature");
  std::string bytes = CanonicalBytes(doc);
  auto sig = key.Sign(Octets(bytes));
  doc["signature"] = {
      {"algorithm", "ed25519"}, {"key_id", key.Public().Id()}, {"value", Base64(sig)}};
}

core::Status CheckDocumentSignature(const nlohmann::json& doc, const PublicKey& trusted,
                                    const std::string& where) {
  if (!doc.is_object() || !doc.contains("signature") || !doc["signature"].is_object()) {
    return core::MakeError(fmt::format("{}: not signed; refusing it", where));
  }
  const auto& s = doc["signature"];
  auto str = [&](const char* k) {
    return s.contains(k) && s[k].is_string() ? s[k].get<std::string>() : std::string();
  };
  if (str("algorithm") != "ed25519") {
    return core::MakeError(fmt::format("{}: signature algorithm '{}' is not ed25519; refusing it",
                                       where, str("algorithm")));
  }
  if (str("key_id") != trusted.Id()) {
    return core::MakeError(
        fmt::format("{}: signed by key {}, not by the trusted key {}; refusing it", where,
                    str("key_id"), trusted.Id()));
  }
  std::array<uint8_t, kSignatureBytes> sig{};
  if (!DecodeBase64(str("value"), sig)) {
    return core::MakeError(
        fmt::format("{}: the signature is not 64 octets of base64; refusing it", where));
  }
  std::string bytes;
  try {
    bytes = CanonicalBytes(doc);
  } catch (const nlohmann::json::exception& e) {
    return core::MakeError(
        fmt::format("{}: cannot be serialised to check it ({}); refusing it", where, e.what()));
  }
  if (!VerifySignature(trusted, Octets(bytes), sig)) {
    return core::MakeError(fmt::format(
        "{}: signature does not match the content (edited after signing); refusing it", where));
  }
  return {};
}

core::Result<nlohmann::json> LoadSignedDocument(const std::string& path, const std::string& format,
                                                const PublicKey& trusted) {
  auto text = core::ReadWholeFile(path, kMaxSignedDocumentBytes, "signed document",
                                  core::FileKinds::kRegularOnly);
  if (!text) return core::MakeError(fmt::format("{}: {}", path, text.error().message));
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the offset where parsing stopped: a cut-off file ends there.
    return core::MakeError(fmt::format("{}: octet {}: not valid JSON (cut off or edited?): {}",
                                       path, e.byte, e.what()));
  } catch (const nlohmann::json::exception& e) {
    return core::MakeError(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  if (!doc.is_object() || !doc.contains("format") || !doc["format"].is_string() ||
      doc["format"].get<std::string>() != format) {
    return core::MakeError(
        fmt::format("{}: not a {} document (its \"format\" member differs)", path, format));
  }
  core::Status s = CheckDocumentSignature(doc, trusted, path);
  if (!s) return core::MakeError(s.message());
  return doc;
}

core::Status WriteSignedDocument(const std::string& path, nlohmann::json doc,
                                 const SecretKey& key) {
  try {
    SignDocument(doc, key);
    return output::WriteFileAtomically(path, doc.dump(2) + "\n");
  } catch (const nlohmann::json::exception& e) {
    return core::MakeError(fmt::format("{}: cannot serialise: {}", path, e.what()));
  }
}

}  // namespace qw::integrity
