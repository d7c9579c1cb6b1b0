// The moe_combine flags: values read back, --topk and --tokens shared with a report's own
// flags of those names, and bad values refused naming the flag, at parse (CLI11's
// ParseError, which the command turns into exit 2) or by plan_combine (RequestError, exit 2
// too) for what parsing cannot judge.
#include "cli/combine/flags.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/runs/request_error.hpp"

namespace ulpcheck::cli {
namespace {

/// The subcommand with the combine flags alone, parsed from `args`.
struct Parsed {
  CLI::App app{"test"};
  CombineFlags flags;
  Parsed() { flags.add_to(app); }
  void parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes them last to first
    app.parse(args);
  }
};

/// What parsing `args` refuses, or "" when it parses.
std::string parse_error(const std::vector<std::string>& args) {
  Parsed p;
  try {
    p.parse(args);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return {};
}

TEST(CombineFlags, ValuesGivenAreReadBack) {
  Parsed p;
  p.parse({"--topk", "6", "--hidden", "512", "--tokens", "32", "--routed-scaling-factor", "16"});
  const CombineReportOptions o = p.flags.given();
  EXPECT_EQ(o.topk, 6);
  EXPECT_EQ(o.hidden, 512);
  EXPECT_EQ(o.tokens, 32);
  EXPECT_EQ(o.routed_scaling_factor, "16");
  EXPECT_EQ(p.flags.options().size(), 4u);
  const CombinePlan plan = plan_combine(o, {Format::bf16}, {}, 1);
  ASSERT_EQ(plan.configs.size(), 1u);
  EXPECT_EQ(plan.configs[0].label(), "k=6 hidden=512 scale=16");
}

TEST(CombineFlags, NoneGivenLeavesTheDefaults) {
  Parsed p;
  p.parse({});
  const CombineReportOptions o = p.flags.given();
  EXPECT_TRUE(o.given().empty());
  EXPECT_EQ(plan_combine(o, {Format::bf16}, {}, 1).configs, default_combine_configs());
}

TEST(CombineFlags, TopkAndTokensAreTheReportsOwnFlagsWhereItHasThem) {
  CLI::App app{"report"};
  std::optional<int> routing_topk;
  std::optional<std::int64_t> layout_tokens;
  app.add_option("--topk", routing_topk, "experts picked");
  app.add_option("--tokens", layout_tokens, "rows of one call");
  CombineFlags flags;
  flags.add_to(app);  // no OptionAlreadyAdded: the two are shared, not added again
  EXPECT_EQ(flags.options().size(), 2u);
  app.parse(std::vector<std::string>{"40", "--topk", "100", "--tokens"});
  EXPECT_EQ(routing_topk, 40);
  EXPECT_EQ(flags.given().topk, 40);
  EXPECT_EQ(flags.given().tokens, 100);
  // The routing's range is not the combine's: plan_combine refuses it, naming the flag.
  try {
    (void)plan_combine(flags.given(), {Format::bf16}, {}, 1);
    ADD_FAILURE() << "--topk 40 planned";
  } catch (const RequestError& e) {
    EXPECT_EQ(std::string(e.what()), "--topk 40: topk is 40; it must be in [1, 32]");
  }
}

TEST(CombineFlags, BadValuesAreRefusedAtParseNamingTheFlag) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--hidden", "0"},
           {"--hidden", "65537"},
           {"--hidden", "wide"},
           {"--topk", "33"},
           {"--topk", "0"},
           {"--tokens", "0"},
           {"--tokens", "many"},
           {"--routed-scaling-factor", "0"},
           {"--routed-scaling-factor", "-2.5"},
           {"--routed-scaling-factor", "nan"},
           {"--routed-scaling-factor", "inf"},
           {"--routed-scaling-factor", "2.5x"}}) {
    const std::string why = parse_error(args);
    EXPECT_NE(why.find(args[0]), std::string::npos) << args[0] << " " << args[1] << ": " << why;
  }
  EXPECT_EQ(parse_error({"--routed-scaling-factor", "2.5", "--hidden", "7168", "--topk", "8"}), "");
}

TEST(CombineFlags, WhatParsingCannotJudgeIsARequestErrorNamingTheFlag) {
  Parsed p;
  p.parse({"--routed-scaling-factor", "1e39"});  // finite and positive, but beyond fp32
  try {
    (void)plan_combine(p.flags.given(), {Format::bf16}, {}, 1);
    ADD_FAILURE() << "1e39 planned";
  } catch (const RequestError& e) {
    EXPECT_EQ(std::string(e.what()), "--routed-scaling-factor 1e39: beyond fp32's largest value 3.40282347e+38");
  }
}

}  // namespace
}  // namespace ulpcheck::cli
