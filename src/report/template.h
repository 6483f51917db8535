// A small Mustache subset that turns the report's templates (files under
// src/report/templates/, embedded at build time) and a JSON view into HTML. Every value is
// HTML-escaped unless the template asks for it raw with triple braces, which only the
// report's own trusted parts (inlined CSS, scripts, the Graphviz SVG) use: names, banners
// and user agents come from the wire and are an adversary's to choose.
//
//   {{name}}           the value, escaped; dotted names (a.b) look inside objects; {{.}} is
//                      the current item
//   {{{name}}}         the value as it is
//   {{#name}}...{{/name}}  once per element of an array, once with an object pushed onto the
//                      lookup stack, once for any other true value; never for false, null,
//                      0, "" or []
//   {{^name}}...{{/name}}  once when {{#name}} would not run at all
//   {{! comment }}
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace qw::report {

/// Renders `tmpl` (named `name` in errors) with `view`; an error names the template and the
/// byte offset of an unclosed or mismatched section, or sections nested deeper than 32.
core::Result<std::string> RenderTemplate(std::string_view name, std::string_view tmpl,
                                         const nlohmann::json& view);

/// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace qw::report
