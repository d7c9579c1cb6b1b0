// Version 2 of the plugin ABI (kernel_abi.h): the op and its parameters by name, user_data,
// the parameter ranges a kernel declares, routing kernels with their claims; the example
// routing plugin measured like the built-in routing kernels, and a router that ignores its
// inputs caught by the report and by fuzzing; every new check of the loader on a plugin
// broken in that one way (tests/device/plugins/probe_v2_plugin.c). Version 1 is
// plugin_test.cpp's.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tests/device/plugin_loading.hpp"
#include "ulpcheck/device/plugin.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/runs/explain.hpp"
#include "ulpcheck/runs/fuzz.hpp"
#include "ulpcheck/runs/report.hpp"
#include "ulpcheck/runs/request_error.hpp"

#ifndef ULPCHECK_EXAMPLE_ROUTING_PLUGIN
#error "the build must define ULPCHECK_EXAMPLE_ROUTING_PLUGIN"
#endif

namespace ulpcheck {
namespace {

using test::load_once;
using test::test_plugin;

const Kernel& probe(const char* name) {
  load_once(test_plugin("probe_v2"));
  return *find_kernel(name);
}

const RoutingKernel& routing_probe() {
  load_once(test_plugin("probe_v2"));
  return *find_routing_kernel("probe2.first_experts");
}

const ElementwiseOp& op(const char* name) { return *find_op(name); }

TEST(PluginV2, RegistersElementwiseAndRoutingKernels) {
  const std::vector<std::string>& names = load_once(test_plugin("probe_v2"));
  EXPECT_EQ(names, (std::vector<std::string>{"probe2.params", "probe2.first_experts"}));
  ASSERT_NE(find_kernel("probe2.params"), nullptr);
  ASSERT_NE(find_routing_kernel("probe2.first_experts"), nullptr);
  EXPECT_EQ(find_kernel("probe2.first_experts"), nullptr);  // a routing kernel is not elementwise
  EXPECT_TRUE(find_kernel("probe2.params")->supports(op("silu"), Format::fp32));
  EXPECT_FALSE(find_kernel("probe2.params")->supports(op("silu"), Format::bf16));
}

TEST(PluginV2, RunReceivesTheOpItsParametersByNameAndUserData) {
  const Kernel& k = probe("probe2.params");
  Params p = op("silu_and_mul_clamp").default_params();
  p.set("limit", static_cast<float>(7.3));
  BitTensor in = BitTensor::zeros(Format::fp32, 2, 6), out = BitTensor::zeros(Format::fp32, 2, 3);
  ASSERT_NO_THROW(k.run(op("silu_and_mul_clamp"), p, in, out));  // the probe fails any other op name or parameter
  for (std::uint32_t bits : out.bits) EXPECT_EQ(bits, encode(Format::fp32, static_cast<float>(7.3)));
  BitTensor x = BitTensor::zeros(Format::fp32, 2, 3), y = BitTensor::zeros(Format::fp32, 2, 3);
  EXPECT_NO_THROW(k.run(op("silu"), Params{}, x, y));  // no parameters: count 0
}

TEST(PluginV2, ValuesOutsideTheDeclaredRangeAreNotTaken) {
  const Kernel& k = probe("probe2.params");
  const ElementwiseOp& clamp = op("silu_and_mul_clamp");
  Params p = clamp.default_params();
  for (double inside : {1.0, 5.0, 10.0}) EXPECT_EQ(k.unsupported_params(clamp, Format::fp32, p.set("limit", inside)), "");
  for (double outside : {0.0, 0.5, 10.5, HUGE_VAL}) {
    const std::string why = k.unsupported_params(clamp, Format::fp32, p.set("limit", outside));
    EXPECT_NE(why.find("probe2.params takes limit in [1, 10] only"), std::string::npos) << why;
  }
  // A report asked for a value outside the range measures nothing, and says why.
  ReportRequest r;
  r.ops = {"silu_and_mul_clamp"};
  r.dtypes = {"fp32"};
  r.kernels = {"probe2.params"};
  r.params = {{"limit", "20"}};
  r.samples = 100;
  try {
    plan_report(r);
    ADD_FAILURE() << "planned a report the kernel does not take";
  } catch (const RequestError& e) {
    EXPECT_EQ(std::string(e.what()), "--kernel probe2.params: probe2.params takes limit in [1, 10] only, not 20");
  }
}

RoutingConfig small_config(Scoring scoring = Scoring::sigmoid) {
  RoutingConfig c;
  c.experts = 16;
  c.n_group = 4;
  c.topk_group = 2;
  c.topk = 3;
  c.scoring = scoring;
  return c;
}

TEST(PluginV2, RoutingClaimComesFromTheDescriptorAndClaimFor) {
  const RoutingKernel& k = routing_probe();
  const std::optional<RoutingClaim> claim = k.claim(small_config(), Format::bf16, Format::fp32);
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim->arithmetic, Format::fp32);
  EXPECT_EQ(claim->weights.max_ulp, 103.0);  // 100 + topk, set by claim_for
  EXPECT_EQ(claim->min_score_sum, 0x1p-120);  // -1 in the descriptor: the default
  EXPECT_TRUE(claim->sorted);
  EXPECT_FALSE(claim->nan_weights_when_scores_vanish);
  EXPECT_FALSE(k.claim(small_config(Scoring::softmax), Format::bf16, Format::fp32));  // refused by claim_for
  EXPECT_FALSE(k.claim(small_config(), Format::fp32, Format::fp32));  // logits dtype not declared
  EXPECT_FALSE(k.claim(small_config(), Format::bf16, Format::bf16));  // bias dtype not declared
}

TEST(PluginV2, RoutingRunHandsOverTheTensorsTheAbiPromises) {
  const RoutingKernel& k = routing_probe();
  const RoutingConfig c = small_config();
  RoutingInputs in{Format::bf16, Format::fp32, 5, std::vector<std::uint32_t>(5 * 16, 0x3f80), std::vector<std::uint32_t>(16)};
  RoutingOutputs out{std::vector<std::int32_t>(15, -1), std::vector<float>(15)};
  ASSERT_NO_THROW(k.run(c, in, out));  // the probe fails on any tensor that breaks the ABI's promises
  for (int t = 0; t < 5; ++t)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(out.ids[static_cast<std::size_t>(t * 3 + j)], j);
}

ReportRequest routing_request(const std::string& kernel) {
  ReportRequest r;
  r.ops = {"biased_grouped_topk"};
  r.kernels = {kernel};
  r.samples = 300;
  r.routing.no_precision_study = true;
  return r;
}

TEST(PluginV2, ARouterThatIgnoresItsInputsFailsTheReportWithAnExplanation) {
  routing_probe();
  const ReportResults results = run_report(plan_report(routing_request("probe2.first_experts")));
  const std::string why = first_failure(results);
  EXPECT_NE(why.find("probe2.first_experts on biased_grouped_topk"), std::string::npos) << why;
  EXPECT_NE(why.find("expert sets differ"), std::string::npos) << why;
  EXPECT_NE(why.find("first failing token"), std::string::npos) << why;
}

TEST(PluginV2, ARouterThatIgnoresItsInputsFailsTheOracleProperty) {
  routing_probe();
  FuzzRequest r;
  r.kernels = {"probe2.first_experts"};
  r.properties = {"matches_oracle"};
  const std::vector<FuzzRun> runs = plan_fuzz(r);
  ASSERT_FALSE(runs.empty());
  const FuzzResult result = run(runs.front(), FuzzSettings{.cases = 30, .seed = 1}, std::nullopt);
  EXPECT_FALSE(result.passed);
  EXPECT_FALSE(result.replay_token.empty()) << result.failure;
}

TEST(PluginV2, TheExampleRoutingPluginPassesTheReportAndTheOracleProperty) {
  EXPECT_EQ(load_once(ULPCHECK_EXAMPLE_ROUTING_PLUGIN), (std::vector<std::string>{"example.routing_fp32"}));
  const ReportResults results = run_report(plan_report(routing_request("example.routing_fp32")));
  EXPECT_EQ(first_failure(results), "");
  FuzzRequest r;
  r.kernels = {"example.routing_fp32"};
  r.properties = {"matches_oracle"};
  for (const FuzzRun& run_ : plan_fuzz(r))
    EXPECT_TRUE(run(run_, FuzzSettings{.cases = 20, .seed = 3}, std::nullopt).passed) << label(run_);
}

// --- every new check of the loader, on a plugin broken in that one way

struct Broken {
  const char* defect;
  std::vector<std::string> message_parts;
};
void PrintTo(const Broken& b, std::ostream* os) { *os << b.defect; }

class PluginV2Broken : public testing::TestWithParam<Broken> {};

TEST_P(PluginV2Broken, FailsWithItsMessageAndRegistersNothing) {
  const std::string path = test_plugin(std::string("broken_v2_") + GetParam().defect);
  const std::size_t before = all_kernels().size(), before_routing = all_routing_kernels().size();
  std::string msg;
  try {
    load_plugin(path);
    ADD_FAILURE() << path << " loaded";
  } catch (const PluginError& e) {
    msg = e.what();
  }
  EXPECT_TRUE(msg.starts_with(path + ": ")) << msg;
  for (const std::string& part : GetParam().message_parts)
    EXPECT_NE(msg.find(part), std::string::npos) << "missing '" << part << "' in: " << msg;
  EXPECT_EQ(all_kernels().size(), before);
  EXPECT_EQ(all_routing_kernels().size(), before_routing);
  EXPECT_EQ(find_kernel("broken2.fine"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    Loader, PluginV2Broken,
    testing::Values(
        Broken{"unknown_param", {"elementwise kernel #2 'broken2.unknown_param'", "takes no parameter 'alpha'", "limit"}},
        Broken{"inverted_range", {"'broken2.inverted_range'", "[5, 1] is not a range"}},
        Broken{"null_ranges", {"'broken2.null_ranges'", "param_range_count is 2 but param_ranges is NULL"}},
        Broken{"null_routing_run", {"routing kernel #1 'broken2.null_routing_run'", "run is NULL"}},
        Broken{"bad_arithmetic", {"'broken2.bad_arithmetic'", "claim.arithmetic is 3"}},
        Broken{"zero_bias_dtypes", {"'broken2.zero_bias_dtypes'", "bias_dtypes is 0"}},
        Broken{"bad_sorted", {"'broken2.bad_sorted'", "claim.sorted is 2; expected 0 or 1"}},
        Broken{"routing_clash", {"routing kernel #1 'broken2.fine'", "an elementwise kernel of the table has this name"}},
        Broken{"routing_builtin", {"'host.routing_fp32'", "already registered"}},
        Broken{"no_kernels", {"declares no kernels", "elementwise_count and routing_count are 0"}},
        Broken{"null_routing", {"routing_count is 1 but routing is NULL"}}),
    [](const testing::TestParamInfo<Broken>& info) { return std::string(info.param.defect); });

}  // namespace
}  // namespace ulpcheck
