// The report's template engine: escaping of every value from the wire, sections, lookups,
// and the errors a broken template gives.
#include "report/template.h"

#include <gtest/gtest.h>

#include <string>

namespace qw::report {
namespace {

using Json = nlohmann::json;

std::string Render(const std::string& t, const Json& view) {
  auto r = RenderTemplate("t", t, view);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : "";
}

TEST(TemplateTest, EscapesValuesAndKeepsRawOnesWhole) {
  Json v = {{"name", "<script>alert('x')</script> & \"q\""}, {"svg", "<svg/>"}};
  EXPECT_EQ(Render("{{name}}", v),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(Render("{{{svg}}}", v), "<svg/>");
  EXPECT_EQ(Render("<td title=\"{{name}}\">", {{"name", "\" onmouseover=\"x"}}),
            "<td title=\"&quot; onmouseover=&quot;x\">");
}

TEST(TemplateTest, NumbersBooleansAndMissingNames) {
  EXPECT_EQ(Render("{{n}}|{{b}}|{{missing}}|{{z}}", {{"n", 42}, {"b", true}, {"z", nullptr}}),
            "42|true||");
}

TEST(TemplateTest, SectionsIterateArraysPushObjectsAndTestTruth) {
  Json v = {
      {"rows", {{{"a", 1}}, {{"a", 2}}}}, {"obj", {{"x", "in"}}}, {"yes", true}, {"no", false},
      {"empty", Json::array()},           {"list", {"p", "<q>"}}, {"outer", "o"}};
  EXPECT_EQ(Render("{{#rows}}[{{a}}{{outer}}]{{/rows}}", v), "[1o][2o]");
  EXPECT_EQ(Render("{{#obj}}{{x}}{{/obj}}", v), "in");
  EXPECT_EQ(Render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{#empty}}E{{/empty}}", v), "Y");
  EXPECT_EQ(Render("{{^no}}not{{/no}}{{^empty}} none{{/empty}}{{^yes}}!{{/yes}}", v), "not none");
  EXPECT_EQ(Render("{{#list}}{{.}},{{/list}}", v), "p,&lt;q&gt;,");
  EXPECT_EQ(Render("{{#missing}}M{{/missing}}{{^missing}}absent{{/missing}}", v), "absent");
}

TEST(TemplateTest, DottedNamesAndArrayIndexes) {
  Json v = {{"a", {{"b", {{"c", "deep"}}}}}, {"xs", {"first", "second"}}};
  EXPECT_EQ(Render("{{a.b.c}}|{{xs.1}}|{{xs.9}}|{{a.nope}}", v), "deep|second||");
  EXPECT_EQ(Render("{{#xs.0}}has{{/xs.0}}", v), "has");
}

TEST(TemplateTest, NestedSectionsOfTheSameName) {
  Json v = {{"n", {{"n", {1, 2}}}}};
  EXPECT_EQ(Render("{{#n}}<{{#n}}{{.}}{{/n}}>{{/n}}", v), "<12>");
}

TEST(TemplateTest, CommentsVanish) { EXPECT_EQ(Render("a{{! a comment }}b", {}), "ab"); }

TEST(TemplateTest, BrokenTemplatesSayWhereAndWhat) {
  auto unclosed_tag = RenderTemplate("page.html", "ab {{name", {});
  ASSERT_FALSE(unclosed_tag.ok());
  EXPECT_EQ(unclosed_tag.error().message, "template page.html: offset 3: tag not closed");
  auto unclosed_section = RenderTemplate("page.html", "{{#rows}}x", {{"rows", {1}}});
  ASSERT_FALSE(unclosed_section.ok());
  EXPECT_EQ(unclosed_section.error().message,
            "template page.html: offset 0: section rows is not closed");
  auto stray = RenderTemplate("page.html", "x{{/rows}}", {});
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.error().message, "template page.html: offset 1: {{/rows}} closes nothing");
}

TEST(TemplateTest, NestingIsBounded) {
  std::string t;
  Json v = {{"s", true}};
  for (int i = 0; i < 40; ++i) t += "{{#s}}";
  for (int i = 0; i < 40; ++i) t += "{{/s}}";
  auto r = RenderTemplate("deep", t, v);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nested deeper than 32"), std::string::npos);
}

}  // namespace
}  // namespace qw::report
