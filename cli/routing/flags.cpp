#include "cli/routing/flags.hpp"

namespace ulpcheck::cli {

std::vector<CLI::Option*> add_routing_options(CLI::App& sub, RoutingReportOptions& o) {
  const char* group = "biased_grouped_topk";
  std::vector<CLI::Option*> added;
  added.push_back(sub.add_option("--config", o.config, "routing configuration: deepseek_v3 (256 experts, 8 groups, 4 kept, top 8, "
                                       "sigmoid, renormalised, scale 2.5; the default)")
      ->check(CLI::IsMember({"deepseek_v3"}))
      ->group(group));
  added.push_back(sub.add_option("--experts", o.experts, "routed experts E (overrides --config)")->group(group));
  added.push_back(sub.add_option("--n-group", o.n_group, "expert groups (overrides --config)")->group(group));
  added.push_back(sub.add_option("--topk-group", o.topk_group, "groups kept (overrides --config)")->group(group));
  added.push_back(sub.add_option("--topk", o.topk, "experts picked (overrides --config)")->group(group));
  added.push_back(sub.add_option("--scoring", o.scoring, "sigmoid or softmax (overrides --config)")
      ->check(CLI::IsMember({"sigmoid", "softmax"}))
      ->group(group));
  added.push_back(sub.add_flag("--no-renormalize", o.no_renormalize, "weights not divided by the picked scores' sum")->group(group));
  added.push_back(sub.add_option("--scale", o.scale, "routed_scaling_factor, rounded to fp32 (overrides --config)")->group(group));
  added.push_back(sub.add_option("--logits", o.logits, "logits distribution: normal:MEAN,SD or bits (default normal:0,2)")
      ->group(group));
  added.push_back(sub.add_option("--bias", o.biases,
                 "bias distribution (repeatable): deepseek_v3, around_7, around_0 (the default: all three), "
                 "normal:MEAN,SD or bits")
      ->group(group));
  added.push_back(sub.add_flag("--no-precision-study", o.no_precision_study,
               "leave out the precision study (rounded logits and bias, bias cast once or per call)")
      ->group(group));
  return added;
}

}  // namespace ulpcheck::cli
