// ASCII case folding for the text protocols' keywords, header names and well-known values
// (FTP commands, HTTP fields, TFTP modes, certificate names). Bytes outside A-Z are left
// as they are: nothing here depends on the locale.
#pragma once

#include <string_view>

namespace qw::core {

/// `c` in lower case when it is an ASCII capital letter; otherwise `c`.
constexpr char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// True for an ASCII letter or digit.
constexpr bool AsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// True when `a` equals `b` ignoring ASCII case.
constexpr bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

/// True when `text` starts with `prefix` ignoring ASCII case.
constexpr bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsNoCase(text.substr(0, prefix.size()), prefix);
}

/// True when `text` contains `word` ignoring ASCII case.
constexpr bool ContainsNoCase(std::string_view text, std::string_view word) {
  for (size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (EqualsNoCase(text.substr(i, word.size()), word)) return true;
  }
  return false;
}

}  // namespace qw::core
