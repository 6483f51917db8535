// Hex text for fixtures, identifiers and output of raw values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qw::core {

/// Lower-case hex of the bytes, with no separators.
std::string ToHex(std::span<const uint8_t> bytes);
/// Parses hex text, ignoring whitespace and "#" comments to the end of a line, so fixtures
/// can be annotated field by field; nullopt on an odd digit count or a stray character.
std::optional<std::vector<uint8_t>> ParseHex(std::string_view text);

}  // namespace qw::core
