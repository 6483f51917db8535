// Signed JSON documents: manifests and allow-lists carry an Ed25519 signature over their own
// content, so that a copy edited anywhere (a hash swapped, an item dropped) is refused.
//
// The signature covers the document's canonical bytes: the JSON object without its
// "signature" member, serialised compactly with members in sorted order (nlohmann::json's
// own order). It sits in the document as
//   "signature": {"algorithm": "ed25519", "key_id": "<16 hex>", "value": "<base64>"}
// and is checked against a public key the reader trusts, never against one the document
// names itself.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "integrity/keys.h"

namespace qw::integrity {

/// Largest signed document read (a manifest of a million items with their text configs is
/// far less); more is refused before it is parsed.
inline constexpr size_t kMaxSignedDocumentBytes = size_t{512} << 20;

/// The octets a signature covers.
std::string CanonicalBytes(const nlohmann::json& doc);
/// Signs `doc` (an object) with `key`, replacing any "signature" it had.
void SignDocument(nlohmann::json& doc, const SecretKey& key);
/// Checks `doc`'s signature against `trusted`; the error, prefixed with `where`, says whether
/// the signature is missing, made by another key, or does not match the content.
core::Status CheckDocumentSignature(const nlohmann::json& doc, const PublicKey& trusted,
                                    const std::string& where);
/// Reads the JSON file `path`, checks its "format" is `format`, then its signature.
core::Result<nlohmann::json> LoadSignedDocument(const std::string& path, const std::string& format,
                                                const PublicKey& trusted);
/// Signs `doc` and writes it to `path` atomically, indented for people to read.
core::Status WriteSignedDocument(const std::string& path, nlohmann::json doc, const SecretKey& key);

}  // namespace qw::integrity
