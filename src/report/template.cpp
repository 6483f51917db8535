#include "report/template.h"

#include <fmt/format.h>

#include <vector>

namespace qw::report {

namespace {

constexpr int kMaxDepth = 32;

// One parsed tag: what it is, its name, and where it and its text end.
struct Tag {
  char kind = 0;  // 0 variable, '{' raw, '#' section, '^' inverted, '/' close, '!' comment
  std::string_view name;
  size_t begin = 0, end = 0;  // the tag's bytes in the template
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The next tag at or after `from`; nullopt-like (begin == npos) when there is none.
core::Result<Tag> NextTag(std::string_view name, std::string_view t, size_t from) {
  Tag tag;
  const size_t open = t.find("{{", from);
  if (open == std::string_view::npos) {
    tag.begin = std::string_view::npos;
    return tag;
  }
  tag.begin = open;
  size_t p = open + 2;
  std::string_view closing = "}}";
  if (p < t.size() && t[p] == '{') {
    tag.kind = '{';
    closing = "}}}";
    ++p;
  } else if (p < t.size() && (t[p] == '#' || t[p] == '^' || t[p] == '/' || t[p] == '!')) {
    tag.kind = t[p];
    ++p;
  }
  const size_t close = t.find(closing, p);
  if (close == std::string_view::npos) {
    return core::Error{fmt::format("template {}: offset {}: tag not closed", name, open)};
  }
  tag.name = Trim(t.substr(p, close - p));
  tag.end = close + closing.size();
  return tag;
}

// Looks `name` up from the innermost context outwards; null when nothing holds it.
const nlohmann::json* Lookup(const std::vector<const nlohmann::json*>& stack,
                             std::string_view name) {
  if (name == ".") return stack.back();
  const size_t dot = name.find('.');
  const std::string first(name.substr(0, dot));
  for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
    const nlohmann::json& ctx = **it;
    if (!ctx.is_object()) continue;
    auto found = ctx.find(first);
    if (found == ctx.end()) continue;
    const nlohmann::json* v = &*found;
    std::string_view rest = dot == std::string_view::npos ? "" : name.substr(dot + 1);
    while (!rest.empty()) {
      const size_t d = rest.find('.');
      const std::string part(rest.substr(0, d));
      if (v->is_array() && !part.empty() &&
          part.find_first_not_of("0123456789") == std::string::npos && part.size() < 9) {
        const size_t i = std::stoul(part);
        if (i >= v->size()) return nullptr;
        v = &(*v)[i];
      } else if (v->is_object() && v->contains(part)) {
        v = &(*v)[part];
      } else {
        return nullptr;
      }
      rest = d == std::string_view::npos ? "" : rest.substr(d + 1);
    }
    return v;
  }
  return nullptr;
}

bool Truthy(const nlohmann::json* v) {
  if (!v || v->is_null()) return false;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_number()) return v->get<double>() != 0;
  if (v->is_string()) return !v->get_ref<const std::string&>().empty();
  if (v->is_array() || v->is_object()) return !v->empty();
  return true;
}

std::string Text(const nlohmann::json* v) {
  if (!v || v->is_null()) return {};
  if (v->is_string()) return v->get<std::string>();
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  return v->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class Renderer {
 public:
  Renderer(std::string_view name, std::string_view t) : name_(name), t_(t) {}

  // Renders t_[from, to) into out; `to` is the start of the closing tag of the section.
  core::Status Render(size_t from, size_t to, std::vector<const nlohmann::json*>& stack, int depth,
                      std::string& out) {
    if (depth > kMaxDepth) {
      return core::MakeError(fmt::format("template {}: offset {}: sections nested deeper than {}",
                                         name_, from, kMaxDepth));
    }
    size_t p = from;
    while (p < to) {
      auto tag = NextTag(name_, t_.substr(0, to), p);
      if (!tag) return core::MakeError(tag.error().message);
      if (tag->begin == std::string_view::npos) {
        out.append(t_.substr(p, to - p));
        break;
      }
      out.append(t_.substr(p, tag->begin - p));
      p = tag->end;
      switch (tag->kind) {
        case '!':
          break;
        case '/':
          return core::MakeError(fmt::format("template {}: offset {}: {{{{/{}}}}} closes nothing",
                                             name_, tag->begin, tag->name));
        case '{':
          out += Text(Lookup(stack, tag->name));
          break;
        case 0:
          out += HtmlEscape(Text(Lookup(stack, tag->name)));
          break;
        default: {  // a section: find its matching close, counting nested ones of its name
          auto close = MatchingClose(*tag, to);
          if (!close) return core::MakeError(close.error().message);
          const nlohmann::json* v = Lookup(stack, tag->name);
          const size_t inner = tag->end, inner_end = close->begin;
          if (tag->kind == '^') {
            if (!Truthy(v)) {
              if (auto s = Render(inner, inner_end, stack, depth + 1, out); !s) return s;
            }
          } else if (Truthy(v)) {
            if (v->is_array()) {
              for (const auto& item : *v) {
                stack.push_back(&item);
                auto s = Render(inner, inner_end, stack, depth + 1, out);
                stack.pop_back();
                if (!s) return s;
              }
            } else {
              stack.push_back(v);
              auto s = Render(inner, inner_end, stack, depth + 1, out);
              stack.pop_back();
              if (!s) return s;
            }
          }
          p = close->end;
          break;
        }
      }
    }
    return {};
  }

 private:
  core::Result<Tag> MatchingClose(const Tag& open, size_t to) {
    int level = 1;
    size_t p = open.end;
    while (true) {
      auto tag = NextTag(name_, t_.substr(0, to), p);
      if (!tag) return tag;
      if (tag->begin == std::string_view::npos) break;
      p = tag->end;
      if ((tag->kind == '#' || tag->kind == '^') && tag->name == open.name) ++level;
      if (tag->kind == '/' && tag->name == open.name && --level == 0) return tag;
    }
    return core::Error{fmt::format("template {}: offset {}: section {} is not closed", name_,
                                   open.begin, open.name)};
  }

  std::string_view name_, t_;
};

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

core::Result<std::string> RenderTemplate(std::string_view name, std::string_view tmpl,
                                         const nlohmann::json& view) {
  std::string out;
  out.reserve(tmpl.size() * 2);
  std::vector<const nlohmann::json*> stack{&view};
  Renderer r(name, tmpl);
  if (auto s = r.Render(0, tmpl.size(), stack, 0, out); !s) return core::Error{s.message()};
  return out;
}

}  // namespace qw::report
