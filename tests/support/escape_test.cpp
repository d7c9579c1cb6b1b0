#include "ulpcheck/support/escape.hpp"

#include <gtest/gtest.h>

namespace ulpcheck {
namespace {

TEST(HtmlEscape, ReplacesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(html_escape("plain 2^-121"), "plain 2^-121");
}

}  // namespace
}  // namespace ulpcheck
