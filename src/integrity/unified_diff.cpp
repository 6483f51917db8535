#include "integrity/unified_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace qw::integrity {
namespace {

constexpr int kContext = 3;

// Lines of `text` without their '\n'; a last line without one is a line too.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// One step of an edit script: a line kept, removed from `a` or added from `b`.
struct Edit {
  char op;   // ' ', '-', '+'
  int a, b;  // line indices in a and b (the one that applies)
};

// Myers' O(ND) shortest edit script over a[lo_a, hi_a) and b[lo_b, hi_b); false past kMaxDiffEdits.
bool Myers(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b, int lo_a,
           int hi_a, int lo_b, int hi_b, std::vector<Edit>& out) {
  const int n = hi_a - lo_a, m = hi_b - lo_b;
  const int offset = kMaxDiffEdits + 2;
  std::vector<int> v(2 * offset + 1, 0);
  // trace[d] holds v[k] for k in [-d-1, d+1] as it stood before step d.
  std::vector<std::vector<int>> trace;
  int found = -1;
  for (int d = 0; d <= kMaxDiffEdits && found < 0; ++d) {
    trace.emplace_back(v.begin() + offset - d - 1, v.begin() + offset + d + 2);
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                  ? v[offset + k + 1]
                  : v[offset + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[lo_a + x] == b[lo_b + y]) ++x, ++y;
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return false;
  std::vector<Edit> rev;
  int x = n, y = m;
  for (int d = found; d >= 0; --d) {
    const std::vector<int>& t = trace[d];
    auto at = [&](int k) { return t[k + d + 1]; };
    int k = x - y;
    int prev_k = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
    int prev_x = d == 0 ? 0 : at(prev_k);
    int prev_y = prev_x - prev_k;
    if (d == 0) prev_y = 0;
    while (x > prev_x && y > prev_y) {
      rev.push_back({' ', lo_a + x - 1, lo_b + y - 1});
      --x, --y;
    }
    if (d > 0) {
      if (x == prev_x) {
        rev.push_back({'+', lo_a + x, lo_b + y - 1});
      } else {
        rev.push_back({'-', lo_a + x - 1, lo_b + y});
      }
      x = prev_x, y = prev_y;
    }
  }
  out.insert(out.end(), rev.rbegin(), rev.rend());
  return true;
}

}  // namespace

std::optional<std::string> UnifiedDiff(std::string_view before, std::string_view after,
                                       std::string_view before_label,
                                       std::string_view after_label) {
  if (before == after) return std::string();
  auto a = Lines(before), b = Lines(after);
  int na = static_cast<int>(a.size()), nb = static_cast<int>(b.size());
  // Common head and tail first: most configuration changes touch a few lines.
  int head = 0;
  while (head < na && head < nb && a[head] == b[head]) ++head;
  int tail = 0;
  while (tail < na - head && tail < nb - head && a[na - 1 - tail] == b[nb - 1 - tail]) ++tail;
  std::vector<Edit> script;
  for (int i = 0; i < head; ++i) script.push_back({' ', i, i});
  if (!Myers(a, b, head, na - tail, head, nb - tail, script)) return std::nullopt;
  for (int i = tail; i > 0; --i) script.push_back({' ', na - i, nb - i});

  std::string out = fmt::format("--- {}\n+++ {}\n", before_label, after_label);
  const int total = static_cast<int>(script.size());
  int i = 0;
  while (i < total) {
    // The next change, and the hunk around it: changes closer than twice the context merge.
    while (i < total && script[i].op == ' ') ++i;
    if (i == total) break;
    int start = std::max(0, i - kContext);
    int end = i;
    int last_change = i;
    while (end < total) {
      if (script[end].op != ' ') last_change = end;
      if (end - last_change > 2 * kContext) break;
      ++end;
    }
    end = std::min(total, last_change + kContext + 1);
    int a_start = -1, b_start = -1, a_count = 0, b_count = 0;
    std::string body;
    for (int j = start; j < end; ++j) {
      const Edit& e = script[j];
      if (e.op != '+') {
        if (a_start < 0) a_start = e.a;
        ++a_count;
      }
      if (e.op != '-') {
        if (b_start < 0) b_start = e.b;
        ++b_count;
      }
      std::string_view line = e.op == '+' ? b[e.b] : a[e.a];
      body += e.op;
      body.append(line);
      body += '\n';
    }
    // An empty side is numbered by the line before it, as diff(1) does.
    if (a_start < 0) a_start = script[start].a;
    if (b_start < 0) b_start = script[start].b;
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_count ? a_start + 1 : a_start, a_count,
                       b_count ? b_start + 1 : b_start, b_count);
    out += body;
    i = end;
  }
  return out;
}

}  // namespace qw::integrity
