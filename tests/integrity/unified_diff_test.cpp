#include "integrity/unified_diff.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace qw::integrity {
namespace {

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// Applies a unified diff to `before`'s lines, checking every context and removed line
// matches: the diff is only right if it turns before into after.
std::vector<std::string> Apply(const std::vector<std::string>& before, const std::string& diff,
                               size_t& edits) {
  std::vector<std::string> out;
  size_t at = 0;  // next line of before not yet copied
  edits = 0;
  for (const std::string& line : Split(diff)) {
    if (line.rfind("---", 0) == 0 || line.rfind("+++", 0) == 0) continue;
    if (line.rfind("@@ -", 0) == 0) {
      size_t start = std::stoul(line.substr(4));
      size_t count = std::stoul(line.substr(line.find(',') + 1));
      size_t first = count == 0 ? start : start - 1;  // zero-based line the hunk starts at
      EXPECT_GE(first, at) << line;
      while (at < first) out.push_back(before.at(at++));
      continue;
    }
    EXPECT_FALSE(line.empty());
    if (line.empty()) continue;
    std::string body = line.substr(1);
    if (line[0] == ' ' || line[0] == '-') {
      EXPECT_LT(at, before.size());
      if (at >= before.size()) return out;
      EXPECT_EQ(before[at], body);
      ++at;
      if (line[0] == ' ') out.push_back(body);
    } else {
      EXPECT_EQ(line[0], '+');
      out.push_back(body);
    }
    edits += line[0] != ' ';
  }
  while (at < before.size()) out.push_back(before[at++]);
  return out;
}

size_t Lcs(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t[a.size()][b.size()];
}

std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

TEST(UnifiedDiff, OneChangedLineWithContext) {
  std::string a =
      "hostname sw1\n!\ninterface Gi0/1\n vlan 10\n!\ninterface Gi0/2\n vlan 20\n!\nend\n";
  std::string b =
      "hostname sw1\n!\ninterface Gi0/1\n vlan 10\n!\ninterface Gi0/2\n vlan 30\n!\nend\n";
  auto d = UnifiedDiff(a, b, "a", "b");
  ASSERT_TRUE(d);
  EXPECT_EQ(
      *d,
      "--- a\n+++ b\n@@ -4,6 +4,6 @@\n  vlan 10\n !\n interface Gi0/2\n- vlan 20\n+ vlan 30\n "
      "!\n end\n");
}

TEST(UnifiedDiff, EqualTextsGiveNothing) {
  auto d = UnifiedDiff("a\nb\n", "a\nb\n", "x", "y");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->empty());
}

TEST(UnifiedDiff, FromAndToEmpty) {
  auto d = UnifiedDiff("", "a\nb\n", "x", "y");
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "--- x\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  auto e = UnifiedDiff("a\n", "", "x", "y");
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, "--- x\n+++ y\n@@ -1,1 +0,0 @@\n-a\n");
}

TEST(UnifiedDiff, RandomEditsApplyAndAreMinimal) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> a;
    size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) a.push_back("line " + std::to_string(rng() % 8));
    std::vector<std::string> b = a;
    int edits = static_cast<int>(rng() % 10);
    for (int e = 0; e < edits; ++e) {
      size_t pos = b.empty() ? 0 : rng() % (b.size() + 1);
      switch (rng() % 3) {
        case 0:
          b.insert(b.begin() + static_cast<long>(pos), "new " + std::to_string(rng() % 5));
          break;
        case 1:
          if (pos < b.size()) b.erase(b.begin() + static_cast<long>(pos));
          break;
        default:
          if (pos < b.size()) b[pos] = "changed " + std::to_string(rng() % 5);
          break;
      }
    }
    auto d = UnifiedDiff(Join(a), Join(b), "a", "b");
    ASSERT_TRUE(d);
    size_t applied_edits = 0;
    EXPECT_EQ(Apply(a, *d, applied_edits), b) << *d;
    // A shortest edit script removes and adds exactly what the longest common subsequence leaves.
    EXPECT_EQ(applied_edits, a.size() + b.size() - 2 * Lcs(a, b)) << *d;
  }
}

TEST(UnifiedDiff, GivesUpOnTextsWithLittleInCommon) {
  std::string a, b;
  for (int i = 0; i < 3000; ++i) {
    a += "a" + std::to_string(i) + "\n";
    b += "b" + std::to_string(i) + "\n";
  }
  EXPECT_FALSE(UnifiedDiff(a, b, "a", "b").has_value());
}

}  // namespace
}  // namespace qw::integrity
